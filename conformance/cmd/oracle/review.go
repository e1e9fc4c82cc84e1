package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"

	"kauthz.dev/conformance/internal/oracle"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// chainFlags are the flags review and admit share: the snapshot and kube-apiserver's
// authorization and feature-gate flags.
type chainFlags struct {
	paths        multiFlag
	withDefaults *bool
	modes        *string
	policyFile   *string
	featureGates *string
	authzConfig  *string
}

func addChainFlags(fs *flag.FlagSet) *chainFlags {
	c := &chainFlags{}
	fs.Var(&c.paths, "f", "snapshot file or directory (repeatable)")
	c.withDefaults = fs.Bool("with-defaults", false, "add upstream's bootstrap RBAC policy")
	c.modes = fs.String("authorization-mode", "Node,RBAC", "comma-separated authorization modes")
	c.policyFile = fs.String("authorization-policy-file", "", "ABAC policy file")
	c.featureGates = fs.String("feature-gates", "", "kube-apiserver feature gates, Name=bool,...")
	c.authzConfig = fs.String("authorization-config", "", "AuthorizationConfiguration file (instead of --authorization-mode)")
	return c
}

func (c *chainFlags) options() (oracle.Options, error) {
	modeList, err := oracle.ParseModes(*c.modes)
	if err != nil {
		return oracle.Options{}, err
	}
	return oracle.Options{Paths: c.paths, WithDefaults: *c.withDefaults, Modes: modeList, PolicyFile: *c.policyFile, FeatureGates: *c.featureGates, AuthorizationConfig: *c.authzConfig}, nil
}

func runReview(args []string) error {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	cf := addChainFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	opts, err := cf.options()
	if err != nil {
		return err
	}
	o, err := oracle.New(opts)
	var cfgErr *oracle.ConfigError
	if errors.As(err, &cfgErr) {
		// upstream refuses the configuration: its message is the one answer
		w := bufio.NewWriter(os.Stdout)
		if err := writeLine(w, map[string]string{"kind": oracle.ConfigErrorKind, "message": cfgErr.Message}); err != nil {
			return err
		}
		return w.Flush()
	}
	if err != nil {
		return err
	}
	defer o.Close()

	ctx := context.Background()
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	dec := json.NewDecoder(in)
	for lineNo := 1; ; lineNo++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("input document %d: %w", lineNo, err)
		}
		if err := handle(ctx, o, raw, out); err != nil {
			return fmt.Errorf("input document %d: %w", lineNo, err)
		}
	}
}

type probe struct {
	Type   string            `json:"type"`
	Object json.RawMessage   `json:"object"`
	Kind   string            `json:"kind"`
	Items  []json.RawMessage `json:"items"`
}

func handle(ctx context.Context, o *oracle.Oracle, raw json.RawMessage, out *bufio.Writer) error {
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	switch {
	case p.Type != "" && p.Object != nil:
		out.Flush()
		return o.Apply(oracle.WatchEvent{Type: p.Type, Object: p.Object})
	case p.Kind == "List" || (p.Kind == "SubjectAccessReviewList"):
		for _, item := range p.Items {
			if err := handle(ctx, o, item, out); err != nil {
				return err
			}
		}
		return nil
	}
	if p.Kind == oracle.RulesReviewKind {
		var rr oracle.SubjectRulesReview
		if err := json.Unmarshal(raw, &rr); err != nil {
			return err
		}
		res, err := o.RulesReview(ctx, &rr)
		if err != nil {
			return err
		}
		return writeLine(out, res)
	}
	var sar authorizationv1.SubjectAccessReview
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&sar); err != nil {
		return err
	}
	res, err := o.Review(ctx, &sar)
	if err != nil {
		return err
	}
	return writeLine(out, res)
}

func writeLine(out *bufio.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	out.Write(data)
	out.WriteByte('\n')
	return nil
}
