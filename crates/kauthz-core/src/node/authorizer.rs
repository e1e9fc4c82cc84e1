//! Decisions (upstream `node_authorizer.go`) and the static `system:node` rules
//! (bootstrappolicy `NodeRules()`).

use std::sync::OnceLock;

use super::graph::{Graph, VertexType};
use super::{GraphPath, NodeAuthorizerConfig, node_identity};
use crate::authz::{Attributes, Decision, Verdict};
use crate::model::PolicyRule;
use crate::rbac::rule::rule_allows;
use crate::selector::Operator;
use crate::streq;

/// The namespace holding node leases.
const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// Upstream's reason for leases elsewhere (`%q` of [`NODE_LEASE_NAMESPACE`]).
const LEASE_NAMESPACE_ONLY: &str = "can only access leases in the \"kube-node-lease\" system namespace";

/// The Node authorizer for one feature-gate configuration: its gates and the static rules
/// evaluated once from them (as upstream evaluates `NodeRules()` at construction).
#[derive(Debug, Clone)]
pub struct NodeAuthorizer {
    config: NodeAuthorizerConfig,
    rules: Vec<PolicyRule>,
}

impl Default for NodeAuthorizer {
    fn default() -> Self {
        NodeAuthorizer::new(NodeAuthorizerConfig::default())
    }
}

/// How a decision was reached, for explanations: `Graph` when an Allow rests on the
/// graph (the object is the request's namespace/name of that type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    Other,
    Graph(VertexType),
}

/// Why the Node authorizer decided as it did, exactly as upstream words it, but rendered
/// only when asked for: the decision path itself never formats or allocates (upstream
/// formats `no relationship found ...` on every miss; a webhook writes the reason straight
/// into its response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeReason<'a> {
    /// A fixed reason (empty for most decisions).
    Fixed(&'static str),
    /// `no relationship found between node '<node>' and this object`.
    NoRelationship(&'a str),
    /// `unknown node for user "<user>"` (the user name quoted as Go's `%q`).
    UnknownNode(&'a str),
    /// `node '<node>' cannot read all nodes, only its own Node object`.
    CannotReadAllNodes(&'a str),
    /// `node '<node>' cannot read '<name>', only its own Node object`.
    CannotReadNode(&'a str, &'a str),
    /// `nodes may not <verb> podcertificaterequests`.
    PodCertificateRequestVerb(&'a str),
}

impl NodeReason<'_> {
    /// The reason as upstream words it, built in one allocation of the exact length
    /// (`concat` sizes the String from its parts; no `fmt` machinery, no regrowth).
    pub fn render(&self) -> String {
        match *self {
            NodeReason::Fixed(s) => s.to_string(),
            NodeReason::NoRelationship(node) => ["no relationship found between node '", node, "' and this object"].concat(),
            NodeReason::UnknownNode(user) => ["unknown node for user ", &crate::gostr::quote(user)].concat(),
            NodeReason::CannotReadAllNodes(node) => ["node '", node, "' cannot read all nodes, only its own Node object"].concat(),
            NodeReason::CannotReadNode(node, name) => ["node '", node, "' cannot read '", name, "', only its own Node object"].concat(),
            NodeReason::PodCertificateRequestVerb(verb) => ["nodes may not ", verb, " podcertificaterequests"].concat(),
        }
    }
}

impl std::fmt::Display for NodeReason<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeReason::Fixed(s) => f.write_str(s),
            other => f.write_str(&other.render()),
        }
    }
}

/// A Node-authorizer decision with its reason unrendered ([`NodeAuthorizer::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeVerdict<'a> {
    /// The decision (the Node authorizer never denies: Allow or NoOpinion).
    pub decision: Decision,
    /// The reason, borrowing from the request.
    pub reason: NodeReason<'a>,
}

impl NodeVerdict<'_> {
    /// The verdict with its reason rendered.
    pub fn into_verdict(self) -> Verdict {
        Verdict { decision: self.decision, reason: self.reason.render(), error: None }
    }
}

fn no(reason: &'static str) -> (NodeVerdict<'static>, Basis) {
    (NodeVerdict { decision: Decision::NoOpinion, reason: NodeReason::Fixed(reason) }, Basis::Other)
}

