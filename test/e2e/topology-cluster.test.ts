/**
 * `certs check --topology` against a real 3-node TLS Redis Cluster (redis-server 7.0,
 * `port 0`, `tls-port`, `tls-cluster yes`, `tls-replication yes`, `tls-auth-clients yes`,
 * created with `redis-cli --tls --cluster create`), and real cluster clients against the same
 * cluster: ioredis `Cluster` (npm) and redis-py `RedisCluster` (/usr/bin/python3, Debian's
 * python3-redis). Three phases on one cluster, the certificates swapped at run time:
 *
 * (a) nodes announced by IP, certificates with the IP SAN: certs finds nothing, every client
 *     works;
 * (b) the same announcement, certificates with DNS names only: certs reports the missing IP SAN
 *     on each node, and the clients fail exactly where certs says they do (ioredis with one
 *     pinned servername, which certs says accepts every node, works);
 * (c) the fix certs names (`cluster-announce-hostname` + `cluster-preferred-endpoint-type
 *     hostname`): no IP finding, the clients that check the announced names work, and ioredis
 *     with its default `dnsLookup` fails on the seed, as certs warns.
 *
 * Then single-node clusters for what a TLS cluster announces with `tls-cluster no`: its
 * plain-text port, or port 0 for a TLS-only node. Host names are pinned (`--resolve` for certs,
 * a resolver hook in each client) instead of editing /etc/hosts.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import {
  clusterPort,
  keyInSlots,
  redisCli,
  startTlsCluster,
  startTlsServer,
  waitUntil,
} from '../helpers/redis-cluster.js';
import type { NodeTls } from '../helpers/redis-cluster.js';
import { tempDir } from '../helpers/tmp.js';

const PROGRAMS = fileURLToPath(new URL('./programs/', import.meta.url));
const CLUSTER = 'topo.test';
const node = (i: number): string => `node-${String(i)}.${CLUSTER}`;

interface Pki {
  readonly ca: MadeCert;
  readonly client: MadeCert;
  /** Per node: DNS names and IP SAN 127.0.0.1. */
  readonly withIp: readonly MadeCert[];
  /** Per node: DNS names only. */
  readonly dnsOnly: readonly MadeCert[];
}

async function makePki(dir: string): Promise<Pki> {
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Topology CA', ca: true });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: ca,
  });
  // Node certificates serve TLS and are the nodes' client certificates on the cluster bus.
  const nodeCert = (i: number, ip: boolean): Promise<MadeCert> =>
    makeCert(dir, {
      name: `node-${String(i)}-${ip ? 'ip' : 'dns'}`,
      subject: `/CN=${node(i)}`,
      ca: false,
      eku: 'serverAuth,clientAuth',
      san: [`DNS:${node(i)}`, `DNS:*.${CLUSTER}`, ...(ip ? ['IP:127.0.0.1'] : [])],
      issuer: ca,
      serial: String(1000 + i * 2 + (ip ? 1 : 0)),
    });
  const withIp = await Promise.all([0, 1, 2].map((i) => nodeCert(i, true)));
  const dnsOnly = await Promise.all([0, 1, 2].map((i) => nodeCert(i, false)));
  return { ca, client, withIp, dnsOnly };
}

interface TopologyDoc {
  readonly ok: boolean;
  readonly topology: {
    readonly ok: boolean;
    readonly failure?: { code: string; reason: string };
    readonly report?: {
      readonly kind: string;
      readonly source: string;
      readonly nodes: readonly {
        endpoint: string;
        host: string;
        port: number;
        announcedAs: string;
        slots?: string;
        report?: { ok: boolean; findings: readonly { code: string }[] };
      }[];
      readonly findings: readonly {
        code: string;
        severity: string;
        node?: string;
        nodes?: readonly string[];
        message: string;
      }[];
      readonly clients: readonly {
        client: string;
        configuration: string;
        accepts: boolean;
        connections: readonly { node: string; name: string; accepts: boolean }[];
      }[];
    };
  };
}

