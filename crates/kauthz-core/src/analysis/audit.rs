//! Kubelet authorization posture: findings with stable ids, severities, evidence and
//! fixes, from the configured chain, the admission configuration, RBAC, the node graph,
//! every node's blast radius and (when given) a kubelet configuration file.
//!
//! A distribution [`Profile`] marks findings that are that distribution's design, with the
//! source of that knowledge; such findings are reported but do not count for
//! `--fail-on`.

use std::collections::BTreeMap;

use crate::analysis::blast::{Analyzer, Identity};
use crate::authz::Attributes;
use crate::chain::{Chain, Mode};
use crate::model::{PolicyRule, Subject};
use crate::node::{self, GraphPath, VertexType};
use crate::rbac::rule_allows;
use crate::state::ClusterState;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Minor.
    Low,
    /// Should be fixed.
    Medium,
    /// Widens what a kubelet credential reaches.
    High,
    /// Removes a kubelet boundary altogether.
    Critical,
}

impl Severity {
    /// Lower-case name (`info` … `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical].into_iter().find(|v| v.as_str() == s)
    }
}

/// What a finding is about, written once: id, severity, title and fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, e.g. `KA-N001`.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:ident, $title:literal, $fix:literal;)*) => {
        $(#[doc = $title] pub const $name: Rule = Rule { id: $id, severity: Severity::$sev, title: $title, fix: $fix };)*
        /// Every rule the audit checks.
        pub const RULES: &[Rule] = &[$($name),*];
    };
}

rules! {
    NODE_MODE_MISSING = "KA-N001", Critical, "The Node authorizer is not in the authorization chain",
        "Add Node to --authorization-mode (Node,RBAC) or a `type: Node` entry first in the AuthorizationConfiguration.";
    NODE_MODE_SHADOWED = "KA-N002", High, "An authorizer before the Node authorizer allows node requests broadly",
        "Place Node before authorizers that allow broadly (AlwaysAllow, broad ABAC policies), or remove them.";
    NODE_RESTRICTION_DISABLED = "KA-N003", High, "The NodeRestriction admission plugin is not enabled",
        "Add NodeRestriction to kube-apiserver's --enable-admission-plugins (and keep it out of --disable-admission-plugins).";
    ADMISSION_UNKNOWN = "KA-N004", Info, "The admission configuration was not given: NodeRestriction could not be checked",
        "Pass --enable-admission-plugins / --disable-admission-plugins as kube-apiserver runs them.";
    RBAC_GRANTS_TO_NODES = "KA-R010", High, "RBAC grants nodes more than the Node authorizer's own rules",
        "Remove system:nodes / system:node:* subjects from the binding, or narrow its role to what kubelets need; the Node authorizer already grants what a kubelet's pods need.";
    NODE_SUBRESOURCES_TO_BROAD_GROUPS = "KA-R011", High, "Broad groups may reach the kubelet API (nodes/proxy and other nodes subresources)",
        "Grant nodes/proxy, nodes/log, nodes/stats, nodes/metrics, nodes/configz and nodes/healthz only to named monitoring identities, never to broad groups.";
    SERVICE_ACCOUNT_ESCALATES_NODES = "KA-B020", High, "A service account running on nodes makes their blast radius cluster-wide",
        "Narrow the account's RBAC (pod creation, token minting, secrets, binding), or keep its pods off general nodes.";
    STALE_INDEX_GRANT = "KA-G030", Medium, "A node reads objects only through the Node authorizer's destination-index over-count",
        "Recreate the objects involved or restart kube-apiserver to rebuild the graph; the grant is upstream's stale index entry, not a pod's reference.";
    KUBELET_ANONYMOUS = "KA-K040", High, "The kubelet accepts anonymous requests",
        "Set authentication.anonymous.enabled: false in the KubeletConfiguration (--anonymous-auth=false).";
    KUBELET_ALWAYS_ALLOW = "KA-K041", Critical, "The kubelet authorizes every request (AlwaysAllow)",
        "Set authorization.mode: Webhook in the KubeletConfiguration (--authorization-mode=Webhook).";
    KUBELET_READ_ONLY_PORT = "KA-K042", Medium, "The kubelet serves its unauthenticated read-only port",
        "Set readOnlyPort: 0 in the KubeletConfiguration (--read-only-port=0).";
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// Severity (the rule's, raised where the evidence is worse).
    pub severity: Severity,
    /// What exactly was found.
    pub message: String,
    /// Objects, flags and graph paths that show it.
    pub evidence: Vec<String>,
    /// When the selected profile says this is the distribution's design: why, and the source.
    pub by_design: Option<String>,
}

