//! `can-i --list`: every rule an identity holds, from every authorizer kauthz evaluates.
//!
//! The server side restates SelfSubjectRulesReview (the union of each authorizer's
//! `RulesFor`); the client side restates kubectl's presentation (break rules into atoms,
//! merge atoms that differ only by verb, sort by the rule's Go string form, print with
//! kubectl's tab writer), so the RBAC part of the output equals kubectl's byte for byte.

use crate::chain::{Chain, Mode};
use crate::model::PolicyRule;
use crate::state::ClusterState;
use crate::{UserInfo, authz::aggregate_errors};

/// A rule with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedRule {
    /// The rule (resource or non-resource).
    pub rule: PolicyRule,
    /// Which authorizer granted it and how (binding, graph path, policy line).
    pub source: String,
}

/// The union rule resolver's answer (SelfSubjectRulesReview status).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesReview {
    /// Resource rules, in resolver order.
    pub resource_rules: Vec<SourcedRule>,
    /// Non-resource rules, in resolver order.
    pub non_resource_rules: Vec<SourcedRule>,
    /// Whether some authorizer could not enumerate its rules.
    pub incomplete: bool,
    /// Aggregated errors of the resolvers.
    pub evaluation_error: String,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// How `can-i --list` treats the Node authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRules {
    /// Resolve the Node authorizer's grants to concrete rules (kauthz's default).
    Resolve,
    /// Answer exactly as kube-apiserver's SelfSubjectRulesReview does: no rules for a node,
    /// the list marked incomplete with upstream's error.
    Upstream,
}

/// Collects every rule `user` holds in `namespace` through the chain's authorizers.
/// With [`NodeRules::Resolve`] the Node authorizer's grants become rules (`node_rules`).
pub fn rules_for(chain: &Chain, state: &ClusterState, user: &UserInfo, namespace: &str, node: NodeRules) -> RulesReview {
    let mut review = RulesReview::default();
    let mut errors: Vec<String> = Vec::new();
    let push = |review: &mut RulesReview, rule: PolicyRule, source: String| {
        if !rule.resources.is_empty() {
            review
                .resource_rules
                .push(SourcedRule { rule: PolicyRule { non_resource_urls: Vec::new(), ..rule.clone() }, source: source.clone() });
        }
        if !rule.non_resource_urls.is_empty() {
            review.non_resource_rules.push(SourcedRule {
                rule: PolicyRule { verbs: rule.verbs, non_resource_urls: rule.non_resource_urls, ..Default::default() },
                source,
            });
        }
    };
    for a in &chain.authorizers {
        match &a.mode {
            Mode::Node if node == NodeRules::Upstream => {
                if crate::node::node_identity(user).is_some() {
                    review.incomplete = true;
                    errors.push("node authorizer does not support user rule resolution".into());
                }
            }
            Mode::Node => {
                for (rule, source) in node_rules(&chain.node, state, user, namespace) {
                    push(&mut review, rule, source);
                }
            }
            Mode::Rbac => {
                let (rules, errs) = state.rbac().rules_for(user, namespace);
                for g in rules {
                    let mut rule = g.rule.clone();
                    // Non-resource requests carry no namespace, so upstream's RBAC consults only
                    // ClusterRoleBindings for them: a RoleBinding's URL rules grant nothing.
                    // kube-apiserver still lists them; kauthz's resolved list does not.
                    if node == NodeRules::Resolve && !g.binding.namespace.is_empty() {
                        rule.non_resource_urls.clear();
                    }
                    push(&mut review, rule, format!("RBAC: {}", g.binding.describe(g.subject)));
                }
                // Resolution errors are reported but never make the list incomplete (upstream).
                errors.extend(errs);
            }
            Mode::Abac(pl) => {
                for (i, p) in pl.policies.iter().enumerate() {
                    if !crate::abac::subject_matches(p, user) {
                        continue;
                    }
                    // Upstream's RulesFor skips a policy of another namespace entirely, but ABAC
                    // matches non-resource requests whatever the policy's namespace: the
                    // resolved list keeps such a policy's URL rule.
                    let in_namespace = p.namespace == "*" || p.namespace == namespace;
                    if !in_namespace && (node == NodeRules::Upstream || p.non_resource_path.is_empty()) {
                        continue;
                    }
                    let verbs = if p.readonly { strings(&["get", "list", "watch"]) } else { strings(&["*"]) };
                    let source = format!("ABAC: policy line {}", i + 1);
                    if !p.resource.is_empty() && in_namespace {
                        let rule = PolicyRule {
                            verbs: verbs.clone(),
                            api_groups: vec![p.api_group.clone()],
                            resources: vec![p.resource.clone()],
                            ..Default::default()
                        };
                        push(&mut review, rule, source.clone());
                    }
                    if !p.non_resource_path.is_empty() {
                        push(
                            &mut review,
                            PolicyRule { verbs, non_resource_urls: vec![p.non_resource_path.clone()], ..Default::default() },
                            source,
                        );
                    }
                }
            }
            Mode::AlwaysAllow => {
                let source = format!("{}: allows everything", a.name);
                push(
                    &mut review,
                    PolicyRule { verbs: strings(&["*"]), api_groups: strings(&["*"]), resources: strings(&["*"]), ..Default::default() },
                    source.clone(),
                );
                push(&mut review, PolicyRule { verbs: strings(&["*"]), non_resource_urls: strings(&["*"]), ..Default::default() }, source);
            }
            Mode::AlwaysDeny => {}
            Mode::Webhook(_) => {
                review.incomplete = true;
                errors.push("webhook authorizer does not support user rule resolution".into());
            }
        }
    }
    review.evaluation_error = aggregate_errors(&errors);
    review
}

