//! The lean object model: only the fields an authorizer or admission check reads.
//!
//! Objects deserialize from what `kubectl get -o json|yaml` writes; every other field is
//! ignored on purpose, and secret and configmap payloads (`data`, `stringData`,
//! `binaryData`) have no field here at all, so they can never be stored or printed.

mod core;
mod rbac;
mod storage;
mod values;

use serde::{Deserialize, Serialize};

pub use self::core::*;
pub use self::rbac::*;
pub use self::storage::*;
pub use self::values::{Quantity, Time};

/// Object metadata kauthz keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name.
    pub name: String,
    /// Name prefix the apiserver completes on create (admission errors name it when the
    /// name is still empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub generate_name: String,
    /// Namespace; empty for cluster-scoped objects.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Unique id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Labels.
    #[serde(skip_serializing_if = "StringMap::is_empty")]
    pub labels: StringMap,
    /// Annotations (mirror pods are marked by `kubernetes.io/config.mirror`).
    #[serde(skip_serializing_if = "StringMap::is_empty")]
    pub annotations: StringMap,
    /// Owner references.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<OwnerReference>,
}

/// A small string-to-string map (labels, annotations) kept as a sorted vector: objects carry
/// a handful of entries, and a vector costs a fraction of a tree's nodes per object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StringMap(Vec<(String, String)>);

impl StringMap {
    /// An empty map.
    pub fn new() -> Self {
        StringMap(Vec::new())
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| &self.0[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
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

impl FromIterator<(String, String)> for StringMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
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
                let mut entries: Vec<(String, String)> = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, String>()? {
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

/// A reference to an owning object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OwnerReference {
    /// API version of the owner.
    pub api_version: String,
    /// Kind of the owner.
    pub kind: String,
    /// Name of the owner.
    pub name: String,
    /// Uid of the owner.
    pub uid: String,
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
    pub name: String,
}

/// A `{name, namespace}` reference (SecretReference).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamespacedRef {
    /// The referenced name.
    pub name: String,
    /// The referenced namespace; may be empty.
    pub namespace: String,
}

/// Every kind kauthz understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// v1 Namespace
    Namespace,
    /// v1 Node
    Node,
    /// v1 Pod
    Pod,
    /// v1 Secret (metadata only)
    Secret,
    /// v1 ConfigMap (metadata only)
    ConfigMap,
    /// v1 ServiceAccount
    ServiceAccount,
    /// v1 PersistentVolumeClaim
    PersistentVolumeClaim,
    /// v1 PersistentVolume
    PersistentVolume,
    /// storage.k8s.io VolumeAttachment
    VolumeAttachment,
    /// storage.k8s.io CSINode
    CsiNode,
    /// storage.k8s.io CSIDriver
    CsiDriver,
    /// coordination.k8s.io Lease
    Lease,
    /// resource.k8s.io ResourceClaim
    ResourceClaim,
    /// resource.k8s.io ResourceSlice
    ResourceSlice,
    /// certificates.k8s.io PodCertificateRequest
    PodCertificateRequest,
    /// rbac.authorization.k8s.io Role
    Role,
    /// rbac.authorization.k8s.io ClusterRole
    ClusterRole,
    /// rbac.authorization.k8s.io RoleBinding
    RoleBinding,
    /// rbac.authorization.k8s.io ClusterRoleBinding
    ClusterRoleBinding,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 19] = [
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::Secret,
        Kind::ConfigMap,
        Kind::ServiceAccount,
        Kind::PersistentVolumeClaim,
        Kind::PersistentVolume,
        Kind::VolumeAttachment,
        Kind::CsiNode,
        Kind::CsiDriver,
        Kind::Lease,
        Kind::ResourceClaim,
        Kind::ResourceSlice,
        Kind::PodCertificateRequest,
        Kind::Role,
        Kind::ClusterRole,
        Kind::RoleBinding,
        Kind::ClusterRoleBinding,
    ];

