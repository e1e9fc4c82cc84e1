// Command mktables writes the restated upstream test tables under conformance/tables:
// for each table a snapshot, a request stream (SubjectAccessReviews and watch events in
// requests.jsonl, or AdmissionReviews and watch events in admission.jsonl for the
// NodeRestriction tables), the flags to run it with, and the upstream expectations
// (expected.jsonl).
//
// The node authorizer's TestNodeAuthorizer cases come from
// tables/tools/node-authorizer-cases.json (extracted as data by
// tables/tools/extract_node_cases.py); the cluster they run against and the other
// tables are restated below.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	certsv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Expectation is one line of expected.jsonl, aligned with the SubjectAccessReviews of
// requests.jsonl (watch events have no line).
type Expectation struct {
	Case    string  `json:"case"`
	Allowed bool    `json:"allowed"`
	Reason  *string `json:"reason,omitempty"` // checked only when present
	Checked bool    `json:"checked"`          // false: upstream ran this case under non-default feature gates
	Note    string  `json:"note,omitempty"`
}

type table struct {
	name     string
	flags    string
	objects  []runtime.Object
	lines    []any
	expected []Expectation
}

func (t *table) review(s *authorizationv1.SubjectAccessReview, e Expectation) {
	s.APIVersion, s.Kind = "authorization.k8s.io/v1", "SubjectAccessReview"
	t.lines = append(t.lines, s)
	t.expected = append(t.expected, e)
}

func (t *table) event(typ string, obj runtime.Object) {
	t.lines = append(t.lines, map[string]any{"type": typ, "object": obj})
}

func gvk(obj runtime.Object, apiVersion, kind string) runtime.Object {
	gv, _ := schema.ParseGroupVersion(apiVersion)
	obj.GetObjectKind().SetGroupVersionKind(gv.WithKind(kind))
	return obj
}

func (t *table) write(root string) error {
	return writeTable(filepath.Join(root, t.name), t.objects, "requests.jsonl", t.lines, t.expected, t.flags)
}

// writeTable writes one restated table: its snapshot (a v1 List of objects), the inputs
// as JSON lines in inputFile, the expectations as JSON lines, and the chain flags.
func writeTable[E any](dir string, objects []runtime.Object, inputFile string, inputs []any, expected []E, flags string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	list := map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{}, "items": objects}
	if objects == nil {
		list["items"] = []any{}
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "snapshot.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(dir, inputFile), inputs); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(dir, "expected.jsonl"), expected); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "flags"), []byte(flags+"\n"), 0o644)
}

