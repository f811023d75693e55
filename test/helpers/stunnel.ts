/**
 * A real stunnel (Debian stunnel4, binary `stunnel`) in client mode, configured as the Redis
 * documentation does: `client = yes`, `verify = 2`, `CAfile`, `cert`, `key`; in the foreground,
 * on a loopback port chosen at run time, stopped by pid when the test ends.
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, startBackground, waitForPort } from './process.js';
import type { Background } from './process.js';

export interface StunnelClientOptions {
  /** Folder for the configuration file. */
  readonly dir: string;
  /** Trusted server certificates: the bundle under test. */
  readonly caFile: string;
  /** Client identity. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Port of the TLS server on 127.0.0.1. */
  readonly connectPort: number;
}

export interface StunnelClient extends Background {
  /** Plain TCP port on 127.0.0.1 that stunnel forwards over TLS. */
  readonly port: number;
  readonly configPath: string;
}

/** Renders the client-mode configuration the Redis docs give (`verify = 2`, no pid file). */
export function stunnelClientConfig(
  options: StunnelClientOptions & { acceptPort: number },
): string {
  return [
    'foreground = yes',
    'pid =',
    '',
    '[redis]',
    'client = yes',
    `accept = 127.0.0.1:${String(options.acceptPort)}`,
    `connect = 127.0.0.1:${String(options.connectPort)}`,
    'verify = 2',
    `CAfile = ${options.caFile}`,
    `cert = ${options.certFile}`,
    `key = ${options.keyFile}`,
    '',
  ].join('\n');
}

/** Starts stunnel in client mode; resolves once it accepts connections. */
export async function startStunnelClient(
  t: TestContext,
  options: StunnelClientOptions,
): Promise<StunnelClient> {
  const acceptPort = await freePort();
  const configPath = join(options.dir, `stunnel-${String(acceptPort)}.conf`);
  writeFileSync(configPath, stunnelClientConfig({ ...options, acceptPort }));
  const started = startBackground(t, 'stunnel', [configPath]);
  await waitForPort(acceptPort, started.child, started.output);
  return { ...started, port: acceptPort, configPath };
}

/**
 * Sends an inline `PING` over plain TCP (what an application talking to stunnel does) and
 * resolves with the first reply line, or `closed` / `error: …` when no reply comes.
 */
export function plainPing(port: number, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    let settled = false;
    const done = (value: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    // A timer and a reply that both came due while the event loop was busy (a loaded machine)
    // run timers first: setImmediate lets the pending reply be read before timing out.
    const timer = setTimeout(() => {
      setImmediate(() => {
        done('error: timeout');
      });
    }, timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\r\n')) done(data.split('\r\n')[0] ?? '');
    });
    socket.once('error', (error: Error) => {
      done(`error: ${error.message}`);
    });
    socket.once('close', () => {
      done(data.length > 0 ? (data.split('\r\n')[0] ?? '') : 'closed');
    });
  });
}

/**
 * Resolves once the process's output matches `pattern` (stunnel logs after the socket closes,
 * and pipes deliver later still), or rejects with the output after `timeoutMs`.
 */
export async function waitForOutput(
  background: Background,
  pattern: RegExp,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(background.output())) {
    if (Date.now() > deadline) {
      throw new Error(`no ${String(pattern)} in the output:\n${background.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** True for a `plainPing` result that says the tunnel gave no reply at all. */
export const NO_REPLY = /^(closed|error: (read ECONNRESET|write EPIPE|socket hang up))$/;
