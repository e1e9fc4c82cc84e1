package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	certsv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	policyv1beta1 "k8s.io/api/policy/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// Admission is a seed's NodeRestriction scenario: AdmissionReviews (with interleaved
// watch events) over snapshot.json plus Snapshot, answered under the seed's chain plus
// Flags. It is drawn from streams of its own, so the seed's snapshot.json and
// requests.jsonl are byte-identical to what they were before admission existed.
type Admission struct {
	Snapshot []byte // admission-snapshot.json: a v1 List of extra objects
	Requests []byte // admission.jsonl
	Flags    string // admission-flags (without newline); empty: none
}

// admGen is the admission generator: a model of the cluster as the admission run sees it
// (snapshot.json, admission-snapshot.json, then the stream's watch events), read from the
// scenario's cluster without touching its random stream or counters.
type admGen struct {
	r     *rand.Rand
	seq   int
	nodes []*corev1.Node // Node objects that exist
	appNS []string
	pods  []*corev1.Pod
	sas   []*corev1.ServiceAccount
	pvcs  []*corev1.PersistentVolumeClaim
	objs  []runtime.Object // the admission snapshot
	lines []any
	// names of things the requests like to point at
	signers   []string
	audiences []string
	drivers   []string // CSI driver names pods use (some have no CSIDriver object)
}

const (
	admNodeGone    = "node-gone"    // pods run there, no Node object
	admNodeUnknown = "node-unknown" // nothing at all
)

var (
	admAudiences = []string{"", "api", "vault", "https://kubernetes.default.svc", "aud-a", "aud-b"}
	admSigners   = []string{"example.com/signer-a", "example.com/signer-b", "kubernetes.io/kube-apiserver-client-pod", "example.com/deep/signer"}
	// in-tree plugins csi-translation-lib migrates, and their CSI drivers
	inTreeDrivers = []string{"ebs.csi.aws.com", "pd.csi.storage.gke.io", "disk.csi.azure.com", "file.csi.azure.com", "cinder.csi.openstack.org", "csi.vsphere.vmware.com", "pxd.portworx.com"}
)

// newAdmission derives the admission scenario of a seed from the cluster as
// snapshot.json has it.
func newAdmission(seed uint64, c *cluster) (*Admission, error) {
	g := &admGen{r: rand.New(rand.NewPCG(seed, 0xad3155100)), appNS: c.appNS}
	for _, n := range c.nodes {
		g.nodes = append(g.nodes, n.DeepCopy())
	}
	for _, p := range c.pods {
		g.pods = append(g.pods, p.DeepCopy())
	}
	for _, s := range c.sas {
		g.sas = append(g.sas, s.DeepCopy())
	}
	g.signers = admSigners
	g.audiences = admAudiences
	g.drivers = append([]string{"adm-a.csi.example.com", "adm-b.csi.example.com", "adm-missing.csi.example.com"}, driverNames...)
	g.snapshotObjects()

	total := 250 + g.r.IntN(101)
	mutationAt := map[int]bool{}
	for i, n := 0, 4+g.r.IntN(5); i < n; i++ {
		mutationAt[1+g.r.IntN(total-1)] = true
	}
	for i := 0; i < total; i++ {
		if mutationAt[i] {
			for j, n := 0, 1+g.r.IntN(3); j < n; j++ {
				g.mutation()
			}
		}
		g.request()
	}

	a := &Admission{Flags: admissionFlags(seed)}
	list := struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Metadata   map[string]any   `json:"metadata"`
		Items      []runtime.Object `json:"items"`
	}{"v1", "List", map[string]any{"resourceVersion": ""}, g.objs}
	var err error
	if a.Snapshot, err = json.MarshalIndent(list, "", "  "); err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, l := range g.lines {
		data, err := json.Marshal(l)
		if err != nil {
			return nil, err
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	a.Requests = []byte(b.String())
	return a, nil
}

// admissionFlags varies the plugin's feature gates on about a third of the seeds, from a
// stream of its own.
func admissionFlags(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 0xfea7))
	if r.IntN(3) != 0 {
		return ""
	}
	var gates []string
	for len(gates) == 0 {
		for _, g := range []string{"AllowInsecureKubeletCertificateSigningRequests=true", "CSIVolumeHealth=true", "ServiceAccountNodeAudienceRestriction=false", "PodCertificateRequest=false"} {
			if r.IntN(2) == 0 {
				gates = append(gates, g)
			}
		}
	}
	return "--feature-gates " + strings.Join(gates, ",")
}

// Write stores the admission scenario beside the seed's scenario.
func (a *Admission) Write(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "admission-snapshot.json"), a.Snapshot, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "admission.jsonl"), a.Requests, 0o644); err != nil {
		return err
	}
	path := filepath.Join(dir, "admission-flags")
	if a.Flags == "" {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	return os.WriteFile(path, []byte(a.Flags+"\n"), 0o644)
}

// ---------------------------------------------------------------------------------
// helpers

func (g *admGen) chance(p float64) bool { return g.r.Float64() < p }
func (g *admGen) next() int             { g.seq++; return g.seq }
func apick[T any](g *admGen, xs []T) T  { return xs[g.r.IntN(len(xs))] }

func (g *admGen) nodeUID(name string) (types.UID, bool) {
	for _, n := range g.nodes {
		if n.Name == name {
			return n.UID, true
		}
	}
	return "", false
}

// actingNode is the node a request comes from: mostly an existing node, sometimes one
// whose Node object is missing.
func (g *admGen) actingNode() string {
	switch x := g.r.Float64(); {
	case x < 0.8 && len(g.nodes) > 0:
		return apick(g, g.nodes).Name
	case x < 0.92:
		return admNodeGone
	default:
		return admNodeUnknown
	}
}

// otherNode is a node other than self (existing or not).
func (g *admGen) otherNode(self string) string {
	for i := 0; i < 5; i++ {
		n := g.actingNode()
		if n != self {
			return n
		}
	}
	return "node-elsewhere"
}

// who returns the requesting user for a request made on behalf of node: mostly that
// node's identity, sometimes the identities at the edges.
func (g *admGen) who(node string) authenticationv1.UserInfo {
	switch x := g.r.Float64(); {
	case x < 0.86:
		groups := []string{"system:nodes", "system:authenticated"}
		if g.chance(0.3) {
			groups = []string{"system:nodes"}
		}
		return authenticationv1.UserInfo{Username: "system:node:" + node, Groups: groups}
	case x < 0.9:
		return authenticationv1.UserInfo{Username: "system:node:", Groups: []string{"system:nodes", "system:authenticated"}}
	case x < 0.93:
		return authenticationv1.UserInfo{Username: "system:node:" + node, Groups: []string{"system:authenticated"}}
	case x < 0.96:
		return authenticationv1.UserInfo{Username: "alice", Groups: []string{"system:authenticated"}, Extra: map[string]authenticationv1.ExtraValue{"scopes": {"a"}}}
	case x < 0.98:
		return authenticationv1.UserInfo{Username: "system:serviceaccount:kube-system:node-controller", UID: "sa-uid", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}}
	default:
		return authenticationv1.UserInfo{Username: "system:admin", Groups: []string{"system:masters", "system:nodes"}}
	}
}

func meta(obj runtime.Object, apiVersion, kind string) runtime.Object {
	typeMeta(obj, apiVersion, kind)
	return obj
}

