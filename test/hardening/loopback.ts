/**
 * Servers on loopback for the hostile-peer tests: plain TCP or TLS (Node's own), on a port the
 * kernel picks, closed with every connection when the test ends, whatever its outcome.
 */
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions, TLSSocket } from 'node:tls';
import type { TestContext } from 'node:test';

/** A listening server: its port. */
export interface Loopback {
  readonly port: number;
  readonly endpoint: string;
}

async function listen(t: TestContext, server: Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    // A client that gives up (our timeouts) resets the connection: expected, not a failure.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  // TLS servers report handshakes the client abandons here; they are the point of these tests.
  server.on('tlsClientError', () => undefined);
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { port, endpoint: `127.0.0.1:${String(port)}` };
}

/** A plain TCP server; `onConnection` plays the hostile peer. */
export function startTcpServer(
  t: TestContext,
  onConnection: (socket: Socket) => void,
): Promise<Loopback> {
  return listen(t, createNetServer(onConnection));
}

/** A TLS server (Node's, so OpenSSL's) presenting `options.cert`; `onSecure` sees each client. */
export function startTlsServer(
  t: TestContext,
  options: TlsOptions,
  onSecure: (socket: TLSSocket) => void = () => undefined,
): Promise<Loopback> {
  return listen(t, createTlsServer(options, onSecure));
}

/** Certificates as one PEM text, in the given order. */
export function pemOf(ders: readonly Uint8Array[]): string {
  return ders
    .map((der) => {
      const base64 = Buffer.from(der).toString('base64');
      const lines = base64.match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

/** The DER of a PEM certificate file's first block. */
export function derOf(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (body === undefined) throw new Error('no certificate in the PEM text');
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/** What a CLI run must look like whatever the peer did: no trace of a crash. */
export function crashTraces(output: string): string[] {
  const found: string[] = [];
  if (/^\s+at .+:\d+:\d+\)?$/m.test(output)) found.push('a stack frame');
  if (output.includes('node:internal')) found.push('node:internal');
  if (output.includes('file://')) found.push('a file:// URL');
  if (/Uncaught|uncaughtException|Node\.js v\d/.test(output)) found.push('an uncaught exception');
  return found;
}
