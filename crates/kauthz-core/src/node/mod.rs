//! The Node authorizer: what a kubelet may do, decided from a graph of the objects its pods
//! need (upstream plugin/pkg/auth/authorizer/node and pkg/auth/nodeidentifier).
//!
//! * [`graph`]: the graph itself (vertices, edges, destination index, reachability);
//! * [`populator`]: which object events change the graph, and how;
//! * [`authorizer`]: the decisions and reasons, plus the static `system:node` rules;
//! * `sample` (tests, and the `sample` feature): upstream's synthetic data set, for tests and benchmarks.

pub mod authorizer;
pub mod graph;
pub mod populator;
#[cfg(any(test, feature = "sample"))]
pub mod sample;

#[cfg(any(test, feature = "sample"))]
pub mod collisions;
#[cfg(test)]
mod tests;

pub use authorizer::{NodeAuthorizer, NodeReason, NodeVerdict, default_authorizer, handles, node_rules};
pub use graph::{Graph, VertexRef, VertexType};

use crate::authz::{Attributes, UserInfo, Verdict};

/// Prefix of every node user name.
pub const NODE_USER_PREFIX: &str = "system:node:";
/// The group every node carries.
pub const NODES_GROUP: &str = "system:nodes";

/// Upstream `NodeIdentity`: `Some(name)` for a node user (the name may be empty), `None`
/// when the user is not a node (wrong prefix or missing `system:nodes` group).
pub fn node_identity(user: &UserInfo) -> Option<&str> {
    let name = user.name.strip_prefix(NODE_USER_PREFIX)?;
    user.in_group(NODES_GROUP).then_some(name)
}

/// The feature gates the Node authorizer (and its static rules and informers) consult.
/// `Default` is the v1.37 default set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeAuthorizerConfig {
    /// `KubeletServiceAccountTokenForCredentialProviders` (beta, on): `get serviceaccounts`
    /// through the graph, plus a static rule.
    pub kubelet_service_account_token_for_credential_providers: bool,
    /// `PodCertificateRequest` (GA, on): the PodCertificateRequest handler and informer,
    /// `get serviceaccounts`, plus a static rule.
    pub pod_certificate_request: bool,
    /// `CSIVolumeHealth` (alpha, off): `csinodes/status` access, plus a static rule.
    pub csi_volume_health: bool,
    /// `DynamicResourceAllocation` (GA, locked on): the ResourceSlice informer and the
    /// resourceclaims/resourceslices static rules.
    pub dynamic_resource_allocation: bool,
    /// `ClusterTrustBundle` (GA, on): the clustertrustbundles static rule.
    pub cluster_trust_bundle: bool,
}

impl Default for NodeAuthorizerConfig {
    fn default() -> Self {
        NodeAuthorizerConfig {
            kubelet_service_account_token_for_credential_providers: true,
            pod_certificate_request: true,
            csi_volume_health: false,
            dynamic_resource_allocation: true,
            cluster_trust_bundle: true,
        }
    }
}

/// Which optional informers feed the graph (upstream creates the ResourceSlice and
/// PodCertificateRequest informers only when their gates are on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Watched {
    pub(crate) resource_slices: bool,
    pub(crate) pod_certificate_requests: bool,
}

impl Default for Watched {
    fn default() -> Self {
        Watched::from(&NodeAuthorizerConfig::default())
    }
}

impl From<&NodeAuthorizerConfig> for Watched {
    fn from(c: &NodeAuthorizerConfig) -> Self {
        Watched { resource_slices: c.dynamic_resource_allocation, pod_certificate_requests: c.pod_certificate_request }
    }
}

impl Graph {
    /// An empty graph fed as upstream feeds it under `config`'s gates.
    pub fn with_config(config: &NodeAuthorizerConfig) -> Self {
        let mut g = Graph::new();
        g.watch = Watched::from(config);
        g
    }
}

/// Why the Node authorizer allowed a request: the graph path from the node to the object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphPath {
    /// Vertices from the node to the requested object, e.g. `node w1`, `pod apps/web-1`,
    /// `pvc apps/data`, `pv pv-1`, `secret apps/pv-creds` (upstream type labels).
    pub hops: Vec<String>,
    /// True when no edge path exists and the allow rests only on a stale destination-index
    /// entry (upstream's duplicate-reference over-count); `hops` is then `[node, object]`.
    pub index_only: bool,
}

impl GraphPath {
    /// The path for an object the graph granted to `node`.
    pub fn find(graph: &Graph, node: &str, vtype: VertexType, namespace: &str, name: &str) -> GraphPath {
        match graph.path(node, vtype, namespace, name) {
            Some(p) => GraphPath { hops: p.iter().map(ToString::to_string).collect(), index_only: false },
            None => {
                let node_ref = VertexRef { vertex_type: VertexType::Node, namespace: String::new(), name: node.to_string() };
                let obj = VertexRef { vertex_type: vtype, namespace: namespace.to_string(), name: name.to_string() };
                GraphPath { hops: vec![node_ref.to_string(), obj.to_string()], index_only: true }
            }
        }
    }
}

/// Upstream `NodeAuthorizer.Authorize` over `graph` with the v1.37 default gates.
pub fn authorize(graph: &Graph, attrs: &Attributes) -> (Verdict, Option<GraphPath>) {
    default_authorizer().authorize(graph, attrs)
}