func raw(obj runtime.Object) runtime.RawExtension {
	if obj == nil {
		return runtime.RawExtension{}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return runtime.RawExtension{Raw: data}
}

type gvk struct{ group, version, kind string }
type gvr struct{ group, version, resource string }

var (
	kPod      = gvk{"", "v1", "Pod"}
	rPods     = gvr{"", "v1", "pods"}
	rNodes    = gvr{"", "v1", "nodes"}
	kNode     = gvk{"", "v1", "Node"}
	rPVCs     = gvr{"", "v1", "persistentvolumeclaims"}
	kPVC      = gvk{"", "v1", "PersistentVolumeClaim"}
	rSAs      = gvr{"", "v1", "serviceaccounts"}
	rLeases   = gvr{"coordination.k8s.io", "v1", "leases"}
	kLease    = gvk{"coordination.k8s.io", "v1", "Lease"}
	rCSINodes = gvr{"storage.k8s.io", "v1", "csinodes"}
	kCSINode  = gvk{"storage.k8s.io", "v1", "CSINode"}
	rSlices   = gvr{"resource.k8s.io", "v1", "resourceslices"}
	kSlice    = gvk{"resource.k8s.io", "v1", "ResourceSlice"}
	rCSRs     = gvr{"certificates.k8s.io", "v1", "certificatesigningrequests"}
	kCSR      = gvk{"certificates.k8s.io", "v1", "CertificateSigningRequest"}
	rPCRs     = gvr{"certificates.k8s.io", "v1", "podcertificaterequests"}
	kPCR      = gvk{"certificates.k8s.io", "v1", "PodCertificateRequest"}
)

// review appends one AdmissionReview.
func (g *admGen) review(user authenticationv1.UserInfo, op string, k gvk, res gvr, sub, ns, name string, obj, old runtime.Object) {
	req := &admissionv1.AdmissionRequest{
		UID:         types.UID(fmt.Sprintf("adm-%d", len(g.lines)+1)),
		Kind:        metav1.GroupVersionKind{Group: k.group, Version: k.version, Kind: k.kind},
		Resource:    metav1.GroupVersionResource{Group: res.group, Version: res.version, Resource: res.resource},
		SubResource: sub,
		Name:        name,
		Namespace:   ns,
		Operation:   admissionv1.Operation(op),
		UserInfo:    user,
		Object:      raw(obj),
		OldObject:   raw(old),
	}
	if g.chance(0.05) {
		req.DryRun = ptr(true)
	}
	g.lines = append(g.lines, &admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req})
}

func (g *admGen) event(typ string, obj runtime.Object) {
	g.lines = append(g.lines, event{typ, obj})
}

func (g *admGen) podsOn(node string) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range g.pods {
		if p.Spec.NodeName == node {
			out = append(out, p)
		}
	}
	return out
}

// somePod picks a pod, preferring one on node (and among those, the admission
// snapshot's own pods when adm is set).
func (g *admGen) somePod(node string, adm bool) *corev1.Pod {
	if g.chance(0.65) {
		var mine []*corev1.Pod
		for _, p := range g.podsOn(node) {
			if !adm || strings.HasPrefix(p.Name, "adm-") {
				mine = append(mine, p)
			}
		}
		if len(mine) > 0 {
			return apick(g, mine)
		}
	}
	if adm && g.chance(0.7) {
		var ours []*corev1.Pod
		for _, p := range g.pods {
			if strings.HasPrefix(p.Name, "adm-") {
				ours = append(ours, p)
			}
		}
		if len(ours) > 0 {
			return apick(g, ours)
		}
	}
	if len(g.pods) == 0 {
		return nil
	}
	return apick(g, g.pods)
}

func (g *admGen) saFor(ns string) *corev1.ServiceAccount {
	var in []*corev1.ServiceAccount
	for _, s := range g.sas {
		if s.Namespace == ns {
			in = append(in, s)
		}
	}
	if len(in) == 0 {
		return nil
	}
	return apick(g, in)
}

func (g *admGen) findSA(ns, name string) *corev1.ServiceAccount {
	for _, s := range g.sas {
		if s.Namespace == ns && s.Name == name {
			return s
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------
// the admission snapshot

func (g *admGen) add(obj runtime.Object) { g.objs = append(g.objs, obj) }

func (g *admGen) snapshotObjects() {
	// CSI drivers: one with token requests, one without, one missing; the in-tree
	// migration targets the main snapshot does not have, sometimes with token requests.
	tokenRequests := func() []storagev1.TokenRequest {
		var out []storagev1.TokenRequest
		for i, n := 0, g.r.IntN(3); i < n; i++ {
			out = append(out, storagev1.TokenRequest{Audience: apick(g, g.audiences)})
		}
		return out
	}
	addDriver := func(name string, trs []storagev1.TokenRequest) {
		d := &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: storagev1.CSIDriverSpec{TokenRequests: trs}}
		g.add(meta(d, "storage.k8s.io/v1", "CSIDriver"))
	}
	addDriver("adm-a.csi.example.com", append(tokenRequests(), storagev1.TokenRequest{Audience: apick(g, g.audiences)}))
	addDriver("adm-b.csi.example.com", nil)
	for _, d := range inTreeDrivers[2:] {
		if g.chance(0.6) {
			addDriver(d, tokenRequests())
		}
	}

	// PVs: CSI and in-tree sources (some translations fail), and non-migratable ones.
	var pvNames []string
	for i, n := 0, 5+g.r.IntN(4); i < n; i++ {
		pv := g.admPV(fmt.Sprintf("adm-pv-%d", i))
		pvNames = append(pvNames, pv.Name)
		g.add(pv)
	}
	pvRef := func() string {
		switch x := g.r.Float64(); {
		case x < 0.8:
			return apick(g, pvNames)
		case x < 0.9:
			return "adm-pv-missing"
		default:
			return ""
		}
	}

	// Pods that give token requests and pod certificate requests something to find.
	for i, n := 0, 8+g.r.IntN(7); i < n; i++ {
		ns := apick(g, g.appNS)
		node := g.actingNode()
		if node == admNodeUnknown {
			node = ""
		}
		name := fmt.Sprintf("adm-pod-%d", i)
		uid := types.UID(fmt.Sprintf("adm-pod-uid-%d", i))
		if i%2 == 0 {
			// The apiserver's form, a lowercase UUID (kauthz keeps these packed).
			uid = types.UID(fmt.Sprintf("7b0e8c1a-0000-4000-8000-%012x", i))
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid}}
		pod.Spec.NodeName = node
		if sa := g.saFor(ns); sa != nil && g.chance(0.9) {
			pod.Spec.ServiceAccountName = sa.Name
		}
		if g.chance(0.1) {
			pod.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "mirror"}
		}
		pod.Spec.Containers = []corev1.Container{{Name: "c", Image: "registry.example/app:1"}}
		for j, m := 0, 1+g.r.IntN(3); j < m; j++ {
			vol := corev1.Volume{Name: fmt.Sprintf("v%d", j)}
			switch g.r.IntN(11) {
			case 0, 1:
				var srcs []corev1.VolumeProjection
				if g.chance(0.5) {
					srcs = append(srcs, corev1.VolumeProjection{DownwardAPI: &corev1.DownwardAPIProjection{}})
				}
				srcs = append(srcs, corev1.VolumeProjection{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: apick(g, g.audiences), Path: "token"}})
				vol.Projected = &corev1.ProjectedVolumeSource{Sources: srcs}
			case 2, 3:
				vol.CSI = &corev1.CSIVolumeSource{Driver: apick(g, append(append([]string{}, g.drivers...), inTreeDrivers...))}
			case 4, 5:
				claim := fmt.Sprintf("adm-pvc-%s-%d", name, j)
				if g.chance(0.85) {
					g.addPVC(ns, claim, pvRef())
				}
				vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}
			case 6:
				vol.Ephemeral = &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}
				if g.chance(0.7) {
					g.addPVC(ns, name+"-"+vol.Name, pvRef())
				}
			case 7, 8:
				vol.VolumeSource = g.inTreeInline()
			case 9:
				vol.Projected = &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{PodCertificate: &corev1.PodCertificateProjection{SignerName: apick(g, g.signers), KeyType: "ED25519"}}}}
			default:
				vol.HostPath = &corev1.HostPathVolumeSource{Path: "/data"}
			}
			pod.Spec.Volumes = append(pod.Spec.Volumes, vol)
		}
		meta(pod, "v1", "Pod")
		g.pods = append(g.pods, pod)
		g.add(pod)
	}

	// RBAC for the plugin's authorizer fallbacks.
	for i, n := 0, 1+g.r.IntN(4); i < n; i++ {
		var rule rbacv1.PolicyRule
		if g.chance(0.5) {
			rule = rbacv1.PolicyRule{Verbs: []string{"request-serviceaccounts-token-audience"}, APIGroups: []string{""}, Resources: []string{apick(g, g.audiences[1:])}}
			if g.chance(0.2) {
				rule.Resources = []string{"*"}
			}
		} else {
			rule = rbacv1.PolicyRule{Verbs: []string{"request-serviceaccounts-podcertificate-signer"}, APIGroups: []string{"certificates.k8s.io"}, Resources: []string{strings.ReplaceAll(apick(g, g.signers), "/", ":")}}
		}
		if g.chance(0.3) {
			if sa := g.saFor(apick(g, g.appNS)); sa != nil {
				rule.ResourceNames = []string{sa.Name}
			}
		}
		subject := rbacv1.Subject{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:nodes"}
		if len(g.nodes) > 0 && g.chance(0.6) {
			subject = rbacv1.Subject{Kind: "User", APIGroup: rbacv1.GroupName, Name: "system:node:" + apick(g, g.nodes).Name}
		}
		name := fmt.Sprintf("adm-fallback-%d", i)
		if g.chance(0.35) {
			ns := apick(g, g.appNS)
			role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Rules: []rbacv1.PolicyRule{rule}}
			rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Subjects: []rbacv1.Subject{subject},
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}}
			g.add(meta(role, "rbac.authorization.k8s.io/v1", "Role"))
			g.add(meta(rb, "rbac.authorization.k8s.io/v1", "RoleBinding"))
			continue
		}
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{rule}}
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: []rbacv1.Subject{subject},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}}
		g.add(meta(cr, "rbac.authorization.k8s.io/v1", "ClusterRole"))
		g.add(meta(crb, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))
	}
	if g.chance(0.3) { // a node binding to a missing role: the chain reports an error with its denial
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "adm-dangling"}, Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:nodes"}},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "adm-missing-role"}}
		g.add(meta(crb, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))
	}
}

