/**
 * Issue 13: a hostile TLS server must not crash `certs fetch`, `certs check --endpoint`,
 * `certs stunnel lint` or a program using `@certkit/core`. Each server below listens on loopback
 * (a port the kernel picks, closed when the test ends) and plays one trick: a certificate OpenSSL
 * accepts but certkit cannot read (a UTCTime without seconds), a 1,000-certificate chain, one
 * certificate more than certkit reads from a peer, bytes dripped one at a time, a reset in the
 * middle of the handshake, a reply that is not TLS, and a reply to PING that never ends. Every
 * run must end with the endpoint's row and its reason (fetch, check: exit 1, as when it is one
 * endpoint of many) or a finding (stunnel lint), one JSON document with --json, and no stack
 * trace; the library must reject with a CertkitError, report the failure as data, or report a
 * finding.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  fetchEndpoints,
  fetchPresentedChain,
  isCertkitError,
  lintStunnelConfigFile,
  parseCertificates,
  pingWithIdentity,
  runCheck,
} from '@certkit/core';
// The bounds on what a peer makes certkit read: tuning limits, documented on the TLS functions.
import {
  MAX_PEER_CERTIFICATES,
  MAX_PING_REPLY_BYTES,
} from '../../packages/core/src/io/tls-attempt.js';
import { run, runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { crashTraces, derOf, pemOf, startTcpServer, startTlsServer } from './loopback.js';
import type { Loopback } from './loopback.js';

const CLUSTER = 'cluster.test';
const NAME = `redis-12000.${CLUSTER}`;
/** Small deadlines: the drip-feed must end on them, not on the 10-second default. */
const CLI_TIMEOUT_SECONDS = '1';
const LIBRARY_TIMEOUT_MS = 300;

interface Pki {
  readonly dir: string;
  readonly root: MadeCert;
  readonly leaf: MadeCert;
  readonly client: MadeCert;
  /** The leaf with its validity rewritten as UTCTime without seconds. */
  readonly unreadable: string;
}

let pki: Pki | undefined;
let scratch: string | undefined;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'certkit-hostile-'));
  scratch = dir;
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Hostile Root', ca: true });
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
  const unreadable = join(dir, 'unreadable.pem');
  writeFileSync(unreadable, pemOf([withoutSeconds(derOf(readFileSync(leaf.cert, 'utf8')))]));
  pki = { dir, root, leaf, client, unreadable };
});