async function certsTopology(
  seed: string,
  pki: Pki,
  extra: readonly string[] = [],
): Promise<{ code: number | null; doc: TopologyDoc; stderr: string }> {
  const result = await runCli(
    [
      'check',
      '--cluster',
      CLUSTER,
      '--endpoint',
      seed,
      '--topology',
      '--ca',
      pki.ca.cert,
      '--client-cert',
      pki.client.cert,
      '--client-key',
      pki.client.key,
      ...extra,
      '--json',
    ],
    { timeoutMs: 120_000 },
  );
  return {
    code: result.code,
    doc: JSON.parse(result.stdout) as TopologyDoc,
    stderr: result.stderr,
  };
}

/** One key in each node's slot ranges, by the node's endpoint as certs names it. */
function keysOf(doc: TopologyDoc): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const n of doc.topology.report?.nodes ?? []) {
    const [from, to] = (n.slots ?? '').split(',')[0]?.split('-').map(Number) ?? [];
    assert.ok(from !== undefined && to !== undefined, `slots of ${n.endpoint}`);
    keys[n.endpoint] = keyInSlots(from, to);
  }
  return keys;
}

/** The nodes a modelled client refuses, by certs. */
function refusedBy(doc: TopologyDoc, configuration: string): string[] {
  const client = doc.topology.report?.clients.find((c) =>
    c.configuration.startsWith(configuration),
  );
  assert.ok(client !== undefined, `no client ${configuration}`);
  return client.connections.filter((c) => !c.accepts).map((c) => c.node);
}

interface ClientRun {
  readonly results: Readonly<Record<string, string>>;
  readonly nodeErrors?: readonly { node: string; message: string }[];
  readonly init?: string;
  readonly version?: string;
  readonly stderr?: string;
}

