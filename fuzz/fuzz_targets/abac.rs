//! ABAC policy files (`abac::PolicyList::parse`, `--authorization-policy-file`): one JSON
//! policy per line, v0 or v1beta1.
//!
//! Invariants: parsing is deterministic; an error names the file and a line that exists;
//! no more policies than non-comment lines; the policies answer the probe requests.
#![no_main]

use kauthz_core::abac::PolicyList;
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
        Err(e) => {
            let rest = e.strip_prefix("error reading policy file policy.jsonl, line ").unwrap_or_else(|| panic!("{e}"));
            let line: usize = rest.split(':').next().unwrap().parse().unwrap_or_else(|_| panic!("{e}"));
            assert!(line >= 1 && line <= text.lines().count(), "{e}");
        }
    }
});
