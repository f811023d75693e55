/**
 * Issue 5, live: real TLS redis-servers and Node TLS servers on loopback. The presented chain is
 * fetched exactly as sent (also from a server that refuses us), TLS versions are probed one at a
 * time and agree with sslscan, and RESP PING proves a client identity accepted or refused.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import {
  fetchPresentedChain,
  parseCertificates,
  pingWithIdentity,
  probeTlsVersions,
  runCheck,
} from '@certkit/core';
import type { TlsVersion } from '@certkit/core';
import { run } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER = 'cluster.test';

interface Pki {
  readonly dir: string;
  readonly root: MadeCert;
  readonly leaf: MadeCert;
  /** leaf + intermediate, what the servers present. */
  readonly chainFile: string;
  readonly fingerprints: readonly string[];
  readonly client: MadeCert;
  readonly stranger: MadeCert;
}

async function makePki(t: TestContext): Promise<Pki> {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Live Root', ca: true });
  const intermediate = await makeCert(dir, {
    name: 'intermediate',
    subject: '/CN=Live Intermediate',
    ca: true,
    issuer: root,
  });
  const leaf = await makeCert(dir, {
    name: 'proxy',
    subject: `/CN=${CLUSTER}`,
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${CLUSTER}`],
    issuer: intermediate,
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: root,
  });
  const stranger = await makeCert(dir, {
    name: 'stranger',
    subject: '/CN=stranger',
    ca: false,
    eku: 'clientAuth',
  });
  const chainFile = join(dir, 'proxy-chain.pem');
  writeFileSync(
    chainFile,
    readFileSync(leaf.cert, 'utf8') + readFileSync(intermediate.cert, 'utf8'),
  );
  const fingerprints = parseCertificates(readFileSync(chainFile), 'chain').map(
    (c) => c.info.fingerprintSha256,
  );
  return { dir, root, leaf, chainFile, fingerprints, client, stranger };
}

/** sslscan's verdict per version: `TLSv1.0   enabled` lines. */
async function sslscan(port: number): Promise<Record<TlsVersion, boolean>> {
  const result = await run(
    'sslscan',
    [
      '--no-colour',
      '--no-ciphersuites',
      '--no-fallback',
      '--no-renegotiation',
      '--no-compression',
      '--no-heartbleed',
      '--no-groups',
      '--no-check-certificate',
      `127.0.0.1:${String(port)}`,
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const verdict = (name: string): boolean => {
    const match = new RegExp(`^${name.replace('.', '\\.')}\\s+(enabled|disabled)`, 'm').exec(
      result.stdout,
    );
    assert.ok(match, `sslscan printed no ${name} line:\n${result.stdout}`);
    return match[1] === 'enabled';
  };
  return {
    TLSv1: verdict('TLSv1.0'),
    'TLSv1.1': verdict('TLSv1.1'),
    'TLSv1.2': verdict('TLSv1.2'),
    'TLSv1.3': verdict('TLSv1.3'),
  };
}

async function versionsOf(port: number): Promise<Record<TlsVersion, boolean>> {
  const results = await probeTlsVersions('127.0.0.1', port);
  return Object.fromEntries(results.map((r) => [r.version, r.accepted])) as Record<
    TlsVersion,
    boolean
  >;
}

const SERVERS = [
  {
    name: 'redis TLS 1.2 + 1.3',
    protocols: 'TLSv1.2 TLSv1.3',
    extra: [] as string[],
    authClients: 'no' as const,
    expected: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
    tooLow: [] as string[],
  },
  {
    // Debian's OpenSSL 3.0 refuses TLS 1.0/1.1 at its default security level (the server answers
    // with an internal_error alert): the server must lower it to accept them at all.
    name: 'redis TLS 1.0 + 1.1 + 1.2 at SECLEVEL=0',
    protocols: 'TLSv1 TLSv1.1 TLSv1.2',
    extra: ['tls-ciphers "DEFAULT@SECLEVEL=0"'],
    authClients: 'no' as const,
    expected: { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false },
    tooLow: ['TLSv1', 'TLSv1.1'],
  },
  {
    name: 'redis TLS 1.0 + 1.1 + 1.2 at the default security level',
    protocols: 'TLSv1 TLSv1.1 TLSv1.2',
    extra: [] as string[],
    authClients: 'no' as const,
    expected: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false },
    tooLow: [] as string[],
  },
  {
    name: 'redis requiring client certificates',
    protocols: 'TLSv1.2 TLSv1.3',
    extra: [] as string[],
    authClients: 'yes' as const,
    expected: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
    tooLow: [] as string[],
  },
];

test('live redis-servers: versions agree with sslscan, TLS 1.0 is reported (issue 5)', async (t) => {
  const pki = await makePki(t);
  for (const server of SERVERS) {
    await t.test(server.name, async (t2) => {
      const redis = await startRedisTls(t2, {
        dir: pki.dir,
        certFile: pki.chainFile,
        keyFile: pki.leaf.key,
        caFile: pki.root.cert,
        authClients: server.authClients,
        protocols: server.protocols,
        extra: server.extra,
      });
      const ours = await versionsOf(redis.port);
      assert.deepEqual(ours, server.expected);
      assert.deepEqual(await sslscan(redis.port), ours);

      const result = await runCheck({
        cluster: CLUSTER,
        endpoint: `127.0.0.1:${String(redis.port)}`,
        sni: `redis-12000.${CLUSTER}`,
        caPath: pki.root.cert,
      });
      const report = result.reports[0];
      assert.ok(report);
      assert.deepEqual(
        report.certificates.map((c) => c.fingerprintSha256),
        pki.fingerprints,
        'the presented chain, as sent',
      );
      const tooLow = report.findings.filter((f) => f.code === 'TLS_VERSION_TOO_LOW');
      assert.deepEqual(
        tooLow.map((f) => /accepts (\S+),/.exec(f.message)?.[1]),
        server.tooLow,
      );
      assert.equal(result.ok, server.tooLow.length === 0, JSON.stringify(report.findings));
      if (server.tooLow.length > 0) {
        const lenient = await runCheck({
          cluster: CLUSTER,
          endpoint: `127.0.0.1:${String(redis.port)}`,
          sni: `redis-12000.${CLUSTER}`,
          minTls: 'TLSv1',
        });
        assert.equal(lenient.ok, true, JSON.stringify(lenient.reports[0]?.findings));
      }
    });
  }
});

test('client identity: PING accepted with ours, refused without or with a stranger (issue 5)', async (t) => {
  const pki = await makePki(t);
  const redis = await startRedisTls(t, {
    dir: pki.dir,
    certFile: pki.chainFile,
    keyFile: pki.leaf.key,
    caFile: pki.root.cert,
    authClients: 'yes',
  });
  const identity = (made: MadeCert) => ({
    certificatePem: readFileSync(made.cert, 'utf8'),
    privateKeyPem: readFileSync(made.key, 'utf8'),
  });
  const cases = [
    { name: 'our identity', options: { clientIdentity: identity(pki.client) }, accepted: true },
    { name: 'no identity', options: {}, accepted: false },
    { name: 'a stranger', options: { clientIdentity: identity(pki.stranger) }, accepted: false },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const ping = await pingWithIdentity('127.0.0.1', redis.port, c.options);
      assert.equal(ping.accepted, c.accepted, JSON.stringify(ping));
      if (c.accepted) assert.equal(ping.reply, '+PONG');
      // Redis prefers TLS 1.3: its handshake completes before the refusal, yet PING tells.
      assert.equal(ping.protocol, 'TLSv1.3');
    });
  }
  await t.test('runCheck reports CLIENT_CERT_REJECTED for the stranger only', async () => {
    for (const [made, rejected] of [
      [pki.client, false],
      [pki.stranger, true],
    ] as const) {
      const result = await runCheck({
        cluster: CLUSTER,
        endpoint: `127.0.0.1:${String(redis.port)}`,
        clientCertPath: made.cert,
        clientKeyPath: made.key,
      });
      const codes = result.reports.flatMap((r) => r.findings.map((f) => f.code));
      assert.equal(codes.includes('CLIENT_CERT_REJECTED'), rejected, codes.join(','));
      assert.equal(result.live?.ping?.accepted, !rejected);
    }
  });
});

test('the presented chain is fetched from servers that refuse us (issue 5)', async (t) => {
  const pki = await makePki(t);
  const redis = await startRedisTls(t, {
    dir: pki.dir,
    certFile: pki.chainFile,
    keyFile: pki.leaf.key,
    caFile: pki.root.cert,
    authClients: 'yes',
  });
  const fromRedis = await fetchPresentedChain('127.0.0.1', redis.port);
  assert.deepEqual(
    fromRedis.certificates.map((c) => c.info.fingerprintSha256),
    pki.fingerprints,
  );

  // TLS 1.2: the server refuses us before the handshake completes, after sending its chain.
  // Sent out of order with an unrelated certificate, to show that nothing is re-ordered.
  const disorderly =
    readFileSync(pki.leaf.cert, 'utf8') +
    readFileSync(pki.stranger.cert, 'utf8') +
    readFileSync(join(pki.dir, 'intermediate.pem'), 'utf8');
  const expected = parseCertificates(Buffer.from(disorderly), 'sent').map(
    (c) => c.info.fingerprintSha256,
  );
  const server = createServer(
    {
      key: readFileSync(pki.leaf.key),
      cert: disorderly,
      ca: readFileSync(pki.root.cert),
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: 'TLSv1.2',
    },
    (socket) => {
      socket.end();
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  const port = (server.address() as AddressInfo).port;
  const fromNode = await fetchPresentedChain('127.0.0.1', port);
  assert.equal(fromNode.handshakeCompleted, false);
  assert.equal(fromNode.protocol, 'TLSv1.2');
  assert.match(fromNode.error ?? '', /alert/);
  assert.deepEqual(
    fromNode.certificates.map((c) => c.info.fingerprintSha256),
    expected,
  );
  // Cross-check with openssl s_client -showcerts on the same server.
  const sclient = await run('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${String(port)}`,
    '-showcerts',
  ]);
  const shown = parseCertificates(Buffer.from(sclient.stdout), 's_client').map(
    (c) => c.info.fingerprintSha256,
  );
  assert.deepEqual(shown, expected);
});