fn no_because(reason: NodeReason<'_>) -> (NodeVerdict<'_>, Basis) {
    (NodeVerdict { decision: Decision::NoOpinion, reason }, Basis::Other)
}

fn yes() -> (NodeVerdict<'static>, Basis) {
    (NodeVerdict { decision: Decision::Allow, reason: NodeReason::Fixed("") }, Basis::Other)
}

fn no_relationship(node: &str) -> (NodeVerdict<'_>, Basis) {
    no_because(NodeReason::NoRelationship(node))
}

/// A field requirement `spec.nodeName == <node>` (upstream compares field, Equals and value).
fn selects_node(attrs: &Attributes, node: &str) -> bool {
    attrs
        .field_selector
        .requirements
        .iter()
        .any(|r| r.field == "spec.nodeName" && r.operator == Operator::Equals && streq::eq(&r.value, node))
}

impl PartialEq for NodeAuthorizer {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
    }
}

impl NodeAuthorizer {
    /// An authorizer with `config`'s gates.
    pub fn new(config: NodeAuthorizerConfig) -> Self {
        let rules = node_rules(&config);
        NodeAuthorizer { config, rules }
    }

    /// The gates in effect.
    pub fn config(&self) -> &NodeAuthorizerConfig {
        &self.config
    }

    /// The static rules used for resources the authorizer does not subdivide.
    pub fn rules(&self) -> &[PolicyRule] {
        &self.rules
    }

    /// Upstream `Authorize`, without an explanation. Graph lookups do not allocate; only
    /// NoOpinion reasons that name the node do.
    pub fn decide(&self, graph: &Graph, attrs: &Attributes) -> Verdict {
        self.decide_inner(graph, attrs).0.into_verdict()
    }

