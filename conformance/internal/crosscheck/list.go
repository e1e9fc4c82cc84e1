package crosscheck

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
)

// listIdentity is one `can-i --list` identity: CLI flags and the identity they mean.
type listIdentity struct {
	flags []string
	id    Identity
	ns    string
}

// listIdentities picks, per seed, a node, a service account and a user (sometimes in a
// group), each with a namespace.
func (c *checker) listIdentities() []listIdentity {
	var out []listIdentity
	pickNS := func() string {
		if len(c.nsList) == 0 || c.r.IntN(8) == 0 {
			return "default"
		}
		return c.nsList[c.r.IntN(len(c.nsList))]
	}
	var sas, users, groups []Subject
	for _, s := range c.cands {
		switch s.Kind {
		case "ServiceAccount":
			if usableArg(s.Name) && usableArg(s.Namespace) {
				sas = append(sas, s)
			}
		case "User":
			if usableArg(s.Name) && !strings.HasPrefix(s.Name, "system:") {
				users = append(users, s)
			}
		case "Group":
			if usableArg(s.Name) && !strings.HasPrefix(s.Name, "system:") {
				groups = append(groups, s)
			}
		}
	}
	for i := 0; i < c.cfg.Lists; i++ {
		switch i % 3 {
		case 0:
			if len(c.nodes) == 0 {
				continue
			}
			n := c.nodes[c.r.IntN(len(c.nodes))]
			out = append(out, listIdentity{flags: []string{"--as-node", n},
				id: Identity{User: "system:node:" + n, Groups: []string{"system:nodes", "system:authenticated"}}, ns: pickNS()})
		case 1:
			if len(sas) == 0 {
				continue
			}
			s := sas[c.r.IntN(len(sas))]
			ns := s.Namespace
			if c.r.IntN(4) == 0 {
				ns = pickNS()
			}
			id := SAIdentity(s.Namespace, s.Name)
			out = append(out, listIdentity{flags: []string{"--as", id.User}, id: id, ns: ns})
		default:
			if len(users) == 0 {
				continue
			}
			u := users[c.r.IntN(len(users))]
			li := listIdentity{flags: []string{"--as", u.Name}, id: Identity{User: u.Name}, ns: pickNS()}
			if len(groups) > 0 && c.r.IntN(2) == 0 {
				g := groups[c.r.IntN(len(groups))].Name
				li.flags = append(li.flags, "--as-group", g)
				li.id.Groups = append(li.id.Groups, g)
			}
			li.id.Groups = append(li.id.Groups, "system:authenticated")
			out = append(out, li)
		}
	}
	return out
}

type rulesReviewOut struct {
	Metadata struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Status struct {
		ResourceRules    []Rule `json:"resourceRules"`
		NonResourceRules []Rule `json:"nonResourceRules"`
	} `json:"status"`
}

const (
	sourcesAnnotation       = "kauthz.dev/rule-sources"
	fieldSelectorAnnotation = "kauthz.dev/field-selector-rules"
)

// parseList reads `can-i --list -o json`: plain rules (with their sources) and the
// field-selector-scoped rules of the annotation.
func parseList(data []byte) ([]Rule, error) {
	var out rulesReviewOut
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	rules := append(append([]Rule{}, out.Status.ResourceRules...), out.Status.NonResourceRules...)
	if s := out.Metadata.Annotations[sourcesAnnotation]; s != "" {
		var sources []string
		if err := json.Unmarshal([]byte(s), &sources); err != nil {
			return nil, fmt.Errorf("%s: %v", sourcesAnnotation, err)
		}
		if len(sources) != len(rules) {
			return nil, fmt.Errorf("%s: %d sources for %d rules", sourcesAnnotation, len(sources), len(rules))
		}
		for i := range rules {
			rules[i].Source = sources[i]
		}
	}
	if s := out.Metadata.Annotations[fieldSelectorAnnotation]; s != "" {
		var scoped []Rule
		if err := json.Unmarshal([]byte(s), &scoped); err != nil {
			return nil, fmt.Errorf("%s: %v", fieldSelectorAnnotation, err)
		}
		for _, r := range scoped {
			if r.FieldSelector == "" {
				return nil, fmt.Errorf("%s: a rule without a fieldSelector", fieldSelectorAnnotation)
			}
		}
		rules = append(rules, scoped...)
	}
	for i := range rules {
		rules[i].ABAC = strings.HasPrefix(rules[i].Source, "ABAC:")
	}
	return rules, nil
}

