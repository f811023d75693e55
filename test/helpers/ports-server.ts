/**
 * One process listening on many loopback ports, each playing one kind of endpoint: a TLS server
 * with its own certificate, a plain-text port (answers like a Redis without TLS), one that
 * resets the connection, one that accepts and never answers (`hang`), one that accepts and closes
 * after 300 ms without a word (`linger`). For the multi-endpoint tests and
 * the bench (`certs fetch` of 200 endpoints).
 *
 * Run as `node --import tsx test/helpers/ports-server.ts CONFIG.json`. CONFIG is
 * `{ "listeners": [ { "kind": "tls"|"plain"|"reset"|"hang", "host"?: "127.0.0.1",
 * "cert"?: PATH, "key"?: PATH, "samePortAs"?: INDEX, "port"?: PORT, "sni"?: NAME,
 * "otherCert"?: PATH, "otherKey"?: PATH } ] }`; once every listener is up the process prints one line,
 * `{"ports":[…]}` (in the listeners' order), then one line per connection opened and closed on a
 * `hang` or `linger` port (`{"event":"open"|"close","port":P}`), so that a test can see its sockets closed.
 * It runs until it is sent SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { PortSpec } from './ports.js';

/** One listener: what a test asked for (the type is erased: this process loads nothing else). */
type Listener = PortSpec;

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as {
  listeners: Listener[];
};

function serve(listener: Listener): Server {
  switch (listener.kind) {
    case 'tls': {
      const main = {
        cert: readFileSync(listener.cert ?? ''),
        key: readFileSync(listener.key ?? ''),
      };
      const sni = listener.sni;
      // With `sni`, a client that sends no name, or another one, gets the other certificate.
      const other =
        sni === undefined
          ? main
          : {
              cert: readFileSync(listener.otherCert ?? ''),
              key: readFileSync(listener.otherKey ?? ''),
            };
      const contexts = { named: createSecureContext(main), other: createSecureContext(other) };
      const server = createTlsServer(
        {
          ...other,
          SNICallback: (name: string, done: (e: Error | null, c?: SecureContext) => void) => {
            done(null, sni === undefined || name === sni ? contexts.named : contexts.other);
          },
        },
        (socket) => {
          socket.on('error', () => undefined);
          socket.end();
        },
      );
      // Clients that hang up after the certificate (certs fetch) are the normal case here.
      server.on('tlsClientError', () => undefined);
      return server;
    }
    case 'plain':
      // What redis-server without TLS answers to a ClientHello read as an inline command.
      return createNetServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.end('-ERR unknown command\r\n'));
      });
    case 'reset':
      return createNetServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.resetAndDestroy());
      });
    case 'hang':
    case 'linger':
      return createNetServer((socket: Socket) => {
        const port = (socket.address() as AddressInfo).port;
        socket.on('error', () => undefined);
        // Read (and drop) what comes: a paused socket would never see the client's FIN or RST.
        socket.resume();
        process.stdout.write(`${JSON.stringify({ event: 'open', port })}\n`);
        const closed = (): void => {
          process.stdout.write(`${JSON.stringify({ event: 'close', port })}\n`);
        };
        if (listener.kind === 'hang') {
          socket.on('close', closed);
          return;
        }
        // `linger` closes the connection itself, and says so before it does (a write to a pipe
        // is synchronous on Linux): the client cannot learn of the close before it is logged,
        // so the order of opens and closes in the log is the client's exactly.
        setTimeout(() => {
          closed();
          socket.destroy();
        }, 300);
      });
  }
}

const ports: number[] = [];
for (const listener of config.listeners) {
  const port =
    listener.port ?? (listener.samePortAs === undefined ? 0 : (ports[listener.samePortAs] ?? -1));
  ports.push(
    await new Promise<number>((resolve, reject) => {
      const server = serve(listener);
      server.once('error', reject);
      server.listen(port, listener.host ?? '127.0.0.1', () => {
        resolve((server.address() as AddressInfo).port);
      });
    }),
  );
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on('SIGTERM', () => process.exit(0));
