//! ClusterRole aggregation as kube-controller-manager's clusterrole-aggregation controller
//! computes it: for each selector in order, the matching roles sorted by name (itself
//! excluded), their rules appended unless an equal rule is already there; repeated until
//! nothing changes, since aggregated roles can feed each other (admin ⊇ edit ⊇ view).

use std::collections::BTreeMap;

use crate::model::{ClusterRole, LabelSelector, PolicyRule, StringMap};

/// Whether `labels` satisfy `selector` (`metav1.LabelSelectorAsSelector` semantics), or
/// `None` if the selector is invalid (the controller then leaves the role as it is).
pub fn selector_matches(selector: &LabelSelector, labels: &StringMap) -> Option<bool> {
    for (k, v) in &selector.match_labels {
        if labels.get(k) != Some(v) {
            return Some(false).filter(|_| valid(selector));
        }
    }
    for expr in &selector.match_expressions {
        let value = labels.get(&expr.key);
        let ok = match expr.operator.as_str() {
            "In" if !expr.values.is_empty() => value.is_some_and(|v| expr.values.iter().any(|x| x == v)),
            "NotIn" if !expr.values.is_empty() => value.is_none_or(|v| !expr.values.iter().any(|x| x == v)),
            "Exists" if expr.values.is_empty() => value.is_some(),
            "DoesNotExist" if expr.values.is_empty() => value.is_none(),
            _ => return None,
        };
        if !ok {
            return Some(false).filter(|_| valid(selector));
        }
    }
    Some(true)
}

fn valid(selector: &LabelSelector) -> bool {
    selector.match_expressions.iter().all(|e| match e.operator.as_str() {
        "In" | "NotIn" => !e.values.is_empty(),
        "Exists" | "DoesNotExist" => e.values.is_empty(),
        _ => false,
    })
}

/// Recomputes the rules of every ClusterRole that has an aggregation rule, in place.
pub fn aggregate(roles: &mut BTreeMap<String, ClusterRole>) {
    let aggregated: Vec<String> = roles.iter().filter(|(_, r)| r.aggregation_rule.is_some()).map(|(n, _)| n.clone()).collect();
    if aggregated.is_empty() {
        return;
    }
    // Each pass can only add rules reachable through one more level of nesting, so the
    // number of aggregated roles bounds the passes needed to converge.
    for _ in 0..=aggregated.len() {
        let mut changed = false;
        for name in &aggregated {
            let Some(rules) = aggregated_rules(roles, name) else { continue };
            let role = roles.get_mut(name).expect("name taken from the map");
            if role.rules != rules {
                role.rules = rules;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn aggregated_rules(roles: &BTreeMap<String, ClusterRole>, name: &str) -> Option<Vec<PolicyRule>> {
    let rule = roles.get(name)?.aggregation_rule.as_ref()?;
    let mut out: Vec<PolicyRule> = Vec::new();
    for selector in &rule.cluster_role_selectors {
        if !valid(selector) {
            return None;
        }
        // BTreeMap iteration is name order, as the controller sorts matches by name.
        for (other_name, other) in roles {
            if other_name == name || selector_matches(selector, &other.metadata.labels) != Some(true) {
                continue;
            }
            for r in &other.rules {
                if !out.contains(r) {
                    out.push(r.clone());
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AggregationRule, LabelSelectorRequirement, ObjectMeta};

    fn role(name: &str, labels: &[(&str, &str)], rules: Vec<PolicyRule>, agg: Option<LabelSelector>) -> ClusterRole {
        ClusterRole {
            metadata: ObjectMeta {
                name: name.into(),
                labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                ..Default::default()
            },
            rules,
            aggregation_rule: agg.map(|s| AggregationRule { cluster_role_selectors: vec![s] }),
        }
    }

    fn r(verb: &str) -> PolicyRule {
        PolicyRule { verbs: vec![verb.into()], api_groups: vec!["".into()], resources: vec!["pods".into()], ..Default::default() }
    }

    fn sel(k: &str) -> LabelSelector {
        LabelSelector { match_labels: [(k.to_string(), "true".to_string())].into(), ..Default::default() }
    }

    #[test]
    fn nested_aggregation_converges() {
        let mut roles = BTreeMap::new();
        // admin aggregates edit-labelled roles; edit aggregates view-labelled roles.
        roles.insert("admin".into(), role("admin", &[], vec![], Some(sel("to-admin"))));
        roles.insert("edit".into(), role("edit", &[("to-admin", "true")], vec![], Some(sel("to-edit"))));
        roles.insert("view".into(), role("view", &[("to-edit", "true")], vec![r("get")], None));
        roles.insert("b-extra".into(), role("b-extra", &[("to-admin", "true")], vec![r("delete"), r("get")], None));
        aggregate(&mut roles);
        assert_eq!(roles["edit"].rules, vec![r("get")]);
        // b-extra sorts before edit: its rules come first, the duplicate `get` once.
        assert_eq!(roles["admin"].rules, vec![r("delete"), r("get")]);
    }

    #[test]
    fn invalid_selector_leaves_role_alone() {
        let mut roles = BTreeMap::new();
        let bad = LabelSelector {
            match_expressions: vec![LabelSelectorRequirement { key: "a".into(), operator: "Bogus".into(), values: vec![] }],
            ..Default::default()
        };
        roles.insert("agg".into(), role("agg", &[], vec![r("list")], Some(bad)));
        roles.insert("src".into(), role("src", &[("a", "b")], vec![r("get")], None));
        aggregate(&mut roles);
        assert_eq!(roles["agg"].rules, vec![r("list")]);
    }

    #[test]
    fn expressions() {
        let labels: StringMap = [("a".to_string(), "1".to_string())].into_iter().collect();
        let expr = |op: &str, vals: &[&str]| LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: op.into(),
                values: vals.iter().map(|s| s.to_string()).collect(),
            }],
            ..Default::default()
        };
        assert_eq!(selector_matches(&expr("In", &["1", "2"]), &labels), Some(true));
        assert_eq!(selector_matches(&expr("NotIn", &["1"]), &labels), Some(false));
        assert_eq!(selector_matches(&expr("Exists", &[]), &labels), Some(true));
        assert_eq!(selector_matches(&expr("DoesNotExist", &[]), &labels), Some(false));
        assert_eq!(selector_matches(&expr("In", &[]), &labels), None);
        assert_eq!(selector_matches(&LabelSelector::default(), &labels), Some(true));
    }
}
