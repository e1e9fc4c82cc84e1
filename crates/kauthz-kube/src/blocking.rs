//! Blocking entry points for the synchronous CLI: each runs the async adapter on a private
//! tokio runtime.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::Error;
use crate::config::{self, ClientOptions, Source};
use crate::identity::{self, CredentialIdentity, IdentityError};
use crate::list::{self, LiveSnapshot, Progress};
use crate::watch::{self, Update, WatchOptions};

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Error::Runtime)
}

/// Lists every kind kauthz reads from the cluster `opts` selects.
pub fn snapshot(opts: &ClientOptions, page_size: u32, progress: &mut dyn FnMut(Progress)) -> Result<(LiveSnapshot, Source), Error> {
    runtime()?.block_on(async {
        let (client, source) = config::client(opts).await?;
        let snap = list::snapshot(&client, page_size, progress).await?;
        Ok::<_, Error>((snap, source))
    })
}

/// The user and groups of the kubeconfig at `path`: from its client certificate, or, for a
/// token, from a TokenReview on the cluster `live` selects (offline a token is an error).
pub fn identity(path: &Path, live: Option<&ClientOptions>) -> Result<(String, Vec<String>), Error> {
    match identity::from_kubeconfig(path, None)? {
        CredentialIdentity::Certificate { user, groups, .. } => Ok((user, groups)),
        CredentialIdentity::Token(token) => {
            let Some(opts) = live else { return Err(IdentityError::TokenOffline { path: path.into() }.into()) };
            runtime()?.block_on(async {
                let (client, _) = config::client(opts).await?;
                Ok::<_, Error>(identity::token_review(&client, path, &token).await?)
            })
        }
    }
}

/// A watched cluster: updates arrive on `updates` from a background thread.
pub struct Watched {
    /// The updates, in order. The first batch (everything up to [`Update::Synced`]) is the
    /// initial state.
    pub updates: Receiver<Update>,
    /// Where the connection came from.
    pub source: Source,
}

/// Starts watching the cluster `opts` selects on a background thread; returns once the
/// connection is configured (the initial lists then arrive as updates).
pub fn watch(opts: &ClientOptions) -> Result<Watched, Error> {
    watch_with(opts, WatchOptions::default())
}

/// [`watch`] with options (liveness probes).
pub fn watch_with(opts: &ClientOptions, options: WatchOptions) -> Result<Watched, Error> {
    let rt = runtime()?;
    let (client, source) = rt.block_on(config::client(opts))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("kauthz-watch".into())
        .spawn(move || {
            let err_tx = tx.clone();
            if let Err(e) = rt.block_on(watch::watch_all(client, tx, options)) {
                let _ = err_tx.send(Update::Error(e.to_string()));
            }
        })
        .map_err(Error::Runtime)?;
    Ok(Watched { updates: rx, source })
}

impl Watched {
    /// Applies updates until the first complete state ([`Update::Synced`]) or `timeout`;
    /// returns the kinds that could not be watched. A watch error before the first sync
    /// is returned as an error.
    pub fn sync(&self, state: &mut kauthz_core::ClusterState, timeout: Duration) -> Result<Vec<list::Incomplete>, Error> {
        let deadline = std::time::Instant::now() + timeout;
        let mut incomplete = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.updates.recv_timeout(left) {
                Ok(Update::Synced) => return Ok(incomplete),
                Ok(Update::Incomplete(i)) => incomplete.push(i),
                Ok(Update::Error(e) | Update::KindFailed(_, e)) => return Err(Error::Watch(e)),
                Ok(update) => watch::apply(state, update),
                Err(RecvTimeoutError::Timeout) => return Err(Error::SyncTimeout(timeout)),
                Err(RecvTimeoutError::Disconnected) => return Err(Error::WatchEnded),
            }
        }
    }

    /// Applies every update received so far without waiting; returns how many.
    pub fn drain(&self, state: &mut kauthz_core::ClusterState) -> usize {
        let mut n = 0;
        while let Ok(update) = self.updates.try_recv() {
            watch::apply(state, update);
            n += 1;
        }
        n
    }
}