/// (group, resource, subresource, namespaced) of every request shape the Node authorizer's
/// handlers answer; probed verb by verb to list exactly what they allow.
const NODE_PROBES: &[(&str, &str, &str, bool)] = &[
    ("", "nodes", "", false),
    ("", "nodes", "status", false),
    ("", "pods", "", true),
    ("", "pods", "status", true),
    ("", "pods", "eviction", true),
    ("coordination.k8s.io", "leases", "", true),
    ("storage.k8s.io", "csinodes", "", false),
    ("storage.k8s.io", "csinodes", "status", false),
    ("resource.k8s.io", "resourceslices", "", false),
    ("certificates.k8s.io", "podcertificaterequests", "", true),
];

/// A subresource no API serves: a handler that allows it ignores the subresource (the Lease
/// handler does), so what it allows holds for every subresource, listed as `resource/*`.
const ANY_SUBRESOURCE_PROBE: &str = "kauthz-any-subresource";

const PROBE_VERBS: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

/// Field selectors the Node authorizer honours for list/watch, per resource.
fn node_selector_field(resource: &str) -> &'static str {
    if resource == "nodes" { "metadata.name" } else { "spec.nodeName" }
}

/// `source`, followed by what NodeRestriction lets a node write when the rule grants writes
/// it narrows (e.g. pods: mirror pods of this node only).
fn with_write_restriction(source: &str, rule: &PolicyRule) -> String {
    let writes = rule.verbs.iter().any(|v| !matches!(v.as_str(), "get" | "list" | "watch"));
    let group = rule.api_groups.first().map(String::as_str).unwrap_or("");
    let (resource, sub) = rule.resources.first().map(|r| r.split_once('/').unwrap_or((r, ""))).unwrap_or(("", ""));
    match crate::admission::noderestriction::write_restriction(group, resource, sub) {
        Some(limit) if writes => format!("{source}; {limit}"),
        _ => source.to_string(),
    }
}

