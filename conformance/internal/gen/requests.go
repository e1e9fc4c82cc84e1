package gen

import (
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type principal struct {
	user   string
	groups []string
	uid    string
	extra  map[string]authorizationv1.ExtraValue
}

func (c *cluster) nodePrincipal(node string) principal {
	p := principal{user: "system:node:" + node, groups: []string{"system:nodes", "system:authenticated"}}
	if c.chance(0.05) {
		p.groups = append(p.groups, pick(c, c.groups))
	}
	return p
}

func saUser(ns, name string) principal {
	return principal{user: fmt.Sprintf("system:serviceaccount:%s:%s", ns, name),
		groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}}
}

func (c *cluster) userPrincipal(name string) principal {
	p := principal{user: name}
	for _, g := range c.groups {
		if c.chance(0.3) {
			p.groups = append(p.groups, g)
		}
	}
	if c.chance(0.9) {
		p.groups = append(p.groups, "system:authenticated")
	}
	if c.chance(0.1) {
		p.uid = fmt.Sprintf("uid-%s", name)
		p.extra = map[string]authorizationv1.ExtraValue{"scopes": {"a", "b"}}
	}
	return p
}

// specialPrincipal covers identities at the edges of node identification and the
// privileged group.
func (c *cluster) specialPrincipal() principal {
	node := pick(c, c.nodes).Name
	switch c.r.IntN(9) {
	case 0:
		return principal{user: "system:node:", groups: []string{"system:nodes", "system:authenticated"}}
	case 1:
		return principal{user: "system:node:" + node, groups: []string{"system:authenticated"}} // no system:nodes group
	case 2:
		return principal{user: "system:node:" + node, groups: []string{"system:nodes", "system:masters"}}
	case 3:
		return principal{user: "alice", groups: []string{"system:nodes", "system:authenticated"}} // in the group, not a node name
	case 4:
		return principal{user: "system:anonymous", groups: []string{"system:unauthenticated"}}
	case 5:
		return principal{groups: []string{pick(c, c.groups), "system:authenticated"}} // groups only
	case 6:
		return principal{user: "root", groups: []string{"system:masters"}}
	case 7:
		return principal{user: "system:node:node-gone", groups: []string{"system:nodes", "system:authenticated"}}
	default:
		return principal{user: "system:serviceaccount::" + c.someSA(), groups: []string{"system:serviceaccounts", "system:authenticated"}}
	}
}

func sar(p principal, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) *authorizationv1.SubjectAccessReview {
	s := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: p.user, Groups: p.groups, UID: p.uid, Extra: p.extra, ResourceAttributes: ra, NonResourceAttributes: nra}}
	s.APIVersion, s.Kind = "authorization.k8s.io/v1", "SubjectAccessReview"
	return s
}

func splitResource(r string) (string, string) {
	if i := strings.Index(r, "/"); i >= 0 {
		return r[:i], r[i+1:]
	}
	return r, ""
}

func (c *cluster) version() string {
	switch c.r.IntN(6) {
	case 0:
		return ""
	case 1:
		return "*"
	default:
		return "v1"
	}
}

// fieldSelector builds a field selector on field=value in one of the forms the
// SubjectAccessReview API accepts, sometimes broken.
func (c *cluster) fieldSelector(field, value string) *authorizationv1.FieldSelectorAttributes {
	switch c.r.IntN(12) {
	case 0, 1, 2:
		return &authorizationv1.FieldSelectorAttributes{RawSelector: field + "=" + value}
	case 3:
		return &authorizationv1.FieldSelectorAttributes{RawSelector: field + "==" + value}
	case 4:
		return &authorizationv1.FieldSelectorAttributes{RawSelector: field + "!=" + value}
	case 5:
		return &authorizationv1.FieldSelectorAttributes{RawSelector: "metadata.namespace=default," + field + "=" + value}
	case 6, 7:
		return &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{{Key: field, Operator: metav1.FieldSelectorOpIn, Values: []string{value}}}}
	case 8:
		return &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{{Key: field, Operator: metav1.FieldSelectorOpNotIn, Values: []string{value}}}}
	case 9:
		return &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
			{Key: field, Operator: metav1.FieldSelectorOpIn, Values: []string{value, "other"}},
			{Key: "metadata.name", Operator: metav1.FieldSelectorOpExists}}}
	case 10:
		return &authorizationv1.FieldSelectorAttributes{RawSelector: field + "=" + value + ",bad selector"}
	default:
		return &authorizationv1.FieldSelectorAttributes{Requirements: []metav1.FieldSelectorRequirement{
			{Key: field, Operator: metav1.FieldSelectorOpExists},
			{Key: field, Operator: metav1.FieldSelectorOpIn, Values: []string{value}}}}
	}
}

