// Command csrcn is the oracle for NodeRestriction's reading of a CSR (admitCSR): for each
// request it prints the subject common name certapi.ParseCSR yields, or its error.
//
//	csrcn eval  < requests.jsonl        # {"pem_hex":"..."} per line
//	csrcn gen --seed N --count M        # generated requests, one per line, in that format
//
// eval writes per input {"pem_hex":…,"cn":…} or {"pem_hex":…,"error":…}.
package main

import (
	"encoding/hex"

	certapi "k8s.io/kubernetes/pkg/apis/certificates"

	"kauthz.dev/conformance/internal/fixture"
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
	fixture.Main("csrcn", func() error { return fixture.EvalLines(eval) }, generate)
}

func eval(r request) (any, error) {
	pemBytes, err := hex.DecodeString(r.PemHex)
	if err != nil {
		return nil, err
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
	return res, nil
}
