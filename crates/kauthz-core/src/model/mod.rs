//! The lean object model: only the fields an authorizer or admission check reads.
//!
//! Objects deserialize from what `kubectl get -o json|yaml` writes; every other field is
//! ignored on purpose, and secret and configmap payloads (`data`, `stringData`,
//! `binaryData`) have no field here at all, so they can never be stored or printed.

mod core;
pub(crate) mod quantity;
mod rbac;
mod storage;
mod uid;
pub(crate) mod values;

use serde::{Deserialize, Serialize};

/// The model's string type for names, namespaces, uids, label keys and values and the like:
/// strings of up to 24 bytes are stored inline, so most of a pod's twenty-odd strings need
/// no heap allocation of their own (a million-pod snapshot held tens of millions of them).
pub use compact_str::CompactString;

pub use self::core::*;
pub use self::quantity::QuantityError;
pub use self::rbac::*;
pub use self::storage::*;
pub use self::uid::Uid;
pub use self::values::{Quantity, Time};

/// Object metadata kauthz keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name.
    pub name: CompactString,
    /// Name prefix the apiserver completes on create (admission errors name it when the
    /// name is still empty).
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub generate_name: CompactString,
    /// Namespace; empty for cluster-scoped objects.
    #[serde(skip_serializing_if = "CompactString::is_empty")]
    pub namespace: CompactString,
    /// Unique id.
    #[serde(skip_serializing_if = "Uid::is_empty")]
    pub uid: Uid,
    /// Labels.
    #[serde(skip_serializing_if = "StringMap::is_empty")]
    pub labels: StringMap,
    /// Annotations (mirror pods are marked by `kubernetes.io/config.mirror`).
    #[serde(skip_serializing_if = "StringMap::is_empty")]
    pub annotations: StringMap,
    /// Owner references.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub owner_references: Vec<OwnerReference>,
}

/// A small string-to-string map (labels, annotations) kept as a sorted vector: objects carry
/// a handful of entries, and a vector costs a fraction of a tree's nodes per object. Keys and
/// values are [`CompactString`]s: most label keys and values fit inline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StringMap(Vec<(CompactString, CompactString)>);

impl StringMap {
    /// An empty map.
    pub fn new() -> Self {
        StringMap(Vec::new())
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| self.0[i].1.as_str())
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<CompactString>, value: impl Into<CompactString>) -> Option<CompactString> {
        let (key, value) = (key.into(), value.into());
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<CompactString>, V: Into<CompactString>> FromIterator<(K, V)> for StringMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = StringMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl Serialize for StringMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StringMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<StringMap, A::Error> {
                let mut entries: Vec<(CompactString, CompactString)> = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<CompactString, CompactString>()? {
                    entries.push(entry);
                }
                // Later duplicates win, as in a JSON object decoded by Go.
                entries.reverse();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries.dedup_by(|a, b| a.0 == b.0);
                entries.shrink_to_fit();
                Ok(StringMap(entries))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// Deserializes a vector without the spare capacity its doubling growth left (a decoder
/// does not know a JSON array's length in advance): a one-volume pod would otherwise keep
/// room for four. Used as `deserialize_with` on the model's vector fields.
pub(crate) fn shrunk_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut v = Vec::<T>::deserialize(deserializer)?;
    v.shrink_to_fit();
    Ok(v)
}

/// A reference to an owning object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OwnerReference {
    /// API version of the owner.
    pub api_version: CompactString,
    /// Kind of the owner.
    pub kind: CompactString,
    /// Name of the owner.
    pub name: CompactString,
    /// Uid of the owner.
    pub uid: Uid,
    /// Whether this owner is the managing controller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    /// Whether deleting the owner waits for this object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// A `{name: ...}` reference (LocalObjectReference and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NameRef {
    /// The referenced name.
    pub name: CompactString,
}

/// A `{name, namespace}` reference (SecretReference).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamespacedRef {
    /// The referenced name.
    pub name: CompactString,
    /// The referenced namespace; may be empty.
    pub namespace: CompactString,
}

