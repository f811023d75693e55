/** Issue 6: inspect describes every block of a file, and keys without their material. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectFiles, inspectInputs } from '@certkit/core';
import type { InspectedFile } from '@certkit/core';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

/** One input described in memory (inspectInputs); an input it cannot read fails the test. */
function inspectOne(bytes: Uint8Array, source: string): InspectedFile {
  const [file] = inspectInputs([{ source, bytes }]).files;
  assert.ok(file !== undefined && file.error === undefined, JSON.stringify(file?.error));
  return file;
}

async function must(args: string[], cwd: string): Promise<string> {
  const result = await openssl(args, { cwd });
  assert.equal(result.code, 0, `openssl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

test('issue 6: every certificate of a bundle with junk between blocks, fields as openssl reads them', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/O=Acme/CN=Root', ca: true });
  const inter = await makeCert(dir, {
    name: 'inter',
    subject: '/CN=Inter',
    ca: true,
    pathLen: 0,
    issuer: root,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=cluster.local',
    issuer: inter,
    ca: false,
    eku: 'serverAuth,clientAuth',
    san: ['DNS:cluster.local', 'DNS:*.cluster.local', 'IP:10.0.0.1'],
    days: 90,
  });
  const bundle = join(dir, 'bundle.pem');
  const text = (p: string): string => readFileSync(p, 'utf8');
  writeFileSync(
    bundle,
    `subject=whatever openssl printed\r\n${text(leaf.cert).replace(/\n/g, '\r\n')}junk line\n${text(inter.cert)}\n\n${text(root.cert)}`,
  );
  const now = new Date();
  const report = await inspectFiles([bundle], { now });
  assert.equal(report.certificateCount, 3);
  const certs = report.files[0]?.items ?? [];
  const rows = [
    { name: 'leaf', path: leaf.cert, index: 0 },
    { name: 'intermediate', path: inter.cert, index: 1 },
    { name: 'root', path: root.cert, index: 2 },
  ];
  for (const row of rows) {
    const item = certs[row.index];
    assert.ok(item?.kind === 'certificate', row.name);
    const fingerprint = (
      await must(['x509', '-in', row.path, '-noout', '-fingerprint', '-sha256'], dir)
    )
      .trim()
      .split('=')[1];
    const serial = (await must(['x509', '-in', row.path, '-noout', '-serial'], dir))
      .trim()
      .split('=')[1]
      ?.toLowerCase();
    assert.equal(item.certificate.fingerprintSha256, fingerprint, row.name);
    assert.equal(item.certificate.serialNumber, serial?.replace(/^(00)+/, ''), row.name);
    assert.equal(item.index, row.index + 1, row.name);
  }
  const first = certs[0];
  assert.ok(first?.kind === 'certificate');
  assert.deepEqual(first.certificate.subjectAltNames.dns, ['cluster.local', '*.cluster.local']);
  assert.deepEqual(first.certificate.subjectAltNames.ip, ['10.0.0.1']);
  assert.deepEqual(first.certificate.extendedKeyUsage, ['serverAuth', 'clientAuth']);
  assert.ok(first.daysLeft === 89 || first.daysLeft === 90, String(first.daysLeft));
  assert.equal(first.expired, false);
});

test('issue 6: keys in every format are described (type, size, format, encrypted) and never echoed', async (t) => {
  const dir = tempDir(t);
  await must(
    ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa8.pem'],
    dir,
  );
  await must(['rsa', '-in', 'rsa8.pem', '-traditional', '-out', 'rsa1.pem'], dir);
  await must(
    [
      'rsa',
      '-in',
      'rsa8.pem',
      '-traditional',
      '-aes256',
      '-passout',
      'pass:secret',
      '-out',
      'rsa1-enc.pem',
    ],
    dir,
  );
  await must(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'ec8.pem'],
    dir,
  );
  await must(['ec', '-in', 'ec8.pem', '-out', 'sec1.pem'], dir);
  await must(
    [
      'pkcs8',
      '-topk8',
      '-in',
      'ec8.pem',
      '-v2',
      'aes-256-cbc',
      '-passout',
      'pass:secret',
      '-out',
      'ec8-enc.pem',
    ],
    dir,
  );
  await must(['pkey', '-in', 'rsa8.pem', '-outform', 'DER', '-out', 'rsa8.der'], dir);
  await must(['genpkey', '-algorithm', 'ED25519', '-out', 'ed.pem'], dir);
  await must(['pkey', '-in', 'ec8.pem', '-pubout', '-out', 'pub.pem'], dir);
  const rows = [
    {
      name: 'PKCS#8 RSA',
      file: 'rsa8.pem',
      kind: 'private-key',
      key: { type: 'rsa', bits: 2048, format: 'pkcs8', encrypted: false },
    },
    {
      name: 'PKCS#1 RSA',
      file: 'rsa1.pem',
      kind: 'private-key',
      key: { type: 'rsa', bits: 2048, format: 'pkcs1', encrypted: false },
    },
    {
      name: 'legacy encrypted PKCS#1',
      file: 'rsa1-enc.pem',
      kind: 'private-key',
      key: { type: 'rsa', bits: 0, format: 'pkcs1-legacy-encrypted', encrypted: true },
    },
    {
      name: 'PKCS#8 EC P-384',
      file: 'ec8.pem',
      kind: 'private-key',
      key: { type: 'ec', bits: 384, curve: 'P-384', format: 'pkcs8', encrypted: false },
    },
    {
      name: 'SEC1 EC',
      file: 'sec1.pem',
      kind: 'private-key',
      key: { type: 'ec', bits: 384, curve: 'P-384', format: 'sec1', encrypted: false },
    },
    {
      name: 'encrypted PKCS#8',
      file: 'ec8-enc.pem',
      kind: 'private-key',
      key: { type: 'unknown', bits: 0, format: 'encrypted-pkcs8', encrypted: true },
    },
    {
      name: 'DER RSA (openssl pkey -outform DER)',
      file: 'rsa8.der',
      kind: 'private-key',
      key: { type: 'rsa', bits: 2048, format: 'der-pkcs1', encrypted: false },
    },
    {
      name: 'Ed25519',
      file: 'ed.pem',
      kind: 'private-key',
      key: { type: 'ed25519', bits: 256, format: 'pkcs8', encrypted: false },
    },
    {
      name: 'public key',
      file: 'pub.pem',
      kind: 'public-key',
      key: { type: 'ec', bits: 384, curve: 'P-384' },
    },
  ];
  for (const row of rows) {
    const bytes = readFileSync(join(dir, row.file));
    const file = inspectOne(bytes, row.file);
    assert.equal(file.items.length, 1, row.name);
    const item = file.items[0];
    assert.equal(item?.kind, row.kind, row.name);
    assert.deepEqual((item as { key: unknown }).key, row.key, row.name);
    // No base64 run of the file (nor the DER as base64) appears in the description.
    const json = JSON.stringify(file);
    const base64 = bytes.toString().includes('-----') ? bytes.toString() : bytes.toString('base64');
    for (const line of base64.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) {
      assert.ok(!json.includes(line.slice(0, 20)), `${row.name}: key material echoed`);
    }
  }
});

test('issue 6: CSRs and DER certificates are recognised; other blocks are named, not refused', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=CA', ca: true });
  await must(['x509', '-in', ca.cert, '-outform', 'DER', '-out', 'ca.der'], dir);
  await must(
    [
      'req',
      '-new',
      '-key',
      ca.key,
      '-subj',
      '/CN=req.example',
      '-addext',
      'subjectAltName=DNS:req.example',
      '-out',
      'r.csr',
    ],
    dir,
  );
  await must(['ecparam', '-name', 'prime256v1', '-out', 'params.pem'], dir);
  const der = inspectOne(readFileSync(join(dir, 'ca.der')), 'ca.der');
  assert.equal(der.items[0]?.kind, 'certificate');
  const csr = inspectOne(readFileSync(join(dir, 'r.csr')), 'r.csr');
  const item = csr.items[0];
  assert.ok(item?.kind === 'certificate-request');
  assert.equal(item.request.subject, 'CN=req.example');
  assert.deepEqual(item.request.subjectAltNames.dns, ['req.example']);
  assert.equal(item.request.signatureValid, true);
  const params = inspectOne(readFileSync(join(dir, 'params.pem')), 'params.pem');
  assert.deepEqual(params.items[0], {
    kind: 'other',
    index: 1,
    label: 'EC PARAMETERS',
    description: 'a EC PARAMETERS block',
  });
});

test('issue 6 / issue 14 item 6: inspect reports unreadable input naming the file, and still describes the others', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'empty.pem'), '');
  writeFileSync(
    join(dir, 'bad.pem'),
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  );
  const good = await makeCert(dir, { name: 'good', subject: '/CN=good' });
  const rows = [
    { name: 'empty', file: 'empty.pem', code: 'PEM_EMPTY', message: /empty\.pem/ },
    {
      name: 'broken certificate',
      file: 'bad.pem',
      code: 'CERTIFICATE_INVALID',
      message: /bad\.pem/,
    },
    { name: 'missing', file: 'nope.pem', code: 'FILE_NOT_FOUND', message: /nope\.pem/ },
  ];
  for (const row of rows) {
    const report = await inspectFiles([join(dir, row.file), good.cert]);
    assert.equal(report.ok, false, row.name);
    const [failed, described] = report.files;
    assert.ok(failed !== undefined && described !== undefined, row.name);
    assert.equal(failed.error?.code, row.code, row.name);
    assert.match(failed.error.message, row.message, row.name);
    assert.deepEqual(failed.items, [], row.name);
    assert.equal(described.error, undefined, row.name);
    assert.equal(described.items[0]?.kind, 'certificate', row.name);
    assert.equal(report.certificateCount, 1, row.name);
  }
});
