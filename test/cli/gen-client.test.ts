/** Issue 2: `certs gen-client` file safety, bad input, --json, help and version. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runCli, BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const FAST = ['--key-type', 'ec'];

test('issue 2: key is 0600 and certificate 0644 even under umask 000', async (t) => {
  const dir = tempDir(t);
  // A shell sets the umask for the process it starts: the real situation, not a mock.
  const result = await run('sh', [
    '-c',
    `umask 000 && exec "${process.execPath}" "${BIN}" gen-client --out "${dir}" --cn app --key-type ec`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(statSync(join(dir, 'keyclient.pem')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'cert.pem')).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(dir).sort(), ['cert.pem', 'keyclient.pem']);
});

test('issue 2: an existing file is refused without --force, left byte-identical, and neither file is written', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'cert.pem'), 'precious\n');
  const result = await runCli(['gen-client', '--out', dir, '--cn', 'app', ...FAST]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    /^certs: .*cert\.pem already exists \(nothing was written\); use --force to replace$/m,
  );
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.equal(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'precious\n');
  assert.deepEqual(readdirSync(dir), ['cert.pem']);
});

test('issue 2: --force replaces both files and leaves no temporary file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'cert.pem'), 'old\n');
  writeFileSync(join(dir, 'keyclient.pem'), 'old\n', { mode: 0o644 });
  const result = await runCli(['gen-client', '--out', dir, '--cn', 'app', '--force', ...FAST]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(readFileSync(join(dir, 'cert.pem'), 'utf8'), /BEGIN CERTIFICATE/);
  assert.match(readFileSync(join(dir, 'keyclient.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
  assert.equal(statSync(join(dir, 'keyclient.pem')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['cert.pem', 'keyclient.pem']);
});

test('issue 2: --out creates the folder, --key-file/--cert-file rename the files', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'client');
  const result = await runCli([
    'gen-client',
    '--out',
    out,
    '--cn',
    'app',
    '--key-file',
    'k.pem',
    '--cert-file',
    'c.pem',
    ...FAST,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['c.pem', 'k.pem']);
  assert.match(
    result.stdout,
    /Paste .*c\.pem into the database's "SSL client authentication" field/,
  );
  assert.match(result.stdout, /sha256 +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
});

interface BadCase {
  readonly name: string;
  readonly args: readonly string[];
  readonly message: RegExp;
}

const BAD: readonly BadCase[] = [
  {
    name: '--bits 1024 is too weak',
    args: ['--cn', 'a', '--bits', '1024'],
    message: /1024 bits are too weak/,
  },
  {
    name: '--bits 1000 is not a size',
    args: ['--cn', 'a', '--bits', '1000'],
    message: /too weak|2048, 3072 or 4096/,
  },
  {
    name: '--bits 8192 is not offered',
    args: ['--cn', 'a', '--bits', '8192'],
    message: /must be 2048, 3072 or 4096/,
  },
  {
    name: '--days 0',
    args: ['--cn', 'a', '--days', '0'],
    message: /days must be a whole number from 1 to 36500, got 0/,
  },
  {
    name: '--days 36501',
    args: ['--cn', 'a', '--days', '36501'],
    message: /days must be a whole number/,
  },
  {
    name: '--days abc',
    args: ['--cn', 'a', '--days', 'abc'],
    message: /days must be a whole number/,
  },
  {
    name: '--days 1.5',
    args: ['--cn', 'a', '--days', '1.5'],
    message: /days must be a whole number/,
  },
  {
    name: '--curve P-999',
    args: ['--cn', 'a', '--key-type', 'ec', '--curve', 'P-999'],
    message: /invalid value for --curve/,
  },
  {
    name: 'a flag without its value',
    args: ['--cn', 'a', '--bits'],
    message: /not enough arguments following: bits/,
  },
  {
    name: 'unknown flag',
    args: ['--cn', 'a', '--frobnicate'],
    message: /unknown option --frobnicate$/,
  },
  { name: 'no subject, no terminal', args: [], message: /give the subject with --cn/ },
  { name: 'subject without CN', args: ['--subject', '/O=Acme'], message: /subject has no CN/ },
  {
    name: 'subject in the wrong form',
    args: ['--subject', 'CN=app'],
    message: /subject must look like/,
  },
  {
    name: 'country of three letters',
    args: ['--subject', '/C=USA/CN=app'],
    message: /two-letter country code/,
  },
  {
    name: '--cn and --subject together',
    args: ['--cn', 'a', '--subject', '/CN=b'],
    message: /^certs: --cn a cannot go with --subject: both give the subject/,
  },
  {
    name: 'pkcs1 with an EC key',
    args: ['--cn', 'a', '--key-type', 'ec', '--key-format', 'pkcs1'],
    message: /pkcs1 is for RSA keys only/,
  },
  {
    name: 'CN longer than 64',
    args: ['--cn', 'x'.repeat(65)],
    message: /longer than 64 characters/,
  },
  {
    name: '--key that does not exist',
    args: ['--cn', 'a', '--key', 'no-such-key.pem'],
    message: /cannot read no-such-key\.pem: no such file/,
  },
];

for (const row of BAD) {
  test(`issue 2: bad input → exit 2, one line, nothing written: ${row.name}`, async (t) => {
    const dir = tempDir(t);
    const result = await runCli(['gen-client', '--out', dir, ...row.args], { cwd: dir });
    assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
    assert.equal(result.stdout, '');
    const first = result.stderr.split('\n')[0] ?? '';
    assert.match(first, /^certs: /);
    assert.match(first, row.message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(result.stderr, /Options:|Examples:/, 'no help text dumped');
    assert.deepEqual(readdirSync(dir), []);
  });
}

test('issue 2: an unwritable --out is exit 2 with one line and nothing written', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  // As root, permission bits do not stop writes: a path through a regular file does, for anyone.
  for (const out of [join(file, 'sub'), '/proc/certkit-cannot-write-here']) {
    const result = await runCli(['gen-client', '--out', out, '--cn', 'a', ...FAST]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(
      result.stderr,
      /^certs: cannot [a-z ]+ \S+: (a parent is not a directory|not a directory|no such file)/,
    );
  }
  assert.deepEqual(readdirSync(dir), ['a-file']);
});

test('issue 2: --json prints exactly one JSON document, on success and on failure', async (t) => {
  const dir = tempDir(t);
  const ok = await runCli(['gen-client', '--out', dir, '--cn', 'app', '--json', ...FAST]);
  assert.equal(ok.code, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout) as Record<string, unknown>;
  assert.equal(doc.ok, true);
  assert.deepEqual(Object.keys(doc).sort(), ['certificate', 'certificatePem', 'files', 'ok']);
  assert.doesNotMatch(ok.stdout, /PRIVATE KEY/, 'the key never goes to stdout');
  const failed = await runCli(['gen-client', '--out', dir, '--cn', 'app', '--json', ...FAST]);
  assert.equal(failed.code, 2);
  const error = JSON.parse(failed.stdout) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.deepEqual(error.ok, false);
  assert.equal(error.error.code, 'FILE_EXISTS');
});

test('issue 2: help shows examples and exit codes; --version prints the version', async () => {
  for (const args of [['--help'], ['gen-client', '--help']]) {
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Examples:/);
    assert.match(
      result.stdout,
      /EXIT CODES\n {2}0 +success\n {2}1 +a check ran and found an error\n {2}2 +the command could not run/,
    );
    assert.match(result.stdout, /certs gen-client --out client --cn app/);
  }
  const pkg = JSON.parse(
    readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), pkg.version);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^certs: name a command/);
});