/// Defines [`Kind`], [`Object`] and everything that maps between them from one table, so a
/// kind is written down once.
macro_rules! kinds {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($object:ty) = $group:literal / $name:literal, $plural:literal, $scope:ident, [$($version:literal),+];
    )+) => {
        /// Every kind kauthz understands.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $($(#[doc = $doc])* $variant,)+
        }

        impl Kind {
            /// Every kind, in declaration order (the order a snapshot lists them).
            pub const ALL: [Kind; [$(Kind::$variant),+].len()] = [$(Kind::$variant),+];

            /// Looks up a kind by its `apiVersion` group and `kind` name; `None` for kinds kauthz skips.
            pub fn from_type(api_version: &str, kind: &str) -> Option<Kind> {
                let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
                match (group, kind) {
                    $(($group, $name) => Some(Kind::$variant),)+
                    _ => None,
                }
            }

            /// The kind's name as Kubernetes spells it.
            pub const fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name,)+ }
            }

            /// The API group (`""` for the core group).
            pub const fn group(self) -> &'static str {
                match self { $(Kind::$variant => $group,)+ }
            }

            /// The resource (plural) as URLs and RBAC rules name it.
            pub const fn plural(self) -> &'static str {
                match self { $(Kind::$variant => $plural,)+ }
            }

            /// Versions a v1.37 apiserver may serve the kind at, preferred first.
            pub const fn versions(self) -> &'static [&'static str] {
                match self { $(Kind::$variant => &[$($version),+],)+ }
            }

            /// Whether objects of this kind live in a namespace.
            pub const fn namespaced(self) -> bool {
                match self { $(Kind::$variant => kinds!(@namespaced $scope),)+ }
            }
        }

        /// A decoded object of a known kind. Every variant is boxed, so an `Object` is a tag
        /// and a pointer (16 bytes) and each object costs its own kind's size, not the
        /// largest kind's: a snapshot of a million objects holds them in one vector.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs)]
        pub enum Object {
            $($variant(Box<$object>),)+
        }

        impl Object {
            /// The object's metadata.
            pub fn meta(&self) -> &ObjectMeta {
                match self { $(Object::$variant(o) => &o.metadata,)+ }
            }

            /// The object's metadata, mutably.
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Object::$variant(o) => &mut o.metadata,)+ }
            }

            /// The object's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Object::$variant(_) => Kind::$variant,)+ }
            }

            /// Decodes the struct for `kind` from any deserializer.
            pub fn deserialize_kind<'de, D: serde::Deserializer<'de>>(kind: Kind, d: D) -> Result<Object, D::Error> {
                Ok(match kind { $(Kind::$variant => Object::$variant(Box::new(Deserialize::deserialize(d)?)),)+ })
            }
        }

        /// An object serializes as the document it was read from: `apiVersion` and `kind`
        /// (which the model's structs do not hold) followed by the kind's fields.
        impl serde::Serialize for Object {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[derive(serde::Serialize)]
                #[serde(rename_all = "camelCase")]
                struct Document<'a, T> {
                    api_version: String,
                    kind: &'static str,
                    #[serde(flatten)]
                    body: &'a T,
                }
                let kind = self.kind();
                match self {
                    $(Object::$variant(o) => Document { api_version: kind.api_version(), kind: kind.name(), body: &**o }.serialize(serializer),)+
                }
            }
        }
    };
    (@namespaced namespaced) => { true };
    (@namespaced cluster) => { false };
}

