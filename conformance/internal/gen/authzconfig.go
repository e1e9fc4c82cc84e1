package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// AuthzConfig is a generated --authorization-config: an AuthorizationConfiguration with
// Node, RBAC, sometimes ABAC and AlwaysDeny/AlwaysAllow, and one to three webhooks with
// match conditions over every variable of `request`. Some are invalid (Invalid names the
// class), and then both sides must refuse them with upstream's message.
type AuthzConfig struct {
	Authorizers []map[string]any
	// Webhooks lists the webhook names; each gets DIR/webhook-NAME.kubeconfig.
	Webhooks []string
	// Invalid is the invalid class, or "" for a valid configuration.
	Invalid string
	// Missing lists webhooks whose kubeconfig file is not written (an invalid class).
	Missing map[string]bool
	// JSON writes the configuration as a JSON document (upstream decodes it with its JSON
	// decoder, in document order, instead of converting YAML).
	JSON bool
	// DuplicateName repeats every authorizer's "name" key in the JSON document, first with
	// this value (an invalid class: strict decoding refuses duplicate fields).
	DuplicateName string
	// PlainKeys are YAML 1.1 boolean words (`on`, `y`) written as plain (unquoted) keys in
	// the YAML document: upstream's YAML-to-JSON conversion reads them as `true`, while the
	// encoder's quoted form stays text.
	PlainKeys []string
}

// matchConditionPool is the generator's CEL: every variable (user, groups, uid, extra,
// resourceAttributes.* with both selectors, nonResourceAttributes), operators, macros, and
// expressions that fail at run time on some requests (missing keys, index out of range),
// so the failure policy decides.
func (c *cluster) matchConditionPool(r *rand.Rand) []string {
	user := c.users[r.IntN(len(c.users))]
	group := c.groups[r.IntN(len(c.groups))]
	ns := c.appNS[r.IntN(len(c.appNS))]
	node := c.nodes[r.IntN(len(c.nodes))].Name
	return []string{
		fmt.Sprintf("request.user == '%s'", user),
		"request.user.startsWith('system:node:')",
		"!request.user.startsWith('system:')",
		fmt.Sprintf("request.user != 'system:node:%s'", node),
		fmt.Sprintf("'%s' in request.groups", group),
		"request.groups.exists(g, g.startsWith('system:serviceaccounts'))",
		"size(request.groups) > 1",
		"request.uid == ''",
		"request.uid != '' || request.user.endsWith('-1')",
		"has(request.resourceAttributes)",
		"has(request.nonResourceAttributes) && request.nonResourceAttributes.path.startsWith('/api')",
		fmt.Sprintf("request.resourceAttributes.namespace == '%s'", ns),
		"has(request.resourceAttributes) && request.resourceAttributes.verb in ['get', 'list', 'watch']",
		"has(request.resourceAttributes) && request.resourceAttributes.resource == 'secrets'",
		"!has(request.resourceAttributes) || request.resourceAttributes.group == ''",
		"!has(request.resourceAttributes) || request.resourceAttributes.subresource != ''",
		"has(request.resourceAttributes) && request.resourceAttributes.name.endsWith('-0')",
		"has(request.resourceAttributes) && request.resourceAttributes.version == '*'",
		"has(request.resourceAttributes) && has(request.resourceAttributes.fieldSelector) && request.resourceAttributes.fieldSelector.requirements.exists(r, r.key == 'spec.nodeName' && r.operator == 'In')",
		"has(request.resourceAttributes) && has(request.resourceAttributes.labelSelector) && request.resourceAttributes.labelSelector.requirements.all(r, r.operator != 'DoesNotExist' && r.values.size() < 3)",
		"request.resourceAttributes.fieldSelector.requirements.size() > 0",
		"'scopes' in request.extra",
		"request.extra['scopes'].exists(v, v == 'a')",
		"request.nonResourceAttributes.verb == 'get'",
		"request.groups[0] != 'system:masters'",
		"has(request.resourceAttributes) ? request.resourceAttributes.namespace != 'kube-system' : true",
		"request.user + ':' + request.uid != ':'",
		"request.resourceAttributes.labelSelector.requirements.exists(r, 'x' in r.values) || true",
		fmt.Sprintf("request.resourceAttributes.namespace.contains('%s') && false", ns[:1]),
	}
}