func (g *admGen) addPVC(ns, name, volumeName string) {
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: volumeName}}
	meta(pvc, "v1", "PersistentVolumeClaim")
	g.pvcs = append(g.pvcs, pvc)
	g.add(pvc)
}

func (g *admGen) admPV(name string) *corev1.PersistentVolume {
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name}}
	meta(pv, "v1", "PersistentVolume")
	src := &pv.Spec.PersistentVolumeSource
	switch g.r.IntN(10) {
	case 0, 1:
		src.CSI = &corev1.CSIPersistentVolumeSource{Driver: apick(g, g.drivers), VolumeHandle: name}
	case 2:
		src.AWSElasticBlockStore = &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: apick(g, []string{"vol-0123456789abcdef0", "aws://us-east-1a/vol-01234567", "aws://us-east-1a/not-a-volume"})}
	case 3:
		src.GCEPersistentDisk = &corev1.GCEPersistentDiskVolumeSource{PDName: "disk-1"}
		if g.chance(0.5) {
			pv.Labels = map[string]string{corev1.LabelTopologyZone: apick(g, []string{"us-central1-a", "us-central1-a__us-central1-b", "bogus"})}
		}
	case 4:
		kinds := []*corev1.AzureDataDiskKind{nil, ptr(corev1.AzureManagedDisk), ptr(corev1.AzureSharedBlobDisk)}
		src.AzureDisk = &corev1.AzureDiskVolumeSource{DiskName: "d", DataDiskURI: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d", Kind: apick(g, kinds)}
	case 5:
		af := &corev1.AzureFilePersistentVolumeSource{SecretName: "azure-secret", ShareName: "share"}
		if g.chance(0.5) {
			af.SecretNamespace = ptr(apick(g, g.appNS))
		} else if g.chance(0.5) {
			pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: apick(g, g.appNS), Name: "x"}
		}
		src.AzureFile = af
	case 6:
		src.Cinder = &corev1.CinderPersistentVolumeSource{VolumeID: "cinder-vol"}
	case 7:
		src.VsphereVolume = &corev1.VsphereVirtualDiskVolumeSource{VolumePath: "[ds] vol.vmdk"}
	case 8:
		src.PortworxVolume = &corev1.PortworxVolumeSource{VolumeID: "px-vol"}
	default:
		if g.chance(0.5) {
			src.HostPath = &corev1.HostPathVolumeSource{Path: "/mnt"}
		} else {
			src.NFS = &corev1.NFSVolumeSource{Server: "nfs.example", Path: "/export"}
		}
	}
	return pv
}

func (g *admGen) inTreeInline() corev1.VolumeSource {
	var src corev1.VolumeSource
	switch g.r.IntN(7) {
	case 0:
		src.AWSElasticBlockStore = &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: apick(g, []string{"vol-0123456789abcdef0", "aws://us-east-1a/bad"})}
	case 1:
		src.GCEPersistentDisk = &corev1.GCEPersistentDiskVolumeSource{PDName: "disk-1"}
	case 2:
		kinds := []*corev1.AzureDataDiskKind{nil, ptr(corev1.AzureManagedDisk), ptr(corev1.AzureDedicatedBlobDisk)}
		src.AzureDisk = &corev1.AzureDiskVolumeSource{DiskName: "d", DataDiskURI: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d", Kind: apick(g, kinds)}
	case 3:
		src.AzureFile = &corev1.AzureFileVolumeSource{SecretName: "azure-secret", ShareName: "share"}
	case 4:
		src.Cinder = &corev1.CinderVolumeSource{VolumeID: "cinder-vol"}
	case 5:
		src.VsphereVolume = &corev1.VsphereVirtualDiskVolumeSource{VolumePath: "[ds] vol.vmdk"}
	default:
		src.PortworxVolume = &corev1.PortworxVolumeSource{VolumeID: "px-vol"}
	}
	return src
}

// ---------------------------------------------------------------------------------
// mutations between requests

func (g *admGen) mutation() {
	switch g.r.IntN(8) {
	case 0, 1: // a pod goes away (token and PCR requests for it then miss)
		if len(g.pods) == 0 {
			return
		}
		i := g.r.IntN(len(g.pods))
		p := g.pods[i]
		g.pods = removeAt(g.pods, i)
		g.event("DELETED", p)
	case 2: // a pod is recreated with a new uid, or moved to another node
		if len(g.pods) == 0 {
			return
		}
		i := g.r.IntN(len(g.pods))
		p := g.pods[i].DeepCopy()
		if g.chance(0.5) {
			p.UID = types.UID(fmt.Sprintf("adm-recreated-uid-%d", g.next()))
		} else {
			p.Spec.NodeName = g.otherNode(p.Spec.NodeName)
		}
		g.pods[i] = p
		g.event("MODIFIED", p)
	case 3: // a node is deleted or re-registered with a new uid
		if len(g.nodes) < 2 {
			return
		}
		i := g.r.IntN(len(g.nodes))
		if g.chance(0.5) {
			n := g.nodes[i]
			g.nodes = removeAt(g.nodes, i)
			g.event("DELETED", n)
			return
		}
		n := g.nodes[i].DeepCopy()
		n.UID = types.UID(fmt.Sprintf("node-uid-%s-%d", n.Name, g.next()))
		g.nodes[i] = n
		g.event("MODIFIED", n)
	case 4: // a service account goes away or is recreated
		if len(g.sas) == 0 {
			return
		}
		i := g.r.IntN(len(g.sas))
		if g.chance(0.5) {
			s := g.sas[i]
			g.sas = removeAt(g.sas, i)
			g.event("DELETED", s)
			return
		}
		s := g.sas[i].DeepCopy()
		s.UID = types.UID(fmt.Sprintf("sa-uid-recreated-%d", g.next()))
		g.sas[i] = s
		g.event("MODIFIED", s)
	case 5: // a CSI driver changes its token requests or goes away
		name := apick(g, append([]string{"adm-a.csi.example.com", "adm-b.csi.example.com"}, inTreeDrivers...))
		d := &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: name}}
		meta(d, "storage.k8s.io/v1", "CSIDriver")
		if g.chance(0.4) {
			g.event("DELETED", d)
			return
		}
		d.Spec.TokenRequests = []storagev1.TokenRequest{{Audience: apick(g, g.audiences)}}
		g.event("MODIFIED", d)
	case 6: // a PVC goes away
		if len(g.pvcs) == 0 {
			return
		}
		i := g.r.IntN(len(g.pvcs))
		p := g.pvcs[i]
		g.pvcs = removeAt(g.pvcs, i)
		g.event("DELETED", p)
	default: // a fallback grant appears
		name := fmt.Sprintf("adm-late-%d", g.next())
		var rule rbacv1.PolicyRule
		if g.chance(0.5) {
			rule = rbacv1.PolicyRule{Verbs: []string{"request-serviceaccounts-token-audience"}, APIGroups: []string{""}, Resources: []string{apick(g, g.audiences[1:])}}
		} else {
			rule = rbacv1.PolicyRule{Verbs: []string{"request-serviceaccounts-podcertificate-signer"}, APIGroups: []string{"certificates.k8s.io"}, Resources: []string{strings.ReplaceAll(apick(g, g.signers), "/", ":")}}
		}
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{rule}}
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "system:nodes"}},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}}
		g.event("ADDED", meta(cr, "rbac.authorization.k8s.io/v1", "ClusterRole"))
		g.event("ADDED", meta(crb, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))
	}
}

