/**
 * subjectAltName has one decoder (x509/general-names.ts): the certificate's summary
 * (`info.subjectAltNames`) and the judges' view (`subjectAltNames`, read by host-name matching,
 * name constraints, path policy and the client-stack models) are two projections of one reading,
 * and that reading is checked against OpenSSL's (Node's `X509Certificate.subjectAltName`, an
 * independent decoder) on real certificates whose subjectAltName is replaced by well-formed and
 * malformed values: named rows, then fast-check's.
 *
 * OpenSSL reads BER where X.509 requires DER. A string entry in constructed form is read as
 * OpenSSL reads it (and noted as `berForms`, which Java refuses); indefinite lengths and a
 * SEQUENCE flagged primitive certkit calls malformed, as Go does. The rows say so, and the random
 * cases check the one direction that holds for every input: what certkit reads, OpenSSL reads
 * the same way; what OpenSSL refuses, certkit refuses.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { OID } from '../../packages/core/src/asn1/oids.js';
import { extensionViews, subjectAltNames } from '../../packages/core/src/x509/extensions.js';
import { formatIp } from '../../packages/core/src/x509/ip.js';
import { parseCertificate } from '../../packages/core/src/x509/pkix.js';
import type { Certificate } from '../../packages/core/src/x509/pkix.js';
import { ROOT } from '../helpers/cli.js';
import { applyEdit, byteEdit, hex, seq, tlv } from '../helpers/byte-edits.js';
import { withSubjectAltName } from '../helpers/der-edit.js';
import { memoryCert } from '../helpers/memory-pki.js';

const DNS = tlv(0x82, 'a.example');
const IP4 = tlv(0x87, hex('7f000001'));
const EMAIL = tlv(0x81, 'm@x.example');
const URI = tlv(0x86, 'https://x.example/');
const FOUR = seq(DNS, IP4, EMAIL, URI);
const NAME = seq(tlv(0x31, seq(hex('0603550403'), tlv(0x0c, 'dir'))));

/** What a reading holds, in a form both readers can give. */
interface Entries {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
  readonly email: readonly string[];
  readonly uri: readonly string[];
  /** directoryName, otherName, x400Address, ediPartyName, registeredID entries. */
  readonly other: number;
}

/**
 * The rows: `reads` is what certkit reads (null: malformed); `openssl` is `'same'` when OpenSSL
 * reads exactly that (or refuses when certkit does), `'ber'` when OpenSSL reads a BER form
 * certkit refuses, `'refuses'` where OpenSSL is stricter (a Name's attribute value of a type
 * that is no string: names.ts reads it as pkijs does, for subjects and directoryNames alike).
 */
