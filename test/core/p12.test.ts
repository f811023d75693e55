/** Issue 6: PKCS#12 stores that OpenSSL (through Node's TLS) loads, with the right key and chain. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { createSecureContext } from 'node:tls';
import { CA_PROFILE, createPkcs12, issueCertificate, SERVER_PROFILE } from '@certkit/core';

async function identity() {
  const ca = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'P12 Root' },
    keyType: 'ec',
  });
  const leaf = await issueCertificate({
    profile: SERVER_PROFILE,
    subject: { commonName: 'app' },
    keyType: 'rsa',
    bits: 2048,
    keyFormat: 'pkcs1',
    issuer: {
      certificate: Buffer.from(ca.certificatePem),
      certificateSource: 'ca.pem',
      key: Buffer.from(ca.privateKeyPem),
      keySource: 'ca-key.pem',
    },
  });
  return { ca, leaf };
}

test('issue 6: modern and legacy stores load in OpenSSL with the password, and not without it', async () => {
  const { ca, leaf } = await identity();
  const rows = [
    { name: 'modern', legacy: false, protection: 'aes-256-cbc/pbkdf2-sha256, hmac-sha256' },
    { name: 'legacy', legacy: true, protection: '3des/pkcs12-sha1, hmac-sha1' },
  ];
  for (const row of rows) {
    const store = createPkcs12({
      certificate: Buffer.from(leaf.certificatePem),
      certificateSource: 'cert.pem',
      key: Buffer.from(leaf.privateKeyPem),
      keySource: 'key.pem',
      chain: { bytes: Buffer.from(ca.certificatePem), source: 'ca.pem' },
      password: 'pässwörd ✓',
      legacy: row.legacy,
    });
    assert.equal(store.protection, row.protection, row.name);
    assert.equal(store.friendlyName, 'app', row.name);
    assert.deepEqual(
      store.certificates.map((c) => c.subject),
      ['CN=app', 'CN=P12 Root'],
      row.name,
    );
    // OpenSSL's PKCS12_parse checks the MAC, decrypts both safes and pairs key and certificate.
    assert.doesNotThrow(
      () => createSecureContext({ pfx: Buffer.from(store.der), passphrase: 'pässwörd ✓' }),
      row.name,
    );
    assert.throws(
      () => createSecureContext({ pfx: Buffer.from(store.der), passphrase: 'wrong' }),
      /mac verify failure/i,
      row.name,
    );
  }
});

test("issue 6: the store refuses a key that is not the certificate's and an empty password", async () => {
  const { ca, leaf } = await identity();
  const base = {
    certificate: Buffer.from(leaf.certificatePem),
    certificateSource: 'cert.pem',
    key: Buffer.from(leaf.privateKeyPem),
    keySource: 'key.pem',
    password: 'x',
  };
  assert.throws(
    () => createPkcs12({ ...base, key: Buffer.from(ca.privateKeyPem), keySource: 'ca-key.pem' }),
    {
      code: 'KEY_MISMATCH',
      message: /ca-key\.pem is not the key of cert\.pem/,
    },
  );
  assert.throws(() => createPkcs12({ ...base, password: '' }), { code: 'INVALID_OPTION' });
  assert.throws(() => createPkcs12({ ...base, iterations: 0 }), { code: 'INVALID_OPTION' });
  // Duplicates between the certificate file and the chain are kept once.
  const store = createPkcs12({
    ...base,
    certificate: Buffer.from(leaf.chainPem + ca.certificatePem),
    chain: { bytes: Buffer.from(ca.certificatePem), source: 'ca.pem' },
  });
  assert.equal(store.certificates.length, 2);
  assert.equal(new X509Certificate(leaf.certificatePem).subject, 'CN=app');
});
