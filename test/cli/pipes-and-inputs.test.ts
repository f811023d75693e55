/**
 * Issue 15, items 2, 3, 7 and 8, through the built bin and real shells: a closed stdout (a real
 * pipe into `head -c1`), `-` as standard input, a real FIFO (mkfifo), character devices,
 * `<(…)`, `certs fetch EP | certs chain - …` against a loopback TLS server, the hints for the
 * usual input mistakes, and `pnpm certs` run from another folder.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, ROOT, run, runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';
import { startTlsServer } from '../hardening/loopback.js';

interface Pki {
  readonly dir: string;
  readonly ca: MadeCert;
  /** Issued by `ca`, for redislabs.com and *.redislabs.com. */
  readonly leaf: MadeCert;
  /** Another self-signed certificate. */
  readonly other: MadeCert;
  /** The leaf's key as DER (SEC 1, as `openssl pkey -outform DER` writes an EC key). */
  readonly keyDer: string;
  /** The leaf as DER. */
  readonly certDer: string;
  /** An intermediate CA issued by `ca`, and a server certificate it issued. */
  readonly intermediate: MadeCert;
  readonly leaf2: MadeCert;
  /** A self-signed client identity (CA:FALSE, clientAuth), as gen-client makes. */
  readonly client: MadeCert;
  /** A certificate request for the leaf's key. */
  readonly csr: string;
}

let pki: Pki | undefined;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'certkit-pipes-'));
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Pipes CA', ca: true });
  const leaf = await makeCert(dir, {
    name: 'proxy_cert',
    subject: '/CN=redislabs.com',
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:redislabs.com', 'DNS:*.redislabs.com'],
    issuer: ca,
  });
  const other = await makeCert(dir, { name: 'other', subject: '/CN=Other', ca: true });
  const keyDer = join(dir, 'key.der');
  const made = await openssl(['pkey', '-in', leaf.key, '-outform', 'DER', '-out', keyDer]);
  assert.equal(made.code, 0, made.stderr);
  const certDer = join(dir, 'cert.der');
  const der = await openssl(['x509', '-in', leaf.cert, '-outform', 'DER', '-out', certDer]);
  assert.equal(der.code, 0, der.stderr);
  const intermediate = await makeCert(dir, {
    name: 'intermediate',
    subject: '/CN=Pipes Issuing CA',
    ca: true,
    issuer: ca,
  });
  const leaf2 = await makeCert(dir, {
    name: 'leaf2',
    subject: '/CN=redislabs.com',
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:redislabs.com', 'DNS:*.redislabs.com'],
    issuer: intermediate,
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const csr = join(dir, 'leaf.csr');
  const request = await openssl(['req', '-new', '-key', leaf.key, '-subj', '/CN=app', '-out', csr]);
  assert.equal(request.code, 0, request.stderr);
  pki = { dir, ca, leaf, other, keyDer, certDer, intermediate, leaf2, client, csr };
});

after(() => {
  if (pki !== undefined) rmSync(pki.dir, { recursive: true, force: true });
});

function setUp(): Pki {
  if (pki === undefined) throw new Error('before() did not run');
  return pki;
}

/** Runs a bash script with `$NODE` and `$BIN` set: a real shell pipeline. */
function shell(script: string, args: readonly string[] = [], cwd?: string): Promise<RunResult> {
  return run('bash', ['-c', script, 'bash', ...args], {
    env: { NODE: process.execPath, BIN },
    ...(cwd === undefined ? {} : { cwd }),
  });
}

function fingerprints(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g)].map(
    (m) => new X509Certificate(m[0]).fingerprint256,
  );
}

function fingerprintOf(path: string): string {
  return new X509Certificate(readFileSync(path)).fingerprint256;
}