// ---------------------------------------------------------------------------------
// requests

func (g *admGen) request() {
	type kind struct {
		w int
		f func(node string)
	}
	kinds := []kind{
		{40, g.podCreate}, {14, g.podDelete}, {8, g.podOther}, {24, g.podStatus}, {18, g.eviction},
		{36, g.nodeRequest}, {18, g.pvcRequest}, {45, g.tokenRequest}, {5, g.saOther}, {12, g.lease},
		{14, g.csiNode}, {12, g.slice}, {22, g.csr}, {32, g.pcr}, {8, g.ignored}, {4, g.wrongType},
	}
	total := 0
	for _, k := range kinds {
		total += k.w
	}
	x := g.r.IntN(total)
	for _, k := range kinds {
		if x < k.w {
			k.f(g.actingNode())
			return
		}
		x -= k.w
	}
}

// ops picks an operation: the usual one with probability p, else another.
func (g *admGen) op(usual string, p float64) string {
	if g.chance(p) {
		return usual
	}
	return apick(g, []string{"CREATE", "UPDATE", "DELETE", "CONNECT"})
}

// --- pods

func (g *admGen) podCreate(node string) {
	ns := apick(g, g.appNS)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("static-%d-%s", g.next(), node)}}
	if g.chance(0.9) {
		pod.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "hash"}
	}
	switch x := g.r.Float64(); {
	case x < 0.8:
		pod.Spec.NodeName = node
	case x < 0.92:
		pod.Spec.NodeName = g.otherNode(node)
	}
	uid, ok := g.nodeUID(node)
	if !ok {
		uid = nodeUIDFor(node)
	}
	owner := metav1.OwnerReference{APIVersion: "v1", Kind: "Node", Name: node, UID: uid, Controller: ptr(true)}
	if g.chance(0.45) {
		switch g.r.IntN(10) {
		case 0:
			owner.APIVersion = apick(g, []string{"v2", "apps/v1", ""})
		case 1:
			owner.Kind = apick(g, []string{"Pod", "node", ""})
		case 2:
			owner.Name = apick(g, []string{g.otherNode(node), ""})
		case 3:
			owner.Controller = nil
		case 4:
			owner.Controller = ptr(false)
		case 5:
			owner.BlockOwnerDeletion = ptr(true)
		case 6:
			owner.BlockOwnerDeletion = ptr(false)
		case 7:
			owner.UID = "node-uid-stale"
			if g.chance(0.5) {
				// The node's uid spelled in uppercase: the same UUID, another uid to upstream.
				owner.UID = types.UID(strings.ToUpper(string(uid)))
			}
		case 8:
			owner.UID = ""
		default:
			owner.BlockOwnerDeletion = ptr(true)
			owner.Controller = nil
		}
	}
	switch x := g.r.Float64(); {
	case x < 0.08:
	case x < 0.16:
		pod.OwnerReferences = []metav1.OwnerReference{owner, owner}
	case x < 0.2:
		pod.OwnerReferences = []metav1.OwnerReference{owner, {APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", UID: "rs-uid"}}
	default:
		pod.OwnerReferences = []metav1.OwnerReference{owner}
	}
	pod.Spec.Containers = []corev1.Container{{Name: "c", Image: "registry.example/static:1"}}
	if g.chance(0.6) {
		g.apiReference(pod)
	}
	if g.chance(0.3) {
		pod.Spec.Volumes = append(pod.Spec.Volumes, g.harmlessVolume(len(pod.Spec.Volumes)))
	}
	meta(pod, "v1", "Pod")
	name := pod.Name
	if g.chance(0.1) {
		pod.GenerateName, pod.Name, name = "static-", "", ""
	} else if g.chance(0.03) {
		name = "" // a name only in the object
	}
	g.review(g.who(node), g.op("CREATE", 0.95), kPod, rPods, "", ns, name, pod, nil)
}

func (g *admGen) harmlessVolume(i int) corev1.Volume {
	v := corev1.Volume{Name: fmt.Sprintf("h%d", i)}
	switch g.r.IntN(8) {
	case 0:
		v.HostPath = &corev1.HostPathVolumeSource{Path: "/etc/kubernetes"}
	case 1:
		v.EmptyDir = &corev1.EmptyDirVolumeSource{}
	case 2:
		v.DownwardAPI = &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}}}}
	case 3:
		v.NFS = &corev1.NFSVolumeSource{Server: "nfs", Path: "/"}
	case 4:
		v.Image = &corev1.ImageVolumeSource{Reference: "registry.example/data:1"}
	case 5:
		v.GCEPersistentDisk = &corev1.GCEPersistentDiskVolumeSource{PDName: "pd"}
	case 6:
		v.Projected = &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{DownwardAPI: &corev1.DownwardAPIProjection{}}}}
	default:
		v.ISCSI = &corev1.ISCSIVolumeSource{TargetPortal: "10.0.0.3:3260", IQN: "iqn.2001-04.com.example:storage"}
	}
	if g.chance(0.15) {
		// A second source that references an API object, in the same volume (the apiserver
		// refuses it; a file can hold it): upstream's check looks at the harmless one first.
		switch g.r.IntN(3) {
		case 0:
			v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc"}
		case 1:
			v.CSI = &corev1.CSIVolumeSource{Driver: "csi.example.com"}
		default:
			v.Ephemeral = &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}
		}
	}
	return v
}

// apiReference adds one of the ways a pod can reference API objects.
func (g *admGen) apiReference(pod *corev1.Pod) {
	secretEnv := corev1.EnvVar{Name: "S", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}}
	cmEnv := corev1.EnvVar{Name: "C", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "k"}}}
	secretFrom := corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}}
	cmFrom := corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}
	withEnv := func(env []corev1.EnvVar, from []corev1.EnvFromSource) {
		switch g.r.IntN(3) {
		case 0:
			pod.Spec.Containers[0].Env, pod.Spec.Containers[0].EnvFrom = env, from
		case 1:
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{Name: "init", Image: "busybox", Env: env, EnvFrom: from})
		default:
			pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox", Env: env, EnvFrom: from}})
		}
	}
	vol := func(src corev1.VolumeSource) {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: fmt.Sprintf("v%d", len(pod.Spec.Volumes)), VolumeSource: src})
	}
	projected := func(p corev1.VolumeProjection) {
		srcs := []corev1.VolumeProjection{p}
		if g.chance(0.3) {
			srcs = append([]corev1.VolumeProjection{{DownwardAPI: &corev1.DownwardAPIProjection{}}}, srcs...)
		}
		vol(corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: srcs}})
	}
	switch g.r.IntN(27) {
	case 0:
		pod.Spec.ServiceAccountName = "default"
	case 1:
		pod.Spec.DeprecatedServiceAccount = "default"
	case 2:
		withEnv([]corev1.EnvVar{{Name: "P", Value: "plain"}, secretEnv}, nil)
	case 3:
		withEnv([]corev1.EnvVar{cmEnv}, nil)
	case 4:
		withEnv(nil, []corev1.EnvFromSource{secretFrom})
	case 5:
		withEnv(nil, []corev1.EnvFromSource{cmFrom})
	case 6:
		pod.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
	case 7:
		vol(corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}})
	case 8:
		vol(corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}})
	case 9:
		projected(corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}})
	case 10:
		projected(corev1.VolumeProjection{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}})
	case 11:
		projected(corev1.VolumeProjection{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t"}})
	case 12:
		projected(corev1.VolumeProjection{ClusterTrustBundle: &corev1.ClusterTrustBundleProjection{Name: ptr("ctb"), Path: "b"}})
	case 13:
		projected(corev1.VolumeProjection{PodCertificate: &corev1.PodCertificateProjection{SignerName: "example.com/signer-a", KeyType: "ED25519"}})
	case 14:
		vol(corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "csi.example.com"}})
	case 15:
		vol(corev1.VolumeSource{Glusterfs: &corev1.GlusterfsVolumeSource{EndpointsName: "ep", Path: "p"}})
	case 16:
		vol(corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc"}})
	case 17:
		vol(corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{}}})
	case 18:
		vol(corev1.VolumeSource{AzureFile: &corev1.AzureFileVolumeSource{SecretName: "az", ShareName: "share"}})
	case 19:
		pod.Spec.ResourceClaims = []corev1.PodResourceClaim{{Name: "rc", ResourceClaimName: ptr("claim")}}
	case 20:
		vol(corev1.VolumeSource{}) // no source at all
	case 21:
		vol(corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{}}}}) // an empty projection
	case 22:
		vol(corev1.VolumeSource{CephFS: &corev1.CephFSVolumeSource{Monitors: []string{"m"}, SecretRef: &corev1.LocalObjectReference{Name: "ceph"}}})
	case 23:
		vol(corev1.VolumeSource{FlexVolume: &corev1.FlexVolumeSource{Driver: "x/flex", SecretRef: &corev1.LocalObjectReference{Name: "flex"}}})
	case 24:
		vol(corev1.VolumeSource{CSI: &corev1.CSIVolumeSource{Driver: "csi.example.com", NodePublishSecretRef: &corev1.LocalObjectReference{Name: "csi-secret"}}})
	case 25:
		vol(corev1.VolumeSource{Cinder: &corev1.CinderVolumeSource{VolumeID: "v", SecretRef: &corev1.LocalObjectReference{Name: "cinder"}}})
	default: // several at once: the first kind in upstream's check order wins
		pod.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
		withEnv([]corev1.EnvVar{cmEnv}, nil)
		vol(corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "pvc"}})
		if g.chance(0.5) {
			pod.Spec.ServiceAccountName = "default"
		}
	}
}