// invalidExpressions are expressions upstream's compiler refuses, with messages kauthz
// reproduces (non-bool results, undeclared references, undefined fields, bad overloads).
var invalidExpressions = []string{
	"request.user",
	"request.groups",
	"request.extra",
	"request.resourceAttributes",
	"size(request.groups)",
	"request.resourceAttributes.fieldSelector.requirements",
	"foo == 1",
	"request.foo == 'x'",
	"request.user == 'a' &&\n  request.resourceAttributes.bogus",
	"request.user.startsWith(1)",
	"'é' == request.nonResourceAttributes.x",
}

// authzConfig draws a configuration (from its own stream).
func (c *cluster) authzConfig(r *rand.Rand) *AuthzConfig {
	cfg := &AuthzConfig{Missing: map[string]bool{}}
	var order []map[string]any
	switch r.IntN(3) {
	case 0:
		order = []map[string]any{{"type": "Node", "name": "node"}, {"type": "RBAC", "name": "rbac"}}
	case 1:
		order = []map[string]any{{"type": "RBAC", "name": "rbac"}, {"type": "Node", "name": "node"}}
	default:
		order = []map[string]any{{"type": "Node", "name": "node"}}
	}
	names := []string{"wh-a", "wh-b", "policy-engine"}
	pool := c.matchConditionPool(r)
	for i, n := 0, 1+r.IntN(3); i < n; i++ {
		name := names[i]
		cfg.Webhooks = append(cfg.Webhooks, name)
		wh := map[string]any{
			"timeout":                    "3s",
			"subjectAccessReviewVersion": []string{"v1", "v1", "v1beta1"}[r.IntN(3)],
			"failurePolicy":              []string{"Deny", "NoOpinion"}[r.IntN(2)],
			"connectionInfo":             map[string]any{"type": "KubeConfigFile", "kubeConfigFile": "@" + name},
			// Every matched request reaches the stub, so "called" is "matched".
			"cacheAuthorizedRequests":   false,
			"cacheUnauthorizedRequests": false,
		}
		if k := r.IntN(5); k > 0 {
			var conds []map[string]any
			for _, j := range r.Perm(len(pool))[:k] {
				conds = append(conds, map[string]any{"expression": pool[j]})
			}
			wh["matchConditions"] = conds
			wh["matchConditionSubjectAccessReviewVersion"] = "v1"
		}
		pos := r.IntN(len(order) + 1)
		order = append(order[:pos], append([]map[string]any{{"type": "Webhook", "name": name, "webhook": wh}}, order[pos:]...)...)
	}
	if len(order) > 0 && r.IntN(2) == 0 && !hasType(order, "RBAC") {
		order = append(order, map[string]any{"type": "RBAC", "name": "rbac"})
	}
	switch r.IntN(8) {
	case 0:
		order = append(order, map[string]any{"type": "AlwaysDeny", "name": "alwaysdeny"})
	case 1:
		order = append(order, map[string]any{"type": "AlwaysAllow", "name": "alwaysallow"})
	}
	cfg.Authorizers = order
	if r.IntN(3) == 0 {
		c.breakConfig(r, cfg)
	}
	cfg.JSON = r.IntN(4) == 0
	return cfg
}

func hasType(as []map[string]any, typ string) bool {
	for _, a := range as {
		if a["type"] == typ {
			return true
		}
	}
	return false
}

func firstWebhook(cfg *AuthzConfig) map[string]any {
	for _, a := range cfg.Authorizers {
		// an earlier break may have left a Webhook entry without its webhook
		if w, ok := a["webhook"].(map[string]any); ok && a["type"] == "Webhook" {
			return w
		}
	}
	return nil
}