const ROWS: readonly {
  name: string;
  value: Uint8Array;
  reads: Partial<Entries> | null;
  openssl?: 'same' | 'ber' | 'empty' | 'refuses';
}[] = [
  {
    name: 'well-formed: one of each text form and an address',
    value: FOUR,
    reads: {
      dns: ['a.example'],
      ip: ['127.0.0.1'],
      email: ['m@x.example'],
      uri: ['https://x.example/'],
    },
  },
  { name: 'empty value', value: new Uint8Array(0), reads: null },
  // An empty list decodes (OpenSSL prints nothing), but RFC 5280 wants one entry at least.
  { name: 'empty GeneralNames', value: hex('3000'), reads: null, openssl: 'empty' },
  ...[1, 2, 5, 12, FOUR.length - 1].map((n) => ({
    name: `truncated to ${String(n)} bytes`,
    value: FOUR.subarray(0, n),
    reads: null,
  })),
  { name: 'a SET, not a SEQUENCE', value: tlv(0x31, Buffer.concat([DNS, IP4])), reads: null },
  { name: 'an OCTET STRING, not a SEQUENCE', value: tlv(0x04, DNS), reads: null },
  { name: 'SEQUENCE flagged primitive', value: tlv(0x10, DNS), reads: null, openssl: 'ber' },
  { name: 'universal IA5String entry', value: seq(tlv(0x16, 'a.example')), reads: null },
  {
    name: 'constructed dNSName',
    value: seq(tlv(0xa2, tlv(0x16, 'a.example'))),
    reads: { dns: ['a.example'] },
  },
  {
    name: 'constructed dNSName in two segments',
    value: seq(tlv(0xa2, Buffer.concat([tlv(0x16, 'a.exa'), tlv(0x16, 'mple')]))),
    reads: { dns: ['a.example'] },
  },
  {
    name: 'constructed dNSName holding a constructed segment',
    value: seq(tlv(0xa2, tlv(0x36, tlv(0x16, 'a.example')))),
    reads: null,
    openssl: 'ber',
  },
  {
    name: 'iPAddress of 5 octets',
    value: seq(DNS, tlv(0x87, hex('7f00000101'))),
    reads: { dns: ['a.example'], ip: ['0x7f00000101'] },
  },
  {
    name: 'iPAddress of 0 octets',
    value: seq(DNS, tlv(0x87, '')),
    reads: { dns: ['a.example'], ip: ['0x'] },
  },
  {
    name: 'iPAddress of 8 octets',
    value: seq(DNS, tlv(0x87, hex('0a0000ffffff0000'))),
    reads: { dns: ['a.example'], ip: ['0x0a0000ffffff0000'] },
  },
  {
    name: 'constructed iPAddress',
    value: seq(DNS, tlv(0xa7, tlv(0x04, hex('7f000001')))),
    reads: { dns: ['a.example'], ip: ['127.0.0.1'] },
  },
  {
    name: 'dNSName with a latin-1 byte',
    value: seq(tlv(0x82, 'caf\u00e9.example')),
    reads: { dns: ['caf\u00e9.example'] },
  },
  {
    name: 'dNSName with 0xff',
    value: seq(tlv(0x82, 'a\u00ff.example')),
    reads: { dns: ['a\u00ff.example'] },
  },
  {
    name: 'dNSName with NUL',
    value: seq(tlv(0x82, 'a\u0000.example')),
    reads: { dns: ['a\u0000.example'] },
  },
  {
    name: 'dNSName in UTF-8',
    value: seq(tlv(0x82, Buffer.from('café.example'))),
    reads: { dns: ['caf\u00c3\u00a9.example'] },
  },
  { name: 'empty dNSName', value: seq(tlv(0x82, '')), reads: { dns: [''] } },
  {
    name: 'rfc822Name not ASCII',
    value: seq(DNS, tlv(0x81, 'm\u00e9@x.example')),
    reads: { dns: ['a.example'], email: ['m\u00e9@x.example'] },
  },
  {
    name: 'an entry longer than the list',
    value: Buffer.concat([hex('300b8209'), Buffer.from('a.exa')]),
    reads: null,
  },
  {
    name: 'the list shorter than its entry',
    value: Buffer.concat([hex('3005'), DNS]),
    reads: null,
  },
  {
    name: 'a zero byte after the list',
    value: Buffer.concat([FOUR, hex('00')]),
    reads: {
      dns: ['a.example'],
      ip: ['127.0.0.1'],
      email: ['m@x.example'],
      uri: ['https://x.example/'],
    },
  },
  {
    name: 'an element after the list',
    value: Buffer.concat([FOUR, hex('0500')]),
    reads: {
      dns: ['a.example'],
      ip: ['127.0.0.1'],
      email: ['m@x.example'],
      uri: ['https://x.example/'],
    },
  },
  {
    name: 'indefinite length list',
    value: Buffer.concat([hex('3080'), DNS, IP4, hex('0000')]),
    reads: null,
    openssl: 'ber',
  },
  {
    name: 'long-form length of an entry',
    value: seq(Buffer.concat([hex('828109'), Buffer.from('a.example')])),
    reads: { dns: ['a.example'] },
  },
  {
    name: 'list length past the value',
    value: Buffer.concat([hex('3013'), DNS, IP4]),
    reads: null,
  },
  {
    name: 'directoryName',
    value: seq(DNS, tlv(0xa4, NAME)),
    reads: { dns: ['a.example'], other: 1 },
  },
  { name: 'directoryName primitive', value: seq(DNS, tlv(0x84, NAME)), reads: null },
  {
    name: 'directoryName with an OCTET STRING value',
    value: seq(DNS, tlv(0xa4, seq(tlv(0x31, seq(hex('0603550403'), tlv(0x04, 'dir')))))),
    reads: { dns: ['a.example'], other: 1 },
    openssl: 'refuses',
  },
  { name: 'directoryName holding no Name', value: seq(DNS, tlv(0xa4, hex('0401ff'))), reads: null },
  {
    name: 'directoryName of indefinite length',
    value: seq(DNS, Buffer.concat([hex('a480'), NAME, hex('0000')])),
    reads: null,
    openssl: 'ber',
  },
  {
    name: 'otherName',
    value: seq(DNS, tlv(0xa0, Buffer.concat([hex('06032a0304'), tlv(0xa0, tlv(0x0c, 'u'))]))),
    reads: { dns: ['a.example'], other: 1 },
  },
  {
    name: 'otherName whose value is a SEQUENCE flagged primitive',
    value: seq(DNS, tlv(0xa0, Buffer.concat([hex('06032a0304'), tlv(0xa0, tlv(0x10, 'u'))]))),
    reads: null,
  },
  {
    name: 'otherName whose type has a padded arc',
    value: seq(DNS, tlv(0xa0, Buffer.concat([hex('0603800304'), tlv(0xa0, tlv(0x0c, 'u'))]))),
    reads: null,
  },
  {
    name: 'registeredID with a padded arc',
    value: seq(DNS, tlv(0x88, hex('2a800304'))),
    reads: null,
  },
  { name: 'otherName primitive', value: seq(DNS, tlv(0x80, hex('06032a0304'))), reads: null },
  { name: 'otherName without its type', value: seq(DNS, tlv(0xa0, hex('0500'))), reads: null },
  {
    name: 'registeredID',
    value: seq(DNS, tlv(0x88, hex('2a0304'))),
    reads: { dns: ['a.example'], other: 1 },
  },
  { name: 'registeredID constructed', value: seq(DNS, tlv(0xa8, hex('06022a03'))), reads: null },
  {
    name: 'x400Address',
    value: seq(DNS, tlv(0xa3, hex('3000'))),
    reads: { dns: ['a.example'], other: 1 },
  },
  {
    name: 'ediPartyName',
    value: seq(DNS, tlv(0xa5, tlv(0xa1, tlv(0x0c, 'p')))),
    reads: { dns: ['a.example'], other: 1 },
  },
  {
    name: 'ediPartyName without a partyName',
    value: seq(DNS, tlv(0xa5, hex('0500'))),
    reads: null,
  },
  { name: 'unknown form [9]', value: seq(DNS, tlv(0x89, 'x')), reads: null },
  {
    name: 'high tag number [31]',
    value: seq(DNS, Buffer.concat([hex('9f1f01'), Buffer.from('x')])),
    reads: null,
  },
  { name: 'application-class entry', value: seq(DNS, tlv(0x42, 'x')), reads: null },
  { name: 'private-class entry', value: seq(DNS, tlv(0xc2, 'x')), reads: null },
  { name: 'a SEQUENCE as an entry', value: seq(DNS, seq(DNS)), reads: null },
];

