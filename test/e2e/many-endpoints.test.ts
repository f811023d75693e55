/**
 * Many endpoints at once, through the built bin, against real servers on loopback: redis-server
 * TLS nodes and one process listening on many ports (test/helpers/ports-server.ts), with an
 * endpoint that is down, one that speaks plain text (a real redis-server without TLS), one that
 * resets, and ones that never answer. `certs fetch` makes the bundle `certs chain` makes of the
 * same certificates; `--all-addresses` with `--resolve` reaches a server on 127.0.0.1 and one on
 * 127.0.0.2 behind one name, sending the name as SNI; `check` and `expiry` take lists; no more
 * than --concurrency connections are open at once and every one is closed, on a timeout and on
 * Ctrl-C; progress shows on a terminal only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { BIN, run, runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { startPortsServer } from '../helpers/ports.js';
import type { PortSpec } from '../helpers/ports.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER = 'fleet.test';
const NAME = `redis-12000.${CLUSTER}`;

/** A node's own self-signed certificate, as a Redis Enterprise node's default proxy_cert.pem. */
async function nodeCert(dir: string, name: string, days = 90): Promise<MadeCert> {
  return makeCert(dir, {
    name,
    subject: `/CN=${name}.${CLUSTER}`,
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${CLUSTER}`],
    days,
  });
}

/** SHA-256 fingerprint of a certificate file, as openssl prints it. */
async function fingerprint(cert: string): Promise<string> {
  const result = await openssl(['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']);
  assert.equal(result.code, 0, result.stderr);
  const value = result.stdout.trim().split('=')[1];
  assert.ok(value !== undefined, result.stdout);
  return value;
}

/** A real redis-server without TLS on a free loopback port: the plain-text endpoint. */
async function startPlainRedis(t: TestContext, dir: string): Promise<number> {
  const port = await freePort();
  const config = join(dir, `plain-${String(port)}.conf`);
  writeFileSync(
    config,
    [`port ${String(port)}`, 'bind 127.0.0.1', 'daemonize no', 'save ""', 'appendonly no', `dir ${dir}`, ''].join('\n'), // prettier-ignore
  );
  const server = startBackground(t, 'redis-server', [config]);
  await waitForPort(port, server.child, server.output);
  return port;
}

/** The line of an endpoint in `certs fetch` output. */
function rowOf(output: string, endpoint: string): string {
  const rows = output
    .split('\n')
    .filter((l) => l.includes(`  ${endpoint}  `) || l.includes(`  ${endpoint} (`));
  assert.equal(rows.length, 1, `one line for ${endpoint}:\n${output}`);
  return rows[0] ?? '';
}

const at = (port: number, host = '127.0.0.1'): string => `${host}:${String(port)}`;

interface Fleet {
  readonly dir: string;
  /** The endpoints that answer, in order, and the certificate each presents. */
  readonly good: readonly { endpoint: string; cert: MadeCert }[];
  /** A real redis-server without TLS. */
  readonly plain: string;
  /** A port that answers in plain text at once. */
  readonly text: string;
  readonly reset: string;
  readonly down: string;
}

/**
 * Two redis-server TLS nodes, four ports of the ports server (the last two presenting the same
 * certificate, so the bundle has a duplicate to report), a plain-text redis, a port that answers
 * in plain text, one that resets, and one that is down.
 */
async function startFleet(t: TestContext): Promise<Fleet> {
  const dir = tempDir(t);
  const certs: MadeCert[] = [];
  for (let i = 1; i <= 5; i++) certs.push(await nodeCert(dir, `node${String(i)}`));
  const [c1, c2, c3, c4, c5] = certs as [MadeCert, MadeCert, MadeCert, MadeCert, MadeCert];
  const redis = [];
  for (const cert of [c1, c2]) {
    redis.push(
      await startRedisTls(t, {
        dir,
        certFile: cert.cert,
        keyFile: cert.key,
        caFile: cert.cert,
        authClients: 'no',
      }),
    );
  }
  const specs: PortSpec[] = [
    { kind: 'tls', cert: c3.cert, key: c3.key },
    { kind: 'tls', cert: c4.cert, key: c4.key },
    { kind: 'tls', cert: c5.cert, key: c5.key },
    { kind: 'tls', cert: c5.cert, key: c5.key },
    { kind: 'reset' },
    { kind: 'plain' },
  ];
  const ports = await startPortsServer(t, dir, specs);
  const p = ports.ports;
  return {
    dir,
    good: [
      { endpoint: at(redis[0]?.port ?? 0), cert: c1 },
      { endpoint: at(redis[1]?.port ?? 0), cert: c2 },
      { endpoint: at(p[0] ?? 0), cert: c3 },
      { endpoint: at(p[1] ?? 0), cert: c4 },
      { endpoint: at(p[2] ?? 0), cert: c5 },
      { endpoint: at(p[3] ?? 0), cert: c5 },
    ],
    plain: at(await startPlainRedis(t, dir)),
    text: at(p[5] ?? 0),
    reset: at(p[4] ?? 0),
    down: at(await freePort()),
  };
}

test('certs fetch: every endpoint concurrently, one line each, the failures with their reason, nothing written', async (t) => {
  const fleet = await startFleet(t);
  const [first, second, ...rest] = fleet.good.map((g) => g.endpoint);
  // The bad ones in the middle: the others are fetched all the same.
  const endpoints = [
    first, fleet.plain, second, fleet.reset, fleet.text, fleet.down, ...rest,
  ] as string[]; // prettier-ignore
  const out = join(fleet.dir, 'servercerts.pem');
  const result = await runCli(['fetch', ...endpoints, '-o', out, '--timeout', '3']);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.equal(existsSync(out), false, 'nothing written while an endpoint failed');
  assert.equal(result.stderr, '', 'piped: no progress, nothing on stderr');
  for (const good of fleet.good) {
    const row = rowOf(result.stdout, good.endpoint);
    assert.match(row, /^ok {2}\S+ {2}TLSv1\.3 {2}1 certificate {2}sha256:/);
    assert.equal(row.split('sha256:')[1], await fingerprint(good.cert.cert));
  }
  // A plain-text redis-server reads the ClientHello as an inline command and answers only once
  // a line end comes by: whether the ClientHello's random bytes hold one (0x0a) varies from run
  // to run, so it either answers (not TLS) or waits (the deadline, with the same hint).
  assert.match(
    rowOf(result.stdout, fleet.plain),
    /^FAILED {2}\S+ {2}(this port does not speak TLS|no TLS handshake within 3000 ms: .*a plain-text Redis.*)$/,
  );
  assert.match(rowOf(result.stdout, fleet.text), /^FAILED {2}\S+ {2}this port does not speak TLS$/);
  assert.match(
    rowOf(result.stdout, fleet.reset),
    /^FAILED {2}\S+ {2}the server reset the connection$/,
  );
  assert.match(rowOf(result.stdout, fleet.down), /^FAILED {2}\S+ {2}connection refused$/);
  // One line per endpoint, in the order given.
  const order = result.stdout
    .split('\n')
    .filter((l) => /^(ok|FAILED) {2}/.test(l))
    .map((l) => l.split('  ')[1]);
  assert.deepEqual(order, endpoints);
  assert.match(result.stdout, /^10 endpoints: 6 fetched, 4 failed$/m);
  assert.match(result.stdout, /4 endpoints failed: nothing written \(--allow-partial/);

  // --json: one document with every endpoint, on failure too.
  const json = await runCli(['fetch', ...endpoints, '--json', '--timeout', '3']);
  assert.equal(json.code, 1, json.stderr);
  const doc = JSON.parse(json.stdout) as {
    ok: boolean;
    summary: { total: number; succeeded: number; failed: number };
    endpoints: { endpoint: string; ok: boolean; failure?: { code: string } }[];
    pem: string | null;
  };
  assert.equal(doc.ok, false);
  assert.deepEqual(
    doc.endpoints.map((e) => e.endpoint),
    endpoints,
  );
  assert.deepEqual(
    doc.endpoints.filter((e) => !e.ok && e.endpoint !== fleet.plain).map((e) => e.failure?.code),
    ['CONNECTION_RESET', 'NOT_TLS', 'CONNECTION_REFUSED'],
  );
  assert.deepEqual([doc.summary.total, doc.summary.succeeded, doc.summary.failed], [10, 6, 4]);
  assert.equal(doc.pem, null);

  // --allow-partial: the bundle of the others, exactly what certs chain makes of their files.
  const partial = await runCli([
    'fetch', ...endpoints, '-o', out, '--allow-partial', '--timeout', '3',
  ]); // prettier-ignore
  assert.equal(partial.code, 1, 'still exit 1: endpoints failed');
  assert.match(partial.stdout, /^wrote /m);
  const chained = join(fleet.dir, 'chained.pem');
  const chain = await runCli(['chain', ...fleet.good.map((g) => g.cert.cert), '-o', chained]);
  assert.equal(chain.code, 0, chain.stderr);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(chained, 'utf8'));
});

test('certs fetch: all endpoints answer: the bundle and the findings certs chain gives, exit 0', async (t) => {
  const fleet = await startFleet(t);
  const endpoints = fleet.good.map((g) => g.endpoint);
  const files = fleet.good.map((g) => g.cert.cert);
  const out = join(fleet.dir, 'servercerts.pem');
  const result = await runCli(['fetch', ...endpoints, '-o', out]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const chained = join(fleet.dir, 'chained.pem');
  assert.equal((await runCli(['chain', ...files, '-o', chained])).code, 0);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(chained, 'utf8'));
  // Same findings: the repeated certificate of the last two endpoints, kept once.
  const fetched = JSON.parse(
    (await runCli(['fetch', ...endpoints, '-o', join(fleet.dir, 'again.pem'), '--json'])).stdout,
  ) as {
    bundle: { mode: string; findings: { code: string; severity: string }[] };
    pem: string;
  };
  const made = JSON.parse((await runCli(['chain', ...files, '--json'])).stdout) as {
    mode: string;
    findings: { code: string; severity: string }[];
    pem: string;
  };
  assert.equal(fetched.bundle.mode, 'bundle');
  assert.deepEqual(
    fetched.bundle.findings.map((f) => [f.code, f.severity]),
    made.findings.map((f) => [f.code, f.severity]),
  );
  assert.deepEqual(
    made.findings.map((f) => f.code),
    ['DUPLICATE'],
  );
  assert.equal(fetched.pem, made.pem);
  // Without -o the certificates go to stdout as presented (the report to stderr), for a pipe
  // into certs chain -, which assembles them there.
  const printed = await runCli(['fetch', ...endpoints]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, files.map((f) => readFileSync(f, 'utf8')).join(''));
  assert.match(printed.stderr, /^6 endpoints: 6 fetched, 0 failed$/m);
  const piped = await runCli(['chain', '-'], { input: printed.stdout });
  assert.equal(piped.stdout, made.pem);
});

test('certs fetch --all-addresses --resolve: a server on 127.0.0.1 and one on 127.0.0.2 behind one name, the name sent as SNI', async (t) => {
  const dir = tempDir(t);
  const one = await nodeCert(dir, 'one');
  const two = await nodeCert(dir, 'two');
  const wrong = await nodeCert(dir, 'wrong-sni');
  // A redis-server bound to 127.0.0.1, and on the same port of 127.0.0.2 a server that shows
  // its node certificate only to clients sending NAME as SNI.
  const redis = await startRedisTls(t, {
    dir,
    certFile: one.cert,
    keyFile: one.key,
    caFile: one.cert,
    authClients: 'no',
  });
  await startPortsServer(t, dir, [
    { kind: 'tls', host: '127.0.0.2', port: redis.port, cert: two.cert, key: two.key, sni: NAME, otherCert: wrong.cert, otherKey: wrong.key }, // prettier-ignore
  ]);
  const endpoint = `${NAME}:${String(redis.port)}`;
  const pin = `${NAME}:${String(redis.port)}:127.0.0.1,127.0.0.2`;
  const out = join(dir, 'servercerts.pem');
  const result = await runCli(['fetch', endpoint, '--all-addresses', '--resolve', pin, '-o', out]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const rows = result.stdout.split('\n').filter((l) => l.startsWith('ok  '));
  assert.deepEqual(
    rows.map((r) => r.split('  ')[1]),
    [`${endpoint} (127.0.0.1)`, `${endpoint} (127.0.0.2)`],
  );
  assert.equal(rows[0]?.split('sha256:')[1], await fingerprint(one.cert));
  assert.equal(rows[1]?.split('sha256:')[1], await fingerprint(two.cert), 'SNI was the name');
  const bundle = JSON.parse((await runCli(['chain', out, '--json'])).stdout) as {
    certificates: { fingerprintSha256: string }[];
  };
  assert.deepEqual(
    bundle.certificates.map((c) => c.fingerprintSha256),
    [await fingerprint(one.cert), await fingerprint(two.cert)],
  );
  const doc = JSON.parse(
    (await runCli(['fetch', endpoint, '--all-addresses', '--resolve', pin, '--json'])).stdout,
  ) as { endpoints: { address: string; servername: string }[] };
  assert.deepEqual(
    doc.endpoints.map((e) => [e.address, e.servername]),
    [
      ['127.0.0.1', NAME],
      ['127.0.0.2', NAME],
    ],
  );

  // Without --all-addresses a pin is a list to try in order, as curl's: 127.0.0.3 refuses,
  // 127.0.0.2 answers.
  const failover = await runCli([
    'fetch', endpoint, '--resolve', `${NAME}:${String(redis.port)}:127.0.0.3,127.0.0.2`,
  ]); // prettier-ignore
  assert.equal(failover.code, 0, failover.stderr);
  assert.match(rowOf(failover.stderr, endpoint), /\(127\.0\.0\.2\) {2}TLSv1\.3/);
  // A name nothing resolves, without a pin: a row, not an abort.
  const unknown = await runCli(['fetch', endpoint, '--all-addresses', '--timeout', '5']);
  assert.equal(unknown.code, 1, unknown.stderr);
  assert.match(rowOf(unknown.stderr, endpoint), /^FAILED {2}\S+ {2}host name not found$/);
});

/** A CA-signed server certificate every client accepts for the cluster, and its CA. */
async function clusterPki(dir: string): Promise<{ root: MadeCert; leaf: MadeCert; chain: string }> {
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Fleet Root', ca: true });
  const leaf = await makeCert(dir, {
    name: 'proxy',
    subject: `/CN=${CLUSTER}`,
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${CLUSTER}`],
    issuer: root,
  });
  const chain = join(dir, 'proxy-chain.pem');
  writeFileSync(chain, readFileSync(leaf.cert, 'utf8') + readFileSync(root.cert, 'utf8'));
  return { root, leaf, chain };
}

