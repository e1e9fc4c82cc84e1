package gen

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type groupResources struct {
	group     string
	resources []string
}

var resourceCatalog = []groupResources{
	{"", []string{"pods", "pods/status", "pods/log", "pods/exec", "pods/eviction", "secrets", "configmaps", "services", "nodes", "nodes/status", "nodes/proxy",
		"persistentvolumeclaims", "persistentvolumeclaims/status", "persistentvolumes", "serviceaccounts", "serviceaccounts/token", "events", "namespaces", "endpoints"}},
	{"apps", []string{"deployments", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "daemonsets"}},
	{"storage.k8s.io", []string{"volumeattachments", "csinodes", "csidrivers", "storageclasses"}},
	{"coordination.k8s.io", []string{"leases"}},
	{"resource.k8s.io", []string{"resourceclaims", "resourceclaims/status", "resourceslices"}},
	{"certificates.k8s.io", []string{"podcertificaterequests", "podcertificaterequests/status", "certificatesigningrequests"}},
	{"rbac.authorization.k8s.io", []string{"roles", "clusterroles", "rolebindings", "clusterrolebindings"}},
	{"batch", []string{"jobs", "cronjobs"}},
	{"example.dev", []string{"widgets", "widgets/status"}},
}

var verbs = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
var rareVerbs = []string{"impersonate", "bind", "escalate", "approve", "use"}

var nonResourcePaths = []string{"/healthz", "/healthz/etcd", "/livez", "/readyz", "/metrics", "/version", "/api", "/api/v1", "/apis", "/apis/apps",
	"/openapi/v2", "/openapi/v3/apis", "/logs", "/logs/kube-apiserver.log", "/debug/pprof", "/foo/bar", "/"}
var nonResourceRulePaths = []string{"/healthz", "/healthz/*", "/metrics", "/logs/*", "/api/*", "/apis", "*", "/version", "/debug/*", "/openapi/*"}

func (c *cluster) verbSet() []string {
	if c.chance(0.12) {
		return []string{"*"}
	}
	var out []string
	for i, n := 0, c.intn(1, 3); i < n; i++ {
		v := pick(c, verbs)
		if c.chance(0.05) {
			v = pick(c, rareVerbs)
		}
		out = appendUnique(out, v)
	}
	return out
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func (c *cluster) resourceName(resource string) string {
	switch resource {
	case "secrets":
		return c.someSecret()
	case "configmaps":
		return c.someCM()
	case "nodes", "nodes/status", "csinodes", "leases":
		return pick(c, c.nodes).Name
	case "persistentvolumeclaims":
		return c.somePVC()
	case "serviceaccounts", "serviceaccounts/token":
		return c.someSA()
	case "pods", "pods/status", "pods/log":
		if len(c.pods) > 0 {
			return pick(c, c.pods).Name
		}
	}
	return fmt.Sprintf("obj-%d", c.r.IntN(3))
}

func (c *cluster) rule() rbacv1.PolicyRule {
	if c.chance(0.15) {
		var urls []string
		for i, n := 0, c.intn(1, 3); i < n; i++ {
			urls = appendUnique(urls, pick(c, nonResourceRulePaths))
		}
		vs := []string{"get"}
		if c.chance(0.3) {
			vs = []string{"*"}
		} else if c.chance(0.3) {
			vs = []string{"get", "post"}
		}
		return rbacv1.PolicyRule{NonResourceURLs: urls, Verbs: vs}
	}
	gr := pick(c, resourceCatalog)
	r := rbacv1.PolicyRule{Verbs: c.verbSet(), APIGroups: []string{gr.group}}
	if c.chance(0.1) {
		r.APIGroups = []string{"*"}
	} else if c.chance(0.1) {
		r.APIGroups = append(r.APIGroups, pick(c, resourceCatalog).group)
	}
	for i, n := 0, c.intn(1, 3); i < n; i++ {
		r.Resources = appendUnique(r.Resources, pick(c, gr.resources))
	}
	switch x := c.r.Float64(); {
	case x < 0.08:
		r.Resources = []string{"*"}
	case x < 0.13:
		r.Resources = append(r.Resources, "*/scale")
	case x < 0.17:
		r.Resources = append(r.Resources, "pods/*")
	}
	if c.chance(0.2) && r.Resources[0] != "*" {
		for i, n := 0, c.intn(1, 2); i < n; i++ {
			r.ResourceNames = appendUnique(r.ResourceNames, c.resourceName(r.Resources[0]))
		}
	}
	return r
}

func (c *cluster) rules() []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for i, n := 0, c.intn(1, 4); i < n; i++ {
		out = append(out, c.rule())
	}
	return out
}

var aggregateLabels = []map[string]string{
	{"kauthz.test/agg": "a"},
	{"kauthz.test/agg": "b"},
	{"rbac.authorization.k8s.io/aggregate-to-view": "true"},
	{"rbac.authorization.k8s.io/aggregate-to-edit": "true"},
	{"rbac.authorization.k8s.io/aggregate-to-admin": "true"},
	{"kauthz.test/agg": "a", "tier": "gold"},
}

func (c *cluster) newClusterRole(name string) *rbacv1.ClusterRole {
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: c.rules()}
	typeMeta(cr, "rbac.authorization.k8s.io/v1", "ClusterRole")
	if c.chance(0.45) {
		cr.Labels = map[string]string{}
		for k, v := range pick(c, aggregateLabels) {
			cr.Labels[k] = v
		}
	}
	return cr
}

