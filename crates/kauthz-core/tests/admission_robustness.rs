//! Neither admission helper may panic, whatever the input: mutated fixture inputs and
//! random bytes / JSON are fed through them.

use std::io::{BufRead, BufReader};

use kauthz_core::admission::csr::csr_common_name;
use kauthz_core::admission::pvc_diff::pvc_status_update_diff;
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn lines(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(path).expect("fixture");
    BufReader::new(flate2::read::GzDecoder::new(file)).lines().map(|l| serde_json::from_str(&l.expect("line")).expect("json")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex")).collect()
}

#[test]
fn csr_never_panics() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let cases = lines("csr_cases.jsonl.gz");
    for case in cases.iter().take(800) {
        let pem = unhex(case["pem_hex"].as_str().expect("hex"));
        for _ in 0..6 {
            let mut b = pem.clone();
            match rng.below(4) {
                0 if !b.is_empty() => {
                    let i = rng.below(b.len());
                    b[i] = rng.next() as u8;
                }
                1 => b.truncate(rng.below(b.len() + 1)),
                2 => {
                    let i = rng.below(b.len() + 1);
                    b.insert(i, rng.next() as u8);
                }
                _ => b.extend((0..rng.below(8)).map(|_| rng.next() as u8)),
            }
            let _ = csr_common_name(&b);
        }
    }
    for _ in 0..2000 {
        let n = rng.below(300);
        let b: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        let _ = csr_common_name(&b);
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!((rng.next() % 10_000) as f64 / 7.0),
        4 => json!(["1Gi", "1e2147483647", "1e-2147483648", "9Ei", ".", "-", "2024-01-01T00:00:00Z", "x", ""][rng.below(9)]),
        5 | 6 => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => {
            let keys = [
                "metadata",
                "spec",
                "status",
                "labels",
                "name",
                "resources",
                "requests",
                "capacity",
                "allocatedResources",
                "creationTimestamp",
                "deletionTimestamp",
                "ownerReferences",
                "selector",
                "matchExpressions",
                "healthStatus",
                "storage",
                "dataSourceRef",
                "generation",
            ];
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                m.insert(keys[rng.below(keys.len())].to_owned(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

#[test]
fn pvc_diff_never_panics() {
    let mut rng = Rng(0x0fed_cba9_8765_4321);
    for _ in 0..3000 {
        let a = random_value(&mut rng, 0);
        let b = random_value(&mut rng, 0);
        let _ = pvc_status_update_diff(&a, &b, rng.below(2) == 0);
    }
    let extreme = json!({"metadata": {"name": "x"}, "spec": {"resources": {"requests": {
        "a": "1e2147483647", "b": "1e-2147483648", "c": "0e2147483647", "d": "1e-2147483647Ki",
        "e": "99999999999999999999999999999999999999e-2147483648", "f": "9999999999999999999Ei"}}}});
    let other = json!({"metadata": {"name": "y"}, "spec": {"resources": {"requests": {
        "a": "1", "b": "1n", "c": "0", "d": "1", "e": "1", "f": "1"}}}});
    assert!(pvc_status_update_diff(&extreme, &other, true).is_some());
}
