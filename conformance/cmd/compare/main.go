// Command compare matches kauthz's SubjectAccessReview, SubjectRulesReview and AdmissionReview
// answers against the oracle's, line by line.
package main

import (
	"bufio"
	"encoding/json"
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
	expectations := flag.String("expectations", "", "with --expected only: check the oracle's answers against a table's expected.jsonl")
	actualStderr := flag.String("actual-stderr", "", "kauthz's stderr: where upstream refused the --authorization-config, it must carry upstream's message")
	flag.Parse()
	if *expectations != "" {
		os.Exit(checkExpectations(*label, *expectedPath, *expectations))
	}
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
	if len(expected) == 1 {
		if msg, ok := compare.ConfigError(expected[0]); ok {
			stderr, _ := os.ReadFile(*actualStderr)
			if len(actual) == 1 {
				if other, ok := compare.ConfigError(actual[0]); ok {
					// --self: the oracle on both sides writes the refusal as its answer
					stderr = []byte(compare.ConfigErrorPrefix + other)
				}
			}
			if ok, why := compare.EqualConfigError(msg, stderr); !ok {
				fmt.Printf("DIFF %s authorization config: %s\n", *label, why)
				fmt.Printf("compare: 1 decisions, 1 differences\n")
				os.Exit(1)
			}
			fmt.Printf("compare: 1 decisions, 0 differences\n")
			return
		}
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
		if compare.IsAdmission(expected[i]) {
			if why := compareAdmission(expected[i], actual[i]); why != "" {
				report(i, why)
			}
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

// compareAdmission compares two AdmissionReview answers; "" means equal.
func compareAdmission(expected, actual []byte) string {
	e, err := compare.ParseAdmission(expected)
	if err != nil {
		return fmt.Sprintf("oracle output is not an AdmissionReview: %v", err)
	}
	a, err := compare.ParseAdmission(actual)
	if err != nil {
		return fmt.Sprintf("kauthz output is not an AdmissionReview: %v", err)
	}
	if ok, why := compare.EqualAdmission(e, a); !ok {
		return why
	}
	return ""
}

// checkExpectations verifies the oracle against upstream's expectations for a table.
func checkExpectations(label, oraclePath, expPath string) int {
	answers, err := readLines(oraclePath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		return 2
	}
	exps, err := readLines(expPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compare: %v\n", err)
		return 2
	}
	if len(answers) != len(exps) {
		fmt.Printf("EXPECTATION %s: %d oracle answers for %d expectations\n", label, len(answers), len(exps))
		return 1
	}
	bad := 0
	for i := range exps {
		if compare.IsAdmission(answers[i]) {
			var e compare.AdmissionExpectation
			if err := json.Unmarshal(exps[i], &e); err != nil {
				fmt.Printf("EXPECTATION %s #%d: %v\n", label, i+1, err)
				bad++
				continue
			}
			r, err := compare.ParseAdmission(answers[i])
			if err != nil {
				fmt.Printf("EXPECTATION %s #%d: %v\n", label, i+1, err)
				bad++
				continue
			}
			if ok, why := compare.MeetsAdmissionExpectation(e, r); !ok {
				fmt.Printf("EXPECTATION %s #%d: oracle disagrees with upstream's test: %s\n", label, i+1, why)
				bad++
			}
			continue
		}
		var e compare.Expectation
		if err := json.Unmarshal(exps[i], &e); err != nil {
			fmt.Printf("EXPECTATION %s #%d: %v\n", label, i+1, err)
			bad++
			continue
		}
		r, err := compare.Parse(answers[i])
		if err != nil {
			fmt.Printf("EXPECTATION %s #%d: %v\n", label, i+1, err)
			bad++
			continue
		}
		if ok, why := compare.MeetsExpectation(e, r); !ok {
			fmt.Printf("EXPECTATION %s #%d: oracle disagrees with upstream's test: %s\n", label, i+1, why)
			bad++
		}
	}
	if bad > 0 {
		return 1
	}
	return 0
}