/// kube-apiserver's admission plugin flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdmissionFlags {
    /// `--enable-admission-plugins`; `None` when not known.
    pub enabled: Option<Vec<String>>,
    /// `--disable-admission-plugins`.
    pub disabled: Vec<String>,
}

impl AdmissionFlags {
    /// Whether NodeRestriction runs (`None`: unknown). It is not in kube-apiserver's
    /// default-enabled set, so it must be enabled explicitly.
    pub fn node_restriction(&self) -> Option<bool> {
        if self.disabled.iter().any(|p| p == "NodeRestriction") {
            return Some(false);
        }
        self.enabled.as_ref().map(|e| e.iter().any(|p| p == "NodeRestriction"))
    }
}

/// The kubelet settings the audit reads from a KubeletConfiguration file (file defaults
/// when absent: anonymous off, Webhook authorization, read-only port closed).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KubeletConfig {
    /// `authentication`.
    pub authentication: KubeletAuthentication,
    /// `authorization`.
    pub authorization: KubeletAuthorization,
    /// `readOnlyPort`.
    pub read_only_port: Option<i64>,
}

/// `authentication`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct KubeletAuthentication {
    /// `anonymous`.
    pub anonymous: KubeletAnonymous,
}

/// `authentication.anonymous`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct KubeletAnonymous {
    /// `enabled`.
    pub enabled: Option<bool>,
}

/// `authorization`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct KubeletAuthorization {
    /// `mode`.
    pub mode: Option<String>,
}

/// A distribution whose defaults are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// kubeadm.
    Kubeadm,
    /// kind (kubeadm-based).
    Kind,
    /// Azure AKS.
    Aks,
    /// Amazon EKS.
    Eks,
    /// Google GKE.
    Gke,
    /// k3s / RKE2.
    K3s,
    /// OpenShift 4.
    Openshift,
}

impl Profile {
    /// Every profile with its name.
    pub const ALL: [(&'static str, Profile); 7] = [
        ("kubeadm", Profile::Kubeadm),
        ("kind", Profile::Kind),
        ("aks", Profile::Aks),
        ("eks", Profile::Eks),
        ("gke", Profile::Gke),
        ("k3s", Profile::K3s),
        ("openshift", Profile::Openshift),
    ];

    /// Looks up a profile by name.
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.iter().find(|(n, _)| *n == s).map(|(_, p)| *p)
    }

    /// Bindings granting to nodes that this distribution creates on purpose, with the source.
    fn node_bindings(self) -> &'static [(&'static str, &'static str)] {
        const KUBEADM: &[(&str, &str)] = &[(
            "kubeadm:node-autoapprove-certificate-rotation",
            "kubeadm binds system:nodes to selfnodeclient CSR auto-approval for client certificate rotation (kubeadm implementation details; cmd/kubeadm/app/phases/bootstraptoken/node)",
        )];
        match self {
            Profile::Kubeadm | Profile::Kind => KUBEADM,
            Profile::Aks => &[
                (
                    "system:aks-client-nodes",
                    "AKS binds ClusterRole system:node to Group system:nodes, giving every kubelet cluster-wide secret and configmap reads (Azure/AKS#3004; the seed article's AKS note)",
                ),
                ("system:aks-client-node-proxier", "AKS binds system:node-proxier to system:nodes (Azure/AKS#3004)"),
            ],
            Profile::Eks => &[(
                "eks:node-bootstrapper",
                "EKS binds system:bootstrappers (which EKS nodes carry) to selfnodeserver CSR creation (EKS node identity mapping)",
            )],
            Profile::Gke => &[
                ("kubelet-cluster-admin", "GKE's legacy binding of ClusterRole system:node (GKE default bindings)"),
                ("gce:beta:kubelet-certificate-bootstrap", "GKE kubelet certificate bootstrap"),
                ("gce:beta:kubelet-certificate-rotation", "GKE kubelet certificate rotation"),
            ],
            Profile::K3s | Profile::Openshift => &[],
        }
    }

    /// Whether the chain order this distribution ships puts another authorizer before Node
    /// on purpose.
    fn shadowing_by_design(self) -> Option<&'static str> {
        match self {
            Profile::Openshift => Some(
                "OpenShift 4 runs `Scope, SystemMasters, RBAC, Node`: RBAC before Node by design (openshift kube-apiserver operator defaults)",
            ),
            _ => None,
        }
    }
}

