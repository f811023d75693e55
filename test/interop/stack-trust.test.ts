/**
 * Issue 17 item 6: the per-stack trust model (`judgeStackTrust`, the `trust` of
 * `checkEndpointCertificate`'s report) against what the real stacks
 * did with every case of the stack-matrix corpus: one subtest per case and measured stack. The
 * measured verdicts are the committed stack-matrix.json, which stack-matrix.test.ts re-measures
 * on the real stacks (and fails when they differ). A stack that refused at the name check or
 * while parsing trusted the chain; only a refusal at path validation (`trust`) is a trust
 * refusal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCertificates } from '@certkit/core';
import type { ClientStack } from '@certkit/core';
import { judgeStackTrust } from '../../packages/core/src/judge/stack-trust.js';
import { tempDir } from '../helpers/tmp.js';
import { STACK_CASES, makeCorpusCerts } from './stacks/corpus.js';
import type { StackId } from './stacks/harness.js';
import type { StackMatrix } from './stacks/matrix.js';

const MATRIX = JSON.parse(
  readFileSync(fileURLToPath(new URL('./stack-matrix.json', import.meta.url)), 'utf8'),
) as StackMatrix;

/** The measured columns each modelled stack stands for. */
const MEASURED: Readonly<Record<ClientStack, readonly StackId[]>> = {
  node: ['node'],
  openssl: ['s_client', 'stunnel', 'redis-cli'],
  python: ['python'],
  go: ['go'],
  java: ['java'],
};

test('issue 17: the per-stack trust model gives the measured verdict of every real stack on every corpus case', async (t) => {
  const dir = tempDir(t, 'certkit-stack-trust-');
  const made = await makeCorpusCerts(dir);
  const parsed = (name: string) => {
    const cert = made.get(name);
    assert.ok(cert, name);
    return parseCertificates(Buffer.from(cert.pem), `${name}.pem`);
  };
  assert.equal(MATRIX.cases.length, STACK_CASES.length, 'the committed matrix covers the corpus');
  for (const c of STACK_CASES) {
    const row = MATRIX.cases.find((r) => r.id === c.id);
    const [leaf, ...intermediates] = (c.chain ?? ['leaf', 'int']).flatMap(parsed);
    assert.ok(leaf);
    const { verdicts } = judgeStackTrust({
      leaf,
      intermediates,
      anchors: (c.ca ?? ['root']).flatMap(parsed),
    });
    for (const modelled of verdicts) {
      for (const column of MEASURED[modelled.stack]) {
        await t.test(`${c.id}: ${modelled.stack} as ${column}`, () => {
          assert.ok(row, `${c.id} is in the committed matrix`);
          const measured = row.verdicts[column];
          const trusted = measured.accepts || measured.stage !== 'trust';
          assert.equal(
            modelled.accepts,
            trusted,
            `${column} ${trusted ? 'trusted' : `refused (${measured.reason ?? ''})`}; the model says ${modelled.reason}`,
          );
        });
      }
    }
  }
});
