//! Reading cluster snapshots: what `kubectl get -o json|yaml` writes.
//!
//! Accepts single objects, `v1` `List`s (also nested, as `kubectl get a,b -o json` writes),
//! multi-document YAML and concatenated JSON. Every document is validated before anything is
//! returned, so a bad file never yields a partial snapshot. Secret and configmap payloads
//! are removed from each document before it is decoded and never reach the model.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::model::{Kind, Object};

mod split;
mod stream;

pub use split::{DEFAULT_CHUNK, StreamOptions, stream_lists};

/// A parsed snapshot: decoded objects in input order, plus what was skipped.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Objects of known kinds, in input order.
    pub objects: Vec<Object>,
    /// Skipped documents, counted by `apiVersion/kind` (or a reason).
    pub skipped: BTreeMap<String, usize>,
}

impl Snapshot {
    /// Appends another snapshot.
    pub fn extend(&mut self, other: Snapshot) {
        self.objects.extend(other.objects);
        for (k, n) in other.skipped {
            *self.skipped.entry(k).or_default() += n;
        }
    }
}

/// A snapshot input error naming the file, the document and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or `<stdin>`).
    pub file: String,
    /// Where in the file: `document 2`, `document 1, items[5]`, or empty for file-level errors.
    pub location: String,
    /// What is wrong, with the field path when one applies.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.location, self.message)
        }
    }
}

impl std::error::Error for LoadError {}

/// Loads every path: files directly, directories recursively (`.json`, `.yaml`, `.yml`,
/// sorted by path). `-` reads standard input.
pub fn load_paths(paths: &[PathBuf]) -> Result<Snapshot, LoadError> {
    let mut snapshot = Snapshot::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| LoadError {
                file: "<stdin>".into(),
                location: String::new(),
                message: e.to_string(),
            })?;
            snapshot.extend(parse_text("<stdin>", &text)?);
            continue;
        }
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        for file in files {
            snapshot.extend(load_file(&file)?);
        }
    }
    Ok(snapshot)
}

/// Files at least this large are streamed ([`stream_lists`]) rather than read whole.
const STREAM_MIN_BYTES: u64 = 8 << 20;

/// Reads one file. Large regular files are streamed, so that a big `List` is never held
/// as text; whatever the stream cannot take (see [`stream_lists`]) and small files are read
/// whole and parsed by [`parse_text`], as are pipes (which cannot be read twice).
fn load_file(file: &Path) -> Result<Snapshot, LoadError> {
    let label = file.display().to_string();
    let cannot_read = |e: std::io::Error| LoadError { file: label.clone(), location: String::new(), message: format!("cannot read: {e}") };
    let mut opened = std::fs::File::open(file).map_err(cannot_read)?;
    if opened.metadata().is_ok_and(|m| m.is_file() && m.len() >= STREAM_MIN_BYTES) {
        if let Ok(Some(snapshot)) = stream_lists(&mut opened, StreamOptions::default()) {
            return Ok(snapshot);
        }
        // Anything unusual is read again from the start: its answer or error is parse_text's.
        opened = std::fs::File::open(file).map_err(cannot_read)?;
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut opened, &mut text).map_err(cannot_read)?;
    parse_text(&label, &text)
}

