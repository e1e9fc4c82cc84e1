//! The measuring half of `make bench-scale`: loads a `gen_cluster` dump as the `kauthz`
//! binary does (`snapshot::load_paths`, then `ClusterState::apply_all`), and reports load
//! time, state-build time, peak resident memory and Node-authorizer decision latency.
//!
//! ```sh
//! bench_scale --data cluster.json --nodes 65000 --pods 1000000 [--requests 200000] [--json] [--probe-memory]
//! ```
//!
//! Decisions: `--requests` requests drawn at random over the whole cluster (so the graph
//! is read cache-cold, as a busy webhook reads it), half allowed (the pod's own node), half
//! not (another node): a pod's secret, configmap, PVC, PV, VolumeAttachment, pod, service
//! account token and the node's ResourceSlice. Each is decided through
//! `node::default_authorizer().decide`, the decision checked against the expectation; the
//! figure is the mean over the mix, best of five passes. Then the first 1,000 of them
//! repeated (the graph cache-warm), and with `--probe-memory` the latency of a dependent
//! random load over 8 MiB and over 1 GiB of memory (after the peak RSS is taken): the cold
//! figures of a small and a large cluster differ by about what these two differ by.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kauthz_core::authz::{Attributes, Decision, UserInfo};
use kauthz_core::node::default_authorizer;
use kauthz_core::{ClusterState, snapshot};

#[path = "../benches/support/cluster_dump.rs"]
#[allow(dead_code)]
mod cluster_dump;
use cluster_dump::{ClusterSize, STATEFUL_EVERY, pod_name, pod_namespace, pod_node};

/// A field of /proc/self/status in bytes (VmHWM: peak resident set; VmRSS: current).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

fn request(node: &str, group: &str, resource: &str, sub: &str, verb: &str, ns: &str, name: &str) -> Attributes {
    let mut a = Attributes::resource(UserInfo::new(format!("system:node:{node}"), ["system:nodes"]), verb, resource, ns, name);
    a.api_group = group.into();
    a.subresource = sub.into();
    a
}

/// The request mix: for random pods, eight kinds of request, from its own node and another.
fn requests(size: &ClusterSize, n: usize) -> Vec<(Attributes, Decision)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        // A stateful pod, so every kind of request has an object.
        let i = (next() as usize % size.pods) / STATEFUL_EVERY * STATEFUL_EVERY;
        let (ns, pod, own) = (pod_namespace(i), pod_name(i), pod_node(i, size));
        let d = i / cluster_dump::PODS_PER_DEPLOYMENT;
        let allowed = next().is_multiple_of(2) || size.nodes == 1;
        let node = if allowed { own.clone() } else { format!("node-{}", (i + 1 + next() as usize % (size.nodes - 1).max(1)) % size.nodes) };
        let node_index = i % size.nodes;
        let a = match next() % 8 {
            0 => request(&node, "", "secrets", "", "get", &ns, &format!("app-secret-{d}")),
            1 => request(&node, "", "configmaps", "", "get", &ns, &format!("app-config-{d}")),
            2 => request(&node, "", "persistentvolumeclaims", "", "get", &ns, &format!("data-{i}")),
            3 => request(&node, "", "persistentvolumes", "", "get", "", &format!("pv-{i}")),
            4 => request(&node, "storage.k8s.io", "volumeattachments", "", "get", "", &format!("va-{i}")),
            5 => request(&node, "", "pods", "", "get", &ns, &pod),
            6 => request(&node, "", "serviceaccounts", "token", "create", &ns, &format!("sa-{}", d % 5)),
            _ => request(&node, "resource.k8s.io", "resourceslices", "", "get", "", &format!("node-{node_index}-gpu.example.com-x7k2p")),
        };
        // Deployments share their secret, configmap and service account over 20 pods on
        // 20 nodes: "another node" may run a sibling and be allowed too.
        let sibling_node =
            |n: &str| (0..cluster_dump::PODS_PER_DEPLOYMENT).any(|k| pod_node(d * cluster_dump::PODS_PER_DEPLOYMENT + k, size) == n);
        let shared = matches!(a.resource.as_str(), "secrets" | "configmaps");
        let sa_shared = a.resource == "serviceaccounts";
        let expect = if allowed || (shared && sibling_node(&node)) {
            Decision::Allow
        } else if sa_shared {
            // Service accounts are shared by every fifth deployment of the namespace.
            continue;
        } else {
            Decision::NoOpinion
        };
        out.push((a, expect));
    }
    out
}