func writeLines[T any](path string, items []T) error {
	var b strings.Builder
	for _, item := range items {
		line, err := json.Marshal(item)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func str(s string) *string { return &s }

func main() {
	out := flag.String("out", "tables", "output directory")
	cases := flag.String("node-cases", "tables/tools/node-authorizer-cases.json", "extracted TestNodeAuthorizer cases")
	flag.Parse()
	var tables []*table
	nt, err := nodeAuthorizerTable(*cases)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tables = append(tables, nt, sharedResourcesTable(), ephemeralContainersTable(), extendedClaimTable())
	tables = append(tables, rbacAuthorizerTables()...)
	tables = append(tables, ruleMatchesTable())
	for _, t := range tables {
		if err := t.write(*out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	for _, t := range nodeRestrictionTables() {
		if err := t.write(*out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// ---------------------------------------------------------------------------------
// Node authorizer

func nodeUser(name string) (string, []string) { return "system:node:" + name, []string{"system:nodes"} }

func resourceSAR(user string, groups []string, verb, group, resource, sub, ns, name, fieldSel string) *authorizationv1.SubjectAccessReview {
	ra := &authorizationv1.ResourceAttributes{Verb: verb, Group: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name}
	if fieldSel != "" {
		ra.FieldSelector = &authorizationv1.FieldSelectorAttributes{RawSelector: fieldSel}
	}
	return &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: ra}}
}

// sampleCluster restates the sample data TestNodeAuthorizer runs against: 2 nodes,
// 2 namespaces, 2 pods per node, and per pod one unique secret, one shared secret
// ("secret0-shared"), one unique configmap, one unique PVC bound to a PV with a
// flexVolume secret, one direct resource claim, one template claim without a status
// and one template claim with a generated claim in its status, and two pod
// certificate requests; per node one volume attachment and three resource slices.
func sampleCluster() []runtime.Object {
	var objs []runtime.Object
	for n := 0; n < 2; n++ {
		node := fmt.Sprintf("node%d", n)
		objs = append(objs, gvk(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}, "v1", "Node"))
		for p := 0; p < 2; p++ {
			name := fmt.Sprintf("pod%d-%s", p, node)
			ns := fmt.Sprintf("ns%d", p%2)
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
			pod.Spec.NodeName = node
			pod.Spec.ServiceAccountName = fmt.Sprintf("svcacct%d-%s", p, node)
			pod.Spec.Volumes = []corev1.Volume{
				{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "secret0-" + name}}},
				{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "secret0-shared"}}},
				{VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "configmap0-" + name}}}},
				{VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc0-" + name}}},
			}
			pvName := fmt.Sprintf("pv0-%s-%s", name, ns)
			pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: pvName}}
			pv.Spec.FlexVolume = &corev1.FlexPersistentVolumeSource{SecretRef: &corev1.SecretReference{Name: "secret-" + pvName}}
			pv.Spec.ClaimRef = &corev1.ObjectReference{Name: "pvc0-" + name, Namespace: ns}
			claim := fmt.Sprintf("claim0-%s-%s", name, ns)
			tmpl := fmt.Sprintf("claimtemplate0-%s-%s", name, ns)
			generated := fmt.Sprintf("generated-claim-%s-%s-0", name, ns)
			pod.Spec.ResourceClaims = []corev1.PodResourceClaim{
				{Name: "claim0", ResourceClaimName: &claim},
				{Name: "claimtemplate0", ResourceClaimTemplateName: &tmpl},
				{Name: "claimtemplate-with-claim0", ResourceClaimTemplateName: &tmpl},
			}
			pod.Status.ResourceClaimStatuses = []corev1.PodResourceClaimStatus{{Name: "claimtemplate-with-claim0", ResourceClaimName: &generated}}
			objs = append(objs, gvk(pod, "v1", "Pod"), gvk(pv, "v1", "PersistentVolume"))
			for i := 0; i < 2; i++ {
				pcr := &certsv1.PodCertificateRequest{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("pcr%d-%s", i, name)},
					Spec: certsv1.PodCertificateRequestSpec{PodName: name, ServiceAccountName: pod.Spec.ServiceAccountName, NodeName: types.NodeName(node)}}
				objs = append(objs, gvk(pcr, "certificates.k8s.io/v1", "PodCertificateRequest"))
			}
		}
		va := &storagev1.VolumeAttachment{ObjectMeta: metav1.ObjectMeta{Name: "attachment0-" + node}, Spec: storagev1.VolumeAttachmentSpec{NodeName: node}}
		objs = append(objs, gvk(va, "storage.k8s.io/v1", "VolumeAttachment"))
		for s := 0; s <= 2; s++ {
			nodeName := node
			slice := &resourcev1.ResourceSlice{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("slice%d-%s", s, node)}, Spec: resourcev1.ResourceSliceSpec{NodeName: &nodeName}}
			objs = append(objs, gvk(slice, "resource.k8s.io/v1", "ResourceSlice"))
		}
	}
	return objs
}

type nodeCase struct {
	Name         string  `json:"name"`
	User         string  `json:"user"`
	Verb         string  `json:"verb"`
	Group        string  `json:"group"`
	Resource     string  `json:"resource"`
	Subresource  string  `json:"subresource"`
	NameAttr     string  `json:"name_attr"`
	Namespace    string  `json:"namespace"`
	FieldSel     string  `json:"fieldSelector"`
	Expect       string  `json:"expect"`
	ExpectReason *string `json:"expectReason"`
	Features     string  `json:"features"`
}

