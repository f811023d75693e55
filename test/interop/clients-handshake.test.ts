/**
 * Issue 5: the Python and Java client-stack models agree with the real stacks, through real TLS
 * handshakes on loopback: one TLS server per corpus certificate, and one Python process
 * (`ssl.create_default_context`, as redis-py) and one Java process (JSSE with endpoint
 * identification `HTTPS`, as Jedis and Lettuce) trying every host name on every server. The
 * programs are the stack-matrix harness's (test/interop/stacks/programs/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/tmp.js';
import { CORPUS_HOSTS, corpusInputs, makeCorpus, modelDisagreements } from './clients-corpus.js';
import { prepareStacks } from './stacks/harness.js';
import { runJava, runPython } from './stacks/programs.js';

test('client models agree with real Python ssl and Java JSSE handshakes on the whole corpus', async (t) => {
  const dir = tempDir(t);
  const inputs = corpusInputs(await makeCorpus(dir), CORPUS_HOSTS);
  const context = await prepareStacks(t, dir, inputs);

  for (const [stack, runner] of [
    ['python', runPython],
    ['java', runJava],
  ] as const) {
    await t.test(stack, async () => {
      const real = await runner(context);
      const accepted = real.filter((v) => v.accepts).length;
      t.diagnostic(`${stack}: ${String(real.length)} handshakes, ${String(accepted)} accepted`);
      // Both verdicts occur: a corpus that only accepts (or refuses) proves nothing.
      assert.ok(accepted > 10 && real.length - accepted > 10);
      assert.deepEqual(modelDisagreements(stack, inputs, real), []);
    });
  }
});