const NONE: Entries = { dns: [], ip: [], email: [], uri: [], other: 0 };

/** certkit's one reading, through both projections; asserts they agree. */
function certkitReading(
  certificate: Certificate,
  critical: boolean,
  label: string,
): Entries | null {
  const view = subjectAltNames(certificate);
  assert.equal(view.present, true, `${label}: present`);
  assert.equal(view.critical, critical, `${label}: critical`);
  const entries: Entries = {
    dns: view.dns,
    ip: view.ip.map(formatIp),
    email: view.email,
    uri: view.uri,
    other: view.directoryNames.length + view.otherForms.length,
  };
  const { dns, ip, email, uri } = entries;
  assert.deepEqual(
    certificate.info.subjectAltNames,
    { dns, ip, email, uri },
    `${label}: the summary is the judges' reading`,
  );
  const listed = extensionViews(certificate).find((e) => e.oid === OID.subjectAltName);
  if (view.malformed) {
    assert.deepEqual(entries, NONE, `${label}: a malformed value shows no entry`);
    return null;
  }
  assert.equal(listed?.malformed, false, `${label}: path validation reads it too`);
  return entries;
}

/** Reads one text of Node's `subjectAltName` (JSON-quoted when it holds special characters). */
function readValue(text: string, at: number): [string, number] {
  if (text[at] === '"') {
    let end = at + 1;
    while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    return [JSON.parse(text.slice(at, end + 1)) as string, end + 1];
  }
  const end = text.indexOf(', ', at);
  return end === -1 ? [text.slice(at), text.length] : [text.slice(at, end), end];
}

