//! Helpers shared by the fuzz targets: a small fixed cluster to answer against, the
//! requests asked of it, serializers back to the wire forms (JSON and block YAML) and
//! structure-aware generators of Kubernetes-shaped documents.
//!
//! Every target checks invariants, not only "no panic"; a violated invariant panics with
//! the input's interpretation, which libFuzzer reports as a crash.

use std::fmt::Write as _;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use kauthz_core::authz::{Attributes, UserInfo};
use kauthz_core::model::{Kind, Object};
use kauthz_core::{Chain, ClusterState};
use serde_json::{Map, Value, json};

/// Every kind kauthz decodes (the model's own list).
pub const KINDS: [Kind; 19] = Kind::ALL;

/// A decoded object written back as the JSON document it came from (as far as the lean
/// model keeps it), `apiVersion` and `kind` included.
pub fn object_json(object: &Object) -> Value {
    serde_json::to_value(object).expect("model objects serialize")
}

/// A `v1` `List` of documents.
pub fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items})
}

/// Writes `value` as block-style YAML, every string double-quoted (JSON escapes are valid
/// YAML double-quoted escapes), so the YAML and JSON texts denote the same tree.
pub fn yaml_block(value: &Value) -> String {
    let mut out = String::new();
    emit(value, 0, &mut out);
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => yaml_quote(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

/// A YAML double-quoted string: characters outside YAML's printable set (and the BOM) are
/// escaped, which JSON's escaping alone does not do (DEL, C1 controls, U+FFFE).
fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'.. => out.push(c),
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn is_scalar(value: &Value) -> bool {
    match value {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => true,
    }
}

fn emit(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let mut key = yaml_quote(k);
                // YAML limits implicit keys to 1024 characters; longer ones need `? key`.
                if key.len() > 1000 {
                    key = format!("? {key}\n{pad}");
                }
                if is_scalar(v) {
                    let _ = writeln!(out, "{pad}{key}: {}", scalar(v));
                } else {
                    let _ = writeln!(out, "{pad}{key}:");
                    emit(v, indent + 2, out);
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for v in items {
                if is_scalar(v) {
                    let _ = writeln!(out, "{pad}- {}", scalar(v));
                } else {
                    let _ = writeln!(out, "{pad}-");
                    emit(v, indent + 2, out);
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

/// The small cluster the decision-making targets answer against: two nodes, pods on each
/// referencing secrets, configmaps, claims and a service account, a PV with a secret, a
/// CSINode, a ResourceSlice, a Lease and RBAC granting `system:nodes` a little.
pub const SMALL_CLUSTER: &str = r#"
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: ns}}
- {apiVersion: v1, kind: Node, metadata: {name: n1, labels: {kubernetes.io/hostname: n1}}}
- {apiVersion: v1, kind: Node, metadata: {name: n2}}
- apiVersion: v1
  kind: Pod
  metadata: {name: p1, namespace: ns, uid: 7b0e8c1a-0000-4000-8000-000000000001, labels: {app: a}}
  spec:
    nodeName: n1
    serviceAccountName: sa
    volumes:
    - {name: s, secret: {secretName: s1}}
    - {name: c, configMap: {name: c1}}
    - {name: v, persistentVolumeClaim: {claimName: pvc1}}
    - {name: e, ephemeral: {volumeClaimTemplate: {spec: {}}}}
    containers:
    - name: c
      envFrom: [{secretRef: {name: s2}}]
    resourceClaims: [{name: r, resourceClaimName: rc1}]
- apiVersion: v1
  kind: Pod
  metadata: {name: p2, namespace: ns, uid: u2}
  spec: {nodeName: n2, volumes: [{name: s, secret: {secretName: s1}}]}
- {apiVersion: v1, kind: Secret, metadata: {name: s1, namespace: ns}, type: Opaque}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: sa, namespace: ns}}
- {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: pvc1, namespace: ns}, spec: {volumeName: pv1}}
- apiVersion: v1
  kind: PersistentVolume
  metadata: {name: pv1}
  spec:
    claimRef: {name: pvc1, namespace: ns}
    csi: {driver: d, volumeHandle: h, nodePublishSecretRef: {name: s3, namespace: ns}}
- apiVersion: storage.k8s.io/v1
  kind: VolumeAttachment
  metadata: {name: va1}
  spec: {attacher: d, nodeName: n1, source: {persistentVolumeName: pv1}}
- {apiVersion: storage.k8s.io/v1, kind: CSINode, metadata: {name: n1}, spec: {drivers: [{name: d, nodeID: n1}]}}
- {apiVersion: storage.k8s.io/v1, kind: CSIDriver, metadata: {name: d}, spec: {}}
- {apiVersion: coordination.k8s.io/v1, kind: Lease, metadata: {name: n1, namespace: kube-node-lease}}
- apiVersion: resource.k8s.io/v1
  kind: ResourceSlice
  metadata: {name: rs1}
  spec: {nodeName: n1, driver: d, pool: {name: p, generation: 1, resourceSliceCount: 1}}
- {apiVersion: resource.k8s.io/v1, kind: ResourceClaim, metadata: {name: rc1, namespace: ns}}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: reader, labels: {agg: "true"}}
  rules: [{verbs: [get, list], apiGroups: [""], resources: [pods, nodes, nodes/status]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: aggregate}
  aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: "true"}}]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata: {name: nodes-read}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregate}
  subjects: [{kind: Group, name: "system:nodes", apiGroup: rbac.authorization.k8s.io}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: edit, namespace: ns}
  rules: [{verbs: ["*"], apiGroups: [""], resources: [secrets], resourceNames: [s1]}]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: edit, namespace: ns}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: edit}
  subjects: [{kind: ServiceAccount, name: sa}, {kind: User, name: alice}]
