/**
 * Issue 15 (7): what a mistaken input is, told from its bytes or its shape, for the one-line
 * errors of the readers: a DER key where a certificate belongs and the other way round, a
 * cluster name that is a file, an endpoint or a database name, a file name that is HOST:PORT.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// The recognisers under the readers' errors and clusterNameHint, from their modules.
import { clusterNameProblem } from '../../packages/core/src/x509/cluster-name.js';
import {
  derPrivateKeyKind,
  derSignedObjectKind,
  looksLikeEndpoint,
} from '../../packages/core/src/x509/input-hints.js';
import { parsePemBlocks } from '../../packages/core/src/x509/pem.js';
import {
  isCertkitError,
  issueCertificate,
  runCheck,
  writeCertificateRequest,
  writeServerCertificate,
} from '@certkit/core';
import { ROOT } from '../helpers/cli.js';
import { memoryCert } from '../helpers/memory-pki.js';
import { tempDir } from '../helpers/tmp.js';

const BAD = join(ROOT, 'fixtures', 'bad');

/** The DER of a fixture: the file itself, or its first PEM block. */
function derOf(name: string): Uint8Array {
  const bytes = readFileSync(join(BAD, name));
  if (name.endsWith('.der')) return bytes;
  const block = parsePemBlocks(bytes, name)[0];
  assert.ok(block !== undefined, name);
  return block.der;
}

/** One DER element with a short-form length (contents under 128 bytes). */
function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  assert.ok(body.length < 128);
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}
const SEQ = 0x30;
const empty = (): Uint8Array => tlv(SEQ);
const integer = (): Uint8Array => tlv(0x02, Buffer.from([1]));
const bits = (): Uint8Array => tlv(0x03, Buffer.from([0]));

test('issue 15 (7): derPrivateKeyKind and derSignedObjectKind tell keys from signed objects', () => {
  const rows: { name: string; der: Uint8Array; key: string | null; signed: string | null }[] = [
    {
      name: 'PKCS#8',
      der: derOf('private-key-pkcs8.pem'),
      key: 'a private key (PKCS#8, DER)',
      signed: null,
    },
    {
      name: 'PKCS#1',
      der: derOf('private-key-pkcs1.pem'),
      key: 'an RSA private key (PKCS#1, DER)',
      signed: null,
    },
    {
      name: 'SEC 1',
      der: derOf('private-key-sec1.pem'),
      key: 'an EC private key (SEC 1, DER)',
      signed: null,
    },
    {
      name: 'encrypted PKCS#8',
      der: derOf('encrypted-key-pkcs8.pem'),
      key: 'an encrypted private key (PKCS#8, DER)',
      signed: null,
    },
    { name: 'certificate', der: derOf('certificate.der'), key: null, signed: 'a certificate' },
    { name: 'request', der: derOf('csr.pem'), key: null, signed: 'a certificate request' },
    { name: 'CRL', der: derOf('crl.pem'), key: null, signed: 'a CRL' },
    {
      // RFC 5280 4.1: a v1 TBSCertificate has no [0] version, serial first.
      name: 'v1 certificate (synthetic)',
      der: tlv(
        SEQ,
        tlv(SEQ, integer(), empty(), empty(), empty(), empty(), empty()),
        empty(),
        bits(),
      ),
      key: null,
      signed: 'a certificate',
    },
    { name: 'garbage', der: derOf('der-garbage.der'), key: null, signed: null },
    { name: 'truncated', der: derOf('der-truncated.der'), key: null, signed: null },
    { name: 'nothing', der: new Uint8Array(), key: null, signed: null },
    { name: 'an empty SEQUENCE', der: empty(), key: null, signed: null },
  ];
  for (const row of rows) {
    assert.equal(derPrivateKeyKind(row.der), row.key, row.name);
    assert.equal(derSignedObjectKind(row.der), row.signed, row.name);
  }
});

