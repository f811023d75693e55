/**
 * Issue 19 items 3 and 4 on a real 3-node TLS Redis Cluster (`--cluster-enabled yes
 * --tls-cluster yes --tls-replication yes`, created with `redis-cli --cluster create --tls`):
 * the `--cluster` snippets of ioredis (Cluster), node-redis (createCluster), redis-py
 * (RedisCluster), redis-cli (-c) and Java get PONG from nodes whose certificates carry the
 * announced address, and every client that checks names fails once the nodes present a
 * certificate for another host (redis-cli still connects: it checks none). And the measurement
 * behind the redis-py RedisCluster row of the library table: the installed redis-py's
 * RedisCluster, given `ssl_check_hostname=True`, drops it and connects to those nodes anyway,
 * which is why the snippet sets the check in a connection class.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientLibraryDefaults } from '../../packages/core/src/judge/client-libraries.js';
import { run, runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { startTlsCluster } from '../helpers/redis-cluster-snippets.js';
import { runSnippet } from '../helpers/snippet-run.js';
import type { PrintedSnippet } from '../helpers/snippet-run.js';
import { tempDir } from '../helpers/tmp.js';

type Client = 'ioredis' | 'node-redis' | 'redis-py' | 'redis-cli' | 'java';

const CLIENTS: readonly {
  client: Client;
  language: PrintedSnippet['language'];
  pong: RegExp;
  /** How it says no to a node certificate for another host (null: it connects). */
  refusal: RegExp | null;
}[] = [
  {
    client: 'ioredis',
    language: 'javascript',
    pong: /^PONG$/,
    refusal: /ClusterAllFailedError|None of startup nodes is available/,
  },
  {
    client: 'node-redis',
    language: 'javascript',
    pong: /^PONG$/,
    refusal: /ERR_TLS_CERT_ALTNAME_INVALID/,
  },
  {
    client: 'redis-py',
    language: 'python',
    pong: /^True$/,
    refusal: /certificate verify failed: IP address mismatch/,
  },
  { client: 'redis-cli', language: 'bash', pong: /^PONG$/, refusal: null },
  {
    client: 'java',
    language: 'java',
    pong: /^PONG$/,
    refusal: /No subject alternative names matching IP address 127\.0\.0\.1/,
  },
];

test('cluster snippets against a real 3-node TLS cluster: PONG, and refused for another host (issue 19)', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Cluster Root', ca: true });
  // Nodes are clients too, on the cluster bus: serverAuth and clientAuth.
  const node = (name: string, san: readonly string[]) =>
    makeCert(dir, {
      name,
      subject: `/CN=${name}`,
      ca: false,
      eku: 'serverAuth,clientAuth',
      san,
      issuer: root,
    });
  // The cluster announces 127.0.0.1: each node is checked for that address.
  const good = await node('node', ['IP:127.0.0.1', 'DNS:localhost']);
  const elsewhere = await node('elsewhere', ['DNS:other.snippet.test']);
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: root,
  });
  const cluster = await startTlsCluster(t, {
    dir,
    certFile: good.cert,
    keyFile: good.key,
    caFile: root.cert,
    clientCert: client.cert,
    clientKey: client.key,
  });
  const seed = `127.0.0.1:${String(cluster.ports[0])}`;
  const print = async (
    name: Client,
    language: PrintedSnippet['language'],
  ): Promise<PrintedSnippet> => {
    const args = [
      'snippet',
      '--client',
      name,
      '--cluster',
      '--endpoint',
      seed,
      '--ca',
      root.cert,
      '--cert',
      client.cert,
      '--key',
      client.key,
    ];
    const printed = await runCli(args);
    assert.equal(printed.code, 0, printed.stderr);
    return { client: name, language, text: printed.stdout };
  };
  const snippets = new Map<Client, PrintedSnippet>();
  for (const c of CLIENTS) snippets.set(c.client, await print(c.client, c.language));

  await t.test('the nodes carry the announced address: every snippet gets PONG', async (st) => {
    const work = tempDir(st);
    for (const c of CLIENTS) {
      const snippet = snippets.get(c.client);
      assert.ok(snippet);
      const result = await runSnippet(st, snippet, work, `good-${c.client}`);
      assert.match(result.reply, c.pong, `${c.client}\n${result.output}`);
    }
  });

  await cluster.setCertificate(elsewhere.cert, elsewhere.key);

  await t.test(
    'the nodes present a certificate for another host: refused, but by redis-cli',
    async (st) => {
      const work = tempDir(st);
      for (const c of CLIENTS) {
        const snippet = snippets.get(c.client);
        assert.ok(snippet);
        const result = await runSnippet(st, snippet, work, `elsewhere-${c.client}`);
        if (c.refusal === null) {
          assert.match(result.reply, c.pong, `${c.client} checks no name\n${result.output}`);
        } else {
          assert.doesNotMatch(result.reply, c.pong, `${c.client}\n${result.output}`);
          assert.match(result.output, c.refusal, c.client);
        }
      }
    },
  );

  await t.test(
    'measured: RedisCluster drops ssl_check_hostname where the table says so',
    async (st) => {
      const work = tempDir(st);
      const version = await run('/usr/bin/python3', [
        '-c',
        'import redis; print(redis.__version__)',
      ]);
      assert.equal(version.code, 0, version.stderr);
      const row = clientLibraryDefaults('redis-py RedisCluster', version.stdout.trim())[0];
      assert.ok(row, `a row for redis-py ${version.stdout}`);
      const script = join(work, 'dropped.py');
      writeFileSync(
        script,
        [
          'import sys',
          'from redis.cluster import RedisCluster',
          'cluster = RedisCluster(host="127.0.0.1", port=int(sys.argv[1]), ssl=True, ssl_check_hostname=True,',
          '    ssl_ca_certs=sys.argv[2], ssl_certfile=sys.argv[3], ssl_keyfile=sys.argv[4])',
          'print(cluster.ping())',
        ].join('\n'),
      );
      const result = await run('/usr/bin/python3', [
        script,
        String(cluster.ports[0]),
        root.cert,
        client.cert,
        client.key,
      ]);
      const shown = `redis-py ${version.stdout.trim()}: ${result.stdout}${result.stderr}`;
      if (row.nameCheck === 'off') {
        // The keyword is dropped: the nodes' certificates name another host, and it connects.
        assert.match(row.enable, /RedisCluster drops the keyword before 6\.1/);
        assert.match(result.stdout, /^True$/m, shown);
      } else {
        assert.doesNotMatch(result.stdout, /^True$/m, shown);
        assert.match(result.stdout + result.stderr, /certificate verify failed/, shown);
      }
    },
  );
});
