// Command compare matches kauthz's SubjectAccessReview answers against the oracle's,
// line by line.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"kauthz.dev/conformance/internal/compare"
)

func readLines(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	return lines, sc.Err()
}

func main() {
	label := flag.String("label", "", "label printed with each difference (e.g. seed-17)")
	expectedPath := flag.String("expected", "", "oracle output (JSON lines)")
	actualPath := flag.String("actual", "", "kauthz output (JSON lines)")
	maxPrint := flag.Int("max-print", 20, "print at most this many differences")
	flag.Parse()
	if *expectedPath == "" || *actualPath == "" {
		fmt.Fprintln(os.Stderr, "usage: compare --label L --expected ORACLE.jsonl --actual KAUTHZ.jsonl")
		os.Exit(2)
	}
	expected, err := readLines(*expectedPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(2)
	}
	actual, err := readLines(*actualPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		os.Exit(2)
	}
	diffs := 0
	report := func(i int, why string) {
		diffs++
		if diffs > *maxPrint {
			return
		}
		fmt.Printf("DIFF %s request #%d: %s\n", *label, i+1, why)
		if i < len(expected) {
			fmt.Printf("  oracle: %s\n", expected[i])
		}
		if i < len(actual) {
			fmt.Printf("  kauthz: %s\n", actual[i])
		}
	}
	n := max(len(expected), len(actual))
	for i := 0; i < n; i++ {
		if i >= len(expected) {
			report(i, "kauthz wrote an extra answer")
			continue
		}
		if i >= len(actual) {
			report(i, "kauthz wrote no answer")
			continue
		}
		e, err := compare.Parse(expected[i])
		if err != nil {
			report(i, fmt.Sprintf("oracle output is not JSON: %v", err))
			continue
		}
		a, err := compare.Parse(actual[i])
		if err != nil {
			report(i, fmt.Sprintf("kauthz output is not JSON: %v", err))
			continue
		}
		if ok, why := compare.Equal(e, a); !ok {
			report(i, why)
		}
	}
	if diffs > *maxPrint {
		fmt.Printf("DIFF %s: %d more differences not shown\n", *label, diffs-*maxPrint)
	}
	fmt.Printf("compare: %d decisions, %d differences\n", len(expected), diffs)
	if diffs > 0 {
		os.Exit(1)
	}
}