void test('issue 15 (2): a stdout closed early (a real pipe into head -c1) ends the command quietly, status 141', async (t) => {
  const { leaf } = setUp();
  const dir = tempDir(t);
  // 1,000 certificates: megabytes of output, far past what the pipe holds once head has gone.
  const big = join(dir, 'big.pem');
  writeFileSync(big, readFileSync(leaf.cert, 'utf8').repeat(1000));
  for (const args of [
    ['inspect', big],
    ['inspect', '--json', big],
    ['expiry', big],
  ]) {
    const result = await shell(
      '"$NODE" "$BIN" "$@" | head -c1; echo " status=${PIPESTATUS[0]}"',
      args,
    );
    const shown = `certs ${args.join(' ')}\n${result.stdout}\n${result.stderr}`;
    assert.equal(result.stderr, '', `no message, no stack trace\n${shown}`);
    assert.match(result.stdout, /^\S status=141\n$/, shown);
  }
});

void test('issue 15 (3): - reads standard input for certificate inputs, once per command', async () => {
  const { ca, leaf, other } = setUp();
  const pem = readFileSync(other.cert, 'utf8');
  const chain = await runCli(['chain', '-', ca.cert, '--json'], { input: pem });
  assert.equal(chain.code, 0, chain.stderr);
  const doc = JSON.parse(chain.stdout) as {
    inputs: { file: string; certificates: number }[];
    pem: string;
  };
  assert.deepEqual(doc.inputs, [
    { file: '-', certificates: 1 },
    { file: ca.cert, certificates: 1 },
  ]);
  assert.deepEqual(
    fingerprints(doc.pem).sort(),
    [fingerprintOf(other.cert), fingerprintOf(ca.cert)].sort(),
  );

  const inspect = await runCli(['inspect', '-', '--json'], { input: pem });
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal((JSON.parse(inspect.stdout) as { files: { path: string }[] }).files[0]?.path, '-');

  // A leaf, and a --ca (a repeatable option), from standard input.
  const leafIn = await runCli(['verify', '-', '--ca', ca.cert, '--host', 'redislabs.com'], {
    input: readFileSync(leaf.cert, 'utf8'),
  });
  assert.equal(leafIn.code, 0, leafIn.stdout + leafIn.stderr);
  const caIn = await runCli(['verify', leaf.cert, '--ca', '-', '--host', 'redislabs.com'], {
    input: readFileSync(ca.cert, 'utf8'),
  });
  assert.equal(caIn.code, 0, caIn.stdout + caIn.stderr);

  const twice = await runCli(['chain', '-', '-'], { input: pem });
  assert.equal(twice.code, 2);
  assert.match(
    twice.stderr,
    /^certs: - \(standard input\) is given 2 times; standard input can be read once/,
  );

  // The same cap as files: 10 MiB by default, --max-input to change it.
  const capped = await runCli(['inspect', '-', '--max-input', '1KiB'], { input: pem.repeat(4) });
  assert.equal(capped.code, 2);
  assert.equal(
    capped.stderr,
    'certs: cannot read - (standard input): it goes on past the 1024-byte limit\n',
  );
});

interface StdinRow {
  readonly name: string;
  /** The command line, with `input` where the file (or -) goes and `out` a fresh folder. */
  readonly args: (input: string, out: string) => string[];
  /** The file whose bytes are the input. */
  readonly input: string;
  /** Writes files (new keys differ run to run): stdout is not compared, only the exit code. */
  readonly writes?: readonly string[];
  /** What nothing on standard input gives, when it is not exit 2 naming `-` (a finding). */
  readonly empty?: { readonly code: number; readonly stdout: RegExp };
}

/** The one-line error of a run: stderr, or with --json the error document's message. */
function errorOf(result: RunResult): string {
  if (result.stderr !== '') return result.stderr;
  try {
    return String((JSON.parse(result.stdout) as { error?: { message?: unknown } }).error?.message);
  } catch {
    return result.stdout;
  }
}

/** Timestamps of "now" differ run to run: compared as a placeholder. */
function normalise(text: string, names: Readonly<Record<string, string>>): string {
  let out = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, 'TIME');
  for (const [from, to] of Object.entries(names)) out = out.split(from).join(to);
  return out;
}

