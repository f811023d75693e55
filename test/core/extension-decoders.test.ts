/**
 * extendedKeyUsage has one decoder (x509/extension-values.ts `readExtendedKeyUsage`): the
 * certificate's summary (`info.extendedKeyUsage`), path validation's malformed flag
 * (`extensionViews`) and its EKU rule (`extendedKeyUsage`, read by checkEku) are projections of
 * one reading, checked against OpenSSL's (Node's X509Certificate, an independent decoder) on CA
 * certificates whose extension is replaced by well-formed and malformed values: named rows, then
 * fast-check's byte edits.
 *
 * The oracle: OpenSSL marks a certificate whose extension it cannot decode invalid
 * (x509v3_cache_extensions sets EXFLAG_INVALID, which `openssl verify` reports as "invalid or
 * inconsistent certificate extension"), and then X509_check_ca, Node's `ca`, is false for a
 * certificate that is otherwise a CA. Node's `keyUsage` is OpenSSL's extendedKeyUsage list.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { EKU_NAMES, OID } from '../../packages/core/src/asn1/oids.js';
import type { PathFindingCode } from '../../packages/core/src/judge/path-common.js';
import { checkEku } from '../../packages/core/src/judge/path-policy.js';
import { readExtendedKeyUsage } from '../../packages/core/src/x509/extension-values.js';
import { extendedKeyUsage, extensionViews } from '../../packages/core/src/x509/extensions.js';
import { parseCertificate } from '../../packages/core/src/x509/pkix.js';
import type { Certificate } from '../../packages/core/src/x509/pkix.js';
import { ROOT } from '../helpers/cli.js';
import { applyEdit, byteEdit, hex, seq, tlv } from '../helpers/byte-edits.js';
import { withExtension } from '../helpers/der-edit.js';

const oid = (dotted: string): Buffer => {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const bytes = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Uint8Array.from(out));
};

const SERVER = oid(OID.serverAuth);
const CLIENT = oid(OID.clientAuth);
const ANY = oid(OID.anyExtendedKeyUsage);

/** CA certificates (cA=TRUE, keyCertSign) whose extension the rows replace. */
const BASES = ['fixtures/chain/intermediate.der', 'fixtures/chain/root.der'].map((name) => ({
  name,
  der: new Uint8Array(readFileSync(join(ROOT, name))),
}));

function read(der: Uint8Array, label: string): Certificate {
  return parseCertificate(der, { name: label, index: 1 });
}

/** OpenSSL's reading of the EKU of a CA certificate: null when it marks the extension invalid. */
function opensslEku(der: Uint8Array): readonly string[] | null {
  const native = new X509Certificate(der);
  if (!native.ca) return null;
  return native.keyUsage;
}

/** The findings checkEku adds for the server purpose. */
function ekuFindings(certificate: Certificate): PathFindingCode[] {
  const codes: PathFindingCode[] = [];
  checkEku(certificate, 'server', true, (code) => codes.push(code));
  return codes;
}

/**
 * certkit's one reading, through each projection; asserts they agree. Returns the OIDs, or null
 * when malformed.
 */
function certkitEku(certificate: Certificate, label: string): readonly string[] | null {
  const reading = extendedKeyUsage(certificate);
  assert.ok(reading !== null, `${label}: present`);
  const listed = extensionViews(certificate).find((e) => e.oid === OID.extKeyUsage);
  assert.equal(listed?.malformed, reading.malformed, `${label}: path validation's malformed flag`);
  assert.deepEqual(
    certificate.info.extendedKeyUsage,
    reading.oids.map((o) => EKU_NAMES[o] ?? o),
    `${label}: the summary is the judges' reading`,
  );
  const findings = ekuFindings(certificate);
  if (reading.malformed) {
    assert.deepEqual(reading.oids, [], `${label}: a malformed value holds no purpose`);
    assert.deepEqual(findings, ['EKU_EMPTY'], `${label}: a malformed value allows no purpose`);
    return null;
  }
  const allowed = reading.oids.includes(OID.serverAuth) || reading.oids.includes(ANY_OID);
  assert.deepEqual(findings, allowed ? [] : ['EKU_MISMATCH'], `${label}: checkEku`);
  return reading.oids;
}
const ANY_OID = OID.anyExtendedKeyUsage;

/**
 * `reads`: certkit's OIDs (null: malformed). `openssl: 'empty'` where OpenSSL decodes an empty
 * list that the syntax's SIZE (1..MAX) refuses (it then allows no purpose either); `'ber'` where
 * OpenSSL reads a BER form X.509 does not allow (certkit calls it malformed, as Go does).
 */