func (g *admGen) podDelete(node string) {
	p := g.somePod(node, false)
	if p == nil || g.chance(0.12) {
		ns := apick(g, g.appNS)
		g.review(g.who(node), "DELETE", kPod, rPods, "", ns, fmt.Sprintf("missing-%d", g.next()), nil, nil)
		return
	}
	ns := p.Namespace
	if g.chance(0.05) {
		ns = "kube-system"
	}
	g.review(g.who(node), g.op("DELETE", 0.95), kPod, rPods, "", ns, p.Name, nil, p)
}

func (g *admGen) podOther(node string) {
	p := g.somePod(node, false)
	if p == nil {
		return
	}
	switch g.r.IntN(4) {
	case 0:
		np := p.DeepCopy()
		np.Labels = map[string]string{"changed": "yes"}
		g.review(g.who(node), "UPDATE", kPod, rPods, "", p.Namespace, p.Name, np, p)
	case 1:
		g.review(g.who(node), "CONNECT", gvk{"", "v1", "PodExecOptions"}, rPods, apick(g, []string{"exec", "attach", "portforward", "proxy"}), p.Namespace, p.Name, nil, nil)
	case 2:
		b := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name}, Target: corev1.ObjectReference{Kind: "Node", Name: node}}
		meta(b, "v1", "Binding")
		g.review(g.who(node), "CREATE", gvk{"", "v1", "Binding"}, rPods, "binding", p.Namespace, p.Name, b, nil)
	default:
		sub := apick(g, []string{"ephemeralcontainers", "resize", "exec", "log"})
		op := apick(g, []string{"UPDATE", "CREATE", "DELETE"})
		var obj, old runtime.Object
		if op == "UPDATE" {
			obj, old = p, p
		}
		g.review(g.who(node), op, kPod, rPods, sub, p.Namespace, p.Name, obj, old)
	}
}

func (g *admGen) podStatus(node string) {
	old := g.somePod(node, false)
	if old == nil {
		return
	}
	np := old.DeepCopy()
	np.Status.Phase = corev1.PodRunning
	for i, n := 0, g.r.IntN(3); i < n; i++ {
		switch g.r.IntN(10) {
		case 0:
			if np.Labels == nil {
				np.Labels = map[string]string{}
			}
			np.Labels["added"] = "x"
		case 1:
			if len(np.Labels) > 0 {
				np.Labels = nil
			} else {
				np.Labels = map[string]string{} // nil and empty labels are equal
			}
		case 2:
			np.Status.ResourceClaimStatuses = append(np.Status.ResourceClaimStatuses, corev1.PodResourceClaimStatus{Name: "late", ResourceClaimName: ptr("late-claim")})
		case 3:
			if len(np.Status.ResourceClaimStatuses) > 0 {
				s := &np.Status.ResourceClaimStatuses[0]
				switch g.r.IntN(3) {
				case 0:
					s.ResourceClaimName = nil
				case 1:
					s.ResourceClaimName = ptr("other-claim")
				default:
					s.Name = "renamed"
				}
			} else {
				np.Status.ResourceClaimStatuses = []corev1.PodResourceClaimStatus{{Name: "rc"}}
			}
		case 4:
			if np.Status.ExtendedResourceClaimStatus == nil {
				np.Status.ExtendedResourceClaimStatus = &corev1.PodExtendedResourceClaimStatus{ResourceClaimName: "ext", RequestMappings: []corev1.ContainerExtendedResourceRequest{{ContainerName: "c", ResourceName: "example.com/gpu", RequestName: "r"}}}
			} else if g.chance(0.5) {
				np.Status.ExtendedResourceClaimStatus = nil
			} else {
				np.Status.ExtendedResourceClaimStatus.RequestMappings = append(np.Status.ExtendedResourceClaimStatus.RequestMappings, corev1.ContainerExtendedResourceRequest{ContainerName: "c1", ResourceName: "example.com/gpu", RequestName: "r1"})
			}
		case 5, 6:
			q := resource.MustParse(apick(g, []string{"1", "1000m", "2"}))
			st := corev1.NodeAllocatableResourceClaimStatus{ResourceClaimName: "na", Containers: []string{"c"}, Mapping: []corev1.NodeAllocatableMappedResources{{Name: corev1.ResourceCPU, Quantity: &q}}}
			if g.chance(0.3) {
				pp := resource.MustParse(apick(g, []string{"1Gi", "1024Mi"}))
				st.Overhead = []corev1.NodeAllocatableOverheadResources{{Name: corev1.ResourceMemory, PerPod: &pp}}
			}
			np.Status.NodeAllocatableResourceClaimStatuses = []corev1.NodeAllocatableResourceClaimStatus{st}
			if g.chance(0.5) {
				// the old pod has the same status written another way, or not at all
				oq := resource.MustParse(apick(g, []string{"1", "1000m"}))
				ost := st
				ost.Mapping = []corev1.NodeAllocatableMappedResources{{Name: corev1.ResourceCPU, Quantity: &oq}}
				if st.Overhead != nil {
					op := resource.MustParse(apick(g, []string{"1Gi", "1024Mi"}))
					ost.Overhead = []corev1.NodeAllocatableOverheadResources{{Name: corev1.ResourceMemory, PerPod: &op}}
				}
				old = old.DeepCopy()
				old.Status.NodeAllocatableResourceClaimStatuses = []corev1.NodeAllocatableResourceClaimStatus{ost}
			}
		default:
			np.Status.Conditions = append(np.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue})
		}
	}
	op := g.op("UPDATE", 0.9)
	var obj, oldObj runtime.Object = np, old
	if op == "DELETE" || op == "CONNECT" {
		obj = nil
	}
	if op == "CREATE" {
		oldObj = nil
	}
	g.review(g.who(node), op, kPod, rPods, "status", old.Namespace, old.Name, obj, oldObj)
}

func (g *admGen) eviction(node string) {
	p := g.somePod(node, false)
	ns, name := apick(g, g.appNS), fmt.Sprintf("missing-%d", g.next())
	if p != nil && g.chance(0.85) {
		ns, name = p.Namespace, p.Name
	}
	evName := name
	if g.chance(0.25) {
		evName = ""
	} else if g.chance(0.05) {
		evName = "someone-else"
	}
	reqName := name
	if g.chance(0.3) {
		reqName = ""
	}
	var ev runtime.Object
	if g.chance(0.8) {
		ev = meta(&policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: evName}}, "policy/v1", "Eviction")
	} else {
		ev = meta(&policyv1beta1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: evName}}, "policy/v1beta1", "Eviction")
	}
	op := g.op("CREATE", 0.88)
	k := gvk{"policy", "v1", "Eviction"}
	g.review(g.who(node), op, k, rPods, "eviction", ns, reqName, ev, nil)
}

