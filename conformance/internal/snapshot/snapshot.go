// Package snapshot loads cluster snapshots (kubectl-style JSON/YAML files, multi-document
// YAML, v1 Lists) into typed objects using client-go's scheme.
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	certsv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// Kind describes one object kind the oracle keeps.
type Kind struct {
	Name       string
	GVR        schema.GroupVersionResource
	Namespaced bool
}

// Kinds lists every kind that matters to the authorizers, by Kind name.
var Kinds = map[string]Kind{}

func init() {
	add := func(kind string, gv schema.GroupVersion, resource string, namespaced bool) {
		Kinds[kind] = Kind{Name: kind, GVR: gv.WithResource(resource), Namespaced: namespaced}
	}
	core := corev1.SchemeGroupVersion
	add("Namespace", core, "namespaces", false)
	add("Node", core, "nodes", false)
	add("Pod", core, "pods", true)
	add("Secret", core, "secrets", true)
	add("ConfigMap", core, "configmaps", true)
	add("ServiceAccount", core, "serviceaccounts", true)
	add("PersistentVolumeClaim", core, "persistentvolumeclaims", true)
	add("PersistentVolume", core, "persistentvolumes", false)
	add("VolumeAttachment", storagev1.SchemeGroupVersion, "volumeattachments", false)
	add("CSINode", storagev1.SchemeGroupVersion, "csinodes", false)
	add("CSIDriver", storagev1.SchemeGroupVersion, "csidrivers", false)
	add("Lease", coordinationv1.SchemeGroupVersion, "leases", true)
	add("ResourceClaim", resourcev1.SchemeGroupVersion, "resourceclaims", true)
	add("ResourceSlice", resourcev1.SchemeGroupVersion, "resourceslices", false)
	add("PodCertificateRequest", certsv1.SchemeGroupVersion, "podcertificaterequests", true)
	add("Role", rbacv1.SchemeGroupVersion, "roles", true)
	add("ClusterRole", rbacv1.SchemeGroupVersion, "clusterroles", false)
	add("RoleBinding", rbacv1.SchemeGroupVersion, "rolebindings", true)
	add("ClusterRoleBinding", rbacv1.SchemeGroupVersion, "clusterrolebindings", false)
}

// KindOf returns the Kind name of a typed object the oracle keeps, or "" if the type is
// not one of Kinds.
func KindOf(obj runtime.Object) string {
	switch obj.(type) {
	case *corev1.Namespace:
		return "Namespace"
	case *corev1.Node:
		return "Node"
	case *corev1.Pod:
		return "Pod"
	case *corev1.Secret:
		return "Secret"
	case *corev1.ConfigMap:
		return "ConfigMap"
	case *corev1.ServiceAccount:
		return "ServiceAccount"
	case *corev1.PersistentVolumeClaim:
		return "PersistentVolumeClaim"
	case *corev1.PersistentVolume:
		return "PersistentVolume"
	case *storagev1.VolumeAttachment:
		return "VolumeAttachment"
	case *storagev1.CSINode:
		return "CSINode"
	case *storagev1.CSIDriver:
		return "CSIDriver"
	case *coordinationv1.Lease:
		return "Lease"
	case *resourcev1.ResourceClaim:
		return "ResourceClaim"
	case *resourcev1.ResourceSlice:
		return "ResourceSlice"
	case *certsv1.PodCertificateRequest:
		return "PodCertificateRequest"
	case *rbacv1.Role:
		return "Role"
	case *rbacv1.ClusterRole:
		return "ClusterRole"
	case *rbacv1.RoleBinding:
		return "RoleBinding"
	case *rbacv1.ClusterRoleBinding:
		return "ClusterRoleBinding"
	}
	return ""
}

// Key identifies an object by kind, namespace and name.
type Key struct {
	Kind, Namespace, Name string
}

// KeyOf returns the key of an object kept by the oracle.
func KeyOf(obj runtime.Object) Key {
	m, err := meta.Accessor(obj)
	if err != nil {
		return Key{Kind: KindOf(obj)}
	}
	return Key{Kind: KindOf(obj), Namespace: m.GetNamespace(), Name: m.GetName()}
}

// Sanitize prepares a loaded object for the fake clientset: secret payloads are dropped,
// and server-managed metadata that would make the fake tracker reject writes is cleared.
func Sanitize(obj runtime.Object) {
	if s, ok := obj.(*corev1.Secret); ok {
		s.Data = nil
		s.StringData = nil
	}
	if m, err := meta.Accessor(obj); err == nil {
		m.SetResourceVersion("")
		m.SetManagedFields(nil)
	}
	k := KindOf(obj)
	if kind, ok := Kinds[k]; ok {
		obj.GetObjectKind().SetGroupVersionKind(kind.GVR.GroupVersion().WithKind(k))
	}
}

// DecodeObject decodes one JSON object. It returns (nil, nil) for kinds the oracle does
// not keep.
func DecodeObject(data []byte) (runtime.Object, error) {
	obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) || runtime.IsMissingKind(err) || runtime.IsMissingVersion(err) {
			return nil, nil
		}
		return nil, err
	}
	if KindOf(obj) == "" {
		return nil, nil
	}
	Sanitize(obj)
	return obj, nil
}

type typeProbe struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

// DecodeDocument decodes one JSON document that may be a single object or a List
// (any "...List" kind with items), appending kept objects to out.
func DecodeDocument(data []byte, out []runtime.Object) ([]runtime.Object, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return out, nil
	}
	var probe typeProbe
	if err := json.Unmarshal(data, &probe); err != nil {
		return out, err
	}
	if probe.Kind == "List" || (strings.HasSuffix(probe.Kind, "List") && probe.Items != nil) {
		for _, item := range probe.Items {
			var err error
			if out, err = DecodeDocument(item, out); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	obj, err := DecodeObject(data)
	if err != nil {
		return out, err
	}
	if obj != nil {
		out = append(out, obj)
	}
	return out, nil
}

// DecodeStream decodes a JSON or (multi-document) YAML stream.
func DecodeStream(r io.Reader, out []runtime.Object) ([]runtime.Object, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	for {
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		var err error
		if out, err = DecodeDocument(raw, out); err != nil {
			return out, err
		}
	}
}

// LoadPaths loads files and directories (recursively; files ending .json, .yaml, .yml).
func LoadPaths(paths []string) ([]runtime.Object, error) {
	var out []runtime.Object
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		var files []string
		if st.IsDir() {
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					return nil
				}
				switch strings.ToLower(filepath.Ext(path)) {
				case ".json", ".yaml", ".yml":
					files = append(files, path)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			sort.Strings(files)
		} else {
			files = []string{p}
		}
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				return nil, err
			}
			out, err = DecodeStream(fh, out)
			fh.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return out, nil
}
