package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
)

// Random PVC pairs: a base object with a random subset of fields, and a copy with a few
// field-level mutations (often of fields a node may change, sometimes none at all).

var quantities = []any{
	"1Gi", "1024Mi", "1073741824", "1.5Gi", "1536Mi", "0.5", "500m", "1000m", "1", "+1", "-1",
	"1e3", "1E3", "1k", "1000", "0", "0.0", "00", "1.0", "10Gi", "1Ti", "0.1Ki", "100n", "1n",
	"0.0000000001", "123456789012345678901", "8Ei", "9Ei", "1e-3", "1.5e3", "12345678901234567890Ki",
	"1Ki", "0Ki", " 2Gi ", "1000E", "7e20", "1.23456789012345678901", "5M", "5Mi", ".5", "1.",
	"-0.5Gi", "2048Ki", "1048576Ki", "3e", "1e+3", "1e0", "1000000000000000000000", "0.001m",
	"999999999999999999", "9223372036854775807", "9223372036854775808", "4Pi", "1Ei", "1024Ei",
	"1.000", "100m", "0.1", "1.5", "1500m", "-1024", "-1Ki", "1023", "1025", "10e2", "100e1",
	"17179869184", "16Gi", "0.5Ki", "512", "1e9", "1G", "1000M", "1e-9", "1e-10", "-.5",
	json.Number("5"), json.Number("1.5"), json.Number("1024"), json.Number("0"),
}

var times = []any{
	"2024-01-02T03:04:05Z", "2024-01-02T04:04:05+01:00", "2024-01-02T02:34:05-00:30",
	"2024-01-02T03:04:05.5Z", "2024-01-02T03:04:05,5Z", "2024-01-02T03:04:05.000000000001Z",
	"2024-01-02T3:04:05Z", "0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00", nil,
	"9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00Z",
	"0000-01-01T00:30:00+01:00", "2024-02-29T12:00:00Z", "2024-01-02T03:04:05+24:00",
	"2024-01-02T03:04:05+23:60", "2000-01-01T00:00:00Z", "2024-01-02T03:04:06Z",
	"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2024-01-02T03:04:05.25Z",
	"2024-01-02T03:04:05.000000001Z", "2024-01-02T03:04:05.0000000001Z",
}

var words = []string{
	"", "a", "b", "pvc-1", "ns", "x<y>&z", "ünï", "line\nbreak", "tab\there", "quote\"d",
	"back\\slash", "\u2028", "\u0001ctl", "\u007f", "emoji😀", "gold", "fast", "fast ",
}

type gen struct{ r *rand.Rand }

func (g *gen) pick(xs []any) any { return xs[g.r.IntN(len(xs))] }
func (g *gen) word() string      { return words[g.r.IntN(len(words))] }
func (g *gen) chance(n int) bool { return g.r.IntN(100) < n }
func (g *gen) qty() any          { return g.pick(quantities) }
func (g *gen) time() any         { return g.pick(times) }
func (g *gen) strPtr() any       { return g.pick([]any{nil, "", "gold", "fast", "x&y"}) }
func (g *gen) modes() any {
	switch g.r.IntN(5) {
	case 0:
		return nil
	case 1:
		return []any{}
	}
	all := []any{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}
	n := 1 + g.r.IntN(3)
	out := []any{}
	for i := 0; i < n; i++ {
		out = append(out, all[g.r.IntN(len(all))])
	}
	return out
}

func (g *gen) strMap(maxN int) any {
	switch g.r.IntN(6) {
	case 0:
		return nil
	case 1:
		return map[string]any{}
	}
	m := map[string]any{}
	n := 1 + g.r.IntN(maxN)
	if g.chance(5) {
		n = 50 + g.r.IntN(200)
		for i := 0; i < n; i++ {
			m[fmt.Sprintf("k%03d", g.r.IntN(300))] = g.word()
		}
	}
	for i := 0; i < n; i++ {
		m[g.word()+g.pick([]any{"", "/k", ".io/x"}).(string)] = g.word()
	}
	return m
}

func (g *gen) qtyMap() any {
	switch g.r.IntN(6) {
	case 0:
		return nil
	case 1:
		return map[string]any{}
	}
	m := map[string]any{}
	keys := []string{"storage", "example.com/iops", "cpu"}
	n := 1 + g.r.IntN(len(keys))
	for i := 0; i < n; i++ {
		m[keys[g.r.IntN(len(keys))]] = g.qty()
	}
	return m
}

func (g *gen) ownerRefs() any {
	switch g.r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []any{}
	}
	out := []any{}
	n := 1 + g.r.IntN(2)
	if g.chance(15) {
		// Long lists make texts of 200+ lines, where go-difflib treats frequent lines as popular.
		n = 20 + g.r.IntN(60)
	}
	for i := 0; i < n; i++ {
		ref := map[string]any{"apiVersion": "v1", "kind": "Pod", "name": g.word(), "uid": "u-" + g.word()}
		if g.chance(50) {
			ref["controller"] = g.pick([]any{true, false, nil})
		}
		if g.chance(50) {
			ref["blockOwnerDeletion"] = g.pick([]any{true, false})
		}
		out = append(out, ref)
	}
	return out
}

