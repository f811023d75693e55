/**
 * Requests are written by certkit's own DER writer and signed by node:crypto, as certificates
 * are. `@peculiar/x509` (with `@peculiar/webcrypto`), which used to write them, is kept as an
 * independent reader: it must parse every request certkit makes, find the names and usages in
 * the extensionRequest attribute, and verify the self-signature (openssl req -verify is the
 * other oracle, in test/interop/issue-openssl and test/e2e/csr-signing).
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { Crypto } from '@peculiar/webcrypto';
import * as x509 from '@peculiar/x509';
import { createCertificateRequest } from '@certkit/core';
import { parsePemBlocks } from '../../packages/core/src/x509/pem.js';

const crypto = new Crypto();
x509.cryptoProvider.set(crypto as unknown as globalThis.Crypto);

test('@peculiar/x509 reads every request certkit makes and verifies its signature', async (t) => {
  const existing = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  });
  const rows = [
    { name: 'RSA 2048', options: { keyType: 'rsa' as const, bits: 2048 } },
    { name: 'EC P-256', options: { keyType: 'ec' as const } },
    { name: 'EC P-384', options: { keyType: 'ec' as const, curve: 'P-384' as const } },
    { name: 'EC P-256, client', options: { keyType: 'ec' as const, usage: 'client' as const } },
    // An existing key (csr --key), PKCS#1 PEM as older tools write it.
    {
      name: 'existing RSA 3072 key',
      options: { existingKey: { bytes: Buffer.from(existing), source: 'proxy_key.pem' } },
    },
  ];
  for (const row of rows) {
    await t.test(row.name, async () => {
      const request = await createCertificateRequest({
        cluster: 'cluster.local',
        dnsNames: ['redis.example.com'],
        ipAddresses: ['127.0.0.1', '::1'],
        subject: { commonName: 'cluster.local', organization: 'Acme', country: 'US' },
        ...row.options,
      });
      const [block] = parsePemBlocks(Buffer.from(request.csrPem), 'proxy.csr');
      assert.ok(block);
      const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(block.der));
      assert.equal(await csr.verify(crypto), true, 'the self-signature verifies');
      assert.match(csr.subject, /CN=cluster\.local/);
      assert.match(csr.subject, /O=Acme/);
      assert.match(csr.subject, /C=US/);
      const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension);
      assert.ok(san, 'subjectAltName in the extensionRequest');
      const names = san.names.toJSON();
      const dns = names.filter((n) => n.type === 'dns').map((n) => n.value);
      const ips = names.filter((n) => n.type === 'ip').map((n) => n.value);
      assert.deepEqual(dns, request.info.subjectAltNames.dns);
      assert.ok(dns.includes('redis.example.com'));
      assert.deepEqual(ips, ['127.0.0.1', '::1']);
      const ku = csr.extensions.find((e) => e instanceof x509.KeyUsagesExtension);
      assert.ok(ku, 'keyUsage requested');
      assert.equal(ku.critical, true);
      assert.ok((ku.usages & x509.KeyUsageFlags.digitalSignature) !== 0);
      const eku = csr.extensions.find((e) => e instanceof x509.ExtendedKeyUsageExtension);
      assert.ok(eku, 'extendedKeyUsage requested');
      // Requests are for `both` (serverAuth + clientAuth) unless the usage is client.
      assert.deepEqual(
        [...eku.usages].map(String),
        row.options.usage === 'client'
          ? ['1.3.6.1.5.5.7.3.2']
          : ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      );
    });
  }
});
