//! One case per rule: the request, and upstream's answer (allowed, or code and message).

use serde_json::{Value, json};

use super::*;
use crate::snapshot;

const NODE: &str = "system:node:n1";

fn state() -> ClusterState {
    let objects = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "node-uid-1"}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2", "uid": "node-uid-2"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": "ns", "uid": "sa-uid"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "namespace": "ns", "uid": "p1-uid"},
         "spec": {"nodeName": "n1", "serviceAccountName": "sa", "volumes": [
            {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"audience": "vault"}},
                                                     {"podCertificate": {"signerName": "example.com/s"}}]}},
            {"name": "c", "persistentVolumeClaim": {"claimName": "claim"}},
            {"name": "m", "persistentVolumeClaim": {"claimName": "missing"}}]}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p2", "namespace": "ns", "uid": "p2-uid"}, "spec": {"nodeName": "n2"}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "claim", "namespace": "ns"}, "spec": {"volumeName": "pv1"}},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv1"}, "spec": {"csi": {"driver": "csi.example.com"}}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": "csi.example.com"},
         "spec": {"tokenRequests": [{"audience": "csi-aud"}]}},
    ]});
    let snap = snapshot::parse_text("t.json", &objects.to_string()).unwrap();
    ClusterState::from_objects(snap.objects)
}

#[allow(clippy::too_many_arguments)] // one argument per AdmissionReview field keeps the cases readable
fn review(op: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str, object: Value, old: Value) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "u", "resource": {"group": group, "version": "v1", "resource": resource}, "subResource": sub,
        "namespace": ns, "name": name, "operation": op,
        "userInfo": {"username": NODE, "groups": ["system:nodes", "system:authenticated"]},
        "object": object, "oldObject": old}})
}

fn admit_with(config: NodeRestrictionConfig, r: Value) -> Result<(), (u16, String)> {
    let req = AdmissionRequest::from_review(r).expect("decodes");
    NodeRestriction::new(config).admit(&state(), &Chain::default(), &req).map_err(|e| (e.status().code, e.to_string()))
}

fn admit(r: Value) -> Result<(), (u16, String)> {
    admit_with(NodeRestrictionConfig::default(), r)
}

fn forbidden(r: Value, message: &str) {
    assert_eq!(admit(r), Err((403, message.to_string())));
}

fn mirror(extra_spec: Value) -> Value {
    let mut spec = json!({"nodeName": "n1"});
    spec.as_object_mut().unwrap().extend(extra_spec.as_object().unwrap().clone());
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m", "namespace": "ns",
        "annotations": {"kubernetes.io/config.mirror": "x"},
        "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": "node-uid-1", "controller": true}]},
        "spec": spec})
}

fn node(labels: Value, taints: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": labels}, "spec": {"taints": taints}})
}

#[test]
fn non_nodes_and_nameless_nodes() {
    let mut r = review("DELETE", "", "pods", "", "ns", "p2", Value::Null, Value::Null);
    r["request"]["userInfo"] = json!({"username": "alice", "groups": ["system:nodes"]});
    assert_eq!(admit(r.clone()), Ok(()));
    r["request"]["userInfo"] = json!({"username": "system:node:", "groups": ["system:nodes"]});
    assert_eq!(admit(r), Err((403, "pods \"p2\" is forbidden: could not determine node from user \"system:node:\"".into())));
}

