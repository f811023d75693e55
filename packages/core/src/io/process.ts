/**
 * Running another program for a bounded time (`certs stunnel test` runs stunnel): started in a
 * session of its own, so that it can never read the user's terminal (stunnel would sit at a
 * passphrase prompt for an encrypted key), with what it prints kept up to a cap, and stopped by
 * its pid, whatever happens: by {@link RunningProgram.stop}, and by this process's own exit or
 * interruption (Ctrl-C) while it runs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { CertkitError } from '../errors.js';

/** Most bytes of a program's output kept (stdout and stderr together): the first ones. */
export const MAX_PROGRAM_OUTPUT_BYTES = 256 * 1024;
/** Time a program is given to end after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 3_000;

/** A started program. */
export interface RunningProgram {
  readonly pid: number;
  /** What it printed on stdout and stderr so far (at most {@link MAX_PROGRAM_OUTPUT_BYTES}). */
  readonly output: () => string;
  /** Its exit code, or null while it runs (or when a signal ended it). */
  readonly exitCode: () => number | null;
  /** True once it has ended. */
  readonly ended: () => boolean;
  /** Resolves when it has ended. */
  readonly exited: Promise<void>;
  /** SIGTERM to its pid, SIGKILL after {@link STOP_GRACE_MS}; resolves when it has ended. */
  readonly stop: () => Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Starts `command` with `args`, without a shell, stdin closed, in a new session.
 *
 * @throws {@link CertkitError} `PROGRAM_NOT_FOUND` when `command` is not installed
 *
 * @example
 * ```ts
 * const stunnel = await startProgram('stunnel', ['/tmp/run/stunnel.conf'], { cwd: '/etc/stunnel' });
 * try { … } finally { await stunnel.stop(); }
 * ```
 */
export async function startProgram(
  command: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<RunningProgram> {
  const child: ChildProcess = spawn(command, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, LC_ALL: 'C' },
  });
  // 'spawn' or 'error' comes first: a missing program is an error, not a running process.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new CertkitError(
              'PROGRAM_NOT_FOUND',
              `${command} is not installed (not found on PATH)`,
              {
                cause: error,
              },
            )
          : new CertkitError(
              'PROGRAM_NOT_FOUND',
              `cannot start ${command}: ${error.code ?? error.message}`,
              {
                cause: error,
              },
            ),
      );
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new CertkitError('INTERNAL', `${command} started without a pid`);
  let output = '';
  let kept = 0;
  const keep = (chunk: Buffer): void => {
    if (kept >= MAX_PROGRAM_OUTPUT_BYTES) return;
    const piece = chunk.subarray(0, MAX_PROGRAM_OUTPUT_BYTES - kept);
    kept += piece.length;
    output += piece.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      ended = true;
      resolve();
    });
  });
  // Whatever ends this process ends the program too: it runs in a session of its own, which a
  // Ctrl-C on the terminal does not reach.
  const killNow = (): void => {
    if (!ended) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killNow();
    detach();
    process.kill(process.pid, signal);
  };
  const detach = (): void => {
    process.removeListener('exit', killNow);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  process.once('exit', killNow);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  const stop = async (): Promise<void> => {
    if (!ended) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // ended between the check and the signal
      }
      const timer = setTimeout(killNow, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    detach();
  };
  return {
    pid,
    output: () => output,
    exitCode: () => child.exitCode,
    ended: () => ended,
    exited,
    stop,
  };
}