const ROWS: readonly {
  name: string;
  value: Uint8Array;
  reads: string[] | null;
  openssl?: 'empty' | 'ber';
}[] = [
  { name: 'serverAuth', value: seq(SERVER), reads: [OID.serverAuth] },
  {
    name: 'serverAuth, clientAuth, anyExtendedKeyUsage',
    value: seq(SERVER, CLIENT, ANY),
    reads: [OID.serverAuth, OID.clientAuth, OID.anyExtendedKeyUsage],
  },
  { name: 'a private OID', value: seq(oid('1.2.3.4')), reads: ['1.2.3.4'] },
  { name: 'empty list', value: hex('3000'), reads: null, openssl: 'empty' },
  { name: 'empty value', value: new Uint8Array(0), reads: null },
  { name: 'one garbage byte', value: hex('ff'), reads: null },
  { name: 'truncated', value: seq(SERVER).subarray(0, 8), reads: null },
  { name: 'an INTEGER, not a SEQUENCE', value: hex('020101'), reads: null },
  { name: 'a SET, not a SEQUENCE', value: tlv(0x31, SERVER), reads: null },
  { name: 'an OID, not a list', value: SERVER, reads: null },
  { name: 'SEQUENCE flagged primitive', value: tlv(0x10, SERVER), reads: null, openssl: 'ber' },
  { name: 'an INTEGER in the list', value: seq(SERVER, hex('020101')), reads: null },
  { name: 'a constructed OID', value: seq(tlv(0x26, SERVER)), reads: null },
  { name: 'an OID with a padded arc', value: seq(hex('06092b0601050507800301')), reads: null },
  { name: 'an OID ending inside an arc', value: seq(hex('06022b86')), reads: null },
  { name: 'an empty OID', value: seq(hex('0600')), reads: null },
  {
    name: 'a zero byte after the list',
    value: Buffer.concat([seq(SERVER), hex('00')]),
    reads: [OID.serverAuth],
  },
  {
    name: 'an element after the list',
    value: Buffer.concat([seq(SERVER), hex('0500')]),
    reads: [OID.serverAuth],
  },
  {
    name: 'indefinite length list',
    value: Buffer.concat([hex('3080'), SERVER, hex('0000')]),
    reads: null,
    openssl: 'ber',
  },
  { name: 'list length past the value', value: Buffer.concat([hex('3010'), SERVER]), reads: null },
];

test('one extendedKeyUsage reading, checked against OpenSSL on each row', async (t) => {
  for (const base of BASES) {
    for (const row of ROWS) {
      for (const critical of [false, true]) {
        const label = `${base.name}, ${row.name}${critical ? ', critical' : ''}`;
        await t.test(label, () => {
          const der = withExtension(base.der, { oid: OID.extKeyUsage, value: row.value, critical });
          const ours = certkitEku(read(der, label), label);
          assert.deepEqual(ours, row.reads, `${label}: certkit's reading`);
          const theirs = opensslEku(der);
          if (row.openssl === 'empty') assert.deepEqual(theirs, [], `${label}: OpenSSL's reading`);
          else if (row.openssl === 'ber')
            assert.notEqual(theirs, null, `${label}: OpenSSL reads BER`);
          else assert.deepEqual(theirs, ours, `${label}: OpenSSL's reading`);
        });
      }
    }
  }
});

test('a certificate without extendedKeyUsage: absent, no EKU finding', () => {
  const root = read(new Uint8Array(readFileSync(join(ROOT, 'fixtures/chain/root.der'))), 'root');
  assert.equal(root.info.extendedKeyUsage, null);
  assert.equal(extendedKeyUsage(root), null);
  assert.deepEqual(ekuFindings(root), []);
  assert.deepEqual(readExtendedKeyUsage(seq(SERVER)), { oids: [OID.serverAuth], malformed: false });
});

const purpose = fc.oneof(
  fc.constantFrom(SERVER, CLIENT, ANY),
  fc
    .array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 4 })
    .map((arcs) => oid(`1.3.${arcs.join('.')}`)),
);

test('random edits of extendedKeyUsage: what certkit reads OpenSSL reads alike; what OpenSSL refuses certkit refuses', () => {
  const [base] = BASES;
  assert.ok(base !== undefined);
  let refused = 0;
  let read_ = 0;
  fc.assert(
    fc.property(
      fc.array(purpose, { minLength: 1, maxLength: 5 }),
      fc.array(byteEdit, { minLength: 0, maxLength: 3 }),
      fc.boolean(),
      (purposes, edits, critical) => {
        const value = edits.reduce(applyEdit, seq(...purposes));
        const der = withExtension(base.der, { oid: OID.extKeyUsage, value, critical });
        const ours = certkitEku(read(der, 'edited'), 'edited');
        const theirs = opensslEku(der);
        if (ours === null) refused++;
        else read_++;
        // What certkit reads, OpenSSL reads alike; what OpenSSL refuses, certkit refuses (OpenSSL
        // also reads BER forms and an empty list, which certkit calls malformed: rows above).
        if (ours !== null) assert.deepEqual(theirs, ours, `read alike: ${value.toString('hex')}`);
        if (theirs === null) assert.equal(ours, null, `refused alike: ${value.toString('hex')}`);
      },
    ),
    { numRuns: 1500 },
  );
  assert.ok(
    refused > 200 && read_ > 200,
    `edits make both kinds (${String(refused)}, ${String(read_)})`,
  );
});
