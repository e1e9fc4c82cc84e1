// Command crosscheck proves kauthz's who-can and can-i --list with upstream's chain: for a
// sample of a seed's requests, every holder `who-can` lists must be allowed by the oracle
// and every candidate subject the oracle allows must be covered by a holder; for a few
// identities, every row of `can-i --list -o json` must expand to allowed requests and
// allowed requests must be covered by some row. It runs the oracle in-process and kauthz
// as a subprocess; the last line is `compare: N decisions, M differences`.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/klog/v2"

	"kauthz.dev/conformance/internal/crosscheck"
	"kauthz.dev/conformance/internal/oracle"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var paths multiFlag
	flag.Var(&paths, "f", "snapshot file or directory (repeatable)")
	withDefaults := flag.Bool("with-defaults", false, "add upstream's bootstrap RBAC policy")
	modes := flag.String("authorization-mode", "Node,RBAC", "comma-separated authorization modes")
	policyFile := flag.String("authorization-policy-file", "", "ABAC policy file")
	featureGates := flag.String("feature-gates", "", "kube-apiserver feature gates")
	requests := flag.String("requests", "", "the seed's requests.jsonl (sampled)")
	kauthz := flag.String("kauthz", "", "kauthz binary")
	seed := flag.Uint64("seed", 1, "sampling seed")
	label := flag.String("label", "", "label printed with each difference")
	queries := flag.Int("queries", 6, "who-can queries")
	lists := flag.Int("lists", 3, "can-i --list identities")
	coverage := flag.Int("coverage", 40, "allowed requests per identity checked against its rows")
	maxPrint := flag.Int("max-print", 20, "print at most this many differences")
	flag.Parse()
	if os.Getenv("ORACLE_VERBOSE") == "" {
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		_ = fs.Set("logtostderr", "false")
		_ = fs.Set("alsologtostderr", "false")
		_ = fs.Set("stderrthreshold", "FATAL")
		klog.SetOutput(io.Discard)
	}
	if *kauthz == "" || *requests == "" || len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "usage: crosscheck --kauthz BIN --requests FILE -f SNAPSHOT [chain flags]")
		os.Exit(2)
	}
	modeList, err := oracle.ParseModes(*modes)
	if err != nil {
		fmt.Fprintf(os.Stderr, "crosscheck: %v\n", err)
		os.Exit(2)
	}
	cluster := []string{}
	for _, p := range paths {
		cluster = append(cluster, "-f", p)
	}
	if *withDefaults {
		cluster = append(cluster, "--with-defaults")
	}
	cluster = append(cluster, "--authorization-mode", *modes)
	if *policyFile != "" {
		cluster = append(cluster, "--authorization-policy-file", *policyFile)
	}
	if *featureGates != "" {
		cluster = append(cluster, "--feature-gates", *featureGates)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	res, err := crosscheck.Run(crosscheck.Config{
		Label: *label, Seed: *seed, Requests: *requests, Kauthz: *kauthz, ClusterFlags: cluster,
		Options:    oracle.Options{Paths: paths, WithDefaults: *withDefaults, Modes: modeList, PolicyFile: *policyFile, FeatureGates: *featureGates},
		PolicyFile: *policyFile, Queries: *queries, Lists: *lists, Coverage: *coverage, MaxPrint: *maxPrint, Out: out,
	})
	if err != nil {
		out.Flush()
		fmt.Fprintf(os.Stderr, "crosscheck: %v\n", err)
		os.Exit(2)
	}
	fmt.Fprintf(out, "compare: %d decisions, %d differences\n", res.Decisions, res.Differences)
	out.Flush()
	if res.Differences > 0 {
		os.Exit(1)
	}
}
