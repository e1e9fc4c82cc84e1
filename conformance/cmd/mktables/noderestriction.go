package main

// Restated tables of plugin/pkg/admission/noderestriction/admission_test.go (v1.37.2).
//
// Upstream builds admission.Attributes by hand and gives each case its own listers,
// feature gates and (fake) authorizer. Here every case is an admission.k8s.io/v1
// AdmissionReview answered by the oracle's `admit`:
//
//   - listers: before each case, watch events bring the cluster to exactly the objects
//     that case's listers hold (noExistingPods, existingPods, pcrPods, csiDriverLister,
//     ...), so a lookup sees what it saw upstream;
//   - feature gates: cases are grouped into tables by the gates they ran under (a case
//     with no `features` never had InspectFeatureGates called, so every gate the plugin
//     reads was off there);
//   - authorizer: upstream's fakes decide the fallback checks; here the real Node,RBAC
//     chain does, with a ClusterRole and binding granting exactly the fake's attributes
//     added before an "allow" case and removed after it.
//
// Objects upstream passes as internal types are written as their v1 equivalents.

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	certsv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"encoding/pem"
)

// AdmissionExpectation is one line of a NodeRestriction table's expected.jsonl (see
// compare.AdmissionExpectation).
type AdmissionExpectation struct {
	Case    string `json:"case"`
	Allowed bool   `json:"allowed"`
	Error   string `json:"error,omitempty"`
	Checked bool   `json:"checked"`
	Note    string `json:"note,omitempty"`
}

type admTable struct {
	name     string
	flags    string
	lines    []any
	expected []AdmissionExpectation
	present  map[string]runtime.Object // objects the cluster holds now, by kind/namespace/name
	order    []string
}

func newAdmTable(name, flags string) *admTable {
	return &admTable{name: name, flags: flags, present: map[string]runtime.Object{}}
}

func objKey(obj runtime.Object) string {
	m := obj.(metav1.Object)
	return obj.GetObjectKind().GroupVersionKind().Kind + "/" + m.GetNamespace() + "/" + m.GetName()
}

// state brings the cluster to exactly objs (plus nothing else), with watch events.
func (t *admTable) state(objs ...runtime.Object) {
	want := map[string]runtime.Object{}
	var wantOrder []string
	for _, o := range objs {
		k := objKey(o)
		if _, dup := want[k]; !dup {
			wantOrder = append(wantOrder, k)
		}
		want[k] = o // a later object with the same key replaces an earlier one, as in a cache.Indexer
	}
	var keep []string
	for _, k := range t.order {
		if w, ok := want[k]; ok && jsonEqual(w, t.present[k]) {
			keep = append(keep, k)
			continue
		}
		t.lines = append(t.lines, map[string]any{"type": "DELETED", "object": t.present[k]})
		delete(t.present, k)
	}
	t.order = keep
	for _, k := range wantOrder {
		if _, ok := t.present[k]; ok {
			continue
		}
		t.lines = append(t.lines, map[string]any{"type": "ADDED", "object": want[k]})
		t.present[k] = want[k]
		t.order = append(t.order, k)
	}
}

func jsonEqual(a, b runtime.Object) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

type rgvk struct{ group, version, kind string }
type rgvr struct{ group, version, resource string }

// admCase is one upstream case: NewAttributesRecord's arguments and the expected error
// substring ("" means allowed).
type admCase struct {
	name    string
	obj     runtime.Object
	old     runtime.Object
	kind    rgvk
	ns      string
	objName string
	res     rgvr
	sub     string
	op      string
	user    authenticationv1.UserInfo
	err     string
	note    string // non-empty: not checked, and why
}

func (t *admTable) admit(c admCase) {
	raw := func(o runtime.Object) runtime.RawExtension {
		if o == nil {
			return runtime.RawExtension{}
		}
		data, err := json.Marshal(o)
		if err != nil {
			panic(err)
		}
		return runtime.RawExtension{Raw: data}
	}
	req := &admissionv1.AdmissionRequest{
		UID:         types.UID(fmt.Sprintf("%s-%d", t.name, len(t.expected)+1)),
		Kind:        metav1.GroupVersionKind{Group: c.kind.group, Version: c.kind.version, Kind: c.kind.kind},
		Resource:    metav1.GroupVersionResource{Group: c.res.group, Version: c.res.version, Resource: c.res.resource},
		SubResource: c.sub,
		Name:        c.objName,
		Namespace:   c.ns,
		Operation:   admissionv1.Operation(c.op),
		UserInfo:    c.user,
		Object:      raw(c.obj),
		OldObject:   raw(c.old),
	}
	t.lines = append(t.lines, &admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req})
	t.expected = append(t.expected, AdmissionExpectation{Case: c.name, Allowed: c.err == "", Error: c.err, Checked: c.note == "", Note: c.note})
}

func (t *admTable) write(root string) error {
	return writeTable(filepath.Join(root, t.name), nil, "admission.jsonl", t.lines, t.expected, t.flags)
}

// ---------------------------------------------------------------------------------
// upstream's fixtures, as v1 objects

var (
	kPod      = rgvk{"", "v1", "Pod"}
	kEviction = rgvk{"policy", "v1beta1", "Eviction"}
	kNode     = rgvk{"", "v1", "Node"}
	kTokenReq = rgvk{"", "v1", "TokenRequest"} // upstream's api.Kind("TokenRequest")
	kLease    = rgvk{"coordination.k8s.io", "v1beta1", "Lease"}
	kCSINode  = rgvk{"storage.k8s.io", "v1", "CSINode"}
	kCM       = rgvk{"", "v1", "ConfigMap"}
	kCSR      = rgvk{"certificates.k8s.io", "v1", "CertificateSigningRequest"}
	kPCR      = rgvk{"certificates.k8s.io", "v1beta1", "PodCertificateRequest"}
	rPods     = rgvr{"", "v1", "pods"}
	rNodes    = rgvr{"", "v1", "nodes"}
	rSAs      = rgvr{"", "v1", "serviceaccounts"}
	rCM       = rgvr{"", "v1", "configmap"} // sic: upstream's api.Resource("configmap")
	rLeases   = rgvr{"coordination.k8s.io", "v1beta1", "leases"}
	rCSINodes = rgvr{"storage.k8s.io", "v1", "csinodes"}
	rCSRs     = rgvr{"certificates.k8s.io", "v1", "certificatesigningrequests"}
	rPCRs     = rgvr{"certificates.k8s.io", "v1beta1", "podcertificaterequests"}
	rPVCs     = rgvr{"", "v1", "persistentvolumeclaims"}
	rSlices   = rgvr{"resource.k8s.io", "v1", "resourceslices"}

	mynode = authenticationv1.UserInfo{Username: "system:node:mynode", Groups: []string{"system:nodes"}}
	bob    = authenticationv1.UserInfo{Username: "bob"}
)

func tm(obj runtime.Object, apiVersion, kind string) runtime.Object {
	return gvk(obj, apiVersion, kind)
}

func ptrTo[T any](v T) *T { return &v }

// makeTestPod restates upstream's makeTestPod (the v1 half).
func makeTestPod(ns, name, node string, mirror bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: "pod-uid"}, Spec: corev1.PodSpec{NodeName: node}}
	if mirror {
		p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "true"}
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node, UID: types.UID(node + "-uid"), Controller: ptrTo(true)}}
	}
	tm(p, "v1", "Pod")
	return p
}

func withPodLabels(p *corev1.Pod, labels map[string]string) *corev1.Pod {
	q := p.DeepCopy()
	q.Labels = labels
	return q
}

func eviction(name string) runtime.Object {
	return tm(&policyv1beta1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}, "policy/v1beta1", "Eviction")
}

func tokenRequest(pod string, uid types.UID, audiences ...string) runtime.Object {
	tr := &authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{Namespace: "ns"}, Spec: authenticationv1.TokenRequestSpec{Audiences: audiences}}
	if pod != "" {
		tr.Spec.BoundObjectRef = &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod, UID: uid}
	}
	return tm(tr, "authentication.k8s.io/v1", "TokenRequest")
}

func nodeObj(mutate func(n *corev1.Node)) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "mynode", UID: "mynode-uid"}}
	if mutate != nil {
		mutate(n)
	}
	tm(n, "v1", "Node")
	return n
}

func setLabels(n *corev1.Node, value string, sets ...func(map[string]string, string)) *corev1.Node {
	n = n.DeepCopy()
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	if value == "" {
		value = "value"
	}
	for _, s := range sets {
		s(n.Labels, value)
	}
	return n
}

