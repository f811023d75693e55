/**
 * Issue 5: the Go client-stack model agrees with Go's own `crypto/x509`
 * `(*Certificate).VerifyHostname` (what crypto/tls, hence go-redis, calls) on the whole corpus.
 * Needs the `go` tool (Debian package golang-go, installed by scripts/setup.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientVerdict, parseCertificates, presentedNames } from '@certkit/core';
import { run } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CORPUS_HOSTS, makeCorpus } from './clients-corpus.js';

const GO = `package main

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
)

// Input lines: "<certificate file> <host>". Output: one "accept" or "reject" per line.
func main() {
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, " ", 2)
		data, err := os.ReadFile(parts[0])
		if err != nil {
			panic(err)
		}
		block, _ := pem.Decode(data)
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			panic(err)
		}
		if cert.VerifyHostname(parts[1]) == nil {
			fmt.Println("accept")
		} else {
			fmt.Println("reject")
		}
	}
}
`;

test('the Go model agrees with crypto/x509 VerifyHostname on the whole corpus', async (t) => {
  const dir = tempDir(t);
  const corpus = await makeCorpus(dir);
  const cases = corpus.certs.flatMap((cert) => {
    const parsed = parseCertificates(Buffer.from(cert.pem), cert.name)[0];
    assert.ok(parsed);
    return CORPUS_HOSTS.map((host) => ({ cert, host, names: presentedNames(parsed) }));
  });
  const source = join(dir, 'verifyhostname.go');
  writeFileSync(source, GO);
  const go = await run('go', ['run', source], {
    cwd: dir,
    env: { GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath'), GO111MODULE: 'off' },
    input: cases.map((c) => `${c.cert.cert} ${c.host}`).join('\n'),
    timeoutMs: 300_000,
  });
  assert.equal(go.code, 0, go.stderr);
  const real = go.stdout.trim().split('\n');
  assert.equal(real.length, cases.length);
  const disagreements = cases
    .map((c, i) => ({ ...c, real: real[i] === 'accept' }))
    .filter((c) => clientVerdict('go', c.names, c.host).accepts !== c.real)
    .map((c) => `${c.cert.name} ${c.host}: real ${String(c.real)}`);
  const accepted = real.filter((r) => r === 'accept').length;
  t.diagnostic(`go: ${String(real.length)} pairs, ${String(accepted)} accepted`);
  assert.ok(accepted > 10 && real.length - accepted > 10);
  assert.deepEqual(disagreements, []);
});
