/**
 * Issue 14 item 6, end to end: `certs inspect` on what operators hold. PKCS#12 files made by
 * Java's keytool, by `openssl pkcs12 -export` (modern, and -legacy: RC2-40 + 3DES) and by `certs
 * export-p12 --truststore`, read with --passphrase-file; the SPKI SHA-256 of keys and certificates
 * equal to what openssl computes; which key matches which certificate; a live redis-server given
 * as HOST:PORT; and unreadable inputs (a missing file, a wrong password) reported while the others
 * are still shown, exit 2.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

interface Item {
  kind: string;
  index: number;
  alias?: string;
  trusted?: boolean;
  spkiSha256?: string;
  certificate?: { subject: string };
  key?: { type: string; encrypted: boolean };
}
interface Report {
  ok: boolean;
  files: {
    path: string;
    sourceKind: string;
    format: string;
    items: Item[];
    error?: { code: string; message: string };
  }[];
  matches: {
    key: { path: string; index: number };
    certificates: { path: string; index: number }[];
  }[];
  error?: { code: string };
}

async function certs(args: string[], expected = 0): Promise<void> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
}

async function inspectJson(args: string[], expected: number): Promise<Report> {
  const result = await runCli(['inspect', '--json', ...args]);
  assert.equal(result.code, expected, `${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as Report;
}

/** SPKI SHA-256 of a key or certificate as openssl computes it, in certkit's notation. */
async function opensslSpki(file: string, kind: 'key' | 'cert'): Promise<string> {
  const pub =
    kind === 'key'
      ? await openssl(['pkey', '-in', file, '-pubout'])
      : await openssl(['x509', '-in', file, '-noout', '-pubkey']);
  assert.equal(pub.code, 0, pub.stderr);
  // The PUBLIC KEY PEM body is the SubjectPublicKeyInfo DER, as openssl encodes it.
  const bytes = Buffer.from(pub.stdout.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return createHash('sha256')
    .update(bytes)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

test('issue 14 item 6: inspect reads keytool, openssl and certs PKCS#12 files, prints SPKI SHA-256, matches keys to certificates, fetches HOST:PORT', async (t) => {
  const dir = tempDir(t);
  const pass = join(dir, 'p12.pass');
  writeFileSync(pass, 'store-secret\n');
  await certs(['issue', '--self-signed', '--cluster', 'cluster.test', '--out', join(dir, 'node')]);
  await certs(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', join(dir, 'client')]);
  const nodeCert = join(dir, 'node', 'proxy_cert.pem');
  const nodeKey = join(dir, 'node', 'proxy_key.pem');
  const clientCert = join(dir, 'client', 'cert.pem');

  // Three writers of PKCS#12 files operators are handed.
  const javaStore = join(dir, 'java.p12');
  const keytool = await run('keytool', [
    '-genkeypair',
    '-alias',
    'jedis-client',
    '-keyalg',
    'EC',
    '-groupname',
    'secp256r1',
    '-dname',
    'CN=jedis',
    '-validity',
    '30',
    '-storetype',
    'PKCS12',
    '-keystore',
    javaStore,
    '-storepass',
    'store-secret',
  ]);
  assert.equal(keytool.code, 0, keytool.stderr);
  const legacy = join(dir, 'legacy.pfx');
  const exported = await openssl([
    'pkcs12',
    '-export',
    '-legacy',
    '-in',
    nodeCert,
    '-inkey',
    nodeKey,
    '-name',
    'node1',
    '-out',
    legacy,
    '-passout',
    `file:${pass}`,
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  const info = await openssl([
    'pkcs12',
    '-info',
    '-noout',
    '-legacy',
    '-in',
    legacy,
    '-passin',
    `file:${pass}`,
  ]);
  assert.match(
    `${info.stdout}${info.stderr}`,
    /pbeWithSHA1And40BitRC2-CBC/,
    'a legacy store indeed',
  );
  const trust = join(dir, 'truststore.p12');
  await certs([
    'export-p12',
    '--truststore',
    nodeCert,
    clientCert,
    '-o',
    trust,
    '--password-file',
    pass,
  ]);

  const report = await inspectJson(
    ['--passphrase-file', pass, javaStore, legacy, trust, nodeKey, clientCert],
    0,
  );
  const [java, old, trusted, key, client] = report.files;
  assert.equal(java?.format, 'pkcs12');
  assert.deepEqual(
    java.items.map((i) => [i.kind, i.alias]),
    [
      ['certificate', 'jedis-client'],
      ['private-key', 'jedis-client'],
    ],
  );
  assert.deepEqual(
    old?.items.map((i) => [i.kind, i.alias]),
    [
      ['certificate', 'node1'],
      ['private-key', 'node1'],
    ],
  );
  assert.deepEqual(
    trusted?.items.map((i) => [i.kind, i.trusted, i.certificate?.subject]),
    [
      ['certificate', true, 'CN=cluster.test'],
      ['certificate', true, 'CN=app'],
    ],
  );
  // SPKI SHA-256 as openssl computes it, for keys and certificates alike.
  const nodeSpki = await opensslSpki(nodeKey, 'key');
  assert.equal(key?.items[0]?.spkiSha256, nodeSpki);
  assert.equal(old.items[0]?.spkiSha256, nodeSpki);
  assert.equal(old.items[1]?.spkiSha256, nodeSpki);
  assert.equal(trusted.items[0]?.spkiSha256, await opensslSpki(nodeCert, 'cert'));
  assert.equal(client?.items[0]?.spkiSha256, await opensslSpki(clientCert, 'cert'));
  // Which key goes with which certificate, across files.
  assert.deepEqual(report.matches, [
    { key: { path: javaStore, index: 2 }, certificates: [{ path: javaStore, index: 1 }] },
    {
      key: { path: legacy, index: 2 },
      certificates: [
        { path: legacy, index: 1 },
        { path: trust, index: 1 },
      ],
    },
    {
      key: { path: nodeKey, index: 1 },
      certificates: [
        { path: legacy, index: 1 },
        { path: trust, index: 1 },
      ],
    },
  ]);
  const text = await runCli(['inspect', nodeKey, clientCert]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /spki sha256 +[0-9A-F:]{95}/);
  assert.match(text.stdout, /key \S*proxy_key\.pem #1 matches no certificate given/);

  // HOST:PORT: what a live redis-server presents.
  const redis = await startRedisTls(t, {
    dir,
    certFile: nodeCert,
    keyFile: nodeKey,
    caFile: clientCert,
    authClients: 'yes',
  });
  const live = await inspectJson([`127.0.0.1:${String(redis.port)}`, nodeKey], 0);
  assert.equal(live.files[0]?.sourceKind, 'endpoint');
  assert.equal(live.files[0].items[0]?.certificate?.subject, 'CN=cluster.test');
  assert.equal(live.files[0].items[0].spkiSha256, nodeSpki);
  assert.deepEqual(live.matches[0]?.certificates, [
    { path: `127.0.0.1:${String(redis.port)}`, index: 1 },
  ]);

  // Unreadable inputs are reported; the others are still shown; exit 2.
  const wrong = join(dir, 'wrong.pass');
  writeFileSync(wrong, 'not-it\n');
  const partial = await runCli([
    'inspect',
    '--passphrase-file',
    wrong,
    legacy,
    join(dir, 'missing.pem'),
    clientCert,
  ]);
  assert.equal(partial.code, 2);
  assert.match(partial.stdout, /cert\.pem: 1 block[\s\S]*subject +CN=app/);
  assert.match(partial.stderr, /cannot open \S*legacy\.pfx: wrong password/);
  assert.match(partial.stderr, /cannot read \S*missing\.pem: no such file/);
  const noPassword = await inspectJson([javaStore, clientCert], 2);
  assert.equal(noPassword.files[0]?.error?.code, 'KEY_ENCRYPTED');
  assert.equal(noPassword.files[1]?.items.length, 1);
  assert.equal(noPassword.error?.code, 'KEY_ENCRYPTED');
});