    /// Upstream `Authorize` with the reason left unrendered: neither allocates nor formats
    /// (render the reason with [`NodeReason`]'s `Display`, or [`NodeVerdict::into_verdict`]).
    #[inline]
    pub fn check<'a>(&self, graph: &Graph, attrs: &'a Attributes) -> NodeVerdict<'a> {
        self.decide_inner(graph, attrs).0
    }

    /// Upstream `Authorize`, with the graph path behind a graph-based Allow.
    pub fn authorize(&self, graph: &Graph, attrs: &Attributes) -> (Verdict, Option<GraphPath>) {
        let (verdict, basis) = self.decide_inner(graph, attrs);
        let verdict = verdict.into_verdict();
        let path = match basis {
            Basis::Graph(vtype) => {
                node_identity(&attrs.user).map(|node| GraphPath::find(graph, node, vtype, &attrs.namespace, &attrs.name))
            }
            Basis::Other => None,
        };
        (verdict, path)
    }

    fn decide_inner<'a>(&self, graph: &Graph, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        let Some(node) = node_identity(&attrs.user) else { return no("") };
        if node.is_empty() {
            return no_because(NodeReason::UnknownNode(&attrs.user.name));
        }
        if attrs.resource_request {
            let g = graph;
            // One match on the resource (mostly told apart by length), then its group.
            let core = attrs.api_group.is_empty();
            let group = attrs.api_group.as_str();
            match attrs.resource.as_str() {
                "secrets" if core => return self.read_namespaced(g, node, VertexType::Secret, attrs),
                "configmaps" if core => return self.read_namespaced(g, node, VertexType::ConfigMap, attrs),
                "persistentvolumeclaims" if core => {
                    return if attrs.subresource == "status" {
                        self.status_update(g, node, VertexType::Pvc, attrs)
                    } else {
                        self.get(g, node, VertexType::Pvc, attrs)
                    };
                }
                "persistentvolumes" if core => return self.get(g, node, VertexType::Pv, attrs),
                "resourceclaims" if group == "resource.k8s.io" => return self.get(g, node, VertexType::ResourceClaim, attrs),
                "volumeattachments" if group == "storage.k8s.io" => return self.get(g, node, VertexType::VolumeAttachment, attrs),
                "serviceaccounts" if core => return self.service_account(g, node, attrs),
                "leases" if group == "coordination.k8s.io" => return lease(node, attrs),
                "csinodes" if group == "storage.k8s.io" => return self.csi_node(node, attrs),
                "resourceslices" if group == "resource.k8s.io" => return self.resource_slice(g, node, attrs),
                "nodes" if core => return node_object(node, attrs),
                "pods" if core => return self.pod(g, node, attrs),
                "podcertificaterequests" if group == "certificates.k8s.io" => {
                    // With the gate off upstream answers NoOpinion without trying the rules.
                    return if self.config.pod_certificate_request { self.pod_certificate_request(g, node, attrs) } else { no("") };
                }
                _ => {}
            }
        }
        if self.rules.iter().any(|r| rule_allows(attrs, r)) { yes() } else { no("") }
    }

    /// Upstream `authorize`: a name is required, then the graph decides.
    fn by_graph<'a>(&self, graph: &Graph, node: &'a str, vtype: VertexType, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if attrs.name.is_empty() {
            return no("No Object name found");
        }
        if graph.has_path_from(node, vtype, &attrs.namespace, &attrs.name) {
            (NodeVerdict { decision: Decision::Allow, reason: NodeReason::Fixed("") }, Basis::Graph(vtype))
        } else {
            no_relationship(node)
        }
    }

    fn status_update<'a>(&self, graph: &Graph, node: &'a str, vtype: VertexType, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if !matches!(attrs.verb.as_str(), "update" | "patch") {
            return no("can only get/update/patch this type");
        }
        if attrs.subresource != "status" {
            return no("can only update status subresource");
        }
        self.by_graph(graph, node, vtype, attrs)
    }

    fn get<'a>(&self, graph: &Graph, node: &'a str, vtype: VertexType, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if attrs.verb != "get" {
            return no("can only get individual resources of this type");
        }
        if !attrs.subresource.is_empty() {
            return no("cannot get subresource");
        }
        self.by_graph(graph, node, vtype, attrs)
    }

    fn read_namespaced<'a>(&self, graph: &Graph, node: &'a str, vtype: VertexType, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if !attrs.is_read_only() {
            return no("can only read resources of this type");
        }
        if !attrs.subresource.is_empty() {
            return no("cannot read subresource");
        }
        if attrs.namespace.is_empty() {
            return no("can only read namespaced object of this type");
        }
        self.by_graph(graph, node, vtype, attrs)
    }

    fn service_account<'a>(&self, graph: &Graph, node: &'a str, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if attrs.verb == "get" && attrs.subresource.is_empty() {
            if !(self.config.kubelet_service_account_token_for_credential_providers || self.config.pod_certificate_request) {
                return no("not allowed to get service accounts");
            }
            return self.read_namespaced(graph, node, VertexType::ServiceAccount, attrs);
        }
        // Token requests: the audience and bound pod are NodeRestriction's business.
        if attrs.verb != "create" || attrs.name.is_empty() {
            return no("can only create tokens for individual service accounts");
        }
        if attrs.subresource != "token" {
            return no("can only create token subresource of serviceaccount");
        }
        if graph.has_path_from(node, VertexType::ServiceAccount, &attrs.namespace, &attrs.name) {
            (NodeVerdict { decision: Decision::Allow, reason: NodeReason::Fixed("") }, Basis::Graph(VertexType::ServiceAccount))
        } else {
            no_relationship(node)
        }
    }

    fn csi_node(&self, node: &str, attrs: &Attributes) -> (NodeVerdict<'static>, Basis) {
        let verb = attrs.verb.as_str();
        match attrs.subresource.as_str() {
            "" => {
                if !matches!(verb, "get" | "create" | "update" | "patch" | "delete") {
                    return no("can only get, create, update, patch, or delete a CSINode");
                }
            }
            "status" => {
                if !self.config.csi_volume_health {
                    return no("CSINode status access requires CSIVolumeHealth feature");
                }
                if !matches!(verb, "get" | "update" | "patch") {
                    return no("can only get, update, or patch CSINode status");
                }
            }
            _ => return no("cannot authorize CSINode subresources"),
        }
        // Create is checked by NodeRestriction, which sees the object's name.
        if verb != "create" && !streq::eq(&attrs.name, node) {
            return no("can only access CSINode with the same name as the requesting node");
        }
        yes()
    }

    fn resource_slice<'a>(&self, graph: &Graph, node: &'a str, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if !attrs.subresource.is_empty() {
            return no("cannot authorize ResourceSlice subresources");
        }
        match attrs.verb.as_str() {
            // NodeRestriction checks spec.nodeName on create.
            "create" => yes(),
            "get" | "update" | "patch" | "delete" => self.by_graph(graph, node, VertexType::ResourceSlice, attrs),
            "watch" | "list" | "deletecollection" => {
                if selects_node(attrs, node) {
                    yes()
                } else {
                    no("can only list/watch/deletecollection resourceslices with nodeName field selector")
                }
            }
            _ => no(
                "only the following verbs are allowed for a ResourceSlice: get, watch, list, create, update, patch, delete, deletecollection",
            ),
        }
    }

    fn pod_certificate_request<'a>(&self, graph: &Graph, node: &'a str, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        if !attrs.subresource.is_empty() {
            return no("nodes may not access the status subresource of PodCertificateRequests");
        }
        match attrs.verb.as_str() {
            "create" => yes(),
            "get" => self.by_graph(graph, node, VertexType::PodCertificateRequest, attrs),
            "list" | "watch" => {
                if selects_node(attrs, node) {
                    yes()
                } else {
                    no("can only list/watch podcertificaterequests with nodeName field selector")
                }
            }
            verb => no_because(NodeReason::PodCertificateRequestVerb(verb)),
        }
    }

    fn pod<'a>(&self, graph: &Graph, node: &'a str, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
        match (attrs.subresource.as_str(), attrs.verb.as_str()) {
            ("", "get") => self.get(graph, node, VertexType::Pod, attrs),
            ("", "list" | "watch") => {
                if selects_node(attrs, node) {
                    yes()
                } else if !attrs.name.is_empty() {
                    self.by_graph(graph, node, VertexType::Pod, attrs)
                } else {
                    no("can only list/watch pods with spec.nodeName field selector")
                }
            }
            // Mirror pods, status and evictions: NodeRestriction limits them to own pods.
            ("", "create" | "delete") | ("status", "update" | "patch") | ("eviction", "create") => yes(),
            _ => no(""),
        }
    }
}

