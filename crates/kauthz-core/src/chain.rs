//! The authorizer chain kube-apiserver builds: the `system:masters` step first, then the
//! configured authorizers in order, combined with union semantics (the first Allow or Deny
//! decides; NoOpinion reasons are joined with newlines).

use crate::abac::PolicyList;
use crate::authz::{Attributes, Decision, Verdict, aggregate_errors};
use crate::authzconfig::{self, AuthorizationConfigError, FailurePolicy, Match, WebhookConfig};
use crate::node::{self, GraphPath};
use crate::rbac::RbacSource;
use crate::state::ClusterState;

/// The group kube-apiserver always allows, before any configured authorizer.
pub const PRIVILEGED_GROUP: &str = "system:masters";

/// The name kube-apiserver gives the privileged-group step inside its union.
pub const PRIVILEGED_AUTHORIZER_NAME: &str = "kubernetes.io/system-privileged-group";

/// One configured authorizer.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The Node authorizer.
    Node,
    /// RBAC.
    Rbac,
    /// ABAC with its policy.
    Abac(PolicyList),
    /// Allows everything.
    AlwaysAllow,
    /// Has no opinion on anything, with reason `Everything is forbidden.`.
    AlwaysDeny,
    /// A webhook: its answer is unknown offline, but its `matchConditions` and failure
    /// policy are evaluated, so requests it would never be asked about are answered.
    Webhook(WebhookConfig),
}

impl Mode {
    /// The `--authorization-mode` / AuthorizationConfiguration type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Mode::Node => "Node",
            Mode::Rbac => "RBAC",
            Mode::Abac(_) => "ABAC",
            Mode::AlwaysAllow => "AlwaysAllow",
            Mode::AlwaysDeny => "AlwaysDeny",
            Mode::Webhook(_) => "Webhook",
        }
    }
}

/// A named authorizer in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Authorizer {
    /// Name (AuthorizationConfiguration `name`; for flags the lower-cased mode, `default`
    /// for the webhook). The union prefixes this authorizer's NoOpinion reasons with it.
    pub name: String,
    /// What it is.
    pub mode: Mode,
}

/// The configured chain (without the implicit `system:masters` step).
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// Authorizers in evaluation order.
    pub authorizers: Vec<Authorizer>,
    /// The Node authorizer with the configured feature gates (used by every `Node` step).
    pub node: node::NodeAuthorizer,
}

/// What one step of the chain said, with detail for explanations.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Authorizer name (`system:masters` for the privileged-group step).
    pub authorizer: String,
    /// Its type (`Privileged`, `Node`, `RBAC`, ...).
    pub type_name: &'static str,
    /// Its verdict; `None` for a webhook that could not be evaluated.
    pub verdict: Option<Verdict>,
    /// The RBAC binding and rule behind an RBAC allow.
    pub rbac_source: Option<RbacSource>,
    /// The graph path behind a Node allow.
    pub graph_path: Option<GraphPath>,
    /// The ABAC policy line (0-based) behind an ABAC allow.
    pub abac_policy: Option<usize>,
}

/// The chain's overall answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainResult {
    /// The union's verdict; `None` when a webhook that could change it was not evaluated.
    pub verdict: Option<Verdict>,
    /// Name of the webhook that left the answer undetermined.
    pub undetermined_by: Option<String>,
    /// Every step that ran, in order.
    pub steps: Vec<Step>,
}

impl ChainResult {
    /// True only for a determined Allow.
    pub fn allowed(&self) -> bool {
        self.verdict.as_ref().is_some_and(|v| v.decision == Decision::Allow)
    }

    /// The step that decided (Allow or Deny), if any.
    pub fn deciding_step(&self) -> Option<&Step> {
        self.steps.last().filter(|s| s.verdict.as_ref().is_some_and(|v| v.decision != Decision::NoOpinion))
    }

    /// The text offline evaluation reports for an undetermined answer.
    pub fn incomplete_message(&self) -> Option<String> {
        self.undetermined_by.as_ref().map(|w| format!("incomplete: webhook {} not evaluated", crate::gostr::quote(w)))
    }
}

