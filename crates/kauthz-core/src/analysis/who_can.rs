//! who-can: every identity that holds a permission, and through what.

use crate::abac;
use crate::authz::{Attributes, UserInfo};
use crate::chain::{Chain, Mode};
use crate::rbac::rule_allows;
use crate::state::ClusterState;

/// The name of the `Node` holder that stands for every node.
pub const EVERY_NODE: &str = "*";

/// One holder of a permission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holder {
    /// `User`, `Group`, `ServiceAccount` or `Node` (name [`EVERY_NODE`]: every node).
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
                        // Upstream's RBAC compares subject kinds exactly; any other kind
                        // (`user`, `Node`, empty, …) grants nothing.
                        let kind_matches = matches!(s.kind.as_str(), "User" | "Group" | "ServiceAccount");
                        #[cfg(feature = "mutants")]
                        let kind_matches = kind_matches || crate::mutants::active(crate::mutants::Mutant::WhoCanAnySubjectKind);
                        if !kind_matches {
                            continue;
                        }
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
                    // A policy naming both a user and a group holds only for that user in
                    // that group: neither subject alone holds it, so it lists no holder —
                    // unless the identity always carries that group: a node (system:nodes)
                    // or a service account (system:serviceaccounts[:namespace]).
                    if !p.user.is_empty() && !p.group.is_empty() && p.user != "*" && p.group != "*" {
                        if let Some(holder) = identity_holder(&p.user, &p.group)
                            && abac::policy_allows(p, &probe)
                        {
                            out.push(Holder { via: format!("ABAC: policy line {}", i + 1), ..holder });
                        }
                        continue;
                    }
                    if abac::policy_allows(p, &probe) {
                        let (kind, name) =
                            if p.user.is_empty() || p.user == "*" { ("Group", p.group.clone()) } else { ("User", p.user.clone()) };
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
            Mode::AlwaysDeny | Mode::Webhook(_) => {}
        }
    }
    out.dedup();
    #[cfg(feature = "mutants")]
    if crate::mutants::active(crate::mutants::Mutant::WhoCanSkipGroups) {
        out.retain(|h| h.kind != "Group");
    }
    out
}

/// Nodes holding the permission through the Node authorizer. A node with no relationships
/// is probed first: if it is allowed, every node is. Otherwise the candidates are the nodes
/// the graph relates to the object, plus the node the request names or selects; each is
/// confirmed by asking the authorizer.
/// The holder a user-and-group ABAC subject amounts to when every credential of that user
/// carries the group: a node's user is always in `system:nodes`, a service account's in
/// `system:serviceaccounts` and `system:serviceaccounts:<namespace>`.
fn identity_holder(user: &str, group: &str) -> Option<Holder> {
    let holder = |kind: &str, name: &str, namespace: &str| Holder {
        kind: kind.into(),
        name: name.into(),
        namespace: namespace.into(),
        via: String::new(),
    };
    if let Some(node) = user.strip_prefix(crate::node::NODE_USER_PREFIX)
        && !node.is_empty()
        && group == crate::node::NODES_GROUP
    {
        return Some(holder("Node", node, ""));
    }
    let (namespace, name) = user.strip_prefix("system:serviceaccount:")?.split_once(':')?;
    let always = group == "system:serviceaccounts" || group.strip_prefix("system:serviceaccounts:") == Some(namespace);
    (always && !namespace.is_empty() && !name.is_empty() && !name.contains(':')).then(|| holder("ServiceAccount", name, namespace))
}

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
        // Not "Group system:nodes": the Node authorizer answers only node identities
        // (system:node:<name> in system:nodes), not every member of the group.
        return vec![Holder {
            kind: "Node".into(),
            name: EVERY_NODE.into(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot;

    fn state(extra: &str) -> ClusterState {
        let base = r#"{"apiVersion":"v1","kind":"List","items":[
          {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"read"},
           "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]}"#;
        let text = format!("{base}{extra}]}}");
        ClusterState::from_objects(snapshot::parse_text("t.json", &text).unwrap().objects)
    }

    fn holders(s: &ClusterState, modes: &str) -> Vec<(String, String)> {
        let chain = Chain::from_modes(modes, None).unwrap();
        let attrs = Attributes::resource(UserInfo::default(), "get", "secrets", "ns", "x");
        who_can(&chain, s, &attrs).into_iter().map(|h| (h.kind, h.name)).collect()
    }

    #[test]
    fn subject_kinds_upstream_never_matches_are_not_holders() {
        let s = state(
            r#",{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},
               "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"read"},
               "subjects":[{"kind":"user","name":"alice"},{"kind":"Node","name":"n1"},{"kind":"","name":"x"},
                           {"kind":"SystemGroup","name":"g"},{"kind":"User","name":"bob"},{"kind":"Group","name":"dev"},
                           {"kind":"ServiceAccount","name":"sa","namespace":"ns"},{"kind":"ServiceAccount","name":"nons"}]}"#,
        );
        let got = holders(&s, "RBAC");
        let want: Vec<(String, String)> = [("Group", "system:masters"), ("User", "bob"), ("Group", "dev"), ("ServiceAccount", "sa")]
            .into_iter()
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn abac_policy_with_user_and_group_has_no_single_holder() {
        let s = state("");
        let policy = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"erin","group":"dev","namespace":"*","resource":"*","apiGroup":"*"}}
{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"bob","namespace":"*","resource":"*","apiGroup":"*"}}
{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"ops","namespace":"*","resource":"*","apiGroup":"*"}}"#;
        let chain = Chain::from_modes("ABAC", Some(("p", policy))).unwrap();
        let attrs = Attributes::resource(UserInfo::default(), "get", "secrets", "ns", "x");
        let got: Vec<(String, String)> = who_can(&chain, &s, &attrs).into_iter().map(|h| (h.kind, h.name)).collect();
        assert_eq!(got, [("Group", "system:masters"), ("User", "bob"), ("Group", "ops")].map(|(k, n)| (k.to_string(), n.to_string())));
        // A node's user always carries system:nodes, a service account's its groups.
        let policy = r#"{"user":"system:node:n1","group":"system:nodes","namespace":"*","resource":"*"}
{"user":"system:serviceaccount:ns:sa","group":"system:serviceaccounts:ns","namespace":"*","resource":"*"}
{"user":"system:serviceaccount:ns:other","group":"system:serviceaccounts:elsewhere","namespace":"*","resource":"*"}"#;
        let chain = Chain::from_modes("ABAC", Some(("p", policy))).unwrap();
        let got: Vec<(String, String, String)> = who_can(&chain, &s, &attrs).into_iter().map(|h| (h.kind, h.name, h.namespace)).collect();
        assert!(got.contains(&("Node".into(), "n1".into(), String::new())), "{got:?}");
        assert!(got.contains(&("ServiceAccount".into(), "sa".into(), "ns".into())), "{got:?}");
        assert!(!got.iter().any(|h| h.1 == "other"), "{got:?}");
    }

    #[test]
    fn what_every_node_may_do_is_held_by_every_node_not_the_group() {
        let s = state("");
        let chain = Chain::from_modes("Node,RBAC", None).unwrap();
        let attrs = Attributes::resource(UserInfo::default(), "get", "services", "ns", "");
        let got: Vec<(String, String)> = who_can(&chain, &s, &attrs).into_iter().map(|h| (h.kind, h.name)).collect();
        assert!(got.contains(&("Node".to_string(), EVERY_NODE.to_string())), "{got:?}");
        assert!(!got.iter().any(|(k, n)| k == "Group" && n == "system:nodes"), "{got:?}");
    }
}