/// Whether the Node authorizer decides requests for `group`/`resource` itself (so its
/// static rules are never consulted for them): every type its graph holds, plus the
/// node's own Lease, CSINode and Node. Mirrors the dispatch in `decide_inner`.
pub fn handles(group: &str, resource: &str) -> bool {
    VertexType::for_resource(group, resource).is_some()
        || matches!((group, resource), ("coordination.k8s.io", "leases") | ("storage.k8s.io", "csinodes") | ("", "nodes"))
}

/// Upstream `authorizeLease`.
fn lease(node: &str, attrs: &Attributes) -> (NodeVerdict<'static>, Basis) {
    let verb = attrs.verb.as_str();
    if !matches!(verb, "get" | "create" | "update" | "patch" | "delete") {
        return no("can only get, create, update, patch, or delete a node lease");
    }
    if attrs.namespace != NODE_LEASE_NAMESPACE {
        // `%q` of the namespace, as upstream formats it.
        return no(LEASE_NAMESPACE_ONLY);
    }
    if verb != "create" && !streq::eq(&attrs.name, node) {
        return no("can only access node lease with the same name as the requesting node");
    }
    yes()
}

/// Upstream `authorizeNode`: reads compare the name directly (no graph), so a kubelet can
/// read its Node before registering it.
fn node_object<'a>(node: &'a str, attrs: &'a Attributes) -> (NodeVerdict<'a>, Basis) {
    match (attrs.subresource.as_str(), attrs.verb.as_str()) {
        ("", "create" | "update" | "patch") | ("status", "update" | "patch") => yes(),
        ("", "get" | "list" | "watch") => {
            if streq::eq(&attrs.name, node) {
                yes()
            } else if attrs.name.is_empty() {
                no_because(NodeReason::CannotReadAllNodes(node))
            } else {
                no_because(NodeReason::CannotReadNode(node, &attrs.name))
            }
        }
        _ => no(""),
    }
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
    PolicyRule { verbs: v(verbs), api_groups: v(groups), resources: v(resources), ..PolicyRule::default() }
}

