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
            Mode::Node | Mode::AlwaysDeny | Mode::Webhook => {}
        }
    }
    out.dedup();
    out
}
