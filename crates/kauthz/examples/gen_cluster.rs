//! Writes a whole-cluster `kubectl get -A -o json` dump for scale benchmarks (`make
//! bench-scale`): `gen_cluster [NODES] [PODS] > cluster.json`, by default GKE's published
//! maximum, 65,000 nodes and 1,000,000 pods (about 2.9 GB). The shape and naming are in
//! `benches/support/cluster_dump.rs`.

use std::io::Write;

#[path = "../benches/support/cluster_dump.rs"]
#[allow(dead_code)]
mod cluster_dump;

fn main() {
    let mut args = std::env::args().skip(1).map(|s| s.parse::<usize>().unwrap_or_else(|_| panic!("usage: gen_cluster [NODES] [PODS]")));
    let nodes = args.next().unwrap_or(65_000).max(1);
    let pods = args.next().unwrap_or(1_000_000);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    cluster_dump::write_cluster(&mut out, &cluster_dump::ClusterSize { nodes, pods }).expect("write");
    out.flush().expect("write");
}
