//! Node authorizer benchmarks on upstream's `BenchmarkAuthorization` data set
//! (500 nodes, 200 namespaces, 200 pods per node, 20 attachments per node; per pod one
//! unique configmap, one shared secret, one unique secret and one unique PVC/PV).
//!
//! Single-threaded: the ten upstream decision cases, graph build time, and the write the
//! upstream contention variant issues (re-adding `ns0/testwrite` on node0). Upstream's
//! parallel/contention runs and allocation profiles are not reproduced here.
//!
//! Where a decision's time goes (callgrind, `examples/callgrind_node.rs`, instructions per
//! `check`; counts are stable on the shared cores, wall clock is not).
//!
//! Before (2026-12-03, morning): about 530 Ir for an allowed or refused configmap/secret,
//! 685 for the shared secret (a longer search). Of the 530: the graph ~2/3 (the vertex key
//! hash ~75 Ir of foldhash, the hashbrown probe with its inline checks ~90, `has_path_from`
//! and `dfs_named` ~120, and three `memcmp` calls of ~18 Ir each, 10 %: the arena compares
//! in `Graph::lookup` and the node-name compare in `Graph::is_node`); the authorizer's own
//! dispatch ~120 (user prefix and group, the resource match, read-only verb). The
//! authorizer's compares against literals are already inlined by the compiler (no
//! `memcmp`), so `streq` there changes nothing measurable; it pays where two runtime
//! strings meet (RBAC rule matching, node-name compares, and the graph's arena compares).
//! `decide` (the reason rendered) cost ~1,100 Ir more per NoOpinion through `fmt` and a
//! growing String; `NodeReason::render` (one exact allocation) halves that: 1,850 → 918 Ir
//! for a refused configmap.
//!
//! After (2026-12-03, branch graphfast), the ten cases in `BENCHMARK_CASES` order:
//!
//! | case | before | after |
//! |---|---|---|
//! | allowed configmap | 529 | 454 |
//! | allowed secret via pod | 529 | 454 |
//! | allowed shared secret via pod | 684 | 577 |
//! | disallowed configmap | 535 | 457 |
//! | disallowed secret via pod | 535 | 457 |
//! | disallowed shared secret via pvc | 687 | 631 |
//! | disallowed pvc | 508 | 422 |
//! | disallowed pv | 609 | 510 |
//! | disallowed attachment - no relationship | 555 | 446 |
//! | allowed attachment | 523 | 443 |
//!
//! What changed, in Ir for an allowed configmap (529 → 454): the arena and node-name
//! compares use `streq` (the three `memcmp` calls, ~54, become ~25 inline); the key hash
//! starts from a per-type random seed instead of writing a type/length word, which drops
//! foldhash's final mixing round (~10); the table's candidates are walked with
//! `HashTable::iter_hash` and compared inline, not through hashbrown's `dyn` equality
//! closure (~15); `has_path_from` searches from the vertex the lookup found and runs the
//! first search level inline, without a recursive call (~35); the start vertex is compared
//! with the node only when the request is for a node (~13). Where the 454 go now: the
//! authorizer's dispatch ~150 (unchanged), the key hash ~65 (of which 26 in foldhash's
//! out-of-line `hash_bytes_long` for names over 16 bytes), the table probe ~50 (hashbrown's
//! `RawIterHashIndices::new`/`next`, out of line), the key compare ~45, the search with its
//! node compare ~50, calls and spills the rest. Deeper searches (a PV's secret: secret →
//! PV → PVC → pod) cost ~90 Ir per further level.

use std::sync::{Mutex, OnceLock};

use divan::Bencher;
use kauthz_core::authz::{Attributes, Decision};
use kauthz_core::node::sample::{Sample, SampleOpts, generate, generate_pod};
use kauthz_core::node::{Graph, NodeAuthorizer, default_authorizer};

fn main() {
    divan::main();
}

fn sample() -> &'static Sample {
    static S: OnceLock<Sample> = OnceLock::new();
    S.get_or_init(|| generate(&SampleOpts::benchmark_authorization()))
}

fn graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| {
        let mut g = Graph::new();
        sample().populate(&mut g);
        g
    })
}

use kauthz_core::node::sample::{BENCHMARK_CASES as CASES, benchmark_case};

const NAMES: [&str; 10] =
    [CASES[0].0, CASES[1].0, CASES[2].0, CASES[3].0, CASES[4].0, CASES[5].0, CASES[6].0, CASES[7].0, CASES[8].0, CASES[9].0];

fn case(name: &str) -> (Attributes, Decision) {
    benchmark_case(CASES.iter().position(|c| c.0 == name).expect("case"))
}

/// One decision (upstream `Authorize`), no explanation.
#[divan::bench(args = NAMES)]
fn decision(bencher: Bencher, name: &str) {
    let (g, authz): (&Graph, &NodeAuthorizer) = (graph(), default_authorizer());
    let (attrs, expect) = case(name);
    assert_eq!(authz.decide(g, &attrs).decision, expect, "{name}");
    bencher.bench(|| authz.decide(divan::black_box(g), divan::black_box(&attrs)));
}

/// One decision with the explaining path (what `explain` and the chain use).
#[divan::bench(args = ["allowed secret via pod", "allowed shared secret via pod"])]
fn decision_with_path(bencher: Bencher, name: &str) {
    let (g, authz) = (graph(), default_authorizer());
    let (attrs, _) = case(name);
    bencher.bench(|| authz.authorize(divan::black_box(g), divan::black_box(&attrs)));
}

/// Building the whole graph from the generated objects (100,000 pods and PVs).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn build_graph(bencher: Bencher) {
    let s = sample();
    bencher.bench(|| {
        let mut g = Graph::new();
        s.populate(&mut g);
        g
    });
}

/// The write upstream's contention variant issues: re-adding one pod (delete + add).
#[divan::bench]
fn write_readd_pod(bencher: Bencher) {
    static G: OnceLock<Mutex<Graph>> = OnceLock::new();
    let g = G.get_or_init(|| Mutex::new(graph().clone()));
    let (pod, _, _) = generate_pod("testwrite", "ns0", "node0", "default", &SampleOpts::benchmark_authorization());
    bencher.bench(|| g.lock().unwrap().add_pod(divan::black_box(&pod)));
}