#[test]
fn mirror_pods() {
    let create = |pod: Value| review("CREATE", "", "pods", "", "ns", "", pod, Value::Null);
    assert_eq!(admit(create(mirror(json!({})))), Ok(()));
    let mut plain = mirror(json!({}));
    plain["metadata"]["annotations"] = json!({});
    forbidden(
        create(plain),
        "pods \"m\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"n1\" can only create mirror pods",
    );
    forbidden(
        create(mirror(json!({"nodeName": "n2"}))),
        "pods \"m\" is forbidden: node \"n1\" can only create pods with spec.nodeName set to itself",
    );
    let mut p = mirror(json!({}));
    p["metadata"]["ownerReferences"][0]["uid"] = json!("other");
    forbidden(create(p), "pods \"m\" is forbidden: node n1 UID mismatch: expected other got node-uid-1");
    let mut p = mirror(json!({}));
    p["metadata"]["ownerReferences"][0]["blockOwnerDeletion"] = json!(true);
    forbidden(create(p), "pods \"m\" is forbidden: node \"n1\" must not set blockOwnerDeletion on an owner reference");
    let mut p = mirror(json!({}));
    p["metadata"]["ownerReferences"][0]["controller"] = json!(false);
    forbidden(create(p), "pods \"m\" is forbidden: node \"n1\" can only create pods with a controller owner reference set to itself");
    for (spec, what) in [
        (json!({"serviceAccountName": "sa"}), "serviceaccounts"),
        (json!({"imagePullSecrets": [{"name": "s"}]}), "secrets"),
        (json!({"containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "c"}}]}]}), "configmaps"),
        (json!({"resourceClaims": [{"name": "r"}]}), "resourceclaims"),
        (json!({"volumes": [{"name": "v", "secret": {}}]}), "secrets (via secret volumes)"),
        (
            json!({"volumes": [{"name": "v", "hostPath": {"path": "/"}}, {"name": "w", "glusterfs": {}}]}),
            "endpoints (via glusterFS volumes)",
        ),
        (
            json!({"volumes": [{"name": "v", "projected": {"sources": [{"downwardAPI": {}}, {"podCertificate": {"signerName": "s"}}]}}]}),
            "podcertificates",
        ),
        (json!({"volumes": [{"name": "v", "ephemeral": {}}]}), "persistentvolumeclaims (via ephemeral volumes)"),
    ] {
        forbidden(create(mirror(spec)), &format!("pods \"m\" is forbidden: node \"n1\" can not create pods that reference {what}"));
    }
    forbidden(
        create(mirror(json!({"volumes": [{"name": "v"}]}))),
        "pods \"m\" is forbidden: error checking mirror pod for API references: unknown volume type for volume  \"v\"",
    );
    let mut p = mirror(json!({}));
    p["metadata"]["ownerReferences"][0]["name"] = json!("n9");
    p["spec"]["nodeName"] = json!("n9");
    let mut r = create(p);
    r["request"]["userInfo"]["username"] = json!("system:node:n9");
    assert_eq!(admit(r), Err((404, "node \"n9\" not found".into())));
}

#[test]
fn pod_delete_status_eviction() {
    assert_eq!(admit(review("DELETE", "", "pods", "", "ns", "p1", Value::Null, Value::Null)), Ok(()));
    forbidden(
        review("DELETE", "", "pods", "", "ns", "p2", Value::Null, Value::Null),
        "pods \"p2\" is forbidden: node \"n1\" can only delete pods with spec.nodeName set to itself",
    );
    forbidden(
        review("UPDATE", "", "pods", "", "ns", "p1", Value::Null, Value::Null),
        "pods \"p1\" is forbidden: unexpected operation \"UPDATE\", node \"n1\" can only create and delete mirror pods",
    );
    let pod = |labels: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "labels": labels}, "spec": {"nodeName": "n1"}});
    assert_eq!(admit(review("UPDATE", "", "pods", "status", "ns", "p1", pod(json!({})), pod(Value::Null))), Ok(()));
    forbidden(
        review("UPDATE", "", "pods", "status", "ns", "p1", pod(json!({"a": "b"})), pod(json!({}))),
        "pods \"p1\" is forbidden: node \"n1\" cannot update labels through pod status",
    );
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p2"}});
    forbidden(
        review("CREATE", "", "pods", "eviction", "ns", "", eviction.clone(), Value::Null),
        "pods \"p2\" is forbidden: node n1 can only evict pods with spec.nodeName set to itself",
    );
    assert_eq!(admit(review("CREATE", "", "pods", "eviction", "ns", "p1", eviction, Value::Null)), Ok(()));
    forbidden(
        review("CREATE", "", "pods", "exec", "ns", "p1", Value::Null, Value::Null),
        "pods \"p1\" is forbidden: unexpected pod subresource \"exec\", only 'status' and 'eviction' are allowed",
    );
}

