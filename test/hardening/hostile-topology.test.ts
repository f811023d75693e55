/**
 * A hostile seed must not hang the topology walk or make it hold unbounded memory: TLS servers on
 * loopback (Node's own, closed when the test ends) that never answer, drip a reply that never
 * ends, flood one, declare a huge count, talk before they are asked, close after the handshake,
 * or announce more nodes than certkit walks. The walk ends on its deadlines or its limits with
 * the failure as data (the library) or one JSON document (the CLI), never a throw.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { walkTopology } from '@certkit/core';
import { MAX_TOPOLOGY_NODES } from '../../packages/core/src/judge/topology-replies.js';
import { RESP_LIMITS } from '../../packages/core/src/judge/resp.js';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { freePort } from '../helpers/process.js';
import { startTlsServer } from './loopback.js';

const CLUSTER = 'cluster.test';
const TIMEOUT_MS = 400;

let leaf: MadeCert | undefined;
let scratch: string | undefined;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'certkit-hostile-topology-'));
  leaf = await makeCert(scratch, {
    name: 'leaf',
    subject: `/CN=${CLUSTER}`,
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${CLUSTER}`, 'IP:127.0.0.1'],
  });
});

after(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

function tlsOptions(): { cert: Buffer; key: Buffer } {
  assert.ok(leaf !== undefined);
  return { cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) };
}

/** A seed that answers each command (its text, as sent) with what `reply` says. */
function answering(reply: (command: string, socket: TLSSocket) => void) {
  return (socket: TLSSocket): void => {
    socket.on('data', (chunk: Buffer) => {
      if (!socket.writable) return;
      reply(chunk.toString('latin1'), socket);
    });
  };
}

const HELLO_CLUSTER = '%1\r\n$4\r\nmode\r\n$7\r\ncluster\r\n';

function walk(endpoint: string): ReturnType<typeof walkTopology> {
  return walkTopology({ seed: endpoint, cluster: CLUSTER, timeoutMs: TIMEOUT_MS });
}

test('a seed that never answers: the walk ends on the reply deadline', async (t) => {
  const server = await startTlsServer(t, tlsOptions());
  const result = await walk(server.endpoint);
  assert.equal(result.ok, false);
  assert.equal(result.failure?.code, 'TIMEOUT');
  assert.match(result.failure.reason, /no reply to HELLO 3 within 400 ms/);
  assert.deepEqual(result.commands, ['HELLO 3']);
});

