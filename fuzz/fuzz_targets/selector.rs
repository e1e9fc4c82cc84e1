//! Label and field selectors (`selector::parse_label_selector`, `parse_field_selector`), as
//! a SubjectAccessReview's `rawSelector` and kubectl's `--selector`/`--field-selector` give
//! them.
//!
//! Invariants: parsing is deterministic; an error says what is wrong; parsed requirements
//! written back as a selector parse to the same requirements (label requirements in the
//! same order, field terms as the same set).
#![no_main]

use kauthz_core::selector::{FieldRequirement, LabelRequirement, Operator, parse_field_selector, parse_label_selector};
use libfuzzer_sys::fuzz_target;

fn label_string(reqs: &[LabelRequirement]) -> String {
    reqs.iter()
        .map(|r| match r.operator {
            Operator::Equals => format!("{}={}", r.key, r.values.join("")),
            Operator::NotEquals => format!("{}!={}", r.key, r.values.join("")),
            Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
            Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
            Operator::Exists => r.key.clone(),
            Operator::DoesNotExist => format!("!{}", r.key),
            Operator::GreaterThan => format!("{}>{}", r.key, r.values.join("")),
            Operator::LessThan => format!("{}<{}", r.key, r.values.join("")),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `fields.EscapeValue`.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace(',', "\\,").replace('=', "\\=")
}

fn field_string(reqs: &[FieldRequirement]) -> String {
    reqs.iter()
        .map(|r| match r.operator {
            Operator::NotEquals => format!("{}!={}", r.field, escape(&r.value)),
            _ => format!("{}={}", r.field, escape(&r.value)),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_label_selector(text) {
        Ok(reqs) => {
            assert_eq!(parse_label_selector(text), Ok(reqs.clone()));
            // `in (,)` holds the empty value, which upstream's own `String()` writes as `in ()`
            // (an error): such sets are not written back.
            if reqs.iter().all(|r| !matches!(r.operator, Operator::In | Operator::NotIn) || !r.values.iter().any(String::is_empty)) {
                let again = label_string(&reqs);
                assert_eq!(parse_label_selector(&again), Ok(reqs), "{text:?} -> {again:?}");
            }
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
    match parse_field_selector(text) {
        Ok(reqs) => {
            // Terms are ordered by their raw text (upstream sorts the strings), which writing
            // back can change (`a==b` becomes `a=b`): compare them as sets.
            let again = field_string(&reqs);
            let sorted = |mut v: Vec<FieldRequirement>| {
                v.sort_by(|a, b| {
                    (&a.field, a.operator == Operator::Equals, &a.value).cmp(&(&b.field, b.operator == Operator::Equals, &b.value))
                });
                v
            };
            let back = parse_field_selector(&again).unwrap_or_else(|e| panic!("{text:?} -> {again:?}: {e}"));
            assert_eq!(sorted(back), sorted(reqs), "{text:?} -> {again:?}");
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
});
