/**
 * OpenSSL's subject hash (X509_NAME_hash_ex), computed by x509/subject-hash.ts, against
 * `openssl x509 -subject_hash` and the link names `openssl rehash` makes: the names redis's
 * `tls-ca-cert-dir` (any OpenSSL CApath) must hold. Names come two ways: from `openssl req`
 * (UTF-8, BMPString, T61String, multi-valued RDNs) and built here byte by byte and signed with
 * node:crypto, for the string types and spacing `openssl req` will not write (NumericString,
 * UniversalString, unsorted multi-valued RDNs, tabs and vertical tabs, an empty
 * subject).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import * as writer from '../../packages/core/src/asn1/der-writer.js';
import { parseCertificates } from '../../packages/core/src/x509/certificates.js';
import { opensslNameHash, subjectHash } from '../../packages/core/src/x509/subject-hash.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const CN = '2.5.4.3';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const EMAIL = '1.2.840.113549.1.9.1';

/** An attribute value: universal tag number and content bytes. */
type Value = readonly [tag: number, content: Uint8Array];

const latin1 = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const bmp = (text: string): Uint8Array => Buffer.from(text, 'utf16le').swap16();
function universal(text: string): Uint8Array {
  // Code points, not UTF-16 units: UniversalString holds one per character.
  const points = Array.from(text, (c) => c.codePointAt(0) ?? 0);
  const out = Buffer.alloc(points.length * 4);
  points.forEach((p, i) => out.writeUInt32BE(p, i * 4));
  return out;
}

/** A Name from RDNs of [oid, value] pairs; `sorted: false` keeps a multi-valued RDN's order. */
function name(rdns: readonly (readonly [string, Value])[][], sorted = true): Uint8Array {
  return writer.sequence(
    ...rdns.map((rdn) => {
      const entries = rdn.map(([oid, [tag, content]]) =>
        writer.sequence(writer.oid(oid), writer.encode(tag, content)),
      );
      return sorted ? writer.set(...entries) : writer.encode(0x31, ...entries);
    }),
  );
}