test('hostile replies: each ends the walk with its reason, bounded', async (t) => {
  const tls = tlsOptions();
  const rows: {
    name: string;
    reply: (command: string, socket: TLSSocket) => void;
    code: string;
    reason: RegExp;
  }[] = [
    {
      name: 'a bulk string dripped a byte at a time, never finished',
      reply: (_c, socket) => {
        socket.write('$1000000\r\n');
        const timer = setInterval(() => {
          if (socket.writable) socket.write('a');
          else clearInterval(timer);
        }, 5);
        socket.once('close', () => {
          clearInterval(timer);
        });
      },
      code: 'TIMEOUT',
      reason: /no reply to HELLO 3 within 400 ms/,
    },
    {
      name: 'a line flooded without end',
      reply: (_c, socket) => {
        socket.write(`+${'a'.repeat(RESP_LIMITS.maxLineBytes * 4)}`);
      },
      code: 'REPLY_INVALID',
      reason:
        /the reply to HELLO 3 is not valid RESP: a line of the reply is longer than 8192 bytes/,
    },
    {
      name: 'an array of 2^40 items',
      reply: (_c, socket) => {
        socket.write('*1099511627776\r\n');
      },
      code: 'REPLY_INVALID',
      reason: /more than 262144 values/,
    },
    {
      name: 'arrays nested a thousand deep',
      reply: (_c, socket) => {
        socket.write('*1\r\n'.repeat(1000));
      },
      code: 'REPLY_INVALID',
      reason: /nests deeper than 8 levels/,
    },
    {
      name: 'HTTP instead of RESP',
      reply: (_c, socket) => {
        socket.write('HTTP/1.1 400 Bad Request\r\n\r\n');
      },
      code: 'REPLY_INVALID',
      reason: /unknown type byte/,
    },
    {
      name: 'a CLUSTER SHARDS reply past the reply limit',
      reply: (command, socket) => {
        if (command.includes('HELLO')) {
          socket.write(HELLO_CLUSTER);
          return;
        }
        // 9 MiB of one-megabyte strings: refused once the bytes pass 8 MiB.
        socket.write('*9\r\n');
        const chunk = `$1048576\r\n${'x'.repeat(1_048_576)}\r\n`;
        for (let i = 0; i < 9 && socket.writable; i++) socket.write(chunk);
      },
      code: 'REPLY_INVALID',
      reason: /larger than 8388608 bytes/,
    },
    {
      name: 'a close right after the handshake',
      reply: () => undefined,
      code: 'CONNECTION_CLOSED',
      reason: /closed the connection without a reply \(does it want a client certificate/,
    },
  ];
  for (const row of rows) {
    await t.test(row.name, async (tt) => {
      const server = await startTlsServer(
        tt,
        tls,
        row.name.startsWith('a close')
          ? (socket) => {
              socket.end();
            }
          : answering(row.reply),
      );
      const result = await walk(server.endpoint);
      assert.equal(result.ok, false);
      assert.equal(result.failure?.code, row.code, JSON.stringify(result));
      assert.match(result.failure.reason, row.reason);
    });
  }
  await t.test('bytes sent before anything is asked: refused, bounded', async (tt) => {
    const server = await startTlsServer(tt, tls, (socket) => {
      socket.write(Buffer.alloc(200_000, 0x2b));
    });
    const result = await walk(server.endpoint);
    assert.equal(result.failure?.code, 'REPLY_INVALID', JSON.stringify(result));
  });
});

test(`a seed announcing ${String(MAX_TOPOLOGY_NODES + 500)} nodes: ${String(MAX_TOPOLOGY_NODES)} are judged, the rest counted`, async (t) => {
  const closed = await freePort();
  const node = (i: number): string =>
    `%4\r\n$2\r\nid\r\n$${String(String(i).length)}\r\n${String(i)}\r\n$8\r\ntls-port\r\n:${String(closed)}\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n`;
  const count = MAX_TOPOLOGY_NODES + 500;
  const shards = `*1\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*${String(count)}\r\n${Array.from({ length: count }, (_, i) => node(i)).join('')}`;
  const server = await startTlsServer(
    t,
    tlsOptions(),
    answering((command, socket) => {
      socket.write(command.includes('HELLO') ? HELLO_CLUSTER : shards);
    }),
  );
  const result = await walk(server.endpoint);
  const report = result.report;
  assert.equal(report?.nodes.length, MAX_TOPOLOGY_NODES);
  assert.ok(
    report.findings.some((f) => f.code === 'TOPOLOGY_TRUNCATED' && /500 more/.test(f.message)),
  );
  // Every node announces the same closed port: it is dialled once.
  assert.equal(result.tally?.total, 2);
});

test('the CLI against a seed that never answers: one JSON document, exit 1', async (t) => {
  const server = await startTlsServer(
    t,
    tlsOptions(),
    answering((command, socket) => {
      // The endpoint check's own probes send no command; the walk's HELLO gets nothing.
      if (command.includes('HELLO')) return;
      socket.end();
    }),
  );
  const result = await runCli([
    'check',
    '--cluster',
    CLUSTER,
    '--endpoint',
    server.endpoint,
    '--topology',
    '--timeout',
    '1',
    '--json',
  ]);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '');
  const doc = JSON.parse(result.stdout) as { topology: { failure?: { code: string } } };
  assert.equal(doc.topology.failure?.code, 'TIMEOUT');
  const text = await runCli([
    'check',
    '--cluster',
    CLUSTER,
    '--endpoint',
    server.endpoint,
    '--topology',
    '--timeout',
    '1',
  ]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /the seed told nothing: no reply to HELLO 3 within 1000 ms/);
});
