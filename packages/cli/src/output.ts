/**
 * Everything the CLI prints goes through here: results to stdout, messages and progress to
 * stderr, no colour when the stream is not a TTY or NO_COLOR is set, one JSON document with
 * --json (on failure too).
 *
 * Certificate names, file names, server replies and error messages are attacker-chosen, so a
 * human-readable line is {@link TerminalText}: made by the {@link line} tag, which keeps the
 * program's own literal text and escapes every value put into it (core's
 * escapeControlCharacters: C0/C1 controls, DEL, bidi controls, so also CR and LF: a value cannot
 * start a line of its own), and printed by {@link printLines}. JSON keeps exact values
 * ({@link printJson} escapes what JSON.stringify leaves raw).
 */
import type { CertkitRemedy } from '@certkit/core';
import { escapeControlCharacters, holdsControlCharacters } from '@certkit/core/display';
import { EXIT_CANNOT_RUN } from './exit-codes.js';

/**
 * Where output goes; tests and the main process share this shape. Its writers take text as is:
 * human-readable lines reach them through {@link printLines} only, data (PEM certkit wrote, JSON
 * from {@link printJson}) directly.
 */
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

const TEXT = Symbol('terminal text');

/**
 * Text that may reach a terminal as it is: made only by {@link line} and {@link paint}, which
 * escape every value from outside the program, and printed by {@link printLines}.
 */
export interface TerminalText {
  readonly [TEXT]: string;
}

/** What {@link line} takes as a value: text made safe already, or anything to escape. */
export type LineValue = TerminalText | string | number;

function terminalText(text: string): TerminalText {
  return { [TEXT]: text };
}

function shown(value: LineValue): string {
  return typeof value === 'object' ? value[TEXT] : escapeControlCharacters(String(value));
}

/**
 * Tag for human-readable output: the literal parts are the program's own text and stay as
 * written; each `${value}` is escaped (control characters, DEL, bidi controls, CR and LF shown
 * as `\x1b`, `\u202e`, …) unless it is {@link TerminalText} already.
 *
 * @example
 * ```ts
 * printLines(io, 'stdout', [line`  subject       ${info.subject}`]);
 * ```
 */
export function line(strings: TemplateStringsArray, ...values: readonly LineValue[]): TerminalText {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    text += shown(values[i] ?? '') + (strings[i + 1] ?? '');
  }
  return terminalText(text);
}

/**
 * Text core has made safe to show already (lint messages, whose values core escaped as `\x1b`):
 * kept as it is when it holds no control or bidi character, so that core's escapes are not
 * escaped twice, and escaped like any value otherwise, so that nothing raw reaches a terminal
 * whatever core did.
 */
export function escapedByCore(text: string): TerminalText {
  return terminalText(holdsControlCharacters(text) ? escapeControlCharacters(text) : text);
}

const STYLES = { bold: 1, green: 32, yellow: 33, red: 31, dim: 2 } as const;

/** A style {@link paint} applies. */
export type Style = keyof typeof STYLES;

/** `value` (escaped unless TerminalText) in an ANSI style when colour is allowed. */
export function paint(value: LineValue, code: Style, isTty: boolean): TerminalText {
  const text = shown(value);
  if (!useColor(isTty)) return terminalText(text);
  return terminalText(`\u001b[${String(STYLES[code])}m${text}\u001b[0m`);
}

/**
 * Styles text with an ANSI code when colour is allowed, for code that still builds its output
 * as plain strings (`certs stunnel`): `text` is escaped, what surrounds it is not. New code uses
 * {@link paint} and {@link line}, which escape every value.
 */
export function style(text: string, code: Style, isTty: boolean): string {
  return paint(text, code, isTty)[TEXT];
}

/** Prints human-readable lines on stdout or stderr, each ended by a line feed. */
export function printLines(
  io: Io,
  stream: 'stdout' | 'stderr',
  lines: readonly TerminalText[],
): void {
  if (lines.length === 0) return;
  io[stream](lines.map((l) => `${l[TEXT]}\n`).join(''));
}

/** Output is handed to the stream in pieces of about this many characters. */
const JSON_PIECE = 64 * 1024;

/**
 * Prints one JSON document on stdout: `JSON.stringify(value, null, 2)` and a newline, the same
 * JSON value with DEL, C1 and bidi controls written as `\uXXXX` too (JSON.stringify leaves them
 * raw, and a terminal may act on them), written in pieces as it is produced rather than built
 * whole first. `certs inspect --json` of
 * 5,000 certificates is a 15 MB document; as one string plus its encoded copy it was a fifth of
 * the command's peak memory (bench case 4a).
 */