// --- nodes

var (
	allowedNodeLabels = []string{"kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
		"failure-domain.beta.kubernetes.io/region", "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch",
		"beta.kubernetes.io/os", "beta.kubernetes.io/arch", "kubelet.kubernetes.io/foo", "foo.kubelet.kubernetes.io/bar", "node.kubernetes.io/foo",
		"x.node.kubernetes.io/foo", "foo", "zone", "example.com/foo", "kubernetes.io", "example.kubernetes.io.evil.com/x", "Kubernetes.io/x"}
	forbiddenNodeLabels = []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/worker", "node-restriction.kubernetes.io/foo",
		"foo.node-restriction.kubernetes.io/foo", "kubernetes.io/foo", "other.kubernetes.io/foo", "k8s.io/foo", "other.k8s.io/foo", "kubelet.k8s.io/foo",
		"node.k8s.io/x", "a.b.node-restriction.kubernetes.io/c"}
)

func (g *admGen) labelKey() string {
	if g.chance(0.55) {
		return apick(g, allowedNodeLabels)
	}
	return apick(g, forbiddenNodeLabels)
}

func (g *admGen) labelValue() string { return apick(g, []string{"a", "b", "", "true"}) }

func (g *admGen) taint() corev1.Taint {
	t := corev1.Taint{Key: apick(g, []string{"dedicated", "node.kubernetes.io/not-ready", "gpu"}), Value: apick(g, []string{"", "a", "b"}),
		Effect: apick(g, []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectNoExecute, corev1.TaintEffectPreferNoSchedule})}
	if g.chance(0.2) {
		t.TimeAdded = &metav1.Time{Time: metav1.Unix(1700000000+int64(g.r.IntN(3)), 0).Time}
	}
	return t
}

func configSource(name string) *corev1.NodeConfigSource {
	return &corev1.NodeConfigSource{ConfigMap: &corev1.ConfigMapNodeConfigSource{Namespace: "kube-system", Name: name, KubeletConfigKey: "kubelet"}}
}

func (g *admGen) nodeRequest(node string) {
	target := node
	if g.chance(0.15) {
		target = g.otherNode(node)
	}
	switch x := g.r.Float64(); {
	case x < 0.3: // create
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: target}}
		if g.chance(0.7) {
			n.Labels = map[string]string{}
			for i, m := 0, g.r.IntN(4); i < m; i++ {
				n.Labels[g.labelKey()] = g.labelValue()
			}
		}
		if g.chance(0.1) {
			n.Spec.ConfigSource = configSource("kubelet-config")
		}
		if g.chance(0.2) {
			n.Spec.Taints = []corev1.Taint{g.taint()}
		}
		meta(n, "v1", "Node")
		name := target
		if g.chance(0.08) {
			name = ""
		}
		g.review(g.who(node), "CREATE", kNode, rNodes, "", "", name, n, nil)
	case x < 0.85: // update, of the node or its status
		var old *corev1.Node
		for _, n := range g.nodes {
			if n.Name == target {
				old = n.DeepCopy()
			}
		}
		if old == nil {
			old = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: target, UID: nodeUIDFor(target), Labels: map[string]string{"kubernetes.io/hostname": target}}}
			meta(old, "v1", "Node")
		}
		if g.chance(0.3) {
			for _, k := range []string{"node-role.kubernetes.io/worker", "foo.node-restriction.kubernetes.io/pool", "example.com/team"} {
				if g.chance(0.5) {
					old.Labels[k] = "x"
				}
			}
		}
		if g.chance(0.2) {
			old.Spec.Taints = []corev1.Taint{g.taint()}
		}
		if g.chance(0.15) {
			old.Spec.ConfigSource = configSource("a")
		}
		n := old.DeepCopy()
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
		for i, m := 0, g.r.IntN(3); i < m; i++ {
			switch g.r.IntN(8) {
			case 0: // taints added, removed or changed
				switch {
				case len(n.Spec.Taints) == 0:
					n.Spec.Taints = []corev1.Taint{g.taint()}
				case g.chance(0.4):
					n.Spec.Taints = nil
				default:
					n.Spec.Taints[0] = g.taint()
				}
			case 1:
				if len(n.Spec.Taints) > 0 { // only timeAdded changes
					t := n.Spec.Taints[0]
					if t.TimeAdded == nil {
						t.TimeAdded = &metav1.Time{Time: metav1.Unix(1700000000, 0).Time}
					} else {
						t.TimeAdded = nil
					}
					n.Spec.Taints = []corev1.Taint{t}
				} else {
					n.Spec.Taints = []corev1.Taint{} // empty vs nil
				}
			case 2:
				switch {
				case n.Spec.ConfigSource == nil:
					n.Spec.ConfigSource = configSource("a")
				case g.chance(0.4):
					n.Spec.ConfigSource = nil
				case g.chance(0.5):
					n.Spec.ConfigSource = configSource("b")
				default:
					n.Spec.ConfigSource = configSource("a")
				}
			case 3:
				switch {
				case len(n.OwnerReferences) == 0:
					n.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "owner", UID: "owner-uid"}}
				default:
					n.OwnerReferences = nil
				}
			case 4, 5: // labels: add, remove or change one
				k := g.labelKey()
				if n.Labels == nil {
					n.Labels = map[string]string{}
				}
				if _, ok := n.Labels[k]; ok && g.chance(0.5) {
					delete(n.Labels, k)
				} else {
					n.Labels[k] = g.labelValue()
				}
			case 6: // remove an existing label
				var keys []string
				for k := range n.Labels {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				if len(keys) > 0 {
					delete(n.Labels, apick(g, keys))
				}
			default:
				if n.Annotations == nil {
					n.Annotations = map[string]string{}
				}
				n.Annotations["volumes.kubernetes.io/controller-managed-attach-detach"] = "true"
			}
		}
		sub := ""
		if g.chance(0.35) {
			sub = "status"
		}
		g.review(g.who(node), "UPDATE", kNode, rNodes, sub, "", target, n, old)
	default:
		g.review(g.who(node), g.op("DELETE", 0.9), kNode, rNodes, "", "", target, nil, nil)
	}
}

// --- PVC status

func (g *admGen) pvcRequest(node string) {
	ns := apick(g, g.appNS)
	old := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("pvc-%d", g.r.IntN(5)), UID: "pvc-uid", ResourceVersion: "10",
		Labels: map[string]string{"app": "db"}},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, VolumeName: "pv-1",
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}
	meta(old, "v1", "PersistentVolumeClaim")
	n := old.DeepCopy()
	for i, m := 0, 1+g.r.IntN(2); i < m; i++ {
		switch g.r.IntN(13) {
		case 0:
			n.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}
		case 1:
			n.Status.Conditions = []corev1.PersistentVolumeClaimCondition{{Type: corev1.PersistentVolumeClaimResizing, Status: corev1.ConditionTrue}}
		case 2:
			n.Status.AllocatedResources = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}
		case 3:
			n.Status.AllocatedResourceStatuses = map[corev1.ResourceName]corev1.ClaimResourceStatus{corev1.ResourceStorage: corev1.PersistentVolumeClaimNodeResizePending}
		case 4:
			n.Status.Phase = corev1.ClaimLost
		case 5:
			n.Status.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
		case 6:
			n.Spec.VolumeName = "pv-2"
		case 7:
			n.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("2Gi")}
		case 8:
			n.Labels = map[string]string{"app": "db", "node": node}
		case 9:
			n.ResourceVersion = apick(g, []string{"", "11"})
		case 10:
			n.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1"}}
		case 11:
			n.Finalizers = []string{"kubernetes.io/pvc-protection"}
		default:
			n.Status.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1024Mi")} // same quantity, other spelling
		}
	}
	sub := "status"
	if g.chance(0.15) {
		sub = apick(g, []string{"", "", "binding"})
	}
	op := g.op("UPDATE", 0.9)
	var obj, oldObj runtime.Object = n, old
	if op == "CREATE" {
		oldObj = nil
	}
	if op == "DELETE" || op == "CONNECT" {
		obj = nil
	}
	g.review(g.who(node), op, kPVC, rPVCs, sub, ns, old.Name, obj, oldObj)
}