/// Whether the file at `path` holds the bytes `needle`, read a chunk at a time so that a
/// large snapshot is never held whole (a whole-cluster dump is gigabytes; callers that look
/// for a marker before loading the file would otherwise double the loader's peak memory).
pub fn file_contains(path: &Path, needle: &[u8]) -> std::io::Result<bool> {
    let mut file = std::fs::File::open(path)?;
    if needle.is_empty() {
        return Ok(true);
    }
    let finder = memchr::memmem::Finder::new(needle);
    // The last `keep` bytes are carried over: a match may straddle two reads.
    let keep = needle.len() - 1;
    let mut buf = vec![0u8; FILE_CONTAINS_CHUNK + keep];
    let mut filled = 0;
    loop {
        match std::io::Read::read(&mut file, &mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if finder.find(&buf[..filled]).is_some() {
            return Ok(true);
        }
        let tail = filled.saturating_sub(keep);
        buf.copy_within(tail..filled, 0);
        filled -= tail;
    }
}

/// Read size of [`file_contains`].
const FILE_CONTAINS_CHUNK: usize = 1 << 20;

/// Lists the files to read under `path`: the path itself when it is not a directory,
/// otherwise every snapshot file below it in path order. Symbolic links are followed, and
/// a link leading back to a directory being walked is an error, as are entries that cannot
/// be read: a directory of links must not make the walk loop or blow up.
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| file_error(path, format!("cannot read: {e}")))?;
    if !meta.is_dir() {
        // A file named explicitly is read whatever its name; a pipe is fine (`-f <(kubectl
        // get ...)`, like `-` for stdin), a device is not.
        check_file_type(path, meta.file_type(), true)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| walk_error(path, e))?;
        let file_type = entry.file_type();
        if file_type.is_dir() || !matches!(entry.path().extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")) {
            continue;
        }
        check_file_type(entry.path(), file_type, false)?;
        out.push(entry.into_path());
    }
    Ok(())
}

fn file_error(path: &Path, message: String) -> LoadError {
    LoadError { file: path.display().to_string(), location: String::new(), message }
}

fn walk_error(root: &Path, e: walkdir::Error) -> LoadError {
    let at = e.path().unwrap_or(root);
    match (e.loop_ancestor(), e.io_error()) {
        (Some(ancestor), _) => file_error(at, format!("cannot read: symbolic link loop (leads back to {})", ancestor.display())),
        (None, Some(io)) => file_error(at, format!("cannot read: {io}")),
        (None, None) => file_error(at, format!("cannot read: {e}")),
    }
}

/// Refuses what reading could hang on or never finish: devices (`/dev/zero` never ends, a
/// terminal waits for typing), sockets, and in directories also FIFOs (opening one blocks
/// until some writer appears). A FIFO named explicitly is the caller's pipe.
fn check_file_type(path: &Path, file_type: std::fs::FileType, explicit: bool) -> Result<(), LoadError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if file_type.is_char_device() {
            Some("a character device")
        } else if file_type.is_block_device() {
            Some("a block device")
        } else if file_type.is_socket() {
            Some("a socket")
        } else if file_type.is_fifo() && !explicit {
            Some("a FIFO (named pipe)")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(file_error(path, format!("cannot read: {what}, not a file")));
        }
    }
    let _ = (path, file_type, explicit);
    Ok(())
}

/// Parses one file's text (JSON or YAML, detected from the first non-blank character).
pub fn parse_text(file: &str, text: &str) -> Result<Snapshot, LoadError> {
    // Go's JSON decoder reads an unpaired surrogate escape as U+FFFD; serde_json rejects it.
    let fixed;
    let text = if text.trim_start().starts_with(['{', '[']) {
        fixed = crate::gostr::json_replace_invalid_surrogates(text);
        &*fixed
    } else {
        text
    };
    // Fast path for what kubectl writes; anything it does not accept is decoded again
    // below, whose errors name the document and field.
    if let Some(parsed) = stream::try_json(text) {
        return Ok(parsed);
    }
    let mut snapshot = Snapshot::default();
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Ok(snapshot);
    }
    let fail = |location: String, message: String| LoadError { file: file.to_string(), location, message };
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let stream = serde_json::Deserializer::from_str(trimmed).into_iter::<&RawValue>();
        for (i, raw) in stream.enumerate() {
            let loc = format!("document {}", i + 1);
            let raw = raw.map_err(|e| fail(loc.clone(), format!("invalid JSON: {e}")))?;
            decode_json_document(raw, &loc, &mut snapshot).map_err(|m| fail(m.0, m.1))?;
        }
    } else {
        let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(trimmed, yaml_options())
            .map_err(|e| fail(String::new(), format!("invalid YAML: {e}")))?;
        for (i, doc) in docs.into_iter().enumerate() {
            if doc.is_null() {
                continue;
            }
            let loc = format!("document {}", i + 1);
            decode_value(doc, &loc, &mut snapshot).map_err(|m| fail(m.0, m.1))?;
        }
    }
    Ok(snapshot)
}

