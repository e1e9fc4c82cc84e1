// Command oracle answers SubjectAccessReviews and SubjectRulesReviews with upstream Kubernetes' own
// authorizer chain, AdmissionReviews with upstream's NodeRestriction admission plugin, and dumps
// upstream's bootstrap RBAC policy.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/klog/v2"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage:
  oracle review -f PATH [-f PATH...] [--with-defaults] [--authorization-mode Node,RBAC] [--authorization-policy-file FILE] [--feature-gates A=true,...]
  oracle admit  -f PATH [-f PATH...] [--with-defaults] [--authorization-mode Node,RBAC] [--authorization-policy-file FILE] [--feature-gates A=true,...]
  oracle dump-defaults --out DIR
  oracle validate < documents.json   (each printed object must be a valid upstream object)
`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	if os.Getenv("ORACLE_VERBOSE") == "" {
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		_ = fs.Set("logtostderr", "false")
		_ = fs.Set("alsologtostderr", "false")
		_ = fs.Set("stderrthreshold", "FATAL")
		klog.SetOutput(io.Discard)
	}
	var err error
	switch os.Args[1] {
	case "review":
		err = runReview(os.Args[2:])
	case "admit":
		err = runAdmit(os.Args[2:])
	case "dump-defaults":
		err = runDumpDefaults(os.Args[2:])
	case "validate":
		err = runValidate(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "oracle %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
