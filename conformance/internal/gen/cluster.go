// Package gen generates seeded, realistic cluster snapshots and SubjectAccessReview
// streams (with interleaved watch-event mutations) for the conformance harness.
package gen

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	certsv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	resourcev1 "k8s.io/api/resource/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// Sizes bounds a scenario.
type Sizes struct {
	MinNodes, MaxNodes       int
	MinPods, MaxPods         int
	MinRequests, MaxRequests int
	// NoHostile leaves out the hostile classes (hostile.go) and the subjects of kinds
	// upstream never matches: the seed's bytes as they were before those existed.
	NoHostile bool
}

// DefaultSizes keeps scenarios small enough that 200 seeds run in a few minutes.
var DefaultSizes = Sizes{MinNodes: 3, MaxNodes: 8, MinPods: 20, MaxPods: 60, MinRequests: 200, MaxRequests: 400}

// cluster is the generator's model of the cluster as it evolves through mutations.
type cluster struct {
	r       *rand.Rand
	counter int

	nodes      []*corev1.Node
	namespaces []string // all namespaces, system ones included
	appNS      []string // namespaces workloads run in

	secrets    []*corev1.Secret
	configMaps []*corev1.ConfigMap
	sas        []*corev1.ServiceAccount
	pvcs       []*corev1.PersistentVolumeClaim
	claims     []*resourcev1.ResourceClaim

	pods     []*corev1.Pod
	pvs      []*corev1.PersistentVolume
	vas      []*storagev1.VolumeAttachment
	slices   []*resourcev1.ResourceSlice
	pcrs     []*certsv1.PodCertificateRequest
	csiNodes []*storagev1.CSINode
	leases   []*coordinationv1.Lease
	drivers  []*storagev1.CSIDriver

	clusterRoles []*rbacv1.ClusterRole
	roles        []*rbacv1.Role
	crbs         []*rbacv1.ClusterRoleBinding
	rbs          []*rbacv1.RoleBinding

	users  []string
	groups []string
}

func (c *cluster) intn(lo, hi int) int   { return lo + c.r.IntN(hi-lo+1) }
func (c *cluster) chance(p float64) bool { return c.r.Float64() < p }
func pick[T any](c *cluster, xs []T) T   { return xs[c.r.IntN(len(xs))] }
func (c *cluster) next() int             { c.counter++; return c.counter }

func ptr[T any](v T) *T { return &v }

func typeMeta(obj runtime.Object, apiVersion, kind string) {
	obj.GetObjectKind().SetGroupVersionKind(schemaGVK(apiVersion, kind))
}

// name pools per namespace
func secretName(i int) string { return fmt.Sprintf("secret-%d", i) }
func cmName(i int) string     { return fmt.Sprintf("cm-%d", i) }
func pvcName(i int) string    { return fmt.Sprintf("pvc-%d", i) }
func claimName(i int) string  { return fmt.Sprintf("claim-%d", i) }
func saName(i int) string {
	if i == 0 {
		return "default"
	}
	return fmt.Sprintf("sa-%d", i)
}

const (
	poolSecrets = 6
	poolCMs     = 5
	poolPVCs    = 5
	poolClaims  = 4
	poolSAs     = 4
)

var driverNames = []string{"csi.example.com", "ebs.csi.aws.com", "pd.csi.storage.gke.io"}

