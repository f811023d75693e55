/**
 * Issue 2: a client identity from `certs gen-client`, checked by OpenSSL and node:crypto
 * (differential: what OpenSSL and Node read must be what we meant to write).
 */
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';

const DAY_MS = 86_400_000;

test('issue 2: default identity is RSA 4096, 1826 days, CA:FALSE, clientAuth, and OpenSSL agrees', async (t) => {
  const dir = tempDir(t);
  const result = await runCli([
    'gen-client',
    '--out',
    dir,
    '--subject',
    '/C=US/O=Acme/OU=Ops/CN=app',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    certificate: {
      notBefore: string;
      notAfter: string;
      fingerprintSha256: string;
      serialNumber: string;
      subject: string;
    };
  };
  assert.equal(report.ok, true);
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'keyclient.pem');

  const text = await openssl(['x509', '-in', certPath, '-noout', '-text']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Public-Key: \(4096 bit\)/);
  assert.match(text.stdout, /Exponent: 65537/);
  assert.match(text.stdout, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(text.stdout, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text.stdout, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
  assert.match(text.stdout, /X509v3 Extended Key Usage:\s+TLS Web Client Authentication\n/);
  assert.match(text.stdout, /X509v3 Subject Key Identifier/);
  assert.match(text.stdout, /X509v3 Authority Key Identifier/);
  assert.match(text.stdout, /Subject: C = US, O = Acme, OU = Ops, CN = app/);

  // notAfter - notBefore = 1826 days exactly, read by OpenSSL.
  const dates = await openssl([
    'x509',
    '-in',
    certPath,
    '-noout',
    '-startdate',
    '-enddate',
    '-serial',
    '-fingerprint',
    '-sha256',
  ]);
  const start = Date.parse(/notBefore=(.*)/.exec(dates.stdout)?.[1] ?? '');
  const end = Date.parse(/notAfter=(.*)/.exec(dates.stdout)?.[1] ?? '');
  assert.equal((end - start) / DAY_MS, 1826);
  assert.equal(new Date(start).toISOString(), report.certificate.notBefore);
  assert.equal(
    /serial=(.*)/.exec(dates.stdout)?.[1]?.toLowerCase(),
    report.certificate.serialNumber,
  );
  assert.equal(/Fingerprint=(.*)/.exec(dates.stdout)?.[1], report.certificate.fingerprintSha256);
  // Random positive 16-byte serial: 32 hex digits, top bit clear.
  assert.match(report.certificate.serialNumber, /^[0-7][0-9a-f]{31}$/);

  const verify = await openssl(['verify', '-CAfile', certPath, certPath]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /OK/);
  const check = await openssl(['pkey', '-in', keyPath, '-check', '-noout']);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /Key is valid/);

  // The key matches the certificate: same public key, and Node's checkPrivateKey agrees.
  const pemKey = readFileSync(keyPath, 'utf8');
  assert.match(pemKey, /^-----BEGIN PRIVATE KEY-----\n/);
  const x509 = new X509Certificate(readFileSync(certPath));
  const privateKey = createPrivateKey(pemKey);
  assert.equal(x509.checkPrivateKey(privateKey), true);
  assert.equal(
    createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('hex'),
    x509.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
  );
  assert.equal(x509.ca, false);
  assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.2']); // Node names the EKU list keyUsage
  const modulus = await openssl(['x509', '-in', certPath, '-noout', '-modulus']);
  const keyModulus = await openssl(['rsa', '-in', keyPath, '-noout', '-modulus']);
  assert.equal(modulus.stdout, keyModulus.stdout);

  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  assert.equal(statSync(certPath).mode & 0o777, 0o644);
});

test('issue 2: --key-format pkcs1 writes BEGIN RSA PRIVATE KEY that OpenSSL reads', async (t) => {
  const dir = tempDir(t);
  const result = await runCli([
    'gen-client',
    '--out',
    dir,
    '--cn',
    'legacy',
    '--bits',
    '2048',
    '--key-format',
    'pkcs1',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const key = readFileSync(join(dir, 'keyclient.pem'), 'utf8');
  assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  const check = await openssl(['rsa', '-in', join(dir, 'keyclient.pem'), '-check', '-noout']);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /RSA key ok/);
  const text = await openssl(['x509', '-in', join(dir, 'cert.pem'), '-noout', '-text']);
  assert.match(text.stdout, /Public-Key: \(2048 bit\)/);
});

const EC_CASES = [
  { name: 'P-256', curve: 'P-256', nist: 'P-256', bits: 256, sig: 'ecdsa-with-SHA256' },
  { name: 'P-384', curve: 'P-384', nist: 'P-384', bits: 384, sig: 'ecdsa-with-SHA384' },
] as const;

for (const row of EC_CASES) {
  test(`issue 2: --key-type ec --curve ${row.name} gives an EC identity OpenSSL verifies`, async (t) => {
    const dir = tempDir(t);
    const result = await runCli([
      'gen-client',
      '--out',
      dir,
      '--cn',
      'ec',
      '--key-type',
      'ec',
      '--curve',
      row.curve,
      '--days',
      '30',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const certPath = join(dir, 'cert.pem');
    const text = await openssl(['x509', '-in', certPath, '-noout', '-text']);
    assert.match(text.stdout, new RegExp(`Public-Key: \\(${String(row.bits)} bit\\)`));
    assert.match(text.stdout, new RegExp(`NIST CURVE: ${row.nist}`));
    assert.match(text.stdout, new RegExp(`Signature Algorithm: ${row.sig}`));
    // RFC 5480 section 3: no keyEncipherment with an ECDSA key.
    assert.match(text.stdout, /X509v3 Key Usage: critical\s+Digital Signature\n/);
    const verify = await openssl(['verify', '-CAfile', certPath, certPath]);
    assert.equal(verify.code, 0, verify.stderr);
    const x509 = new X509Certificate(readFileSync(certPath));
    assert.equal(
      x509.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'keyclient.pem')))),
      true,
    );
  });
}

test('issue 2: --key certifies an existing key and leaves it untouched', async (t) => {
  const dir = tempDir(t);
  const keyPath = join(dir, 'existing.pem');
  const made = await openssl([
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    keyPath,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const before = readFileSync(keyPath);
  const result = await runCli([
    'gen-client',
    '--out',
    dir,
    '--cn',
    'renewed',
    '--key',
    keyPath,
    '--days',
    '365',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readFileSync(keyPath), before);
  const x509 = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
  assert.equal(x509.checkPrivateKey(createPrivateKey(before)), true);
  const dates = await openssl([
    'x509',
    '-in',
    join(dir, 'cert.pem'),
    '-noout',
    '-startdate',
    '-enddate',
  ]);
  const start = Date.parse(/notBefore=(.*)/.exec(dates.stdout)?.[1] ?? '');
  const end = Date.parse(/notAfter=(.*)/.exec(dates.stdout)?.[1] ?? '');
  assert.equal((end - start) / DAY_MS, 365);
});