// Feature settings upstream's cases use, and whether they equal the v1.37 defaults
// (CSIVolumeHealth off, PodCertificateRequest on, KubeletServiceAccountTokenForCredentialProviders on).
var defaultFeatureSettings = map[string]bool{
	"": true, "podCertificateProjectionEnabled": true, "csiVolumeHealthDisabled": true, "serviceAccountTokenForCredentialProvidersEnabled": true,
	"podCertificateProjectionDisabled": false, "csiVolumeHealthEnabled": false, "serviceAccountTokenForCredentialProvidersDisabled": false,
}

func nodeAuthorizerTable(path string) (*table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []nodeCase
	if err := json.Unmarshal(data, &cases); err != nil {
		return nil, err
	}
	t := &table{name: "node-authorizer", flags: "--authorization-mode Node", objects: sampleCluster()}
	for _, c := range cases {
		s := resourceSAR(c.User, []string{"system:nodes"}, c.Verb, c.Group, c.Resource, c.Subresource, c.Namespace, c.NameAttr, c.FieldSel)
		e := Expectation{Case: c.Name, Allowed: c.Expect == "Allow", Checked: defaultFeatureSettings[c.Features]}
		if !e.Checked {
			e.Note = "upstream ran this case with feature setting " + c.Features + "; the oracle uses v1.37 defaults"
		}
		// upstream checks the reason when one is given (or always, for cases with explicit features)
		if c.ExpectReason != nil && (*c.ExpectReason != "" || c.Features != "") {
			r := ""
			if *c.ExpectReason != "" {
				r = "node: " + *c.ExpectReason
			}
			e.Reason = &r
		}
		t.review(s, e)
	}
	return t, nil
}

func secretPod(name, node string, secrets ...string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns1"}, Spec: corev1.PodSpec{NodeName: node}}
	for _, s := range secrets {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: s}}})
	}
	gvk(pod, "v1", "Pod")
	return pod
}

// sharedResourcesTable restates TestNodeAuthorizerSharedResources: three nodes sharing
// secrets to different degrees; then pod3 loses its volumes (re-added to the graph,
// here as a delete followed by an add) and node3 loses access.
func sharedResourcesTable() *table {
	t := &table{name: "node-shared-resources", flags: "--authorization-mode Node"}
	t.objects = []runtime.Object{
		secretPod("pod1-node1", "node1", "node1-only", "node1-node2-only", "shared-all"),
		secretPod("pod2-node2", "node2", "node1-node2-only", "shared-all"),
		secretPod("pod3-node3", "node3", "shared-all"),
	}
	get := func(node, secret string, allowed bool, c string) {
		u, g := nodeUser(node)
		t.review(resourceSAR(u, g, "get", "", "secrets", "", "ns1", secret, ""), Expectation{Case: c, Allowed: allowed, Checked: true})
	}
	for _, c := range []struct {
		node, secret string
		allowed      bool
	}{
		{"node1", "node1-only", true}, {"node1", "node1-node2-only", true}, {"node1", "shared-all", true},
		{"node2", "node1-only", false}, {"node2", "node1-node2-only", true}, {"node2", "shared-all", true},
		{"node3", "node1-only", false}, {"node3", "node1-node2-only", false}, {"node3", "shared-all", true},
	} {
		get(c.node, c.secret, c.allowed, fmt.Sprintf("%s get secret %s", c.node, c.secret))
	}
	get("node3", "shared-all", true, "node3 shared secret before pod3 loses its volumes")
	t.event("DELETED", secretPod("pod3-node3", "node3"))
	t.event("ADDED", secretPod("pod3-node3", "node3"))
	get("node3", "shared-all", false, "node3 shared secret after pod3 loses its volumes")
	get("node1", "shared-all", true, "node1 shared secret unaffected")
	return t
}

