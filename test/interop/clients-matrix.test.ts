/**
 * The client-stack name models (core `clientVerdict`) give the verdict each real stack gave in the
 * stack matrix, on every case of its corpus: one subtest per case and stack. The matrix is the
 * committed stack-matrix.json, which stack-matrix.test.ts keeps equal to a live run of the real
 * stacks; the certificates are made again here from the same corpus.
 *
 * A name model judges names only: a case a stack refused for trust (or the handshake) says
 * nothing about its name check and is not compared. A refusal at parsing is compared: Go refuses
 * a certificate with a malformed subjectAltName entry before any name is matched, and the model
 * must say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIENT_STACKS } from '@certkit/core';
// The per-stack model functions, below clientVerdicts (checkEndpointCertificate's names[].clients): they take a certificate's names.
import { clientVerdict, presentedNames } from '../../packages/core/src/judge/clients.js';
import { parseCertificates } from '../../packages/core/src/x509/certificates.js';
import type { ClientStack } from '@certkit/core';
import { tempDir } from '../helpers/tmp.js';
import { STACK_CASES, caseInputs, makeCorpusCerts } from './stacks/corpus.js';
import type { StackId } from './stacks/harness.js';
import type { StackMatrix } from './stacks/matrix.js';

const MATRIX_FILE = fileURLToPath(new URL('./stack-matrix.json', import.meta.url));

/** The measured columns each model stands for. */
const COLUMNS: Readonly<Record<ClientStack, readonly StackId[]>> = {
  node: ['node'],
  // openssl verify -verify_hostname, s_client and stunnel checkHost all call X509_check_host.
  openssl: [
    'openssl-verify',
    'openssl-verify-strict',
    'openssl-verify-partial',
    'openssl-verify-level2',
    's_client',
    'stunnel',
  ],
  python: ['python'],
  go: ['go'],
  java: ['java'],
};

test('every client-stack name model gives the real stack verdict on every matrix case', async (t) => {
  const matrix = JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as StackMatrix;
  const dir = tempDir(t, 'certkit-models-');
  const inputs = caseInputs(dir, await makeCorpusCerts(dir));
  assert.deepEqual(
    matrix.cases.map((row) => row.id),
    STACK_CASES.map((c) => c.id),
    'the committed matrix measures this corpus',
  );
  let compared = 0;
  let notObservable = 0;
  for (const [i, input] of inputs.entries()) {
    const row = matrix.cases[i];
    assert.ok(row);
    assert.equal(row.host, input.host, input.id);
    const leaf = parseCertificates(Buffer.from(input.chainPem), input.id)[0];
    assert.ok(leaf, input.id);
    const names = presentedNames(leaf);
    for (const { stack } of CLIENT_STACKS) {
      for (const column of COLUMNS[stack]) {
        const real = row.verdicts[column];
        // Refused before or beside the name check: the name verdict is not observable.
        if (!real.accepts && real.stage !== 'name' && real.stage !== 'parse') {
          notObservable++;
          continue;
        }
        compared++;
        await t.test(`${input.id} ${column}`, () => {
          const model = clientVerdict(stack, names, input.host);
          assert.equal(
            model.accepts,
            real.accepts,
            `${stack} model: ${model.reason}; real ${column}: ${real.accepts ? 'accepts' : `${real.stage ?? '?'}: ${real.reason ?? '?'}`}`,
          );
        });
      }
    }
  }
  t.diagnostic(
    `${String(compared)} name verdicts compared, ${String(notObservable)} refused for trust (not a name verdict)`,
  );
  // Both verdicts occur on every model: a corpus that only accepts (or refuses) proves nothing.
  for (const { stack } of CLIENT_STACKS) {
    const verdicts = new Set(
      matrix.cases
        .flatMap((row) =>
          COLUMNS[stack].map((c) => row.verdicts[c]).filter((v) => v.accepts || v.stage === 'name'),
        )
        .map((v) => v.accepts),
    );
    assert.deepEqual([...verdicts].sort(), [false, true], stack);
  }
});