/** OpenSSL's address text as certkit formats addresses. */
function opensslIp(text: string): string {
  const invalid = /^<invalid length=(\d+)>$/.exec(text);
  if (invalid !== null) return `0x${'?'.repeat(2 * Number(invalid[1]))}`;
  if (text.includes(':')) {
    const groups = text.split(':').map((g) => Number.parseInt(g, 16));
    return formatIp(Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])));
  }
  return text;
}

/** OpenSSL's reading (null: it cannot decode the value). */
function opensslReading(der: Uint8Array): Entries | null {
  // undefined when absent, null when OpenSSL cannot decode the value.
  const text = new X509Certificate(der).subjectAltName ?? null;
  if (text === null) return null;
  const out = {
    dns: [] as string[],
    ip: [] as string[],
    email: [] as string[],
    uri: [] as string[],
    other: 0,
  };
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(':', at);
    const form = text.slice(at, colon);
    const [value, end] = readValue(text, colon + 1);
    if (form === 'DNS') out.dns.push(value);
    else if (form === 'IP Address') out.ip.push(opensslIp(value));
    else if (form === 'email') out.email.push(value);
    else if (form === 'URI') out.uri.push(value);
    else out.other++;
    at = end + 2;
  }
  return out;
}

/** certkit's addresses with the octets of OpenSSL's invalid ones masked (it prints only a length). */
function masked(entries: Entries): Entries {
  return {
    ...entries,
    ip: entries.ip.map((ip) => (ip.startsWith('0x') ? `0x${'?'.repeat(ip.length - 2)}` : ip)),
  };
}

async function baseCertificates(): Promise<{ name: string; der: Uint8Array }[]> {
  const made = await memoryCert({
    name: 'made.pem',
    dnsNames: ['svc.example.com'],
    ipAddresses: ['10.0.0.1'],
  });
  return [
    {
      name: 'fixtures/chain/leaf.der',
      der: new Uint8Array(readFileSync(join(ROOT, 'fixtures/chain/leaf.der'))),
    },
    { name: 'issueCertificate', der: made.certificate.der },
  ];
}

function read(der: Uint8Array, label: string): Certificate {
  return parseCertificate(der, { name: label, index: 1 });
}

test('one subjectAltName reading, checked against OpenSSL on each row', async (t) => {
  for (const base of await baseCertificates()) {
    for (const row of ROWS) {
      for (const critical of [false, true]) {
        const label = `${base.name}, ${row.name}${critical ? ', critical' : ''}`;
        await t.test(label, () => {
          const der = withSubjectAltName(base.der, row.value, critical);
          const ours = certkitReading(read(der, label), critical, label);
          const expected = row.reads === null ? null : { ...NONE, ...row.reads };
          assert.deepEqual(ours, expected, `${label}: certkit's reading`);
          const theirs = opensslReading(der);
          if (row.openssl === 'ber') {
            assert.notEqual(theirs, null, `${label}: OpenSSL reads the BER form`);
          } else if (row.openssl === 'refuses') {
            assert.equal(theirs, null, `${label}: OpenSSL refuses it`);
          } else if (row.openssl === 'empty') {
            assert.deepEqual(theirs, NONE, `${label}: OpenSSL reads an empty list`);
          } else {
            assert.deepEqual(
              theirs,
              ours === null ? null : masked(ours),
              `${label}: OpenSSL's reading`,
            );
          }
        });
      }
    }
  }
});

