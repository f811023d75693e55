/**
 * Issue 3, end to end: a trust bundle made by `certs chain` from self-signed node certificates
 * (the Redis guide's servercerts.pem) is what a real stunnel client (`verify = 2`, `CAfile`)
 * and `redis-cli --tls --cacert` need to reach a TLS redis-server that requires client
 * certificates. Without the presenting node's certificate, both refuse.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { ROOT, run, runCli } from '../helpers/cli.js';
import { startRedisTls, tlsPing } from '../helpers/redis.js';
import { NO_REPLY, plainPing, startStunnelClient, waitForOutput } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const F = join(ROOT, 'fixtures/chain');
const NODE2 = { cert: join(F, 'node2.pem'), key: join(F, 'keys/node2.key.pem') };

interface Row {
  readonly name: string;
  /** Inputs of `certs chain`, as users collect them. */
  readonly inputs: readonly string[];
  /** Whether the bundle trusts node2, the node redis-server presents. */
  readonly trusted: boolean;
}

const ROWS: readonly Row[] = [
  {
    name: 'three node files, as cat certsvr1.pem certsvr2.pem certsvr3.pem',
    inputs: ['node1.pem', 'node2.pem', 'node3.pem'],
    trusted: true,
  },
  {
    name: 'one messy file: BOM, CRLF, comments, node1 twice',
    inputs: ['servercerts-messy.pem'],
    trusted: true,
  },
  { name: 'a bundle without node2', inputs: ['servercerts-without-node2.pem'], trusted: false },
];

/** A client identity from `certs gen-client` (EC: fast) and a TLS redis-server trusting it. */
async function setUp(t: TestContext, row: Row) {
  const dir = tempDir(t);
  const client = join(dir, 'client');
  const made = await runCli(['gen-client', '--key-type', 'ec', '--out', client, '--cn', 'app']);
  assert.equal(made.code, 0, made.stderr);
  const identity = { cert: join(client, 'cert.pem'), key: join(client, 'keyclient.pem') };
  const bundle = join(dir, 'servercerts.pem');
  const chained = await runCli(['chain', ...row.inputs.map((f) => join(F, f)), '-o', bundle]);
  assert.equal(chained.code, 0, chained.stderr);
  assert.match(chained.stderr, /^bundle mode \(auto\)/);
  const redis = await startRedisTls(t, {
    dir,
    certFile: NODE2.cert,
    keyFile: NODE2.key,
    caFile: identity.cert,
  });
  // The server is up and accepts this identity when the client does not judge the server:
  // a refusal below can only come from the bundle.
  assert.equal(
    await tlsPing({
      port: redis.port,
      cert: readFileSync(identity.cert, 'utf8'),
      key: readFileSync(identity.key, 'utf8'),
    }),
    '+PONG',
  );
  return { dir, identity, bundle, redis };
}

for (const row of ROWS) {
  void test(`issue 3: stunnel verify = 2 with a certs-chain bundle (${row.name}) ${row.trusted ? 'gets PONG' : 'refuses'}`, async (t) => {
    const { dir, identity, bundle, redis } = await setUp(t, row);
    const tunnel = await startStunnelClient(t, {
      dir,
      caFile: bundle,
      certFile: identity.cert,
      keyFile: identity.key,
      connectPort: redis.port,
    });
    const reply = await plainPing(tunnel.port);
    if (row.trusted) {
      assert.equal(reply, '+PONG', tunnel.output());
    } else {
      // stunnel closes or resets the plain connection once the handshake fails: no reply.
      assert.match(reply, NO_REPLY, tunnel.output());
      await waitForOutput(tunnel, /certificate verify failed/);
    }
  });

  void test(`issue 3: redis-cli --tls --cacert with a certs-chain bundle (${row.name}) ${row.trusted ? 'gets PONG' : 'refuses'}`, async (t) => {
    const { identity, bundle, redis } = await setUp(t, row);
    const result = await run('redis-cli', [
      '--tls',
      '--cacert',
      bundle,
      '--cert',
      identity.cert,
      '--key',
      identity.key,
      '-h',
      '127.0.0.1',
      '-p',
      String(redis.port),
      'PING',
    ]);
    if (row.trusted) {
      assert.equal(result.stdout.trim(), 'PONG', result.stderr);
      assert.equal(result.code, 0);
    } else {
      assert.notEqual(result.stdout.trim(), 'PONG');
      assert.match(`${result.stdout}${result.stderr}`, /certificate verify failed/);
    }
  });
}

void test('issue 3: the bundle certs chain writes is exactly the three node certificates, deduplicated, in order', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'servercerts.pem');
  const result = await runCli(['chain', join(F, 'servercerts-messy.pem'), '-o', out]);
  assert.equal(result.code, 0, result.stderr);
  const expected = ['node1.pem', 'node2.pem', 'node3.pem']
    .map((f) => readFileSync(join(F, f), 'utf8'))
    .join('');
  assert.equal(readFileSync(out, 'utf8'), expected);
});

const CHAIN_ROWS = [
  {
    name: 'the --no-root chain from shuffled input',
    serverCert: (dir: string) => join(dir, 'fullchain.pem'),
    pong: true,
  },
  { name: 'the leaf alone, no intermediate', serverCert: () => join(F, 'leaf.pem'), pong: false },
] as const;

for (const row of CHAIN_ROWS) {
  void test(`issue 3: redis-server presenting ${row.name} ${row.pong ? 'is trusted' : 'is refused'} by stunnel with CAfile = the root`, async (t) => {
    const dir = tempDir(t);
    const client = join(dir, 'client');
    const made = await runCli(['gen-client', '--key-type', 'ec', '--out', client, '--cn', 'app']);
    assert.equal(made.code, 0, made.stderr);
    const identity = { cert: join(client, 'cert.pem'), key: join(client, 'keyclient.pem') };
    const chained = await runCli([
      'chain',
      '--no-root',
      join(F, 'shuffled.pem'),
      '-o',
      join(dir, 'fullchain.pem'),
    ]);
    assert.equal(chained.code, 0, chained.stderr);
    const redis = await startRedisTls(t, {
      dir,
      certFile: row.serverCert(dir),
      keyFile: join(F, 'keys/leaf.key.pem'),
      caFile: identity.cert,
    });
    const tunnel = await startStunnelClient(t, {
      dir,
      caFile: join(F, 'root.pem'),
      certFile: identity.cert,
      keyFile: identity.key,
      connectPort: redis.port,
    });
    const reply = await plainPing(tunnel.port);
    if (row.pong) assert.equal(reply, '+PONG', tunnel.output());
    else {
      assert.match(reply, NO_REPLY, tunnel.output());
      await waitForOutput(tunnel, /certificate verify failed/);
    }
  });
}