/// What the audit looks at.
pub struct AuditInput<'a> {
    /// The chain.
    pub chain: &'a Chain,
    /// The cluster.
    pub state: &'a ClusterState,
    /// kube-apiserver's admission flags.
    pub admission: &'a AdmissionFlags,
    /// A kubelet configuration, when given.
    pub kubelet: Option<&'a KubeletConfig>,
    /// The distribution, when given.
    pub profile: Option<Profile>,
    /// Blast-radius depth.
    pub depth: usize,
}

/// The groups every identity of a kind carries: grants to them reach far.
const BROAD_GROUPS: [&str; 5] =
    ["system:authenticated", "system:unauthenticated", "system:serviceaccounts", "system:nodes", "system:bootstrappers"];

/// Kubelet API subresources of nodes.
const NODE_SUBRESOURCES: [&str; 6] = ["proxy", "log", "stats", "metrics", "configz", "healthz"];

fn finding(rule: Rule, message: String, evidence: Vec<String>) -> Finding {
    Finding { rule, severity: rule.severity, message, evidence, by_design: None }
}

/// Runs every check; findings are ordered by severity (worst first), then id.
pub fn audit(input: &AuditInput) -> Vec<Finding> {
    let mut out = Vec::new();
    check_chain(input, &mut out);
    check_admission(input, &mut out);
    check_rbac(input, &mut out);
    check_nodes(input, &mut out);
    if let Some(k) = input.kubelet {
        check_kubelet(k, &mut out);
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.id.cmp(b.rule.id)).then(a.message.cmp(&b.message)));
    out
}

fn check_chain(input: &AuditInput, out: &mut Vec<Finding>) {
    let modes: Vec<String> = input.chain.authorizers.iter().map(|a| format!("{} ({})", a.name, a.mode.type_name())).collect();
    let Some(node_at) = input.chain.authorizers.iter().position(|a| a.mode == Mode::Node) else {
        out.push(finding(
            NODE_MODE_MISSING,
            "no Node authorizer: kubelets get exactly what RBAC, ABAC or webhooks grant them, nothing scoped to their pods".into(),
            vec![format!("authorizers: {}", modes.join(", "))],
        ));
        return;
    };
    for a in &input.chain.authorizers[..node_at] {
        let broad = match &a.mode {
            Mode::AlwaysAllow => Some("allows every request".to_string()),
            Mode::Abac(pl) => {
                // A policy a node user matches that is not read-only and covers every resource.
                let node = Identity::Node("any".into()).user();
                pl.policies
                    .iter()
                    .position(|p| crate::abac::subject_matches(p, &node) && !p.readonly && p.resource == "*" && p.namespace == "*")
                    .map(|i| format!("policy line {} allows node users every resource", i + 1))
            }
            Mode::Rbac => {
                let mut a_ = Attributes::resource(Identity::Node("any".into()).user(), "list", "secrets", "", "");
                a_.api_version = "v1".into();
                let (v, _) = input.state.rbac().authorize(&a_);
                (v.decision == crate::authz::Decision::Allow)
                    .then(|| format!("RBAC runs first and allows node users to list secrets cluster-wide ({})", v.reason))
            }
            Mode::Webhook(_) => Some("a webhook runs first: its answers for node users cannot be checked offline".into()),
            _ => None,
        };
        if let Some(why) = broad {
            let mut f = finding(
                NODE_MODE_SHADOWED,
                format!("{} ({}) runs before Node and {why}", a.name, a.mode.type_name()),
                vec![format!("authorizers: {}", modes.join(", "))],
            );
            if matches!(a.mode, Mode::Webhook(_)) {
                f.severity = Severity::Medium;
            }
            if let Some(p) = input.profile.and_then(Profile::shadowing_by_design) {
                f.by_design = Some(p.into());
            }
            out.push(f);
        }
    }
}

