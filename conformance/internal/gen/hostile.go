package gen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kauthz.dev/conformance/internal/wire"
)

// Hostile classes: strings no well-behaved client sends, in a fixed share of each seed.
// They come from a stream of their own and are inserted between the seed's other lines
// (and added to its snapshot and ABAC policy), so every other line keeps its bytes.
//
// Invalid UTF-16 surrogate escapes cannot be written by encoding/json, so strings carry
// marker runes that the writer turns into the raw escapes `\ud800` (unpaired high) and
// `\udc00` (unpaired low) after marshalling; Go's decoder reads each as U+FFFD.
const (
	loneHigh = '\uf8fe' // becomes \ud800 in the written JSON
	loneLow  = '\uf8ff' // becomes \udc00
)

// HostileShare is the share of a seed's requests that are hostile.
const HostileShare = 0.08

// fixSurrogates rewrites the marker runes of a marshalled line into raw escapes.
func fixSurrogates(line []byte) []byte {
	if !bytes.ContainsRune(line, loneHigh) && !bytes.ContainsRune(line, loneLow) {
		return line
	}
	line = bytes.ReplaceAll(line, []byte(string(loneHigh)), []byte(`\ud800`))
	return bytes.ReplaceAll(line, []byte(string(loneLow)), []byte(`\udc00`))
}

type hostile struct {
	r   *rand.Rand
	c   *cluster
	off bool // Sizes.NoHostile
	// names of the hostile RBAC objects' subjects, so hostile requests hit them
	users, groups []string
}

func newHostile(seed uint64, c *cluster) *hostile {
	h := &hostile{r: rand.New(rand.NewPCG(seed, 0x4057113)), c: c}
	for i := 0; i < 4; i++ {
		h.users = append(h.users, h.str())
		h.groups = append(h.groups, h.str())
	}
	return h
}

func (h *hostile) pick(xs []string) string { return xs[h.r.IntN(len(xs))] }
func (h *hostile) chance(p float64) bool   { return h.r.Float64() < p }

var (
	nonASCII     = []string{"é", "名前", "😀", "Ωmega", "a\u0301", "ß", "\u0663", "İ", "ǅ"}
	nonPrintable = []string{"\x00", "\x01", "\x1f", "\x7f", "\u0085", "\u00a0", "\u00ad", "\u200b", "\u2028", "\u3000", "\ufeff",
		"\ue000", "\u0378", "\U000e0001", "\U0010fffd", "\ufffe", "\U0001f8ff", "\u061c", "\u180e"}
	quoteEscaped = []string{`"`, `\`, "\n", "\t", "\r", "\a", "\b", "\f", "\v", `\\"`, "'"}
	badDNS       = []string{"UPPER", "-lead", "trail-", "a..b", "a_b", "a.b", ".", "..", "a b", strings.Repeat("x", 64), strings.Repeat("a.", 130) + "a", "0", "a/b", "a%2Fb", "*"}
	separators   = []string{",", "=", "!", " ", "!=", "==", "(", ")", " in ", " notin ", "\\", "\\,", "\\=", ",,", "=,", "a,b", "a=b", "!a", "a b"}
)

// str draws one string from the hostile classes.
func (h *hostile) str() string {
	switch h.r.IntN(9) {
	case 0:
		return ""
	case 1:
		n := h.pick([]string{"64", "254", "1000", "70000"})
		var size int
		fmt.Sscan(n, &size)
		return strings.Repeat(h.pick([]string{"a", "é", "-", "x."}), size)
	case 2:
		return "n" + h.pick(nonASCII) + h.pick(nonASCII)
	case 3:
		return "p" + h.pick(nonPrintable) + "q"
	case 4:
		s := "s" + string(loneHigh) + "t"
		if h.chance(0.5) {
			s = string(loneLow) + "u"
		}
		if h.chance(0.3) {
			s = "v" + string(loneHigh) + string(loneHigh) + string(loneLow)
		}
		return s
	case 5:
		return "q" + h.pick(quoteEscaped) + h.pick(quoteEscaped)
	case 6:
		return h.pick(badDNS)
	case 7:
		return "k" + h.pick(separators) + "v"
	default:
		return h.pick(nonPrintable) + h.pick(nonASCII) + h.pick(quoteEscaped) + h.pick(separators)
	}
}

// maybe returns a hostile string with probability p, else normal.
func (h *hostile) maybe(p float64, normal string) string {
	if h.chance(p) {
		return h.str()
	}
	return normal
}

var selectorOps = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "", "in", "=", "==", "!=", "Bogus", "exists"}