after(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

function setUp(): Pki {
  if (pki === undefined) throw new Error('before() did not run');
  return pki;
}

/**
 * The certificate with both validity times as `YYMMDDHHMMZ`: a UTCTime form X.680 allows and
 * OpenSSL reads, which RFC 5280 section 4.1.2.5.1 forbids in certificates (seconds are required)
 * and certkit's DER reader refuses. Lengths are patched; the signature no longer verifies, which
 * nobody here checks (the client fetches with verification off).
 */
function withoutSeconds(der: Buffer): Buffer {
  // Certificate and TBSCertificate headers: 30 82 hh ll (a 300- to 1000-byte EC certificate).
  assert.deepEqual([der[0], der[1], der[4], der[5]], [0x30, 0x82, 0x30, 0x82]);
  // Validity: 30 1e, then two UTCTimes 17 0d YYMMDDHHMMSSZ.
  const at = der.indexOf(Buffer.from([0x30, 0x1e, 0x17, 0x0d]));
  assert.ok(at > 0 && der[at + 17] === 0x17 && der[at + 18] === 0x0d, 'validity not found');
  const minutes = (offset: number): Buffer =>
    Buffer.concat([
      Buffer.from([0x17, 0x0b]),
      der.subarray(offset + 2, offset + 12),
      Buffer.from('Z'),
    ]);
  const validity = Buffer.concat([Buffer.from([0x30, 0x1a]), minutes(at + 2), minutes(at + 17)]);
  const out = Buffer.concat([der.subarray(0, at), validity, der.subarray(at + 32)]);
  out.writeUInt16BE(der.readUInt16BE(2) - 4, 2);
  out.writeUInt16BE(der.readUInt16BE(6) - 4, 6);
  return out;
}

/** `count` distinct certificates: the leaf, then copies of the root with changed serials. */
function longChain(count: number): string {
  const { leaf, root } = setUp();
  const rootDer = derOf(readFileSync(root.cert, 'utf8'));
  // serialNumber: 02 len content at offset 13 of openssl's certificate; 20 random bytes.
  assert.ok(rootDer[13] === 0x02 && (rootDer[14] ?? 0) >= 8, 'serial not where expected');
  const copies = Array.from({ length: count - 1 }, (_, i) => {
    const copy = Buffer.from(rootDer);
    copy.writeUInt16BE(i, 19); // inside the serial, after its first byte: still a valid INTEGER
    return copy;
  });
  return pemOf([derOf(readFileSync(leaf.cert, 'utf8')), ...copies]);
}

function tlsOptions(cert: string): { cert: string; key: string } {
  return { cert, key: readFileSync(setUp().leaf.key, 'utf8') };
}

interface HostileCase {
  readonly name: string;
  readonly start: (t: TestContext) => Promise<Loopback>;
  /** The CertkitError code of fetchPresentedChain. */
  readonly code: string;
  /** What its error says (CLI deadline 1 s, library 300 ms for the drip-feed). */
  readonly message: RegExp;
  /** The endpoint failure code of fetch and check (a row of the report, not an abort). */
  readonly failure: string;
  /** The reason that row gives. */
  readonly reason: RegExp;
}

const CASES: readonly HostileCase[] = [
  {
    name: 'a certificate OpenSSL reads and certkit cannot (UTCTime without seconds)',
    start: (t) => startTlsServer(t, tlsOptions(readFileSync(setUp().unreadable, 'utf8'))),
    code: 'CERTIFICATE_INVALID',
    message: /cannot read certificate 1 in 127\.0\.0\.1:\d+: not a valid X\.509 certificate/,
    failure: 'CERTIFICATE_UNREADABLE',
    reason: /^cannot read certificate 1 in 127\.0\.0\.1:\d+: not a valid X\.509 certificate/,
  },
  {
    // OpenSSL refuses a Certificate message over 100 KiB (max_cert_list) before we see it.
    name: 'a 1,000-certificate chain',
    start: (t) => startTlsServer(t, tlsOptions(longChain(1000))),
    code: 'TLS_FAILED',
    message:
      /cannot get a certificate from 127\.0\.0\.1:\d+: the server sent a TLS message larger than OpenSSL accepts/,
    failure: 'CERTIFICATE_UNREADABLE',
    reason: /^the server sent a TLS message larger than OpenSSL accepts/,
  },
  {
    name: `one certificate more than certkit reads from a peer (${String(MAX_PEER_CERTIFICATES + 1)})`,
    start: (t) => startTlsServer(t, tlsOptions(longChain(MAX_PEER_CERTIFICATES + 1))),
    code: 'TOO_MANY_CERTIFICATES',
    message: new RegExp(
      `127\\.0\\.0\\.1:\\d+ presents: more than ${String(MAX_PEER_CERTIFICATES)} certificates`,
    ),
    failure: 'CERTIFICATE_UNREADABLE',
    reason: new RegExp(
      `127\\.0\\.0\\.1:\\d+ presents: more than ${String(MAX_PEER_CERTIFICATES)} certificates`,
    ),
  },
  {
    // A TLS record header announcing 16 KiB, then one byte every 100 ms, forever.
    name: 'a server that drips its reply one byte at a time',
    start: (t) =>
      startTcpServer(t, (socket) => {
        const bytes = Buffer.concat([
          Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]),
          Buffer.alloc(1 << 14),
        ]);
        let sent = 0;
        const timer = setInterval(() => {
          if (sent < bytes.length) socket.write(bytes.subarray(sent, ++sent));
        }, 100);
        socket.on('close', () => {
          clearInterval(timer);
        });
      }),
    code: 'TLS_FAILED',
    // 1 s for the CLI, 300 ms for the library, 5 s in stunnel lint (STUNNEL_PROBE_TIMEOUT_MS).
    message:
      /cannot get a certificate from 127\.0\.0\.1:\d+: no TLS handshake within (1000|300|5000) ms: the port accepted the connection/,
    failure: 'TIMEOUT',
    reason: /^no TLS handshake within (1000|300) ms: the port accepted the connection/,
  },
  {
    // The start of a ServerHello, then a TCP reset (RST) instead of the rest.
    name: 'a reset in the middle of the handshake',
    start: (t) =>
      startTcpServer(t, (socket) => {
        socket.once('data', () => {
          socket.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00]), () => {
            socket.resetAndDestroy();
          });
        });
      }),
    code: 'TLS_FAILED',
    message: /cannot get a certificate from 127\.0\.0\.1:\d+: the server reset the connection/,
    failure: 'CONNECTION_RESET',
    reason: /^the server reset the connection$/,
  },
  {
    // What a plain-text Redis port says to a TLS ClientHello, plus terminal controls.
    name: 'a reply that is not TLS',
    start: (t) =>
      startTcpServer(t, (socket) => {
        socket.once('data', () => {
          socket.end("-ERR unknown command '\u0016\u0003\u0001'\r\n\u001b]0;pwned\u0007\u001b[2J");
        });
      }),
    code: 'TLS_FAILED',
    message: /cannot get a certificate from 127\.0\.0\.1:\d+: this port does not speak TLS$/,
    failure: 'NOT_TLS',
    reason: /^this port does not speak TLS$/,
  },
];

