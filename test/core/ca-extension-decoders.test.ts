/**
 * keyUsage, basicConstraints and subjectKeyIdentifier have one decoder each
 * (x509/extension-values.ts `readKeyUsage`, `readBasicConstraints`, `readSubjectKeyIdentifier`):
 * the certificate's summary (`info.keyUsage`, `info.basicConstraints`,
 * `info.subjectKeyIdentifier`) and path validation's malformed flag (`extensionViews`) are
 * projections of one reading, checked
 * against OpenSSL's on CA certificates whose extension is replaced: named rows (read with
 * `openssl x509 -ext`, and Node's X509Certificate `ca`), then fast-check's byte edits.
 *
 * The oracle: OpenSSL marks a certificate whose extension it cannot decode invalid
 * (x509v3_cache_extensions sets EXFLAG_INVALID; `openssl verify` says "invalid or inconsistent
 * certificate extension"), and X509_check_ca, Node's `ca`, is then false; it is true only for a
 * valid certificate with cA=TRUE and, when keyUsage is present, keyCertSign.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { OID } from '../../packages/core/src/asn1/oids.js';
import type { KeyUsageName } from '../../packages/core/src/asn1/oids.js';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readKeyUsage,
  readSubjectKeyIdentifier,
} from '../../packages/core/src/x509/extension-values.js';
import { authorityKeyIdentifier, extensionViews } from '../../packages/core/src/x509/extensions.js';
import { internals, parseCertificate } from '../../packages/core/src/x509/pkix.js';
import type { Certificate } from '../../packages/core/src/x509/pkix.js';
import { applyEdit, byteEdit, hex, seq, tlv } from '../helpers/byte-edits.js';
import { ROOT } from '../helpers/cli.js';
import { withExtension } from '../helpers/der-edit.js';
import { openssl } from '../helpers/openssl.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(ROOT, 'fixtures/chain', name)));

/**
 * Certificates whose extension the rows replace, each with its issuer: the intermediate CA
 * (cA=TRUE, keyCertSign) and the leaf (cA=FALSE).
 */
const BASES = [
  { name: 'intermediate.der', der: fixture('intermediate.der'), issuer: fixture('root.der') },
  { name: 'leaf.der', der: fixture('leaf.der'), issuer: fixture('intermediate.der') },
];

/**
 * Whether OpenSSL reads every extension of `der` (X509_check_issued caches the subject's
 * extensions first and fails when one is invalid; the subject's own keyUsage and
 * basicConstraints play no other part in it).
 */
function opensslValid(der: Uint8Array, issuer: Uint8Array): boolean {
  return new X509Certificate(der).checkIssued(new X509Certificate(issuer));
}

type BasicConstraints = { readonly ca: boolean; readonly pathLength?: number };

/** One extension, its rows and how each side reads it. */
interface Spec<R> {
  readonly name: string;
  readonly oid: string;
  /** `openssl x509 -ext` name. */
  readonly ext: string;
  readonly rows: readonly Row<R>[];
  /** certkit's one reading, through each projection (asserting they agree); null: malformed. */
  certkit(certificate: Certificate, label: string): R | null;
  /** OpenSSL's text of a value it decodes, in certkit's terms; null for text it cannot read. */
  parseText(text: string): R | null;
  /** Whether X509_check_ca says CA for a certificate with this reading, of the intermediate. */
  ca(reading: R): boolean;
  /** Well-formed values, for the byte edits. */
  readonly values: fc.Arbitrary<Buffer>;
}

/** `reads`: certkit's reading (null: malformed). `openssl: 'ber'`: OpenSSL reads a BER form. */
interface Row<R> {
  readonly name: string;
  readonly value: Uint8Array;
  readonly reads: R | null;
  readonly openssl?: 'ber';
}

function read(der: Uint8Array, label: string): Certificate {
  return parseCertificate(der, { name: label, index: 1 });
}

