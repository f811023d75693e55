/**
 * Issue 14 item 6 in memory: the PKCS#12 reader against the writer (modern and legacy stores,
 * trust stores), its refusals (no password, a wrong one, an iteration count over the bound), and
 * RC2 (RFC 2268 section 5 test vectors), which Node's OpenSSL 3 no longer offers.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { createPkcs12, isCertkitError, readPkcs12 } from '@certkit/core';
import { rc2DecryptBlock } from '../../packages/core/src/x509/rc2.js';
import { memoryCert } from '../helpers/memory-pki.js';

test('RC2 decrypts the RFC 2268 test vectors', () => {
  const vectors = [
    { key: '0000000000000000', bits: 63, plain: '0000000000000000', cipher: 'ebb773f993278eff' },
    { key: 'ffffffffffffffff', bits: 64, plain: 'ffffffffffffffff', cipher: '278b27e42e2f0d49' },
    { key: '3000000000000000', bits: 64, plain: '1000000000000001', cipher: '30649edf9be7d2c2' },
    { key: '88', bits: 64, plain: '0000000000000000', cipher: '61a8a244adacccf0' },
    { key: '88bca90e90875a', bits: 64, plain: '0000000000000000', cipher: '6ccf4308974c267f' },
    {
      key: '88bca90e90875a7f0f79c384627bafb2',
      bits: 64,
      plain: '0000000000000000',
      cipher: '1a807d272bbe5db1',
    },
    {
      key: '88bca90e90875a7f0f79c384627bafb2',
      bits: 128,
      plain: '0000000000000000',
      cipher: '2269552ab0f85ca6',
    },
  ];
  for (const v of vectors) {
    const plain = rc2DecryptBlock(Buffer.from(v.key, 'hex'), v.bits, Buffer.from(v.cipher, 'hex'));
    assert.equal(Buffer.from(plain).toString('hex'), v.plain, `${v.key}/${String(v.bits)}`);
  }
});

test('readPkcs12 reads what createPkcs12 writes (key stores and trust stores), and refuses what it should', async (t) => {
  const ca = await memoryCert({ name: 'ca.pem', kind: 'ca' });
  const leaf = await memoryCert({ name: 'leaf.pem', kind: 'client', issuer: ca });
  const spki = (pem: string): string =>
    createPublicKey(createPrivateKey(pem)).export({ format: 'der', type: 'spki' }).toString('hex');

  for (const legacy of [false, true]) {
    await t.test(legacy ? 'legacy store' : 'modern store', () => {
      const store = createPkcs12({
        certificate: Buffer.from(leaf.issued.certificatePem),
        certificateSource: 'leaf.pem',
        key: Buffer.from(leaf.issued.privateKeyPem),
        keySource: 'leaf-key.pem',
        chain: { bytes: Buffer.from(ca.issued.certificatePem), source: 'ca.pem' },
        password: 'pässword',
        legacy,
        friendlyName: 'app',
      });
      const read = readPkcs12(store.der, 'client.p12', 'pässword');
      assert.equal(read.mac, legacy ? 'sha1' : 'sha256');
      assert.deepEqual(
        read.certificates.map((c) => [new X509Certificate(c.der).subject, c.friendlyName ?? null]),
        [
          ['CN=leaf.pem', 'app'],
          ['CN=ca.pem', null],
        ],
      );
      const [key] = read.keys;
      assert.ok(key !== undefined);
      assert.equal(key.friendlyName, 'app');
      assert.equal(key.localKeyId, read.certificates[0]?.localKeyId, 'key and certificate paired');
      const opened = createPrivateKey({
        key: Buffer.from(key.pkcs8),
        format: 'der',
        type: 'pkcs8',
      });
      assert.equal(
        createPublicKey(opened).export({ format: 'der', type: 'spki' }).toString('hex'),
        spki(leaf.issued.privateKeyPem),
      );
      assert.throws(
        () => readPkcs12(store.der, 'client.p12', 'wrong'),
        (e: unknown) =>
          isCertkitError(e) && e.code === 'KEY_ENCRYPTED' && /wrong password/.test(e.message),
      );
      assert.throws(
        () => readPkcs12(store.der, 'client.p12', undefined),
        (e: unknown) =>
          isCertkitError(e) && e.code === 'KEY_ENCRYPTED' && /give its password/.test(e.message),
      );
    });
  }

  await t.test('trust store entries are trusted and keyless', () => {
    const store = createPkcs12({
      trustedCertificates: [
        {
          bytes: Buffer.from(ca.issued.certificatePem + leaf.issued.certificatePem),
          source: 'b.pem',
        },
      ],
      password: 'changeit',
    });
    const read = readPkcs12(store.der, 'trust.p12', 'changeit');
    assert.deepEqual(read.keys, []);
    assert.deepEqual(
      read.certificates.map((c) => [c.friendlyName, c.trusted]),
      [
        ['ca.pem', true],
        ['leaf.pem', true],
      ],
    );
  });

  await t.test('a store is a key store or a trust store, never both', () => {
    const bytes = Buffer.from(leaf.issued.certificatePem);
    // What a JavaScript caller can pass: both kinds of options at once.
    const both = {
      trustedCertificates: [{ bytes, source: 'leaf.pem' }],
      certificate: bytes,
      certificateSource: 'leaf.pem',
      key: Buffer.from(leaf.issued.privateKeyPem),
      keySource: 'leaf-key.pem',
      password: 'changeit',
    };
    assert.throws(
      () => createPkcs12(both),
      (error: unknown) =>
        isCertkitError(error) &&
        error.code === 'INVALID_OPTION' &&
        /trust store holds certificates only/.test(error.message),
    );
    assert.throws(
      () => createPkcs12({ trustedCertificates: [], password: 'changeit' }),
      (error: unknown) => isCertkitError(error) && /at least one certificate/.test(error.message),
    );
  });

  await t.test('an iteration count over the bound is refused before any work', () => {
    // A PFX whose MAC asks for 2,000,000 iterations (DER written by hand: the writer would take
    // as long to make it as a reader without the bound would take to read it).
    const tlv = (tag: number, ...content: Buffer[]): Buffer => {
      const body = Buffer.concat(content);
      const length =
        body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
      return Buffer.concat([Buffer.from([tag]), length, body]);
    };
    const sha256 = Buffer.from('0609608648016503040201', 'hex');
    const data = Buffer.from('06092a864886f70d010701', 'hex');
    const pfx = tlv(
      0x30,
      Buffer.from('020103', 'hex'),
      tlv(0x30, data, tlv(0xa0, tlv(0x04, tlv(0x30)))),
      tlv(
        0x30,
        tlv(0x30, tlv(0x30, sha256, Buffer.from('0500', 'hex')), tlv(0x04, Buffer.alloc(32))),
        tlv(0x04, Buffer.alloc(8)),
        Buffer.from('02031e8480', 'hex'),
      ),
    );
    assert.throws(
      () => readPkcs12(pfx, 'slow.p12', 'x'),
      (e: unknown) =>
        isCertkitError(e) &&
        e.code === 'PKCS12_INVALID' &&
        /iteration count of 2000000/.test(e.message),
    );
  });

  await t.test('garbage is PKCS12_INVALID, never a crash', () => {
    for (const bytes of [Buffer.from([0x30, 0x03, 0x02, 0x01, 0x03]), Buffer.from('hello')]) {
      assert.throws(
        () => readPkcs12(bytes, 'junk.p12', 'x'),
        (e: unknown) => isCertkitError(e) && e.code === 'PKCS12_INVALID',
      );
    }
  });
});
