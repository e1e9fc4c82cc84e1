package compare

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// RulesReviewKind is the kind of kauthz's kauthz.dev/v1alpha1 SubjectRulesReview, whose
// status is upstream's authorization.k8s.io/v1 SubjectRulesReviewStatus.
const RulesReviewKind = "SubjectRulesReview"

// ResourceRule is one entry of status.resourceRules.
type ResourceRule struct {
	Verbs         []string `json:"verbs"`
	APIGroups     []string `json:"apiGroups"`
	Resources     []string `json:"resources"`
	ResourceNames []string `json:"resourceNames"`
}

// NonResourceRule is one entry of status.nonResourceRules.
type NonResourceRule struct {
	Verbs           []string `json:"verbs"`
	NonResourceURLs []string `json:"nonResourceURLs"`
}

// RulesStatus is the compared part of a SubjectRulesReviewStatus. The two Has fields
// record whether the lists were present as JSON arrays (upstream always writes them,
// as [] when empty).
type RulesStatus struct {
	ResourceRules       []ResourceRule    `json:"resourceRules"`
	NonResourceRules    []NonResourceRule `json:"nonResourceRules"`
	Incomplete          bool              `json:"incomplete"`
	EvaluationError     string            `json:"evaluationError"`
	HasResourceRules    bool              `json:"-"`
	HasNonResourceRules bool              `json:"-"`
}

func parseRulesStatus(raw json.RawMessage) (*RulesStatus, error) {
	var rs RulesStatus
	if len(raw) == 0 {
		return &rs, nil
	}
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, err
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(raw, &present); err != nil {
		return nil, err
	}
	isArray := func(k string) bool {
		v, ok := present[k]
		return ok && strings.HasPrefix(strings.TrimSpace(string(v)), "[")
	}
	rs.HasResourceRules, rs.HasNonResourceRules = isArray("resourceRules"), isArray("nonResourceRules")
	return &rs, nil
}

// equalRules compares two SubjectRulesReview statuses: incomplete exactly, evaluationError
// with the items of an aggregate "[a, b]" as a set (upstream's RBAC resolution errors come
// in binding map order), and both rule lists as multisets (upstream's RBAC rules follow
// informer map order), each rule field by field with its lists in order.
func equalRules(e, a *RulesStatus) (bool, string) {
	var diffs []string
	if !a.HasResourceRules {
		diffs = append(diffs, "kauthz's status.resourceRules is not an array (upstream always writes one)")
	}
	if !a.HasNonResourceRules {
		diffs = append(diffs, "kauthz's status.nonResourceRules is not an array (upstream always writes one)")
	}
	if e.Incomplete != a.Incomplete {
		diffs = append(diffs, fmt.Sprintf("incomplete: oracle %v, kauthz %v", e.Incomplete, a.Incomplete))
	}
	if NormalizeAggregate(e.EvaluationError) != NormalizeAggregate(a.EvaluationError) {
		diffs = append(diffs, fmt.Sprintf("evaluationError: oracle %q, kauthz %q", e.EvaluationError, a.EvaluationError))
	}
	rk := func(r ResourceRule) string {
		return ruleKey("verbs", r.Verbs, "apiGroups", r.APIGroups, "resources", r.Resources, "resourceNames", r.ResourceNames)
	}
	nk := func(r NonResourceRule) string {
		return ruleKey("verbs", r.Verbs, "nonResourceURLs", r.NonResourceURLs)
	}
	if d := multisetDiff("resourceRules", keys(e.ResourceRules, rk), keys(a.ResourceRules, rk)); d != "" {
		diffs = append(diffs, d)
	}
	if d := multisetDiff("nonResourceRules", keys(e.NonResourceRules, nk), keys(a.NonResourceRules, nk)); d != "" {
		diffs = append(diffs, d)
	}
	if len(diffs) > 0 {
		return false, strings.Join(diffs, "; ")
	}
	return true, ""
}

// ruleKey renders a rule as "{verbs:[a b] apiGroups:[\"\"] ...}", omitting empty lists
// (absent, null and [] are the same to upstream's omitempty fields) except verbs.
func ruleKey(kv ...any) string {
	var parts []string
	for i := 0; i < len(kv); i += 2 {
		name, list := kv[i].(string), kv[i+1].([]string)
		if len(list) == 0 && name != "verbs" {
			continue
		}
		q := make([]string, len(list))
		for j, s := range list {
			q[j] = fmt.Sprintf("%q", s)
		}
		parts = append(parts, name+":["+strings.Join(q, " ")+"]")
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func keys[T any](rules []T, key func(T) string) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = key(r)
	}
	return out
}

// multisetDiff describes how two lists of rule keys differ as multisets, or returns "".
func multisetDiff(field string, expected, actual []string) string {
	count := map[string]int{}
	for _, k := range expected {
		count[k]++
	}
	for _, k := range actual {
		count[k]--
	}
	var missing, extra []string
	for k, n := range count {
		switch {
		case n > 0:
			missing = append(missing, withCount(k, n))
		case n < 0:
			extra = append(extra, withCount(k, -n))
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	s := fmt.Sprintf("%s (oracle %d, kauthz %d):", field, len(expected), len(actual))
	if len(missing) > 0 {
		s += " missing in kauthz " + strings.Join(missing, ", ")
	}
	if len(extra) > 0 {
		if len(missing) > 0 {
			s += ";"
		}
		s += " extra in kauthz " + strings.Join(extra, ", ")
	}
	return s
}

func withCount(k string, n int) string {
	if n == 1 {
		return k
	}
	return fmt.Sprintf("%s ×%d", k, n)
}

// NormalizeAggregate makes an aggregate error message "[e1, e2, ...]" (utilerrors'
// rendering of more than one distinct error) order-independent by sorting its items.
// Duplicates are kept: upstream's Aggregate.Error() drops repeated messages (and writes
// a single remaining one without brackets), so a repeated item is a real difference.
// Any other message is returned unchanged.
func NormalizeAggregate(msg string) string {
	if !strings.HasPrefix(msg, "[") || !strings.HasSuffix(msg, "]") {
		return msg
	}
	items := strings.Split(msg[1:len(msg)-1], ", ")
	sort.Strings(items)
	return "[" + strings.Join(items, ", ") + "]"
}