function pem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** OpenSSL's reading: null when it marks the extension invalid. */
async function opensslReading<R>(
  spec: Spec<R>,
  der: Uint8Array,
  issuer: Uint8Array,
): Promise<R | null> {
  if (!opensslValid(der, issuer)) return null;
  const result = await openssl(['x509', '-noout', '-ext', spec.ext], { input: pem(der) });
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout.split('\n')[1]?.trim() ?? '';
  const reading = spec.parseText(text);
  assert.ok(reading !== null, `OpenSSL prints ${text}`);
  return reading;
}

function malformedFlag(certificate: Certificate, oid: string): boolean | undefined {
  return extensionViews(certificate).find((e) => e.oid === oid)?.malformed;
}

function rawValue(certificate: Certificate, oid: string): Uint8Array {
  const value = internals(certificate).extensions.find((e) => e.oid === oid)?.value;
  assert.ok(value !== undefined);
  return value;
}

/** certkit's reading of the extension `oid`, after checking path validation's flag is its own. */
function ownReading<T extends { readonly malformed: boolean }>(
  certificate: Certificate,
  oid: string,
  decode: (value: Uint8Array) => T,
  label: string,
): T {
  const reading = decode(rawValue(certificate, oid));
  assert.equal(malformedFlag(certificate, oid), reading.malformed, `${label}: flag`);
  return reading;
}

const OPENSSL_KU_NAMES: Readonly<Record<string, KeyUsageName | undefined>> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
  'Encipher Only': 'encipherOnly',
  'Decipher Only': 'decipherOnly',
};

const bits = (unused: number, ...octets: number[]): Buffer =>
  tlv(0x03, Uint8Array.from([unused, ...octets]));

const KEY_USAGE: Spec<readonly KeyUsageName[]> = {
  name: 'keyUsage',
  oid: OID.keyUsage,
  ext: 'keyUsage',
  certkit(certificate, label) {
    const reading = ownReading(certificate, OID.keyUsage, readKeyUsage, label);
    assert.deepEqual(certificate.info.keyUsage, reading.names, `${label}: the summary`);
    return reading.malformed ? null : reading.names;
  },
  parseText(text) {
    const names: KeyUsageName[] = [];
    for (const text_ of text.split(', ')) {
      const name = OPENSSL_KU_NAMES[text_];
      if (name === undefined) return null;
      names.push(name);
    }
    return names;
  },
  ca: (names) => names.includes('keyCertSign'),
  rows: [
    { name: 'keyCertSign, cRLSign', value: bits(1, 0x06), reads: ['keyCertSign', 'cRLSign'] },
    { name: 'digitalSignature', value: bits(7, 0x80), reads: ['digitalSignature'] },
    {
      name: 'decipherOnly (second octet)',
      value: bits(7, 0x04, 0x80),
      reads: ['keyCertSign', 'decipherOnly'],
    },
    { name: 'no bit set', value: bits(0, 0x00), reads: null },
    { name: 'no octet after the unused-bits count', value: bits(0), reads: null },
    { name: 'unused bits without an octet', value: bits(1), reads: null },
    { name: 'unused bits count 8', value: bits(8, 0x06), reads: null },
    {
      name: 'keyCertSign in the unused bits',
      value: bits(3, 0x84),
      reads: ['digitalSignature'],
    },
    { name: 'an empty BIT STRING', value: hex('0300'), reads: null },
    { name: 'empty value', value: new Uint8Array(0), reads: null },
    { name: 'a SEQUENCE, not a BIT STRING', value: hex('3000'), reads: null },
    { name: 'an INTEGER, not a BIT STRING', value: hex('020106'), reads: null },
    { name: 'an OCTET STRING, not a BIT STRING', value: hex('04020106'), reads: null },
    {
      name: 'constructed BIT STRING',
      value: tlv(0x23, bits(1, 0x06)),
      reads: null,
      openssl: 'ber',
    },
    { name: 'truncated', value: hex('030301'), reads: null },
    {
      name: 'a byte after the value',
      value: Buffer.concat([bits(1, 0x06), hex('00')]),
      reads: ['keyCertSign', 'cRLSign'],
    },
  ],
  values: fc
    .tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 1, maxLength: 2 }))
    .map(([unused, octets]) => bits(unused, ...octets)),
};