/** A stunnel client configuration with nothing to lint but the endpoint's own answer. */
function stunnelConfig(endpoint: string): string {
  const { dir, root, client } = setUp();
  const file = join(dir, `stunnel-${endpoint.replace(/\W/g, '_')}.conf`);
  writeFileSync(
    file,
    [
      '[redislabs]',
      'client = yes',
      'accept = 127.0.0.1:6390',
      `connect = ${endpoint}`,
      `CAfile = ${root.cert}`,
      `cert = ${client.cert}`,
      `key = ${client.key}`,
      'verifyChain = yes',
      `checkHost = ${NAME}`,
      `sni = ${NAME}`,
      'sslVersionMin = TLSv1.2',
      '',
    ].join('\n'),
  );
  return file;
}

/** Every run: no stack trace, nothing uncaught, in either stream. */
function assertNoCrash(result: RunResult, what: string): void {
  assert.deepEqual(crashTraces(result.stdout + result.stderr), [], `${what}\n${result.stderr}`);
}

/** The endpoint's row in a --json run: exit 1 (the run went on), one document, the failure. */
function assertJsonRow(
  result: RunResult,
  hostile: HostileCase,
  what: string,
): { endpoints: { ok: boolean; failure: { code: string; reason: string } }[] } {
  assertNoCrash(result, what);
  assert.equal(result.code, 1, `${what}: exit 1 (the endpoint failed)\n${result.stderr}`);
  const doc = JSON.parse(result.stdout) as {
    ok: boolean;
    endpoints: { ok: boolean; failure: { code: string; reason: string } }[];
  };
  assert.equal(doc.ok, false, what);
  assert.equal(doc.endpoints.length, 1, what);
  const [row] = doc.endpoints;
  assert.ok(row !== undefined && !row.ok, what);
  assert.equal(row.failure.code, hostile.failure, `${what}: ${result.stdout}`);
  assert.match(row.failure.reason, hostile.reason, what);
  assert.equal(result.stderr, '', what);
  return doc;
}

/** A failed human run: exit 1, the endpoint's one line (after `prefix`) with its reason. */
function assertTextRow(
  result: RunResult,
  text: string,
  prefix: RegExp,
  reason: RegExp,
  what: string,
): void {
  assertNoCrash(result, what);
  assert.equal(result.code, 1, `${what}\n${result.stdout}${result.stderr}`);
  const rows = text
    .split('\n')
    .filter((l) => prefix.test(l))
    .map((l) => l.replace(prefix, ''));
  assert.equal(rows.length, 1, `${what}: one line for the endpoint\n${text}`);
  assert.match(rows[0] ?? '', reason, what);
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp, what: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isCertkitError(error), `${what}: a CertkitError, got ${String(error)}`);
    assert.equal(error.code, code, `${what}: ${error.message}`);
    assert.match(error.message, message, what);
    return true;
  });
}

