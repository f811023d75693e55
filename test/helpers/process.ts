/**
 * Background servers for end-to-end tests (redis-server, stunnel, Node TLS servers): started on
 * loopback ports chosen at run time, stopped by pid whatever the outcome.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import type { TestContext } from 'node:test';

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `process exited with ${String(child.exitCode)} before listening:\n${output()}`,
      );
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `nothing listened on port ${String(port)} within ${String(timeoutMs)} ms:\n${output()}`,
  );
}

/** A started background process. */
export interface Background {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly output: () => string;
}

/**
 * Starts a program in the foreground of its own (no daemonizing) and registers its stop, by pid,
 * with the test context so that it is stopped whatever the outcome.
 */
export function startBackground(
  t: TestContext,
  command: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Background {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${command}`);
  t.after(async () => {
    await stopProcess(child);
  });
  return { child, pid, output: () => output };
}

/** Sends SIGTERM to the pid, then SIGKILL after 3 s; resolves when the process is gone. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 3000);
  await gone;
  clearTimeout(timer);
}