fn main() {
    let mut data = None;
    let (mut nodes, mut pods, mut n_requests, mut json, mut probe_memory) = (65_000usize, 1_000_000usize, 200_000usize, false, false);
    let mut args = std::env::args().skip(1);
    let num = |v: Option<String>| v.and_then(|s| s.parse().ok()).expect("a number");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().map(PathBuf::from),
            "--nodes" => nodes = num(args.next()),
            "--pods" => pods = num(args.next()),
            "--requests" => n_requests = num(args.next()),
            "--json" => json = true,
            "--probe-memory" => probe_memory = true,
            _ => {
                eprintln!("usage: bench_scale --data FILE [--nodes N] [--pods N] [--requests N] [--json] [--probe-memory]");
                std::process::exit(2);
            }
        }
    }
    let data = data.expect("--data FILE");
    let size = ClusterSize { nodes, pods };

    let t = Instant::now();
    let snap = snapshot::load_paths(std::slice::from_ref(&data)).unwrap_or_else(|e| {
        eprintln!("bench_scale: {e}");
        std::process::exit(1);
    });
    let load = t.elapsed();
    let objects = snap.objects.len();
    let peak_after_load = status_bytes("VmHWM");
    let t = Instant::now();
    let mut state = ClusterState::new();
    state.apply_all(snap.objects);
    let build = t.elapsed();
    let peak = status_bytes("VmHWM");
    let resident = status_bytes("VmRSS");

    let reqs = requests(&size, n_requests);
    let authz = default_authorizer();
    let graph = state.graph();
    for (a, expect) in &reqs {
        let v = authz.decide(graph, a);
        assert_eq!(v.decision, *expect, "{} {}/{} {}/{}: {}", a.user.name, a.api_group, a.resource, a.namespace, a.name, v.reason);
    }
    let ns = ns_per_decision(&reqs, 1, |a| black_box(authz.decide(black_box(graph), black_box(a))));
    // The same decisions with the graph cache-warm: the first 1,000 requests, repeated. What
    // separates the cold figures of a small and a large cluster is then memory latency.
    let warm_set = &reqs[..reqs.len().min(1_000)];
    let warm_ns = ns_per_decision(warm_set, 50, |a| black_box(authz.decide(black_box(graph), black_box(a))));
    let latency = probe_memory.then(|| (chase_ns(8 << 20), chase_ns(1 << 30)));
    let mb = |b: u64| b as f64 / 1e6;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "nodes": nodes, "pods": pods, "objects": objects,
                "load_s": load.as_secs_f64(), "build_s": build.as_secs_f64(),
                "peak_rss_mb": mb(peak), "peak_rss_after_load_mb": mb(peak_after_load), "rss_mb": mb(resident),
                "decision_ns": ns, "requests": reqs.len(), "warm_decision_ns": warm_ns,
                "memory_latency_ns": latency.map(|(small, large)| serde_json::json!({"8MiB": small, "1GiB": large})),
            })
        );
        return;
    }
    println!("bench_scale: {nodes} nodes, {pods} pods, {objects} objects from {}", data.display());
    println!(
        "  load {:.2} s, state build {:.2} s, load+build {:.2} s",
        load.as_secs_f64(),
        build.as_secs_f64(),
        (load + build).as_secs_f64()
    );
    println!("  peak RSS {:.0} MB (after load {:.0} MB), resident after build {:.0} MB", mb(peak), mb(peak_after_load), mb(resident));
    println!("  node decisions, {} random requests over the cluster: {ns:.1} ns/decision (best of 5)", reqs.len());
    println!("  node decisions, {} of them repeated (graph cache-warm): {warm_ns:.1} ns/decision (best of 5)", warm_set.len());
    if let Some((small, large)) = latency {
        println!("  memory latency (dependent random loads): 8 MiB working set {small:.1} ns, 1 GiB {large:.1} ns");
    }
}

/// Nanoseconds per decision over `reqs`, each pass deciding them `repeat` times: the best
/// of five passes.
fn ns_per_decision<T>(reqs: &[(Attributes, Decision)], repeat: usize, mut decide: impl FnMut(&Attributes) -> T) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..repeat {
            for (a, _) in reqs {
                decide(a);
            }
        }
        best = best.min(t.elapsed());
    }
    best.as_nanos() as f64 / (repeat * reqs.len()) as f64
}

/// Nanoseconds per load when chasing a random cyclic permutation over `bytes` of memory:
/// the latency of a dependent cache miss at that working-set size.
fn chase_ns(bytes: usize) -> f64 {
    let n = bytes / std::mem::size_of::<u32>();
    // Sattolo's shuffle: one cycle through every slot, so the chase visits all of them.
    let mut next: Vec<u32> = (0..n as u32).collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..n).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        next.swap(i, (state % i as u64) as usize);
    }
    let steps = 5_000_000;
    let mut at = 0u32;
    let t = Instant::now();
    for _ in 0..steps {
        at = next[at as usize];
    }
    black_box(at);
    t.elapsed().as_nanos() as f64 / steps as f64
}
