//! Upstream's node authorizer and graph tests (node_authorizer_test.go, graph_test.go),
//! restated against our types, plus our own checks of the observable upstream quirks.

use std::collections::BTreeMap;

use super::sample::{SampleOpts, generate};
use super::*;
use crate::authz::{Decision, UserInfo};
use crate::model::*;
use crate::selector::parse_field_selector;

fn node_user(name: &str) -> UserInfo {
    UserInfo::new(format!("system:node:{name}"), ["system:nodes"])
}

#[allow(clippy::too_many_arguments)]
fn attrs(user: &UserInfo, verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str, selector: &str) -> Attributes {
    let mut a = Attributes::resource(user.clone(), verb, resource, ns, name).with_group(group).with_subresource(sub);
    if !selector.is_empty() {
        a.field_selector.requirements = parse_field_selector(selector).expect("selector");
    }
    a
}

/// Gate profiles of the upstream table; `None` = defaults, reason compared only if given.
#[derive(Clone, Copy)]
enum Profile {
    D,
    SaOff,
    SaOn,
    PcrOn,
    PcrOff,
    CsiOn,
    CsiOff,
}

fn config(p: Profile) -> NodeAuthorizerConfig {
    let d = NodeAuthorizerConfig::default();
    match p {
        Profile::D => d,
        Profile::SaOff => {
            NodeAuthorizerConfig { kubelet_service_account_token_for_credential_providers: false, pod_certificate_request: false, ..d }
        }
        Profile::SaOn => NodeAuthorizerConfig { kubelet_service_account_token_for_credential_providers: true, ..d },
        Profile::PcrOn => NodeAuthorizerConfig { pod_certificate_request: true, ..d },
        Profile::PcrOff => NodeAuthorizerConfig { pod_certificate_request: false, ..d },
        Profile::CsiOn => NodeAuthorizerConfig { csi_volume_health: true, ..d },
        Profile::CsiOff => NodeAuthorizerConfig { csi_volume_health: false, ..d },
    }
}

const A: Decision = Decision::Allow;
const N: Decision = Decision::NoOpinion;

