/**
 * The topology walk judged from data: the dialogue with the seed (which command next), the
 * topology the replies describe (real redis-server 7.0.15 replies, and hostile ones: wrong types,
 * port 0, missing tls-port, `?` endpoints, huge node counts), and the topology checked with
 * certificates made in memory (IP announced without IP SAN, issuers and names that differ,
 * unreachable nodes, the cluster clients' own checks). No socket, no server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTopology } from '@certkit/core';
import { readTopology } from '../../packages/core/src/judge/topology.js';
import {
  MAX_SENTINEL_MASTERS,
  nextTopologyCommand,
} from '../../packages/core/src/judge/topology-dialogue.js';
import { MAX_TOPOLOGY_NODES } from '../../packages/core/src/judge/topology-replies.js';
import { readRespReply } from '../../packages/core/src/judge/resp.js';
import type { NodeFetch, Topology, TopologyExchange, TopologyReport } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';
import type { MemoryCert } from '../helpers/memory-pki.js';

/** A value to encode: bulk string, integer, null, array, or fields (a map in RESP3). */
type V =
  string | number | null | readonly V[] | { readonly fields: readonly (readonly [string, V])[] };

function encode(value: V, resp3: boolean): string {
  if (value === null) return resp3 ? '_\r\n' : '$-1\r\n';
  if (typeof value === 'number') return `:${String(value)}\r\n`;
  if (typeof value === 'string') return `$${String(Buffer.byteLength(value))}\r\n${value}\r\n`;
  if ('fields' in value) {
    const body = value.fields.map(([k, v]) => encode(k, resp3) + encode(v, resp3)).join('');
    return `${resp3 ? '%' : '*'}${String(value.fields.length * (resp3 ? 1 : 2))}\r\n${body}`;
  }
  const items = value;
  return `*${String(items.length)}\r\n${items.map((v) => encode(v, resp3)).join('')}`;
}

function exchange(
  command: string,
  reply: V | { error: string } | { raw: string },
  resp3 = true,
): TopologyExchange {
  const text =
    reply !== null && typeof reply === 'object' && 'error' in reply
      ? `-${reply.error}\r\n`
      : reply !== null && typeof reply === 'object' && 'raw' in reply
        ? reply.raw
        : encode(reply, resp3);
  const read = readRespReply(new TextEncoder().encode(text));
  assert.ok(read.ok, read.ok ? '' : read.reason);
  return { command: command.split(' '), reply: read.reply };
}

const fields = (...pairs: (readonly [string, V])[]): V => ({ fields: pairs });
const hello = (mode: string): TopologyExchange =>
  exchange(
    'HELLO 3',
    fields(['server', 'redis'], ['version', '7.0.15'], ['proto', 3], ['mode', mode]),
  );

/** A CLUSTER SHARDS node as redis-server 7.0.15 sends it with tls-cluster yes and port 0. */
const shardNode = (
  port: number,
  endpoint: string,
  role = 'master',
  extra: (readonly [string, V])[] = [],
): V =>
  fields(
    ['id', `id${String(port)}`],
    ['tls-port', port],
    ['ip', '127.0.0.1'],
    ['endpoint', endpoint],
    ...extra,
    ['role', role],
    ['replication-offset', 0],
    ['health', 'online'],
  );
const shard = (from: number, to: number, ...nodes: V[]): V =>
  fields(['slots', [from, to]], ['nodes', nodes]);
const THREE_SHARDS = (endpoint: (i: number) => string): V => [
  shard(0, 5460, shardNode(31000, endpoint(0))),
  shard(5461, 10922, shardNode(31001, endpoint(1))),
  shard(10923, 16383, shardNode(31002, endpoint(2))),
];
const SEED = { host: '127.0.0.1', port: 31000 };

/** Runs the dialogue against canned replies until it ends; the commands sent. */
function dialogue(replyTo: (command: readonly string[]) => TopologyExchange): string[] {
  const exchanges: TopologyExchange[] = [];
  for (
    let command = nextTopologyCommand(exchanges);
    command !== null;
    command = nextTopologyCommand(exchanges)
  ) {
    exchanges.push(replyTo(command));
    assert.ok(exchanges.length < 1000, 'the dialogue does not end');
  }
  return exchanges.map((e) => e.command.join(' '));
}