func (c *cluster) labelSelector() *authorizationv1.LabelSelectorAttributes {
	switch c.r.IntN(6) {
	case 0:
		return &authorizationv1.LabelSelectorAttributes{RawSelector: "app=web"}
	case 1:
		return &authorizationv1.LabelSelectorAttributes{RawSelector: "app in (web,db),!legacy"}
	case 2:
		return &authorizationv1.LabelSelectorAttributes{RawSelector: "app=(broken"}
	case 3:
		return &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"web"}}}}
	case 4:
		return &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{
			{Key: "app", Operator: metav1.LabelSelectorOpExists},
			{Key: "tier", Operator: "Bogus", Values: []string{"x"}}}}
	default:
		return &authorizationv1.LabelSelectorAttributes{Requirements: []metav1.LabelSelectorRequirement{{Key: "bad key!", Operator: metav1.LabelSelectorOpDoesNotExist}}}
	}
}

type ref struct{ kind, ns, name string }

// nodeRefs lists objects reachable from a node through its pods (approximately what
// the node authorizer graph holds; the generator only needs likely targets).
func (c *cluster) nodeRefs(node string) []ref {
	var out []ref
	pvcs := map[ref]bool{}
	for _, pod := range c.pods {
		if pod.Spec.NodeName != node {
			continue
		}
		out = append(out, ref{"pods", pod.Namespace, pod.Name})
		if pod.Spec.ServiceAccountName != "" {
			out = append(out, ref{"serviceaccounts", pod.Namespace, pod.Spec.ServiceAccountName})
		}
		for _, v := range pod.Spec.Volumes {
			switch {
			case v.Secret != nil:
				out = append(out, ref{"secrets", pod.Namespace, v.Secret.SecretName})
			case v.ConfigMap != nil:
				out = append(out, ref{"configmaps", pod.Namespace, v.ConfigMap.Name})
			case v.PersistentVolumeClaim != nil:
				r := ref{"persistentvolumeclaims", pod.Namespace, v.PersistentVolumeClaim.ClaimName}
				out = append(out, r)
				pvcs[r] = true
			case v.Ephemeral != nil:
				r := ref{"persistentvolumeclaims", pod.Namespace, pod.Name + "-" + v.Name}
				out = append(out, r)
				pvcs[r] = true
			case v.Projected != nil:
				for _, s := range v.Projected.Sources {
					if s.Secret != nil {
						out = append(out, ref{"secrets", pod.Namespace, s.Secret.Name})
					}
					if s.ConfigMap != nil {
						out = append(out, ref{"configmaps", pod.Namespace, s.ConfigMap.Name})
					}
				}
			case v.CSI != nil && v.CSI.NodePublishSecretRef != nil:
				out = append(out, ref{"secrets", pod.Namespace, v.CSI.NodePublishSecretRef.Name})
			}
		}
		for _, s := range pod.Spec.ImagePullSecrets {
			out = append(out, ref{"secrets", pod.Namespace, s.Name})
		}
		// Init, regular and ephemeral containers, as upstream's visitors walk them: env
		// and envFrom references of each.
		var envs [][]corev1.EnvVar
		var froms [][]corev1.EnvFromSource
		for _, ctr := range pod.Spec.InitContainers {
			envs, froms = append(envs, ctr.Env), append(froms, ctr.EnvFrom)
		}
		for _, ctr := range pod.Spec.Containers {
			envs, froms = append(envs, ctr.Env), append(froms, ctr.EnvFrom)
		}
		for _, ctr := range pod.Spec.EphemeralContainers {
			envs, froms = append(envs, ctr.Env), append(froms, ctr.EnvFrom)
		}
		for _, env := range envs {
			for _, e := range env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					out = append(out, ref{"secrets", pod.Namespace, e.ValueFrom.SecretKeyRef.Name})
				}
				if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
					out = append(out, ref{"configmaps", pod.Namespace, e.ValueFrom.ConfigMapKeyRef.Name})
				}
			}
		}
		for _, from := range froms {
			for _, f := range from {
				if f.SecretRef != nil {
					out = append(out, ref{"secrets", pod.Namespace, f.SecretRef.Name})
				}
				if f.ConfigMapRef != nil {
					out = append(out, ref{"configmaps", pod.Namespace, f.ConfigMapRef.Name})
				}
			}
		}
		for _, rc := range pod.Spec.ResourceClaims {
			if rc.ResourceClaimName != nil {
				out = append(out, ref{"resourceclaims", pod.Namespace, *rc.ResourceClaimName})
			}
		}
		for _, st := range pod.Status.ResourceClaimStatuses {
			if st.ResourceClaimName != nil {
				out = append(out, ref{"resourceclaims", pod.Namespace, *st.ResourceClaimName})
			}
		}
		if pod.Status.ExtendedResourceClaimStatus != nil {
			out = append(out, ref{"resourceclaims", pod.Namespace, pod.Status.ExtendedResourceClaimStatus.ResourceClaimName})
		}
	}
	for _, pv := range c.pvs {
		if pv.Spec.ClaimRef != nil && pvcs[ref{"persistentvolumeclaims", pv.Spec.ClaimRef.Namespace, pv.Spec.ClaimRef.Name}] {
			out = append(out, ref{"persistentvolumes", "", pv.Name})
			if csi := pv.Spec.CSI; csi != nil {
				for _, s := range []*corev1.SecretReference{csi.NodePublishSecretRef, csi.ControllerPublishSecretRef, csi.NodeStageSecretRef} {
					if s != nil {
						out = append(out, ref{"secrets", s.Namespace, s.Name})
					}
				}
			}
		}
	}
	for _, va := range c.vas {
		if va.Spec.NodeName == node {
			out = append(out, ref{"volumeattachments", "", va.Name})
		}
	}
	for _, s := range c.slices {
		if s.Spec.NodeName != nil && *s.Spec.NodeName == node {
			out = append(out, ref{"resourceslices", "", s.Name})
		}
	}
	for _, p := range c.pcrs {
		if string(p.Spec.NodeName) == node {
			out = append(out, ref{"podcertificaterequests", p.Namespace, p.Name})
		}
	}
	return out
}