void test('issue 15 (3): every certificate, request, CRL, key and passphrase input takes -, read as the file is', async (t) => {
  const p = setUp();
  const dir = tempDir(t);
  const pass = join(dir, 'key.pass');
  writeFileSync(pass, 'secret\n', { mode: 0o600 });
  const crl = join(ROOT, 'fixtures', 'bad', 'crl.pem');
  const conf = join(dir, 'redislabs.conf');
  writeFileSync(
    conf,
    `[redislabs]\nclient = yes\naccept = 127.0.0.1:6380\nconnect = 127.0.0.1:1\nCAfile = ${p.ca.cert}\nverifyChain = yes\ncheckHost = redislabs.com\nsslVersionMin = TLSv1.2\n`,
  );
  const C = 'redislabs.com';
  const rows: StdinRow[] = [
    { name: 'chain FILE', args: (x) => ['chain', x, p.ca.cert, '--json'], input: p.other.cert },
    { name: 'inspect FILE (a CSR)', args: (x) => ['inspect', x, '--json'], input: p.csr },
    { name: 'inspect FILE (a CRL)', args: (x) => ['inspect', x, '--json'], input: crl },
    {
      name: 'verify LEAF',
      args: (x) => ['verify', x, '--ca', p.ca.cert, '--host', C, '--json'],
      input: p.leaf.cert,
    },
    {
      name: 'verify --ca',
      args: (x) => ['verify', p.leaf.cert, '--ca', x, '--host', C, '--json'],
      input: p.ca.cert,
    },
    {
      name: 'verify --untrusted',
      args: (x) => ['verify', p.leaf2.cert, '--untrusted', x, '--ca', p.ca.cert, '--json'],
      input: p.intermediate.cert,
    },
    {
      name: 'verify --crl',
      args: (x) => ['verify', p.leaf.cert, '--ca', p.ca.cert, '--crl', x, '--json'],
      input: crl,
    },
    { name: 'check FILE', args: (x) => ['check', '--cluster', C, x, '--json'], input: p.leaf.cert },
    {
      name: 'check --ca',
      args: (x) => ['check', '--cluster', C, p.leaf.cert, '--ca', x, '--json'],
      input: p.ca.cert,
    },
    {
      name: 'check --key',
      args: (x) => ['check', '--cluster', C, p.leaf.cert, '--key', x, '--json'],
      input: p.leaf.key,
    },
    { name: 'expiry FILE', args: (x) => ['expiry', x, '--json'], input: p.leaf.cert },
    {
      name: 'stunnel lint FILE',
      args: (x) => ['stunnel', 'lint', x, '--no-probe', '--json'],
      input: conf,
      // An empty configuration is one stunnel would read: a finding about it (exit 1).
      empty: { code: 1, stdout: /"source": "-",[\s\S]*"STUNNEL_NO_SERVICE"/ },
    },
    {
      name: 'export-p12 --cert',
      args: (x, o) => [
        'export-p12',
        '--cert',
        x,
        '--key',
        p.leaf.key,
        '-o',
        join(o, 'c.p12'),
        '--new-passphrase-file',
        pass,
      ],
      input: p.leaf.cert,
      writes: ['c.p12'],
    },
    {
      name: 'export-p12 --chain',
      args: (x, o) => [
        'export-p12',
        '--cert',
        p.leaf.cert,
        '--key',
        p.leaf.key,
        '--chain',
        x,
        '-o',
        join(o, 'c.p12'),
        '--new-passphrase-file',
        pass,
      ],
      input: p.ca.cert,
      writes: ['c.p12'],
    },
    {
      name: 'export-p12 --new-passphrase-file',
      args: (x, o) => [
        'export-p12',
        '--cert',
        p.leaf.cert,
        '--key',
        p.leaf.key,
        '-o',
        join(o, 'c.p12'),
        '--new-passphrase-file',
        x,
      ],
      input: pass,
      writes: ['c.p12'],
    },
    {
      name: 'renew-client --cert',
      args: (x, o) => ['renew-client', '--cert', x, '--key', p.client.key, '--out', o],
      input: p.client.cert,
      writes: ['cert.pem', 'keyclient.pem'],
    },
    {
      name: 'issue --ca',
      args: (x, o) => [
        'issue',
        '--ca',
        x,
        '--ca-key',
        p.ca.key,
        '--cluster',
        'c.example.com',
        '--key-type',
        'ec',
        '--days',
        '30',
        '--out',
        o,
      ],
      input: p.ca.cert,
      writes: ['proxy_cert.pem', 'proxy_key.pem'],
    },
    {
      name: 'gen-intermediate --ca-key',
      args: (x, o) => [
        'gen-intermediate',
        '--ca',
        p.ca.cert,
        '--ca-key',
        x,
        '--cn',
        'Issuing',
        '--key-type',
        'ec',
        '--days',
        '30',
        '--out',
        o,
      ],
      input: p.ca.key,
      writes: ['intermediate.pem', 'intermediate-key.pem'],
    },
    {
      name: 'gen-client --key',
      args: (x, o) => ['gen-client', '--key', x, '--cn', 'app', '--out', o],
      input: p.leaf.key,
      writes: ['cert.pem'],
    },
    {
      name: 'gen-client --new-passphrase-file',
      args: (x, o) => [
        'gen-client',
        '--new-passphrase-file',
        x,
        '--cn',
        'app',
        '--key-type',
        'ec',
        '--out',
        o,
      ],
      input: pass,
      writes: ['cert.pem', 'keyclient.pem'],
    },
  ];
  const failures: string[] = [];
  for (const [i, row] of rows.entries()) {
    const outFile = join(dir, `${String(i)}-file`);
    const outStdin = join(dir, `${String(i)}-stdin`);
    const outEmpty = join(dir, `${String(i)}-empty`);
    const byFile = await runCli(row.args(row.input, outFile));
    const byStdin = await runCli(row.args('-', outStdin), {
      input: readFileSync(row.input, 'utf8'),
    });
    // Nothing on standard input: the command read it, and says so about -.
    const empty = await runCli(row.args('-', outEmpty));
    const shown = `${row.name}\nfile: exit ${String(byFile.code)} ${byFile.stderr}\nstdin: exit ${String(byStdin.code)} ${byStdin.stderr}\nempty: exit ${String(empty.code)} ${empty.stderr}`;
    if (byStdin.code !== byFile.code) failures.push(`exit codes differ\n${shown}`);
    if (row.writes === undefined) {
      const names = { [row.input]: '-' };
      if (normalise(byStdin.stdout, {}) !== normalise(byFile.stdout, names))
        failures.push(`stdout differs\n${shown}\n${byFile.stdout}\n${byStdin.stdout}`);
    } else {
      if (byStdin.code !== 0) failures.push(`exit\n${shown}`);
      for (const file of row.writes) {
        if (!existsSync(join(outStdin, file))) failures.push(`${file} not written\n${shown}`);
      }
    }
    const emptyOk =
      row.empty === undefined
        ? empty.code === 2 && /^(certs: )?(cannot read )?- /.test(errorOf(empty))
        : empty.code === row.empty.code && row.empty.stdout.test(empty.stdout);
    if (!emptyOk) failures.push(`empty standard input\n${shown}\n${empty.stdout}`);
  }
  assert.deepEqual(failures, []);
  // The passphrase read from standard input encrypts the key with it.
  const encrypted = rows.findIndex((r) => r.name === 'gen-client --new-passphrase-file');
  const key = join(dir, `${String(encrypted)}-stdin`, 'keyclient.pem');
  const opened = await openssl(['pkey', '-in', key, '-passin', `file:${pass}`, '-noout']);
  assert.equal(opened.code, 0, opened.stderr);

  // stunnel reads its files itself at each start: - cannot stand for one of them.
  const stunnel = await runCli(
    [
      'stunnel',
      '--cert',
      '-',
      '--key',
      p.leaf.key,
      '--cafile',
      p.ca.cert,
      '--connect',
      'redis-12000.redislabs.com:12000',
      '-o',
      join(dir, 's.conf'),
    ],
    { input: readFileSync(p.leaf.cert, 'utf8') },
  );
  assert.equal(stunnel.code, 2);
  assert.equal(
    stunnel.stderr,
    'certs: cert cannot be - (standard input): stunnel reads the file itself each time it starts, so give its path\n',
  );
  // Once per command, whichever options name it.
  const twice = await runCli(['verify', '-', '--ca', '-'], { input: '' });
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /^certs: - \(standard input\) is given 2 times/);
});