// --- service account tokens

// audienceFor picks an audience: often one the pod can justify (a projected token
// volume's, or one a CSI driver asks for), otherwise any.
func (g *admGen) audienceFor(p *corev1.Pod) string {
	if p != nil && g.chance(0.5) {
		var auds []string
		for _, v := range p.Spec.Volumes {
			if v.Projected != nil {
				for _, s := range v.Projected.Sources {
					if s.ServiceAccountToken != nil {
						auds = append(auds, s.ServiceAccountToken.Audience)
					}
				}
			}
		}
		if len(auds) > 0 {
			return apick(g, auds)
		}
	}
	return apick(g, g.audiences)
}

func (g *admGen) tokenRequest(node string) {
	p := g.somePod(node, true)
	ns := apick(g, g.appNS)
	if p != nil {
		ns = p.Namespace
	}
	saName := "default"
	if p != nil && p.Spec.ServiceAccountName != "" {
		saName = p.Spec.ServiceAccountName
	}
	tr := &authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: saName}}
	meta(tr, "authentication.k8s.io/v1", "TokenRequest")
	switch x := g.r.Float64(); {
	case x < 0.08:
	case x < 0.82:
		aud := g.audienceFor(p)
		tr.Spec.Audiences = []string{aud}
		if aud == "" && g.chance(0.5) {
			tr.Spec.Audiences = nil
		}
	default:
		tr.Spec.Audiences = []string{g.audienceFor(p), apick(g, g.audiences)}
	}
	if g.chance(0.3) {
		tr.Spec.ExpirationSeconds = ptr(int64(3600))
	}
	ref := &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1"}
	if p != nil {
		ref.Name, ref.UID = p.Name, p.UID
	} else {
		ref.Name, ref.UID = "missing", "missing-uid"
	}
	switch x := g.r.Float64(); {
	case x < 0.05:
		ref = nil
	case x < 0.08:
		ref.Kind = apick(g, []string{"Secret", "pod", "Node"})
	case x < 0.11:
		ref.APIVersion = apick(g, []string{"v2", "", "core/v1"})
	case x < 0.14:
		ref.Name = ""
	case x < 0.18:
		ref.UID = ""
	case x < 0.24:
		ref.UID = "stale-uid"
		if p != nil && g.chance(0.5) {
			// The pod's uid spelled in uppercase: the same UUID, but another uid to upstream.
			ref.UID = types.UID(strings.ToUpper(string(p.UID)))
		}
	case x < 0.28:
		ref.Name = fmt.Sprintf("missing-%d", g.next())
	}
	tr.Spec.BoundObjectRef = ref
	if g.chance(0.04) {
		ns = "kube-system"
	}
	g.review(g.who(node), g.op("CREATE", 0.96), gvk{"authentication.k8s.io", "v1", "TokenRequest"}, rSAs, "token", ns, saName, tr, nil)
}

func (g *admGen) saOther(node string) {
	ns := apick(g, g.appNS)
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "sa-x"}}
	meta(sa, "v1", "ServiceAccount")
	switch g.r.IntN(3) {
	case 0:
		g.review(g.who(node), "CREATE", gvk{"", "v1", "ServiceAccount"}, rSAs, "", ns, sa.Name, sa, nil)
	case 1:
		g.review(g.who(node), "UPDATE", gvk{"", "v1", "ServiceAccount"}, rSAs, "", ns, sa.Name, sa, sa)
	default:
		g.review(g.who(node), "DELETE", gvk{"", "v1", "ServiceAccount"}, rSAs, "", ns, sa.Name, nil, sa)
	}
}

// --- leases, CSINodes, ResourceSlices

func (g *admGen) lease(node string) {
	ns := "kube-node-lease"
	if g.chance(0.15) {
		ns = apick(g, append([]string{"kube-system"}, g.appNS...))
	}
	name := node
	if g.chance(0.2) {
		name = g.otherNode(node)
	}
	l := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr(node), LeaseDurationSeconds: ptr(int32(40))}}
	meta(l, "coordination.k8s.io/v1", "Lease")
	reqName := name
	if g.chance(0.1) {
		reqName = apick(g, []string{"", node, g.otherNode(node)})
	}
	switch g.r.IntN(3) {
	case 0:
		g.review(g.who(node), "CREATE", kLease, rLeases, "", ns, reqName, l, nil)
	case 1:
		g.review(g.who(node), "UPDATE", kLease, rLeases, "", ns, reqName, l, l)
	default:
		g.review(g.who(node), "DELETE", kLease, rLeases, "", ns, reqName, nil, l)
	}
}

func (g *admGen) csiNode(node string) {
	name := node
	if g.chance(0.2) {
		name = g.otherNode(node)
	}
	spec := storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{{Name: "csi.example.com", NodeID: name, TopologyKeys: []string{"zone"}}}}
	old := &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec}
	meta(old, "storage.k8s.io/v1", "CSINode")
	reqName := name
	if g.chance(0.1) {
		reqName = apick(g, []string{"", node, g.otherNode(node)})
	}
	switch g.r.IntN(5) {
	case 0:
		g.review(g.who(node), "CREATE", kCSINode, rCSINodes, "", "", reqName, old, nil)
	case 1:
		n := old.DeepCopy()
		n.Spec.Drivers = append(n.Spec.Drivers, storagev1.CSINodeDriver{Name: "other.csi", NodeID: name})
		g.review(g.who(node), "UPDATE", kCSINode, rCSINodes, "", "", reqName, n, old)
	case 2:
		g.review(g.who(node), "DELETE", kCSINode, rCSINodes, "", "", reqName, nil, old)
	default: // status
		n := old.DeepCopy()
		switch g.r.IntN(4) {
		case 0:
			n.Spec.Drivers[0].NodeID = "evil"
		case 1:
			n.Spec.Drivers[0].TopologyKeys = nil // nil vs empty is semantically equal; [] vs ["zone"] is not
		case 2:
			n.Spec.Drivers[0].Allocatable = &storagev1.VolumeNodeResources{Count: ptr(int32(10))}
		}
		op := g.op("UPDATE", 0.85)
		var obj, oldObj runtime.Object = n, old
		if op == "CREATE" {
			oldObj = nil
		}
		if op == "DELETE" || op == "CONNECT" {
			obj = nil
		}
		g.review(g.who(node), op, kCSINode, rCSINodes, "status", "", reqName, obj, oldObj)
	}
}

func (g *admGen) slice(node string) {
	s := &resourcev1.ResourceSlice{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-gpu-%d", node, g.next())},
		Spec: resourcev1.ResourceSliceSpec{Driver: "gpu.example.com", Pool: resourcev1.ResourcePool{Name: "pool", ResourceSliceCount: 1}}}
	switch x := g.r.Float64(); {
	case x < 0.6:
		s.Spec.NodeName = ptr(node)
	case x < 0.8:
		s.Spec.NodeName = ptr(g.otherNode(node))
	case x < 0.9:
		s.Spec.AllNodes = ptr(true)
	case x < 0.95:
		s.Spec.NodeName = ptr("")
	}
	meta(s, "resource.k8s.io/v1", "ResourceSlice")
	switch g.r.IntN(3) {
	case 0:
		g.review(g.who(node), "CREATE", kSlice, rSlices, "", "", s.Name, s, nil)
	case 1:
		g.review(g.who(node), "DELETE", kSlice, rSlices, "", "", s.Name, nil, s)
	default:
		n := s.DeepCopy()
		n.Spec.NodeName = ptr(g.otherNode(node))
		g.review(g.who(node), "UPDATE", kSlice, rSlices, "", "", s.Name, n, s)
	}
}

// --- CSRs