/// Why an authorization chain could not be built from flags or an AuthorizationConfiguration.
/// Messages are kube-apiserver's where it has one.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// `--authorization-mode` names ABAC without a policy file.
    #[error("authorization-mode ABAC's authorization policy file not passed")]
    AbacPolicyMissing,
    /// A policy file without mode ABAC.
    #[error("cannot specify --authorization-policy-file without mode ABAC")]
    PolicyFileWithoutAbac,
    /// An empty entry in `--authorization-mode`.
    #[error("authorization-mode: empty mode")]
    EmptyMode,
    /// An unknown mode in `--authorization-mode`.
    #[error("authorization-mode {} is not a valid mode", crate::gostr::quote(.0))]
    InvalidMode(String),
    /// A mode named twice in `--authorization-mode`.
    #[error("authorization-mode {} has mode specified more than once", crate::gostr::quote(.0))]
    DuplicateMode(String),
    /// The AuthorizationConfiguration does not decode or upstream's validation refuses it.
    #[error(transparent)]
    Config(#[from] AuthorizationConfigError),
    /// The AuthorizationConfiguration has an ABAC entry but no policy file was passed.
    #[error("{path}: authorizer type ABAC needs --authorization-policy-file")]
    ConfigAbacPolicyMissing {
        /// The configuration file.
        path: String,
    },
    /// The ABAC policy file named for the chain does not load.
    #[error(transparent)]
    Abac(#[from] crate::abac::AbacError),
}

impl Chain {
    /// Parses `--authorization-mode` (e.g. `Node,RBAC`) with an optional ABAC policy file text.
    pub fn from_modes(modes: &str, abac_policy: Option<(&str, &str)>) -> Result<Chain, ChainError> {
        let mut authorizers: Vec<Authorizer> = Vec::new();
        for m in modes.split(',').map(str::trim) {
            let mode = match m {
                "Node" => Mode::Node,
                "RBAC" => Mode::Rbac,
                "ABAC" => {
                    let (path, text) = abac_policy.ok_or(ChainError::AbacPolicyMissing)?;
                    Mode::Abac(PolicyList::parse(path, text)?)
                }
                "AlwaysAllow" => Mode::AlwaysAllow,
                "AlwaysDeny" => Mode::AlwaysDeny,
                // The flag-configured webhook has no match conditions and fails open.
                "Webhook" => Mode::Webhook(WebhookConfig::default()),
                "" => return Err(ChainError::EmptyMode),
                other => return Err(ChainError::InvalidMode(other.to_string())),
            };
            if authorizers.iter().any(|a| a.mode.type_name() == mode.type_name()) {
                return Err(ChainError::DuplicateMode(m.to_string()));
            }
            // kube-apiserver names flag-configured authorizers by their lower-cased mode,
            // except the webhook, which is named "default".
            let name = if matches!(mode, Mode::Webhook(_)) { "default".to_string() } else { m.to_ascii_lowercase() };
            authorizers.push(Authorizer { name, mode });
        }
        if abac_policy.is_some() && !authorizers.iter().any(|a| matches!(a.mode, Mode::Abac(_))) {
            return Err(ChainError::PolicyFileWithoutAbac);
        }
        Ok(Chain { authorizers, node: node::NodeAuthorizer::default() })
    }

    /// Parses an `apiserver.config.k8s.io` AuthorizationConfiguration (YAML or JSON),
    /// validated as kube-apiserver validates it (see [`crate::authzconfig`]).
    pub fn from_config(path: &str, text: &str, abac_policy: Option<(&str, &str)>) -> Result<Chain, ChainError> {
        let mut authorizers = Vec::new();
        for a in authzconfig::load(path, text)? {
            let mode = match a.type_name.as_str() {
                "Node" => Mode::Node,
                "RBAC" => Mode::Rbac,
                "ABAC" => {
                    let (p, t) = abac_policy.ok_or_else(|| ChainError::ConfigAbacPolicyMissing { path: path.to_string() })?;
                    Mode::Abac(PolicyList::parse(p, t)?)
                }
                "AlwaysAllow" => Mode::AlwaysAllow,
                "AlwaysDeny" => Mode::AlwaysDeny,
                _ => Mode::Webhook(a.webhook.unwrap_or_default()),
            };
            authorizers.push(Authorizer { name: a.name, mode });
        }
        Ok(Chain { authorizers, node: node::NodeAuthorizer::default() })
    }

    /// Evaluates the request through `system:masters` and every authorizer, as the union
    /// authorizer does, recording the graph path behind a Node allow.
    pub fn evaluate(&self, state: &ClusterState, attrs: &Attributes) -> ChainResult {
        self.evaluate_with(state, attrs, true)
    }

    /// Like [`Chain::evaluate`] without graph paths: the hot path for review streams.
    pub fn decide(&self, state: &ClusterState, attrs: &Attributes) -> ChainResult {
        self.evaluate_with(state, attrs, false)
    }

    fn evaluate_with(&self, state: &ClusterState, attrs: &Attributes, explain: bool) -> ChainResult {
        // Steps are recorded only for explanations; deciding allocates nothing beyond the
        // reason text.
        let mut steps = Vec::new();
        let masters = if attrs.user.in_group(PRIVILEGED_GROUP) { Verdict::allow("") } else { Verdict::no_opinion("") };
        if explain {
            steps.push(step(PRIVILEGED_AUTHORIZER_NAME, "Privileged", Some(masters.clone())));
        }
        if masters.decision == Decision::Allow {
            return ChainResult { verdict: Some(masters), undetermined_by: None, steps };
        }
        let mut reasons = String::new();
        let mut errors: Vec<String> = Vec::new();
        for a in &self.authorizers {
            let mut s = explain.then(|| step(&a.name, a.mode.type_name(), None));
            let verdict = match &a.mode {
                Mode::Node if explain => {
                    let (v, path) = self.node.authorize(state.graph(), attrs);
                    if let Some(s) = s.as_mut() {
                        s.graph_path = path;
                    }
                    v
                }
                Mode::Node => self.node.decide(state.graph(), attrs),
                Mode::Rbac => {
                    let (v, src) = state.rbac().authorize(attrs);
                    if let Some(s) = s.as_mut() {
                        s.rbac_source = src;
                    }
                    v
                }
                Mode::Abac(pl) => {
                    if let Some(s) = s.as_mut() {
                        s.abac_policy = pl.matching(attrs);
                    }
                    pl.authorize(attrs)
                }
                Mode::AlwaysAllow => Verdict::allow(""),
                Mode::AlwaysDeny => Verdict::no_opinion("Everything is forbidden."),
                Mode::Webhook(w) => match w.matches(attrs) {
                    Match::Called => {
                        steps.extend(s);
                        return ChainResult { verdict: None, undetermined_by: Some(a.name.clone()), steps };
                    }
                    Match::Excluded => Verdict::no_opinion(""),
                    Match::Failed(messages) => {
                        let decision = match w.failure_policy {
                            FailurePolicy::Deny => Decision::Deny,
                            FailurePolicy::NoOpinion => Decision::NoOpinion,
                        };
                        // The union aggregates every authorizer's errors flat (nested
                        // aggregates are visited), so the messages are kept apart here.
                        let error = aggregate_errors(&messages);
                        if decision == Decision::NoOpinion {
                            errors.extend(messages);
                            if let Some(mut s) = s {
                                s.verdict = Some(Verdict { decision, reason: String::new(), error: Some(error) });
                                steps.push(s);
                            }
                            continue;
                        }
                        Verdict { decision, reason: String::new(), error: Some(error) }
                    }
                },
            };
            if let Some(mut s) = s {
                s.verdict = Some(verdict.clone());
                steps.push(s);
            }
            if verdict.decision != Decision::NoOpinion {
                return ChainResult { verdict: Some(verdict), undetermined_by: None, steps };
            }
            // Since v1.37 the union prefixes each collected reason with its authorizer's name
            // and joins them with newlines.
            if !verdict.reason.is_empty() {
                if !reasons.is_empty() {
                    reasons.push('\n');
                }
                #[cfg(feature = "mutants")]
                let prefixed = !crate::mutants::active(crate::mutants::Mutant::NoReasonPrefix);
                #[cfg(not(feature = "mutants"))]
                let prefixed = true;
                if prefixed {
                    reasons.push_str(&a.name);
                    reasons.push_str(": ");
                }
                reasons.push_str(&verdict.reason);
            }
            if let Some(e) = verdict.error {
                errors.push(e);
            }
        }
        let error = (!errors.is_empty()).then(|| aggregate_errors(&errors));
        ChainResult { verdict: Some(Verdict { decision: Decision::NoOpinion, reason: reasons, error }), undetermined_by: None, steps }
    }

    /// Whether any authorizer in the chain is a webhook.
    pub fn has_webhook(&self) -> bool {
        self.authorizers.iter().any(|a| matches!(a.mode, Mode::Webhook(_)))
    }
}

fn step(name: &str, type_name: &'static str, verdict: Option<Verdict>) -> Step {
    Step { authorizer: name.into(), type_name, verdict, rbac_source: None, graph_path: None, abac_policy: None }
}

impl Chain {
    /// The same chain with the Node authorizer configured for `gates`.
    pub fn with_feature_gates(mut self, gates: &crate::features::FeatureGates) -> Chain {
        self.node = node::NodeAuthorizer::new(gates.node_authorizer());
        self
    }
}

impl Default for Chain {
    /// kube-apiserver's usual `Node,RBAC`.
    fn default() -> Self {
        Chain::from_modes("Node,RBAC", None).expect("static mode list parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::UserInfo;

    fn eval(modes: &str, user: UserInfo) -> ChainResult {
        Chain::from_modes(modes, None).unwrap().evaluate(&ClusterState::new(), &Attributes::resource(user, "get", "pods", "ns", "p"))
    }

    #[test]
    fn masters_first() {
        let r = eval("AlwaysDeny", UserInfo::new("x", ["system:masters"]));
        assert_eq!(r.verdict, Some(Verdict::allow("")));
        assert_eq!(r.steps.len(), 1);
    }

    #[test]
    fn union_reasons_join() {
        let r = eval("AlwaysDeny,RBAC", UserInfo::new("x", ["g"]));
        assert_eq!(r.verdict, Some(Verdict::no_opinion("alwaysdeny: Everything is forbidden.")));
        let r = eval("AlwaysDeny,AlwaysAllow", UserInfo::new("x", ["g"]));
        assert_eq!(r.verdict, Some(Verdict::allow("")), "AlwaysDeny is NoOpinion, later allow wins");
        let r = eval("Node,AlwaysDeny", UserInfo::new("system:node:", ["system:nodes"]));
        assert_eq!(r.verdict.unwrap().reason, "node: unknown node for user \"system:node:\"\nalwaysdeny: Everything is forbidden.");
    }

    #[test]
    fn webhook_leaves_answer_undetermined() {
        let r = eval("RBAC,Webhook,AlwaysAllow", UserInfo::new("x", ["g"]));
        assert_eq!(r.verdict, None);
        assert_eq!(r.incomplete_message().unwrap(), "incomplete: webhook \"default\" not evaluated");
        assert!(!r.allowed());
        let r = eval("AlwaysAllow,Webhook", UserInfo::new("x", ["g"]));
        assert!(r.allowed(), "an allow before the webhook is final");
    }

    #[test]
    fn mode_parsing() {
        assert!(Chain::from_modes("Node,RBAC", None).is_ok());
        assert!(Chain::from_modes("RBAC,RBAC", None).is_err());
        assert!(Chain::from_modes("rbac", None).is_err());
        assert!(Chain::from_modes("ABAC", None).is_err());
        assert!(Chain::from_modes("RBAC", Some(("p", ""))).is_err());
        assert!(Chain::from_modes("ABAC,RBAC", Some(("p", ""))).is_ok());
    }

    #[test]
    fn config_parsing() {
        let ok = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: Node\n  name: node\n- type: Webhook\n  name: wh\n  webhook: {timeout: 3s, failurePolicy: Deny, subjectAccessReviewVersion: v1, matchConditionSubjectAccessReviewVersion: v1, connectionInfo: {type: InClusterConfig}, matchConditions: [{expression: \"request.user == 'x'\"}]}\n- type: RBAC\n  name: rbac\n";
        let c = Chain::from_config("c.yaml", ok, None).unwrap();
        assert_eq!(c.authorizers.len(), 3);
        assert_eq!(c.authorizers[1].name, "wh");
        // The webhook is asked only about user x; everyone else gets RBAC's answer.
        let state = ClusterState::new();
        let r = c.evaluate(&state, &Attributes::resource(UserInfo::new("x", ["g"]), "get", "pods", "ns", "p"));
        assert_eq!(r.undetermined_by.as_deref(), Some("wh"));
        let r = c.evaluate(&state, &Attributes::resource(UserInfo::new("y", ["g"]), "get", "pods", "ns", "p"));
        assert!(r.verdict.is_some());
        let dup = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- {type: RBAC, name: a}\n- {type: RBAC, name: b}\n";
        assert!(Chain::from_config("c", dup, None).unwrap_err().to_string().contains("authorizers[1].type"));
        let missing =
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- {type: Webhook, name: a}\n";
        assert!(Chain::from_config("c", missing, None).unwrap_err().to_string().contains("webhook"));
        assert!(Chain::from_config("c", "apiVersion: v1\nkind: Pod\n", None).is_err());
    }

    #[test]
    fn match_condition_errors_follow_the_failure_policy() {
        let cfg = |policy: &str| {
            format!(
                "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: Webhook\n  name: wh\n  webhook: {{timeout: 3s, failurePolicy: {policy}, subjectAccessReviewVersion: v1, matchConditionSubjectAccessReviewVersion: v1, connectionInfo: {{type: InClusterConfig}}, matchConditions: [{{expression: \"request.extra['k'][0] == 'v'\"}}]}}\n- type: AlwaysAllow\n  name: alwaysallow\n"
            )
        };
        let state = ClusterState::new();
        let attrs = Attributes::resource(UserInfo::new("x", ["g"]), "get", "pods", "ns", "p");
        let want = "cel evaluation error: expression 'request.extra['k'][0] == 'v'' resulted in error: no such key: k";
        let r = Chain::from_config("c", &cfg("Deny"), None).unwrap().evaluate(&state, &attrs);
        assert_eq!(r.verdict, Some(Verdict { decision: Decision::Deny, reason: String::new(), error: Some(want.into()) }));
        let r = Chain::from_config("c", &cfg("NoOpinion"), None).unwrap().evaluate(&state, &attrs);
        assert_eq!(r.verdict, Some(Verdict::allow("")), "a later authorizer decides; its error alone is returned");
    }
}
