//! Admission: the `admission.k8s.io/v1` AdmissionReview interface and the NodeRestriction
//! plugin (upstream `plugin/pkg/admission/noderestriction`).
//!
//! A request is decoded once into typed objects ([`AdmissionRequest`]); the plugin answers
//! with `Ok(())` or an [`AdmissionError`] shaped like the apiserver error upstream's plugin
//! returns, which [`AdmissionError::status`] turns into the `metav1.Status` kube-apiserver
//! would send for it.

mod csitranslation;
pub mod csr;
pub mod difflib;
pub mod noderestriction;
pub mod pvc_diff;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::authz::UserInfo;
use crate::model::{DecodeError, Node, ObjectMeta, Pod, PodCertificateRequest, ResourceSlice};

pub use noderestriction::{NodeRestriction, NodeRestrictionConfig};

/// An admission operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// CREATE
    Create,
    /// UPDATE
    Update,
    /// DELETE
    Delete,
    /// CONNECT
    Connect,
}

impl Operation {
    /// The wire name (`CREATE`, ...), which is also how Go prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }

    fn parse(s: &str) -> Option<Operation> {
        Some(match s {
            "CREATE" => Operation::Create,
            "UPDATE" => Operation::Update,
            "DELETE" => Operation::Delete,
            "CONNECT" => Operation::Connect,
            _ => return None,
        })
    }
}

/// `{group, version, resource}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupVersionResource {
    /// API group; empty for core.
    pub group: String,
    /// Version.
    pub version: String,
    /// Resource (plural).
    pub resource: String,
}

impl GroupVersionResource {
    /// `resource` or `resource.group`, as `schema.GroupResource.String()` prints it.
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() { self.resource.clone() } else { format!("{}.{}", self.resource, self.group) }
    }
}

/// A TokenRequest (`authentication.k8s.io/v1`): the fields NodeRestriction reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TokenRequest {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: TokenRequestSpec,
}

/// TokenRequest spec.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TokenRequestSpec {
    /// Audiences.
    pub audiences: Vec<String>,
    /// The object the token is bound to.
    pub bound_object_ref: Option<BoundObjectReference>,
}

/// `spec.boundObjectRef`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BoundObjectReference {
    /// Kind.
    pub kind: String,
    /// API version.
    pub api_version: String,
    /// Name.
    pub name: String,
    /// Uid.
    #[serde(rename = "uid")]
    pub uid: String,
}

/// A CSINode: metadata and the spec NodeRestriction freezes for status updates.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CsiNodeObject {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: CsiNodeSpec,
}

/// CSINode spec.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CsiNodeSpec {
    /// Drivers.
    pub drivers: Vec<CsiNodeDriver>,
}

/// One CSINode driver.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsiNodeDriver {
    /// Driver name.
    pub name: String,
    /// Node id.
    #[serde(rename = "nodeID")]
    pub node_id: String,
    /// Topology keys.
    pub topology_keys: Vec<String>,
    /// Allocatable volumes.
    pub allocatable: Option<CsiNodeAllocatable>,
}

/// CSINode driver allocatable.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CsiNodeAllocatable {
    /// Volume count.
    pub count: Option<i64>,
}

/// A CertificateSigningRequest: the fields NodeRestriction reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CertificateSigningRequest {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: CsrSpec,
}

/// CSR spec.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsrSpec {
    /// Signer.
    pub signer_name: String,
    /// The PEM request (base64 in JSON).
    #[serde(deserialize_with = "base64_bytes")]
    pub request: Vec<u8>,
}

fn base64_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    use base64::Engine;
    let s: Option<String> = Option::deserialize(d)?;
    match s {
        None => Ok(Vec::new()),
        Some(s) => base64::engine::general_purpose::STANDARD.decode(s.as_bytes()).map_err(serde::de::Error::custom),
    }
}