func ephemeral(name string, envFrom corev1.EnvFromSource) corev1.EphemeralContainer {
	return corev1.EphemeralContainer{TargetContainerName: "targetContainerName", EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: name, Image: "imageURL", Command: []string{"command"}, EnvFrom: []corev1.EnvFromSource{envFrom}}}
}

// ephemeralContainersTable restates TestNodeAuthorizerAddEphemeralContainers: adding
// an ephemeral container that references a secret (then a configmap) grants access.
// Upstream replaces the first ephemeral container by the second; ephemeral containers
// can only be appended, so here the second is appended (access to the first secret
// remains and is checked too).
func ephemeralContainersTable() *table {
	t := &table{name: "node-ephemeral-containers", flags: "--authorization-mode Node"}
	pod := secretPod("pod1-node1", "node1", "node1-only")
	t.objects = []runtime.Object{pod}
	u, g := nodeUser("node1")
	check := func(resource, name string, allowed bool, c string) {
		t.review(resourceSAR(u, g, "get", "", resource, "", "ns1", name, ""), Expectation{Case: c, Allowed: allowed, Checked: true})
	}
	check("secrets", "node1-only", true, "volume secret")
	check("secrets", "new-secret", false, "secret before ephemeral container")
	p2 := pod.DeepCopy()
	p2.Spec.EphemeralContainers = append(p2.Spec.EphemeralContainers, ephemeral("eph",
		corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "new-secret"}}}))
	t.event("MODIFIED", p2)
	check("secrets", "new-secret", true, "secret after ephemeral container")
	check("configmaps", "new-config-map", false, "configmap before ephemeral container")
	p3 := p2.DeepCopy()
	p3.Spec.EphemeralContainers = append(p3.Spec.EphemeralContainers, ephemeral("eph2",
		corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "new-config-map"}}}))
	t.event("MODIFIED", p3)
	check("configmaps", "new-config-map", true, "configmap after ephemeral container")
	check("secrets", "new-secret", true, "first ephemeral container's secret still referenced")
	return t
}

// extendedClaimTable restates TestNodeAuthorizerUpdateExtendedResourceClaim.
func extendedClaimTable() *table {
	t := &table{name: "node-extended-resource-claim", flags: "--authorization-mode Node"}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pod1", Namespace: "ns1", UID: "pod1uid"}, Spec: corev1.PodSpec{NodeName: "node1"},
		Status: corev1.PodStatus{ExtendedResourceClaimStatus: &corev1.PodExtendedResourceClaimStatus{ResourceClaimName: "extended-claim-0",
			RequestMappings: []corev1.ContainerExtendedResourceRequest{{ContainerName: "container0", ResourceName: "example.com/gpu", RequestName: "request"}}}}}
	gvk(pod, "v1", "Pod")
	t.objects = []runtime.Object{pod}
	get := func(node, claim string, allowed bool, c string) {
		u, g := nodeUser(node)
		t.review(resourceSAR(u, g, "get", "resource.k8s.io", "resourceclaims", "", "ns1", claim, ""), Expectation{Case: c, Allowed: allowed, Checked: true})
	}
	get("node1", "extended-claim-1", false, "before the extended claim status names extended-claim-1")
	get("node1", "extended-claim-0", true, "initial extended claim")
	p2 := pod.DeepCopy()
	p2.Status.ExtendedResourceClaimStatus.ResourceClaimName = "extended-claim-1"
	t.event("MODIFIED", p2)
	get("node1", "extended-claim-1", true, "after the extended claim status names extended-claim-1")
	get("node2", "extended-claim-1", false, "another node")
	get("node1", "extended-claim-0", false, "the previous extended claim")
	return t
}

// ---------------------------------------------------------------------------------
// RBAC

// rule builds a policy rule the way upstream's table does: each comma-separated list
// becomes a slice (an empty string becomes [""]).
func rule(verbs, groups, resources, urls string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: strings.Split(verbs, ","), APIGroups: strings.Split(groups, ","), Resources: strings.Split(resources, ","), NonResourceURLs: strings.Split(urls, ",")}
}

