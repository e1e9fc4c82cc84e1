// Package oracle drives upstream Kubernetes' authorizer chain (system:masters, Node,
// RBAC, ABAC, AlwaysAllow, AlwaysDeny under a union) over a snapshot loaded into a fake
// clientset, and answers SubjectAccessReviews (and SubjectRulesReviews) the way
// kube-apiserver's REST handlers do.
package oracle

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	authzconfig "k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/authorization/union"
	"k8s.io/apiserver/pkg/endpoints/handlers/responsewriters"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	authorizationapi "k8s.io/kubernetes/pkg/apis/authorization"
	_ "k8s.io/kubernetes/pkg/apis/authorization/install"
	"k8s.io/kubernetes/pkg/auth/authorizer/abac"
	"k8s.io/kubernetes/pkg/auth/nodeidentifier"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/kubernetes/pkg/registry/authorization/subjectaccessreview"
	authorizationutil "k8s.io/kubernetes/pkg/registry/authorization/util"
	rbacregistryvalidation "k8s.io/kubernetes/pkg/registry/rbac/validation"
	"k8s.io/kubernetes/plugin/pkg/auth/authorizer/node"
	"k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac"
	"k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy"

	"kauthz.dev/conformance/internal/policy"
	"kauthz.dev/conformance/internal/snapshot"
)

// AcceptableReasonsAnnotation carries, on an output SubjectAccessReview allowed by RBAC,
// a JSON array of every reason upstream could have given for the same decision (RBAC
// names the first allowing binding it meets, and binding order is informer map order).
const AcceptableReasonsAnnotation = "conformance.kauthz.dev/acceptable-reasons"

// Modes accepted by --authorization-mode (Webhook is not supported).
var knownModes = map[string]bool{"Node": true, "RBAC": true, "ABAC": true, "AlwaysAllow": true, "AlwaysDeny": true}

// Options configures an Oracle.
type Options struct {
	Paths        []string
	WithDefaults bool
	Modes        []string
	PolicyFile   string
	// FeatureGates is a --feature-gates value (kube-apiserver syntax, Name=bool,...)
	// applied to the process-wide default feature gate before anything is built, so the
	// Node authorizer, its graph populator, the bootstrap policy and the admission plugin
	// all see it. Empty means v1.37 defaults.
	FeatureGates string
	// AuthorizationConfig is an --authorization-config file (AuthorizationConfiguration),
	// used instead of Modes; loaded and validated by upstream (see LoadAuthorizationConfig).
	AuthorizationConfig string
	// Admission also builds upstream's NodeRestriction admission plugin (see Admit).
	Admission bool
	// SettleTimeout bounds each wait for informers; zero means 20s.
	SettleTimeout time.Duration
}

// Oracle is upstream's authorizer chain over a fake cluster.
type Oracle struct {
	opts         Options
	client       *fake.Clientset
	factory      informers.SharedInformerFactory
	counter      *eventCounter
	watching     *watchSet
	watched      map[string]bool
	authz        authorizer.Authorizer
	ruleResolver *rbacregistryvalidation.DefaultRuleResolver
	// rules is the union of the modes' rule resolvers, as kube-apiserver builds it for
	// SelfSubjectRulesReview (the system:masters step is not a rule resolver).
	rules        authorizer.RuleResolver
	clusterRoles map[string]*rbacv1.ClusterRole
	stop         chan struct{}
	// stub is the local webhook behind every configured Webhook authorizer.
	stub *webhookStub
	// admission is the NodeRestriction plugin, when Options.Admission is set.
	admission admissionPlugin
}

// ParseModes splits a comma-separated --authorization-mode value and checks it.
func ParseModes(s string) ([]string, error) {
	var modes []string
	seen := map[string]bool{}
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if !knownModes[m] {
			return nil, fmt.Errorf("unknown authorization mode %q", m)
		}
		if seen[m] {
			return nil, fmt.Errorf("authorization mode %q specified more than once", m)
		}
		seen[m] = true
		modes = append(modes, m)
	}
	if len(modes) == 0 {
		return nil, fmt.Errorf("at least one authorization mode must be passed")
	}
	return modes, nil
}

