/**
 * Expiry and inspect judge bytes in memory (checkExpiry, inspectInputs); the file workflows
 * (checkExpiryTargets, inspectFiles) read the same bytes and reach the same reports.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkExpiry,
  checkExpiryTargets,
  createCertificateRequest,
  inspectFiles,
  inspectInputs,
  isCertkitError,
} from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';
import { tempDir } from '../helpers/tmp.js';

const ISSUED = new Date('2030-01-01T00:00:00Z');
const day = (n: number): Date => new Date(ISSUED.getTime() + n * 86_400_000);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function invalidOption(error: unknown): boolean {
  return isCertkitError(error) && error.code === 'INVALID_OPTION';
}

test('checkExpiry judges certificates given as bytes', async (t) => {
  // 100 days from ISSUED: 30 days left on day 70, 10% of the lifetime left on day 90.
  const cert = await memoryCert({ name: 'cert.pem', kind: 'client', days: 100, now: ISSUED });
  const inputs = [{ bytes: bytes(cert.issued.certificatePem), source: 'cert.pem' }];
  const rows = [
    { name: '31 days left, window 30d', now: day(69), within: '30d', renew: false, days: 31 },
    { name: '30 days left, window 30d', now: day(70), within: '30d', renew: true, days: 30 },
    { name: '11% left, window 10%', now: day(89), within: '10%', renew: false, days: 11 },
    { name: '10% left, window 10%', now: day(90), within: '10%', renew: true, days: 10 },
    { name: 'expired', now: day(101), within: '0d', renew: true, days: -1 },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const report = checkExpiry(inputs, { now: row.now, within: row.within });
      const [entry] = report.certificates;
      assert.ok(entry !== undefined);
      assert.equal(entry.needsRenewal, row.renew);
      assert.equal(entry.daysLeft, row.days);
      assert.equal(report.ok, !row.renew);
    });
  }
  await t.test('a clock that is not a date is refused', () => {
    assert.throws(() => checkExpiry(inputs, { now: Number.NaN }), invalidOption);
    assert.throws(() => checkExpiry(inputs, { now: new Date(Number.NaN) }), invalidOption);
  });
  await t.test('checkExpiryTargets reads the same bytes to the same report', async () => {
    const dir = tempDir(t);
    const path = join(dir, 'cert.pem');
    writeFileSync(path, cert.issued.certificatePem);
    const { endpoints, notStarted, tally, ...fromDisk } = await checkExpiryTargets([path], {
      now: day(70),
    });
    assert.deepEqual([endpoints, notStarted, tally], [[], [], null]);
    const inMemory = checkExpiry([{ bytes: inputs[0]?.bytes ?? new Uint8Array(), source: path }], {
      now: day(70),
    });
    assert.deepEqual(fromDisk, inMemory);
  });
});

test('inspectInputs describes every block of every input given as bytes', async (t) => {
  const root = await memoryCert({ name: 'root.pem', kind: 'ca', now: ISSUED, days: 10 });
  const leaf = await memoryCert({ name: 'leaf.pem', issuer: root, now: ISSUED, days: 5 });
  const request = await createCertificateRequest({ dnsNames: ['db.example.com'], keyType: 'ec' });
  const inputs = [
    {
      bytes: bytes(leaf.issued.certificatePem + root.issued.certificatePem),
      source: 'chain.pem',
    },
    { bytes: bytes(leaf.issued.privateKeyPem), source: 'key.pem' },
    { bytes: bytes(request.csrPem), source: 'request.csr' },
  ];
  const report = inspectInputs(inputs, { now: day(7) });
  await t.test('kinds, in order, and the certificate count', () => {
    assert.deepEqual(
      report.files.map((f) => [f.path, f.items.map((i) => i.kind)]),
      [
        ['chain.pem', ['certificate', 'certificate']],
        ['key.pem', ['private-key']],
        ['request.csr', ['certificate-request']],
      ],
    );
    assert.equal(report.certificateCount, 2);
  });
  await t.test('validity is judged at the clock given', () => {
    const [leafItem, rootItem] = report.files[0]?.items ?? [];
    assert.ok(leafItem?.kind === 'certificate' && rootItem?.kind === 'certificate');
    assert.equal(leafItem.expired, true);
    assert.equal(rootItem.expired, false);
    assert.equal(rootItem.daysLeft, 3);
  });
  await t.test('the key is described, never shown', () => {
    const item = report.files[1]?.items[0];
    assert.ok(item?.kind === 'private-key');
    assert.equal(item.key.type, 'ec');
    assert.equal(item.key.encrypted, false);
    assert.ok(!JSON.stringify(report).includes('PRIVATE KEY-----'));
  });
  await t.test('a clock that is not a date is refused', () => {
    assert.throws(() => inspectInputs(inputs, { now: new Date(Number.NaN) }), invalidOption);
  });
  await t.test('inspectFiles reads the same bytes to the same report', async () => {
    const dir = tempDir(t);
    const named = inputs.map((input) => ({ ...input, source: join(dir, input.source) }));
    for (const input of named) writeFileSync(input.source, input.bytes);
    assert.deepEqual(
      await inspectFiles(
        named.map((input) => input.source),
        { now: day(7) },
      ),
      inspectInputs(named, { now: day(7) }),
    );
  });
});
