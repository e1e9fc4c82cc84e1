package compare

import "testing"

func TestEqualAdmission(t *testing.T) {
	forbidden := `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"7","allowed":false,"status":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: node \"n\" can only delete pods with spec.nodeName set to itself","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403}}}`
	authzErr := func(items string) string {
		return `{"kind":"AdmissionReview","response":{"uid":"8","allowed":false,"status":{"message":"serviceaccounts \"sa\" is forbidden: error authorizing system:node:n to request tokens for audience \"a\": [` + items + `]","reason":"Forbidden","details":{"name":"sa","kind":"serviceaccounts"},"code":403}}}`
	}
	volErr := func(items string) string {
		return `{"kind":"AdmissionReview","response":{"uid":"9","allowed":false,"status":{"message":"serviceaccounts \"sa\" is forbidden: error validating audience \"a\": [` + items + `]","reason":"Forbidden","details":{"name":"sa","kind":"serviceaccounts"},"code":403}}}`
	}
	cases := []struct {
		name             string
		expected, actual string
		want             bool
	}{
		{"allowed", `{"kind":"AdmissionReview","response":{"uid":"1","allowed":true}}`, `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":true,"uid":"1"}}`, true},
		{"allowed with empty status", `{"kind":"AdmissionReview","response":{"uid":"1","allowed":true}}`, `{"kind":"AdmissionReview","response":{"uid":"1","allowed":true,"status":{}}}`, true},
		{"uid differs", `{"kind":"AdmissionReview","response":{"uid":"1","allowed":true}}`, `{"kind":"AdmissionReview","response":{"uid":"2","allowed":true}}`, false},
		{"allowed differs", `{"kind":"AdmissionReview","response":{"uid":"1","allowed":true}}`, `{"kind":"AdmissionReview","response":{"uid":"1","allowed":false}}`, false},
		{"not an admission review", `{"kind":"AdmissionReview","response":{"uid":"1","allowed":true}}`, `{"kind":"SubjectAccessReview","status":{"allowed":true}}`, false},
		{"same refusal, other key order", forbidden, `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":false,"uid":"7","status":{"code":403,"reason":"Forbidden","details":{"kind":"pods","name":"p"},"message":"pods \"p\" is forbidden: node \"n\" can only delete pods with spec.nodeName set to itself","status":"Failure","metadata":{}}}}`, true},
		{"refused vs allowed", forbidden, `{"kind":"AdmissionReview","response":{"uid":"7","allowed":true}}`, false},
		{"code differs", forbidden, `{"kind":"AdmissionReview","response":{"uid":"7","allowed":false,"status":{"message":"pods \"p\" is forbidden: node \"n\" can only delete pods with spec.nodeName set to itself","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":500}}}`, false},
		{"reason differs", forbidden, `{"kind":"AdmissionReview","response":{"uid":"7","allowed":false,"status":{"message":"pods \"p\" is forbidden: node \"n\" can only delete pods with spec.nodeName set to itself","reason":"","details":{"name":"p","kind":"pods"},"code":403}}}`, false},
		{"message differs", forbidden, `{"kind":"AdmissionReview","response":{"uid":"7","allowed":false,"status":{"message":"pods \"p\" is forbidden: node n can only delete pods with spec.nodeName set to itself","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403}}}`, false},
		{"details differ", forbidden, `{"kind":"AdmissionReview","response":{"uid":"7","allowed":false,"status":{"message":"pods \"p\" is forbidden: node \"n\" can only delete pods with spec.nodeName set to itself","reason":"Forbidden","details":{"name":"p","group":"","kind":"pods"},"code":403}}}`, false},
		{"details missing", forbidden, `{"kind":"AdmissionReview","response":{"uid":"7","allowed":false,"status":{"message":"pods \"p\" is forbidden: node \"n\" can only delete pods with spec.nodeName set to itself","reason":"Forbidden","code":403}}}`, false},
		{"authorizer error aggregate order", authzErr(`role.rbac.authorization.k8s.io \"b\" not found, clusterrole.rbac.authorization.k8s.io \"a\" not found`), authzErr(`clusterrole.rbac.authorization.k8s.io \"a\" not found, role.rbac.authorization.k8s.io \"b\" not found`), true},
		{"authorizer error aggregate content", authzErr(`clusterrole.rbac.authorization.k8s.io \"a\" not found, role.rbac.authorization.k8s.io \"b\" not found`), authzErr(`clusterrole.rbac.authorization.k8s.io \"a\" not found, role.rbac.authorization.k8s.io \"c\" not found`), false},
		{"volume error aggregate order matters", volErr(`persistentvolumeclaim \"a\" not found, csidriver.storage.k8s.io \"b\" not found`), volErr(`csidriver.storage.k8s.io \"b\" not found, persistentvolumeclaim \"a\" not found`), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := ParseAdmission([]byte(c.expected))
			if err != nil {
				t.Fatal(err)
			}
			a, err := ParseAdmission([]byte(c.actual))
			if err != nil {
				t.Fatal(err)
			}
			got, why := EqualAdmission(e, a)
			if got != c.want {
				t.Errorf("EqualAdmission = %v (%s), want %v", got, why, c.want)
			}
		})
	}
}

func TestIsAdmission(t *testing.T) {
	if !IsAdmission([]byte(`{"kind":"AdmissionReview","response":{}}`)) {
		t.Error("AdmissionReview not recognised")
	}
	if IsAdmission([]byte(`{"kind":"SubjectAccessReview"}`)) || IsAdmission([]byte(`not json`)) {
		t.Error("other lines taken for AdmissionReviews")
	}
}

func TestMeetsAdmissionExpectation(t *testing.T) {
	refused, _ := ParseAdmission([]byte(`{"kind":"AdmissionReview","response":{"uid":"1","allowed":false,"status":{"message":"pods \"p\" is forbidden: unexpected operation \"UPDATE\"","code":403}}}`))
	allowed, _ := ParseAdmission([]byte(`{"kind":"AdmissionReview","response":{"uid":"1","allowed":true}}`))
	cases := []struct {
		name string
		e    AdmissionExpectation
		r    *AdmissionAnswer
		want bool
	}{
		{"allowed as expected", AdmissionExpectation{Allowed: true, Checked: true}, allowed, true},
		{"refused with the expected text", AdmissionExpectation{Error: "forbidden: unexpected operation", Checked: true}, refused, true},
		{"refused with other text", AdmissionExpectation{Error: "not found", Checked: true}, refused, false},
		{"refused, expected allowed", AdmissionExpectation{Allowed: true, Checked: true}, refused, false},
		{"allowed, expected refused", AdmissionExpectation{Error: "x", Checked: true}, allowed, false},
		{"unchecked", AdmissionExpectation{Allowed: true}, refused, true},
	}
	for _, c := range cases {
		if got, why := MeetsAdmissionExpectation(c.e, c.r); got != c.want {
			t.Errorf("%s: got %v (%s), want %v", c.name, got, why, c.want)
		}
	}
}
