package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

func schemaGVK(apiVersion, kind string) schema.GroupVersionKind {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		panic(err)
	}
	return gv.WithKind(kind)
}

type event struct {
	Type   string         `json:"type"`
	Object runtime.Object `json:"object"`
}

// Scenario is one generated case.
type Scenario struct {
	Snapshot []byte // a v1 List, JSON
	Requests []byte // JSON lines: SubjectAccessReviews, SubjectRulesReviews and watch events
	Chain    Chain  // the apiserver's authorizer configuration for this scenario
	// Admission is the NodeRestriction scenario over the same snapshot (streams of its own).
	Admission *Admission
}

// Generate builds the scenario for a seed. The same seed always yields the same bytes.
func Generate(seed uint64, sz Sizes) (*Scenario, error) {
	c := newCluster(seed, sz)
	h := newHostile(seed, c)
	h.off = sz.NoHostile
	snap, err := c.snapshot(seed, h)
	if err != nil {
		return nil, err
	}
	// Read the cluster as the snapshot has it; draws from streams of its own.
	adm, err := newAdmission(seed, c)
	if err != nil {
		return nil, err
	}
	var reqs bytes.Buffer
	enc := func(v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		reqs.Write(fixSurrogates(data))
		reqs.WriteByte('\n')
		return nil
	}
	total := c.intn(sz.MinRequests, sz.MaxRequests)
	rounds := c.intn(2, 4)
	plan := newRulesReviewPlan(seed, rounds, total/rounds)
	for round := 0; round < rounds; round++ {
		if round > 0 {
			for i, n := 0, c.intn(3, 8); i < n; i++ {
				for _, ev := range c.mutation() {
					if err := enc(ev); err != nil {
						return nil, err
					}
				}
			}
		}
		for i := 0; i <= total/rounds; i++ {
			for n := plan.take(round, i); n > 0; n-- {
				if err := enc(c.rulesReview(plan)); err != nil {
					return nil, err
				}
			}
			if i == total/rounds {
				break
			}
			if !h.off && h.chance(HostileShare) {
				line := any(h.sar())
				if h.chance(0.15) {
					line = h.rulesReview()
				}
				if err := enc(line); err != nil {
					return nil, err
				}
			}
			if err := enc(c.request()); err != nil {
				return nil, err
			}
		}
	}
	for _, line := range c.fanOutRound() {
		if err := enc(line); err != nil {
			return nil, err
		}
	}
	chain := c.chainFor(seed)
	if len(chain.ABAC) > 0 && !h.off {
		for _, line := range h.abacLines() {
			data, err := json.Marshal(line)
			if err != nil {
				return nil, err
			}
			chain.ABAC = append(append(chain.ABAC, fixSurrogates(data)...), '\n')
		}
	}
	return &Scenario{Snapshot: snap, Requests: reqs.Bytes(), Chain: chain, Admission: adm}, nil
}

// Write stores the scenario as DIR/snapshot.json and DIR/requests.jsonl, plus DIR/flags
// (and DIR/abac.jsonl) when the scenario uses a chain other than Node,RBAC, and the
// admission scenario as DIR/admission-snapshot.json, DIR/admission.jsonl and, when the
// seed varies feature gates, DIR/admission-flags.
func (s *Scenario) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "snapshot.json"), s.Snapshot, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "requests.jsonl"), s.Requests, 0o644); err != nil {
		return err
	}
	if err := s.Chain.write(dir); err != nil {
		return err
	}
	return s.Admission.Write(dir)
}