#[test]
fn node_authorizer_table() {
    use Profile::*;
    let mut g = Graph::new();
    generate(&SampleOpts::node_authorizer_test()).populate(&mut g);
    let node0 = node_user("node0");
    let unreg = node_user("nodeunregistered");
    const RC: &str = "resource.k8s.io";
    const ST: &str = "storage.k8s.io";
    const CO: &str = "coordination.k8s.io";
    const CE: &str = "certificates.k8s.io";
    const NL: &str = "kube-node-lease";
    const PCR_SEL: &str = "can only list/watch podcertificaterequests with nodeName field selector";
    const SLICE_SEL: &str = "can only list/watch/deletecollection resourceslices with nodeName field selector";
    const POD_SEL: &str = "can only list/watch pods with spec.nodeName field selector";
    const CSI_SAME: &str = "can only access CSINode with the same name as the requesting node";
    const CSI_GATE: &str = "CSINode status access requires CSIVolumeHealth feature";
    type Case<'a> = (&'a UserInfo, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, Profile, Decision, &'a str);
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        // user, verb, group, resource, subresource, namespace, name, field selector, gates, expect, reason
        (&node0, "get", "", "configmaps", "", "ns0", "configmap0-pod0-node0", "", D, A, ""),
        (&node0, "get", "", "secrets", "", "ns0", "secret0-pod0-node0", "", D, A, ""),
        (&node0, "list", "", "secrets", "", "ns0", "secret0-pod0-node0", "", D, A, ""),
        (&node0, "watch", "", "secrets", "", "ns0", "secret0-pod0-node0", "", D, A, ""),
        (&node0, "list", "", "secrets", "", "ns0", "", "", D, N, "No Object name found"),
        (&node0, "watch", "", "secrets", "", "ns0", "", "", D, N, "No Object name found"),
        (&node0, "list", "", "secrets", "", "", "secret0-pod0-node0", "", D, N, "can only read namespaced object of this type"),
        (&node0, "get", "", "secrets", "", "ns0", "secret0-shared", "", D, A, ""),
        (&node0, "get", "", "secrets", "", "ns0", "secret-pv0-pod0-node0-ns0", "", D, A, ""),
        (&node0, "get", "", "persistentvolumeclaims", "", "ns0", "pvc0-pod0-node0", "", D, A, ""),
        (&node0, "get", RC, "resourceclaims", "", "ns0", "claim0-pod0-node0-ns0", "", D, A, ""),
        (&node0, "get", RC, "resourceclaims", "", "ns0", "generated-claim-pod0-node0-ns0-0", "", D, A, ""),
        (&node0, "get", "", "persistentvolumes", "", "", "pv0-pod0-node0-ns0", "", D, A, ""),
        (&node0, "get", "", "configmaps", "", "ns0", "configmap0-pod0-node1", "", D, N, "no relationship found between node 'node0' and this object"),
        (&node0, "get", "", "secrets", "", "ns0", "secret0-pod0-node1", "", D, N, ""),
        (&node0, "get", "", "secrets", "", "ns0", "secret-pv0-pod0-node1-ns0", "", D, N, ""),
        (&node0, "get", "", "persistentvolumeclaims", "", "ns0", "pvc0-pod0-node1", "", D, N, ""),
        (&node0, "get", RC, "resourceclaims", "", "ns0", "claim0-pod0-node1-ns0", "", D, N, ""),
        (&node0, "get", RC, "resourceclaims", "", "ns0", "pod0-node1-claimtemplate0", "", D, N, ""),
        (&node0, "get", "", "persistentvolumes", "", "", "pv0-pod0-node1-ns0", "", D, N, ""),
        (&node0, "get", ST, "volumeattachments", "", "", "attachment0-node0", "", D, A, ""),
        (&node0, "create", "", "serviceaccounts", "token", "ns0", "svcacct0-node0", "", D, A, ""),
        (&node0, "create", "", "serviceaccounts", "token", "ns0", "svcacct0-node1", "", D, N, ""),
        (&node0, "create", "", "serviceaccounts", "", "ns0", "svcacct0-node0", "", D, N, "can only create token subresource of serviceaccount"),
        (&node0, "update", "", "serviceaccounts", "token", "ns0", "svcacct0-node0", "", D, N, "can only create tokens for individual service accounts"),
        (&node0, "get", "", "serviceaccounts", "", "ns0", "svcacct0-node0", "", SaOn, A, ""),
        (&node0, "get", "", "serviceaccounts", "", "ns0", "svcacct0-node0", "", SaOff, N, "not allowed to get service accounts"),
        (&node0, "list", "", "serviceaccounts", "", "ns0", "svcacct0-node0", "", SaOff, N, "can only create tokens for individual service accounts"),
        (&node0, "watch", "", "serviceaccounts", "", "ns0", "svcacct0-node0", "", SaOff, N, "can only create tokens for individual service accounts"),
        (&node0, "create", "", "serviceaccounts", "token", "ns0", "svcacct0-node0", "", PcrOn, A, ""),
        (&node0, "get", "", "serviceaccounts", "", "ns0", "svcacct0-node0", "", PcrOn, A, ""),
        (&node0, "create", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOff, N, ""),
        (&node0, "create", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOn, A, ""),
        (&node0, "get", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOff, N, ""),
        (&node0, "get", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOn, A, ""),
        (&node0, "list", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOff, N, ""),
        (&node0, "list", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOn, N, PCR_SEL),
        (&node0, "list", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "spec.nodeName=othernode", PcrOn, N, PCR_SEL),
        (&node0, "list", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "spec.nodeName=node0", PcrOn, A, ""),
        (&node0, "watch", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOff, N, ""),
        (&node0, "watch", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "", PcrOn, N, PCR_SEL),
        (&node0, "watch", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "spec.nodeName=othernode", PcrOn, N, PCR_SEL),
        (&node0, "watch", CE, "podcertificaterequests", "", "ns0", "pcr0-pod0-node0", "spec.nodeName=node0", PcrOn, A, ""),
        // leases
        (&node0, "get", CO, "leases", "", "foo", "node0", "", D, N, "can only access leases in the \"kube-node-lease\" system namespace"),
        (&node0, "create", CO, "leases", "", "foo", "node0", "", D, N, ""),
        (&node0, "update", CO, "leases", "", "foo", "node0", "", D, N, ""),
        (&node0, "patch", CO, "leases", "", "foo", "node0", "", D, N, ""),
        (&node0, "delete", CO, "leases", "", "foo", "node0", "", D, N, ""),
        (&node0, "get", CO, "leases", "", NL, "node1", "", D, N, "can only access node lease with the same name as the requesting node"),
        (&node0, "update", CO, "leases", "", NL, "node1", "", D, N, ""),
        (&node0, "patch", CO, "leases", "", NL, "node1", "", D, N, ""),
        (&node0, "delete", CO, "leases", "", NL, "node1", "", D, N, ""),
        (&node0, "list", CO, "leases", "", NL, "", "", D, N, "can only get, create, update, patch, or delete a node lease"),
        (&node0, "watch", CO, "leases", "", NL, "", "", D, N, ""),
        (&node0, "get", CO, "leases", "", NL, "node0", "", D, A, ""),
        (&node0, "create", CO, "leases", "", NL, "node0", "", D, A, ""),
        (&node0, "update", CO, "leases", "", NL, "node0", "", D, A, ""),
        (&node0, "patch", CO, "leases", "", NL, "node0", "", D, A, ""),
        (&node0, "delete", CO, "leases", "", NL, "node0", "", D, A, ""),
        // CSINode
        (&node0, "get", ST, "csinodes", "csiDrivers", "", "node0", "", D, N, "cannot authorize CSINode subresources"),
        (&node0, "get", ST, "csinodes", "", "", "node1", "", D, N, CSI_SAME),
        (&node0, "update", ST, "csinodes", "", "", "node1", "", D, N, ""),
        (&node0, "patch", ST, "csinodes", "", "", "node1", "", D, N, ""),
        (&node0, "delete", ST, "csinodes", "", "", "node1", "", D, N, ""),
        (&node0, "list", ST, "csinodes", "", "", "", "", D, N, "can only get, create, update, patch, or delete a CSINode"),
        (&node0, "watch", ST, "csinodes", "", "", "", "", D, N, ""),
        (&node0, "get", ST, "csinodes", "", "", "node0", "", D, A, ""),
        (&node0, "create", ST, "csinodes", "", "", "node0", "", D, A, ""),
        (&node0, "update", ST, "csinodes", "", "", "node0", "", D, A, ""),
        (&node0, "patch", ST, "csinodes", "", "", "node0", "", D, A, ""),
        (&node0, "delete", ST, "csinodes", "", "", "node0", "", D, A, ""),
        (&node0, "get", ST, "csinodes", "status", "", "node0", "", CsiOn, A, ""),
        (&node0, "update", ST, "csinodes", "status", "", "node0", "", CsiOn, A, ""),
        (&node0, "patch", ST, "csinodes", "status", "", "node0", "", CsiOn, A, ""),
        (&node0, "get", ST, "csinodes", "status", "", "node0", "", CsiOff, N, CSI_GATE),
        (&node0, "update", ST, "csinodes", "status", "", "node0", "", CsiOff, N, CSI_GATE),
        (&node0, "patch", ST, "csinodes", "status", "", "node0", "", CsiOff, N, CSI_GATE),
        (&node0, "get", ST, "csinodes", "status", "", "node1", "", CsiOn, N, CSI_SAME),
        (&node0, "update", ST, "csinodes", "status", "", "node1", "", CsiOn, N, CSI_SAME),
        (&node0, "patch", ST, "csinodes", "status", "", "node1", "", CsiOn, N, CSI_SAME),
        (&node0, "delete", ST, "csinodes", "status", "", "node0", "", CsiOn, N, "can only get, update, or patch CSINode status"),
        // ResourceSlice
        (&node0, "get", RC, "resourceslices", "status", "", "slice0-node0", "", D, N, "cannot authorize ResourceSlice subresources"),
        (&node0, "get", RC, "resourceslices", "", "", "slice0-node1", "", D, N, ""),
        (&node0, "update", RC, "resourceslices", "", "", "slice0-node1", "", D, N, ""),
        (&node0, "patch", RC, "resourceslices", "", "", "slice0-node1", "", D, N, ""),
        (&node0, "delete", RC, "resourceslices", "", "", "slice0-node1", "", D, N, ""),
        (&node0, "list", RC, "resourceslices", "", "", "", "spec.nodeName==node0", D, A, ""),
        (&node0, "list", RC, "resourceslices", "", "", "", "", D, N, SLICE_SEL),
        (&node0, "watch", RC, "resourceslices", "", "", "", "spec.nodeName==node0", D, A, ""),
        (&node0, "watch", RC, "resourceslices", "", "", "", "", D, N, SLICE_SEL),
        (&node0, "get", RC, "resourceslices", "", "", "slice0-node0", "", D, A, ""),
        (&node0, "create", RC, "resourceslices", "", "", "slice0-node0", "", D, A, ""),
        (&node0, "update", RC, "resourceslices", "", "", "slice0-node0", "", D, A, ""),
        (&node0, "patch", RC, "resourceslices", "", "", "slice0-node0", "", D, A, ""),
        (&node0, "delete", RC, "resourceslices", "", "", "slice0-node0", "", D, A, ""),
        // pods
        (&node0, "get", "", "pods", "", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "get", "", "pods", "", "ns0", "pod0-node1", "", D, N, "no relationship found between node 'node0' and this object"),
        (&node0, "list", "", "pods", "", "", "", "spec.nodeName=node0", D, A, ""),
        (&node0, "list", "", "pods", "", "", "", "spec.nodeName==node0", D, A, ""),
        (&node0, "list", "", "pods", "", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "list", "", "pods", "", "", "", "", D, N, POD_SEL),
        (&node0, "watch", "", "pods", "", "", "", "spec.nodeName=node0", D, A, ""),
        (&node0, "watch", "", "pods", "", "", "", "spec.nodeName==node0", D, A, ""),
        (&node0, "watch", "", "pods", "", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "watch", "", "pods", "", "", "", "", D, N, POD_SEL),
        (&node0, "create", "", "pods", "", "ns0", "", "", D, A, ""),
        (&node0, "create", "", "pods", "proxy", "ns0", "", "", D, N, ""),
        (&node0, "delete", "", "pods", "", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "delete", "", "pods", "", "ns0", "pod0-node1", "", D, A, ""),
        (&node0, "delete", "", "pods", "proxy", "ns0", "pod0-node0", "", D, N, ""),
        (&node0, "update", "", "pods", "status", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "update", "", "pods", "status", "ns0", "pod0-node1", "", D, A, ""),
        (&node0, "patch", "", "pods", "status", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "patch", "", "pods", "status", "ns0", "pod0-node1", "", D, A, ""),
        (&node0, "get", "", "pods", "status", "ns0", "pod0-node0", "", D, N, ""),
        (&node0, "create", "", "pods", "eviction", "ns0", "pod0-node0", "", D, A, ""),
        (&node0, "create", "", "pods", "eviction", "ns0", "pod0-node1", "", D, A, ""),
        // nodes
        (&unreg, "get", "", "nodes", "", "", "nodeunregistered", "", D, A, ""),
        (&node0, "get", "", "nodes", "", "", "node0", "", D, A, ""),
        (&node0, "get", "", "nodes", "", "", "node1", "", D, N, "node 'node0' cannot read 'node1', only its own Node object"),
        (&node0, "list", "", "nodes", "", "", "node0", "", D, A, ""),
        (&node0, "list", "", "nodes", "", "", "node1", "", D, N, "node 'node0' cannot read 'node1', only its own Node object"),
        (&node0, "list", "", "nodes", "", "", "", "", D, N, "node 'node0' cannot read all nodes, only its own Node object"),
        (&node0, "watch", "", "nodes", "", "", "node0", "", D, A, ""),
        (&node0, "watch", "", "nodes", "", "", "node1", "", D, N, "node 'node0' cannot read 'node1', only its own Node object"),
        (&node0, "watch", "", "nodes", "", "", "", "", D, N, "node 'node0' cannot read all nodes, only its own Node object"),
        (&node0, "create", "", "nodes", "", "", "", "", D, A, ""),
        (&node0, "update", "", "nodes", "", "", "node0", "", D, A, ""),
        (&node0, "update", "", "nodes", "", "", "node1", "", D, A, ""),
        (&node0, "patch", "", "nodes", "", "", "node0", "", D, A, ""),
        (&node0, "patch", "", "nodes", "", "", "node1", "", D, A, ""),
        (&node0, "update", "", "nodes", "status", "", "node0", "", D, A, ""),
        (&node0, "update", "", "nodes", "status", "", "node1", "", D, A, ""),
        (&node0, "patch", "", "nodes", "status", "", "node0", "", D, A, ""),
        (&node0, "patch", "", "nodes", "status", "", "node1", "", D, A, ""),
    ];
    let mut failures = Vec::new();
    for (i, &(user, verb, group, resource, sub, ns, name, sel, profile, expect, reason)) in cases.iter().enumerate() {
        let a = attrs(user, verb, group, resource, sub, ns, name, sel);
        let authz = NodeAuthorizer::new(config(profile));
        let v = authz.decide(&g, &a);
        let exact = !matches!(profile, Profile::D);
        if v.decision != expect || ((exact || !reason.is_empty()) && v.reason != reason) {
            failures.push(format!(
                "#{i} {verb} {group}/{resource}/{sub} {ns}/{name} [{sel}]: got {:?} {:?}, want {expect:?} {reason:?}",
                v.decision, v.reason
            ));
        }
        // The explaining entry point must agree with the fast one.
        assert_eq!(authz.authorize(&g, &a).0, v, "#{i}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn identity_and_non_nodes() {
    assert_eq!(node_identity(&UserInfo::new("system:node:a", ["system:nodes"])), Some("a"));
    assert_eq!(node_identity(&UserInfo::new("system:node:", ["system:nodes"])), Some(""));
    assert_eq!(node_identity(&UserInfo::new("system:node:a", ["system:authenticated"])), None);
    assert_eq!(node_identity(&UserInfo::new("node:a", ["system:nodes"])), None);
    let g = Graph::new();
    let (v, p) = authorize(&g, &attrs(&UserInfo::new("system:node:", ["system:nodes"]), "get", "", "secrets", "", "ns", "s", ""));
    assert_eq!((v.decision, v.reason.as_str(), p), (N, "unknown node for user \"system:node:\"", None));
    let (v, _) = authorize(&g, &attrs(&UserInfo::new("alice", ["system:nodes"]), "get", "", "services", "", "ns", "s", ""));
    assert_eq!((v.decision, v.reason.as_str()), (N, ""));
    // Static rules: services are readable, non-resource URLs never.
    let (v, _) = authorize(&g, &attrs(&node_user("n"), "list", "", "services", "", "", "", ""));
    assert_eq!(v.decision, A);
    let (v, _) = authorize(&g, &Attributes::non_resource(node_user("n"), "get", "/healthz"));
    assert_eq!(v.decision, N);
}

#[test]
fn static_rules_equal_embedded_system_node_role() {
    let role = crate::defaults::bootstrap_policy()
        .iter()
        .find_map(|o| match o {
            Object::ClusterRole(r) if r.metadata.name == "system:node" => Some(r.clone()),
            _ => None,
        })
        .expect("system:node role");
    let norm = |rules: &[PolicyRule]| {
        let mut v: Vec<_> = rules
            .iter()
            .map(|r| {
                let s = |x: &Vec<String>| {
                    let mut x = x.clone();
                    x.sort();
                    x
                };
                (s(&r.api_groups), s(&r.resources), s(&r.verbs))
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(norm(&node_rules(&NodeAuthorizerConfig::default())), norm(&role.rules));
}

fn secret_vol(name: &str) -> Volume {
    Volume::from(VolumeFields { secret: Some(SecretVolume { secret_name: name.into() }), ..VolumeFields::default() })
}

fn pod(ns: &str, name: &str, node: &str, volumes: Vec<Volume>) -> Pod {
    let mut p = Pod { metadata: ObjectMeta { name: name.into(), namespace: ns.into(), ..ObjectMeta::default() }, ..Pod::default() };
    p.spec.node_name = node.into();
    p.spec.volumes = volumes;
    p
}

fn can_get(g: &Graph, node: &str, resource: &str, ns: &str, name: &str) -> Decision {
    authorize(g, &attrs(&node_user(node), "get", "", resource, "", ns, name, "")).0.decision
}

#[test]
fn shared_resources() {
    let mut g = Graph::with_threshold(1);
    g.add_pod(&pod("ns1", "pod1-node1", "node1", vec![secret_vol("node1-only"), secret_vol("node1-node2-only"), secret_vol("shared-all")]));
    g.add_pod(&pod("ns1", "pod2-node2", "node2", vec![secret_vol("node1-node2-only"), secret_vol("shared-all")]));
    let mut pod3 = pod("ns1", "pod3-node3", "node3", vec![secret_vol("shared-all")]);
    g.add_pod(&pod3);
    let table = [
        ("node1", "node1-only", A),
        ("node1", "node1-node2-only", A),
        ("node1", "shared-all", A),
        ("node2", "node1-only", N),
        ("node2", "node1-node2-only", A),
        ("node2", "shared-all", A),
        ("node3", "node1-only", N),
        ("node3", "node1-node2-only", N),
        ("node3", "shared-all", A),
    ];
    for (node, secret, want) in table {
        assert_eq!(can_get(&g, node, "secrets", "ns1", secret), want, "{node} {secret}");
    }
    pod3.spec.volumes.clear();
    g.add_pod(&pod3);
    assert_eq!(can_get(&g, "node3", "secrets", "ns1", "shared-all"), N);
}

#[test]
fn add_ephemeral_containers() {
    let mut g = Graph::with_threshold(1);
    let p = pod("ns1", "pod1-node1", "node1", vec![secret_vol("node1-only")]);
    g.update_pod(None, &p);
    assert_eq!(can_get(&g, "node1", "secrets", "ns1", "node1-only"), A);
    assert_eq!(can_get(&g, "node1", "secrets", "ns1", "new-secret"), N);
    let eph = |secret: Option<&str>, cm: Option<&str>| Container {
        name: "eph".into(),
        env_from: vec![EnvFromSource {
            secret_ref: secret.map(|n| NameRef { name: n.into() }),
            config_map_ref: cm.map(|n| NameRef { name: n.into() }),
        }],
        ..Container::default()
    };
    let mut p2 = p.clone();
    p2.spec.ephemeral_containers.push(eph(Some("new-secret"), None));
    g.update_pod(Some(&p), &p2);
    assert_eq!(can_get(&g, "node1", "secrets", "ns1", "new-secret"), A);
    assert_eq!(can_get(&g, "node1", "configmaps", "ns1", "new-config-map"), N);
    // Upstream updates from the original pod again: still one more ephemeral container.
    let mut p3 = p.clone();
    p3.spec.ephemeral_containers.push(eph(None, Some("new-config-map")));
    g.update_pod(Some(&p), &p3);
    assert_eq!(can_get(&g, "node1", "configmaps", "ns1", "new-config-map"), A);
}

#[test]
fn update_extended_resource_claim() {
    let mut g = Graph::new();
    let mut p = pod("ns1", "pod1", "node1", vec![]);
    p.metadata.uid = "pod1uid".into();
    p.status.extended_resource_claim_status = Some(Box::new(ExtendedResourceClaimStatus {
        resource_claim_name: "extended-claim-0".into(),
        request_mappings: vec![ContainerExtendedResourceRequest {
            container_name: "container0".into(),
            resource_name: "example.com/gpu".into(),
            request_name: "request".into(),
        }],
    }));
    g.update_pod(None, &p);
    let get_claim = |g: &Graph, node: &str| {
        authorize(g, &attrs(&node_user(node), "get", "resource.k8s.io", "resourceclaims", "", "ns1", "extended-claim-1", "")).0.decision
    };
    assert_eq!(get_claim(&g, "node1"), N);
    let mut p2 = p.clone();
    p2.status.extended_resource_claim_status.as_mut().unwrap().resource_claim_name = "extended-claim-1".into();
    g.update_pod(Some(&p), &p2);
    assert_eq!(get_claim(&g, "node1"), A);
    assert_eq!(get_claim(&g, "node2"), N);
}

#[test]
fn populator_ignores_irrelevant_updates() {
    let mut g = Graph::new();
    let p = pod("ns", "p", "n1", vec![secret_vol("s1")]);
    g.on_upsert(&Object::Pod(Box::new(p.clone())), None);
    // Same node and uid: the changed volume is ignored (spec references are immutable).
    let p2 = pod("ns", "p", "n1", vec![secret_vol("s2")]);
    g.on_upsert(&Object::Pod(Box::new(p2.clone())), Some(&Object::Pod(Box::new(p.clone()))));
    assert_eq!(can_get(&g, "n1", "secrets", "ns", "s1"), A);
    assert_eq!(can_get(&g, "n1", "secrets", "ns", "s2"), N);
    // A new uid rebuilds.
    let mut p3 = p2.clone();
    p3.metadata.uid = "u2".into();
    g.on_upsert(&Object::Pod(Box::new(p3.clone())), Some(&Object::Pod(Box::new(p2))));
    assert_eq!(can_get(&g, "n1", "secrets", "ns", "s1"), N);
    assert_eq!(can_get(&g, "n1", "secrets", "ns", "s2"), A);
    // Unscheduled pods are ignored on add, update and delete.
    let unscheduled = pod("ns", "q", "", vec![secret_vol("s3")]);
    g.on_upsert(&Object::Pod(Box::new(unscheduled.clone())), None);
    assert_eq!(g.dump_ids().keys().filter(|k| k.starts_with("pod:")).count(), 1);
    g.on_delete(&Object::Pod(Box::new(pod("ns", "p", "", vec![]))));
    assert_eq!(can_get(&g, "n1", "secrets", "ns", "s2"), A);
    g.on_delete(&Object::Pod(Box::new(p3)));
    assert_eq!(g.vertex_count(), 0);

    // VolumeAttachment: an update keeping the node is ignored; a move re-adds.
    let mut va = VolumeAttachment { metadata: ObjectMeta { name: "va".into(), ..ObjectMeta::default() }, ..VolumeAttachment::default() };
    va.spec.node_name = "n1".into();
    g.on_upsert(&Object::VolumeAttachment(Box::new(va.clone())), None);
    let mut va2 = va.clone();
    va2.spec.node_name = "n2".into();
    g.on_upsert(&Object::VolumeAttachment(Box::new(va2.clone())), Some(&Object::VolumeAttachment(Box::new(va.clone()))));
    let get_va =
        |g: &Graph, n: &str| authorize(g, &attrs(&node_user(n), "get", "storage.k8s.io", "volumeattachments", "", "", "va", "")).0.decision;
    assert_eq!((get_va(&g, "n1"), get_va(&g, "n2")), (N, A));
    // ResourceSlice updates are not watched (nodeName is immutable).
    let mut slice = ResourceSlice { metadata: ObjectMeta { name: "sl".into(), ..ObjectMeta::default() }, ..ResourceSlice::default() };
    slice.spec.node_name = Some("n1".into());
    g.on_upsert(&Object::ResourceSlice(Box::new(slice.clone())), None);
    let mut slice2 = slice.clone();
    slice2.spec.node_name = Some("n2".into());
    g.on_upsert(&Object::ResourceSlice(Box::new(slice2)), Some(&Object::ResourceSlice(Box::new(slice.clone()))));
    let get_slice =
        |g: &Graph, n: &str| authorize(g, &attrs(&node_user(n), "get", "resource.k8s.io", "resourceslices", "", "", "sl", "")).0.decision;
    assert_eq!((get_slice(&g, "n1"), get_slice(&g, "n2")), (A, N));
    g.on_delete(&Object::ResourceSlice(Box::new(slice)));
    assert_eq!(get_slice(&g, "n1"), N);
}

#[test]
fn mirror_pods_only_link_to_their_node() {
    let mut g = Graph::new();
    let mut p = pod("ns", "static-web-n1", "n1", vec![secret_vol("s")]);
    p.spec.service_account_name = "sa".into();
    p.metadata.annotations.insert("kubernetes.io/config.mirror", "hash");
    g.add_pod(&p);
    assert_eq!(can_get(&g, "n1", "pods", "ns", "static-web-n1"), A);
    assert_eq!(can_get(&g, "n1", "secrets", "ns", "s"), N);
    assert_eq!(g.dump_edges().len(), 2);
}

#[test]
fn every_reference_form() {
    let mut g = Graph::new();
    let mut p = pod("ns", "p", "n", vec![]);
    let env = |secret: &str, cm: &str| EnvVar {
        name: "X".into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: (!secret.is_empty()).then(|| NameRef { name: secret.into() }),
            config_map_key_ref: (!cm.is_empty()).then(|| NameRef { name: cm.into() }),
        }),
    };
    p.spec.service_account_name = "sa".into();
    p.spec.image_pull_secrets = vec![NameRef { name: "pull".into() }, NameRef::default()];
    p.spec.init_containers = vec![Container { env: vec![env("init-env", "init-cm")], ..Container::default() }];
    p.spec.containers = vec![Container {
        env: vec![env("c-env", "")],
        env_from: vec![EnvFromSource { secret_ref: None, config_map_ref: Some(NameRef { name: "c-cm".into() }) }],
        ..Container::default()
    }];
    let holder = |n: &str| Some(SecretRefHolder { secret_ref: Some(NameRef { name: n.into() }) });
    p.spec.volumes = vec![
        Volume::from(VolumeFields {
            name: "a".into(),
            azure_file: Some(AzureFileVolume { secret_name: "azure".into() }),
            ..VolumeFields::default()
        }),
        Volume::from(VolumeFields { name: "b".into(), cephfs: holder("ceph"), ..VolumeFields::default() }),
        Volume::from(VolumeFields {
            name: "c".into(),
            csi: Some(CsiVolume { driver: "d".into(), node_publish_secret_ref: Some(NameRef { name: "csi".into() }) }),
            ..VolumeFields::default()
        }),
        Volume::from(VolumeFields {
            name: "d".into(),
            projected: Some(ProjectedVolume {
                sources: vec![
                    VolumeProjection { secret: Some(NameRef { name: "proj-s".into() }), ..VolumeProjection::default() },
                    VolumeProjection { config_map: Some(NameRef { name: "proj-cm".into() }), ..VolumeProjection::default() },
                ],
            }),
            ..VolumeFields::default()
        }),
        // Two sources on one volume: upstream's switch takes flexVolume for secrets.
        Volume::from(VolumeFields { name: "e".into(), flex_volume: holder("flex"), rbd: holder("rbd-ignored"), ..VolumeFields::default() }),
        Volume::from(VolumeFields {
            name: "f".into(),
            persistent_volume_claim: Some(PvcVolume { claim_name: "claim".into() }),
            ..VolumeFields::default()
        }),
        Volume::from(VolumeFields { name: "scratch".into(), ephemeral: Some(EphemeralVolume::default()), ..VolumeFields::default() }),
    ];
    p.spec.resource_claims = vec![
        PodResourceClaim { name: "direct".into(), resource_claim_name: Some("rc-direct".into()), ..PodResourceClaim::default() },
        PodResourceClaim { name: "tmpl".into(), resource_claim_template_name: Some("t".into()), ..PodResourceClaim::default() },
        PodResourceClaim { name: "not-needed".into(), resource_claim_template_name: Some("t".into()), ..PodResourceClaim::default() },
        PodResourceClaim { name: "pending".into(), resource_claim_template_name: Some("t".into()), ..PodResourceClaim::default() },
    ];
    p.status.resource_claim_statuses = vec![
        PodResourceClaimStatus { name: "tmpl".into(), resource_claim_name: Some("rc-generated".into()) },
        PodResourceClaimStatus { name: "not-needed".into(), resource_claim_name: None },
    ];
    p.status.extended_resource_claim_status =
        Some(Box::new(ExtendedResourceClaimStatus { resource_claim_name: "rc-ext".into(), ..Default::default() }));
    g.add_pod(&p);
    let edges = g.dump_edges();
    let sources: Vec<&str> = edges.iter().filter(|(_, to)| to == &&vec!["pod:ns/p".to_string()]).map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        sources,
        [
            "configmap:ns/c-cm",
            "configmap:ns/init-cm",
            "configmap:ns/proj-cm",
            "pvc:ns/claim",
            "pvc:ns/p-scratch",
            "resourceclaim:ns/rc-direct",
            "resourceclaim:ns/rc-ext",
            "resourceclaim:ns/rc-generated",
            "secret:ns/azure",
            "secret:ns/c-env",
            "secret:ns/ceph",
            "secret:ns/csi",
            "secret:ns/flex",
            "secret:ns/init-env",
            "secret:ns/proj-s",
            "secret:ns/pull",
            "serviceAccount:ns/sa",
        ]
    );
    // Creation order decides ids: pod, node, sa, secrets, configmaps, pvcs, claims.
    let ids = g.dump_ids();
    assert_eq!(
        (ids["pod:ns/p"], ids["node:n"], ids["serviceAccount:ns/sa"], ids["secret:ns/pull"], ids["secret:ns/init-env"]),
        (0, 1, 2, 3, 4)
    );
    assert_eq!(ids["resourceclaim:ns/rc-ext"], ids.len() as u32 - 1);
}

#[test]
fn pv_secret_references() {
    let mut g = Graph::new();
    let r = |ns: &str, n: &str| Some(NamespacedRef { name: n.into(), namespace: ns.into() });
    let mut pv = PersistentVolume { metadata: ObjectMeta { name: "pv".into(), ..ObjectMeta::default() }, ..PersistentVolume::default() };
    pv.spec.claim_ref = r("apps", "data");
    pv.spec.csi = Some(PvCsi {
        driver: "d".into(),
        controller_publish_secret_ref: r("kube-system", "ctrl-pub"),
        controller_expand_secret_ref: r("kube-system", "ctrl-exp"),
        node_publish_secret_ref: r("kube-system", "node-pub"),
        node_stage_secret_ref: r("kube-system", "node-stage"),
        node_expand_secret_ref: r("", "node-exp"),
    });
    g.add_pv(&pv);
    g.add_pod(&pod(
        "apps",
        "web",
        "w1",
        vec![Volume::from(VolumeFields {
            persistent_volume_claim: Some(PvcVolume { claim_name: "data".into() }),
            ..VolumeFields::default()
        })],
    ));
    assert_eq!(can_get(&g, "w1", "secrets", "kube-system", "node-pub"), A);
    assert_eq!(can_get(&g, "w1", "secrets", "kube-system", "node-stage"), A);
    assert_eq!(can_get(&g, "w1", "secrets", "kube-system", "ctrl-pub"), N);
    assert_eq!(can_get(&g, "w1", "secrets", "kube-system", "ctrl-exp"), N);
    // An empty namespace stays empty for CSI, and secrets reads need a namespace.
    assert!(g.has_path_from("w1", VertexType::Secret, "", "node-exp"));
    assert_eq!(can_get(&g, "w1", "secrets", "", "node-exp"), N);
    let (_, path) = authorize(&g, &attrs(&node_user("w1"), "get", "", "secrets", "", "kube-system", "node-pub", ""));
    assert_eq!(path.unwrap().hops.join(" <- "), "node w1 <- pod apps/web <- pvc apps/data <- pv pv <- secret kube-system/node-pub");
    // Legacy sources default to the claim's namespace; cinder keeps the literal one.
    let mut flex = pv.clone();
    flex.spec.csi = None;
    flex.spec.flex_volume = Some(PvSecretRefHolder { secret_ref: r("", "flex") });
    g.add_pv(&flex);
    assert_eq!(can_get(&g, "w1", "secrets", "apps", "flex"), A);
    assert_eq!(can_get(&g, "w1", "secrets", "kube-system", "node-pub"), N);
    // A PV without claimRef leaves the graph.
    flex.spec.claim_ref = None;
    g.add_pv(&flex);
    assert_eq!(can_get(&g, "w1", "persistentvolumes", "", "pv"), N);
    assert_eq!(can_get(&g, "w1", "persistentvolumeclaims", "apps", "data"), A);
}

/// Upstream `TestIndex` (threshold 3).
#[test]
fn index_maintenance() {
    let mut g = Graph::with_threshold(3);
    let add = |g: &mut Graph, p: usize, n: usize| {
        let cm = |name: &str| {
            Volume::from(VolumeFields { name: name.into(), config_map: Some(NameRef { name: name.into() }), ..VolumeFields::default() })
        };
        let mut pd = pod("ns", &format!("pod{p}"), &format!("node{n}"), vec![cm("cm1"), cm("cm2"), cm("cm3")]);
        pd.spec.service_account_name = "sa1".into();
        g.add_pod(&pd);
        assert!(g.has_path_from(&format!("node{n}"), VertexType::ConfigMap, "ns", "cm1"));
    };
    let shared = ["configmap:ns/cm1", "configmap:ns/cm2", "configmap:ns/cm3", "serviceAccount:ns/sa1"];
    let expect_index = |g: &Graph, vals: &[&str]| {
        let want: BTreeMap<String, Vec<String>> = if vals.is_empty() {
            BTreeMap::new()
        } else {
            shared.iter().map(|k| (k.to_string(), vals.iter().map(|s| s.to_string()).collect())).collect()
        };
        assert_eq!(g.dump_index(), want);
    };
    let expect_graph = |g: &Graph, pods: &[(&str, &str)], nodes: &[&str]| {
        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for n in nodes {
            want.insert(format!("node:{n}"), vec![]);
        }
        for (p, n) in pods {
            want.insert(format!("pod:ns/{p}"), vec![format!("node:{n}")]);
        }
        let mut ps: Vec<String> = pods.iter().map(|(p, _)| format!("pod:ns/{p}")).collect();
        ps.sort();
        for k in shared {
            want.insert(k.into(), ps.clone());
        }
        assert_eq!(g.dump_edges(), want);
    };
    add(&mut g, 1, 1);
    expect_index(&g, &[]);
    add(&mut g, 2, 2);
    expect_index(&g, &[]);
    add(&mut g, 3, 3);
    expect_graph(&g, &[("pod1", "node1"), ("pod2", "node2"), ("pod3", "node3")], &["node1", "node2", "node3"]);
    expect_index(&g, &["node:node1=1", "node:node2=1", "node:node3=1"]);
    g.delete_pod("pod1", "ns");
    expect_graph(&g, &[("pod2", "node2"), ("pod3", "node3")], &["node2", "node3"]);
    expect_index(&g, &[]);
    add(&mut g, 1, 1);
    add(&mut g, 4, 1);
    expect_graph(&g, &[("pod1", "node1"), ("pod2", "node2"), ("pod3", "node3"), ("pod4", "node1")], &["node1", "node2", "node3"]);
    expect_index(&g, &["node:node1=2", "node:node2=1", "node:node3=1"]);
    g.delete_pod("pod1", "ns");
    expect_graph(&g, &[("pod2", "node2"), ("pod3", "node3"), ("pod4", "node1")], &["node1", "node2", "node3"]);
    expect_index(&g, &["node:node1=1", "node:node2=1", "node:node3=1"]);
}

/// Upstream `TestIndex2`, the cases for types other than configmaps (covered above).
#[test]
fn index_per_type() {
    let three = |f: &dyn Fn(&str, &str) -> Pod| {
        let mut g = Graph::with_threshold(3);
        for i in 1..=3 {
            g.add_pod(&f(&format!("pod{i}"), &format!("node{i}")));
        }
        g
    };
    let all3 = vec!["node:node1=1".to_string(), "node:node2=1".into(), "node:node3=1".into()];
    let pods3 = vec!["pod:ns/pod1".to_string(), "pod:ns/pod2".into(), "pod:ns/pod3".into()];
    let secrets = |p: &str, n: &str| pod("ns", p, n, vec![secret_vol("s1"), secret_vol("s2"), secret_vol("s3")]);
    let pvcs = |p: &str, n: &str| {
        let v = |c: &str| {
            Volume::from(VolumeFields {
                name: c.into(),
                persistent_volume_claim: Some(PvcVolume { claim_name: c.into() }),
                ..VolumeFields::default()
            })
        };
        pod("ns", p, n, vec![v("pvc1"), v("pvc2"), v("pvc3")])
    };
    let claims = |p: &str, n: &str| {
        let mut pd = pod("ns", p, n, vec![]);
        pd.spec.resource_claims = ["rc1", "rc2", "rc3"]
            .iter()
            .map(|c| PodResourceClaim { resource_claim_name: Some((*c).into()), ..PodResourceClaim::default() })
            .collect();
        pd.status.extended_resource_claim_status =
            Some(Box::new(ExtendedResourceClaimStatus { resource_claim_name: "rc4".into(), ..Default::default() }));
        pd
    };
    for (f, keys) in [
        (&secrets as &dyn Fn(&str, &str) -> Pod, vec!["secret:ns/s1", "secret:ns/s2", "secret:ns/s3"]),
        (&pvcs, vec!["pvc:ns/pvc1", "pvc:ns/pvc2", "pvc:ns/pvc3"]),
        (&claims, vec!["resourceclaim:ns/rc1", "resourceclaim:ns/rc2", "resourceclaim:ns/rc3", "resourceclaim:ns/rc4"]),
    ] {
        let mut g = three(f);
        let edges = g.dump_edges();
        for k in &keys {
            assert_eq!(edges[*k], pods3, "{k}");
        }
        let want: BTreeMap<String, Vec<String>> = keys.iter().map(|k| (k.to_string(), all3.clone())).collect();
        assert_eq!(g.dump_index(), want);
        g.delete_pod("pod1", "ns");
        assert!(g.dump_index().is_empty());
        assert!(!g.dump_edges().contains_key("node:node1"));
    }

    let mut g = Graph::with_threshold(3);
    for i in 1..=3 {
        g.add_resource_slice(&format!("s{i}"), &format!("node{i}"));
        g.add_volume_attachment(&format!("va{i}"), &format!("node{i}"));
    }
    g.delete_resource_slice("s1");
    assert!(g.dump_edges().contains_key("node:node1"));
    g.delete_volume_attachment("va1");
    assert!(!g.dump_edges().contains_key("node:node1"));
    assert!(g.dump_index().is_empty());

    let mut g = Graph::with_threshold(3);
    let pcr = |ns: &str, name: &str, node: &str| {
        let mut p = PodCertificateRequest {
            metadata: ObjectMeta { name: name.into(), namespace: ns.into(), ..ObjectMeta::default() },
            ..Default::default()
        };
        p.spec.node_name = node.into();
        p
    };
    g.add_pod_certificate_request(&pcr("foo", "bar", "node1"));
    g.add_pod_certificate_request(&pcr("bar", "foo", "node2"));
    g.delete_pod_certificate_request("foo", "bar");
    let want: BTreeMap<String, Vec<String>> =
        [("node:node2".to_string(), vec![]), ("podcertificaterequest:bar/foo".to_string(), vec!["node:node2".to_string()])]
            .into_iter()
            .collect();
    assert_eq!(g.dump_edges(), want);
}

/// Upstream `TestDeleteEdgesLocked`.
#[test]
fn delete_edges() {
    use VertexType::{ConfigMap as Cm, Node as Nd};
    // Orphaned sources go; the destination and unrelated vertices stay.
    let mut g = Graph::new();
    g.get_or_create(Cm, "namespace1", "configmap2");
    let n1 = g.get_or_create(Nd, "", "node1");
    let c1 = g.get_or_create(Cm, "namespace1", "configmap1");
    g.add_edge(c1, n1, Some(n1));
    g.delete_edges(Cm, Nd, "", "node1");
    assert_eq!(g.dump_ids(), [("configmap:namespace1/configmap2".to_string(), 0), ("node:node1".to_string(), 1)].into_iter().collect());
    assert_eq!(g.edge_count(), 0);
    // A source with other edges keeps them.
    let mut g = Graph::new();
    let n1 = g.get_or_create(Nd, "", "node1");
    let n2 = g.get_or_create(Nd, "", "node2");
    let c1 = g.get_or_create(Cm, "namespace1", "configmap1");
    g.add_edge(c1, n1, Some(n1));
    g.add_edge(c1, n2, Some(n2));
    g.delete_edges(Cm, Nd, "", "node2");
    assert_eq!(g.dump_edges()["configmap:namespace1/configmap1"], vec!["node:node1".to_string()]);
    assert_eq!(g.vertex_count(), 3);
    // Nothing to delete, or nothing to delete from.
    for setup in [&[(Nd, "node1"), (Cm, "configmap1")][..], &[(Cm, "configmap1")], &[(Nd, "node1")]] {
        let mut g = Graph::new();
        for (t, n) in setup {
            g.get_or_create(*t, if *t == Nd { "" } else { "namespace1" }, n);
        }
        let before = g.dump_ids();
        g.delete_edges(Cm, Nd, "", "node1");
        assert_eq!(g.dump_ids(), before);
    }
}

#[test]
fn ids_reuse_smallest_free() {
    let mut g = Graph::new();
    for i in 0..3 {
        g.add_volume_attachment(&format!("va{i}"), &format!("n{i}"));
    }
    // va0=0 n0=1 va1=2 n1=3 va2=4 n2=5
    g.delete_volume_attachment("va0");
    g.delete_volume_attachment("va1");
    g.add_volume_attachment("x", "m");
    let ids = g.dump_ids();
    assert_eq!((ids["volumeattachment:x"], ids["node:m"]), (0, 1));
    g.add_volume_attachment("y", "k");
    let ids = g.dump_ids();
    assert_eq!((ids["volumeattachment:y"], ids["node:k"]), (2, 3));
    g.add_volume_attachment("z", "j");
    assert_eq!(g.dump_ids()["node:j"], 7);
}

/// Upstream adds an edge once per reference; with an index present, a duplicate reference
/// is counted twice and deleting the pod removes one count. The stale entry grants access
/// in upstream's decision (index hit answers before any traversal), so we reproduce it.
#[test]
fn duplicate_reference_over_count_is_observable_as_upstream() {
    let mut g = Graph::with_threshold(2);
    g.add_volume_attachment("va", "n3"); // va=0, node n3=1, kept alive by the attachment
    // secret s gets an index once it has 2 edges.
    g.add_pod(&pod("ns", "a", "n1", vec![secret_vol("s")]));
    g.add_pod(&pod("ns", "b", "n2", vec![secret_vol("s")]));
    assert_eq!(g.dump_index()["secret:ns/s"], ["node:n1=1", "node:n2=1"]);
    // A pod on n3 mounting s twice is counted twice.
    g.add_pod(&pod("ns", "dup", "n3", vec![secret_vol("s"), secret_vol("s")]));
    assert_eq!(g.dump_index()["secret:ns/s"], ["node:n1=1", "node:n2=1", "node:n3=2"]);
    g.delete_pod("dup", "ns");
    // No pod on n3 references s any more, but one count is left and answers first.
    assert_eq!(g.dump_index()["secret:ns/s"], ["node:n1=1", "node:n2=1", "node:n3=1"]);
    assert_eq!(can_get(&g, "n3", "secrets", "ns", "s"), A);
    let (_, p) = authorize(&g, &attrs(&node_user("n3"), "get", "", "secrets", "", "ns", "s", ""));
    assert_eq!(p, Some(GraphPath { hops: vec!["node n3".into(), "secret ns/s".into()], index_only: true }));
    // A secret is not authoritative, so the DFS still answers for real paths elsewhere.
    assert_eq!(nodes_reaching(&g, VertexType::Secret, "ns", "s"), ["n1", "n2", "n3"]);
    // Ids are reused: once n3's vertex is gone, the next node vertex takes its id and
    // inherits the stale grant.
    g.delete_volume_attachment("va");
    assert_eq!(can_get(&g, "n3", "secrets", "ns", "s"), N);
    g.add_volume_attachment("va2", "n4");
    assert_eq!(g.dump_ids()["node:n4"], 1);
    assert_eq!(can_get(&g, "n4", "secrets", "ns", "s"), A);
}

#[test]
fn grants_and_reverse_lookup() {
    let mut g = Graph::new();
    generate(&SampleOpts::node_authorizer_test()).populate(&mut g);
    let grants = graph_grants(&g, "node0");
    let rows: Vec<String> =
        grants.iter().map(|r| format!("{} {} {}/{}", r.verbs.join(","), r.resource_path(), r.namespace, r.name)).collect();
    for want in [
        "get,list,watch secrets ns0/secret0-pod0-node0",
        "get,list,watch secrets ns0/secret0-shared",
        "get,list,watch secrets ns0/secret-pv0-pod0-node0-ns0",
        "get,list,watch configmaps ns0/configmap0-pod0-node0",
        "get persistentvolumeclaims ns0/pvc0-pod0-node0",
        "update,patch persistentvolumeclaims/status ns0/pvc0-pod0-node0",
        "get persistentvolumes /pv0-pod0-node0-ns0",
        "get resourceclaims ns0/claim0-pod0-node0-ns0",
        "get resourceclaims ns0/generated-claim-pod0-node0-ns0-0",
        "get volumeattachments /attachment0-node0",
        "get,update,patch,delete resourceslices /slice2-node0",
        "get,list,watch pods ns1/pod1-node0",
        "get serviceaccounts ns0/svcacct0-node0",
        "create serviceaccounts/token ns0/svcacct0-node0",
        "get podcertificaterequests ns1/pcr1-pod1-node0",
    ] {
        assert!(rows.iter().any(|r| r == want), "missing {want} in {rows:#?}");
    }
    assert!(!rows.iter().any(|r| r.contains("node1")), "{rows:#?}");
    // Every grant is confirmed by the authorizer.
    for r in &grants {
        for verb in r.verbs {
            let a = attrs(&node_user("node0"), verb, r.api_group, r.resource, r.subresource, &r.namespace, &r.name, "");
            assert_eq!(authorize(&g, &a).0.decision, A, "{verb} {r:?}");
        }
    }
    assert_eq!(nodes_reaching(&g, VertexType::Secret, "ns0", "secret0-shared"), ["node0", "node1"]);
    assert_eq!(nodes_reaching(&g, VertexType::Secret, "ns0", "secret-pv0-pod0-node1-ns0"), ["node1"]);
    assert_eq!(nodes_reaching(&g, VertexType::Pv, "", "pv0-pod0-node0-ns0"), ["node0"]);
    assert!(nodes_reaching(&g, VertexType::Secret, "ns0", "nope").is_empty());
    assert!(graph_grants(&g, "nodeX").is_empty());
}

#[test]
fn graph_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Graph>();
}