func subjects(specs ...string) []rbacv1.Subject {
	var out []rbacv1.Subject
	for _, s := range specs {
		kind, name, _ := strings.Cut(s, ":")
		sub := rbacv1.Subject{Kind: kind, Name: name}
		if kind != "ServiceAccount" {
			sub.APIGroup = rbacv1.GroupName
		}
		out = append(out, sub)
	}
	return out
}

func clusterRole(name string, rules ...rbacv1.PolicyRule) runtime.Object {
	return gvk(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, "rbac.authorization.k8s.io/v1", "ClusterRole")
}

func clusterRoleBinding(name, role string, subs ...string) runtime.Object {
	return gvk(&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subjects(subs...)}, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")
}

func roleBindingToClusterRole(ns, name, role string, subs ...string) runtime.Object {
	return gvk(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subjects(subs...)}, "rbac.authorization.k8s.io/v1", "RoleBinding")
}

// attrs: user, comma-separated groups, verb, resource, subresource, namespace, group —
// upstream's fixed-field request shape (the group list of an empty string is [""]).
func attrsSAR(user, groups, verb, resource, sub, ns, group string) *authorizationv1.SubjectAccessReview {
	return &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: strings.Split(groups, ","),
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: verb, Resource: resource, Subresource: sub, Namespace: ns, Group: group}}}
}

func pathSAR(user string, groups []string, verb, path string) *authorizationv1.SubjectAccessReview {
	return &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups,
		NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: verb, Path: path}}}
}

