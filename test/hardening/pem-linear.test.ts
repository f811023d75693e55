/**
 * Issue 13 item 2: PEM scanning is one linear pass. A lazy END-line pattern used to re-read the
 * rest of the input from every "-----END " (1 MiB of them: 85 s of CPU; 10 MiB: hours). Here
 * every adversarial shape is read at the default input cap (10 MiB) and the scanner's own work
 * counter (characters examined) must stay within a constant factor of the input: counted work,
 * not time. CPU-time ratios at 1/2/4/8 MiB are in `pnpm bench --only adversarial-pem`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isCertkitError } from '@certkit/core';
import { parsePemBlocks, pemScanWork, splitPemLines } from '../../packages/core/src/x509/pem.js';
import { PEM_SHAPES } from './adversarial.js';

const MIB = 1024 * 1024;
/** Characters examined per input character, at most (each is read by the line pass, the line
 * trim and the block reading; base64 twice more). */
const WORK_PER_CHARACTER = 6;
// A hang guard, not a speed assertion: the quadratic scanner took hours on these inputs.
const HANG_GUARD = { timeout: 600_000 };

/** Parses; returns 'parsed' or the CertkitError code (anything else is a crash). */
function outcome(bytes: Uint8Array, options?: { maxBlocks: number }): string {
  try {
    parsePemBlocks(bytes, 'adversarial.pem', options);
    return 'parsed';
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return error.code;
  }
}

for (const shape of PEM_SHAPES) {
  void test(
    `issue 13: PEM shape ${shape.name} (${shape.why}) is read in work linear in its size`,
    HANG_GUARD,
    () => {
      const work: number[] = [];
      for (const size of [MIB, 10 * MIB]) {
        const bytes = shape.make(size);
        assert.equal(bytes.length, size);
        const result = outcome(bytes, shape.readAll);
        assert.ok(['parsed', 'PEM_INVALID', 'PEM_EMPTY'].includes(result), result);
        work.push(pemScanWork.characters);
        assert.ok(
          pemScanWork.characters <= WORK_PER_CHARACTER * size,
          `${String(pemScanWork.characters)} characters examined for ${String(size)}`,
        );
      }
      // The counter is live (the whole input was examined), and 10x the input is ~10x the work.
      const [small = 0, large = 0] = work;
      assert.ok(small >= MIB, `only ${String(small)} characters examined for 1 MiB`);
      assert.ok(
        large / small <= 10 * 1.05,
        `work grew ${String(large / small)}x for 10x the input`,
      );
    },
  );
}

// The pattern the scanner replaces, as the reference for where a glued BEGIN line starts.
const REFERENCE_GLUE = /(-----END [A-Z0-9 #_-]+?-----)[ \t]*(?=-----BEGIN )/g;
const pieces = fc.constantFrom(
  '-----END ',
  '-----BEGIN ',
  '-----',
  '-',
  ' ',
  '\t',
  '\n',
  '\r',
  'A',
  'x',
  '#',
  '-----END X-----',
  '-----BEGIN X-----',
);

void test('issue 13: the one-pass scanner splits glued END/BEGIN lines exactly as the reference pattern', () => {
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
      const text = parts.join('');
      const expected = text.replace(REFERENCE_GLUE, '$1\n').split(/\r\n|\r|\n/);
      assert.deepEqual(splitPemLines(text), expected);
    }),
    { numRuns: 20_000, seed: 13 },
  );
});

void test('issue 13: a cat of files without final newlines still reads every block', () => {
  const block = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
  const text = `${block('AAAA')}${block('AAEC')} \t${block('AAID')}\n`;
  const blocks = parsePemBlocks(Buffer.from(text), 'glued.pem');
  assert.deepEqual(
    blocks.map((b) => Buffer.from(b.der).toString('hex')),
    ['000000', '000102', '000203'],
  );
});