var nodeResourceGroups = map[string]string{
	"secrets": "", "configmaps": "", "persistentvolumeclaims": "", "persistentvolumes": "", "serviceaccounts": "", "pods": "", "nodes": "",
	"resourceclaims": "resource.k8s.io", "resourceslices": "resource.k8s.io", "volumeattachments": "storage.k8s.io", "csinodes": "storage.k8s.io",
	"leases": "coordination.k8s.io", "podcertificaterequests": "certificates.k8s.io",
}

// randomTarget names an object of the given resource that may or may not be related to
// any node.
func (c *cluster) randomTarget(resource string) ref {
	ns := pick(c, c.appNS)
	switch resource {
	case "secrets":
		return ref{resource, ns, c.someSecret()}
	case "configmaps":
		return ref{resource, ns, c.someCM()}
	case "persistentvolumeclaims":
		return ref{resource, ns, c.somePVC()}
	case "serviceaccounts":
		return ref{resource, ns, c.someSA()}
	case "resourceclaims":
		return ref{resource, ns, claimName(c.r.IntN(poolClaims + 1))}
	case "pods":
		if len(c.pods) > 0 && c.chance(0.8) {
			p := pick(c, c.pods)
			return ref{resource, p.Namespace, p.Name}
		}
		return ref{resource, ns, "pod-absent"}
	case "persistentvolumes":
		if len(c.pvs) > 0 && c.chance(0.8) {
			return ref{resource, "", pick(c, c.pvs).Name}
		}
		return ref{resource, "", "pv-absent"}
	case "volumeattachments":
		if len(c.vas) > 0 && c.chance(0.8) {
			return ref{resource, "", pick(c, c.vas).Name}
		}
		return ref{resource, "", "va-absent"}
	case "resourceslices":
		if len(c.slices) > 0 && c.chance(0.8) {
			return ref{resource, "", pick(c, c.slices).Name}
		}
		return ref{resource, "", "slice-absent"}
	case "podcertificaterequests":
		if len(c.pcrs) > 0 && c.chance(0.8) {
			p := pick(c, c.pcrs)
			return ref{resource, p.Namespace, p.Name}
		}
		return ref{resource, ns, "pcr-absent"}
	case "leases":
		return ref{resource, "kube-node-lease", pick(c, c.nodes).Name}
	default:
		return ref{resource, "", pick(c, c.nodes).Name}
	}
}