// breakConfig makes the configuration invalid in one or two ways upstream refuses.
func (c *cluster) breakConfig(r *rand.Rand, cfg *AuthzConfig) {
	for i, n := 0, 1+r.IntN(2); i < n; i++ {
		wh := firstWebhook(cfg)
		if wh == nil {
			wh = map[string]any{} // an earlier break left no webhook
		}
		if len(cfg.Authorizers) == 0 {
			return
		}
		a := cfg.Authorizers[r.IntN(len(cfg.Authorizers))]
		class := []string{"timeout-missing", "timeout-long", "timeout-negative", "ttl-negative", "failure-policy", "sar-version",
			"mc-version", "mc-version-missing", "name-missing", "name-duplicate", "name-invalid", "name-wrong", "type-unknown",
			"type-missing", "type-duplicate", "webhook-missing", "webhook-extra", "kubeconfig-relative", "kubeconfig-missing",
			"kubeconfig-incluster", "connection-type", "mc-empty", "mc-duplicate", "mc-invalid", "no-authorizers",
			"unknown-field", "json-duplicate-field"}[r.IntN(27)]
		cfg.Invalid = strings.TrimPrefix(cfg.Invalid+","+class, ",")
		switch class {
		case "timeout-missing":
			delete(wh, "timeout")
		case "timeout-long":
			wh["timeout"] = []string{"31s", "1m", "1h30m"}[r.IntN(3)]
		case "timeout-negative":
			wh["timeout"] = "-2s"
		case "ttl-negative":
			wh["authorizedTTL"] = "-1m30s"
		case "failure-policy":
			wh["failurePolicy"] = []string{"Allow", "", "deny"}[r.IntN(3)]
		case "sar-version":
			wh["subjectAccessReviewVersion"] = []string{"v2", ""}[r.IntN(2)]
		case "mc-version":
			wh["matchConditionSubjectAccessReviewVersion"] = "v1beta1"
		case "mc-version-missing":
			wh["matchConditions"] = []map[string]any{{"expression": "request.user != ''"}}
			delete(wh, "matchConditionSubjectAccessReviewVersion")
		case "name-missing":
			a["name"] = ""
		case "name-duplicate":
			a["name"] = cfg.Authorizers[0]["name"]
		case "name-invalid":
			a["name"] = []string{"Bad_Name", "-x", "a..b"}[r.IntN(3)]
		case "name-wrong":
			if a["type"] != "Webhook" {
				a["name"] = "my-" + strings.ToLower(a["type"].(string))
			} else {
				a["name"] = "node"
			}
		case "type-unknown":
			a["type"] = []string{"Foo", "rbac", "Webhooks"}[r.IntN(3)]
		case "type-missing":
			delete(a, "type")
		case "type-duplicate":
			cfg.Authorizers = append(cfg.Authorizers, map[string]any{"type": "Node", "name": "node"})
		case "webhook-missing":
			delete(a, "webhook")
			a["type"] = "Webhook"
		case "webhook-extra":
			if a["type"] != "Webhook" {
				a["webhook"] = map[string]any{"timeout": "3s"}
			} else {
				wh["timeout"] = "0s"
			}
		case "kubeconfig-relative":
			wh["connectionInfo"] = map[string]any{"type": "KubeConfigFile", "kubeConfigFile": "relative/webhook.kubeconfig"}
		case "kubeconfig-missing":
			ci, _ := wh["connectionInfo"].(map[string]any)
			if s, ok := ci["kubeConfigFile"].(string); ok && strings.HasPrefix(s, "@") {
				cfg.Missing[s[1:]] = true
			}
		case "kubeconfig-incluster":
			wh["connectionInfo"] = map[string]any{"type": "InClusterConfig", "kubeConfigFile": "/etc/kubeconfig"}
		case "connection-type":
			wh["connectionInfo"] = map[string]any{"type": ""}
		case "mc-empty":
			wh["matchConditions"] = []map[string]any{{"expression": "  "}}
			wh["matchConditionSubjectAccessReviewVersion"] = "v1"
		case "mc-duplicate":
			wh["matchConditions"] = []map[string]any{{"expression": "has(request.resourceAttributes)"}, {"expression": "has(request.resourceAttributes)"}}
			wh["matchConditionSubjectAccessReviewVersion"] = "v1"
		case "mc-invalid":
			conds, _ := wh["matchConditions"].([]map[string]any)
			wh["matchConditions"] = append(conds, map[string]any{"expression": invalidExpressions[r.IntN(len(invalidExpressions))]})
			wh["matchConditionSubjectAccessReviewVersion"] = "v1"
		case "no-authorizers":
			cfg.Authorizers = nil
			return
		case "unknown-field":
			// A field no version of the type defines, at any level; YAML 1.1 keys (`on`, `y`)
			// become booleans in upstream's YAML-to-JSON conversion, and field names are
			// case-sensitive.
			key := []string{"bogus", "Name", "Timeout", "on", "y", "é\tx", "webhooks", "matchCondition"}[r.IntN(8)]
			if (key == "on" || key == "y") && r.IntN(2) == 0 {
				cfg.PlainKeys = append(cfg.PlainKeys, key)
			}
			switch r.IntN(4) {
			case 0:
				a[key] = 1
			case 1:
				wh[key] = "x"
			case 2:
				if ci, ok := wh["connectionInfo"].(map[string]any); ok {
					ci[key] = true
				} else {
					a[key] = 1
				}
			default:
				if conds, ok := wh["matchConditions"].([]map[string]any); ok && len(conds) > 0 {
					conds[r.IntN(len(conds))][key] = "x"
				} else {
					wh[key] = "x"
				}
			}
		case "json-duplicate-field":
			cfg.DuplicateName = []string{"Bad_Name", "rbac", ""}[r.IntN(3)]
		}
	}
}

