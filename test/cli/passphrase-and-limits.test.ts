/**
 * Issue 8: every command that reads a private key takes an encrypted one with
 * `--passphrase-file`, and refuses it with one line (exit 2) without the passphrase or with a
 * wrong one; every command that reads files honours `--max-input`.
 *
 * Keys are encrypted by openssl (`pkcs8 -topk8 -v2 aes-256-cbc`, and the legacy PEM
 * `Proc-Type`/`DEK-Info` form of `openssl ec -aes256`), independently of the code under test;
 * results are checked with openssl, node:crypto and a real TLS redis-server.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const PASSPHRASE = 'secret';
const CLUSTER = 'c.example.com';

interface Pki {
  readonly dir: string;
  readonly root: MadeCert;
  /** A self-signed client identity (CA:FALSE, clientAuth), as gen-client makes. */
  readonly client: MadeCert;
  /** A server certificate for CLUSTER issued by root. */
  readonly proxy: MadeCert;
  /** Encrypted copies of the keys above, by form. */
  readonly encrypted: Readonly<Record<'root' | 'client' | 'proxy', Record<KeyForm, string>>>;
  readonly pass: string;
  readonly wrongPass: string;
}

type KeyForm = 'pkcs8' | 'legacy';
const FORMS: readonly KeyForm[] = ['pkcs8', 'legacy'];

let pki: Pki;
let workDir = '';

async function must(args: readonly string[]): Promise<void> {
  const result = await openssl(args);
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'certkit-passphrase-'));
  const root = await makeCert(workDir, {
    name: 'root',
    subject: '/CN=Passphrase Root',
    ca: true,
    days: 3650,
  });
  const client = await makeCert(workDir, {
    name: 'client',
    subject: '/CN=passphrase client',
    ca: false,
    eku: 'clientAuth',
  });
  const proxy = await makeCert(workDir, {
    name: 'proxy',
    subject: `/CN=${CLUSTER}`,
    issuer: root,
    ca: false,
    keyUsage: 'critical, digitalSignature, keyEncipherment',
    eku: 'serverAuth, clientAuth',
    san: [`DNS:${CLUSTER}`, `DNS:*.${CLUSTER}`, `DNS:internal.${CLUSTER}`],
  });
  const pass = join(workDir, 'key.pass');
  const wrongPass = join(workDir, 'wrong.pass');
  writeFileSync(pass, `${PASSPHRASE}\n`);
  writeFileSync(wrongPass, 'not-the-passphrase\n');
  const encrypted = {
    root: await encrypt(root.key),
    client: await encrypt(client.key),
    proxy: await encrypt(proxy.key),
  };
  pki = { dir: workDir, root, client, proxy, encrypted, pass, wrongPass };
});

