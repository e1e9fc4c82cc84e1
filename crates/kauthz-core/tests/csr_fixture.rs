//! Comparison of `csr_common_name` with upstream's `certapi.ParseCSR` on generated requests.
//!
//! `data/csr_cases.jsonl.gz` comes from `conformance/cmd/csrcn` (`gen | eval`): per line the
//! request bytes in hex and either the common name (`cn`) or the error text (`error`). Go
//! prints a heap address in one "tags don't match" message (`tag:0xc…`); both sides are
//! compared with that address masked.

use std::io::{BufRead, BufReader};

use kauthz_core::admission::csr::csr_common_name;
use serde_json::Value;

fn unhex(s: &str) -> Vec<u8> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("bad hex"),
    };
    s.as_bytes().chunks(2).map(|p| digit(p[0]) << 4 | digit(p[1])).collect()
}

/// Replaces `tag:0x<hex>` by `tag:0x…`.
fn mask_address(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("tag:0x") {
        out.push_str(&rest[..i + 6]);
        rest = rest[i + 6..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        out.push('…');
    }
    out.push_str(rest);
    out
}

#[test]
fn matches_upstream_fixture() {
    let file = std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/csr_cases.jsonl.gz")).expect("fixture");
    let total = check(Box::new(BufReader::new(flate2::read::GzDecoder::new(file))));
    assert!(total >= 3000, "fixture too small: {total}");
}

/// Checks a freshly generated case file (`csrcn gen | csrcn eval > F`):
/// `KAUTHZ_CSR_CASES=F cargo test --test csr_fixture -- --ignored`.
#[test]
#[ignore]
fn matches_upstream_cases_from_env() {
    let path = std::env::var("KAUTHZ_CSR_CASES").expect("KAUTHZ_CSR_CASES");
    check(Box::new(BufReader::new(std::fs::File::open(path).expect("cases"))));
}

/// Compares every case; returns how many were compared.
fn check(reader: Box<dyn BufRead>) -> usize {
    let (mut total, mut failures) = (0usize, Vec::new());
    for (n, line) in reader.lines().enumerate() {
        let case: Value = serde_json::from_str(&line.expect("line")).expect("json");
        let pem = unhex(case["pem_hex"].as_str().expect("pem_hex"));
        let expected = match (&case["cn"], &case["error"]) {
            (Value::String(cn), _) => Ok(cn.clone()),
            (_, Value::String(e)) => Err(mask_address(e)),
            _ => panic!("case {n}: neither cn nor error"),
        };
        let actual = csr_common_name(&pem).map_err(|e| mask_address(&e.to_string()));
        total += 1;
        if actual != expected {
            failures.push(format!("case {n}: pem {:?}\n  expected {expected:?}\n  actual   {actual:?}", String::from_utf8_lossy(&pem)));
        }
    }
    assert!(total > 0, "no cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ; first:\n{}",
        failures.len(),
        failures.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
    total
}
