//! Watched state: kube-runtime watchers over every kind kauthz reads, turned into the core's
//! update API (`apply`, `delete`, `relist`).
//!
//! Watchers send [`Update`]s over a channel; whoever owns the [`ClusterState`] applies them
//! with [`apply`] (one writer, no lock on the read path). A watcher's initial list and every
//! relist after a lost watch arrive as one [`Update::Relist`], so objects deleted while the
//! watch was down disappear too. Secrets and ConfigMaps are watched as metadata only.
//!
//! A watch that fails is not resumed silently: its watcher is dropped and started again
//! (after a backoff), so every failure is followed by a full relist of that kind
//! ([`Update::KindFailed`] then [`Update::Relist`]). A consumer that stops answering between
//! the two never answers from a state that missed events. With
//! [`WatchOptions::probe_every`], a cheap request to the apiserver confirms at that interval
//! that the connection is alive ([`Update::Alive`]): a watch on a frozen apiserver sends no
//! error, only silence.

use std::sync::mpsc::Sender;
use std::time::Duration;

use futures::StreamExt as _;
use kauthz_core::ClusterState;
use kauthz_core::model::{Kind, Object, ObjectKey};
use kube::api::{Api, ApiResource, DynamicObject, PartialObjectMeta};
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
    /// A kind's watch failed: its state may miss events until the [`Update::Relist`] of that
    /// kind that follows once the watch is started again.
    KindFailed(Kind, String),
    /// The apiserver answered a liveness probe: watches that have not failed are current.
    Alive,
    /// Watching could not start or stopped for good.
    Error(String),
}

/// How watches are run.
#[derive(Debug, Clone, Copy, Default)]
pub struct WatchOptions {
    /// Probe the apiserver (`GET /readyz`) at this interval and send [`Update::Alive`] on
    /// success; `None`: no probes.
    pub probe_every: Option<Duration>,
}

/// The server-side watch timeout: a watch silent for this long (plus kube-runtime's margin) is
/// re-established, which bounds how long a half-open connection goes unnoticed.
const WATCH_TIMEOUT_SECS: u32 = 60;

/// Backoff between restarts of a failed watch: doubling from the first to the last value.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(200), Duration::from_secs(5));

/// Applies one update to `state`.
pub fn apply(state: &mut ClusterState, update: Update) {
    match update {
        Update::Apply(object) => state.apply(*object),
        Update::Delete(key) => {
            state.delete(&key);
        }
        Update::Relist(kind, objects) => state.relist(kind, objects),
        Update::Synced | Update::Incomplete(_) | Update::KindFailed(..) | Update::Alive | Update::Error(_) => {}
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

/// Watches one kind until the receiver goes away. After an error the watcher is dropped and
/// started again from a full list (with backoff), so each failure ends in a relist.
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
    let mut first_sync = Some(synced);
    let mut backoff = BACKOFF.0;
    loop {
        let config = watcher::Config::default().timeout(WATCH_TIMEOUT_SECS);
        // Both streams yield JSON so one loop serves full and metadata-only watches; an
        // `Api<PartialObjectMeta<_>>` makes metadata-only requests.
        let mut stream = if spec.metadata_only {
            let api: Api<PartialObjectMeta<DynamicObject>> = Api::all_with(client.clone(), &resource);
            watcher::watcher(api, config).map(|r| r.map(to_json)).boxed()
        } else {
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
            watcher::watcher(api, config).map(|r| r.map(to_json)).boxed()
        };
        let mut buffer: Vec<Object> = Vec::new();
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
                    let meta = |p: &str| -> kauthz_core::model::CompactString {
                        value.pointer(p).and_then(Value::as_str).unwrap_or_default().into()
                    };
                    Update::Delete(ObjectKey { kind, namespace: meta("/metadata/namespace"), name: meta("/metadata/name") })
                }
                Err(e) => Update::KindFailed(kind, format!("{}: watch: {e}", spec.resource_name())),
            };
            let relisted = matches!(update, Update::Relist(..));
            let failed = matches!(update, Update::KindFailed(..));
            if tx.send(update).is_err() {
                return;
            }
            if relisted {
                backoff = BACKOFF.0;
                if let Some(s) = first_sync.take() {
                    let _ = s.send(());
                }
            }
            if failed {
                break;
            }
        }
        // The stream failed (or ended): start over from a list after the backoff.
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF.1);
    }
}

/// Sends [`Update::Alive`] each time the apiserver answers `GET /readyz` within the interval.
async fn probe(client: kube::Client, every: Duration, tx: Sender<Update>) {
    loop {
        let req = http::Request::get("/readyz").body(Vec::new()).expect("a valid request");
        let answered = tokio::time::timeout(every, client.request_text(req)).await;
        let alive = matches!(answered, Ok(Ok(_)));
        if alive && tx.send(Update::Alive).is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

/// Watches every kind kauthz reads, sending updates to `tx` until it is dropped; sends
/// [`Update::Synced`] once every watchable kind has been listed.
pub async fn watch_all(client: kube::Client, tx: Sender<Update>, options: WatchOptions) -> Result<(), ListError> {
    let (synced_tx, synced_rx) = std::sync::mpsc::channel();
    let mut tasks = Vec::new();
    if let Some(every) = options.probe_every {
        tasks.push(tokio::spawn(probe(client.clone(), every, tx.clone())));
    }
    let probes = tasks.len();
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
    let expected = tasks.len() - probes;
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