"#;

/// The small cluster, built once.
pub fn small_state() -> &'static ClusterState {
    static STATE: OnceLock<ClusterState> = OnceLock::new();
    STATE.get_or_init(|| {
        let snapshot = kauthz_core::snapshot::parse_text("small.yaml", SMALL_CLUSTER).expect("the fixed cluster parses");
        ClusterState::from_objects(snapshot.objects)
    })
}

/// kube-apiserver's default chain (`Node,RBAC`).
pub fn default_chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(|| Chain::from_modes("Node,RBAC", None).expect("default modes"))
}

/// A handful of requests touching every authorizer's branches over [`SMALL_CLUSTER`].
pub fn probe_requests() -> Vec<Attributes> {
    let node = |n: &str| UserInfo::new(format!("system:node:{n}"), ["system:nodes", "system:authenticated"]);
    let mut out = vec![
        Attributes::resource(node("n1"), "get", "secrets", "ns", "s1"),
        Attributes::resource(node("n2"), "get", "secrets", "ns", "s2"),
        Attributes::resource(node("n1"), "get", "persistentvolumes", "", "pv1"),
        Attributes::resource(node("n1"), "get", "configmaps", "ns", "c1"),
        Attributes::resource(node("n1"), "list", "pods", "", ""),
        Attributes::resource(UserInfo::new("alice", ["g"]), "delete", "secrets", "ns", "s1"),
        Attributes::resource(UserInfo::new("system:serviceaccount:ns:sa", ["system:serviceaccounts"]), "get", "secrets", "ns", "s1"),
        Attributes::non_resource(UserInfo::new("bob", ["system:masters"]), "get", "/healthz"),
    ];
    let mut rc = Attributes::resource(node("n1"), "get", "resourceclaims", "ns", "rc1");
    rc.api_group = "resource.k8s.io".into();
    out.push(rc);
    out
}

