/**
 * Issue 8: every command that reads files, on every entry of the bad-input corpus
 * (`fixtures/bad/` plus inputs made here that git cannot hold): exit 2, exactly one line on
 * stderr naming the file, no stack trace, nothing written, no key material echoed; with --json,
 * exactly one JSON error document on stdout and nothing on stderr.
 *
 * The list of commands and of their options comes from `certs --help` itself: a command or an
 * option added later without a row in COMMANDS below fails this test, so that its author decides
 * whether it reads a file (and then gets the corpus run on it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, ROOT, run, runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { freePort } from '../helpers/process.js';

/**
 * What a slot reads; `text` is any text (passphrases, configurations): only file-system faults
 * apply. `redis-conf` is a redis.conf, which no corpus entry is: each must be refused as no
 * configuration (a key, a certificate, prose, binary data, the empty file).
 */
type InputKind = 'certificate' | 'key' | 'csr' | 'crl' | 'text' | 'redis-conf';

/** Valid companion files, for commands that read more than one file. */
interface Context {
  readonly caCert: string;
  readonly caKey: string;
  /** A client certificate issued by the CA, and its key (plain, and encrypted with `pass`). */
  readonly leafCert: string;
  readonly leafKey: string;
  readonly leafKeyEncrypted: string;
  /** A passphrase file: `secret`. */
  readonly pass: string;
  /** HOST:PORT of a loopback port nothing listens on. */
  readonly closedEndpoint: string;
  /** A redis.conf serving TLS with the leaf as its certificate and the CA as its CA file. */
  readonly redisConf: string;
}

/** One argument of a command that names a file to read. */
interface FileSlot {
  /** The option (`--ca-key`) or positional (`<files..>`) as the help shows it. */
  readonly arg: string;
  readonly kind: InputKind;
  /** Corpus entries that are valid input for this slot beyond its kind (`inspect` reads any block). */
  readonly alsoValid?: readonly string[];
  /** The whole command line with `file` in this slot and valid values everywhere else. */
  readonly argv: (file: string, out: string, c: Context) => string[];
  /**
   * How the bad input is refused: one line on stderr and nothing else (the default), or
   * `reported` in the command's report (a row of `expiry`, an entry of `inspect`) naming the
   * file, with the rest of the report still shown (issue 14); exit 2 either way.
   */
  readonly refusal?: 'one-line' | 'reported';
}

interface CommandRow {
  readonly reads: readonly FileSlot[];
  /** Every other option of the command: none of them names a file to read. */
  readonly otherOptions: readonly string[];
}

// Options most commands share; none names a file to read.
const COMMON = ['--help', '--version', '--max-input', '--json', '--force', '--out'];
const KEYGEN = ['--days', '--key-type', '--bits', '--curve', '--cn', '--subject'];

// inspect describes every well-formed block: keys (encrypted or not), CSRs, CRLs, any label.
const INSPECT_READS_ANY_BLOCK = [
  'unknown-label.pem',
  'private-key-pkcs8.pem',
  'private-key-pkcs1.pem',
  'private-key-sec1.pem',
  'certificate-then-key.pem',
  'two-keys.pem',
  'encrypted-key-pkcs8.pem',
  'encrypted-key-legacy.pem',
  'public-key.pem',
  'csr.pem',
  'crl.pem',
  'pkcs7.p7b',
];

// The options of a run over many endpoints (fetch, check, expiry); --endpoints reads a file.
const ENDPOINT_RUN = ['--resolve', '--all-addresses', '--concurrency'];

const SAMPLE = 6;
const CLUSTER = ['--cluster', 'c.example.com'];
const STUNNEL = ['--connect', 'redis-12000.c.example.com:12000'];