// values returns none, one, two or many values, some hostile.
func (h *hostile) values() []string {
	switch h.r.IntN(5) {
	case 0:
		return nil
	case 1:
		return []string{}
	case 2:
		return []string{h.maybe(0.5, "v")}
	case 3:
		return []string{h.maybe(0.3, "a"), h.maybe(0.3, "b")}
	default:
		out := []string{"1", h.str(), "c", h.str()}
		return out
	}
}

func (h *hostile) key() string {
	switch h.r.IntN(6) {
	case 0:
		return h.pick([]string{"spec.nodeName", "metadata.name", "metadata.namespace", "app", "example.com/app"})
	case 1:
		return h.pick([]string{"Example.com/app", "a/b/c", "/app", "example.com/", strings.Repeat("k", 64), strings.Repeat("d", 254) + "/k", "-k", "k-", "k_", "k.k"})
	default:
		return h.str()
	}
}

func (h *hostile) rawSelector() string {
	switch h.r.IntN(4) {
	case 0:
		return h.key() + h.pick([]string{"=", "==", "!=", " in ", " notin ", "", ">", "<", " gt "}) + h.maybe(0.6, "v")
	case 1:
		return h.pick([]string{"a=b,c", "a in (x,,y)", "!a=b", "a notin ()", "a in x", "k=v=w", " a = b ", "a!=", "=v", "a,=b", "x==y",
			"a!b", "a=(", "a in (b c)", "a>1", "a<x", "a=b\\,c", "a\\=b=c", "a", "", "=", ",", "a=b,", ",a=b", "a==", "a!=!", "a=\\", `a=\x`,
			"a=b\\", "!", "!!a", "a in (b),", "a in (b", "spec.nodeName=node-1,spec.nodeName!=node-1", "metadata.name in (a,b)", "a=\tb"})
	case 2:
		return h.str()
	default:
		var parts []string
		for i, n := 0, 1+h.r.IntN(3); i < n; i++ {
			parts = append(parts, h.key()+h.pick([]string{"=", "!=", "=="})+h.maybe(0.5, "v"))
		}
		return strings.Join(parts, ",")
	}
}

func (h *hostile) fieldSelector() *authorizationv1.FieldSelectorAttributes {
	if h.chance(0.45) {
		fs := &authorizationv1.FieldSelectorAttributes{RawSelector: h.rawSelector()}
		if h.chance(0.1) { // both forms: invalid
			fs.Requirements = []metav1.FieldSelectorRequirement{{Key: "a", Operator: metav1.FieldSelectorOpIn, Values: []string{"b"}}}
		}
		return fs
	}
	fs := &authorizationv1.FieldSelectorAttributes{}
	for i, n := 0, h.r.IntN(4); i < n; i++ {
		fs.Requirements = append(fs.Requirements, metav1.FieldSelectorRequirement{Key: h.key(),
			Operator: metav1.FieldSelectorOperator(h.pick(selectorOps)), Values: h.values()})
	}
	return fs
}

func (h *hostile) labelSelector() *authorizationv1.LabelSelectorAttributes {
	if h.chance(0.45) {
		return &authorizationv1.LabelSelectorAttributes{RawSelector: h.rawSelector()}
	}
	ls := &authorizationv1.LabelSelectorAttributes{}
	for i, n := 0, h.r.IntN(4); i < n; i++ {
		ls.Requirements = append(ls.Requirements, metav1.LabelSelectorRequirement{Key: h.key(),
			Operator: metav1.LabelSelectorOperator(h.pick(selectorOps)), Values: h.values()})
	}
	return ls
}

func (h *hostile) principal() principal {
	c := h.c
	var p principal
	switch h.r.IntN(6) {
	case 0:
		p.user = h.pick(h.users)
	case 1:
		p.user, p.groups = h.str(), []string{h.pick(h.groups)}
	case 2:
		p.user = "system:node:" + h.str()
		p.groups = []string{"system:nodes"}
	case 3:
		p.user = "system:serviceaccount:" + h.str() + ":" + h.maybe(0.5, "default")
		p.groups = []string{"system:serviceaccounts"}
	case 4:
		p.user = h.maybe(0.7, c.users[h.r.IntN(len(c.users))])
		p.groups = []string{h.str(), h.maybe(0.5, c.groups[h.r.IntN(len(c.groups))])}
	default:
		p.groups = []string{h.pick(h.groups), "system:authenticated"}
	}
	if h.chance(0.5) {
		p.groups = append(p.groups, "system:authenticated")
	}
	if h.chance(0.15) {
		p.uid = h.str()
		p.extra = map[string]authorizationv1.ExtraValue{h.maybe(0.7, "scopes"): {h.str()}}
	}
	return p
}