void test('the dialogue: what the seed is asked, given what it answered', async (t) => {
  await t.test('a cluster node: HELLO 3, then CLUSTER SHARDS', () => {
    assert.deepEqual(
      dialogue((c) =>
        c[0] === 'HELLO'
          ? hello('cluster')
          : exchange(
              c.join(' '),
              THREE_SHARDS(() => '127.0.0.1'),
            ),
      ),
      ['HELLO 3', 'CLUSTER SHARDS'],
    );
  });
  await t.test('before 7.0: CLUSTER SHARDS unknown, CLUSTER SLOTS asked', () => {
    assert.deepEqual(
      dialogue((c) =>
        c[0] === 'HELLO'
          ? hello('cluster')
          : c[1] === 'SHARDS'
            ? exchange('CLUSTER SHARDS', {
                error: "ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.",
              })
            : exchange('CLUSTER SLOTS', []),
      ),
      ['HELLO 3', 'CLUSTER SHARDS', 'CLUSTER SLOTS'],
    );
  });
  await t.test('before 6.0: HELLO unknown, INFO server says the mode', () => {
    assert.deepEqual(
      dialogue((c) =>
        c[0] === 'HELLO'
          ? exchange('HELLO 3', { error: "ERR unknown command 'HELLO'" })
          : c[0] === 'INFO'
            ? exchange(
                'INFO server',
                '# Server\r\nredis_version:5.0.7\r\nredis_mode:cluster\r\n',
                false,
              )
            : exchange(c.join(' '), { error: "ERR unknown subcommand 'SHARDS'" }, false),
      ),
      ['HELLO 3', 'INFO server', 'CLUSTER SHARDS', 'CLUSTER SLOTS'],
    );
  });
  await t.test('a Sentinel: its masters, then the replicas of each (SLAVES before 5.0)', () => {
    assert.deepEqual(
      dialogue((c) => {
        if (c[0] === 'HELLO') return hello('sentinel');
        if (c[1] === 'MASTERS')
          return exchange('SENTINEL MASTERS', [
            fields(['name', 'a'], ['ip', '127.0.0.1'], ['port', '1']),
            fields(['name', 'b'], ['ip', '127.0.0.1'], ['port', '2']),
          ]);
        if (c[1] === 'REPLICAS' && c[2] === 'b')
          return exchange(c.join(' '), { error: "ERR Unknown subcommand 'REPLICAS'" });
        return exchange(c.join(' '), []);
      }),
      [
        'HELLO 3',
        'SENTINEL MASTERS',
        'SENTINEL REPLICAS a',
        'SENTINEL REPLICAS b',
        'SENTINEL SLAVES b',
      ],
    );
  });
  await t.test('no mode said and no CLUSTER command: asked as a Sentinel', () => {
    assert.deepEqual(
      dialogue((c) =>
        c[0] === 'HELLO'
          ? exchange('HELLO 3', { error: "ERR unknown command 'HELLO'" })
          : c[0] === 'INFO'
            ? exchange('INFO server', '# Server\r\n', false)
            : c[0] === 'CLUSTER'
              ? exchange(c.join(' '), {
                  error: "ERR unknown command 'CLUSTER', with args beginning with: 'SHARDS'",
                })
              : exchange(c.join(' '), []),
      ),
      ['HELLO 3', 'INFO server', 'CLUSTER SHARDS', 'SENTINEL MASTERS'],
    );
  });
  await t.test('authentication wanted: nothing more is asked', () => {
    assert.deepEqual(
      dialogue(() =>
        exchange('HELLO 3', {
          error: 'NOAUTH HELLO must be called with the client already authenticated',
        }),
      ),
      ['HELLO 3'],
    );
  });
  await t.test('a standalone server: nothing more is asked', () => {
    assert.deepEqual(
      dialogue(() => hello('standalone')),
      ['HELLO 3'],
    );
  });
  await t.test(
    'a Sentinel naming thousands of masters: at most MAX_SENTINEL_MASTERS are asked about',
    () => {
      const masters = Array.from({ length: 5000 }, (_, i) =>
        fields(['name', `m${String(i)}`], ['ip', '10.0.0.1'], ['port', String(i + 1)]),
      );
      const sent = dialogue((c) =>
        c[0] === 'HELLO'
          ? hello('sentinel')
          : c[1] === 'MASTERS'
            ? exchange('SENTINEL MASTERS', masters)
            : exchange(c.join(' '), []),
      );
      assert.equal(sent.length, 2 + MAX_SENTINEL_MASTERS);
    },
  );
});

