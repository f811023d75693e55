/** A real TLS redis-server on loopback, for end-to-end tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { freePort, startBackground, waitForPort } from './process.js';
import type { Background } from './process.js';

export interface RedisTlsOptions {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** CA file the server trusts for client certificates. */
  readonly caFile: string;
  readonly authClients?: 'yes' | 'no' | 'optional';
  readonly protocols?: string;
  readonly extra?: readonly string[];
}

export interface RedisTls extends Background {
  readonly port: number;
}

/**
 * Starts `redis-server` in the foreground with TLS only (`port 0`), on a free loopback port.
 * Stopped by pid when the test ends.
 */
export async function startRedisTls(t: TestContext, options: RedisTlsOptions): Promise<RedisTls> {
  const port = await freePort();
  const config = [
    'port 0',
    'bind 127.0.0.1',
    `tls-port ${String(port)}`,
    `tls-cert-file ${options.certFile}`,
    `tls-key-file ${options.keyFile}`,
    `tls-ca-cert-file ${options.caFile}`,
    `tls-auth-clients ${options.authClients ?? 'yes'}`,
    `tls-protocols "${options.protocols ?? 'TLSv1.2 TLSv1.3'}"`,
    'daemonize no',
    'save ""',
    'appendonly no',
    `dir ${options.dir}`,
    'loglevel notice',
    ...(options.extra ?? []),
  ].join('\n');
  const configPath = join(options.dir, `redis-${String(port)}.conf`);
  writeFileSync(configPath, `${config}\n`);
  const server = startBackground(t, 'redis-server', [configPath]);
  await waitForPort(port, server.child, server.output);
  return { ...server, port };
}

/**
 * Connects with TLS, sends RESP `PING` and resolves with the first reply line, or with
 * `error: …` when the connection is refused or closed. Under TLS 1.3 the server rejects a
 * client certificate after the handshake, so only a reply proves acceptance.
 */
export function tlsPing(options: {
  port: number;
  cert?: string;
  key?: string;
  ca?: string;
  servername?: string;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: options.port,
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca }),
      servername: options.servername ?? 'localhost',
      ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    });
    let data = '';
    const done = (value: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done('error: timeout');
    }, 10_000);
    socket.once('secureConnect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\r\n')) done(data.split('\r\n')[0] ?? '');
    });
    socket.once('error', (error: Error) => {
      done(`error: ${error.message}`);
    });
    socket.once('close', () => {
      done(data.length > 0 ? (data.split('\r\n')[0] ?? '') : 'error: closed');
    });
  });
}