const COMMANDS: Readonly<Record<string, CommandRow>> = {
  'gen-client': {
    reads: [
      {
        arg: '--key',
        kind: 'key',
        argv: (f, o) => ['gen-client', '--key', f, '--cn', 'a', '--out', o],
      },
      {
        arg: '--new-passphrase-file',
        kind: 'text',
        argv: (f, o) => [
          'gen-client',
          '--new-passphrase-file',
          f,
          '--key-type',
          'ec',
          '--cn',
          'a',
          '--out',
          o,
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'gen-client',
          '--key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
          '--cn',
          'a',
          '--out',
          o,
        ],
      },
    ],
    otherOptions: [...COMMON, ...KEYGEN, '--key-format', '--key-file', '--cert-file'],
  },
  'gen-ca': { reads: [], otherOptions: [...COMMON, ...KEYGEN] },
  // completion prints yargs's shell script; it reads nothing.
  completion: { reads: [], otherOptions: [...COMMON] },
  // help CMD shows CMD's help; it reads nothing.
  help: { reads: [], otherOptions: [...COMMON] },
  'gen-intermediate': {
    reads: [
      {
        arg: '--ca',
        kind: 'certificate',
        argv: (f, o, c) => [
          'gen-intermediate',
          '--ca',
          f,
          '--ca-key',
          c.caKey,
          '--key-type',
          'ec',
          '--cn',
          'i',
          '--out',
          o,
        ],
      },
      {
        arg: '--ca-key',
        kind: 'key',
        argv: (f, o, c) => [
          'gen-intermediate',
          '--ca',
          c.caCert,
          '--ca-key',
          f,
          '--key-type',
          'ec',
          '--cn',
          'i',
          '--out',
          o,
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'gen-intermediate',
          '--ca',
          c.caCert,
          '--ca-key',
          c.caKey,
          '--passphrase-file',
          f,
          '--key-type',
          'ec',
          '--cn',
          'i',
          '--out',
          o,
        ],
      },
    ],
    otherOptions: [...COMMON, ...KEYGEN],
  },
  issue: {
    reads: [
      {
        arg: '--ca',
        kind: 'certificate',
        argv: (f, o, c) => [
          'issue',
          '--ca',
          f,
          '--ca-key',
          c.caKey,
          '--key-type',
          'ec',
          ...CLUSTER,
          '--out',
          o,
        ],
      },
      {
        arg: '--ca-key',
        kind: 'key',
        argv: (f, o, c) => [
          'issue',
          '--ca',
          c.caCert,
          '--ca-key',
          f,
          '--key-type',
          'ec',
          ...CLUSTER,
          '--out',
          o,
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'issue',
          '--ca',
          c.caCert,
          '--ca-key',
          c.caKey,
          '--passphrase-file',
          f,
          '--key-type',
          'ec',
          ...CLUSTER,
          '--out',
          o,
        ],
      },
      {
        arg: '--csr',
        kind: 'csr',
        argv: (f, o, c) => ['issue', '--csr', f, '--ca', c.caCert, '--ca-key', c.caKey, '--out', o],
      },
    ],
    otherOptions: [
      ...COMMON,
      ...KEYGEN,
      '--cluster',
      '--san',
      '--ip',
      '--usage',
      '--cert-file',
      '--key-file',
      '--self-signed',
    ],
  },
  csr: {
    reads: [
      {
        arg: '--key',
        kind: 'key',
        argv: (f, o) => ['csr', ...CLUSTER, '--key', f, '--out', o],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'csr',
          ...CLUSTER,
          '--key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
          '--out',
          o,
        ],
      },
    ],
    otherOptions: [...COMMON, ...KEYGEN, '--cluster', '--san', '--ip', '--usage'],
  },
  inspect: {
    reads: [
      {
        arg: '<inputs..>',
        kind: 'certificate',
        alsoValid: INSPECT_READS_ANY_BLOCK,
        argv: (f) => ['inspect', f],
      },
      {
        arg: '<inputs..> (second file)',
        kind: 'certificate',
        alsoValid: INSPECT_READS_ANY_BLOCK,
        argv: (f, _o, c) => ['inspect', c.caCert, f],
        // The first file is still described (issue 14): the bad one is reported, exit 2.
        refusal: 'reported',
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, _o, c) => ['inspect', c.leafKeyEncrypted, '--passphrase-file', f],
      },
    ],
    // --password-file: the same option as --passphrase-file (a PKCS#12 file's password).
    otherOptions: [...COMMON, '--timeout', '--password-file'],
  },
  chain: {
    reads: [
      {
        arg: '<files..>',
        kind: 'certificate',
        argv: (f, o) => ['chain', f, '--out', join(o, 'b.pem')],
      },
      {
        arg: '<files..> (second file)',
        kind: 'certificate',
        argv: (f, o, c) => ['chain', c.caCert, f, '--out', join(o, 'b.pem')],
      },
    ],
    otherOptions: [...COMMON, '--output', '--mode', '--root', '--annotate', '--allow-broken'],
  },
  check: {
    reads: [
      { arg: '[files..]', kind: 'certificate', argv: (f) => ['check', ...CLUSTER, f] },
      {
        arg: '--ca',
        kind: 'certificate',
        argv: (f, _o, c) => ['check', ...CLUSTER, c.leafCert, '--ca', f],
      },
      {
        arg: '--key',
        kind: 'key',
        argv: (f, _o, c) => ['check', ...CLUSTER, c.leafCert, '--key', f],
      },
      // Client identity files are read before any connection: the endpoint is a closed port.
      {
        arg: '--client-cert',
        kind: 'certificate',
        argv: (f, _o, c) => [
          'check',
          ...CLUSTER,
          '--endpoint',
          c.closedEndpoint,
          '--client-cert',
          f,
          '--client-key',
          c.leafKey,
        ],
      },
      {
        arg: '--client-key',
        kind: 'key',
        argv: (f, _o, c) => [
          'check',
          ...CLUSTER,
          '--endpoint',
          c.closedEndpoint,
          '--client-cert',
          c.leafCert,
          '--client-key',
          f,
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, _o, c) => [
          'check',
          ...CLUSTER,
          c.leafCert,
          '--key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
        ],
      },
      {
        arg: '--endpoints',
        kind: 'text',
        argv: (f) => ['check', ...CLUSTER, '--endpoints', f],
      },
    ],
    otherOptions: [
      ...COMMON,
      '--cluster',
      '--port',
      '--endpoint',
      '--sni',
      '--profile',
      '--internal',
      '--warn-days',
      '--min-tls',
      '--strict',
      '--timeout',
      '--topology',
      ...ENDPOINT_RUN,
    ],
  },
  // fetch reads one file, the endpoint list: it writes what the endpoints present.
  fetch: {
    reads: [
      { arg: '--endpoints', kind: 'text', argv: (f, o) => ['fetch', '--endpoints', f, '-o', join(o, 'b.pem')] },
    ], // prettier-ignore
    otherOptions: [
      ...COMMON,
      '--sni',
      '--output',
      '--timeout',
      '--allow-partial',
      '--allow-broken',
      ...ENDPOINT_RUN,
    ],
  },
  expiry: {
    reads: [
      {
        arg: '[inputs..]',
        kind: 'certificate',
        argv: (f) => ['expiry', f],
        // A certificate with a key after it: the key is skipped with a note, the certificate judged.
        alsoValid: ['certificate-then-key.pem'],
        // An unreadable input is a row of the report (issue 14); a key or a request alone is
        // no certificate at all, said in one line naming it.
        refusal: 'reported',
      },
      { arg: '--endpoints', kind: 'text', argv: (f) => ['expiry', '--endpoints', f] },
    ],
    otherOptions: [
      ...COMMON,
      '--within',
      '--recursive',
      '--format',
      '--sni',
      '--timeout',
      ...ENDPOINT_RUN,
    ],
  },
  'renew-client': {
    reads: [
      {
        arg: '--cert',
        kind: 'certificate',
        argv: (f, o, c) => ['renew-client', '--cert', f, '--key', c.leafKey, '--out', o],
      },
      {
        arg: '--key',
        kind: 'key',
        argv: (f, o, c) => ['renew-client', '--cert', c.leafCert, '--key', f, '--out', o],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'renew-client',
          '--cert',
          c.leafCert,
          '--key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
          '--out',
          o,
        ],
      },
    ],
    otherOptions: [...COMMON, '--reuse-key', '--days', '--cert-file', '--key-file'],
  },
  // snippet reads the files it names, to check them before printing code that names them.
  snippet: {
    reads: [
      {
        arg: '--ca',
        kind: 'certificate',
        argv: (f) => ['snippet', '--client', 'ioredis', '--endpoint', 'a.example.com:1', '--ca', f],
      },
      {
        arg: '--cert',
        kind: 'certificate',
        argv: (f, _o, c) => [
          'snippet',
          '--client',
          'redis-py',
          '--endpoint',
          'a.example.com:1',
          '--ca',
          c.caCert,
          '--cert',
          f,
          '--key',
          c.leafKey,
        ],
      },
      {
        arg: '--key',
        kind: 'key',
        argv: (f, _o, c) => [
          'snippet',
          '--client',
          'java',
          '--endpoint',
          'a.example.com:1',
          '--ca',
          c.caCert,
          '--cert',
          c.leafCert,
          '--key',
          f,
        ],
      },
    ],
    otherOptions: [...COMMON, '--client', '--endpoint', '--sni', '--cluster', '--accept'],
  },
  stunnel: {
    reads: [
      {
        arg: '--cert',
        kind: 'certificate',
        argv: (f, o, c) => [
          'stunnel',
          '--cert',
          f,
          '--key',
          c.leafKey,
          '--cafile',
          c.caCert,
          ...STUNNEL,
          '--out',
          join(o, 's.conf'),
        ],
      },
      {
        arg: '--key',
        kind: 'key',
        argv: (f, o, c) => [
          'stunnel',
          '--cert',
          c.leafCert,
          '--key',
          f,
          '--cafile',
          c.caCert,
          ...STUNNEL,
          '--out',
          join(o, 's.conf'),
        ],
      },
      {
        arg: '--cafile',
        kind: 'certificate',
        argv: (f, o, c) => [
          'stunnel',
          '--cert',
          c.leafCert,
          '--key',
          c.leafKey,
          '--cafile',
          f,
          ...STUNNEL,
          '--out',
          join(o, 's.conf'),
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'stunnel',
          '--cert',
          c.leafCert,
          '--key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
          '--cafile',
          c.caCert,
          ...STUNNEL,
          '--out',
          join(o, 's.conf'),
        ],
      },
      // lint FILE reads a configuration: any text is one to lint (with findings, exit 1).
      {
        arg: '[file]',
        kind: 'text',
        alsoValid: ['empty.pem'], // an empty configuration lints to a finding (exit 1)
        argv: (f) => ['stunnel', 'lint', f],
      },
    ],
    otherOptions: [
      ...COMMON,
      '[action]',
      '--output',
      '--connect',
      '--accept',
      '--check-host',
      '--sni',
      '--service',
      '--foreground',
      '--probe',
      '--ping',
      '--log',
      '--timeout',
    ],
  },
  'redis-conf': {
    reads: [
      { arg: '[file]', kind: 'redis-conf', argv: (f) => ['redis-conf', 'lint', f] },
      {
        arg: '--client-cert',
        kind: 'certificate',
        argv: (f, _o, c) => [
          'redis-conf',
          'lint',
          c.redisConf,
          '--endpoint',
          c.closedEndpoint,
          '--client-cert',
          f,
          '--client-key',
          c.leafKey,
        ],
      },
      {
        arg: '--client-key',
        kind: 'key',
        argv: (f, _o, c) => [
          'redis-conf',
          'lint',
          c.redisConf,
          '--endpoint',
          c.closedEndpoint,
          '--client-cert',
          c.leafCert,
          '--client-key',
          f,
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, _o, c) => [
          'redis-conf',
          'lint',
          c.redisConf,
          '--endpoint',
          c.closedEndpoint,
          '--client-cert',
          c.leafCert,
          '--client-key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
        ],
      },
    ],
    otherOptions: [...COMMON, '[action]', '--endpoint', '--timeout'],
  },
  'export-p12': {
    reads: [
      {
        arg: '--cert',
        kind: 'certificate',
        argv: (f, o, c) => [
          'export-p12',
          '--cert',
          f,
          '--key',
          c.leafKey,
          '--out',
          join(o, 'c.p12'),
          '--new-passphrase-file',
          c.pass,
        ],
      },
      {
        arg: '--key',
        kind: 'key',
        argv: (f, o, c) => [
          'export-p12',
          '--cert',
          c.leafCert,
          '--key',
          f,
          '--out',
          join(o, 'c.p12'),
          '--new-passphrase-file',
          c.pass,
        ],
      },
      {
        arg: '--passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'export-p12',
          '--cert',
          c.leafCert,
          '--key',
          c.leafKeyEncrypted,
          '--passphrase-file',
          f,
          '--out',
          join(o, 'c.p12'),
          '--new-passphrase-file',
          c.pass,
        ],
      },
      {
        arg: '--chain',
        kind: 'certificate',
        argv: (f, o, c) => [
          'export-p12',
          '--cert',
          c.leafCert,
          '--key',
          c.leafKey,
          '--chain',
          f,
          '--out',
          join(o, 'c.p12'),
          '--new-passphrase-file',
          c.pass,
        ],
      },
      {
        arg: '--new-passphrase-file',
        kind: 'text',
        argv: (f, o, c) => [
          'export-p12',
          '--cert',
          c.leafCert,
          '--key',
          c.leafKey,
          '--out',
          join(o, 'c.p12'),
          '--new-passphrase-file',
          f,
        ],
      },
      {
        arg: '--truststore',
        kind: 'certificate',
        argv: (f, o, c) => [
          'export-p12',
          '--truststore',
          f,
          '--out',
          join(o, 't.p12'),
          '--new-passphrase-file',
          c.pass,
        ],
      },
    ],
    // --key-passphrase-file and --password-file: the former names of the two passphrase files,
    // kept as aliases (the same reads as --passphrase-file and --new-passphrase-file above).
    otherOptions: [
      ...COMMON,
      '--output',
      '--name',
      '--legacy',
      '--key-passphrase-file',
      '--password-file',
    ],
  },
  verify: {
    reads: [
      { arg: '<leaf>', kind: 'certificate', argv: (f, _o, c) => ['verify', f, '--ca', c.caCert] },
      { arg: '--ca', kind: 'certificate', argv: (f, _o, c) => ['verify', c.leafCert, '--ca', f] },
      {
        arg: '--untrusted',
        kind: 'certificate',
        argv: (f, _o, c) => ['verify', c.leafCert, '--ca', c.caCert, '--untrusted', f],
      },
      {
        arg: '--crl',
        kind: 'crl',
        argv: (f, _o, c) => ['verify', c.leafCert, '--ca', c.caCert, '--crl', f],
      },
    ],
    otherOptions: [
      ...COMMON,
      '--host',
      '--ip',
      '--purpose',
      '--at',
      '--max-depth',
      '--partial-chain',
      '--webpki',
    ],
  },
};

