/**
 * Issue 6: openssl accepts what gen-ca, gen-intermediate, issue and csr write (`openssl verify`
 * with purposes and -x509_strict, `openssl req -verify`), and we sign under an openssl-made CA.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

async function cli(args: string[]): Promise<void> {
  const result = await runCli(args);
  assert.equal(result.code, 0, `certs ${args.join(' ')}: ${result.stderr}`);
}

async function certsPki(dir: string, keyType: 'ec' | 'rsa'): Promise<void> {
  const key = keyType === 'ec' ? ['--key-type', 'ec'] : ['--bits', '2048'];
  await cli(['gen-ca', '--cn', 'Interop Root', '--out', dir, ...key]);
  await cli([
    'gen-intermediate',
    '--ca',
    join(dir, 'ca.pem'),
    '--ca-key',
    join(dir, 'ca-key.pem'),
    '--cn',
    'Interop Issuing',
    '--out',
    dir,
    ...key,
  ]);
  await cli([
    'issue',
    '--ca',
    join(dir, 'intermediate.pem'),
    '--ca-key',
    join(dir, 'intermediate-key.pem'),
    '--cluster',
    'cluster.local',
    '--ip',
    '127.0.0.1',
    '--out',
    dir,
    ...key,
  ]);
}

test('issue 6: openssl verify accepts root -> intermediate -> proxy, as server and as client', async (t) => {
  for (const keyType of ['ec', 'rsa'] as const) {
    const dir = tempDir(t);
    await certsPki(dir, keyType);
    const rows = [
      { name: 'sslserver purpose', args: ['-purpose', 'sslserver'] },
      { name: 'sslclient purpose', args: ['-purpose', 'sslclient'] },
      {
        name: 'strict X.509 and endpoint name',
        args: ['-x509_strict', '-verify_hostname', 'redis-12000.cluster.local'],
      },
      {
        name: 'internal endpoint name',
        args: ['-verify_hostname', 'redis-12000.internal.cluster.local'],
      },
      { name: 'IP address', args: ['-verify_ip', '127.0.0.1'] },
    ];
    for (const row of rows) {
      // proxy_cert.pem holds leaf + intermediate: the intermediate comes from -untrusted.
      const result = await openssl([
        'verify',
        '-CAfile',
        join(dir, 'ca.pem'),
        '-untrusted',
        join(dir, 'proxy_cert.pem'),
        ...row.args,
        join(dir, 'proxy_cert.pem'),
      ]);
      assert.equal(result.code, 0, `${keyType} ${row.name}: ${result.stdout}${result.stderr}`);
    }
    // A name the certificate does not hold is refused: the checks above can fail.
    const wrong = await openssl([
      'verify',
      '-CAfile',
      join(dir, 'ca.pem'),
      '-untrusted',
      join(dir, 'proxy_cert.pem'),
      '-verify_hostname',
      'redis-12000.other.local',
      join(dir, 'proxy_cert.pem'),
    ]);
    assert.notEqual(wrong.code, 0);
    // The intermediate's pathLen 0 is what openssl reads.
    const text = await openssl([
      'x509',
      '-in',
      join(dir, 'intermediate.pem'),
      '-noout',
      '-ext',
      'basicConstraints',
    ]);
    assert.match(text.stdout, /CA:TRUE, pathlen:0/);
    // The key file is the certificate's key.
    const a = await openssl(['pkey', '-in', join(dir, 'proxy_key.pem'), '-pubout']);
    const b = await openssl(['x509', '-in', join(dir, 'proxy_cert.pem'), '-noout', '-pubkey']);
    assert.equal(a.stdout, b.stdout);
  }
});

test('issue 6: certs issue signs under an openssl-made CA with PrintableString names, and openssl verifies it', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, {
    name: 'root',
    subject: '/C=US/O=Acme Corp/CN=OpenSSL Root',
    days: 3650,
    ca: true,
  });
  const inter = await makeCert(dir, {
    name: 'inter',
    subject: '/C=US/O=Acme Corp/CN=OpenSSL Issuing',
    days: 3650,
    ca: true,
    pathLen: 0,
    issuer: root,
  });
  await cli([
    'issue',
    '--ca',
    inter.cert,
    '--ca-key',
    inter.key,
    '--cluster',
    'cluster.local',
    '--out',
    join(dir, 'out'),
    '--key-type',
    'ec',
  ]);
  const proxy = join(dir, 'out', 'proxy_cert.pem');
  const result = await openssl([
    'verify',
    '-x509_strict',
    '-CAfile',
    root.cert,
    '-untrusted',
    proxy,
    '-purpose',
    'sslserver',
    proxy,
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  // The issuer name is byte-identical to the CA's subject (openssl prints both the same way).
  const issuer = await openssl([
    'x509',
    '-in',
    proxy,
    '-noout',
    '-issuer',
    '-nameopt',
    'RFC2253,dump_der',
  ]);
  const subject = await openssl([
    'x509',
    '-in',
    inter.cert,
    '-noout',
    '-subject',
    '-nameopt',
    'RFC2253,dump_der',
  ]);
  assert.equal(issuer.stdout.replace('issuer=', ''), subject.stdout.replace('subject=', ''));
  // AKI equals the openssl CA's SKI.
  const aki = await openssl(['x509', '-in', proxy, '-noout', '-ext', 'authorityKeyIdentifier']);
  const ski = await openssl(['x509', '-in', inter.cert, '-noout', '-ext', 'subjectKeyIdentifier']);
  const skiHex = ski.stdout.split('\n')[1]?.trim() ?? 'none';
  assert.ok(aki.stdout.includes(skiHex), `${aki.stdout} should hold ${skiHex}`);
});

test('issue 6: openssl req -verify accepts certs csr, and a CA signing it with copied extensions keeps the names', async (t) => {
  for (const keyType of ['ec', 'rsa'] as const) {
    const dir = tempDir(t);
    const key = keyType === 'ec' ? ['--key-type', 'ec'] : [];
    await cli(['csr', '--cluster', 'cluster.local', '--out', dir, ...key]);
    const csr = join(dir, 'proxy.csr');
    const verify = await openssl(['req', '-verify', '-noout', '-in', csr]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stderr + verify.stdout, /verify OK/);
    const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Org CA', ca: true });
    const signed = await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '30',
      '-copy_extensions',
      'copy',
      '-out',
      join(dir, 'signed.pem'),
    ]);
    assert.equal(signed.code, 0, signed.stderr);
    const check = await openssl([
      'verify',
      '-CAfile',
      ca.cert,
      '-purpose',
      'sslserver',
      '-verify_hostname',
      'redis-1.internal.cluster.local',
      join(dir, 'signed.pem'),
    ]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    // The signed certificate goes with the key csr wrote.
    const a = await openssl(['pkey', '-in', join(dir, 'proxy_key.pem'), '-pubout']);
    const b = await openssl(['x509', '-in', join(dir, 'signed.pem'), '-noout', '-pubkey']);
    assert.equal(a.stdout, b.stdout);
    assert.match(readFileSync(csr, 'utf8'), /^-----BEGIN CERTIFICATE REQUEST-----\n/);
  }
});