var nodeResources = []string{"secrets", "secrets", "configmaps", "configmaps", "persistentvolumeclaims", "persistentvolumes", "resourceclaims", "volumeattachments",
	"serviceaccounts", "leases", "csinodes", "nodes", "nodes", "pods", "pods", "resourceslices", "podcertificaterequests"}

// nodeRequest builds a request from a node identity for a resource the node
// authorizer handles, aimed at related objects about half of the time.
func (c *cluster) nodeRequest(p principal, node string) *authorizationv1.SubjectAccessReview {
	resource := pick(c, nodeResources)
	var target ref
	related := c.nodeRefs(node)
	var candidates []ref
	for _, r := range related {
		if r.kind == resource {
			candidates = append(candidates, r)
		}
	}
	if len(candidates) > 0 && c.chance(0.55) {
		target = pick(c, candidates)
	} else {
		target = c.randomTarget(resource)
	}
	ra := &authorizationv1.ResourceAttributes{Group: nodeResourceGroups[resource], Version: c.version(), Resource: resource, Namespace: target.ns, Name: target.name}
	verb := "get"
	switch resource {
	case "secrets", "configmaps", "resourceclaims", "persistentvolumes", "volumeattachments":
		verb = pick(c, []string{"get", "get", "get", "list", "watch", "update", "delete"})
	case "persistentvolumeclaims":
		verb = pick(c, []string{"get", "get", "list", "update", "patch"})
		if c.chance(0.3) {
			ra.Subresource = "status"
		}
	case "serviceaccounts":
		if c.chance(0.6) {
			verb, ra.Subresource = "create", "token"
		} else {
			verb = pick(c, []string{"get", "create", "list"})
		}
	case "leases":
		verb = pick(c, []string{"get", "create", "update", "patch", "delete", "list", "watch"})
		if c.chance(0.6) {
			ra.Name = node
		}
		if c.chance(0.15) {
			ra.Namespace = pick(c, c.appNS)
		}
	case "csinodes":
		verb = pick(c, []string{"get", "create", "update", "patch", "delete", "list"})
		if c.chance(0.6) {
			ra.Name = node
		}
		if c.chance(0.15) {
			ra.Subresource = "status"
		}
	case "nodes":
		verb = pick(c, []string{"get", "get", "list", "watch", "create", "update", "patch", "delete"})
		switch x := c.r.Float64(); {
		case x < 0.5:
			ra.Name = node
		case x < 0.7:
			ra.Name = ""
		}
		switch x := c.r.Float64(); {
		case x < 0.15:
			ra.Subresource = "status"
		case x < 0.2:
			ra.Subresource = pick(c, []string{"proxy", "log"})
		}
		if (verb == "list" || verb == "watch") && c.chance(0.4) {
			ra.FieldSelector = c.fieldSelector("metadata.name", pick(c, []string{node, target.name}))
		}
	case "pods":
		verb = pick(c, []string{"get", "get", "list", "watch", "create", "delete", "update"})
		switch x := c.r.Float64(); {
		case x < 0.12:
			ra.Subresource = "status"
			verb = pick(c, []string{"update", "patch", "get"})
		case x < 0.18:
			ra.Subresource = "eviction"
			verb = pick(c, []string{"create", "get"})
		case x < 0.22:
			ra.Subresource = "log"
		}
		if verb == "list" || verb == "watch" {
			if c.chance(0.6) {
				ra.Name = ""
			}
			if c.chance(0.75) {
				ra.FieldSelector = c.fieldSelector("spec.nodeName", pick(c, []string{node, node, node, pick(c, c.nodes).Name, ""}))
			}
			if c.chance(0.2) {
				ra.Namespace = ""
			}
		}
	case "resourceslices":
		verb = pick(c, []string{"create", "get", "update", "patch", "delete", "list", "watch", "deletecollection", "escalate"})
		if verb == "list" || verb == "watch" || verb == "deletecollection" {
			ra.Name = ""
			if c.chance(0.75) {
				ra.FieldSelector = c.fieldSelector("spec.nodeName", pick(c, []string{node, node, pick(c, c.nodes).Name}))
			}
		}
		if c.chance(0.08) {
			ra.Subresource = "status"
		}
	case "podcertificaterequests":
		verb = pick(c, []string{"create", "get", "get", "list", "watch", "update", "delete"})
		if verb == "list" || verb == "watch" {
			ra.Name = ""
			if c.chance(0.75) {
				ra.FieldSelector = c.fieldSelector("spec.nodeName", pick(c, []string{node, node, pick(c, c.nodes).Name}))
			}
		}
		if c.chance(0.1) {
			ra.Subresource = "status"
		}
	}
	ra.Verb = verb
	// perturbations at the edges
	switch x := c.r.Float64(); {
	case x < 0.04:
		ra.Name = ""
	case x < 0.07:
		ra.Namespace = ""
	case x < 0.09:
		ra.Group = "apps" // same resource name in another group
	case x < 0.11:
		ra.Subresource = "finalize"
	}
	if c.chance(0.05) {
		ra.LabelSelector = c.labelSelector()
	}
	return sar(p, ra, nil)
}