/// The object of a request, decoded by its `apiVersion` and `kind`.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestObject {
    /// v1 Pod.
    Pod(Box<Pod>),
    /// v1 Node.
    Node(Box<Node>),
    /// policy Eviction (its metadata).
    Eviction(ObjectMeta),
    /// v1 PersistentVolumeClaim: its metadata and the whole object (status updates are
    /// compared field by field).
    PersistentVolumeClaim(ObjectMeta, Box<Value>),
    /// authentication TokenRequest.
    TokenRequest(Box<TokenRequest>),
    /// coordination Lease (its metadata).
    Lease(ObjectMeta),
    /// storage CSINode.
    CsiNode(Box<CsiNodeObject>),
    /// resource ResourceSlice.
    ResourceSlice(Box<ResourceSlice>),
    /// certificates CertificateSigningRequest.
    CertificateSigningRequest(Box<CertificateSigningRequest>),
    /// certificates PodCertificateRequest.
    PodCertificateRequest(Box<PodCertificateRequest>),
    /// Any other kind: only its metadata matters to NodeRestriction.
    Other {
        /// The Go type name upstream's `%T` prints for it, e.g. `*core.ConfigMap`.
        go_type: String,
        /// Metadata.
        metadata: ObjectMeta,
    },
}

impl RequestObject {
    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            RequestObject::Pod(o) => &o.metadata,
            RequestObject::Node(o) => &o.metadata,
            RequestObject::Eviction(m) | RequestObject::Lease(m) | RequestObject::PersistentVolumeClaim(m, _) => m,
            RequestObject::TokenRequest(o) => &o.metadata,
            RequestObject::CsiNode(o) => &o.metadata,
            RequestObject::ResourceSlice(o) => &o.metadata,
            RequestObject::CertificateSigningRequest(o) => &o.metadata,
            RequestObject::PodCertificateRequest(o) => &o.metadata,
            RequestObject::Other { metadata, .. } => metadata,
        }
    }

    /// What Go's `%T` prints for the internal object upstream's plugin receives.
    pub fn go_type(&self) -> String {
        match self {
            RequestObject::Pod(_) => "*core.Pod".into(),
            RequestObject::Node(_) => "*core.Node".into(),
            RequestObject::Eviction(_) => "*policy.Eviction".into(),
            RequestObject::PersistentVolumeClaim(..) => "*core.PersistentVolumeClaim".into(),
            RequestObject::TokenRequest(_) => "*authentication.TokenRequest".into(),
            RequestObject::Lease(_) => "*coordination.Lease".into(),
            RequestObject::CsiNode(_) => "*storage.CSINode".into(),
            RequestObject::ResourceSlice(_) => "*resource.ResourceSlice".into(),
            RequestObject::CertificateSigningRequest(_) => "*certificates.CertificateSigningRequest".into(),
            RequestObject::PodCertificateRequest(_) => "*certificates.PodCertificateRequest".into(),
            RequestObject::Other { go_type, .. } => go_type.clone(),
        }
    }

    /// Decodes an object from its JSON by `apiVersion` and `kind`. A `null` field is
    /// absent, as Go's decoder leaves it at its zero value.
    pub fn decode(mut value: Value) -> Result<RequestObject, ObjectError> {
        drop_nulls(&mut value);
        let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_string();
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
        if kind.is_empty() {
            return Err(ObjectError::NoKind);
        }
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let typed = |v: Value| -> Result<RequestObject, DecodeError> {
            Ok(match (group, kind.as_str()) {
                ("", "Pod") => RequestObject::Pod(Box::new(decode_as(v)?)),
                ("", "Node") => RequestObject::Node(Box::new(decode_as(v)?)),
                ("policy", "Eviction") => RequestObject::Eviction(decode_meta(&v)?),
                ("", "PersistentVolumeClaim") => RequestObject::PersistentVolumeClaim(decode_meta(&v)?, Box::new(v)),
                ("authentication.k8s.io", "TokenRequest") => RequestObject::TokenRequest(Box::new(decode_as(v)?)),
                ("coordination.k8s.io", "Lease") => RequestObject::Lease(decode_meta(&v)?),
                ("storage.k8s.io", "CSINode") => RequestObject::CsiNode(Box::new(decode_as(v)?)),
                ("resource.k8s.io", "ResourceSlice") => RequestObject::ResourceSlice(Box::new(decode_as(v)?)),
                ("certificates.k8s.io", "CertificateSigningRequest") => RequestObject::CertificateSigningRequest(Box::new(decode_as(v)?)),
                ("certificates.k8s.io", "PodCertificateRequest") => RequestObject::PodCertificateRequest(Box::new(decode_as(v)?)),
                _ => {
                    // Internal packages are named after the group's first label (core for "").
                    let package = if group.is_empty() { "core" } else { group.split('.').next().unwrap_or(group) };
                    RequestObject::Other { go_type: format!("*{package}.{kind}"), metadata: decode_meta(&v)? }
                }
            })
        };
        typed(value).map_err(|source| ObjectError::Invalid { api_version: api_version.clone(), kind: kind.clone(), source })
    }
}

