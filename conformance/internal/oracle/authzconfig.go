package oracle

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	authorizationv1beta1 "k8s.io/api/authorization/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	authzconfig "k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	authorizationcel "k8s.io/apiserver/pkg/authorization/cel"
	webhookutil "k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/apiserver/plugin/pkg/authorizer/webhook"
	webhookmetrics "k8s.io/apiserver/plugin/pkg/authorizer/webhook/metrics"
	kubeauthorizer "k8s.io/kubernetes/pkg/kubeapiserver/authorizer"
)

// WebhookCalledAnnotation names, on an output SubjectAccessReview, the first webhook the
// chain actually called for it (the stub recorded the call). kauthz cannot evaluate a
// webhook offline, so exactly these requests must come back "incomplete" from kauthz.
const WebhookCalledAnnotation = "conformance.kauthz.dev/webhook-called"

// ConfigErrorKind is the kind of the single output line the oracle writes when the
// --authorization-config file fails upstream's loading or validation.
const ConfigErrorKind = "AuthorizationConfigError"

// ConfigError is an --authorization-config that upstream refuses: its message is
// upstream's, as kube-apiserver would print it.
type ConfigError struct{ Message string }

func (e *ConfigError) Error() string { return e.Message }

// LoadAuthorizationConfig loads and validates an AuthorizationConfiguration file exactly
// as kube-apiserver's options do (authorizer.LoadAndValidateFile with the default CEL
// compiler and no required types).
func LoadAuthorizationConfig(path string) (*authzconfig.AuthorizationConfiguration, error) {
	cfg, _, err := kubeauthorizer.LoadAndValidateFile(path, authorizationcel.NewDefaultCompiler(), nil)
	if err != nil {
		return nil, &ConfigError{Message: err.Error()}
	}
	return cfg, nil
}

// webhookStub is the local webhook every Webhook entry's kubeconfig leads to (through the
// oracle's dialer, which kube-apiserver's egress dialer stands for). It records every call
// and answers deterministically from a hash of the webhook's name and the request spec:
// allow, deny, no opinion, or a 403 failure (not retried), so both failure policies run.
type webhookStub struct {
	mu       sync.Mutex
	calls    []string
	listener net.Listener
	server   *http.Server
}

func newWebhookStub() (*webhookStub, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &webhookStub{listener: l}
	s.server = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go func() { _ = s.server.Serve(l) }()
	return s, nil
}

// dial connects every webhook client to the stub, whatever host its kubeconfig names.
func (s *webhookStub) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, s.listener.Addr().String())
}

func (s *webhookStub) close() { _ = s.server.Close() }

// take returns the webhooks called since the last take, in call order.
func (s *webhookStub) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.calls
	s.calls = nil
	return out
}

// StubAnswer is the stub's deterministic answer for a webhook name and the JSON of the
// SubjectAccessReview spec it received: "allow", "deny", "noopinion" or "fail".
func StubAnswer(name string, spec []byte) string {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(spec)
	switch binary.BigEndian.Uint64(h.Sum(nil)[:8]) % 4 {
	case 0:
		return "allow"
	case 1:
		return "deny"
	case 2:
		return "noopinion"
	default:
		return "fail"
	}
}

func (s *webhookStub) serve(w http.ResponseWriter, r *http.Request) {
	// The webhook's name is the kubeconfig server's first host label: http://NAME.webhook.invalid/
	name := strings.SplitN(r.Host, ".", 2)[0]
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls = append(s.calls, name)
	s.mu.Unlock()
	var probe struct {
		APIVersion string          `json:"apiVersion"`
		Spec       json.RawMessage `json:"spec"`
	}
	_ = json.Unmarshal(body, &probe)
	answer := StubAnswer(name, probe.Spec)
	w.Header().Set("Content-Type", "application/json")
	if answer == "fail" {
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}, Status: metav1.StatusFailure,
			Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden, Message: "stub webhook " + name + " fails"})
		return
	}
	status := authorizationv1.SubjectAccessReviewStatus{Reason: "stub webhook " + name + ": " + answer}
	status.Allowed = answer == "allow"
	status.Denied = answer == "deny"
	apiVersion := probe.APIVersion
	if apiVersion == authorizationv1beta1.SchemeGroupVersion.String() {
		_ = json.NewEncoder(w).Encode(authorizationv1beta1.SubjectAccessReview{TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: "SubjectAccessReview"},
			Status: authorizationv1beta1.SubjectAccessReviewStatus{Allowed: status.Allowed, Denied: status.Denied, Reason: status.Reason}})
		return
	}
	_ = json.NewEncoder(w).Encode(authorizationv1.SubjectAccessReview{TypeMeta: metav1.TypeMeta{APIVersion: authorizationv1.SchemeGroupVersion.String(), Kind: "SubjectAccessReview"}, Status: status})
}

// retryBackoff is kube-apiserver's default --authentication/authorization webhook retry
// backoff (k8s.io/apiserver/pkg/server/options.DefaultAuthWebhookRetryBackoff, not
// imported here because that package drags in etcd). The stub never answers with a
// status that is retried.
var retryBackoff = wait.Backoff{Duration: 500 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 5}

// buildWebhook builds one Webhook entry as kube-apiserver's reloadable authorizer
// resolver does (pkg/kubeapiserver/authorizer/reload.go newForConfig), with the stub's
// dialer standing in for the egress dialer and the default retry backoff.
func (o *Oracle) buildWebhook(a authzconfig.AuthorizerConfiguration) (authorizer.Authorizer, error) {
	if o.stub == nil {
		stub, err := newWebhookStub()
		if err != nil {
			return nil, err
		}
		o.stub = stub
	}
	clientConfig, err := webhookutil.LoadKubeconfig(*a.Webhook.ConnectionInfo.KubeConfigFile, o.stub.dial)
	if err != nil {
		return nil, err
	}
	if a.Webhook.Timeout.Duration != 0 {
		clientConfig.Timeout = a.Webhook.Timeout.Duration
	}
	var decisionOnError authorizer.Decision
	switch a.Webhook.FailurePolicy {
	case authzconfig.FailurePolicyNoOpinion:
		decisionOnError = authorizer.DecisionNoOpinion
	case authzconfig.FailurePolicyDeny:
		decisionOnError = authorizer.DecisionDeny
	default:
		return nil, fmt.Errorf("unknown failurePolicy %q", a.Webhook.FailurePolicy)
	}
	authorizedTTL, unauthorizedTTL := a.Webhook.AuthorizedTTL.Duration, a.Webhook.UnauthorizedTTL.Duration
	if !a.Webhook.CacheAuthorizedRequests {
		authorizedTTL = 0
	}
	if !a.Webhook.CacheUnauthorizedRequests {
		unauthorizedTTL = 0
	}
	return webhook.New(clientConfig, a.Webhook.SubjectAccessReviewVersion, authorizedTTL, unauthorizedTTL,
		retryBackoff, decisionOnError, a.Webhook.MatchConditions, a.Name,
		webhookmetrics.NoopAuthorizerMetrics{}, authorizationcel.NewDefaultCompiler())
}
