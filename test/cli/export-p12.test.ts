/** Issue 6: `certs export-p12` writes 0600, refuses bad input with exit 2. */
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: export-p12 writes the store with mode 0600 and reports it as JSON', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', dir])).code,
    0,
  );
  writeFileSync(join(dir, 'pass'), 'secret-pass\n');
  const result = await runCli([
    'export-p12',
    '--cert',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'keyclient.pem'),
    '-o',
    join(dir, 'client.p12'),
    '--password-file',
    join(dir, 'pass'),
    '--name',
    'my-app',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout) as {
    ok: boolean;
    friendlyName: string;
    certificates: unknown[];
  };
  assert.equal(doc.friendlyName, 'my-app');
  assert.equal(doc.certificates.length, 1);
  assert.equal(statSync(join(dir, 'client.p12')).mode & 0o777, 0o600);
  assert.doesNotMatch(result.stdout, /secret-pass/);
});

test('issue 6: export-p12 refuses bad input with one line and exit 2, writing nothing', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-client', '--cn', 'a', '--key-type', 'ec', '--out', join(dir, 'a')])).code,
    0,
  );
  assert.equal(
    (await runCli(['gen-client', '--cn', 'b', '--key-type', 'ec', '--out', join(dir, 'b')])).code,
    0,
  );
  writeFileSync(join(dir, 'pass'), 'secret\n');
  writeFileSync(join(dir, 'empty'), '\n');
  const a = (f: string): string => join(dir, 'a', f);
  const out = join(dir, 'out.p12');
  const rows = [
    {
      name: 'key of another certificate',
      args: [
        '--cert',
        a('cert.pem'),
        '--key',
        join(dir, 'b', 'keyclient.pem'),
        '--password-file',
        join(dir, 'pass'),
      ],
      message: /is not the key of/,
    },
    {
      name: 'empty password',
      args: [
        '--cert',
        a('cert.pem'),
        '--key',
        a('keyclient.pem'),
        '--password-file',
        join(dir, 'empty'),
      ],
      message: /empty passphrase/,
    },
    {
      name: 'missing password file',
      args: [
        '--cert',
        a('cert.pem'),
        '--key',
        a('keyclient.pem'),
        '--password-file',
        join(dir, 'none'),
      ],
      message: /none: no such file/,
    },
    {
      name: 'no --new-passphrase-file (issue 15: the store password option, once --password-file)',
      args: ['--cert', a('cert.pem'), '--key', a('keyclient.pem')],
      message: /new-passphrase-file/,
    },
  ];
  for (const row of rows) {
    const result = await runCli(['export-p12', ...row.args, '-o', out]);
    assert.equal(result.code, 2, row.name);
    assert.match(result.stderr, row.message, row.name);
    assert.doesNotMatch(result.stderr, /secret/, row.name);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['a', 'b', 'empty', 'pass']);
  const help = await runCli(['export-p12', '--help']);
  assert.match(help.stdout, /Examples:[\s\S]*EXIT CODES/);
});