void test('issue 15 (3): a real FIFO, /dev/stdin, <(…) and character devices are read as inputs, under the same cap', async (t) => {
  const { ca, other } = setUp();
  const dir = tempDir(t);
  const fifo = join(dir, 'node.pem');
  execFileSync('mkfifo', [fifo]);
  // The writer blocks until certs opens the FIFO, as a shell's `cat > fifo` does.
  const [writer, read] = await Promise.all([
    run('sh', ['-c', 'cat "$1" > "$2"', 'sh', other.cert, fifo], { timeoutMs: 20_000 }),
    runCli(['chain', fifo, ca.cert, '--json'], { timeoutMs: 20_000 }),
  ]);
  assert.equal(writer.code, 0, writer.stderr);
  assert.equal(read.code, 0, read.stderr);
  assert.deepEqual((JSON.parse(read.stdout) as { inputs: unknown }).inputs, [
    { file: fifo, certificates: 1 },
    { file: ca.cert, certificates: 1 },
  ]);

  const stdin = await shell('cat "$1" | "$NODE" "$BIN" inspect /dev/stdin --json', [other.cert]);
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal(
    (JSON.parse(stdin.stdout) as { files: { items: unknown[] }[] }).files[0]?.items.length,
    1,
  );

  const substituted = await shell('"$NODE" "$BIN" chain <(cat "$1") "$2" -o "$3"', [
    other.cert,
    ca.cert,
    join(dir, 'bundle.pem'),
  ]);
  assert.equal(substituted.code, 0, substituted.stderr);
  assert.equal(fingerprints(readFileSync(join(dir, 'bundle.pem'), 'utf8')).length, 2);

  const zero = await runCli(['inspect', '/dev/zero', '--max-input', '64KiB']);
  assert.equal(zero.code, 2);
  assert.equal(zero.stderr, 'certs: cannot read /dev/zero: it goes on past the 65536-byte limit\n');
  const empty = await runCli(['inspect', '/dev/null']);
  assert.equal(empty.code, 2);
  assert.equal(empty.stderr, 'certs: /dev/null is empty\n');
});

