/**
 * Issue 8, files and secrets: keys 0600 under any umask, no key through a symbolic link without
 * --force nor into a folder others can write to (issue 13: nor one its group can write to), stale temporary files of killed writers cleaned,
 * keys encrypted on request (read back by openssl), --max-input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';

const FAST = ['--key-type', 'ec', '--cn', 'app'];

const UMASKS = [
  { name: 'umask 000 (everything allowed)', umask: '000' },
  { name: 'umask 022 (the usual)', umask: '022' },
  { name: 'umask 077 (strict)', umask: '077' },
  { name: 'umask 002 (user private groups)', umask: '002' },
];

for (const row of UMASKS) {
  void test(`issue 8: key 0600 and certificate 0644 under ${row.name}`, async (t) => {
    const dir = tempDir(t);
    // A shell sets the umask of the process it starts: the real situation, not a mock.
    const result = await run('sh', [
      '-c',
      `umask ${row.umask} && exec "${process.execPath}" "${BIN}" gen-client --out "${dir}/out" ${FAST.join(' ')}`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(join(dir, 'out', 'keyclient.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'out', 'cert.pem')).mode & 0o777, 0o644);
  });
}

void test('issue 8: a key path that is a symbolic link is refused; --force replaces the link, never its target', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'elsewhere.pem');
  writeFileSync(target, 'the link target\n');
  const out = join(dir, 'out');
  mkdirSync(out);
  symlinkSync(target, join(out, 'keyclient.pem'));
  const refused = await runCli(['gen-client', '--out', out, ...FAST]);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /^certs: .*keyclient\.pem is a symbolic link; refusing to write a private key through it/,
  );
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  assert.deepEqual(readdirSync(out), ['keyclient.pem']);

  const forced = await runCli(['gen-client', '--out', out, '--force', ...FAST]);
  assert.equal(forced.code, 0, forced.stderr);
  const key = join(out, 'keyclient.pem');
  assert.equal(statSync(key).isFile(), true);
  assert.match(readFileSync(key, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(readFileSync(target, 'utf8'), 'the link target\n');
});

void test('issue 8: a dangling symbolic link at the key path is refused, and nothing is created at its target', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out');
  mkdirSync(out);
  symlinkSync(join(dir, 'nowhere.pem'), join(out, 'keyclient.pem'));
  const refused = await runCli(['gen-client', '--out', out, ...FAST]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /symbolic link/);
  assert.equal(existsSync(join(dir, 'nowhere.pem')), false);
});

const FOLDERS = [
  { name: 'world-writable folder (0777)', mode: 0o777, who: 'its group and other users' },
  {
    name: 'world-writable sticky folder like /tmp (1777)',
    mode: 0o1777,
    who: 'its group and other users',
  },
  { name: 'group-writable folder (0775, as umask 002 makes)', mode: 0o775, who: 'its group' },
];

for (const row of FOLDERS) {
  // Issue 13 tightened issue 8's rule to ssh StrictModes': group-writable folders are refused
  // too, and --force no longer overrides it (it replaces files; it does not make a folder safe).
  void test(`issue 8, 13: a key is not written into a ${row.name}, with or without --force`, async (t) => {
    const dir = tempDir(t);
    const out = join(dir, 'out');
    mkdirSync(out);
    chmodSync(out, row.mode);
    for (const force of [[], ['--force']]) {
      const refused = await runCli(['gen-client', '--out', out, ...force, ...FAST]);
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        new RegExp(
          `^certs: refusing to write .*keyclient\\.pem: its folder .*out is writable by ${row.who} \\(mode ${row.mode.toString(8).padStart(4, '0')}\\)`,
        ),
      );
      assert.equal(refused.stderr.trim().split('\n').length, 1);
      assert.deepEqual(readdirSync(out), []);
    }
    chmodSync(out, 0o700);
    const fixed = await runCli(['gen-client', '--out', out, ...FAST]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['cert.pem', 'keyclient.pem']);
  });
}

/** A pid that no longer runs: a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

void test('issue 8: stale temporary files of a killed writer are removed by the next write; a live writer’s and unrelated files are kept', async (t) => {
  const dir = tempDir(t);
  const dead = deadPid();
  const files = {
    staleKey: `.keyclient.pem.${String(dead)}.0123456789ab.tmp`,
    staleCert: `.cert.pem.${String(dead)}.ba9876543210.tmp`,
    live: `.keyclient.pem.${String(process.pid)}.aaaaaaaaaaaa.tmp`,
    otherName: `.other.pem.${String(dead)}.0123456789ab.tmp`,
    notOurs: `.keyclient.pem.backup`,
  };
  for (const name of Object.values(files)) writeFileSync(join(dir, name), 'x', { mode: 0o600 });
  const result = await runCli(['gen-client', '--out', dir, ...FAST]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    readdirSync(dir).sort(),
    ['cert.pem', 'keyclient.pem', files.live, files.otherName, files.notOurs].sort(),
  );
});

void test('issue 8: --passphrase-file encrypts the key as PKCS#8 with scrypt + AES-256-CBC; openssl reads it back', async (t) => {
  const dir = tempDir(t);
  const pass = join(dir, 'key.pass');
  writeFileSync(pass, 'correct horse battery staple\n');
  const made = await runCli(['gen-client', '--out', dir, '--passphrase-file', pass, ...FAST]);
  assert.equal(made.code, 0, made.stderr);
  const key = join(dir, 'keyclient.pem');
  assert.match(readFileSync(key, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  const structure = await openssl(['asn1parse', '-in', key]);
  assert.equal(structure.code, 0, structure.stderr);
  for (const part of [':PBES2', ':scrypt', ':aes-256-cbc'])
    assert.ok(structure.stdout.includes(part), part);
  // The key in the file is the key of the certificate: openssl derives the same public key.
  const fromKey = await openssl(['pkey', '-in', key, '-passin', `file:${pass}`, '-pubout']);
  assert.equal(fromKey.code, 0, fromKey.stderr);
  const fromCert = await openssl(['x509', '-in', join(dir, 'cert.pem'), '-noout', '-pubkey']);
  assert.equal(fromKey.stdout, fromCert.stdout);
  const wrong = await openssl(['pkey', '-in', key, '-passin', 'pass:wrong', '-noout']);
  assert.notEqual(wrong.code, 0);
});

void test('issue 8: an encrypted key is read with --passphrase-file, and refused clearly without it or with a wrong one', async (t) => {
  const dir = tempDir(t);
  const pass = join(dir, 'key.pass');
  writeFileSync(pass, 's3cret\n');
  const wrongPass = join(dir, 'wrong.pass');
  writeFileSync(wrongPass, 'not it\n');
  // An encrypted key made by openssl itself, the default PBKDF2 flavour.
  const key = join(dir, 'key.pem');
  const made = await openssl([
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-aes-256-cbc',
    '-pass',
    `file:${pass}`,
    '-out',
    key,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const body = readFileSync(key, 'utf8').split('\n')[1] ?? '';

  const rows = [
    {
      name: 'no passphrase',
      extra: [],
      code: 2,
      message: /key\.pem holds an encrypted private key; give its passphrase/,
    },
    {
      name: 'wrong passphrase',
      extra: ['--passphrase-file', wrongPass],
      code: 2,
      message: /cannot decrypt the private key in .*key\.pem: wrong passphrase/,
    },
    { name: 'right passphrase', extra: ['--passphrase-file', pass], code: 0, message: /^$/ },
  ];
  for (const row of rows) {
    const out = join(dir, row.name.replace(/ /g, '-'));
    const result = await runCli([
      'gen-client',
      '--out',
      out,
      '--key',
      key,
      '--cn',
      'app',
      ...row.extra,
    ]);
    assert.equal(result.code, row.code, `${row.name}: ${result.stderr}`);
    assert.match(result.stderr, row.message, row.name);
    assert.ok(
      !(result.stdout + result.stderr).includes(body.slice(0, 24)),
      `${row.name}: key echoed`,
    );
    assert.equal(existsSync(out), row.code === 0, row.name);
  }
});

void test('issue 8: bad passphrase requests are refused before anything is written', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'empty.pass'), '\n');
  writeFileSync(join(dir, 'key.pass'), 'pw\n');
  const rows = [
    {
      name: 'empty passphrase file',
      args: ['--new-passphrase-file', join(dir, 'empty.pass'), ...FAST],
      message: /empty\.pass holds an empty passphrase/,
    },
    {
      name: 'missing passphrase file',
      args: ['--new-passphrase-file', join(dir, 'none.pass'), ...FAST],
      message: /none\.pass: no such file/,
    },
    {
      name: 'pkcs1 cannot be encrypted',
      args: [
        '--new-passphrase-file',
        join(dir, 'key.pass'),
        '--key-format',
        'pkcs1',
        '--bits',
        '2048',
        '--cn',
        'app',
      ],
      message: /an encrypted key is written as PKCS#8/,
    },
  ];
  for (const row of rows) {
    const out = join(dir, 'out');
    const result = await runCli(['gen-client', '--out', out, ...row.args]);
    assert.equal(result.code, 2, row.name);
    assert.match(result.stderr, row.message, row.name);
    // One line, and for a usage error the pointer to the command's help.
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.filter((l) => !l.startsWith("run 'certs ")).length, 1, row.name);
    assert.equal(existsSync(out), false, row.name);
  }
});

void test('issue 8: --max-input caps what is read, and a bad size is a usage error', async (t) => {
  const dir = tempDir(t);
  const key = join(dir, 'key.pem');
  const made = await openssl([
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const size = statSync(key).size;
  const rows = [
    {
      name: 'one byte under the file',
      limit: String(size - 1),
      code: 2,
      message: new RegExp(
        `key\\.pem: ${String(size)} bytes is over the ${String(size - 1)}-byte limit`,
      ),
    },
    { name: 'exactly the file', limit: String(size), code: 0, message: /^$/ },
    { name: 'with a unit', limit: '1KiB', code: 0, message: /^$/ },
    {
      name: 'not a size',
      limit: '10XB',
      code: 2,
      message: /invalid value for --max-input: "10XB"/,
    },
    { name: 'zero', limit: '0', code: 2, message: /invalid value for --max-input/ },
  ];
  for (const row of rows) {
    const out = join(dir, `out-${row.name.replace(/ /g, '-')}`);
    const result = await runCli([
      'gen-client',
      '--out',
      out,
      '--key',
      key,
      '--cn',
      'app',
      '--max-input',
      row.limit,
    ]);
    assert.equal(result.code, row.code, `${row.name}: ${result.stderr}`);
    assert.match(result.stderr.split('\n')[0] ?? '', row.message, row.name);
    assert.equal(existsSync(out), row.code === 0, row.name);
  }
});
