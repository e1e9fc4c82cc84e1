package gen

import (
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The graph keeps a destination index only on vertices with at least 200 edges, and
// upstream's index over-counts a pod that references the same object twice. Ordinary
// scenarios stay far below that size, so some seeds end with a fan-out round: hundreds of
// pods sharing one configmap and one secret (some referencing the configmap twice), then
// deletions that drop one node's pods and later fall below the threshold, with every node
// asking about the shared objects after each step.

const (
	fanNS        = "default"
	fanConfigMap = "fanout-shared"
	fanSecret    = "fanout-pull"
)

// fanOutRound returns the events and requests of the round, or nil for most seeds.
func (c *cluster) fanOutRound() []any {
	if !c.chance(0.25) {
		return nil
	}
	var out []any
	var pods []*corev1.Pod
	n := c.intn(205, 260)
	for i := 0; i < n; i++ {
		node := pick(c, c.nodes).Name
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: fanNS, Name: fmt.Sprintf("fan-%d", i),
			UID: types.UID(fmt.Sprintf("fan-uid-%d", c.next()))}}
		typeMeta(pod, "v1", "Pod")
		pod.Spec.NodeName = node
		ctr := corev1.Container{Name: "c"}
		pod.Spec.Volumes = []corev1.Volume{{Name: "shared", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: fanConfigMap}}}}}
		if c.chance(0.3) { // the same configmap a second time: upstream's index counts it twice
			ctr.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: fanConfigMap}}}}
		}
		if c.chance(0.5) {
			pod.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: fanSecret}}
		}
		pod.Spec.Containers = []corev1.Container{ctr}
		pods = append(pods, pod)
		out = append(out, event{"ADDED", pod})
	}
	askers := append(append([]*corev1.Node{}, c.nodes...), c.newNode("node-gone"))
	ask := func() {
		for _, node := range askers {
			p := c.nodePrincipal(node.Name)
			for _, target := range []struct{ resource, name string }{{"configmaps", fanConfigMap}, {"secrets", fanSecret}} {
				out = append(out, sar(p, &authorizationv1.ResourceAttributes{Namespace: fanNS, Verb: "get", Resource: target.resource, Name: target.name}, nil))
			}
		}
	}
	ask()
	// Every pod of one node goes away: that node must lose access (unless the index keeps a stale count).
	gone := pick(c, c.nodes).Name
	var kept []*corev1.Pod
	for _, pod := range pods {
		if pod.Spec.NodeName == gone {
			out = append(out, event{"DELETED", pod})
		} else {
			kept = append(kept, pod)
		}
	}
	pods = kept
	ask()
	// Below the threshold the index is dropped and plain edges decide again.
	for len(pods) > 150 {
		i := c.r.IntN(len(pods))
		out = append(out, event{"DELETED", pods[i]})
		pods = removeAt(pods, i)
	}
	ask()
	// The fan-out pods leave; their vertex ids are reused by what comes next.
	for _, pod := range pods {
		out = append(out, event{"DELETED", pod})
	}
	newcomer := c.newPod(fanNS, fmt.Sprintf("pod-%d", c.next()), c.podNodeName())
	c.pods = append(c.pods, newcomer)
	out = append(out, event{"ADDED", newcomer})
	ask()
	return out
}
