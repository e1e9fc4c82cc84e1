package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"kauthz.dev/conformance/internal/oracle"
)

// runAdmit answers admission.k8s.io/v1 AdmissionReviews with upstream's NodeRestriction
// admission plugin over the snapshot; watch events in the stream mutate the snapshot
// first, exactly as in review.
func runAdmit(args []string) error {
	fs := flag.NewFlagSet("admit", flag.ContinueOnError)
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
	opts.Admission = true
	o, err := oracle.New(opts)
	if err != nil {
		return err
	}
	defer o.Close()

	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for lineNo := 1; ; lineNo++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("input document %d: %w", lineNo, err)
		}
		if err := handleAdmit(ctx, o, raw, out); err != nil {
			return fmt.Errorf("input document %d: %w", lineNo, err)
		}
	}
}

func handleAdmit(ctx context.Context, o *oracle.Oracle, raw json.RawMessage, out *bufio.Writer) error {
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	if p.Type != "" && p.Object != nil {
		out.Flush()
		return o.Apply(oracle.WatchEvent{Type: p.Type, Object: p.Object})
	}
	if p.Kind != oracle.AdmissionReviewKind {
		return fmt.Errorf("expected an AdmissionReview or a watch event, got kind %q", p.Kind)
	}
	review, err := oracle.ParseAdmissionReview(raw)
	if err != nil {
		return err
	}
	res, err := o.Admit(ctx, review)
	if err != nil {
		return err
	}
	return writeLine(out, res)
}