async function ioredis(config: object): Promise<ClientRun> {
  const result = await run(
    process.execPath,
    ['--import', 'tsx', `${PROGRAMS}cluster-client.ts`, JSON.stringify(config)],
    { timeoutMs: 90_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as ClientRun;
}

async function redisPy(config: object): Promise<ClientRun> {
  const result = await run(
    '/usr/bin/python3',
    [`${PROGRAMS}cluster_client.py`, JSON.stringify(config)],
    { timeoutMs: 90_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  // redis-py prints the tracebacks of the connections it gave up on: the TLS errors are there.
  return { ...(JSON.parse(result.stdout) as ClientRun), stderr: result.stderr };
}

const failed = (run: ClientRun): string[] =>
  Object.entries(run.results)
    .filter(([, r]) => r !== 'ok')
    .map(([n]) => n)
    .sort();

void test(
  'a 3-node TLS cluster: certs says where cluster clients fail, and they fail exactly there',
  { timeout: 600_000 },
  async (t: TestContext) => {
    const dir = tempDir(t);
    const pki = await makePki(dir);
    const tlsOf =
      (certs: readonly MadeCert[]) =>
      (i: number): NodeTls => ({
        cert: certs[i]?.cert ?? '',
        key: certs[i]?.key ?? '',
        ca: pki.ca.cert,
      });
    const cluster = await startTlsCluster(t, { dir, count: 3, tls: tlsOf(pki.withIp) });
    const [p0, p1, p2] = cluster.ports as [number, number, number];
    const clientFiles = { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key };
    const pins = { [node(0)]: '127.0.0.1', [node(1)]: '127.0.0.1', [node(2)]: '127.0.0.1' };
    const resolveArgs = [0, 1, 2].flatMap((i) => [
      '--resolve',
      `${node(i)}:${String(cluster.ports[i])}:127.0.0.1`,
    ]);

    await t.test(
      'without a client identity the seed refuses the walk, and certs says why',
      async () => {
        const result = await runCli(
          [
            'check',
            '--cluster',
            CLUSTER,
            '--endpoint',
            `127.0.0.1:${String(p0)}`,
            '--topology',
            '--ca',
            pki.ca.cert,
            '--json',
          ],
          { timeoutMs: 60_000 },
        );
        assert.equal(result.code, 1, result.stderr);
        const doc = JSON.parse(result.stdout) as TopologyDoc;
        assert.equal(doc.topology.report, undefined);
        assert.match(doc.topology.failure?.reason ?? '', /certificate/);
      },
    );

    await t.test(
      '(a) nodes announced by IP with IP SANs: nothing found, every client works',
      async () => {
        const { code, doc, stderr } = await certsTopology(`127.0.0.1:${String(p0)}`, pki);
        assert.equal(code, 0, `${stderr}\n${JSON.stringify(doc.topology.report?.findings)}`);
        const report = doc.topology.report;
        assert.equal(report?.kind, 'cluster');
        assert.equal(report.source, 'CLUSTER SHARDS');
        // In the order CLUSTER SHARDS lists the shards, which is not the slots' order.
        assert.deepEqual(
          report.nodes.map((n) => `${n.endpoint} ${n.announcedAs}`).sort(),
          [p0, p1, p2].map((p) => `127.0.0.1:${String(p)} ip`).sort(),
        );
        assert.deepEqual(report.findings, []);
        assert.ok(report.clients.every((c) => c.accepts));
        const keys = keysOf(doc);
        const py = await redisPy({
          seed: { host: '127.0.0.1', port: p0 },
          ...clientFiles,
          keys,
          passHostnameCheck: true,
        });
        assert.deepEqual(failed(py), [], JSON.stringify(py));
        const io = await ioredis({
          seed: { host: '127.0.0.1', port: p0 },
          mode: 'default',
          ...clientFiles,
          keys,
        });
        assert.deepEqual(failed(io), [], JSON.stringify(io));
      },
    );

    // (b): the certificates name the nodes, not the addresses the cluster announces.
    for (const [i, port] of cluster.ports.entries()) {
      const certs = pki.dnsOnly[i];
      assert.ok(certs !== undefined);
      const set = await redisCli(port, tlsOf(pki.withIp)(i), [
        'config',
        'set',
        'tls-cert-file',
        certs.cert,
        'tls-key-file',
        certs.key,
      ]);
      assert.match(set.stdout, /OK/, set.stderr);
    }
    const seedByName = `${node(0)}:${String(p0)}`;

    await t.test(
      '(b) nodes announced by IP, DNS-only certificates: certs reports the missing IP SAN, clients fail exactly there',
      async () => {
        const { code, doc } = await certsTopology(seedByName, pki, resolveArgs.slice(0, 2));
        assert.equal(code, 1);
        const report = doc.topology.report;
        const ipFindings =
          report?.findings.filter((f) => f.code === 'TOPOLOGY_IP_WITHOUT_IP_SAN') ?? [];
        assert.deepEqual(
          ipFindings.map((f) => f.node ?? '').sort(),
          [p0, p1, p2].map((p) => `127.0.0.1:${String(p)}`).sort(),
        );
        assert.match(
          ipFindings[0]?.message ?? '',
          /cluster-announce-hostname NAME and cluster-preferred-endpoint-type hostname/,
        );
        const keys = keysOf(doc);
        const announced = [p0, p1, p2].map((p) => `127.0.0.1:${String(p)}`).sort();
        // redis-py (its connections checking names): the seed by name passes, every announced IP fails.
        assert.deepEqual(refusedBy(doc, 'ssl_check_hostname').sort(), announced);
        const py = await redisPy({
          seed: { host: node(0), port: p0 },
          ...clientFiles,
          resolve: pins,
          keys,
          passHostnameCheck: true,
        });
        // RedisCluster() itself connects to an announced node (its COMMAND table) and fails there,
        // at a node certs names, with Python ssl's IP mismatch.
        assert.ok(py.init !== undefined, JSON.stringify(py));
        const at = /redis server (127\.0\.0\.1:\d+)/.exec(py.init)?.[1] ?? '';
        assert.ok(refusedBy(doc, 'ssl_check_hostname').includes(at), py.init);
        assert.match(
          py.stderr ?? '',
          new RegExp(
            `connecting to ${at.replace(/\./g, '\\.')}\\. \\[SSL: CERTIFICATE_VERIFY_FAILED\\] certificate verify failed: IP address mismatch, certificate is not valid for '127\\.0\\.0\\.1'`,
          ),
        );
        // redis-py 4.3.4 as shipped drops ssl_check_hostname in RedisCluster: it checks no name.
        const unchecked = await redisPy({
          seed: { host: node(0), port: p0 },
          ...clientFiles,
          resolve: pins,
          keys,
          passHostnameCheck: false,
        });
        if (/^[45]\./.test(unchecked.version ?? ''))
          assert.deepEqual(failed(unchecked), [], JSON.stringify(unchecked));
        // ioredis: every announced node is checked against its IP; certs says every node fails.
        assert.deepEqual(refusedBy(doc, 'dnsLookup').sort(), announced);
        const names = await ioredis({
          seed: { host: node(0), port: p0 },
          mode: 'names',
          ...clientFiles,
          resolve: pins,
          keys,
        });
        assert.deepEqual(failed(names), Object.keys(keys).sort(), JSON.stringify(names));
        const tlsErrors = (names.nodeErrors ?? []).filter((e) => /altnames/.test(e.message));
        assert.ok(tlsErrors.length > 0, JSON.stringify(names));
        for (const e of tlsErrors) {
          assert.ok(announced.includes(e.node), `${e.node} failed, certs did not say so`);
          assert.match(e.message, /IP: 127\.0\.0\.1 is not in the cert's list/);
        }
        // ioredis with its default dnsLookup checks the seed as its address too.
        assert.deepEqual(
          refusedBy(doc, 'default options').sort(),
          [seedByName, ...announced].sort(),
        );
        const byDefault = await ioredis({
          seed: { host: node(0), port: p0 },
          mode: 'default',
          ...clientFiles,
          resolve: pins,
          keys,
        });
        assert.deepEqual(failed(byDefault), Object.keys(keys).sort());
        // One servername for every node: *.topo.test covers the seed's name on every node.
        assert.deepEqual(refusedBy(doc, 'redisOptions.tls.servername'), []);
        assert.ok(
          report?.findings.some(
            (f) => f.code === 'TOPOLOGY_CLIENT_REFUSES' && f.severity === 'info',
          ),
        );
        const pinned = await ioredis({
          seed: { host: node(0), port: p0 },
          mode: 'servername',
          servername: node(0),
          ...clientFiles,
          resolve: pins,
          keys,
        });
        assert.deepEqual(failed(pinned), [], JSON.stringify(pinned));
      },
    );

    // (c): the fix certs names.
    for (const [i, port] of cluster.ports.entries()) {
      const set = await redisCli(port, tlsOf(pki.dnsOnly)(i), [
        'config',
        'set',
        'cluster-announce-hostname',
        node(i),
        'cluster-preferred-endpoint-type',
        'hostname',
      ]);
      assert.match(set.stdout, /OK/, set.stderr);
    }
    await waitUntil('every node announced by its name', async () => {
      const slots = await redisCli(p0, tlsOf(pki.dnsOnly)(0), ['cluster', 'slots']);
      return [0, 1, 2].every((i) => slots.stdout.includes(node(i)));
    });

    await t.test(
      '(c) the fix: nodes announced by name, no IP finding; clients that check names work, ioredis by default fails on the seed as certs warns',
      async () => {
        const { code, doc, stderr } = await certsTopology(seedByName, pki, resolveArgs);
        const report = doc.topology.report;
        assert.equal(code, 0, `${stderr}\n${JSON.stringify(report?.findings)}`);
        assert.deepEqual(
          report?.nodes.map((n) => `${n.endpoint} ${n.announcedAs}`).sort(),
          [0, 1, 2].map((i) => `${node(i)}:${String(cluster.ports[i])} hostname`).sort(),
        );
        assert.deepEqual(
          report.findings.filter((f) => f.severity === 'error'),
          [],
        );
        assert.ok(report.nodes.every((n) => n.report?.ok === true));
        const keys = keysOf(doc);
        assert.deepEqual(refusedBy(doc, 'ssl_check_hostname'), []);
        const py = await redisPy({
          seed: { host: node(0), port: p0 },
          ...clientFiles,
          resolve: pins,
          keys,
          passHostnameCheck: true,
        });
        assert.deepEqual(failed(py), [], JSON.stringify(py));
        assert.deepEqual(refusedBy(doc, 'dnsLookup'), []);
        const names = await ioredis({
          seed: { host: node(0), port: p0 },
          mode: 'names',
          ...clientFiles,
          resolve: pins,
          keys,
        });
        assert.deepEqual(failed(names), [], JSON.stringify(names));
        // The default dnsLookup: the seed is dialled and checked as 127.0.0.1, which no SAN names.
        assert.deepEqual(refusedBy(doc, 'default options'), [seedByName]);
        const warning = report.findings.find((f) => f.code === 'TOPOLOGY_CLIENT_REFUSES');
        assert.equal(warning?.severity, 'warning');
        assert.match(
          warning.message,
          /dnsLookup: \(address, callback\) => callback\(null, address\)/,
        );
        const byDefault = await ioredis({
          seed: { host: node(0), port: p0 },
          mode: 'default',
          ...clientFiles,
          resolve: pins,
          keys,
        });
        assert.deepEqual(failed(byDefault), Object.keys(keys).sort());
        assert.ok(
          (byDefault.nodeErrors ?? []).every((e) => e.node === `127.0.0.1:${String(p0)}`),
          JSON.stringify(byDefault.nodeErrors),
        );
      },
    );
  },
);

void test(
  'tls-cluster off: a node announces its plain-text port, a TLS-only node port 0',
  { timeout: 300_000 },
  async (t: TestContext) => {
    const dir = tempDir(t);
    const pki = await makePki(dir);
    const tls: NodeTls = {
      cert: pki.withIp[0]?.cert ?? '',
      key: pki.withIp[0]?.key ?? '',
      ca: pki.ca.cert,
    };
    const single = async (plainPort: number | undefined): Promise<number> => {
      const port = await clusterPort();
      const bus = await clusterPort();
      await startTlsServer(t, {
        dir,
        port,
        tls,
        ...(plainPort === undefined ? {} : { plainPort }),
        extra: [
          'cluster-enabled yes',
          `cluster-config-file ${dir}/single-${String(port)}.conf`,
          `cluster-port ${String(bus)}`,
        ],
      });
      const added = await redisCli(port, tls, ['cluster', 'addslotsrange', '0', '16383']);
      assert.match(added.stdout, /OK/, added.stderr);
      await waitUntil('cluster_state:ok', async () =>
        (await redisCli(port, tls, ['cluster', 'info'])).stdout.includes('cluster_state:ok'),
      );
      return port;
    };

    await t.test(
      'a plain-text port and a TLS port, tls-cluster no: the plain-text port is announced',
      async () => {
        const plain = await clusterPort();
        const port = await single(plain);
        // --timeout 3: a plain-text Redis may wait silently for the end of the ClientHello.
        const { code, doc } = await certsTopology(`127.0.0.1:${String(port)}`, pki, [
          '--timeout',
          '3',
        ]);
        assert.equal(code, 1);
        const findings = doc.topology.report?.findings ?? [];
        // A lone node has not learnt its own address: it announces an empty endpoint (measured).
        assert.deepEqual(
          findings.map((f) => [f.code, f.node]),
          [
            ['TOPOLOGY_PLAINTEXT_PORT', `127.0.0.1:${String(plain)}`],
            ['TOPOLOGY_ENDPOINT_EMPTY', `127.0.0.1:${String(plain)}`],
          ],
        );
        assert.match(findings[0]?.message ?? '', /tls-cluster yes and tls-replication yes/);
      },
    );

    await t.test('TLS only (port 0), tls-cluster no: the node announces port 0', async () => {
      const port = await single(undefined);
      const { code, doc } = await certsTopology(`127.0.0.1:${String(port)}`, pki);
      assert.equal(code, 1);
      const findings = doc.topology.report?.findings ?? [];
      assert.deepEqual(
        findings.map((f) => f.code),
        ['TOPOLOGY_PORT_ZERO'],
      );
      assert.match(findings[0]?.message ?? '', /set tls-cluster yes/);
    });
  },
);
