/**
 * ipVersion answers as node:net isIP does (the client-stack models ask it where the stacks do),
 * without loading node:net outside io/.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { ipVersion } from '../../packages/core/src/x509/ip.js';

const SAMPLES = [
  '127.0.0.1',
  '01.2.3.4',
  '256.1.1.1',
  '1.2.3',
  '1.2.3.4.',
  '::',
  '::1',
  '1::',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7::',
  '1:2:3:4:5:6:7:8:9',
  '::ffff:1.2.3.4',
  '1::2:1.2.3.4',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6::1.2.3.4',
  'fe80::1%eth0',
  'FE80::A%Eth0.1:2-x',
  'fe80::1%',
  'fe80::1%a b',
  '1.2.3.4%x',
  ':1::',
  '00000::1',
  '[::1]',
  'example.com',
  '',
];

test('ipVersion agrees with node:net isIP', async (t) => {
  for (const sample of SAMPLES) {
    await t.test(JSON.stringify(sample), () => {
      assert.equal(ipVersion(sample), isIP(sample));
    });
  }
  await t.test('generated address-like text', () => {
    const group = fc.stringMatching(/^[0-9a-fA-F]{0,5}$/);
    const v4 = fc
      .array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 })
      .map((parts) => parts.join('.'));
    const text = fc
      .tuple(
        fc.array(group, { maxLength: 10 }),
        fc.option(v4),
        fc.constantFrom('', '::', ':'),
        fc.constantFrom('', '%eth0', '%', '%a b'),
      )
      .map(
        ([groups, tail, join, zone]) =>
          `${groups.join(':')}${tail === null ? '' : `${join}${tail}`}${zone}`,
      );
    fc.assert(
      fc.property(text, (s) => ipVersion(s) === isIP(s)),
      { numRuns: 20_000 },
    );
  });
});
