//! kauthz-core: Kubernetes authorization re-implemented decision for decision.
//!
//! A pure library (no async runtime, no API client): the lean object model and snapshot
//! parsing, the cluster state with its update API, the authorizers (Node, RBAC, ABAC) and
//! kube-apiserver's chain, the SubjectAccessReview interface, and the analyses built on
//! them (complete rule lists, who-can).

pub mod abac;
pub mod admission;
pub mod analysis;
pub mod authz;
pub mod authzconfig;
pub mod cel;
pub mod chain;
pub mod defaults;
pub mod enforce;
pub mod features;
pub mod gostr;
pub mod model;
#[cfg(feature = "mutants")]
pub mod mutants;
pub mod node;
pub mod rbac;
pub mod review;
pub mod selector;
pub mod snapshot;
pub mod state;
pub mod streq;

pub use authz::{Attributes, Decision, UserInfo, Verdict};
pub use chain::{Chain, ChainResult};
pub use state::ClusterState;
