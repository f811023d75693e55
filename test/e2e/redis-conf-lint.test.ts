/**
 * What `certs redis-conf lint` claims about redis-server, proven on redis-server 7 itself: the
 * live probe reads tls-auth-clients yes, optional and no off real servers (without a client
 * identity too); redis-server refuses to start exactly where lint reports an error it says
 * stops it (and starts where it does not); a tls-ca-cert-dir works only through `openssl
 * rehash` names; a tls-cert-file without clientAuth, presented by a replica, is refused by its
 * master; `optional` next to a user without a password lets anyone in; and the directive table
 * matches what redis-server knows. Every server is started on a loopback port chosen at run
 * time and stopped by pid.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  REDIS_MULTI_ARGUMENT_DIRECTIVES,
  REDIS_STANDARD_DIRECTIVES,
} from '../../packages/core/src/judge/redis-conf-directives.js';
import { authClientsVerdict } from '../../packages/core/src/judge/redis-conf-probe.js';
import type { RedisAuthProbe } from '../../packages/core/src/judge/redis-conf-probe.js';
import { run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { freePort, startBackground, stopProcess, waitForPort } from '../helpers/process.js';
import { startRedisTls, tlsPing } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

interface Pki {
  readonly dir: string;
  readonly ca: MadeCert;
  /** serverAuth and clientAuth, for 127.0.0.1: a node's certificate. */
  readonly node: MadeCert;
  /** serverAuth only. */
  readonly serverOnly: MadeCert;
  /** A client certificate of the CA. */
  readonly client: MadeCert;
  readonly other: MadeCert;
}

async function pki(t: TestContext): Promise<Pki> {
  const dir = tempDir(t, 'certkit-redis-conf-e2e-');
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Redis Test CA', ca: true });
  const leaf = (name: string, eku: string): Promise<MadeCert> =>
    makeCert(dir, {
      name,
      subject: `/CN=${name}`,
      ca: false,
      eku,
      san: ['DNS:localhost', 'IP:127.0.0.1'],
      issuer: ca,
    });
  return {
    dir,
    ca,
    node: await leaf('node', 'serverAuth,clientAuth'),
    serverOnly: await leaf('server-only', 'serverAuth'),
    client: await leaf('client', 'clientAuth'),
    other: await makeCert(dir, { name: 'other', subject: '/CN=Other', ca: false }),
  };
}

interface Report {
  readonly ok: boolean;
  readonly findings: readonly { code: string; severity: string; line?: number }[];
  readonly probe?: RedisAuthProbe & { verdict: string };
}

async function lintJson(
  file: string,
  ...args: string[]
): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(['redis-conf', 'lint', file, '--json', ...args]);
  assert.equal(result.stderr, '', result.stdout);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

// ---------------------------------------------------------------------------------------------

for (const mode of ['yes', 'optional', 'no'] as const) {
  void test(`the probe reads tls-auth-clients ${mode} off a live redis-server, without a client identity too`, async (t) => {
    const p = await pki(t);
    const redis = await startRedisTls(t, {
      dir: p.dir,
      certFile: p.node.cert,
      keyFile: p.node.key,
      caFile: p.ca.cert,
      authClients: mode,
    });
    const file = join(p.dir, `redis-${String(redis.port)}.conf`);
    const endpoint = `127.0.0.1:${String(redis.port)}`;
    const { report } = await lintJson(file, '--endpoint', endpoint);
    const probe = report.probe;
    assert.ok(probe !== undefined);
    assert.equal(probe.verdict, mode);
    // What the server did with a client without a certificate, and whether it asked for one.
    assert.equal(probe.withoutIdentity?.accepted, mode !== 'yes');
    assert.equal(probe.withoutIdentity.certificateRequested, mode !== 'no');
    // The configuration's own identity (tls-cert-file, clientAuth, of the CA) is let in.
    assert.equal(probe.withIdentity?.accepted, true);
    // The handshake without an identity alone tells the three apart.
    assert.equal(
      authClientsVerdict({ endpoint, withoutIdentity: probe.withoutIdentity }).verdict,
      mode,
    );
    assert.ok(report.findings.some((f) => f.code === 'REDIS_CONF_PROBE_AGREES'));
    // redis itself: a client without a certificate is let in except with yes.
    const bare = await tlsPing({ port: redis.port, servername: 'localhost' });
    if (mode === 'yes') assert.match(bare, /^error: /);
    else assert.equal(bare, '+PONG', 'no certificate, no password: in');

    // The same server against a file that says otherwise.
    const says = mode === 'yes' ? 'no' : 'yes';
    const other = join(p.dir, 'says-otherwise.conf');
    writeFileSync(
      other,
      readFileSync(file, 'utf8').replace(/^tls-auth-clients .*$/m, `tls-auth-clients ${says}`),
    );
    const against = await lintJson(other, '--endpoint', endpoint);
    const disagrees = against.report.findings.find((f) => f.code === 'REDIS_CONF_PROBE_DISAGREES');
    assert.equal(disagrees?.severity, mode === 'yes' ? 'warning' : 'error');
    if (mode !== 'yes') assert.equal(against.code, 1);
  });
}