var (
	concreteVerbs     = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate"}
	concreteGroups    = []string{"", "apps", "example.com", "coordination.k8s.io"}
	concreteResources = []string{"pods", "secrets", "configmaps", "widgets", "nodes"}
	concreteSubs      = []string{"status", "log", "scale"}
	concretePaths     = []string{"/healthz", "/api", "/version", "/metrics", "/x/y"}
	// clusterScoped resources are asked without a namespace when the namespace's request
	// is refused: a rules review lists them for every namespace.
	clusterScoped = map[string]bool{"nodes": true, "persistentvolumes": true, "volumeattachments": true, "csinodes": true,
		"resourceslices": true, "namespaces": true, "csidrivers": true, "certificatesigningrequests": true, "clusterroles": true,
		"clusterrolebindings": true, "storageclasses": true, "priorityclasses": true, "apiservices": true,
		"customresourcedefinitions": true, "tokenreviews": true, "subjectaccessreviews": true, "selfsubjectaccessreviews": true,
		"selfsubjectrulesreviews": true, "ingressclasses": true, "runtimeclasses": true, "validatingwebhookconfigurations": true,
		"mutatingwebhookconfigurations": true, "deviceclasses": true, "componentstatuses": true}
)

func (c *checker) choose(xs []string) string { return xs[c.r.IntN(len(xs))] }

// instance picks a concrete value for a rule entry (wildcards become concrete values).
func (c *checker) instanceVerb(v string) string {
	if v == "*" {
		return c.choose(concreteVerbs)
	}
	return v
}

// expand turns a row into up to three concrete requests.
func (c *checker) expand(r Rule, ns string) []Request {
	var out []Request
	if len(r.Verbs) == 0 {
		return nil
	}
	for i := 0; i < 3; i++ {
		verb := c.instanceVerb(c.choose(r.Verbs))
		if len(r.NonResourceURLs) > 0 && len(r.Resources) == 0 {
			u := c.choose(r.NonResourceURLs)
			switch {
			case u == "*":
				u = c.choose(concretePaths)
			case strings.HasSuffix(u, "*"):
				u = strings.TrimSuffix(u, "*") + c.choose([]string{"", "x", "a/b"})
			}
			if verb == "*" {
				verb = "get"
			}
			out = append(out, Request{NonResource: true, Path: u, Verb: verb})
			continue
		}
		if len(r.APIGroups) == 0 || len(r.Resources) == 0 {
			return nil
		}
		req := Request{Verb: verb, Group: c.choose(r.APIGroups), Resource: c.choose(r.Resources), FieldSelector: r.FieldSelector}
		if req.Group == "*" {
			req.Group = c.choose(concreteGroups)
		}
		switch {
		case req.Resource == "*":
			req.Resource = c.choose(concreteResources)
			if c.r.IntN(3) == 0 {
				req.Subresource = c.choose(concreteSubs)
			}
		case strings.HasPrefix(req.Resource, "*/"):
			req.Subresource = strings.TrimPrefix(req.Resource, "*/")
			req.Resource = c.choose(concreteResources)
		case strings.HasSuffix(req.Resource, "/*") && !strings.HasPrefix(r.Source, "RBAC: ") && !r.ABAC:
			// A Node row's resource/* holds for every subresource of resource. In RBAC (and
			// ABAC) `pods/*` is no wildcard: it names the literal subresource "*"
			// (ResourceMatches knows only `*` and `*/sub`), so such rows go on below.
			req.Resource = strings.TrimSuffix(req.Resource, "/*")
			req.Subresource = c.choose(concreteSubs)
		case strings.Contains(req.Resource, "/"):
			req.Resource, req.Subresource, _ = strings.Cut(req.Resource, "/")
		case r.ABAC && c.r.IntN(3) == 0:
			req.Subresource = c.choose(concreteSubs)
		}
		if len(r.ResourceNames) > 0 {
			req.Name = c.choose(r.ResourceNames)
		} else if c.r.IntN(2) == 0 {
			req.Name = c.someName()
		}
		out = append(out, req)
	}
	return out
}

func (c *checker) someName() string {
	var kinds []string
	for k := range c.names {
		kinds = append(kinds, k)
	}
	if len(kinds) == 0 {
		return "x"
	}
	// map order is random: sort for a deterministic pick
	sort.Strings(kinds)
	names := c.names[c.choose(kinds)]
	if len(names) == 0 {
		return "x"
	}
	return c.choose(names)
}

func (req Request) spec(ns string) authorizationv1.SubjectAccessReviewSpec {
	if req.NonResource {
		return authorizationv1.SubjectAccessReviewSpec{NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: req.Path, Verb: req.Verb}}
	}
	ra := &authorizationv1.ResourceAttributes{Namespace: ns, Verb: req.Verb, Group: req.Group, Version: "v1", Resource: req.Resource,
		Subresource: req.Subresource, Name: req.Name}
	if req.FieldSelector != "" {
		ra.FieldSelector = &authorizationv1.FieldSelectorAttributes{RawSelector: req.FieldSelector}
	}
	return authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra}
}