// requestFromRule builds a request that a rule probably allows, for a principal bound
// through the rule's binding, then sometimes perturbs it.
func (c *cluster) requestFromRule(p principal, ns string, rule rbacv1.PolicyRule) *authorizationv1.SubjectAccessReview {
	if len(rule.NonResourceURLs) > 0 {
		path := pick(c, rule.NonResourceURLs)
		if strings.HasSuffix(path, "*") {
			path = strings.TrimSuffix(path, "*") + pick(c, []string{"", "x", "sub/path"})
		}
		verb := pick(c, rule.Verbs)
		if verb == "*" {
			verb = pick(c, []string{"get", "post", "put"})
		}
		if c.chance(0.2) {
			verb = pick(c, []string{"get", "post", "delete"})
		}
		return sar(p, nil, &authorizationv1.NonResourceAttributes{Path: path, Verb: verb})
	}
	ra := &authorizationv1.ResourceAttributes{Namespace: ns, Version: c.version()}
	ra.Verb = pick(c, rule.Verbs)
	if ra.Verb == "*" {
		ra.Verb = pick(c, verbs)
	}
	if len(rule.APIGroups) > 0 {
		ra.Group = pick(c, rule.APIGroups)
	}
	if ra.Group == "*" {
		ra.Group = pick(c, resourceCatalog).group
	}
	res := "pods"
	if len(rule.Resources) > 0 {
		res = pick(c, rule.Resources)
	}
	switch {
	case res == "*":
		res = pick(c, []string{"pods", "secrets", "deployments", "widgets", "pods/log"})
	case strings.HasPrefix(res, "*/"):
		res = pick(c, []string{"deployments", "replicasets", "statefulsets"}) + res[1:]
	case strings.HasSuffix(res, "/*"):
		res = strings.TrimSuffix(res, "*") + pick(c, []string{"status", "log", "exec"})
	}
	ra.Resource, ra.Subresource = splitResource(res)
	if len(rule.ResourceNames) > 0 {
		ra.Name = pick(c, rule.ResourceNames)
	} else if c.chance(0.4) {
		ra.Name = c.resourceName(ra.Resource)
	}
	switch x := c.r.Float64(); {
	case x < 0.08:
		ra.Verb = pick(c, verbs)
	case x < 0.14:
		ra.Namespace = pick(c, c.namespaces)
	case x < 0.18:
		ra.Name = "other-name"
	case x < 0.21:
		ra.Subresource = "status"
	case x < 0.24:
		ra.Group = pick(c, resourceCatalog).group
	case x < 0.26:
		ra.Namespace = ""
	}
	if c.chance(0.06) {
		ra.FieldSelector = c.fieldSelector("metadata.name", "x")
	}
	if c.chance(0.06) {
		ra.LabelSelector = c.labelSelector()
	}
	return sar(p, ra, nil)
}

// principalFor returns an identity a subject covers.
func (c *cluster) principalFor(s rbacv1.Subject, bindingNS string) principal {
	switch s.Kind {
	case "User":
		p := c.userPrincipal(s.Name)
		if strings.HasPrefix(s.Name, "system:node:") && c.chance(0.5) {
			p = c.nodePrincipal(strings.TrimPrefix(s.Name, "system:node:"))
		}
		return p
	case "Group":
		switch {
		case s.Name == "system:nodes":
			return c.nodePrincipal(pick(c, c.nodes).Name)
		case strings.HasPrefix(s.Name, "system:serviceaccounts:"):
			return saUser(strings.TrimPrefix(s.Name, "system:serviceaccounts:"), c.someSA())
		case s.Name == "system:serviceaccounts":
			return saUser(pick(c, c.appNS), c.someSA())
		case s.Name == "system:unauthenticated":
			return principal{user: "system:anonymous", groups: []string{"system:unauthenticated"}}
		}
		p := c.userPrincipal(pick(c, c.users))
		p.groups = appendUnique(p.groups, s.Name)
		return p
	default:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		return saUser(ns, s.Name)
	}
}