#[test]
fn nodes() {
    let upd = |new: Value, old: Value| review("UPDATE", "", "nodes", "", "", "n1", new, old);
    assert_eq!(
        admit(upd(node(json!({"kubernetes.io/hostname": "x", "foo.node.kubernetes.io/a": "1"}), json!([])), node(json!({}), Value::Null))),
        Ok(())
    );
    forbidden(
        upd(
            node(
                json!({"node-role.kubernetes.io/control-plane": "", "a.node-restriction.kubernetes.io/b": "", "k8s.io/x": "", "plain": ""}),
                json!([]),
            ),
            node(json!({}), json!([])),
        ),
        "nodes \"n1\" is forbidden: is not allowed to modify labels: a.node-restriction.kubernetes.io/b, k8s.io/x, node-role.kubernetes.io/control-plane",
    );
    let taint = json!([{"key": "k", "effect": "NoSchedule", "timeAdded": "2024-01-01T00:00:00Z"}]);
    let same = json!([{"key": "k", "effect": "NoSchedule", "timeAdded": "2024-01-01T01:00:00+01:00"}]);
    assert_eq!(admit(upd(node(json!({}), same), node(json!({}), taint.clone()))), Ok(()));
    forbidden(
        upd(node(json!({}), json!([])), node(json!({}), taint)),
        "nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints",
    );
    forbidden(
        review("UPDATE", "", "nodes", "status", "", "n2", Value::Null, Value::Null),
        "nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"",
    );
    forbidden(
        review(
            "CREATE",
            "",
            "nodes",
            "",
            "",
            "n1",
            node(json!({"node-restriction.kubernetes.io/x": ""}), json!([{"key": "t", "effect": "NoSchedule"}])),
            Value::Null,
        ),
        "nodes \"n1\" is forbidden: node \"n1\" is not allowed to set the following labels: node-restriction.kubernetes.io/x",
    );
    let mut with_source = node(json!({}), json!([]));
    with_source["spec"]["configSource"] = json!({"configMap": {"name": "c", "namespace": "kube-system", "kubeletConfigKey": "k"}});
    forbidden(
        review("CREATE", "", "nodes", "", "", "n1", with_source, Value::Null),
        "nodes \"n1\" is forbidden: node \"n1\" is not allowed to create pods with a non-nil configSource",
    );
}

#[test]
fn tokens() {
    let tr = |pod: &str, uid: &str, audiences: Value| {
        review(
            "CREATE",
            "",
            "serviceaccounts",
            "token",
            "ns",
            "sa",
            json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {"name": "sa"},
                   "spec": {"audiences": audiences, "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": pod, "uid": uid}}}),
            Value::Null,
        )
    };
    assert_eq!(admit(tr("p1", "p1-uid", json!(["vault"]))), Ok(()));
    assert_eq!(admit(tr("p1", "p1-uid", json!(["csi-aud"]))), Ok(()));
    forbidden(
        tr("p1", "p1-uid", json!(["other"])),
        "serviceaccounts \"sa\" is forbidden: error validating audience \"other\": persistentvolumeclaim \"missing\" not found",
    );
    forbidden(
        tr("p2", "p2-uid", json!([])),
        "serviceaccounts \"sa\" is forbidden: node requested token bound to a pod scheduled on a different node",
    );
    forbidden(
        tr("p1", "nope", json!([])),
        "serviceaccounts \"sa\" is forbidden: the UID in the bound object reference (nope) does not match the UID in record. The object might have been deleted and then recreated",
    );
    forbidden(tr("p1", "", json!([])), "serviceaccounts \"sa\" is forbidden: node requested token with a pod binding without a uid");
    forbidden(tr("p1", "p1-uid", json!(["a", "b"])), "serviceaccounts \"sa\" is forbidden: node may only request 0 or 1 audiences");
    assert_eq!(admit(tr("gone", "x", json!([]))), Err((404, "pod \"gone\" not found".into())));
    let off = NodeRestrictionConfig { service_account_node_audience_restriction: false, ..NodeRestrictionConfig::default() };
    assert_eq!(admit_with(off, tr("p1", "p1-uid", json!(["other"]))), Ok(()));
}