// rbacAuthorizerTables restates TestAuthorizer's four clusters. Upstream's bindings
// have no names; here they are named binding-N (names only appear in allow reasons).
func rbacAuthorizerTables() []*table {
	var out []*table
	pass := func(t *table, s *authorizationv1.SubjectAccessReview, c string) {
		t.review(s, Expectation{Case: c, Allowed: true, Checked: true})
	}
	fail := func(t *table, s *authorizationv1.SubjectAccessReview, c string) {
		t.review(s, Expectation{Case: c, Allowed: false, Checked: true})
	}

	t := &table{name: "rbac-authorizer-1-namespaced-admin", flags: "--authorization-mode RBAC"}
	t.objects = []runtime.Object{clusterRole("admin", rule("*", "*", "*", "*")), roleBindingToClusterRole("ns1", "binding-0", "admin", "User:admin", "Group:admins")}
	pass(t, attrsSAR("admin", "", "get", "Pods", "", "ns1", ""), "admin get Pods in ns1")
	pass(t, attrsSAR("admin", "", "watch", "Pods", "", "ns1", ""), "admin watch Pods in ns1")
	pass(t, attrsSAR("admin", "group1", "watch", "Foobar", "", "ns1", ""), "admin watch Foobar in ns1")
	pass(t, attrsSAR("joe", "admins", "watch", "Foobar", "", "ns1", ""), "group admins")
	pass(t, attrsSAR("joe", "group1,admins", "watch", "Foobar", "", "ns1", ""), "group admins among others")
	fail(t, attrsSAR("admin", "", "GET", "Pods", "", "ns2", ""), "other namespace")
	fail(t, attrsSAR("admin", "", "GET", "Nodes", "", "", ""), "cluster scope")
	fail(t, attrsSAR("admin", "admins", "GET", "Pods", "", "ns2", ""), "other namespace via group")
	fail(t, attrsSAR("admin", "admins", "GET", "Nodes", "", "", ""), "cluster scope via group")
	out = append(out, t)

	t = &table{name: "rbac-authorizer-2-non-resource-urls", flags: "--authorization-mode RBAC"}
	t.objects = []runtime.Object{
		clusterRole("non-resource-url-getter", rule("get", "", "", "/apis")),
		clusterRole("non-resource-url", rule("*", "", "", "/apis")),
		clusterRole("non-resource-url-prefix", rule("get", "", "", "/apis/*")),
		clusterRoleBinding("binding-0", "non-resource-url-getter", "User:foo", "Group:bar"),
		clusterRoleBinding("binding-1", "non-resource-url", "User:admin", "Group:admin"),
		clusterRoleBinding("binding-2", "non-resource-url-prefix", "User:prefixed", "Group:prefixed"),
	}
	for _, c := range []struct {
		user, group, verb, path string
		allowed                 bool
	}{
		{"foo", "", "get", "/apis", true}, {"", "bar", "get", "/apis", true}, {"admin", "", "get", "/apis", true}, {"", "admin", "get", "/apis", true},
		{"admin", "", "watch", "/apis", true}, {"", "admin", "watch", "/apis", true},
		{"prefixed", "", "get", "/apis/v1", true}, {"", "prefixed", "get", "/apis/v1", true}, {"prefixed", "", "get", "/apis/v1/foobar", true}, {"", "prefixed", "get", "/apis/v1/foorbar", true},
		{"foo", "", "watch", "/apis", false}, {"", "bar", "watch", "/apis", false},
		{"foo", "", "get", "/api/v1", false}, {"", "bar", "get", "/api/v1", false}, {"admin", "", "get", "/api/v1", false}, {"", "admin", "get", "/api/v1", false},
		{"prefixed", "", "get", "/api/v1", false}, {"", "prefixed", "get", "/api/v1", false},
	} {
		var groups []string
		if c.group != "" {
			groups = []string{c.group}
		}
		t.review(pathSAR(c.user, groups, c.verb, c.path), Expectation{Case: fmt.Sprintf("user=%q group=%q %s %s", c.user, c.group, c.verb, c.path), Allowed: c.allowed, Checked: true})
	}
	out = append(out, t)

	t = &table{name: "rbac-authorizer-3-subresource-not-covered", flags: "--authorization-mode RBAC"}
	t.objects = []runtime.Object{clusterRole("admin", rule("*", "*", "pods", "*")), roleBindingToClusterRole("ns1", "binding-0", "admin", "User:admin", "Group:admins")}
	pass(t, attrsSAR("admin", "", "get", "pods", "", "ns1", ""), "pods")
	fail(t, attrsSAR("admin", "", "get", "pods", "status", "ns1", ""), "pods/status not covered by pods")
	out = append(out, t)

	t = &table{name: "rbac-authorizer-4-subresource-wildcards", flags: "--authorization-mode RBAC"}
	t.objects = []runtime.Object{clusterRole("admin", rule("*", "*", "pods/status", "*"), rule("*", "*", "*/scale", "*")),
		roleBindingToClusterRole("ns1", "binding-0", "admin", "User:admin", "Group:admins")}
	pass(t, attrsSAR("admin", "", "get", "pods", "status", "ns1", ""), "pods/status")
	pass(t, attrsSAR("admin", "", "get", "pods", "scale", "ns1", ""), "pods/scale via */scale")
	pass(t, attrsSAR("admin", "", "get", "deployments", "scale", "ns1", ""), "deployments/scale via */scale")
	pass(t, attrsSAR("admin", "", "get", "anything", "scale", "ns1", ""), "anything/scale via */scale")
	fail(t, attrsSAR("admin", "", "get", "pods", "", "ns1", ""), "pods itself")
	out = append(out, t)
	return out
}

