/**
 * What every multi-endpoint command shares on the command line: the endpoint options, a
 * progress line on a terminal, and Ctrl-C as a clean stop.
 */
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '@certkit/core/defaults';
import type { Argv } from 'yargs';
import type { Io } from './output.js';
import { UsageError } from './output.js';

/** The options `fetch`, `check` and `expiry` take for many endpoints. */
export function withEndpointOptions<T>(y: Argv<T>): Argv<
  T & {
    endpoints: string | undefined;
    resolve: string[] | undefined;
    'all-addresses': boolean;
    concurrency: number | undefined;
  }
> {
  return y
    .option('endpoints', {
      type: 'string',
      requiresArg: true,
      describe: 'file of endpoints: one HOST:PORT a line, # comments',
    })
    .option('resolve', {
      type: 'string',
      array: true,
      // One pin a flag: the endpoints that follow stay endpoints.
      nargs: 1,
      requiresArg: true,
      describe:
        'HOST:PORT:ADDR[,ADDR…]: use these addresses for HOST:PORT instead of DNS (as curl)',
    })
    .option('all-addresses', {
      type: 'boolean',
      default: false,
      describe: 'every address of each host (DNS or --resolve), with the host as SNI',
    })
    .option('concurrency', {
      type: 'number',
      requiresArg: true,
      describe: `endpoints worked on at once (default ${String(DEFAULT_CONCURRENCY)})`,
    });
}

/** `--concurrency`, checked; undefined for core's default. */
export function concurrencyFrom(args: { concurrency?: number | undefined }): number | undefined {
  const value = args.concurrency;
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(
      `invalid value for --concurrency: give a whole number from 1 to ${String(MAX_CONCURRENCY)}`,
    );
  }
  return value;
}

/** The endpoint options as core's `EndpointRunOptions` fields. */
export function endpointRunOptions(args: {
  endpoints?: string | undefined;
  resolve?: string[] | undefined;
  'all-addresses'?: boolean | undefined;
  concurrency?: number | undefined;
}): {
  endpointsPath?: string;
  resolve?: string[];
  allAddresses?: boolean;
  concurrency?: number;
} {
  const concurrency = concurrencyFrom(args);
  return {
    ...(args.endpoints === undefined ? {} : { endpointsPath: args.endpoints }),
    ...(args.resolve === undefined ? {} : { resolve: args.resolve }),
    ...(args['all-addresses'] === true ? { allAddresses: true } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
  };
}

/** Progress as core reports it. */
interface Progress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
}

/** At most one redraw of the progress line per this many milliseconds. */
const REDRAW_MS = 100;

/**
 * Runs a multi-endpoint core call: Ctrl-C (SIGINT) aborts its signal, so that it stops starting
 * endpoints, closes its connections and returns what was done (a second Ctrl-C ends the process
 * at once, as usual); on a terminal, stderr shows `label done/total, N failed` while it runs.
 * Nothing extra is printed when stderr is not a terminal.
 */
export async function runWithProgress<T>(
  io: Io,
  label: string,
  call: (run: { signal: AbortSignal; onProgress: (progress: Progress) => void }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  const line = { shown: false, last: 0 };
  const onProgress = (progress: Progress): void => {
    if (!io.stderrIsTty || progress.total < 2) return;
    const now = Date.now();
    if (progress.done < progress.total && now - line.last < REDRAW_MS) return;
    line.last = now;
    line.shown = true;
    // Numbers and the command's own label only: nothing from outside reaches the terminal here.
    io.stderr(
      `\r${label} ${String(progress.done)}/${String(progress.total)}, ${String(progress.failed)} failed\u001b[K`,
    );
  };
  try {
    return await call({ signal: controller.signal, onProgress });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    if (line.shown) io.stderr('\r\u001b[2K');
  }
}