/// The static `system:node` rules (bootstrappolicy `NodeRules()`) for `config`'s gates.
/// With the defaults they equal the embedded `system:node` ClusterRole.
pub fn node_rules(config: &NodeAuthorizerConfig) -> Vec<PolicyRule> {
    const READ: &[&str] = &["get", "list", "watch"];
    let mut rules = vec![
        rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        rule(&["create"], &["authorization.k8s.io"], &["subjectaccessreviews", "localsubjectaccessreviews"]),
        rule(READ, &[""], &["services"]),
        rule(&["create", "get", "list", "watch"], &[""], &["nodes"]),
        rule(&["update", "patch"], &[""], &["nodes/status"]),
        rule(&["update", "patch"], &[""], &["nodes"]),
        rule(&["create", "update", "patch"], &["", "events.k8s.io"], &["events"]),
        rule(READ, &[""], &["pods"]),
        rule(&["create", "delete"], &[""], &["pods"]),
        rule(&["update", "patch"], &[""], &["pods/status"]),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(&["get", "list", "watch"], &[""], &["secrets", "configmaps"]),
        rule(&["get"], &[""], &["persistentvolumeclaims", "persistentvolumes"]),
        rule(&["get"], &[""], &["endpoints"]),
        rule(&["create", "get", "list", "watch"], &["certificates.k8s.io"], &["certificatesigningrequests"]),
        rule(&["get", "create", "update", "patch", "delete"], &["coordination.k8s.io"], &["leases"]),
        rule(&["get"], &["storage.k8s.io"], &["volumeattachments"]),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(&["get", "update", "patch"], &[""], &["persistentvolumeclaims/status"]),
        rule(&["get", "watch", "list"], &["storage.k8s.io"], &["csidrivers"]),
        rule(&["get", "create", "update", "patch", "delete"], &["storage.k8s.io"], &["csinodes"]),
    ];
    if config.csi_volume_health {
        rules.push(rule(&["get", "update", "patch"], &["storage.k8s.io"], &["csinodes/status"]));
    }
    rules.push(rule(READ, &["node.k8s.io"], &["runtimeclasses"]));
    if config.dynamic_resource_allocation {
        rules.push(rule(&["get"], &["resource.k8s.io"], &["resourceclaims"]));
        rules.push(rule(&["deletecollection"], &["resource.k8s.io"], &["resourceslices"]));
    }
    if config.cluster_trust_bundle {
        rules.push(rule(READ, &["certificates.k8s.io"], &["clustertrustbundles"]));
    }
    if config.kubelet_service_account_token_for_credential_providers {
        rules.push(rule(&["get"], &[""], &["serviceaccounts"]));
    }
    if config.pod_certificate_request {
        rules.push(rule(&["get", "list", "watch", "create"], &["certificates.k8s.io"], &["podcertificaterequests"]));
    }
    rules
}

/// The authorizer with the v1.37 default gates, built once.
pub fn default_authorizer() -> &'static NodeAuthorizer {
    static DEFAULT: OnceLock<NodeAuthorizer> = OnceLock::new();
    DEFAULT.get_or_init(NodeAuthorizer::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The constant lease reason is upstream's `%q` formatting of the namespace.
    #[test]
    fn lease_reason_quotes_the_namespace() {
        assert_eq!(
            LEASE_NAMESPACE_ONLY,
            format!("can only access leases in the {} system namespace", crate::gostr::quote(NODE_LEASE_NAMESPACE))
        );
    }

    /// Every lazy reason renders as upstream words it.
    #[test]
    fn reasons_render_as_upstream() {
        let cases = [
            (NodeReason::Fixed("x"), "x"),
            (NodeReason::NoRelationship("n1"), "no relationship found between node 'n1' and this object"),
            (NodeReason::UnknownNode("system:node:"), "unknown node for user \"system:node:\""),
            (NodeReason::CannotReadAllNodes("n1"), "node 'n1' cannot read all nodes, only its own Node object"),
            (NodeReason::CannotReadNode("n1", "n2"), "node 'n1' cannot read 'n2', only its own Node object"),
            (NodeReason::PodCertificateRequestVerb("patch"), "nodes may not patch podcertificaterequests"),
        ];
        for (reason, want) in cases {
            assert_eq!(reason.to_string(), want);
            assert_eq!(reason.render(), want);
            assert_eq!(reason.render().capacity(), want.len(), "one allocation of the exact length");
            assert_eq!(NodeVerdict { decision: Decision::NoOpinion, reason }.into_verdict(), Verdict::no_opinion(want));
        }
    }
}