const TRUE = hex('0101ff');
const int = (...octets: number[]): Buffer => tlv(0x02, Uint8Array.from(octets));

const BASIC_CONSTRAINTS: Spec<BasicConstraints> = {
  name: 'basicConstraints',
  oid: OID.basicConstraints,
  ext: 'basicConstraints',
  certkit(certificate, label) {
    const reading = ownReading(certificate, OID.basicConstraints, readBasicConstraints, label);
    assert.deepEqual(certificate.info.basicConstraints, reading.value, `${label}: the summary`);
    return reading.malformed ? null : reading.value;
  },
  parseText(text) {
    const match = /^CA:(TRUE|FALSE)(?:, pathlen:(\d+))?$/.exec(text);
    if (match === null) return null;
    const ca = match[1] === 'TRUE';
    return match[2] === undefined ? { ca } : { ca, pathLength: Number(match[2]) };
  },
  ca: (bc) => bc.ca,
  rows: [
    { name: 'cA, pathLen 0', value: seq(TRUE, int(0)), reads: { ca: true, pathLength: 0 } },
    { name: 'cA', value: seq(TRUE), reads: { ca: true } },
    { name: 'empty SEQUENCE', value: hex('3000'), reads: { ca: false } },
    // OpenSSL wants a byte after a long-form length: this one ends the value (fast-check found it).
    { name: 'empty SEQUENCE, long-form length', value: hex('308100'), reads: null },
    { name: 'cA, long-form length', value: hex('3081030101ff'), reads: { ca: true } },
    { name: 'pathLen without cA', value: seq(int(3)), reads: { ca: false, pathLength: 3 } },
    { name: 'cA written 0x01', value: seq(hex('010101')), reads: { ca: true } },
    { name: 'cA FALSE written out', value: seq(hex('010100')), reads: { ca: false } },
    { name: 'pathLen 200', value: seq(TRUE, int(0, 200)), reads: { ca: true, pathLength: 200 } },
    { name: 'negative pathLen', value: seq(TRUE, int(0xff)), reads: null },
    { name: 'empty INTEGER', value: seq(TRUE, hex('0200')), reads: null },
    { name: 'padded INTEGER', value: seq(TRUE, int(0, 1)), reads: null },
    { name: 'BOOLEAN of two octets', value: seq(hex('0102ffff')), reads: null },
    { name: 'empty BOOLEAN', value: seq(hex('0100')), reads: null },
    { name: 'pathLen before cA', value: seq(int(1), TRUE), reads: null },
    { name: 'an extra element', value: seq(TRUE, int(1), hex('0500')), reads: null },
    { name: 'a SET, not a SEQUENCE', value: tlv(0x31, TRUE), reads: null },
    { name: 'a BOOLEAN, not a SEQUENCE', value: TRUE, reads: null },
    { name: 'empty value', value: new Uint8Array(0), reads: null },
    { name: 'truncated', value: hex('3006'), reads: null },
    { name: 'SEQUENCE flagged primitive', value: tlv(0x10, TRUE), reads: null },
    {
      name: 'indefinite length',
      value: Buffer.concat([hex('3080'), TRUE, hex('0000')]),
      reads: null,
      openssl: 'ber',
    },
    {
      name: 'a byte after the value',
      value: Buffer.concat([seq(TRUE), hex('00')]),
      reads: { ca: true },
    },
  ],
  values: fc
    .tuple(fc.boolean(), fc.option(fc.integer({ min: 0, max: 100_000 })))
    .map(([ca, pathLength]) => {
      const length =
        pathLength === null
          ? []
          : [int(...Buffer.from(pathLength.toString(16).padStart(8, '0'), 'hex'))];
      return seq(...(ca ? [TRUE] : []), ...length);
    }),
};

