/** Issue 6: PKCS#10 requests with the proxy profile's names, parsed back and checked. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCertificateRequest, parseCertificationRequest } from '@certkit/core';

test('issue 6: a request carries CN, the four cluster names, usages, and a valid self-signature', async () => {
  const rows = [
    {
      name: 'EC P-256',
      keyType: 'ec' as const,
      ku: ['digitalSignature'],
      key: { type: 'ec', bits: 256 },
    },
    {
      name: 'RSA 2048',
      keyType: 'rsa' as const,
      ku: ['digitalSignature', 'keyEncipherment'],
      key: { type: 'rsa', bits: 2048 },
    },
  ];
  for (const row of rows) {
    const request = await createCertificateRequest({
      cluster: 'cluster.local',
      dnsNames: ['redis.example.com'],
      ipAddresses: ['127.0.0.1'],
      keyType: row.keyType,
    });
    assert.match(request.csrPem, /^-----BEGIN CERTIFICATE REQUEST-----\n/, row.name);
    const info = parseCertificationRequest(Buffer.from(request.csrPem), 'proxy.csr');
    assert.equal(info.subject, 'CN=cluster.local', row.name);
    assert.deepEqual(info.subjectAltNames.dns, [
      'cluster.local',
      '*.cluster.local',
      'internal.cluster.local',
      '*.internal.cluster.local',
      'redis.example.com',
    ]);
    assert.deepEqual(info.subjectAltNames.ip, ['127.0.0.1']);
    assert.deepEqual(info.keyUsage, row.ku, row.name);
    assert.deepEqual(info.extendedKeyUsage, ['serverAuth', 'clientAuth'], row.name);
    assert.equal(info.key.type, row.key.type, row.name);
    assert.equal(info.key.bits, row.key.bits, row.name);
    assert.equal(info.signatureValid, true, row.name);
    assert.doesNotMatch(JSON.stringify(info), /PRIVATE/);
  }
});

test('issue 6: a request whose signed part was altered does not verify', async () => {
  const request = await createCertificateRequest({ cluster: 'cluster.local', keyType: 'ec' });
  const der = Buffer.from(request.csrPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  // Change one letter of "cluster.local" inside the signed CertificationRequestInfo.
  const at = der.indexOf('cluster.local');
  assert.ok(at > 0);
  der[at] = 'k'.charCodeAt(0);
  const info = parseCertificationRequest(new Uint8Array(der), 'proxy.csr');
  assert.equal(info.subject, 'CN=kluster.local');
  assert.equal(info.signatureValid, false);
});

test('issue 6: bytes that are not a request are refused with DER_INVALID', () => {
  assert.throws(
    () => parseCertificationRequest(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), 'x.csr'),
    {
      code: 'DER_INVALID',
      message: /x\.csr/,
    },
  );
});

test('issue 6: a request needs a name', async () => {
  await assert.rejects(createCertificateRequest({ keyType: 'ec' }), { code: 'INVALID_OPTION' });
});
