/** Issue 6: `certs inspect`: text and JSON for every block; bad input exits 2. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: inspect shows the leaf and the intermediate of proxy_cert.pem, and the key without material', async (t) => {
  const dir = tempDir(t);
  const steps = [
    ['gen-ca', '--cn', 'Root', '--out', dir, '--key-type', 'ec'],
    [
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
    ],
    [
      'issue',
      '--ca',
      join(dir, 'intermediate.pem'),
      '--ca-key',
      join(dir, 'intermediate-key.pem'),
      '--cluster',
      'cluster.local',
      '--out',
      dir,
      '--key-type',
      'ec',
    ],
  ];
  for (const step of steps) assert.equal((await runCli(step)).code, 0, step[0]);
  const files = [join(dir, 'proxy_cert.pem'), join(dir, 'proxy_key.pem')];
  const text = await runCli(['inspect', ...files]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /proxy_cert\.pem: 2 blocks/);
  assert.match(text.stdout, /#1 certificate\n {2}subject {7}CN=cluster\.local/);
  assert.match(text.stdout, /#2 certificate\n {2}subject {7}CN=Issuing/);
  assert.match(
    text.stdout,
    /names {9}DNS:cluster\.local, DNS:\*\.cluster\.local, DNS:internal\.cluster\.local, DNS:\*\.internal\.cluster\.local/,
  );
  assert.match(text.stdout, /basic {9}CA:TRUE, pathlen:0/);
  assert.match(text.stdout, /(36[45]) days left/);
  assert.match(
    text.stdout,
    /#1 private key\n {2}key {11}EC P-256\n {2}format {8}pkcs8 \(not encrypted\)/,
  );
  const keyBody = readFileSync(files[1] ?? '', 'utf8').split('\n')[1] ?? 'x';
  assert.ok(!text.stdout.includes(keyBody.slice(0, 16)), 'key material printed');
  const json = await runCli(['inspect', '--json', ...files]);
  assert.equal(json.code, 0);
  const doc = JSON.parse(json.stdout) as {
    ok: boolean;
    certificateCount: number;
    files: { path: string; items: { kind: string }[] }[];
  };
  assert.equal(doc.ok, true);
  assert.equal(doc.certificateCount, 2);
  assert.deepEqual(
    doc.files.map((f) => f.items.map((i) => i.kind)),
    [['certificate', 'certificate'], ['private-key']],
  );
});

test('issue 6: inspect refuses bad input with one line, exit 2, and a JSON error with --json', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'junk.pem'), 'no pem here\n');
  const rows = [
    {
      name: 'junk',
      args: [join(dir, 'junk.pem')],
      code: 'PEM_INVALID',
      message: /junk\.pem holds no PEM block/,
    },
    {
      name: 'missing',
      args: [join(dir, 'missing.pem')],
      code: 'FILE_NOT_FOUND',
      message: /missing\.pem: no such file/,
    },
    { name: 'a folder', args: [dir], code: 'NOT_A_FILE', message: /it is a directory/ },
  ];
  for (const row of rows) {
    const text = await runCli(['inspect', ...row.args]);
    assert.equal(text.code, 2, row.name);
    assert.match(text.stderr, row.message, row.name);
    assert.equal(text.stderr.trim().split('\n').length, 1, row.name);
    const json = await runCli(['inspect', '--json', ...row.args]);
    assert.equal(json.code, 2, row.name);
    assert.equal(
      (JSON.parse(json.stdout) as { error: { code: string } }).error.code,
      row.code,
      row.name,
    );
  }
  const none = await runCli(['inspect']);
  assert.equal(none.code, 2);
  const help = await runCli(['inspect', '--help']);
  assert.match(help.stdout, /Examples:[\s\S]*EXIT CODES/);
});
