// Package crosscheck proves kauthz's who-can and can-i --list answers with the oracle:
// every holder who-can lists must be allowed, every allowed candidate subject must be
// covered by a holder, every can-i --list row must expand to allowed requests, and
// allowed requests must be covered by some row.
package crosscheck

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/fields"
)

// Holder is one entry of `kauthz who-can -o json`.
type Holder struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Via       string `json:"via"`
}

func (h Holder) String() string {
	if h.Namespace != "" {
		return fmt.Sprintf("%s %s/%s (via %s)", h.Kind, h.Namespace, h.Name, h.Via)
	}
	return fmt.Sprintf("%s %s (via %s)", h.Kind, h.Name, h.Via)
}

// Subject is a candidate grantee: a User, Group, ServiceAccount or Node.
type Subject struct {
	Kind, Name, Namespace string
}

func (s Subject) String() string {
	if s.Namespace != "" {
		return fmt.Sprintf("%s %s/%s", s.Kind, s.Namespace, s.Name)
	}
	return s.Kind + " " + s.Name
}

// Identity is the user a request is made as.
type Identity struct {
	User   string
	Groups []string
}

// GroupProbeUser is the user name of "a user in only this group"; nothing binds it.
const GroupProbeUser = "kauthz-conformance:group-member"

// everyone is the name who-can uses for a holder standing for every identity of its kind
// (Group "*": AlwaysAllow; Node "*": every node).
const everyone = "*"

// IdentityOf is the identity a subject stands for; false for kinds upstream never
// matches (RBAC knows User, Group and ServiceAccount; kauthz adds Node).
//   - User: that user, in no group.
//   - Group: a user in only that group.
//   - ServiceAccount: its user with the groups the token authenticator gives it.
//   - Node: the node's kubelet, system:node:NAME in system:nodes.
func IdentityOf(s Subject) (Identity, bool) {
	switch s.Kind {
	case "User":
		return Identity{User: s.Name}, true
	case "Group":
		return Identity{User: GroupProbeUser, Groups: []string{s.Name}}, true
	case "ServiceAccount":
		if s.Namespace == "" {
			return Identity{}, false
		}
		return SAIdentity(s.Namespace, s.Name), true
	case "Node":
		return Identity{User: "system:node:" + s.Name, Groups: []string{"system:nodes"}}, true
	}
	return Identity{}, false
}

// SAIdentity is a service account's user and groups.
func SAIdentity(ns, name string) Identity {
	return Identity{User: fmt.Sprintf("system:serviceaccount:%s:%s", ns, name),
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}}
}

// ValidHolderKind reports whether a who-can holder's kind is one upstream can grant to.
func ValidHolderKind(kind string) bool {
	switch kind {
	case "User", "Group", "ServiceAccount", "Node":
		return true
	}
	return false
}

// Covers reports whether holder h accounts for candidate c being allowed: the same
// subject, a User or ServiceAccount holder with c's user name, a group c's identity is
// in, or a holder standing for everyone of c's kind.
func Covers(h Holder, c Subject) bool {
	if h.Kind == c.Kind && h.Name == c.Name && h.Namespace == c.Namespace {
		return true
	}
	id, ok := IdentityOf(c)
	if !ok {
		return false
	}
	switch h.Kind {
	case "User", "ServiceAccount":
		// RBAC matches both by user name alone: a User subject named
		// system:serviceaccount:ns:n is that service account, and the other way round.
		hid, ok := IdentityOf(Subject{Kind: h.Kind, Name: h.Name, Namespace: h.Namespace})
		return ok && hid.User == id.User
	case "Group":
		if h.Name == everyone {
			return true
		}
		for _, g := range id.Groups {
			if g == h.Name {
				return true
			}
		}
	case "Node":
		return h.Name == everyone && c.Kind == "Node"
	}
	return false
}