const codes = (topology: { findings: readonly { code: string; node?: string }[] }): string[] =>
  topology.findings.map((f) => (f.node === undefined ? f.code : `${f.code} ${f.node}`));

void test('the topology the replies describe', async (t) => {
  await t.test(
    'CLUSTER SHARDS, RESP3, nodes announced by IP (redis-server 7.0.15, tls-cluster yes)',
    () => {
      const topology = readTopology(SEED, [
        hello('cluster'),
        exchange(
          'CLUSTER SHARDS',
          THREE_SHARDS(() => '127.0.0.1'),
        ),
      ]);
      assert.equal(topology.kind, 'cluster');
      assert.equal(topology.source, 'CLUSTER SHARDS');
      assert.equal(topology.protocol, 3);
      assert.deepEqual(
        topology.nodes.map((n) => [n.endpoint, n.announcedAs, n.role, n.slots]),
        [
          ['127.0.0.1:31000', 'ip', 'master', '0-5460'],
          ['127.0.0.1:31001', 'ip', 'master', '5461-10922'],
          ['127.0.0.1:31002', 'ip', 'master', '10923-16383'],
        ],
      );
      assert.deepEqual(codes(topology), []);
    },
  );
  await t.test(
    'shards listed out of slot order (as Redis lists them) come back in slot order',
    () => {
      const shards = [...(THREE_SHARDS(() => '127.0.0.1') as V[])].reverse();
      const topology = readTopology(SEED, [hello('cluster'), exchange('CLUSTER SHARDS', shards)]);
      assert.deepEqual(
        topology.nodes.map((n) => n.slots),
        ['0-5460', '5461-10922', '10923-16383'],
      );
    },
  );
  await t.test('CLUSTER SHARDS, RESP2 (flat fields), hostnames preferred', () => {
    const topology = readTopology(SEED, [
      exchange('HELLO 3', { error: "ERR unknown command 'HELLO'" }),
      exchange('INFO server', 'redis_mode:cluster\r\n', false),
      exchange(
        'CLUSTER SHARDS',
        THREE_SHARDS((i) => `node-${String(i)}.topo.test`),
        false,
      ),
    ]);
    assert.equal(topology.protocol, 2);
    assert.deepEqual(
      topology.nodes.map((n) => [n.endpoint, n.announcedAs]),
      [
        ['node-0.topo.test:31000', 'hostname'],
        ['node-1.topo.test:31001', 'hostname'],
        ['node-2.topo.test:31002', 'hostname'],
      ],
    );
  });
  await t.test('tls-cluster off: CLUSTER SHARDS gives the plain-text port only', () => {
    const node = (port: number): V =>
      fields(
        ['id', `i${String(port)}`],
        ['port', port],
        ['ip', '127.0.0.1'],
        ['endpoint', '127.0.0.1'],
        ['role', 'master'],
        ['health', 'online'],
      );
    const topology = readTopology(SEED, [
      hello('cluster'),
      exchange('CLUSTER SHARDS', [shard(0, 16383, node(32100))]),
    ]);
    assert.deepEqual(codes(topology), ['TOPOLOGY_PLAINTEXT_PORT 127.0.0.1:32100']);
    assert.equal(topology.nodes[0]?.plaintext, true);
  });
  await t.test(
    'port 0 and tls-cluster off: SLOTS announces port 0 and an empty host (measured)',
    () => {
      const raw =
        '*1\r\n*3\r\n:1\r\n:3\r\n*4\r\n$0\r\n\r\n:0\r\n$40\r\n62aa30f7be4e59737f6d7f564319b8a5b6ea9291\r\n*0\r\n';
      const topology = readTopology(SEED, [
        hello('cluster'),
        exchange('CLUSTER SHARDS', { error: "ERR unknown subcommand 'SHARDS'" }),
        exchange('CLUSTER SLOTS', { raw }),
      ]);
      assert.equal(topology.source, 'CLUSTER SLOTS');
      assert.deepEqual(codes(topology), ['TOPOLOGY_PORT_ZERO 127.0.0.1:0']);
    },
  );
  await t.test('CLUSTER SHARDS without any port (port 0, tls-cluster off, measured)', () => {
    const node = fields(
      ['id', 'x'],
      ['ip', ''],
      ['endpoint', ''],
      ['role', 'master'],
      ['health', 'online'],
    );
    const topology = readTopology(SEED, [
      hello('cluster'),
      exchange('CLUSTER SHARDS', [shard(1, 3, node)]),
    ]);
    assert.deepEqual(codes(topology), ['TOPOLOGY_PORT_ZERO 127.0.0.1:0']);
  });
  await t.test('SLOTS: "?", null and empty endpoints; a node over many ranges is one node', () => {
    const slots: V = [
      [0, 10, ['10.0.0.1', 7000, 'a'], ['?', 7001, 'b']],
      [11, 20, [null, 7002, 'c']],
      [21, 30, ['10.0.0.1', 7000, 'a']],
      [31, 40, ['', 7003, 'd']],
    ];
    const topology = readTopology({ host: 'seed.example.com', port: 7000 }, [
      hello('cluster'),
      exchange('CLUSTER SHARDS', { error: "ERR unknown subcommand 'SHARDS'" }),
      exchange('CLUSTER SLOTS', slots, false),
    ]);
    assert.deepEqual(
      topology.nodes.map((n) => [n.endpoint, n.announcedAs, n.role, n.slots ?? '']),
      [
        ['10.0.0.1:7000', 'ip', 'master', '0-10,21-30'],
        ['?:7001', 'unknown', 'replica', ''],
        ['seed.example.com:7002', 'seed-host', 'master', '11-20'],
        ['seed.example.com:7003', 'seed-host', 'master', '31-40'],
      ],
    );
    assert.deepEqual(codes(topology), [
      'TOPOLOGY_NO_ENDPOINT ?:7001',
      'TOPOLOGY_ENDPOINT_EMPTY seed.example.com:7002',
      'TOPOLOGY_ENDPOINT_EMPTY seed.example.com:7003',
    ]);
  });
  await t.test('a Sentinel: masters in RESP3, ports as strings, replicas with their flags', () => {
    const topology = readTopology({ host: '127.0.0.1', port: 34010 }, [
      hello('sentinel'),
      exchange('SENTINEL MASTERS', [
        fields(['name', 'mymaster'], ['ip', '127.0.0.1'], ['port', '34000'], ['flags', 'master']),
      ]),
      exchange(
        'SENTINEL REPLICAS mymaster',
        [
          fields(
            ['name', '127.0.0.1:34001'],
            ['ip', '127.0.0.1'],
            ['port', '34001'],
            ['flags', 'slave'],
          ),
          fields(
            ['name', 'x'],
            ['ip', '127.0.0.2'],
            ['port', '34002'],
            ['flags', 's_down,slave,disconnected'],
          ),
        ],
        false,
      ),
    ]);
    assert.equal(topology.kind, 'sentinel');
    assert.deepEqual(
      topology.nodes.map((n) => [n.endpoint, n.role, n.master, n.down]),
      [
        ['127.0.0.1:34000', 'master', 'mymaster', false],
        ['127.0.0.1:34001', 'replica', 'mymaster', false],
        ['127.0.0.2:34002', 'replica', 'mymaster', true],
      ],
    );
  });
  await t.test('refusals and standalone servers', () => {
    const noauth = readTopology(SEED, [
      exchange('HELLO 3', {
        error: 'NOAUTH HELLO must be called with the client already authenticated',
      }),
    ]);
    assert.deepEqual(codes(noauth), ['TOPOLOGY_UNAVAILABLE']);
    assert.match(noauth.findings[0]?.message ?? '', /certkit sends no password/);
    assert.deepEqual(codes(readTopology(SEED, [hello('standalone')])), ['TOPOLOGY_STANDALONE']);
    const disabled = readTopology(SEED, [
      exchange('HELLO 3', { error: "ERR unknown command 'HELLO'" }),
      exchange('INFO server', '# Server\r\n', false),
      exchange('CLUSTER SHARDS', { error: 'ERR This instance has cluster support disabled' }),
    ]);
    assert.deepEqual(codes(disabled), ['TOPOLOGY_STANDALONE']);
    const acl = readTopology(SEED, [
      hello('cluster'),
      exchange('CLUSTER SHARDS', {
        error: "NOPERM this user has no permissions to run the 'cluster|shards' command",
      }),
    ]);
    assert.deepEqual(codes(acl), ['TOPOLOGY_UNAVAILABLE']);
  });
});

