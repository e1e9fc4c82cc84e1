package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"

	"kauthz.dev/conformance/internal/policy"
)

func runDumpDefaults(args []string) error {
	fs := flag.NewFlagSet("dump-defaults", flag.ContinueOnError)
	out := fs.String("out", "", "output directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	roles, bindings, ns := policy.Load().Groups()
	files := []struct {
		name string
		objs []runtime.Object
	}{
		{"bootstrap-cluster-roles.yaml", roles},
		{"bootstrap-cluster-role-bindings.yaml", bindings},
		{"bootstrap-namespace-roles.yaml", ns},
	}
	for _, f := range files {
		data, err := policy.ListYAML(f.objs)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, f.name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
