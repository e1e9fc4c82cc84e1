//! Watched state: kube-runtime watchers over every kind kauthz reads, turned into the core's
//! update API (`apply`, `delete`, `relist`).
//!
//! Watchers send [`Update`]s over a channel; whoever owns the [`ClusterState`] applies them
//! with [`apply`] (one writer, no lock on the read path). A watcher's initial list and every
//! relist after a lost watch arrive as one [`Update::Relist`], so objects deleted while the
//! watch was down disappear too. Secrets and ConfigMaps are watched as metadata only.

use std::sync::mpsc::Sender;

use futures::StreamExt as _;
use kauthz_core::ClusterState;
use kauthz_core::model::{Kind, Object, ObjectKey};
use kube::api::{Api, ApiResource, DynamicObject, PartialObjectMeta};
use kube::runtime::WatchStreamExt as _;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;

use crate::kinds::{KINDS, KindSpec};
use crate::list::{Incomplete, ListError, normalize_item};

/// One change to apply to the cluster state.
#[derive(Debug)]
pub enum Update {
    /// An object was added or changed (boxed: objects are large, the other updates small).
    Apply(Box<Object>),
    /// An object was deleted.
    Delete(ObjectKey),
    /// Every object of a kind, replacing what was held (initial list, relist).
    Relist(Kind, Vec<Object>),
    /// Every kind has been listed once: the state is complete from here on.
    Synced,
    /// A kind cannot be watched (forbidden): answers depending on it are incomplete.
    Incomplete(Incomplete),
    /// A watch failed; it is retried with backoff.
    Error(String),
}

/// Applies one update to `state`.
pub fn apply(state: &mut ClusterState, update: Update) {
    match update {
        Update::Apply(object) => state.apply(*object),
        Update::Delete(key) => {
            state.delete(&key);
        }
        Update::Relist(kind, objects) => state.relist(kind, objects),
        Update::Synced | Update::Incomplete(_) | Update::Error(_) => {}
    }
}

/// Decodes a watched object with the core's decoders (`None` for an object it does not
/// model, e.g. one it cannot decode).
fn decode(value: Value, api_version: &str, spec: &KindSpec) -> Option<Object> {
    let mut value = value;
    normalize_item(&mut value, api_version, spec);
    kauthz_core::snapshot::decode_object(value).ok().flatten()
}

/// An event with its object as JSON.
fn to_json<K: serde::Serialize>(event: Event<K>) -> Event<Value> {
    let json = |o: K| serde_json::to_value(o).unwrap_or_default();
    match event {
        Event::Apply(o) => Event::Apply(json(o)),
        Event::Delete(o) => Event::Delete(json(o)),
        Event::Init => Event::Init,
        Event::InitApply(o) => Event::InitApply(json(o)),
        Event::InitDone => Event::InitDone,
    }
}

/// Finds the served version of a kind with a one-object list (which also tells whether the
/// caller may list it).
async fn served_version(client: &kube::Client, spec: &KindSpec) -> Result<&'static str, ListError> {
    for &version in spec.versions {
        let mut req = http::Request::get(format!("{}?limit=1", spec.path(version)));
        if spec.metadata_only {
            req = req.header(http::header::ACCEPT, crate::list::METADATA_LIST_ACCEPT);
        }
        let req = req.body(Vec::new()).expect("a valid request");
        match client.request::<Value>(req).await {
            Ok(_) => return Ok(version),
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(kube::Error::Api(s)) if s.code == 403 => {
                // 403 comes before 404: only a served kind is really forbidden.
                if crate::list::discovered(client, spec, version).await == Some(false) {
                    continue;
                }
                return Err(ListError::Forbidden { resource: spec.resource_name(), message: s.message.clone() });
            }
            Err(e) => return Err(ListError::Transport { resource: spec.resource_name(), source: e }),
        }
    }
    Err(ListError::NotServed { resource: spec.resource_name() })
}

/// Watches one kind until the receiver goes away.
async fn watch_kind(client: kube::Client, spec: &'static KindSpec, version: &'static str, tx: Sender<Update>, synced: Sender<()>) {
    let Some(kind) = Kind::from_type(&spec.api_version(version), spec.kind) else { return };
    let api_version = spec.api_version(version);
    let resource = ApiResource {
        group: spec.group.into(),
        version: version.into(),
        api_version: api_version.clone(),
        kind: spec.kind.into(),
        plural: spec.plural.into(),
    };
    let config = watcher::Config::default();
    // Both streams yield JSON so one loop serves full and metadata-only watches; an
    // `Api<PartialObjectMeta<_>>` makes metadata-only requests.
    let mut stream = if spec.metadata_only {
        let api: Api<PartialObjectMeta<DynamicObject>> = Api::all_with(client, &resource);
        watcher::watcher(api, config).default_backoff().map(|r| r.map(to_json)).boxed()
    } else {
        let api: Api<DynamicObject> = Api::all_with(client, &resource);
        watcher::watcher(api, config).default_backoff().map(|r| r.map(to_json)).boxed()
    };
    let mut buffer: Vec<Object> = Vec::new();
    let mut first_sync = Some(synced);
    while let Some(event) = stream.next().await {
        let update = match event {
            Ok(Event::Init) => {
                buffer.clear();
                continue;
            }
            Ok(Event::InitApply(value)) => {
                buffer.extend(decode(value, &api_version, spec));
                continue;
            }
            Ok(Event::InitDone) => Update::Relist(kind, std::mem::take(&mut buffer)),
            Ok(Event::Apply(value)) => match decode(value, &api_version, spec) {
                Some(object) => Update::Apply(Box::new(object)),
                None => continue,
            },
            Ok(Event::Delete(value)) => {
                let meta = |p: &str| value.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
                Update::Delete(ObjectKey { kind, namespace: meta("/metadata/namespace"), name: meta("/metadata/name") })
            }
            Err(e) => Update::Error(format!("{}: watch: {e}", spec.resource_name())),
        };
        let relisted = matches!(update, Update::Relist(..));
        if tx.send(update).is_err() {
            return;
        }
        if relisted && let Some(s) = first_sync.take() {
            let _ = s.send(());
        }
    }
}

/// Watches every kind kauthz reads, sending updates to `tx` until it is dropped; sends
/// [`Update::Synced`] once every watchable kind has been listed.
pub async fn watch_all(client: kube::Client, tx: Sender<Update>) -> Result<(), ListError> {
    let (synced_tx, synced_rx) = std::sync::mpsc::channel();
    let mut tasks = Vec::new();
    for spec in KINDS {
        match served_version(&client, spec).await {
            Ok(version) => tasks.push(tokio::spawn(watch_kind(client.clone(), spec, version, tx.clone(), synced_tx.clone()))),
            Err(ListError::Forbidden { resource, message }) => {
                let _ = tx.send(Update::Incomplete(Incomplete { resource, reason: format!("forbidden: {message}") }));
            }
            Err(ListError::NotServed { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    drop(synced_tx);
    let expected = tasks.len();
    let tx_synced = tx.clone();
    // Announce the first complete state once every watcher has relisted once.
    tokio::task::spawn_blocking(move || {
        let mut n = 0;
        while n < expected && synced_rx.recv().is_ok() {
            n += 1;
        }
        if n == expected {
            let _ = tx_synced.send(Update::Synced);
        }
    });
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}