/// Picks one of `pool` or, rarely, an arbitrary string: names from a small pool make
/// references between generated objects meet; free strings reach the odd cases.
pub fn pick(u: &mut Unstructured, pool: &[&str]) -> arbitrary::Result<String> {
    if u.ratio(1, 8)? { String::arbitrary(u) } else { Ok((*u.choose(pool)?).to_string()) }
}

/// A JSON scalar of any type, biased to strings (a wrong type where a string belongs
/// checks that the error names the field).
pub fn any_scalar(u: &mut Unstructured) -> arbitrary::Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => json!(i64::arbitrary(u)?),
        3 => json!([]),
        _ => Value::String(String::arbitrary(u)?),
    })
}

/// Sets `path` (dot-separated keys) in a JSON object tree, creating objects on the way.
pub fn set_path(value: &mut Value, path: &[&str], leaf: Value) {
    let mut cur = value;
    for (i, key) in path.iter().enumerate() {
        let Value::Object(map) = cur else { return };
        if i + 1 == path.len() {
            map.insert((*key).to_string(), leaf);
            return;
        }
        cur = map.entry((*key).to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Names the generators choose from.
/// Pod `p1`'s uid in [`SMALL_CLUSTER`]: a lowercase UUID, as the apiserver assigns.
pub const UUID: &str = "7b0e8c1a-0000-4000-8000-000000000001";
/// [`UUID`] in uppercase: the same UUID but, to upstream's string compare, another uid.
pub const UUID_UPPER: &str = "7B0E8C1A-0000-4000-8000-000000000001";

pub const NAMES: &[&str] = &["n1", "n2", "p1", "s1", "s2", "c1", "pvc1", "pv1", "sa", "rc1", "d", "va1", "rs1", "x", "default"];
/// Namespaces the generators choose from.
pub const NAMESPACES: &[&str] = &["ns", "default", "kube-system", "kube-node-lease", ""];

fn name_ref(u: &mut Unstructured, key: &str) -> arbitrary::Result<Value> {
    Ok(json!({ key: pick(u, NAMES)? }))
}

fn pod_volume(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let name = pick(u, &["v", "w"])?;
    let mut v = json!({"name": name});
    let (key, body) = volume_source(u)?;
    v[key] = body;
    // Sometimes a second source in the same volume (the apiserver refuses it; a file may
    // hold it): kauthz stores such volumes whole and must write both back.
    if u.ratio(1, 4)? {
        let (key, body) = volume_source(u)?;
        v[key] = body;
    }
    Ok(v)
}

fn volume_source(u: &mut Unstructured) -> arbitrary::Result<(&'static str, Value)> {
    Ok(match u.int_in_range(0..=11)? {
        0 => ("secret", json!({"secretName": pick(u, NAMES)?})),
        1 => ("configMap", name_ref(u, "name")?),
        2 => ("persistentVolumeClaim", json!({"claimName": pick(u, NAMES)?})),
        3 => ("ephemeral", json!({"volumeClaimTemplate": {"spec": {}}})),
        4 => (
            "projected",
            json!({"sources": [
                {"secret": {"name": pick(u, NAMES)?}},
                {"configMap": {"name": pick(u, NAMES)?}},
                {"serviceAccountToken": {"path": "t"}},
                {"clusterTrustBundle": {"name": pick(u, NAMES)?, "path": "b"}}
            ]}),
        ),
        5 => ("csi", json!({"driver": "d", "nodePublishSecretRef": {"name": pick(u, NAMES)?}})),
        6 => ("azureFile", json!({"secretName": pick(u, NAMES)?, "shareName": "s"})),
        7 => ("cephfs", json!({"monitors": ["m"], "secretRef": {"name": pick(u, NAMES)?}})),
        8 => ("hostPath", json!({"path": "/var/log"})),
        9 => ("downwardAPI", json!({"items": []})),
        10 => ("nfs", json!({"server": "s", "path": "/"})),
        _ => ("emptyDir", json!({})),
    })
}

fn container(u: &mut Unstructured) -> arbitrary::Result<Value> {
    Ok(json!({
        "name": pick(u, &["c", "d"])?,
        "envFrom": [{"secretRef": {"name": pick(u, NAMES)?}}, {"configMapRef": {"name": pick(u, NAMES)?}}],
        "env": [
            {"name": "A", "valueFrom": {"secretKeyRef": {"name": pick(u, NAMES)?, "key": "k"}}},
            {"name": "B", "valueFrom": {"configMapKeyRef": {"name": pick(u, NAMES)?, "key": "k"}}},
            // Dropped when decoding: no check reads them.
            {"name": "C", "value": "plain"},
            {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
        ]
    }))
}

fn rules(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let n = u.int_in_range(0..=3)?;
    let mut out = Vec::new();
    for _ in 0..n {
        let verbs = vec![pick(u, &["get", "list", "watch", "create", "update", "delete", "*"])?];
        if u.ratio(1, 4)? {
            out.push(json!({"verbs": verbs, "nonResourceURLs": [pick(u, &["/healthz", "/api/*", "*", "/metrics"])?]}));
        } else {
            out.push(json!({
                "verbs": verbs,
                "apiGroups": [pick(u, &["", "*", "storage.k8s.io", "resource.k8s.io"])?],
                "resources": [pick(u, &["pods", "secrets", "nodes", "nodes/status", "*", "pods/*", "configmaps"])?],
                "resourceNames": if u.arbitrary()? { vec![pick(u, NAMES)?] } else { vec![] },
            }));
        }
    }
    Ok(Value::Array(out))
}

fn subjects(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let n = u.int_in_range(0..=3)?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(match u.int_in_range(0..=3)? {
            0 => json!({"kind": "User", "name": pick(u, &["alice", "system:node:n1", "bob"])?, "apiGroup": "rbac.authorization.k8s.io"}),
            1 => json!({"kind": "Group", "name": pick(u, &["system:nodes", "system:authenticated", "g"])?, "apiGroup": "rbac.authorization.k8s.io"}),
            2 => json!({"kind": "ServiceAccount", "name": pick(u, NAMES)?, "namespace": pick(u, NAMESPACES)?}),
            _ => json!({"kind": pick(u, &["Other", "user"])?, "name": "z"}),
        });
    }
    Ok(Value::Array(out))
}

/// A plausible document of `kind` (valid: it decodes), its names drawn from [`NAMES`] so
/// that generated objects reference each other.
pub fn gen_object(u: &mut Unstructured, kind: Kind) -> arbitrary::Result<Value> {
    let mut name = pick(u, NAMES)?;
    if name.is_empty() {
        name = "x".into();
    }
    let mut meta = json!({"name": name});
    if kind.namespaced() || u.ratio(1, 8)? {
        meta["namespace"] = pick(u, NAMESPACES)?.into();
    }
    if u.arbitrary()? {
        meta["labels"] = json!({ pick(u, &["agg", "app", "kubernetes.io/hostname"])?: pick(u, &["true", "a", ""])? });
    }
    if u.ratio(1, 4)? {
        // Free-form uids, the apiserver's lowercase UUIDs (stored packed) and the same UUID in
        // uppercase (a different uid).
        meta["uid"] = pick(u, &["u1", "u2", UUID, UUID_UPPER])?.into();
    }
    let mut v = json!({"apiVersion": kind.api_version(), "kind": kind.name(), "metadata": meta});
    match kind {
        Kind::Pod => {
            let nvol = u.int_in_range(0..=3)?;
            let volumes = (0..nvol).map(|_| pod_volume(u)).collect::<arbitrary::Result<Vec<_>>>()?;
            let mut spec = json!({
                "nodeName": pick(u, NAMES)?,
                "serviceAccountName": pick(u, NAMES)?,
                "volumes": volumes,
                "containers": [container(u)?],
            });
            if u.arbitrary()? {
                spec["initContainers"] = json!([container(u)?]);
            }
            if u.arbitrary()? {
                spec["ephemeralContainers"] = json!([container(u)?]);
            }
            if u.arbitrary()? {
                spec["resourceClaims"] = json!([
                    {"name": "r", "resourceClaimName": pick(u, NAMES)?},
                    {"name": "t", "resourceClaimTemplateName": pick(u, NAMES)?}
                ]);
                v["status"] = json!({"resourceClaimStatuses": [{"name": "t", "resourceClaimName": pick(u, NAMES)?}]});
            }
            v["spec"] = spec;
        }
        Kind::Node => v["spec"] = json!({"podCIDR": "10.0.0.0/24"}),
        Kind::Secret => {
            v["type"] = "Opaque".into();
            v["data"] = json!({"k": "dg=="});
        }
        Kind::ConfigMap => v["data"] = json!({"k": "v"}),
        Kind::PersistentVolumeClaim => v["spec"] = json!({"volumeName": pick(u, NAMES)?}),
        Kind::PersistentVolume => {
            let mut spec = json!({"claimRef": {"name": pick(u, NAMES)?, "namespace": pick(u, NAMESPACES)?}});
            match u.int_in_range(0..=3)? {
                0 => {
                    spec["csi"] = json!({"driver": "d", "volumeHandle": "h", "nodePublishSecretRef": {"name": pick(u, NAMES)?, "namespace": pick(u, NAMESPACES)?}, "controllerExpandSecretRef": {"name": pick(u, NAMES)?, "namespace": "ns"}})
                }
                1 => spec["azureFile"] = json!({"secretName": pick(u, NAMES)?, "shareName": "s", "secretNamespace": pick(u, NAMESPACES)?}),
                2 => spec["flexVolume"] = json!({"driver": "f", "secretRef": {"name": pick(u, NAMES)?, "namespace": "ns"}}),
                _ => {}
            }
            v["spec"] = spec;
        }
        Kind::VolumeAttachment => {
            v["spec"] = json!({"attacher": "d", "nodeName": pick(u, NAMES)?, "source": {"persistentVolumeName": pick(u, NAMES)?}})
        }
        Kind::CsiNode => v["spec"] = json!({"drivers": [{"name": "d", "nodeID": pick(u, NAMES)?}]}),
        Kind::CsiDriver => v["spec"] = json!({"attachRequired": bool::arbitrary(u)?}),
        Kind::Lease => v["spec"] = json!({"holderIdentity": pick(u, NAMES)?}),
        Kind::ResourceClaim => v["spec"] = json!({}),
        Kind::ResourceSlice => {
            v["spec"] = json!({"driver": "d", "nodeName": pick(u, NAMES)?, "pool": {"name": "p", "generation": 1, "resourceSliceCount": 1}})
        }
        Kind::PodCertificateRequest => {
            v["spec"] = json!({"signerName": "x/y", "podName": pick(u, NAMES)?, "podUID": "u1", "serviceAccountName": pick(u, NAMES)?,
                "serviceAccountUID": "s", "nodeName": pick(u, NAMES)?, "nodeUID": "n", "pkixPublicKey": "AA==", "proofOfPossession": "AA=="})
        }
        Kind::Role | Kind::ClusterRole => {
            v["rules"] = rules(u)?;
            if kind == Kind::ClusterRole && u.ratio(1, 4)? {
                v["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {"agg": "true"}}]});
            }
        }
        Kind::RoleBinding | Kind::ClusterRoleBinding => {
            let ref_kind = if kind == Kind::RoleBinding && u.arbitrary()? { "Role" } else { "ClusterRole" };
            v["roleRef"] =
                json!({"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": pick(u, &["reader", "aggregate", "edit", "x"])?});
            v["subjects"] = subjects(u)?;
        }
        Kind::Namespace | Kind::ServiceAccount => {}
    }
    Ok(v)
}
