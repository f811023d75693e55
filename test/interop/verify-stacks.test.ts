/**
 * Issue 17 items 5 and 7: `certs verify` (the built CLI) judges trust as OpenSSL does by default,
 * and as OpenSSL with -partial_chain under --partial-chain, on every case of the stack-matrix
 * corpus. The references are the measured `openssl verify -auth_level 2 -purpose sslserver`
 * columns (with and without -partial_chain) of the committed stack-matrix.json, which
 * stack-matrix.test.ts re-measures; that column agrees with s_client, stunnel, redis-cli, Node
 * and Python on trust. No host is given to certs verify: names are judged elsewhere, so a
 * reference refusing at its name check counts as trusting the chain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { STACK_CASES, makeCorpusCerts } from './stacks/corpus.js';
import { mapLimit } from './stacks/harness.js';
import type { StackId } from './stacks/harness.js';
import type { StackMatrix } from './stacks/matrix.js';

const MATRIX = JSON.parse(
  readFileSync(fileURLToPath(new URL('./stack-matrix.json', import.meta.url)), 'utf8'),
) as StackMatrix;

const MODES: readonly { flags: readonly string[]; reference: StackId }[] = [
  { flags: [], reference: 'openssl-verify-tls' },
  { flags: ['--partial-chain'], reference: 'openssl-verify-tls-partial' },
];

interface Verify {
  readonly ok: boolean;
  readonly findings: readonly { code: string; severity: string; message: string }[];
}

test('issue 17: certs verify gives the trust verdict of openssl verify as a TLS client, with and without --partial-chain', async (t) => {
  const dir = tempDir(t, 'certkit-verify-stacks-');
  const made = await makeCorpusCerts(dir);
  const pem = (name: string): string => {
    const cert = made.get(name);
    assert.ok(cert, name);
    return cert.pem;
  };
  const runs = STACK_CASES.flatMap((c) => MODES.map((mode) => ({ c, mode })));
  const results = await mapLimit(runs, 2, async ({ c, mode }) => {
    const [leaf, ...rest] = c.chain ?? ['leaf', 'int'];
    const leafFile = join(dir, `verify-${c.id}-leaf.pem`);
    const caFile = join(dir, `verify-${c.id}-ca.pem`);
    const untrustedFile = join(dir, `verify-${c.id}-untrusted.pem`);
    writeFileSync(leafFile, pem(leaf ?? ''));
    writeFileSync(caFile, (c.ca ?? ['root']).map(pem).join(''));
    writeFileSync(untrustedFile, rest.map(pem).join(''));
    return runCli([
      'verify',
      leafFile,
      '--ca',
      caFile,
      ...(rest.length > 0 ? ['--untrusted', untrustedFile] : []),
      ...mode.flags,
      '--json',
    ]);
  });
  for (const [i, { c, mode }] of runs.entries()) {
    await t.test(`${c.id}${mode.flags.length > 0 ? ` ${mode.flags.join(' ')}` : ''}`, () => {
      const result = results[i];
      assert.ok(result);
      assert.ok(result.code === 0 || result.code === 1, result.stderr);
      const doc = JSON.parse(result.stdout) as Verify;
      const measured = MATRIX.cases.find((r) => r.id === c.id)?.verdicts[mode.reference];
      assert.ok(measured, `${c.id} ${mode.reference} is in the committed matrix`);
      const trusted = measured.accepts || measured.stage !== 'trust';
      const errors = doc.findings.filter((f) => f.severity === 'error');
      assert.equal(
        doc.ok,
        trusted,
        `${mode.reference} ${trusted ? 'trusts the chain' : `refuses it: ${measured.reason ?? ''}`}; certs verify: ${errors.map((f) => `${f.code} ${f.message}`).join('; ') || 'ok'}`,
      );
      assert.equal(result.code, doc.ok ? 0 : 1);
    });
  }
});