type DocError = (String, String);

/// YAML 1.2 core schema: only `true`/`false` are booleans, so a node named `n` or `no`
/// stays a string; the parser's budgets guard against alias bombs and deep nesting.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options
}

/// Reads only `apiVersion`, `kind` and the raw `items` of a JSON document, so that a large
/// `List` is decoded one item at a time without building a tree for the whole file.
#[derive(Deserialize)]
struct JsonHead<'a> {
    #[serde(default, rename = "apiVersion")]
    api_version: Option<Value>,
    #[serde(default)]
    kind: Option<Value>,
    #[serde(default, borrow)]
    items: Option<Vec<&'a RawValue>>,
}

fn decode_json_document(raw: &RawValue, loc: &str, out: &mut Snapshot) -> Result<(), DocError> {
    if raw.get().starts_with('{')
        && let Ok(head) = serde_json::from_str::<JsonHead>(raw.get())
    {
        if let (Some(Value::String(kind)), Some(items)) = (&head.kind, head.items) {
            if kind.ends_with("List") {
                for (i, item) in items.into_iter().enumerate() {
                    decode_json_document(item, &format!("{loc}, items[{i}]"), out)?;
                }
                return Ok(());
            }
        } else if let (Some(Value::String(api_version)), Some(Value::String(kind_name))) = (&head.api_version, &head.kind)
            && let Some(kind) = Kind::from_type(api_version, kind_name)
            && served_version(kind, api_version)
            // Fast path: decode straight into the lean struct; unknown fields (secret
            // payloads included) are skipped without being stored. Anything unusual
            // (nulls, type errors) takes the slow path below, which reports field paths.
            && let Ok(mut object) = Object::from_json_str(kind, raw.get())
            && normalize(&mut object).is_ok()
        {
            out.objects.push(object);
            return Ok(());
        }
    }
    let value: Value = serde_json::from_str(raw.get()).map_err(|e| (loc.to_string(), format!("invalid JSON: {e}")))?;
    decode_value(value, loc, out)
}

fn decode_value(mut value: Value, loc: &str, out: &mut Snapshot) -> Result<(), DocError> {
    let err = |m: String| (loc.to_string(), m);
    let Value::Object(map) = &mut value else {
        return Err(err(format!("expected an object, found {}", json_type(&value))));
    };
    let api_version = match map.get("apiVersion") {
        Some(Value::String(s)) => s.clone(),
        None => return Err(err("field apiVersion: missing".into())),
        Some(other) => return Err(err(format!("field apiVersion: expected a string, found {}", json_type(other)))),
    };
    let kind_name = match map.get("kind") {
        Some(Value::String(s)) => s.clone(),
        None => return Err(err("field kind: missing".into())),
        Some(other) => return Err(err(format!("field kind: expected a string, found {}", json_type(other)))),
    };
    if kind_name.ends_with("List") && map.contains_key("items") {
        let Some(Value::Array(items)) = map.remove("items") else {
            return Err(err("field items: expected an array".into()));
        };
        for (i, item) in items.into_iter().enumerate() {
            decode_value(item, &format!("{loc}, items[{i}]"), out)?;
        }
        return Ok(());
    }
    let Some(kind) = Kind::from_type(&api_version, &kind_name) else {
        *out.skipped.entry(format!("{api_version}/{kind_name}")).or_default() += 1;
        return Ok(());
    };
    if !served_version(kind, &api_version) {
        *out.skipped.entry(format!("{api_version}/{kind_name} (unknown apiVersion)")).or_default() += 1;
        return Ok(());
    }
    // Payloads are dropped before decoding: kauthz never holds secret or configmap values.
    if matches!(kind, Kind::Secret | Kind::ConfigMap) {
        for field in ["data", "stringData", "binaryData"] {
            map.remove(field);
        }
    }
    strip_nulls(&mut value);
    let mut object = Object::from_value(kind, value).map_err(|e| err(e.to_string()))?;
    normalize(&mut object).map_err(err)?;
    out.objects.push(object);
    Ok(())
}