interface CorpusEntry {
  readonly name: string;
  readonly path: string;
  readonly validFor: readonly InputKind[];
  /** File-system situations (and the empty file): the only entries a `text` slot gets. */
  readonly fileSystem: boolean;
  /** Run the command as an unprivileged user (root reads files without read permission). */
  readonly unprivileged?: boolean;
}

const BAD = join(ROOT, 'fixtures', 'bad');

function committedEntries(): CorpusEntry[] {
  const manifest = JSON.parse(readFileSync(join(BAD, 'manifest.json'), 'utf8')) as {
    file: string;
    validFor: InputKind[];
  }[];
  return manifest.map((m) => ({
    name: m.file,
    path: join(BAD, m.file),
    validFor: m.validFor,
    fileSystem: m.file === 'empty.pem',
  }));
}

/** Inputs git cannot hold, made in `dir`. */
function fileSystemEntries(dir: string, certificatePem: string): CorpusEntry[] {
  const at = (name: string): string => join(dir, name);
  // 20 MB, sparse: over the 10 MiB cap without writing 20 MB.
  writeFileSync(at('huge-20mb.pem'), certificatePem);
  truncateSync(at('huge-20mb.pem'), 20_000_000);
  writeFileSync(at('10001-certificates.pem'), certificatePem.repeat(10_001));
  symlinkSync('symlink-loop.pem', at('symlink-loop.pem'));
  mkdirSync(at('a-directory.pem'));
  writeFileSync(at('no-read-permission.pem'), certificatePem);
  chmodSync(at('no-read-permission.pem'), 0o000);
  // A Unix socket: open(2) refuses it (ENXIO); a bound socket's name stays after the binder exits.
  execFileSync('python3', [
    '-c',
    'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
    at('unix-socket.pem'),
  ]);
  const entry = (name: string, extra: Partial<CorpusEntry> = {}): CorpusEntry => ({
    name,
    path: at(name),
    validFor: [],
    fileSystem: true,
    ...extra,
  });
  return [
    entry('huge-20mb.pem'),
    entry('10001-certificates.pem', { validFor: ['text'] }),
    entry('symlink-loop.pem'),
    entry('a-directory.pem'),
    entry('missing.pem'),
    entry('no-read-permission.pem', { unprivileged: process.getuid?.() === 0 }),
    // A FIFO is an input like a file now (issue 15: read to its end under the same cap), so it is
    // no bad input; a socket, and /dev/zero, which never ends, still are.
    entry('unix-socket.pem'),
    { name: 'character device /dev/zero', path: '/dev/zero', validFor: [], fileSystem: true },
  ];
}

