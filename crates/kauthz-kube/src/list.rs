//! Paginated lists of every kind kauthz reads: a live snapshot.
//!
//! Each kind is listed across all namespaces in pages (`limit`/`continue`). Secrets and
//! ConfigMaps are read as `PartialObjectMetadataList`: names, labels and annotations only, and
//! the `kubectl.kubernetes.io/last-applied-configuration` annotation (which would hold the
//! values of an applied object) is dropped. A kind the caller may not list is recorded as
//! [`Incomplete`] with the apiserver's message and the snapshot carries on; a kind the server
//! does not serve (a beta API switched off) simply has no objects.

use std::fmt;

use http::Request;
use serde_json::{Map, Value};

use crate::INCOMPLETE_ANNOTATION;
use crate::kinds::{KINDS, KindSpec, SERVICE_ACCOUNT_TOKEN_TYPE};

/// Objects per page (kubectl's default chunk size).
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// The `Accept` header that makes the apiserver answer a list with metadata only.
pub const METADATA_LIST_ACCEPT: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/// The annotation `kubectl apply` writes: the whole applied object, values included.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A kind that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// `resource[.group]`, e.g. `secrets`.
    pub resource: String,
    /// The apiserver's reason, e.g. `forbidden: User "alice" cannot list resource "secrets" …`.
    pub reason: String,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.resource, self.reason)
    }
}

/// A list that failed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The caller may not list the kind (HTTP 403).
    #[error("{resource}: forbidden: {message} (kauthz needs permission to list {resource} in all namespaces)")]
    Forbidden {
        /// `resource[.group]`.
        resource: String,
        /// The apiserver's message.
        message: String,
    },
    /// The server serves none of the kind's versions (HTTP 404).
    #[error("{resource}: not served by this apiserver")]
    NotServed {
        /// `resource[.group]`.
        resource: String,
    },
    /// Any other answer of the apiserver.
    #[error("{resource}: {code} {reason}: {message}")]
    Api {
        /// `resource[.group]`.
        resource: String,
        /// The HTTP code.
        code: u16,
        /// The status reason.
        reason: String,
        /// The apiserver's message.
        message: String,
    },
    /// The request did not get an answer (connection, TLS, authentication plugin).
    #[error("{resource}: {source}")]
    Transport {
        /// `resource[.group]`.
        resource: String,
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// The answer was not a list.
    #[error("{resource}: unexpected answer: {message}")]
    Decode {
        /// `resource[.group]`.
        resource: String,
        /// What was wrong.
        message: String,
    },
}

/// Progress of a snapshot, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Starting kind `index` (0-based) of `total`.
    Kind {
        /// Position.
        index: usize,
        /// Number of kinds.
        total: usize,
        /// `resource[.group]`.
        resource: String,
    },
    /// Objects of the current kind read so far.
    Items(usize),
}

/// Objects read from a cluster.
#[derive(Debug, Clone, Default)]
pub struct LiveSnapshot {
    /// Every object, as JSON with `apiVersion` and `kind` set, in [`KINDS`] order.
    pub items: Vec<Value>,
    /// Kinds that could not be read.
    pub incomplete: Vec<Incomplete>,
    /// Kinds the server does not serve.
    pub not_served: Vec<String>,
    /// Objects per kind read, `(resource, count)`.
    pub counts: Vec<(String, usize)>,
}

impl LiveSnapshot {
    /// The `v1` `List` `kauthz snapshot` writes; when kinds are missing, the
    /// [`INCOMPLETE_ANNOTATION`] names them.
    pub fn to_list(&self) -> Value {
        let mut metadata = Map::new();
        metadata.insert("resourceVersion".into(), Value::String(String::new()));
        if !self.incomplete.is_empty() {
            let mut annotations = Map::new();
            annotations.insert(INCOMPLETE_ANNOTATION.into(), Value::String(self.incomplete_message()));
            metadata.insert("annotations".into(), Value::Object(annotations));
        }
        serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": metadata, "items": self.items})
    }

    /// The kinds missing, `; `-separated (empty when complete).
    pub fn incomplete_message(&self) -> String {
        self.incomplete.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    }
}

