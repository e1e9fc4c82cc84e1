//! Prometheus text metrics (`kauthz_` prefix), kept in atomics so the request path never
//! takes a lock for them.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kauthz_core::Decision;
use kauthz_core::enforce::Mode;
use kauthz_core::model::Kind;

use crate::Shared;

/// The exposition format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Latency histogram bucket bounds, in seconds.
const BUCKETS: [f64; 10] = [0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.005, 0.025, 0.1];

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Allowed.
    Allow,
    /// Denied.
    Deny,
    /// No opinion.
    NoOpinion,
    /// Not answered: the state is not synced or stale.
    Stale,
}

impl From<Decision> for Outcome {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Allow => Outcome::Allow,
            Decision::Deny => Outcome::Deny,
            Decision::NoOpinion => Outcome::NoOpinion,
        }
    }
}

const OUTCOMES: [(Outcome, &str); 4] =
    [(Outcome::Allow, "allow"), (Outcome::Deny, "deny"), (Outcome::NoOpinion, "no_opinion"), (Outcome::Stale, "stale")];
const MODES: [(Mode, &str); 3] = [(Mode::Node, "node"), (Mode::Strict, "strict"), (Mode::Audit, "audit")];

/// Counters and histograms.
#[derive(Debug, Default)]
pub struct Metrics {
    decisions: [[AtomicU64; 4]; 3],
    admissions: [AtomicU64; 4],
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_ns: AtomicU64,
    /// Watch resyncs (relists after a failed watch).
    pub resyncs: AtomicU64,
    /// Watch failures (each is followed by a relist of its kind).
    pub watch_failures: AtomicU64,
    /// Requests strict mode would have denied (audit mode).
    pub would_deny: AtomicU64,
}

fn outcome_index(o: Outcome) -> usize {
    OUTCOMES.iter().position(|(x, _)| *x == o).unwrap_or(0)
}

impl Metrics {
    fn observe(&self, latency: Duration) {
        let s = latency.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if s <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns.fetch_add(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Records an authorization decision.
    pub fn record(&self, mode: Mode, outcome: Outcome, latency: Duration) {
        let m = MODES.iter().position(|(x, _)| *x == mode).unwrap_or(0);
        self.decisions[m][outcome_index(outcome)].fetch_add(1, Ordering::Relaxed);
        self.observe(latency);
    }

    /// Records an admission decision.
    pub fn record_admission(&self, outcome: Outcome, latency: Duration) {
        self.admissions[outcome_index(outcome)].fetch_add(1, Ordering::Relaxed);
        self.observe(latency);
    }

    /// The exposition text.
    pub fn render(&self, shared: &Shared) -> String {
        let mut s = String::new();
        s.push_str(
            "# HELP kauthz_decisions_total Authorization webhook decisions by mode and result.\n# TYPE kauthz_decisions_total counter\n",
        );
        for (m, (_, mode)) in MODES.iter().enumerate() {
            for (o, (_, result)) in OUTCOMES.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "kauthz_decisions_total{{mode=\"{mode}\",result=\"{result}\"}} {}",
                    self.decisions[m][o].load(Ordering::Relaxed)
                );
            }
        }
        s.push_str(
            "# HELP kauthz_admission_reviews_total Admission webhook answers by result.\n# TYPE kauthz_admission_reviews_total counter\n",
        );
        for (o, (_, result)) in OUTCOMES.iter().enumerate() {
            let _ = writeln!(s, "kauthz_admission_reviews_total{{result=\"{result}\"}} {}", self.admissions[o].load(Ordering::Relaxed));
        }
        s.push_str("# HELP kauthz_request_duration_seconds Time to answer a review (decoding to encoding).\n# TYPE kauthz_request_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(s, "kauthz_request_duration_seconds_bucket{{le=\"{bound}\"}} {}", self.buckets[i].load(Ordering::Relaxed));
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(s, "kauthz_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(s, "kauthz_request_duration_seconds_sum {}", self.latency_sum_ns.load(Ordering::Relaxed) as f64 / 1e9);
        let _ = writeln!(s, "kauthz_request_duration_seconds_count {count}");
        let _ = writeln!(
            s,
            "# HELP kauthz_strict_would_deny_total Requests strict mode would have denied (audit mode).\n# TYPE kauthz_strict_would_deny_total counter\nkauthz_strict_would_deny_total {}",
            self.would_deny.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP kauthz_watch_resyncs_total Relists after a failed watch.\n# TYPE kauthz_watch_resyncs_total counter\nkauthz_watch_resyncs_total {}",
            self.resyncs.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP kauthz_watch_failures_total Failed watches (each followed by a relist).\n# TYPE kauthz_watch_failures_total counter\nkauthz_watch_failures_total {}",
            self.watch_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP kauthz_watch_broken_kinds Kinds whose watch failed and is not relisted yet.\n# TYPE kauthz_watch_broken_kinds gauge\nkauthz_watch_broken_kinds {}",
            shared.broken_kinds()
        );
        let _ = writeln!(
            s,
            "# HELP kauthz_last_event_age_seconds Seconds since the state was last confirmed current.\n# TYPE kauthz_last_event_age_seconds gauge\nkauthz_last_event_age_seconds {:.3}",
            shared.last_event_age()
        );
        let _ = writeln!(
            s,
            "# HELP kauthz_ready Whether answers are given (synced and fresh).\n# TYPE kauthz_ready gauge\nkauthz_ready {}",
            u8::from(shared.not_ready().is_none())
        );
        let served = shared.read();
        let graph = served.state.graph();
        let _ = writeln!(
            s,
            "# HELP kauthz_graph_vertices Node authorizer graph vertices.\n# TYPE kauthz_graph_vertices gauge\nkauthz_graph_vertices {}",
            graph.vertex_count()
        );
        let _ = writeln!(
            s,
            "# HELP kauthz_graph_edges Node authorizer graph edges.\n# TYPE kauthz_graph_edges gauge\nkauthz_graph_edges {}",
            graph.edge_count()
        );
        s.push_str("# HELP kauthz_objects Objects held, by kind.\n# TYPE kauthz_objects gauge\n");
        for kind in Kind::ALL {
            let _ = writeln!(s, "kauthz_objects{{kind=\"{}\"}} {}", kind.name(), served.state.store().list(kind).count());
        }
        s
    }
}