void test('hostile topology replies: findings, never a throw', async (t) => {
  const rows: { name: string; reply: V | { raw: string }; expect: string[] }[] = [
    { name: 'shards not a list', reply: 'hello', expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a shard without nodes', reply: [fields(['slots', [0, 1]])], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a node that is a number', reply: [shard(0, 1, 5)], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a node with an odd field list', reply: { raw: '*1\r\n*4\r\n$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n*1\r\n*3\r\n$2\r\nid\r\n$1\r\nx\r\n$4\r\nport\r\n' }, expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a port that is text', reply: [shard(0, 1, fields(['tls-port', 'abc'], ['endpoint', '10.0.0.1'], ['role', 'master']))], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a port past 65535', reply: [shard(0, 1, fields(['tls-port', 70000], ['endpoint', '10.0.0.1'], ['role', 'master']))], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a negative port', reply: [shard(0, 1, fields(['tls-port', -1], ['endpoint', '10.0.0.1'], ['role', 'master']))], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'an endpoint that is a number', reply: [shard(0, 1, fields(['tls-port', 1], ['endpoint', 5], ['role', 'master']))], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'an endpoint with a space and an escape', reply: [shard(0, 1, fields(['tls-port', 1], ['endpoint', 'a b\u001b[2J'], ['role', 'master']))], expect: ['TOPOLOGY_REPLY_INVALID', 'TOPOLOGY_NO_NODES'] },
    { name: 'a tls-port of 0 and a plain port: the plain port is announced', reply: [shard(0, 1, fields(['port', 6379], ['tls-port', 0], ['endpoint', '10.0.0.1'], ['role', 'master']))], expect: ['TOPOLOGY_PLAINTEXT_PORT 10.0.0.1:6379'] },
    { name: 'a missing tls-port and no port: port 0', reply: [shard(0, 1, fields(['endpoint', '10.0.0.1'], ['role', 'master']))], expect: ['TOPOLOGY_PORT_ZERO 10.0.0.1:0'] },
    { name: 'a garbage slot list is ignored, the node kept', reply: [fields(['slots', ['x', -5, 99999]], ['nodes', [fields(['tls-port', 1], ['endpoint', '10.0.0.1'], ['role', 'master'])]])], expect: [] },
  ]; // prettier-ignore
  for (const row of rows) {
    await t.test(row.name, () => {
      const topology = readTopology(SEED, [
        hello('cluster'),
        exchange('CLUSTER SHARDS', row.reply),
      ]);
      assert.deepEqual(codes(topology), row.expect);
      for (const f of topology.findings) assert.ok(!f.message.includes('\u001b'), f.message);
    });
  }
  await t.test('SLOTS entries of the wrong shape', () => {
    const slots: V = [
      5,
      [1],
      [0, 'x', ['10.0.0.1', 1]],
      [0, 5, 'node'],
      [0, 5, ['10.0.0.1']],
      [0, 5, ['10.0.0.1', 7000]],
    ];
    const topology = readTopology(SEED, [
      hello('cluster'),
      exchange('CLUSTER SHARDS', { error: "ERR unknown subcommand 'SHARDS'" }),
      exchange('CLUSTER SLOTS', slots),
    ]);
    assert.deepEqual(
      topology.nodes.map((n) => n.endpoint),
      ['10.0.0.1:7000'],
    );
    assert.equal(
      topology.findings.filter((f) => f.code === 'TOPOLOGY_REPLY_INVALID').length,
      5,
      'five bad entries, five findings',
    );
  });
  await t.test('a thousand bad entries: five findings, not a thousand', () => {
    const bad = Array.from({ length: 1000 }, () => shard(0, 1, 'x'));
    const topology = readTopology(SEED, [hello('cluster'), exchange('CLUSTER SHARDS', bad)]);
    assert.equal(topology.findings.filter((f) => f.code === 'TOPOLOGY_REPLY_INVALID').length, 5);
  });
  await t.test(
    `more than ${String(MAX_TOPOLOGY_NODES)} nodes: the first are judged, the rest counted`,
    () => {
      const nodes = Array.from({ length: MAX_TOPOLOGY_NODES + 500 }, (_, i) =>
        shardNode(1000 + i, '10.0.0.1'),
      );
      const topology = readTopology(SEED, [
        hello('cluster'),
        exchange('CLUSTER SHARDS', [shard(0, 16383, ...nodes)]),
      ]);
      assert.equal(topology.nodes.length, MAX_TOPOLOGY_NODES);
      const truncated = topology.findings.find((f) => f.code === 'TOPOLOGY_TRUNCATED');
      assert.match(truncated?.message ?? '', /500 more were not judged/);
    },
  );
});

