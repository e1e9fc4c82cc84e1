//! `kauthz serve`: the webhooks over a snapshot (`-f`), or over a state the watches of
//! kauthz-kube keep current (no `-f`).
//!
//! Watched state: one thread applies the watches' updates to the shared state, each batch of
//! pending updates under one write lock (decisions take the read lock). The state answers
//! only once every kind has been listed, and stops answering (no opinion, 503 for admission)
//! while a kind's watch has failed and is not yet relisted, or when neither an event nor a
//! liveness probe has confirmed it for longer than `--max-staleness`.

use std::sync::Arc;
use std::time::Duration;

use kauthz_core::admission::{NodeRestriction, NodeRestrictionConfig};
use kauthz_core::enforce::Mode;
use kauthz_core::model::PolicyRule;
use kauthz_kube::watch::{self, Update, WatchOptions};
use kauthz_server::{Limits, Shared, TlsFiles};

use super::EXIT_YES;
use crate::cli::ServeArgs;
use crate::context;

/// The rules of a ClusterRole or Role file, for `--allow`.
fn allow_rules(path: &std::path::Path) -> Result<Vec<PolicyRule>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let value: serde_json::Value = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let rules = value.get("rules").cloned().ok_or_else(|| format!("{}: expected a ClusterRole or Role with rules", path.display()))?;
    serde_path_to_error::deserialize(rules).map_err(|e| format!("{}: field rules{}: {}", path.display(), e.path(), e.inner()))
}

pub fn run(args: ServeArgs) -> Result<u8, String> {
    let mode = Mode::parse(&args.mode).ok_or_else(|| format!("--mode: unknown mode {:?} (node, strict, audit)", args.mode))?;
    let extra = args.allow.as_deref().map(allow_rules).transpose()?.unwrap_or_default();
    let live = args.cluster.files.is_empty();
    let loaded = if live { context::load_empty(&args.cluster)? } else { context::load(&args.cluster)? };
    let plugin = NodeRestriction::new(NodeRestrictionConfig::from(&loaded.gates));
    let mut served = kauthz_server::served(loaded.chain, loaded.state, plugin, mode);
    served.enforcer.allow.extend(extra);
    let (fatal_tx, fatal_rx) = tokio::sync::oneshot::channel::<String>();
    let shared = if live {
        let mut shared = Shared::new(served, Some(args.max_staleness));
        shared.fail_when_stale = args.when_stale == crate::cli::WhenStale::Error;
        let shared = Arc::new(shared);
        // Probes at a third of the staleness bound: two may be lost before answers stop.
        let options = WatchOptions { probe_every: Some((args.max_staleness / 3).max(Duration::from_millis(100))) };
        let watched = kauthz_kube::blocking::watch_with(&args.cluster.live.client_options(), options).map_err(|e| e.to_string())?;
        eprintln!("kauthz serve: watching the cluster ({}); not answering until every kind is listed", watched.source);
        let follower = shared.clone();
        std::thread::Builder::new()
            .name("kauthz-follow".into())
            .spawn(move || {
                let why = follow(&watched.updates, &follower);
                let _ = fatal_tx.send(why);
            })
            .map_err(|e| format!("starting the watch thread: {e}"))?;
        shared
    } else {
        // A snapshot is complete and does not go stale.
        let shared = Arc::new(Shared::new(served, None));
        shared.mark_synced();
        drop(fatal_tx);
        shared
    };
    let tls = match (&args.tls_cert_file, &args.tls_private_key_file) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.clone(), key: key.clone(), client_ca: args.client_ca_file.clone() }),
        _ => None,
    };
    let limits = Limits { max_connections: args.max_connections, ..Limits::default() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("starting the runtime: {e}"))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let fatal = Arc::new(std::sync::Mutex::new(None::<String>));
    let fatal_seen = fatal.clone();
    let stop = async move {
        tokio::select! {
            _ = shutdown_signal() => {}
            why = fatal_rx => if let Ok(why) = why {
                // The watches ended for good: stop (draining), so the pod is restarted.
                eprintln!("kauthz serve: {why}; shutting down");
                *fatal_seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
            } else {
                // A snapshot: no watch can end; wait for a signal.
                shutdown_signal().await
            },
        }
    };
    runtime
        .block_on(kauthz_server::serve(args.listen, tls, shared, limits, stop, |addr| {
            eprintln!("kauthz serve: {} mode, listening on {scheme}://{addr}", mode.as_str())
        }))
        .map_err(|e| e.to_string())?;
    match fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
        Some(why) => Err(why),
        None => Ok(EXIT_YES),
    }
}

/// Most updates applied under one write lock: a relist of a large kind is one update, so
/// this bounds how long decisions wait behind a batch of events.
const MAX_BATCH: usize = 1024;

/// Applies the watches' updates to `shared` until the watches end; returns why they ended.
pub(crate) fn follow(updates: &std::sync::mpsc::Receiver<Update>, shared: &Shared) -> String {
    loop {
        let Ok(first) = updates.recv() else { return "the watches ended".into() };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match updates.try_recv() {
                Ok(u) => batch.push(u),
                Err(_) => break,
            }
        }
        if let Some(why) = apply_batch(shared, batch) {
            return why;
        }
    }
}

/// What an update means for freshness, applied after the batch's state changes.
enum Mark {
    Relisted(kauthz_core::model::Kind),
    Failed(kauthz_core::model::Kind, String),
    Alive,
    Synced,
}