void test('the probe with --client-cert: an identity the server does not accept is reported', async (t) => {
  const p = await pki(t);
  const redis = await startRedisTls(t, {
    dir: p.dir,
    certFile: p.node.cert,
    keyFile: p.node.key,
    caFile: p.ca.cert,
    authClients: 'optional',
    extra: ['requirepass s3cret'],
  });
  const file = join(p.dir, `redis-${String(redis.port)}.conf`);
  const endpoint = `127.0.0.1:${String(redis.port)}`;
  const trusted = await lintJson(
    file,
    '--endpoint',
    endpoint,
    '--client-cert',
    p.client.cert,
    '--client-key',
    p.client.key,
  );
  assert.equal(trusted.report.probe?.withIdentity?.accepted, true);
  assert.equal(trusted.report.probe.verdict, 'optional');
  // With optional, a certificate the CA did not issue is refused, not ignored.
  const stranger = await lintJson(
    file,
    '--endpoint',
    endpoint,
    '--client-cert',
    p.other.cert,
    '--client-key',
    p.other.key,
  );
  assert.equal(stranger.report.probe?.withIdentity?.accepted, false);
  assert.ok(stranger.report.findings.some((f) => f.code === 'REDIS_CONF_PROBE_IDENTITY_REFUSED'));
  assert.equal(
    await tlsPing({
      port: redis.port,
      cert: readFileSync(p.other.cert, 'utf8'),
      key: readFileSync(p.other.key, 'utf8'),
    }).then((r) => r.startsWith('error: ')),
    true,
  );
});

// ---------------------------------------------------------------------------------------------

/** Starts redis-server on `config`: started (listening on `port`), or its output when it exited. */
async function redisStarts(
  t: TestContext,
  config: string,
  port: number,
  cwd: string,
): Promise<{ started: boolean; output: string }> {
  const server = startBackground(t, 'redis-server', [config], { cwd });
  try {
    await waitForPort(port, server.child, server.output);
    return { started: true, output: server.output() };
  } catch {
    return { started: false, output: server.output() };
  } finally {
    await stopProcess(server.child);
  }
}

/** The findings lint says stop redis-server from starting. */
const STOPS = new Set([
  'REDIS_CONF_SYNTAX',
  'REDIS_CONF_INVALID',
  'REDIS_CONF_UNKNOWN_DIRECTIVE',
  'REDIS_CONF_KEY_MISMATCH',
  'REDIS_CONF_CERT_NOT_LEAF_FIRST',
  'REDIS_CONF_KEY_ENCRYPTED',
  'REDIS_CONF_FILE_UNREADABLE',
]);