func (c *cluster) newAggregatedRole(name string, selectors []metav1.LabelSelector, labels map[string]string) *rbacv1.ClusterRole {
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: selectors}}
	typeMeta(cr, "rbac.authorization.k8s.io/v1", "ClusterRole")
	if c.chance(0.3) {
		cr.Rules = c.rules() // stale hand-written rules the aggregation replaces
	}
	return cr
}

func (c *cluster) newRole(ns, name string) *rbacv1.Role {
	r := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Rules: c.rules()}
	typeMeta(r, "rbac.authorization.k8s.io/v1", "Role")
	return r
}

func (c *cluster) subject(bindingNS string) rbacv1.Subject {
	switch x := c.r.Float64(); {
	case x < 0.35:
		name := pick(c, c.users)
		if c.chance(0.1) {
			name = "system:node:" + pick(c, c.nodes).Name
		} else if c.chance(0.05) {
			name = fmt.Sprintf("system:serviceaccount:%s:%s", pick(c, c.appNS), c.someSA())
		}
		return rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: name}
	case x < 0.65:
		g := pick(c, c.groups)
		switch y := c.r.Float64(); {
		case y < 0.12:
			g = "system:authenticated"
		case y < 0.2:
			g = "system:serviceaccounts"
		case y < 0.3:
			g = "system:serviceaccounts:" + pick(c, c.appNS)
		case y < 0.36:
			g = "system:nodes"
		case y < 0.4:
			g = "system:unauthenticated"
		}
		return rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: g}
	default:
		s := rbacv1.Subject{Kind: "ServiceAccount", Name: c.someSA(), Namespace: pick(c, c.appNS)}
		if bindingNS != "" && c.chance(0.5) {
			s.Namespace = bindingNS
		}
		if c.chance(0.12) {
			s.Namespace = "" // defaults to the binding's namespace (none for cluster bindings)
		}
		return s
	}
}

func (c *cluster) subjects(ns string) []rbacv1.Subject {
	var out []rbacv1.Subject
	for i, n := 0, c.intn(1, 3); i < n; i++ {
		out = append(out, c.subject(ns))
	}
	return out
}

var defaultRoleRefs = []string{"view", "edit", "admin", "cluster-admin", "system:basic-user", "system:node-proxier", "system:aggregate-to-view"}

func (c *cluster) clusterRoleRef() rbacv1.RoleRef {
	name := ""
	switch x := c.r.Float64(); {
	case x < 0.55 && len(c.clusterRoles) > 0:
		name = pick(c, c.clusterRoles).Name
	case x < 0.9:
		name = pick(c, defaultRoleRefs)
	default:
		name = "ghost-role"
	}
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
}

func (c *cluster) newCRB(name string) *rbacv1.ClusterRoleBinding {
	b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: c.clusterRoleRef(), Subjects: c.subjects("")}
	typeMeta(b, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")
	return b
}

func (c *cluster) newRB(ns, name string) *rbacv1.RoleBinding {
	b := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Subjects: c.subjects(ns)}
	typeMeta(b, "rbac.authorization.k8s.io/v1", "RoleBinding")
	if c.chance(0.55) {
		var names []string
		for _, r := range c.roles {
			if r.Namespace == ns {
				names = append(names, r.Name)
			}
		}
		names = append(names, "ghost-role")
		b.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: pick(c, names)}
	} else {
		b.RoleRef = c.clusterRoleRef()
	}
	return b
}

func (c *cluster) genRBAC() {
	for i, n := 0, c.intn(4, 8); i < n; i++ {
		c.clusterRoles = append(c.clusterRoles, c.newClusterRole(fmt.Sprintf("cr-%d", c.next())))
	}
	c.clusterRoles = append(c.clusterRoles,
		c.newAggregatedRole("agg-a", []metav1.LabelSelector{{MatchLabels: map[string]string{"kauthz.test/agg": "a"}}}, map[string]string{"kauthz.test/parent": "top"}),
		c.newAggregatedRole("agg-ab", []metav1.LabelSelector{{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "kauthz.test/agg", Operator: metav1.LabelSelectorOpIn, Values: []string{"a", "b"}}}}}, nil),
	)
	if c.chance(0.5) {
		c.clusterRoles = append(c.clusterRoles, c.newAggregatedRole("agg-top", []metav1.LabelSelector{
			{MatchLabels: map[string]string{"kauthz.test/parent": "top"}},
			{MatchLabels: map[string]string{"tier": "gold"}},
		}, nil))
	}
	if c.chance(0.3) {
		c.clusterRoles = append(c.clusterRoles, c.newAggregatedRole("agg-none", []metav1.LabelSelector{{MatchLabels: map[string]string{"kauthz.test/nothing": "x"}}}, nil))
	}
	for _, ns := range c.appNS {
		for i, n := 0, c.r.IntN(3); i < n; i++ {
			c.roles = append(c.roles, c.newRole(ns, fmt.Sprintf("role-%d", c.next())))
		}
	}
	for i, n := 0, c.intn(4, 10); i < n; i++ {
		c.crbs = append(c.crbs, c.newCRB(fmt.Sprintf("crb-%d", c.next())))
	}
	for _, ns := range c.appNS {
		for i, n := 0, c.intn(1, 4); i < n; i++ {
			c.rbs = append(c.rbs, c.newRB(ns, fmt.Sprintf("rb-%d", c.next())))
		}
	}
	if c.chance(0.4) {
		// the same subject bound twice, so RBAC reasons have several acceptable answers
		b := c.newCRB(fmt.Sprintf("crb-%d", c.next()))
		b.Subjects = []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:authenticated"}}
		b.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}
		c.crbs = append(c.crbs, b)
	}
}
