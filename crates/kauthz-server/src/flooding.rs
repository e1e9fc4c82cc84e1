//! Hash flooding through the server paths. Anyone who can create a pod names the secrets it
//! references, and so chooses keys of kauthz's tables. Every table on the watched-update and
//! decision paths that is keyed by such names resists crafted collisions:
//!
//! * the Node authorizer's vertex table (hashbrown) hashes with a per-graph random seed
//!   (`kauthz_core::node::graph`; its own test is `node/collisions.rs`);
//! * RBAC's indexes by user, group and namespace, and a relist's set of kept keys, are std
//!   `HashMap`/`HashSet` with `RandomState` (SipHash-1-3, random keys per table);
//! * the object store and every map of a decoded review (`extra`, JSON objects) are
//!   `BTreeMap`s: ordered, logarithmic whatever the keys;
//! * the server's own state keeps no table keyed by request content.
//!
//! The test below drives names crafted against the graph's previous, unseeded FxHash through
//! the server's real paths (watch updates applied by [`Shared::update`], decisions by
//! [`respond`]) and checks they cost about what random names cost. Under the old hash the same
//! attack made the build quadratic (`collisions.rs` measured 548x at 100,000 names).

use std::time::{Duration, Instant};

use kauthz_core::admission::NodeRestriction;
use kauthz_core::chain::Chain;
use kauthz_core::enforce::Mode;
use kauthz_core::model::{Kind, Object};
use kauthz_core::node::collisions::{COLLIDING_BITS, NAMESPACE, colliding_names, old_key_hash, random_names};
use kauthz_core::node::graph::VertexType;
use kauthz_core::state::ClusterState;
use serde_json::json;

use crate::{Shared, respond, served};

const N: usize = 20_000;

/// Secrets referenced per pod: the vertex inserts, not JSON, dominate the cost.
const PER_POD: usize = 10;

/// Pods bound to node n1, each referencing [`PER_POD`] of the secrets.
fn pods(names: &[String]) -> Vec<Object> {
    let items: Vec<_> = names
        .chunks(PER_POD)
        .enumerate()
        .map(|(i, chunk)| {
            let volumes: Vec<_> =
                chunk.iter().enumerate().map(|(j, s)| json!({"name":format!("v{j}"),"secret":{"secretName":s}})).collect();
            json!({"apiVersion":"v1","kind":"Pod","metadata":{"name":format!("p{i}"),"namespace":NAMESPACE,"uid":format!("u{i}")},
                "spec":{"nodeName":"n1","volumes":volumes}})
        })
        .collect();
    let text = json!({"apiVersion":"v1","kind":"List","items":items}).to_string();
    kauthz_core::snapshot::parse_text("pods.json", &text).expect("pods").objects
}

/// Applies the pods as watch events (one by one, as a watch delivers them), then asks as the
/// node for every [`PER_POD`]th secret; returns the time taken.
fn run(names: &[String]) -> Duration {
    let objects = pods(names);
    let shared = Shared::new(served(Chain::default(), ClusterState::new(), NodeRestriction::default(), Mode::Strict), None);
    shared.mark_synced();
    let sars: Vec<Vec<u8>> = names
        .iter()
        .step_by(PER_POD)
        .map(|s| crate::tests::sar("system:node:n1", &["system:nodes"], "get", "secrets", NAMESPACE, s))
        .collect();
    let start = Instant::now();
    for object in objects {
        shared.update(|s| s.state.apply(object));
    }
    for sar in &sars {
        let reply = respond(&shared, "POST", "/authorize", sar);
        assert!(reply.body.windows(14).any(|w| w == b"\"allowed\":true"), "{}", String::from_utf8_lossy(&reply.body));
    }
    // A relist of the same pods (the other update path) keeps them all.
    let relisted = pods(names);
    shared.update(|s| s.state.relist(Kind::Pod, relisted));
    assert_eq!(shared.read().state.graph().vertex_count(), names.len() + names.len().div_ceil(PER_POD) + 1);
    start.elapsed()
}

#[test]
fn colliding_secret_names_cost_what_random_names_cost() {
    let colliding = colliding_names(N);
    let mask = (1u64 << COLLIDING_BITS) - 1;
    let old_hash = |name: &str| old_key_hash(VertexType::Secret, NAMESPACE, name);
    let low = old_hash(&colliding[0]) & mask;
    assert!(colliding.iter().all(|n| old_hash(n) & mask == low), "the names collide under the old hash");
    let random = random_names(N);
    let (mut best_colliding, mut best_random) = (Duration::MAX, Duration::MAX);
    for _ in 0..2 {
        best_random = best_random.min(run(&random));
        best_colliding = best_colliding.min(run(&colliding));
    }
    let ratio = best_colliding.as_secs_f64() / best_random.as_secs_f64();
    eprintln!(
        "{N} secrets of pods and decisions through the server: random names {best_random:?}, crafted {best_colliding:?} ({ratio:.2}x)"
    );
    assert!(
        best_colliding <= best_random * 4 + Duration::from_millis(200),
        "crafted names took {best_colliding:?} against {best_random:?} for random ones ({ratio:.1}x): a table on the server path is attackable"
    );
}