/// Why an object in a review (or given with `--object`) did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The object names no kind.
    #[error("object has no kind")]
    NoKind,
    /// A field of the object does not decode.
    #[error("{api_version} {kind}: {source}")]
    Invalid {
        /// The object's apiVersion.
        api_version: String,
        /// The object's kind.
        kind: String,
        /// The failing field.
        source: DecodeError,
    },
}

/// Why `--object` or `--old-object` did not make an admission request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag}: {source}")]
pub struct WriteObjectError {
    /// `--object` or `--old-object`.
    pub flag: &'static str,
    /// What is wrong with it.
    pub source: ObjectError,
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn decode_as<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    let mut track = serde_path_to_error::Track::new();
    T::deserialize(serde_path_to_error::Deserializer::new(value, &mut track)).map_err(|e| {
        let path = track.path().to_string();
        DecodeError { field: (path != ".").then_some(path), reason: e.to_string() }
    })
}

fn decode_meta(value: &Value) -> Result<ObjectMeta, DecodeError> {
    match value.get("metadata") {
        None | Some(Value::Null) => Ok(ObjectMeta::default()),
        Some(m) => decode_as(m.clone()).map_err(|e| DecodeError {
            field: Some(e.field.map_or_else(|| "metadata".to_string(), |f| format!("metadata.{f}"))),
            reason: e.reason,
        }),
    }
}

/// One admission request, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct AdmissionRequest {
    /// Request uid (echoed in the response).
    pub uid: String,
    /// The resource addressed.
    pub resource: GroupVersionResource,
    /// Subresource, e.g. `status`.
    pub sub_resource: String,
    /// Object name (empty on create).
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Operation.
    pub operation: Operation,
    /// Who asks.
    pub user: UserInfo,
    /// The new object (create, update; the options object of some deletes).
    pub object: Option<RequestObject>,
    /// The old object (update, delete).
    pub old_object: Option<RequestObject>,
}