/// The Node authorizer's grants to `user` in `namespace`, as rules with their sources:
/// its static rules for the resources it does not handle itself, every concrete object the
/// graph relates to the node, and what its per-resource handlers allow (own Node, Lease and
/// CSINode by name, list/watch scoped by field selector, writes NodeRestriction polices).
/// Every handler row is verified by asking the authorizer, so the list cannot claim more
/// or less than the decisions. Empty for anyone who is not a node.
fn node_rules(
    authorizer: &crate::node::NodeAuthorizer,
    state: &ClusterState,
    user: &UserInfo,
    namespace: &str,
) -> Vec<(PolicyRule, String)> {
    use crate::node;
    let Some(node_name) = node::node_identity(user).filter(|n| !n.is_empty()) else { return Vec::new() };
    #[cfg(feature = "mutants")]
    if crate::mutants::active(crate::mutants::Mutant::ListDropNodeRows) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let rule = |verbs: Vec<String>, group: &str, resource: String, names: Vec<String>| PolicyRule {
        verbs,
        api_groups: vec![group.to_string()],
        resources: vec![resource],
        resource_names: names,
        non_resource_urls: Vec::new(),
    };

    // Static rules, minus the resources the handlers decide.
    for r in authorizer.rules() {
        for atom in breakdown(r) {
            let res = atom.resources.first().map(|r| r.split('/').next().unwrap_or(r)).unwrap_or("");
            let group = atom.api_groups.first().map(String::as_str).unwrap_or("");
            if !node::handles(group, res) {
                let source = with_write_restriction("Node: static rules (system:node)", &atom);
                out.push((atom, source));
            }
        }
    }

    // Handler probes: unnamed, own name, and node-scoped field selector.
    let allows = |group: &str, resource: &str, sub: &str, verb: &str, ns: &str, name: &str, selector: Option<&str>| {
        let mut a = crate::authz::Attributes::resource(user.clone(), verb, resource, ns, name).with_group(group).with_subresource(sub);
        if let Some(field) = selector {
            a.field_selector.requirements = vec![crate::selector::FieldRequirement {
                field: field.into(),
                operator: crate::selector::Operator::Equals,
                value: node_name.into(),
            }];
        }
        authorizer.decide(state.graph(), &a).decision == crate::authz::Decision::Allow
    };
    let any_subresource = NODE_PROBES.iter().filter(|p| p.2.is_empty()).map(|&(g, r, _, ns)| (g, r, ANY_SUBRESOURCE_PROBE, ns));
    for (group, resource, sub, namespaced) in NODE_PROBES.iter().copied().chain(any_subresource) {
        let ns = if namespaced { namespace } else { "" };
        let path = match sub {
            "" => resource.to_string(),
            ANY_SUBRESOURCE_PROBE => format!("{resource}/*"),
            sub => format!("{resource}/{sub}"),
        };
        let (mut any, mut own, mut selected) = (Vec::new(), Vec::new(), Vec::new());
        for &verb in PROBE_VERBS {
            if allows(group, resource, sub, verb, ns, "", None) {
                any.push(verb.to_string());
            } else if allows(group, resource, sub, verb, ns, node_name, None) {
                own.push(verb.to_string());
            } else if matches!(verb, "list" | "watch" | "deletecollection")
                && allows(group, resource, sub, verb, ns, "", Some(node_selector_field(resource)))
            {
                selected.push(verb.to_string());
            }
        }
        if !any.is_empty() {
            let r = rule(any, group, path.clone(), Vec::new());
            let source = with_write_restriction("Node: handler", &r);
            out.push((r, source));
        }
        if !own.is_empty() {
            let r = rule(own, group, path.clone(), vec![node_name.to_string()]);
            let source = with_write_restriction("Node: own object only", &r);
            out.push((r, source));
        }
        if !selected.is_empty() {
            let cond = format!("fieldSelector {}={}", node_selector_field(resource), node_name);
            out.push((rule(selected, group, path, vec![cond.clone()]), format!("Node: list/watch only with {cond}")));
        }
    }

    // Graph grants: concrete objects related to the node, in this namespace or cluster-scoped.
    for g in node::graph_grants(state.graph(), node_name) {
        if !(g.namespace.is_empty() || g.namespace == namespace) {
            continue;
        }
        let path = node::VertexType::for_resource(g.api_group, g.resource)
            .map(|vt| node::GraphPath::find(state.graph(), node_name, vt, &g.namespace, &g.name).hops.join(" <- "))
            .unwrap_or_default();
        let verbs = g.verbs.iter().map(|v| v.to_string()).collect();
        out.push((rule(verbs, g.api_group, g.resource_path(), vec![g.name.clone()]), format!("Node: graph {path}")));
    }
    out
}

/// Go's `%v` of a string slice: `[a b]`, `[]` when empty.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// The Go `String()` form of a PolicyRule, which kubectl sorts rows by.
fn go_rule_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(&r.verbs),
        go_list(&r.api_groups),
        go_list(&r.resources),
        go_list(&r.resource_names),
        go_list(&r.non_resource_urls)
    )
}

