/**
 * Real TLS Redis Clusters and Sentinels on loopback, for the topology tests: redis-server nodes
 * with `port 0` and a `tls-port`, created with `redis-cli --cluster create`, each stopped by pid
 * when the test ends (test/helpers/process.ts). Ports are chosen at run time below 55535, so that
 * each node's cluster bus port (port + 10000) is a valid port too, and both are checked free.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { run } from './cli.js';
import type { RunResult } from './cli.js';
import { startBackground, waitForPort } from './process.js';
import type { Background } from './process.js';

/** True when nothing listens on 127.0.0.1:port (a bind succeeds). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

const taken = new Set<number>();

/** A free port from 20000 to 45000 whose cluster bus port (port + 10000) is free too. */
export async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10000))) {
      taken.add(port);
      taken.add(port + 10000);
      return port;
    }
  }
  throw new Error('no free port pair for a cluster node');
}

/** The TLS files of a node, and of the clients that talk to it. */
export interface NodeTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** `redis-cli --tls` options with a client identity. */
export function cliTls(tls: NodeTls): string[] {
  return ['--tls', '--cacert', tls.ca, '--cert', tls.cert, '--key', tls.key];
}

/** Runs `redis-cli` against 127.0.0.1:port over TLS. */
export function redisCli(port: number, tls: NodeTls, args: readonly string[]): Promise<RunResult> {
  return run('redis-cli', [...cliTls(tls), '-h', '127.0.0.1', '-p', String(port), ...args], {
    timeoutMs: 30_000,
  });
}

/** Options of one redis-server with TLS only. */
export interface TlsServerOptions {
  readonly dir: string;
  readonly port: number;
  readonly tls: NodeTls;
  /** A plain-text port too (default none: `port 0`). */
  readonly plainPort?: number;
  readonly extra?: readonly string[];
  /** Run as a Sentinel (`--sentinel`). */
  readonly sentinel?: boolean;
}

/** Starts redis-server (or a Sentinel) with TLS on 127.0.0.1; stopped by pid when the test ends. */
export async function startTlsServer(
  t: TestContext,
  options: TlsServerOptions,
): Promise<Background> {
  const name = `${options.sentinel === true ? 'sentinel' : 'node'}-${String(options.port)}`;
  const config = join(options.dir, `${name}.conf`);
  writeFileSync(
    config,
    [
      `port ${String(options.plainPort ?? 0)}`,
      'bind 127.0.0.1',
      `tls-port ${String(options.port)}`,
      `tls-cert-file ${options.tls.cert}`,
      `tls-key-file ${options.tls.key}`,
      `tls-ca-cert-file ${options.tls.ca}`,
      'tls-auth-clients yes',
      'daemonize no',
      'save ""',
      'appendonly no',
      `dir ${options.dir}`,
      `dbfilename ${name}.rdb`,
      'loglevel notice',
      ...(options.extra ?? []),
      '',
    ].join('\n'),
  );
  const server = startBackground(
    t,
    'redis-server',
    options.sentinel === true ? [config, '--sentinel'] : [config],
  );
  await waitForPort(options.port, server.child, server.output);
  return server;
}

/** Polls `check` every 200 ms until it is true, for at most `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${String(timeoutMs)} ms`);
}

/** A running cluster. */
export interface TlsCluster {
  readonly ports: readonly number[];
  readonly nodes: readonly Background[];
}

/**
 * Starts `count` TLS-only nodes (`tls-cluster yes`, `tls-replication yes`), creates the cluster
 * with `redis-cli --tls --cluster create … --cluster-yes` (one master per node, slots split in
 * order) and waits until every node says `cluster_state:ok`.
 */
export async function startTlsCluster(
  t: TestContext,
  options: {
    dir: string;
    count: number;
    tls: (index: number) => NodeTls;
    extra?: readonly string[];
  },
): Promise<TlsCluster> {
  const ports: number[] = [];
  for (let i = 0; i < options.count; i++) ports.push(await clusterPort());
  const nodes = await Promise.all(
    ports.map((port, i) =>
      startTlsServer(t, {
        dir: options.dir,
        port,
        tls: options.tls(i),
        extra: [
          'cluster-enabled yes',
          `cluster-config-file ${join(options.dir, `nodes-${String(port)}.conf`)}`,
          'cluster-node-timeout 5000',
          'tls-cluster yes',
          'tls-replication yes',
          ...(options.extra ?? []),
        ],
      }),
    ),
  );
  const first = options.tls(0);
  const created = await run(
    'redis-cli',
    [
      ...cliTls(first),
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${String(p)}`),
      '--cluster-yes',
    ],
    { timeoutMs: 60_000 },
  );
  if (created.code !== 0)
    throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);
  for (const [i, port] of ports.entries()) {
    await waitUntil(`cluster_state:ok on ${String(port)}`, async () => {
      const info = await redisCli(port, options.tls(i), ['cluster', 'info']);
      return info.stdout.includes('cluster_state:ok');
    });
  }
  return { ports, nodes };
}

/** CRC16/XMODEM, the hash of Redis Cluster key slots (Redis Cluster specification, appendix A). */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot of a key without a hash tag. */
export function keySlot(key: string): number {
  return crc16(key) % 16384;
}

/** A key whose slot is in `from`..`to`. */
export function keyInSlots(from: number, to: number): string {
  for (let i = 0; i < 1_000_000; i++) {
    const key = `k${String(i)}`;
    const slot = keySlot(key);
    if (slot >= from && slot <= to) return key;
  }
  throw new Error(`no key in slots ${String(from)}-${String(to)}`);
}
