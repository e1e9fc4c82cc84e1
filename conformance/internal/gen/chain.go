package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Chain is the authorizer configuration a scenario runs under. Most scenarios use
// kube-apiserver's usual Node,RBAC; the rest reorder it or add AlwaysDeny or ABAC (with a
// generated policy file), so the union's ordering and reason prefixes and ABAC's matching
// are compared with upstream too.
type Chain struct {
	Modes string // --authorization-mode; empty means the default Node,RBAC
	ABAC  []byte // policy file contents, when Modes (or Config) includes ABAC
	// Config is an --authorization-config used instead of Modes (a quarter of the seeds).
	Config *AuthzConfig
}

// chainFor picks the chain from its own stream, so the cluster and requests of a seed do
// not depend on it.
func (c *cluster) chainFor(seed uint64) Chain {
	if rc := rand.New(rand.NewPCG(seed, 0xc0f16)); rc.IntN(4) == 0 {
		ch := Chain{Config: c.authzConfig(rc)}
		if rc.IntN(5) == 0 && len(ch.Config.Authorizers) > 0 {
			ch.ABAC = c.abacPolicy(rc)
			pos := rc.IntN(len(ch.Config.Authorizers) + 1)
			ch.Config.Authorizers = append(ch.Config.Authorizers[:pos], append([]map[string]any{{"type": "ABAC", "name": "abac"}}, ch.Config.Authorizers[pos:]...)...)
		}
		return ch
	}
	r := rand.New(rand.NewPCG(seed, 0xabac))
	switch n := r.IntN(20); {
	case n < 11:
		return Chain{}
	case n < 14:
		return Chain{Modes: "Node,RBAC,ABAC", ABAC: c.abacPolicy(r)}
	case n < 16:
		return Chain{Modes: "ABAC,Node,RBAC", ABAC: c.abacPolicy(r)}
	case n < 18:
		return Chain{Modes: "AlwaysDeny,Node,RBAC"}
	case n < 19:
		return Chain{Modes: "RBAC,Node"}
	default:
		return Chain{Modes: "Node,AlwaysDeny,RBAC,AlwaysAllow"}
	}
}

// abacPolicy writes a policy file mixing v1beta1 and legacy v0 lines, comments and blank
// lines, over the scenario's users, groups, nodes and namespaces.
func (c *cluster) abacPolicy(r *rand.Rand) []byte {
	pickS := func(xs []string) string { return xs[r.IntN(len(xs))] }
	var users []string
	users = append(users, c.users...)
	users = append(users, "*", "system:node:"+c.nodes[0].Name, "system:serviceaccount:default:sa-0")
	groups := append(append([]string{}, c.groups...), "*", "system:authenticated", "system:nodes", "system:serviceaccounts")
	namespaces := append(append([]string{}, c.appNS...), "*", "kube-system")
	resources := []string{"pods", "secrets", "configmaps", "nodes", "*", "deployments", "leases"}
	apiGroups := []string{"", "*", "apps", "coordination.k8s.io"}
	paths := []string{"/healthz", "/api", "/api/*", "*", "/version"}
	var b strings.Builder
	b.WriteString("# generated ABAC policy\n\n")
	for i, n := 0, 4+r.IntN(8); i < n; i++ {
		spec := map[string]any{}
		switch r.IntN(3) {
		case 0:
			spec["user"] = pickS(users)
		case 1:
			spec["group"] = pickS(groups)
		default:
			spec["user"], spec["group"] = pickS(users), pickS(groups)
		}
		if r.IntN(2) == 0 {
			spec["readonly"] = true
		}
		if r.IntN(4) == 0 {
			spec["nonResourcePath"] = pickS(paths)
		} else {
			spec["namespace"] = pickS(namespaces)
			spec["resource"] = pickS(resources)
			spec["apiGroup"] = pickS(apiGroups)
		}
		var line []byte
		if r.IntN(4) == 0 { // legacy unversioned line: v0 has no apiGroup or nonResourcePath
			delete(spec, "apiGroup")
			delete(spec, "nonResourcePath")
			line, _ = json.Marshal(spec)
		} else {
			line, _ = json.Marshal(map[string]any{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": spec})
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func (ch Chain) write(dir string) error {
	// A reused output directory must not keep an earlier scenario's chain.
	for _, stale := range []string{"flags", "abac.jsonl", "authz-config.yaml"} {
		if err := os.Remove(filepath.Join(dir, stale)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if ch.Modes == "" && ch.Config == nil {
		return nil
	}
	var flags string
	if ch.Config != nil {
		path, err := ch.Config.write(dir)
		if err != nil {
			return err
		}
		flags = "--authorization-config " + path
	} else {
		flags = "--authorization-mode " + ch.Modes
	}
	if len(ch.ABAC) > 0 {
		path := filepath.Join(dir, "abac.jsonl")
		if err := os.WriteFile(path, ch.ABAC, 0o644); err != nil {
			return err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		flags += fmt.Sprintf(" --authorization-policy-file %s", abs)
	}
	return os.WriteFile(filepath.Join(dir, "flags"), []byte(flags+"\n"), 0o644)
}