func (c *cluster) snapshot(seed uint64, h *hostile) ([]byte, error) {
	odd := map[string][]rbacv1.Subject{}
	if !h.off {
		odd = c.oddSubjects(seed)
	}
	var items []runtime.Object
	for _, ns := range c.namespaces {
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
		typeMeta(n, "v1", "Namespace")
		items = append(items, n)
	}
	for _, x := range c.nodes {
		items = append(items, x)
	}
	for _, x := range c.secrets {
		items = append(items, x)
	}
	for _, x := range c.configMaps {
		items = append(items, x)
	}
	for _, x := range c.sas {
		items = append(items, x)
	}
	for _, x := range c.pvcs {
		items = append(items, x)
	}
	for _, x := range c.claims {
		items = append(items, x)
	}
	for _, x := range c.pods {
		items = append(items, x)
	}
	for _, x := range c.pvs {
		items = append(items, x)
	}
	for _, x := range c.vas {
		items = append(items, x)
	}
	for _, x := range c.slices {
		items = append(items, x)
	}
	for _, x := range c.pcrs {
		items = append(items, x)
	}
	for _, x := range c.csiNodes {
		items = append(items, x)
	}
	for _, x := range c.leases {
		items = append(items, x)
	}
	for _, x := range c.drivers {
		items = append(items, x)
	}
	for _, x := range c.clusterRoles {
		items = append(items, x)
	}
	for _, x := range c.roles {
		items = append(items, x)
	}
	for _, x := range c.crbs {
		if subs := odd[x.Name]; len(subs) > 0 {
			x = x.DeepCopy()
			x.Subjects = append(x.Subjects, subs...)
		}
		items = append(items, x)
	}
	for _, x := range c.rbs {
		if subs := odd[x.Namespace+"/"+x.Name]; len(subs) > 0 {
			x = x.DeepCopy()
			x.Subjects = append(x.Subjects, subs...)
		}
		items = append(items, x)
	}
	// kinds the authorizers ignore
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes"}, Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 443}}}}
	typeMeta(svc, "v1", "Service")
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: c.appNS[len(c.appNS)-1], Name: "web"}}
	typeMeta(dep, "apps/v1", "Deployment")
	items = append(items, svc, dep)
	if !h.off {
		items = append(items, h.rbacObjects()...)
	}

	list := struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Metadata   map[string]any   `json:"metadata"`
		Items      []runtime.Object `json:"items"`
	}{"v1", "List", map[string]any{"resourceVersion": ""}, items}
	data, err := json.MarshalIndent(list, "", "  ")
	return fixSurrogates(data), err
}

// oddKinds are subject kinds upstream's RBAC never matches (it compares kinds exactly).
var oddKinds = []string{"user", "group", "serviceaccount", "USER", "Users", "Node", "SystemGroup", ""}

// oddSubjects gives some bindings an extra subject of a kind upstream never matches,
// named like a real user, group or service account; drawn from a stream of its own and
// added only to the snapshot's copies, so the model and the request stream are unchanged.
// Keys are ClusterRoleBinding names and RoleBinding "namespace/name".
func (c *cluster) oddSubjects(seed uint64) map[string][]rbacv1.Subject {
	r := rand.New(rand.NewPCG(seed, 0x0dd5))
	out := map[string][]rbacv1.Subject{}
	pickS := func(xs []string) string { return xs[r.IntN(len(xs))] }
	subject := func(ns string) rbacv1.Subject {
		kind := pickS(oddKinds)
		s := rbacv1.Subject{Kind: kind, APIGroup: rbacv1.GroupName}
		switch r.IntN(3) {
		case 0:
			s.Name = pickS(c.users)
		case 1:
			s.Name = pickS(c.groups)
		default:
			s.Name, s.Namespace, s.APIGroup = c.sas[r.IntN(len(c.sas))].Name, pickS(c.appNS), ""
			if ns != "" && r.IntN(2) == 0 {
				s.Namespace = ns
			}
		}
		return s
	}
	for _, b := range c.crbs {
		if r.IntN(5) == 0 {
			out[b.Name] = append(out[b.Name], subject(""))
		}
	}
	for _, b := range c.rbs {
		if r.IntN(5) == 0 {
			k := b.Namespace + "/" + b.Name
			out[k] = append(out[k], subject(b.Namespace))
		}
	}
	return out
}

func removeAt[T any](xs []T, i int) []T { return append(xs[:i:i], xs[i+1:]...) }

