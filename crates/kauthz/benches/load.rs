//! Snapshot load benchmark: parse a `kubectl get pods -A -o json` dump and build the
//! cluster state (node graph included). Run with `cargo bench -p kauthz --bench load`.
//! Peak memory is measured on the real binary by `make bench-load`.

#[path = "support/pods_dump.rs"]
mod pods_dump;

use kauthz_core::{ClusterState, snapshot};

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[10_000, 100_000];

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn parse_and_build(bencher: divan::Bencher, pods: usize) {
    let text = pods_dump::pods_json(pods);
    bencher.counter(divan::counter::BytesCount::new(text.len())).bench(|| {
        let snap = snapshot::parse_text("pods.json", &text).expect("generated dump parses");
        let state = ClusterState::from_objects(snap.objects);
        divan::black_box(state.store().len())
    });
}
