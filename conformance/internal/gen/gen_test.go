package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"kauthz.dev/conformance/internal/wire"
	"testing"
)

func TestSameSeedSameBytes(t *testing.T) {
	for _, seed := range []uint64{1, 2, 42, 1000} {
		a, err := Generate(seed, DefaultSizes)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Generate(seed, DefaultSizes)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Snapshot, b.Snapshot) || !bytes.Equal(a.Requests, b.Requests) {
			t.Fatalf("seed %d: two runs produced different bytes", seed)
		}
	}
	a, _ := Generate(1, DefaultSizes)
	b, _ := Generate(2, DefaultSizes)
	if bytes.Equal(a.Requests, b.Requests) {
		t.Fatal("seeds 1 and 2 produced the same requests")
	}
}

func TestScenarioShape(t *testing.T) {
	sizes := DefaultSizes
	sizes.NoHostile = true
	s, err := Generate(7, sizes)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(s.Snapshot, &list); err != nil || list.Kind != "List" || len(list.Items) == 0 {
		t.Fatalf("snapshot is not a non-empty List: %v", err)
	}
	sars, events, rules := 0, 0, 0
	sc := bufio.NewScanner(bytes.NewReader(s.Requests))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			t.Fatal(err)
		}
		if _, ok := probe["object"]; ok {
			events++
		} else if string(probe["kind"]) == `"SubjectRulesReview"` {
			rules++
		} else {
			sars++
		}
	}
	// A fan-out round adds four rounds of two questions from every node and one stranger.
	if sars < DefaultSizes.MinRequests-4 || sars > DefaultSizes.MaxRequests+4*2*(DefaultSizes.MaxNodes+1) {
		t.Errorf("%d requests, want %d..%d", sars, DefaultSizes.MinRequests, DefaultSizes.MaxRequests)
	}
	if events == 0 {
		t.Errorf("no mutations")
	}
	if rules < 5 || rules > 15 {
		t.Errorf("%d SubjectRulesReviews, want 5..15", rules)
	}
}

// SubjectRulesReviews are spread across rounds (so mutations in between matter),
// and they come after mutations and cover the identities at the edges.
func TestRulesReviews(t *testing.T) {
	users := map[string]bool{}
	emptyNS := false
	afterMutation := 0 // seeds with a review after a mutation
	for seed := uint64(1); seed <= 40; seed++ {
		s, err := Generate(seed, DefaultSizes)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(s.Requests))
		sc.Buffer(nil, 1<<22)
		seenEvent, after := false, false
		for sc.Scan() {
			var rr wire.SubjectRulesReview
			if err := json.Unmarshal(sc.Bytes(), &rr); err != nil {
				t.Fatal(err)
			}
			if rr.Kind != "SubjectRulesReview" {
				if bytes.HasPrefix(sc.Bytes(), []byte(`{"type":`)) {
					seenEvent = true
				}
				continue
			}
			if rr.APIVersion != "kauthz.dev/v1alpha1" {
				t.Fatalf("seed %d: apiVersion %q", seed, rr.APIVersion)
			}
			after = after || seenEvent
			emptyNS = emptyNS || rr.Spec.Namespace == ""
			users[rr.Spec.User] = true
			for _, g := range rr.Spec.Groups {
				if g == "system:masters" {
					users["<masters>"] = true
				}
			}
		}
		if after {
			afterMutation++
		}
	}
	if afterMutation < 20 {
		t.Errorf("only %d of 40 seeds ask for rules after a mutation", afterMutation)
	}
	for _, u := range []string{"system:node:", "system:anonymous", "<masters>", "system:node:node-1"} {
		if !users[u] {
			t.Errorf("no SubjectRulesReview for %q in seeds 1..40", u)
		}
	}
	if !emptyNS {
		t.Errorf("no SubjectRulesReview without a namespace in seeds 1..40")
	}
}

func TestSomeSeedsFanOutPastTheIndexThreshold(t *testing.T) {
	fanned := 0
	for seed := uint64(1); seed <= 40; seed++ {
		s, err := Generate(seed, DefaultSizes)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(s.Requests, []byte(fanConfigMap)) {
			fanned++
		}
	}
	if fanned == 0 {
		t.Fatal("no seed in 1..40 builds a vertex past the destination-index threshold")
	}
}

// The hostile classes only add: every line of a seed without them is still there, in
// order, and the snapshot keeps every object (bindings may gain subjects of odd kinds).
func TestHostileOnlyAdds(t *testing.T) {
	plain := DefaultSizes
	plain.NoHostile = true
	for _, seed := range []uint64{1, 9, 42} {
		a, err := Generate(seed, plain)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Generate(seed, DefaultSizes)
		if err != nil {
			t.Fatal(err)
		}
		old, all := bytes.Split(a.Requests, []byte("\n")), bytes.Split(b.Requests, []byte("\n"))
		i := 0
		for _, line := range all {
			if i < len(old) && bytes.Equal(line, old[i]) {
				i++
			}
		}
		if i != len(old) {
			t.Errorf("seed %d: line %d of the plain requests is missing with hostile classes", seed, i+1)
		}
		if len(all) <= len(old) {
			t.Errorf("seed %d: no hostile lines", seed)
		}
		if !bytes.Contains(b.Requests, []byte(`\ud800`)) && !bytes.Contains(b.Requests, []byte(`\udc00`)) && seed == 1 {
			t.Errorf("seed %d: no unpaired surrogate escape", seed)
		}
	}
}
