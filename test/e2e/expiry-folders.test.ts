/**
 * Issue 14 item 5, end to end: `certs expiry` over a real folder of TLS files as an operator has
 * one (keys next to certificates, a request, a README, a nested folder), the README's cron
 * example `certs expiry client/*.pem`, unreadable inputs reported as rows with everything else
 * still listed, rows sorted by time left in aligned columns, and `--format prometheus` accepted
 * by `promtool check metrics` (Debian package prometheus), values equal to openssl's notAfter.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLIENT_PROFILE, issueCertificate } from '@certkit/core';
import { run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';

async function certs(args: string[], expected = 0): Promise<void> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
}

async function promtool(metrics: string): Promise<{ code: number | null; output: string }> {
  const result = await run('promtool', ['check', 'metrics'], { input: metrics });
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

/** notAfter as Unix seconds, as openssl reads it. */
async function opensslNotAfter(file: string): Promise<number> {
  const result = await openssl(['x509', '-noout', '-enddate', '-in', file]);
  assert.equal(result.code, 0, result.stderr);
  return Math.floor(Date.parse(result.stdout.trim().replace('notAfter=', '')) / 1000);
}

test('issue 14 item 5: expiry over real folders: notes for keys, unreadable rows, sorted aligned table, promtool-valid metrics', async (t) => {
  const root = tempDir(t);
  const tls = join(root, 'etc-redis');
  mkdirSync(tls);
  // What a Redis host holds: a client identity, a CA-issued proxy certificate with its chain, a
  // request, a README, and a nested folder of older material.
  await certs([
    'gen-client',
    '--cn',
    'app',
    '--key-type',
    'ec',
    '--days',
    '20',
    '--out',
    join(tls, 'client'),
  ]);
  await certs(['gen-ca', '--cn', 'Ops Root', '--key-type', 'ec', '--out', join(tls, 'pki')]);
  await certs([
    'issue',
    '--ca',
    join(tls, 'pki', 'ca.pem'),
    '--ca-key',
    join(tls, 'pki', 'ca-key.pem'),
    '--cluster',
    'cluster.test',
    '--key-type',
    'ec',
    '--days',
    '200',
    '--out',
    join(tls, 'proxy'),
  ]);
  await certs([
    'csr',
    '--cluster',
    'cluster.test',
    '--key-type',
    'ec',
    '--out',
    join(tls, 'proxy', 'next'),
  ]);
  writeFileSync(join(tls, 'README.txt'), 'certificates of this host, see the runbook\n');
  // An expired identity, and one whose subject holds what the metrics format escapes.
  mkdirSync(join(tls, 'old', 'archive'), { recursive: true });
  const expired = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: 'retired' },
    keyType: 'ec',
    days: 30,
    now: new Date('2020-01-01T00:00:00Z'),
  });
  writeFileSync(
    join(tls, 'old', 'archive', 'retired.pem'),
    expired.certificatePem + expired.privateKeyPem,
  );
  const odd = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: 'say "hi" \\ bye' },
    keyType: 'ec',
    days: 100,
  });
  writeFileSync(join(tls, 'old', 'odd.pem'), odd.certificatePem);

  // The README's cron example: the key next to the certificate no longer stops it.
  const cron = await runCli([
    'expiry',
    join(tls, 'client', 'cert.pem'),
    join(tls, 'client', 'keyclient.pem'),
  ]);
  assert.equal(cron.code, 1, `${cron.stdout}${cron.stderr}`);
  assert.match(cron.stderr, /note: block 1 in \S*keyclient\.pem is a private key: skipped/);
  assert.match(cron.stdout, /^RENEW +(19|20) /m);

  // One folder, not recursive: its own files only (the README is a note, nothing else there).
  const flat = await runCli(['expiry', '--json', tls]);
  assert.equal(flat.code, 2, 'no certificate directly in the folder');
  const recursive = await runCli(['expiry', '-r', '--within', '25d', tls]);
  assert.equal(recursive.code, 1, `${recursive.stdout}${recursive.stderr}`);
  const lines = recursive.stdout.trimEnd().split('\n');
  const header = lines[0] ?? '';
  const rows = lines.slice(1, -1);
  // Sorted by time left: expired first, then 20, 100, 200 days, then the ten-year root.
  assert.deepEqual(
    rows.map((r) => r.split(/ +/)[0]),
    ['EXPIRED', 'RENEW', 'ok', 'ok', 'ok'],
  );
  assert.deepEqual(
    rows.map((r) => /CN=(\S+)/.exec(r)?.[1]),
    ['retired', 'app', 'say', 'cluster.test', 'Ops'],
  );
  // Aligned: every column starts where its header does.
  for (const column of ['EXPIRES', 'SOURCE', 'SUBJECT']) {
    const at = header.indexOf(column);
    for (const row of rows) assert.notEqual(row[at - 1], undefined, column);
    for (const row of rows) assert.match(row.slice(at - 2, at), /^ {2}$/, `${column}: ${row}`);
    for (const row of rows) assert.notEqual(row[at], ' ', `${column}: ${row}`);
  }
  assert.match(lines.at(-1) ?? '', /^2 of 5 need renewal$/);
  for (const skipped of ['keyclient\\.pem', 'proxy_key\\.pem', 'ca-key\\.pem', 'proxy\\.csr']) {
    assert.match(recursive.stderr, new RegExp(`note: block \\d in \\S*${skipped} is `), skipped);
  }
  assert.match(recursive.stderr, /note: \S*README\.txt holds no PEM block: skipped/);

  // Unreadable inputs are rows; everything else is still reported, then exit 2.
  const big = join(root, 'big');
  mkdirSync(big);
  writeFileSync(join(big, 'huge.pem'), `${'#'.repeat(4096)}\n${expired.certificatePem}`);
  const partial = await runCli([
    'expiry',
    '--max-input',
    '2KiB',
    join(tls, 'client', 'cert.pem'),
    join(root, 'missing.pem'),
    big,
  ]);
  assert.equal(partial.code, 2);
  assert.match(partial.stdout, /^RENEW .*cert\.pem#1 +CN=app$/m);
  assert.match(
    partial.stdout,
    /^UNREADABLE .*missing\.pem +cannot read \S*missing\.pem: no such file$/m,
  );
  assert.match(
    partial.stdout,
    /^UNREADABLE .*huge\.pem +cannot read \S*huge\.pem: \d+ bytes is over the 2048-byte limit$/m,
  );
  assert.match(partial.stdout, /2 inputs could not be read/);

  // Prometheus textfile-collector metrics that promtool accepts, values as openssl reads them.
  const metrics = await runCli([
    'expiry',
    '-r',
    '--format',
    'prometheus',
    tls,
    join(root, 'missing.pem'),
  ]);
  assert.equal(metrics.code, 2);
  const checked = await promtool(metrics.stdout);
  assert.equal(checked.code, 0, `${checked.output}\n${metrics.stdout}`);
  const samples = metrics.stdout
    .split('\n')
    .filter((l) => l.startsWith('certkit_certificate_expiry'));
  assert.equal(samples.length, 5);
  const proxy = samples.find((l) => l.includes('proxy_cert.pem'));
  assert.match(
    proxy ?? '',
    /\{file="[^"]*proxy_cert\.pem",index="1",subject="CN=cluster\.test",serial="[0-9a-f]+",fingerprint_sha256="[0-9A-F:]{95}"\} \d+$/,
  );
  assert.equal(
    Number(proxy?.split(' ').at(-1)),
    await opensslNotAfter(join(tls, 'proxy', 'proxy_cert.pem')),
  );
  // The subject label, unescaped as Prometheus reads it, is the subject certs shows.
  const oddLine = samples.find((l) => l.includes('say')) ?? '';
  const label = /subject="((?:[^"\\]|\\.)*)"/.exec(oddLine)?.[1] ?? '';
  const json = JSON.parse(
    (await runCli(['expiry', '--json', join(tls, 'old', 'odd.pem')])).stdout,
  ) as { certificates: { subject: string }[] };
  assert.equal(
    label.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c)),
    json.certificates[0]?.subject,
  );
  assert.match(json.certificates[0]?.subject ?? '', /\\"hi\\"/, 'quotes escaped RFC 4514 style');
  assert.match(metrics.stdout, /^certkit_expiry_input_unreadable\{file="[^"]*missing\.pem"\} 1$/m);
  // promtool is no rubber stamp: a raw quote in a label is refused.
  const broken = await promtool(
    metrics.stdout.replace('subject="CN=cluster.test"', 'subject="CN="cluster.test"'),
  );
  assert.notEqual(broken.code, 0);
});
