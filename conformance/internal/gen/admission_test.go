package gen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// The admission scenario draws from streams of its own: the bytes every seed had before
// it existed (recorded from the generator at commit 7c0f04e) must not change (without the
// hostile classes, which add lines and objects of their own: see TestHostileOnlyAdds).
func TestAdmissionLeavesAuthorizationStreamsAlone(t *testing.T) {
	sizes := DefaultSizes
	sizes.NoHostile = true
	golden := map[uint64][2]string{
		1:  {"c1f5a9846bbcda0de59d4c40b4173d9c0a512da1569990a2033626fd77372068", "3cf63ec62bbfb3f5cd45d8bb184993127cefa4bd2f52fadafa79b713200a3f91"},
		42: {"6ff0cbc446b347906dcb8a419e76d456b2981376e74257a617baa6f7ac00246f", "589dd33ce3b6772b320e76b55e888b42747bef7e6ed1a604dc1d4140bef6f7dd"},
	}
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	for seed, want := range golden {
		s, err := Generate(seed, sizes)
		if err != nil {
			t.Fatal(err)
		}
		if got := sum(s.Snapshot); got != want[0] {
			t.Errorf("seed %d: snapshot.json changed (%s)", seed, got)
		}
		if got := sum(s.Requests); got != want[1] {
			t.Errorf("seed %d: requests.jsonl changed (%s)", seed, got)
		}
	}
}

func TestAdmissionSameSeedSameBytes(t *testing.T) {
	for _, seed := range []uint64{3, 17} {
		a, _ := Generate(seed, DefaultSizes)
		b, _ := Generate(seed, DefaultSizes)
		if !bytes.Equal(a.Admission.Snapshot, b.Admission.Snapshot) || !bytes.Equal(a.Admission.Requests, b.Admission.Requests) || a.Admission.Flags != b.Admission.Flags {
			t.Fatalf("seed %d: two runs produced different admission bytes", seed)
		}
	}
}

// Every seed gets a few hundred reviews with distinct uids and some watch events, and
// across seeds every resource the plugin handles, every operation and some feature-gate
// variations show up.
func TestAdmissionShape(t *testing.T) {
	seen := map[string]bool{}
	flagged := 0
	for seed := uint64(1); seed <= 30; seed++ {
		s, err := Generate(seed, DefaultSizes)
		if err != nil {
			t.Fatal(err)
		}
		if s.Admission.Flags != "" {
			flagged++
			if !strings.HasPrefix(s.Admission.Flags, "--feature-gates ") {
				t.Errorf("seed %d: flags %q", seed, s.Admission.Flags)
			}
		}
		reviews, events := 0, 0
		uids := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(s.Admission.Requests))
		sc.Buffer(nil, 1<<22)
		for sc.Scan() {
			if bytes.HasPrefix(sc.Bytes(), []byte(`{"type":`)) {
				events++
				continue
			}
			var r admissionv1.AdmissionReview
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Request == nil {
				t.Fatalf("seed %d: %v: %s", seed, err, sc.Bytes())
			}
			reviews++
			if uids[string(r.Request.UID)] {
				t.Errorf("seed %d: uid %s repeated", seed, r.Request.UID)
			}
			uids[string(r.Request.UID)] = true
			res := r.Request.Resource.Resource
			if r.Request.SubResource != "" {
				res += "/" + r.Request.SubResource
			}
			seen[res] = true
			seen[string(r.Request.Operation)] = true
			seen[r.Request.UserInfo.Username] = true
		}
		if reviews < 250 || reviews > 350 {
			t.Errorf("seed %d: %d reviews, want 250..350", seed, reviews)
		}
		if events == 0 {
			t.Errorf("seed %d: no watch events", seed)
		}
	}
	for _, want := range []string{"pods", "pods/status", "pods/eviction", "pods/binding", "nodes", "nodes/status", "persistentvolumeclaims/status",
		"persistentvolumeclaims", "serviceaccounts/token", "serviceaccounts", "leases", "csinodes", "csinodes/status", "resourceslices",
		"certificatesigningrequests", "podcertificaterequests", "configmaps", "CREATE", "UPDATE", "DELETE", "CONNECT", "system:node:", "alice"} {
		if !seen[want] {
			t.Errorf("no %s in seeds 1..30", want)
		}
	}
	if flagged == 0 || flagged == 30 {
		t.Errorf("%d of 30 seeds vary feature gates", flagged)
	}
}