test('issue 15 (7): clusterNameProblem names what a value is instead, and the cluster meant', () => {
  const rows: { value: string; kind: string | null; suggestion?: string }[] = [
    { value: 'redislabs.com', kind: null },
    { value: 'cluster.local', kind: null },
    { value: 'redis-12001.redislabs.com', kind: 'database-name', suggestion: 'redislabs.com' },
    { value: 'redis-12001.C', kind: 'database-name', suggestion: 'C' },
    {
      value: 'redis-12000.internal.c.example.com',
      kind: 'database-name',
      suggestion: 'c.example.com',
    },
    { value: '*.c.example.com', kind: 'wildcard', suggestion: 'c.example.com' },
    { value: 'redis-*.c.example.com', kind: 'wildcard', suggestion: 'c.example.com' },
    { value: 'redis-12000.redislabs.com:12000', kind: 'endpoint', suggestion: 'redislabs.com' },
    { value: 'db.example.com:6379', kind: 'endpoint', suggestion: 'db.example.com' },
    {
      value: 'rediss://redis-12000.c.example.com:12000/0',
      kind: 'url',
      suggestion: 'c.example.com',
    },
    { value: 'proxy_cert.pem', kind: 'file' },
    { value: './certs/ca', kind: 'file' },
    { value: '10.0.0.5', kind: 'ip-address' },
  ];
  for (const row of rows) {
    const problem = clusterNameProblem(row.value);
    assert.equal(problem?.kind ?? null, row.kind, row.value);
    assert.equal(problem?.suggestion, row.suggestion, row.value);
  }
});

test('a value given as the cluster name is refused by the workflow, first, with the cluster meant as the remedy', async (t) => {
  const dir = tempDir(t);
  const proxy = await memoryCert({
    name: 'proxy_cert.pem',
    commonName: 'redislabs.com',
    dnsNames: ['redislabs.com', '*.redislabs.com'],
  });
  const file = join(dir, 'proxy_cert.pem');
  writeFileSync(file, proxy.issued.certificatePem);
  const refused = (suggestion: string | undefined, value: string) => (error: unknown) => {
    assert.ok(isCertkitError(error), String(error));
    assert.equal(error.code, 'INVALID_OPTION');
    assert.ok(error.message.startsWith(`"${value}" `), error.message);
    assert.match(error.message, /, not a cluster name; a cluster name C is /);
    assert.deepEqual(
      error.remedy,
      suggestion === undefined ? { kind: 'cluster' } : { kind: 'cluster', suggestion },
    );
    return true;
  };
  // The certificate file: the cluster it is for, read from it; before the missing input.
  await assert.rejects(
    runCheck({ cluster: file, files: [join(dir, 'missing.pem')] }),
    refused('redislabs.com', file),
  );
  await assert.rejects(
    writeServerCertificate({
      cluster: 'redis-12000.internal.c.example.com',
      caCertPath: join(dir, 'missing-ca.pem'),
      caKeyPath: join(dir, 'missing-ca-key.pem'),
      outDir: dir,
    }),
    refused('c.example.com', 'redis-12000.internal.c.example.com'),
  );
  await assert.rejects(
    writeCertificateRequest({ cluster: '*.c.example.com', outDir: dir }),
    refused('c.example.com', '*.c.example.com'),
  );
  // A file that is no certificate: refused, nothing suggested.
  await assert.rejects(
    runCheck({ cluster: join(dir, 'missing.pem') }),
    refused(undefined, join(dir, 'missing.pem')),
  );
  // In memory, the same refusal and remedy (no file is read there).
  await assert.rejects(
    issueCertificate({
      profile: 'both',
      subject: { commonName: 'x' },
      cluster: 'db.example.com:6379',
    }),
    refused('db.example.com', 'db.example.com:6379'),
  );
  assert.equal(readdirSync(dir).join(), 'proxy_cert.pem', 'nothing was written');
});

test('issue 15 (7): looksLikeEndpoint is HOST:PORT or [IPv6]:PORT with a port of 1-65535', () => {
  const rows: [string, boolean][] = [
    ['redis-12000.redislabs.com:12000', true],
    ['10.0.0.5:12000', true],
    ['[::1]:6379', true],
    ['localhost:1', true],
    ['proxy_cert.pem', false],
    ['host:0', false],
    ['host:65536', false],
    ['host:', false],
    [':6379', false],
    ['a/b:12', false],
    [`${'a'.repeat(400)}:1`, false],
  ];
  for (const [name, expected] of rows) assert.equal(looksLikeEndpoint(name), expected, name);
});
