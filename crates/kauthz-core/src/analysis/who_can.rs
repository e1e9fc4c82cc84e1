//! who-can: every identity that holds a permission, and through what.

use crate::abac;
use crate::authz::{Attributes, UserInfo};
use crate::chain::{Chain, Mode};
use crate::rbac::rule_allows;
use crate::state::ClusterState;

/// One holder of a permission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holder {
    /// `User`, `Group`, `ServiceAccount` or `Node`.
    pub kind: String,
    /// Name (for service accounts, the account name).
    pub name: String,
    /// Namespace (service accounts only).
    pub namespace: String,
    /// How the permission is granted.
    pub via: String,
}

/// Lists every identity that holds the permission described by `attrs` (its user is
/// ignored). Identities come from bindings and policies, so users and groups that exist
/// only in an authenticator show up through the subjects that name them.
pub fn who_can(chain: &Chain, state: &ClusterState, attrs: &Attributes) -> Vec<Holder> {
    let mut out = vec![Holder {
        kind: "Group".into(),
        name: crate::chain::PRIVILEGED_GROUP.into(),
        namespace: String::new(),
        via: "system:masters (always allowed)".into(),
    }];
    for a in &chain.authorizers {
        match &a.mode {
            Mode::Rbac => {
                for b in state.rbac().visit_order(&attrs.namespace) {
                    let Ok(rules) = &b.rules else { continue };
                    if !rules.iter().any(|r| rule_allows(attrs, r)) {
                        continue;
                    }
                    for s in &b.subjects {
                        let ns =
                            if s.kind == "ServiceAccount" && s.namespace.is_empty() { b.namespace.clone() } else { s.namespace.clone() };
                        if s.kind == "ServiceAccount" && ns.is_empty() {
                            continue;
                        }
                        out.push(Holder {
                            kind: s.kind.clone(),
                            name: s.name.clone(),
                            namespace: ns,
                            via: format!("RBAC: {}", b.describe(s)),
                        });
                    }
                }
            }
            Mode::Abac(pl) => {
                for (i, p) in pl.policies.iter().enumerate() {
                    // A policy applies to whoever its subject names: test it with a user
                    // carrying exactly that identity.
                    let mut probe = attrs.clone();
                    probe.user = UserInfo::new(p.user.clone(), (!p.group.is_empty()).then(|| p.group.clone()));
                    if abac::policy_allows(p, &probe) {
                        let (kind, name) = if p.user.is_empty() { ("Group", p.group.clone()) } else { ("User", p.user.clone()) };
                        out.push(Holder { kind: kind.into(), name, namespace: String::new(), via: format!("ABAC: policy line {}", i + 1) });
                    }
                }
            }
            Mode::AlwaysAllow => out.push(Holder {
                kind: "Group".into(),
                name: "*".into(),
                namespace: String::new(),
                via: format!("{}: allows everything", a.name),
            }),
            Mode::Node => out.extend(node_holders(&chain.node, state, attrs)),
            Mode::AlwaysDeny | Mode::Webhook => {}
        }
    }
    out.dedup();
    out
}

/// Nodes holding the permission through the Node authorizer. A node with no relationships
/// is probed first: if it is allowed, every node is. Otherwise the candidates are the nodes
/// the graph relates to the object, plus the node the request names or selects; each is
/// confirmed by asking the authorizer.
fn node_holders(authorizer: &crate::node::NodeAuthorizer, state: &ClusterState, attrs: &Attributes) -> Vec<Holder> {
    use crate::node;
    let ask = |node_name: &str| {
        let mut a = attrs.clone();
        a.user = UserInfo::new(format!("{}{node_name}", node::NODE_USER_PREFIX), [node::NODES_GROUP]);
        authorizer.authorize(state.graph(), &a)
    };
    // No real node is named like this (names are DNS subdomains), so it has no graph edges.
    let (unrelated, _) = ask("kauthz:unrelated-node");
    if unrelated.decision == crate::authz::Decision::Allow {
        return vec![Holder {
            kind: "Group".into(),
            name: node::NODES_GROUP.into(),
            namespace: String::new(),
            via: "Node: every node (static rules or handler; NodeRestriction may limit writes)".into(),
        }];
    }
    let mut candidates: Vec<String> = Vec::new();
    if let Some(vt) = node::VertexType::for_resource(&attrs.api_group, &attrs.resource) {
        candidates.extend(node::nodes_reaching(state.graph(), vt, &attrs.namespace, &attrs.name));
    }
    if !attrs.name.is_empty() && matches!(attrs.resource.as_str(), "nodes" | "csinodes" | "leases") {
        candidates.push(attrs.name.clone());
    }
    candidates.extend(
        attrs.field_selector.requirements.iter().filter(|r| r.operator == crate::selector::Operator::Equals).map(|r| r.value.clone()),
    );
    candidates.sort();
    candidates.dedup();
    candidates
        .into_iter()
        .filter_map(|n| {
            let (verdict, path) = ask(&n);
            (verdict.decision == crate::authz::Decision::Allow).then(|| Holder {
                kind: "Node".into(),
                via: match path {
                    Some(p) => format!("Node: graph {}", p.hops.join(" <- ")),
                    None => "Node: own object".into(),
                },
                name: n,
                namespace: String::new(),
            })
        })
        .collect()
}
