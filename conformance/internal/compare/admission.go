package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// AdmissionReviewKind is the kind of the admission answers (admission.k8s.io/v1).
const AdmissionReviewKind = "AdmissionReview"

// AdmissionAnswer is the part of an AdmissionReview answer that is compared.
type AdmissionAnswer struct {
	Kind     string `json:"kind"`
	Response *struct {
		UID     string           `json:"uid"`
		Allowed bool             `json:"allowed"`
		Status  *AdmissionStatus `json:"status"`
	} `json:"response"`
}

// AdmissionStatus is the part of the response's metav1.Status that is compared.
type AdmissionStatus struct {
	Code    int             `json:"code"`
	Reason  string          `json:"reason"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details"`
}

// IsAdmission reports whether an output line is an AdmissionReview.
func IsAdmission(line []byte) bool {
	var probe struct {
		Kind string `json:"kind"`
	}
	return json.Unmarshal(line, &probe) == nil && probe.Kind == AdmissionReviewKind
}

// ParseAdmission decodes one AdmissionReview answer.
func ParseAdmission(line []byte) (*AdmissionAnswer, error) {
	var a AdmissionAnswer
	d := json.NewDecoder(bytes.NewReader(line))
	if err := d.Decode(&a); err != nil {
		return nil, err
	}
	return &a, nil
}

// EqualAdmission compares two AdmissionReview answers: kind, response uid, allowed, and
// the status code, reason, message and details (details as JSON values, key order
// ignored; an absent status counts as an empty one). In a message that reports an
// authorizer error ("error authorizing ..."), the items of a trailing aggregate
// "[a, b, ...]" are compared sorted: the chain's RBAC errors come in informer map order.
func EqualAdmission(expected, actual *AdmissionAnswer) (bool, string) {
	if actual.Kind != AdmissionReviewKind {
		return false, fmt.Sprintf("kind: oracle %q, kauthz %q", expected.Kind, actual.Kind)
	}
	if expected.Response == nil || actual.Response == nil {
		if (expected.Response == nil) != (actual.Response == nil) {
			return false, fmt.Sprintf("response present: oracle %v, kauthz %v", expected.Response != nil, actual.Response != nil)
		}
		return true, ""
	}
	e, a := expected.Response, actual.Response
	var diffs []string
	if e.UID != a.UID {
		diffs = append(diffs, fmt.Sprintf("uid: oracle %q, kauthz %q", e.UID, a.UID))
	}
	if e.Allowed != a.Allowed {
		diffs = append(diffs, fmt.Sprintf("allowed: oracle %v, kauthz %v", e.Allowed, a.Allowed))
	}
	es, as := e.Status, a.Status
	if es == nil {
		es = &AdmissionStatus{}
	}
	if as == nil {
		as = &AdmissionStatus{}
	}
	if es.Code != as.Code {
		diffs = append(diffs, fmt.Sprintf("status.code: oracle %d, kauthz %d", es.Code, as.Code))
	}
	if es.Reason != as.Reason {
		diffs = append(diffs, fmt.Sprintf("status.reason: oracle %q, kauthz %q", es.Reason, as.Reason))
	}
	if es.Message != as.Message && NormalizeAdmissionMessage(es.Message) != NormalizeAdmissionMessage(as.Message) {
		diffs = append(diffs, fmt.Sprintf("status.message: oracle %q, kauthz %q", es.Message, as.Message))
	}
	if ok, why := jsonEqual(es.Details, as.Details); !ok {
		diffs = append(diffs, "status.details: "+why)
	}
	if len(diffs) > 0 {
		return false, strings.Join(diffs, "; ")
	}
	return true, ""
}

// NormalizeAdmissionMessage sorts the items of the aggregate that ends a message about
// an authorizer error (upstream's union and RBAC errors follow informer map order).
func NormalizeAdmissionMessage(msg string) string {
	if !strings.Contains(msg, "error authorizing ") || !strings.HasSuffix(msg, "]") {
		return msg
	}
	i := strings.LastIndex(msg, ": [")
	if i < 0 {
		return msg
	}
	head := msg[:i+3]
	items := strings.Split(msg[len(head):len(msg)-1], ", ")
	sort.Strings(items)
	return head + strings.Join(items, ", ") + "]"
}

func jsonEqual(a, b json.RawMessage) (bool, string) {
	var x, y any
	if len(a) > 0 {
		if err := json.Unmarshal(a, &x); err != nil {
			return false, fmt.Sprintf("oracle: %v", err)
		}
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &y); err != nil {
			return false, fmt.Sprintf("kauthz: %v", err)
		}
	}
	if reflect.DeepEqual(x, y) {
		return true, ""
	}
	return false, fmt.Sprintf("oracle %s, kauthz %s", compact(a), compact(b))
}

func compact(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "(absent)"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// AdmissionExpectation is one line of a restated NodeRestriction table's expected.jsonl:
// upstream's test expects the request allowed, or refused with an error whose message
// contains Error (upstream checks strings.Contains(err.Error(), want)).
type AdmissionExpectation struct {
	Case    string `json:"case"`
	Allowed bool   `json:"allowed"`
	Error   string `json:"error,omitempty"`
	Checked bool   `json:"checked"`
	Note    string `json:"note,omitempty"`
}

// MeetsAdmissionExpectation reports whether an oracle answer agrees with upstream's test.
func MeetsAdmissionExpectation(e AdmissionExpectation, r *AdmissionAnswer) (bool, string) {
	if !e.Checked {
		return true, ""
	}
	if r.Response == nil {
		return false, fmt.Sprintf("%q: no response", e.Case)
	}
	if r.Response.Allowed != e.Allowed {
		return false, fmt.Sprintf("%q: upstream expects allowed=%v, got allowed=%v", e.Case, e.Allowed, r.Response.Allowed)
	}
	if !e.Allowed && e.Error != "" {
		msg := ""
		if r.Response.Status != nil {
			msg = r.Response.Status.Message
		}
		if !strings.Contains(msg, e.Error) {
			return false, fmt.Sprintf("%q: upstream expects an error containing %q, got %q", e.Case, e.Error, msg)
		}
	}
	return true, ""
}