fn check_admission(input: &AuditInput, out: &mut Vec<Finding>) {
    match input.admission.node_restriction() {
        Some(true) => {}
        Some(false) => {
            let mut evidence = Vec::new();
            if let Some(e) = &input.admission.enabled {
                evidence.push(format!("--enable-admission-plugins={}", e.join(",")));
            }
            if !input.admission.disabled.is_empty() {
                evidence.push(format!("--disable-admission-plugins={}", input.admission.disabled.join(",")));
            }
            out.push(finding(
                NODE_RESTRICTION_DISABLED,
                "kubelets may create any pod, relabel and retaint their Node, and write other nodes' objects the Node authorizer lets through by kind".into(),
                evidence,
            ));
        }
        None => out.push(finding(ADMISSION_UNKNOWN, "NodeRestriction could not be checked".into(), Vec::new())),
    }
}

/// Whether node static rules cover `verb` on `group`/`resource`.
fn covered_by_node_rules(static_rules: &[PolicyRule], verb: &str, group: &str, resource: &str) -> bool {
    let (resource, sub) = resource.split_once('/').unwrap_or((resource, ""));
    let a = Attributes::resource(Identity::Node("n".into()).user(), verb, resource, "ns", "").with_group(group).with_subresource(sub);
    // Resources the Node authorizer decides per object are covered by its handlers.
    node::handles(group, resource) || static_rules.iter().any(|r| rule_allows(&a, r))
}

fn is_node_subject(s: &Subject) -> bool {
    (s.kind == "Group" && (s.name == node::NODES_GROUP || s.name == "system:bootstrappers"))
        || (s.kind == "User" && s.name.starts_with(node::NODE_USER_PREFIX))
}

fn check_rbac(input: &AuditInput, out: &mut Vec<Finding>) {
    let static_rules = input.chain.node.rules();
    let rbac = input.state.rbac();
    let namespaces: Vec<&str> = std::iter::once("").chain(rbac.binding_namespaces()).collect();
    let mut seen = std::collections::HashSet::new();
    for ns in namespaces {
        for b in rbac.visit_order(ns) {
            if !seen.insert((b.namespace.clone(), b.name.clone())) {
                continue;
            }
            let Ok(rules) = &b.rules else { continue };
            let where_ = if b.is_cluster() { "cluster-wide".to_string() } else { format!("in namespace {}", b.namespace) };
            // Grants to nodes beyond the Node authorizer's rules.
            for s in b.subjects.iter().filter(|s| is_node_subject(s)) {
                let mut extra: Vec<String> = Vec::new();
                let mut severe = false;
                for r in rules.iter() {
                    for group in &r.api_groups {
                        for resource in &r.resources {
                            let verbs: Vec<&str> = r
                                .verbs
                                .iter()
                                .map(String::as_str)
                                .filter(|v| !covered_by_node_rules(static_rules, v, group, resource))
                                .collect();
                            if verbs.is_empty() {
                                continue;
                            }
                            let names = if r.resource_names.is_empty() { String::new() } else { format!(" names {:?}", r.resource_names) };
                            let target = if group.is_empty() { resource.clone() } else { format!("{resource}.{group}") };
                            extra.push(format!("{} {target}{names}", verbs.join(",")));
                            let reads_everything = verbs.iter().any(|v| matches!(*v, "*" | "get" | "list" | "watch"))
                                && (resource == "*" || resource == "secrets")
                                && r.resource_names.is_empty();
                            severe |= reads_everything && b.is_cluster();
                        }
                    }
                }
                // Read-only rules the node authorizer already scopes (e.g. `get secrets`) are
                // not "covered": RBAC allows them for every object. Count them too.
                for r in rules.iter() {
                    if r.resources.iter().any(|res| node::handles(r.api_groups.first().map_or("", String::as_str), res))
                        && r.resource_names.is_empty()
                    {
                        let line = format!("{} {} (every object, not only the node's own)", r.verbs.join(","), r.resources.join(","));
                        if !extra.contains(&line) {
                            extra.push(line);
                        }
                        severe |= b.is_cluster() && r.resources.iter().any(|x| x == "secrets");
                    }
                }
                if extra.is_empty() {
                    continue;
                }
                let mut f = finding(RBAC_GRANTS_TO_NODES, format!("{} grants {} {where_}", b.describe(s), s.name), extra);
                if severe {
                    f.severity = Severity::Critical;
                }
                if let Some(p) = input.profile
                    && let Some((_, why)) = p.node_bindings().iter().find(|(n, _)| *n == b.name)
                {
                    f.by_design = Some((*why).into());
                }
                out.push(f);
            }
            // The kubelet API to broad groups.
            for s in b.subjects.iter().filter(|s| s.kind == "Group" && BROAD_GROUPS.contains(&s.name.as_str())) {
                let reached: Vec<&str> = NODE_SUBRESOURCES
                    .iter()
                    .copied()
                    .filter(|sub| {
                        let a = Attributes::resource(Default::default(), "get", "nodes", "", "").with_subresource(sub);
                        rules.iter().any(|r| rule_allows(&a, r))
                    })
                    .collect();
                if reached.is_empty() {
                    continue;
                }
                out.push(finding(
                    NODE_SUBRESOURCES_TO_BROAD_GROUPS,
                    format!("{} lets every member of {} reach nodes/{{{}}}", b.describe(s), s.name, reached.join(",")),
                    vec![format!("binding {}{}", if b.is_cluster() { String::new() } else { format!("{}/", b.namespace) }, b.name)],
                ));
            }
        }
    }
}

