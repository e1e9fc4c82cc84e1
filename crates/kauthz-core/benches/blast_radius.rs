//! `blast-radius --all-nodes` at scale: 5,000 nodes and 150,000 pods (30 per node, each
//! referencing a secret, a configmap and a PVC, running as its namespace's account), 500
//! namespaces, the default RBAC policy, and a DaemonSet whose account runs on every node.
//! Run with `cargo bench -p kauthz-core --bench blast_radius`.

use kauthz_core::analysis::blast::Analyzer;
use kauthz_core::chain::Chain;
use kauthz_core::model::*;
use kauthz_core::{ClusterState, defaults};

fn main() {
    divan::main();
}

fn meta(name: String, namespace: &str) -> ObjectMeta {
    ObjectMeta { name: name.into(), namespace: namespace.into(), ..ObjectMeta::default() }
}

fn cluster(nodes: usize, pods_per_node: usize) -> ClusterState {
    let namespaces = 500;
    let mut objects: Vec<Object> = defaults::bootstrap_policy().to_vec();
    for n in 0..nodes {
        objects.push(Object::Node(Box::new(Node { metadata: meta(format!("node-{n}"), ""), ..Node::default() })));
    }
    for ns in 0..namespaces {
        let ns = format!("ns-{ns}");
        objects.push(Object::ServiceAccount(Box::new(ServiceAccount { metadata: meta("app".into(), &ns) })));
    }
    objects.push(Object::ServiceAccount(Box::new(ServiceAccount { metadata: meta("agent".into(), "kube-system") })));
    let mut i = 0usize;
    for n in 0..nodes {
        let node = format!("node-{n}");
        let mut ds = Pod { metadata: meta(format!("agent-{n}"), "kube-system"), ..Pod::default() };
        ds.spec.node_name = node.as_str().into();
        ds.spec.service_account_name = "agent".into();
        objects.push(Object::Pod(Box::new(ds)));
        for _ in 0..pods_per_node {
            let ns = format!("ns-{}", i % namespaces);
            let mut p = Pod { metadata: meta(format!("web-{i}"), &ns), ..Pod::default() };
            p.spec.node_name = node.as_str().into();
            p.spec.service_account_name = "app".into();
            p.spec.containers = vec![Container {
                name: "web".into(),
                env: vec![EnvVar {
                    name: "P".into(),
                    value_from: Some(EnvVarSource {
                        secret_key_ref: Some(NameRef { name: format!("db-{i}").into() }),
                        config_map_key_ref: None,
                    }),
                }],
                env_from: vec![EnvFromSource { secret_ref: None, config_map_ref: Some(NameRef { name: format!("cfg-{i}").into() }) }],
            }];
            p.spec.volumes = vec![Volume::from(VolumeFields {
                name: "data".into(),
                persistent_volume_claim: Some(PvcVolume { claim_name: format!("data-{i}").into() }),
                ..VolumeFields::default()
            })];
            objects.push(Object::Pod(Box::new(p)));
            i += 1;
        }
    }
    ClusterState::from_objects(objects)
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn all_nodes_5000_nodes_150000_pods(bencher: divan::Bencher) {
    let state = cluster(5_000, 30);
    let chain = Chain::default();
    bencher.bench(|| {
        let analyzer = Analyzer::new(&chain, &state, 3).without_writes();
        divan::black_box(analyzer.all_nodes().len())
    });
}
