/**
 * Issue 5: stunnel's `checkHost` (a client stack of its own, for redis-cli and other clients
 * without TLS) gives the OpenSSL model's verdicts: one real stunnel client service per corpus
 * certificate and host name, in front of Node TLS servers on loopback.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { clientVerdict, parseCertificates, presentedNames } from '@certkit/core';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { tempDir } from '../helpers/tmp.js';
import { makeCorpus } from './clients-corpus.js';

const HOSTS = [
  'redis-12000.redislabs.com',
  'REDIS-12000.REDISLABS.COM',
  'redis1.redislabs.com',
  'x-12000.redislabs.com',
];

async function listen(t: TestContext, server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** Connects through stunnel; the server says OK only over an accepted TLS session. */
function through(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    socket.on('error', () => undefined); // a reset when stunnel refuses: judged on close
    socket.on('close', () => {
      resolve(data.startsWith('OK'));
    });
  });
}

test('stunnel checkHost agrees with the OpenSSL model', async (t) => {
  const dir = tempDir(t);
  const corpus = await makeCorpus(dir);
  const lines = ['foreground = yes', 'pid =', 'debug = 4'];
  const cases: { cert: string; host: string; port: number; model: boolean }[] = [];
  // Every TLS server listens first; then the stunnel ports are picked, all distinct (freePort
  // releases its port, so the kernel may hand the same one out twice).
  const servers: { cert: (typeof corpus.certs)[number]; port: number }[] = [];
  for (const cert of corpus.certs) {
    const server = createServer({ key: cert.keyPem, cert: cert.pem }, (socket) => {
      socket.end('OK\n');
    });
    server.on('tlsClientError', () => undefined);
    servers.push({ cert, port: await listen(t, server) });
  }
  const taken = new Set(servers.map((s) => s.port));
  const distinctPort = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  for (const { cert, port: serverPort } of servers) {
    const parsed = parseCertificates(Buffer.from(cert.pem), cert.name)[0];
    assert.ok(parsed);
    const names = presentedNames(parsed);
    for (const host of HOSTS) {
      const port = await distinctPort();
      lines.push(
        `[c${String(cases.length)}]`,
        'client = yes',
        `accept = 127.0.0.1:${String(port)}`,
        `connect = 127.0.0.1:${String(serverPort)}`,
        'verifyChain = yes',
        `CAfile = ${corpus.root.cert}`,
        `checkHost = ${host}`,
      );
      cases.push({
        cert: cert.name,
        host,
        port,
        model: clientVerdict('openssl', names, host).accepts,
      });
    }
  }
  const config = join(dir, 'stunnel.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const stunnel = startBackground(t, 'stunnel', [config]);
  const last = cases[cases.length - 1];
  assert.ok(last);
  await waitForPort(last.port, stunnel.child, stunnel.output);

  const disagreements: string[] = [];
  let accepted = 0;
  for (const c of cases) {
    const real = await through(c.port);
    if (real) accepted++;
    if (real !== c.model) disagreements.push(`${c.cert} ${c.host}: stunnel ${String(real)}`);
  }
  t.diagnostic(`stunnel: ${String(cases.length)} pairs, ${String(accepted)} accepted`);
  assert.ok(accepted > 5 && cases.length - accepted > 5);
  assert.deepEqual(disagreements, []);
});
