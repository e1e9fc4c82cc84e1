package crosscheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"

	"kauthz.dev/conformance/internal/oracle"
	"kauthz.dev/conformance/internal/snapshot"
)

// Config is one seed's cross-check.
type Config struct {
	Label        string
	Seed         uint64
	Requests     string   // requests.jsonl: the SARs before the first watch event are sampled
	Kauthz       string   // the binary under test
	ClusterFlags []string // the flags both sides get (-f …, --with-defaults, chain flags)
	Options      oracle.Options
	PolicyFile   string // ABAC policy file, for candidate subjects
	Queries      int    // who-can queries per seed
	Lists        int    // can-i --list identities per seed
	Coverage     int    // allowed SARs per identity checked against its rows
	MaxPrint     int
	Out          *bufio.Writer
}

// Result counts oracle decisions and differences.
type Result struct {
	Decisions, Differences int
}

type checker struct {
	cfg     Config
	o       *oracle.Oracle
	r       *rand.Rand
	res     Result
	objs    []runtime.Object
	nodes   []string // node names: Node objects and pods' spec.nodeName, sorted
	nsList  []string // namespaces, sorted
	names   map[string][]string
	cands   []Subject
	sars    []*authorizationv1.SubjectAccessReview
	badKind []Subject // binding subjects of kinds upstream never matches
}

func (c *checker) diff(format string, args ...any) {
	c.res.Differences++
	if c.res.Differences <= c.cfg.MaxPrint {
		fmt.Fprintf(c.cfg.Out, "DIFF %s: %s\n", c.cfg.Label, fmt.Sprintf(format, args...))
	}
}

// Run performs the cross-check of one seed.
func Run(cfg Config) (Result, error) {
	o, err := oracle.New(cfg.Options)
	if err != nil {
		return Result{}, err
	}
	defer o.Close()
	objs, err := snapshot.LoadPaths(cfg.Options.Paths)
	if err != nil {
		return Result{}, err
	}
	c := &checker{cfg: cfg, o: o, r: rand.New(rand.NewPCG(cfg.Seed, 0xc0ffee)), names: map[string][]string{}}
	c.objs = oracle.MergeDefaults(objs, cfg.Options.WithDefaults)
	c.index()
	if err := c.readRequests(); err != nil {
		return Result{}, err
	}
	for i := 0; i < cfg.Queries && len(c.sars) > 0; i++ {
		if err := c.whoCan(c.sars[c.r.IntN(len(c.sars))]); err != nil {
			return c.res, err
		}
	}
	for _, id := range c.listIdentities() {
		if err := c.list(id); err != nil {
			return c.res, err
		}
	}
	if c.res.Differences > cfg.MaxPrint {
		fmt.Fprintf(cfg.Out, "DIFF %s: %d more differences not shown\n", cfg.Label, c.res.Differences-cfg.MaxPrint)
	}
	return c.res, nil
}