/// Versions of each group that a v1.37 apiserver serves for the kinds kauthz reads.
pub(crate) fn served_version(kind: Kind, api_version: &str) -> bool {
    let version = api_version.rsplit('/').next().unwrap_or("");
    match kind {
        Kind::ResourceClaim | Kind::ResourceSlice => matches!(version, "v1" | "v1beta1" | "v1beta2" | "v1alpha3"),
        Kind::PodCertificateRequest => matches!(version, "v1" | "v1beta1" | "v1alpha1"),
        _ => version == "v1",
    }
}

/// Applies what the apiserver would: names are required, cluster-scoped objects carry no
/// namespace, namespaced objects without one land in `default` (as `kubectl apply` would).
pub(crate) fn normalize(object: &mut Object) -> Result<(), String> {
    let kind = object.kind();
    let meta = object.meta_mut();
    if meta.name.is_empty() {
        return Err("field metadata.name: must not be empty".into());
    }
    if kind.namespaced() {
        if meta.namespace.is_empty() {
            meta.namespace = "default".into();
        }
    } else {
        meta.namespace.clear();
    }
    Ok(())
}

/// JSON `null` means "unset" in Kubernetes objects; removing it lets defaults apply.
fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes one JSON value that is a single Kubernetes object (used for watch events).
/// A `List` is refused: a watch event carries one object, and taking only one of a
/// list's items (or all of them) would apply something the event did not say.
pub fn decode_object(value: Value) -> Result<Option<Object>, ObjectError> {
    if let Some(Value::String(kind)) = value.get("kind")
        && kind.ends_with("List")
        && value.get("items").is_some()
    {
        return Err(ObjectError::List { kind: kind.clone() });
    }
    let mut snapshot = Snapshot::default();
    decode_value(value, "object", &mut snapshot).map_err(|(_, message)| ObjectError::Invalid { message })?;
    Ok(snapshot.objects.pop())
}