func newCluster(seed uint64, sz Sizes) *cluster {
	c := &cluster{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	nNodes := c.intn(sz.MinNodes, sz.MaxNodes)
	for i := 1; i <= nNodes; i++ {
		c.nodes = append(c.nodes, c.newNode(fmt.Sprintf("node-%d", i)))
	}
	c.appNS = []string{"default"}
	for i, n := 0, c.intn(2, 4); i < n; i++ {
		c.appNS = append(c.appNS, []string{"team-a", "team-b", "web", "data", "batch"}[i])
	}
	c.namespaces = append([]string{"kube-system", "kube-public", "kube-node-lease"}, c.appNS...)

	for _, ns := range c.appNS {
		for i := 0; i < poolSecrets; i++ {
			if c.chance(0.8) {
				s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName(i)},
					Data: map[string][]byte{"token": []byte(fmt.Sprintf("s3cr3t-%d", c.next()))}}
				typeMeta(s, "v1", "Secret")
				c.secrets = append(c.secrets, s)
			}
		}
		for i := 0; i < poolCMs; i++ {
			if c.chance(0.8) {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: cmName(i)}, Data: map[string]string{"k": "v"}}
				typeMeta(cm, "v1", "ConfigMap")
				c.configMaps = append(c.configMaps, cm)
			}
		}
		for i := 0; i < poolSAs; i++ {
			sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: saName(i), UID: types.UID(fmt.Sprintf("sa-uid-%d", c.next()))}}
			typeMeta(sa, "v1", "ServiceAccount")
			c.sas = append(c.sas, sa)
		}
		for i := 0; i < poolPVCs; i++ {
			pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: pvcName(i)},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
			typeMeta(pvc, "v1", "PersistentVolumeClaim")
			c.pvcs = append(c.pvcs, pvc)
		}
		for i := 0; i < poolClaims; i++ {
			if c.chance(0.7) {
				cl := &resourcev1.ResourceClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: claimName(i)}}
				typeMeta(cl, "resource.k8s.io/v1", "ResourceClaim")
				c.claims = append(c.claims, cl)
			}
		}
	}
	for _, d := range driverNames {
		drv := &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: d}}
		typeMeta(drv, "storage.k8s.io/v1", "CSIDriver")
		c.drivers = append(c.drivers, drv)
	}
	for _, n := range c.nodes {
		if c.chance(0.7) {
			c.csiNodes = append(c.csiNodes, c.newCSINode(n.Name))
		}
		if c.chance(0.8) {
			c.leases = append(c.leases, c.newLease(n.Name))
		}
	}

	nPods := c.intn(sz.MinPods, sz.MaxPods)
	for i := 0; i < nPods; i++ {
		c.pods = append(c.pods, c.newPod(pick(c, c.appNS), fmt.Sprintf("pod-%d", c.next()), c.podNodeName()))
	}
	for i, n := 0, c.intn(4, 12); i < n; i++ {
		c.pvs = append(c.pvs, c.newPV(fmt.Sprintf("pv-%d", c.next())))
	}
	for i, n := 0, c.intn(2, 8); i < n; i++ {
		c.vas = append(c.vas, c.newVA(fmt.Sprintf("va-%d", c.next())))
	}
	for i, n := 0, c.intn(2, 7); i < n; i++ {
		c.slices = append(c.slices, c.newSlice(fmt.Sprintf("slice-%d", c.next())))
	}
	for i, n := 0, c.intn(1, 5); i < n; i++ {
		c.pcrs = append(c.pcrs, c.newPCR(fmt.Sprintf("pcr-%d", c.next())))
	}
	c.users = []string{"alice", "bob", "carol", "dave", "erin"}
	c.groups = []string{"dev", "ops", "auditors", "platform"}
	c.genRBAC()
	return c
}

// nodeUIDFor is a node's uid: a lowercase UUID derived from its name, the form the apiserver
// assigns (kauthz keeps such uids packed).
func nodeUIDFor(name string) types.UID {
	h := fnv.New64a()
	h.Write([]byte(name))
	return types.UID(fmt.Sprintf("0a0e0000-0000-4000-8000-%012x", h.Sum64()&0xffffffffffff))
}

func (c *cluster) newNode(name string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, UID: nodeUIDFor(name),
		Labels: map[string]string{"kubernetes.io/hostname": name, "zone": pick(c, []string{"a", "b"})}}}
	typeMeta(n, "v1", "Node")
	return n
}

func (c *cluster) newCSINode(node string) *storagev1.CSINode {
	cn := &storagev1.CSINode{ObjectMeta: metav1.ObjectMeta{Name: node},
		Spec: storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{{Name: pick(c, driverNames), NodeID: node}}}}
	typeMeta(cn, "storage.k8s.io/v1", "CSINode")
	return cn
}

func (c *cluster) newLease(node string) *coordinationv1.Lease {
	l := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-node-lease", Name: node},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr(node), LeaseDurationSeconds: ptr(int32(40))}}
	typeMeta(l, "coordination.k8s.io/v1", "Lease")
	return l
}

// podNodeName picks where a pod runs: mostly an existing node, sometimes unscheduled,
// sometimes a node that has no Node object.
func (c *cluster) podNodeName() string {
	switch x := c.r.Float64(); {
	case x < 0.1:
		return ""
	case x < 0.15:
		return "node-gone"
	default:
		return pick(c, c.nodes).Name
	}
}

func (c *cluster) someSecret() string { return secretName(c.r.IntN(poolSecrets + 1)) } // one past the pool: absent
func (c *cluster) someCM() string     { return cmName(c.r.IntN(poolCMs + 1)) }
func (c *cluster) somePVC() string    { return pvcName(c.r.IntN(poolPVCs + 1)) }
func (c *cluster) someSA() string     { return saName(c.r.IntN(poolSAs)) }