/** Every file and folder under `dir` with its size: what a command might have written. */
function snapshot(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      const info = lstatSync(path);
      found.push(`${path} ${String(info.size)} ${String(info.mode)}`);
      if (info.isDirectory() && (info.mode & 0o500) === 0o500) walk(path);
    }
  };
  walk(dir);
  return found.sort();
}

/** Base64 snippets of every private key in play: none may appear in any output. */
function keySnippets(paths: readonly string[]): string[] {
  const snippets: string[] = [];
  for (const path of paths) {
    // Only regular files hold keys; reading a FIFO would block the test.
    if (!existsSync(path) || !lstatSync(path).isFile()) continue;
    const text = readFileSync(path, 'latin1');
    let inKey = false;
    for (const line of text.split(/\r?\n/)) {
      if (/^-----BEGIN .*PRIVATE KEY-----$/.test(line)) inKey = true;
      else if (line.startsWith('-----END')) inKey = false;
      else if (inKey && /^[A-Za-z0-9+/=]{32,}$/.test(line)) {
        for (let i = 0; i + 16 <= line.length; i += 16) snippets.push(line.slice(i, i + 16));
      }
    }
  }
  return snippets;
}

function runAs(entry: CorpusEntry, argv: string[], cwd: string): Promise<RunResult> {
  if (entry.unprivileged === true) {
    // root ignores file permissions: drop the capabilities that let it (CAP_DAC_OVERRIDE,
    // CAP_DAC_READ_SEARCH), so that the file really cannot be read. Staying root keeps the
    // checkout readable wherever CI cloned it (a 0700 temp folder shuts out other users).
    return run(
      'setpriv',
      [
        '--inh-caps=-all',
        '--bounding-set=-dac_override,-dac_read_search',
        process.execPath,
        BIN,
        ...argv,
      ],
      { cwd },
    );
  }
  return runCli(argv, { cwd });
}