/// Why [`decode_object`] refuses a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The value is a list (`kind` ending in `List`, with `items`), not one object.
    #[error("expected a single object, found a {kind}")]
    List {
        /// The list's kind.
        kind: String,
    },
    /// The object does not decode; `message` names the field as the file loader does.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_contains_finds_a_needle_across_reads() {
        let dir = std::env::temp_dir().join(format!("kauthz-file-contains-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let needle = b"kauthz.dev/incomplete";
        // Needles at the start, across the first read boundary, at the very end, and absent.
        for (name, at) in
            [("start", Some(0)), ("straddle", Some(FILE_CONTAINS_CHUNK - 5)), ("end", Some(3 * FILE_CONTAINS_CHUNK)), ("absent", None)]
        {
            let mut text = vec![b'x'; 3 * FILE_CONTAINS_CHUNK + needle.len()];
            if let Some(at) = at {
                text[at..at + needle.len()].copy_from_slice(needle);
            }
            let path = dir.join(name);
            std::fs::write(&path, &text).unwrap();
            assert_eq!(file_contains(&path, needle).unwrap(), at.is_some(), "{name}");
        }
        assert!(file_contains(&dir.join("missing"), needle).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_file_is_empty_snapshot() {
        assert!(parse_text("f", "").unwrap().objects.is_empty());
        assert!(parse_text("f", "  \n\n").unwrap().objects.is_empty());
        assert!(parse_text("f", "---\n").unwrap().objects.is_empty());
    }

    #[test]
    fn list_and_multi_doc() {
        let json = r#"{"apiVersion":"v1","kind":"List","items":[
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"ns"},"spec":{"nodeName":"n1"}},
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}]}"#;
        let s = parse_text("f.json", json).unwrap();
        assert_eq!(s.objects.len(), 1);
        assert_eq!(s.skipped.get("apps/v1/Deployment"), Some(&1));
        let yaml = "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n";
        assert_eq!(parse_text("f.yaml", yaml).unwrap().objects.len(), 2);
    }

    #[test]
    fn secret_payload_is_dropped() {
        let json = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"type":"Opaque","data":{"password":"c2VjcmV0"},"stringData":{"x":"y"}}"#;
        let s = parse_text("f.json", json).unwrap();
        let Object::Secret(secret) = &s.objects[0] else { panic!("not a secret") };
        assert_eq!(secret.type_, "Opaque");
        let debug = format!("{:?}", s.objects);
        assert!(!debug.contains("c2VjcmV0") && !debug.contains("password"));
    }

    #[test]
    fn errors_name_document_and_field() {
        let json = r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":5}]}}]}"#;
        let e = parse_text("bad.json", json).unwrap_err();
        assert_eq!(e.file, "bad.json");
        assert_eq!(e.location, "document 1, items[0]");
        assert!(e.message.contains("spec.containers[0].name"), "{}", e.message);
        let e = parse_text("bad.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n---\nkind: Pod\n").unwrap_err();
        assert_eq!(e.location, "document 2");
        assert!(e.message.contains("apiVersion"));
        assert!(parse_text("bad.yaml", "a: [unclosed\n").is_err());
        assert!(parse_text("bad.json", "{\"apiVersion\": ").is_err());
        assert!(parse_text("bad.json", "[1,2]").is_err());
        let e = parse_text("x.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  namespace: a\n").unwrap_err();
        assert!(e.message.contains("metadata.name"));
    }

    #[test]
    fn unknown_api_version_is_skipped() {
        let s = parse_text("f.yaml", "apiVersion: v2\nkind: Pod\nmetadata: {name: p}\n").unwrap();
        assert!(s.objects.is_empty());
        assert_eq!(s.skipped.len(), 1);
    }

    #[test]
    fn nulls_are_unset() {
        let json = r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b","creationTimestamp":null},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"},"subjects":null}"#;
        assert_eq!(parse_text("f.json", json).unwrap().objects.len(), 1);
    }

    /// No input may panic the loader: byte-level mutations of valid JSON and YAML
    /// snapshots (deterministic, so a failure reproduces) must yield objects or an error.
    #[test]
    fn mutated_inputs_never_panic() {
        let seeds = [
            r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"n","labels":{"a":"b"}},"spec":{"nodeName":"w","volumes":[{"name":"v","projected":{"sources":[{"secret":{"name":"s"}}]}}],"containers":[{"name":"c","envFrom":[{"secretRef":{"name":"e"}}]}]}},{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}],"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"x":"y"}}]}}]}"#,
            "apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv
spec:
  claimRef: {name: c, namespace: n}
  csi: {driver: d, nodePublishSecretRef: {name: s, namespace: n}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: n}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
