/** Issue 6: expiry windows in days and in share of lifetime, at an injected time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CA_PROFILE, checkExpiry, issueCertificate } from '@certkit/core';
// The window syntax under checkExpiry's `within`, from its module.
import { parseRenewalWindow } from '../../packages/core/src/judge/expiry.js';

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

test('issue 14 item 5: checkExpiry skips keys and requests with a note, reports unreadable inputs as rows, sorts by time left', async () => {
  const soon = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'soon' },
    keyType: 'ec',
    days: 10,
    now: START,
  });
  const later = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'later' },
    keyType: 'ec',
    days: 300,
    now: START,
  });
  const key = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
  const csr = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n';
  const report = checkExpiry(
    [
      // Later first: the report puts the soonest first whatever the input order.
      { bytes: Buffer.from(later.certificatePem + key), source: 'later.pem' },
      { bytes: Buffer.from(key), source: 'keyclient.pem' },
      {
        source: 'gone.pem',
        error: { code: 'FILE_NOT_FOUND', message: 'cannot read gone.pem: no such file' },
      },
      { bytes: Buffer.from('hello\n'), source: 'notes.txt', origin: 'listed' },
      { bytes: Buffer.from('hello\n'), source: 'named.txt' },
      { bytes: Buffer.from(csr + soon.certificatePem), source: 'soon.pem' },
      {
        bytes: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
        source: 'broken.pem',
      },
    ],
    { now: day(1) },
  );
  assert.deepEqual(
    report.certificates.map((c) => `${c.source}#${String(c.index)}`),
    ['soon.pem#2', 'later.pem#1'],
  );
  assert.deepEqual(
    report.unreadable.map((u) => [u.source, u.code]),
    [
      ['gone.pem', 'FILE_NOT_FOUND'],
      ['named.txt', 'PEM_INVALID'],
      ['broken.pem', 'CERTIFICATE_INVALID'],
    ],
  );
  assert.deepEqual(
    report.notes.map((n) => n.message),
    [
      'block 2 in later.pem is a private key: skipped',
      'block 1 in keyclient.pem is a private key: skipped',
      'notes.txt holds no PEM block: skipped',
      'block 1 in soon.pem is a certificate request (CSR): skipped',
    ],
  );
  assert.equal(report.renewalCount, 1);
  assert.equal(report.ok, false, 'an unreadable input makes the report not ok');
  assert.equal(report.certificates[0]?.sourceKind, 'file');
});
