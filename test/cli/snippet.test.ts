/**
 * Issue 19 item 3, through the built CLI: `certs snippet` prints the snippet on stdout (nothing
 * on stderr), with the paths made absolute; `--json` prints one document, on failure too; the
 * files are checked before anything is printed (a key as the CA file, a DER file, a key that is
 * not the certificate's, an encrypted key, a key Java cannot read, standard input): exit 2, one
 * line naming the file. The CLI's client choices are core's.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SNIPPET_CLIENTS } from '@certkit/core';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

test('the CLI offers exactly the clients core writes snippets for', async () => {
  const help = await runCli(['snippet', '--help']);
  assert.equal(help.code, 0, help.stderr);
  const choices = /\[choices: ([^\]]*)\]/.exec(help.stdout.replace(/\s+/g, ' '))?.[1];
  assert.deepEqual(
    choices?.split(', ').map((c) => JSON.parse(c) as string),
    [...SNIPPET_CLIENTS],
    help.stdout,
  );
});

test('certs snippet: the snippet on stdout, paths absolute; --json one document (issue 19)', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'ca', subject: '/CN=Snippet CLI Root', ca: true });
  const client = await makeCert(dir, {
    name: 'cert',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: root,
  });
  const base = ['snippet', '--endpoint', 'redis-12000.redislabs.com:12000'];

  await t.test('relative paths are written absolute', async () => {
    const result = await runCli(
      [
        ...base,
        '--client',
        'redis-py',
        '--ca',
        'ca.pem',
        '--cert',
        'cert.pem',
        '--key',
        'cert-key.pem',
      ],
      { cwd: dir },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, new RegExp(`ssl_ca_certs="${join(dir, 'ca.pem')}",`));
    assert.match(result.stdout, new RegExp(`ssl_keyfile="${join(dir, 'cert-key.pem')}",`));
    assert.match(result.stdout, /ssl_check_hostname=True,/);
  });

  await t.test('--json: one document with the text and what it checks', async () => {
    const result = await runCli([...base, '--client', 'redis-cli', '--ca', root.cert, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc).sort(), [
      'advice',
      'client',
      'language',
      'name',
      'nameChecked',
      'ok',
      'run',
      'text',
    ]);
    assert.equal(doc.ok, true);
    assert.equal(doc.language, 'bash');
    assert.equal(doc.nameChecked, false);
    assert.equal(doc.name, 'redis-12000.redislabs.com');
    assert.match(String(doc.text), /^#!\/bin\/bash\n/);
  });

  // Inputs that are not what they are given as: refused before anything is printed.
  const pkcs1 = join(dir, 'pkcs1.pem');
  const rsa = await makeCert(dir, {
    name: 'rsa',
    subject: '/CN=rsa',
    ca: false,
    eku: 'clientAuth',
    issuer: root,
    keyType: 'rsa2048',
  });
  assert.equal((await openssl(['pkey', '-in', rsa.key, '-traditional', '-out', pkcs1])).code, 0);
  const der = join(dir, 'ca.der');
  assert.equal((await openssl(['x509', '-in', root.cert, '-outform', 'der', '-out', der])).code, 0);
  const encrypted = join(dir, 'encrypted.pem');
  writeFileSync(join(dir, 'pass'), 'secret\n');
  assert.equal(
    (
      await openssl([
        'pkey',
        '-in',
        client.key,
        '-aes-256-cbc',
        '-passout',
        `file:${join(dir, 'pass')}`,
        '-out',
        encrypted,
      ])
    ).code,
    0,
  );
  const rows: readonly { name: string; args: string[]; error: RegExp; code: string }[] = [
    {
      name: 'a private key as the CA file',
      args: ['--client', 'ioredis', '--ca', client.key],
      error:
        /cert-key\.pem is a private key, not a certificate|block 1 in \S*cert-key\.pem is a private key/,
      code: 'NOT_A_CERTIFICATE',
    },
    {
      name: 'a DER CA file',
      args: ['--client', 'ioredis', '--ca', der],
      error: /ca\.der is DER; the snippet's client reads the CA file as PEM: convert it/,
      code: 'INVALID_OPTION',
    },
    {
      name: "a key that is not the certificate's",
      args: ['--client', 'node-redis', '--ca', root.cert, '--cert', client.cert, '--key', root.key],
      error: /ca-key\.pem is not the key of \S*cert\.pem \(CN=app\): the TLS handshake would fail/,
      code: 'KEY_MISMATCH',
    },
    {
      name: 'an encrypted key',
      args: ['--client', 'redis-py', '--ca', root.cert, '--cert', client.cert, '--key', encrypted],
      error:
        /encrypted\.pem holds an encrypted private key; the snippet's client reads it with no passphrase/,
      code: 'KEY_ENCRYPTED',
    },
    {
      name: 'a PKCS#1 key for Java',
      args: ['--client', 'java', '--ca', root.cert, '--cert', rsa.cert, '--key', pkcs1],
      error:
        /pkcs1\.pem is a PKCS#1 \(BEGIN RSA PRIVATE KEY\) key; Java reads PKCS#8 \(BEGIN PRIVATE KEY\): convert it/,
      code: 'INVALID_OPTION',
    },
    {
      name: 'standard input',
      args: ['--client', 'ioredis', '--ca', '-'],
      error: /ca cannot be - \(standard input\): the snippet's client reads the file itself/,
      code: 'INVALID_OPTION',
    },
    {
      name: 'a missing file',
      args: ['--client', 'ioredis', '--ca', join(dir, 'nope.pem')],
      error: /cannot read \S*nope\.pem: no such file/,
      code: 'FILE_NOT_FOUND',
    },
  ];
  for (const row of rows) {
    await t.test(row.name, async () => {
      const text = await runCli([...base, ...row.args]);
      assert.equal(text.code, 2, text.stdout);
      assert.equal(text.stdout, '');
      const lines = text.stderr.split('\n').filter((l) => l.length > 0);
      assert.equal(lines.length, 1, text.stderr);
      assert.match(lines[0] ?? '', /^certs: /);
      assert.match(lines[0] ?? '', row.error);
      const json = await runCli([...base, ...row.args, '--json']);
      assert.equal(json.code, 2);
      assert.equal(json.stderr, '');
      const doc = JSON.parse(json.stdout) as {
        ok: boolean;
        error: { code: string; message: string };
      };
      assert.equal(doc.ok, false);
      assert.equal(doc.error.code, row.code);
      assert.match(doc.error.message, row.error);
    });
  }
  // The PKCS#1 key is fine for a client that reads it through OpenSSL.
  const python = await runCli([
    ...base,
    '--client',
    'redis-py',
    '--ca',
    root.cert,
    '--cert',
    rsa.cert,
    '--key',
    pkcs1,
  ]);
  assert.equal(python.code, 0, python.stderr);
});
