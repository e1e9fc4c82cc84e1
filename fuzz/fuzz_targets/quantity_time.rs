//! Quantities (`model::Quantity`, `resource.ParseQuantity`) and timestamps (`model::Time`,
//! RFC 3339), as they appear inside objects.
//!
//! Invariants: the text is kept as written; parsing the written text again gives an equal
//! amount/instant; comparison is a total order on the parsed values (reflexive and
//! antisymmetric against a few fixed quantities); everything within bounded time, whatever
//! the exponent.
#![no_main]

use std::cmp::Ordering;

use kauthz_core::model::{Quantity, Time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(q) = Quantity::parse(text) {
        assert_eq!(q.as_str(), text);
        assert_eq!(q.to_string(), text);
        let again = Quantity::parse(q.as_str()).expect("a parsed quantity parses again");
        assert_eq!(q.cmp_amount(&again), Ordering::Equal);
        for fixed in ["0", "1", "-1", "1m", "1Ki", "1e3", "999999999999999999999", "1n", "-0.5"] {
            let f = Quantity::parse(fixed).unwrap();
            assert_eq!(q.cmp_amount(&f), f.cmp_amount(&q).reverse(), "{text} vs {fixed}");
        }
    }
    if let Ok(t) = Time::parse(text) {
        assert_eq!(t.as_str(), text);
        assert!(Time::parse(t.as_str()).is_ok());
    }
});
