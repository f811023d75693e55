// Go crypto/tls (go-redis) verdicts for the stack-matrix harness, standard library only.
//
// stdin: a JSON list of {"addr", "port", "host", "cafile"}; stdout: a JSON list of verdicts
// {"accepts", "stage", "reason"} in the same order, or {"harness": text} when the TCP connection
// itself failed (no verdict: the harness reports it as its own error).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

type input struct {
	Addr   string `json:"addr"`
	Port   int    `json:"port"`
	Host   string `json:"host"`
	CAFile string `json:"cafile"`
}

type verdict struct {
	Accepts bool   `json:"accepts"`
	Stage   string `json:"stage,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Harness string `json:"harness,omitempty"`
}

func stage(err error) string {
	var hostname x509.HostnameError
	var authority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var insecure x509.InsecureAlgorithmError
	var constraint x509.ConstraintViolationError
	switch {
	case errors.As(err, &hostname):
		return "name"
	case errors.As(err, &authority), errors.As(err, &invalid), errors.As(err, &insecure),
		errors.As(err, &constraint):
		return "trust"
	case strings.Contains(err.Error(), "failed to parse certificate"):
		return "parse"
	}
	return "handshake"
}

func judge(in input) verdict {
	pem, err := os.ReadFile(in.CAFile)
	if err != nil {
		return verdict{Harness: err.Error()}
	}
	// AppendCertsFromPEM skips what it cannot parse, as an application loading a CA file does.
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(in.Addr, strconv.Itoa(in.Port)), 10*time.Second)
	if err != nil {
		return verdict{Harness: err.Error()}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	client := tls.Client(conn, &tls.Config{RootCAs: roots, ServerName: in.Host})
	if err := client.Handshake(); err != nil {
		return verdict{Accepts: false, Stage: stage(err), Reason: err.Error()}
	}
	return verdict{Accepts: true}
}

func main() {
	var inputs []input
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		panic(err)
	}
	verdicts := make([]verdict, 0, len(inputs))
	for _, in := range inputs {
		verdicts = append(verdicts, judge(in))
	}
	if err := json.NewEncoder(os.Stdout).Encode(verdicts); err != nil {
		panic(err)
	}
}
