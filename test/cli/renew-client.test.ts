/** Issue 6: `certs renew-client`: same subject, new or same key, refusals. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: renew-client keeps the subject bytes, the key type, and the lifetime; new key unless --reuse-key', async (t) => {
  const dir = tempDir(t);
  const made = await runCli([
    'gen-client',
    '--subject',
    '/C=US/O=Acme Corp/CN=app',
    '--days',
    '200',
    '--key-type',
    'ec',
    '--curve',
    'P-384',
    '--out',
    dir,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'keyclient.pem');
  const old = new X509Certificate(readFileSync(cert));
  const rows = [
    { name: 'new key', args: [] as string[], sameKey: false },
    { name: '--reuse-key', args: ['--reuse-key'], sameKey: true },
  ];
  for (const row of rows) {
    const out = join(tempDir(t), 'renewed');
    const result = await runCli([
      'renew-client',
      '--cert',
      cert,
      '--key',
      key,
      '--out',
      out,
      '--json',
      ...row.args,
    ]);
    assert.equal(result.code, 0, `${row.name}: ${result.stderr}`);
    const renewed = new X509Certificate(readFileSync(join(out, 'cert.pem')));
    assert.equal(renewed.subject, old.subject, row.name);
    assert.notEqual(renewed.serialNumber, old.serialNumber, row.name);
    assert.equal(renewed.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1', row.name);
    assert.equal(
      renewed.publicKey
        .export({ format: 'der', type: 'spki' })
        .equals(old.publicKey.export({ format: 'der', type: 'spki' })),
      row.sameKey,
      row.name,
    );
    assert.equal(
      (Date.parse(renewed.validTo) - Date.parse(renewed.validFrom)) / 86_400_000,
      200,
      row.name,
    );
    const subj = await openssl([
      'x509',
      '-in',
      join(out, 'cert.pem'),
      '-noout',
      '-subject',
      '-nameopt',
      'RFC2253,dump_der',
    ]);
    const oldSubj = await openssl([
      'x509',
      '-in',
      cert,
      '-noout',
      '-subject',
      '-nameopt',
      'RFC2253,dump_der',
    ]);
    assert.equal(subj.stdout, oldSubj.stdout, `${row.name}: subject bytes`);
    if (row.sameKey) {
      assert.throws(() => statSync(join(out, 'keyclient.pem')), { code: 'ENOENT' });
      assert.equal(
        (JSON.parse(result.stdout) as { files: { privateKey: string } }).files.privateKey,
        key,
      );
    } else {
      assert.equal(statSync(join(out, 'keyclient.pem')).mode & 0o777, 0o600);
      const verify = await openssl(['x509', '-in', join(out, 'cert.pem'), '-noout', '-pubkey']);
      const pub = await openssl(['pkey', '-in', join(out, 'keyclient.pem'), '-pubout']);
      assert.equal(verify.stdout, pub.stdout, row.name);
    }
  }
});

test('issue 6: renew-client refuses a wrong key, a CA-issued certificate and existing files', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', dir])).code,
    0,
  );
  const other = await makeCert(dir, { name: 'other', subject: '/CN=other' });
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=CA', ca: true });
  const issued = await makeCert(dir, {
    name: 'issued',
    subject: '/CN=app',
    issuer: ca,
    eku: 'clientAuth',
  });
  const rows = [
    {
      name: 'wrong key',
      args: ['--cert', join(dir, 'cert.pem'), '--key', other.key, '--out', join(dir, 'a')],
      message: /other-key\.pem is not the key of/,
    },
    {
      name: 'CA-issued',
      args: ['--cert', issued.cert, '--key', issued.key, '--out', join(dir, 'b')],
      message: /was issued by CN=CA; renew it at that CA/,
    },
    {
      name: 'existing files',
      args: ['--cert', join(dir, 'cert.pem'), '--key', join(dir, 'keyclient.pem'), '--out', dir],
      message: /already exist.*--force/,
    },
  ];
  for (const row of rows) {
    const result = await runCli(['renew-client', ...row.args]);
    assert.equal(result.code, 2, row.name);
    assert.match(result.stderr, row.message, row.name);
  }
  // --force replaces in place, atomically.
  const before = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const forced = await runCli([
    'renew-client',
    '--cert',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'keyclient.pem'),
    '--out',
    dir,
    '--force',
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual(readFileSync(join(dir, 'cert.pem'), 'utf8'), before);
});
