/**
 * Options shared by every command that reads files: `--max-input` (a global option, defined in
 * main.ts) and `--passphrase-file`. Parsing only; core reads the files.
 */
import type { Argv } from 'yargs';
import { UsageError } from './output.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/**
 * Parses a size such as `10MiB`, `500k`, `20000000` into bytes (KiB/MiB/GiB and k/m/g are
 * binary, kB/MB/GB decimal).
 *
 * @example
 * ```ts
 * parseByteSize('10MiB'); // 10485760
 * ```
 */
export function parseByteSize(text: string): number {
  const bytes = byteSize(text);
  if (Number.isNaN(bytes)) {
    throw new UsageError(`invalid value for --max-input: "${text}" (try 10MiB or 500000)`);
  }
  return bytes;
}

/** Bytes, or NaN when `text` is not a positive size. */
function byteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] ?? '?').toLowerCase()];
  const bytes = Math.floor(
    match === null || unit === undefined ? Number.NaN : Number(match[1]) * unit,
  );
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : Number.NaN;
}

/** The global `--max-input` option (main.ts adds it to every command). */
export function withMaxInput<T>(y: Argv<T>): Argv<T> {
  return y
    .option('max-input', {
      type: 'string',
      global: true,
      requiresArg: true,
      describe: 'largest input file to read, e.g. 20MiB (default 10MiB)',
    })
    .check((argv) => {
      // Thrown here, the UsageError reaches main's fail handler: a usage error, exit 2.
      const value = (argv as { 'max-input'?: unknown })['max-input'];
      if (typeof value === 'string') parseByteSize(value);
      return true;
    }, true);
}

/**
 * `--max-input` in bytes, or undefined for core's default: pass it to core as `maxInputBytes`.
 *
 * @example
 * ```ts
 * const maxInputBytes = maxInputFrom(args);
 * ```
 */
export function maxInputFrom(args: object): number | undefined {
  const value = (args as { 'max-input'?: unknown })['max-input'];
  return typeof value === 'string' ? parseByteSize(value) : undefined;
}

/** Adds `--passphrase-file` to a command that reads or writes a private key. */
export function withPassphraseFile<T>(
  y: Argv<T>,
  what: string,
): Argv<T & { 'passphrase-file': string | undefined }> {
  return y.option('passphrase-file', {
    type: 'string',
    requiresArg: true,
    describe: `file whose first line is the passphrase ${what}`,
  });
}

/** Longest `--timeout` accepted, in seconds: a typo such as 100000 would hang a script for a day. */
const MAX_TIMEOUT_SECONDS = 600;

/** Adds `--timeout SECONDS` to a command that connects to an endpoint. */
export function withTimeout<T>(y: Argv<T>): Argv<T & { timeout: number | undefined }> {
  return y.option('timeout', {
    type: 'number',
    requiresArg: true,
    describe: 'seconds allowed for each connection, handshake and reply (default 10)',
  });
}

/**
 * `--timeout` in milliseconds, or undefined for core's default: pass it to core as `timeoutMs`.
 *
 * @example
 * ```ts
 * const timeoutMs = timeoutFrom(args); // --timeout 2.5 -> 2500
 * ```
 */
export function timeoutFrom(args: { timeout?: number | undefined }): number | undefined {
  const seconds = args.timeout;
  if (seconds === undefined) return undefined;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(
      `invalid value for --timeout: give seconds, more than 0 and at most ${String(MAX_TIMEOUT_SECONDS)}`,
    );
  }
  return Math.max(1, Math.round(seconds * 1000));
}
