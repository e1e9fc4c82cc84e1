//! Upstream's synthetic data set (`generate()`/`generatePod()` in node_authorizer_test.go),
//! restated for our tests and benchmarks. Object names follow upstream's scheme, e.g.
//! `secret0-pod0-node0` is referenced by `pod0-node0`, which runs on `node0`.
//!
//! Difference: upstream picks shared objects with a seeded Go PRNG when a namespace has more
//! shared objects than a pod mounts; here the first ones are taken in order. Every option
//! set upstream's tests and benchmarks use has no such choice, so the data are identical.

use crate::authz::{Attributes, Decision, UserInfo};
use crate::model::{
    CompactString, NameRef, NamespacedRef, ObjectMeta, PersistentVolume, Pod, PodCertificateRequest, PodResourceClaim,
    PodResourceClaimStatus, PvSecretRefHolder, PvcVolume, ResourceSlice, SecretVolume, Volume, VolumeAttachment, VolumeFields,
};
use compact_str::format_compact;

use super::Graph;

/// Options of upstream's `sampleDataOpts`.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct SampleOpts {
    pub nodes: usize,
    pub namespaces: usize,
    pub pods_per_node: usize,
    pub attachments_per_node: usize,
    pub shared_config_maps_per_namespace: usize,
    pub shared_secrets_per_namespace: usize,
    pub shared_pvcs_per_namespace: usize,
    pub shared_config_maps_per_pod: usize,
    pub shared_secrets_per_pod: usize,
    pub shared_pvcs_per_pod: usize,
    pub unique_secrets_per_pod: usize,
    pub unique_config_maps_per_pod: usize,
    pub unique_pvcs_per_pod: usize,
    pub unique_resource_claims_per_pod: usize,
    pub unique_resource_claim_templates_per_pod: usize,
    pub unique_resource_claim_templates_with_claim_per_pod: usize,
    pub node_resource_slices_per_node: usize,
    pub pod_certificate_requests_per_pod: usize,
}

impl SampleOpts {
    /// The options of upstream's `BenchmarkAuthorization` (100,000 pods).
    pub fn benchmark_authorization() -> Self {
        SampleOpts {
            nodes: 500,
            namespaces: 200,
            pods_per_node: 200,
            attachments_per_node: 20,
            unique_config_maps_per_pod: 1,
            shared_secrets_per_pod: 1,
            unique_secrets_per_pod: 1,
            unique_pvcs_per_pod: 1,
            ..SampleOpts::default()
        }
    }

    /// The options of upstream's `TestNodeAuthorizer`.
    pub fn node_authorizer_test() -> Self {
        SampleOpts {
            nodes: 2,
            namespaces: 2,
            pods_per_node: 2,
            attachments_per_node: 1,
            unique_config_maps_per_pod: 1,
            shared_secrets_per_pod: 1,
            unique_secrets_per_pod: 1,
            unique_pvcs_per_pod: 1,
            unique_resource_claims_per_pod: 1,
            unique_resource_claim_templates_per_pod: 1,
            unique_resource_claim_templates_with_claim_per_pod: 1,
            node_resource_slices_per_node: 2,
            pod_certificate_requests_per_pod: 2,
            ..SampleOpts::default()
        }
    }
}

/// The generated objects, in upstream's order.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Node names.
    pub nodes: Vec<String>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// Persistent volumes.
    pub pvs: Vec<PersistentVolume>,
    /// Volume attachments.
    pub attachments: Vec<VolumeAttachment>,
    /// Resource slices.
    pub slices: Vec<ResourceSlice>,
    /// Pod certificate requests.
    pub pcrs: Vec<PodCertificateRequest>,
}

fn meta(namespace: &str, name: &str) -> ObjectMeta {
    ObjectMeta { name: name.into(), namespace: namespace.into(), ..ObjectMeta::default() }
}

