//! `--feature-gates` parsing (`features::FeatureGates::from_flag`).
//!
//! Invariants: the gates parsed from a flag, written back as `Name=bool,...`, parse to the
//! same gates; locked gates keep their defaults; a refused flag says why.
#![no_main]

use kauthz_core::features::FeatureGates;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match FeatureGates::from_flag(text) {
        Ok(gates) => {
            let mut written = Vec::new();
            for &(name, default, locked) in FeatureGates::KNOWN {
                // A gate is on when turning it on changes nothing.
                let mut g = gates;
                let on = g.set_from_flag(&format!("{name}=true")).is_ok() && g == gates;
                if locked {
                    assert_eq!(on, default, "locked gate {name} moved: {text:?}");
                }
                written.push(format!("{name}={on}"));
            }
            let again = written.join(",");
            assert_eq!(FeatureGates::from_flag(&again), Ok(gates), "{text:?} -> {again}");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
