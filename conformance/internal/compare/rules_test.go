package compare

import (
	"strings"
	"testing"
)

func rr(status string) string {
	return `{"apiVersion":"kauthz.dev/v1alpha1","kind":"SubjectRulesReview","spec":{"namespace":"ns"},"status":` + status + `}`
}

func TestEqualRulesReview(t *testing.T) {
	const (
		podsGet  = `{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}`
		podsList = `{"verbs":["list"],"apiGroups":[""],"resources":["pods"]}`
		cmNamed  = `{"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["a"]}`
		healthz  = `{"verbs":["get"],"nonResourceURLs":["/healthz"]}`
		version  = `{"verbs":["get"],"nonResourceURLs":["/version"]}`
	)
	base := rr(`{"resourceRules":[` + podsGet + `,` + podsList + `,` + cmNamed + `],"nonResourceRules":[` + healthz + `,` + version + `],"incomplete":false}`)
	cases := []struct {
		name             string
		expected, actual string
		want             bool
		why              string // substring of the explanation when want is false
	}{
		{"identical", base, base, true, ""},
		{"rules reordered", base, rr(`{"resourceRules":[` + cmNamed + `,` + podsGet + `,` + podsList + `],"nonResourceRules":[` + version + `,` + healthz + `],"incomplete":false}`), true, ""},
		{"empty lists vs omitted fields", rr(`{"resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}],"nonResourceRules":[],"incomplete":false}`),
			rr(`{"resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"],"resourceNames":[]}],"nonResourceRules":[],"incomplete":false}`), true, ""},
		{"duplicate counts", rr(`{"resourceRules":[` + podsGet + `,` + podsGet + `],"nonResourceRules":[]}`), rr(`{"resourceRules":[` + podsGet + `],"nonResourceRules":[]}`), false, `missing in kauthz {verbs:["get"] apiGroups:[""] resources:["pods"]}`},
		{"extra rule", rr(`{"resourceRules":[],"nonResourceRules":[]}`), rr(`{"resourceRules":[` + cmNamed + `],"nonResourceRules":[]}`), false, `extra in kauthz {verbs:["get"] apiGroups:[""] resources:["configmaps"] resourceNames:["a"]}`},
		{"field differs", rr(`{"resourceRules":[` + podsGet + `],"nonResourceRules":[]}`), rr(`{"resourceRules":[{"verbs":["get"],"apiGroups":["apps"],"resources":["pods"]}],"nonResourceRules":[]}`), false, "resourceRules (oracle 1, kauthz 1)"},
		{"list order inside a rule matters", rr(`{"resourceRules":[{"verbs":["get","list"],"resources":["pods"]}],"nonResourceRules":[]}`), rr(`{"resourceRules":[{"verbs":["list","get"],"resources":["pods"]}],"nonResourceRules":[]}`), false, "resourceRules"},
		{"non-resource differs", rr(`{"resourceRules":[],"nonResourceRules":[` + healthz + `]}`), rr(`{"resourceRules":[],"nonResourceRules":[` + version + `]}`), false, "nonResourceRules"},
		{"missing array", rr(`{"resourceRules":[],"nonResourceRules":[]}`), rr(`{"resourceRules":[]}`), false, "nonResourceRules is not an array"},
		{"incomplete differs", rr(`{"resourceRules":[],"nonResourceRules":[],"incomplete":true}`), rr(`{"resourceRules":[],"nonResourceRules":[]}`), false, "incomplete: oracle true, kauthz false"},
		{"aggregate error order", rr(`{"resourceRules":[],"nonResourceRules":[],"incomplete":true,"evaluationError":"[node authorizer does not support user rule resolution, role.rbac.authorization.k8s.io \"b\" not found, clusterrole.rbac.authorization.k8s.io \"a\" not found]"}`),
			rr(`{"resourceRules":[],"nonResourceRules":[],"incomplete":true,"evaluationError":"[clusterrole.rbac.authorization.k8s.io \"a\" not found, node authorizer does not support user rule resolution, role.rbac.authorization.k8s.io \"b\" not found]"}`), true, ""},
		{"aggregate error content", rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"[a not found, b not found]"}`), rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"[a not found, c not found]"}`), false, "evaluationError"},
		{"single vs aggregate error", rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"a not found"}`), rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"[a not found, a not found]"}`), false, "evaluationError"},
		{"repeated error item", rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"[a not found, b not found]"}`), rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"[b not found, a not found, a not found]"}`), false, "evaluationError"},
		{"error missing", rr(`{"resourceRules":[],"nonResourceRules":[],"evaluationError":"a not found"}`), rr(`{"resourceRules":[],"nonResourceRules":[]}`), false, "evaluationError"},
		{"no namespace: both reject", `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no namespace on request","reason":"BadRequest","code":400}`, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no namespace on request","reason":"BadRequest","code":400}`, true, ""},
		{"no namespace: other message", `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no namespace on request","reason":"BadRequest","code":400}`, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"x","reason":"BadRequest","code":400}`, false, "rejection Status"},
		{"no namespace: kauthz answers", `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"no namespace on request","reason":"BadRequest","code":400}`, rr(`{"resourceRules":[],"nonResourceRules":[]}`), false, "kauthz answered it"},
		{"kauthz rejects", rr(`{"resourceRules":[],"nonResourceRules":[]}`), `{"kind":"Status","status":"Failure","reason":"BadRequest","code":400}`, false, "kauthz rejected"},
		{"kind mismatch", rr(`{"resourceRules":[],"nonResourceRules":[]}`), `{"kind":"SubjectAccessReview","status":{"allowed":false}}`, false, "kind"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, why := Equal(mustParse(t, c.expected), mustParse(t, c.actual))
			if got != c.want {
				t.Fatalf("Equal = %v (%s), want %v", got, why, c.want)
			}
			if !c.want && !strings.Contains(why, c.why) {
				t.Errorf("explanation %q does not mention %q", why, c.why)
			}
		})
	}
}

func TestNormalizeAggregate(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"one error":           "one error",
		"[b, a]":              "[a, b]",
		"[b, a, b]":           "[a, b, b]",
		"[x \"1\" not found]": "[x \"1\" not found]",
	} {
		if got := NormalizeAggregate(in); got != want {
			t.Errorf("NormalizeAggregate(%q) = %q, want %q", in, got, want)
		}
	}
}