void test('issue 15 (3): certs fetch EP | certs chain - other.pem -o bundle.pem, against a loopback TLS server', async (t) => {
  const { ca, leaf } = setUp();
  const dir = tempDir(t);
  const server = await startTlsServer(t, {
    cert: readFileSync(leaf.cert),
    key: readFileSync(leaf.key),
  });
  const bundle = join(dir, 'bundle.pem');
  const result = await shell(
    '"$NODE" "$BIN" fetch "$1" | "$NODE" "$BIN" chain - "$2" -o "$3"; echo "status=${PIPESTATUS[*]}"',
    [server.endpoint, ca.cert, bundle],
  );
  assert.match(result.stdout, /^status=0 0\n$/, result.stderr);
  assert.match(result.stderr, /chain mode \(auto\)/);
  assert.match(result.stderr, /read - \(1\), \S+ca\.pem \(1\)/);
  // Leaf first, then its CA: the chain the endpoint presented, joined with the file.
  assert.deepEqual(fingerprints(readFileSync(bundle, 'utf8')), [
    fingerprintOf(leaf.cert),
    fingerprintOf(ca.cert),
  ]);
});

void test('issue 15 (7): --cluster given a file or an endpoint name says what a cluster name is and the value meant', async () => {
  const { dir } = setUp();
  const what =
    "a cluster name C is the DNS name the cluster's databases are named under, redis-<port>\\.C";
  const rows: { args: string[]; stderr: RegExp }[] = [
    {
      // The file given as the cluster name: its certificate says which cluster it is for.
      args: ['check', '--cluster', 'proxy_cert.pem'],
      stderr: new RegExp(
        `^certs: invalid value for --cluster: "proxy_cert\\.pem" looks like a file name, not a cluster name; ${what} .*; did you mean --cluster redislabs\\.com\\?\\n`,
      ),
    },
    {
      args: ['check', '--cluster', 'redis-12001.C', 'proxy_cert.pem'],
      stderr: new RegExp(
        `^certs: invalid value for --cluster: "redis-12001\\.C" is a database endpoint name \\(redis-<port>\\.C\\), not a cluster name; ${what} .*; did you mean --cluster C\\?\\n`,
      ),
    },
    {
      args: ['check', '--cluster', 'redis-12001.redislabs.com:12001', 'proxy_cert.pem'],
      stderr:
        /^certs: invalid value for --cluster: "redis-12001\.redislabs\.com:12001" is an endpoint HOST:PORT, not a cluster name; .*; did you mean --cluster redislabs\.com\?\n/,
    },
    {
      args: [
        'issue',
        '--ca',
        'ca.pem',
        '--ca-key',
        'ca-key.pem',
        '--cluster',
        'redis-12000.internal.c.example.com',
      ],
      stderr:
        /^certs: invalid value for --cluster: "redis-12000\.internal\.c\.example\.com" is a database endpoint name .*; did you mean --cluster c\.example\.com\?\n/,
    },
    {
      args: ['csr', '--cluster', '*.c.example.com'],
      stderr:
        /^certs: invalid value for --cluster: "\*\.c\.example\.com" is a wildcard pattern, not a cluster name; .*; did you mean --cluster c\.example\.com\?\n/,
    },
  ];
  for (const row of rows) {
    const result = await runCli(row.args, { cwd: dir });
    assert.equal(result.code, 2, row.args.join(' '));
    assert.match(result.stderr, row.stderr, row.args.join(' '));
    assert.match(result.stderr, /\nrun 'certs \S+ --help' for usage\n$/);
  }
  assert.equal(existsSync(join(dir, 'proxy_key.pem')), false, 'nothing was written');
});