/** Runs the command on the entry, in text and JSON mode, and checks everything issue 8 asks. */
async function checkCase(
  slot: FileSlot,
  entry: CorpusEntry,
  work: string,
  c: Context,
  secrets: readonly string[],
  index: number,
): Promise<void> {
  // --json on every sixth entry and every file-system entry: the error path is the same code.
  for (const json of index % 6 === 0 || entry.fileSystem ? [false, true] : [false]) {
    const out = join(work, `out-${String(index)}-${json ? 'json' : 'text'}`);
    const argv = [...slot.argv(entry.path, out, c), ...(json ? ['--json'] : [])];
    const before = snapshot(work);
    const result = await runAs(entry, argv, work);
    const shown = `certs ${argv.join(' ')}\nexit ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    assert.equal(result.code, 2, shown);
    const all = result.stdout + result.stderr;
    assert.doesNotMatch(all, /^\s+at .+[:(]/m, `stack trace\n${shown}`);
    assert.doesNotMatch(all, /node:internal|\.ts:\d+|\.js:\d+/, `internal location\n${shown}`);
    const leaked = secrets.find((s) => all.includes(s));
    assert.equal(leaked, undefined, `key material echoed\n${shown}`);
    assert.deepEqual(snapshot(work), before, `something was written\n${shown}`);
    assert.equal(existsSync(out), false, `output folder created\n${shown}`);
    const named = entry.path === '/dev/zero' ? '/dev/zero' : basename(entry.path);
    if (slot.refusal === 'reported') {
      // The report names the input (a row, an entry, or the one line saying there is no
      // certificate at all); with --json, one document that is not ok.
      assert.ok(all.includes(named), `the report does not name the file\n${shown}`);
      if (json) {
        assert.equal(result.stderr, '', `stderr not empty with --json\n${shown}`);
        assert.equal((JSON.parse(result.stdout) as { ok: unknown }).ok, false, shown);
      }
      continue;
    }
    if (json) {
      assert.equal(result.stderr, '', `stderr not empty with --json\n${shown}`);
      const doc = JSON.parse(result.stdout) as {
        ok: unknown;
        error?: { code?: unknown; message?: unknown };
      };
      assert.equal(doc.ok, false, shown);
      assert.equal(typeof doc.error?.code, 'string', shown);
      assert.ok(
        String(doc.error?.message).includes(named),
        `message does not name the file\n${shown}`,
      );
    } else {
      assert.equal(result.stdout, '', shown);
      const lines = result.stderr.split('\n').filter((l) => l.length > 0);
      assert.equal(lines.length, 1, `not exactly one line on stderr\n${shown}`);
      assert.match(lines[0] ?? '', /^certs: \S/, shown);
      assert.ok((lines[0] ?? '').includes(named), `message does not name the file\n${shown}`);
    }
  }
}

/** Commands, options and positionals as `certs --help` lists them. */
async function helpSurface(): Promise<Map<string, string[]>> {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0, top.stderr);
  const section = top.stdout.split(/\n(?=\S)/).find((s) => s.startsWith('Commands:')) ?? '';
  const commands = [...section.matchAll(/^ {2}certs (\S+)((?: <[^>]+>| \[[^\]]+\])*)/gm)];
  assert.ok(commands.length > 0, 'no command found in certs --help');
  const surface = new Map<string, string[]>();
  for (const [, name = '', positionals = ''] of commands) {
    const help = await runCli([name, '--help']);
    assert.equal(help.code, 0, help.stderr);
    const options = [...help.stdout.matchAll(/^ {2,}(?:-\w, )?(--[\w-]+)/gm)].map(
      (m) => m[1] ?? '',
    );
    surface.set(name, [...new Set([...options, ...(positionals.match(/<[^>]+>/g) ?? [])])]);
  }
  return surface;
}

interface Setup {
  readonly work: string;
  readonly c: Context;
  readonly entries: CorpusEntry[];
  readonly secrets: string[];
}

/** One work folder for the whole file (made once: openssl and a 6 MB input are not free). */
let shared: Setup | undefined;

before(async () => {
  const work = mkdtempSync(join(tmpdir(), 'certkit-corpus-'));
  chmodSync(work, 0o755); // reachable by the unprivileged user of the permission case
  const pki = join(work, 'pki');
  mkdirSync(pki, { mode: 0o755 });
  const ca = await makeCert(pki, { name: 'ca', subject: '/CN=Corpus CA', ca: true });
  const leaf = await makeCert(pki, {
    name: 'leaf',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: ca,
  });
  const pass = join(pki, 'key.pass');
  writeFileSync(pass, 'secret\n');
  const leafKeyEncrypted = join(pki, 'leaf-key-encrypted.pem');
  execFileSync('openssl', [
    'pkey',
    '-in',
    leaf.key,
    '-aes-256-cbc',
    '-passout',
    `file:${pass}`,
    '-out',
    leafKeyEncrypted,
  ]);
  for (const name of readdirSync(pki)) chmodSync(join(pki, name), 0o644);
  const inputs = join(work, 'inputs');
  mkdirSync(inputs, { mode: 0o755 });
  const entries = [
    ...committedEntries(),
    ...fileSystemEntries(inputs, readFileSync(ca.cert, 'utf8')),
  ];
  const secrets = keySnippets([
    ca.key,
    leaf.key,
    leafKeyEncrypted,
    ...entries.map((e) => e.path).filter((p) => !p.startsWith('/dev/')),
  ]);
  assert.ok(secrets.length > 100, 'the corpus holds private keys to look for');
  const redisConf = join(pki, 'redis.conf');
  writeFileSync(
    redisConf,
    `port 0\ntls-port 6380\ntls-cert-file ${leaf.cert}\ntls-key-file ${leaf.key}\ntls-ca-cert-file ${ca.cert}\n`,
  );
  chmodSync(redisConf, 0o644);
  const c: Context = {
    caCert: ca.cert,
    caKey: ca.key,
    leafCert: leaf.cert,
    leafKey: leaf.key,
    leafKeyEncrypted,
    pass,
    closedEndpoint: `127.0.0.1:${String(await freePort())}`,
    redisConf,
  };
  shared = { work, c, entries, secrets };
});

after(() => {
  if (shared !== undefined) rmSync(shared.work, { recursive: true, force: true });
});

function setUp(): Setup {
  if (shared === undefined) throw new Error('before() did not run');
  return shared;
}

void test('issue 8: the corpus holds at least 40 committed entries, each with a README line', () => {
  const manifest = committedEntries();
  assert.ok(manifest.length >= 40, `${String(manifest.length)} entries`);
  const readme = readFileSync(join(BAD, 'README.md'), 'utf8');
  const files = readdirSync(BAD)
    .filter((f) => f !== 'README.md' && f !== 'manifest.json')
    .sort();
  assert.deepEqual(files, manifest.map((m) => m.name).sort(), 'files and manifest differ');
  for (const name of files)
    assert.ok(readme.includes(`| \`${name}\` |`), `no README line for ${name}`);
});