func (g *gen) selector() any {
	switch g.r.IntN(4) {
	case 0:
		return nil
	case 1:
		return map[string]any{}
	}
	s := map[string]any{}
	if g.chance(60) {
		s["matchLabels"] = g.strMap(2)
	}
	if g.chance(60) {
		exprs := []any{}
		for i := 0; i < g.r.IntN(3); i++ {
			e := map[string]any{"key": g.word(), "operator": g.pick([]any{"In", "NotIn", "Exists"})}
			if g.chance(70) {
				vals := []any{}
				for j := 0; j < g.r.IntN(3); j++ {
					vals = append(vals, g.word())
				}
				e["values"] = vals
			}
			exprs = append(exprs, e)
		}
		s["matchExpressions"] = exprs
	}
	return s
}

func (g *gen) typedRef(withNS bool) any {
	if g.chance(30) {
		return nil
	}
	ref := map[string]any{"kind": g.pick([]any{"PersistentVolumeClaim", "VolumeSnapshot", ""}), "name": g.word()}
	if g.chance(60) {
		ref["apiGroup"] = g.strPtr()
	}
	if withNS && g.chance(50) {
		ref["namespace"] = g.strPtr()
	}
	return ref
}

func (g *gen) conditions() any {
	if g.chance(40) {
		return nil
	}
	out := []any{}
	for i := 0; i < 1+g.r.IntN(2); i++ {
		out = append(out, map[string]any{
			"type": g.pick([]any{"Resizing", "FileSystemResizePending"}), "status": "True",
			"lastTransitionTime": g.time(), "message": g.word(),
		})
	}
	return out
}

func (g *gen) healthStatus() any {
	if g.chance(50) {
		return nil
	}
	hs := map[string]any{}
	if g.chance(70) {
		conds := []any{}
		for i := 0; i < g.r.IntN(3); i++ {
			conds = append(conds, map[string]any{"status": g.pick([]any{"Inaccessible", "DataLoss"}), "reason": g.word(), "message": g.word()})
		}
		hs["healthConditions"] = conds
	}
	if g.chance(70) {
		hs["lastTransitionTime"] = g.time()
	}
	return hs
}

func (g *gen) managedFields() any {
	if g.chance(50) {
		return nil
	}
	return []any{map[string]any{"manager": g.word(), "operation": "Update", "apiVersion": "v1",
		"time": g.time(), "fieldsType": "FieldsV1", "fieldsV1": map[string]any{"f:status": map[string]any{}}}}
}

// fields lists every field the generator knows: its path and a value maker.
type fieldGen struct {
	path []string
	make func(g *gen) any
}

var fieldGens = []fieldGen{
	{[]string{"metadata", "name"}, func(g *gen) any { return g.word() }},
	{[]string{"metadata", "generateName"}, func(g *gen) any { return g.word() }},
	{[]string{"metadata", "namespace"}, func(g *gen) any { return g.word() }},
	{[]string{"metadata", "selfLink"}, func(g *gen) any { return g.word() }},
	{[]string{"metadata", "uid"}, func(g *gen) any { return g.word() }},
	{[]string{"metadata", "resourceVersion"}, func(g *gen) any { return g.pick([]any{"1", "2", "", nil}) }},
	{[]string{"metadata", "generation"}, func(g *gen) any { return g.pick([]any{json.Number("0"), json.Number("1"), json.Number("-3"), nil}) }},
	{[]string{"metadata", "creationTimestamp"}, func(g *gen) any { return g.time() }},
	{[]string{"metadata", "deletionTimestamp"}, func(g *gen) any { return g.time() }},
	{[]string{"metadata", "deletionGracePeriodSeconds"}, func(g *gen) any { return g.pick([]any{nil, json.Number("0"), json.Number("30")}) }},
	{[]string{"metadata", "labels"}, func(g *gen) any { return g.strMap(3) }},
	{[]string{"metadata", "annotations"}, func(g *gen) any { return g.strMap(3) }},
	{[]string{"metadata", "ownerReferences"}, func(g *gen) any { return g.ownerRefs() }},
	{[]string{"metadata", "finalizers"}, func(g *gen) any {
		return g.pick([]any{nil, []any{}, []any{"kubernetes.io/pvc-protection"}, []any{"a", "b"}})
	}},
	{[]string{"metadata", "managedFields"}, func(g *gen) any { return g.managedFields() }},
	{[]string{"metadata", "unknownField"}, func(g *gen) any { return g.word() }},
	{[]string{"spec", "accessModes"}, func(g *gen) any { return g.modes() }},
	{[]string{"spec", "selector"}, func(g *gen) any { return g.selector() }},
	{[]string{"spec", "resources", "requests"}, func(g *gen) any { return g.qtyMap() }},
	{[]string{"spec", "resources", "limits"}, func(g *gen) any { return g.qtyMap() }},
	{[]string{"spec", "volumeName"}, func(g *gen) any { return g.word() }},
	{[]string{"spec", "storageClassName"}, func(g *gen) any { return g.strPtr() }},
	{[]string{"spec", "volumeMode"}, func(g *gen) any { return g.pick([]any{nil, "Filesystem", "Block", ""}) }},
	{[]string{"spec", "dataSource"}, func(g *gen) any { return g.typedRef(false) }},
	{[]string{"spec", "dataSourceRef"}, func(g *gen) any { return g.typedRef(true) }},
	{[]string{"spec", "volumeAttributesClassName"}, func(g *gen) any { return g.strPtr() }},
	{[]string{"spec", "Bogus"}, func(g *gen) any { return g.word() }},
	{[]string{"status", "phase"}, func(g *gen) any { return g.pick([]any{nil, "", "Pending", "Bound", "Lost"}) }},
	{[]string{"status", "accessModes"}, func(g *gen) any { return g.modes() }},
	{[]string{"status", "capacity"}, func(g *gen) any { return g.qtyMap() }},
	{[]string{"status", "conditions"}, func(g *gen) any { return g.conditions() }},
	{[]string{"status", "allocatedResources"}, func(g *gen) any { return g.qtyMap() }},
	{[]string{"status", "allocatedResourceStatuses"}, func(g *gen) any {
		return g.pick([]any{nil, map[string]any{}, map[string]any{"storage": "ControllerResizeInProgress"},
			map[string]any{"storage": "NodeResizePending", "example.com/iops": "NodeResizeFailed"}})
	}},
	{[]string{"status", "currentVolumeAttributesClassName"}, func(g *gen) any { return g.strPtr() }},
	{[]string{"status", "modifyVolumeStatus"}, func(g *gen) any {
		return g.pick([]any{nil, map[string]any{"status": "Pending"},
			map[string]any{"targetVolumeAttributesClassName": "gold", "status": "InProgress"}, map[string]any{}})
	}},
	{[]string{"status", "healthStatus"}, func(g *gen) any { return g.healthStatus() }},
}