/// An AdmissionReview that could not be decoded into a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RequestError {
    /// The request uid, when one could be read (the response echoes it).
    pub uid: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireReview {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    request: Option<WireRequest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest {
    #[serde(default)]
    uid: String,
    #[serde(default)]
    resource: GroupVersionResource,
    #[serde(default)]
    sub_resource: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    user_info: WireUser,
    #[serde(default)]
    object: Value,
    #[serde(default)]
    old_object: Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireUser {
    username: String,
    uid: String,
    groups: Vec<String>,
    extra: std::collections::BTreeMap<String, Vec<String>>,
}

impl AdmissionRequest {
    /// The admission request kube-apiserver builds for an authorized write: `create` →
    /// CREATE, `update`/`patch` → UPDATE, `delete` → DELETE (`None` for other verbs, which
    /// admission does not see). The version comes from the object's `apiVersion` (default
    /// `v1`).
    pub fn for_write(
        attrs: &crate::authz::Attributes,
        object: Option<Value>,
        old_object: Option<Value>,
    ) -> Option<Result<AdmissionRequest, WriteObjectError>> {
        let operation = match attrs.verb.as_str() {
            "create" => Operation::Create,
            "update" | "patch" => Operation::Update,
            "delete" => Operation::Delete,
            _ => return None,
        };
        let version = object
            .as_ref()
            .or(old_object.as_ref())
            .and_then(|o| o.get("apiVersion").and_then(Value::as_str))
            .map_or("v1", |v| v.rsplit('/').next().unwrap_or(v))
            .to_string();
        let decode = |v: Option<Value>, flag: &'static str| -> Result<Option<RequestObject>, WriteObjectError> {
            v.map(RequestObject::decode).transpose().map_err(|source| WriteObjectError { flag, source })
        };
        let build = || -> Result<AdmissionRequest, WriteObjectError> {
            Ok(AdmissionRequest {
                uid: String::new(),
                resource: GroupVersionResource { group: attrs.api_group.clone(), version, resource: attrs.resource.clone() },
                sub_resource: attrs.subresource.clone(),
                name: attrs.name.clone(),
                namespace: attrs.namespace.clone(),
                operation,
                user: attrs.user.clone(),
                object: decode(object, "--object")?,
                old_object: decode(old_object, "--old-object")?,
            })
        };
        Some(build())
    }

    /// Decodes an `admission.k8s.io/v1` AdmissionReview. Anything that is not a
    /// well-formed review with a request is refused with a message saying why.
    pub fn from_review(review: Value) -> Result<AdmissionRequest, RequestError> {
        let uid = review.pointer("/request/uid").and_then(Value::as_str).unwrap_or_default().to_string();
        let fail = |message: String| RequestError { uid: uid.clone(), message };
        let wire: WireReview = decode_as(review).map_err(|e| fail(format!("invalid AdmissionReview: {e}")))?;
        if wire.kind != "AdmissionReview" || wire.api_version != "admission.k8s.io/v1" {
            return Err(fail(format!(
                "expected apiVersion admission.k8s.io/v1, kind AdmissionReview; got apiVersion {:?}, kind {:?}",
                wire.api_version, wire.kind
            )));
        }
        let req = wire.request.ok_or_else(|| fail("AdmissionReview has no request".into()))?;
        let operation =
            Operation::parse(&req.operation).ok_or_else(|| fail(format!("request.operation: unknown operation {:?}", req.operation)))?;
        if req.resource.resource.is_empty() {
            return Err(fail("request.resource.resource: required".into()));
        }
        let object = |v: Value, field: &str| -> Result<Option<RequestObject>, RequestError> {
            match v {
                Value::Null => Ok(None),
                v => RequestObject::decode(v).map(Some).map_err(|e| fail(format!("request.{field}: {e}"))),
            }
        };
        Ok(AdmissionRequest {
            uid: req.uid,
            resource: req.resource,
            sub_resource: req.sub_resource,
            name: req.name,
            namespace: req.namespace,
            operation,
            user: UserInfo {
                name: req.user_info.username,
                uid: req.user_info.uid,
                groups: req.user_info.groups,
                extra: req.user_info.extra,
            },
            object: object(req.object, "object")?,
            old_object: object(req.old_object, "oldObject")?,
        })
    }
}

/// An error the way the apiserver reports it: upstream's plugin returns Forbidden and
/// NotFound API errors and, for some checks, plain errors (which the apiserver answers
/// with 500).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionError {
    /// 403: `<resource> "<name>" is forbidden: <message>`.
    #[error("{}", forbidden_message(resource, name, message))]
    Forbidden {
        /// Group and resource of the request.
        resource: GroupVersionResource,
        /// The name upstream extracts (request name, object name or generateName, `Unknown`).
        name: String,
        /// The plugin's reason.
        message: String,
    },
    /// 404 from a lister: `<resource> "<name>" not found`.
    #[error("{}", not_found_message(group, resource, name))]
    NotFound {
        /// Group of the looked-up kind.
        group: String,
        /// The lister's resource name (singular, as client-go's listers name it).
        resource: String,
        /// The name looked up.
        name: String,
    },
    /// A plain error (500, reason empty).
    #[error("{0}")]
    Internal(String),
    /// The decision needs a webhook authorizer kauthz cannot evaluate offline.
    #[error("incomplete: webhook {} not evaluated", crate::gostr::quote(.0))]
    Undetermined(String),
}

