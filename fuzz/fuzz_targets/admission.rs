//! AdmissionReview decoding (`admission::AdmissionRequest::from_review`) and the
//! NodeRestriction plugin on the decoded requests over the small fixed cluster: raw JSON,
//! or generated reviews (structure-aware: a kubelet writing the objects NodeRestriction
//! looks at, with labels, owners, claims and quantities drawn to hit its checks).
//!
//! Invariants: decoding and admission are deterministic; a refused review echoes the
//! request uid and answers 400; an admitted or denied one echoes the uid, denials carry a
//! non-empty message and an apiserver status code; requests from non-nodes and CONNECT
//! are always admitted (the plugin only restricts kubelets).
#![no_main]

use arbitrary::{Result, Unstructured};
use kauthz_core::admission::{AdmissionRequest, AdmissionResponse, NodeRestriction, NodeRestrictionConfig, Operation};
use kauthz_core::features::FeatureGates;
use kauthz_core::model::Kind;
use kauthz_fuzz::{NAMES, NAMESPACES, UUID, UUID_UPPER, default_chain, gen_object, pick, small_state};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const LABELS: &[&str] = &[
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "node-role.kubernetes.io/control-plane",
    "node-restriction.kubernetes.io/x",
    "topology.kubernetes.io/zone",
    "foo.kubernetes.io/bar",
    "example.com/x",
    "kubelet.kubernetes.io/y",
];

fn labels(u: &mut Unstructured) -> Result<Value> {
    let n = u.int_in_range(0..=3)?;
    let mut m = serde_json::Map::new();
    for _ in 0..n {
        m.insert(pick(u, LABELS)?, pick(u, &["", "a", "n1"])?.into());
    }
    Ok(Value::Object(m))
}