const ID = hex('e7b6ddc2d1757949ccb5bd911cd8082846949936');

const SUBJECT_KEY_IDENTIFIER: Spec<string> = {
  name: 'subjectKeyIdentifier',
  oid: OID.subjectKeyIdentifier,
  ext: 'subjectKeyIdentifier',
  certkit(certificate, label) {
    const reading = ownReading(
      certificate,
      OID.subjectKeyIdentifier,
      readSubjectKeyIdentifier,
      label,
    );
    assert.equal(certificate.info.subjectKeyIdentifier, reading.keyIdentifier, `${label}: summary`);
    return reading.keyIdentifier ?? null;
  },
  parseText(text) {
    return /^(?:[0-9A-F]{2}(?::[0-9A-F]{2})*)?$/.test(text)
      ? text.replace(/:/g, '').toLowerCase()
      : null;
  },
  ca: () => true,
  rows: [
    { name: '20 octets', value: tlv(0x04, ID), reads: ID.toString('hex') },
    { name: 'one octet', value: hex('040101'), reads: '01' },
    { name: 'empty OCTET STRING', value: hex('0400'), reads: '' },
    {
      name: 'constructed OCTET STRING',
      value: tlv(0x24, tlv(0x04, ID)),
      reads: null,
      openssl: 'ber',
    },
    { name: 'a BIT STRING', value: tlv(0x03, Buffer.concat([hex('00'), ID])), reads: null },
    { name: 'a SEQUENCE', value: seq(tlv(0x04, ID)), reads: null },
    { name: 'empty value', value: new Uint8Array(0), reads: null },
    { name: 'truncated', value: tlv(0x04, ID).subarray(0, 10), reads: null },
    {
      name: 'a byte after the value',
      value: Buffer.concat([tlv(0x04, ID), hex('00')]),
      reads: ID.toString('hex'),
    },
  ],
  values: fc.uint8Array({ minLength: 1, maxLength: 32 }).map((bytes) => tlv(0x04, bytes)),
};

function specTests<R>(spec: Spec<R>): void {
  test(`one ${spec.name} reading, checked against OpenSSL on each row`, async (t) => {
    for (const base of BASES) {
      for (const row of spec.rows) {
        for (const critical of [false, true]) {
          const label = `${base.name}, ${row.name}${critical ? ', critical' : ''}`;
          await t.test(label, async () => {
            const der = withExtension(base.der, { oid: spec.oid, value: row.value, critical });
            const ours = spec.certkit(read(der, label), label);
            assert.deepEqual(ours, row.reads, `${label}: certkit's reading`);
            const theirs = await opensslReading(spec, der, base.issuer);
            if (row.openssl === 'ber') assert.notEqual(theirs, null, `${label}: OpenSSL reads BER`);
            else assert.deepEqual(theirs, ours, `${label}: OpenSSL's reading`);
          });
        }
      }
    }
  });

  test(`random edits of ${spec.name}: what certkit reads, OpenSSL reads as the same CA verdict`, () => {
    const [base] = BASES;
    assert.ok(base !== undefined);
    let refused = 0;
    let readCount = 0;
    fc.assert(
      fc.property(
        spec.values,
        fc.array(byteEdit, { minLength: 0, maxLength: 3 }),
        fc.boolean(),
        (start, edits, critical) => {
          const value = edits.reduce(applyEdit, start);
          const der = withExtension(base.der, { oid: spec.oid, value, critical });
          const ours = spec.certkit(read(der, 'edited'), 'edited');
          const valid = opensslValid(der, base.issuer);
          const hexValue = value.toString('hex');
          // What OpenSSL refuses, certkit refuses; what certkit reads, OpenSSL reads alike (a CA
          // exactly when the reading says so). OpenSSL also reads BER forms (rows above).
          if (!valid) assert.equal(ours, null, `refused alike: ${hexValue}`);
          if (ours === null) {
            refused++;
            return;
          }
          readCount++;
          assert.equal(valid, true, `read alike: ${hexValue}`);
          assert.equal(new X509Certificate(der).ca, spec.ca(ours), `CA verdict: ${hexValue}`);
        },
      ),
      { numRuns: 1500 },
    );
    assert.ok(
      refused > 100 && readCount > 100,
      `both kinds (${String(refused)}, ${String(readCount)})`,
    );
  });
}