// writeConfig writes DIR/authz-config.yaml and the webhooks' kubeconfigs (servers named
// http://NAME.webhook.invalid/, which the oracle's dialer routes to its stub) and returns
// the config's absolute path.
func (cfg *AuthzConfig) write(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for _, name := range cfg.Webhooks {
		path := filepath.Join(abs, "webhook-"+name+".kubeconfig")
		_ = os.Remove(path)
		if cfg.Missing[name] {
			continue
		}
		kc := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n- name: stub\n  cluster:\n    server: http://%s.webhook.invalid/authorize\nusers:\n- name: apiserver\ncontexts:\n- name: stub\n  context: {cluster: stub, user: apiserver}\ncurrent-context: stub\n", name)
		if err := os.WriteFile(path, []byte(kc), 0o644); err != nil {
			return "", err
		}
	}
	// Kubeconfig placeholders "@NAME" become absolute paths in this directory.
	var resolve func(v any) any
	resolve = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, x := range t {
				out[k] = resolve(x)
			}
			return out
		case []map[string]any:
			out := make([]any, len(t))
			for i, x := range t {
				out[i] = resolve(x)
			}
			return out
		case string:
			if strings.HasPrefix(t, "@") {
				return filepath.Join(abs, "webhook-"+t[1:]+".kubeconfig")
			}
			return t
		default:
			return v
		}
	}
	doc := map[string]any{"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AuthorizationConfiguration", "authorizers": resolve(cfg.Authorizers)}
	var data []byte
	if cfg.JSON || cfg.DuplicateName != "" {
		data, err = json.Marshal(doc)
		if err != nil {
			return "", err
		}
		if cfg.DuplicateName != "" {
			// Go's encoder writes "name" right after "kubeConfigFile"/before "type" (sorted keys);
			// the earlier duplicate carries the other value, the last one wins.
			dup, _ := json.Marshal(cfg.DuplicateName)
			data = bytes.ReplaceAll(data, []byte(`"name":`), append(append([]byte(`"name":`), dup...), []byte(`,"name":`)...))
		}
		data = append(data, '\n')
	} else {
		data, err = yaml.Marshal(doc)
		if err != nil {
			return "", err
		}
		for _, key := range cfg.PlainKeys {
			data = bytes.ReplaceAll(data, []byte(`"`+key+`":`), []byte(key+":"))
		}
		if cfg.Invalid != "" {
			data = append([]byte("# invalid: "+cfg.Invalid+"\n"), data...)
		}
	}
	path := filepath.Join(abs, "authz-config.yaml")
	return path, os.WriteFile(path, data, 0o644)
}
