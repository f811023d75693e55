/**
 * Issue 13 item 4: length-unbounded fields are bounded in certkit's reader before pkijs/asn1js (or
 * anything else) sees the bytes. A 10.3 MB certificate whose extension OID was 7.3 MiB made
 * `verify` use 5.4 GB and 81 s: asn1js builds an object for every arc. Each shape here is refused
 * with CERTIFICATE_INVALID (DER_INVALID for requests and CRLs) naming the bound; the largest
 * legitimate shapes (x509-limbo's 2,048-name certificates) still read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  inspectInputs,
  isCertkitError,
  parseCertificates,
  parseRevocationLists,
  validatePath,
} from '@certkit/core';
import {
  CA_EXTENSION,
  certificate,
  cnName,
  ecKeys,
  extension,
  longOid,
  oid,
  pem,
  seq,
  tlv,
} from './adversarial.js';

const MIB = 1024 * 1024;
const keys = ecKeys();

function cert(extensions: readonly Uint8Array[]): Buffer {
  return certificate({
    subject: cnName('bounds'),
    issuer: cnName('bounds'),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    serial: 1,
    extensions: [CA_EXTENSION, ...extensions],
  });
}

/** The CertkitError code and message of `f`, or 'read' when it returns. */
function refusal(f: () => unknown): { code: string; message: string } | 'read' {
  try {
    f();
    return 'read';
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

const sanOf = (count: number): Buffer =>
  extension(
    oid('2.5.29.17'),
    false,
    seq(
      ...Array.from({ length: count }, (_, i) => tlv(0x82, Buffer.from(`n${String(i)}.example`))),
    ),
  );

const REFUSED: readonly { name: string; der: () => Buffer; message: RegExp }[] = [
  {
    name: 'an extension OID of 7.3 MiB (the reported 5.4 GB case)',
    der: () => cert([extension(longOid(Math.floor(7.3 * MIB)), false, seq())]),
    message: /object identifier of 7654604 octets \(at most 128 are read\)/,
  },
  {
    name: 'an extension OID of 129 octets',
    der: () => cert([extension(longOid(129), false, seq())]),
    message: /object identifier of 129 octets/,
  },
  {
    name: 'an extendedKeyUsage purpose OID of 1 MiB (inside the extension value)',
    der: () => cert([extension(oid('2.5.29.37'), false, seq(longOid(MIB)))]),
    message: /object identifiers inside strings add up to over 16384 octets/,
  },
  {
    name: 'a subjectKeyIdentifier whose bytes are a 1 MiB OID (asn1js decodes inside strings)',
    der: () => cert([extension(oid('2.5.29.14'), false, tlv(0x04, longOid(MIB)))]),
    message: /object identifiers inside strings add up to over 16384 octets/,
  },
  {
    name: 'a subjectAltName of 4,097 names',
    der: () => cert([sanOf(4097)]),
    message: /a list of over 4096 names in one extension/,
  },
  {
    name: '257 extensions',
    der: () =>
      cert(
        Array.from({ length: 256 }, (_, i) => extension(oid(`1.2.3.${String(i)}`), false, seq())),
      ),
    message: /257 extensions \(at most 256 are read\)/,
  },
  {
    name: 'a subject of 4,097 attributes',
    der: () =>
      certificate({
        subject: seq(
          ...Array.from({ length: 4097 }, () =>
            tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from('a')))),
          ),
        ),
        issuer: cnName('bounds'),
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        serial: 1,
      }),
    message: /a name of over 4096 attributes/,
  },
];

for (const row of REFUSED) {
  void test(`issue 13: a certificate with ${row.name} is refused before any library reads it`, () => {
    const der = row.der();
    const result = refusal(() => parseCertificates(der, 'bounds.der'));
    assert.notEqual(result, 'read');
    if (result === 'read') return;
    assert.equal(result.code, 'CERTIFICATE_INVALID');
    assert.match(result.message, /^cannot read certificate 1 in bounds\.der: /);
    assert.match(result.message, row.message);
  });
}

void test('issue 13: the largest legitimate shapes still read and validate (2,048 names, 12 extensions, 40-octet OIDs)', () => {
  const der = cert([
    sanOf(2048),
    ...Array.from({ length: 10 }, (_, i) =>
      extension(
        oid(`1.3.6.1.4.1.311.21.8.16120275.2993062.5948813.11853412.${String(i)}`),
        false,
        seq(),
      ),
    ),
  ]);
  const [read] = parseCertificates(der, 'large.der');
  assert.equal(read?.info.subjectAltNames.dns.length, 2048);
  assert.equal(read.info.extensions.length, 12);
  const result = validatePath({ leaf: read, anchors: [read], purpose: 'any' });
  assert.equal(result.anchored, true);
});

void test('issue 13: a certificate request with a 1 MiB attribute OID is refused before pkijs reads it', () => {
  const info = seq(
    tlv(0x02, Buffer.from([0])),
    cnName('request'),
    keys.publicKey.export({ format: 'der', type: 'spki' }),
    tlv(0xa0, seq(longOid(MIB), tlv(0x31))),
  );
  const request = seq(info, seq(oid('1.2.840.10045.4.3.2')), tlv(0x03, Buffer.from([0, 0x30, 0])));
  const text = pem([request]).replace(/CERTIFICATE/g, 'CERTIFICATE REQUEST');
  const [file] = inspectInputs([{ source: 'big.csr', bytes: Buffer.from(text) }]).files;
  assert.equal(file?.error?.code, 'DER_INVALID');
  assert.match(file.error.message, /big\.csr: an object identifier of 1048576 octets/);
});

void test('issue 13: a CRL with a 1 MiB extension OID is refused before pkijs reads it', () => {
  const tbs = seq(
    tlv(0x02, Buffer.from([1])),
    seq(oid('1.2.840.10045.4.3.2')),
    cnName('crl issuer'),
    tlv(0x17, Buffer.from('250101000000Z')),
    tlv(0xa0, seq(extension(longOid(MIB), false, seq()))),
  );
  const crl = seq(tbs, seq(oid('1.2.840.10045.4.3.2')), tlv(0x03, Buffer.from([0, 0x30, 0])));
  const result = refusal(() => parseRevocationLists(crl, 'big.crl'));
  assert.notEqual(result, 'read');
  if (result === 'read') return;
  assert.equal(result.code, 'DER_INVALID');
  assert.match(
    result.message,
    /^cannot read CRL 1 in big\.crl: an object identifier of 1048576 octets/,
  );
});

void test('issue 13: a 4 MiB serial number of leading zeros reads without overflowing a pattern stack', () => {
  const octets = Buffer.alloc(4 * MIB);
  octets[octets.length - 1] = 7;
  const der = certificate({
    subject: cnName('serial'),
    issuer: cnName('serial'),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    serial: 1,
    serialOctets: octets,
  });
  const [read] = parseCertificates(der, 'serial.der');
  assert.equal(read?.info.serialNumber, '07');
});
