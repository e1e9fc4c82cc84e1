package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	s, err := Generate(7, DefaultSizes)
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
	sars, events := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(s.Requests))
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			t.Fatal(err)
		}
		if _, ok := probe["object"]; ok {
			events++
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