// Fields a node is allowed to change: mutating them alone often yields "equal".
var allowedFields = []int{5, 14, 29, 30, 31, 32}

// tweak makes small edits inside lists and maps (one element changed, removed, inserted or
// duplicated; one key added or removed), the cases where line matching matters most.
func (g *gen) tweak(obj map[string]any) {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	for n := 0; n < 1+g.r.IntN(2); n++ {
		switch g.r.IntN(4) {
		case 0, 1:
			refs, _ := meta["ownerReferences"].([]any)
			if len(refs) == 0 {
				refs, _ = g.ownerRefs().([]any)
			}
			if len(refs) == 0 {
				continue
			}
			i := g.r.IntN(len(refs))
			switch g.r.IntN(4) {
			case 0:
				refs = append(refs[:i:i], refs[i+1:]...)
			case 1:
				refs = append(refs[:i:i], append([]any{deepCopy(refs[i])}, refs[i:]...)...)
			case 2:
				r := deepCopy(refs[i]).(map[string]any)
				r["name"] = g.word() + "x"
				refs[i] = r
			default:
				refs = append(refs[:i:i], append([]any{map[string]any{"apiVersion": "v1", "kind": "Pod", "name": "new", "uid": "u"}}, refs[i:]...)...)
			}
			meta["ownerReferences"] = refs
		default:
			labels, _ := meta["labels"].(map[string]any)
			if labels == nil {
				labels = map[string]any{}
				meta["labels"] = labels
			}
			if len(labels) > 0 && g.chance(50) {
				for k := range labels {
					delete(labels, k)
					break
				}
			} else {
				labels[fmt.Sprintf("k%03d", g.r.IntN(300))] = g.word()
			}
		}
	}
}

func set(obj map[string]any, path []string, v any) {
	m := obj
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	default:
		return v
	}
}

func generate(seed uint64, count int, w io.Writer) error {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))}
	enc := json.NewEncoder(w)
	for i := 0; i < count; i++ {
		base := map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim"}
		for _, f := range fieldGens {
			if g.chance(45) {
				set(base, f.path, f.make(g))
			}
		}
		next := deepCopy(base).(map[string]any)
		switch k := g.r.IntN(12); {
		case k == 0:
			// identical
		case k >= 10:
			g.tweak(next)
		case k <= 3:
			for j := 0; j < 1+g.r.IntN(3); j++ {
				f := fieldGens[allowedFields[g.r.IntN(len(allowedFields))]]
				set(next, f.path, f.make(g))
			}
		default:
			for j := 0; j < 1+g.r.IntN(3); j++ {
				f := fieldGens[g.r.IntN(len(fieldGens))]
				set(next, f.path, f.make(g))
			}
		}
		if err := enc.Encode(pair{Old: mustJSON(base), New: mustJSON(next), Recovery: g.chance(80)}); err != nil {
			return err
		}
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
