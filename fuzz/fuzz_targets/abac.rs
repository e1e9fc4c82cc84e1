//! ABAC policy files (`abac::PolicyList::parse`, `--authorization-policy-file`): one JSON
//! policy per line, v0 or v1beta1.
//!
//! Invariants: parsing is deterministic; an error names the file and a line that exists;
//! no more policies than non-comment lines; the policies answer the probe requests.
#![no_main]

use kauthz_core::abac::{AbacError, PolicyList};
use kauthz_fuzz::probe_requests;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match PolicyList::parse("policy.jsonl", text) {
        Ok(list) => {
            assert!(list.policies.len() <= text.lines().count());
            assert_eq!(PolicyList::parse("policy.jsonl", text), Ok(list.clone()));
            for attrs in probe_requests() {
                let verdict = list.authorize(&attrs);
                let matching = list.matching(&attrs);
                assert_eq!(matching.is_some(), verdict.decision == kauthz_core::Decision::Allow, "{attrs:?}");
            }
        }
        Err(AbacError::Line { path, line, .. }) => {
            assert_eq!(path, "policy.jsonl");
            assert!(line >= 1 && line <= text.lines().count(), "line {line}");
        }
        Err(AbacError::LineTooLong { path }) => {
            assert_eq!(path, "policy.jsonl");
            assert!(text.lines().any(|l| l.len() >= 64 * 1024));
        }
    }
});