test('certs check --endpoint (repeatable) and --endpoints FILE: one section each, a summary, exit 1 on an unreachable one', async (t) => {
  const dir = tempDir(t);
  const pki = await clusterPki(dir);
  const redis = await startRedisTls(t, {
    dir,
    certFile: pki.chain,
    keyFile: pki.leaf.key,
    caFile: pki.root.cert,
    authClients: 'no',
  });
  const ports = await startPortsServer(t, dir, [
    { kind: 'tls', cert: pki.chain, key: pki.leaf.key },
    { kind: 'tls', cert: pki.chain, key: pki.leaf.key },
    { kind: 'plain' },
  ]);
  const [a, b, plain] = ports.ports.map((p) => at(p));
  const list = join(dir, 'fleet.txt');
  writeFileSync(list, `# the fleet\n${String(b)}   # node b\n\n${String(plain)}\n`);
  const args = ['check', '--cluster', CLUSTER, '--ca', pki.root.cert, '--sni', NAME];
  const result = await runCli([
    ...args, '--endpoint', at(redis.port), '--endpoint', String(a), '--endpoints', list,
  ]); // prettier-ignore
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const sections = result.stdout.split('\n').filter((l) => /^\S+:\d+/.test(l));
  assert.deepEqual(
    sections.map((l) => l.split(/\s/)[0]),
    [at(redis.port), a, b, plain],
    result.stdout,
  );
  assert.equal((result.stdout.match(/^endpoint .*TLS versions accepted TLSv1\.2, TLSv1\.3$/gm) ?? []).length, 3); // prettier-ignore
  assert.match(result.stdout, /^ {2}fail {2}reachable: this port does not speak TLS$/m);
  assert.match(
    result.stdout,
    /^FAIL: 1 error, 0 warnings; 4 endpoints: 3 checked, 1 unreachable$/m,
  );

  const json = await runCli([...args, '--endpoint', String(a), '--endpoints', list, '--json']);
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.stdout) as {
    ok: boolean;
    summary: { errors: number; endpoints: { total: number; failed: number } };
    endpoints: { endpoint: string; ok: boolean; failure?: { code: string } }[];
    reports: { source: string; ok: boolean }[];
  };
  assert.equal(doc.ok, false);
  assert.deepEqual(doc.endpoints.map((e) => [e.endpoint, e.ok]), [[a, true], [b, true], [plain, false]]); // prettier-ignore
  assert.equal(doc.endpoints[2]?.failure?.code, 'NOT_TLS');
  assert.deepEqual(doc.reports.map((r) => [r.source, r.ok]), [[a, true], [b, true]]); // prettier-ignore
  assert.deepEqual([doc.summary.errors, doc.summary.endpoints.total, doc.summary.endpoints.failed], [1, 3, 1]); // prettier-ignore

  const healthy = await runCli([...args, '--endpoint', at(redis.port), '--endpoint', String(a), '--endpoint', String(b)]); // prettier-ignore
  assert.equal(healthy.code, 0, healthy.stdout);
  assert.match(
    healthy.stdout,
    /^OK: 0 errors, 0 warnings; 3 endpoints: 3 checked, 0 unreachable$/m,
  );
});

