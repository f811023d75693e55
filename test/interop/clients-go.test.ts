/**
 * Issue 5: the Go client-stack model agrees with Go's crypto/tls (what go-redis uses) on the
 * whole corpus, through real handshakes on loopback with `ServerName` = the host: the
 * stack-matrix harness's Go program, built once with the standard library only. Needs the `go`
 * tool (Debian package golang-go, installed by scripts/setup.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/tmp.js';
import { CORPUS_HOSTS, corpusInputs, makeCorpus, modelDisagreements } from './clients-corpus.js';
import { prepareStacks } from './stacks/harness.js';
import { runGo } from './stacks/programs.js';

test('the Go model agrees with crypto/tls handshakes on the whole corpus', async (t) => {
  const dir = tempDir(t);
  const inputs = corpusInputs(await makeCorpus(dir), CORPUS_HOSTS);
  const real = await runGo(await prepareStacks(t, dir, inputs));
  const accepted = real.filter((v) => v.accepts).length;
  t.diagnostic(`go: ${String(real.length)} handshakes, ${String(accepted)} accepted`);
  assert.ok(accepted > 10 && real.length - accepted > 10);
  assert.deepEqual(modelDisagreements('go', inputs, real), []);
});