    /// Looks up a kind by its `apiVersion` group and `kind` name; `None` for kinds kauthz skips.
    pub fn from_type(api_version: &str, kind: &str) -> Option<Kind> {
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let k = match (group, kind) {
            ("", "Namespace") => Kind::Namespace,
            ("", "Node") => Kind::Node,
            ("", "Pod") => Kind::Pod,
            ("", "Secret") => Kind::Secret,
            ("", "ConfigMap") => Kind::ConfigMap,
            ("", "ServiceAccount") => Kind::ServiceAccount,
            ("", "PersistentVolumeClaim") => Kind::PersistentVolumeClaim,
            ("", "PersistentVolume") => Kind::PersistentVolume,
            ("storage.k8s.io", "VolumeAttachment") => Kind::VolumeAttachment,
            ("storage.k8s.io", "CSINode") => Kind::CsiNode,
            ("storage.k8s.io", "CSIDriver") => Kind::CsiDriver,
            ("coordination.k8s.io", "Lease") => Kind::Lease,
            ("resource.k8s.io", "ResourceClaim") => Kind::ResourceClaim,
            ("resource.k8s.io", "ResourceSlice") => Kind::ResourceSlice,
            ("certificates.k8s.io", "PodCertificateRequest") => Kind::PodCertificateRequest,
            ("rbac.authorization.k8s.io", "Role") => Kind::Role,
            ("rbac.authorization.k8s.io", "ClusterRole") => Kind::ClusterRole,
            ("rbac.authorization.k8s.io", "RoleBinding") => Kind::RoleBinding,
            ("rbac.authorization.k8s.io", "ClusterRoleBinding") => Kind::ClusterRoleBinding,
            _ => return None,
        };
        Some(k)
    }

    /// The kind's name as Kubernetes spells it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::Secret => "Secret",
            Kind::ConfigMap => "ConfigMap",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::VolumeAttachment => "VolumeAttachment",
            Kind::CsiNode => "CSINode",
            Kind::CsiDriver => "CSIDriver",
            Kind::Lease => "Lease",
            Kind::ResourceClaim => "ResourceClaim",
            Kind::ResourceSlice => "ResourceSlice",
            Kind::PodCertificateRequest => "PodCertificateRequest",
            Kind::Role => "Role",
            Kind::ClusterRole => "ClusterRole",
            Kind::RoleBinding => "RoleBinding",
            Kind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }

    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(self) -> bool {
        !matches!(
            self,
            Kind::Namespace
                | Kind::Node
                | Kind::PersistentVolume
                | Kind::VolumeAttachment
                | Kind::CsiNode
                | Kind::CsiDriver
                | Kind::ResourceSlice
                | Kind::ClusterRole
                | Kind::ClusterRoleBinding
        )
    }
}

/// A decoded object of a known kind.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Object {
    Namespace(Namespace),
    Node(Node),
    Pod(Box<Pod>),
    Secret(Secret),
    ConfigMap(ConfigMap),
    ServiceAccount(ServiceAccount),
    PersistentVolumeClaim(PersistentVolumeClaim),
    PersistentVolume(Box<PersistentVolume>),
    VolumeAttachment(VolumeAttachment),
    CsiNode(CsiNode),
    CsiDriver(CsiDriver),
    Lease(Lease),
    ResourceClaim(ResourceClaim),
    ResourceSlice(ResourceSlice),
    PodCertificateRequest(PodCertificateRequest),
    Role(Role),
    ClusterRole(ClusterRole),
    RoleBinding(RoleBinding),
    ClusterRoleBinding(ClusterRoleBinding),
}

macro_rules! dispatch {
    ($self:expr, $o:ident => $e:expr) => {
        match $self {
            Object::Namespace($o) => $e,
            Object::Node($o) => $e,
            Object::Pod($o) => $e,
            Object::Secret($o) => $e,
            Object::ConfigMap($o) => $e,
            Object::ServiceAccount($o) => $e,
            Object::PersistentVolumeClaim($o) => $e,
            Object::PersistentVolume($o) => $e,
            Object::VolumeAttachment($o) => $e,
            Object::CsiNode($o) => $e,
            Object::CsiDriver($o) => $e,
            Object::Lease($o) => $e,
            Object::ResourceClaim($o) => $e,
            Object::ResourceSlice($o) => $e,
            Object::PodCertificateRequest($o) => $e,
            Object::Role($o) => $e,
            Object::ClusterRole($o) => $e,
            Object::RoleBinding($o) => $e,
            Object::ClusterRoleBinding($o) => $e,
        }
    };
}