/** Encrypts an EC key with openssl in both forms readers meet: PKCS#8 and legacy PEM. */
async function encrypt(key: string): Promise<Record<KeyForm, string>> {
  const pkcs8 = key.replace(/\.pem$/, '-enc-pkcs8.pem');
  const legacy = key.replace(/\.pem$/, '-enc-legacy.pem');
  const passout = ['-passout', `pass:${PASSPHRASE}`];
  await must(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', key, '-out', pkcs8, ...passout]);
  // `openssl ec -aes256` writes a traditional EC PRIVATE KEY with Proc-Type and DEK-Info headers.
  await must(['ec', '-aes256', '-in', key, '-out', legacy, ...passout]);
  return { pkcs8, legacy };
}

after(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

/** Asserts the one-line refusal every command gives for input it cannot use. */
function assertRefused(result: RunResult, name: string, file: string, problem: RegExp): void {
  assert.equal(result.code, 2, `${name}: exit code\n${result.stderr}`);
  assert.equal(result.stdout, '', `${name}: nothing on stdout`);
  const lines = result.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `${name}: one line on stderr, got\n${result.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^certs: /, name);
  assert.ok(line.includes(file), `${name}: the message names ${file}: ${line}`);
  assert.match(line, problem, name);
  assert.doesNotMatch(
    result.stderr,
    /\n\s+at |BEGIN|PRIVATE KEY-----/,
    `${name}: no stack, no key`,
  );
}

/** Nothing was written into `out` (missing or empty). */
function assertNothingWritten(out: string, name: string): void {
  assert.ok(!existsSync(out) || readdirSync(out).length === 0, `${name}: nothing written`);
}

/** One command that reads a private key, with that key given. */
interface KeyRow {
  readonly name: string;
  /** Which encrypted key the command reads. */
  readonly key: 'root' | 'client' | 'proxy';
  readonly argv: (key: string, out: string) => Promise<string[]> | string[];
  /** Checks a run with the right passphrase did the work (beyond exit 0). */
  readonly verify: (result: RunResult, out: string, key: string) => Promise<void> | void;
  /** Exit code with the right passphrase: 0, or 1 for a check with findings. */
  readonly okCodes?: readonly number[];
}

function stunnelConfig(dir: string, key: string): string {
  const path = join(dir, 'lint.conf');
  writeFileSync(
    path,
    [
      'pid =',
      '[redislabs]',
      'client = yes',
      'accept = 127.0.0.1:6380',
      `connect = redis-12000.${CLUSTER}:12000`,
      `cert = ${pki.client.cert}`,
      `key = ${key}`,
      `CAfile = ${pki.root.cert}`,
      'verifyChain = yes',
      `checkHost = redis-12000.${CLUSTER}`,
      `sni = redis-12000.${CLUSTER}`,
      'sslVersionMin = TLSv1.2',
      'delay = yes',
      '',
    ].join('\n'),
  );
  return path;
}

function parseJson(result: RunResult, name: string): Record<string, unknown> {
  assert.doesNotThrow(() => JSON.parse(result.stdout) as unknown, `${name}: one JSON document`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const KEY_ROWS: readonly KeyRow[] = [
  {
    name: 'gen-intermediate --ca-key',
    key: 'root',
    argv: (key, out) => [
      'gen-intermediate',
      '--ca',
      pki.root.cert,
      '--ca-key',
      key,
      '--cn',
      'Passphrase Issuing',
      '--key-type',
      'ec',
      '--out',
      out,
    ],
    verify: async (_r, out) => {
      const made = join(out, 'intermediate.pem');
      const check = await openssl(['verify', '-CAfile', pki.root.cert, made]);
      assert.equal(check.code, 0, `openssl verify: ${check.stderr}`);
    },
  },
  {
    name: 'issue --ca-key',
    key: 'root',
    argv: (key, out) => [
      'issue',
      '--ca',
      pki.root.cert,
      '--ca-key',
      key,
      '--cluster',
      CLUSTER,
      '--key-type',
      'ec',
      '--out',
      out,
    ],
    verify: async (_r, out) => {
      const check = await openssl([
        'verify',
        '-CAfile',
        pki.root.cert,
        join(out, 'proxy_cert.pem'),
      ]);
      assert.equal(check.code, 0, `openssl verify: ${check.stderr}`);
    },
  },
  {
    name: 'check --key (the certificate key)',
    key: 'proxy',
    argv: (key) => ['check', '--cluster', CLUSTER, pki.proxy.cert, '--key', key, '--json'],
    okCodes: [0, 1],
    verify: (result) => {
      const codes = JSON.stringify(parseJson(result, 'check'));
      assert.doesNotMatch(codes, /KEY_MISMATCH/, 'the decrypted key matches');
    },
  },
  {
    name: 'check --key (another key: the decrypted key is really compared)',
    key: 'client',
    argv: (key) => ['check', '--cluster', CLUSTER, pki.proxy.cert, '--key', key, '--json'],
    okCodes: [1],
    verify: (result) => {
      assert.match(JSON.stringify(parseJson(result, 'check')), /"code":"KEY_MISMATCH"/);
    },
  },
  {
    name: 'renew-client --key (new key, encrypted like the old one)',
    key: 'client',
    argv: (key, out) => ['renew-client', '--cert', pki.client.cert, '--key', key, '--out', out],
    verify: async (_r, out) => {
      const newKey = join(out, 'keyclient.pem');
      assert.match(readFileSync(newKey, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      const read = await openssl([
        'pkey',
        '-in',
        newKey,
        '-passin',
        `pass:${PASSPHRASE}`,
        '-noout',
      ]);
      assert.equal(read.code, 0, `openssl pkey reads the renewed key: ${read.stderr}`);
      const renewed = new X509Certificate(readFileSync(join(out, 'cert.pem')));
      const old = new X509Certificate(readFileSync(pki.client.cert));
      assert.equal(renewed.subject, old.subject);
      assert.ok(
        renewed.checkPrivateKey(
          createPrivateKey({ key: readFileSync(newKey), passphrase: PASSPHRASE }),
        ),
      );
    },
  },
  {
    name: 'renew-client --key --reuse-key',
    key: 'client',
    argv: (key, out) => [
      'renew-client',
      '--cert',
      pki.client.cert,
      '--key',
      key,
      '--reuse-key',
      '--out',
      out,
    ],
    verify: (_r, out, key) => {
      const renewed = new X509Certificate(readFileSync(join(out, 'cert.pem')));
      assert.ok(
        renewed.checkPrivateKey(
          createPrivateKey({ key: readFileSync(key), passphrase: PASSPHRASE }),
        ),
      );
    },
  },
  {
    name: 'stunnel --key',
    key: 'client',
    argv: (key, out) => [
      'stunnel',
      '--cert',
      pki.client.cert,
      '--key',
      key,
      '--cafile',
      pki.root.cert,
      '--connect',
      `redis-12000.${CLUSTER}:12000`,
      '--out',
      join(out, 's.conf'),
    ],
    verify: (_r, out, key) => {
      assert.match(readFileSync(join(out, 's.conf'), 'utf8'), new RegExp(`^key = ${key}$`, 'm'));
    },
  },
  {
    name: 'stunnel lint (the key the configuration names)',
    key: 'client',
    argv: (key, out) => ['stunnel', 'lint', stunnelConfig(out, key), '--no-probe', '--json'],
    verify: (result) => {
      const report = parseJson(result, 'lint');
      assert.equal(report.ok, true, result.stdout);
      assert.doesNotMatch(result.stdout, /STUNNEL_KEY_MISMATCH|STUNNEL_FILE_INVALID/);
    },
  },
];

/** A fresh output folder; stunnel lint writes its configuration there first. */
function outFor(t: TestContext, row: KeyRow): string {
  const dir = tempDir(t);
  return row.name.startsWith('stunnel lint') ? dir : join(dir, 'out');
}

for (const form of FORMS) {
  for (const row of KEY_ROWS) {
    test(`issue 8: ${row.name}, ${form} encrypted key: works with --passphrase-file`, async (t) => {
      const key = pki.encrypted[row.key][form];
      const out = outFor(t, row);
      const result = await runCli([...(await row.argv(key, out)), '--passphrase-file', pki.pass]);
      assert.ok(
        (row.okCodes ?? [0]).includes(result.code ?? -1),
        `exit ${String(result.code)}\n${result.stderr}`,
      );
      assert.doesNotMatch(result.stdout + result.stderr, /PRIVATE KEY-----/, 'no key echoed');
      await row.verify(result, out, key);
    });
  }
}

const FAILURES = [
  {
    name: 'without --passphrase-file',
    extra: [] as string[],
    problem: /encrypted/,
    code: 'KEY_ENCRYPTED',
  },
  {
    name: 'with a wrong passphrase',
    extra: ['--passphrase-file'],
    problem: /wrong passphrase/,
    code: 'KEY_ENCRYPTED',
  },
];

test('issue 14: stunnel lint of a configuration whose key is encrypted, without --passphrase-file: a warning, the key not checked, exit 0', async (t) => {
  const key = pki.encrypted.client.pkcs8;
  const result = await runCli([
    'stunnel',
    'lint',
    stunnelConfig(tempDir(t), key),
    '--no-probe',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stdout);
  const report = parseJson(result, 'lint') as {
    ok: boolean;
    findings: { code: string; severity: string }[];
  };
  assert.deepEqual(
    report.findings.filter((f) => f.code === 'STUNNEL_KEY_ENCRYPTED').map((f) => f.severity),
    ['warning', 'info'],
  );
  assert.doesNotMatch(result.stdout, /STUNNEL_KEY_MISMATCH|PRIVATE KEY-----/);
});

for (const failure of FAILURES) {
  for (const row of KEY_ROWS) {
    // Lint reports an encrypted key it cannot open as a finding (the test above); a wrong
    // passphrase still cannot be carried out.
    if (row.name.startsWith('stunnel lint') && failure.extra.length === 0) continue;
    test(`issue 8: ${row.name}, encrypted key ${failure.name}: exit 2, one line, nothing written`, async (t) => {
      const key = pki.encrypted[row.key].pkcs8;
      const extra = failure.extra.length === 0 ? [] : [...failure.extra, pki.wrongPass];
      for (const json of [false, true]) {
        const name = `${row.name} ${failure.name}${json ? ' --json' : ''}`;
        const out = outFor(t, row);
        const argv = (await row.argv(key, out)).filter((a) => a !== '--json');
        const result = await runCli([...argv, ...extra, ...(json ? ['--json'] : [])]);
        if (json) {
          assert.equal(result.code, 2, `${name}\n${result.stderr}`);
          assert.equal(result.stderr, '', `${name}: nothing on stderr`);
          const doc = parseJson(result, name) as {
            ok: boolean;
            error: { code: string; message: string };
          };
          assert.equal(doc.ok, false, name);
          assert.equal(doc.error.code, failure.code, name);
          assert.ok(doc.error.message.includes(key), `${name}: names ${key}`);
        } else {
          assertRefused(result, name, key, failure.problem);
        }
        if (!row.name.startsWith('stunnel lint')) assertNothingWritten(out, name);
      }
    });
  }
}

test('issue 8: check --client-key, encrypted: the decrypted identity is accepted by a real TLS redis-server (PING)', async (t) => {
  const dir = tempDir(t);
  // The server trusts the self-signed client certificate itself, and asks for it.
  const redis = await startRedisTls(t, {
    dir,
    certFile: pki.proxy.cert,
    keyFile: pki.proxy.key,
    caFile: pki.client.cert,
  });
  const endpoint = `127.0.0.1:${String(redis.port)}`;
  const base = [
    'check',
    '--cluster',
    CLUSTER,
    '--endpoint',
    endpoint,
    '--sni',
    `redis-12000.${CLUSTER}`,
    '--client-cert',
    pki.client.cert,
  ];
  const rows = [
    { name: 'pkcs8 with --passphrase-file', key: pki.encrypted.client.pkcs8, pass: pki.pass },
    { name: 'legacy with --passphrase-file', key: pki.encrypted.client.legacy, pass: pki.pass },
    { name: 'plain key (control)', key: pki.client.key, pass: undefined },
  ];
  for (const row of rows) {
    const result = await runCli([
      ...base,
      '--client-key',
      row.key,
      ...(row.pass === undefined ? [] : ['--passphrase-file', row.pass]),
      '--json',
    ]);
    assert.ok(result.code === 0 || result.code === 1, `${row.name}: ${result.stderr}`);
    const doc = parseJson(result, row.name) as { live?: { ping?: { accepted: boolean } } };
    assert.equal(doc.live?.ping?.accepted, true, `${row.name}: PING accepted\n${result.stdout}`);
  }
  // The server really checks the identity: another client's key is refused.
  const other = await runCli([
    ...base.slice(0, -1),
    pki.proxy.cert,
    '--client-key',
    pki.encrypted.proxy.pkcs8,
    '--passphrase-file',
    pki.pass,
    '--json',
  ]);
  const doc = parseJson(other, 'other') as { live?: { ping?: { accepted: boolean } } };
  assert.equal(doc.live?.ping?.accepted, false, other.stdout);
  for (const failure of FAILURES) {
    const key = pki.encrypted.client.pkcs8;
    const result = await runCli([
      ...base,
      '--client-key',
      key,
      ...(failure.extra.length === 0 ? [] : [...failure.extra, pki.wrongPass]),
    ]);
    assertRefused(result, `--client-key ${failure.name}`, key, failure.problem);
  }
});

/** Pads a PEM file with text before its blocks (readers skip it) to pass 1 KiB and stay valid. */
function padded(dir: string, source: string, name: string): string {
  const path = join(dir, name);
  const pad = 'padding text before the PEM blocks, which readers skip\n'.repeat(24);
  writeFileSync(path, pad + readFileSync(source, 'utf8'));
  assert.ok(readFileSync(path).length > 1024);
  return path;
}

test('issue 8: --max-input 1KiB refuses a larger input (exit 2, the file named) that the default cap reads', async (t) => {
  const dir = tempDir(t);
  const bigRoot = padded(dir, pki.root.cert, 'big-root.pem');
  const bigClient = padded(dir, pki.client.cert, 'big-client.pem');
  const bigKey = padded(dir, pki.client.key, 'big-client-key.pem');
  const pass = join(dir, 'p12.pass');
  writeFileSync(pass, 'store-password\n');
  const bigConfig = join(dir, 'big.conf');
  writeFileSync(
    bigConfig,
    `${'; a comment that makes the configuration larger than one KiB\n'.repeat(20)}${readFileSync(stunnelConfig(dir, pki.client.key), 'utf8')}`,
  );
  const rows: {
    name: string;
    file: string;
    argv: (out: string) => string[];
    okCodes?: number[];
  }[] = [
    { name: 'expiry', file: bigRoot, argv: () => ['expiry', bigRoot] },
    { name: 'inspect', file: bigRoot, argv: () => ['inspect', bigRoot] },
    {
      name: 'export-p12 --cert',
      file: bigClient,
      argv: (out) => [
        'export-p12',
        '--cert',
        bigClient,
        '--key',
        pki.client.key,
        '--password-file',
        pass,
        '--out',
        join(out, 'c.p12'),
      ],
    },
    {
      name: 'export-p12 --key',
      file: bigKey,
      argv: (out) => [
        'export-p12',
        '--cert',
        pki.client.cert,
        '--key',
        bigKey,
        '--password-file',
        pass,
        '--out',
        join(out, 'c.p12'),
      ],
    },
    {
      name: 'gen-intermediate --ca',
      file: bigRoot,
      argv: (out) => [
        'gen-intermediate',
        '--ca',
        bigRoot,
        '--ca-key',
        pki.root.key,
        '--cn',
        'I',
        '--key-type',
        'ec',
        '--out',
        out,
      ],
    },
    {
      name: 'issue --ca',
      file: bigRoot,
      argv: (out) => [
        'issue',
        '--ca',
        bigRoot,
        '--ca-key',
        pki.root.key,
        '--cluster',
        CLUSTER,
        '--key-type',
        'ec',
        '--out',
        out,
      ],
    },
    {
      name: 'renew-client --cert',
      file: bigClient,
      argv: (out) => ['renew-client', '--cert', bigClient, '--key', pki.client.key, '--out', out],
    },
    {
      name: 'renew-client --key',
      file: bigKey,
      argv: (out) => ['renew-client', '--cert', pki.client.cert, '--key', bigKey, '--out', out],
    },
    {
      name: 'check --key',
      file: bigKey,
      okCodes: [0, 1],
      argv: () => ['check', '--cluster', CLUSTER, pki.client.cert, '--key', bigKey],
    },
    {
      name: 'stunnel --cafile',
      file: bigRoot,
      argv: (out) => [
        'stunnel',
        '--cert',
        pki.client.cert,
        '--key',
        pki.client.key,
        '--cafile',
        bigRoot,
        '--connect',
        `redis-12000.${CLUSTER}:12000`,
        '--out',
        join(out, 's.conf'),
      ],
    },
    {
      name: 'stunnel lint FILE',
      file: bigConfig,
      argv: () => ['stunnel', 'lint', bigConfig, '--no-probe'],
    },
  ];
  for (const row of rows) {
    // The default cap (10 MiB) reads the file: the refusal below is the cap's doing alone.
    const fine = await runCli(row.argv(join(tempDir(t), 'out')));
    assert.ok(
      (row.okCodes ?? [0]).includes(fine.code ?? -1),
      `${row.name} without --max-input: exit ${String(fine.code)}\n${fine.stderr}`,
    );
    const out = join(tempDir(t), 'out');
    const capped = await runCli([...row.argv(out), '--max-input', '1KiB']);
    if (row.name === 'expiry') {
      // expiry reports an unreadable input as a row of its table (issue 14), then exits 2.
      assert.equal(capped.code, 2, capped.stderr);
      assert.match(capped.stdout, /^UNREADABLE .*over the 1024-byte limit$/m);
      assert.ok(capped.stdout.includes(row.file), capped.stdout);
    } else {
      assertRefused(capped, `${row.name} --max-input 1KiB`, row.file, /over the 1024-byte limit/);
    }
    assertNothingWritten(out, row.name);
  }
});
