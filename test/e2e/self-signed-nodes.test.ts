/**
 * Issue 14 item 1, end to end with certs alone: the Redis Enterprise guide's default setup, where
 * every node has a self-signed certificate of its own. Three redis-servers (tls-auth-clients yes,
 * trusting a gen-client certificate) each serve a `certs issue --self-signed` certificate of the
 * same cluster; `certs fetch` saves each node's chain and `certs chain` makes servercerts.pem;
 * redis-cli, stunnel (verifyChain + checkHost) and /usr/bin/python3 ssl (hostname checking on)
 * all get PONG from every node, and refuse a node or a name they should not trust.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import type { RedisTls } from '../helpers/redis.js';
import { plainPing } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER = 'cluster.test';

async function certs(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

/** PING over TLS from Python's ssl module with its default context: chain and host name checked. */
const PYTHON_PING = `
import socket, ssl, sys
cafile, cert, key, port, host = sys.argv[1:6]
context = ssl.create_default_context(cafile=cafile)
assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
context.load_cert_chain(cert, key)
try:
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            tls.sendall(b"*1\\r\\n$4\\r\\nPING\\r\\n")
            print(tls.recv(64).decode().strip())
except ssl.SSLError as error:
    print("refused:", error.reason or error)
`;

async function pythonPing(
  port: number,
  host: string,
  files: { ca: string; cert: string; key: string },
): Promise<string> {
  const result = await run('/usr/bin/python3', [
    '-c',
    PYTHON_PING,
    files.ca,
    files.cert,
    files.key,
    String(port),
    host,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

async function redisCliPing(
  port: number,
  files: { ca: string; cert: string; key: string },
): Promise<string> {
  const result = await run('redis-cli', [
    '--tls',
    '--cacert',
    files.ca,
    '--cert',
    files.cert,
    '--key',
    files.key,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    'PING',
  ]);
  return `${result.stdout}${result.stderr}`.trim();
}

async function stunnelPing(
  t: TestContext,
  dir: string,
  node: RedisTls,
  checkHost: string,
  files: { ca: string; cert: string; key: string },
): Promise<string> {
  const accept = await freePort();
  const config = join(dir, `tunnel-${String(node.port)}-${checkHost}.conf`);
  await certs([
    'stunnel',
    '--cert',
    files.cert,
    '--key',
    files.key,
    '--cafile',
    files.ca,
    '--connect',
    `127.0.0.1:${String(node.port)}`,
    '--check-host',
    checkHost,
    '--accept',
    `127.0.0.1:${String(accept)}`,
    '--foreground',
    '-o',
    config,
  ]);
  const text = readFileSync(config, 'utf8');
  assert.match(text, /^verifyChain = yes$/m);
  assert.match(text, new RegExp(`^checkHost = ${checkHost.replace(/\./g, '\\.')}$`, 'm'));
  const stunnel = startBackground(t, 'stunnel', [config]);
  await waitForPort(accept, stunnel.child, stunnel.output);
  return plainPing(accept);
}

test('issue 14 item 1: three nodes with their own --self-signed certificates; fetch, chain, then redis-cli, stunnel and python3 get PONG from each', async (t) => {
  const dir = tempDir(t);
  await certs(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', join(dir, 'client')]);
  const client = {
    cert: join(dir, 'client', 'cert.pem'),
    key: join(dir, 'client', 'keyclient.pem'),
  };

  const nodes: RedisTls[] = [];
  for (const n of [1, 2, 3]) {
    const out = join(dir, `node${String(n)}`);
    const made = await certs(['issue', '--self-signed', '--cluster', CLUSTER, '--out', out]);
    assert.match(
      made,
      /rladmin cluster certificate set proxy certificate_file \S*proxy_cert\.pem key_file \S*proxy_key\.pem/,
    );
    const cert = join(out, 'proxy_cert.pem');
    const info = JSON.parse((await runCli(['inspect', '--json', cert])).stdout) as {
      files: {
        items: {
          certificate: { subject: string; issuer: string; basicConstraints: { ca: boolean } };
        }[];
      }[];
    };
    const leaf = info.files[0]?.items[0]?.certificate;
    assert.equal(leaf?.subject, `CN=${CLUSTER}`);
    assert.equal(leaf.issuer, leaf.subject, 'self-signed');
    assert.equal(leaf.basicConstraints.ca, false, 'CA:FALSE: a server certificate, not a CA');
    // certs check passes its own certificate pinned as the CA, in every profile.
    for (const profile of ['strict', 'compat', 'redis-enterprise']) {
      await certs([
        'check',
        '--cluster',
        CLUSTER,
        '--profile',
        profile,
        '--strict',
        '--ca',
        cert,
        cert,
      ]);
    }
    nodes.push(
      await startRedisTls(t, {
        dir,
        certFile: cert,
        keyFile: join(out, 'proxy_key.pem'),
        caFile: client.cert,
        authClients: 'yes',
      }),
    );
  }

  // What an operator does: fetch what each node presents, then one trust bundle of them all.
  const fetched: string[] = [];
  for (const [i, node] of nodes.entries()) {
    const file = join(dir, `certsvr${String(i + 1)}.pem`);
    const out = await certs(['fetch', `127.0.0.1:${String(node.port)}`, '-o', file]);
    assert.match(out, /certs chain /, 'fetch says what comes next');
    fetched.push(file);
  }
  const servercerts = join(dir, 'servercerts.pem');
  const chained = await certs(['chain', ...fetched, '-o', servercerts]);
  assert.match(
    chained,
    /redis-cli --tls --cacert \S*servercerts\.pem/,
    'chain says what comes next',
  );
  assert.equal(readFileSync(servercerts, 'utf8').match(/BEGIN CERTIFICATE/g)?.length, 3);
  const files = { ca: servercerts, ...client };

  for (const node of nodes) {
    const host = `redis-${String(node.port)}.${CLUSTER}`;
    assert.equal(
      await redisCliPing(node.port, files),
      'PONG',
      `redis-cli, node ${String(node.port)}`,
    );
    assert.equal(
      await pythonPing(node.port, host, files),
      '+PONG',
      `python3, node ${String(node.port)}`,
    );
    assert.equal(
      await stunnelPing(t, dir, node, host, files),
      '+PONG',
      `stunnel, node ${String(node.port)}`,
    );
  }

  // The checks are real: a name of another cluster, and a bundle without the node, are refused.
  const first = nodes[0];
  assert.ok(first !== undefined);
  assert.match(
    await pythonPing(first.port, `redis-${String(first.port)}.other.test`, files),
    /^refused: CERTIFICATE_VERIFY_FAILED/,
  );
  assert.notEqual(
    await stunnelPing(t, dir, first, `redis-${String(first.port)}.other.test`, files),
    '+PONG',
  );
  const others = join(dir, 'others.pem');
  await certs(['chain', ...fetched.slice(1), '-o', others]);
  assert.doesNotMatch(await redisCliPing(first.port, { ...files, ca: others }), /^PONG$/);
});