/// One object a node may access through the graph, with the verbs the Node authorizer
/// would allow on it (exactly those, given the current graph).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphGrant {
    /// API group (`""` for core).
    pub api_group: &'static str,
    /// Resource, e.g. `secrets`.
    pub resource: &'static str,
    /// Subresource, e.g. `token` or `status`; empty for the object itself.
    pub subresource: &'static str,
    /// Allowed verbs.
    pub verbs: &'static [&'static str],
    /// Namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
}

impl GraphGrant {
    /// `resource` or `resource/subresource`, as RBAC writes it.
    pub fn resource_path(&self) -> String {
        if self.subresource.is_empty() { self.resource.to_string() } else { format!("{}/{}", self.resource, self.subresource) }
    }
}

/// Every concrete object node `node_name` can access through the graph under the default
/// gates (secrets, configmaps, PVCs and their status, PVs, resource claims, volume
/// attachments, resource slices, service accounts and their tokens, pods, pod certificate
/// requests). Selector-based list/watch and name-based grants (own Node, Lease, CSINode)
/// are not graph grants and are not listed.
pub fn graph_grants(graph: &Graph, node_name: &str) -> Vec<GraphGrant> {
    graph_grants_with(graph, &NodeAuthorizerConfig::default(), node_name)
}

/// [`graph_grants`] under `config`'s gates.
pub fn graph_grants_with(graph: &Graph, config: &NodeAuthorizerConfig, node_name: &str) -> Vec<GraphGrant> {
    GrantScanner::new(graph).grants(config, node_name)
}

/// [`graph_grants_with`] for many nodes of one graph: the graph-wide part of the scan
/// (which vertices keep destination indexes) is done once.
pub struct GrantScanner<'g> {
    graph: &'g Graph,
    indexed: Vec<u32>,
}

impl<'g> GrantScanner<'g> {
    /// A scanner over `graph`.
    pub fn new(graph: &'g Graph) -> Self {
        GrantScanner { graph, indexed: graph.indexed_vertices() }
    }

    /// The grants of `node_name` under `config`'s gates, sorted.
    pub fn grants(&self, config: &NodeAuthorizerConfig, node_name: &str) -> Vec<GraphGrant> {
        let mut out = self.grants_unsorted(config, node_name);
        // Equal grants are identical, so an unstable sort gives the same order.
        out.sort_unstable();
        out
    }

    /// [`GrantScanner::grants`] in graph order, for callers that only count or index them
    /// (sorting dominates the cost when every node of a large cluster is scanned).
    pub fn grants_unsorted(&self, config: &NodeAuthorizerConfig, node_name: &str) -> Vec<GraphGrant> {
        grants_among(self.graph, config, node_name, &self.indexed)
    }
}

fn grants_among(graph: &Graph, config: &NodeAuthorizerConfig, node_name: &str, indexed: &[u32]) -> Vec<GraphGrant> {
    const READ: &[&str] = &["get", "list", "watch"];
    const GET: &[&str] = &["get"];
    const CREATE: &[&str] = &["create"];
    const STATUS: &[&str] = &["update", "patch"];
    const SLICE: &[&str] = &["get", "update", "patch", "delete"];
    let mut out = Vec::new();
    if node_name.is_empty() {
        return out;
    }
    for id in graph.candidates_for_node_among(node_name, indexed) {
        let v = graph.describe(id);
        let mut push = |api_group, resource, subresource, verbs| {
            out.push(GraphGrant { api_group, resource, subresource, verbs, namespace: v.namespace.clone(), name: v.name.clone() })
        };
        // Mirrors the handlers: a read of a namespaced type needs a namespace, every graph
        // check needs a name.
        if v.name.is_empty() {
            continue;
        }
        let namespaced = !v.namespace.is_empty();
        match v.vertex_type {
            VertexType::Secret if namespaced => push("", "secrets", "", READ),
            VertexType::ConfigMap if namespaced => push("", "configmaps", "", READ),
            VertexType::Pvc => {
                push("", "persistentvolumeclaims", "", GET);
                push("", "persistentvolumeclaims", "status", STATUS);
            }
            VertexType::Pv => push("", "persistentvolumes", "", GET),
            VertexType::ResourceClaim => push("resource.k8s.io", "resourceclaims", "", GET),
            VertexType::VolumeAttachment => push("storage.k8s.io", "volumeattachments", "", GET),
            VertexType::ResourceSlice => push("resource.k8s.io", "resourceslices", "", SLICE),
            VertexType::Pod => push("", "pods", "", READ),
            VertexType::ServiceAccount => {
                if namespaced && (config.kubelet_service_account_token_for_credential_providers || config.pod_certificate_request) {
                    push("", "serviceaccounts", "", GET);
                }
                push("", "serviceaccounts", "token", CREATE);
            }
            VertexType::PodCertificateRequest if config.pod_certificate_request => {
                push("certificates.k8s.io", "podcertificaterequests", "", GET)
            }
            _ => {}
        }
    }
    out
}

/// The nodes the graph lets access object `(vertex_type, namespace, name)` (sorted names);
/// the reverse of [`graph_grants`], for who-can.
pub fn nodes_reaching(graph: &Graph, vertex_type: VertexType, namespace: &str, name: &str) -> Vec<String> {
    graph.nodes_reaching(vertex_type, namespace, name)
}
