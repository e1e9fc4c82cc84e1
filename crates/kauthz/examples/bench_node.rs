//! The Rust half of `make bench-compare` (conformance/bench-compare.sh): kauthz's Node
//! authorizer on upstream's `BenchmarkAuthorization` data set, measured as
//! `conformance/cmd/benchnode run` measures upstream's.
//!
//! ```sh
//! conformance/bin/benchnode gen --out target/bench-data/node-authz-bench.json
//! cargo run --release -p kauthz --example bench_node -- --data target/bench-data/node-authz-bench.json [--json] [--benchtime-ms 1000]
//! ```
//!
//! * load: `snapshot::load_paths` (read, parse, decode);
//! * graph population: the objects fed to a bare `Graph` in file order (upstream
//!   `populate()`'s order), what benchnode's `populate_ms` measures on upstream's graph;
//!   then the whole `ClusterState` (object store, graph, RBAC) built from them;
//! * memory: resident-set deltas from `/proc/self/statm` (the workspace forbids unsafe
//!   code, so no counting allocator): the bare graph, and objects + store + graph;
//! * decisions: the ten cases through `node::default_authorizer().check` (the decision
//!   with its reason unrendered: `ns_single`), `.decide` (the reason rendered into a
//!   `Verdict`'s String, as upstream's `Authorize` formats it: `ns_rendered`) and
//!   `Chain::default().decide` (`system:masters`, Node, RBAC), each reading the state
//!   through an `RwLock` read guard (as upstream's `Authorize` takes the graph's RLock),
//!   single-threaded and while a writer thread re-applies pod `ns0/testwrite` every
//!   10 ms (upstream's contention variant; a fresh uid each time makes the populator
//!   re-add it, the delete + add upstream's `AddPod` does).

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kauthz_core::model::{Kind, Object};
use kauthz_core::node::sample::{SampleOpts, generate, generate_pod};
use kauthz_core::node::{Graph, default_authorizer};
use kauthz_core::{Chain, ClusterState, Decision};

use kauthz_core::node::sample::{BENCHMARK_CASES as CASES, benchmark_case as attrs};

/// Resident set size in bytes (statm's second field, in 4 KiB pages).
fn rss() -> i64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<i64>().ok()).unwrap_or(0) * 4096
}

/// ns per call of `f`: the count grows until one run takes target/4, then the best of
/// three runs of that count (benchnode's `timeLoop`).
fn time_loop(target: Duration, mut f: impl FnMut(u64)) -> f64 {
    let mut n: u64 = 1;
    let mut el;
    loop {
        let t = Instant::now();
        f(n);
        el = t.elapsed();
        if el >= target / 4 || n >= 1 << 30 {
            break;
        }
        let grow = if el.is_zero() { 10 } else { ((target.as_secs_f64() / 4.0 / el.as_secs_f64() * 1.2) as u64 + 1).min(100) };
        n *= grow;
    }
    let mut best = el.as_nanos() as f64 / n as f64;
    for _ in 0..3 {
        let t = Instant::now();
        f(n);
        best = best.min(t.elapsed().as_nanos() as f64 / n as f64);
    }
    best
}

#[derive(Default)]
struct CaseResult {
    name: &'static str,
    allowed: bool,
    ns_single: f64,
    ns_contention: f64,
    ns_rendered: f64,
    ns_chain_single: f64,
    ns_chain_contention: f64,
}

/// Measures every case, node authorizer and chain, reading `state` through its lock.
fn measure(state: &RwLock<ClusterState>, target: Duration, results: &mut [CaseResult], contended: bool) {
    let authz = default_authorizer();
    let chain = Chain::default();
    for (i, r) in results.iter_mut().enumerate() {
        let (a, expect) = attrs(i);
        let node = time_loop(target, |n| {
            for _ in 0..n {
                let s = state.read().expect("lock");
                let v = authz.check(black_box(s.graph()), black_box(&a));
                assert_eq!(v.decision, expect, "{}", CASES[i].0);
            }
        });
        if !contended {
            r.ns_rendered = time_loop(target, |n| {
                for _ in 0..n {
                    let s = state.read().expect("lock");
                    let v = authz.decide(black_box(s.graph()), black_box(&a));
                    assert_eq!(v.decision, expect, "{}", CASES[i].0);
                }
            });
        }
        let whole = time_loop(target, |n| {
            for _ in 0..n {
                let s = state.read().expect("lock");
                let v = chain.decide(black_box(&s), black_box(&a));
                assert_eq!(v.allowed(), expect == Decision::Allow, "{}", CASES[i].0);
            }
        });
        if contended {
            (r.ns_contention, r.ns_chain_contention) = (node, whole);
        } else {
            (r.ns_single, r.ns_chain_single) = (node, whole);
        }
    }
}

