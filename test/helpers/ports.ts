/**
 * Starts test/helpers/ports-server.ts (one process, many loopback ports, each one kind of
 * endpoint) and stops it by pid when the test ends, whatever the outcome.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stopProcess } from './process.js';

const SERVER = fileURLToPath(new URL('./ports-server.ts', import.meta.url));

/** One port of the server: what it plays. */
export interface PortSpec {
  readonly kind: 'tls' | 'plain' | 'reset' | 'hang' | 'linger';
  /** Loopback address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** PEM certificate (chain) and key files, for `tls`. */
  readonly cert?: string;
  readonly key?: string;
  /** Listen on the port of this earlier spec (another address, same port). */
  readonly samePortAs?: number;
  /** Listen on this port (default: one the kernel picks). */
  readonly port?: number;
  /** For `tls`: present `cert` only to clients that send this SNI name, else `otherCert`. */
  readonly sni?: string;
  readonly otherCert?: string;
  readonly otherKey?: string;
}

/** A running ports server. */
export interface PortsServer {
  readonly pid: number;
  /** The port of each spec, in order. */
  readonly ports: readonly number[];
  /** `open`/`close` events seen so far on `hang` ports. */
  readonly events: () => readonly { event: 'open' | 'close'; port: number }[];
  /** Resolves once `count` events of `kind` have been seen; rejects after 30 s. */
  readonly waitFor: (kind: 'open' | 'close', count: number) => Promise<void>;
}

/** Starts the server with `specs`; registers its stop (by pid) with the test. */
export function startPortsServer(
  t: Pick<TestContext, 'after'>,
  dir: string,
  specs: readonly PortSpec[],
): Promise<PortsServer> {
  const config = join(dir, `ports-${String(Date.now())}-${String(Math.random()).slice(2)}.json`);
  writeFileSync(config, JSON.stringify({ listeners: specs }));
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot start the ports server');
  t.after(async () => {
    await stopProcess(child);
  });
  const events: { event: 'open' | 'close'; port: number }[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.once('exit', (code) => {
      reject(new Error(`ports server exited with ${String(code)}: ${stderr}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let end: number;
      while ((end = buffer.indexOf('\n')) !== -1) {
        const message = JSON.parse(buffer.slice(0, end)) as
          { ports: number[] } | { event: 'open' | 'close'; port: number };
        buffer = buffer.slice(end + 1);
        if ('ports' in message) {
          resolve({
            pid,
            ports: message.ports,
            events: () => events,
            waitFor: (kind, count) =>
              new Promise((done, fail) => {
                // A deadline, so that a missing event fails the test instead of leaving it
                // waiting on nothing.
                const timer = setTimeout(() => {
                  fail(
                    new Error(
                      `no ${String(count)} ${kind} events within 30 s: ${JSON.stringify(events)}`,
                    ),
                  );
                }, 30_000);
                const check = (): void => {
                  if (events.filter((e) => e.event === kind).length >= count) {
                    clearTimeout(timer);
                    done();
                  } else waiters.push(check);
                };
                check();
              }),
          });
        } else {
          events.push(message);
          for (const waiter of waiters.splice(0)) waiter();
        }
      }
    });
  });
}