// index collects candidate subjects, nodes, namespaces and object names.
func (c *checker) index() {
	seen := map[Subject]bool{}
	add := func(s Subject) {
		if !seen[s] {
			seen[s] = true
			c.cands = append(c.cands, s)
		}
	}
	nodes, nss := map[string]bool{}, map[string]bool{}
	subjects := func(subs []rbacv1.Subject, ns string) {
		for _, s := range subs {
			switch s.Kind {
			case "User", "Group":
				add(Subject{Kind: s.Kind, Name: s.Name})
			case "ServiceAccount":
				sns := s.Namespace
				if sns == "" {
					sns = ns
				}
				if sns != "" {
					add(Subject{Kind: "ServiceAccount", Name: s.Name, Namespace: sns})
				}
			default:
				c.badKind = append(c.badKind, Subject{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace})
			}
		}
	}
	for _, obj := range c.objs {
		switch x := obj.(type) {
		case *rbacv1.ClusterRoleBinding:
			subjects(x.Subjects, "")
		case *rbacv1.RoleBinding:
			subjects(x.Subjects, x.Namespace)
		case *corev1.Node:
			nodes[x.Name] = true
		case *corev1.Namespace:
			nss[x.Name] = true
		case *corev1.ServiceAccount:
			add(Subject{Kind: "ServiceAccount", Name: x.Name, Namespace: x.Namespace})
		case *corev1.Pod:
			if x.Spec.NodeName != "" {
				nodes[x.Spec.NodeName] = true
			}
			if x.Spec.ServiceAccountName != "" {
				add(Subject{Kind: "ServiceAccount", Name: x.Spec.ServiceAccountName, Namespace: x.Namespace})
			}
		}
		if acc, ok := obj.(interface{ GetName() string }); ok {
			kind := snapshot.KindOf(obj)
			c.names[kind] = append(c.names[kind], acc.GetName())
		}
	}
	if c.cfg.PolicyFile != "" {
		if data, err := os.ReadFile(c.cfg.PolicyFile); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				var p struct {
					User  string `json:"user"`
					Group string `json:"group"`
					Spec  struct {
						User  string `json:"user"`
						Group string `json:"group"`
					} `json:"spec"`
				}
				if json.Unmarshal([]byte(line), &p) != nil {
					continue
				}
				for _, u := range []string{p.User, p.Spec.User} {
					if u != "" && u != "*" {
						add(Subject{Kind: "User", Name: u})
					}
				}
				for _, g := range []string{p.Group, p.Spec.Group} {
					if g != "" && g != "*" {
						add(Subject{Kind: "Group", Name: g})
					}
				}
			}
		}
	}
	for _, g := range []string{"system:masters", "system:authenticated", "system:unauthenticated", "system:nodes", "system:serviceaccounts"} {
		add(Subject{Kind: "Group", Name: g})
	}
	for n := range nodes {
		c.nodes = append(c.nodes, n)
	}
	sort.Strings(c.nodes)
	for _, n := range c.nodes {
		add(Subject{Kind: "Node", Name: n})
	}
	for n := range nss {
		c.nsList = append(c.nsList, n)
	}
	sort.Strings(c.nsList)
	for k := range c.names {
		sort.Strings(c.names[k])
	}
}

// readRequests keeps the SubjectAccessReviews before the first watch event: they are
// asked of the snapshot as loaded.
func (c *checker) readRequests() error {
	data, err := os.ReadFile(c.cfg.Requests)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		var probe struct {
			Type string `json:"type"`
			Kind string `json:"kind"`
		}
		if json.Unmarshal(raw, &probe) != nil {
			continue
		}
		if probe.Type != "" {
			break
		}
		if probe.Kind != "SubjectAccessReview" {
			continue
		}
		var sar authorizationv1.SubjectAccessReview
		if json.Unmarshal(raw, &sar) == nil {
			c.sars = append(c.sars, &sar)
		}
	}
	return nil
}

// ask answers req as id; ok is false when the request is invalid.
func (c *checker) ask(id Identity, spec authorizationv1.SubjectAccessReviewSpec) (allowed, valid bool, err error) {
	sar := &authorizationv1.SubjectAccessReview{Spec: spec}
	sar.Spec.User, sar.Spec.Groups, sar.Spec.UID, sar.Spec.Extra = id.User, id.Groups, "", nil
	out, err := c.o.Review(context.Background(), sar)
	if err != nil {
		return false, false, err
	}
	c.res.Decisions++
	if r, ok := out.(*authorizationv1.SubjectAccessReview); ok {
		return r.Status.Allowed, r.Status.EvaluationError == "" || !strings.Contains(r.Status.EvaluationError, " is invalid: "), nil
	}
	return false, false, nil
}

