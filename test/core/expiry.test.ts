/** Issue 6: expiry windows in days and in share of lifetime, at an injected time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CA_PROFILE, checkExpiry, issueCertificate, parseRenewalWindow } from '@certkit/core';

const START = new Date('2026-01-01T00:00:00Z');
const day = (n: number): Date => new Date(START.getTime() + n * 86_400_000);

test('issue 6: parseRenewalWindow accepts 30d, 30 and 10%, and refuses the rest', () => {
  assert.deepEqual(parseRenewalWindow('30d'), { kind: 'days', days: 30 });
  assert.deepEqual(parseRenewalWindow('7'), { kind: 'days', days: 7 });
  assert.deepEqual(parseRenewalWindow('10%'), { kind: 'percent', percent: 10 });
  assert.deepEqual(parseRenewalWindow('100%'), { kind: 'percent', percent: 100 });
  for (const bad of ['', '30 days', '-1d', '10 %', '101%', 'abc', '1w']) {
    assert.throws(() => parseRenewalWindow(bad), { code: 'INVALID_OPTION' }, bad);
  }
});

test('issue 6: needsRenewal follows the window, for every certificate of every input', async () => {
  // 100-day certificates from START: at day 75, 25 days (25%) are left.
  const a = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'A' },
    keyType: 'ec',
    days: 100,
    now: START,
  });
  const b = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'B' },
    keyType: 'ec',
    days: 200,
    now: START,
  });
  const inputs = [
    { bytes: Buffer.from(a.certificatePem + b.certificatePem), source: 'both.pem' },
    { bytes: Buffer.from(b.certificatePem), source: 'b.pem' },
  ];
  const rows = [
    {
      name: '30d at day 75: A inside, B not',
      within: '30d',
      now: day(75),
      renew: [true, false, false],
      days: [25, 125, 125],
    },
    {
      name: '20d at day 75: none',
      within: '20d',
      now: day(75),
      renew: [false, false, false],
      days: [25, 125, 125],
    },
    {
      name: '25d is inclusive',
      within: '25d',
      now: day(75),
      renew: [true, false, false],
      days: [25, 125, 125],
    },
    {
      name: '30% at day 75: A (25%) inside, B (62.5%) not',
      within: '30%',
      now: day(75),
      renew: [true, false, false],
      days: [25, 125, 125],
    },
    {
      name: '70% at day 75: both',
      within: '70%',
      now: day(75),
      renew: [true, true, true],
      days: [25, 125, 125],
    },
    {
      name: 'expired A at day 101 with a 0d window',
      within: '0d',
      now: day(101),
      renew: [true, false, false],
      days: [-1, 99, 99],
    },
  ];
  for (const row of rows) {
    const report = checkExpiry(inputs, { within: row.within, now: row.now });
    assert.deepEqual(
      report.certificates.map((c) => c.needsRenewal),
      row.renew,
      row.name,
    );
    assert.deepEqual(
      report.certificates.map((c) => c.daysLeft),
      row.days,
      row.name,
    );
    assert.equal(report.ok, !row.renew.includes(true), row.name);
    assert.equal(report.renewalCount, row.renew.filter(Boolean).length, row.name);
    assert.deepEqual(
      report.certificates.map((c) => `${c.source}#${String(c.index)}`),
      ['both.pem#1', 'both.pem#2', 'b.pem#1'],
      row.name,
    );
  }
  const expired = checkExpiry(inputs, { now: day(101) }).certificates[0];
  assert.equal(expired?.expired, true);
  assert.equal(expired.percentLeft, 0);
  const early = checkExpiry(inputs, { now: day(-1) }).certificates[0];
  assert.equal(early?.notYetValid, true);
  assert.equal(early.needsRenewal, false);
});

test('issue 6: checkExpiry refuses a key where certificates are expected', () => {
  assert.throws(
    () =>
      checkExpiry([
        {
          bytes: Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
          source: 'k.pem',
        },
      ]),
    { code: 'NOT_A_CERTIFICATE', message: /block 1 in k\.pem is a private key/ },
  );
});