interface Pki {
  readonly ca: MemoryCert;
  readonly other: MemoryCert;
}

async function pki(): Promise<Pki> {
  const ca = await memoryCert({ name: 'ca.pem', commonName: 'Topology CA', kind: 'ca' });
  const other = await memoryCert({ name: 'other-ca.pem', commonName: 'Other CA', kind: 'ca' });
  return { ca, other };
}

async function nodeCert(
  issuer: MemoryCert,
  name: string,
  dns: string[],
  ip: string[] = [],
  days?: number,
): Promise<NodeFetch> {
  const made = await memoryCert({
    name,
    commonName: name,
    issuer,
    dnsNames: dns,
    ipAddresses: ip,
    ...(days === undefined ? {} : { days }),
  });
  return { ok: true, certificates: [made.certificate], address: '127.0.0.1' };
}

function check(
  topology: Topology,
  fetched: readonly (NodeFetch | undefined)[],
  ca: MemoryCert,
  extra: {
    seed?: { host: string; port: number; fetched?: NodeFetch | undefined };
    servername?: string;
    now?: Date;
  } = {},
): TopologyReport {
  const { seed, ...rest } = extra;
  return checkTopology({
    cluster: 'topo.test',
    topology,
    fetched,
    ca: [ca.certificate],
    ...rest,
    ...(seed === undefined
      ? {}
      : {
          seed: {
            host: seed.host,
            port: seed.port,
            ...(seed.fetched === undefined ? {} : { fetched: seed.fetched }),
          },
        }),
  });
}

