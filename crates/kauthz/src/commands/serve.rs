//! `kauthz serve`: the webhooks over a snapshot (a live, watched state plugs into the same
//! shared state).

use std::sync::Arc;

use kauthz_core::admission::{NodeRestriction, NodeRestrictionConfig};
use kauthz_core::enforce::Mode;
use kauthz_core::model::PolicyRule;
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
    let loaded = context::load(&args.cluster)?;
    let plugin = NodeRestriction::new(NodeRestrictionConfig::from(&loaded.gates));
    let mut served = kauthz_server::served(loaded.chain, loaded.state, plugin, mode);
    served.enforcer.allow.extend(extra);
    // A snapshot is complete and does not go stale.
    let shared = Arc::new(Shared::new(served, None));
    shared.mark_synced();
    let tls = match (&args.tls_cert_file, &args.tls_private_key_file) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.clone(), key: key.clone(), client_ca: args.client_ca_file.clone() }),
        _ => None,
    };
    let limits = Limits { max_connections: args.max_connections, ..Limits::default() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("starting the runtime: {e}"))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    runtime
        .block_on(kauthz_server::serve(args.listen, tls, shared, limits, shutdown_signal(), |addr| {
            eprintln!("kauthz serve: {} mode, listening on {scheme}://{addr}", mode.as_str())
        }))
        .map_err(|e| e.to_string())?;
    Ok(EXIT_YES)
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
