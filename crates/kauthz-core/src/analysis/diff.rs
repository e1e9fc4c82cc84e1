//! What changed in every node's effective permissions and blast radius between two
//! states (before and after an RBAC change, an upgrade, a new workload).
//!
//! Permissions are compared as atoms (one verb on one group/resource/name in one
//! namespace, as `can-i --list` resolves them with the Node authorizer's grants made
//! concrete), so a change is widening exactly when an atom appears, a read appears, a
//! power appears or the verdict turns to escalating.

use std::collections::BTreeSet;

use crate::analysis::blast::{Analyzer, Identity, Verdict};
use crate::analysis::list::{NodeRules, breakdown, rules_for};
use crate::chain::Chain;
use crate::model::Kind;
use crate::state::ClusterState;

/// One side of the comparison.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The chain.
    pub chain: &'a Chain,
    /// The cluster.
    pub state: &'a ClusterState,
}

/// The changes for one node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeDiff {
    /// The node.
    pub node: String,
    /// Permission atoms gained (`verb resource[.group][/name] in namespace`).
    pub added: Vec<String>,
    /// Permission atoms lost.
    pub removed: Vec<String>,
    /// Powers gained (ids).
    pub added_powers: Vec<String>,
    /// Powers lost.
    pub removed_powers: Vec<String>,
    /// Verdict before (`None`: the node did not exist).
    pub verdict_before: Option<Verdict>,
    /// Verdict after (`None`: the node is gone).
    pub verdict_after: Option<Verdict>,
    /// The escalation path after, when escalating.
    pub escalation_after: Option<String>,
}

impl NodeDiff {
    /// Whether the node reaches more than before.
    pub fn widens(&self) -> bool {
        !self.added.is_empty()
            || !self.added_powers.is_empty()
            || (self.verdict_after == Some(Verdict::Escalates) && self.verdict_before != Some(Verdict::Escalates))
    }

    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        !self.added.is_empty()
            || !self.removed.is_empty()
            || !self.added_powers.is_empty()
            || !self.removed_powers.is_empty()
            || self.verdict_before != self.verdict_after
    }
}

fn namespaces(state: &ClusterState) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = state.store().list(Kind::Namespace).map(|n| n.meta().name.to_string()).collect();
    for kind in [Kind::Pod, Kind::Secret, Kind::ConfigMap, Kind::ServiceAccount, Kind::PersistentVolumeClaim, Kind::RoleBinding] {
        out.extend(state.store().list(kind).map(|o| o.meta().namespace.to_string()));
    }
    out
}

/// Every permission atom of `node`: cluster-wide ones, then per namespace those not already
/// granted cluster-wide.
fn atoms(side: Side, node: &str, namespaces: &BTreeSet<String>) -> BTreeSet<String> {
    let user = Identity::Node(node.to_string()).user();
    let mut out: BTreeSet<String> = BTreeSet::new();
    for ns in std::iter::once("").chain(namespaces.iter().map(String::as_str)) {
        let review = rules_for(side.chain, side.state, &user, ns, NodeRules::Resolve);
        for r in review.resource_rules.iter().chain(&review.non_resource_rules) {
            for a in breakdown(&r.rule) {
                let target = if let Some(url) = a.non_resource_urls.first() {
                    url.clone()
                } else {
                    let group = a.api_groups.first().map(String::as_str).unwrap_or("");
                    let res = a.resources.first().map(String::as_str).unwrap_or("");
                    let mut t = if group.is_empty() { res.to_string() } else { format!("{res}.{group}") };
                    if let Some(n) = a.resource_names.first() {
                        t.push('/');
                        t.push_str(n);
                    }
                    let cluster_wide = format!("{} {t}", a.verbs[0]);
                    if ns.is_empty() || out.contains(&cluster_wide) { t } else { format!("{t} in {ns}") }
                };
                out.insert(format!("{} {target}", a.verbs[0]));
            }
        }
    }
    out
}

