/** Renewal rules of a self-signed client identity, decided in memory by planClientRenewal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CLIENT_PROFILE,
  generateClientIdentity,
  isCertkitError,
  issueCertificate,
  parseCertificates,
  parsePrivateKey,
  planClientRenewal,
} from '@certkit/core';
import type { Certificate } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';

function certificateOf(pem: string, name: string): Certificate {
  const [certificate] = parseCertificates(Buffer.from(pem), name);
  assert.ok(certificate !== undefined);
  return certificate;
}

test('planClientRenewal: what a renewed client identity keeps', async (t) => {
  const now = new Date('2024-03-01T00:00:00Z');
  const identity = await generateClientIdentity({
    subject: { commonName: 'app', organization: 'Acme', country: 'US' },
    keyType: 'ec',
    curve: 'P-384',
    days: 90,
    now,
  });
  const certificate = certificateOf(identity.certificatePem, 'cert.pem');
  const { key } = parsePrivateKey(Buffer.from(identity.privateKeyPem), 'keyclient.pem');

  await t.test('same subject, lifetime and key type; the days given win', async () => {
    const plan = planClientRenewal({ certificate, privateKey: key });
    assert.equal(plan.commonName, 'app');
    assert.equal(plan.days, 90);
    assert.equal(plan.keyType, 'ec');
    assert.equal(plan.curve, 'P-384');
    assert.equal(planClientRenewal({ certificate, privateKey: key, days: 30 }).days, 30);
    const renewed = await issueCertificate({
      profile: CLIENT_PROFILE,
      subject: { commonName: plan.commonName },
      subjectNameDer: plan.subjectNameDer,
      days: plan.days,
      keyType: plan.keyType,
      curve: plan.curve,
      bits: plan.bits,
    });
    assert.equal(renewed.info.subject, certificate.info.subject);
  });

  await t.test('another key: KEY_MISMATCH', async () => {
    const other = await generateClientIdentity({ subject: { commonName: 'x' }, keyType: 'ec' });
    const { key: otherKey } = parsePrivateKey(Buffer.from(other.privateKeyPem), 'other.pem');
    assert.throws(
      () => planClientRenewal({ certificate, privateKey: otherKey, keySource: 'other.pem' }),
      (error: unknown) =>
        isCertkitError(error) &&
        error.code === 'KEY_MISMATCH' &&
        error.message.startsWith('other.pem is not the key of cert.pem'),
    );
  });

  await t.test('a CA-issued certificate is renewed at its CA: INVALID_OPTION', async () => {
    const root = await memoryCert({ name: 'root.pem', kind: 'ca' });
    const issued = await memoryCert({ name: 'client.pem', kind: 'client', issuer: root });
    const { key: issuedKey } = parsePrivateKey(
      Buffer.from(issued.issued.privateKeyPem),
      'client-key.pem',
    );
    assert.throws(
      () => planClientRenewal({ certificate: issued.certificate, privateKey: issuedKey }),
      (error: unknown) =>
        isCertkitError(error) &&
        error.code === 'INVALID_OPTION' &&
        /renew it at that CA/.test(error.message),
    );
  });
});