func (req Request) String() string {
	if req.NonResource {
		return fmt.Sprintf("%s %q", req.Verb, req.Path)
	}
	s := fmt.Sprintf("%s group=%q resource=%q", req.Verb, req.Group, req.Resource)
	if req.Subresource != "" {
		s += fmt.Sprintf(" subresource=%q", req.Subresource)
	}
	if req.Name != "" {
		s += fmt.Sprintf(" name=%q", req.Name)
	}
	if req.FieldSelector != "" {
		s += fmt.Sprintf(" fieldSelector=%q", req.FieldSelector)
	}
	return s
}

func (c *checker) list(li listIdentity) error {
	args := append([]string{"can-i", "--list", "-n", li.ns, "-o", "json"}, li.flags...)
	what := fmt.Sprintf("can-i --list %s -n %s", strings.Join(li.flags, " "), li.ns)
	out, err := c.exec(args...)
	if err != nil {
		c.diff("%s: %v", what, err)
		return nil
	}
	rules, err := parseList(out)
	if err != nil {
		c.diff("%s: %v", what, err)
		return nil
	}
	// Every row expands to allowed requests.
	for _, r := range rules {
		for _, req := range c.expand(r, li.ns) {
			ok, err := c.allowedIn(li, req)
			if err != nil {
				return err
			}
			if !ok {
				c.diff("%s: row {%s} (source %q) claims %s, upstream does not allow it", what, r, r.Source, req)
			}
		}
	}
	// Allowed requests are covered by some row.
	for i := 0; i < c.cfg.Coverage && len(c.sars) > 0; i++ {
		req, ok := c.coverageRequest(li)
		if !ok {
			continue
		}
		ns := li.ns
		if !req.NonResource && req.Resource != "" && c.r.IntN(5) == 0 {
			ns = ""
		}
		allowed, valid, err := c.ask(li.id, req.spec(ns))
		if err != nil {
			return err
		}
		if !valid || !allowed {
			continue
		}
		covered := false
		for _, r := range rules {
			if Covered(r, req) {
				covered = true
				break
			}
		}
		if !covered {
			c.diff("%s: upstream allows %s (namespace %q), no row covers it", what, req, ns)
		}
	}
	return nil
}

// allowedIn asks req in the list's namespace; a cluster-scoped resource refused there is
// asked again without a namespace.
func (c *checker) allowedIn(li listIdentity, req Request) (bool, error) {
	allowed, valid, err := c.ask(li.id, req.spec(li.ns))
	if err != nil || allowed {
		return allowed, err
	}
	if !valid {
		return true, nil // not a request upstream would answer: nothing to claim
	}
	if !req.NonResource && clusterScoped[req.Resource] {
		allowed, _, err = c.ask(li.id, req.spec(""))
	}
	return allowed, err
}

// coverageRequest draws a request from the seed's SARs (those of this identity's user
// first), without label selectors and with the identity's namespace.
func (c *checker) coverageRequest(li listIdentity) (Request, bool) {
	var own []*authorizationv1.SubjectAccessReview
	for _, s := range c.sars {
		if s.Spec.User == li.id.User {
			own = append(own, s)
		}
	}
	src := c.sars
	if len(own) > 0 && c.r.IntN(2) == 0 {
		src = own
	}
	s := src[c.r.IntN(len(src))].Spec
	if n := s.NonResourceAttributes; n != nil {
		// No HTTP request has an empty path. (Upstream's ABAC allows one through every
		// policy without a nonResourcePath, "" == "", which no rule can express.)
		if n.Path == "" {
			return Request{}, false
		}
		return Request{NonResource: true, Path: n.Path, Verb: n.Verb}, true
	}
	ra := s.ResourceAttributes
	if ra == nil {
		return Request{}, false
	}
	req := Request{Verb: ra.Verb, Group: ra.Group, Resource: ra.Resource, Subresource: ra.Subresource, Name: ra.Name}
	if fs := ra.FieldSelector; fs != nil && fs.RawSelector != "" && len(fs.Requirements) == 0 {
		req.FieldSelector = fs.RawSelector
	}
	return req, true
}

// usableArg reports whether s can be passed as a command-line value: not empty, no NUL
// (exec cannot pass it), within Linux's 128 KiB limit for one argument, not taken for a
// flag.
func usableArg(s string) bool {
	return s != "" && len(s) < 100000 && !strings.ContainsRune(s, 0) && !strings.HasPrefix(s, "-")
}
