// Command pvcdiff is the oracle for NodeRestriction's PVC status-update comparison
// (admitPVCStatus): for each pair of v1 PersistentVolumeClaims it prints what upstream
// computes, nothing when the objects are semantically equal after the fields a node may
// change are cleared, otherwise diff.Diff of the two internal objects.
//
//	pvcdiff eval  < pairs.jsonl   # {"old":{...},"new":{...},"recovery":true} per line
//	pvcdiff gen --seed N --count M   # random pairs, one per line, in that format
//
// eval writes one line per input: the input fields plus "diff" (null when equal) or "error"
// (when upstream's decoder rejects an object).
package main

import (
	"encoding/json"
	"fmt"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"

	"kauthz.dev/conformance/internal/fixture"
)

type pair struct {
	Old      json.RawMessage `json:"old"`
	New      json.RawMessage `json:"new"`
	Recovery bool            `json:"recovery"`
}

type result struct {
	Old      json.RawMessage `json:"old"`
	New      json.RawMessage `json:"new"`
	Recovery bool            `json:"recovery"`
	Diff     *string         `json:"diff"`
	Error    string          `json:"error,omitempty"`
}

func main() {
	fixture.Main("pvcdiff", func() error { return fixture.EvalLines(eval) }, generate)
}

// toInternal decodes like the apiserver's codec (no defaulting here) and converts to the
// internal version.
func toInternal(raw []byte) (*api.PersistentVolumeClaim, error) {
	obj, _, err := legacyscheme.Codecs.UniversalDeserializer().Decode(raw, nil, nil)
	if err != nil {
		return nil, err
	}
	out, err := legacyscheme.Scheme.ConvertToVersion(obj, api.SchemeGroupVersion)
	if err != nil {
		return nil, err
	}
	pvc, ok := out.(*api.PersistentVolumeClaim)
	if !ok {
		return nil, fmt.Errorf("unexpected type %T", out)
	}
	return pvc, nil
}

// compare restates admitPVCStatus's comparison.
func compare(oldRaw, newRaw []byte, recovery bool) (*string, error) {
	oldPVC, err := toInternal(oldRaw)
	if err != nil {
		return nil, err
	}
	newPVC, err := toInternal(newRaw)
	if err != nil {
		return nil, err
	}
	oldPVC = oldPVC.DeepCopy()
	newPVC = newPVC.DeepCopy()
	oldPVC.ObjectMeta.ResourceVersion = ""
	newPVC.ObjectMeta.ResourceVersion = ""
	oldPVC.Status.Capacity = nil
	newPVC.Status.Capacity = nil
	oldPVC.Status.Conditions = nil
	newPVC.Status.Conditions = nil
	if recovery {
		oldPVC.Status.AllocatedResourceStatuses = nil
		newPVC.Status.AllocatedResourceStatuses = nil
		oldPVC.Status.AllocatedResources = nil
		newPVC.Status.AllocatedResources = nil
	}
	oldPVC.ObjectMeta.ManagedFields = nil
	newPVC.ObjectMeta.ManagedFields = nil
	if apiequality.Semantic.DeepEqual(oldPVC, newPVC) {
		return nil, nil
	}
	d := diff.Diff(oldPVC, newPVC)
	return &d, nil
}

func eval(p pair) (any, error) {
	r := result{Old: p.Old, New: p.New, Recovery: p.Recovery}
	d, err := compare(p.Old, p.New, p.Recovery)
	if err != nil {
		r.Error = err.Error()
	} else {
		r.Diff = d
	}
	return r, nil
}