specTests(KEY_USAGE);
specTests(BASIC_CONSTRAINTS);
specTests(SUBJECT_KEY_IDENTIFIER);

/*
 * authorityKeyIdentifier: its one reading (readAuthorityKeyIdentifier) feeds the summary, the
 * malformed flag and path policy's AKI rules. The oracle is X509_check_issued on the intermediate
 * and its root: OpenSSL caches the extension (refusing one it cannot decode), then compares the
 * keyIdentifier with the root's subjectKeyIdentifier and a directoryName issuer and serial with
 * the root's.
 */

const ROOT_SKI = '34c0d0684a9f7f5f8afa6c21480e390cfb3916e1';
const KEY_ID = tlv(0x80, hex(ROOT_SKI));
const DNS_ISSUER = tlv(0xa1, tlv(0x82, 'root.example'));

interface AkiRead {
  readonly keyIdentifier?: string;
  readonly issuer: boolean;
  readonly serial: boolean;
}

function certkitAki(certificate: Certificate, label: string): AkiRead | null {
  const reading = ownReading(
    certificate,
    OID.authorityKeyIdentifier,
    readAuthorityKeyIdentifier,
    label,
  );
  assert.equal(certificate.info.authorityKeyIdentifier, reading.keyIdentifier, `${label}: summary`);
  assert.deepEqual(authorityKeyIdentifier(certificate), reading, `${label}: path policy's view`);
  if (reading.malformed) return null;
  return {
    ...(reading.keyIdentifier === undefined ? {} : { keyIdentifier: reading.keyIdentifier }),
    issuer: reading.hasAuthorityCertIssuer,
    serial: reading.hasAuthorityCertSerialNumber,
  };
}

/** What X509_check_issued must say of a reading with no directoryName issuer and no serial. */
function issuedAccording(reading: AkiRead): boolean | undefined {
  if (reading.serial) return undefined; // compared with the root's serial
  return reading.keyIdentifier === undefined || reading.keyIdentifier === ROOT_SKI;
}