func (g *admGen) csr(node string) {
	signer := "kubernetes.io/kubelet-serving"
	switch x := g.r.Float64(); {
	case x < 0.35:
	case x < 0.7:
		signer = "kubernetes.io/kube-apiserver-client-kubelet"
	case x < 0.8:
		signer = "kubernetes.io/kube-apiserver-client"
	case x < 0.9:
		signer = "example.com/node-signer"
	default:
		signer = "kubernetes.io/legacy-unknown"
	}
	var pemBytes []byte
	switch x := g.r.Float64(); {
	case x < 0.5:
		pemBytes = csrPEM(g.r, "system:node:"+node)
	case x < 0.62:
		pemBytes = csrPEM(g.r, "system:node:"+g.otherNode(node))
	case x < 0.66:
		pemBytes = csrPEM(g.r, apick(g, []string{"system:node:", node, "system:nodes", "System:Node:" + node}))
	case x < 0.74:
		pemBytes = csrPEM(g.r, "", apick(g, []string{"system:node:" + node, "system:node:evil"}), apick(g, []string{"system:node:" + node, "system:node:evil"}))
	case x < 0.78:
		pemBytes = []byte(apick(g, fixedCSRs))
	case x < 0.8:
		pemBytes = append([]byte("leading text before the block\n"), csrPEM(g.r, "system:node:"+node)...)
	default:
		pemBytes = badCSR(g.r, node)
	}
	c := &certsv1.CertificateSigningRequest{ObjectMeta: metav1.ObjectMeta{GenerateName: "csr-"},
		Spec: certsv1.CertificateSigningRequestSpec{Request: pemBytes, SignerName: signer, Usages: []certsv1.KeyUsage{certsv1.UsageDigitalSignature, certsv1.UsageClientAuth}}}
	meta(c, "certificates.k8s.io/v1", "CertificateSigningRequest")
	switch op := g.op("CREATE", 0.85); op {
	case "CREATE":
		g.review(g.who(node), op, kCSR, rCSRs, "", "", "", c, nil)
	default:
		c.Name, c.GenerateName = "csr-1", ""
		var obj, old runtime.Object = c, c
		if op == "DELETE" || op == "CONNECT" {
			obj = nil
		}
		g.review(g.who(node), op, kCSR, rCSRs, apick(g, []string{"", "approval", "status"}), "", "csr-1", obj, old)
	}
}

// --- PodCertificateRequests

func (g *admGen) pcr(node string) {
	p := g.somePod(node, true)
	if p == nil {
		return
	}
	signer := apick(g, g.signers)
	for _, v := range p.Spec.Volumes {
		if v.Projected != nil && g.chance(0.7) {
			for _, s := range v.Projected.Sources {
				if s.PodCertificate != nil {
					signer = s.PodCertificate.SignerName
				}
			}
		}
	}
	nodeName := p.Spec.NodeName
	if nodeName == "" || g.chance(0.1) {
		nodeName = node
	}
	nodeUID, ok := g.nodeUID(nodeName)
	if !ok {
		nodeUID = nodeUIDFor(nodeName)
	}
	saName := p.Spec.ServiceAccountName
	var saUID types.UID = "sa-uid-unknown"
	if sa := g.findSA(p.Namespace, saName); sa != nil {
		saUID = sa.UID
	}
	spec := certsv1.PodCertificateRequestSpec{SignerName: signer, PodName: p.Name, PodUID: p.UID, ServiceAccountName: saName, ServiceAccountUID: saUID,
		NodeName: types.NodeName(nodeName), NodeUID: nodeUID, StubPKCS10Request: []byte("csr")}
	switch g.r.IntN(14) {
	case 0:
		spec.NodeUID = "node-uid-stale"
	case 1:
		spec.PodUID = "pod-uid-stale"
		if g.chance(0.5) {
			spec.PodUID = types.UID(strings.ToUpper(string(p.UID)))
		}
	case 2:
		spec.ServiceAccountName = apick(g, []string{"default", "sa-1", "missing-sa", ""})
		if sa := g.findSA(p.Namespace, spec.ServiceAccountName); sa != nil {
			spec.ServiceAccountUID = sa.UID
		}
	case 3:
		spec.ServiceAccountUID = "sa-uid-stale"
	case 4:
		spec.PodName = fmt.Sprintf("missing-%d", g.next())
	case 5:
		spec.NodeName = types.NodeName(g.otherNode(node))
	case 6:
		spec.SignerName = apick(g, g.signers)
	}
	pcr := &certsv1.PodCertificateRequest{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: fmt.Sprintf("pcr-%d", g.next())}, Spec: spec}
	meta(pcr, "certificates.k8s.io/v1", "PodCertificateRequest")
	ns := p.Namespace
	if g.chance(0.03) {
		ns = "kube-system"
	}
	op := g.op("CREATE", 0.9)
	sub := ""
	if g.chance(0.06) {
		sub = "status"
	}
	var obj, old runtime.Object = pcr, nil
	switch op {
	case "UPDATE":
		old = pcr
	case "DELETE", "CONNECT":
		obj, old = nil, pcr
	}
	g.review(g.who(node), op, kPCR, rPCRs, sub, ns, pcr.Name, obj, old)
}

// --- objects of a type the plugin does not expect (its errors name the internal type, %T)

func (g *admGen) wrongType(node string) {
	ns := apick(g, g.appNS)
	pod := meta(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "p", Annotations: map[string]string{corev1.MirrorPodAnnotationKey: "x"}}, Spec: corev1.PodSpec{NodeName: node}}, "v1", "Pod")
	n := meta(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}, "v1", "Node")
	cm := meta(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: node}}, "v1", "ConfigMap")
	c := meta(&certsv1.CertificateSigningRequest{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Spec: certsv1.CertificateSigningRequestSpec{SignerName: "kubernetes.io/kubelet-serving"}}, "certificates.k8s.io/v1", "CertificateSigningRequest")
	lease := meta(&coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-node-lease", Name: node}}, "coordination.k8s.io/v1", "Lease")
	user := g.who(node)
	switch g.r.IntN(10) {
	case 0:
		g.review(user, "CREATE", kPod, rPods, "", ns, "p", n, nil)
	case 1:
		g.review(user, "CREATE", gvk{"policy", "v1", "Eviction"}, rPods, "eviction", ns, "p", pod, nil)
	case 2:
		g.review(user, "UPDATE", kPod, rPods, "status", ns, "p", pod, n)
	case 3:
		g.review(user, "CREATE", kNode, rNodes, "", "", node, pod, nil)
	case 4:
		g.review(user, "UPDATE", kNode, rNodes, "", "", node, n, cm)
	case 5:
		g.review(user, "CREATE", gvk{"authentication.k8s.io", "v1", "TokenRequest"}, rSAs, "token", ns, "default", cm, nil)
	case 6:
		g.review(user, "CREATE", kLease, rLeases, "", "kube-node-lease", node, cm, nil)
	case 7:
		g.review(user, "CREATE", kSlice, rSlices, "", "", node, lease, nil)
	case 8:
		g.review(user, "UPDATE", kPVC, rPVCs, "status", ns, "pvc-0", pod, pod)
	default:
		g.review(user, "CREATE", kPCR, rPCRs, "", ns, "pcr", c, nil)
	}
}

// --- resources the plugin ignores

func (g *admGen) ignored(node string) {
	ns := apick(g, g.appNS)
	switch g.r.IntN(5) {
	case 0:
		cm := meta(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cm"}}, "v1", "ConfigMap")
		g.review(g.who(node), g.op("CREATE", 0.6), gvk{"", "v1", "ConfigMap"}, gvr{"", "v1", "configmaps"}, "", ns, "cm", cm, nil)
	case 1:
		s := meta(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "s"}}, "v1", "Secret")
		g.review(g.who(node), "UPDATE", gvk{"", "v1", "Secret"}, gvr{"", "v1", "secrets"}, "", ns, "s", s, s)
	case 2:
		e := meta(&corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "e"}, Reason: "Started"}, "v1", "Event")
		g.review(g.who(node), "CREATE", gvk{"", "v1", "Event"}, gvr{"", "v1", "events"}, "", ns, "e", e, nil)
	case 3:
		pv := meta(&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-1"}}, "v1", "PersistentVolume")
		g.review(g.who(node), "UPDATE", gvk{"", "v1", "PersistentVolume"}, gvr{"", "v1", "persistentvolumes"}, "status", "", "pv-1", pv, pv)
	default:
		va := meta(&storagev1.VolumeAttachment{ObjectMeta: metav1.ObjectMeta{Name: "va"}, Spec: storagev1.VolumeAttachmentSpec{Attacher: "csi.example.com", NodeName: node,
			Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr("pv-1")}}}, "storage.k8s.io/v1", "VolumeAttachment")
		g.review(g.who(node), "CREATE", gvk{"storage.k8s.io", "v1", "VolumeAttachment"}, gvr{"storage.k8s.io", "v1", "volumeattachments"}, "", "", "va", va, nil)
	}
}