const clusterOf = (endpoint: (i: number) => string): Topology =>
  readTopology(SEED, [hello('cluster'), exchange('CLUSTER SHARDS', THREE_SHARDS(endpoint))]);

void test('a topology checked with the certificates its nodes present', async (t) => {
  const { ca, other } = await pki();
  const ipCluster = clusterOf(() => '127.0.0.1');
  const named = clusterOf((i) => `node-${String(i)}.topo.test`);
  await t.test('nodes announced by IP with IP SANs: no finding, every client accepts', async () => {
    const fetched = await Promise.all(
      [0, 1, 2].map((i) => nodeCert(ca, `n${String(i)}`, ['*.topo.test'], ['127.0.0.1'])),
    );
    const report = check(ipCluster, fetched, ca, { seed: { ...SEED, fetched: fetched[0] } });
    assert.deepEqual(codes(report), []);
    assert.equal(report.ok, true);
    assert.ok(
      report.clients.every((c) => c.accepts),
      JSON.stringify(report.clients),
    );
  });
  await t.test(
    'nodes announced by IP, certificates with DNS names only: each node refused, the fix named',
    async () => {
      const fetched = await Promise.all(
        [0, 1, 2].map((i) => nodeCert(ca, `n${String(i)}`, ['*.topo.test'])),
      );
      const report = check(ipCluster, fetched, ca, {
        seed: { host: 'node-0.topo.test', port: 31000, fetched: fetched[0] },
      });
      assert.equal(report.ok, false);
      assert.deepEqual(
        codes(report).filter((c) => c.startsWith('TOPOLOGY_IP')),
        [
          'TOPOLOGY_IP_WITHOUT_IP_SAN 127.0.0.1:31000',
          'TOPOLOGY_IP_WITHOUT_IP_SAN 127.0.0.1:31001',
          'TOPOLOGY_IP_WITHOUT_IP_SAN 127.0.0.1:31002',
        ],
      );
      const finding = report.findings.find((f) => f.code === 'TOPOLOGY_IP_WITHOUT_IP_SAN');
      assert.match(
        finding?.message ?? '',
        /cluster-announce-hostname NAME and cluster-preferred-endpoint-type hostname/,
      );
      assert.match(finding?.message ?? '', /IP SAN/);
      assert.ok(
        report.nodes.every((n) => n.report?.findings.some((f) => f.code === 'NAME_MISMATCH')),
      );
      const verdict = (configuration: string): boolean | undefined =>
        report.clients.find((c) => c.configuration.startsWith(configuration))?.accepts;
      assert.equal(verdict('ssl_check_hostname'), false);
      assert.equal(verdict('default options'), false);
      // One servername for every node: the seed's name, which *.topo.test covers.
      assert.equal(verdict('redisOptions.tls.servername'), true);
      assert.ok(
        report.findings.some((f) => f.code === 'TOPOLOGY_CLIENT_REFUSES' && f.severity === 'info'),
      );
    },
  );
  await t.test(
    'nodes announced by host name: accepted; ioredis by default checks the seed as its address',
    async () => {
      const fetched = await Promise.all(
        [0, 1, 2].map((i) => nodeCert(ca, `n${String(i)}`, [`node-${String(i)}.topo.test`])),
      );
      const report = check(named, fetched, ca, {
        seed: { host: 'node-0.topo.test', port: 31000, fetched: fetched[0] },
      });
      assert.equal(report.ok, true, JSON.stringify(report.findings));
      const refuses = report.findings.filter((f) => f.code === 'TOPOLOGY_CLIENT_REFUSES');
      assert.deepEqual(
        refuses.map((f) => [f.severity, f.nodes]),
        [
          ['warning', ['node-0.topo.test:31000']],
          ['warning', ['node-1.topo.test:31001', 'node-2.topo.test:31002']],
        ],
      );
      assert.match(
        refuses[0]?.message ?? '',
        /^ioredis Cluster \(default options\) refuses node-0\.topo\.test:31000 checked as 127\.0\.0\.1/,
      );
      assert.match(
        refuses[0]?.message ?? '',
        /dnsLookup: \(address, callback\) => callback\(null, address\)/,
      );
      // Per-node certificates and one pinned servername: only the node that name covers passes.
      const pinned = report.clients.find((c) =>
        c.configuration.startsWith('redisOptions.tls.servername'),
      );
      assert.deepEqual(
        pinned?.connections.map((c) => c.accepts),
        [true, true, false, false],
      );
      assert.match(refuses[1]?.message ?? '', /checks every node against that one name/);
    },
  );
  await t.test('one node from another CA, one with other names', async () => {
    const fetched = [
      await nodeCert(ca, 'n0', ['*.topo.test'], ['127.0.0.1']),
      await nodeCert(ca, 'n1', ['*.topo.test'], ['127.0.0.1']),
      await nodeCert(other, 'n2', ['*.topo.test'], ['127.0.0.1']),
    ];
    const four = readTopology(SEED, [
      hello('cluster'),
      exchange('CLUSTER SHARDS', [
        ...(THREE_SHARDS(() => '127.0.0.1') as V[]),
        shard(16383, 16383, shardNode(31003, '127.0.0.1')),
      ]),
    ]);
    const report = check(
      four,
      [...fetched, await nodeCert(ca, 'n3', ['old.topo.test'], ['127.0.0.1'])],
      ca,
    );
    const issuer = report.findings.find((f) => f.code === 'TOPOLOGY_ISSUER_DIFFERS');
    assert.deepEqual(issuer?.nodes, ['127.0.0.1:31002']);
    assert.match(issuer.message, /CN=Other CA: 127\.0\.0\.1:31002/);
    const names = report.findings.filter((f) => f.code === 'TOPOLOGY_NAMES_DIFFER');
    assert.deepEqual(
      names.map((f) => f.node),
      ['127.0.0.1:31003'],
    );
    assert.match(names[0]?.message ?? '', /lacks DNS:\*\.topo\.test and has DNS:old\.topo\.test/);
    // The odd CA's node fails chain validation against the one CA file.
    assert.equal(report.nodes[2]?.report?.chainValid, false);
  });
  await t.test(
    'per-node certificates, each for its own name: not told apart by names',
    async () => {
      const fetched = await Promise.all(
        [0, 1, 2].map((i) => nodeCert(ca, `n${String(i)}`, [`node-${String(i)}.topo.test`])),
      );
      assert.deepEqual(
        codes(check(named, fetched, ca)).filter((c) => c.startsWith('TOPOLOGY_NAMES')),
        [],
      );
    },
  );
  await t.test(
    'nodes that gave nothing: a plain-text port, one refused, one the cluster sees as failed',
    () => {
      const failedNode = readTopology(SEED, [
        hello('cluster'),
        exchange('CLUSTER SHARDS', [
          shard(0, 1, shardNode(31000, '127.0.0.1')),
          shard(2, 3, shardNode(31001, '127.0.0.1', 'master')),
          shard(
            4,
            5,
            fields(
              ['id', 'z'],
              ['tls-port', 31002],
              ['endpoint', '127.0.0.1'],
              ['role', 'master'],
              ['health', 'fail'],
            ),
          ),
        ]),
      ]);
      const report = check(
        failedNode,
        [
          { ok: false, failure: { code: 'NOT_TLS', reason: 'this port does not speak TLS' } },
          { ok: false, failure: { code: 'CONNECTION_REFUSED', reason: 'connection refused' } },
          { ok: false, failure: { code: 'CONNECTION_REFUSED', reason: 'connection refused' } },
        ],
        ca,
      );
      assert.deepEqual(
        report.findings.map((f) => `${f.severity} ${f.code} ${f.node ?? ''}`),
        [
          'error TOPOLOGY_PLAINTEXT_PORT 127.0.0.1:31000',
          'error TOPOLOGY_NODE_UNREACHABLE 127.0.0.1:31001',
          'warning TOPOLOGY_NODE_UNREACHABLE 127.0.0.1:31002',
        ],
      );
      assert.match(report.findings[0]?.message ?? '', /tls-cluster yes and tls-replication yes/);
    },
  );
  await t.test(
    'a plain-text port that waits silently: one finding, from the announcement or the hint',
    () => {
      const silent: NodeFetch = {
        ok: false,
        failure: { code: 'TIMEOUT', reason: 'no TLS handshake within 3000 ms' },
      };
      const node = fields(
        ['id', 'p'],
        ['port', 32100],
        ['endpoint', '127.0.0.1'],
        ['role', 'master'],
        ['health', 'online'],
      );
      const shards = readTopology(SEED, [
        hello('cluster'),
        exchange('CLUSTER SHARDS', [shard(0, 16383, node)]),
      ]);
      assert.deepEqual(codes(check(shards, [silent], ca)), [
        'TOPOLOGY_PLAINTEXT_PORT 127.0.0.1:32100',
      ]);
      const slots = readTopology(SEED, [
        hello('cluster'),
        exchange('CLUSTER SHARDS', { error: "ERR unknown subcommand 'SHARDS'" }),
        exchange('CLUSTER SLOTS', [[0, 16383, ['127.0.0.1', 32100, 'p']]]),
      ]);
      const report = check(slots, [silent], ca);
      assert.deepEqual(codes(report), ['TOPOLOGY_NODE_UNREACHABLE 127.0.0.1:32100']);
      assert.match(
        report.findings[0]?.message ?? '',
        /a plain-text port waits like this: .*set tls-cluster yes/,
      );
    },
  );
  await t.test('an announced host name that does not resolve: pin it to judge it', () => {
    const report = check(
      named,
      [
        { ok: false, failure: { code: 'HOST_NOT_FOUND', reason: 'host name not found' } },
        undefined,
        undefined,
      ],
      ca,
    );
    assert.match(report.findings[0]?.message ?? '', /pin the name to an address, HOST:PORT:ADDR/);
  });
  await t.test('expiry per node: the node whose certificate has expired says so', async () => {
    const fetched = [
      await nodeCert(ca, 'n0', ['*.topo.test'], ['127.0.0.1']),
      await nodeCert(ca, 'n1', ['*.topo.test'], ['127.0.0.1'], 2),
      await nodeCert(ca, 'n2', ['*.topo.test'], ['127.0.0.1']),
    ];
    const report = check(ipCluster, fetched, ca, { now: new Date(Date.now() + 10 * 86_400_000) });
    assert.deepEqual(
      report.nodes.map((n) => n.report?.findings.some((f) => f.code === 'EXPIRED')),
      [false, true, false],
    );
    assert.equal(report.ok, false);
  });
  await t.test(
    'a Sentinel: the fix is in Sentinel words, and no cluster client is modelled',
    async () => {
      const sentinel = readTopology({ host: '127.0.0.1', port: 34010 }, [
        hello('sentinel'),
        exchange('SENTINEL MASTERS', [
          fields(['name', 'mymaster'], ['ip', '127.0.0.1'], ['port', '34000'], ['flags', 'master']),
        ]),
        exchange('SENTINEL REPLICAS mymaster', []),
      ]);
      const report = check(sentinel, [await nodeCert(ca, 'm', ['*.topo.test'])], ca);
      assert.match(report.findings[0]?.message ?? '', /sentinel announce-hostnames yes/);
      assert.deepEqual(report.clients, []);
    },
  );
});
