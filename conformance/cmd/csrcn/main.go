// Command csrcn is the oracle for NodeRestriction's reading of a CSR (admitCSR): for each
// request it prints the subject common name certapi.ParseCSR yields, or its error.
//
//	csrcn eval  < requests.jsonl        # {"pem_hex":"..."} per line
//	csrcn gen --seed N --count M        # generated requests, one per line, in that format
//
// eval writes per input {"pem_hex":…,"cn":…} or {"pem_hex":…,"error":…}.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	certapi "k8s.io/kubernetes/pkg/apis/certificates"
)

type request struct {
	PemHex string `json:"pem_hex"`
}

type result struct {
	PemHex string  `json:"pem_hex"`
	CN     *string `json:"cn,omitempty"`
	Error  *string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: csrcn eval | csrcn gen --seed N --count M")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "eval":
		if err := evalAll(); err != nil {
			fmt.Fprintf(os.Stderr, "csrcn: %v\n", err)
			os.Exit(1)
		}
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ExitOnError)
		seed := fs.Uint64("seed", 1, "seed")
		count := fs.Int("count", 100, "requests")
		_ = fs.Parse(os.Args[2:])
		if err := generate(*seed, *count, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "csrcn: %v\n", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: csrcn eval | csrcn gen --seed N --count M")
		os.Exit(2)
	}
}

func evalAll() error {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			return err
		}
		pemBytes, err := hex.DecodeString(r.PemHex)
		if err != nil {
			return err
		}
		res := result{PemHex: r.PemHex}
		csr, err := certapi.ParseCSR(pemBytes)
		if err != nil {
			msg := err.Error()
			res.Error = &msg
		} else {
			cn := csr.Subject.CommonName
			res.CN = &cn
		}
		line, err := json.Marshal(res)
		if err != nil {
			return err
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return in.Err()
}