/// A secret shared by many PVs bound to one claim used by many pods: an unmarked search
/// would walk PVs x pods edges per decision, so this exceeds the search budget and
/// exercises the marking fallback, which must answer exactly as the plain search.
#[test]
fn shared_vertices_do_not_blow_up_the_search() {
    let mut g = Graph::new();
    let r = |ns: &str, n: &str| Some(NamespacedRef { name: n.into(), namespace: ns.into() });
    for i in 0..300 {
        let mut pv = PersistentVolume {
            metadata: ObjectMeta { name: format!("pv-{i}").into(), ..ObjectMeta::default() },
            ..PersistentVolume::default()
        };
        pv.spec.claim_ref = r("apps", "data");
        pv.spec.csi = Some(PvCsi { driver: "d".into(), node_publish_secret_ref: r("apps", "shared"), ..PvCsi::default() });
        g.add_pv(&pv);
    }
    for i in 0..150 {
        let claim = Volume::from(VolumeFields {
            persistent_volume_claim: Some(PvcVolume { claim_name: "data".into() }),
            ..VolumeFields::default()
        });
        g.add_pod(&pod("apps", &format!("web-{i}"), &format!("w{}", i % 3), vec![claim]));
    }
    g.add_pod(&pod("apps", "other", "lonely", vec![]));
    assert_eq!(can_get(&g, "w1", "secrets", "apps", "shared"), Decision::Allow);
    assert_eq!(can_get(&g, "lonely", "secrets", "apps", "shared"), Decision::NoOpinion);
    let path = GraphPath::find(&g, "w2", VertexType::Secret, "apps", "shared");
    assert!(!path.index_only && path.hops.len() == 5, "{path:?}");
}