test('issue 13: the crafted certificate is one OpenSSL reads and certkit refuses', async () => {
  const { unreadable } = setUp();
  const read = await openssl(['x509', '-in', unreadable, '-noout', '-subject', '-dates']);
  assert.equal(read.code, 0, read.stderr);
  assert.match(read.stdout, /notBefore=\w{3} +\d+ \d\d:\d\d:00 \d{4} GMT/);
  assert.throws(
    () => parseCertificates(readFileSync(unreadable), unreadable),
    (error: unknown) => isCertkitError(error) && error.code === 'CERTIFICATE_INVALID',
  );
});

test(`issue 13: the cap on certificates from a peer is ${String(MAX_PEER_CERTIFICATES)}: that many are read`, async (t) => {
  const server = await startTlsServer(t, tlsOptions(longChain(MAX_PEER_CERTIFICATES)));
  const chain = await fetchPresentedChain('127.0.0.1', server.port);
  assert.equal(chain.certificates.length, MAX_PEER_CERTIFICATES);
  const cli = await runCli(['fetch', server.endpoint, '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const doc = JSON.parse(cli.stdout) as { endpoints: { certificates: unknown[] }[] };
  assert.equal(doc.endpoints[0]?.certificates.length, MAX_PEER_CERTIFICATES);
});

for (const hostile of CASES) {
  test(`issue 13: ${hostile.name}: fetch, check --endpoint and stunnel lint end cleanly (CLI)`, async (t) => {
    const server = await hostile.start(t);
    const timeout = ['--timeout', CLI_TIMEOUT_SECONDS];
    // One endpoint of a run failing is a row of the report with its reason (exit 1), not an
    // abort: the same as when it is one of many.
    assertJsonRow(
      await runCli(['fetch', server.endpoint, ...timeout, '--json']),
      hostile,
      'fetch --json',
    );
    const fetchText = await runCli(['fetch', server.endpoint, ...timeout]);
    assert.equal(fetchText.stdout, '', 'fetch: no PEM');
    assertTextRow(
      fetchText,
      fetchText.stderr,
      /^FAILED {2}127\.0\.0\.1:\d+ {2}/,
      hostile.reason,
      'fetch',
    );
    const check = ['check', '--cluster', CLUSTER, '--endpoint', server.endpoint, ...timeout];
    assertJsonRow(await runCli([...check, '--json']), hostile, 'check --json');
    const checkText = await runCli(check);
    assertTextRow(checkText, checkText.stdout, /^ {2}fail {2}reachable: /, hostile.reason, 'check');

    // lint reports an endpoint it could not judge as a finding, and goes on.
    const config = stunnelConfig(server.endpoint);
    const lint = await runCli(['stunnel', 'lint', config, '--json']);
    assertNoCrash(lint, 'stunnel lint --json');
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    const report = JSON.parse(lint.stdout) as { findings: { code: string; message: string }[] };
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['STUNNEL_ENDPOINT_UNREACHABLE'],
    );
    assert.match(report.findings[0]?.message ?? '', hostile.message);
    const lintText = await runCli(['stunnel', 'lint', config]);
    assertNoCrash(lintText, 'stunnel lint');
    assert.equal(lintText.code, 0, lintText.stderr);
    assert.match(lintText.stdout, /STUNNEL_ENDPOINT_UNREACHABLE/);
  });

  test(`issue 13: ${hostile.name}: the library rejects with a CertkitError or reports a finding`, async (t) => {
    const server = await hostile.start(t);
    const options = { timeoutMs: LIBRARY_TIMEOUT_MS };
    await rejectsWith(
      fetchPresentedChain('127.0.0.1', server.port, options),
      hostile.code,
      hostile.message,
      'fetchPresentedChain',
    );
    const fetched = await fetchEndpoints({ endpoints: [server.endpoint], ...options });
    const [tried] = fetched.endpoints;
    assert.ok(tried !== undefined && !tried.ok, 'fetchEndpoints: the endpoint failed');
    assert.equal(tried.failure.code, hostile.failure, tried.failure.reason);
    assert.match(tried.failure.reason, hostile.reason);
    const checked = await runCheck({ cluster: CLUSTER, endpoint: server.endpoint, ...options });
    assert.equal(checked.ok, false, 'runCheck');
    const [row] = checked.endpoints ?? [];
    assert.ok(row !== undefined && !row.ok, 'runCheck: the endpoint failed');
    assert.equal(row.failure.code, hostile.failure, row.failure.reason);
    assert.match(row.failure.reason, hostile.reason);
    const report = await lintStunnelConfigFile(stunnelConfig(server.endpoint), {
      probe: true,
      probeTimeoutMs: LIBRARY_TIMEOUT_MS,
    });
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [['STUNNEL_ENDPOINT_UNREACHABLE', 'info']],
    );
    assert.match(report.findings[0]?.message ?? '', hostile.message);
  });
}