/// Upstream `generate()`.
pub fn generate(opts: &SampleOpts) -> Sample {
    let mut s = Sample::default();
    for n in 0..opts.nodes {
        let node = format_compact!("node{n}");
        for p in 0..opts.pods_per_node {
            let name = format_compact!("pod{p}-{node}");
            let ns = format_compact!("ns{}", p % opts.namespaces.max(1));
            let (pod, pvs, pcrs) = generate_pod(&name, &ns, &node, &format_compact!("svcacct{p}-{node}"), opts);
            s.pods.push(pod);
            s.pvs.extend(pvs);
            s.pcrs.extend(pcrs);
        }
        for a in 0..opts.attachments_per_node {
            let mut va = VolumeAttachment { metadata: meta("", &format_compact!("attachment{a}-{node}")), ..VolumeAttachment::default() };
            va.spec.node_name = node.clone();
            s.attachments.push(va);
        }
        // Upstream's loop bound is inclusive: n+1 slices per node.
        for p in 0..=opts.node_resource_slices_per_node {
            let mut slice = ResourceSlice { metadata: meta("", &format_compact!("slice{p}-{node}")), ..ResourceSlice::default() };
            slice.spec.node_name = Some(node.clone());
            s.slices.push(slice);
        }
        s.nodes.push(node.into());
    }
    s
}

/// Upstream `randomSubset` without the shuffle (see the module docs).
fn subset(per_pod: usize, _per_namespace: usize) -> std::ops::Range<usize> {
    0..per_pod
}

fn secret_volume(name: CompactString) -> Volume {
    Volume::from(VolumeFields { secret: Some(SecretVolume { secret_name: name }), ..VolumeFields::default() })
}

fn config_map_volume(name: CompactString) -> Volume {
    Volume::from(VolumeFields { config_map: Some(NameRef { name }), ..VolumeFields::default() })
}

fn pv_for(pv_name: CompactString, claim: CompactString, namespace: &str) -> PersistentVolume {
    let mut pv = PersistentVolume { metadata: meta("", &pv_name), ..PersistentVolume::default() };
    pv.spec.flex_volume = Some(PvSecretRefHolder {
        secret_ref: Some(NamespacedRef { name: format_compact!("secret-{pv_name}"), namespace: CompactString::default() }),
    });
    pv.spec.claim_ref = Some(NamespacedRef { name: claim, namespace: namespace.into() });
    pv
}

/// Upstream `generatePod()`.
pub fn generate_pod(
    name: &str,
    namespace: &str,
    node: &str,
    service_account: &str,
    opts: &SampleOpts,
) -> (Pod, Vec<PersistentVolume>, Vec<PodCertificateRequest>) {
    let mut pvs = Vec::new();
    let mut pcrs = Vec::new();
    let mut pod = Pod { metadata: meta(namespace, name), ..Pod::default() };
    pod.spec.node_name = node.into();
    pod.spec.service_account_name = service_account.into();
    let vols = &mut pod.spec.volumes;
    for i in 0..opts.unique_secrets_per_pod {
        vols.push(secret_volume(format_compact!("secret{i}-{name}")));
    }
    for i in subset(opts.shared_secrets_per_pod, opts.shared_secrets_per_namespace) {
        vols.push(secret_volume(format_compact!("secret{i}-shared")));
    }
    for i in 0..opts.unique_config_maps_per_pod {
        vols.push(config_map_volume(format_compact!("configmap{i}-{name}")));
    }
    for i in subset(opts.shared_config_maps_per_pod, opts.shared_config_maps_per_namespace) {
        vols.push(config_map_volume(format_compact!("configmap{i}-shared")));
    }
    for i in 0..opts.unique_pvcs_per_pod {
        let claim = format_compact!("pvc{i}-{name}");
        pvs.push(pv_for(format_compact!("pv{i}-{name}-{namespace}"), claim.clone(), namespace));
        vols.push(Volume::from(VolumeFields { persistent_volume_claim: Some(PvcVolume { claim_name: claim }), ..VolumeFields::default() }));
    }
    for i in 0..opts.unique_resource_claims_per_pod {
        pod.spec.resource_claims.push(PodResourceClaim {
            name: format_compact!("claim{i}"),
            resource_claim_name: Some(format_compact!("claim{i}-{name}-{namespace}")),
            ..PodResourceClaim::default()
        });
    }
    for i in 0..opts.unique_resource_claim_templates_per_pod {
        pod.spec.resource_claims.push(PodResourceClaim {
            name: format_compact!("claimtemplate{i}"),
            resource_claim_template_name: Some(format_compact!("claimtemplate{i}-{name}-{namespace}")),
            ..PodResourceClaim::default()
        });
    }
    for i in 0..opts.unique_resource_claim_templates_with_claim_per_pod {
        let pod_claim = format_compact!("claimtemplate-with-claim{i}");
        pod.spec.resource_claims.push(PodResourceClaim {
            name: pod_claim.clone(),
            resource_claim_template_name: Some(format_compact!("claimtemplate{i}-{name}-{namespace}")),
            ..PodResourceClaim::default()
        });
        pod.status.resource_claim_statuses.push(PodResourceClaimStatus {
            name: pod_claim,
            resource_claim_name: Some(format_compact!("generated-claim-{name}-{namespace}-{i}")),
        });
    }
    for i in subset(opts.shared_pvcs_per_pod, opts.shared_pvcs_per_namespace) {
        let claim = format_compact!("pvc{i}-shared");
        pvs.push(pv_for(format_compact!("pv{i}-shared-{namespace}"), claim.clone(), namespace));
        pod.spec
            .volumes
            .push(Volume::from(VolumeFields { persistent_volume_claim: Some(PvcVolume { claim_name: claim }), ..VolumeFields::default() }));
    }
    for i in 0..opts.pod_certificate_requests_per_pod {
        let mut pcr =
            PodCertificateRequest { metadata: meta(namespace, &format_compact!("pcr{i}-{name}")), ..PodCertificateRequest::default() };
        pcr.spec.pod_name = name.into();
        pcr.spec.service_account_name = service_account.into();
        pcr.spec.node_name = node.into();
        pcrs.push(pcr);
    }
    (pod, pvs, pcrs)
}

