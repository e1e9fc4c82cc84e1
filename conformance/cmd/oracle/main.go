// Command oracle answers SubjectAccessReviews with upstream Kubernetes' own
// authorizer chain and dumps upstream's bootstrap RBAC policy.
package main

import (
	"fmt"
	"os"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage:
  oracle review -f PATH [-f PATH...] [--with-defaults] [--authorization-mode Node,RBAC] [--authorization-policy-file FILE]
  oracle dump-defaults --out DIR
`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "review":
		err = runReview(os.Args[2:])
	case "dump-defaults":
		err = runDumpDefaults(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "oracle %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