// HolderProbes are the identities a holder's claim is checked with: one for most; for
// "every node" each given node name.
func HolderProbes(h Holder, nodes []string) []Identity {
	if h.Kind == "Node" && h.Name == everyone {
		var out []Identity
		for _, n := range nodes {
			id, _ := IdentityOf(Subject{Kind: "Node", Name: n})
			out = append(out, id)
		}
		return out
	}
	id, ok := IdentityOf(Subject{Kind: h.Kind, Name: h.Name, Namespace: h.Namespace})
	if !ok {
		return nil
	}
	return []Identity{id}
}

// Rule is a resource or non-resource rule of a rules review, or a field-selector-scoped
// rule from kauthz's annotation (FieldSelector set).
type Rule struct {
	Verbs           []string `json:"verbs"`
	APIGroups       []string `json:"apiGroups,omitempty"`
	Resources       []string `json:"resources,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
	FieldSelector   string   `json:"fieldSelector,omitempty"`
	Source          string   `json:"source,omitempty"`
	// ABAC marks a rule from an ABAC policy line: its resource matches every
	// subresource (ABAC compares the resource only).
	ABAC bool `json:"-"`
}

func (r Rule) String() string {
	s := fmt.Sprintf("verbs=%v", r.Verbs)
	if len(r.NonResourceURLs) > 0 {
		return s + fmt.Sprintf(" urls=%v", r.NonResourceURLs)
	}
	s += fmt.Sprintf(" groups=%q resources=%v", r.APIGroups, r.Resources)
	if len(r.ResourceNames) > 0 {
		s += fmt.Sprintf(" names=%q", r.ResourceNames)
	}
	if r.FieldSelector != "" {
		s += " fieldSelector=" + r.FieldSelector
	}
	return s
}

// Request is what a rule is matched against (the attributes of a SubjectAccessReview).
type Request struct {
	NonResource bool
	Path        string
	Verb        string
	Group       string
	Resource    string
	Subresource string
	Name        string
	// FieldSelector is a raw field selector ("" for none).
	FieldSelector string
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Covered reports whether rule r grants req, with RBAC's matching (verbs, groups,
// resources incl. `*` and `*/sub`, names, URLs with a trailing `*`). A
// field-selector-scoped rule also needs req's field selector to require its selector's
// requirement (`field=value`).
func Covered(r Rule, req Request) bool {
	if !has(r.Verbs, req.Verb) && !has(r.Verbs, "*") {
		return false
	}
	if req.NonResource {
		for _, u := range r.NonResourceURLs {
			if u == "*" || u == req.Path || (strings.HasSuffix(u, "*") && strings.HasPrefix(req.Path, strings.TrimRight(u, "*"))) {
				return true
			}
		}
		return false
	}
	if len(r.NonResourceURLs) > 0 && len(r.Resources) == 0 {
		return false
	}
	if !has(r.APIGroups, req.Group) && !has(r.APIGroups, "*") {
		return false
	}
	combined := req.Resource
	if req.Subresource != "" && !r.ABAC {
		combined += "/" + req.Subresource
	}
	resOK := false
	for _, res := range r.Resources {
		// RBAC's ResourceMatches: `*`, the exact resource[/subresource], or `*/sub`.
		// ABAC ignores the subresource.
		if res == "*" || res == combined ||
			(!r.ABAC && req.Subresource != "" && res == "*/"+req.Subresource) {
			resOK = true
			break
		}
	}
	if !resOK {
		return false
	}
	if len(r.ResourceNames) > 0 && !has(r.ResourceNames, req.Name) {
		return false
	}
	if r.FieldSelector != "" {
		return selectorRequires(req.FieldSelector, r.FieldSelector)
	}
	return true
}

// selectorRequires reports whether raw selector have contains every `=`/`==`
// requirement of want.
func selectorRequires(have, want string) bool {
	if have == "" {
		return false
	}
	hs, err := fields.ParseSelector(have)
	if err != nil {
		return false
	}
	ws, err := fields.ParseSelector(want)
	if err != nil {
		return false
	}
	for _, w := range ws.Requirements() {
		found := false
		for _, h := range hs.Requirements() {
			if h.Field == w.Field && h.Value == w.Value && h.Operator == w.Operator {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