/// Applies one batch: the state changes under one write lock, then the freshness marks in
/// order. Returns why watching ended, if it did.
pub(crate) fn apply_batch(shared: &Shared, batch: Vec<Update>) -> Option<String> {
    let mut marks = Vec::new();
    let mut changes = Vec::new();
    let mut fatal = None;
    for update in batch {
        match update {
            Update::Apply(_) | Update::Delete(_) => changes.push(update),
            Update::Relist(kind, _) => {
                marks.push(Mark::Relisted(kind));
                changes.push(update);
            }
            Update::KindFailed(kind, why) => marks.push(Mark::Failed(kind, why)),
            Update::Alive => marks.push(Mark::Alive),
            Update::Synced => marks.push(Mark::Synced),
            Update::Incomplete(missing) => {
                eprintln!("kauthz serve: Warning: cannot watch {missing}: answers computed without it are incomplete")
            }
            Update::Error(why) => fatal = Some(why),
        }
    }
    if !changes.is_empty() {
        shared.update(|served| {
            for update in changes {
                watch::apply(&mut served.state, update);
            }
        });
    }
    for mark in marks {
        match mark {
            Mark::Relisted(kind) => shared.relisted(kind),
            Mark::Failed(kind, why) => shared.watch_failed(Some(kind), &why),
            Mark::Alive => shared.confirm(),
            Mark::Synced => shared.mark_synced(),
        }
    }
    if let Some(why) = &fatal {
        shared.watch_failed(None, why);
    }
    fatal
}

/// Ctrl-C or SIGTERM (what Kubernetes sends a terminating pod).
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    eprintln!("kauthz serve: shutting down, draining in-flight requests");
}

#[cfg(test)]
mod tests {
    use kauthz_core::chain::Chain;
    use kauthz_core::model::{Kind, Object};
    use kauthz_core::state::ClusterState;
    use serde_json::{Value, json};

    use super::*;

    fn objects(items: Value) -> Vec<Object> {
        let text = json!({"apiVersion":"v1","kind":"List","items":items}).to_string();
        kauthz_core::snapshot::parse_text("t.json", &text).unwrap().objects
    }

    fn allowed(shared: &Shared) -> (bool, String) {
        let sar = json!({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{
            "user":"system:node:n1","groups":["system:nodes"],
            "resourceAttributes":{"verb":"get","resource":"secrets","namespace":"app","name":"db","version":"v1"}}});
        let reply = kauthz_server::respond(shared, "POST", "/authorize", &serde_json::to_vec(&sar).unwrap());
        let status = serde_json::from_slice::<Value>(&reply.body).unwrap()["status"].clone();
        (status["allowed"] == true, status["reason"].as_str().unwrap_or_default().to_string())
    }

    /// The watches' updates drive the state and its freshness: nothing is answered before the
    /// first sync or while a failed kind awaits its relist, and a relist deletes whatever
    /// vanished while the watch was down.
    #[test]
    fn updates_drive_state_and_freshness() {
        let served = kauthz_server::served(Chain::default(), ClusterState::new(), NodeRestriction::default(), Mode::Strict);
        let shared = Shared::new(served, Some(Duration::from_secs(3600)));
        let node = objects(json!([{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}]));
        let pod = objects(json!([{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"app","uid":"u"},
            "spec":{"nodeName":"n1","volumes":[{"name":"s","secret":{"secretName":"db"}}]}}]));
        assert!(apply_batch(&shared, vec![Update::Relist(Kind::Node, node), Update::Relist(Kind::Pod, pod.clone())]).is_none());
        let (ok, why) = allowed(&shared);
        assert!(!ok && why.contains("not synced"), "{why}");
        apply_batch(&shared, vec![Update::Synced]);
        assert!(allowed(&shared).0);
        // The pod's watch fails; meanwhile the pod is deleted (no event arrives).
        apply_batch(&shared, vec![Update::KindFailed(Kind::Pod, "pods: watch: connection reset".into())]);
        let (ok, why) = allowed(&shared);
        assert!(!ok && why.contains("connection reset"), "{why}");
        // Events of other kinds and probes do not end the failure; only the pods' relist does.
        apply_batch(&shared, vec![Update::Alive, Update::Relist(Kind::Node, Vec::new())]);
        assert!(allowed(&shared).1.contains("connection reset"));
        apply_batch(&shared, vec![Update::Relist(Kind::Pod, Vec::new())]);
        let (ok, why) = allowed(&shared);
        assert!(!ok && why.starts_with("kauthz strict:"), "the relist deleted the vanished pod: {why}");
        assert_eq!(shared.metrics.resyncs.load(std::sync::atomic::Ordering::Relaxed), 1);
        // Fail and relist in one batch: answered again, from the relisted state.
        apply_batch(&shared, vec![Update::KindFailed(Kind::Pod, "x".into()), Update::Relist(Kind::Pod, pod)]);
        assert!(allowed(&shared).0);
        assert_eq!(apply_batch(&shared, vec![Update::Error("gone".into())]).as_deref(), Some("gone"));
        assert!(!allowed(&shared).0);
    }

    /// Silence longer than --max-staleness stops answers; a probe (or an event) resumes them.
    #[test]
    fn silence_is_staleness() {
        let served = kauthz_server::served(Chain::default(), ClusterState::new(), NodeRestriction::default(), Mode::Strict);
        let shared = Shared::new(served, Some(Duration::from_millis(50)));
        apply_batch(&shared, vec![Update::Synced]);
        assert!(shared.not_ready().is_none());
        std::thread::sleep(Duration::from_millis(80));
        assert!(shared.not_ready().is_some_and(|w| w.contains("unconfirmed")));
        apply_batch(&shared, vec![Update::Alive]);
        assert!(shared.not_ready().is_none());
    }
}