fn check_nodes(input: &AuditInput, out: &mut Vec<Finding>) {
    let node_restriction = input.admission.node_restriction().unwrap_or(true);
    let analyzer = Analyzer::with_admission(input.chain, input.state, input.depth, node_restriction).without_writes();
    // Service accounts on escalation paths, with the nodes they make escalate.
    let mut by_account: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
    for b in analyzer.all_nodes() {
        if let Some(e) = &b.escalation
            && let Some(first) = e.hops.first()
        {
            let path: Vec<String> = e.hops.iter().map(|h| format!("{} ({})", h.to, h.how)).collect();
            let entry = by_account.entry(first.to.to_string()).or_insert_with(|| {
                (Vec::new(), format!("{} => {} ({}): {}", path.join(" -> "), e.power.id, e.power.description, e.reason))
            });
            entry.0.push(b.node.clone());
        }
        // Grants resting only on a stale index entry.
        for g in &b.reads {
            let Some(vt) = VertexType::for_resource(g.api_group, g.resource) else { continue };
            let path = GraphPath::find(input.state.graph(), &b.node, vt, &g.namespace, &g.name);
            if path.index_only {
                out.push(finding(
                    STALE_INDEX_GRANT,
                    format!("node {} reads {} {}/{} with no pod referencing it", b.node, g.resource_path(), g.namespace, g.name),
                    vec![format!("graph: {}", path.hops.join(" <- "))],
                ));
            }
        }
    }
    for (account, (nodes, path)) in by_account {
        let shown: Vec<&str> = nodes.iter().take(10).map(String::as_str).collect();
        let more = if nodes.len() > 10 { format!(" and {} more", nodes.len() - 10) } else { String::new() };
        out.push(finding(
            SERVICE_ACCOUNT_ESCALATES_NODES,
            format!("{account} runs on {} node(s): {}{more}", nodes.len(), shown.join(", ")),
            vec![path],
        ));
    }
}

fn check_kubelet(k: &KubeletConfig, out: &mut Vec<Finding>) {
    if k.authentication.anonymous.enabled == Some(true) {
        out.push(finding(KUBELET_ANONYMOUS, "authentication.anonymous.enabled: true".into(), Vec::new()));
    }
    if k.authorization.mode.as_deref() == Some("AlwaysAllow") {
        out.push(finding(KUBELET_ALWAYS_ALLOW, "authorization.mode: AlwaysAllow".into(), Vec::new()));
    }
    if let Some(port) = k.read_only_port.filter(|p| *p != 0) {
        out.push(finding(KUBELET_READ_ONLY_PORT, format!("readOnlyPort: {port}"), Vec::new()));
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
