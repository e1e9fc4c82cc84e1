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

use std::sync::RwLock;
use std::time::{Duration, Instant};

use kauthz_core::admission::{AdmissionRequest, AdmissionResponse, NodeRestriction};
use kauthz_core::chain::Chain;
use kauthz_core::enforce::{Enforcer, Mode};
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

/// Freshness of the state.
#[derive(Debug, Clone, Copy)]
struct Freshness {
    /// Whether a first full sync happened.
    synced: bool,
    /// When the state was last confirmed current (an event or a completed relist).
    last_confirmed: Instant,
    /// Whether a watch is currently broken.
    broken: bool,
}

/// State shared by every connection.
pub struct Shared {
    served: RwLock<Served>,
    freshness: RwLock<Freshness>,
    /// Longest a state may go unconfirmed before answers stop (None: never stale, as for a
    /// snapshot file).
    pub max_staleness: Option<Duration>,
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
            freshness: RwLock::new(Freshness { synced: false, last_confirmed: Instant::now(), broken: false }),
            max_staleness,
            metrics: Metrics::default(),
        }
    }

    /// Applies a change to the state (a watch event, a relist) and confirms freshness.
    pub fn update(&self, f: impl FnOnce(&mut Served)) {
        let mut served = self.served.write().unwrap_or_else(|e| e.into_inner());
        f(&mut served);
        drop(served);
        self.confirm();
    }

    /// Records that the state is complete and current (after a full list, or a snapshot load).
    pub fn mark_synced(&self) {
        let mut f = self.freshness.write().unwrap_or_else(|e| e.into_inner());
        f.synced = true;
        f.broken = false;
        f.last_confirmed = Instant::now();
    }

    /// Records that the state is current as of now (a watch event or bookmark).
    pub fn confirm(&self) {
        let mut f = self.freshness.write().unwrap_or_else(|e| e.into_inner());
        f.last_confirmed = Instant::now();
    }

    /// Records a broken watch: answers stop until the next sync.
    pub fn mark_broken(&self) {
        self.freshness.write().unwrap_or_else(|e| e.into_inner()).broken = true;
        self.metrics.resyncs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Why answers must not be given now, if they must not.
    pub fn not_ready(&self) -> Option<String> {
        let f = *self.freshness.read().unwrap_or_else(|e| e.into_inner());
        if !f.synced {
            return Some("kauthz: state not synced yet".into());
        }
        if f.broken {
            return Some("kauthz: watch broken, state may be stale".into());
        }
        match self.max_staleness {
            Some(max) if f.last_confirmed.elapsed() > max => {
                Some(format!("kauthz: state unconfirmed for {:.0?} (max {max:?})", f.last_confirmed.elapsed()))
            }
            _ => None,
        }
    }

    /// Seconds since the state was last confirmed.
    pub fn last_event_age(&self) -> f64 {
        self.freshness.read().unwrap_or_else(|e| e.into_inner()).last_confirmed.elapsed().as_secs_f64()
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
    let (verdict, outcome) = match shared.not_ready() {
        // Never an allow from a fault: no opinion, and the apiserver's next authorizer decides.
        Some(why) => (kauthz_core::Verdict::no_opinion(why), metrics::Outcome::Stale),
        None => {
            let answer = served.enforcer.authorize(&served.chain, &served.state, &attrs);
            if let Some(denial) = &answer.would_deny {
                shared.metrics.would_deny.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
mod tests;