impl Sample {
    /// Upstream `populate()`: the populator's add handlers, kind by kind.
    pub fn populate(&self, graph: &mut Graph) {
        for p in &self.pods {
            graph.update_pod(None, p);
        }
        for pv in &self.pvs {
            graph.add_pv(pv);
        }
        for va in &self.attachments {
            graph.add_volume_attachment(&va.metadata.name, &va.spec.node_name);
        }
        for s in &self.slices {
            graph.add_resource_slice(&s.metadata.name, s.spec.node_name.as_deref().unwrap_or(""));
        }
        for pcr in &self.pcrs {
            graph.add_pod_certificate_request(pcr);
        }
    }
}

/// Upstream BenchmarkAuthorization's ten cases, asked by `system:node:node0`:
/// (name, API group, resource, namespace, object name, expected decision).
pub const BENCHMARK_CASES: [(&str, &str, &str, &str, &str, Decision); 10] = [
    ("allowed configmap", "", "configmaps", "ns0", "configmap0-pod0-node0", Decision::Allow),
    ("allowed secret via pod", "", "secrets", "ns0", "secret0-pod0-node0", Decision::Allow),
    ("allowed shared secret via pod", "", "secrets", "ns0", "secret0-shared", Decision::Allow),
    ("disallowed configmap", "", "configmaps", "ns0", "configmap0-pod0-node1", Decision::NoOpinion),
    ("disallowed secret via pod", "", "secrets", "ns0", "secret0-pod0-node1", Decision::NoOpinion),
    ("disallowed shared secret via pvc", "", "secrets", "ns0", "secret-pv0-pod0-node1-ns0", Decision::NoOpinion),
    ("disallowed pvc", "", "persistentvolumeclaims", "ns0", "pvc0-pod0-node1", Decision::NoOpinion),
    ("disallowed pv", "", "persistentvolumes", "", "pv0-pod0-node1-ns0", Decision::NoOpinion),
    ("disallowed attachment - no relationship", "storage.k8s.io", "volumeattachments", "", "attachment0-node1", Decision::NoOpinion),
    ("allowed attachment", "storage.k8s.io", "volumeattachments", "", "attachment0-node0", Decision::Allow),
];

/// Case `i` of [`BENCHMARK_CASES`] as request attributes, with the expected decision.
pub fn benchmark_case(i: usize) -> (Attributes, Decision) {
    let (_, group, resource, ns, name, expect) = BENCHMARK_CASES[i];
    let mut a = Attributes::resource(UserInfo::new("system:node:node0", ["system:nodes"]), "get", resource, ns, name);
    a.api_group = group.into();
    (a, expect)
}