/// Reads the incompleteness mark of a snapshot `List` written by `kauthz snapshot` (an empty
/// vector when the text holds no such mark). Cheap for unmarked text: the document is parsed
/// only when the annotation's name occurs in it.
pub fn incomplete_mark(text: &str) -> Option<String> {
    if !text.contains(INCOMPLETE_ANNOTATION) {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        metadata: Meta,
    }
    #[derive(serde::Deserialize, Default)]
    struct Meta {
        #[serde(default)]
        annotations: std::collections::BTreeMap<String, String>,
    }
    let doc: Doc = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).ok()?
    } else {
        // YAML: only the first document's top level is consulted.
        let first = text.split("\n---").next().unwrap_or(text);
        serde_saphyr::from_str(first).ok()?
    };
    doc.metadata.annotations.get(INCOMPLETE_ANNOTATION).cloned()
}

fn api_error(resource: &str, err: kube::Error) -> ListError {
    match err {
        kube::Error::Api(status) => {
            let message = status.message.clone();
            match status.code {
                403 => ListError::Forbidden { resource: resource.into(), message },
                code => ListError::Api { resource: resource.into(), code, reason: status.reason.clone(), message },
            }
        }
        other => ListError::Transport { resource: resource.into(), source: other },
    }
}

/// One page's request.
fn page_request(path: &str, limit: u32, cont: Option<&str>, field_selector: Option<&str>, metadata_only: bool) -> Request<Vec<u8>> {
    let mut query = format!("limit={limit}");
    if let Some(c) = cont {
        query += &format!("&continue={}", encode(c));
    }
    if let Some(fs) = field_selector {
        query += &format!("&fieldSelector={}", encode(fs));
    }
    let accept = if metadata_only { METADATA_LIST_ACCEPT } else { "application/json" };
    Request::get(format!("{path}?{query}")).header(http::header::ACCEPT, accept).body(Vec::new()).expect("a valid request")
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Lists every page of `path`, returning the raw items.
async fn list_pages(
    client: &kube::Client,
    resource: &str,
    path: &str,
    page_size: u32,
    field_selector: Option<&str>,
    metadata_only: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<Value>, ListError> {
    let mut items = Vec::new();
    let mut cont: Option<String> = None;
    // An expired continue token (410 Gone) restarts the list once, as informers relist.
    let mut restarts = 0;
    loop {
        let req = page_request(path, page_size, cont.as_deref(), field_selector, metadata_only);
        let mut page: Value = match client.request(req).await {
            Ok(v) => v,
            Err(kube::Error::Api(status)) if status.code == 410 && cont.is_some() && restarts == 0 => {
                restarts += 1;
                items.clear();
                cont = None;
                continue;
            }
            Err(e) => return Err(api_error(resource, e)),
        };
        // An empty list may come as `"items": null` (metadata-only lists do).
        let page_items = match page.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(ListError::Decode { resource: resource.into(), message: "items is not an array".into() }),
        };
        items.extend(page_items);
        progress(Progress::Items(items.len()));
        cont = page.pointer("/metadata/continue").and_then(Value::as_str).filter(|c| !c.is_empty()).map(String::from);
        if cont.is_none() {
            return Ok(items);
        }
    }
}

/// Lists one kind: the first of its versions the server serves.
pub async fn list_kind(
    client: &kube::Client,
    spec: &KindSpec,
    page_size: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<Value>, ListError> {
    let resource = spec.resource_name();
    for version in spec.versions {
        let path = spec.path(version);
        let mut items = match list_pages(client, &resource, &path, page_size, None, spec.metadata_only, progress).await {
            Ok(items) => items,
            Err(ListError::Api { code: 404, .. }) => continue,
            // The apiserver authorizes before it routes: a caller without permission gets 403
            // for a resource it does not serve either. Discovery tells the two apart.
            Err(e @ ListError::Forbidden { .. }) => {
                if discovered(client, spec, version).await == Some(false) {
                    continue;
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let api_version = spec.api_version(version);
        for item in &mut items {
            normalize_item(item, &api_version, spec);
        }
        if spec.kind == "Secret" {
            // Metadata-only lists lose `type`; kauthz needs it for service-account token
            // secrets, which a field selector finds without reading any value.
            let tokens =
                list_pages(client, &resource, &path, page_size, Some(&format!("type={SERVICE_ACCOUNT_TOKEN_TYPE}")), true, &mut |_| {})
                    .await?;
            let keys: std::collections::HashSet<(String, String)> = tokens.iter().map(key_of).collect();
            for item in &mut items {
                if keys.contains(&key_of(item)) {
                    item["type"] = Value::String(SERVICE_ACCOUNT_TOKEN_TYPE.into());
                }
            }
        }
        return Ok(items);
    }
    Err(ListError::NotServed { resource })
}

/// Whether the server serves `spec` at `version`, from discovery (which every authenticated
/// user may read); `None` when discovery cannot tell.
pub(crate) async fn discovered(client: &kube::Client, spec: &KindSpec, version: &str) -> Option<bool> {
    let path = if spec.group.is_empty() { format!("/api/{version}") } else { format!("/apis/{}/{version}", spec.group) };
    let req = Request::get(path).header(http::header::ACCEPT, "application/json").body(Vec::new()).ok()?;
    match client.request::<Value>(req).await {
        Ok(list) => Some(list["resources"].as_array().is_some_and(|r| r.iter().any(|x| x["name"] == spec.plural))),
        Err(kube::Error::Api(s)) if s.code == 404 => Some(false),
        Err(_) => None,
    }
}

fn key_of(item: &Value) -> (String, String) {
    let s = |p: &str| item.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    (s("/metadata/namespace"), s("/metadata/name"))
}

/// Gives a list item its type (list items carry none, metadata-only ones carry
/// `PartialObjectMetadata`) and drops what kauthz must not or need not keep.
pub(crate) fn normalize_item(item: &mut Value, api_version: &str, spec: &KindSpec) {
    let Value::Object(map) = item else { return };
    map.insert("apiVersion".into(), Value::String(api_version.into()));
    map.insert("kind".into(), Value::String(spec.kind.into()));
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        meta.remove("managedFields");
        if spec.metadata_only
            && let Some(Value::Object(annotations)) = meta.get_mut("annotations")
        {
            annotations.remove(LAST_APPLIED);
        }
    }
    if spec.metadata_only {
        // Defence in depth: whatever the server sent, no payload is kept.
        for field in ["data", "stringData", "binaryData"] {
            map.remove(field);
        }
    }
}

/// Lists every kind kauthz reads. Kinds the caller may not list are recorded and skipped;
/// any other failure stops the snapshot.
pub async fn snapshot(client: &kube::Client, page_size: u32, progress: &mut dyn FnMut(Progress)) -> Result<LiveSnapshot, ListError> {
    let mut snap = LiveSnapshot::default();
    for (index, spec) in KINDS.iter().enumerate() {
        let resource = spec.resource_name();
        progress(Progress::Kind { index, total: KINDS.len(), resource: resource.clone() });
        match list_kind(client, spec, page_size, progress).await {
            Ok(items) => {
                snap.counts.push((resource, items.len()));
                snap.items.extend(items);
            }
            Err(ListError::Forbidden { resource, message }) => {
                snap.incomplete.push(Incomplete { reason: format!("forbidden: {message}"), resource });
            }
            Err(ListError::NotServed { resource }) => snap.not_served.push(resource),
            Err(e) => return Err(e),
        }
    }
    Ok(snap)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    /// A canned apiserver: objects per collection path, pages cut at `limit`, continue
    /// tokens are offsets; `forbidden` paths answer 403. Records every request.
    #[derive(Clone, Default)]
    pub(crate) struct FakeApi {
        pub objects: BTreeMap<String, Vec<Value>>,
        pub forbidden: Vec<String>,
        pub requests: Arc<Mutex<Vec<(String, String)>>>,
    }

    fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
        (
            code,
            serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason, "message": message}),
        )
    }

    impl FakeApi {
        fn answer(&self, path: &str, query: &str, accept: &str) -> (u16, Value) {
            self.requests.lock().unwrap().push((format!("{path}?{query}"), accept.to_string()));
            if self.forbidden.iter().any(|f| f == path) {
                let resource = path.rsplit('/').next().unwrap();
                return status(
                    403,
                    "Forbidden",
                    &format!(
                        "{resource} is forbidden: User \"alice\" cannot list resource \"{resource}\" in API group \"\" at the cluster scope"
                    ),
                );
            }
            let Some(all) = self.objects.get(path) else {
                // Discovery of a group version: the collections served under it.
                let served: Vec<Value> = self
                    .objects
                    .keys()
                    .filter(|k| k.rsplit_once('/').is_some_and(|(gv, _)| gv == path))
                    .map(|k| serde_json::json!({"name": k.rsplit('/').next().unwrap()}))
                    .collect();
                if served.is_empty() {
                    return status(404, "NotFound", "the server could not find the requested resource");
                }
                return (200, serde_json::json!({"kind": "APIResourceList", "groupVersion": path, "resources": served}));
            };
            let params: BTreeMap<&str, &str> = query.split('&').filter_map(|kv| kv.split_once('=')).collect();
            let limit: usize = params.get("limit").map_or(usize::MAX, |l| l.parse().unwrap());
            let offset: usize = params.get("continue").map_or(0, |c| c.parse().unwrap());
            let mut selected: Vec<&Value> = all.iter().collect();
            if let Some(fs) = params.get("fieldSelector") {
                let want = fs.replace("%3D", "=").replace("%2F", "/");
                let want = want.strip_prefix("type=").unwrap();
                selected.retain(|o| o["type"] == want);
            }
            let metadata_only = accept.starts_with("application/json;as=PartialObjectMetadataList");
            let page: Vec<Value> = selected
                .iter()
                .skip(offset)
                .take(limit)
                .map(|o| {
                    if metadata_only {
                        serde_json::json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})
                    } else {
                        let mut o = (*o).clone();
                        // Items of a list carry no type, as the apiserver writes them.
                        o.as_object_mut().unwrap().remove("kind");
                        o.as_object_mut().unwrap().remove("apiVersion");
                        o
                    }
                })
                .collect();
            let next = offset + page.len();
            let cont = if next < selected.len() { next.to_string() } else { String::new() };
            // An empty page says `"items": null`, as the apiserver's metadata lists do.
            let items = if page.is_empty() { Value::Null } else { Value::Array(page) };
            (
                200,
                serde_json::json!({"kind": "List", "apiVersion": "v1", "metadata": {"continue": cont, "resourceVersion": "7"}, "items": items}),
            )
        }

        pub fn client(&self) -> kube::Client {
            let api = self.clone();
            let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
                let api = api.clone();
                async move {
                    let accept = req.headers().get(http::header::ACCEPT).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
                    let (code, body) = api.answer(req.uri().path(), req.uri().query().unwrap_or(""), &accept);
                    let resp =
                        http::Response::builder().status(code).body(kube::client::Body::from(serde_json::to_vec(&body).unwrap())).unwrap();
                    Ok::<_, std::convert::Infallible>(resp)
                }
            });
            kube::Client::new(service, "default")
        }
    }

    fn pod(i: usize) -> Value {
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p{i}"), "namespace": "ns", "managedFields": [{}]}, "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i"}]}})
    }

    fn secret(name: &str, type_: &str) -> Value {
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "type": type_,
            "metadata": {"name": name, "namespace": "ns", "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"aHVudGVyMg==\"}}", "keep": "me"}},
            "data": {"password": "aHVudGVyMg=="}})
    }

    fn fake() -> FakeApi {
        let mut api = FakeApi::default();
        api.objects.insert("/api/v1/pods".into(), (0..7).map(pod).collect());
        api.objects.insert("/api/v1/secrets".into(), vec![secret("s1", "Opaque"), secret("tok", SERVICE_ACCOUNT_TOKEN_TYPE)]);
        api.objects
            .insert("/api/v1/nodes".into(), vec![serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})]);
        api.objects.insert("/apis/resource.k8s.io/v1beta2/resourceslices".into(), vec![]);
        api
    }

    #[tokio::test]
    async fn pagination_follows_continue_tokens() {
        let api = fake();
        let client = api.client();
        let spec = KINDS.iter().find(|k| k.kind == "Pod").unwrap();
        let mut seen = Vec::new();
        let items = list_kind(&client, spec, 3, &mut |p| seen.push(p)).await.unwrap();
        assert_eq!(items.len(), 7);
        assert_eq!(items[6]["metadata"]["name"], "p6");
        assert_eq!(items[0]["kind"], "Pod");
        assert_eq!(items[0]["apiVersion"], "v1");
        assert!(items[0]["metadata"].get("managedFields").is_none());
        assert_eq!(seen, [Progress::Items(3), Progress::Items(6), Progress::Items(7)]);
        let requests: Vec<String> = api.requests.lock().unwrap().iter().map(|(u, _)| u.clone()).collect();
        assert_eq!(requests, ["/api/v1/pods?limit=3", "/api/v1/pods?limit=3&continue=3", "/api/v1/pods?limit=3&continue=6"]);
        // Every item decodes with the core's decoders.
        for item in items {
            assert!(kauthz_core::snapshot::decode_object(item).unwrap().is_some());
        }
    }

    #[tokio::test]
    async fn secrets_are_read_as_metadata_only() {
        let api = fake();
        let client = api.client();
        let spec = KINDS.iter().find(|k| k.kind == "Secret").unwrap();
        let items = list_kind(&client, spec, 500, &mut |_| {}).await.unwrap();
        let text = serde_json::to_string(&items).unwrap();
        assert!(!text.contains("aHVudGVyMg"), "a value left the apiserver: {text}");
        assert!(!text.contains(LAST_APPLIED));
        assert_eq!(items[0]["kind"], "Secret");
        assert_eq!(items[0]["metadata"]["annotations"]["keep"], "me");
        assert!(items[0].get("type").is_none());
        assert_eq!(items[1]["type"], SERVICE_ACCOUNT_TOKEN_TYPE);
        for (url, accept) in api.requests.lock().unwrap().iter() {
            assert!(accept.starts_with("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"), "{url}: {accept}");
        }
        let urls: Vec<String> = api.requests.lock().unwrap().iter().map(|(u, _)| u.clone()).collect();
        assert_eq!(urls[1], "/api/v1/secrets?limit=500&fieldSelector=type%3Dkubernetes.io%2Fservice-account-token");
    }

    #[tokio::test]
    async fn forbidden_kinds_are_named_and_the_snapshot_carries_on() {
        let mut api = fake();
        api.forbidden.push("/api/v1/secrets".into());
        // The apiserver answers 403 before 404: a kind discovery does not list is not served,
        // not forbidden.
        api.forbidden.push("/apis/certificates.k8s.io/v1/podcertificaterequests".into());
        let client = api.client();
        let snap = snapshot(&client, 2, &mut |_| {}).await.unwrap();
        assert!(snap.not_served.contains(&"podcertificaterequests.certificates.k8s.io".to_string()), "{:?}", snap.not_served);
        assert_eq!(snap.incomplete.len(), 1, "{:?}", snap.incomplete);
        assert_eq!(snap.incomplete[0].resource, "secrets");
        assert!(
            snap.incomplete[0].reason.starts_with("forbidden: secrets is forbidden: User \"alice\" cannot list"),
            "{}",
            snap.incomplete[0]
        );
        // The other kinds were read; kinds the fake does not serve are just absent.
        assert_eq!(snap.items.len(), 8);
        assert!(snap.not_served.contains(&"configmaps".to_string()));
        assert!(snap.counts.contains(&("resourceslices.resource.k8s.io".to_string(), 0)));
        let list = snap.to_list();
        let mark = list["metadata"]["annotations"][INCOMPLETE_ANNOTATION].as_str().unwrap();
        assert!(mark.starts_with("secrets: forbidden: "), "{mark}");
        // The mark survives a round trip through the file format.
        assert_eq!(incomplete_mark(&serde_json::to_string_pretty(&list).unwrap()).as_deref(), Some(mark));
        assert_eq!(incomplete_mark("{\"kind\":\"List\",\"items\":[]}"), None);
        assert_eq!(
            incomplete_mark(&format!(
                "apiVersion: v1\nkind: List\nmetadata:\n  annotations:\n    {INCOMPLETE_ANNOTATION}: 'x: y'\nitems: []\n"
            ))
            .as_deref(),
            Some("x: y")
        );
        // The file decodes as a snapshot.
        let parsed = kauthz_core::snapshot::parse_text("snap.json", &serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(parsed.objects.len(), 8);
    }

    #[tokio::test]
    async fn other_errors_stop_the_snapshot() {
        let mut api = fake();
        api.objects.remove("/api/v1/nodes");
        let client = api.client();
        let spec = KINDS.iter().find(|k| k.kind == "Node").unwrap();
        let err = list_kind(&client, spec, 10, &mut |_| {}).await.unwrap_err();
        assert!(matches!(err, ListError::NotServed { .. }), "{err}");
    }
}
