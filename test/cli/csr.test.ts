/** Issue 6: `certs csr`: files, modes, --json, refusals, help. */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: csr writes proxy_key.pem 0600 and proxy.csr; --json describes the request', async (t) => {
  const dir = tempDir(t);
  const result = await runCli([
    'csr',
    '--cluster',
    'cluster.local',
    '--out',
    dir,
    '--key-type',
    'ec',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout) as {
    ok: boolean;
    request: { subject: string; signatureValid: boolean; subjectAltNames: { dns: string[] } };
  };
  assert.equal(doc.ok, true);
  assert.equal(doc.request.subject, 'CN=cluster.local');
  assert.equal(doc.request.signatureValid, true);
  assert.equal(doc.request.subjectAltNames.dns.length, 4);
  assert.deepEqual(readdirSync(dir).sort(), ['proxy.csr', 'proxy_key.pem']);
  assert.equal(statSync(join(dir, 'proxy_key.pem')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'proxy.csr')).mode & 0o777, 0o644);
  assert.doesNotMatch(result.stdout, /PRIVATE KEY/);
});

test('issue 6: csr refuses existing files, bad names and weak keys with exit 2', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['csr', '--cluster', 'c.local', '--out', dir, '--key-type', 'ec'])).code,
    0,
  );
  const rows = [
    {
      name: 'existing files',
      args: ['--cluster', 'c.local', '--out', dir, '--key-type', 'ec'],
      message: /already exist/,
    },
    { name: 'no name', args: ['--out', join(dir, 'a')], message: /needs a name/ },
    {
      name: 'bad name',
      args: ['--cluster', 'a..b', '--out', join(dir, 'b')],
      message: /not a DNS name/,
    },
    {
      name: 'weak RSA',
      args: ['--cluster', 'c.local', '--bits', '1024', '--out', join(dir, 'c')],
      message: /2048, 3072 or 4096/,
    },
  ];
  for (const row of rows) {
    const result = await runCli(['csr', ...row.args]);
    assert.equal(result.code, 2, row.name);
    assert.match(result.stderr, /^certs: /, row.name);
    assert.match(result.stderr, row.message, row.name);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['proxy.csr', 'proxy_key.pem']);
  const help = await runCli(['csr', '--help']);
  assert.match(help.stdout, /Examples:/);
  assert.match(help.stdout, /EXIT CODES/);
});