interface StartRow {
  readonly name: string;
  /** Lines after `port 0`, `bind`, `save ""`, `tls-port`; `@PORT@` is the tls-port. */
  readonly lines: (
    p: Pki & { encrypted: string; chainCaFirst: string; chainLeafFirst: string },
  ) => string[];
  /** null: redis-server starts; else what it says when it refuses to. */
  readonly refuses: RegExp | null;
  /** The finding lint gives. */
  readonly finding?: string;
}

const base = (p: Pki, ...more: string[]): string[] => [
  `tls-cert-file ${p.node.cert}`,
  `tls-key-file ${p.node.key}`,
  `tls-ca-cert-file ${p.ca.cert}`,
  ...more,
];

const START_ROWS: readonly StartRow[] = [
  { name: 'a certificate, its key and the CA', lines: (p) => base(p), refuses: null },
  {
    name: 'tls-key-file not the key of tls-cert-file',
    lines: (p) => [
      `tls-cert-file ${p.node.cert}`,
      `tls-key-file ${p.other.key}`,
      `tls-ca-cert-file ${p.ca.cert}`,
    ],
    refuses: /key values mismatch/,
    finding: 'REDIS_CONF_KEY_MISMATCH',
  },
  {
    name: 'tls-cert-file with the CA first, then the certificate of the key',
    lines: (p) => [
      `tls-cert-file ${p.chainCaFirst}`,
      `tls-key-file ${p.node.key}`,
      `tls-ca-cert-file ${p.ca.cert}`,
    ],
    refuses: /key values mismatch/,
    finding: 'REDIS_CONF_CERT_NOT_LEAF_FIRST',
  },
  {
    name: 'tls-cert-file with the certificate first, then the CA',
    lines: (p) => [
      `tls-cert-file ${p.chainLeafFirst}`,
      `tls-key-file ${p.node.key}`,
      `tls-ca-cert-file ${p.ca.cert}`,
    ],
    refuses: null,
  },
  {
    name: 'a key encrypted by openssl, without tls-key-file-pass',
    lines: (p) => [
      `tls-cert-file ${p.node.cert}`,
      `tls-key-file ${p.encrypted}`,
      `tls-ca-cert-file ${p.ca.cert}`,
    ],
    refuses: /Failed to load private key/,
    finding: 'REDIS_CONF_KEY_ENCRYPTED',
  },
  {
    name: 'the same key with its tls-key-file-pass',
    lines: (p) => [
      `tls-cert-file ${p.node.cert}`,
      `tls-key-file ${p.encrypted}`,
      'tls-key-file-pass s3cret',
      `tls-ca-cert-file ${p.ca.cert}`,
    ],
    refuses: null,
  },
  {
    name: 'the same key with a wrong tls-key-file-pass',
    lines: (p) => [
      `tls-cert-file ${p.node.cert}`,
      `tls-key-file ${p.encrypted}`,
      'tls-key-file-pass nope',
      `tls-ca-cert-file ${p.ca.cert}`,
    ],
    refuses: /bad decrypt/,
    finding: 'REDIS_CONF_KEY_ENCRYPTED',
  },
  {
    name: 'an encrypted client key without tls-client-key-file-pass',
    lines: (p) =>
      base(p, `tls-client-cert-file ${p.node.cert}`, `tls-client-key-file ${p.encrypted}`),
    refuses: /Failed to load private key/,
    finding: 'REDIS_CONF_KEY_ENCRYPTED',
  },
  {
    name: 'tls-client-cert-file without tls-client-key-file is ignored',
    lines: (p) => base(p, `tls-client-cert-file ${p.other.cert}`),
    refuses: null,
    finding: 'REDIS_CONF_CLIENT_CERT_IGNORED',
  },
  {
    name: 'a "#" after a value is no comment',
    lines: (p) => base(p, 'appendonly no # no persistence'),
    refuses: /wrong number of arguments/,
    finding: 'REDIS_CONF_SYNTAX',
  },
  {
    name: 'unbalanced quotes',
    lines: (p) => base(p, 'tls-protocols "TLSv1.2 TLSv1.3'),
    refuses: /Unbalanced quotes/,
    finding: 'REDIS_CONF_SYNTAX',
  },
  {
    name: 'tls-protocols with two spaces',
    lines: (p) => base(p, 'tls-protocols "TLSv1.2  TLSv1.3"'),
    refuses: /Invalid tls-protocols/,
    finding: 'REDIS_CONF_INVALID',
  },
  {
    name: 'tls-protocols in lower case',
    lines: (p) => base(p, 'tls-protocols "tlsv1.2 tlsv1.3"'),
    refuses: null,
  },
  {
    name: 'no CA next to tls-auth-clients yes',
    lines: (p) => [`tls-cert-file ${p.node.cert}`, `tls-key-file ${p.node.key}`],
    refuses: /Either tls-ca-cert-file or tls-ca-cert-dir must be specified/,
    finding: 'REDIS_CONF_INVALID',
  },
  {
    name: 'no CA with tls-auth-clients no',
    lines: (p) => [
      `tls-cert-file ${p.node.cert}`,
      `tls-key-file ${p.node.key}`,
      'tls-auth-clients no',
      'requirepass s',
    ],
    refuses: null,
    finding: 'REDIS_CONF_AUTH_CLIENTS_NO',
  },
  {
    name: 'tls-port without tls-cert-file',
    lines: (p) => [`tls-key-file ${p.node.key}`, `tls-ca-cert-file ${p.ca.cert}`],
    refuses: /No tls-cert-file configured/,
    finding: 'REDIS_CONF_INVALID',
  },
  {
    name: 'a user declared twice',
    lines: (p) => base(p, 'user alice on >a', 'user alice on >b'),
    refuses: /Duplicate user/,
    finding: 'REDIS_CONF_INVALID',
  },
  {
    name: 'replicaof in cluster mode',
    lines: (p) =>
      base(
        p,
        'cluster-enabled yes',
        'tls-cluster yes',
        'tls-replication yes',
        'replicaof 127.0.0.1 1',
      ),
    refuses: /replicaof directive not allowed in cluster mode/,
    finding: 'REDIS_CONF_INVALID',
  },
  {
    name: 'a typo in a directive',
    lines: (p) => base(p, 'tls-auth-client no'),
    refuses: /Bad directive/,
    finding: 'REDIS_CONF_UNKNOWN_DIRECTIVE',
  },
  {
    name: 'directives and values in any case; the last tls-port wins over an earlier one',
    lines: (p) => [
      'TLS-PORT 1',
      ...base(p),
      'Tls-Auth-Clients OPTIONAL',
      'requirepass s',
      'TLS-PORT @PORT@',
    ],
    refuses: null,
    finding: 'REDIS_CONF_AUTH_CLIENTS_OPTIONAL',
  },
  {
    name: 'relative paths resolve against dir, wherever redis-server was started',
    lines: (p) => [
      `dir ${p.dir}`,
      'tls-cert-file node.pem',
      'tls-key-file node-key.pem',
      'tls-ca-cert-file ca.pem',
    ],
    refuses: null,
    finding: 'REDIS_CONF_RELATIVE_PATH',
  },
];

