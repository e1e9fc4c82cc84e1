//! Writes a `kubectl get pods -A -o json`-shaped dump of N realistic pods (default 100000)
//! for load benchmarks: `cargo run --release --example gen_pods -- 100000 > pods.json`.

use std::io::Write;

#[path = "../benches/support/pods_dump.rs"]
mod pods_dump;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write!(out, "{}", pods_dump::pods_json(n)).expect("write");
}
