/**
 * Issue 13: names in certificates (from files and from servers), file names, values in error
 * messages and a server's reply to PING are attacker-chosen. Raw on a terminal, ESC/OSC retitles
 * the window, CSI (also the one-character C1 U+009B) clears the screen, CR/LF forge `pass` and
 * `OK` lines, DEL erases, bidi overrides reverse what is shown. Every human-readable line shows
 * them escaped (`\x1b`, `\u202e`); `--json` keeps the exact values, with JSON escapes only.
 * The fixtures are made here with openssl: the subject through `-subj -utf8`, the SAN as raw DER.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { escapeControlCharacters, parseCertificates } from '@certkit/core';
import type { CertificateInfo } from '@certkit/core';
import { line, printJson, printLines } from '../../packages/cli/src/output.ts';
import type { Io } from '../../packages/cli/src/output.ts';
import { runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { startTlsServer } from './loopback.js';
import type { Loopback } from './loopback.js';

const CLUSTER = 'cluster.test';

/** The CN: an OSC window title, CR/LF and a forged verdict, C1 CSI, DEL, every bidi control. */
const EVIL_CN =
  'evil\u001b]0;pwned\u0007\r\nOK: 0 errors\u009b2J\u007f\u202eabc\u2066\u2067\u2068\u2069';
/** How the CN shows (formatName escapes `;` as `\;`, RFC 4514 style). */
const EVIL_CN_SHOWN =
  'evil\\x1b]0\\;pwned\\x07\\x0d\\x0aOK: 0 errors\\x9b2J\\x7f\\u202eabc\\u2066\\u2067\\u2068\\u2069';
/**
 * The dNSName bytes: OSC, CR/LF and a forged `pass` line, DEL, C1 CSI (byte 0x9b), and the UTF-8
 * of U+202E U+2066 (certkit reads an IA5String byte per character, so these show as Latin-1
 * with C1 bytes in them).
 */
const EVIL_DNS_BYTES = Buffer.concat([
  Buffer.from('a\u001b]0;pwned\u0007\r\npass  names\u007f\u009b', 'latin1'),
  Buffer.from('\u202e\u2066', 'utf8'),
  Buffer.from(`.${CLUSTER}`, 'latin1'),
]);
const EVIL_DNS = EVIL_DNS_BYTES.toString('latin1');
const EVIL_DNS_SHOWN =
  'a\\x1b]0;pwned\\x07\\x0d\\x0apass  names\\x7f\\x9b\u00e2\\x80\u00ae\u00e2\\x81\u00a6.cluster.test';

/** Anything a terminal acts on, but the line feeds that end our own lines. */
const RAW =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** A file name with controls of its own. */
const EVIL_FILE = 'name\u001b]0;t\u0007\r\nOK\u202e.pem';
const EVIL_FILE_SHOWN = 'name\\x1b]0;t\\x07\\x0d\\x0aOK\\u202e.pem';

interface Fixtures {
  readonly dir: string;
  readonly root: MadeCert;
  /** Leaf with the evil subject and SAN, issued by root. */
  readonly evil: MadeCert;
  /** The same certificate under an evil file name. */
  readonly evilNamed: string;
  /** A clean leaf for cluster.test and a client identity, for the PING server. */
  readonly leaf: MadeCert;
  readonly client: MadeCert;
  readonly info: CertificateInfo;
}