void test('issue 15 (7): a HOST:PORT where a file belongs suggests certs fetch', async () => {
  for (const [args, name] of [
    [
      ['check', '--cluster', 'redislabs.com', 'redis-12000.redislabs.com:12000'],
      'redis-12000.redislabs.com:12000',
    ],
    [['inspect', '10.0.0.5:12000'], '10.0.0.5:12000'],
    [['chain', '[::1]:6379'], '[::1]:6379'],
  ] as const) {
    const result = await runCli(args);
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(
      result.stderr,
      `certs: cannot read ${name}: no such file; ${name} looks like an endpoint HOST:PORT, not a file: save the certificates it presents first, with certs fetch ${name} -o FILE\n`,
    );
  }
});

void test('issue 15 (7): a private key where a certificate belongs (swapped --cert and --key) says so, PEM or DER', async (t) => {
  const { ca, leaf, keyDer } = setUp();
  const dir = tempDir(t);
  writeFileSync(join(dir, 'p.pass'), 'store\n', { mode: 0o600 });
  const rows: { name: string; args: (key: string, cert: string) => string[] }[] = [
    {
      name: 'export-p12',
      args: (key, cert) => [
        'export-p12',
        '--cert',
        key,
        '--key',
        cert,
        '-o',
        join(dir, 'x.p12'),
        '--new-passphrase-file',
        join(dir, 'p.pass'),
      ],
    },
    {
      name: 'renew-client',
      args: (key, cert) => ['renew-client', '--cert', key, '--key', cert, '--out', join(dir, 'r')],
    },
    {
      name: 'stunnel',
      args: (key, cert) => [
        'stunnel',
        '--cert',
        key,
        '--key',
        cert,
        '--cafile',
        ca.cert,
        '--connect',
        'redis-12000.redislabs.com:12000',
        '-o',
        join(dir, 's.conf'),
      ],
    },
    {
      name: 'check --client-cert',
      args: (key, cert) => [
        'check',
        '--cluster',
        'redislabs.com',
        '--endpoint',
        '127.0.0.1:1',
        '--client-cert',
        key,
        '--client-key',
        cert,
      ],
    },
    {
      name: 'issue --ca',
      args: (key, cert) => [
        'issue',
        '--ca',
        key,
        '--ca-key',
        cert,
        '--cluster',
        'c.example.com',
        '--out',
        join(dir, 'i'),
      ],
    },
    { name: 'verify', args: (key) => ['verify', key, '--ca', ca.cert] },
  ];
  for (const row of rows) {
    for (const key of [leaf.key, keyDer]) {
      const args = row.args(key, leaf.cert);
      const result = await runCli(args);
      const shown = `${row.name} (${key})\n${result.stderr}`;
      assert.equal(result.code, 2, shown);
      assert.equal(result.stdout, '', shown);
      assert.equal(result.stderr.split('\n').length, 2, `one line\n${shown}`);
      assert.match(result.stderr, /^certs: .* is (a|an) .*private key.*, not a certificate/, shown);
      assert.doesNotMatch(result.stderr, /is empty|not a valid X\.509/, shown);
    }
  }
  assert.equal(existsSync(join(dir, 'x.p12')) || existsSync(join(dir, 's.conf')), false);
});

