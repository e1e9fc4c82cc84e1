//! The Node authorizer: what a kubelet may do, decided from a graph of the objects its pods
//! need (upstream plugin/pkg/auth/authorizer/node and pkg/auth/nodeidentifier).

use crate::authz::{Attributes, UserInfo, Verdict};
use crate::model::Object;

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

/// The node graph: vertices for objects kubelets may need, edges towards nodes.
#[derive(Debug, Clone, Default)]
pub struct Graph {}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Graph::default()
    }

    /// Feeds an added or updated object (with its previous version, if any) to the graph.
    pub fn on_upsert(&mut self, _object: &Object, _previous: Option<&Object>) {}

    /// Removes a deleted object's contribution from the graph.
    pub fn on_delete(&mut self, _object: &Object) {}
}

/// Why the Node authorizer allowed a request: the graph path from the object to the node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphPath {
    /// Vertices from the node to the requested object, e.g. `node w1`, `pod apps/web-1`.
    pub hops: Vec<String>,
}

/// Upstream `NodeAuthorizer.Authorize` over `graph`.
pub fn authorize(_graph: &Graph, attrs: &Attributes) -> (Verdict, Option<GraphPath>) {
    let Some(node_name) = node_identity(&attrs.user) else {
        return (Verdict::no_opinion(""), None);
    };
    if node_name.is_empty() {
        return (Verdict::no_opinion(format!("unknown node for user {}", crate::gostr::quote(&attrs.user.name))), None);
    }
    (Verdict::no_opinion(""), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity() {
        assert_eq!(node_identity(&UserInfo::new("system:node:a", ["system:nodes"])), Some("a"));
        assert_eq!(node_identity(&UserInfo::new("system:node:", ["system:nodes"])), Some(""));
        assert_eq!(node_identity(&UserInfo::new("system:node:a", ["system:authenticated"])), None);
        assert_eq!(node_identity(&UserInfo::new("node:a", ["system:nodes"])), None);
    }
}
