package compare

import "testing"

func mustParse(t *testing.T, s string) *Review {
	t.Helper()
	r, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEqual(t *testing.T) {
	oracleRBAC := `{"metadata":{"annotations":{"conformance.kauthz.dev/acceptable-reasons":"[\"RBAC: allowed by ClusterRoleBinding \\\"a\\\" of ClusterRole \\\"view\\\" to User \\\"u\\\"\",\"RBAC: allowed by ClusterRoleBinding \\\"b\\\" of ClusterRole \\\"edit\\\" to User \\\"u\\\"\"]"}},"status":{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \"a\" of ClusterRole \"view\" to User \"u\""}}`
	cases := []struct {
		name             string
		expected, actual string
		want             bool
	}{
		{"identical allow", `{"status":{"allowed":true}}`, `{"status":{"allowed":true}}`, true},
		{"allowed differs", `{"status":{"allowed":true}}`, `{"status":{"allowed":false}}`, false},
		{"denied differs", `{"status":{"denied":true}}`, `{"status":{}}`, false},
		{"reason differs", `{"status":{"reason":"node: x"}}`, `{"status":{"reason":"node: y"}}`, false},
		{"evaluation error differs", `{"status":{"evaluationError":"a"}}`, `{"status":{}}`, false},
		{"other acceptable binding", oracleRBAC, `{"status":{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \"b\" of ClusterRole \"edit\" to User \"u\""}}`, true},
		{"same binding", oracleRBAC, `{"status":{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \"a\" of ClusterRole \"view\" to User \"u\""}}`, true},
		{"unacceptable binding", oracleRBAC, `{"status":{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \"c\" of ClusterRole \"edit\" to User \"u\""}}`, false},
		{"rbac reason without annotation", `{"status":{"allowed":true,"reason":"RBAC: allowed by X"}}`, `{"status":{"allowed":true,"reason":"RBAC: allowed by Y"}}`, false},
		{"error aggregate order", `{"status":{"reason":"node: n\nrbac: RBAC: [b not found, a not found]"}}`, `{"status":{"reason":"node: n\nrbac: RBAC: [a not found, b not found]"}}`, true},
		{"error aggregate content", `{"status":{"reason":"rbac: RBAC: [b not found, a not found]"}}`, `{"status":{"reason":"rbac: RBAC: [a not found, c not found]"}}`, false},
		{"both invalid", `{"status":{"evaluationError":"x \"\" is invalid: spec.user: y"}}`, `{"status":{"evaluationError":"SubjectAccessReview \"\" is invalid: z"}}`, true},
		{"status vs same status", `{"kind":"Status","metadata":{},"status":"Failure","reason":"Invalid","code":422,"message":"a","details":{"group":"g","causes":[{"field":"f","message":"m","reason":"FieldValueInvalid"}]}}`, `{"code":422,"message":"a","details":{"causes":[{"reason":"FieldValueInvalid","message":"m","field":"f"}],"group":"g"},"kind":"Status","metadata":{},"status":"Failure","reason":"Invalid"}`, true},
		{"status message differs", `{"kind":"Status","status":"Failure","reason":"Invalid","code":422,"message":"a"}`, `{"kind":"Status","status":"Failure","reason":"Invalid","code":422,"message":"b"}`, false},
		{"status details differ", `{"kind":"Status","status":"Failure","reason":"Invalid","code":422,"details":{"group":"g"}}`, `{"kind":"Status","status":"Failure","reason":"Invalid","code":422,"details":{"group":""}}`, false},
		{"status metadata missing", `{"kind":"Status","metadata":{},"status":"Failure","reason":"Invalid","code":422}`, `{"kind":"Status","status":"Failure","reason":"Invalid","code":422}`, false},
		{"status vs invalid sar", `{"kind":"Status","status":"Failure","reason":"Invalid","code":422}`, `{"status":{"evaluationError":"x is invalid: y"}}`, false},
		{"status code differs", `{"kind":"Status","status":"Failure","reason":"Invalid","code":422}`, `{"kind":"Status","status":"Failure","reason":"BadRequest","code":400}`, false},
		{"status vs answer", `{"kind":"Status","status":"Failure","reason":"Invalid","code":422}`, `{"status":{"allowed":false}}`, false},
		{"answer vs status", `{"status":{"allowed":false}}`, `{"kind":"Status","status":"Failure","reason":"Invalid","code":422}`, false},
		{"webhook called, kauthz incomplete", `{"metadata":{"annotations":{"conformance.kauthz.dev/webhook-called":"wh-a"}},"status":{"allowed":true,"reason":"stub"}}`, `{"status":{"allowed":false,"evaluationError":"incomplete: webhook \"wh-a\" not evaluated"}}`, true},
		{"webhook called, kauthz names another", `{"metadata":{"annotations":{"conformance.kauthz.dev/webhook-called":"wh-a"}},"status":{"allowed":true}}`, `{"status":{"allowed":false,"evaluationError":"incomplete: webhook \"wh-b\" not evaluated"}}`, false},
		{"webhook called, kauthz answers", `{"metadata":{"annotations":{"conformance.kauthz.dev/webhook-called":"wh-a"}},"status":{"allowed":false}}`, `{"status":{"allowed":false}}`, false},
		{"webhook not called, kauthz incomplete", `{"status":{"allowed":false}}`, `{"status":{"allowed":false,"evaluationError":"incomplete: webhook \"wh-a\" not evaluated"}}`, false},
		{"only oracle invalid", `{"status":{"evaluationError":"x \"\" is invalid: spec.user: y"}}`, `{"status":{"allowed":false}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, why := Equal(mustParse(t, c.expected), mustParse(t, c.actual))
			if got != c.want {
				t.Errorf("Equal = %v (%s), want %v", got, why, c.want)
			}
		})
	}
}