test('certs expiry HOST:PORT… and --endpoints: every presented certificate, exit 1 on an unreachable endpoint', async (t) => {
  const dir = tempDir(t);
  const soon = await nodeCert(dir, 'soon', 10);
  const later = await nodeCert(dir, 'later', 400);
  const ports = await startPortsServer(t, dir, [
    { kind: 'tls', cert: soon.cert, key: soon.key },
    { kind: 'tls', cert: later.cert, key: later.key },
    { kind: 'reset' },
  ]);
  const [s, l, reset] = ports.ports.map((p) => at(p));
  const list = join(dir, 'list.txt');
  writeFileSync(list, `${String(l)}\n`);
  const result = await runCli(['expiry', later.cert, String(s), '--endpoints', list]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  // The table: soonest first; a tie keeps the order given (files, then endpoints).
  const lines = result.stdout.split('\n');
  assert.match(lines[0] ?? '', /^STATUS +DAYS +EXPIRES +SOURCE +SUBJECT$/);
  assert.match(lines[1] ?? '', new RegExp(`^RENEW +9 +\\S+ +${String(s)} #1 +CN=soon\\S*$`));
  assert.match(lines[2] ?? '', /^ok +399 +\S+ +\S*later\.pem#1 +CN=later\S*$/);
  assert.match(lines[3] ?? '', new RegExp(`^ok +399 +\\S+ +${String(l)} #1 +CN=later\\S*$`));
  assert.match(result.stdout, /^1 of 3 needs renewal; 2 endpoints: 2 fetched, 0 failed$/m);

  const fine = await runCli(['expiry', String(l), '--within', '5d']);
  assert.equal(fine.code, 0, fine.stdout);
  const down = await runCli(['expiry', String(l), String(reset), '--within', '5d', '--json']);
  assert.equal(down.code, 1, down.stdout);
  const doc = JSON.parse(down.stdout) as {
    ok: boolean;
    renewalCount: number;
    endpoints: { ok: boolean; failure?: { code: string } }[];
    unreadable: { source: string; sourceKind: string; code: string }[];
  };
  assert.deepEqual([doc.ok, doc.renewalCount], [false, 0]);
  assert.equal(doc.endpoints[1]?.failure?.code, 'CONNECTION_RESET');
  // The failed endpoint is also a row, as an unreadable file is, but of kind endpoint: exit 1.
  assert.deepEqual(
    doc.unreadable.map((u) => [u.source, u.sourceKind, u.code]),
    [[String(reset), 'endpoint', 'CONNECTION_RESET']],
  );
  const text = await runCli(['expiry', String(l), String(reset), '--within', '5d']);
  assert.equal(text.code, 1, text.stdout + text.stderr);
  assert.match(text.stdout, new RegExp(`^FAILED +- +- +${String(reset)} +\\S`, 'm'));
  assert.match(text.stdout, /; 2 endpoints: 1 fetched, 1 failed$/m);
});

/** Most `hang` connections open at once, from the server's open/close events. */
function peakOpen(events: readonly { event: 'open' | 'close' }[]): number {
  let open = 0;
  let peak = 0;
  for (const e of events) {
    open += e.event === 'open' ? 1 : -1;
    peak = Math.max(peak, open);
  }
  return peak;
}

test('--concurrency bounds the connections open at once', async (t) => {
  // Each server closes its connection itself after 300 ms, logging the close before the client
  // can know of it: the server's log of opens and closes is then in the client's order, and the
  // most open at once in it is exactly how many the client held.
  const ports = await startPortsServer(
    t,
    tempDir(t),
    Array.from({ length: 7 }, () => ({ kind: 'linger' as const })),
  );
  const result = await runCli([
    'fetch', ...ports.ports.map((p) => at(p)), '--concurrency', '2', '--timeout', '60', '--json',
  ]); // prettier-ignore
  assert.equal(result.code, 1, result.stderr);
  const doc = JSON.parse(result.stdout) as { summary: { failed: number } };
  assert.equal(doc.summary.failed, 7);
  await ports.waitFor('close', 7);
  const events = ports.events();
  assert.equal(events.filter((e) => e.event === 'open').length, 7);
  assert.equal(peakOpen(events), 2, JSON.stringify(events));
});

test('a connection that times out is closed by certs; many at once print no warning', async (t) => {
  const dir = tempDir(t);
  const ports = await startPortsServer(
    t,
    dir,
    Array.from({ length: 12 }, () => ({ kind: 'hang' as const })),
  );
  // Twelve at once: more listeners on the run's abort signal than Node's default warning
  // threshold (10), which must not reach stderr.
  const result = await runCli([
    'fetch', ...ports.ports.map((p) => at(p)), '--timeout', '1', '--concurrency', '12', '-o', join(dir, 'never.pem'),
  ]); // prettier-ignore
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '');
  assert.equal((result.stdout.match(/ {2}no TLS handshake within 1000 ms: /gm) ?? []).length, 12);
  // The servers never close: every close is certs closing its socket.
  await ports.waitFor('close', 12);
  assert.equal(ports.events().filter((e) => e.event === 'open').length, 12);
});

/** Starts the built bin with stdout and stderr piped; resolves with its exit code or signal. */
function startCli(args: readonly string[]): {
  pid: number;
  done: Promise<RunResult & { signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<RunResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  if (child.pid === undefined) throw new Error('cannot start certs');
  return { pid: child.pid, done };
}

test('Ctrl-C: no new endpoint starts, open connections close, what was done is printed, the process ends by SIGINT', async (t) => {
  const dir = tempDir(t);
  const certs: MadeCert[] = [];
  for (let i = 1; i <= 3; i++) certs.push(await nodeCert(dir, `n${String(i)}`));
  const specs: PortSpec[] = [
    ...certs.map((c) => ({ kind: 'tls' as const, cert: c.cert, key: c.key })),
    ...Array.from({ length: 5 }, () => ({ kind: 'hang' as const })),
  ];
  for (const json of [false, true]) {
    await t.test(json ? '--json' : 'text', async (t2) => {
      const ports = await startPortsServer(t2, dir, specs);
      const endpoints = ports.ports.map((p) => at(p));
      const out = join(dir, `interrupted-${String(json)}.pem`);
      // Four at a time and a minute each: the three TLS ports answer, then four connections
      // hang until Ctrl-C, and the fifth never starts.
      const cli = startCli([
        'fetch', ...endpoints, '--concurrency', '4', '--timeout', '60', '-o', out, ...(json ? ['--json'] : []),
      ]); // prettier-ignore
      t2.after(() => {
        try {
          process.kill(cli.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      });
      await ports.waitFor('open', 4);
      process.kill(cli.pid, 'SIGINT');
      const result = await cli.done;
      assert.equal(result.signal, 'SIGINT', `ends by SIGINT\n${result.stdout}${result.stderr}`);
      await ports.waitFor('close', 4);
      assert.equal(ports.events().filter((e) => e.event === 'open').length, 4);
      assert.equal(existsSync(out), false, 'an interrupted run writes nothing');
      if (json) {
        const doc = JSON.parse(result.stdout) as {
          interrupted: boolean;
          summary: { succeeded: number; stopped: number; notStarted: number };
          notStarted: string[];
          heldBack: string;
        };
        assert.equal(doc.interrupted, true);
        assert.deepEqual([doc.summary.succeeded, doc.summary.stopped, doc.summary.notStarted], [3, 4, 1]); // prettier-ignore
        assert.deepEqual(doc.notStarted, [endpoints[7]]);
        assert.equal(doc.heldBack, 'INTERRUPTED');
      } else {
        assert.equal((result.stdout.match(/^ok {2}/gm) ?? []).length, 3, result.stdout);
        assert.equal((result.stdout.match(/interrupted before it finished$/gm) ?? []).length, 4);
        assert.match(
          result.stdout,
          /^interrupted: 8 endpoints: 3 fetched, 0 failed, 4 stopped, 1 not started$/m,
        );
        assert.match(result.stdout, /^interrupted: nothing written/m);
      }
    });
  }
});

/** Runs the built bin with stderr on a pseudo-terminal (stdout piped), through Python's pty. */
async function withTerminalStderr(args: readonly string[]): Promise<RunResult> {
  const script = [
    'import json, os, pty, subprocess, sys',
    'master, slave = pty.openpty()',
    'p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)',
    'os.close(slave)',
    'err = b""',
    'while True:',
    '    try:',
    '        chunk = os.read(master, 65536)',
    '    except OSError:',
    '        break',
    '    if not chunk:',
    '        break',
    '    err += chunk',
    'out = p.stdout.read()',
    'p.wait()',
    'print(json.dumps({"code": p.returncode, "stdout": out.decode(), "stderr": err.decode("latin-1")}))',
  ].join('\n');
  const result = await run('/usr/bin/python3', ['-c', script, process.execPath, BIN, ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as RunResult;
}

test('progress: done/total and failures so far on a terminal, nothing when piped, --json unaffected', async (t) => {
  const dir = tempDir(t);
  const cert = await nodeCert(dir, 'p');
  const ports = await startPortsServer(t, dir, [
    { kind: 'tls', cert: cert.cert, key: cert.key },
    { kind: 'tls', cert: cert.cert, key: cert.key },
    { kind: 'plain' },
  ]);
  const endpoints = ports.ports.map((p) => at(p));
  const out = join(dir, 'b.pem');
  const tty = await withTerminalStderr(['fetch', ...endpoints, '-o', out, '--allow-partial']);
  assert.equal(tty.code, 1, tty.stderr);
  assert.ok(tty.stderr.includes('\rfetching 3/3, 1 failed\u001b[K'), JSON.stringify(tty.stderr));
  assert.ok(tty.stderr.endsWith('\r\u001b[2K'), 'the line is cleared at the end');
  assert.match(tty.stdout, /^3 endpoints: 2 fetched, 1 failed$/m);
  const piped = await runCli(['fetch', ...endpoints, '-o', out, '--allow-partial', '--force']);
  assert.equal(piped.stderr, '');
  const json = await withTerminalStderr(['fetch', ...endpoints, '--json']);
  assert.equal((JSON.parse(json.stdout) as { endpoints: unknown[] }).endpoints.length, 3);
});

test('bad endpoint input: one line, exit 2, nothing fetched', async (t) => {
  const dir = tempDir(t);
  const list = join(dir, 'bad.txt');
  writeFileSync(list, 'good.example:1\nnot an endpoint\n');
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '# nothing here\n\n');
  const existing = join(dir, 'exists.pem');
  writeFileSync(existing, 'keep\n');
  const cases: { args: string[]; message: RegExp }[] = [
    { args: ['fetch'], message: /name at least one endpoint/ },
    { args: ['fetch', 'h:1', '--resolve', 'h:1:not-an-ip'], message: /pinned address must look like HOST:PORT:ADDR/ }, // prettier-ignore
    { args: ['fetch', 'h:1', '--resolve', 'h:1:127.0.0.1', '--resolve', 'H:1:127.0.0.2'], message: /h:1 is pinned twice/ }, // prettier-ignore
    { args: ['fetch', '--endpoints', join(dir, 'missing.txt')], message: /missing\.txt: no such file/ }, // prettier-ignore
    { args: ['fetch', '--endpoints', list], message: /^certs: line 2 of .*bad\.txt: endpoint must look like HOST:PORT/ }, // prettier-ignore
    { args: ['check', '--cluster', CLUSTER, '--endpoints', empty], message: /empty\.txt lists no endpoint/ }, // prettier-ignore
    { args: ['fetch', 'h:1', '--concurrency', '0'], message: /invalid value for --concurrency/ },
    {
      args: ['expiry', 'h:1', '--concurrency', '2000'],
      message: /invalid value for --concurrency/,
    },
    { args: ['fetch', '127.0.0.1:1', '-o', existing], message: /exists\.pem/ },
  ];
  for (const c of cases) {
    await t.test(c.args.join(' '), async () => {
      const result = await runCli(c.args);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^certs: [^\n]*\n/);
      assert.match(result.stderr, c.message);
      assert.equal(readFileSync(existing, 'utf8'), 'keep\n');
    });
  }
});
