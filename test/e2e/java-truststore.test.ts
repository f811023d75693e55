/**
 * Issue 14 item 2, end to end: Java trust stores with certs alone. Three redis-servers
 * (tls-auth-clients yes) serve their own self-signed certificates of one cluster, so the three
 * certificates share one subject. `certs export-p12 --truststore servercerts.pem` writes each as a
 * trustedCertEntry with its own alias (`keytool -list` shows three), and a Java 17 program
 * (SSLSocket, HTTPS endpoint identification, key store from `certs export-p12`) gets PONG from
 * every node, and is refused for a name or a node its stores do not cover. `export-p12 --chain`
 * given the servers' certificates warns that they do not issue the client certificate.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run, runCli } from '../helpers/cli.js';
import { startRedisTls } from '../helpers/redis.js';
import type { RedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER = 'cluster.test';
const PROGRAM = fileURLToPath(new URL('programs/RedisPing.java', import.meta.url));

async function certs(args: string[], expected = 0): Promise<{ stdout: string; stderr: string }> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return result;
}

async function javaPing(
  stores: { keystore: string; truststore: string; pass: string },
  targets: readonly string[],
): Promise<string[]> {
  const result = await run(
    'java',
    [PROGRAM, stores.keystore, stores.pass, stores.truststore, stores.pass, ...targets],
    { timeoutMs: 120_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\n');
}

test('issue 14 item 2: export-p12 --truststore makes one trustedCertEntry per certificate; a Java 17 client gets PONG from every node', async (t) => {
  const dir = tempDir(t);
  const pass = join(dir, 'store.pass');
  writeFileSync(pass, 'changeit\n');
  await certs(['gen-client', '--cn', 'java-app', '--key-type', 'ec', '--out', join(dir, 'client')]);
  const clientCert = join(dir, 'client', 'cert.pem');

  const nodes: RedisTls[] = [];
  const files: string[] = [];
  for (const n of [1, 2, 3]) {
    const out = join(dir, `node${String(n)}`);
    await certs(['issue', '--self-signed', '--cluster', CLUSTER, '--key-type', 'ec', '--out', out]);
    nodes.push(
      await startRedisTls(t, {
        dir,
        certFile: join(out, 'proxy_cert.pem'),
        keyFile: join(out, 'proxy_key.pem'),
        caFile: clientCert,
        authClients: 'yes',
      }),
    );
    const fetched = join(dir, `certsvr${String(n)}.pem`);
    await certs(['fetch', `127.0.0.1:${String(nodes.at(-1)?.port ?? 0)}`, '-o', fetched]);
    files.push(fetched);
  }
  const servercerts = join(dir, 'servercerts.pem');
  await certs(['chain', ...files, '-o', servercerts]);

  const keystore = join(dir, 'client.p12');
  await certs([
    'export-p12',
    '--cert',
    clientCert,
    '--key',
    join(dir, 'client', 'keyclient.pem'),
    '-o',
    keystore,
    '--password-file',
    pass,
  ]);
  const truststore = join(dir, 'truststore.p12');
  const written = await certs([
    'export-p12',
    '--truststore',
    servercerts,
    '-o',
    truststore,
    '--password-file',
    pass,
  ]);
  assert.match(written.stdout, /keytool -list -keystore \S*truststore\.p12 -storetype PKCS12/);

  // keytool: three trusted certificate entries, aliases from the subject, none lost to a clash.
  const listed = await run('keytool', [
    '-list',
    '-storetype',
    'PKCS12',
    '-keystore',
    truststore,
    '-storepass',
    'changeit',
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /Your keystore contains 3 entries/);
  const entries = listed.stdout.split('\n').filter((l) => l.includes('trustedCertEntry'));
  assert.deepEqual(
    entries.map((l) => l.split(',')[0]),
    ['cluster.test', 'cluster.test (2)', 'cluster.test (3)'],
  );

  const stores = { keystore, truststore, pass };
  const hosts = nodes.map((n) => `redis-${String(n.port)}.${CLUSTER}:${String(n.port)}`);
  assert.deepEqual(await javaPing(stores, hosts), ['+PONG', '+PONG', '+PONG']);

  // Endpoint identification is on, and trust comes from the trust store alone.
  const first = nodes[0];
  assert.ok(first !== undefined);
  const partial = join(dir, 'partial.p12');
  await certs([
    'export-p12',
    '--truststore',
    ...files.slice(1),
    '-o',
    partial,
    '--password-file',
    pass,
  ]);
  const [wrongName, missingNode] = [
    (await javaPing(stores, [`redis-${String(first.port)}.other.test:${String(first.port)}`]))[0],
    (await javaPing({ ...stores, truststore: partial }, [hosts[0] ?? '']))[0],
  ];
  assert.match(wrongName ?? '', /^refused: SSLHandshakeException: No subject alternative DNS name/);
  assert.match(missingNode ?? '', /^refused: SSLHandshakeException: PKIX path/);

  // The mistake the guide invites: the servers' certificates given as the key store's chain.
  const misused = await certs([
    'export-p12',
    '--cert',
    clientCert,
    '--key',
    join(dir, 'client', 'keyclient.pem'),
    '--chain',
    servercerts,
    '-o',
    join(dir, 'misused.p12'),
    '--password-file',
    pass,
  ]);
  assert.match(
    misused.stderr,
    /warning: 3 certificates in \S*servercerts\.pem do not issue CN=java-app/,
  );
  assert.match(misused.stderr, /--truststore is what makes certificates trusted/);
});