// allowedUpdateLabels restates setAllowedUpdateLabels (kubeletapis.KubeletLabels() and
// KubeletLabelNamespaces() written out).
func allowedUpdateLabels(l map[string]string, v string) {
	for _, k := range []string{"foo", "example.com/foo",
		"kubernetes.io/hostname", "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/zone",
		"topology.kubernetes.io/region", "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
		"kubernetes.io/os", "kubernetes.io/arch",
		"kubelet.kubernetes.io/foo", "foo.kubelet.kubernetes.io/foo", "node.kubernetes.io/foo", "foo.node.kubernetes.io/foo"} {
		l[k] = v
	}
}

func forbiddenLabels(l map[string]string, v string) {
	for _, k := range []string{"node-restriction.kubernetes.io/foo", "foo.node-restriction.kubernetes.io/foo", "other.kubernetes.io/foo", "other.k8s.io/foo"} {
		l[k] = v
	}
}

func configSourceOf(name, uid string) *corev1.NodeConfigSource {
	return &corev1.NodeConfigSource{ConfigMap: &corev1.ConfigMapNodeConfigSource{Name: name, Namespace: "bar", UID: types.UID(uid), KubeletConfigKey: "kubelet"}}
}

func lease(ns, name string) runtime.Object {
	return tm(&coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptrTo("mynode"), LeaseDurationSeconds: ptrTo(int32(40)), RenewTime: &metav1.MicroTime{Time: metav1.Unix(1700000000, 0).Time}}},
		"coordination.k8s.io/v1", "Lease")
}

func csiNodeObj(name string, drivers []storagev1.CSINodeDriver) *storagev1.CSINode {
	n := &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.CSINodeSpec{Drivers: drivers}}
	tm(n, "storage.k8s.io/v1", "CSINode")
	return n
}

func myDriver(node string) []storagev1.CSINodeDriver {
	return []storagev1.CSINodeDriver{{Name: "com.example.csi/mydriver", NodeID: "com.example.csi/" + node, TopologyKeys: []string{"com.example.csi/zone"}}}
}

// csrPEM is a CSR with subject CN cn. Upstream signs with a fresh RSA key; a fixed
// Ed25519 key keeps the table's bytes stable (the plugin only reads the subject).
func csrPEM(cn string) []byte {
	key := ed25519.NewKeyFromSeed([]byte("kauthz-noderestriction-table-key"))
	der, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func csr(cn, signer string, valid bool) runtime.Object {
	req := []byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----")
	if valid {
		req = csrPEM(cn)
	}
	return tm(&certsv1.CertificateSigningRequest{Spec: certsv1.CertificateSigningRequestSpec{Request: req, SignerName: signer}}, "certificates.k8s.io/v1", "CertificateSigningRequest")
}

func pcr(ns, pod string, podUID types.UID, sa string, saUID types.UID, node string, nodeUID types.UID) runtime.Object {
	return tm(&certsv1.PodCertificateRequest{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "foo"},
		Spec: certsv1.PodCertificateRequestSpec{SignerName: "example.com/foo", PodName: pod, PodUID: podUID, ServiceAccountName: sa, ServiceAccountUID: saUID,
			NodeName: types.NodeName(node), NodeUID: nodeUID}}, "certificates.k8s.io/v1", "PodCertificateRequest")
}

