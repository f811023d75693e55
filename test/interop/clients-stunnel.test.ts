/**
 * Issue 5: stunnel's `checkHost` (a client stack of its own, for redis-cli and other clients
 * without TLS) gives the OpenSSL model's verdicts: one real stunnel client service per corpus
 * certificate and host name (`verifyChain = yes`, the corpus root as CAfile), in front of TLS
 * servers on loopback: the stack-matrix harness's stunnel runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/tmp.js';
import { corpusInputs, makeCorpus, modelDisagreements } from './clients-corpus.js';
import { prepareStacks } from './stacks/harness.js';
import { runStunnel } from './stacks/stunnel.js';

const HOSTS = [
  'redis-12000.redislabs.com',
  'REDIS-12000.REDISLABS.COM',
  'redis1.redislabs.com',
  'x-12000.redislabs.com',
];

test('stunnel checkHost agrees with the OpenSSL model', async (t) => {
  const dir = tempDir(t);
  const inputs = corpusInputs(await makeCorpus(dir), HOSTS);
  const real = await runStunnel(await prepareStacks(t, dir, inputs));
  const accepted = real.filter((v) => v.accepts).length;
  t.diagnostic(`stunnel: ${String(real.length)} pairs, ${String(accepted)} accepted`);
  assert.ok(accepted > 5 && real.length - accepted > 5);
  assert.deepEqual(modelDisagreements('openssl', inputs, real), []);
});
