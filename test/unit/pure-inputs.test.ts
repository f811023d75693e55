/**
 * Input validation lives in the pure functions, once: a clock that is not a date and a host
 * given as an IP literal are judged the same whether a file wrapper or a library caller passes
 * them. In-memory PKI made with issueCertificate (no external binaries).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CA_PROFILE,
  checkEndpointCertificate,
  inspectInputs,
  isCertkitError,
  issueCertificate,
  parseCertificates,
  validatePath,
  verifyCertificateFiles,
} from '@certkit/core';
import type { Certificate, IssuedCertificate } from '@certkit/core';
import { tempDir } from '../helpers/tmp.js';

function only(issued: IssuedCertificate, name: string): Certificate {
  const [certificate] = parseCertificates(Buffer.from(issued.certificatePem), name);
  assert.ok(certificate !== undefined);
  return certificate;
}

async function pki(now: Date): Promise<{ root: Certificate; leaf: Certificate }> {
  const root = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'Unit Root' },
    keyType: 'ec',
    days: 3650,
    now,
  });
  const leaf = await issueCertificate({
    profile: 'server',
    subject: { commonName: 'svc.example.com' },
    keyType: 'ec',
    dnsNames: ['svc.example.com'],
    ipAddresses: ['127.0.0.1'],
    days: 30,
    now,
    issuer: {
      certificate: Buffer.from(root.certificatePem),
      certificateSource: 'root.pem',
      key: Buffer.from(root.privateKeyPem),
      keySource: 'root-key.pem',
    },
  });
  return { root: only(root, 'root.pem'), leaf: only(leaf, 'leaf.pem') };
}

function invalidOption(error: unknown): boolean {
  return isCertkitError(error) && error.code === 'INVALID_OPTION';
}

test('a clock that is not a date is refused, not read as "always valid"', async (t) => {
  // Issued in 2020 for 30 days: expired today.
  const { root, leaf } = await pki(new Date('2020-01-01T00:00:00Z'));
  const expired = validatePath({ leaf, anchors: [root] });
  assert.ok(expired.findings.some((f) => f.code === 'EXPIRED'));

  await t.test('validatePath with now = new Date(NaN)', () => {
    assert.throws(
      () => validatePath({ leaf, anchors: [root], now: new Date(Number.NaN) }),
      invalidOption,
    );
  });
  await t.test('checkEndpointCertificate with now = new Date(NaN)', () => {
    assert.throws(
      () =>
        checkEndpointCertificate({
          cluster: 'example.com',
          certificates: [leaf],
          now: new Date(Number.NaN),
        }),
      invalidOption,
    );
  });
  await t.test('checkEndpointCertificate with now = NaN (a number)', () => {
    assert.throws(
      () =>
        checkEndpointCertificate({ cluster: 'example.com', certificates: [leaf], now: Number.NaN }),
      invalidOption,
    );
  });
  await t.test('inspectInputs with now = new Date(NaN)', () => {
    assert.throws(
      () =>
        inspectInputs([{ source: 'leaf.pem', bytes: Buffer.from(leaf.pem) }], {
          now: new Date(Number.NaN),
        }),
      invalidOption,
    );
  });
  await t.test('a clock given as milliseconds is read as a date', () => {
    const at = Date.parse('2020-01-10T00:00:00Z');
    const report = checkEndpointCertificate({
      cluster: 'example.com',
      certificates: [leaf],
      now: at,
    });
    assert.ok(!report.findings.some((f) => f.code === 'EXPIRED'));
    assert.ok(validatePath({ leaf, anchors: [root], now: new Date(at) }).ok);
  });
});

test('validatePath matches a host given as an IP literal as an IP reference', async (t) => {
  const { root, leaf } = await pki(new Date());
  await t.test('host 127.0.0.1 matches the iPAddress SAN', () => {
    const result = validatePath({ leaf, anchors: [root], host: '127.0.0.1' });
    assert.deepEqual(
      result.findings.map((f) => f.code),
      [],
    );
    assert.equal(result.ok, true);
  });
  await t.test('host 127.0.0.2 is an IP mismatch, as ip: 127.0.0.2 is', () => {
    const byHost = validatePath({ leaf, anchors: [root], host: '127.0.0.2' });
    const byIp = validatePath({ leaf, anchors: [root], ip: '127.0.0.2' });
    assert.deepEqual(
      byHost.findings.map((f) => f.code),
      ['IP_MISMATCH'],
    );
    assert.deepEqual(byHost.findings, byIp.findings);
  });
  await t.test('verifyCertificateFiles and validatePath agree on host 127.0.0.1', async () => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    writeFileSync(join(dir, 'root.pem'), root.pem);
    for (const host of ['127.0.0.1', '127.0.0.2', 'svc.example.com', 'other.example.com']) {
      const files = await verifyCertificateFiles({
        leaf: join(dir, 'leaf.pem'),
        ca: [join(dir, 'root.pem')],
        host,
      });
      const memory = validatePath({ leaf, anchors: [root], host });
      assert.deepEqual(files.findings, memory.findings, host);
      assert.equal(files.ok, memory.ok, host);
    }
  });
  await t.test('host and ip together, an empty host, an ip that is not one: refused', () => {
    assert.throws(
      () => validatePath({ leaf, anchors: [root], host: 'svc.example.com', ip: '127.0.0.1' }),
      invalidOption,
    );
    assert.throws(() => validatePath({ leaf, anchors: [root], host: '' }), invalidOption);
    assert.throws(() => validatePath({ leaf, anchors: [root], ip: 'svc' }), invalidOption);
  });
  await t.test('a depth that is not a whole number 0 or more is refused', () => {
    for (const maxDepth of [-1, 1.5, Number.NaN])
      assert.throws(() => validatePath({ leaf, anchors: [root], maxDepth }), invalidOption);
  });
});