export function printJson(io: Io, value: unknown): void {
  let pending = '';
  const add = (piece: string): void => {
    pending += piece;
    if (pending.length >= JSON_PIECE) {
      io.stdout(escapeJsonUnsafe(pending));
      pending = '';
    }
  };
  writeJson(jsonValue(value, ''), '', add);
  io.stdout(`${escapeJsonUnsafe(pending)}\n`);
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

/**
 * What JSON.stringify leaves raw although a terminal may act on it: DEL, C1 controls and bidi
 * controls (it escapes only U+0000-U+001F). Written as `\uXXXX`: the same JSON value.
 */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with {@link JSON_UNSAFE} characters escaped. Applied to each piece written rather
 * than to each string: outside strings JSON text is ASCII, so the result is the same, with one
 * scan per 64 KiB piece instead of a call per value.
 */
function escapeJsonUnsafe(text: string): string {
  return text.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The options core names in a remedy, as the command line spells them. */
const OPTION_FLAGS: Readonly<Record<string, string>> = {
  endpoint: '--endpoint HOST:PORT',
  ca: '--ca',
};

/**
 * What would get a refused request through, in the command line's words: core says it as data
 * (`CertkitRemedy`) and never names a flag.
 */
function remedyHint(code: string, remedy: CertkitRemedy | undefined): string {
  switch (remedy?.kind) {
    case undefined:
      return '';
    case 'force':
      return code === 'UNSAFE_WRITE'
        ? '; use --force to replace the link itself'
        : '; use --force to replace';
    case 'days':
      return `; use --days ${String(remedy.max)} or less`;
    case 'fetch':
      return `: save the certificates it presents first, with certs fetch ${remedy.endpoint} -o FILE`;
    case 'option':
      return ` (${OPTION_FLAGS[remedy.option] ?? `--${remedy.option}`})`;
    case 'issuer':
      return ' (certs issue --usage client --ca … --ca-key …)';
    case 'cluster':
      return remedy.suggestion === undefined
        ? ''
        : `; did you mean --cluster ${remedy.suggestion}?`;
  }
}

/**
 * An error's code and message, whatever was thrown: a CertkitError's message exactly (values
 * from input and all: reportError escapes it for a terminal) with the command line's hint for
 * its remedy, anything else on one line.
 */
export function describeError(error: unknown): { code: string; message: string } {
  if (
    error !== null &&
    typeof error === 'object' &&
    'code' in error &&
    'message' in error &&
    (error as { name?: unknown }).name === 'CertkitError'
  ) {
    const { code, message, remedy } = error as {
      code: string;
      message: string;
      remedy?: CertkitRemedy;
    };
    // A value given as the cluster name that is something else is the command line's usage
    // error: said as one, with the help hint.
    return remedy?.kind === 'cluster'
      ? {
          code: 'USAGE',
          message: `invalid value for --cluster: ${message}${remedyHint(code, remedy)}`,
        }
      : { code, message: message + remedyHint(code, remedy) };
  }
  if (error instanceof UsageError) return { code: 'USAGE', message: error.message };
  // An unexpected failure: say so on one line, without the stack (CERTKIT_DEBUG=1 shows it).
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `unexpected failure: ${oneLine(message)}` };
}

/** Line breaks (and the blanks around them) as `; `: split, not a regex over input. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join('; ');
}

/** A command-line usage error (unknown flag, bad value): exit 2. */
export class UsageError extends Error {
  /**
   * @param command the command whose help the hint points to, when it is not the one typed
   * (`genclient` points to `gen-client`); `''` for `certs --help`
   */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A usage error from yargs' own message: its "Invalid values:\n  Argument: curve, Given: …"
 * made one plain line. Only yargs' messages are reshaped; ours are one line already, and the
 * values they quote are kept as given (reportError escapes them).
 */
export function parserUsageError(message: string): UsageError {
  const flat = oneLine(message).replace(/^Invalid values:;\s*Argument:\s*/, 'invalid value for --');
  return new UsageError(flat.charAt(0).toLowerCase() + flat.slice(1));
}

/**
 * Reports a failure: `certs: message` on stderr, one line with every control character escaped
 * (plus a hint for usage errors), or the JSON error document on stdout with --json. Returns the
 * exit code.
 */
export function reportError(io: Io, error: unknown, json: boolean, typed?: string): number {
  const { code, message } = describeError(error);
  const command =
    error instanceof UsageError && error.command !== undefined ? error.command || undefined : typed;
  if (json) {
    printJson(io, { ok: false, error: { code, message } });
  } else {
    printLines(io, 'stderr', [
      line`certs: ${message}`,
      ...(code === 'USAGE'
        ? [line`run 'certs ${command === undefined ? '' : `${command} `}--help' for usage`]
        : []),
    ]);
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