- {kind: ServiceAccount, name: sa}
",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"{}[]:,\"'-\n #&*!|>0123456789abcnull~\t";
        for seed in seeds {
            for _ in 0..3000 {
                let mut bytes = seed.as_bytes().to_vec();
                for _ in 0..(next() % 4 + 1) {
                    let i = (next() as usize) % bytes.len();
                    match next() % 3 {
                        0 => bytes[i] = alphabet[(next() as usize) % alphabet.len()],
                        1 => {
                            bytes.remove(i);
                        }
                        _ => bytes.insert(i, alphabet[(next() as usize) % alphabet.len()]),
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                let _ = parse_text("fuzz", &text);
            }
        }
        // Deep nesting and alias bombs are refused, not followed into a stack overflow.
        let deep = "[".repeat(100_000);
        assert!(parse_text("deep.json", &deep).is_err());
        let deep_yaml = "a: ".to_string() + &"[".repeat(100_000);
        assert!(parse_text("deep.yaml", &deep_yaml).is_err());
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        let _ = parse_text("bomb.yaml", bomb);
    }

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("kauthz-{tag}-{}-{:?}", std::process::id(), std::thread::current().id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            #[cfg(unix)]
            for sub in ["locked", "locked.yaml"] {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(self.0.join(sub), std::fs::Permissions::from_mode(0o755));
            }
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const NODE: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n";

    /// Runs `load_paths` on another thread: a hang fails the test instead of stalling it.
    fn load_within(paths: Vec<PathBuf>) -> Result<Snapshot, LoadError> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(load_paths(&paths));
        });
        rx.recv_timeout(std::time::Duration::from_secs(20)).expect("load_paths hung")
    }

    #[cfg(unix)]
    #[test]
    fn directory_symlink_loops_are_errors_not_hangs() {
        let dir = TempDir::new("loop");
        std::fs::write(dir.0.join("a.yaml"), NODE).unwrap();
        std::fs::create_dir(dir.0.join("sub")).unwrap();
        // Two links back up: walked naively, every level doubles the paths to visit.
        std::os::unix::fs::symlink("..", dir.0.join("sub/up1")).unwrap();
        std::os::unix::fs::symlink("..", dir.0.join("sub/up2")).unwrap();
        let e = load_within(vec![dir.0.clone()]).unwrap_err();
        assert!(e.message.contains("symbolic link loop"), "{e}");
        assert!(e.file.contains("up1"), "names the link: {e}");

        // A link to itself fails at its own lookup.
        let dir = TempDir::new("selfloop");
        std::os::unix::fs::symlink("x.yaml", dir.0.join("x.yaml")).unwrap();
        let e = load_within(vec![dir.0.clone()]).unwrap_err();
        assert!(e.file.ends_with("x.yaml") && e.message.starts_with("cannot read"), "{e}");

        // Links that do not loop are followed.
        let dir = TempDir::new("links");
        std::fs::create_dir(dir.0.join("real")).unwrap();
        std::fs::write(dir.0.join("real/n.yaml"), NODE).unwrap();
        std::os::unix::fs::symlink("real", dir.0.join("alias")).unwrap();
        assert_eq!(load_within(vec![dir.0.clone()]).unwrap().objects.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_in_directories() {
        let dir = TempDir::new("special");
        std::fs::write(dir.0.join("a.yaml"), NODE).unwrap();
        let fifo = dir.0.join("pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        if made {
            let e = load_within(vec![dir.0.clone()]).unwrap_err();
            assert!(e.file.ends_with("pipe.yaml") && e.message.contains("FIFO"), "{e}");
            std::fs::remove_file(&fifo).unwrap();
            // A FIFO without a snapshot extension is ignored like any other file.
            assert!(std::process::Command::new("mkfifo").arg(dir.0.join("pipe")).status().unwrap().success());
            assert_eq!(load_within(vec![dir.0.clone()]).unwrap().objects.len(), 1);
        }
        std::os::unix::fs::symlink("/dev/zero", dir.0.join("zero.json")).unwrap();
        let e = load_within(vec![dir.0.clone()]).unwrap_err();
        assert!(e.file.ends_with("zero.json") && e.message.contains("character device"), "{e}");
        // Named explicitly, a device is refused too (it would be read forever).
        let e = load_within(vec![PathBuf::from("/dev/zero")]).unwrap_err();
        assert_eq!(e.to_string(), "/dev/zero: cannot read: a character device, not a file");
    }

    /// A FIFO named explicitly is a pipe the caller feeds (`-f <(kubectl get ...)`).
    #[cfg(unix)]
    #[test]
    fn an_explicit_fifo_is_read() {
        let dir = TempDir::new("fifo");
        let fifo = dir.0.join("in");
        if !std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            return;
        }
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, NODE).unwrap())
        };
        assert_eq!(load_within(vec![fifo]).unwrap().objects.len(), 1);
        writer.join().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_entries_are_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("unreadable");
        std::fs::write(dir.0.join("a.yaml"), NODE).unwrap();
        let file = dir.0.join("locked.yaml");
        std::fs::write(&file, NODE).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root reads anything: only check what an ordinary user gets.
        if std::fs::read(&file).is_err() {
            let e = load_within(vec![dir.0.clone()]).unwrap_err();
            assert!(e.file.ends_with("locked.yaml") && e.message.starts_with("cannot read"), "{e}");
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::remove_file(&file).unwrap();
        let sub = dir.0.join("locked");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("b.yaml"), NODE).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read_dir(&sub).is_err() {
            let e = load_within(vec![dir.0.clone()]).unwrap_err();
            assert!(e.file.ends_with("locked") && e.message.starts_with("cannot read"), "{e}");
        }
        // Not valid UTF-8: refused with the file named, whoever runs the test.
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.0.join("bin.yaml"), [0xff, 0xfe, 0x00]).unwrap();
        let e = load_within(vec![dir.0.clone()]).unwrap_err();
        assert!(e.file.ends_with("bin.yaml") && e.message.starts_with("cannot read"), "{e}");
        // A missing path is named.
        let e = load_within(vec![dir.0.join("missing.yaml")]).unwrap_err();
        assert!(e.file.ends_with("missing.yaml"), "{e}");
    }

    /// Fuzzing found a watch event whose object was a `List` applied as its last item.
    #[test]
    fn watch_event_list_is_refused() {
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"}},
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "b"}}]});
        assert_eq!(decode_object(list), Err(ObjectError::List { kind: "List".into() }));
        assert_eq!(ObjectError::List { kind: "List".into() }.to_string(), "expected a single object, found a List");
        let pods = serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": []});
        assert!(decode_object(pods).is_err());
        // A kind merely ending in "List" without items is an (unknown) object, as in files.
        let odd = serde_json::json!({"apiVersion": "v1", "kind": "CheckList", "metadata": {"name": "x"}});
        assert_eq!(decode_object(odd), Ok(None));
    }

    /// The streaming reader answers exactly as `parse_text`, or leaves the input to it;
    /// read boundaries anywhere (every chunk size down to one byte) and the number of
    /// decoding threads change nothing.
    #[test]
    fn streaming_matches_whole_text() {
        let pod = |name: &str| {
            format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"ns","labels":{{"a":"b\"}}{{"}}}},"spec":{{"nodeName":"n1","volumes":[{{"name":"v","secret":{{"secretName":"s-{name}"}}}}]}}}}"#
            )
        };
        let list = |items: &[String]| {
            format!(
                "{{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n{}\n  ],\n  \"kind\": \"List\",\n  \"metadata\": {{\"resourceVersion\": \"\"}}\n}}\n",
                items.join(",\n")
            )
        };
        let streamed = [
            list(&[pod("a"), pod("b")]),
            list(&[]),
            // Items the single-pass decoder gives up on (nulls, unusual key order) take the
            // careful decoder, item by item.
            list(&[pod("a"), r#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"w","labels":null}}"#.into()]),
            list(&[r#"{"metadata":{"name":"w"},"kind":"Node","apiVersion":"v1"}"#.into()]),
            // Skipped kinds, unknown versions, secrets, a nested List, escapes, a lone surrogate.
            list(&[
                r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}"#.into(),
                r#"{"apiVersion":"v9","kind":"Pod","metadata":{"name":"p"}}"#.into(),
                r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"data":{"k":"dg=="}}"#.into(),
                list(&[pod("nested")]),
                r#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"\u00e9\ud800\\\"{["}}"#.into(),
            ]),
            format!("\u{feff}{}{}", list(&[pod("a")]), list(&[pod("b")])),
            r#"{"kind":"PodList","items":[],"apiVersion":"v1","metadata":{"x":[1,2,{"y":"}"}],"n":-1.5e3,"t":true}}"#.into(),
            // Nothing at all is an empty snapshot either way.
            String::new(),
            " \n".into(),
        ];
        let whole_text_only = [
            pod("single"),
            "[]".to_string(),
            r#"{"apiVersion":"v1","kind":"Node","items":[],"metadata":{"name":"x"}}"#.into(),
            r#"{"apiVersion":"v1","kind":"List","items":[],"items":[]}"#.into(),
            r#"{"apiVersion":"v1","kind":"List","items":{}}"#.into(),
            r#"{"apiVersion":"v1","kind":"List","items":[1]}"#.into(),
            list(&[pod("a"), r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":5}}"#.into()]),
            list(&[pod("a")]).replace("]", "}"),
            list(&[pod("a")])[..60].to_string(),
            format!("{} x", list(&[pod("a")])),
            r#"{"apiVersion":"v1","kind":"List","items":[],"metadata":{"a":tru}}"#.into(),
        ];
        for text in streamed.iter().chain(&whole_text_only) {
            let whole = parse_text("f.json", text);
            // A batch is the items of one read buffer: small chunks hand nearly every item
            // to the decoders separately, so input order must survive the threads.
            let options = [1, 2, 3, 7, 64, 1000, DEFAULT_CHUNK]
                .into_iter()
                .flat_map(|chunk| [0, 1, 2, 3].map(|decoders| StreamOptions { chunk, decoders }));
            for options in options {
                let StreamOptions { chunk, .. } = options;
                let got = stream_lists(text.as_bytes(), options).unwrap();
                match (&got, &whole) {
                    (Some(s), Ok(w)) => {
                        assert_eq!((&s.objects, &s.skipped), (&w.objects, &w.skipped), "{text}");
                        assert!(streamed.contains(text), "unexpectedly streamed: {text}");
                    }
                    (None, _) => assert!(whole_text_only.contains(text), "not streamed (chunk {chunk}): {text}"),
                    (Some(_), Err(e)) => panic!("streamed what parse_text refuses ({e}): {text}"),
                }
            }
        }
        // Through the file loader: a large file is streamed and loads as parse_text reads it.
        let dir = TempDir::new("stream");
        let items: Vec<String> = (0..60_000).map(|i| pod(&format!("p{i}"))).collect();
        let text = list(&items);
        assert!(text.len() as u64 >= STREAM_MIN_BYTES);
        std::fs::write(dir.0.join("big.json"), &text).unwrap();
        let loaded = load_paths(&[dir.0.join("big.json")]).unwrap();
        assert_eq!(loaded.objects, parse_text("big.json", &text).unwrap().objects);
        assert_eq!(loaded.objects.len(), 60_000);
        // A bad item deep in a large file: the error names file, document, item and field.
        let mut bad = items.clone();
        bad[59_000] = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":7}}"#.into();
        std::fs::write(dir.0.join("bad.json"), list(&bad)).unwrap();
        let e = load_paths(&[dir.0.join("bad.json")]).unwrap_err();
        assert!(e.file.ends_with("bad.json"), "{e}");
        assert_eq!(e.location, "document 1, items[59000]");
        assert!(e.message.contains("spec.nodeName"), "{e}");
    }

    /// The single-pass decoder and the tree decoder agree on everything the former takes.
    #[test]
    fn fast_and_careful_decoders_agree() {
        let docs = [
            r#"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"data":{"k":"dg=="},"type":"Opaque"},{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}},{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"w"}}],"kind":"List"}],"kind":"List","metadata":{"resourceVersion":""}}"#,
            r#"{"apiVersion":"v1","kind":"List","metadata":{},"items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"w"}}]}"#,
            r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]}"#,
        ];
        for doc in docs {
            let fast = stream::try_json(doc).expect("kubectl-shaped JSON takes the fast path");
            let mut careful = Snapshot::default();
            let raw: &RawValue = serde_json::from_str(doc).unwrap();
            decode_json_document(raw, "document 1", &mut careful).unwrap();
            assert_eq!(fast.objects, careful.objects, "{doc}");
            assert_eq!(fast.skipped, careful.skipped, "{doc}");
        }
        // Unusual shapes are left to the careful decoder rather than guessed at.
        assert!(stream::try_json(r#"{"metadata":{"name":"x"},"apiVersion":"v1","kind":"Node"}"#).is_none());
        assert!(stream::try_json(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":null}}"#).is_none());
        assert!(stream::try_json(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"a"}}"#).is_none());
    }
}
