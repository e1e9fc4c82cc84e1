//! Instruction counts of the Node authorizer's decisions, for valgrind's callgrind (stable
//! on shared, noisy cores where wall-clock figures are not):
//!
//! ```sh
//! cargo build --release -p kauthz-core --features sample --example callgrind_node
//! valgrind --tool=callgrind --toggle-collect='*run_case*' \
//!     target/release/examples/callgrind_node [check|decide] [CASE_INDEX|all] [REPEATS]
//! ```
//!
//! Builds upstream's BenchmarkAuthorization graph (100,000 pods) from the generator, then
//! runs each of the ten cases (or only `CASE_INDEX`) `REPEATS` times (default 1000) inside
//! `run_case`, whose instructions alone are collected: `check` (the decision with its
//! reason unrendered, the default) or `decide` (the reason rendered into a `Verdict`).
//! Without valgrind it prints each case's decision and mean wall-clock time.

use std::hint::black_box;
use std::time::Instant;

use kauthz_core::authz::{Attributes, Decision};
use kauthz_core::node::sample::{BENCHMARK_CASES, SampleOpts, benchmark_case, generate};
use kauthz_core::node::{Graph, NodeAuthorizer, default_authorizer};

#[inline(never)]
fn run_case(authz: &NodeAuthorizer, graph: &Graph, attrs: &Attributes, repeats: u32, eager: bool) -> Decision {
    let mut last = Decision::NoOpinion;
    for _ in 0..repeats {
        last = if eager {
            black_box(authz.decide(black_box(graph), black_box(attrs))).decision
        } else {
            black_box(authz.check(black_box(graph), black_box(attrs))).decision
        };
    }
    last
}

fn main() {
    let mut args = std::env::args().skip(1);
    let eager = args.next().as_deref() == Some("decide");
    let only: Option<usize> = args.next().and_then(|s| s.parse().ok());
    let repeats: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut graph = Graph::new();
    generate(&SampleOpts::benchmark_authorization()).populate(&mut graph);
    let authz = default_authorizer();
    for (i, case) in BENCHMARK_CASES.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let (attrs, expect) = benchmark_case(i);
        // Warm the caches and lazily built tables once.
        assert_eq!(run_case(authz, &graph, &attrs, 1, eager), expect, "{}", case.0);
        let t = Instant::now();
        assert_eq!(run_case(authz, &graph, &attrs, repeats, eager), expect, "{}", case.0);
        println!("{i} {:<42} {:>8.1} ns", case.0, t.elapsed().as_nanos() as f64 / f64::from(repeats));
    }
}