void test('redis-server refuses to start exactly where lint reports what stops it', async (t) => {
  const p = await pki(t);
  const encrypted = join(p.dir, 'node-key-encrypted.pem');
  const made = await openssl([
    'pkey',
    '-in',
    p.node.key,
    '-aes-256-cbc',
    '-passout',
    'pass:s3cret',
    '-out',
    encrypted,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const chainCaFirst = join(p.dir, 'chain-ca-first.pem');
  writeFileSync(chainCaFirst, readFileSync(p.ca.cert, 'utf8') + readFileSync(p.node.cert, 'utf8'));
  const chainLeafFirst = join(p.dir, 'chain-leaf-first.pem');
  writeFileSync(
    chainLeafFirst,
    readFileSync(p.node.cert, 'utf8') + readFileSync(p.ca.cert, 'utf8'),
  );
  const files = { ...p, encrypted, chainCaFirst, chainLeafFirst };
  // Started elsewhere than the files: relative paths must come from dir.
  const elsewhere = join(p.dir, 'elsewhere');
  mkdirSync(elsewhere);
  for (const [i, row] of START_ROWS.entries()) {
    await t.test(row.name, async (tt) => {
      const port = await freePort();
      const config = join(p.dir, `start-${String(i)}.conf`);
      const lines = [
        'port 0',
        'bind 127.0.0.1',
        'save ""',
        'appendonly no',
        `tls-port ${String(port)}`,
        ...row.lines(files),
      ];
      writeFileSync(config, `${lines.join('\n').replaceAll('@PORT@', String(port))}\n`);
      const outcome = await redisStarts(tt, config, port, elsewhere);
      const { report } = await lintJson(config);
      const stops = report.findings.filter((f) => STOPS.has(f.code)).map((f) => f.code);
      if (row.refuses === null) {
        assert.equal(outcome.started, true, outcome.output);
        assert.deepEqual(stops, [], 'lint says redis-server would not start');
      } else {
        assert.equal(outcome.started, false, 'redis-server started');
        assert.match(outcome.output, row.refuses);
        assert.ok(stops.length > 0, 'lint says nothing stops redis-server');
      }
      if (row.finding !== undefined) {
        assert.ok(
          report.findings.some((f) => f.code === row.finding),
          JSON.stringify(report.findings),
        );
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

void test('tls-ca-cert-dir: redis verifies a client only through openssl rehash names, as lint says', async (t) => {
  const p = await pki(t);
  const results: Record<string, { ping: string; codes: string[] }> = {};
  for (const rehash of [false, true]) {
    const folder = join(p.dir, rehash ? 'rehashed' : 'plain');
    mkdirSync(folder);
    copyFileSync(p.ca.cert, join(folder, 'ca.pem'));
    if (rehash) assert.equal((await openssl(['rehash', folder])).code, 0);
    const port = await freePort();
    const config = join(p.dir, `${rehash ? 'rehashed' : 'plain'}.conf`);
    writeFileSync(
      config,
      [
        'port 0',
        'bind 127.0.0.1',
        'save ""',
        `tls-port ${String(port)}`,
        `tls-cert-file ${p.node.cert}`,
        `tls-key-file ${p.node.key}`,
        `tls-ca-cert-dir ${folder}`,
      ].join('\n'),
    );
    const server = startBackground(t, 'redis-server', [config]);
    await waitForPort(port, server.child, server.output);
    const ping = await tlsPing({
      port,
      cert: readFileSync(p.client.cert, 'utf8'),
      key: readFileSync(p.client.key, 'utf8'),
      servername: 'localhost',
    });
    await stopProcess(server.child);
    const { report } = await lintJson(config);
    results[rehash ? 'rehashed' : 'plain'] = { ping, codes: report.findings.map((f) => f.code) };
  }
  assert.equal(results.rehashed?.ping, '+PONG');
  assert.deepEqual(results.rehashed.codes, []);
  assert.match(
    results.plain?.ping ?? '',
    /^error: /,
    'a CA folder without hashed names trusts nothing',
  );
  assert.deepEqual(results.plain?.codes, ['REDIS_CONF_CA_DIR_NOT_HASHED']);
});

void test('a replica presenting a tls-cert-file without clientAuth is refused by its master, as lint says', async (t) => {
  const p = await pki(t);
  const master = await startRedisTls(t, {
    dir: p.dir,
    certFile: p.node.cert,
    keyFile: p.node.key,
    caFile: p.ca.cert,
    extra: ['tls-replication yes'],
  });
  const outcomes: Record<string, { masterLog: string; codes: string[] }> = {};
  for (const [name, cert] of [
    ['server-only', p.serverOnly],
    ['node', p.node],
  ] as const) {
    const port = await freePort();
    const config = join(p.dir, `replica-${name}.conf`);
    writeFileSync(
      config,
      [
        'port 0',
        'bind 127.0.0.1',
        'save ""',
        `dir ${p.dir}`,
        `dbfilename replica-${name}.rdb`,
        `tls-port ${String(port)}`,
        `tls-cert-file ${cert.cert}`,
        `tls-key-file ${cert.key}`,
        `tls-ca-cert-file ${p.ca.cert}`,
        'tls-replication yes',
        `replicaof 127.0.0.1 ${String(master.port)}`,
      ].join('\n'),
    );
    const replica = startBackground(t, 'redis-server', [config]);
    await waitForPort(port, replica.child, replica.output);
    // The replica connects at once; wait (bounded) for the master to refuse or to sync it.
    const deadline = Date.now() + 20_000;
    const seen =
      /Error accepting a client connection|Synchronization with replica 127\.0\.0\.1:\d+ succeeded/g;
    const before = (master.output().match(seen) ?? []).length;
    while ((master.output().match(seen) ?? []).length === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const log = master.output().slice(0);
    await stopProcess(replica.child);
    const { report } = await lintJson(config);
    outcomes[name] = { masterLog: log, codes: report.findings.map((f) => f.code) };
  }
  assert.match(outcomes['server-only']?.masterLog ?? '', /Error accepting a client connection/);
  assert.deepEqual(outcomes['server-only']?.codes, ['REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH']);
  assert.match(
    outcomes.node?.masterLog ?? '',
    /Synchronization with replica 127\.0\.0\.1:\d+ succeeded/,
  );
  assert.deepEqual(outcomes.node?.codes, []);
});

// ---------------------------------------------------------------------------------------------

void test('the directive table is what redis-server 7 knows (CONFIG GET *), and which take one value', async (t) => {
  const port = await freePort();
  const dir = tempDir(t);
  const server = startBackground(t, 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
  ]);
  await waitForPort(port, server.child, server.output);
  const got = await run(
    'redis-cli',
    ['-h', '127.0.0.1', '-p', String(port), 'CONFIG', 'GET', '*'],
    { timeoutMs: 15_000 },
  );
  await stopProcess(server.child);
  const names = got.stdout
    .trim()
    .split('\n')
    .filter((_, i) => i % 2 === 0);
  assert.ok(names.length > 150, got.stderr);
  const hidden = ['key-load-delay', 'rdb-key-save-delay', 'loading-process-events-interval-bytes'];
  assert.deepEqual(
    [...names].sort(),
    [...REDIS_STANDARD_DIRECTIVES].filter((n) => !hidden.includes(n)).sort(),
  );

  // A directive that takes one value refuses two and three ("wrong number of arguments"); one
  // that takes more takes two or three (oom-score-adj-values takes three, replicaof two).
  const failures: string[] = [];
  const all = [...REDIS_STANDARD_DIRECTIVES];
  for (let i = 0; i < all.length; i += 4) {
    await Promise.all(
      all.slice(i, i + 4).map(async (name) => {
        const refusedCount: boolean[] = [];
        for (const values of ['a b', 'a b c']) {
          const config = join(dir, `${name}-${String(values.length)}.conf`);
          writeFileSync(config, `port 0\nsave ""\ndir ${dir}\n${name} ${values}\n`);
          refusedCount.push((await outputOf(t, config)).includes('wrong number of arguments'));
        }
        const single = refusedCount.every(Boolean);
        if (single === REDIS_MULTI_ARGUMENT_DIRECTIVES.has(name))
          failures.push(`${name}: refused two and three values: ${refusedCount.join(', ')}`);
      }),
    );
  }
  assert.deepEqual(failures, []);
});

/** redis-server's output on a configuration: until it exits, or until it is ready (then stopped). */
async function outputOf(t: TestContext, config: string): Promise<string> {
  const server = startBackground(t, 'redis-server', [config]);
  // 'close' comes once its output is read to the end ('exit' may come before the last of it).
  const state = { closed: false };
  server.child.once('close', () => {
    state.closed = true;
  });
  const deadline = Date.now() + 15_000;
  while (
    !state.closed &&
    !/Ready to accept connections/.test(server.output()) &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await stopProcess(server.child);
  return server.output();
}