// MergeDefaults returns the bootstrap policy followed by objs, where an object of objs
// replaces a default with the same kind, namespace and name. Within objs the last
// object with a given key wins, at the position of its first occurrence.
func MergeDefaults(objs []runtime.Object, withDefaults bool) []runtime.Object {
	var all []runtime.Object
	if withDefaults {
		for _, obj := range policy.Load().Objects() {
			all = append(all, obj.DeepCopyObject())
		}
	}
	all = append(all, objs...)
	index := map[snapshot.Key]int{}
	var out []runtime.Object
	for _, obj := range all {
		k := snapshot.KeyOf(obj)
		if i, ok := index[k]; ok {
			out[i] = obj
			continue
		}
		index[k] = len(out)
		out = append(out, obj)
	}
	return out
}

// New loads the snapshot, builds the chain and waits until the informers have absorbed
// every object.
func New(opts Options) (*Oracle, error) {
	if opts.SettleTimeout == 0 {
		opts.SettleTimeout = 20 * time.Second
	}
	if len(opts.Modes) == 0 {
		opts.Modes = []string{"Node", "RBAC"}
	}
	if err := SetFeatureGates(opts.FeatureGates); err != nil {
		return nil, err
	}
	loaded, err := snapshot.LoadPaths(opts.Paths)
	if err != nil {
		return nil, err
	}
	objs := MergeDefaults(loaded, opts.WithDefaults)

	o := &Oracle{
		opts:         opts,
		counter:      newEventCounter(),
		watched:      map[string]bool{},
		clusterRoles: map[string]*rbacv1.ClusterRole{},
		stop:         make(chan struct{}),
	}
	for _, obj := range objs {
		if cr, ok := obj.(*rbacv1.ClusterRole); ok {
			o.clusterRoles[cr.Name] = cr
		}
	}
	Aggregate(o.clusterRoles)

	o.client = fake.NewClientset(objs...)
	// A write made before an informer's watch is registered with the fake tracker is
	// never delivered (the fake does not replay from a resource version), so watches are
	// registered here, noted, and waited for before the first mutation is applied.
	o.watching = newWatchSet()
	o.client.PrependWatchReactor("*", func(action clienttesting.Action) (bool, watch.Interface, error) {
		var opts metav1.ListOptions
		if wa, ok := action.(clienttesting.WatchActionImpl); ok {
			opts = wa.ListOptions
		}
		w, err := o.client.Tracker().Watch(action.GetResource(), action.GetNamespace(), opts)
		if err != nil {
			return true, nil, err
		}
		o.watching.add(action.GetResource().Resource)
		return true, w, nil
	})
	o.factory = informers.NewSharedInformerFactory(o.client, 0)

	authorizers := []union.NamedAuthorizer{{
		AuthorizerName: "kubernetes.io/system-privileged-group",
		Authorizer:     authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup),
	}}
	// The configured authorizers as (type, name): from --authorization-mode, named by the
	// lower-cased mode, or from the AuthorizationConfiguration's entries.
	type entry struct {
		typ, name string
		cfg       authzconfig.AuthorizerConfiguration
	}
	var entries []entry
	if opts.AuthorizationConfig != "" {
		cfg, err := LoadAuthorizationConfig(opts.AuthorizationConfig)
		if err != nil {
			return nil, err
		}
		for _, a := range cfg.Authorizers {
			entries = append(entries, entry{typ: string(a.Type), name: a.Name, cfg: a})
		}
	} else {
		for _, mode := range opts.Modes {
			entries = append(entries, entry{typ: mode, name: strings.ToLower(mode)})
		}
	}
	var resolvers []authorizer.RuleResolver
	var nodeAuthz *node.NodeAuthorizer
	var rbacAuthz *rbac.RBACAuthorizer
	for _, e := range entries {
		var a interface {
			authorizer.Authorizer
			authorizer.RuleResolver
		}
		switch e.typ {
		case "Node":
			if nodeAuthz == nil {
				nodeAuthz = o.buildNode()
			}
			a = nodeAuthz
		case "RBAC":
			if rbacAuthz == nil {
				rbacAuthz = o.buildRBAC()
			}
			a = rbacAuthz
		case "ABAC":
			if opts.PolicyFile == "" {
				return nil, fmt.Errorf("authorization mode ABAC requires --authorization-policy-file")
			}
			pl, err := abac.NewFromFile(opts.PolicyFile)
			if err != nil {
				return nil, err
			}
			a = pl
		case "AlwaysAllow":
			a = authorizerfactory.NewAlwaysAllowAuthorizer()
		case "AlwaysDeny":
			a = authorizerfactory.NewAlwaysDenyAuthorizer()
		case "Webhook":
			w, err := o.buildWebhook(e.cfg)
			if err != nil {
				return nil, err
			}
			a = w.(interface {
				authorizer.Authorizer
				authorizer.RuleResolver
			})
		default:
			return nil, fmt.Errorf("unknown authorization mode %s specified", e.typ)
		}
		authorizers = append(authorizers, union.NamedAuthorizer{AuthorizerName: e.name, Authorizer: a})
		resolvers = append(resolvers, a)
	}
	o.rules = union.NewRuleResolvers(resolvers...)
	o.authz, err = union.New(authorizers...)
	if err != nil {
		return nil, err
	}

	if opts.Admission {
		if err := o.buildAdmission(); err != nil {
			return nil, err
		}
	}

	for _, obj := range objs {
		if k := snapshot.KindOf(obj); o.watched[k] {
			o.counter.expect(k, 1)
		}
	}
	o.factory.Start(o.stop)
	for typ, ok := range o.factory.WaitForCacheSync(o.stop) {
		if !ok {
			return nil, fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	if err := o.counter.wait(opts.SettleTimeout); err != nil {
		return nil, err
	}
	var resources []string
	for kind, on := range o.watched {
		if on {
			resources = append(resources, snapshot.Kinds[kind].GVR.Resource)
		}
	}
	if err := o.watching.wait(resources, opts.SettleTimeout); err != nil {
		return nil, err
	}
	return o, nil
}

// Close stops the informers.
func (o *Oracle) Close() {
	if o.stub != nil {
		o.stub.close()
	}
	close(o.stop)
	o.factory.Shutdown()
}

func (o *Oracle) buildNode() *node.NodeAuthorizer {
	f := o.factory
	var slices sliceInformer
	var pcrs pcrInformer
	graph := node.NewGraph()
	pods := podInformer{f.Core().V1().Pods(), o.counter}
	pvs := pvInformer{f.Core().V1().PersistentVolumes(), o.counter}
	vas := vaInformer{f.Storage().V1().VolumeAttachments(), o.counter}
	o.watched["Pod"], o.watched["PersistentVolume"], o.watched["VolumeAttachment"] = true, true, true
	if utilfeature.DefaultFeatureGate.Enabled(features.DynamicResourceAllocation) {
		slices = sliceInformer{f.Resource().V1().ResourceSlices(), o.counter}
		o.watched["ResourceSlice"] = true
	}
	if utilfeature.DefaultFeatureGate.Enabled(features.PodCertificateRequest) {
		pcrs = pcrInformer{f.Certificates().V1().PodCertificateRequests(), o.counter}
		o.watched["PodCertificateRequest"] = true
	}
	switch {
	case slices.ResourceSliceInformer != nil && pcrs.PodCertificateRequestInformer != nil:
		node.AddGraphEventHandlers(graph, f.Core().V1().Nodes(), pods, pvs, vas, slices, pcrs)
	case slices.ResourceSliceInformer != nil:
		node.AddGraphEventHandlers(graph, f.Core().V1().Nodes(), pods, pvs, vas, slices, nil)
	case pcrs.PodCertificateRequestInformer != nil:
		node.AddGraphEventHandlers(graph, f.Core().V1().Nodes(), pods, pvs, vas, nil, pcrs)
	default:
		node.AddGraphEventHandlers(graph, f.Core().V1().Nodes(), pods, pvs, vas, nil, nil)
	}
	return node.NewAuthorizer(graph, nodeidentifier.NewDefaultNodeIdentifier(), bootstrappolicy.NodeRules())
}

func (o *Oracle) buildRBAC() *rbac.RBACAuthorizer {
	rb := o.factory.Rbac().V1()
	count := func(inf cache.SharedIndexInformer, kind string) {
		// The informer's store is updated before handlers are notified, so once this
		// no-op handler has seen an event the listers reflect it.
		inf.AddEventHandler(countingHandler{inner: cache.ResourceEventHandlerFuncs{}, c: o.counter, kind: kind})
		o.watched[kind] = true
	}
	count(rb.Roles().Informer(), "Role")
	count(rb.RoleBindings().Informer(), "RoleBinding")
	count(rb.ClusterRoles().Informer(), "ClusterRole")
	count(rb.ClusterRoleBindings().Informer(), "ClusterRoleBinding")
	roles := &rbac.RoleGetter{Lister: rb.Roles().Lister()}
	bindings := &rbac.RoleBindingLister{Lister: rb.RoleBindings().Lister()}
	clusterRoles := &rbac.ClusterRoleGetter{Lister: rb.ClusterRoles().Lister()}
	clusterBindings := &rbac.ClusterRoleBindingLister{Lister: rb.ClusterRoleBindings().Lister()}
	o.ruleResolver = rbacregistryvalidation.NewDefaultRuleResolver(roles, bindings, clusterRoles, clusterBindings)
	return rbac.New(roles, bindings, clusterRoles, clusterBindings)
}

// WatchEvent is one mutation line of the request stream.
type WatchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// Apply writes one watch event to the fake cluster (ADDED and MODIFIED create or
// update, DELETED deletes if present), re-runs ClusterRole aggregation when a
// ClusterRole changed, and waits until the informers have processed the writes.
func (o *Oracle) Apply(ev WatchEvent) error {
	obj, err := snapshot.DecodeObject(ev.Object)
	if err != nil {
		return fmt.Errorf("decoding %s event object: %w", ev.Type, err)
	}
	if obj == nil {
		return nil // a kind the authorizers never look at
	}
	kind := snapshot.KindOf(obj)
	key := snapshot.KeyOf(obj)
	switch ev.Type {
	case "ADDED", "MODIFIED":
		if cr, ok := obj.(*rbacv1.ClusterRole); ok {
			o.clusterRoles[cr.Name] = cr
		}
		if err := o.write(kind, key, obj); err != nil {
			return err
		}
	case "DELETED":
		if kind == "ClusterRole" {
			delete(o.clusterRoles, key.Name)
		}
		gvr := snapshot.Kinds[kind].GVR
		if _, err := o.client.Tracker().Get(gvr, key.Namespace, key.Name); err == nil {
			if err := o.client.Tracker().Delete(gvr, key.Namespace, key.Name); err != nil {
				return err
			}
			o.expect(kind)
		}
	default:
		return fmt.Errorf("unknown watch event type %q", ev.Type)
	}
	if kind == "ClusterRole" {
		for _, name := range Aggregate(o.clusterRoles) {
			cr := o.clusterRoles[name]
			if err := o.write("ClusterRole", snapshot.KeyOf(cr), cr.DeepCopy()); err != nil {
				return err
			}
		}
	}
	return o.counter.wait(o.opts.SettleTimeout)
}

func (o *Oracle) expect(kind string) {
	if o.watched[kind] {
		o.counter.expect(kind, 1)
	}
}

func (o *Oracle) write(kind string, key snapshot.Key, obj runtime.Object) error {
	gvr := snapshot.Kinds[kind].GVR
	tr := o.client.Tracker()
	if _, err := tr.Get(gvr, key.Namespace, key.Name); err == nil {
		if err := tr.Update(gvr, obj, key.Namespace); err != nil {
			return fmt.Errorf("updating %s %s/%s: %w", kind, key.Namespace, key.Name, err)
		}
	} else if apierrors.IsNotFound(err) {
		if err := tr.Create(gvr, obj, key.Namespace); err != nil {
			return fmt.Errorf("creating %s %s/%s: %w", kind, key.Namespace, key.Name, err)
		}
	} else {
		return err
	}
	o.expect(kind)
	return nil
}

// Review answers one v1 SubjectAccessReview and returns it with its status filled, or,
// for a request kube-apiserver would reject, the v1 Status it would return.
func (o *Oracle) Review(ctx context.Context, sar *authorizationv1.SubjectAccessReview) (runtime.Object, error) {
	out := sar.DeepCopy()
	legacyscheme.Scheme.Default(out)
	internal := &authorizationapi.SubjectAccessReview{}
	if err := legacyscheme.Scheme.Convert(out, internal, nil); err != nil {
		return nil, err
	}
	out.APIVersion, out.Kind = authorizationv1.SchemeGroupVersion.String(), "SubjectAccessReview"
	// kube-apiserver's decoder converts to the internal version and clears the type
	// meta, so the REST handler sees an empty Kind (its 422 names the kind "").
	internal.TypeMeta = metav1.TypeMeta{}
	vctx := genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true,
		Path:              "/apis/authorization.k8s.io/v1/subjectaccessreviews",
		Verb:              "create",
		APIPrefix:         "apis",
		APIGroup:          authorizationv1.GroupName,
		APIVersion:        "v1",
		Resource:          "subjectaccessreviews",
	})
	// The SAR REST storage's own Create validates and answers; an error becomes the
	// Status the apiserver writes, through the apiserver's own conversion.
	if o.stub != nil {
		o.stub.take()
	}
	created, err := subjectaccessreview.NewREST(o.authz, legacyscheme.Scheme).Create(vctx, internal, nil, &metav1.CreateOptions{})
	if o.stub != nil {
		if called := o.stub.take(); len(called) > 0 {
			if out.Annotations == nil {
				out.Annotations = map[string]string{}
			}
			out.Annotations[WebhookCalledAnnotation] = called[0]
		}
	}
	if err != nil {
		status := responsewriters.ErrorToAPIStatus(err)
		status.APIVersion, status.Kind = "v1", "Status"
		return status, nil
	}
	answered, ok := created.(*authorizationapi.SubjectAccessReview)
	if !ok {
		return nil, fmt.Errorf("SubjectAccessReview storage returned %T", created)
	}
	if err := legacyscheme.Scheme.Convert(&answered.Status, &out.Status, nil); err != nil {
		return nil, err
	}
	decision, reason := authorizer.DecisionNoOpinion, out.Status.Reason
	if out.Status.Allowed {
		decision = authorizer.DecisionAllow
	}
	attrs := authorizationutil.AuthorizationAttributesFrom(internal.Spec)
	if decision == authorizer.DecisionAllow && strings.HasPrefix(reason, "RBAC: allowed by ") && o.ruleResolver != nil {
		reasons := o.acceptableRBACReasons(ctx, attrs)
		data, err := json.Marshal(reasons)
		if err != nil {
			return nil, err
		}
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[AcceptableReasonsAnnotation] = string(data)
	}
	return out, nil
}

// acceptableRBACReasons visits every rule that applies to the user and collects the
// reason each allowing source would produce. Upstream visits all ClusterRoleBindings
// before the namespace's RoleBindings and stops at the first allowing rule, so if any
// ClusterRoleBinding allows, only ClusterRoleBinding reasons are possible.
func (o *Oracle) acceptableRBACReasons(ctx context.Context, attrs authorizer.Attributes) []string {
	clusterScoped := map[string]bool{}
	namespaced := map[string]bool{}
	o.ruleResolver.VisitRulesFor(ctx, attrs.GetUser(), attrs.GetNamespace(), func(source fmt.Stringer, rule *rbacv1.PolicyRule, err error) bool {
		if rule == nil || source == nil || !rbac.RuleAllows(attrs, rule) {
			return true
		}
		s := source.String()
		if strings.HasPrefix(s, "ClusterRoleBinding ") {
			clusterScoped["RBAC: allowed by "+s] = true
		} else {
			namespaced["RBAC: allowed by "+s] = true
		}
		return true
	})
	set := clusterScoped
	if len(set) == 0 {
		set = namespaced
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