#[test]
fn leases_csinodes_slices() {
    let lease = |name: &str| json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name}});
    assert_eq!(admit(review("CREATE", "coordination.k8s.io", "leases", "", "kube-node-lease", "", lease("n1"), Value::Null)), Ok(()));
    forbidden(
        review("CREATE", "coordination.k8s.io", "leases", "", "kube-node-lease", "", lease("n2"), Value::Null),
        "leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease with the same name as the requesting node",
    );
    forbidden(
        review("UPDATE", "coordination.k8s.io", "leases", "", "default", "n1", Value::Null, Value::Null),
        "leases.coordination.k8s.io \"n1\" is forbidden: can only access leases in the \"kube-node-lease\" system namespace",
    );
    let csinode = |drivers: Value| json!({"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": "n1"}, "spec": {"drivers": drivers}});
    forbidden(
        review("UPDATE", "storage.k8s.io", "csinodes", "status", "", "n1", csinode(json!([])), csinode(json!([]))),
        "csinodes.storage.k8s.io \"n1\" is forbidden: CSIVolumeHealth feature gate is disabled",
    );
    let health = NodeRestrictionConfig { csi_volume_health: true, ..NodeRestrictionConfig::default() };
    let changed = review(
        "UPDATE",
        "storage.k8s.io",
        "csinodes",
        "status",
        "",
        "n1",
        csinode(json!([{"name": "d", "nodeID": "x"}])),
        csinode(json!([])),
    );
    assert_eq!(
        admit_with(health, changed),
        Err((403, "csinodes.storage.k8s.io \"n1\" is forbidden: node \"n1\" is not allowed to modify CSINode spec via status".into()))
    );
    let slice = |node: Value| json!({"apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": {"name": "s"}, "spec": {"nodeName": node, "driver": "d"}});
    assert_eq!(admit(review("CREATE", "resource.k8s.io", "resourceslices", "", "", "", slice(json!("n1")), Value::Null)), Ok(()));
    forbidden(
        review("DELETE", "resource.k8s.io", "resourceslices", "", "", "s", Value::Null, slice(Value::Null)),
        "resourceslices.resource.k8s.io \"s\" is forbidden: can only delete ResourceSlice with the same NodeName as the requesting node",
    );
    forbidden(
        review("CREATE", "resource.k8s.io", "resourceslices", "", "", "", Value::Null, Value::Null),
        "resourceslices.resource.k8s.io \"Unknown\" is forbidden: unexpected type <nil>",
    );
}

#[test]
fn pvcs_and_certificates() {
    forbidden(
        review("UPDATE", "", "persistentvolumeclaims", "", "ns", "c", Value::Null, Value::Null),
        "persistentvolumeclaims \"c\" is forbidden: may only update PVC status",
    );
    let pvc = |cap: &str| json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"}, "status": {"capacity": {"storage": cap}}});
    assert_eq!(admit(review("UPDATE", "", "persistentvolumeclaims", "status", "ns", "c", pvc("2Gi"), pvc("1Gi"))), Ok(()));
    let pcr = |signer: &str, pod_uid: &str| {
        review(
            "CREATE",
            "certificates.k8s.io",
            "podcertificaterequests",
            "",
            "ns",
            "",
            json!({"apiVersion": "certificates.k8s.io/v1", "kind": "PodCertificateRequest", "metadata": {"name": "r"},
               "spec": {"signerName": signer, "podName": "p1", "podUID": pod_uid, "serviceAccountName": "sa",
                        "serviceAccountUID": "sa-uid", "nodeName": "n1", "nodeUID": "node-uid-1"}}),
            Value::Null,
        )
    };
    assert_eq!(admit(pcr("example.com/s", "p1-uid")), Ok(()));
    forbidden(
        pcr("example.com/other", "p1-uid"),
        "podcertificaterequests.certificates.k8s.io \"r\" is forbidden: pod \"ns/p1\" does not mount a podCertificate projected volume for signer \"example.com/other\"",
    );
    assert_eq!(
        admit(pcr("example.com/s", "stale")),
        Err((500, "PodCertificateRequest for pod \"ns/p1\" contains pod UID (\"stale\") which differs from running pod \"p1-uid\"".into()))
    );
    let csr = json!({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "csr"},
                     "spec": {"signerName": "example.com/other", "request": ""}});
    assert_eq!(admit(review("CREATE", "certificates.k8s.io", "certificatesigningrequests", "", "", "", csr, Value::Null)), Ok(()));
}

#[test]
fn labels_classes() {
    for (k, f) in [
        ("kubernetes.io/hostname", false),
        ("node.kubernetes.io/instance-type", false),
        ("x.kubelet.kubernetes.io/y", false),
        ("node-role.kubernetes.io/worker", true),
        ("foo.k8s.io/bar", true),
        ("node-restriction.kubernetes.io/a", true),
        ("example.com/a", false),
        ("plain", false),
        ("xkubernetes.io/a", false),
    ] {
        assert_eq!(is_forbidden_node_label(k), f, "{k}");
    }
}