/// `handles` names exactly the resources `decide` dispatches to a handler: for any other
/// resource a node's request is decided by the static rules alone.
#[test]
fn handled_resources_bypass_static_rules() {
    let handled = [
        ("", "secrets"),
        ("", "configmaps"),
        ("", "persistentvolumeclaims"),
        ("", "persistentvolumes"),
        ("resource.k8s.io", "resourceclaims"),
        ("storage.k8s.io", "volumeattachments"),
        ("", "serviceaccounts"),
        ("coordination.k8s.io", "leases"),
        ("storage.k8s.io", "csinodes"),
        ("resource.k8s.io", "resourceslices"),
        ("", "nodes"),
        ("", "pods"),
        ("certificates.k8s.io", "podcertificaterequests"),
    ];
    for (g, r) in handled {
        assert!(crate::node::handles(g, r), "{g}/{r}");
    }
    // Static rules grant `get endpoints` and `get services`; they are not handled.
    assert!(!crate::node::handles("", "endpoints") && !crate::node::handles("", "services"));
    assert!(!crate::node::handles("apps", "pods"), "the group matters");
    let g = Graph::new();
    let user = node_user("n1");
    assert_eq!(authorize(&g, &attrs(&user, "get", "", "endpoints", "", "ns", "e", "")).0.decision, Decision::Allow);
    // secrets are in the static rules too, but the handler decides: no relationship, no.
    assert_eq!(authorize(&g, &attrs(&user, "get", "", "secrets", "", "ns", "s", "")).0.decision, Decision::NoOpinion);
}