test('a certificate without subjectAltName: absent, and an empty summary', async () => {
  const [base] = await baseCertificates();
  assert.ok(base !== undefined);
  const made = await memoryCert({ name: 'no-san.pem' });
  const view = subjectAltNames(made.certificate);
  assert.equal(view.present, false);
  assert.equal(view.malformed, false);
  assert.deepEqual(made.certificate.info.subjectAltNames, { dns: [], ip: [], email: [], uri: [] });
});

/** A GeneralName certkit and OpenSSL both read: the DER forms with printable ASCII text. */
const generalName = fc.oneof(
  fc.stringMatching(/^[a-z0-9.*-]{0,30}$/).map((s) => tlv(0x82, s)),
  fc.stringMatching(/^[a-z0-9.@]{1,30}$/).map((s) => tlv(0x81, s)),
  fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}:[a-z0-9/._~-]{0,30}$/).map((s) => tlv(0x86, s)),
  fc.uint8Array({ minLength: 0, maxLength: 20 }).map((b) => tlv(0x87, b)),
  fc.constant(tlv(0xa4, NAME)),
  fc.constant(tlv(0x88, hex('2a0304'))),
);

/**
 * The forms edited at random: not directoryName, whose Name is read by names.ts as pkijs reads
 * one (any attribute value type, a non-string one read as ''), where OpenSSL refuses an attribute
 * value that is not a string (the row "directoryName with an OCTET STRING value" pins that); not
 * otherName, whose value (ANY) OpenSSL decodes by its universal type and refuses on contents
 * certkit does not read (this decoder checks its structure only; named rows above).
 */
const editableName = fc.oneof(
  fc.stringMatching(/^[a-z0-9.*-]{0,30}$/).map((s) => tlv(0x82, s)),
  fc.stringMatching(/^[a-z0-9.@]{1,30}$/).map((s) => tlv(0x81, s)),
  fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}:[a-z0-9/._~-]{0,30}$/).map((s) => tlv(0x86, s)),
  fc.uint8Array({ minLength: 0, maxLength: 20 }).map((b) => tlv(0x87, b)),
  fc.constant(tlv(0x88, hex('2a0304'))),
);

test('random GeneralNames: certkit reads every well-formed list as OpenSSL does', async () => {
  const [base] = await baseCertificates();
  assert.ok(base !== undefined);
  fc.assert(
    fc.property(
      fc.array(generalName, { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (names, critical) => {
        const der = withSubjectAltName(base.der, seq(...names), critical);
        const ours = certkitReading(read(der, 'random'), critical, 'random');
        assert.notEqual(ours, null, 'a well-formed list is read');
        assert.deepEqual(opensslReading(der), ours === null ? null : masked(ours));
      },
    ),
    { numRuns: 400 },
  );
});

test('random edits of GeneralNames: what certkit reads OpenSSL reads alike; what OpenSSL refuses certkit refuses', async () => {
  const [base] = await baseCertificates();
  assert.ok(base !== undefined);
  let refusedByBoth = 0;
  fc.assert(
    fc.property(
      fc.array(editableName, { minLength: 1, maxLength: 6 }),
      fc.array(byteEdit, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (names, edits, critical) => {
        const value = edits.reduce(applyEdit, seq(...names));
        const der = withSubjectAltName(base.der, value, critical);
        const ours = certkitReading(read(der, 'edited'), critical, 'edited');
        const theirs = opensslReading(der);
        if (ours !== null) assert.deepEqual(theirs, masked(ours), 'read alike');
        else if (theirs === null) refusedByBoth++;
        if (theirs === null) assert.equal(ours, null, 'OpenSSL refuses it, so does certkit');
      },
    ),
    { numRuns: 1000 },
  );
  assert.ok(refusedByBoth > 100, `edits make malformed values (${String(refusedByBoth)})`);
});
