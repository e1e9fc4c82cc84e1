package oracle

import (
	"fmt"
	"sync"
	"time"

	certsv1informers "k8s.io/client-go/informers/certificates/v1"
	corev1informers "k8s.io/client-go/informers/core/v1"
	resourceinformers "k8s.io/client-go/informers/resource/v1"
	storageinformers "k8s.io/client-go/informers/storage/v1"
	"k8s.io/client-go/tools/cache"
)

// eventCounter counts informer notifications that a handler has finished processing,
// per kind, so the oracle can wait until every write it made has been absorbed by the
// graph populator (or the RBAC listers) before answering the next request.
type eventCounter struct {
	mu        sync.Mutex
	cond      *sync.Cond
	processed map[string]int
	expected  map[string]int
}

func newEventCounter() *eventCounter {
	c := &eventCounter{processed: map[string]int{}, expected: map[string]int{}}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *eventCounter) done(kind string) {
	c.mu.Lock()
	c.processed[kind]++
	c.mu.Unlock()
	c.cond.Broadcast()
}

func (c *eventCounter) expect(kind string, n int) {
	c.mu.Lock()
	c.expected[kind] += n
	c.mu.Unlock()
}

// wait blocks until every kind has processed at least the expected number of events.
func (c *eventCounter) wait(timeout time.Duration) error {
	return waitUntil(c.cond, timeout, func() string {
		for k, n := range c.expected {
			if c.processed[k] < n {
				return fmt.Sprintf("%s: %d of %d events processed", k, c.processed[k], n)
			}
		}
		return ""
	}, "timed out waiting for informers to settle (%s)")
}

// waitUntil waits on cond (whose lock it takes) until pending reports nothing left, or
// fails with errFormat after timeout.
func waitUntil(cond *sync.Cond, timeout time.Duration, pending func() string, errFormat string) error {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { cond.Broadcast() })
	defer timer.Stop()
	cond.L.Lock()
	defer cond.L.Unlock()
	for {
		left := pending()
		if left == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf(errFormat, left)
		}
		cond.Wait()
	}
}

// countingHandler forwards to the wrapped handler, then records completion.
type countingHandler struct {
	inner cache.ResourceEventHandler
	c     *eventCounter
	kind  string
}

func (h countingHandler) OnAdd(obj interface{}, isInInitialList bool) {
	h.inner.OnAdd(obj, isInInitialList)
	h.c.done(h.kind)
}

func (h countingHandler) OnUpdate(oldObj, newObj interface{}) {
	h.inner.OnUpdate(oldObj, newObj)
	h.c.done(h.kind)
}

func (h countingHandler) OnDelete(obj interface{}) {
	h.inner.OnDelete(obj)
	h.c.done(h.kind)
}

// countingInformer wraps every handler registered on it in a countingHandler.
type countingInformer struct {
	cache.SharedIndexInformer
	c    *eventCounter
	kind string
}

func (i countingInformer) wrap(h cache.ResourceEventHandler) cache.ResourceEventHandler {
	return countingHandler{inner: h, c: i.c, kind: i.kind}
}

func (i countingInformer) AddEventHandler(h cache.ResourceEventHandler) (cache.ResourceEventHandlerRegistration, error) {
	return i.SharedIndexInformer.AddEventHandler(i.wrap(h))
}

func (i countingInformer) AddEventHandlerWithResyncPeriod(h cache.ResourceEventHandler, d time.Duration) (cache.ResourceEventHandlerRegistration, error) {
	return i.SharedIndexInformer.AddEventHandlerWithResyncPeriod(i.wrap(h), d)
}

func (i countingInformer) AddEventHandlerWithOptions(h cache.ResourceEventHandler, o cache.HandlerOptions) (cache.ResourceEventHandlerRegistration, error) {
	return i.SharedIndexInformer.AddEventHandlerWithOptions(i.wrap(h), o)
}

type podInformer struct {
	corev1informers.PodInformer
	c *eventCounter
}

func (w podInformer) Informer() cache.SharedIndexInformer {
	return countingInformer{w.PodInformer.Informer(), w.c, "Pod"}
}

type pvInformer struct {
	corev1informers.PersistentVolumeInformer
	c *eventCounter
}

func (w pvInformer) Informer() cache.SharedIndexInformer {
	return countingInformer{w.PersistentVolumeInformer.Informer(), w.c, "PersistentVolume"}
}

type vaInformer struct {
	storageinformers.VolumeAttachmentInformer
	c *eventCounter
}

func (w vaInformer) Informer() cache.SharedIndexInformer {
	return countingInformer{w.VolumeAttachmentInformer.Informer(), w.c, "VolumeAttachment"}
}

type sliceInformer struct {
	resourceinformers.ResourceSliceInformer
	c *eventCounter
}

func (w sliceInformer) Informer() cache.SharedIndexInformer {
	return countingInformer{w.ResourceSliceInformer.Informer(), w.c, "ResourceSlice"}
}

type pcrInformer struct {
	certsv1informers.PodCertificateRequestInformer
	c *eventCounter
}

func (w pcrInformer) Informer() cache.SharedIndexInformer {
	return countingInformer{w.PodCertificateRequestInformer.Informer(), w.c, "PodCertificateRequest"}
}

// watchSet records which resources have an informer watch registered with the fake
// tracker.
type watchSet struct {
	mu   sync.Mutex
	cond *sync.Cond
	seen map[string]bool
}

func newWatchSet() *watchSet {
	w := &watchSet{seen: map[string]bool{}}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *watchSet) add(resource string) {
	w.mu.Lock()
	w.seen[resource] = true
	w.mu.Unlock()
	w.cond.Broadcast()
}

// wait blocks until every resource has a registered watch.
func (w *watchSet) wait(resources []string, timeout time.Duration) error {
	return waitUntil(w.cond, timeout, func() string {
		for _, r := range resources {
			if !w.seen[r] {
				return r
			}
		}
		return ""
	}, "timed out waiting for the informer watch on %s")
}
