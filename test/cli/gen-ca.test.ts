/** Issue 6: `certs gen-ca` and `certs gen-intermediate`: files, modes, refusals, --json, help. */
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: gen-ca writes ca.pem 0644 and ca-key.pem 0600; --json describes the CA', async (t) => {
  const dir = tempDir(t);
  const result = await runCli([
    'gen-ca',
    '--cn',
    'Root',
    '--out',
    dir,
    '--key-type',
    'ec',
    '--days',
    '100',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout) as {
    ok: boolean;
    certificate: { basicConstraints: unknown; subject: string; keyUsage: string[] };
    files: { certificate: string; privateKey: string };
  };
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.certificate.basicConstraints, { ca: true });
  assert.deepEqual(doc.certificate.keyUsage, ['keyCertSign', 'cRLSign']);
  assert.equal(doc.files.certificate, join(dir, 'ca.pem'));
  assert.equal(statSync(join(dir, 'ca.pem')).mode & 0o777, 0o644);
  assert.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['ca-key.pem', 'ca.pem']);
});

test('issue 6: gen-ca and gen-intermediate refuse bad input with one line and exit 2, writing nothing', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-ca', '--cn', 'Root', '--out', dir, '--key-type', 'ec'])).code,
    0,
  );
  writeFileSync(join(dir, 'not-a-cert.pem'), 'hello\n');
  const rows = [
    { name: 'no name', args: ['gen-ca', '--out', join(dir, 'x')], message: /give the CA name/ },
    {
      name: 'existing files',
      args: ['gen-ca', '--cn', 'R', '--out', dir, '--key-type', 'ec'],
      message: /already exist.*--force/,
    },
    {
      name: 'days out of range',
      args: ['gen-ca', '--cn', 'R', '--out', join(dir, 'y'), '--days', '0'],
      message: /days must be a whole number/,
    },
    {
      name: 'missing --ca-key',
      args: ['gen-intermediate', '--ca', join(dir, 'ca.pem'), '--cn', 'I'],
      message: /ca-key/,
    },
    {
      name: 'CA file that is no certificate',
      args: [
        'gen-intermediate',
        '--ca',
        join(dir, 'not-a-cert.pem'),
        '--ca-key',
        join(dir, 'ca-key.pem'),
        '--cn',
        'I',
        '--out',
        join(dir, 'z'),
      ],
      message: /not-a-cert\.pem holds no PEM block/,
    },
    {
      name: 'missing CA file',
      args: [
        'gen-intermediate',
        '--ca',
        join(dir, 'nope.pem'),
        '--ca-key',
        join(dir, 'ca-key.pem'),
        '--cn',
        'I',
        '--out',
        join(dir, 'z'),
      ],
      message: /nope\.pem: no such file/,
    },
  ];
  for (const row of rows) {
    const result = await runCli(row.args);
    assert.equal(result.code, 2, row.name);
    assert.equal(result.stdout, '', row.name);
    assert.match(result.stderr.split('\n')[0] ?? '', /^certs: /, row.name);
    assert.match(result.stderr, row.message, row.name);
    assert.doesNotMatch(result.stderr, /\n\s+at /, `${row.name}: no stack trace`);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['ca-key.pem', 'ca.pem', 'not-a-cert.pem']);
});

test('issue 6: gen-intermediate makes a pathLen 0 CA that cannot sign another CA', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-ca', '--cn', 'Root', '--out', dir, '--key-type', 'ec'])).code,
    0,
  );
  const made = await runCli([
    'gen-intermediate',
    '--ca',
    join(dir, 'ca.pem'),
    '--ca-key',
    join(dir, 'ca-key.pem'),
    '--cn',
    'Issuing',
    '--out',
    dir,
    '--key-type',
    'ec',
    '--json',
  ]);
  assert.equal(made.code, 0, made.stderr);
  const doc = JSON.parse(made.stdout) as {
    certificate: { basicConstraints: unknown; issuer: string };
  };
  assert.deepEqual(doc.certificate.basicConstraints, { ca: true, pathLength: 0 });
  assert.equal(doc.certificate.issuer, 'CN=Root');
  const refused = await runCli([
    'gen-intermediate',
    '--ca',
    join(dir, 'intermediate.pem'),
    '--ca-key',
    join(dir, 'intermediate-key.pem'),
    '--cn',
    'Sub',
    '--out',
    join(dir, 'sub'),
    '--key-type',
    'ec',
    '--json',
  ]);
  assert.equal(refused.code, 2);
  const error = JSON.parse(refused.stdout) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.equal(error.ok, false);
  assert.equal(error.error.code, 'INVALID_OPTION');
  assert.match(error.error.message, /pathLen 0/);
});

test('issue 6: help of gen-ca, gen-intermediate and issue has examples, validity advice and EXIT CODES', async () => {
  for (const command of ['gen-ca', 'gen-intermediate', 'issue']) {
    const result = await runCli([command, '--help']);
    assert.equal(result.code, 0, command);
    assert.match(result.stdout, /Examples:/, command);
    assert.match(result.stdout, /EXIT CODES/, command);
    assert.match(result.stdout, /at most one year/, command);
    assert.match(result.stdout, /398 days/, command);
  }
});
