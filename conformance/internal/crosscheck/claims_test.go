package crosscheck

import (
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
)

func TestIdentityOf(t *testing.T) {
	cases := []struct {
		s    Subject
		user string
		grps int
		ok   bool
	}{
		{Subject{Kind: "User", Name: "alice"}, "alice", 0, true},
		{Subject{Kind: "Group", Name: "dev"}, GroupProbeUser, 1, true},
		{Subject{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"}, "system:serviceaccount:ns:sa", 3, true},
		{Subject{Kind: "ServiceAccount", Name: "sa"}, "", 0, false},
		{Subject{Kind: "Node", Name: "n1"}, "system:node:n1", 1, true},
		{Subject{Kind: "user", Name: "alice"}, "", 0, false},
		{Subject{Kind: "", Name: "alice"}, "", 0, false},
	}
	for _, c := range cases {
		id, ok := IdentityOf(c.s)
		if ok != c.ok || id.User != c.user || len(id.Groups) != c.grps {
			t.Errorf("IdentityOf(%v) = %v %v", c.s, id, ok)
		}
	}
}

func TestCovers(t *testing.T) {
	sa := Subject{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"}
	node := Subject{Kind: "Node", Name: "n1"}
	cases := []struct {
		h    Holder
		c    Subject
		want bool
	}{
		{Holder{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"}, sa, true},
		{Holder{Kind: "ServiceAccount", Name: "sa", Namespace: "other"}, sa, false},
		{Holder{Kind: "Group", Name: "system:serviceaccounts:ns"}, sa, true},
		{Holder{Kind: "Group", Name: "system:serviceaccounts:other"}, sa, false},
		{Holder{Kind: "Group", Name: "system:nodes"}, node, true},
		{Holder{Kind: "Node", Name: "*"}, node, true},
		{Holder{Kind: "Node", Name: "*"}, sa, false},
		{Holder{Kind: "Node", Name: "n2"}, node, false},
		{Holder{Kind: "Group", Name: "*"}, sa, true},
		{Holder{Kind: "User", Name: "system:serviceaccount:ns:sa"}, sa, true},
		{Holder{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"}, Subject{Kind: "User", Name: "system:serviceaccount:ns:sa"}, true},
		{Holder{Kind: "User", Name: "system:node:n1"}, node, true},
		{Holder{Kind: "Node", Name: "n1"}, Subject{Kind: "User", Name: "system:node:n1"}, false},
		{Holder{Kind: "Group", Name: "dev"}, Subject{Kind: "Group", Name: "dev"}, true},
		{Holder{Kind: "Group", Name: "dev"}, Subject{Kind: "User", Name: "dev"}, false},
	}
	for _, c := range cases {
		if got := Covers(c.h, c.c); got != c.want {
			t.Errorf("Covers(%v, %v) = %v, want %v", c.h, c.c, got, c.want)
		}
	}
}

func TestCovered(t *testing.T) {
	pods := Rule{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}
	cases := []struct {
		name string
		r    Rule
		req  Request
		want bool
	}{
		{"exact", pods, Request{Verb: "get", Resource: "pods"}, true},
		{"verb", pods, Request{Verb: "delete", Resource: "pods"}, false},
		{"group", pods, Request{Verb: "get", Group: "apps", Resource: "pods"}, false},
		{"subresource not matched by resource", pods, Request{Verb: "get", Resource: "pods", Subresource: "log"}, false},
		{"abac ignores subresource", Rule{Verbs: []string{"*"}, APIGroups: []string{""}, Resources: []string{"pods"}, ABAC: true},
			Request{Verb: "get", Resource: "pods", Subresource: "log"}, true},
		{"*/sub", Rule{Verbs: []string{"get"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}}, Request{Verb: "get", Group: "apps", Resource: "deployments", Subresource: "scale"}, true},
		{"*/sub needs the subresource", Rule{Verbs: []string{"get"}, APIGroups: []string{"*"}, Resources: []string{"*/scale"}}, Request{Verb: "get", Group: "apps", Resource: "deployments"}, false},
		{"pods/* is not a wildcard", Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods/*"}}, Request{Verb: "get", Resource: "pods", Subresource: "log"}, false},
		{"names", Rule{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"a"}}, Request{Verb: "get", Resource: "secrets", Name: "b"}, false},
		{"url prefix", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/api/*"}}, Request{NonResource: true, Verb: "get", Path: "/api/v1"}, true},
		{"url stars all trimmed", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"**"}}, Request{NonResource: true, Verb: "get", Path: "/healthz/sub/path"}, true},
		{"url stars all trimmed after a prefix", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/api**"}}, Request{NonResource: true, Verb: "get", Path: "/apis"}, true},
		{"url exact", Rule{Verbs: []string{"get"}, NonResourceURLs: []string{"/api"}}, Request{NonResource: true, Verb: "get", Path: "/api/v1"}, false},
		{"url rule vs resource", Rule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}, Request{Verb: "get", Resource: "pods"}, false},
		{"selector rule", Rule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}, FieldSelector: "spec.nodeName=n1"},
			Request{Verb: "list", Resource: "pods", FieldSelector: "metadata.namespace=x,spec.nodeName=n1"}, true},
		{"selector rule, other node", Rule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}, FieldSelector: "spec.nodeName=n1"},
			Request{Verb: "list", Resource: "pods", FieldSelector: "spec.nodeName=n2"}, false},
		{"selector rule, no selector", Rule{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"pods"}, FieldSelector: "spec.nodeName=n1"},
			Request{Verb: "list", Resource: "pods"}, false},
	}
	for _, c := range cases {
		if got := Covered(c.r, c.req); got != c.want {
			t.Errorf("%s: Covered = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseList(t *testing.T) {
	doc := `{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{"annotations":{
"kauthz.dev/rule-sources":"[\"RBAC: a\",\"ABAC: policy line 2\",\"RBAC: b\"]",
"kauthz.dev/field-selector-rules":"[{\"verbs\":[\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"fieldSelector\":\"spec.nodeName=n1\",\"source\":\"Node: x\"}]"}},
"status":{"resourceRules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]},{"verbs":["*"],"apiGroups":[""],"resources":["secrets"]}],
"nonResourceRules":[{"verbs":["get"],"nonResourceURLs":["/api"]}],"incomplete":false}}`
	rules, err := parseList([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 4 || rules[1].Source != "ABAC: policy line 2" || !rules[1].ABAC || rules[0].ABAC || rules[3].FieldSelector != "spec.nodeName=n1" {
		t.Fatalf("parsed %+v", rules)
	}
	if _, err := parseList([]byte(`{"metadata":{"annotations":{"kauthz.dev/rule-sources":"[]"}},"status":{"resourceRules":[{"verbs":["get"]}]}}`)); err == nil {
		t.Fatal("sources misaligned with rules must be an error")
	}
}

func TestWhoCanArgs(t *testing.T) {
	ra := func(res, name, ns string) authorizationv1.SubjectAccessReviewSpec {
		return authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "get", Resource: res, Name: name, Namespace: ns}}
	}
	args, _, ok := whoCanArgs(ra("pods", "p", ""))
	if !ok || strings.Join(args, " ") != "who-can get pods./p -o json -A" {
		t.Fatalf("got %q %v", args, ok)
	}
	for _, bad := range []authorizationv1.SubjectAccessReviewSpec{
		ra("p\x00q", "", "ns"), ra("pods", "a\x00", "ns"), ra("-x", "", "ns"), ra("pods", "", "-n"), ra("Pods", "", "ns"),
		ra("a.b", "", "ns"), ra("pods", strings.Repeat("x", 200000), "ns"),
	} {
		if _, _, ok := whoCanArgs(bad); ok {
			t.Errorf("whoCanArgs(%+v) accepted", bad.ResourceAttributes)
		}
	}
}
