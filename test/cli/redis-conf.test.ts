/**
 * `certs redis-conf lint FILE` through the built binary, on files made with openssl: the human
 * report (every finding at `FILE:LINE`), exit codes 0/1/2, one JSON document, relative paths
 * resolved as redis-server resolves them, keys encrypted by openssl (PKCS#8 and legacy PEM), and
 * a tls-ca-cert-dir prepared by `openssl rehash` against one that was not.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

interface Pki {
  readonly dir: string;
  readonly ca: MadeCert;
  readonly server: MadeCert;
  readonly other: MadeCert;
}

async function pki(t: TestContext): Promise<Pki> {
  const dir = tempDir(t, 'certkit-redis-conf-');
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Redis Test CA', ca: true });
  const server = await makeCert(dir, {
    name: 'redis',
    subject: '/CN=redis.example.com',
    ca: false,
    eku: 'serverAuth,clientAuth',
    san: ['DNS:redis.example.com', 'IP:127.0.0.1'],
    issuer: ca,
  });
  const other = await makeCert(dir, { name: 'other', subject: '/CN=Other Root', ca: true });
  return { dir, ca, server, other };
}

function tlsConf(p: Pki, ...lines: string[]): string {
  return [
    'port 0',
    'tls-port 6380',
    `tls-cert-file ${p.server.cert}`,
    `tls-key-file ${p.server.key}`,
    `tls-ca-cert-file ${p.ca.cert}`,
    ...lines,
  ].join('\n');
}

interface JsonReport {
  readonly ok: boolean;
  readonly source: string;
  readonly settings: readonly { directive: string; value: string; line?: number }[];
  readonly findings: readonly { code: string; severity: string; message: string; line?: number }[];
  readonly error?: { code: string; message: string };
}

async function lint(file: string, ...args: string[]): Promise<RunResult> {
  return runCli(['redis-conf', 'lint', file, ...args]);
}

async function lintJson(file: string, ...args: string[]): Promise<JsonReport> {
  const result = await lint(file, ...args, '--json');
  assert.equal(result.stderr, '');
  return JSON.parse(result.stdout) as JsonReport;
}

const codes = (report: JsonReport): string[] =>
  report.findings.map((f) => `${f.code}@${String(f.line ?? '-')}`).sort();

void test('redis-conf lint: a clean TLS-only configuration exits 0 with one ok line', async (t) => {
  const p = await pki(t);
  const file = join(p.dir, 'redis.conf');
  writeFileSync(file, `${tlsConf(p)}\n`);
  const result = await lint(file);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /: port 0, tls-port 6380, tls-auth-clients yes \(default\)/);
  assert.equal(lines.at(-1), `${file}: ok (0 warnings)`);
});

void test('redis-conf lint: each finding as FILE:LINE: severity CODE: message, then a count; exit 1', async (t) => {
  const p = await pki(t);
  const file = join(p.dir, 'redis.conf');
  writeFileSync(
    file,
    [
      '# plain text left on',
      'tls-port 6380',
      `tls-cert-file ${p.server.cert}`,
      `tls-key-file ${p.server.key}`,
      `tls-ca-cert-file ${p.ca.cert}`,
      'tls-auth-clients optional',
      'tls-protocols "TLSv1.1 TLSv1.2"',
    ].join('\n'),
  );
  const result = await lint(file);
  assert.equal(result.code, 1);
  const lines = result.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.slice(1, -1).map((l) => /^(.+):(\d+): (\w+) (\w+): /.exec(l)?.slice(1)),
    [
      [file, '2', 'error', 'REDIS_CONF_PLAINTEXT_PORT'],
      [file, '6', 'warning', 'REDIS_CONF_AUTH_CLIENTS_OPTIONAL'],
      [file, '6', 'error', 'REDIS_CONF_NOPASS_BYPASS'],
      [file, '7', 'error', 'REDIS_CONF_OLD_TLS_VERSION'],
    ],
  );
  assert.equal(lines.at(-1), `${file}: 3 errors, 1 warning`);
});

void test('redis-conf lint --json: one document with settings and findings; on failure too', async (t) => {
  const p = await pki(t);
  const file = join(p.dir, 'redis.conf');
  writeFileSync(file, `${tlsConf(p, 'requirepass hunter2', 'tls-replication yes')}\n`);
  const report = await lintJson(file);
  assert.equal(report.ok, true);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(
    report.settings.find((s) => s.directive === 'tls-replication'),
    { directive: 'tls-replication', value: 'yes', line: 7 },
  );
  assert.deepEqual(
    report.settings.find((s) => s.directive === 'port'),
    {
      directive: 'port',
      value: '0',
      line: 1,
    },
  );
  assert.ok(!JSON.stringify(report).includes('hunter2'), 'the password is never shown');

  const key = await runCli(['redis-conf', 'lint', p.server.key, '--json']);
  assert.equal(key.code, 2);
  assert.equal(key.stderr, '');
  const refused = JSON.parse(key.stdout) as JsonReport;
  assert.equal(refused.ok, false);
  assert.equal(refused.error?.code, 'NOT_A_CONFIGURATION');
  assert.match(refused.error.message, /is a private key .*not a redis configuration/);
});

void test('redis-conf lint: no configuration, or none readable: exit 2, one line naming the file', async (t) => {
  const p = await pki(t);
  const cases: [string, string | null, RegExp][] = [
    ['empty.conf', '', /empty\.conf holds no directive/],
    ['stunnel.conf', '[redislabs]\nclient = yes\naccept = 6379\n', /is no redis configuration/],
    ['missing.conf', null, /missing\.conf/],
  ];
  for (const [name, text, says] of cases) {
    const file = join(p.dir, name);
    if (text !== null) writeFileSync(file, text);
    const result = await lint(file);
    assert.equal(result.code, 2, name);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', says);
  }
});

void test('redis-conf lint: relative paths resolve against the last dir line, else the file folder', async (t) => {
  const p = await pki(t);
  const tls = join(p.dir, 'tls');
  mkdirSync(tls);
  for (const [from, to] of [
    [p.server.cert, 'redis.pem'],
    [p.server.key, 'redis.key'],
    [p.ca.cert, 'ca.pem'],
  ] as const)
    copyFileSync(from, join(tls, to));
  const relative = ['tls-cert-file redis.pem', 'tls-key-file redis.key', 'tls-ca-cert-file ca.pem'];
  // With dir: against it (redis-server changes into it while it reads the file).
  const withDir = join(p.dir, 'with-dir.conf');
  writeFileSync(withDir, ['port 0', 'tls-port 6380', `dir ${tls}`, ...relative].join('\n'));
  assert.deepEqual(codes(await lintJson(withDir)), [
    'REDIS_CONF_RELATIVE_PATH@4',
    'REDIS_CONF_RELATIVE_PATH@5',
    'REDIS_CONF_RELATIVE_PATH@6',
  ]);
  // Without dir: against the file's folder, which holds no redis.key.
  const withoutDir = join(p.dir, 'without-dir.conf');
  writeFileSync(withoutDir, ['port 0', 'tls-port 6380', ...relative].join('\n'));
  const report = await lintJson(withoutDir);
  assert.ok(codes(report).includes('REDIS_CONF_FILE_UNREADABLE@4'), codes(report).join(' '));
});

void test('redis-conf lint: keys encrypted by openssl need their tls-key-file-pass', async (t) => {
  const p = await pki(t);
  const variants: [string, string[]][] = [
    ['pkcs8', ['pkey', '-in', p.server.key, '-aes-256-cbc', '-passout', 'pass:s3cret']],
    ['legacy', ['ec', '-in', p.server.key, '-aes256', '-passout', 'pass:s3cret']],
  ];
  for (const [name, args] of variants) {
    const key = join(p.dir, `${name}.key`);
    const made = await openssl([...args, '-out', key]);
    assert.equal(made.code, 0, made.stderr);
    const conf = (...lines: string[]): string =>
      [
        'port 0',
        'tls-port 6380',
        `tls-cert-file ${p.server.cert}`,
        `tls-key-file ${key}`,
        `tls-ca-cert-file ${p.ca.cert}`,
        ...lines,
      ].join('\n');
    const file = join(p.dir, `${name}.conf`);
    writeFileSync(file, conf());
    assert.deepEqual(codes(await lintJson(file)), ['REDIS_CONF_KEY_ENCRYPTED@4'], name);
    writeFileSync(file, conf('tls-key-file-pass s3cret'));
    assert.deepEqual(codes(await lintJson(file)), [], name);
    writeFileSync(file, conf('tls-key-file-pass wrong'));
    assert.deepEqual(codes(await lintJson(file)), ['REDIS_CONF_KEY_ENCRYPTED@4'], name);
  }
});

void test('redis-conf lint: tls-ca-cert-dir made by openssl rehash is clean; without links, or stale, it is not', async (t) => {
  const p = await pki(t);
  const folder = (name: string): string => {
    const path = join(p.dir, name);
    mkdirSync(path);
    copyFileSync(p.ca.cert, join(path, 'ca.pem'));
    copyFileSync(p.other.cert, join(path, 'other.pem'));
    return path;
  };
  const conf = (dir: string): string => {
    const file = join(p.dir, `${dir}.conf`);
    writeFileSync(
      file,
      [
        'port 0',
        'tls-port 6380',
        `tls-cert-file ${p.server.cert}`,
        `tls-key-file ${p.server.key}`,
        `tls-ca-cert-dir ${join(p.dir, dir)}`,
      ].join('\n'),
    );
    return file;
  };
  const rehashed = folder('rehashed');
  const rehash = await openssl(['rehash', rehashed]);
  assert.equal(rehash.code, 0, rehash.stderr);
  assert.deepEqual(codes(await lintJson(conf('rehashed'))), []);

  folder('plain');
  const plain = await lintJson(conf('plain'));
  assert.deepEqual(codes(plain), ['REDIS_CONF_CA_DIR_NOT_HASHED@5']);
  assert.match(plain.findings[0]?.message ?? '', /holds 2 certificates but no <hash>\.0 names/);

  // A certificate replaced behind its link: the link keeps the old hash's name; neither the new
  // certificate nor the old one (kept aside) is found under a name of its own.
  const stale = folder('stale');
  assert.equal((await openssl(['rehash', stale])).code, 0);
  renameSync(join(stale, 'other.pem'), join(stale, 'other.old'));
  copyFileSync(p.server.cert, join(stale, 'other.pem'));
  assert.deepEqual(codes(await lintJson(conf('stale'))), [
    'REDIS_CONF_CA_DIR_NOT_HASHED@5',
    'REDIS_CONF_CA_DIR_NOT_HASHED@5',
    'REDIS_CONF_CA_DIR_STALE_LINK@5',
  ]);
});

void test('redis-conf lint: control characters from the file reach the terminal escaped', async (t) => {
  const p = await pki(t);
  const file = join(p.dir, 'evil.conf');
  writeFileSync(
    file,
    `${tlsConf(p, 'include "/etc/\\x1b]0;pwned\\x07x.conf"', 'tls-\u001b[2Jx yes')}\n`,
  );
  const result = await lint(file);
  assert.equal(result.code, 0, result.stdout);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  assert.match(result.stdout, /\\x1b\]0;pwned\\x07/);
});
