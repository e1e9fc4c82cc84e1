package oracle

import (
	"context"
	"encoding/json"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	admissioninitializer "k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/authentication/install"
	_ "k8s.io/kubernetes/pkg/apis/certificates/install"
	_ "k8s.io/kubernetes/pkg/apis/coordination/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/resource/install"
	_ "k8s.io/kubernetes/pkg/apis/storage/install"
	"k8s.io/kubernetes/pkg/auth/nodeidentifier"
	"k8s.io/kubernetes/plugin/pkg/admission/noderestriction"
)

// admissionPlugin is what the oracle needs of upstream's NodeRestriction plugin.
type admissionPlugin interface {
	admission.MutationInterface
	admission.InitializationValidator
}

// AdmissionReviewKind and AdmissionReviewAPIVersion name the admission wire type.
const (
	AdmissionReviewKind       = "AdmissionReview"
	AdmissionReviewAPIVersion = "admission.k8s.io/v1"
)

var featureGatesSet bool

// SetFeatureGates applies a kube-apiserver --feature-gates value to the process-wide
// default feature gate. It may be called once per process with a non-empty value.
func SetFeatureGates(value string) error {
	if value == "" {
		return nil
	}
	if featureGatesSet {
		return fmt.Errorf("feature gates already set")
	}
	featureGatesSet = true
	if err := utilfeature.DefaultMutableFeatureGate.Set(value); err != nil {
		return fmt.Errorf("--feature-gates: %w", err)
	}
	return nil
}

// buildAdmission builds NodeRestriction the way kube-apiserver does: NewPlugin with the
// default node identifier, initialised by apiserver's generic plugin initializer
// (InspectFeatureGates with the default feature gate, SetExternalKubeInformerFactory
// with the oracle's informer factory, SetUnconditionalAuthorizer with the oracle's
// chain), then ValidateInitialization. It must run before the factory is started: the
// plugin's listers register their informers, and each of those kinds gets a no-op
// counting handler (unless the Node authorizer's populator already counts it) so that
// the oracle waits for their stores after every write.
func (o *Oracle) buildAdmission() error {
	plugin := noderestriction.NewPlugin(nodeidentifier.NewDefaultNodeIdentifier())
	initializer := admissioninitializer.New(o.client, nil, o.factory, o.authz, utilfeature.DefaultFeatureGate, nil, o.stop, nil)
	initializer.Initialize(plugin)
	if err := plugin.ValidateInitialization(); err != nil {
		return err
	}
	o.admission = plugin

	core := o.factory.Core().V1()
	for _, x := range []struct {
		kind string
		inf  cache.SharedIndexInformer
	}{
		{"Pod", core.Pods().Informer()},
		{"Node", core.Nodes().Informer()},
		{"ServiceAccount", core.ServiceAccounts().Informer()},
		{"PersistentVolumeClaim", core.PersistentVolumeClaims().Informer()},
		{"PersistentVolume", core.PersistentVolumes().Informer()},
		{"CSIDriver", o.factory.Storage().V1().CSIDrivers().Informer()},
	} {
		if o.watched[x.kind] {
			continue // the graph populator's counted handler already runs after the store update
		}
		// The informer's store is updated before handlers are notified.
		if _, err := x.inf.AddEventHandler(countingHandler{inner: cache.ResourceEventHandlerFuncs{}, c: o.counter, kind: x.kind}); err != nil {
			return err
		}
		o.watched[x.kind] = true
	}
	return nil
}

// AdmissionReview is the admission.k8s.io/v1 wire type.
type AdmissionReview = admissionv1.AdmissionReview

// decodeAdmissionObject decodes an AdmissionRequest object from its own apiVersion and
// kind with legacyscheme (no defaulting) and converts it to the internal version, as
// kube-apiserver hands objects to admission. An empty raw object is nil.
func decodeAdmissionObject(raw runtime.RawExtension) (runtime.Object, error) {
	if len(raw.Raw) == 0 || string(raw.Raw) == "null" {
		return nil, nil
	}
	obj, gvk, err := legacyscheme.Codecs.UniversalDeserializer().Decode(raw.Raw, nil, nil)
	if err != nil {
		return nil, err
	}
	internal, err := legacyscheme.Scheme.ConvertToVersion(obj, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return nil, fmt.Errorf("converting %v to the internal version: %w", gvk, err)
	}
	return internal, nil
}

// Admit answers one AdmissionReview with upstream's NodeRestriction plugin: allowed when
// the plugin returns nil or does not handle the operation, otherwise not allowed with
// the status kube-apiserver would write for the plugin's error
// (responsewriters.ErrorToAPIStatus).
func (o *Oracle) Admit(ctx context.Context, review *AdmissionReview) (*AdmissionReview, error) {
	if o.admission == nil {
		return nil, fmt.Errorf("admission is not enabled")
	}
	req := review.Request
	if req == nil {
		return nil, fmt.Errorf("AdmissionReview without a request")
	}
	obj, err := decodeAdmissionObject(req.Object)
	if err != nil {
		return nil, fmt.Errorf("request %s: object: %w", req.UID, err)
	}
	oldObj, err := decodeAdmissionObject(req.OldObject)
	if err != nil {
		return nil, fmt.Errorf("request %s: oldObject: %w", req.UID, err)
	}
	extra := map[string][]string{}
	for k, v := range req.UserInfo.Extra {
		extra[k] = []string(v)
	}
	if len(extra) == 0 {
		extra = nil
	}
	userInfo := &user.DefaultInfo{Name: req.UserInfo.Username, UID: req.UserInfo.UID, Groups: req.UserInfo.Groups, Extra: extra}
	dryRun := req.DryRun != nil && *req.DryRun
	kind := schema.GroupVersionKind{Group: req.Kind.Group, Version: req.Kind.Version, Kind: req.Kind.Kind}
	resource := schema.GroupVersionResource{Group: req.Resource.Group, Version: req.Resource.Version, Resource: req.Resource.Resource}
	op := admission.Operation(req.Operation)
	attrs := admission.NewAttributesRecord(obj, oldObj, kind, req.Namespace, req.Name, resource, req.SubResource, op, nil, dryRun, userInfo)

	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	if o.admission.Handles(op) {
		if err := o.admission.Admit(ctx, attrs, nil); err != nil {
			resp.Allowed = false
			resp.Result = responsewriters.ErrorToAPIStatus(err)
		}
	}
	return &AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: AdmissionReviewAPIVersion, Kind: AdmissionReviewKind}, Response: resp}, nil
}

// ParseAdmissionReview decodes one AdmissionReview line.
func ParseAdmissionReview(raw []byte) (*AdmissionReview, error) {
	var r AdmissionReview
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
