package oracle

import (
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// maxAggregationPasses bounds the fixpoint iteration; a pass that changes nothing ends it
// earlier. Cyclic aggregation that never settles stops here.
const maxAggregationPasses = 100

// Aggregate fills the rules of every ClusterRole that has an aggregationRule the way
// kube-controller-manager's clusterrole-aggregation controller converges:
//   - aggregated roles are visited in name order, in passes, until a pass changes nothing;
//   - for each selector in order, the matching ClusterRoles (all roles, name order, the
//     role itself skipped) contribute their rules, each rule appended only if no
//     semantically equal rule is already present;
//   - a role whose selectors cannot be converted keeps its rules;
//   - the union replaces the role's rules whenever it differs (it may be empty).
//
// roles is modified in place; the names of roles whose rules changed are returned in
// name order.
func Aggregate(roles map[string]*rbacv1.ClusterRole) []string {
	names := make([]string, 0, len(roles))
	for name := range roles {
		names = append(names, name)
	}
	sort.Strings(names)
	changed := map[string]bool{}
	for pass := 0; pass < maxAggregationPasses; pass++ {
		progress := false
		for _, name := range names {
			role := roles[name]
			if role.AggregationRule == nil {
				continue
			}
			newRules, ok := aggregatedRules(role, names, roles)
			if !ok || equality.Semantic.DeepEqual(newRules, role.Rules) {
				continue
			}
			role.Rules = newRules
			changed[name] = true
			progress = true
		}
		if !progress {
			break
		}
	}
	var out []string
	for _, name := range names {
		if changed[name] {
			out = append(out, name)
		}
	}
	return out
}

func aggregatedRules(role *rbacv1.ClusterRole, sortedNames []string, roles map[string]*rbacv1.ClusterRole) ([]rbacv1.PolicyRule, bool) {
	rules := []rbacv1.PolicyRule{}
	for i := range role.AggregationRule.ClusterRoleSelectors {
		selector, err := metav1.LabelSelectorAsSelector(&role.AggregationRule.ClusterRoleSelectors[i])
		if err != nil {
			return nil, false
		}
		for _, name := range sortedNames {
			other := roles[name]
			if name == role.Name || !selector.Matches(labels.Set(other.Labels)) {
				continue
			}
			for _, rule := range other.Rules {
				if !containsRule(rules, rule) {
					rules = append(rules, *rule.DeepCopy())
				}
			}
		}
	}
	return rules, true
}

func containsRule(haystack []rbacv1.PolicyRule, needle rbacv1.PolicyRule) bool {
	for i := range haystack {
		if equality.Semantic.DeepEqual(haystack[i], needle) {
			return true
		}
	}
	return false
}
