// Package compare decides whether a kauthz answer to a SubjectAccessReview (or a
// kauthz.dev/v1alpha1 SubjectRulesReview) matches the oracle's answer.
package compare

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// AcceptableReasonsAnnotation mirrors oracle.AcceptableReasonsAnnotation (kept here so
// the comparer does not link upstream Kubernetes).
const AcceptableReasonsAnnotation = "conformance.kauthz.dev/acceptable-reasons"

// WebhookCalledAnnotation mirrors oracle.WebhookCalledAnnotation: the first webhook the
// oracle's chain called for this request.
const WebhookCalledAnnotation = "conformance.kauthz.dev/webhook-called"

// ConfigErrorKind mirrors oracle.ConfigErrorKind.
const ConfigErrorKind = "AuthorizationConfigError"

// ConfigErrorPrefix precedes upstream's message in kauthz's error for a refused
// --authorization-config.
const ConfigErrorPrefix = "invalid AuthorizationConfiguration: "

// ConfigError returns upstream's message when the oracle's line says it refused the
// --authorization-config.
func ConfigError(line []byte) (string, bool) {
	var e struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	}
	if json.Unmarshal(line, &e) != nil || e.Kind != ConfigErrorKind {
		return "", false
	}
	return e.Message, true
}

// EqualConfigError checks kauthz's stderr for upstream's refusal message, whole.
func EqualConfigError(message string, stderr []byte) (bool, string) {
	if strings.Contains(string(stderr), ConfigErrorPrefix+message) {
		return true, ""
	}
	return false, fmt.Sprintf("upstream refuses the authorization config with %q; kauthz's stderr: %q", message, strings.TrimSpace(string(stderr)))
}

const rbacAllowedPrefix = "RBAC: allowed by "

// Status is the part of a SubjectAccessReview that is compared.
type Status struct {
	Allowed         bool   `json:"allowed"`
	Denied          bool   `json:"denied"`
	Reason          string `json:"reason"`
	EvaluationError string `json:"evaluationError"`
}

// Review is the subset of a SubjectAccessReview the comparer reads. A line may also be
// a v1 Status (kube-apiserver's answer to a request it rejects); then Failure is set.
type Review struct {
	Metadata struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Kind    string          `json:"kind"`
	Spec    json.RawMessage `json:"spec"`
	Status  Status          `json:"-"`
	Failure *Failure        `json:"-"`
	// Rules is set for a kauthz.dev/v1alpha1 SubjectRulesReview answer.
	Rules *RulesStatus `json:"-"`
}

