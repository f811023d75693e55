/** Issue 6: `openssl pkcs12 -info` and Java's `keytool -list` read what `certs export-p12` writes. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: openssl and keytool read modern and legacy stores: one PrivateKeyEntry with the whole chain', async (t) => {
  const dir = tempDir(t);
  const steps = [
    ['gen-ca', '--cn', 'Root', '--key-type', 'ec', '--out', dir],
    [
      'gen-intermediate',
      '--ca',
      join(dir, 'ca.pem'),
      '--ca-key',
      join(dir, 'ca-key.pem'),
      '--cn',
      'Issuing',
      '--key-type',
      'ec',
      '--out',
      dir,
    ],
    [
      'issue',
      '--ca',
      join(dir, 'intermediate.pem'),
      '--ca-key',
      join(dir, 'intermediate-key.pem'),
      '--san',
      'app.example.com',
      '--usage',
      'client',
      '--out',
      dir,
      '--cert-file',
      'cert.pem',
      '--key-file',
      'keyclient.pem',
    ],
  ];
  for (const step of steps) assert.equal((await runCli(step)).code, 0, step.join(' '));
  const pass = join(dir, 'p12.pass');
  writeFileSync(pass, 'changeit-123\n');
  const wrong = join(dir, 'wrong.pass');
  writeFileSync(wrong, 'not-the-password\n');
  const rows = [
    {
      name: 'modern',
      args: [] as string[],
      openssl: /PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/,
      mac: /MAC: sha256/,
    },
    {
      name: 'legacy',
      args: ['--legacy'],
      openssl: /pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/,
      mac: /MAC: sha1/,
    },
  ];
  for (const row of rows) {
    const store = join(dir, `${row.name}.p12`);
    const made = await runCli([
      'export-p12',
      '--cert',
      join(dir, 'cert.pem'),
      '--key',
      join(dir, 'keyclient.pem'),
      '--chain',
      join(dir, 'ca.pem'),
      '-o',
      store,
      '--password-file',
      pass,
      ...row.args,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const info = await openssl([
      'pkcs12',
      '-info',
      '-in',
      store,
      '-passin',
      `file:${pass}`,
      '-noout',
    ]);
    assert.equal(info.code, 0, `${row.name}: ${info.stderr}`);
    assert.match(info.stderr + info.stdout, row.openssl, row.name);
    assert.match(info.stderr + info.stdout, row.mac, row.name);
    const refused = await openssl([
      'pkcs12',
      '-info',
      '-in',
      store,
      '-passin',
      `file:${wrong}`,
      '-noout',
    ]);
    assert.notEqual(refused.code, 0, `${row.name}: wrong password accepted`);
    // The key openssl extracts is the certificate's.
    const key = await openssl([
      'pkcs12',
      '-in',
      store,
      '-passin',
      `file:${pass}`,
      '-nocerts',
      '-nodes',
    ]);
    const fromKey = await run('openssl', ['pkey', '-pubout'], { input: key.stdout });
    const fromCert = await openssl(['x509', '-in', join(dir, 'cert.pem'), '-noout', '-pubkey']);
    assert.equal(fromKey.stdout, fromCert.stdout, row.name);
    const list = await run(
      'keytool',
      ['-list', '-v', '-keystore', store, '-storetype', 'PKCS12', '-storepass:file', pass],
      { timeoutMs: 60_000 },
    );
    assert.equal(list.code, 0, `${row.name}: ${list.stdout}${list.stderr}`);
    assert.match(list.stdout, /Alias name: app\.example\.com/, row.name);
    assert.match(list.stdout, /Entry type: PrivateKeyEntry/, row.name);
    assert.match(list.stdout, /Certificate chain length: 3/, row.name);
    assert.match(list.stdout, /Your keystore contains 1 entry/, row.name);
  }
  const refused = await run(
    'keytool',
    [
      '-list',
      '-keystore',
      join(dir, 'modern.p12'),
      '-storetype',
      'PKCS12',
      '-storepass:file',
      wrong,
    ],
    { timeoutMs: 60_000 },
  );
  assert.notEqual(refused.code, 0, 'keytool accepted a wrong password');
});
