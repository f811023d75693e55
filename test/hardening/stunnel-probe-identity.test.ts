/**
 * Issue 13, item 13: `certs stunnel lint FILE` presented the client key named in the file to the
 * endpoint named in the file by default. The probe now fetches and checks the server chain with
 * no client identity; `--ping` presents it (and sends PING), as stunnel would, only when asked.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

interface Lint {
  code: number | null;
  findings: { code: string; severity: string; message: string }[];
}

async function lint(args: string[]): Promise<Lint> {
  const result = await runCli(['stunnel', 'lint', ...args, '--json']);
  const doc = JSON.parse(result.stdout) as { findings?: Lint['findings'] };
  return { code: result.code, findings: doc.findings ?? [] };
}

function config(dir: string, name: string, port: number, files: Record<string, string>): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(
    path,
    [
      '[redislabs]',
      'client = yes',
      'accept = 127.0.0.1:6379',
      `connect = 127.0.0.1:${String(port)}`,
      `cert = ${files.cert ?? ''}`,
      `key = ${files.key ?? ''}`,
      `CAfile = ${files.ca ?? ''}`,
      'verifyChain = yes',
      'checkHost = redis-12000.cluster.example',
      'sslVersionMin = TLSv1.2',
      'delay = yes',
      '',
    ].join('\n'),
  );
  return path;
}

test('issue 13 item 13: lint probes without the client identity; --ping presents it', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Probe CA', ca: true });
  const server = await makeCert(dir, {
    name: 'server',
    subject: '/CN=redis',
    issuer: ca,
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:redis-12000.cluster.example'],
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const clientFingerprint = new X509Certificate(readFileSync(client.cert)).fingerprint256;
  // What each connection presented: a client certificate's fingerprint, or null.
  const presented: (string | null)[] = [];
  const tls = createServer(
    {
      cert: readFileSync(server.cert),
      key: readFileSync(server.key),
      requestCert: true,
      rejectUnauthorized: false,
      // Under TLS 1.2 the client's Certificate message comes before its Finished, so the
      // server has seen it before the client's handshake completes and the probe hangs up.
      maxVersion: 'TLSv1.2',
    },
    (socket: TLSSocket) => {
      presented.push(socket.getPeerX509Certificate()?.fingerprint256 ?? null);
      socket.on('data', () => socket.write('+PONG\r\n'));
      socket.on('error', () => undefined);
    },
  );
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        tls.close(() => {
          resolve();
        });
      }),
  );
  const address = tls.address();
  assert.ok(address !== null && typeof address === 'object');
  const path = config(dir, 'probe', address.port, {
    cert: client.cert,
    key: client.key,
    ca: ca.cert,
  });
  const settled = async (count: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (presented.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };

  const probe = await lint([path]);
  assert.equal(probe.code, 0, JSON.stringify(probe.findings));
  await settled(1);
  assert.ok(presented.length >= 1, 'the probe connected');
  assert.deepEqual(
    presented.filter((p) => p !== null),
    [],
    'the default probe presents no client certificate',
  );

  presented.length = 0;
  const ping = await lint([path, '--ping']);
  assert.equal(ping.code, 0, JSON.stringify(ping.findings));
  await settled(2);
  assert.ok(
    presented.includes(clientFingerprint),
    '--ping presents the certificate the file names',
  );
  assert.ok(
    ping.findings.some(
      (f) =>
        f.code === 'STUNNEL_CLIENT_CERT_ACCEPTED' && /answered PING with \+PONG/.test(f.message),
    ),
    JSON.stringify(ping.findings),
  );

  presented.length = 0;
  const offline = await runCli(['stunnel', 'lint', path, '--no-probe']);
  assert.equal(offline.code, 0);
  assert.deepEqual(presented, [], '--no-probe connects to nothing');
  const both = await runCli(['stunnel', 'lint', path, '--no-probe', '--ping']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--ping .* --no-probe/);
});

test('issue 13 item 13: --ping against a real redis-server reports the client certificate accepted or refused', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Redis CA', ca: true });
  const server = await makeCert(dir, {
    name: 'server',
    subject: '/CN=redis',
    issuer: ca,
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:redis-12000.cluster.example'],
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const stranger = await makeCert(dir, {
    name: 'stranger',
    subject: '/CN=stranger',
    ca: false,
    eku: 'clientAuth',
  });
  const redis = await startRedisTls(t, {
    dir,
    certFile: server.cert,
    keyFile: server.key,
    caFile: client.cert,
  });
  const known = config(dir, 'known', redis.port, {
    cert: client.cert,
    key: client.key,
    ca: ca.cert,
  });
  const unknown = config(dir, 'unknown', redis.port, {
    cert: stranger.cert,
    key: stranger.key,
    ca: ca.cert,
  });

  const probeOnly = await lint([unknown]);
  assert.equal(probeOnly.code, 0, 'without --ping the identity is not tried');
  assert.ok(!probeOnly.findings.some((f) => f.code.startsWith('STUNNEL_CLIENT_CERT')));

  const accepted = await lint([known, '--ping']);
  assert.equal(accepted.code, 0, JSON.stringify(accepted.findings));
  assert.deepEqual(
    accepted.findings.map((f) => f.code),
    ['STUNNEL_CLIENT_CERT_ACCEPTED'],
  );
  const refused = await lint([unknown, '--ping']);
  assert.equal(refused.code, 1, JSON.stringify(refused.findings));
  assert.deepEqual(
    refused.findings.map((f) => f.code),
    ['STUNNEL_CLIENT_CERT_REJECTED'],
  );
});
