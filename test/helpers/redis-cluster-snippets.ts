/**
 * A real 3-node TLS Redis Cluster on loopback for the connection-snippet tests: redis-server
 * with `--cluster-enabled yes --tls-cluster yes --tls-replication yes` (TLS only, `port 0`),
 * created with `redis-cli --cluster create --tls … --cluster-yes`, every node stopped by its pid
 * when the test ends. The nodes' certificate can be swapped at run time (`CONFIG SET
 * tls-cert-file`), so one cluster serves both the matching and the mismatched names.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { run } from './cli.js';
import { freePort, startBackground, waitForPort } from './process.js';
import type { Background } from './process.js';

/** The cluster bus listens on the TLS port + 10000 (redis.conf, cluster-port). */
const BUS_OFFSET = 10_000;

export interface TlsClusterOptions {
  readonly dir: string;
  /** The nodes' certificate and key (serverAuth and clientAuth: nodes are clients on the bus). */
  readonly certFile: string;
  readonly keyFile: string;
  /** CA file the nodes trust for clients and for each other. */
  readonly caFile: string;
  /** A client identity the CA signed, for redis-cli (tls-auth-clients yes). */
  readonly clientCert: string;
  readonly clientKey: string;
}

export interface TlsCluster {
  readonly ports: readonly number[];
  readonly nodes: readonly Background[];
  /** redis-cli's TLS arguments with the client identity. */
  readonly cli: readonly string[];
  /** Makes every node present this certificate from now on. */
  readonly setCertificate: (certFile: string, keyFile: string) => Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
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

/** A free port whose bus port (+10000) is free too, below 55536 so that the bus port exists. */
async function clusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort();
    if (port + BUS_OFFSET > 65_535 || taken.has(port) || taken.has(port + BUS_OFFSET)) continue;
    if (await portIsFree(port + BUS_OFFSET)) return port;
  }
  throw new Error('no free port pair (port and port + 10000) for a cluster node');
}

async function cliOk(args: readonly string[], what: string): Promise<string> {
  const result = await run('redis-cli', args, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`${what}: redis-cli ${args.join(' ')}\n${result.stderr}`);
  return result.stdout;
}

/** Starts three TLS cluster nodes, creates the cluster and waits for `cluster_state:ok`. */
export async function startTlsCluster(
  t: TestContext,
  options: TlsClusterOptions,
): Promise<TlsCluster> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await clusterPort(taken);
    taken.add(port);
    taken.add(port + BUS_OFFSET);
    ports.push(port);
  }
  const nodes: Background[] = [];
  for (const port of ports) {
    const nodeDir = join(options.dir, `cluster-node-${String(port)}`);
    mkdirSync(nodeDir);
    const config = [
      'port 0',
      'bind 127.0.0.1',
      `tls-port ${String(port)}`,
      `tls-cert-file ${options.certFile}`,
      `tls-key-file ${options.keyFile}`,
      `tls-ca-cert-file ${options.caFile}`,
      'tls-auth-clients yes',
      'tls-cluster yes',
      'tls-replication yes',
      'cluster-enabled yes',
      'cluster-config-file nodes.conf',
      'cluster-node-timeout 5000',
      'daemonize no',
      'save ""',
      'appendonly no',
      `dir ${nodeDir}`,
    ].join('\n');
    const file = join(nodeDir, 'redis.conf');
    writeFileSync(file, `${config}\n`);
    const node = startBackground(t, 'redis-server', [file]);
    await waitForPort(port, node.child, node.output);
    nodes.push(node);
  }
  const cli = [
    '--tls',
    '--cacert',
    options.caFile,
    '--cert',
    options.clientCert,
    '--key',
    options.clientKey,
  ];
  await cliOk(
    [...cli, '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${String(p)}`), '--cluster-yes'],
    'cluster create',
  );
  // Every node must agree the cluster is up before a client asks it for slots.
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    for (;;) {
      const info = await cliOk(
        [...cli, '-h', '127.0.0.1', '-p', String(port), 'CLUSTER', 'INFO'],
        'cluster info',
      );
      if (info.includes('cluster_state:ok')) break;
      if (Date.now() > deadline)
        throw new Error(`node ${String(port)} never reached cluster_state:ok:\n${info}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    ports,
    nodes,
    cli,
    setCertificate: async (certFile, keyFile) => {
      for (const port of ports) {
        await cliOk(
          [
            ...cli,
            '-h',
            '127.0.0.1',
            '-p',
            String(port),
            'CONFIG',
            'SET',
            'tls-cert-file',
            certFile,
            'tls-key-file',
            keyFile,
          ],
          'config set',
        );
      }
    },
  };
}