void test('issue 15 (7): a certificate where a private key belongs says so, PEM or DER', async (t) => {
  const { ca, leaf, certDer } = setUp();
  const dir = tempDir(t);
  writeFileSync(join(dir, 'p.pass'), 'store\n', { mode: 0o600 });
  const rows: { name: string; args: (cert: string) => string[] }[] = [
    {
      name: 'gen-client --key',
      args: (c) => ['gen-client', '--key', c, '--cn', 'a', '--out', dir],
    },
    {
      name: 'renew-client --key',
      args: (c) => ['renew-client', '--cert', leaf.cert, '--key', c, '--out', join(dir, 'r')],
    },
    {
      name: 'export-p12 --key',
      args: (c) => [
        'export-p12',
        '--cert',
        leaf.cert,
        '--key',
        c,
        '-o',
        join(dir, 'x.p12'),
        '--new-passphrase-file',
        join(dir, 'p.pass'),
      ],
    },
    {
      name: 'issue --ca-key',
      args: (c) => [
        'issue',
        '--ca',
        ca.cert,
        '--ca-key',
        c,
        '--cluster',
        'c.example.com',
        '--out',
        join(dir, 'i'),
      ],
    },
    {
      name: 'check --key',
      args: (c) => ['check', '--cluster', 'redislabs.com', leaf.cert, '--key', c],
    },
  ];
  for (const row of rows) {
    for (const [cert, said] of [
      [leaf.cert, /^certs: \S+proxy_cert\.pem holds a CERTIFICATE block, not a private key\n$/],
      [certDer, /^certs: \S+cert\.der is a certificate \(DER\), not a private key\n$/],
    ] as const) {
      const result = await runCli(row.args(cert));
      const shown = `${row.name} (${cert})\n${result.stderr}`;
      assert.equal(result.code, 2, shown);
      assert.match(result.stderr, said, shown);
    }
  }
});

void test('issue 15 (7): --password on the command line explains why passwords come from files', async () => {
  const p12 = await runCli([
    'export-p12',
    '--cert',
    'cert.pem',
    '--key',
    'keyclient.pem',
    '-o',
    'c.p12',
    '--password',
    'changeit',
  ]);
  assert.equal(p12.code, 2);
  assert.equal(
    p12.stderr,
    "certs: unknown option --password; passwords are never taken on the command line, where other users can read them (ps, /proc) and shell history keeps them: put it on the first line of a file (mode 0600) and give --passphrase-file FILE for a key it reads, --new-passphrase-file FILE for the key it writes\nrun 'certs export-p12 --help' for usage\n",
  );
  // Before the missing required options: the mistyped one is what to fix.
  const bare = await runCli(['export-p12', '--password', 'changeit']);
  assert.match(bare.stderr, /^certs: unknown option --password; passwords are never taken/);
  const chain = await runCli(['chain', 'a.pem', '--pass=changeit']);
  assert.match(
    chain.stderr,
    /^certs: unknown option --pass; passwords are never taken .*: this command takes no passphrase\n/,
  );
});