/** A self-issued certificate with `subject` as both names, signed with a fresh P-256 key. */
function certificateWith(subject: Uint8Array): Uint8Array {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaSha256 = writer.sequence(writer.oid('1.2.840.10045.4.3.2'));
  const tbs = writer.sequence(
    writer.explicit(0, writer.smallInteger(2)),
    writer.smallInteger(4242),
    ecdsaSha256,
    subject,
    writer.sequence(
      writer.time(new Date('2025-01-01T00:00:00Z')),
      writer.time(new Date('2035-01-01T00:00:00Z')),
    ),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  return writer.sequence(tbs, ecdsaSha256, writer.bitString(sign('sha256', tbs, privateKey)));
}

async function opensslHash(file: string, inform: 'PEM' | 'DER'): Promise<string> {
  const result = await openssl(['x509', '-inform', inform, '-in', file, '-noout', '-subject_hash']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

const BUILT: readonly { name: string; subject: Uint8Array }[] = [
  { name: 'one UTF8String CN', subject: name([[[CN, [12, utf8('Test CA')]]]]) },
  {
    name: 'PrintableString: upper case, runs of spaces, spaces at both ends',
    subject: name([[[CN, [19, latin1('  Foo   BAR  baz ')]]], [[O, [19, latin1('ACME Corp')]]]]),
  },
  {
    name: 'UTF8String: non-ASCII letters kept as they are, tabs and vertical tabs collapsed',
    subject: name([[[CN, [12, utf8('\tÉCOLE\u000b\u000bÜber  Straße\f')]]]]),
  },
  { name: 'BMPString', subject: name([[[CN, [30, bmp('Émile  ZOLA')]]]]) },
  {
    name: 'UniversalString beyond the BMP',
    subject: name([[[CN, [28, universal('Smile 😀 NOW')]]]]),
  },
  { name: 'T61String with a Latin-1 byte', subject: name([[[CN, [20, latin1('\u00e9COLE  X')]]]]) },
  { name: 'IA5String e-mail', subject: name([[[EMAIL, [22, latin1('Admin@Example.COM')]]]]) },
  {
    name: 'NumericString is not canonicalised (spaces kept)',
    subject: name([[['2.5.4.5', [18, latin1(' 12  34 ')]]]]),
  },
  { name: 'a value of spaces only', subject: name([[[CN, [12, utf8('   ')]]]]) },
  {
    name: 'multi-valued RDN written unsorted',
    subject: name(
      [
        [
          [CN, [12, utf8('Alpha')]],
          [OU, [12, utf8('Zeta')]],
        ],
      ],
      false,
    ),
  },
  {
    name: 'multi-valued RDN whose order changes once canonicalised',
    subject: name([
      [
        [CN, [19, latin1('a')]],
        [CN, [12, utf8('B')]],
      ],
    ]),
  },
  { name: 'empty subject', subject: name([]) },
];

void test('opensslNameHash equals openssl x509 -subject_hash on names built byte by byte', async (t) => {
  const dir = tempDir(t, 'certkit-hash-');
  for (const [i, row] of BUILT.entries()) {
    await t.test(row.name, async () => {
      const file = join(dir, `built-${String(i)}.der`);
      writeFileSync(file, certificateWith(row.subject));
      assert.equal(opensslNameHash(row.subject), await opensslHash(file, 'DER'));
    });
  }
});

const MADE: readonly {
  name: string;
  subject: string;
  utf8?: boolean;
  multivalueRdn?: boolean;
  stringMask?: string;
}[] = [
  { name: 'plain CN', subject: '/CN=Redis Test Root' },
  { name: 'several RDNs, mixed case', subject: '/C=DE/O=Acme  GmbH/OU=Ops/CN=REDIS-ca' },
  { name: 'UTF-8', subject: '/CN=Ünïcödé  CA/O=Straße', utf8: true },
  { name: 'multi-valued RDN', subject: '/O=Acme/CN=node1+OU=Cache', multivalueRdn: true },
  // string_mask MASK:0x800 makes every value a BMPString, MASK:0x4 a T61String.
  {
    name: 'BMPString (string_mask)',
    subject: '/CN=Émile  Zola/O=ACME',
    utf8: true,
    stringMask: '0x800',
  },
  { name: 'T61String (string_mask)', subject: '/CN=ÉCOLE  Zola', utf8: true, stringMask: '0x4' },
];

void test('subjectHash equals openssl x509 -subject_hash on openssl-made certificates', async (t) => {
  const dir = tempDir(t, 'certkit-hash-');
  for (const [i, row] of MADE.entries()) {
    await t.test(row.name, async () => {
      const cert = join(dir, `made-${String(i)}.pem`);
      const key = join(dir, `made-${String(i)}-key.pem`);
      const config = join(dir, `made-${String(i)}.cnf`);
      writeFileSync(
        config,
        `[req]\ndistinguished_name = dn\n${row.stringMask === undefined ? '' : `string_mask = MASK:${row.stringMask}\n`}[dn]\n`,
      );
      const made = await openssl([
        'req',
        '-new',
        '-x509',
        '-config',
        config,
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-subj',
        row.subject,
        ...(row.utf8 === true ? ['-utf8'] : []),
        ...(row.multivalueRdn === true ? ['-multivalue-rdn'] : []),
        '-out',
        cert,
      ]);
      assert.equal(made.code, 0, made.stderr);
      const [certificate] = parseCertificates(readFileSync(cert), cert);
      assert.ok(certificate !== undefined);
      assert.equal(subjectHash(certificate), await opensslHash(cert, 'PEM'));
    });
  }
});

void test('openssl rehash names each file <subjectHash>.N, N counting certificates of one hash', async (t) => {
  const dir = tempDir(t, 'certkit-rehash-');
  const store = join(dir, 'store');
  const pki = join(dir, 'pki');
  mkdirSync(store);
  mkdirSync(pki);
  const made = [
    await makeCert(pki, { name: 'root-a', subject: '/CN=Root A', ca: true }),
    await makeCert(pki, { name: 'root-b', subject: '/O=Acme/CN=Root  B', ca: true }),
    // Same subject, another key: openssl rehash names it <hash>.1.
    await makeCert(pki, { name: 'root-b2', subject: '/O=Acme/CN=Root  B', ca: true }),
  ];
  for (const m of made) writeFileSync(join(store, basename(m.cert)), readFileSync(m.cert));
  const rehash = await openssl(['rehash', store]);
  assert.equal(rehash.code, 0, rehash.stderr);
  const links = readdirSync(store)
    .filter((n) => /^[0-9a-f]{8}\.\d+$/.test(n))
    .sort();
  const expected = made
    .map((m) => {
      const [certificate] = parseCertificates(readFileSync(m.cert), m.cert);
      assert.ok(certificate !== undefined);
      return subjectHash(certificate);
    })
    .map(
      (hash, i, all) =>
        `${String(hash)}.${String(all.slice(0, i).filter((h) => h === hash).length)}`,
    )
    .sort();
  assert.deepEqual(links, expected);
});