// ruleMatchesTable restates TestRuleMatches: each rule sits in its own ClusterRole bound
// to its own user, and every request of the rule's list is asked as that user.
func ruleMatchesTable() *table {
	t := &table{name: "rbac-rule-matches", flags: "--authorization-mode RBAC"}
	type req struct {
		verb, group, resource, sub, path string
		allowed                          bool
	}
	res := func(verb, group, resource, sub string, allowed bool) req {
		return req{verb, group, resource, sub, "", allowed}
	}
	url := func(verb, path string, allowed bool) req { return req{verb, "", "", "", path, allowed} }
	eight := func(match func(verb, group, resource string) bool) []req {
		var out []req
		for _, v := range []string{"verb1", "verb2"} {
			for _, r := range []string{"resource1", "resource2"} {
				for _, g := range []string{"group1", "group2"} {
					out = append(out, res(v, g, r, "", match(v, g, r)))
				}
			}
		}
		return out
	}
	nonres := []string{"/foo", "/foo/bar", "/foo/baz", "/foo/bar/one", "/foo/baz/one"}
	cases := []struct {
		name string
		rule rbacv1.PolicyRule
		reqs []req
	}{
		{"star verb, exact match other", rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"group1"}, Resources: []string{"resource1"}},
			eight(func(v, g, r string) bool { return g == "group1" && r == "resource1" })},
		{"star group, exact match other", rbacv1.PolicyRule{Verbs: []string{"verb1"}, APIGroups: []string{"*"}, Resources: []string{"resource1"}},
			eight(func(v, g, r string) bool { return v == "verb1" && r == "resource1" })},
		{"star resource, exact match other", rbacv1.PolicyRule{Verbs: []string{"verb1"}, APIGroups: []string{"group1"}, Resources: []string{"*"}},
			eight(func(v, g, r string) bool { return v == "verb1" && g == "group1" })},
		{"tuple expansion", rbacv1.PolicyRule{Verbs: []string{"verb1", "verb2"}, APIGroups: []string{"group1", "group2"}, Resources: []string{"resource1", "resource2"}},
			eight(func(v, g, r string) bool { return true })},
		{"subresource expansion", rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"resource1/subresource1"}},
			[]req{
				res("verb1", "group1", "resource1", "subresource1", true), res("verb1", "group2", "resource1", "subresource2", false),
				res("verb1", "group1", "resource2", "subresource1", false), res("verb1", "group2", "resource2", "subresource1", false),
				res("verb2", "group1", "resource1", "subresource1", true), res("verb2", "group2", "resource1", "subresource2", false),
				res("verb2", "group1", "resource2", "subresource1", false), res("verb2", "group2", "resource2", "subresource1", false),
			}},
		{"star nonresource, exact match other", rbacv1.PolicyRule{Verbs: []string{"verb1"}, NonResourceURLs: []string{"*"}},
			func() []req {
				var out []req
				for _, v := range []string{"verb1", "verb2"} {
					for _, p := range nonres {
						out = append(out, url(v, p, v == "verb1"))
					}
				}
				return out
			}()},
		{"star nonresource subpath", rbacv1.PolicyRule{Verbs: []string{"verb1"}, NonResourceURLs: []string{"/foo/*"}},
			[]req{url("verb1", "/foo", false), url("verb1", "/foo/bar", true), url("verb1", "/foo/baz", true), url("verb1", "/foo/bar/one", true), url("verb1", "/foo/baz/one", true),
				url("verb1", "/notfoo", false), url("verb1", "/notfoo/bar", false), url("verb1", "/notfoo/baz", false), url("verb1", "/notfoo/bar/one", false), url("verb1", "/notfoo/baz/one", false)}},
		{"star verb, exact nonresource", rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"/foo", "/foo/bar/one"}},
			func() []req {
				var out []req
				for _, v := range []string{"verb1", "verb2"} {
					for _, p := range nonres {
						out = append(out, url(v, p, p == "/foo" || p == "/foo/bar/one"))
					}
				}
				return out
			}()},
	}
	for i, c := range cases {
		user := fmt.Sprintf("rule-%d", i)
		t.objects = append(t.objects, clusterRole(user, c.rule), clusterRoleBinding(user, user, "User:"+user))
		for _, r := range c.reqs {
			var s *authorizationv1.SubjectAccessReview
			if r.path != "" {
				s = pathSAR(user, nil, r.verb, r.path)
			} else {
				s = &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user,
					ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: r.verb, Group: r.group, Resource: r.resource, Subresource: r.sub}}}
			}
			t.review(s, Expectation{Case: fmt.Sprintf("%s: %s %s %s/%s %s", c.name, r.verb, r.group, r.resource, r.sub, r.path), Allowed: r.allowed, Checked: true})
		}
	}
	return t
}
