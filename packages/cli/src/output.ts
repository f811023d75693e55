/**
 * Everything the CLI prints goes through here: results to stdout, messages and progress to
 * stderr, no colour when the stream is not a TTY or NO_COLOR is set, one JSON document with
 * --json (on failure too).
 */
import { EXIT_CANNOT_RUN } from './exit-codes.js';

/** Where output goes; tests and the main process share this shape. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTty: boolean;
  readonly stdoutIsTty: boolean;
}

/** The process's own streams. */
export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY,
  stdoutIsTty: process.stdout.isTTY,
};

/** True when colour may be used on a stream. */
export function useColor(isTty: boolean): boolean {
  return isTty && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
}

/** Styles text with an ANSI code when colour is allowed. */
export function style(
  text: string,
  code: 'bold' | 'green' | 'yellow' | 'red' | 'dim',
  isTty: boolean,
): string {
  if (!useColor(isTty)) return text;
  const codes = { bold: 1, green: 32, yellow: 33, red: 31, dim: 2 } as const;
  return `\u001b[${String(codes[code])}m${text}\u001b[0m`;
}

/** Output is handed to the stream in pieces of about this many characters. */
const JSON_PIECE = 64 * 1024;

/**
 * Prints one JSON document on stdout: exactly `JSON.stringify(value, null, 2)` and a newline,
 * written in pieces as it is produced rather than built whole first. `certs inspect --json` of
 * 5,000 certificates is a 15 MB document; as one string plus its encoded copy it was a fifth of
 * the command's peak memory (bench case 4a).
 */
export function printJson(io: Io, value: unknown): void {
  let pending = '';
  const add = (piece: string): void => {
    pending += piece;
    if (pending.length >= JSON_PIECE) {
      io.stdout(pending);
      pending = '';
    }
  };
  writeJson(jsonValue(value, ''), '', add);
  io.stdout(`${pending}\n`);
}

/** A value as JSON.stringify sees it: after toJSON; undefined when it is left out. */
function jsonValue(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return (toJSON as (key: string) => unknown).call(value, key);
  }
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  return value;
}

/**
 * Adds the text of JSON.stringify at `indent` for `value`, already resolved by
 * {@link jsonValue} (each toJSON is called once, as JSON.stringify calls it), walking arrays and
 * objects and stringifying each primitive (a plain recursion: a generator per value was ~50%
 * slower).
 */
function writeJson(value: unknown, indent: string, add: (piece: string) => void): void {
  if (
    value === null ||
    typeof value !== 'object' ||
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean
  ) {
    add(JSON.stringify(value));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      add('[]');
      return;
    }
    for (let i = 0; i < value.length; i++) {
      add(`${i === 0 ? '[' : ','}\n${inner}`);
      const item = jsonValue(value[i], String(i));
      if (item === undefined) add('null');
      else writeJson(item, inner, add);
    }
    add(`\n${indent}]`);
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  for (const name of Object.keys(record)) {
    const item = jsonValue(record[name], name);
    if (item === undefined) continue;
    add(`${first ? '{' : ','}\n${inner}${JSON.stringify(name)}: `);
    first = false;
    writeJson(item, inner, add);
  }
  add(first ? '{}' : `\n${indent}}`);
}

/** An error's code and one-line message, whatever was thrown. */
export function describeError(error: unknown): { code: string; message: string } {
  if (
    error !== null &&
    typeof error === 'object' &&
    'code' in error &&
    'message' in error &&
    (error as { name?: unknown }).name === 'CertkitError'
  ) {
    const { code, message } = error as { code: string; message: string };
    return { code, message: oneLine(message) };
  }
  if (error instanceof UsageError) {
    // yargs says "Invalid values:\n  Argument: curve, Given: …": make it one plain line.
    const message = oneLine(error.message).replace(
      /^Invalid values:;\s*Argument:\s*/,
      'invalid value for --',
    );
    return { code: 'USAGE', message: message.charAt(0).toLowerCase() + message.slice(1) };
  }
  // An unexpected failure: say so on one line, without the stack (CERTKIT_DEBUG=1 shows it).
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `unexpected failure: ${oneLine(message)}` };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** A command-line usage error (unknown flag, bad value): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Reports a failure: `certs: message` on stderr (plus a hint for usage errors), or the JSON
 * error document on stdout with --json. Returns the exit code.
 */
export function reportError(io: Io, error: unknown, json: boolean, command?: string): number {
  const { code, message } = describeError(error);
  if (json) {
    printJson(io, { ok: false, error: { code, message } });
  } else {
    io.stderr(`certs: ${message}\n`);
    if (code === 'USAGE')
      io.stderr(`run 'certs ${command === undefined ? '' : `${command} `}--help' for usage\n`);
  }
  if (process.env.CERTKIT_DEBUG === '1' && error instanceof Error && error.stack !== undefined) {
    io.stderr(`${error.stack}\n`);
  }
  return EXIT_CANNOT_RUN;
}

/**
 * Shows elapsed time on stderr while `work` runs, when stderr is a TTY (RSA-4096 generation
 * takes from under a second to several). Clears the line afterwards.
 */
export async function withProgress<T>(io: Io, label: string, work: () => Promise<T>): Promise<T> {
  if (!io.stderrIsTty) return work();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const started = Date.now();
  let frame = 0;
  const draw = (): void => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(`\r${frames[frame++ % frames.length] ?? ''} ${label} ${seconds}s`);
  };
  draw();
  const timer = setInterval(draw, 100);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    io.stderr('\r\u001b[2K');
  }
}