/// Splits a rule into atoms: one verb, group, resource and name each; URL rules into
/// (URL, verb) pairs (kubectl `BreakdownRule`).
pub fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    for g in &rule.api_groups {
        for r in &rule.resources {
            for v in &rule.verbs {
                let base =
                    PolicyRule { verbs: vec![v.clone()], api_groups: vec![g.clone()], resources: vec![r.clone()], ..Default::default() };
                if rule.resource_names.is_empty() {
                    out.push(base);
                } else {
                    out.extend(rule.resource_names.iter().map(|n| PolicyRule { resource_names: vec![n.clone()], ..base.clone() }));
                }
            }
        }
    }
    for u in &rule.non_resource_urls {
        for v in &rule.verbs {
            out.push(PolicyRule { verbs: vec![v.clone()], non_resource_urls: vec![u.clone()], ..Default::default() });
        }
    }
    out
}

/// One printed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The compacted rule.
    pub rule: PolicyRule,
    /// Sources that contributed, in encounter order (empty unless grouping by source).
    pub sources: Vec<String>,
}

/// kubectl's presentation: breakdown, merge verbs of atoms with equal (group, resource,
/// name), stable sort by the Go string form. With `by_source`, atoms merge only within
/// the same source, so every row names exactly one source.
pub fn compact(review: &RulesReview, by_source: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    // Index of each mergeable key in `rows`.
    let mut index: std::collections::HashMap<(String, String, Option<String>, String), usize> = std::collections::HashMap::new();
    let mut non_simple: Vec<Row> = Vec::new();
    for sr in review.resource_rules.iter().chain(&review.non_resource_rules) {
        for atom in breakdown(&sr.rule) {
            if !atom.non_resource_urls.is_empty() {
                non_simple.push(Row { rule: atom, sources: vec![sr.source.clone()] });
                continue;
            }
            let source_key = if by_source { sr.source.clone() } else { String::new() };
            let key = (atom.api_groups[0].clone(), atom.resources[0].clone(), atom.resource_names.first().cloned(), source_key);
            match index.get(&key) {
                Some(&i) => {
                    // kubectl's CompactRules adds only verbs the row does not have yet.
                    if !rows[i].rule.verbs.contains(&atom.verbs[0]) {
                        rows[i].rule.verbs.push(atom.verbs[0].clone());
                    }
                    if !rows[i].sources.contains(&sr.source) {
                        rows[i].sources.push(sr.source.clone());
                    }
                }
                None => {
                    index.insert(key, rows.len());
                    rows.push(Row { rule: atom, sources: vec![sr.source.clone()] });
                }
            }
        }
    }
    // kubectl appends the merged simple rules after the others (in map order, which the
    // sort below makes irrelevant: rows with equal sort keys are identical).
    non_simple.extend(rows);
    let mut keyed: Vec<(String, Row)> = non_simple.into_iter().map(|r| (go_rule_string(&r.rule), r)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: strings(verbs),
            api_groups: strings(groups),
            resources: strings(resources),
            resource_names: strings(names),
            non_resource_urls: strings(urls),
        }
    }

    #[test]
    fn compaction_and_order() {
        let review = RulesReview {
            resource_rules: vec![
                SourcedRule { rule: rule(&["get", "list"], &[""], &["secrets"], &[], &[]), source: "a".into() },
                SourcedRule { rule: rule(&["create"], &[""], &["secrets"], &[], &[]), source: "b".into() },
                SourcedRule { rule: rule(&["get", "update"], &["coordination.k8s.io"], &["leases"], &["x"], &[]), source: "a".into() },
            ],
            non_resource_rules: vec![
                SourcedRule { rule: rule(&["get"], &[], &[], &[], &["/api", "/api/*"]), source: "a".into() },
                SourcedRule { rule: rule(&["get"], &[], &[], &[], &["/api"]), source: "b".into() },
            ],
            ..Default::default()
        };
        let rows = compact(&review, false);
        let shown: Vec<(String, String, String, String, String)> = rows
            .iter()
            .map(|r| {
                let r = &r.rule;
                (
                    r.resources.join(","),
                    r.api_groups.join(","),
                    go_list(&r.non_resource_urls),
                    go_list(&r.resource_names),
                    go_list(&r.verbs),
                )
            })
            .collect();
        let row = |res: &str, group: &str, urls: &str, names: &str, verbs: &str| {
            (res.to_string(), group.to_string(), urls.to_string(), names.to_string(), verbs.to_string())
        };
        assert_eq!(
            shown,
            [
                row("secrets", "", "[]", "[]", "[get list create]"),
                row("leases", "coordination.k8s.io", "[]", "[x]", "[get update]"),
                row("", "", "[/api/*]", "[]", "[get]"),
                row("", "", "[/api]", "[]", "[get]"),
                row("", "", "[/api]", "[]", "[get]"),
            ]
        );
        assert_eq!(compact(&review, true).len(), 6, "per-source rows do not merge across sources");
    }

    #[test]
    fn role_binding_url_rules_grant_nothing_in_the_resolved_list() {
        let text = r#"{"apiVersion":"v1","kind":"List","items":[
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},
           "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]},{"nonResourceURLs":["/api/*"],"verbs":["get"]}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b","namespace":"ns"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"},"subjects":[{"kind":"User","name":"u"}]}]}"#;
        let state = ClusterState::from_objects(crate::snapshot::parse_text("t.json", text).unwrap().objects);
        let chain = Chain::from_modes("RBAC", None).unwrap();
        let user = UserInfo::new("u", ["system:authenticated"]);
        let resolved = rules_for(&chain, &state, &user, "ns", NodeRules::Resolve);
        assert_eq!(resolved.resource_rules.len(), 1);
        assert!(resolved.non_resource_rules.is_empty(), "{:?}", resolved.non_resource_rules);
        // kube-apiserver's rules review lists them all the same.
        assert_eq!(rules_for(&chain, &state, &user, "ns", NodeRules::Upstream).non_resource_rules.len(), 1);
    }

    #[test]
    fn abac_url_rules_hold_in_every_namespace_in_the_resolved_list() {
        let policy = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"u","namespace":"a","nonResourcePath":"/healthz","resource":"pods","apiGroup":"*"}}"#;
        let chain = Chain::from_modes("ABAC", Some(("p", policy))).unwrap();
        let state = ClusterState::new();
        let user = UserInfo::new("u", ["system:authenticated"]);
        let resolved = rules_for(&chain, &state, &user, "b", NodeRules::Resolve);
        assert_eq!((resolved.resource_rules.len(), resolved.non_resource_rules.len()), (0, 1));
        let upstream = rules_for(&chain, &state, &user, "b", NodeRules::Upstream);
        assert_eq!((upstream.resource_rules.len(), upstream.non_resource_rules.len()), (0, 0));
    }

    #[test]
    fn subresource_blind_handlers_list_every_subresource() {
        let chain = Chain::from_modes("Node", None).unwrap();
        let state = ClusterState::new();
        let node = UserInfo::new("system:node:w", ["system:nodes", "system:authenticated"]);
        let review = rules_for(&chain, &state, &node, "kube-node-lease", NodeRules::Resolve);
        let rows: Vec<&PolicyRule> = review.resource_rules.iter().map(|r| &r.rule).collect();
        let any = |resource: &str| rows.iter().filter(|r| r.resources == [resource]).collect::<Vec<_>>();
        let leases = any("leases/*");
        assert_eq!(leases.len(), 2, "{leases:?}");
        assert!(leases.iter().any(|r| r.verbs == ["create"] && r.resource_names.is_empty()));
        assert!(leases.iter().any(|r| r.verbs == ["get", "update", "patch", "delete"] && r.resource_names == ["w"]));
        // The Lease handler ignores the subresource; upstream allows this request.
        let attrs = crate::authz::Attributes::resource(node.clone(), "update", "leases", "kube-node-lease", "w")
            .with_group("coordination.k8s.io")
            .with_subresource("status");
        assert!(chain.decide(&state, &attrs).allowed());
        // Handlers that check the subresource get no such row.
        for resource in ["nodes/*", "pods/*", "csinodes/*", "resourceslices/*", "podcertificaterequests/*"] {
            assert!(any(resource).is_empty(), "{resource}");
        }
    }
}