fn gen_object_for(u: &mut Unstructured, resource: &str, sub: &str) -> Result<Value> {
    let mut v = match (resource, sub) {
        ("pods", "eviction") => {
            json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pick(u, NAMES)?, "namespace": pick(u, NAMESPACES)?}})
        }
        ("pods", _) => {
            let mut p = gen_object(u, Kind::Pod)?;
            if u.arbitrary()? {
                p["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "x"});
            }
            if u.arbitrary()? {
                p["metadata"]["ownerReferences"] = json!([{"apiVersion": pick(u, &["v1", "apps/v1"])?, "kind": pick(u, &["Node", "ReplicaSet"])?, "name": pick(u, NAMES)?, "uid": pick(u, &["u1", ""])?, "controller": u.arbitrary::<bool>()?}]);
            }
            p
        }
        ("nodes", _) => {
            let mut n = gen_object(u, Kind::Node)?;
            n["metadata"]["labels"] = labels(u)?;
            if u.arbitrary()? {
                n["spec"] = json!({"taints": [{"key": pick(u, LABELS)?, "effect": "NoSchedule"}], "configSource": null, "podCIDR": pick(u, &["10.0.0.0/24", ""])?});
            }
            if u.arbitrary()? {
                n["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "Node", "name": "x", "uid": "u"}]);
            }
            n
        }
        ("persistentvolumeclaims", _) => {
            let q = |u: &mut Unstructured| pick(u, &["1Gi", "2Gi", "1G", "0", "1e3", "-1"]);
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": pick(u, NAMES)?, "namespace": pick(u, NAMESPACES)?},
                "spec": {"volumeName": pick(u, NAMES)?, "resources": {"requests": {"storage": q(u)?}}},
                "status": {"phase": "Bound", "capacity": {"storage": q(u)?}, "allocatedResources": {"storage": q(u)?},
                    "conditions": [{"type": pick(u, &["Resizing", "FileSystemResizePending"])?, "status": "True"}]}})
        }
        ("serviceaccounts", _) => json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "metadata": {"name": pick(u, NAMES)?, "namespace": pick(u, NAMESPACES)?},
            "spec": {"audiences": [pick(u, &["api", "x", ""])?], "expirationSeconds": 3600,
                "boundObjectRef": {"kind": pick(u, &["Pod", "Secret", "Node"])?, "apiVersion": "v1", "name": pick(u, NAMES)?, "uid": pick(u, &["u1", "u2", "", UUID, UUID_UPPER])?}}}),
        ("leases", _) => gen_object(u, Kind::Lease)?,
        ("csinodes", _) => gen_object(u, Kind::CsiNode)?,
        ("resourceslices", _) => gen_object(u, Kind::ResourceSlice)?,
        ("podcertificaterequests", _) => gen_object(u, Kind::PodCertificateRequest)?,
        ("certificatesigningrequests", _) => json!({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": pick(u, NAMES)?},
            "spec": {"signerName": pick(u, &["kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving", "x/y"])?,
                "request": pick(u, &["", "AA==", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"])?, "usages": ["client auth"]}}),
        _ => gen_object(u, Kind::ConfigMap)?,
    };
    if u.ratio(1, 6)? {
        v["metadata"]["name"] = pick(u, NAMES)?.into();
    }
    Ok(v)
}

fn gen_review(u: &mut Unstructured) -> Result<Value> {
    let (group, resource, subs): (&str, &str, &[&str]) = *u.choose(&[
        ("", "pods", &["", "status", "eviction", "binding", "ephemeralcontainers"][..]),
        ("", "nodes", &["", "status"]),
        ("", "persistentvolumeclaims", &["status", ""]),
        ("", "serviceaccounts", &["token"]),
        ("coordination.k8s.io", "leases", &[""]),
        ("storage.k8s.io", "csinodes", &[""]),
        ("resource.k8s.io", "resourceslices", &[""]),
        ("certificates.k8s.io", "certificatesigningrequests", &[""]),
        ("certificates.k8s.io", "podcertificaterequests", &[""]),
        ("", "configmaps", &[""]),
    ])?;
    let sub = pick(u, subs)?;
    let operation = pick(u, &["CREATE", "UPDATE", "DELETE", "CONNECT"])?;
    let user = pick(u, &["system:node:n1", "system:node:n2", "system:node:", "alice", "system:node:x"])?;
    let groups: Vec<String> = if u.ratio(4, 5)? { vec!["system:nodes".into(), "system:authenticated".into()] } else { vec![] };
    let mut request = json!({
        "uid": pick(u, &["uid-1", ""])?,
        "resource": {"group": group, "version": "v1", "resource": resource},
        "operation": operation,
        "userInfo": {"username": user, "groups": groups},
        "name": pick(u, NAMES)?,
        "namespace": pick(u, NAMESPACES)?,
    });
    if !sub.is_empty() {
        request["subResource"] = sub.clone().into();
    }
    if operation != "DELETE" || u.ratio(1, 4)? {
        request["object"] = gen_object_for(u, resource, &sub)?;
    }
    if operation == "UPDATE" || u.ratio(1, 8)? {
        request["oldObject"] = gen_object_for(u, resource, &sub)?;
    }
    Ok(json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}))
}

fn plugin() -> NodeRestriction {
    NodeRestriction::new(NodeRestrictionConfig::from(&FeatureGates::default()))
}

fn check(value: Value) {
    let uid = value.pointer("/request/uid").and_then(Value::as_str).unwrap_or_default().to_string();
    let decoded = AdmissionRequest::from_review(value.clone());
    assert_eq!(decoded, AdmissionRequest::from_review(value), "decoding is deterministic");
    let review = match decoded {
        Err(e) => {
            assert_eq!(e.uid, uid);
            assert!(!e.message.is_empty());
            AdmissionResponse::bad_request(&e).to_review()
        }
        Ok(req) => {
            assert_eq!(req.uid, uid);
            let (state, chain, plugin) = (small_state(), default_chain(), plugin());
            let outcome = plugin.admit(state, chain, &req);
            assert_eq!(outcome, plugin.admit(state, chain, &req), "admission is deterministic");
            let is_node = req.user.name.starts_with("system:node:") && req.user.groups.iter().any(|g| g == "system:nodes");
            if req.operation == Operation::Connect || !is_node {
                assert_eq!(outcome, Ok(()), "only kubelets are restricted: {req:?}");
            }
            AdmissionResponse::from_result(&req.uid, &outcome).to_review()
        }
    };
    let response = &review["response"];
    assert_eq!(response["uid"].as_str(), Some(uid.as_str()));
    if response["allowed"] == Value::Bool(false) {
        let status = &response["status"];
        assert!(status["message"].as_str().is_some_and(|m| !m.is_empty()), "{review}");
        assert!(matches!(status["code"].as_u64(), Some(400 | 403 | 404 | 500)), "{review}");
    }
    let text = serde_json::to_string(&review).unwrap();
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, review);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let value = if mode & 1 == 0 {
        let Ok(v) = serde_json::from_slice::<Value>(rest) else { return };
        v
    } else {
        let Ok(v) = gen_review(&mut Unstructured::new(rest)) else { return };
        v
    };
    check(value);
});