// Failure is a v1 Status line; it is compared whole (Whole: every field, as JSON values).
type Failure struct {
	Code    int    `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Whole   any    `json:"-"`
}

// Parse decodes one output line.
func Parse(line []byte) (*Review, error) {
	var r Review
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, err
	}
	var probe struct {
		Kind   string          `json:"kind"`
		Status json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		return nil, err
	}
	if probe.Kind == "Status" {
		var f Failure
		if err := json.Unmarshal(line, &f); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(line, &f.Whole); err != nil {
			return nil, err
		}
		r.Failure = &f
		return &r, nil
	}
	if probe.Kind == RulesReviewKind {
		rs, err := parseRulesStatus(probe.Status)
		if err != nil {
			return nil, fmt.Errorf("status: %w", err)
		}
		r.Rules = rs
		return &r, nil
	}
	if len(probe.Status) > 0 {
		if err := json.Unmarshal(probe.Status, &r.Status); err != nil {
			return nil, fmt.Errorf("status: %w", err)
		}
	}
	return &r, nil
}

// Equal reports whether actual matches expected, and if not, why.
func Equal(expected, actual *Review) (bool, string) {
	if expected.Failure != nil || isInvalid(expected.Status) {
		if rejected(actual) {
			if expected.Failure != nil {
				// kube-apiserver's Status is the target: code, reason, message, details
				// (group, causes) and metadata, all of it.
				if actual.Failure == nil {
					return false, fmt.Sprintf("oracle rejected with Status %d %s %q; kauthz did not write a Status", expected.Failure.Code, expected.Failure.Reason, expected.Failure.Message)
				}
				if !reflect.DeepEqual(expected.Failure.Whole, actual.Failure.Whole) {
					e, _ := json.Marshal(expected.Failure.Whole)
					a, _ := json.Marshal(actual.Failure.Whole)
					return false, fmt.Sprintf("rejection Status: oracle %s, kauthz %s", e, a)
				}
			}
			return true, ""
		}
		return false, "oracle rejected the request as invalid; kauthz answered it"
	}
	if actual.Failure != nil {
		return false, fmt.Sprintf("kauthz rejected the request (%d %s: %s); the oracle answered it", actual.Failure.Code, actual.Failure.Reason, actual.Failure.Message)
	}
	if expected.Rules != nil || actual.Rules != nil {
		if expected.Rules == nil || actual.Rules == nil {
			return false, fmt.Sprintf("kind: oracle %q, kauthz %q", expected.Kind, actual.Kind)
		}
		return equalRules(expected.Rules, actual.Rules)
	}
	e, a := expected.Status, actual.Status
	if name, ok := expected.Metadata.Annotations[WebhookCalledAnnotation]; ok {
		// Upstream called a webhook: its answer is unknown offline, so kauthz must say
		// exactly that, naming the first webhook called, and neither allow nor deny.
		if actual.Metadata.Annotations[WebhookCalledAnnotation] == name {
			return true, "" // --self: the oracle on both sides called the same webhook
		}
		want := "incomplete: webhook " + strconv.Quote(name) + " not evaluated"
		if a.Allowed || a.Denied || !strings.Contains(a.EvaluationError, want) {
			return false, fmt.Sprintf("upstream called webhook %q; kauthz answered allowed=%v denied=%v evaluationError %q", name, a.Allowed, a.Denied, a.EvaluationError)
		}
		return true, ""
	}
	var diffs []string
	if e.Allowed != a.Allowed {
		diffs = append(diffs, fmt.Sprintf("allowed: oracle %v, kauthz %v", e.Allowed, a.Allowed))
	}
	if e.Denied != a.Denied {
		diffs = append(diffs, fmt.Sprintf("denied: oracle %v, kauthz %v", e.Denied, a.Denied))
	}
	if !reasonsMatch(expected, e.Reason, a.Reason) {
		diffs = append(diffs, fmt.Sprintf("reason: oracle %q, kauthz %q", e.Reason, a.Reason))
	}
	if e.EvaluationError != a.EvaluationError {
		diffs = append(diffs, fmt.Sprintf("evaluationError: oracle %q, kauthz %q", e.EvaluationError, a.EvaluationError))
	}
	if len(diffs) > 0 {
		return false, strings.Join(diffs, "; ")
	}
	return true, ""
}

func rejected(r *Review) bool {
	if r.Failure != nil {
		return true
	}
	return isInvalid(r.Status) && !r.Status.Allowed && !r.Status.Denied
}

// isInvalid recognises the answer for a request kube-apiserver would reject with 422.
func isInvalid(s Status) bool {
	return strings.Contains(s.EvaluationError, " is invalid: ")
}

func reasonsMatch(expected *Review, e, a string) bool {
	if e == a {
		return true
	}
	if strings.HasPrefix(e, rbacAllowedPrefix) && strings.HasPrefix(a, rbacAllowedPrefix) {
		var acceptable []string
		if raw, ok := expected.Metadata.Annotations[AcceptableReasonsAnnotation]; ok {
			if err := json.Unmarshal([]byte(raw), &acceptable); err != nil {
				return false
			}
		}
		for _, r := range acceptable {
			if r == a {
				return true
			}
		}
		return false
	}
	return NormalizeReason(e) == NormalizeReason(a)
}

// NormalizeReason makes reasons that carry RBAC resolution errors order-independent:
// upstream aggregates errors in binding-list order, which is informer map order. Each
// line of the union's reason of the form "<name>: RBAC: [e1, e2, ...]" gets its
// errors sorted.
func NormalizeReason(reason string) string {
	lines := strings.Split(reason, "\n")
	for i, line := range lines {
		idx := strings.Index(line, "RBAC: [")
		if idx < 0 || !strings.HasSuffix(line, "]") {
			continue
		}
		head := line[:idx+len("RBAC: [")]
		items := strings.Split(line[len(head):len(line)-1], ", ")
		sort.Strings(items)
		lines[i] = head + strings.Join(items, ", ") + "]"
	}
	return strings.Join(lines, "\n")
}

// Expectation is one line of a restated upstream table's expected.jsonl.
type Expectation struct {
	Case    string  `json:"case"`
	Allowed bool    `json:"allowed"`
	Reason  *string `json:"reason,omitempty"`
	Checked bool    `json:"checked"`
	Note    string  `json:"note,omitempty"`
}

// MeetsExpectation reports whether an oracle answer agrees with upstream's own test
// expectation (allowed, not denied, and the reason when the table fixes one).
// Unchecked expectations (cases upstream ran under non-default feature gates) always
// pass.
func MeetsExpectation(e Expectation, r *Review) (bool, string) {
	if !e.Checked {
		return true, ""
	}
	if r.Status.Allowed != e.Allowed || r.Status.Denied {
		return false, fmt.Sprintf("%q: upstream expects allowed=%v, got allowed=%v denied=%v", e.Case, e.Allowed, r.Status.Allowed, r.Status.Denied)
	}
	if e.Reason != nil && *e.Reason != r.Status.Reason {
		return false, fmt.Sprintf("%q: upstream expects reason %q, got %q", e.Case, *e.Reason, r.Status.Reason)
	}
	return true, ""
}
