//! Enforcement modes for serving kauthz as kube-apiserver's authorization webhook.
//!
//! RBAC is cumulative: one grant to `system:nodes` gives every kubelet more than the Node
//! authorizer would. In [`Mode::Strict`], placed before RBAC in the AuthorizationConfiguration,
//! kauthz denies a node identity whatever neither the Node authorizer's graph nor an explicit
//! allowlist justifies — a deliberate, opt-in difference from upstream. [`Mode::Audit`]
//! computes the same answer but returns no opinion, so an operator can trial strict mode.
//! [`Mode::Node`] answers exactly as the Node authorizer does.

use crate::authz::{Attributes, Decision, Verdict};
use crate::chain::Chain;
use crate::model::{Object, PolicyRule};
use crate::node::node_identity;
use crate::rbac::rule_allows;
use crate::state::ClusterState;

/// How the webhook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The Node authorizer's answer: allow, or no opinion.
    Node,
    /// Node identities are also denied what neither the graph nor the allowlist justifies.
    Strict,
    /// Strict computed, no opinion returned; would-be denials are reported.
    Audit,
}

impl Mode {
    /// Parses `node`, `strict` or `audit`.
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "node" => Mode::Node,
            "strict" => Mode::Strict,
            "audit" => Mode::Audit,
            _ => return None,
        })
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Node => "node",
            Mode::Strict => "strict",
            Mode::Audit => "audit",
        }
    }
}

/// The webhook's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What the webhook returns.
    pub verdict: Verdict,
    /// In audit mode: the denial strict mode would have returned.
    pub would_deny: Option<String>,
}

/// The ClusterRoles of the default policy every authenticated identity (kubelets
/// included) holds: discovery, public info and self-reviews.
const DEFAULT_ALLOW_ROLES: [&str; 3] = ["system:basic-user", "system:discovery", "system:public-info-viewer"];

/// The rules strict mode lets through to the next authorizer for node identities by
/// default: what v1.37's default policy grants every authenticated identity, plus
/// kubeadm's kubelet client-certificate renewal (`certificatesigningrequests/selfnodeclient`).
pub fn default_allowlist() -> Vec<PolicyRule> {
    let mut rules: Vec<PolicyRule> = crate::defaults::bootstrap_policy()
        .iter()
        .filter_map(|o| match o {
            Object::ClusterRole(r) if DEFAULT_ALLOW_ROLES.contains(&r.metadata.name.as_str()) => Some(r.rules.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    rules.push(PolicyRule {
        verbs: vec!["create".into()],
        api_groups: vec!["certificates.k8s.io".into()],
        resources: vec!["certificatesigningrequests/selfnodeclient".into()],
        ..PolicyRule::default()
    });
    rules
}

/// The enforcer: a mode and an allowlist.
#[derive(Debug, Clone)]
pub struct Enforcer {
    /// The mode.
    pub mode: Mode,
    /// Rules strict mode does not deny (RBAC-shaped).
    pub allow: Vec<PolicyRule>,
}

impl Enforcer {
    /// An enforcer with the default allowlist.
    pub fn new(mode: Mode) -> Self {
        Enforcer { mode, allow: default_allowlist() }
    }

    /// Answers one request.
    pub fn authorize(&self, chain: &Chain, state: &ClusterState, attrs: &Attributes) -> Answer {
        let node = chain.node.decide(state.graph(), attrs);
        if self.mode == Mode::Node || node.decision == Decision::Allow {
            return Answer { verdict: node, would_deny: None };
        }
        let Some(name) = node_identity(&attrs.user) else {
            return Answer { verdict: Verdict::no_opinion(""), would_deny: None };
        };
        if self.allow.iter().any(|r| rule_allows(attrs, r)) {
            return Answer { verdict: Verdict::no_opinion("kauthz strict: allowlisted, left to the next authorizer"), would_deny: None };
        }
        let why = if node.reason.is_empty() { String::new() } else { format!(" (node authorizer: {})", node.reason) };
        let denial = format!(
            "kauthz strict: neither the Node authorizer's graph nor the allowlist justifies this request from node {}{why}",
            crate::gostr::quote(name)
        );
        match self.mode {
            Mode::Strict => Answer { verdict: Verdict::deny(denial), would_deny: None },
            _ => Answer { verdict: Verdict::no_opinion(""), would_deny: Some(denial) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::UserInfo;
    use crate::snapshot;

    fn state() -> ClusterState {
        let text = r#"{"apiVersion":"v1","kind":"List","items":[
          {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"app"},
           "spec":{"nodeName":"n1","volumes":[{"name":"s","secret":{"secretName":"db"}}]}}]}"#;
        ClusterState::from_objects(snapshot::parse_text("t.json", text).unwrap().objects)
    }

    fn node_req(verb: &str, resource: &str, ns: &str, name: &str) -> Attributes {
        Attributes::resource(UserInfo::new("system:node:n1", ["system:nodes", "system:authenticated"]), verb, resource, ns, name)
    }

    #[test]
    fn modes() {
        let (s, c) = (state(), Chain::default());
        let own = node_req("get", "secrets", "app", "db");
        let other = node_req("get", "secrets", "app", "other");
        for mode in [Mode::Node, Mode::Strict, Mode::Audit] {
            assert_eq!(Enforcer::new(mode).authorize(&c, &s, &own).verdict.decision, Decision::Allow, "{mode:?}");
        }
        assert_eq!(Enforcer::new(Mode::Node).authorize(&c, &s, &other).verdict.decision, Decision::NoOpinion);
        let strict = Enforcer::new(Mode::Strict).authorize(&c, &s, &other);
        assert_eq!(strict.verdict.decision, Decision::Deny);
        assert!(strict.verdict.reason.contains("no relationship found between node 'n1' and this object"), "{}", strict.verdict.reason);
        let audit = Enforcer::new(Mode::Audit).authorize(&c, &s, &other);
        assert_eq!(audit.verdict.decision, Decision::NoOpinion);
        assert_eq!(audit.would_deny.as_deref(), Some(strict.verdict.reason.as_str()));
    }

    #[test]
    fn allowlist_and_other_identities() {
        let (s, c) = (state(), Chain::default());
        let e = Enforcer::new(Mode::Strict);
        let mut csr = node_req("create", "certificatesigningrequests", "", "");
        csr.api_group = "certificates.k8s.io".into();
        csr.subresource = "selfnodeclient".into();
        assert_eq!(e.authorize(&c, &s, &csr).verdict.decision, Decision::NoOpinion);
        let ssar = {
            let mut a = node_req("create", "selfsubjectaccessreviews", "", "");
            a.api_group = "authorization.k8s.io".into();
            a
        };
        assert_eq!(e.authorize(&c, &s, &ssar).verdict.decision, Decision::NoOpinion);
        let alice = Attributes::resource(UserInfo::new("alice", ["system:authenticated"]), "list", "secrets", "", "");
        assert_eq!(e.authorize(&c, &s, &alice).verdict, Verdict::no_opinion(""));
        let discovery = Attributes::non_resource(UserInfo::new("system:node:n1", ["system:nodes"]), "get", "/version");
        assert_eq!(e.authorize(&c, &s, &discovery).verdict.decision, Decision::NoOpinion);
    }
}
