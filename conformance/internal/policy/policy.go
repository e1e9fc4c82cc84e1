// Package policy exposes upstream's bootstrap RBAC policy (the objects kube-apiserver
// creates at startup) as typed objects and as kubectl-style v1 Lists.
package policy

import (
	"bytes"
	"fmt"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy"
	"sigs.k8s.io/yaml"
)

// Defaults is the bootstrap policy in the order kube-apiserver's storage_rbac
// post-start hook reconciles it.
type Defaults struct {
	ClusterRoles        []rbacv1.ClusterRole
	ClusterRoleBindings []rbacv1.ClusterRoleBinding
	Roles               []rbacv1.Role
	RoleBindings        []rbacv1.RoleBinding
}

// Load returns upstream's bootstrap policy: regular then controller cluster roles and
// bindings, and the namespaced roles and bindings ordered by namespace.
func Load() Defaults {
	var d Defaults
	d.ClusterRoles = append(append(d.ClusterRoles, bootstrappolicy.ClusterRoles()...), bootstrappolicy.ControllerRoles()...)
	d.ClusterRoleBindings = append(append(d.ClusterRoleBindings, bootstrappolicy.ClusterRoleBindings()...), bootstrappolicy.ControllerRoleBindings()...)
	nsRoles := bootstrappolicy.NamespaceRoles()
	for _, ns := range sortedKeys(nsRoles) {
		d.Roles = append(d.Roles, nsRoles[ns]...)
	}
	nsBindings := bootstrappolicy.NamespaceRoleBindings()
	for _, ns := range sortedKeys(nsBindings) {
		d.RoleBindings = append(d.RoleBindings, nsBindings[ns]...)
	}
	for i := range d.ClusterRoles {
		setGVK(&d.ClusterRoles[i], "ClusterRole")
	}
	for i := range d.ClusterRoleBindings {
		setGVK(&d.ClusterRoleBindings[i], "ClusterRoleBinding")
	}
	for i := range d.Roles {
		setGVK(&d.Roles[i], "Role")
	}
	for i := range d.RoleBindings {
		setGVK(&d.RoleBindings[i], "RoleBinding")
	}
	return d
}

func setGVK(obj runtime.Object, kind string) {
	obj.GetObjectKind().SetGroupVersionKind(rbacv1.SchemeGroupVersion.WithKind(kind))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Groups returns the defaults as runtime objects in three groups: cluster roles,
// cluster role bindings, and the namespaced roles followed by their role bindings.
func (d Defaults) Groups() (clusterRoles, clusterRoleBindings, namespaced []runtime.Object) {
	for i := range d.ClusterRoles {
		clusterRoles = append(clusterRoles, &d.ClusterRoles[i])
	}
	for i := range d.ClusterRoleBindings {
		clusterRoleBindings = append(clusterRoleBindings, &d.ClusterRoleBindings[i])
	}
	for i := range d.Roles {
		namespaced = append(namespaced, &d.Roles[i])
	}
	for i := range d.RoleBindings {
		namespaced = append(namespaced, &d.RoleBindings[i])
	}
	return clusterRoles, clusterRoleBindings, namespaced
}

// Objects returns all defaults as runtime objects (cluster roles, cluster role
// bindings, roles, role bindings).
func (d Defaults) Objects() []runtime.Object {
	roles, bindings, namespaced := d.Groups()
	return append(append(roles, bindings...), namespaced...)
}

// ListYAML encodes objects as a kubectl-style YAML v1 List, each item carrying
// apiVersion and kind.
func ListYAML(objs []runtime.Object) ([]byte, error) {
	codec := scheme.Codecs.LegacyCodec(rbacv1.SchemeGroupVersion)
	var buf bytes.Buffer
	buf.WriteString(`{"apiVersion":"v1","kind":"List","metadata":{},"items":[`)
	for i, obj := range objs {
		data, err := runtime.Encode(codec, obj)
		if err != nil {
			return nil, fmt.Errorf("encoding item %d: %w", i, err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(bytes.TrimSpace(data))
	}
	buf.WriteString(`]}`)
	return yaml.JSONToYAML(buf.Bytes())
}