func (c *cluster) secretRef() *corev1.LocalObjectReference {
	return &corev1.LocalObjectReference{Name: c.someSecret()}
}

func (c *cluster) podVolume(pod *corev1.Pod, i int) corev1.Volume {
	name := fmt.Sprintf("vol-%d", i)
	var src corev1.VolumeSource
	switch c.r.IntN(17) {
	case 0, 1:
		src.Secret = &corev1.SecretVolumeSource{SecretName: c.someSecret()}
	case 2, 3:
		src.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: c.someCM()}}
	case 4:
		var sources []corev1.VolumeProjection
		for j, n := 0, c.intn(1, 3); j < n; j++ {
			switch c.r.IntN(3) {
			case 0:
				sources = append(sources, corev1.VolumeProjection{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: c.someSecret()}}})
			case 1:
				sources = append(sources, corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: c.someCM()}}})
			default:
				sources = append(sources, corev1.VolumeProjection{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr(int64(3600))}})
			}
		}
		src.Projected = &corev1.ProjectedVolumeSource{Sources: sources}
	case 5, 6:
		src.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c.somePVC()}
	case 7:
		src.Ephemeral = &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}}
	case 8:
		csi := &corev1.CSIVolumeSource{Driver: pick(c, driverNames)}
		if c.chance(0.7) {
			csi.NodePublishSecretRef = c.secretRef()
		}
		src.CSI = csi
	case 9:
		src.AzureFile = &corev1.AzureFileVolumeSource{SecretName: c.someSecret(), ShareName: "share"}
	case 10:
		src.CephFS = &corev1.CephFSVolumeSource{Monitors: []string{"10.0.0.1:6789"}, SecretRef: c.secretRef()}
	case 11:
		src.Cinder = &corev1.CinderVolumeSource{VolumeID: "vol", SecretRef: c.secretRef()}
	case 12:
		src.FlexVolume = &corev1.FlexVolumeSource{Driver: "example/flex", SecretRef: c.secretRef()}
	case 13:
		src.RBD = &corev1.RBDVolumeSource{CephMonitors: []string{"10.0.0.2:6789"}, RBDImage: "img", SecretRef: c.secretRef()}
	case 14:
		switch c.r.IntN(3) {
		case 0:
			src.ScaleIO = &corev1.ScaleIOVolumeSource{Gateway: "gw", System: "sys", SecretRef: c.secretRef()}
		case 1:
			src.ISCSI = &corev1.ISCSIVolumeSource{TargetPortal: "10.0.0.3:3260", IQN: "iqn.2001-04.com.example:storage", Lun: 0, SecretRef: c.secretRef()}
		default:
			src.StorageOS = &corev1.StorageOSVolumeSource{VolumeName: "vol", SecretRef: c.secretRef()}
		}
	case 15:
		src.EmptyDir = &corev1.EmptyDirVolumeSource{}
	default:
		src.HostPath = &corev1.HostPathVolumeSource{Path: "/var/log"}
	}
	if c.chance(0.05) {
		// A second source in the same volume: the apiserver refuses it, but a file can hold
		// it, and upstream's visitors then see both (each in its own order).
		switch c.r.IntN(4) {
		case 0:
			src.Secret = &corev1.SecretVolumeSource{SecretName: c.someSecret()}
		case 1:
			src.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: c.someCM()}}
		case 2:
			src.EmptyDir = &corev1.EmptyDirVolumeSource{}
		default:
			src.HostPath = &corev1.HostPathVolumeSource{Path: "/var/log"}
		}
	}
	return corev1.Volume{Name: name, VolumeSource: src}
}

func (c *cluster) env() ([]corev1.EnvVar, []corev1.EnvFromSource) {
	var env []corev1.EnvVar
	var from []corev1.EnvFromSource
	for j, n := 0, c.r.IntN(3); j < n; j++ {
		name := fmt.Sprintf("E%d", j)
		switch c.r.IntN(3) {
		case 0:
			env = append(env, corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: c.someSecret()}, Key: "token"}}})
		case 1:
			env = append(env, corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: c.someCM()}, Key: "k"}}})
		default:
			env = append(env, corev1.EnvVar{Name: name, Value: "plain"})
		}
	}
	if c.chance(0.25) {
		from = append(from, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: c.someSecret()}}})
	}
	if c.chance(0.25) {
		from = append(from, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: c.someCM()}}})
	}
	return env, from
}

