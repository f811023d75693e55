/**
 * Issue 14 item 3 in memory: a CA signing a PKCS#10 request (signCertificateRequest), and a
 * self-signed certificate that is its own issuer byte for byte (the renewal path included).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import {
  CLIENT_PROFILE,
  createCertificateRequest,
  isCertkitError,
  issueCertificate,
  parseCertificates,
  parsePrivateKey,
  planClientRenewal,
  signCertificateRequest,
} from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';

/** EKU names as CertificateInfo gives them. */
const OID = { serverAuth: 'serverAuth', clientAuth: 'clientAuth' };

test('signCertificateRequest: names, subject and key from the request; usages from the profile; every issuer rule', async (t) => {
  const now = new Date('2024-03-01T00:00:00Z');
  const ca = await memoryCert({ name: 'ca.pem', kind: 'ca', now, days: 400 });
  const issuer = {
    certificate: Buffer.from(ca.issued.certificatePem),
    certificateSource: 'ca.pem',
    key: Buffer.from(ca.issued.privateKeyPem),
    keySource: 'ca-key.pem',
  };
  const request = await createCertificateRequest({
    cluster: 'cluster.test',
    subject: { commonName: 'cluster.test', organization: 'Acme', country: 'US' },
    keyType: 'ec',
  });
  const csr = Buffer.from(request.csrPem);

  await t.test('requested names and subject are kept, usages follow usage', async () => {
    const rows = [
      { usage: 'both' as const, eku: [OID.serverAuth, OID.clientAuth] },
      { usage: 'server' as const, eku: [OID.serverAuth] },
      { usage: 'client' as const, eku: [OID.clientAuth] },
    ];
    for (const row of rows) {
      const signed = await signCertificateRequest({
        request: csr,
        requestSource: 'proxy.csr',
        issuer,
        usage: row.usage,
        now,
      });
      assert.equal(signed.info.subject, 'C=US, O=Acme, CN=cluster.test', row.usage);
      assert.equal(signed.info.issuer, ca.certificate.info.subject, row.usage);
      assert.deepEqual(signed.info.subjectAltNames.dns, request.info.subjectAltNames.dns);
      assert.deepEqual(signed.info.extendedKeyUsage, row.eku, row.usage);
      assert.deepEqual(signed.info.keyUsage, ['digitalSignature'], 'EC: no keyEncipherment');
      assert.equal(signed.info.basicConstraints?.ca, false);
      assert.equal(
        new X509Certificate(signed.certificatePem).verify(
          new X509Certificate(ca.issued.certificatePem).publicKey,
        ),
        true,
      );
      assert.equal(signed.info.key.type, 'ec');
    }
  });

  await t.test('given names replace the requested ones', async () => {
    const signed = await signCertificateRequest({
      request: csr,
      requestSource: 'proxy.csr',
      issuer,
      dnsNames: ['other.test'],
      ipAddresses: ['10.0.0.5'],
      now,
    });
    assert.deepEqual(signed.info.subjectAltNames.dns, ['other.test']);
    assert.deepEqual(signed.info.subjectAltNames.ip, ['10.0.0.5']);
  });

  await t.test('refusals', async () => {
    const der = Buffer.from(request.csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const leaf = await memoryCert({ name: 'leaf.pem', kind: 'server', now });
    const rows = [
      { name: 'tampered', options: { request: der }, message: /does not verify/ },
      { name: 'outlives the CA', options: { days: 401 }, message: /would outlive its issuer/ },
      {
        name: 'issuer is no CA',
        options: {
          issuer: {
            certificate: Buffer.from(leaf.issued.certificatePem),
            certificateSource: 'leaf.pem',
            key: Buffer.from(leaf.issued.privateKeyPem),
            keySource: 'leaf-key.pem',
          },
        },
        message: /is not a CA certificate/,
      },
      {
        name: 'a certificate, not a request',
        options: { request: Buffer.from(leaf.issued.certificatePem) },
        message: /holds a certificate, not a certificate request|holds a CERTIFICATE block/,
      },
    ];
    for (const row of rows) {
      await assert.rejects(
        signCertificateRequest({
          request: csr,
          requestSource: 'proxy.csr',
          issuer,
          now,
          ...row.options,
        }),
        (error: unknown) => isCertkitError(error) && row.message.test(error.message),
        row.name,
      );
    }
  });
});

test('a renewed self-signed certificate is its own issuer byte for byte (subjectNameDer)', async () => {
  const first = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: 'app', organization: 'Acme' },
    keyType: 'ec',
  });
  // The subject Name of the first certificate, as renewals pass it (planClientRenewal).
  const [certificate] = parseCertificates(Buffer.from(first.certificatePem), 'cert.pem');
  assert.ok(certificate !== undefined);
  const plan = planClientRenewal({
    certificate,
    privateKey: parsePrivateKey(Buffer.from(first.privateKeyPem), 'keyclient.pem').key,
    certificateSource: 'cert.pem',
    keySource: 'keyclient.pem',
  });
  const renewed = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: plan.commonName },
    subjectNameDer: plan.subjectNameDer,
    keyType: 'ec',
  });
  const next = new X509Certificate(renewed.certificatePem);
  assert.equal(next.subject, 'O=Acme\nCN=app');
  assert.equal(next.issuer, next.subject, 'issuer = subject: still self-signed');
  assert.equal(next.verify(next.publicKey), true);
});
