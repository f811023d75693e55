/**
 * The many-endpoint bench input: one process listening on N loopback ports
 * (test/helpers/ports-server.ts), each a TLS server with its own self-signed certificate made
 * by the openssl command line, and the list of their endpoints, one `HOST:PORT` a line.
 * Stopped by pid when the bench ends.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPortsServer } from '../test/helpers/ports.js';
import { runProcess } from './lib.js';

/** A running fleet of loopback TLS endpoints. */
export interface EndpointFleet {
  readonly endpoints: readonly string[];
  /** The endpoints, one a line (for `--endpoints`). */
  readonly listFile: string;
  /** Stops the server process (by pid). */
  readonly stop: () => Promise<void>;
}

/** Number of endpoints of the many-endpoint cases. */
export const FLEET_ENDPOINTS = 200;

/** Makes `count` certificates in `dir`, starts the server, writes the list. */
export async function startFleet(dir: string, count = FLEET_ENDPOINTS): Promise<EndpointFleet> {
  const specs = [];
  for (let i = 0; i < count; i++) {
    const cert = join(dir, `node${String(i)}.pem`);
    const key = join(dir, `node${String(i)}-key.pem`);
    await runProcess('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-out', cert, '-days', '30', '-subj', `/CN=node${String(i)}.fleet.bench`,
      '-addext', 'subjectAltName=DNS:*.fleet.bench', '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]); // prettier-ignore
    specs.push({ kind: 'tls' as const, cert, key });
  }
  const cleanups: (() => Promise<void> | void)[] = [];
  const server = await startPortsServer(
    {
      after: (fn: () => Promise<void> | void) => {
        cleanups.push(fn);
      },
    },
    dir,
    specs,
  );
  const endpoints = server.ports.map((port) => `127.0.0.1:${String(port)}`);
  const listFile = join(dir, 'endpoints.txt');
  writeFileSync(listFile, `${endpoints.join('\n')}\n`);
  return {
    endpoints,
    listFile,
    stop: async () => {
      for (const cleanup of cleanups) await cleanup();
    },
  };
}
