/**
 * `certs check --topology` against a real TLS Sentinel (`redis-server sentinel.conf --sentinel`
 * with a `tls-port` and `tls-replication yes`) monitoring a TLS master and its replica
 * (`port 0`, `tls-port`, `tls-replication yes`): the master and replica addresses the Sentinel
 * announces (`SENTINEL MASTERS`, `SENTINEL REPLICAS`) are walked and judged, first with
 * certificates that name them by DNS only (the missing IP SANs reported, with the Sentinel's
 * fix), then, the certificates swapped at run time, with their IP SANs (nothing found).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { clusterPort, redisCli, startTlsServer, waitUntil } from '../helpers/redis-cluster.js';
import type { NodeTls } from '../helpers/redis-cluster.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER = 'topo.test';

interface SentinelDoc {
  readonly topology: {
    readonly report?: {
      readonly kind: string;
      readonly source: string;
      readonly nodes: readonly { endpoint: string; role: string; master?: string; port: number }[];
      readonly findings: readonly {
        code: string;
        severity: string;
        node?: string;
        message: string;
      }[];
      readonly clients: readonly unknown[];
    };
  };
}

void test(
  'a TLS Sentinel: the master and replica it announces are judged',
  { timeout: 300_000 },
  async (t: TestContext) => {
    const dir = tempDir(t);
    const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Sentinel CA', ca: true });
    const client = await makeCert(dir, {
      name: 'client',
      subject: '/CN=app',
      ca: false,
      eku: 'clientAuth',
      issuer: ca,
    });
    const server = (name: string, san: string[]): Promise<MadeCert> =>
      makeCert(dir, {
        name,
        subject: `/CN=${name}.${CLUSTER}`,
        ca: false,
        eku: 'serverAuth,clientAuth',
        san,
        issuer: ca,
      });
    const dnsOnly = await server('db-dns', [`DNS:*.${CLUSTER}`]);
    const withIp = await server('db-ip', [`DNS:*.${CLUSTER}`, 'IP:127.0.0.1']);
    const sentinelCert = await server('sentinel', [`DNS:sentinel.${CLUSTER}`, 'IP:127.0.0.1']);
    const tlsOf = (cert: MadeCert): NodeTls => ({ cert: cert.cert, key: cert.key, ca: ca.cert });
    const [master, replica, sentinel] = [
      await clusterPort(),
      await clusterPort(),
      await clusterPort(),
    ];
    await startTlsServer(t, {
      dir,
      port: master,
      tls: tlsOf(dnsOnly),
      extra: ['tls-replication yes'],
    });
    await startTlsServer(t, {
      dir,
      port: replica,
      tls: tlsOf(dnsOnly),
      extra: ['tls-replication yes', `replicaof 127.0.0.1 ${String(master)}`],
    });
    await startTlsServer(t, {
      dir,
      port: sentinel,
      tls: tlsOf(sentinelCert),
      sentinel: true,
      extra: [
        'tls-replication yes',
        `sentinel monitor mymaster 127.0.0.1 ${String(master)} 1`,
        'sentinel down-after-milliseconds mymaster 5000',
      ],
    });
    await waitUntil('the Sentinel knows the replica', async () => {
      const replicas = await redisCli(sentinel, tlsOf(sentinelCert), [
        'sentinel',
        'replicas',
        'mymaster',
      ]);
      return replicas.stdout.includes(String(replica));
    });
    const walk = async (): Promise<{ code: number | null; doc: SentinelDoc }> => {
      const result = await runCli(
        [
          'check',
          '--cluster',
          CLUSTER,
          '--endpoint',
          `127.0.0.1:${String(sentinel)}`,
          '--topology',
          '--ca',
          ca.cert,
          '--client-cert',
          client.cert,
          '--client-key',
          client.key,
          '--json',
        ],
        { timeoutMs: 120_000 },
      );
      return { code: result.code, doc: JSON.parse(result.stdout) as SentinelDoc };
    };
    const endpoints = [`127.0.0.1:${String(master)}`, `127.0.0.1:${String(replica)}`];

    await t.test(
      'master and replica announced by IP, certificates with DNS names only: the missing IP SANs, the Sentinel fix',
      async () => {
        const { code, doc } = await walk();
        assert.equal(code, 1);
        const report = doc.topology.report;
        assert.equal(report?.kind, 'sentinel');
        assert.equal(report.source, 'SENTINEL MASTERS');
        assert.deepEqual(
          report.nodes.map((n) => [n.endpoint, n.role, n.master]),
          [
            [endpoints[0], 'master', 'mymaster'],
            [endpoints[1], 'replica', 'mymaster'],
          ],
        );
        const ip = report.findings.filter((f) => f.code === 'TOPOLOGY_IP_WITHOUT_IP_SAN');
        assert.deepEqual(
          ip.map((f) => f.node),
          endpoints,
        );
        assert.match(ip[0]?.message ?? '', /sentinel announce-hostnames yes/);
        assert.deepEqual(report.clients, []);
      },
    );

    for (const port of [master, replica]) {
      const set = await redisCli(port, tlsOf(dnsOnly), [
        'config',
        'set',
        'tls-cert-file',
        withIp.cert,
        'tls-key-file',
        withIp.key,
      ]);
      assert.match(set.stdout, /OK/, set.stderr);
    }

    await t.test('the same servers presenting IP SANs: nothing found', async () => {
      const { code, doc } = await walk();
      assert.equal(code, 0, JSON.stringify(doc.topology.report?.findings));
      assert.deepEqual(doc.topology.report?.findings, []);
    });
  },
);
