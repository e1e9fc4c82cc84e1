//! kauthz-server: kube-apiserver's authorization webhook (`POST /authorize`,
//! SubjectAccessReview v1) and a validating admission webhook (`POST /admit`,
//! AdmissionReview v1), answered by kauthz-core's Node authorizer, enforcement modes and
//! NodeRestriction, plus `/healthz`, `/readyz` and `/metrics`.
//!
//! The request path is synchronous and allocation-light: a read lock on the state, one
//! decision, one response. Nothing a fault produces is ever an allow: until the first full
//! sync, or when the state is staler than `max_staleness`, authorization answers no
//! opinion and admission answers 503 (kube-apiserver then applies the webhook's
//! failurePolicy).

mod http;
mod metrics;
mod tls;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use kauthz_core::admission::{AdmissionRequest, AdmissionResponse, NodeRestriction};
use kauthz_core::chain::Chain;
use kauthz_core::enforce::{Enforcer, Mode};
use kauthz_core::model::Kind;
use kauthz_core::review::{StatusFailure, SubjectAccessReview};
use kauthz_core::state::ClusterState;

pub use http::{Limits, serve};
pub use metrics::Metrics;
pub use tls::TlsFiles;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A TLS file could not be read or used.
    #[error("{path}: {message}")]
    Tls {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The listen address could not be bound.
    #[error("listen {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// What the server serves from: the cluster state and how to answer over it.
pub struct Served {
    /// The chain (its Node authorizer answers authorization; all of it backs NodeRestriction's
    /// fallback checks).
    pub chain: Chain,
    /// The cluster.
    pub state: ClusterState,
    /// Admission.
    pub plugin: NodeRestriction,
    /// Enforcement mode and allowlist.
    pub enforcer: Enforcer,
}

/// Freshness of the state, in atomics so the request path reads it without a lock.
struct Freshness {
    /// The origin of `last_confirmed_ns`.
    base: Instant,
    /// Whether a first full sync happened.
    synced: AtomicBool,
    /// When the state was last confirmed current (an event, a relist, a liveness probe), in
    /// nanoseconds since `base`.
    last_confirmed_ns: AtomicU64,
    /// How many kinds have a failed watch not yet followed by a relist (the fast check).
    broken_count: AtomicUsize,
    /// Those kinds and why (`None`: the whole watch, not one kind); only touched when a watch
    /// fails or relists, and to word a refusal.
    broken: Mutex<BTreeMap<Option<Kind>, String>>,
}

impl Freshness {
    fn new() -> Self {
        Freshness {
            base: Instant::now(),
            synced: AtomicBool::new(false),
            last_confirmed_ns: AtomicU64::new(0),
            broken_count: AtomicUsize::new(0),
            broken: Mutex::new(BTreeMap::new()),
        }
    }

    fn confirm(&self) {
        let ns = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last_confirmed_ns.fetch_max(ns, Ordering::Release);
    }

    fn age(&self) -> Duration {
        let confirmed = Duration::from_nanos(self.last_confirmed_ns.load(Ordering::Acquire));
        self.base.elapsed().saturating_sub(confirmed)
    }

    fn broken(&self) -> std::sync::MutexGuard<'_, BTreeMap<Option<Kind>, String>> {
        self.broken.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// State shared by every connection.
pub struct Shared {
    served: RwLock<Served>,
    freshness: Freshness,
    /// Longest a state may go unconfirmed before answers stop (None: never stale, as for a
    /// snapshot file).
    pub max_staleness: Option<Duration>,
    /// While not ready, answer `/authorize` with 503 (the apiserver then applies the webhook's
    /// failurePolicy) instead of no opinion (the apiserver's next authorizer decides).
    pub fail_when_stale: bool,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
}

/// Largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;

impl Shared {
    /// A shared state, not yet synced.
    pub fn new(served: Served, max_staleness: Option<Duration>) -> Self {
        Shared {
            served: RwLock::new(served),
            freshness: Freshness::new(),
            max_staleness,
            fail_when_stale: false,
            metrics: Metrics::default(),
        }
    }

    /// Applies a change to the state (a batch of watch events, a relist) under one write
    /// lock, and confirms freshness.
    pub fn update(&self, f: impl FnOnce(&mut Served)) {
        let mut served = self.served.write().unwrap_or_else(|e| e.into_inner());
        f(&mut served);
        drop(served);
        self.confirm();
    }

    /// Records that the state is complete and current (after the first full list of every
    /// kind, or a snapshot load).
    pub fn mark_synced(&self) {
        self.freshness.confirm();
        if !self.freshness.synced.swap(true, Ordering::AcqRel) && self.max_staleness.is_some() {
            eprintln!("kauthz serve: first full sync done, answering");
        }
    }

    /// Records that the state is current as of now (a watch event or a liveness probe).
    pub fn confirm(&self) {
        self.freshness.confirm();
    }

    /// Records a failed watch of `kind` (`None`: of everything): answers stop until that
    /// kind is relisted ([`Shared::relisted`]).
    pub fn watch_failed(&self, kind: Option<Kind>, why: &str) {
        let mut broken = self.freshness.broken();
        if broken.insert(kind, why.to_string()).is_none() {
            eprintln!("kauthz serve: {why}: not answering until it is relisted");
        }
        self.freshness.broken_count.store(broken.len(), Ordering::Release);
        self.metrics.watch_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a completed list of `kind`: a failed watch of it is recovered (a resync).
    pub fn relisted(&self, kind: Kind) {
        let mut broken = self.freshness.broken();
        if broken.remove(&Some(kind)).is_some() {
            self.metrics.resyncs.fetch_add(1, Ordering::Relaxed);
            eprintln!("kauthz serve: {} relisted after a failed watch", kind.name());
        }
        self.freshness.broken_count.store(broken.len(), Ordering::Release);
        drop(broken);
        self.confirm();
    }

    /// Why answers must not be given now, if they must not.
    pub fn not_ready(&self) -> Option<String> {
        let f = &self.freshness;
        if !f.synced.load(Ordering::Acquire) {
            return Some("kauthz: state not synced yet".into());
        }
        if f.broken_count.load(Ordering::Acquire) > 0 {
            let broken = f.broken();
            if let Some(why) = broken.values().next() {
                return Some(format!("kauthz: watch failed, state may be stale ({why}; {} kind(s) awaiting a relist)", broken.len()));
            }
        }
        match self.max_staleness {
            Some(max) if f.age() > max => Some(format!("kauthz: state unconfirmed for {:.1?} (max {max:?})", f.age())),
            _ => None,
        }
    }

    /// Seconds since the state was last confirmed.
    pub fn last_event_age(&self) -> f64 {
        self.freshness.age().as_secs_f64()
    }

    /// Kinds whose watch failed and is not yet relisted.
    pub fn broken_kinds(&self) -> usize {
        self.freshness.broken_count.load(Ordering::Acquire)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Served> {
        self.served.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// An HTTP answer: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    fn json<T: serde::Serialize>(status: u16, value: &T) -> Reply {
        // Serializing our own types cannot fail; an empty body would be answered as an error.
        Reply { status, content_type: "application/json", body: serde_json::to_vec(value).unwrap_or_default() }
    }

    fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", body: body.into().into_bytes() }
    }

    fn bad_request(message: String) -> Reply {
        Reply::json(400, &StatusFailure::bad_request(message))
    }
}

/// Answers one request: the whole protocol, without sockets (the HTTP layer only moves
/// bytes), so every path is unit-tested.
pub fn respond(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Reply {
    match (method, path) {
        ("GET", "/healthz") | ("GET", "/livez") => Reply::text(200, "ok"),
        ("GET", "/readyz") => match shared.not_ready() {
            None => Reply::text(200, "ok"),
            Some(why) => Reply::text(503, why),
        },
        ("GET", "/metrics") => Reply { status: 200, content_type: metrics::CONTENT_TYPE, body: shared.metrics.render(shared).into_bytes() },
        ("POST", "/authorize") => authorize(shared, body),
        ("POST", "/admit") => admit(shared, body),
        (_, "/authorize" | "/admit" | "/healthz" | "/livez" | "/readyz" | "/metrics") => Reply::text(405, "method not allowed"),
        _ => Reply::text(404, "not found"),
    }
}

fn authorize(shared: &Shared, body: &[u8]) -> Reply {
    let started = Instant::now();
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Reply::bad_request(format!("invalid JSON: {e}")),
    };
    let kind = (value.get("apiVersion").and_then(|v| v.as_str()), value.get("kind").and_then(|v| v.as_str()));
    if kind != (Some("authorization.k8s.io/v1"), Some("SubjectAccessReview")) {
        return Reply::bad_request(format!(
            "expected apiVersion authorization.k8s.io/v1, kind SubjectAccessReview; got {:?}, {:?}",
            kind.0.unwrap_or(""),
            kind.1.unwrap_or("")
        ));
    }
    // The error names the field (`spec.resourceAttributes.verb: invalid type ...`), as
    // `kauthz review` reports it.
    let mut sar: SubjectAccessReview = match serde_path_to_error::deserialize(value) {
        Ok(s) => s,
        Err(e) => return Reply::bad_request(format!("invalid SubjectAccessReview: {e}")),
    };
    let errors = sar.validate();
    if !errors.is_empty() {
        return Reply::json(422, &StatusFailure::invalid(&errors));
    }
    let attrs = sar.attributes();
    let served = shared.read();
    let mode = served.enforcer.mode;
    let not_ready = shared.not_ready();
    if let Some(why) = not_ready.as_ref().filter(|_| shared.fail_when_stale) {
        shared.metrics.record(mode, metrics::Outcome::Stale, started.elapsed());
        return Reply::text(503, why.clone());
    }
    let (verdict, outcome) = match not_ready {
        // Never an allow from a fault: no opinion, and the apiserver's next authorizer decides.
        Some(why) => (kauthz_core::Verdict::no_opinion(why), metrics::Outcome::Stale),
        None => {
            let answer = served.enforcer.authorize(&served.chain, &served.state, &attrs);
            if let Some(denial) = &answer.would_deny {
                shared.metrics.would_deny.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "audit: strict mode would deny: user={} verb={} resource={} namespace={} name={}: {denial}",
                    attrs.user.name, attrs.verb, attrs.resource, attrs.namespace, attrs.name
                );
            }
            let outcome = metrics::Outcome::from(answer.verdict.decision);
            (answer.verdict, outcome)
        }
    };
    drop(served);
    sar.status.allowed = verdict.decision == kauthz_core::Decision::Allow;
    sar.status.denied = verdict.decision == kauthz_core::Decision::Deny;
    sar.status.reason = verdict.reason;
    sar.status.evaluation_error = verdict.error.unwrap_or_default();
    shared.metrics.record(mode, outcome, started.elapsed());
    Reply::json(200, &sar)
}

fn admit(shared: &Shared, body: &[u8]) -> Reply {
    let started = Instant::now();
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Reply::bad_request(format!("invalid JSON: {e}")),
    };
    let request = match AdmissionRequest::from_review(value) {
        Ok(r) => r,
        Err(e) => return Reply::bad_request(e.message),
    };
    if let Some(why) = shared.not_ready() {
        // The apiserver applies the webhook's failurePolicy to an error response.
        shared.metrics.record_admission(metrics::Outcome::Stale, started.elapsed());
        return Reply::text(503, why);
    }
    let served = shared.read();
    let result = served.plugin.admit(&served.state, &served.chain, &request);
    drop(served);
    let response = AdmissionResponse::from_result(&request.uid, &result);
    let outcome = if response.allowed { metrics::Outcome::Allow } else { metrics::Outcome::Deny };
    shared.metrics.record_admission(outcome, started.elapsed());
    Reply::json(200, &response.to_review())
}

/// The Served for a mode over a loaded state.
pub fn served(chain: Chain, state: ClusterState, plugin: NodeRestriction, mode: Mode) -> Served {
    Served { chain, state, plugin, enforcer: Enforcer::new(mode) }
}

#[cfg(test)]
mod flooding;
#[cfg(test)]
mod tests;
