//! Byte-for-byte comparison of `pvc_status_update_diff` with upstream's answers.
//!
//! `data/pvc_diff_cases.jsonl.gz` comes from `conformance/cmd/pvcdiff` (`gen | eval`, pairs
//! that upstream's decoder rejects left out): per line the old and new v1 PVC, the
//! RecoverVolumeExpansionFailure setting and upstream's diff (`null` when equal).

use std::io::{BufRead, BufReader};

use kauthz_core::admission::pvc_diff::pvc_status_update_diff;
use serde_json::Value;

#[test]
fn matches_upstream_fixture() {
    let file = std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pvc_diff_cases.jsonl.gz")).expect("fixture");
    let total = check(Box::new(BufReader::new(flate2::read::GzDecoder::new(file))));
    assert!(total >= 3000, "fixture too small: {total}");
}

/// Checks a freshly generated case file (`pvcdiff gen | pvcdiff eval > F`, cases upstream
/// rejects are skipped): `KAUTHZ_PVC_CASES=F cargo test --test pvc_diff_fixture -- --ignored`.
#[test]
#[ignore]
fn matches_upstream_cases_from_env() {
    let path = std::env::var("KAUTHZ_PVC_CASES").expect("KAUTHZ_PVC_CASES");
    check(Box::new(BufReader::new(std::fs::File::open(path).expect("cases"))));
}

/// Compares every case; returns how many were compared.
fn check(reader: Box<dyn BufRead>) -> usize {
    let (mut total, mut equal, mut failures) = (0usize, 0usize, Vec::new());
    for (n, line) in reader.lines().enumerate() {
        let line = line.expect("line");
        let case: Value = serde_json::from_str(&line).expect("json");
        if case.get("error").is_some_and(|e| !e.is_null()) {
            continue;
        }
        let expected = case["diff"].as_str().map(str::to_owned);
        equal += usize::from(expected.is_none());
        let actual = pvc_status_update_diff(&case["old"], &case["new"], case["recovery"].as_bool().unwrap_or(false));
        total += 1;
        if actual != expected {
            failures.push(format!(
                "case {} (line {}):\nold: {}\nnew: {}\nexpected: {:?}\nactual:   {:?}",
                n,
                n + 1,
                case["old"],
                case["new"],
                expected,
                actual
            ));
        }
    }
    assert!(total > 0, "no cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ ({equal} equal in the fixture); first:\n{}",
        failures.len(),
        failures.iter().take(3).cloned().collect::<Vec<_>>().join("\n\n")
    );
    total
}