void test('issue 8: every command and option of certs --help has a row in the corpus table', async () => {
  const surface = await helpSurface();
  for (const [command, args] of surface) {
    const row = COMMANDS[command];
    assert.ok(
      row !== undefined,
      `certs ${command} has no row in COMMANDS (test/hardening/corpus.test.ts): say which of its arguments read files`,
    );
    const known = new Set([
      ...row.otherOptions,
      ...row.reads.map((s) => s.arg.split(' ')[0] ?? ''),
    ]);
    const unknown = args.filter((a) => !known.has(a));
    assert.deepEqual(
      unknown,
      [],
      `certs ${command}: classify these in COMMANDS (reads a file, or otherOptions)`,
    );
  }
  for (const command of Object.keys(COMMANDS))
    assert.ok(surface.has(command), `COMMANDS lists ${command}, which certs --help does not`);
});

for (const [command, row] of Object.entries(COMMANDS)) {
  for (const [slotIndex, slot] of row.reads.entries()) {
    void test(
      `issue 8: certs ${command} ${slot.arg} refuses every corpus entry cleanly`,
      { concurrency: 3 },
      async (t) => {
        const { work, c, entries, secrets } = setUp();
        const cases = entries.filter(
          (e) =>
            !e.validFor.includes(slot.kind) &&
            !(slot.alsoValid ?? []).includes(e.name) &&
            (slot.kind !== 'text' || e.fileSystem),
        );
        assert.ok(cases.length >= (slot.kind === 'text' ? 7 : 40), `${String(cases.length)} cases`);
        // Every entry on the command's first file argument; a rotating sixth (plus every
        // file-system case) on its other file arguments: the same reading code, and the sample
        // proves each message names the right file (keeps the suite's time reasonable).
        const selected =
          slotIndex === 0
            ? cases
            : cases.filter((e, i) => e.fileSystem || i % SAMPLE === slotIndex % SAMPLE);
        await Promise.all(
          selected.map((entry, i) =>
            t.test(entry.name, () => checkCase(slot, entry, work, c, secrets, i)),
          ),
        );
      },
    );
  }
}