impl Object {
    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        dispatch!(self, o => &o.metadata)
    }

    /// The object's metadata, mutably.
    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        dispatch!(self, o => &mut o.metadata)
    }

    /// The object's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Node(_) => Kind::Node,
            Object::Pod(_) => Kind::Pod,
            Object::Secret(_) => Kind::Secret,
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::ServiceAccount(_) => Kind::ServiceAccount,
            Object::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim,
            Object::PersistentVolume(_) => Kind::PersistentVolume,
            Object::VolumeAttachment(_) => Kind::VolumeAttachment,
            Object::CsiNode(_) => Kind::CsiNode,
            Object::CsiDriver(_) => Kind::CsiDriver,
            Object::Lease(_) => Kind::Lease,
            Object::ResourceClaim(_) => Kind::ResourceClaim,
            Object::ResourceSlice(_) => Kind::ResourceSlice,
            Object::PodCertificateRequest(_) => Kind::PodCertificateRequest,
            Object::Role(_) => Kind::Role,
            Object::ClusterRole(_) => Kind::ClusterRole,
            Object::RoleBinding(_) => Kind::RoleBinding,
            Object::ClusterRoleBinding(_) => Kind::ClusterRoleBinding,
        }
    }

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
    pub fn from_value(kind: Kind, value: serde_json::Value) -> Result<Object, String> {
        let mut track = serde_path_to_error::Track::new();
        Object::deserialize_kind(kind, serde_path_to_error::Deserializer::new(value, &mut track)).map_err(|e| {
            let path = track.path().to_string();
            if path == "." { e.to_string() } else { format!("field {path}: {e}") }
        })
    }

    /// Decodes the struct for `kind` from any deserializer.
    pub fn deserialize_kind<'de, D: serde::Deserializer<'de>>(kind: Kind, d: D) -> Result<Object, D::Error> {
        Ok(match kind {
            Kind::Namespace => Object::Namespace(Deserialize::deserialize(d)?),
            Kind::Node => Object::Node(Deserialize::deserialize(d)?),
            Kind::Pod => Object::Pod(Box::new(Deserialize::deserialize(d)?)),
            Kind::Secret => Object::Secret(Deserialize::deserialize(d)?),
            Kind::ConfigMap => Object::ConfigMap(Deserialize::deserialize(d)?),
            Kind::ServiceAccount => Object::ServiceAccount(Deserialize::deserialize(d)?),
            Kind::PersistentVolumeClaim => Object::PersistentVolumeClaim(Deserialize::deserialize(d)?),
            Kind::PersistentVolume => Object::PersistentVolume(Box::new(Deserialize::deserialize(d)?)),
            Kind::VolumeAttachment => Object::VolumeAttachment(Deserialize::deserialize(d)?),
            Kind::CsiNode => Object::CsiNode(Deserialize::deserialize(d)?),
            Kind::CsiDriver => Object::CsiDriver(Deserialize::deserialize(d)?),
            Kind::Lease => Object::Lease(Deserialize::deserialize(d)?),
            Kind::ResourceClaim => Object::ResourceClaim(Deserialize::deserialize(d)?),
            Kind::ResourceSlice => Object::ResourceSlice(Deserialize::deserialize(d)?),
            Kind::PodCertificateRequest => Object::PodCertificateRequest(Deserialize::deserialize(d)?),
            Kind::Role => Object::Role(Deserialize::deserialize(d)?),
            Kind::ClusterRole => Object::ClusterRole(Deserialize::deserialize(d)?),
            Kind::RoleBinding => Object::RoleBinding(Deserialize::deserialize(d)?),
            Kind::ClusterRoleBinding => Object::ClusterRoleBinding(Deserialize::deserialize(d)?),
        })
    }
}

/// Identity of an object in the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// Kind.
    pub kind: Kind,
    /// Namespace (empty for cluster-scoped kinds).
    pub namespace: String,
    /// Name.
    pub name: String,
}