/// Compares every node of either side.
pub fn diff(before: Side, after: Side, depth: usize) -> Vec<NodeDiff> {
    let nodes = |s: &ClusterState| -> BTreeSet<String> { s.store().list(Kind::Node).map(|n| n.meta().name.to_string()).collect() };
    let all: BTreeSet<String> = nodes(before.state).union(&nodes(after.state)).cloned().collect();
    let mut ns = namespaces(before.state);
    ns.extend(namespaces(after.state));
    let ab = Analyzer::new(before.chain, before.state, depth).without_writes();
    let aa = Analyzer::new(after.chain, after.state, depth).without_writes();
    let mut out = Vec::new();
    for node in all {
        let exists_before = before.state.store().get(Kind::Node, "", &node).is_some();
        let exists_after = after.state.store().get(Kind::Node, "", &node).is_some();
        let (b_atoms, a_atoms) = (atoms(before, &node, &ns), atoms(after, &node, &ns));
        let id = Identity::Node(node.clone());
        let powers = |a: &Analyzer| -> BTreeSet<String> { a.powers(&id).into_iter().map(|(p, _)| p.id.to_string()).collect() };
        let (b_powers, a_powers) = (powers(&ab), powers(&aa));
        let b_blast = exists_before.then(|| ab.node(&node));
        let a_blast = exists_after.then(|| aa.node(&node));
        let d = NodeDiff {
            node: node.clone(),
            added: a_atoms.difference(&b_atoms).cloned().collect(),
            removed: b_atoms.difference(&a_atoms).cloned().collect(),
            added_powers: a_powers.difference(&b_powers).cloned().collect(),
            removed_powers: b_powers.difference(&a_powers).cloned().collect(),
            verdict_before: b_blast.as_ref().map(|b| b.verdict),
            verdict_after: a_blast.as_ref().map(|b| b.verdict),
            escalation_after: a_blast.as_ref().and_then(|b| b.escalation.as_ref()).map(|e| {
                let mut s = format!("node {node}");
                for h in &e.hops {
                    s.push_str(&format!(" -> {} ({})", h.to, h.how));
                }
                format!("{s} => {}", e.power.id)
            }),
        };
        if d.changed() {
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot;

    fn state(extra: &str) -> ClusterState {
        let text = format!(
            r#"{{"apiVersion":"v1","kind":"List","items":[
              {{"apiVersion":"v1","kind":"Node","metadata":{{"name":"n1"}}}},
              {{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p","namespace":"app"}},
                "spec":{{"nodeName":"n1","volumes":[{{"name":"s","secret":{{"secretName":"db"}}}}]}}}}{extra}]}}"#
        );
        ClusterState::from_objects(snapshot::parse_text("t.json", &text).unwrap().objects)
    }

    #[test]
    fn rbac_grant_to_nodes_is_widening() {
        let before = state("");
        let after = state(
            r#",
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},
           "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["list"]}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"},
           "subjects":[{"kind":"Group","name":"system:nodes"}]}"#,
        );
        let chain = Chain::default();
        let d = diff(Side { chain: &chain, state: &before }, Side { chain: &chain, state: &after }, 3);
        assert_eq!(d.len(), 1);
        assert!(d[0].widens());
        assert!(d[0].added.contains(&"list secrets".to_string()), "{:?}", d[0].added);
        assert_eq!(d[0].added_powers, ["secrets-cluster-wide"]);
        assert_eq!((d[0].verdict_before, d[0].verdict_after), (Some(Verdict::Contained), Some(Verdict::Escalates)));
        // The reverse change narrows and does not widen.
        let back = diff(Side { chain: &chain, state: &after }, Side { chain: &chain, state: &before }, 3);
        assert!(!back[0].widens() && !back[0].removed.is_empty());
        // No change, no diff.
        assert!(diff(Side { chain: &chain, state: &before }, Side { chain: &chain, state: &before }, 3).is_empty());
    }

    #[test]
    fn a_new_pod_reference_widens_the_node_reads() {
        let before = state("");
        let after = state(
            r#",{"apiVersion":"v1","kind":"Pod","metadata":{"name":"q","namespace":"app"},"spec":{"nodeName":"n1","containers":[{"name":"c","envFrom":[{"secretRef":{"name":"other"}}]}]}}"#,
        );
        let chain = Chain::default();
        let d = diff(Side { chain: &chain, state: &before }, Side { chain: &chain, state: &after }, 3);
        assert!(d[0].widens());
        assert!(d[0].added.iter().any(|a| a == "get secrets/other in app"), "{:?}", d[0].added);
    }
}