/** A TLS server that answers anything with `size` bytes of `A` and no line end, and stays open. */
function endlessReply(t: TestContext, size: number): Promise<Loopback> {
  const { root, leaf } = setUp();
  const cert = readFileSync(leaf.cert, 'utf8') + readFileSync(root.cert, 'utf8');
  return startTlsServer(t, tlsOptions(cert), (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const piece = Buffer.alloc(64 * 1024, 'A');
      for (let sent = 0; sent < size; sent += piece.length) socket.write(piece);
    });
  });
}

test('issue 13: a reply to PING that never ends is cut at MAX_PING_REPLY_BYTES (library)', async (t) => {
  const { client } = setUp();
  const server = await endlessReply(t, 4 * 1024 * 1024);
  const identity = {
    certificatePem: readFileSync(client.cert, 'utf8'),
    privateKeyPem: readFileSync(client.key, 'utf8'),
  };
  // The reply never ends and the server never closes: only the cap ends the wait, before the
  // deadline (which would make it a refusal).
  const ping = await pingWithIdentity('127.0.0.1', server.port, {
    clientIdentity: identity,
    timeoutMs: 30_000,
  });
  assert.equal(ping.accepted, true, ping.error);
  assert.equal(ping.reply, 'A'.repeat(MAX_PING_REPLY_BYTES));
});

test('issue 13: a reply to PING that never ends: check --endpoint with a client identity (CLI)', async (t) => {
  const { root, client } = setUp();
  const server = await endlessReply(t, 4 * 1024 * 1024);
  const check = [
    'check',
    '--cluster',
    CLUSTER,
    '--endpoint',
    server.endpoint,
    '--sni',
    NAME,
    '--ca',
    root.cert,
    '--client-cert',
    client.cert,
    '--client-key',
    client.key,
    '--timeout',
    '30',
  ];
  const json = await runCli([...check, '--json']);
  assertNoCrash(json, 'check --json');
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const doc = JSON.parse(json.stdout) as { live: { ping: { accepted: boolean; reply: string } } };
  assert.equal(doc.live.ping.accepted, true);
  assert.equal(doc.live.ping.reply.length, MAX_PING_REPLY_BYTES);
  const text = await runCli(check);
  assertNoCrash(text, 'check');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /PING with client identity: accepted \(A{4096}\)\n/);
});

test('issue 13: an exception no promise carries is reported in one line or one JSON document, exit 2', async () => {
  // What bin.ts installs, facing a throw inside an event handler (the old crash's shape), with a
  // message that carries controls and a line that looks like a stack frame.
  const script = [
    "import { crashHandler } from './packages/cli/src/main.ts';",
    'const json = process.argv.includes("--json");',
    "process.on('uncaughtException', crashHandler(json ? ['--json'] : []));",
    "setTimeout(() => { throw new Error('boom\\u001b[2J\\n    at Fake (x.js:1:1)'); }, 0);",
  ].join('\n');
  for (const json of [false, true]) {
    const result = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, ...(json ? ['--', '--json'] : [])],
      { env: { CERTKIT_DEBUG: '' } },
    );
    assert.equal(result.code, 2, result.stderr);
    assertNoCrash(result, `crash handler, json ${String(json)}`);
    if (json) {
      const doc = JSON.parse(result.stdout) as { ok: boolean; error: { code: string } };
      assert.deepEqual([doc.ok, doc.error.code], [false, 'INTERNAL']);
      assert.equal(result.stderr, '');
    } else {
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, 'certs: unexpected failure: boom\\x1b[2J; at Fake (x.js:1:1)\n');
    }
  }
});