void test('issue 15 (8): pnpm certs reads and writes relative paths in the folder it was run from', async (t) => {
  const { other } = setUp();
  const dir = tempDir(t);
  mkdirSync(join(dir, 'pem'));
  writeFileSync(join(dir, 'pem', 'node.pem'), readFileSync(other.cert));
  // --dir names the checkout, as running pnpm from a folder inside it would find it.
  const inspect = await run(
    'pnpm',
    ['--silent', '--dir', ROOT, 'certs', 'inspect', 'pem/node.pem', '--json'],
    { cwd: dir },
  );
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal(
    (JSON.parse(inspect.stdout) as { files: { path: string }[] }).files[0]?.path,
    'pem/node.pem',
  );
  const made = await run(
    'pnpm',
    [
      '--silent',
      '--dir',
      ROOT,
      'certs',
      'gen-client',
      '--cn',
      'app',
      '--key-type',
      'ec',
      '--out',
      'client',
    ],
    { cwd: dir },
  );
  assert.equal(made.code, 0, made.stderr);
  assert.ok(existsSync(join(dir, 'client', 'keyclient.pem')));
  assert.equal(existsSync(join(ROOT, 'client')), false, 'nothing written in the checkout');
});

void test('issue 15 (8): the README way to put certs on PATH works: pnpm link --global in packages/cli', async (t) => {
  const { other } = setUp();
  // A private PNPM_HOME: the link goes there, never into the user's global folder.
  const home = tempDir(t);
  const env = { PNPM_HOME: home, PATH: `${home}:${process.env.PATH ?? ''}` };
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes('cd packages/cli && pnpm link --global'), 'README says how');
  const link = await run('pnpm', ['link', '--global'], { cwd: join(ROOT, 'packages', 'cli'), env });
  assert.equal(link.code, 0, link.stderr);
  try {
    // A shell that finds certs on PATH, run from an unrelated folder.
    const found = await run(
      'bash',
      ['-c', 'command -v certs && certs inspect "$1" --json', 'bash', other.cert],
      {
        cwd: home,
        env,
      },
    );
    assert.equal(found.code, 0, found.stderr);
    assert.ok(found.stdout.startsWith(`${join(home, 'certs')}\n`), found.stdout);
    const doc = JSON.parse(found.stdout.slice(found.stdout.indexOf('\n') + 1)) as {
      files: { path: string }[];
    };
    assert.equal(doc.files[0]?.path, other.cert);
  } finally {
    // The README's undo, which also leaves the user's global folder as it was.
    const removed = await run('pnpm', ['remove', '--global', '@certkit/cli'], { cwd: home, env });
    assert.equal(removed.code, 0, removed.stderr);
  }
  assert.equal(existsSync(join(home, 'certs')), false, 'pnpm remove --global took certs off PATH');
});

void test('issue 15 (8): the README lists every Debian package scripts/setup.sh installs, with why', () => {
  const setup = readFileSync(join(ROOT, 'scripts', 'setup.sh'), 'utf8');
  const list = /^packages=\(([^)]*)\)$/m.exec(setup)?.[1];
  assert.ok(list !== undefined, 'setup.sh has a packages=(…) line');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('What `scripts/setup.sh` installs'));
  const rows = table.slice(0, table.indexOf('\n\n', table.indexOf('| what'))).split('\n');
  for (const name of list.trim().split(/\s+/)) {
    const row = rows.find((r) => r.includes(`\`${name}\``));
    assert.ok(row !== undefined, `README: no row for ${name}`);
    assert.match(row, /\|\s*\S[^|]*\|\s*$/, `README: no why for ${name}`);
  }
  assert.match(table, /only the test suite's differential client stacks/);
});