fn forbidden_message(resource: &GroupVersionResource, name: &str, message: &str) -> String {
    let gr = resource.group_resource();
    if gr.is_empty() {
        format!("forbidden: {message}")
    } else if name.is_empty() {
        format!("{gr} is forbidden: {message}")
    } else {
        format!("{gr} {} is forbidden: {message}", crate::gostr::quote(name))
    }
}

fn not_found_message(group: &str, resource: &str, name: &str) -> String {
    let gr = if group.is_empty() { resource.to_string() } else { format!("{resource}.{group}") };
    format!("{gr} {} not found", crate::gostr::quote(name))
}

impl AdmissionError {
    /// The `metav1.Status` kube-apiserver answers for this error.
    pub fn status(&self) -> Status {
        let message = self.to_string();
        match self {
            AdmissionError::Forbidden { resource, name, .. } => Status::failure(
                403,
                "Forbidden",
                message,
                Some(StatusDetails { name: name.clone(), group: resource.group.clone(), kind: resource.resource.clone() }),
            ),
            AdmissionError::NotFound { group, resource, name } => Status::failure(
                404,
                "NotFound",
                message,
                Some(StatusDetails { name: name.clone(), group: group.clone(), kind: resource.clone() }),
            ),
            AdmissionError::Internal(_) | AdmissionError::Undetermined(_) => Status::failure(500, "", message, None),
        }
    }
}

/// `meta/v1` Status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `Status`.
    pub kind: String,
    /// `v1`.
    pub api_version: String,
    /// Always empty.
    pub metadata: serde_json::Map<String, Value>,
    /// `Failure`.
    pub status: String,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Machine reason (`Forbidden`, `NotFound`, `BadRequest`; empty for internal errors).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    /// HTTP code.
    pub code: u16,
}

/// `meta/v1` StatusDetails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusDetails {
    /// Name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// Kind (the resource, for these errors).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
}

impl Status {
    fn failure(code: u16, reason: &str, message: String, details: Option<StatusDetails>) -> Status {
        Status {
            kind: "Status".into(),
            api_version: "v1".into(),
            metadata: serde_json::Map::new(),
            status: "Failure".into(),
            message,
            reason: reason.into(),
            details,
            code,
        }
    }

    /// 400 BadRequest, for reviews that cannot be decoded.
    pub fn bad_request(message: String) -> Status {
        Status::failure(400, "BadRequest", message, None)
    }
}

/// The `response` of an answered AdmissionReview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionResponse {
    /// The request's uid.
    pub uid: String,
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

impl AdmissionResponse {
    /// The response for a plugin result.
    pub fn from_result(uid: &str, result: &Result<(), AdmissionError>) -> AdmissionResponse {
        match result {
            Ok(()) => AdmissionResponse { uid: uid.to_string(), allowed: true, status: None },
            Err(e) => AdmissionResponse { uid: uid.to_string(), allowed: false, status: Some(e.status()) },
        }
    }

    /// The response for a review that could not be decoded: denied, 400.
    pub fn bad_request(error: &RequestError) -> AdmissionResponse {
        AdmissionResponse { uid: error.uid.clone(), allowed: false, status: Some(Status::bad_request(error.message.clone())) }
    }

