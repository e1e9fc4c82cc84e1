//! Decisions while the watched state changes: reader threads answer SubjectAccessReviews
//! through [`kauthz_server::respond`] (read lock on the state, freshness from atomics) for a
//! fixed time, first alone, then while a writer applies pod updates as a watch delivers them
//! (one write lock per batch). Prints decisions per second and latency percentiles for both.
//!
//!   cargo run --release -p kauthz-server --example contention [PODS] [SECONDS] [READERS] [WRITES_PER_SECOND]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kauthz_core::admission::NodeRestriction;
use kauthz_core::chain::Chain;
use kauthz_core::enforce::Mode;
use kauthz_core::model::Object;
use kauthz_core::state::ClusterState;
use kauthz_server::{Shared, respond, served};
use serde_json::json;

fn pod(i: usize, nodes: usize, generation: usize) -> serde_json::Value {
    json!({"apiVersion":"v1","kind":"Pod","metadata":{"name":format!("p{i}"),"namespace":format!("ns-{}", i % 50),"uid":format!("u{i}-{generation}")},
        "spec":{"nodeName":format!("n{}", i % nodes),"volumes":[{"name":"s","secret":{"secretName":format!("s{i}")}}]}})
}

fn objects(items: Vec<serde_json::Value>) -> Vec<Object> {
    let text = json!({"apiVersion":"v1","kind":"List","items":items}).to_string();
    kauthz_core::snapshot::parse_text("pods.json", &text).expect("pods").objects
}

fn sar(i: usize, nodes: usize, own: bool) -> Vec<u8> {
    let secret = if own { i } else { i + 1 };
    serde_json::to_vec(&json!({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{
        "user":format!("system:node:n{}", i % nodes),"groups":["system:nodes","system:authenticated"],
        "resourceAttributes":{"verb":"get","resource":"secrets","namespace":format!("ns-{}", i % 50),"name":format!("s{secret}"),"version":"v1"}}}))
    .expect("json")
}

/// Readers for `seconds`; with `writes_per_second > 0` a writer re-applies pods meanwhile.
fn phase(
    shared: &Arc<Shared>,
    pods: usize,
    nodes: usize,
    seconds: f64,
    readers: usize,
    writes_per_second: usize,
) -> (f64, Vec<Duration>, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let writer = (writes_per_second > 0).then(|| {
        let (shared, stop) = (shared.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0usize;
            let every = Duration::from_secs_f64(1.0 / writes_per_second as f64);
            let mut next = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let object = objects(vec![pod(n % pods, nodes, n)]).pop().expect("pod");
                shared.update(|s| s.state.apply(object));
                n += 1;
                next += every;
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            n
        })
    });
    let started = Instant::now();
    let threads: Vec<_> = (0..readers)
        .map(|r| {
            let shared = shared.clone();
            let sars: Vec<Vec<u8>> = (0..1000).map(|i| sar((i * 7919 + r) % pods, nodes, i % 4 != 0)).collect();
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let end = Instant::now() + Duration::from_secs_f64(seconds);
                let mut i = 0;
                while Instant::now() < end {
                    let t = Instant::now();
                    let reply = respond(&shared, "POST", "/authorize", &sars[i % sars.len()]);
                    latencies.push(t.elapsed());
                    assert_eq!(reply.status, 200);
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut all: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("reader")).collect();
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let writes = writer.map_or(0, |w| w.join().expect("writer"));
    all.sort();
    (all.len() as f64 / elapsed, all, writes)
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("a number")).collect();
    let pods = args.first().copied().unwrap_or(20_000);
    let seconds = args.get(1).copied().unwrap_or(2) as f64;
    let readers = args.get(2).copied().unwrap_or(2);
    let rate = args.get(3).copied().unwrap_or(1000);
    let nodes = 100;
    let shared = Arc::new(Shared::new(served(Chain::default(), ClusterState::new(), NodeRestriction::default(), Mode::Strict), None));
    let all = objects((0..pods).map(|i| pod(i, nodes, 0)).collect());
    shared.update(|s| s.state.apply_all(all));
    shared.mark_synced();
    for (label, writes) in [("no writer", 0), ("writer", rate)] {
        let (rate, lat, n) = phase(&shared, pods, nodes, seconds, readers, writes);
        let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
        println!(
            "{label:>9}: {readers} readers, {pods} pods: {rate:.0} decisions/s; p50 {:?} p99 {:?} p99.9 {:?} max {:?}; {n} pod updates applied",
            pct(0.5),
            pct(0.99),
            pct(0.999),
            lat[lat.len() - 1]
        );
    }
}