kinds! {
    /// v1 Namespace
    Namespace(Namespace) = "" / "Namespace", "namespaces", cluster, ["v1"];
    /// v1 Node
    Node(Node) = "" / "Node", "nodes", cluster, ["v1"];
    /// v1 Pod
    Pod(Pod) = "" / "Pod", "pods", namespaced, ["v1"];
    /// v1 Secret (metadata only)
    Secret(Secret) = "" / "Secret", "secrets", namespaced, ["v1"];
    /// v1 ConfigMap (metadata only)
    ConfigMap(ConfigMap) = "" / "ConfigMap", "configmaps", namespaced, ["v1"];
    /// v1 ServiceAccount
    ServiceAccount(ServiceAccount) = "" / "ServiceAccount", "serviceaccounts", namespaced, ["v1"];
    /// v1 PersistentVolumeClaim
    PersistentVolumeClaim(PersistentVolumeClaim) = "" / "PersistentVolumeClaim", "persistentvolumeclaims", namespaced, ["v1"];
    /// v1 PersistentVolume
    PersistentVolume(PersistentVolume) = "" / "PersistentVolume", "persistentvolumes", cluster, ["v1"];
    /// storage.k8s.io VolumeAttachment
    VolumeAttachment(VolumeAttachment) = "storage.k8s.io" / "VolumeAttachment", "volumeattachments", cluster, ["v1"];
    /// storage.k8s.io CSINode
    CsiNode(CsiNode) = "storage.k8s.io" / "CSINode", "csinodes", cluster, ["v1"];
    /// storage.k8s.io CSIDriver
    CsiDriver(CsiDriver) = "storage.k8s.io" / "CSIDriver", "csidrivers", cluster, ["v1"];
    /// coordination.k8s.io Lease
    Lease(Lease) = "coordination.k8s.io" / "Lease", "leases", namespaced, ["v1"];
    /// resource.k8s.io ResourceClaim
    ResourceClaim(ResourceClaim) = "resource.k8s.io" / "ResourceClaim", "resourceclaims", namespaced, ["v1", "v1beta2", "v1beta1"];
    /// resource.k8s.io ResourceSlice
    ResourceSlice(ResourceSlice) = "resource.k8s.io" / "ResourceSlice", "resourceslices", cluster, ["v1", "v1beta2", "v1beta1"];
    /// certificates.k8s.io PodCertificateRequest
    PodCertificateRequest(PodCertificateRequest) = "certificates.k8s.io" / "PodCertificateRequest", "podcertificaterequests", namespaced, ["v1", "v1beta1", "v1alpha1"];
    /// rbac.authorization.k8s.io Role
    Role(Role) = "rbac.authorization.k8s.io" / "Role", "roles", namespaced, ["v1"];
    /// rbac.authorization.k8s.io ClusterRole
    ClusterRole(ClusterRole) = "rbac.authorization.k8s.io" / "ClusterRole", "clusterroles", cluster, ["v1"];
    /// rbac.authorization.k8s.io RoleBinding
    RoleBinding(RoleBinding) = "rbac.authorization.k8s.io" / "RoleBinding", "rolebindings", namespaced, ["v1"];
    /// rbac.authorization.k8s.io ClusterRoleBinding
    ClusterRoleBinding(ClusterRoleBinding) = "rbac.authorization.k8s.io" / "ClusterRoleBinding", "clusterrolebindings", cluster, ["v1"];
}

impl Kind {
    /// Kinds whose payload (`data`, `stringData`, `binaryData`) kauthz never reads: a live
    /// cluster serves them as metadata only.
    pub const fn metadata_only(self) -> bool {
        matches!(self, Kind::Secret | Kind::ConfigMap)
    }

    /// The `apiVersion` of the preferred served version (`v1`, `storage.k8s.io/v1`, …).
    pub fn api_version(self) -> String {
        match (self.group(), self.versions()[0]) {
            ("", version) => version.to_owned(),
            (group, version) => format!("{group}/{version}"),
        }
    }
}

impl Object {
    /// Identity of the object: kind, namespace and name.
    pub fn key(&self) -> ObjectKey {
        let m = self.meta();
        ObjectKey { kind: self.kind(), namespace: m.namespace.clone(), name: m.name.clone() }
    }

    /// Decodes an object of `kind` directly from JSON text (no intermediate tree).
    pub fn from_json_str(kind: Kind, text: &str) -> Result<Object, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let object = Object::deserialize_kind(kind, &mut de)?;
        de.end()?;
        Ok(object)
    }

    /// Decodes an object of `kind` from a JSON value, reporting the failing field's path.
    /// The value must already have its payload fields removed.
    pub fn from_value(kind: Kind, value: serde_json::Value) -> Result<Object, DecodeError> {
        let mut track = serde_path_to_error::Track::new();
        Object::deserialize_kind(kind, serde_path_to_error::Deserializer::new(value, &mut track)).map_err(|e| {
            let path = track.path().to_string();
            DecodeError { field: (path != ".").then_some(path), reason: e.to_string() }
        })
    }
}