/// `--graph-memory-probe`: in a fresh process, with no parse garbage for the allocator
/// to reuse, the resident growth of populating the graph from upstream's generator
/// (the same objects as the data file). Prints bytes.
fn graph_memory_probe() {
    let sample = generate(&SampleOpts::benchmark_authorization());
    let before = rss();
    let mut graph = Graph::new();
    sample.populate(&mut graph);
    let after = rss();
    black_box(&graph);
    println!("{}", after - before);
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--graph-memory-probe") {
        graph_memory_probe();
        return;
    }
    let mut data = None;
    let mut json = false;
    let mut target = Duration::from_millis(1000);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().map(PathBuf::from),
            "--json" => json = true,
            "--benchtime-ms" => target = Duration::from_millis(args.next().and_then(|v| v.parse().ok()).expect("--benchtime-ms N")),
            _ => {
                eprintln!("usage: bench_node --data FILE [--json] [--benchtime-ms N]");
                std::process::exit(2);
            }
        }
    }
    let Some(data) = data else {
        eprintln!("usage: bench_node --data FILE [--json] [--benchtime-ms N]");
        std::process::exit(2);
    };

    let rss0 = rss();
    let t = Instant::now();
    let snapshot = kauthz_core::snapshot::load_paths(std::slice::from_ref(&data)).unwrap_or_else(|e| {
        eprintln!("bench_node: {e}");
        std::process::exit(1);
    });
    let load = t.elapsed();
    let objects = snapshot.objects;
    let pods = objects.iter().filter(|o| o.kind() == Kind::Pod).count();
    let n_objects = objects.len();
    let rss1 = rss();

    // The bare graph, fed in file order (upstream populate(): pods, PVs, attachments, slices).
    let t = Instant::now();
    let mut graph = Graph::new();
    for o in &objects {
        graph.on_upsert(o, None);
    }
    let populate = t.elapsed();
    let rss2 = rss();
    let graph_bytes_in_process = rss2 - rss1;
    // The in-process figure can be low (the graph reuses memory the parser freed); the
    // probe's, measured in a fresh process, is the one reported.
    let graph_bytes = std::process::Command::new(std::env::current_exe().expect("current exe"))
        .arg("--graph-memory-probe")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(graph_bytes_in_process);

    // The whole state (objects move into its store).
    let t = Instant::now();
    let state = ClusterState::from_objects(objects);
    let build = t.elapsed();
    let rss3 = rss();
    drop(black_box(graph));
    // objects + store + graph: everything retained since start, less the bare graph.
    let total_bytes = rss3 - rss0 - graph_bytes_in_process;

    let state = Arc::new(RwLock::new(state));
    let mut results: Vec<CaseResult> =
        CASES.iter().map(|c| CaseResult { name: c.0, allowed: c.5 == Decision::Allow, ..CaseResult::default() }).collect();
    measure(&state, target, &mut results, false);

    // Contention: a writer re-applying one pod 100 times a second.
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let writer = {
        let (state, stop, writes) = (Arc::clone(&state), Arc::clone(&stop), Arc::clone(&writes));
        std::thread::spawn(move || {
            let (pod, _, _) = generate_pod("testwrite", "ns0", "node0", "default", &SampleOpts::benchmark_authorization());
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let mut p = pod.clone();
                p.metadata.uid = format!("testwrite-{i}").into();
                i += 1;
                state.write().expect("lock").apply(Object::Pod(Box::new(p)));
                writes.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    measure(&state, target, &mut results, true);
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let per_pod = |b: i64| if pods == 0 { 0.0 } else { b as f64 / pods as f64 };
    if json {
        let cases: Vec<serde_json::Value> = results
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name, "allowed": r.allowed,
                    "ns_single": r.ns_single, "ns_contention": r.ns_contention, "ns_rendered": r.ns_rendered,
                    "ns_chain_single": r.ns_chain_single, "ns_chain_contention": r.ns_chain_contention,
                })
            })
            .collect();
        let out = serde_json::json!({
            "impl": "rust kauthz",
            "pods": pods,
            "objects": n_objects,
            "load_ms": ms(load),
            "populate_ms": ms(populate),
            "state_build_ms": ms(build),
            "graph_bytes": graph_bytes,
            "graph_bytes_per_pod": per_pod(graph_bytes),
            "graph_bytes_in_process": graph_bytes_in_process,
            "total_bytes": total_bytes,
            "total_bytes_per_pod": per_pod(total_bytes),
            "memory_method": "resident set (/proc/self/statm) delta; graph: fresh process populated from the generator",
            "cases": cases,
            "contention_writes": writes.load(Ordering::Relaxed),
            "notes": [
                "decisions read the state through a std RwLock read guard",
                "ns_single: NodeAuthorizer::check (reason unrendered); ns_rendered: NodeAuthorizer::decide (reason formatted into a String)",
                "total_bytes: objects + store + graph + RBAC of the ClusterState",
            ],
        });
        println!("{}", serde_json::to_string_pretty(&out).expect("json"));
        return;
    }
    println!("rust kauthz: {pods} pods, {n_objects} objects");
    println!(
        "  load {:.0} ms, graph population {:.0} ms, ClusterState build {:.0} ms, graph RSS {:.1} MiB ({:.0} B/pod; {:.1} MiB in process), objects+store+graph {:.1} MiB ({:.0} B/pod)",
        ms(load),
        ms(populate),
        ms(build),
        graph_bytes as f64 / 1048576.0,
        per_pod(graph_bytes),
        graph_bytes_in_process as f64 / 1048576.0,
        total_bytes as f64 / 1048576.0,
        per_pod(total_bytes)
    );
    println!("  {:<42} {:>12} {:>14} {:>12} {:>12} {:>14}", "case", "ns/decision", "contended ns", "rendered ns", "chain ns", "contended");
    for r in &results {
        println!(
            "  {:<42} {:>12.1} {:>14.1} {:>12.1} {:>12.1} {:>14.1}",
            r.name, r.ns_single, r.ns_contention, r.ns_rendered, r.ns_chain_single, r.ns_chain_contention
        );
    }
    println!("  writes during contention: {}", writes.load(Ordering::Relaxed));
}