func (c *checker) exec(args ...string) ([]byte, error) {
	cmd := exec.Command(c.cfg.Kauthz, append(args, c.cfg.ClusterFlags...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("kauthz %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// whoCanArgs turns a SAR into `who-can` arguments; false when the CLI cannot ask it
// exactly (resource names kubectl resolution would rewrite, unparsable selectors).
func whoCanArgs(spec authorizationv1.SubjectAccessReviewSpec) ([]string, authorizationv1.SubjectAccessReviewSpec, bool) {
	out := authorizationv1.SubjectAccessReviewSpec{}
	if n := spec.NonResourceAttributes; n != nil {
		if !strings.HasPrefix(n.Path, "/") || !usableArg(n.Verb) || !usableArg(n.Path) {
			return nil, out, false
		}
		out.NonResourceAttributes = n.DeepCopy()
		return []string{"who-can", n.Verb, n.Path, "-o", "json"}, out, true
	}
	ra := spec.ResourceAttributes
	if ra == nil || !usableArg(ra.Verb) || len(ra.Name)+len(ra.Namespace)+len(ra.Resource)+len(ra.Group)+len(ra.Subresource) > 100000 || strings.ContainsRune(ra.Namespace+ra.Name+ra.Group+ra.Subresource+ra.Resource, 0) || strings.HasPrefix(ra.Namespace, "-") || ra.Resource == "" || strings.ContainsAny(ra.Resource, "./") || strings.ToLower(ra.Resource) != ra.Resource ||
		strings.ToLower(ra.Group) != ra.Group || strings.HasPrefix(ra.Verb, "-") {
		return nil, out, false
	}
	if strings.HasPrefix(ra.Resource, "-") || strings.HasPrefix(ra.Subresource, "-") {
		return nil, out, false // clap would take them for flags
	}
	r := ra.DeepCopy()
	r.LabelSelector = nil
	target := ra.Resource + "." + ra.Group
	if ra.Name != "" {
		target += "/" + ra.Name
	}
	args := []string{"who-can", ra.Verb, target, "-o", "json"}
	if ra.Namespace == "" {
		args = append(args, "-A")
	} else {
		args = append(args, "-n", ra.Namespace)
	}
	if ra.Subresource != "" {
		args = append(args, "--subresource", ra.Subresource)
	}
	r.FieldSelector = nil
	if fs := ra.FieldSelector; fs != nil && fs.RawSelector != "" && len(fs.Requirements) == 0 {
		if _, err := fields.ParseSelector(fs.RawSelector); err == nil && usableArg(fs.RawSelector) {
			args = append(args, "--field-selector", fs.RawSelector)
			r.FieldSelector = fs.DeepCopy()
		}
	}
	out.ResourceAttributes = r
	return args, out, true
}

func describe(spec authorizationv1.SubjectAccessReviewSpec) string {
	if n := spec.NonResourceAttributes; n != nil {
		return n.Verb + " " + n.Path
	}
	ra := spec.ResourceAttributes
	s := fmt.Sprintf("%s %s", ra.Verb, ra.Resource)
	if ra.Subresource != "" {
		s += "/" + ra.Subresource
	}
	if ra.Group != "" {
		s += "." + ra.Group
	}
	if ra.Name != "" {
		s += " " + ra.Name
	}
	s += fmt.Sprintf(" -n %q", ra.Namespace)
	if ra.FieldSelector != nil {
		s += " --field-selector " + ra.FieldSelector.RawSelector
	}
	return s
}

func (c *checker) whoCan(sar *authorizationv1.SubjectAccessReview) error {
	args, spec, ok := whoCanArgs(sar.Spec)
	if !ok {
		return nil
	}
	what := describe(spec)
	out, err := c.exec(args...)
	if err != nil {
		c.diff("who-can %s: %v", what, err)
		return nil
	}
	var holders []Holder
	if err := json.Unmarshal(out, &holders); err != nil {
		c.diff("who-can %s: output is not a JSON list of holders: %v", what, err)
		return nil
	}
	// Every holder is allowed.
	probeNodes := append(append([]string{}, c.nodes...), "kauthz-conformance-unrelated")
	for _, h := range holders {
		if !ValidHolderKind(h.Kind) {
			c.diff("who-can %s: holder of a kind upstream never grants to: %s", what, h)
			continue
		}
		for _, id := range HolderProbes(h, probeNodes) {
			allowed, valid, err := c.ask(id, spec)
			if err != nil {
				return err
			}
			if !valid {
				return nil // upstream rejects the request itself; nothing to hold
			}
			if !allowed {
				c.diff("who-can %s: lists %s, but upstream does not allow %s %v", what, h, id.User, id.Groups)
			}
		}
	}
	// Every allowed candidate is covered.
	for _, s := range c.cands {
		id, _ := IdentityOf(s)
		allowed, valid, err := c.ask(id, spec)
		if err != nil {
			return err
		}
		if !valid || !allowed {
			continue
		}
		covered := false
		for _, h := range holders {
			if Covers(h, s) {
				covered = true
				break
			}
		}
		if !covered {
			c.diff("who-can %s: upstream allows %s (%s %v), but no holder covers it", what, s, id.User, id.Groups)
		}
	}
	return nil
}