func (c *cluster) container(name string) corev1.Container {
	env, from := c.env()
	return corev1.Container{Name: name, Image: "registry.example/app:1", Env: env, EnvFrom: from}
}

func (c *cluster) ephemeralContainer(name string) corev1.EphemeralContainer {
	env, from := c.env()
	return corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: "busybox", Env: env, EnvFrom: from}}
}

func (c *cluster) newPod(ns, name, node string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(fmt.Sprintf("pod-uid-%d", c.next())),
		Labels: map[string]string{"app": pick(c, []string{"web", "db", "cache", "batch"})}}}
	typeMeta(pod, "v1", "Pod")
	pod.Spec.NodeName = node
	if c.chance(0.9) {
		pod.Spec.ServiceAccountName = c.someSA()
	}
	if c.chance(0.06) {
		pod.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: fmt.Sprintf("hash-%d", c.next())}
		pod.Spec.ServiceAccountName = ""
	}
	for i, n := 0, c.r.IntN(5); i < n; i++ {
		pod.Spec.Volumes = append(pod.Spec.Volumes, c.podVolume(pod, i))
	}
	for i, n := 0, c.intn(1, 2); i < n; i++ {
		pod.Spec.Containers = append(pod.Spec.Containers, c.container(fmt.Sprintf("c%d", i)))
	}
	if c.chance(0.3) {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, c.container("init"))
	}
	if c.chance(0.15) {
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, c.ephemeralContainer("debug-0"))
	}
	for i, n := 0, c.r.IntN(3); i < n && c.chance(0.5); i++ {
		pod.Spec.ImagePullSecrets = append(pod.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: c.someSecret()})
	}
	for i, n := 0, c.r.IntN(3); i < n && c.chance(0.6); i++ {
		rcName := fmt.Sprintf("rc-%d", i)
		if c.chance(0.5) {
			pod.Spec.ResourceClaims = append(pod.Spec.ResourceClaims, corev1.PodResourceClaim{Name: rcName, ResourceClaimName: ptr(claimName(c.r.IntN(poolClaims + 1)))})
		} else {
			pod.Spec.ResourceClaims = append(pod.Spec.ResourceClaims, corev1.PodResourceClaim{Name: rcName, ResourceClaimTemplateName: ptr("tmpl-0")})
			switch c.r.IntN(4) {
			case 0: // not generated yet: no status entry
			case 1: // status entry without a claim (claim not needed)
				pod.Status.ResourceClaimStatuses = append(pod.Status.ResourceClaimStatuses, corev1.PodResourceClaimStatus{Name: rcName})
			default:
				pod.Status.ResourceClaimStatuses = append(pod.Status.ResourceClaimStatuses, corev1.PodResourceClaimStatus{Name: rcName, ResourceClaimName: ptr(fmt.Sprintf("%s-%s-gen%d", name, rcName, c.next()))})
			}
		}
	}
	if c.chance(0.08) {
		pod.Status.ExtendedResourceClaimStatus = &corev1.PodExtendedResourceClaimStatus{
			ResourceClaimName: fmt.Sprintf("%s-extended-resources-%d", name, c.next()),
			RequestMappings:   []corev1.ContainerExtendedResourceRequest{{ContainerName: "c0", ResourceName: "example.com/gpu", RequestName: "container-0-request-0"}},
		}
	}
	return pod
}

func (c *cluster) pvSecretRef() *corev1.SecretReference {
	ref := &corev1.SecretReference{Name: c.someSecret()}
	if c.chance(0.6) {
		ref.Namespace = pick(c, c.appNS)
	}
	return ref
}

