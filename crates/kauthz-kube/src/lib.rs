//! kauthz's adapter to live clusters, on [kube-rs](https://kube.rs): kubeconfig resolution as
//! kubectl does it, paginated snapshots of every kind kauthz reads, watches that keep a
//! [`kauthz_core::ClusterState`] current, and the identity behind a kubeconfig's credential.
//!
//! The core (`kauthz-core`) stays free of I/O and async; this crate does the talking and hands
//! the core JSON values, which the core decodes with the same decoders as snapshot files
//! ([`kauthz_core::snapshot::decode_object`]).
//!
//! # Raw lists, dynamic watches, no typed objects
//!
//! kube 5 pins k8s-openapi 0.29, and kube 4 pinned 0.28 (Kubernetes 1.36 types), while the
//! clusters kauthz answers for run 1.37. Typed k8s-openapi objects would drop any field their
//! version does not know, deserialize every field of every pod only for kauthz to throw most of
//! them away, and tie kauthz's decisions to the client's type version. So:
//!
//! * **lists** are raw `GET` requests through [`kube::Client`] (which brings kubeconfig
//!   handling, TLS, client certificates, tokens and exec plugins) with `limit`/`continue`
//!   pagination, decoded as [`serde_json::Value`] and given to kauthz's own decoders. Raw
//!   requests also let the adapter ask for Secrets and ConfigMaps as
//!   `PartialObjectMetadataList` (`Accept: application/json;as=PartialObjectMetadataList;…`), so
//!   their values never leave the apiserver, and let unit tests serve canned pages;
//! * **watches** use kube-runtime's [`watcher`](kube::runtime::watcher) over
//!   [`DynamicObject`](kube::api::DynamicObject) (and `metadata_watcher` for Secrets and
//!   ConfigMaps), for its relist and backoff handling; each object is turned back into JSON
//!   and decoded by the core.
//!
//! Everything async runs on a private tokio runtime behind the blocking functions in
//! [`blocking`], so the CLI stays synchronous.

pub mod blocking;
pub mod config;
pub mod identity;
pub mod kinds;
pub mod list;
pub mod manifest;
pub mod watch;

pub use config::{ClientOptions, ConfigError};
pub use identity::{CredentialIdentity, IdentityError};
pub use list::{Incomplete, ListError, LiveSnapshot};

/// The annotation a snapshot `List` carries when some kinds could not be read; its value
/// names each missing kind and why (`secrets: forbidden: …`).
pub const INCOMPLETE_ANNOTATION: &str = "kauthz.dev/incomplete";

/// Any failure of the adapter.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig (or in-cluster configuration) could not be resolved.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A list or watch failed.
    #[error(transparent)]
    List(#[from] ListError),
    /// The identity of a credential could not be determined.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A watch failed before the first complete state.
    #[error("{0}")]
    Watch(String),
    /// The first complete state did not arrive in time.
    #[error("the cluster was not listed within {0:?}")]
    SyncTimeout(std::time::Duration),
    /// The watch task ended before the first complete state.
    #[error("the watch ended")]
    WatchEnded,
}