let fixtures: Fixtures | undefined;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'certkit-escaping-'));
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Escaping Root', ca: true });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: `/CN=${CLUSTER}`,
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${CLUSTER}`],
    issuer: root,
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const evil = { cert: join(dir, 'evil.pem'), key: join(dir, 'evil-key.pem') };
  const name = Buffer.concat([Buffer.from([0x82, EVIL_DNS_BYTES.length]), EVIL_DNS_BYTES]);
  const san = Buffer.concat([Buffer.from([0x30, name.length]), name]);
  const ext = join(dir, 'evil.ext');
  writeFileSync(
    ext,
    `[v3]\nbasicConstraints = critical, CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = DER:${san.toString('hex')}\n`,
  );
  const sh = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  sh(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', evil.key]);
  sh(['req', '-new', '-key', evil.key, '-utf8', '-subj', `/CN=${EVIL_CN}`, '-out', 'evil.csr']);
  sh([
    'x509', '-req', '-in', 'evil.csr', '-CA', root.cert, '-CAkey', root.key, '-CAcreateserial',
    '-days', '365', '-extfile', ext, '-extensions', 'v3', '-out', evil.cert,
  ]); // prettier-ignore
  const evilNamed = join(dir, EVIL_FILE);
  copyFileSync(evil.cert, evilNamed);
  const [parsed] = parseCertificates(readFileSync(evil.cert), evil.cert);
  assert.ok(parsed !== undefined);
  // The fixture is what it claims: core reads the exact values back.
  assert.equal(parsed.info.subjectAttributes[0]?.value, EVIL_CN);
  assert.deepEqual(parsed.info.subjectAltNames.dns, [EVIL_DNS]);
  fixtures = { dir, root, evil, evilNamed, leaf, client, info: parsed.info };
});

after(() => {
  if (fixtures !== undefined) rmSync(fixtures.dir, { recursive: true, force: true });
});

function setUp(): Fixtures {
  if (fixtures === undefined) throw new Error('before() did not run');
  return fixtures;
}

/** Human output: nothing raw, the values visible in escaped form, no forged line. */
function assertEscaped(text: string, shown: readonly string[], what: string): void {
  const raw = RAW.exec(text);
  assert.equal(raw, null, `${what}: raw U+${(raw?.[0].codePointAt(0) ?? 0).toString(16)}\n${text}`);
  for (const piece of shown) assert.ok(text.includes(piece), `${what} shows ${piece}:\n${text}`);
  // What the values would print at the start of a line of their own, were LF left raw.
  assert.doesNotMatch(
    text,
    /^(OK: 0 errors(\\x9b|\u009b|\))|pass {2}names(\\x7f|\u007f)|OK(\\u202e|\u202e))/m,
    `${what}: a forged line`,
  );
}

/** --json output: one document, nothing raw a terminal would act on (JSON escapes it). */
function parseJson(result: RunResult, what: string): unknown {
  const raw = RAW.exec(result.stdout);
  assert.equal(raw, null, `${what}: raw U+${(raw?.[0].codePointAt(0) ?? 0).toString(16)} in JSON`);
  return JSON.parse(result.stdout) as unknown;
}

test('issue 13: inspect escapes subject, issuer and SAN; --json keeps them exactly', async () => {
  const { evil, info } = setUp();
  const text = await runCli(['inspect', evil.cert]);
  assert.equal(text.code, 0, text.stderr);
  assertEscaped(
    text.stdout,
    [`subject       CN=${EVIL_CN_SHOWN}`, `DNS:${EVIL_DNS_SHOWN}`],
    'inspect',
  );
  const json = await runCli(['inspect', evil.cert, '--json']);
  const doc = parseJson(json, 'inspect --json') as {
    files: { items: { certificate: CertificateInfo }[] }[];
  };
  const certificate = doc.files[0]?.items[0]?.certificate;
  assert.equal(certificate?.subject, info.subject);
  assert.equal(certificate.subjectAttributes[0]?.value, EVIL_CN);
  assert.deepEqual(certificate.subjectAltNames.dns, [EVIL_DNS]);
});

test('issue 13: expiry escapes the subject; --json keeps it exactly', async () => {
  const { evil, info } = setUp();
  const text = await runCli(['expiry', evil.cert]);
  assert.equal(text.code, 0, text.stderr);
  assertEscaped(text.stdout, [`CN=${EVIL_CN_SHOWN}`], 'expiry');
  const doc = parseJson(await runCli(['expiry', evil.cert, '--json']), 'expiry --json') as {
    certificates: { subject: string }[];
  };
  assert.equal(doc.certificates[0]?.subject, info.subject);
});

test('issue 13: check escapes names in its report and findings; --json keeps them exactly', async () => {
  const { evil, root, info } = setUp();
  const args = ['check', '--cluster', CLUSTER, evil.cert, '--ca', root.cert];
  const text = await runCli(args);
  assert.equal(text.code, 1, text.stderr); // the SAN covers no endpoint: NAME_MISMATCH
  assertEscaped(
    text.stdout,
    [
      `CN=${EVIL_CN_SHOWN}; DNS:${EVIL_DNS_SHOWN}`,
      `NAME_MISMATCH`,
      `(names: DNS:${EVIL_DNS_SHOWN}`,
    ],
    'check',
  );
  const doc = parseJson(await runCli([...args, '--json']), 'check --json') as {
    reports: { certificates: { subject: string; dnsNames: string[] }[] }[];
  };
  assert.equal(doc.reports[0]?.certificates[0]?.subject, info.subject);
  assert.deepEqual(doc.reports[0].certificates[0].dnsNames, [EVIL_DNS]);
});

test('issue 13: verify escapes the path and its findings; --json keeps them exactly', async () => {
  const { evil, root, info } = setUp();
  const args = ['verify', evil.cert, '--ca', root.cert, '--host', `redis-12000.${CLUSTER}`];
  const text = await runCli(args);
  assert.equal(text.code, 1, text.stderr); // the host is not among the names
  assertEscaped(text.stdout, [`leaf         CN=${EVIL_CN_SHOWN}`], 'verify');
  const doc = parseJson(await runCli([...args, '--json']), 'verify --json') as {
    path: { subject: string }[];
  };
  assert.equal(doc.path[0]?.subject, info.subject);
});

test('issue 13: chain escapes subjects and file names in its summary; --json keeps them', async () => {
  const { evilNamed, root, info } = setUp();
  const text = await runCli(['chain', evilNamed, root.cert]);
  assert.equal(text.code, 0, text.stderr);
  assertEscaped(
    text.stderr,
    [`CN=${EVIL_CN_SHOWN}`, `read ${setUp().dir}/${EVIL_FILE_SHOWN} (1)`],
    'chain',
  );
  const doc = parseJson(
    await runCli(['chain', evilNamed, root.cert, '--json']),
    'chain --json',
  ) as {
    certificates: { subject: string }[];
    inputs: { file: string }[];
  };
  assert.equal(doc.certificates[0]?.subject, info.subject);
  assert.equal(doc.inputs[0]?.file, evilNamed);
});

async function evilServer(t: TestContext): Promise<Loopback> {
  const { evil, root } = setUp();
  return startTlsServer(t, {
    cert: readFileSync(evil.cert, 'utf8') + readFileSync(root.cert, 'utf8'),
    key: readFileSync(evil.key, 'utf8'),
  });
}

test('issue 13: fetch escapes what a live server presents; --json keeps it exactly', async (t) => {
  const { dir, info } = setUp();
  const server = await evilServer(t);
  const printed = await runCli(['fetch', server.endpoint]);
  assert.equal(printed.code, 0, printed.stderr);
  // Without -o the report is one line per endpoint (its address, version, fingerprints); what
  // the server named itself shows in the -o report.
  assert.match(printed.stderr, /^ok {2}127\.0\.0\.1:\d+ {2}TLSv1\.3 {2}2 certificates {2}sha256:/m);
  const saved = await runCli(['fetch', server.endpoint, '-o', join(dir, 'fetched.pem')]);
  assert.equal(saved.code, 0, saved.stderr);
  assertEscaped(saved.stdout, [`1. leaf         CN=${EVIL_CN_SHOWN}`], 'fetch -o');
  const doc = parseJson(await runCli(['fetch', server.endpoint, '--json']), 'fetch --json') as {
    endpoints: { certificates: CertificateInfo[] }[];
  };
  const [first] = doc.endpoints[0]?.certificates ?? [];
  assert.equal(first?.subject, info.subject);
  assert.deepEqual(first.subjectAltNames.dns, [EVIL_DNS]);
});

test("issue 13: check --endpoint escapes the server's PING reply; --json keeps it exactly", async (t) => {
  const { leaf, root, client } = setUp();
  const reply = '+PONG\u001b]0;pwned\u0007\u009b2J\u007f\rOK: 0 errors';
  const server = await startTlsServer(
    t,
    {
      cert: readFileSync(leaf.cert, 'utf8') + readFileSync(root.cert, 'utf8'),
      key: readFileSync(leaf.key, 'utf8'),
    },
    (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write(Buffer.from(`${reply}\r\n`, 'latin1')));
    },
  );
  const args = [
    'check', '--cluster', CLUSTER, '--endpoint', server.endpoint, '--sni', `redis-12000.${CLUSTER}`,
    '--ca', root.cert, '--client-cert', client.cert, '--client-key', client.key,
  ]; // prettier-ignore
  const text = await runCli(args);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  assertEscaped(
    text.stdout,
    ['PING with client identity: accepted (+PONG\\x1b]0;pwned\\x07\\x9b2J\\x7f\\x0dOK: 0 errors)'],
    'check --endpoint',
  );
  const doc = parseJson(await runCli([...args, '--json']), 'check --endpoint --json') as {
    live: { ping: { reply: string } };
  };
  assert.equal(doc.live.ping.reply, reply);
});

test('issue 13: error messages escape file names and values from the command line', async () => {
  const { dir } = setUp();
  const missing = join(dir, `missing-${EVIL_FILE}`);
  const garbage = join(dir, `garbage-${EVIL_FILE}`);
  writeFileSync(garbage, 'not a certificate\n');
  const cases: { args: string[]; shown: string; exact: string }[] = [
    { args: ['inspect', missing], shown: `missing-${EVIL_FILE_SHOWN}`, exact: missing },
    { args: ['expiry', garbage], shown: `garbage-${EVIL_FILE_SHOWN}`, exact: garbage },
    { args: ['check', '--cluster', CLUSTER, garbage], shown: EVIL_FILE_SHOWN, exact: garbage },
    { args: ['verify', garbage, '--ca', garbage], shown: EVIL_FILE_SHOWN, exact: garbage },
    { args: ['chain', missing], shown: EVIL_FILE_SHOWN, exact: missing },
    {
      args: ['check', '--cluster', `x\u001b[2J\r\nOK\u202e.test`, garbage],
      shown: 'x\\x1b[2J\\x0d\\x0aOK\\u202e.test',
      exact: `x\u001b[2J\r\nOK\u202e.test`,
    },
    {
      args: ['verify', garbage, '--ca', garbage, '--at', '\u001b]0;t\u0007\r\nOK'],
      shown: '\\x1b]0;t\\x07\\x0d\\x0aOK',
      exact: '\u001b]0;t\u0007\r\nOK',
    },
    {
      args: ['fetch', `bad\u001b[2J\u009b\u202e:1`],
      shown: 'bad\\x1b[2J\\x9b\\u202e:1',
      exact: `bad\u001b[2J\u009b\u202e:1`,
    },
  ];
  for (const { args, shown, exact } of cases) {
    const what = args[0] ?? '';
    const text = await runCli(args);
    assert.equal(text.code, 2, `${what}: ${text.stderr}`);
    if (what === 'expiry') {
      // expiry reports an unreadable input as a row of its table (issue 14), on stdout.
      assert.match(text.stdout, /^UNREADABLE [^\n]*\n/m, `${what}: a row`);
      assertEscaped(text.stdout, [shown], `${what} row`);
    } else {
      assert.match(text.stderr, /^certs: [^\n]*\n/, `${what}: one line`);
      assertEscaped(text.stderr, [shown], `${what} error`);
    }
    const json = await runCli([...args, '--json']);
    assert.equal(json.code, 2, `${what} --json`);
    const doc = parseJson(json, `${what} --json`) as { ok: boolean; error: { message: string } };
    assert.equal(doc.ok, false);
    assert.ok(doc.error.message.includes(exact), `${what} --json: ${doc.error.message}`);
  }
});

// --- The escaping itself, as properties (fast-check, seeded as in properties.test.ts). ---

const seedSetting = process.env.CERTKIT_PROPERTY_SEED;
const SEED =
  seedSetting === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : seedSetting === undefined
      ? 20_261_127
      : Number(seedSetting);
const RUNS = 10_000;

/** Reads an escaped text back: the inverse of escapeControlCharacters, from its documented rules. */
function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text.charAt(i + 1);
    const hex = (digits: number): string | undefined => {
      const h = text.slice(i + 2, i + 2 + digits);
      return /^[0-9a-f]+$/.test(h) && h.length === digits ? h : undefined;
    };
    if (next === '\\') {
      out += '\\';
      i += 1;
    } else if (next === 'x' && hex(2) !== undefined) {
      out += String.fromCharCode(parseInt(hex(2) ?? '', 16));
      i += 3;
    } else if (next === 'u' && hex(4) !== undefined) {
      out += String.fromCharCode(parseInt(hex(4) ?? '', 16));
      i += 5;
    } else {
      out += '\\';
    }
  }
  return out;
}

/** Strings dense in what matters: controls, bidi, backslashes, `x`, `u`, hex digits. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom('\\', 'x', 'u', '0', '1', 'b', 'e', '2', 'OK', 'pass', ' ', ';', '\r\n'),
      fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(
        '\u061c',
        '\u200e',
        '\u200f',
        '\u202a',
        '\u202b',
        '\u202c',
        '\u202d',
        '\u202e',
      ),
      fc.constantFrom('\u2066', '\u2067', '\u2068', '\u2069', '\u2028', 'é', '😀'),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));
const anyText = fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 40 }));

test('issue 13 property: the escaped form holds no C0, C1, DEL or bidi control', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const escaped = escapeControlCharacters(text);
      assert.equal(RAW.exec(escaped), null);
      assert.ok(!escaped.includes('\n'), 'one line');
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

test('issue 13 property: escaping is injective (it reads back), so no value passes for another', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      assert.equal(unescape(escapeControlCharacters(text)), text);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // Distinct inputs never meet, and text with controls never reads as plain text.
  fc.assert(
    fc.property(tricky, tricky, (a, b) => {
      fc.pre(a !== b);
      assert.notEqual(escapeControlCharacters(a), escapeControlCharacters(b));
    }),
    { numRuns: RUNS, seed: SEED },
  );
  assert.notEqual(escapeControlCharacters('\u001b'), escapeControlCharacters('\\x1b'));
  assert.notEqual(escapeControlCharacters('\\\u001b'), escapeControlCharacters('\\x1b'));
});

test('issue 13 property: a printed line is one line whatever its values; JSON keeps them', () => {
  fc.assert(
    fc.property(anyText, anyText, (a, b) => {
      let printed = '';
      const io: Io = {
        stdout: (text) => (printed += text),
        stderr: () => undefined,
        stdoutIsTty: false,
        stderrIsTty: false,
      };
      printLines(io, 'stdout', [line`  pass  ${a} and ${b}`]);
      assert.equal(printed.indexOf('\n'), printed.length - 1);
      assert.equal(RAW.exec(printed), null);
      let json = '';
      printJson({ ...io, stdout: (text) => (json += text) }, { a, b });
      assert.equal(RAW.exec(json), null);
      assert.deepEqual(JSON.parse(json), { a, b });
    }),
    { numRuns: RUNS, seed: SEED },
  );
});
