/**
 * Issue 17: what the real TLS client stacks on this machine do with each certificate shape where
 * operators go wrong (names, partial chains, pinned self-signed certificates, SHA-1 and MD5, EKU,
 * malformed SANs, IDN). Every case runs on every stack (Node tls, openssl verify with its flags,
 * s_client, stunnel, redis-cli, Python ssl, Go crypto/tls, Java JSSE) and the live matrix must
 * equal the committed stack-matrix.json: a change in a real stack, or in the corpus, is noticed
 * here. `STACK_MATRIX_UPDATE=1` writes the measured matrix (and STACKS.md) instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { tempDir } from '../helpers/tmp.js';
import { STACK_CASES, caseInputs, makeCorpusCerts } from './stacks/corpus.js';
import { STACK_IDS, prepareStacks, runStacks } from './stacks/harness.js';
import type { StackRunner, StackId } from './stacks/harness.js';
import { buildMatrix, compareMatrices, renderMarkdown, stackVersions } from './stacks/matrix.js';
import type { StackMatrix } from './stacks/matrix.js';
import { runNode } from './stacks/node.js';
import { opensslSClient, opensslVerify, redisCli } from './stacks/openssl.js';
import { runGo, runJava, runPython } from './stacks/programs.js';
import { runStunnel } from './stacks/stunnel.js';

const MATRIX_FILE = fileURLToPath(new URL('./stack-matrix.json', import.meta.url));
const SUMMARY_FILE = fileURLToPath(new URL('./STACKS.md', import.meta.url));

const RUNNERS: Readonly<Record<StackId, StackRunner>> = {
  node: runNode,
  'openssl-verify': opensslVerify([]),
  'openssl-verify-strict': opensslVerify(['-x509_strict']),
  'openssl-verify-partial': opensslVerify(['-partial_chain']),
  'openssl-verify-level2': opensslVerify(['-auth_level', '2']),
  s_client: opensslSClient,
  stunnel: runStunnel,
  'redis-cli': redisCli,
  python: runPython,
  go: runGo,
  java: runJava,
};

async function formatted(text: string, filepath: string): Promise<string> {
  return format(text, { filepath });
}

test('every real client stack gives the committed verdict on every corpus case', async (t) => {
  const started = Date.now();
  const dir = tempDir(t, 'certkit-stacks-');
  const certs = await makeCorpusCerts(dir);
  const inputs = caseInputs(dir, certs);
  const context = await prepareStacks(t, dir, inputs);
  const made = Date.now();
  const results = await runStacks(context, RUNNERS);
  const measured = buildMatrix(
    STACK_CASES,
    inputs.map((i) => i.host),
    results,
    await stackVersions(),
  );
  t.diagnostic(
    `${String(STACK_CASES.length)} cases x ${String(STACK_IDS.length)} stacks: corpus ${String(made - started)} ms, stacks ${String(Date.now() - made)} ms`,
  );

  // The controls: a chain every stack accepts; untrusted, incomplete or misnamed ones that every
  // stack refuses (redis-cli checks no name). A harness that judged nothing would fail here.
  const row = (id: string) => {
    const found = measured.cases.find((c) => c.id === id);
    assert.ok(found, id);
    return found;
  };
  for (const stack of STACK_IDS) {
    assert.equal(row('chain-ok').verdicts[stack].accepts, true, `${stack} accepts chain-ok`);
    for (const id of ['untrusted-root', 'missing-intermediate'])
      assert.equal(row(id).verdicts[stack].accepts, false, `${stack} refuses ${id}`);
    assert.equal(
      row('name-mismatch').verdicts[stack].accepts,
      stack === 'redis-cli',
      `${stack} on name-mismatch`,
    );
  }

  if (process.env.STACK_MATRIX_UPDATE === '1') {
    writeFileSync(MATRIX_FILE, await formatted(JSON.stringify(measured), MATRIX_FILE));
    writeFileSync(SUMMARY_FILE, await formatted(renderMarkdown(measured), SUMMARY_FILE));
    t.diagnostic(`wrote ${MATRIX_FILE} and ${SUMMARY_FILE}`);
    return;
  }
  const committed = JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as StackMatrix;
  const versionChanges = Object.entries(measured.versions)
    .filter(([stack, version]) => committed.versions[stack] !== version)
    .map(([stack, version]) => `${stack}: ${committed.versions[stack] ?? '?'} -> ${version}`);
  if (versionChanges.length > 0) t.diagnostic(`versions changed: ${versionChanges.join('; ')}`);
  assert.deepEqual(
    compareMatrices(committed, measured),
    [],
    `the real stacks no longer give the committed verdicts${versionChanges.length > 0 ? ` (versions changed: ${versionChanges.join('; ')})` : ''}`,
  );
  // STACKS.md is the committed matrix, rendered: it cannot drift from the JSON.
  assert.equal(
    readFileSync(SUMMARY_FILE, 'utf8'),
    await formatted(renderMarkdown(committed), SUMMARY_FILE),
  );
});