func (c *cluster) newPV(name string) *corev1.PersistentVolume {
	pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name}}
	typeMeta(pv, "v1", "PersistentVolume")
	pv.Spec.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
	pv.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	if c.chance(0.85) {
		pv.Spec.ClaimRef = &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: pick(c, c.appNS), Name: c.somePVC()}
	}
	src := &pv.Spec.PersistentVolumeSource
	switch c.r.IntN(12) {
	case 0:
		az := &corev1.AzureFilePersistentVolumeSource{SecretName: c.someSecret(), ShareName: "share"}
		if c.chance(0.5) {
			az.SecretNamespace = ptr(pick(c, c.appNS))
		} else if c.chance(0.3) {
			az.SecretNamespace = ptr("")
		}
		src.AzureFile = az
	case 1:
		src.CephFS = &corev1.CephFSPersistentVolumeSource{Monitors: []string{"10.0.0.1:6789"}, SecretRef: c.pvSecretRef()}
	case 2:
		src.Cinder = &corev1.CinderPersistentVolumeSource{VolumeID: "v", SecretRef: &corev1.SecretReference{Name: c.someSecret(), Namespace: pick(c, c.appNS)}}
	case 3:
		src.FlexVolume = &corev1.FlexPersistentVolumeSource{Driver: "example/flex", SecretRef: c.pvSecretRef()}
	case 4:
		src.RBD = &corev1.RBDPersistentVolumeSource{CephMonitors: []string{"10.0.0.2:6789"}, RBDImage: "img", SecretRef: c.pvSecretRef()}
	case 5:
		src.ScaleIO = &corev1.ScaleIOPersistentVolumeSource{Gateway: "gw", System: "sys", SecretRef: c.pvSecretRef()}
	case 6:
		src.ISCSI = &corev1.ISCSIPersistentVolumeSource{TargetPortal: "10.0.0.3:3260", IQN: "iqn.2001-04.com.example:storage", SecretRef: c.pvSecretRef()}
	case 7:
		src.StorageOS = &corev1.StorageOSPersistentVolumeSource{VolumeName: "v", SecretRef: &corev1.ObjectReference{Name: c.someSecret(), Namespace: pick(c, c.appNS)}}
	case 8, 9, 10:
		csi := &corev1.CSIPersistentVolumeSource{Driver: pick(c, driverNames), VolumeHandle: name}
		ref := func() *corev1.SecretReference {
			if c.chance(0.5) {
				return &corev1.SecretReference{Name: c.someSecret(), Namespace: pick(c, c.appNS)}
			}
			return nil
		}
		csi.ControllerPublishSecretRef = ref()
		csi.ControllerExpandSecretRef = ref()
		csi.NodePublishSecretRef = ref()
		csi.NodeStageSecretRef = ref()
		csi.NodeExpandSecretRef = ref()
		src.CSI = csi
	default:
		src.HostPath = &corev1.HostPathVolumeSource{Path: "/mnt/data"}
	}
	return pv
}

func (c *cluster) newVA(name string) *storagev1.VolumeAttachment {
	pvName := "pv-unknown"
	if len(c.pvs) > 0 {
		pvName = pick(c, c.pvs).Name
	}
	node := pick(c, c.nodes).Name
	if c.chance(0.1) {
		node = "node-gone"
	}
	va := &storagev1.VolumeAttachment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: storagev1.VolumeAttachmentSpec{Attacher: pick(c, driverNames), NodeName: node, Source: storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr(pvName)}}}
	typeMeta(va, "storage.k8s.io/v1", "VolumeAttachment")
	return va
}

func (c *cluster) newSlice(name string) *resourcev1.ResourceSlice {
	s := &resourcev1.ResourceSlice{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: resourcev1.ResourceSliceSpec{Driver: "gpu.example.com", Pool: resourcev1.ResourcePool{Name: "pool", ResourceSliceCount: 1}}}
	typeMeta(s, "resource.k8s.io/v1", "ResourceSlice")
	switch x := c.r.Float64(); {
	case x < 0.6:
		s.Spec.NodeName = ptr(pick(c, c.nodes).Name)
	case x < 0.8:
		s.Spec.AllNodes = ptr(true)
	default:
		s.Spec.NodeSelector = &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}}}}
	}
	return s
}

func (c *cluster) newPCR(name string) *certsv1.PodCertificateRequest {
	var pod *corev1.Pod
	for tries := 0; tries < 10 && (pod == nil || pod.Spec.NodeName == ""); tries++ {
		pod = pick(c, c.pods)
	}
	node := pod.Spec.NodeName
	if node == "" || c.chance(0.15) {
		node = pick(c, c.nodes).Name
	}
	p := &certsv1.PodCertificateRequest{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: name},
		Spec: certsv1.PodCertificateRequestSpec{SignerName: "example.com/signer", PodName: pod.Name, PodUID: pod.UID,
			ServiceAccountName: pod.Spec.ServiceAccountName, ServiceAccountUID: types.UID("sa-uid"), NodeName: types.NodeName(node), NodeUID: nodeUIDFor(node),
			StubPKCS10Request: []byte("csr")}}
	typeMeta(p, "certificates.k8s.io/v1", "PodCertificateRequest")
	return p
}