const AKI_ROWS: readonly {
  name: string;
  value: Uint8Array;
  reads: AkiRead | null;
  openssl?: 'ber';
}[] = [
  {
    name: 'keyIdentifier',
    value: seq(KEY_ID),
    reads: { keyIdentifier: ROOT_SKI, issuer: false, serial: false },
  },
  {
    name: 'keyIdentifier of another key',
    value: seq(tlv(0x80, hex('0102'))),
    reads: { keyIdentifier: '0102', issuer: false, serial: false },
  },
  { name: 'empty SEQUENCE', value: hex('3000'), reads: { issuer: false, serial: false } },
  {
    name: 'keyIdentifier and a dNSName issuer',
    value: seq(KEY_ID, DNS_ISSUER),
    reads: { keyIdentifier: ROOT_SKI, issuer: true, serial: false },
  },
  {
    name: 'keyIdentifier, issuer, serial',
    value: seq(KEY_ID, DNS_ISSUER, tlv(0x82, hex('01'))),
    reads: { keyIdentifier: ROOT_SKI, issuer: true, serial: true },
  },
  { name: 'constructed keyIdentifier', value: seq(tlv(0xa0, tlv(0x04, hex('01')))), reads: null },
  { name: 'primitive issuer', value: seq(KEY_ID, tlv(0x81, hex('00'))), reads: null },
  {
    name: 'empty issuer',
    value: seq(KEY_ID, hex('a100')),
    reads: { keyIdentifier: ROOT_SKI, issuer: true, serial: false },
  },
  { name: 'issuer of an unknown form', value: seq(KEY_ID, tlv(0xa1, tlv(0x89, 'x'))), reads: null },
  { name: 'empty serial', value: seq(KEY_ID, hex('8200')), reads: null },
  { name: 'fields out of order', value: seq(DNS_ISSUER, KEY_ID), reads: null },
  { name: 'keyIdentifier twice', value: seq(KEY_ID, KEY_ID), reads: null },
  { name: 'an unknown field [3]', value: seq(KEY_ID, tlv(0x83, hex('01'))), reads: null },
  { name: 'a universal OCTET STRING', value: seq(tlv(0x04, hex(ROOT_SKI))), reads: null },
  { name: 'an OCTET STRING, not a SEQUENCE', value: tlv(0x04, hex(ROOT_SKI)), reads: null },
  { name: 'empty value', value: new Uint8Array(0), reads: null },
  { name: 'truncated', value: seq(KEY_ID).subarray(0, 12), reads: null },
  {
    name: 'a byte after the value',
    value: Buffer.concat([seq(KEY_ID), hex('00')]),
    reads: { keyIdentifier: ROOT_SKI, issuer: false, serial: false },
  },
];

test('one authorityKeyIdentifier reading, checked against OpenSSL on each row', async (t) => {
  const [base] = BASES;
  assert.ok(base !== undefined);
  for (const row of AKI_ROWS) {
    for (const critical of [false, true]) {
      const label = `${row.name}${critical ? ', critical' : ''}`;
      await t.test(label, () => {
        const value = row.value;
        const der = withExtension(base.der, { oid: OID.authorityKeyIdentifier, value, critical });
        const ours = certkitAki(read(der, label), label);
        assert.deepEqual(ours, row.reads, `${label}: certkit's reading`);
        const issued = opensslValid(der, base.issuer);
        if (row.openssl === 'ber') assert.equal(issued, true, `${label}: OpenSSL reads BER`);
        else if (ours === null) assert.equal(issued, false, `${label}: OpenSSL refuses it`);
        else {
          const expected = issuedAccording(ours);
          if (expected !== undefined) assert.equal(issued, expected, `${label}: OpenSSL`);
        }
      });
    }
  }
});

test('random edits of authorityKeyIdentifier: OpenSSL refuses what certkit refuses, and reads the rest alike', () => {
  const [base] = BASES;
  assert.ok(base !== undefined);
  let refused = 0;
  let readCount = 0;
  const start = fc.constantFrom(
    seq(KEY_ID),
    seq(KEY_ID, DNS_ISSUER),
    seq(DNS_ISSUER),
    seq(KEY_ID, DNS_ISSUER, tlv(0x82, hex('01'))),
  );
  fc.assert(
    fc.property(
      start,
      fc.array(byteEdit, { minLength: 0, maxLength: 3 }),
      fc.boolean(),
      (first, edits, critical) => {
        const value = edits.reduce(applyEdit, first);
        const der = withExtension(base.der, { oid: OID.authorityKeyIdentifier, value, critical });
        const ours = certkitAki(read(der, 'edited'), 'edited');
        const issued = opensslValid(der, base.issuer);
        const hexValue = value.toString('hex');
        if (ours === null) {
          refused++;
          return;
        }
        readCount++;
        const expected = issuedAccording(ours);
        if (expected !== undefined) assert.equal(issued, expected, `read alike: ${hexValue}`);
      },
    ),
    { numRuns: 1500 },
  );
  assert.ok(
    refused > 100 && readCount > 100,
    `both kinds (${String(refused)}, ${String(readCount)})`,
  );
});