/// Why an object did not decode, and at which field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", field.as_ref().map(|f| format!("field {f}: ")).unwrap_or_default())]
pub struct DecodeError {
    /// Path of the failing field (`spec.volumes[0].secret`), when it is not the object itself.
    pub field: Option<String>,
    /// What the decoder said.
    pub reason: String,
}

/// Identity of an object in the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// Kind.
    pub kind: Kind,
    /// Namespace (empty for cluster-scoped kinds).
    pub namespace: CompactString,
    /// Name.
    pub name: CompactString,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_is_a_tag_and_a_pointer() {
        assert!(std::mem::size_of::<Object>() <= 16, "Object is {} bytes", std::mem::size_of::<Object>());
    }

    #[test]
    fn short_strings_decode_inline() {
        let pod = r#"{"metadata": {"name": "app-12-abcde", "namespace": "ns-7", "uid": "7b0e8c1a-0000-4000-8000-000000000012",
                "labels": {"app": "app-12"}, "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "app-12-5d78c9869d"}]},
            "spec": {"nodeName": "node-3", "containers": [{"name": "app", "envFrom": [{"configMapRef": {"name": "app-config-12"}}]}]}}"#;
        let Object::Pod(pod) = Object::from_json_str(Kind::Pod, pod).expect("decodes") else { panic!("not a pod") };
        let (meta, owner) = (&pod.metadata, &pod.metadata.owner_references[0]);
        let config_map = pod.spec.containers[0].env_from[0].config_map_ref.as_ref().expect("configMapRef");
        for (what, s) in [
            ("name", &meta.name),
            ("namespace", &meta.namespace),
            ("owner apiVersion", &owner.api_version),
            ("owner name", &owner.name),
            ("nodeName", &pod.spec.node_name),
            ("configMapRef", &config_map.name),
        ] {
            assert!(!s.is_heap_allocated(), "{what} {s:?} is on the heap");
        }
        assert_eq!(meta.labels.get("app"), Some("app-12"));
        // A uid is longer than the inline limit: it still decodes whole.
        assert_eq!(meta.uid, "7b0e8c1a-0000-4000-8000-000000000012");
    }

    #[test]
    fn volumes_are_stored_compactly_and_written_back_as_read() {
        assert!(std::mem::size_of::<Volume>() <= 56, "a volume is {} bytes", std::mem::size_of::<Volume>());
        let cases = [
            r#"{"name": "v"}"#,
            r#"{"name": "v", "secret": {"secretName": "s"}}"#,
            r#"{"name": "v", "configMap": {"name": "c"}}"#,
            r#"{"name": "v", "persistentVolumeClaim": {"claimName": "p"}}"#,
            r#"{"name": "v", "projected": {"sources": [{"secret": {"name": "s"}}, {"serviceAccountToken": {}}]}}"#,
            r#"{"name": "v", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "s"}}}"#,
            r#"{"name": "v", "ephemeral": {"volumeClaimTemplate": {}}}"#,
            r#"{"name": "v", "emptyDir": {}}"#,
            r#"{"name": "v", "hostPath": {}}"#,
            r#"{"name": "v", "downwardAPI": {}}"#,
            // A rarer source, and two sources in one volume: kept whole.
            r#"{"name": "v", "cephfs": {"secretRef": {"name": "s"}}}"#,
            r#"{"name": "v", "secret": {"secretName": "s"}, "configMap": {"name": "c"}}"#,
            r#"{"name": "v", "emptyDir": {}, "persistentVolumeClaim": {"claimName": "p"}}"#,
        ];
        for case in cases {
            let fields: VolumeFields = serde_json::from_str(case).expect(case);
            let volume: Volume = serde_json::from_str(case).expect(case);
            assert_eq!(volume.fields(), fields, "{case}");
            assert_eq!(serde_json::to_value(&volume).unwrap(), serde_json::to_value(&fields).unwrap(), "{case}");
            assert_eq!(volume.name, "v");
            assert_eq!(volume.secret(), fields.secret.as_ref(), "{case}");
            assert_eq!(volume.config_map(), fields.config_map.as_ref(), "{case}");
            assert_eq!(volume.persistent_volume_claim(), fields.persistent_volume_claim.as_ref(), "{case}");
            assert_eq!(volume.projected(), fields.projected.as_ref(), "{case}");
            assert_eq!(volume.csi(), fields.csi.as_ref(), "{case}");
            assert_eq!(volume.ephemeral(), fields.ephemeral.as_ref(), "{case}");
            assert_eq!(volume.empty_dir(), fields.empty_dir.as_ref(), "{case}");
            assert_eq!(volume.host_path(), fields.host_path.as_ref(), "{case}");
            assert_eq!(volume.downward_api(), fields.downward_api.as_ref(), "{case}");
            assert_eq!(volume.cephfs(), fields.cephfs.as_ref(), "{case}");
            assert_eq!(Volume::from(fields), volume, "{case}");
        }
    }

    #[test]
    fn decoded_vectors_keep_no_spare_capacity() {
        let pod = r#"{"metadata": {"name": "p", "ownerReferences": [{"name": "rs"}]},
            "spec": {"imagePullSecrets": [{"name": "pull"}],
                "containers": [{"name": "c", "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s"}}}, {"name": "B", "value": "b"},
                    {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "c"}}}, {"name": "D", "valueFrom": {"fieldRef": {}}}], "envFrom": [{}]}],
                "volumes": [{"name": "v", "projected": {"sources": [{}, {}, {}]}}]}}"#;
        let Object::Pod(pod) = Object::from_json_str(Kind::Pod, pod).expect("decodes") else { panic!("not a pod") };
        let spec = &pod.spec;
        let volume = &spec.volumes[0];
        let sources = &volume.projected().expect("projected").sources;
        let container = &spec.containers[0];
        // Only the variables that name a secret or configmap are kept.
        let env: Vec<&str> = container.env.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(env, ["A", "C"]);
        for (what, len, cap) in [
            ("ownerReferences", pod.metadata.owner_references.len(), pod.metadata.owner_references.capacity()),
            ("imagePullSecrets", spec.image_pull_secrets.len(), spec.image_pull_secrets.capacity()),
            ("containers", spec.containers.len(), spec.containers.capacity()),
            ("env", container.env.len(), container.env.capacity()),
            ("envFrom", container.env_from.len(), container.env_from.capacity()),
            ("volumes", spec.volumes.len(), spec.volumes.capacity()),
            ("sources", sources.len(), sources.capacity()),
        ] {
            assert_eq!(cap, len, "{what}: capacity {cap} for {len} elements");
        }
        let role = r#"{"metadata": {"name": "r"}, "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]}"#;
        let Object::ClusterRole(role) = Object::from_json_str(Kind::ClusterRole, role).expect("decodes") else { panic!("not a role") };
        assert_eq!(role.rules.capacity(), 1);
        assert_eq!(role.rules[0].verbs.capacity(), 1);
    }

    #[test]
    fn objects_serialize_as_their_documents() {
        let text = r#"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n1","namespace":"kube-node-lease"}}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let lease = Object::deserialize_kind(Kind::Lease, &value).unwrap();
        let written = serde_json::to_value(&lease).unwrap();
        assert_eq!(written["apiVersion"], "coordination.k8s.io/v1");
        assert_eq!(written["kind"], "Lease");
        assert_eq!(written["metadata"]["name"], "n1");
        assert_eq!(Object::deserialize_kind(Kind::Lease, &written).unwrap(), lease);
    }

    #[test]
    fn api_versions_round_trip_through_from_type() {
        assert_eq!(Kind::Pod.api_version(), "v1");
        assert_eq!(Kind::Lease.api_version(), "coordination.k8s.io/v1");
        for kind in Kind::ALL {
            assert_eq!(Kind::from_type(&kind.api_version(), kind.name()), Some(kind));
        }
    }
}