// grant is a ClusterRole and ClusterRoleBinding giving user exactly one verb on one
// resource and name: the attributes upstream's fakeAuthorizer answers Allow for.
func grant(name, user, verb, group, res, resName string) []runtime.Object {
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{Verbs: []string{verb}, APIGroups: []string{group}, Resources: []string{res}, ResourceNames: []string{resName}}}}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: user}}}
	return []runtime.Object{tm(cr, "rbac.authorization.k8s.io/v1", "ClusterRole"), tm(crb, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")}
}

func with(a []runtime.Object, b ...runtime.Object) []runtime.Object {
	return append(append([]runtime.Object{}, a...), b...)
}

// nodeRestrictionTables restates Test_nodePlugin_Admit (split by the gates its cases ran
// under), Test_nodePlugin_Admit_OwnerReference, TestAdmitPVCStatus and
// TestAdmitResourceSlice.
func nodeRestrictionTables() []*admTable {
	// Flags: a case without `features` never inspected gates (all off); kube-apiserver's
	// defaults have ServiceAccountNodeAudienceRestriction and PodCertificateRequest on.
	const gatesOff = "--authorization-mode Node,RBAC --feature-gates ServiceAccountNodeAudienceRestriction=false,PodCertificateRequest=false"
	const gatesDefault = "--authorization-mode Node,RBAC"

	off := newAdmTable("noderestriction-admit", gatesOff)
	def := newAdmTable("noderestriction-admit-default-gates", gatesDefault)
	health := newAdmTable("noderestriction-admit-csi-volume-health", gatesDefault+" --feature-gates CSIVolumeHealth=true")
	insecure := newAdmTable("noderestriction-admit-insecure-csr", gatesDefault+" --feature-gates AllowInsecureKubeletCertificateSigningRequests=true")

	// ---- listers
	existingNodes := []runtime.Object{nodeObj(nil)}
	mymirrorpod := makeTestPod("ns", "mymirrorpod", "mynode", true)
	othermirrorpod := makeTestPod("ns", "othermirrorpod", "othernode", true)
	unboundmirrorpod := makeTestPod("ns", "unboundmirrorpod", "", true)
	mypod := makeTestPod("ns", "mypod", "mynode", false)
	otherpod := makeTestPod("ns", "otherpod", "othernode", false)
	unboundpod := makeTestPod("ns", "unboundpod", "", false)
	unnamedpod := makeTestPod("ns", "", "mynode", false)

	withVolumes := func(p *corev1.Pod, vols ...corev1.Volume) *corev1.Pod { p.Spec.Volumes = vols; return p }
	projected := func(aud string) corev1.Volume {
		return corev1.Volume{VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: aud}}}}}}
	}
	csiVol := corev1.Volume{VolumeSource: corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "com.example.csi.mydriver"}}}
	pvcVol := func(claim string) corev1.Volume {
		return corev1.Volume{VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}
	}
	mysapodEmpty := withVolumes(makeTestPod("ns", "mysapod", "mynode", false), projected(""))
	mysapod := withVolumes(makeTestPod("ns", "mysapod", "mynode", false), projected("foo"))
	mycsipod := withVolumes(makeTestPod("ns", "mycsipod", "mynode", false), csiVol)
	mypvcpod := withVolumes(makeTestPod("ns", "mypvcpod", "mynode", false), pvcVol("pvclaim"))
	myephemeralpod := withVolumes(makeTestPod("ns", "myephemeralpod", "mynode", false),
		corev1.Volume{Name: "myvol", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}}})
	mypvcandcsipod := withVolumes(makeTestPod("ns", "mypvcandcsipod", "mynode", false), pvcVol("pvclaim"), csiVol)
	inlinePod := withVolumes(makeTestPod("ns", "myintreeinlinevoltocsipod", "mynode", false),
		corev1.Volume{VolumeSource: corev1.VolumeSource{AzureFile: &corev1.AzureFileVolumeSource{ShareName: "default", SecretName: "secret"}}})
	intreePVPod := withVolumes(makeTestPod("ns", "myintreepvtocsipod", "mynode", false), pvcVol("pvclaim-azurefile"))
	existingPods := []runtime.Object{mymirrorpod, othermirrorpod, unboundmirrorpod, mypod, otherpod, unboundpod,
		mysapodEmpty, mysapod, mycsipod, mypvcpod, myephemeralpod, mypvcandcsipod, intreePVPod, inlinePod} // the second mysapod replaces the first, as in upstream's index

	driver := func(name string) runtime.Object {
		return tm(&storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.CSIDriverSpec{TokenRequests: []storagev1.TokenRequest{{Audience: "foo"}}}}, "storage.k8s.io/v1", "CSIDriver")
	}
	csiDrivers := []runtime.Object{driver("com.example.csi.mydriver"), driver("file.csi.azure.com")}
	pvc := func(name, volume string) runtime.Object {
		return tm(&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: volume}}, "v1", "PersistentVolumeClaim")
	}
	pvcs := []runtime.Object{pvc("pvclaim", "pvname"), pvc("pvclaim-azurefile", "pvname-azurefile"), pvc("myephemeralpod-myvol", "pvname")}
	pvs := []runtime.Object{
		tm(&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pvname"}, Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: "com.example.csi.mydriver"}}}}, "v1", "PersistentVolume"),
		tm(&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pvname-azurefile"}, Spec: corev1.PersistentVolumeSpec{ClaimRef: &corev1.ObjectReference{Namespace: "ns"},
			PersistentVolumeSource: corev1.PersistentVolumeSource{AzureFile: &corev1.AzureFilePersistentVolumeSource{ShareName: "default", SecretName: "secret"}}}}, "v1", "PersistentVolume"),
	}

	pcrSA := tm(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pcr-sa", UID: "pcr-sa-uid"}}, "v1", "ServiceAccount")
	pcrNode := tm(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "pcr-node-1", UID: "pcr-node-1-uid"}}, "v1", "Node")
	pcrPod := func(name, signer string) *corev1.Pod {
		p := makeTestPod("ns", name, "pcr-node-1", false)
		p.Spec.ServiceAccountName = "pcr-sa"
		if signer != "" {
			p.Spec.Volumes = []corev1.Volume{{Name: "pod-cert", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
				Sources: []corev1.VolumeProjection{{PodCertificate: &corev1.PodCertificateProjection{SignerName: signer}}}}}}}
		}
		return p
	}
	podRequestingPCR := pcrPod("pcrpod", "example.com/foo")
	podNoPCRVolume := pcrPod("pcrpod-novolume", "")
	podWrongSigner := pcrPod("pcrpod-wrongsigner", "example.com/other")
	pcrState := []runtime.Object{pcrSA, pcrNode, podRequestingPCR, podNoPCRVolume, podWrongSigner}
	pcrUser := authenticationv1.UserInfo{Username: "system:node:pcr-node-1", Groups: []string{"system:nodes"}}
	pcrUser2 := authenticationv1.UserInfo{Username: "system:node:pcr-node-2", Groups: []string{"system:nodes"}}

	// ---- request objects
	mypodEv, othermirrorEv, unboundmirrorEv := eviction("mypod"), eviction("othermirrorpod"), eviction("unboundmirrorpod")
	mymirrorEv, otherpodEv, unboundpodEv, unnamedEv := eviction("mymirrorpod"), eviction("otherpod"), eviction("unboundpod"), eviction("")
	aLabeled := withPodLabels(mypod, map[string]string{"label-a": "value-a"})
	abLabeled := withPodLabels(mypod, map[string]string{"label-a": "value-a", "label-b": "value-b"})

	refPod := func(name string, f func(p *corev1.Pod)) *corev1.Pod {
		p := makeTestPod("ns", name, "mynode", true)
		f(p)
		return p
	}
	sapod := refPod("mysapod", func(p *corev1.Pod) { p.Spec.ServiceAccountName = "foo" })
	secretpod := refPod("mysecretpod", func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "foo"}}}}
	})
	configmappod := refPod("myconfigmappod", func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "foo"}}}}}
	})
	ctbpod := refPod("myctbpod", func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ClusterTrustBundle: &corev1.ClusterTrustBundleProjection{Name: ptrTo("foo")}}}}}}}
	})
	pvcpod := refPod("mypvcpod", func(p *corev1.Pod) { p.Spec.Volumes = []corev1.Volume{pvcVol("foo")} })
	claimpod := refPod("myclaimpod", func(p *corev1.Pod) {
		p.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "myclaim", ResourceClaimName: ptrTo("myexternalclaim")}}
	})
	extendedClaimPod := refPod("myclaimpod", func(p *corev1.Pod) {
		p.Status.ExtendedResourceClaimStatus = &corev1.PodExtendedResourceClaimStatus{ResourceClaimName: "myclaim"}
	})
	one, gi, mi := resource.MustParse("1"), resource.MustParse("1Gi"), resource.MustParse("500Mi")
	nodeAllocPod := refPod("myclaimpod", func(p *corev1.Pod) {
		p.Status.NodeAllocatableResourceClaimStatuses = []corev1.NodeAllocatableResourceClaimStatus{{ResourceClaimName: "myclaim", Containers: []string{"mycontainer"},
			Mapping: []corev1.NodeAllocatableMappedResources{{Name: corev1.ResourceCPU, Quantity: &one}}}}
	})
	nodeAllocOverheadPod := refPod("myclaimpod", func(p *corev1.Pod) {
		p.Status.NodeAllocatableResourceClaimStatuses = []corev1.NodeAllocatableResourceClaimStatus{{ResourceClaimName: "myclaim", Containers: []string{"mycontainer"},
			Overhead: []corev1.NodeAllocatableOverheadResources{{Name: corev1.ResourceMemory, PerPod: &gi, PerContainer: &mi}}}}
	})

	mynodeObj := nodeObj(nil)
	configA := nodeObj(func(n *corev1.Node) { n.Spec.ConfigSource = configSourceOf("foo", "fooUID") })
	configB := nodeObj(func(n *corev1.Node) { n.Spec.ConfigSource = configSourceOf("qux", "quxUID") })
	taintA := nodeObj(func(n *corev1.Node) { n.Spec.Taints = []corev1.Taint{{Key: "mykey", Value: "A"}} })
	taintB := nodeObj(func(n *corev1.Node) { n.Spec.Taints = []corev1.Taint{{Key: "mykey", Value: "B"}} })
	ownerA := nodeObj(func(n *corev1.Node) {
		n.OwnerReferences = []metav1.OwnerReference{{Name: "fooerA", Controller: ptrTo(true)}}
	})
	ownerB := nodeObj(func(n *corev1.Node) {
		n.OwnerReferences = []metav1.OwnerReference{{Name: "fooerB", Controller: ptrTo(true)}}
	})
	othernodeObj := tm(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "othernode"}}, "v1", "Node")
	allowedCreate := setLabels(mynodeObj, "", allowedUpdateLabels)
	forbiddenCreate := setLabels(mynodeObj, "", forbiddenLabels)
	allLabels := setLabels(mynodeObj, "", allowedUpdateLabels, forbiddenLabels)
	forbiddenUpdate := forbiddenCreate
	const forbiddenList = "foo.node-restriction.kubernetes.io/foo, node-restriction.kubernetes.io/foo, other.k8s.io/foo, other.kubernetes.io/foo"

	nodeInfo := csiNodeObj("mynode", myDriver("mynode"))
	nodeInfoWrongName := csiNodeObj("foo", myDriver("foo"))
	withHealth := func(spec []storagev1.CSINodeDriver) *storagev1.CSINode {
		n := csiNodeObj("mynode", spec)
		return n
	}
	healthy := withHealth(myDriver("mynode"))
	evil := withHealth([]storagev1.CSINodeDriver{{Name: "com.example.csi/evil", NodeID: "evil", TopologyKeys: []string{"evil"}}})
	// Upstream sets status.storageHealth, which v1 CSINode does not have; the plugin
	// compares only specs, so the status is left out.

	// ---- cases: podsGetter decides the pods; nodesGetter is existingNodes unless said
	type lst struct{ objs []runtime.Object }
	none := lst{}
	pods := lst{existingPods}
	pcrs := lst{pcrState}

	// c builds a case against table t with the listers given.
	c := func(t *admTable, l lst, extra []runtime.Object, ac admCase) {
		objs := append(append([]runtime.Object{}, existingNodes...), l.objs...)
		if l.objs != nil && len(l.objs) > 0 && l.objs[0] == pcrSA {
			objs = append([]runtime.Object{}, l.objs...)
		}
		objs = append(objs, extra...)
		t.state(objs...)
		if ac.user.Username == "" {
			ac.user = mynode
		}
		t.admit(ac)
	}
	pod := func(name string, obj, old runtime.Object, op, sub string, err string) admCase {
		return admCase{name: name, obj: obj, old: old, kind: kPod, ns: "ns", res: rPods, sub: sub, op: op, err: err}
	}
	named := func(ac admCase, n string) admCase { ac.objName = n; return ac }
	ev := func(name string, obj runtime.Object, objName, op, err string) admCase {
		return admCase{name: name, obj: obj, kind: kEviction, ns: "ns", objName: objName, res: rPods, sub: "eviction", op: op, err: err}
	}
	const unexpectedOp = "forbidden: unexpected operation"
	const toItself = "spec.nodeName set to itself"
	const mirrorOnly = "can only create mirror pods"

	// Mirror pods bound to us
	c(off, none, nil, named(pod("allow creating a mirror pod bound to self", mymirrorpod, nil, "CREATE", "", ""), "mymirrorpod"))
	c(off, pods, nil, named(pod("forbid update of mirror pod bound to self", mymirrorpod, mymirrorpod, "UPDATE", "", unexpectedOp), "mymirrorpod"))
	c(off, pods, nil, named(pod("allow delete of mirror pod bound to self", nil, nil, "DELETE", "", ""), "mymirrorpod"))
	c(off, none, nil, named(pod("forbid create of mirror pod status bound to self", mymirrorpod, nil, "CREATE", "status", unexpectedOp), "mymirrorpod"))
	c(off, pods, nil, named(pod("allow update of mirror pod status bound to self", mymirrorpod, mymirrorpod, "UPDATE", "status", ""), "mymirrorpod"))
	c(off, pods, nil, named(pod("forbid delete of mirror pod status bound to self", nil, nil, "DELETE", "status", unexpectedOp), "mymirrorpod"))
	c(off, pods, nil, ev("allow create of eviction for mirror pod bound to self", mymirrorEv, "mymirrorpod", "CREATE", ""))
	c(off, pods, nil, ev("forbid update of eviction for mirror pod bound to self", mymirrorEv, "mymirrorpod", "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for mirror pod bound to self", mymirrorEv, "mymirrorpod", "DELETE", unexpectedOp))
	c(off, pods, nil, ev("allow create of unnamed eviction for mirror pod bound to self", unnamedEv, "mymirrorpod", "CREATE", ""))
	// Mirror pods bound to another node
	c(off, none, nil, named(pod("forbid creating a mirror pod bound to another", othermirrorpod, nil, "CREATE", "", toItself), "othermirrorpod"))
	c(off, pods, nil, named(pod("forbid update of mirror pod bound to another", othermirrorpod, othermirrorpod, "UPDATE", "", unexpectedOp), "othermirrorpod"))
	c(off, pods, nil, named(pod("forbid delete of mirror pod bound to another", nil, nil, "DELETE", "", toItself), "othermirrorpod"))
	c(off, none, nil, named(pod("forbid create of mirror pod status bound to another", othermirrorpod, nil, "CREATE", "status", unexpectedOp), "othermirrorpod"))
	c(off, pods, nil, named(pod("forbid update of mirror pod status bound to another", othermirrorpod, othermirrorpod, "UPDATE", "status", toItself), "othermirrorpod"))
	c(off, pods, nil, named(pod("forbid delete of mirror pod status bound to another", nil, nil, "DELETE", "status", unexpectedOp), "othermirrorpod"))
	c(off, pods, nil, ev("forbid create of eviction for mirror pod bound to another", othermirrorEv, "othermirrorpod", "CREATE", toItself))
	c(off, pods, nil, ev("forbid update of eviction for mirror pod bound to another", othermirrorEv, "othermirrorpod", "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for mirror pod bound to another", othermirrorEv, "othermirrorpod", "DELETE", unexpectedOp))
	c(off, pods, nil, ev("forbid create of unnamed eviction for mirror pod to another", unnamedEv, "othermirrorpod", "CREATE", toItself))
	// Mirror pods not bound to any node
	c(off, none, nil, named(pod("forbid creating a mirror pod unbound", unboundmirrorpod, nil, "CREATE", "", toItself), "unboundmirrorpod"))
	c(off, pods, nil, named(pod("forbid update of mirror pod unbound", unboundmirrorpod, unboundmirrorpod, "UPDATE", "", unexpectedOp), "unboundmirrorpod"))
	c(off, pods, nil, named(pod("forbid delete of mirror pod unbound", nil, nil, "DELETE", "", toItself), "unboundmirrorpod"))
	c(off, none, nil, named(pod("forbid create of mirror pod status unbound", unboundmirrorpod, nil, "CREATE", "status", unexpectedOp), "unboundmirrorpod"))
	c(off, pods, nil, named(pod("forbid update of mirror pod status unbound", unboundmirrorpod, unboundmirrorpod, "UPDATE", "status", toItself), "unboundmirrorpod"))
	c(off, pods, nil, named(pod("forbid delete of mirror pod status unbound", nil, nil, "DELETE", "status", unexpectedOp), "unboundmirrorpod"))
	c(off, pods, nil, ev("forbid create of eviction for mirror pod unbound", unboundmirrorEv, "unboundmirrorpod", "CREATE", toItself))
	c(off, pods, nil, ev("forbid update of eviction for mirror pod unbound", unboundmirrorEv, "unboundmirrorpod", "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for mirror pod unbound", unboundmirrorEv, "unboundmirrorpod", "DELETE", unexpectedOp))
	c(off, pods, nil, ev("forbid create of unnamed eviction for mirror pod unbound", unnamedEv, "unboundmirrorpod", "CREATE", toItself))
	// Normal pods bound to us
	c(off, none, nil, named(pod("forbid creating a normal pod bound to self", mypod, nil, "CREATE", "", mirrorOnly), "mypod"))
	c(off, pods, nil, named(pod("forbid update of normal pod bound to self", mypod, mypod, "UPDATE", "", unexpectedOp), "mypod"))
	c(off, pods, nil, named(pod("allow delete of normal pod bound to self", nil, nil, "DELETE", "", ""), "mypod"))
	c(off, none, nil, named(pod("forbid create of normal pod status bound to self", mypod, nil, "CREATE", "status", unexpectedOp), "mypod"))
	c(off, pods, nil, named(pod("allow update of normal pod status bound to self", mypod, mypod, "UPDATE", "status", ""), "mypod"))
	c(off, pods, nil, named(pod("forbid delete of normal pod status bound to self", nil, nil, "DELETE", "status", unexpectedOp), "mypod"))
	c(off, none, nil, named(pod("forbid addition of pod status preexisting labels", abLabeled, aLabeled, "UPDATE", "status", "cannot update labels through pod status"), "mypod"))
	c(off, none, nil, named(pod("forbid deletion of pod status preexisting labels", aLabeled, abLabeled, "UPDATE", "status", "cannot update labels through pod status"), "mypod"))
	c(off, none, nil, named(pod("forbid deletion of all pod status preexisting labels", aLabeled, mypod, "UPDATE", "status", "cannot update labels through pod status"), "mypod"))
	c(off, none, nil, named(pod("forbid addition of pod status labels", mypod, aLabeled, "UPDATE", "status", "cannot update labels through pod status"), "mypod"))
	c(off, pods, nil, ev("forbid update of eviction for normal pod bound to self", mypodEv, "mypod", "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for normal pod bound to self", mypodEv, "mypod", "DELETE", unexpectedOp))
	c(off, pods, nil, ev("allow create of unnamed eviction for normal pod bound to self", unnamedEv, "mypod", "CREATE", ""))
	// Normal pods bound to another
	c(off, none, nil, named(pod("forbid creating a normal pod bound to another", otherpod, nil, "CREATE", "", mirrorOnly), "otherpod"))
	c(off, pods, nil, named(pod("forbid update of normal pod bound to another", otherpod, otherpod, "UPDATE", "", unexpectedOp), "otherpod"))
	c(off, pods, nil, named(pod("forbid delete of normal pod bound to another", nil, nil, "DELETE", "", toItself), "otherpod"))
	c(off, none, nil, named(pod("forbid create of normal pod status bound to another", otherpod, nil, "CREATE", "status", unexpectedOp), "otherpod"))
	c(off, pods, nil, named(pod("forbid update of normal pod status bound to another", otherpod, otherpod, "UPDATE", "status", toItself), "otherpod"))
	c(off, pods, nil, named(pod("forbid delete of normal pod status bound to another", nil, nil, "DELETE", "status", unexpectedOp), "otherpod"))
	c(off, pods, nil, ev("forbid create of eviction for normal pod bound to another", otherpodEv, "otherpod", "CREATE", toItself))
	c(off, pods, nil, ev("forbid update of eviction for normal pod bound to another", otherpodEv, "otherpod", "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for normal pod bound to another", otherpodEv, "otherpod", "DELETE", unexpectedOp))
	c(off, pods, nil, ev("forbid create of unnamed eviction for normal pod bound to another", unnamedEv, "otherpod", "CREATE", toItself))
	// Normal pods not bound to any node
	c(off, none, nil, named(pod("forbid creating a normal pod unbound", unboundpod, nil, "CREATE", "", mirrorOnly), "unboundpod"))
	c(off, pods, nil, named(pod("forbid update of normal pod unbound", unboundpod, unboundpod, "UPDATE", "", unexpectedOp), "unboundpod"))
	c(off, pods, nil, named(pod("forbid delete of normal pod unbound", nil, nil, "DELETE", "", toItself), "unboundpod"))
	c(off, none, nil, named(pod("forbid create of normal pod status unbound", unboundpod, nil, "CREATE", "status", unexpectedOp), "unboundpod"))
	c(off, pods, nil, named(pod("forbid update of normal pod status unbound", unboundpod, unboundpod, "UPDATE", "status", toItself), "unboundpod"))
	c(off, pods, nil, named(pod("forbid delete of normal pod status unbound", nil, nil, "DELETE", "status", unexpectedOp), "unboundpod"))
	c(off, pods, nil, ev("forbid create of eviction for normal pod unbound", unboundpodEv, "unboundpod", "CREATE", toItself))
	c(off, pods, nil, ev("forbid update of eviction for normal pod unbound", unboundpodEv, "unboundpod", "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for normal pod unbound", unboundpodEv, "unboundpod", "DELETE", unexpectedOp))
	c(off, pods, nil, ev("forbid create of unnamed eviction for normal unbound", unnamedEv, "unboundpod", "CREATE", toItself))
	// Missing pod
	c(off, none, nil, named(pod("forbid delete of unknown pod", nil, nil, "DELETE", "", "not found"), "unboundpod"))
	c(off, none, nil, ev("forbid create of eviction for unknown pod", mypodEv, "mypod", "CREATE", "not found"))
	c(off, none, nil, ev("forbid update of eviction for unknown pod", mypodEv, "mypod", "UPDATE", unexpectedOp))
	c(off, none, nil, ev("forbid delete of eviction for unknown pod", mypodEv, "mypod", "DELETE", unexpectedOp))
	c(off, none, nil, ev("forbid create of unnamed eviction for unknown pod", unnamedEv, "mypod", "CREATE", "not found"))
	// Eviction for unnamed pod
	c(off, pods, nil, ev("allow create of eviction for unnamed pod", mypodEv, unnamedpod.Name, "CREATE", ""))
	c(off, pods, nil, ev("forbid update of eviction for unnamed pod", mypodEv, unnamedpod.Name, "UPDATE", unexpectedOp))
	c(off, pods, nil, ev("forbid delete of eviction for unnamed pod", mypodEv, unnamedpod.Name, "DELETE", unexpectedOp))
	c(off, pods, nil, ev("forbid create of unnamed eviction for unnamed pod", unnamedEv, unnamedpod.Name, "CREATE", "could not determine pod from request data"))
	// Resource pods
	c(off, none, nil, named(pod("forbid create of pod referencing service account", sapod, nil, "CREATE", "", "can not create pods that reference serviceaccounts"), "mysapod"))
	c(off, none, nil, named(pod("forbid create of pod referencing secret", secretpod, nil, "CREATE", "", "reference secrets"), "mysecretpod"))
	c(off, none, nil, named(pod("forbid create of pod referencing configmap", configmappod, nil, "CREATE", "", "reference configmaps"), "myconfigmappod"))
	c(off, none, nil, named(pod("forbid create of pod referencing clustertrustbundle", ctbpod, nil, "CREATE", "", "reference clustertrustbundles"), "myctbpod"))
	c(off, none, nil, named(pod("forbid create of pod referencing persistentvolumeclaim", pvcpod, nil, "CREATE", "", "can not create pods that reference persistentvolumeclaims"), "mypvcpod"))
	c(off, none, nil, named(pod("forbid create of pod referencing resourceclaim", claimpod, nil, "CREATE", "", "reference resourceclaim"), "myclaimpod"))
	c(off, pods, nil, named(pod("forbid update of pod's extended resource claim status", extendedClaimPod, claimpod, "UPDATE", "status", "annot update extended resource claim status"), "myclaimpod"))
	c(off, pods, nil, named(pod("forbid update of pod's node allocatable resource claim status", nodeAllocPod, claimpod, "UPDATE", "status", "cannot update node allocatable resource claim statuses"), "myclaimpod"))
	c(off, pods, nil, named(pod("forbid update of pod's node allocatable overhead resource claim status", nodeAllocOverheadPod, claimpod, "UPDATE", "status", "cannot update node allocatable resource claim statuses"), "myclaimpod"))

	// My node object
	nd := func(name string, obj, old runtime.Object, objName, op, sub, err string) admCase {
		return admCase{name: name, obj: obj, old: old, kind: kNode, objName: objName, res: rNodes, sub: sub, op: op, err: err}
	}
	c(off, none, nil, nd("allow create of my node", mynodeObj, nil, "mynode", "CREATE", "", ""))
	c(off, none, nil, nd("allow create of my node pulling name from object", mynodeObj, nil, "mynode", "CREATE", "", ""))
	c(off, none, nil, nd("allow create of my node with taints", taintA, nil, "mynode", "CREATE", "", ""))
	c(off, none, nil, nd("allow create of my node with labels", allowedCreate, nil, "mynode", "CREATE", "", ""))
	c(off, none, nil, nd("forbid create of my node with forbidden labels", forbiddenCreate, nil, "mynode", "CREATE", "", "is not allowed to set the following labels: "+forbiddenList))
	c(off, pods, nil, nd("allow update of my node", mynodeObj, mynodeObj, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow delete of my node", nil, nil, "mynode", "DELETE", "", ""))
	c(off, pods, nil, nd("allow update of my node status", mynodeObj, mynodeObj, "mynode", "UPDATE", "status", ""))
	c(off, none, nil, nd("forbid create of my node with non-nil configSource", configA, nil, "mynode", "CREATE", "", "is not allowed to create pods with a non-nil configSource"))
	c(off, pods, nil, nd("forbid update of my node: nil configSource to new non-nil configSource", configA, mynodeObj, "mynode", "UPDATE", "", "update configSource to a new non-nil configSource"))
	c(off, pods, nil, nd("forbid update of my node: non-nil configSource to new non-nil configSource", configB, configA, "mynode", "UPDATE", "", "update configSource to a new non-nil configSource"))
	c(off, pods, nil, nd("allow update of my node: non-nil configSource unchanged", configA, configA, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: non-nil configSource to nil configSource", mynodeObj, configA, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: no change to taints", taintA, taintA, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: add allowed labels", setLabels(mynodeObj, "", allowedUpdateLabels), mynodeObj, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: remove allowed labels", mynodeObj, setLabels(mynodeObj, "", allowedUpdateLabels), "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: modify allowed labels", setLabels(mynodeObj, "b", allowedUpdateLabels), setLabels(mynodeObj, "a", allowedUpdateLabels), "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: no change to labels", allLabels, allLabels, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: add allowed labels while forbidden labels exist unmodified", allLabels, forbiddenUpdate, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("allow update of my node: remove allowed labels while forbidden labels exist unmodified", forbiddenUpdate, allLabels, "mynode", "UPDATE", "", ""))
	c(off, pods, nil, nd("forbid update of my node: add taints", taintA, mynodeObj, "mynode", "UPDATE", "", "is not allowed to modify taints"))
	c(off, pods, nil, nd("forbid update of my node: remove taints", mynodeObj, taintA, "mynode", "UPDATE", "", "is not allowed to modify taints"))
	c(off, pods, nil, nd("forbid update of my node: change taints", taintA, taintB, "mynode", "UPDATE", "", "is not allowed to modify taints"))
	c(off, pods, nil, nd("forbid update of my node: add labels", forbiddenUpdate, mynodeObj, "mynode", "UPDATE", "", "is not allowed to modify labels: "+forbiddenList))
	c(off, pods, nil, nd("forbid update of my node: remove labels", mynodeObj, forbiddenUpdate, "mynode", "UPDATE", "", "is not allowed to modify labels: "+forbiddenList))
	c(off, pods, nil, nd("forbid update of my node: change labels", setLabels(mynodeObj, "new", forbiddenLabels), setLabels(mynodeObj, "old", forbiddenLabels), "mynode", "UPDATE", "", "is not allowed to modify labels: "+forbiddenList))
	c(off, pods, nil, nd("forbid update of my node: add owner reference", ownerA, mynodeObj, "mynode", "UPDATE", "", `node "mynode" is not allowed to modify ownerReferences`))
	c(off, pods, nil, nd("forbid update of my node: remove owner reference", mynodeObj, ownerA, "mynode", "UPDATE", "", `node "mynode" is not allowed to modify ownerReferences`))
	c(off, pods, nil, nd("forbid update of my node: change owner reference", ownerA, ownerB, "mynode", "UPDATE", "", `node "mynode" is not allowed to modify ownerReferences`))
	// Other node object
	c(off, none, nil, nd("forbid create of other node", othernodeObj, nil, "othernode", "CREATE", "", "is not allowed to modify node"))
	c(off, none, nil, nd("forbid create of other node pulling name from object", othernodeObj, nil, "", "CREATE", "", "is not allowed to modify node"))
	c(off, pods, nil, nd("forbid update of other node", othernodeObj, othernodeObj, "othernode", "UPDATE", "", "is not allowed to modify node"))
	c(off, pods, nil, nd("forbid delete of other node", nil, nil, "othernode", "DELETE", "", "is not allowed to modify node"))
	c(off, pods, nil, nd("forbid update of other node status", othernodeObj, othernodeObj, "othernode", "UPDATE", "status", "is not allowed to modify node"))

	// Service accounts
	tok := func(name string, obj runtime.Object, err string) admCase {
		return admCase{name: name, obj: obj, kind: kTokenReq, ns: "ns", objName: "mysa", res: rSAs, sub: "token", op: "CREATE", err: err}
	}
	c(off, none, nil, tok("forbid create of unbound token", tokenRequest("", "", "foo"), "not bound to a pod"))
	c(off, none, nil, tok("forbid create of token bound to nonexistant pod", tokenRequest("nopod", "someuid", "foo"), "not found"))
	c(off, pods, nil, tok("forbid create of token bound to pod without uid", tokenRequest("mypod", "", "foo"), "pod binding without a uid"))
	c(off, pods, nil, tok("forbid create of token bound to pod scheduled on another node", tokenRequest("otherpod", "pod-uid", "foo"), "pod scheduled on a different node"))
	c(off, pods, nil, tok("allow create of token bound to pod scheduled this node", tokenRequest("mypod", "pod-uid", "foo"), ""))
	// with ServiceAccountNodeAudienceRestriction (the default)
	withPods := func(extra ...[]runtime.Object) []runtime.Object {
		var out []runtime.Object
		for _, e := range extra {
			out = append(out, e...)
		}
		return out
	}
	notAuthorized := `serviceaccounts "mysa" is forbidden: system:node:mynode is not authorized to request tokens for audience "foo"`
	c(def, pods, nil, tok("allow create of token when audience in PSAT volume and ServiceAccountNodeAudienceRestriction is enabled, empty audience", tokenRequest("mysapod", "pod-uid", "foo"), ""))
	c(def, pods, nil, tok("allow create of token when audience in PSAT volume and ServiceAccountNodeAudienceRestriction is enabled, single audience", tokenRequest("mysapod", "pod-uid", "foo"), ""))
	c(def, pods, nil, tok("forbid create of token with multiple audiences in token request and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("mysapod", "pod-uid", "foo", "bar"), "node may only request 0 or 1 audiences"))
	c(def, pods, nil, tok("forbid create of token when audience not in pod spec and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("mypod", "pod-uid", "foo"), notAuthorized))
	c(def, pods, csiDrivers, tok("allow create of token when audience in pod --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("mycsipod", "pod-uid", "foo"), ""))
	c(def, pods, csiDrivers, tok("forbid create of token when audience in pod --> csi --> driver --> tokenrequest does not have audience and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("mycsipod", "pod-uid", "bar"), `system:node:mynode is not authorized to request tokens for audience "bar"`))
	c(def, pods, nil, tok("forbid create of token when audience in pod --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled, csidriver not found", tokenRequest("mycsipod", "pod-uid", "foo"), `error validating audience "foo": csidriver.storage.k8s.io "com.example.csi.mydriver" not found`))
	c(def, pods, withPods(csiDrivers, pvcs, pvs), tok("allow create of token when audience in pod --> pvc --> pv --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("mypvcpod", "pod-uid", "foo"), ""))
	c(def, pods, withPods(csiDrivers, pvcs, pvs), tok("forbid create of token when audience in pod --> pvc --> pv --> csi --> driver --> tokenrequest does not have audience and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("mypvcpod", "pod-uid", "bar"), `system:node:mynode is not authorized to request tokens for audience "bar"`))
	c(def, pods, withPods(csiDrivers, pvs), tok("forbid create of token when audience in pod --> pvc --> pv --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled, pvc not found", tokenRequest("mypvcpod", "pod-uid", "foo"), `error validating audience "foo": persistentvolumeclaim "pvclaim" not found`))
	c(def, pods, withPods(csiDrivers, pvcs), tok("forbid create of token when audience in pod --> pvc --> pv --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled, pv not found", tokenRequest("mypvcpod", "pod-uid", "foo"), `error validating audience "foo": persistentvolume "pvname" not found`))
	c(def, pods, withPods(csiDrivers, pvcs, pvs), tok("allow create of token when audience in pod --> ephemeral --> pvc --> pv --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("myephemeralpod", "pod-uid", "foo"), ""))
	c(def, pods, withPods(csiDrivers, pvcs, pvs), tok("forbid create of token when audience in pod --> ephemeral --> pvc --> pv --> csi --> driver --> tokenrequest does not have audience and ServiceAccountNodeAudienceRestriction is enabled", tokenRequest("myephemeralpod", "pod-uid", "bar"), `system:node:mynode is not authorized to request tokens for audience "bar"`))
	c(def, pods, csiDrivers, tok("allow create of token when ServiceAccountNodeAudienceRestriction is disabled, pvc not found should not be checked", tokenRequest("mypvcandcsipod", "pod-uid", "foo"), ""))
	c(def, pods, withPods(csiDrivers, pvcs), tok("allow create of token when audience in pod --> csi --> driver --> tokenrequest with audience and ServiceAccountNodeAudienceRestriction is enabled, pv not found", tokenRequest("mypvcandcsipod", "pod-uid", "foo"), ""))
	c(off, pods, withPods(csiDrivers, pvcs), tok("allow create of token when ServiceAccountNodeAudienceRestriction is disabled, pv not found should not be checked", tokenRequest("mypvcandcsipod", "pod-uid", "foo"), ""))
	c(off, pods, nil, tok("allow create of token when ServiceAccountNodeAudienceRestriction is disabled, csidriver not found should not be checked", tokenRequest("mycsipod", "pod-uid", "foo"), ""))
	c(def, pods, withPods(csiDrivers, pvcs, pvs), tok("intree pv to csi, allow create of token when audience in pod --> csi --> driver --> tokenrequest with audience, ServiceAccountNodeAudienceRestriction=true", tokenRequest("myintreepvtocsipod", "pod-uid", "foo"), ""))
	c(def, pods, csiDrivers, tok("intree inline vol to csi, allow create of token when audience in pod --> csi --> driver --> tokenrequest with audience, ServiceAccountNodeAudienceRestriction=true", tokenRequest("myintreeinlinevoltocsipod", "pod-uid", "foo"), ""))
	audienceGrant := grant("token-audience-foo", "system:node:mynode", "request-serviceaccounts-token-audience", "", "foo", "mysa")
	c(def, pods, audienceGrant, tok("allow create of token when ServiceAccountNodeAudienceRestriction is enabled, clusterrole and clusterrolebinding are configured", tokenRequest("mypod", "pod-uid", "foo"), ""))
	c(def, pods, nil, tok("forbid create of token when ServiceAccountNodeAudienceRestriction is enabled, clusterrole and clusterrolebinding for audience not configured", tokenRequest("mypod", "pod-uid", "foo"), notAuthorized))

	// Unrelated objects
	cm := tm(&corev1.ConfigMap{}, "v1", "ConfigMap")
	c(off, pods, nil, admCase{name: "allow create of unrelated object", obj: cm, kind: kCM, ns: "myns", objName: "mycm", res: rCM, op: "CREATE"})
	c(off, pods, nil, admCase{name: "allow update of unrelated object", obj: cm, old: cm, kind: kCM, ns: "myns", objName: "mycm", res: rCM, op: "UPDATE"})
	c(off, pods, nil, admCase{name: "allow delete of unrelated object", kind: kCM, ns: "myns", objName: "mycm", res: rCM, op: "DELETE"})
	// Unrelated user
	asBob := func(ac admCase) admCase { ac.user = bob; return ac }
	c(off, none, nil, asBob(named(pod("allow unrelated user creating a normal pod unbound", unboundpod, nil, "CREATE", "", ""), "unboundpod")))
	c(off, pods, nil, asBob(named(pod("allow unrelated user update of normal pod unbound", unboundpod, unboundpod, "UPDATE", "", ""), "unboundpod")))
	c(off, pods, nil, asBob(named(pod("allow unrelated user delete of normal pod unbound", nil, nil, "DELETE", "", ""), "unboundpod")))
	c(off, none, nil, asBob(named(pod("allow unrelated user create of normal pod status unbound", unboundpod, nil, "CREATE", "status", ""), "unboundpod")))
	c(off, pods, nil, asBob(named(pod("allow unrelated user update of normal pod status unbound", unboundpod, unboundpod, "UPDATE", "status", ""), "unboundpod")))
	c(off, pods, nil, asBob(named(pod("allow unrelated user delete of normal pod status unbound", nil, nil, "DELETE", "status", ""), "unboundpod")))
	// Node leases
	ls := func(name string, obj, old runtime.Object, ns, objName, op, err string) admCase {
		return admCase{name: name, obj: obj, old: old, kind: kLease, ns: ns, objName: objName, res: rLeases, op: op, err: err}
	}
	leaseOK, leaseWrongNS, leaseWrongName := lease("kube-node-lease", "mynode"), lease("foo", "mynode"), lease("kube-node-lease", "foo")
	c(off, none, nil, ls("disallowed create lease in namespace other than kube-node-lease - feature enabled", leaseWrongNS, nil, "foo", "mynode", "CREATE", "forbidden: "))
	c(off, none, nil, ls("disallowed update lease in namespace other than kube-node-lease - feature enabled", leaseWrongNS, leaseWrongNS, "foo", "mynode", "UPDATE", "forbidden: "))
	c(off, none, nil, ls("disallowed delete lease in namespace other than kube-node-lease - feature enabled", nil, nil, "foo", "mynode", "DELETE", "forbidden: "))
	c(off, none, nil, ls("disallowed create another node's lease - feature enabled", leaseWrongName, nil, "kube-node-lease", "foo", "CREATE", "forbidden: "))
	c(off, none, nil, ls("disallowed update another node's lease - feature enabled", leaseWrongName, leaseWrongName, "kube-node-lease", "foo", "UPDATE", "forbidden: "))
	c(off, none, nil, ls("disallowed delete another node's lease - feature enabled", nil, nil, "kube-node-lease", "foo", "DELETE", "forbidden: "))
	c(off, none, nil, ls("allowed create node lease - feature enabled", leaseOK, nil, "kube-node-lease", "mynode", "CREATE", ""))
	c(off, none, nil, ls("allowed update node lease - feature enabled", leaseOK, leaseOK, "kube-node-lease", "mynode", "UPDATE", ""))
	c(off, none, nil, ls("allowed delete node lease - feature enabled", nil, nil, "kube-node-lease", "mynode", "DELETE", ""))
	// CSINode
	cn := func(name string, obj, old runtime.Object, objName, op, sub, err string) admCase {
		return admCase{name: name, obj: obj, old: old, kind: kCSINode, objName: objName, res: rCSINodes, sub: sub, op: op, err: err}
	}
	c(off, none, nil, cn("disallowed create another node's CSINode", nodeInfoWrongName, nil, "foo", "CREATE", "", "forbidden: "))
	c(off, none, nil, cn("disallowed update another node's CSINode", nodeInfoWrongName, nodeInfoWrongName, "foo", "UPDATE", "", "forbidden: "))
	c(off, none, nil, cn("disallowed delete another node's CSINode", nil, nil, "foo", "DELETE", "", "forbidden: "))
	c(off, none, nil, cn("allowed create node CSINode", nodeInfo, nil, "mynode", "CREATE", "", ""))
	c(off, none, nil, cn("allowed update node CSINode", nodeInfo, nodeInfo, "mynode", "UPDATE", "", ""))
	c(off, none, nil, cn("allowed delete node CSINode", nil, nil, "mynode", "DELETE", "", ""))
	c(off, none, nil, cn("disallowed update CSINode status - feature disabled", healthy, nodeInfo, "mynode", "UPDATE", "status", "CSIVolumeHealth feature gate is disabled"))
	c(health, none, nil, cn("allowed update own CSINode status", healthy, nodeInfo, "mynode", "UPDATE", "status", ""))
	c(health, none, nil, cn("disallowed update another node's CSINode status", nodeInfoWrongName, nodeInfoWrongName, "foo", "UPDATE", "status", "forbidden: "))
	c(health, none, nil, cn("disallowed modify CSINode Spec via status", evil, nodeInfo, "mynode", "UPDATE", "status", "forbidden: "))
	// CSR
	cs := func(name string, obj runtime.Object, err string) admCase {
		return admCase{name: name, obj: obj, kind: kCSR, res: rCSRs, op: "CREATE", err: err}
	}
	c(off, none, nil, cs("allowed CSR create correct node serving", csr("system:node:mynode", "kubernetes.io/kubelet-serving", true), ""))
	c(off, none, nil, cs("allowed CSR create correct node client", csr("system:node:mynode", "kubernetes.io/kube-apiserver-client-kubelet", true), ""))
	c(off, none, nil, cs("allowed CSR create non-node CSR", csr("some-other-identity", "kubernetes.io/kube-apiserver-client", true), ""))
	c(off, none, nil, cs("deny CSR create incorrect node", csr("system:node:othernode", "kubernetes.io/kubelet-serving", true), "forbidden: can only create a node CSR with CN=system:node:mynode"))
	c(insecure, none, nil, cs("allow CSR create incorrect node with feature gate disabled", csr("system:node:othernode", "kubernetes.io/kubelet-serving", true), ""))
	c(off, none, nil, cs("deny CSR create invalid", csr("system:node:mynode", "kubernetes.io/kubelet-serving", false), "unable to parse csr: asn1: syntax error: sequence truncated"))
	// PodCertificateRequest
	pc := func(name string, obj runtime.Object, user authenticationv1.UserInfo, err string) admCase {
		p := obj.(*certsv1.PodCertificateRequest)
		return admCase{name: name, obj: obj, kind: kPCR, ns: p.Namespace, objName: p.Name, res: rPCRs, op: "CREATE", user: user, err: err}
	}
	c(off, pcrs, nil, pc("deny node1 create PCR when feature gate disabled", pcr("ns", "pcrpod", "pod-uid", "pcr-sa", "", "pcr-node-1", "pcr-node-1-uid"), pcrUser, "PodCertificateRequest feature gate is disabled"))
	c(def, pcrs, nil, pc("allow node1 create PCR that references pod on node1", pcr("ns", "pcrpod", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, ""))
	c(def, pcrs, nil, pc("deny create node2 create PCR that references pod on node1", pcr("ns", "pcrpod", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser2, `PodCertificateRequest.Spec.NodeName="pcr-node-1", which is not the requesting node "pcr-node-2"`))
	c(def, pcrs, nil, pc("deny node1 create PCR that references nonexistent pod", pcr("ns", "nonexistent-pod", "nonexistent-pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, `pod "nonexistent-pod" not found`))
	c(def, pcrs, nil, pc("deny node1 create PCR that references nonexistent sa", pcr("ns", "pcrpod", "pod-uid", "nonexistent-sa", "nonexistent-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, `PodCertificateRequest for pod "ns/pcrpod" contains serviceAccountName ("nonexistent-sa") that differs from running pod ("pcr-sa")`))
	c(def, pcrs, nil, pc("deny node1 create PCR that references nonexistent node", pcr("ns", "pcrpod", "pod-uid", "pcr-sa", "pcr-sa-uid", "nonexistent-node", "nonexistent-node-uid"), pcrUser, `PodCertificateRequest.Spec.NodeName="nonexistent-node", which is not the requesting node "pcr-node-1"`))
	c(def, pcrs, nil, pc("deny node1 create PCR with mismatched pod UID", pcr("ns", "pcrpod", "wrong-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, `PodCertificateRequest for pod "ns/pcrpod" contains pod UID ("wrong-uid") which differs from running pod "pod-uid"`))
	c(def, pcrs, nil, pc("deny node1 create PCR with mismatched SA UID", pcr("ns", "pcrpod", "pod-uid", "pcr-sa", "wrong-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, `PodCertificateRequest for pod "ns/pcrpod" names service account UID "wrong-uid", which differs from the running service account ("pcr-sa-uid")`))
	c(def, pcrs, nil, pc("deny node1 create PCR with mismatched node UID", pcr("ns", "pcrpod", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "wrong-uid"), pcrUser, `PodCertificateRequest for pod "ns/pcrpod" names node UID "wrong-uid", inconsistent with the running node ("pcr-node-1-uid")`))
	const noVolume = `pod "ns/pcrpod-novolume" does not mount a podCertificate projected volume for signer "example.com/foo"`
	c(def, pcrs, nil, pc("deny node1 create PCR for pod without podCertificate volume", pcr("ns", "pcrpod-novolume", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, noVolume))
	c(def, pcrs, nil, pc("deny node1 create PCR for pod without podCertificate volume (no opinion)", pcr("ns", "pcrpod-novolume", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, noVolume))
	c(def, pcrs, nil, pc("deny node1 create PCR for pod with podCertificate volume for wrong signer", pcr("ns", "pcrpod-wrongsigner", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser,
		`pod "ns/pcrpod-wrongsigner" does not mount a podCertificate projected volume for signer "example.com/foo"`))
	signerGrant := grant("pcr-signer-foo", "system:node:pcr-node-1", "request-serviceaccounts-podcertificate-signer", "certificates.k8s.io", "example.com:foo", "pcr-sa")
	c(def, pcrs, signerGrant, pc("allow node1 create PCR for pod without podCertificate volume when bypass is granted", pcr("ns", "pcrpod-novolume", "pod-uid", "pcr-sa", "pcr-sa-uid", "pcr-node-1", "pcr-node-1-uid"), pcrUser, ""))

	return []*admTable{off, def, health, insecure, ownerReferenceTable(), pvcStatusTable(), resourceSliceTable()}
}

// ownerReferenceTable restates Test_nodePlugin_Admit_OwnerReference (no feature gates
// inspected). The node lister holds mynode with the expected uid, another uid, or nothing.
func ownerReferenceTable() *admTable {
	t := newAdmTable("noderestriction-owner-reference", "--authorization-mode Node,RBAC --feature-gates ServiceAccountNodeAudienceRestriction=false,PodCertificateRequest=false")
	expected := tm(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "mynode", UID: "mynode-uid"}}, "v1", "Node")
	unexpected := tm(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "mynode", UID: "mynode-unexpected-uid"}}, "v1", "Node")
	valid := metav1.OwnerReference{APIVersion: "v1", Kind: "Node", Name: "mynode", UID: "mynode-uid", Controller: ptrTo(true)}
	mod := func(f func(o *metav1.OwnerReference)) metav1.OwnerReference { o := valid; f(&o); return o }
	for _, tc := range []struct {
		name   string
		owners []metav1.OwnerReference
		nodes  []runtime.Object
		err    string
	}{
		{"no owner", nil, nil, `pods "test" is forbidden: node "mynode" can only create pods with an owner reference set to itself`},
		{"valid owner", []metav1.OwnerReference{valid}, nil, ""},
		{"duplicate owner", []metav1.OwnerReference{valid, valid}, nil, "can only create pods with a single owner reference set to itself"},
		{"invalid name", []metav1.OwnerReference{mod(func(o *metav1.OwnerReference) { o.Name = "other" })}, nil, "can only create pods with an owner reference set to itself"},
		{"invalid UID", []metav1.OwnerReference{valid}, []runtime.Object{unexpected}, "UID mismatch"},
		{"node not found", []metav1.OwnerReference{valid}, []runtime.Object{}, "not found"},
		{"invalid API version", []metav1.OwnerReference{mod(func(o *metav1.OwnerReference) { o.APIVersion = "v2" })}, nil, "can only create pods with an owner reference set to itself"},
		{"invalid kind", []metav1.OwnerReference{mod(func(o *metav1.OwnerReference) { o.Kind = "Pod" })}, nil, "can only create pods with an owner reference set to itself"},
		{"nil controller", []metav1.OwnerReference{mod(func(o *metav1.OwnerReference) { o.Controller = nil })}, nil, "can only create pods with a controller owner reference set to itself"},
		{"false controller", []metav1.OwnerReference{mod(func(o *metav1.OwnerReference) { o.Controller = ptrTo(false) })}, nil, "can only create pods with a controller owner reference set to itself"},
		{"invalid blockOwnerDeletion", []metav1.OwnerReference{mod(func(o *metav1.OwnerReference) { o.BlockOwnerDeletion = ptrTo(true) })}, nil, "must not set blockOwnerDeletion on an owner reference"},
	} {
		nodes := tc.nodes
		if nodes == nil {
			nodes = []runtime.Object{expected}
		}
		t.state(nodes...)
		p := makeTestPod("ns", "test", "mynode", true)
		p.OwnerReferences = tc.owners
		t.admit(admCase{name: tc.name, obj: p, kind: kPod, ns: "ns", objName: "test", res: rPods, op: "CREATE", user: mynode, err: tc.err})
	}
	return t
}

// pvcStatusTable restates TestAdmitPVCStatus. Upstream emulates v1.33 so that it can
// turn RecoverVolumeExpansionFailure off; v1.37 locks it on, so the case that needs it off
// is kept as a request but not checked.
func pvcStatusTable() *admTable {
	t := newAdmTable("noderestriction-pvc-status", "--authorization-mode Node,RBAC")
	t.state(tm(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "mynode", UID: "mynode-uid"}}, "v1", "Node"))
	makePVC := func(cond corev1.PersistentVolumeClaimConditionType, allocated string, resize *corev1.ClaimResourceStatus) runtime.Object {
		p := &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "volume1",
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10G")}}},
			Status: corev1.PersistentVolumeClaimStatus{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(allocated)}, Phase: corev1.ClaimBound,
				AllocatedResources: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(allocated)}}}
		if resize != nil {
			p.Status.AllocatedResourceStatuses = map[corev1.ResourceName]corev1.ClaimResourceStatus{corev1.ResourceStorage: *resize}
		}
		if cond != "" {
			p.Status.Conditions = []corev1.PersistentVolumeClaimCondition{{Type: cond, Status: corev1.ConditionTrue}}
		}
		return tm(p, "v1", "PersistentVolumeClaim")
	}
	failed := corev1.PersistentVolumeClaimNodeResizeInfeasible
	for _, tc := range []struct {
		name     string
		sub      string
		old, obj runtime.Object
		err      string
		note     string
	}{
		{"should not allow full pvc update from nodes", "", makePVC(corev1.PersistentVolumeClaimResizing, "10G", nil), makePVC("", "10G", nil), "is forbidden: may only update PVC status", ""},
		{"should allow capacity and condition updates, if expansion is enabled", "status", makePVC(corev1.PersistentVolumeClaimResizing, "10G", nil), makePVC(corev1.PersistentVolumeClaimFileSystemResizePending, "10G", nil), "", ""},
		{"should not allow updates to allocatedResources with just expansion enabled", "status", makePVC(corev1.PersistentVolumeClaimResizing, "10G", nil), makePVC(corev1.PersistentVolumeClaimFileSystemResizePending, "15G", nil),
			"is not allowed to update fields other than", "upstream turns RecoverVolumeExpansionFailure off under emulation version 1.33; v1.37 locks it on, so allocatedResources changes are allowed"},
		{"should allow updates to allocatedResources with expansion and recovery enabled", "status", makePVC(corev1.PersistentVolumeClaimResizing, "10G", nil), makePVC(corev1.PersistentVolumeClaimFileSystemResizePending, "15G", nil), "", ""},
		{"should allow updates to resizeStatus with expansion and recovery enabled", "status", makePVC(corev1.PersistentVolumeClaimResizing, "10G", nil), makePVC(corev1.PersistentVolumeClaimResizing, "10G", &failed), "", ""},
	} {
		t.admit(admCase{name: tc.name, obj: tc.obj, old: tc.old, ns: "default", objName: "foo", res: rPVCs, sub: tc.sub, op: "UPDATE", user: mynode, err: tc.err, note: tc.note})
	}
	return t
}

// resourceSliceTable restates TestAdmitResourceSlice (cases in name order; upstream
// iterates a map). Its "disabled" cases switch DynamicResourceAllocation off under
// emulation version 1.34; the plugin does not read that gate, and v1.37 locks it on, so
// they run with it on and upstream's expectations still hold.
func resourceSliceTable() *admTable {
	t := newAdmTable("noderestriction-resource-slice", "--authorization-mode Node,RBAC")
	slice := func(node *string) runtime.Object {
		return tm(&resourcev1.ResourceSlice{ObjectMeta: metav1.ObjectMeta{Name: "something"}, Spec: resourcev1.ResourceSliceSpec{NodeName: node}}, "resource.k8s.io/v1", "ResourceSlice")
	}
	sliceNode, sliceOther, sliceNone := slice(ptrTo("mynode")), slice(ptrTo("mynode-other")), slice(nil)
	const createErr = "can only create ResourceSlice with the same NodeName as the requesting node"
	const deleteErr = "can only delete ResourceSlice with the same NodeName as the requesting node"
	type tc struct {
		op       string
		obj, old runtime.Object
		err      string
	}
	cases := map[string]tc{
		"create allowed, enabled":                   {"CREATE", sliceNode, nil, ""},
		"create disallowed, enabled":                {"CREATE", sliceOther, nil, createErr},
		"create disallowed, no node name, enabled":  {"CREATE", sliceNone, nil, createErr},
		"create allowed, disabled":                  {"CREATE", sliceNode, nil, ""},
		"create disallowed, disabled":               {"CREATE", sliceOther, nil, createErr},
		"create disallowed, no node name, disabled": {"CREATE", sliceNone, nil, createErr},
		"update allowed, same node":                 {"UPDATE", sliceNode, nil, ""},
		"update allowed, other node":                {"UPDATE", sliceOther, nil, ""},
		"update allowed, no node":                   {"UPDATE", sliceNone, nil, ""},
		"delete allowed, enabled":                   {"DELETE", nil, sliceNode, ""},
		"delete disallowed, enabled":                {"DELETE", nil, sliceOther, deleteErr},
		"delete disallowed, no node name, enabled":  {"DELETE", nil, sliceNone, deleteErr},
		"delete allowed, disabled":                  {"DELETE", nil, sliceNode, ""},
		"delete disallowed, disabled":               {"DELETE", nil, sliceOther, deleteErr},
		"delete disallowed, no node name, disabled": {"DELETE", nil, sliceNone, deleteErr},
	}
	var names []string
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := cases[n]
		t.admit(admCase{name: n, obj: c.obj, old: c.old, objName: "foo", res: rSlices, op: c.op, user: mynode, err: c.err})
	}
	return t
}
