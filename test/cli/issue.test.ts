/** Issue 6: `certs issue`: the proxy files, extra names, usages, refusals and the validity warning. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

async function ca(t: TestContext): Promise<string> {
  const dir = tempDir(t);
  const made = await runCli(['gen-ca', '--cn', 'Root', '--out', dir, '--key-type', 'ec']);
  assert.equal(made.code, 0, made.stderr);
  return dir;
}

interface IssueDoc {
  certificate: {
    subject: string;
    subjectAltNames: { dns: string[]; ip: string[] };
    extendedKeyUsage: string[];
    keyUsage: string[];
  };
  chainLength: number;
  warnings: string[];
}

test('issue 6: issue writes proxy_cert.pem + proxy_key.pem with the requested names and usages', async (t) => {
  const pki = await ca(t);
  const rows = [
    {
      name: 'cluster only (defaults)',
      args: ['--cluster', 'cluster.local'],
      dns: [
        'cluster.local',
        '*.cluster.local',
        'internal.cluster.local',
        '*.internal.cluster.local',
      ],
      ip: [] as string[],
      eku: ['serverAuth', 'clientAuth'],
      subject: 'CN=cluster.local',
    },
    {
      name: 'extra --san and --ip',
      args: [
        '--cluster',
        'c.example.com',
        '--san',
        'redis.example.com',
        '--ip',
        '10.0.0.5',
        '--ip',
        '::1',
      ],
      dns: [
        'c.example.com',
        '*.c.example.com',
        'internal.c.example.com',
        '*.internal.c.example.com',
        'redis.example.com',
      ],
      ip: ['10.0.0.5', '::1'],
      eku: ['serverAuth', 'clientAuth'],
      subject: 'CN=c.example.com',
    },
    {
      name: 'a client certificate without a cluster',
      args: ['--san', 'app.example.com', '--usage', 'client'],
      dns: ['app.example.com'],
      ip: [] as string[],
      eku: ['clientAuth'],
      subject: 'CN=app.example.com',
    },
  ];
  for (const row of rows) {
    const out = join(tempDir(t), 'proxy');
    const result = await runCli([
      'issue',
      '--ca',
      join(pki, 'ca.pem'),
      '--ca-key',
      join(pki, 'ca-key.pem'),
      '--out',
      out,
      '--key-type',
      'ec',
      '--json',
      ...row.args,
    ]);
    assert.equal(result.code, 0, `${row.name}: ${result.stderr}`);
    const doc = JSON.parse(result.stdout) as IssueDoc;
    assert.deepEqual(doc.certificate.subjectAltNames.dns, row.dns, row.name);
    assert.deepEqual(doc.certificate.subjectAltNames.ip, row.ip, row.name);
    assert.deepEqual(doc.certificate.extendedKeyUsage, row.eku, row.name);
    assert.equal(doc.certificate.subject, row.subject, row.name);
    assert.equal(doc.chainLength, 1, `${row.name}: a root issuer is not copied into the chain`);
    assert.deepEqual(readdirSync(out).sort(), ['proxy_cert.pem', 'proxy_key.pem'], row.name);
    assert.equal(statSync(join(out, 'proxy_key.pem')).mode & 0o777, 0o600, row.name);
  }
});

test('issue 6: issue from an intermediate puts the intermediate after the leaf', async (t) => {
  const pki = await ca(t);
  const inter = await runCli([
    'gen-intermediate',
    '--ca',
    join(pki, 'ca.pem'),
    '--ca-key',
    join(pki, 'ca-key.pem'),
    '--cn',
    'Issuing',
    '--out',
    pki,
    '--key-type',
    'ec',
  ]);
  assert.equal(inter.code, 0, inter.stderr);
  const out = join(pki, 'proxy');
  const result = await runCli([
    'issue',
    '--ca',
    join(pki, 'intermediate.pem'),
    '--ca-key',
    join(pki, 'intermediate-key.pem'),
    '--cluster',
    'cluster.local',
    '--out',
    out,
    '--key-type',
    'ec',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /with 1 intermediate/);
  const text = readFileSync(join(out, 'proxy_cert.pem'), 'utf8');
  assert.ok(text.endsWith(readFileSync(join(pki, 'intermediate.pem'), 'utf8')));
  assert.equal(text.match(/BEGIN CERTIFICATE/g)?.length, 2);
});

test('issue 6: issue refuses bad input with exit 2 and writes nothing', async (t) => {
  const pki = await ca(t);
  const client = tempDir(t);
  assert.equal(
    (await runCli(['gen-client', '--cn', 'app', '--out', client, '--key-type', 'ec'])).code,
    0,
  );
  const base = ['issue', '--key-type', 'ec'];
  const caArgs = ['--ca', join(pki, 'ca.pem'), '--ca-key', join(pki, 'ca-key.pem')];
  const rows = [
    { name: 'no name at all', args: [...caArgs], code: 'INVALID_OPTION', message: /needs a name/ },
    {
      name: 'partial wildcard',
      args: [...caArgs, '--san', 'redis-*.c.local'],
      code: 'INVALID_OPTION',
      message: /not a DNS name/,
    },
    {
      name: 'bad cluster',
      args: [...caArgs, '--cluster', 'bad_name'],
      code: 'INVALID_OPTION',
      message: /cluster name "bad_name"/,
    },
    {
      name: 'client cert as CA',
      args: [
        '--ca',
        join(client, 'cert.pem'),
        '--ca-key',
        join(client, 'keyclient.pem'),
        '--cluster',
        'c.local',
      ],
      code: 'INVALID_OPTION',
      message: /not a CA certificate/,
    },
    {
      name: 'wrong CA key',
      args: [
        '--ca',
        join(pki, 'ca.pem'),
        '--ca-key',
        join(client, 'keyclient.pem'),
        '--cluster',
        'c.local',
      ],
      code: 'KEY_MISMATCH',
      message: /keyclient\.pem is not the key/,
    },
    {
      name: 'certificate as CA key',
      args: ['--ca', join(pki, 'ca.pem'), '--ca-key', join(pki, 'ca.pem'), '--cluster', 'c.local'],
      code: 'KEY_INVALID',
      message: /ca\.pem holds a certificate|not a private key/,
    },
    {
      name: 'outliving the CA',
      args: [...caArgs, '--cluster', 'c.local', '--days', '4000'],
      code: 'INVALID_OPTION',
      message: /outlive its issuer/,
    },
  ];
  for (const row of rows) {
    const out = join(tempDir(t), 'out');
    const result = await runCli([...base, ...row.args, '--out', out, '--json']);
    assert.equal(result.code, 2, row.name);
    const doc = JSON.parse(result.stdout) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.equal(doc.ok, false, row.name);
    assert.equal(doc.error.code, row.code, `${row.name}: ${doc.error.message}`);
    assert.match(doc.error.message, row.message, row.name);
    assert.throws(() => statSync(out), { code: 'ENOENT' }, `${row.name}: nothing written`);
  }
});

test('issue 6: a server validity over 398 days is allowed with a warning citing the limit', async (t) => {
  const pki = await ca(t);
  const out = join(pki, 'long');
  const result = await runCli([
    'issue',
    '--ca',
    join(pki, 'ca.pem'),
    '--ca-key',
    join(pki, 'ca-key.pem'),
    '--cluster',
    'c.local',
    '--days',
    '825',
    '--out',
    out,
    '--key-type',
    'ec',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /^certs: warning: a validity of 825 days is over 398 \(CA\/Browser Forum BR 6\.3\.2\)/,
  );
  const ok = await runCli([
    'issue',
    '--ca',
    join(pki, 'ca.pem'),
    '--ca-key',
    join(pki, 'ca-key.pem'),
    '--cluster',
    'c.local',
    '--out',
    join(pki, 'short'),
    '--key-type',
    'ec',
  ]);
  assert.equal(ok.stderr, '');
});