func (c *cluster) roleRules(ref rbacv1.RoleRef, ns string) []rbacv1.PolicyRule {
	if ref.Kind == "Role" {
		for _, r := range c.roles {
			if r.Namespace == ns && r.Name == ref.Name {
				return r.Rules
			}
		}
		return nil
	}
	for _, r := range c.clusterRoles {
		if r.Name == ref.Name {
			if r.AggregationRule != nil {
				// approximate: the rules of roles it aggregates
				var out []rbacv1.PolicyRule
				for _, o := range c.clusterRoles {
					if o.AggregationRule == nil && len(o.Labels) > 0 {
						out = append(out, o.Rules...)
					}
				}
				return out
			}
			return r.Rules
		}
	}
	return []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "services", "configmaps"}, Verbs: []string{"get", "list"}}}
}

func (c *cluster) boundRequest() *authorizationv1.SubjectAccessReview {
	var subjects []rbacv1.Subject
	var ref rbacv1.RoleRef
	ns := ""
	if len(c.rbs) > 0 && (len(c.crbs) == 0 || c.chance(0.5)) {
		b := pick(c, c.rbs)
		subjects, ref, ns = b.Subjects, b.RoleRef, b.Namespace
	} else if len(c.crbs) > 0 {
		b := pick(c, c.crbs)
		subjects, ref = b.Subjects, b.RoleRef
		ns = pick(c, append([]string{""}, c.namespaces...))
	}
	if len(subjects) == 0 {
		return c.randomRequest(c.userPrincipal(pick(c, c.users)))
	}
	p := c.principalFor(pick(c, subjects), ns)
	rules := c.roleRules(ref, ns)
	if len(rules) == 0 {
		return c.randomRequest(p)
	}
	return c.requestFromRule(p, ns, pick(c, rules))
}

func (c *cluster) randomRequest(p principal) *authorizationv1.SubjectAccessReview {
	if c.chance(0.15) {
		return sar(p, nil, &authorizationv1.NonResourceAttributes{Path: pick(c, nonResourcePaths), Verb: pick(c, []string{"get", "get", "post", "put", "delete", "head"})})
	}
	gr := pick(c, resourceCatalog)
	res, sub := splitResource(pick(c, gr.resources))
	ra := &authorizationv1.ResourceAttributes{Group: gr.group, Version: c.version(), Resource: res, Subresource: sub, Verb: pick(c, verbs)}
	if c.chance(0.75) {
		ra.Namespace = pick(c, c.namespaces)
	}
	if c.chance(0.5) {
		ra.Name = c.resourceName(res)
	}
	if c.chance(0.05) {
		ra.Verb = pick(c, rareVerbs)
	}
	if c.chance(0.05) {
		ra.FieldSelector = c.fieldSelector("spec.nodeName", pick(c, c.nodes).Name)
	}
	return sar(p, ra, nil)
}

func (c *cluster) request() *authorizationv1.SubjectAccessReview {
	switch x := c.r.Float64(); {
	case x < 0.42:
		node := pick(c, c.nodes).Name
		if c.chance(0.04) {
			node = "node-gone"
		}
		p := c.nodePrincipal(node)
		if c.chance(0.1) {
			return c.randomRequest(p)
		}
		return c.nodeRequest(p, node)
	case x < 0.50:
		p := c.specialPrincipal()
		if strings.HasPrefix(p.user, "system:node:") && c.chance(0.7) {
			return c.nodeRequest(p, strings.TrimPrefix(p.user, "system:node:"))
		}
		return c.randomRequest(p)
	case x < 0.80:
		return c.boundRequest()
	case x < 0.90:
		return c.randomRequest(saUser(pick(c, c.appNS), c.someSA()))
	default:
		return c.randomRequest(c.userPrincipal(pick(c, c.users)))
	}
}