    /// The whole `admission.k8s.io/v1` AdmissionReview carrying this response.
    pub fn to_review(&self) -> Value {
        serde_json::json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": self})
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(review: Value) -> String {
        AdmissionRequest::from_review(review).expect_err("must be refused").message
    }

    #[test]
    fn bad_reviews_are_refused_with_a_reason() {
        assert_eq!(refused(json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"})), "AdmissionReview has no request");
        assert!(
            refused(json!({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {}}))
                .contains("expected apiVersion admission.k8s.io/v1")
        );
        assert!(refused(json!({"apiVersion": "admission.k8s.io/v1", "kind": "Pod"})).contains("kind \"Pod\""));
        assert!(refused(json!([1, 2])).starts_with("invalid AdmissionReview"));
        let base = |op: &str, object: Value| {
            json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
                "uid": "u1", "resource": {"resource": "pods", "version": "v1"}, "operation": op,
                "userInfo": {"username": "system:node:n", "groups": ["system:nodes"]}, "object": object}})
        };
        assert_eq!(refused(base("PATCH", Value::Null)), "request.operation: unknown operation \"PATCH\"");
        assert_eq!(
            refused(base("CREATE", json!({"apiVersion": "v1", "kind": "Pod", "spec": {"nodeName": 5}}))),
            "request.object: v1 Pod: field spec.nodeName: invalid type: integer `5`, expected a string"
        );
        assert_eq!(refused(base("CREATE", json!({"metadata": {}}))), "request.object: object has no kind");
        let err = AdmissionRequest::from_review(base("CREATE", json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": []}})))
            .unwrap_err();
        assert_eq!(err.uid, "u1", "the uid is echoed even when the object is bad");
        let mut no_resource = base("CREATE", Value::Null);
        no_resource["request"]["resource"] = json!({});
        assert_eq!(refused(no_resource), "request.resource.resource: required");
    }

    #[test]
    fn objects_decode_by_kind_with_go_type_names() {
        let decode = |v: Value| RequestObject::decode(v).unwrap();
        assert_eq!(decode(json!({"apiVersion": "v1", "kind": "Pod"})).go_type(), "*core.Pod");
        assert_eq!(decode(json!({"apiVersion": "policy/v1", "kind": "Eviction"})).go_type(), "*policy.Eviction");
        assert_eq!(decode(json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}})).go_type(), "*core.ConfigMap");
        assert_eq!(decode(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role"})).go_type(), "*rbac.Role");
        // Null fields are Go's zero values, not errors.
        let pod = decode(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": null}, "spec": {"volumes": null}}));
        assert!(matches!(pod, RequestObject::Pod(_)));
    }

    #[test]
    fn statuses_are_apiserver_shaped() {
        let forbidden = AdmissionError::Forbidden {
            resource: GroupVersionResource { group: "coordination.k8s.io".into(), version: "v1".into(), resource: "leases".into() },
            name: String::new(),
            message: "m".into(),
        };
        let s = serde_json::to_value(forbidden.status()).unwrap();
        assert_eq!(s["message"], "leases.coordination.k8s.io is forbidden: m");
        assert_eq!(s["details"], json!({"group": "coordination.k8s.io", "kind": "leases"}));
        assert_eq!((s["code"].as_u64(), s["reason"].as_str()), (Some(403), Some("Forbidden")));
        let nf = AdmissionError::NotFound { group: "storage.k8s.io".into(), resource: "csidriver".into(), name: "d".into() };
        assert_eq!(nf.to_string(), "csidriver.storage.k8s.io \"d\" not found");
        let internal = serde_json::to_value(AdmissionError::Internal("x".into()).status()).unwrap();
        assert_eq!((internal["code"].as_u64(), internal.get("reason"), internal.get("details")), (Some(500), None, None));
    }
}
