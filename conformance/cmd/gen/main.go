// Command gen writes a seeded conformance scenario: DIR/snapshot.json (a v1 List) and
// DIR/requests.jsonl (SubjectAccessReviews with interleaved watch-event mutations).
package main

import (
	"flag"
	"fmt"
	"os"

	"kauthz.dev/conformance/internal/gen"
)

func main() {
	seed := flag.Uint64("seed", 1, "scenario seed")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen --seed N --out DIR")
		os.Exit(2)
	}
	s, err := gen.Generate(*seed, gen.DefaultSizes)
	if err == nil {
		err = s.Write(*out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}