// sar builds one hostile SubjectAccessReview: every field may come from the classes.
func (h *hostile) sar() *authorizationv1.SubjectAccessReview {
	c := h.c
	p := h.principal()
	if h.chance(0.15) {
		return sar(p, nil, &authorizationv1.NonResourceAttributes{
			Path: h.maybe(0.8, "/api"), Verb: h.maybe(0.4, "get")})
	}
	res := h.pick([]string{"pods", "secrets", "nodes", "configmaps", "leases", "resourceslices", "widgets"})
	ra := &authorizationv1.ResourceAttributes{
		Namespace:   h.maybe(0.3, c.appNS[h.r.IntN(len(c.appNS))]),
		Verb:        h.maybe(0.25, h.pick([]string{"get", "list", "watch", "create", "delete"})),
		Group:       h.maybe(0.15, ""),
		Version:     h.maybe(0.15, "v1"),
		Resource:    h.maybe(0.3, res),
		Subresource: h.maybe(0.15, ""),
		Name:        h.maybe(0.4, ""),
	}
	if ra.Resource == "leases" {
		ra.Group = "coordination.k8s.io"
	}
	if h.chance(0.4) {
		ra.FieldSelector = h.fieldSelector()
	}
	if h.chance(0.4) {
		ra.LabelSelector = h.labelSelector()
	}
	return sar(p, ra, nil)
}

// rbacObjects are hostile-named RBAC objects granting to hostile subjects, so reasons
// quote hostile names.
func (h *hostile) rbacObjects() []runtime.Object {
	c := h.c
	var out []runtime.Object
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "hostile-" + h.str()}, Rules: []rbacv1.PolicyRule{
		{Verbs: []string{"get", "list", h.str()}, APIGroups: []string{"", h.str()}, Resources: []string{"pods", "secrets", h.str()}},
		{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"widgets"}, ResourceNames: []string{h.str(), ""}},
		{Verbs: []string{"get", h.str()}, NonResourceURLs: []string{"/api", h.str(), h.str() + "*"}},
	}}
	typeMeta(role, "rbac.authorization.k8s.io/v1", "ClusterRole")
	out = append(out, role)
	var subjects []rbacv1.Subject
	for _, u := range h.users {
		subjects = append(subjects, rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: u})
	}
	for _, g := range h.groups {
		subjects = append(subjects, rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: g})
	}
	subjects = append(subjects, rbacv1.Subject{Kind: "ServiceAccount", Name: h.str(), Namespace: h.str()})
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "hostile-" + h.str()},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}, Subjects: subjects[:len(subjects)/2]}
	typeMeta(crb, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")
	ns := c.appNS[h.r.IntN(len(c.appNS))]
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hostile-" + h.str()},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}, Subjects: subjects[len(subjects)/2:]}
	typeMeta(rb, "rbac.authorization.k8s.io/v1", "RoleBinding")
	missing := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "hostile-missing-" + h.str()},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: h.str()},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: h.users[0]}}}
	typeMeta(missing, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")
	out = append(out, crb, rb, missing)
	return out
}

// abacStr is str() capped at 1000 bytes: upstream reads the policy file with a default
// bufio.Scanner, so a line of 64 KiB or more stops kube-apiserver from starting.
func (h *hostile) abacStr() string {
	return capped(h.str())
}

func capped(s string) string {
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}

// abacLines are hostile ABAC policy lines (v1beta1), appended to a seed's policy file.
func (h *hostile) abacLines() []map[string]any {
	var out []map[string]any
	for i, n := 0, 2+h.r.IntN(3); i < n; i++ {
		spec := map[string]any{}
		switch h.r.IntN(3) {
		case 0:
			spec["user"] = capped(h.pick(h.users))
		case 1:
			spec["group"] = capped(h.pick(h.groups))
		default:
			spec["user"], spec["group"] = h.abacStr(), h.abacStr()
		}
		if h.chance(0.3) {
			spec["nonResourcePath"] = h.maybeABAC("/api*")
		} else {
			spec["namespace"] = h.maybeABAC("*")
			spec["resource"] = h.maybeABAC("pods")
			spec["apiGroup"] = h.maybeABAC("*")
		}
		if h.chance(0.5) {
			spec["readonly"] = true
		}
		out = append(out, map[string]any{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": spec})
	}
	return out
}

// rulesReview is a SubjectRulesReview with a hostile user, groups or namespace.
func (h *hostile) rulesReview() wire.SubjectRulesReview {
	p := h.principal()
	ns := h.maybe(0.5, h.c.appNS[h.r.IntN(len(h.c.appNS))])
	return wire.SubjectRulesReview{APIVersion: wire.RulesReviewAPIVersion, Kind: wire.RulesReviewKind,
		Spec: wire.SubjectRulesReviewSpec{Namespace: ns, User: p.user, Groups: p.groups, UID: p.uid, Extra: p.extra}}
}

func (h *hostile) maybeABAC(normal string) string {
	if h.chance(0.5) {
		return h.abacStr()
	}
	return normal
}