// mutation returns one or more watch events and applies them to the model.
func (c *cluster) mutation() []event {
	switch c.r.IntN(22) {
	case 0, 1: // new pod
		pod := c.newPod(pick(c, c.appNS), fmt.Sprintf("pod-%d", c.next()), c.podNodeName())
		c.pods = append(c.pods, pod)
		return []event{{"ADDED", pod}}
	case 2: // delete pod
		if len(c.pods) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pods))
		pod := c.pods[i]
		c.pods = removeAt(c.pods, i)
		return []event{{"DELETED", pod}}
	case 3: // label change: the graph populator ignores it
		if len(c.pods) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pods))
		pod := c.pods[i].DeepCopy()
		pod.Labels["rev"] = fmt.Sprint(c.next())
		c.pods[i] = pod
		return []event{{"MODIFIED", pod}}
	case 4: // spec reference change with node, uid, ephemeral containers and claim statuses unchanged: ignored
		if len(c.pods) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pods))
		pod := c.pods[i].DeepCopy()
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: "late", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: c.someSecret()}}})
		c.pods[i] = pod
		return []event{{"MODIFIED", pod}}
	case 5: // new ephemeral container: re-added to the graph
		if len(c.pods) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pods))
		pod := c.pods[i].DeepCopy()
		pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, c.ephemeralContainer(fmt.Sprintf("debug-%d", c.next())))
		c.pods[i] = pod
		return []event{{"MODIFIED", pod}}
	case 6: // schedule an unscheduled pod, or move a pod (new uid)
		for i, p := range c.pods {
			if p.Spec.NodeName == "" {
				pod := p.DeepCopy()
				pod.Spec.NodeName = pick(c, c.nodes).Name
				c.pods[i] = pod
				return []event{{"MODIFIED", pod}}
			}
		}
		if len(c.pods) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pods))
		pod := c.pods[i].DeepCopy()
		pod.UID = types.UID(fmt.Sprintf("pod-uid-%d", c.next()))
		pod.Spec.NodeName = pick(c, c.nodes).Name
		c.pods[i] = pod
		return []event{{"MODIFIED", pod}}
	case 7: // resource claim status appears or changes
		if len(c.pods) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pods))
		pod := c.pods[i].DeepCopy()
		rcName := fmt.Sprintf("rc-late-%d", c.next())
		pod.Spec.ResourceClaims = append(pod.Spec.ResourceClaims, corev1.PodResourceClaim{Name: rcName, ResourceClaimTemplateName: ptr("tmpl-0")})
		pod.Status.ResourceClaimStatuses = append(pod.Status.ResourceClaimStatuses, corev1.PodResourceClaimStatus{Name: rcName, ResourceClaimName: ptr(pod.Name + "-" + rcName)})
		c.pods[i] = pod
		return []event{{"MODIFIED", pod}}
	case 8: // PV added or changed
		if len(c.pvs) > 0 && c.chance(0.5) {
			i := c.r.IntN(len(c.pvs))
			pv := c.newPV(c.pvs[i].Name)
			c.pvs[i] = pv
			return []event{{"MODIFIED", pv}}
		}
		pv := c.newPV(fmt.Sprintf("pv-%d", c.next()))
		c.pvs = append(c.pvs, pv)
		return []event{{"ADDED", pv}}
	case 9: // PV deleted
		if len(c.pvs) == 0 {
			return nil
		}
		i := c.r.IntN(len(c.pvs))
		pv := c.pvs[i]
		c.pvs = removeAt(c.pvs, i)
		return []event{{"DELETED", pv}}
	case 10: // VolumeAttachment added, moved, touched or deleted
		switch {
		case len(c.vas) == 0 || c.chance(0.3):
			va := c.newVA(fmt.Sprintf("va-%d", c.next()))
			c.vas = append(c.vas, va)
			return []event{{"ADDED", va}}
		case c.chance(0.4):
			i := c.r.IntN(len(c.vas))
			va := c.vas[i].DeepCopy()
			if c.chance(0.5) {
				va.Spec.NodeName = pick(c, c.nodes).Name
			} else {
				va.Labels = map[string]string{"touched": fmt.Sprint(c.next())}
			}
			c.vas[i] = va
			return []event{{"MODIFIED", va}}
		default:
			i := c.r.IntN(len(c.vas))
			va := c.vas[i]
			c.vas = removeAt(c.vas, i)
			return []event{{"DELETED", va}}
		}
	case 11: // ResourceSlice added, modified (ignored by the populator) or deleted
		switch {
		case len(c.slices) == 0 || c.chance(0.4):
			s := c.newSlice(fmt.Sprintf("slice-%d", c.next()))
			c.slices = append(c.slices, s)
			return []event{{"ADDED", s}}
		case c.chance(0.3):
			i := c.r.IntN(len(c.slices))
			s := c.slices[i].DeepCopy()
			s.Labels = map[string]string{"touched": fmt.Sprint(c.next())}
			c.slices[i] = s
			return []event{{"MODIFIED", s}}
		default:
			i := c.r.IntN(len(c.slices))
			s := c.slices[i]
			c.slices = removeAt(c.slices, i)
			return []event{{"DELETED", s}}
		}
	case 12: // PodCertificateRequest added or deleted
		if len(c.pcrs) == 0 || c.chance(0.6) {
			if len(c.pods) == 0 {
				return nil
			}
			p := c.newPCR(fmt.Sprintf("pcr-%d", c.next()))
			c.pcrs = append(c.pcrs, p)
			return []event{{"ADDED", p}}
		}
		i := c.r.IntN(len(c.pcrs))
		p := c.pcrs[i]
		c.pcrs = removeAt(c.pcrs, i)
		return []event{{"DELETED", p}}
	case 13, 14: // ClusterRole added, relabelled, rewritten or deleted
		switch {
		case c.chance(0.3):
			cr := c.newClusterRole(fmt.Sprintf("cr-%d", c.next()))
			c.clusterRoles = append(c.clusterRoles, cr)
			return []event{{"ADDED", cr}}
		case c.chance(0.4):
			i := c.r.IntN(len(c.clusterRoles))
			cr := c.clusterRoles[i].DeepCopy()
			if cr.AggregationRule == nil {
				cr.Labels = map[string]string{}
				for k, v := range pick(c, aggregateLabels) {
					cr.Labels[k] = v
				}
			}
			c.clusterRoles[i] = cr
			return []event{{"MODIFIED", cr}}
		case c.chance(0.6):
			i := c.r.IntN(len(c.clusterRoles))
			cr := c.clusterRoles[i].DeepCopy()
			cr.Rules = c.rules()
			c.clusterRoles[i] = cr
			return []event{{"MODIFIED", cr}}
		default:
			i := c.r.IntN(len(c.clusterRoles))
			cr := c.clusterRoles[i]
			c.clusterRoles = removeAt(c.clusterRoles, i)
			return []event{{"DELETED", cr}}
		}
	case 15: // Role added, rewritten or deleted
		switch {
		case len(c.roles) == 0 || c.chance(0.4):
			r := c.newRole(pick(c, c.appNS), fmt.Sprintf("role-%d", c.next()))
			c.roles = append(c.roles, r)
			return []event{{"ADDED", r}}
		case c.chance(0.5):
			i := c.r.IntN(len(c.roles))
			r := c.roles[i].DeepCopy()
			r.Rules = c.rules()
			c.roles[i] = r
			return []event{{"MODIFIED", r}}
		default:
			i := c.r.IntN(len(c.roles))
			r := c.roles[i]
			c.roles = removeAt(c.roles, i)
			return []event{{"DELETED", r}}
		}
	case 16, 17: // ClusterRoleBinding added, resubjected or deleted
		switch {
		case len(c.crbs) == 0 || c.chance(0.4):
			b := c.newCRB(fmt.Sprintf("crb-%d", c.next()))
			c.crbs = append(c.crbs, b)
			return []event{{"ADDED", b}}
		case c.chance(0.5):
			i := c.r.IntN(len(c.crbs))
			b := c.crbs[i].DeepCopy()
			b.Subjects = c.subjects("")
			c.crbs[i] = b
			return []event{{"MODIFIED", b}}
		default:
			i := c.r.IntN(len(c.crbs))
			b := c.crbs[i]
			c.crbs = removeAt(c.crbs, i)
			return []event{{"DELETED", b}}
		}
	case 18: // RoleBinding added or deleted
		if len(c.rbs) == 0 || c.chance(0.6) {
			b := c.newRB(pick(c, c.appNS), fmt.Sprintf("rb-%d", c.next()))
			c.rbs = append(c.rbs, b)
			return []event{{"ADDED", b}}
		}
		i := c.r.IntN(len(c.rbs))
		b := c.rbs[i]
		c.rbs = removeAt(c.rbs, i)
		return []event{{"DELETED", b}}
	case 19: // a default object overridden or removed
		if c.chance(0.5) {
			b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "system:discovery"},
				RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:discovery"},
				Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: rbacv1.GroupName, Name: pick(c, c.groups)}}}
			typeMeta(b, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding")
			return []event{{"MODIFIED", b}}
		}
		cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "view"}}
		typeMeta(cr, "rbac.authorization.k8s.io/v1", "ClusterRole")
		return []event{{"DELETED", cr}}
	case 20: // node added or removed (the graph does not track Node objects)
		if c.chance(0.5) || len(c.nodes) < 2 {
			n := c.newNode(fmt.Sprintf("node-%d", 100+c.next()))
			c.nodes = append(c.nodes, n)
			return []event{{"ADDED", n}}
		}
		i := c.r.IntN(len(c.nodes))
		n := c.nodes[i]
		c.nodes = removeAt(c.nodes, i)
		return []event{{"DELETED", n}}
	default: // objects the authorizers never read
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: pick(c, c.appNS), Name: c.someSecret()}, StringData: map[string]string{"k": "v"}}
		typeMeta(s, "v1", "Secret")
		return []event{{"MODIFIED", s}}
	}
}
