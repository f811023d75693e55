/**
 * Options shared by every command that reads files: `--max-input` (a global option, defined in
 * main.ts) and `--passphrase-file`. Parsing only; core reads the files.
 */
import type { SubjectInput } from '@certkit/core';
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

/** Adds `--new-passphrase-file` to a command that writes a private key it may encrypt. */
export function withNewPassphraseFile<T>(
  y: Argv<T>,
  what: string,
): Argv<T & { 'new-passphrase-file': string | undefined }> {
  return y.option('new-passphrase-file', {
    type: 'string',
    requiresArg: true,
    describe: `file whose first line is the passphrase ${what}`,
  });
}

/** One option of a command as yargs defines it: what the repeated-option check and tests read. */
export interface OptionInfo {
  /** The name yargs keys it by (`output`), without dashes. */
  readonly name: string;
  /** Other names (`o`, `out`). */
  readonly aliases: readonly string[];
  readonly type: 'boolean' | 'string' | 'number' | 'choices';
  /** Repeatable: every value is kept. */
  readonly array: boolean;
  readonly choices: readonly string[];
  readonly required: boolean;
  /** Names a file or folder certs writes: never `-` (outputs are regular files only). */
  readonly output: boolean;
}

/** The options that name what a command writes, on every command that has them. */
const OUTPUT_OPTIONS = new Set(['output', 'out', 'cert-file', 'key-file']);

/** yargs' view of its options (`getOptions()`, untyped in @types/yargs). */
interface YargsOptions {
  readonly key: Readonly<Record<string, unknown>>;
  readonly alias: Readonly<Record<string, readonly string[]>>;
  readonly array: readonly string[];
  readonly boolean: readonly string[];
  readonly number: readonly string[];
  readonly choices: Readonly<Record<string, readonly unknown[]>>;
  readonly demandedOptions: Readonly<Record<string, unknown>>;
}

/** Names yargs adds itself: never the command's own options. */
const BUILT_IN = new Set(['help', 'version', 'h', 'V', '$0']);

/**
 * Every option `y` defines (positionals named in `positionals` left out), read from yargs
 * itself: a new option is covered by whatever walks this list.
 */
export function optionTable(y: Argv<unknown>, positionals: readonly string[]): OptionInfo[] {
  const o = (y as unknown as { getOptions: () => YargsOptions }).getOptions();
  const aliasOf = new Set(Object.values(o.alias).flat());
  const names = Object.keys(o.key).filter(
    (n) => !BUILT_IN.has(n) && !aliasOf.has(n) && !positionals.includes(n),
  );
  return names.map((name) => ({
    name,
    aliases: o.alias[name] ?? [],
    type: o.boolean.includes(name)
      ? 'boolean'
      : o.number.includes(name)
        ? 'number'
        : name in o.choices
          ? 'choices'
          : 'string',
    array: o.array.includes(name),
    choices: (o.choices[name] ?? []).map(String),
    required: name in o.demandedOptions,
    output: OUTPUT_OPTIONS.has(name),
  }));
}

/** `--output (-o, --out)`: an option with the other names it goes by. */
export function optionLabel(option: OptionInfo): string {
  const flag = (n: string): string => (n.length === 1 ? `-${n}` : `--${n}`);
  return option.aliases.length === 0
    ? flag(option.name)
    : `${flag(option.name)} (${option.aliases.map(flag).join(', ')})`;
}

/**
 * Refuses a single-value option given more than once (yargs would hand the command an array:
 * `--cluster a --cluster b` reached core as ['a', 'b']). Booleans are left alone: yargs keeps
 * the last (`--root --no-root` is `--no-root`).
 */
export function rejectRepeated(
  argv: Readonly<Record<string, unknown>>,
  table: readonly OptionInfo[],
): void {
  for (const option of table) {
    if (option.array || option.type === 'boolean') continue;
    const value = argv[option.name];
    if (Array.isArray(value) && value.length > 1) {
      throw new UsageError(
        `${optionLabel(option)} is given ${String(value.length)} times; it takes one value, so give it once`,
      );
    }
  }
}

/** An option as given on the command line, and optionally the value it must have. */
export interface GivenOption {
  readonly option: string;
  readonly value?: string | boolean;
  /** How to show it when it is no option (a positional: `stunnel lint`). */
  readonly label?: string;
}

/**
 * A flag that only makes sense with another. When `when` is given: `excludes` given too is a
 * usage error; none of `needs` given is a usage error too, unless `implies` says what to do
 * instead (set an option, or move the value to another name), which is then said on stderr.
 */
export interface OptionRule {
  readonly when: GivenOption;
  readonly needs?: readonly GivenOption[];
  readonly excludes?: GivenOption;
  readonly implies?: { readonly option: string; readonly value?: string; readonly moves?: boolean };
  /** Why, said after the rule: `it is the curve of an EC key`. */
  readonly why: string;
}

function isGiven(args: Readonly<Record<string, unknown>>, given: GivenOption): boolean {
  const value = args[given.option];
  return value !== undefined && (given.value === undefined || value === given.value);
}

/** `--key-type ec`, `--no-root`, `--endpoint`. */
export function showGiven(given: GivenOption): string {
  if (given.label !== undefined) return given.label;
  if (given.value === false) return `--no-${given.option}`;
  if (given.value === true || given.value === undefined) return `--${given.option}`;
  return `--${given.option} ${given.value}`;
}

/**
 * Applies `rules` in order to the parsed arguments: fails on the first broken one (a usage
 * error naming both options), sets what an `implies` rule implies. Returns the notes to show.
 */
export function applyOptionRules(
  args: Record<string, unknown>,
  rules: readonly OptionRule[],
): string[] {
  const notes: string[] = [];
  for (const rule of rules) {
    if (!isGiven(args, rule.when)) continue;
    const value = args[rule.when.option];
    const shown = showGiven({
      option: rule.when.option,
      value: typeof value === 'boolean' ? value : String(value),
    });
    if (rule.excludes !== undefined && isGiven(args, rule.excludes)) {
      throw new UsageError(`${shown} cannot go with ${showGiven(rule.excludes)}: ${rule.why}`);
    }
    if (rule.needs === undefined || rule.needs.some((need) => isGiven(args, need))) continue;
    const implied = rule.implies;
    if (implied !== undefined && args[implied.option] === undefined) {
      const impliedValue = implied.value ?? value;
      args[implied.option] = impliedValue;
      if (implied.moves === true) args[rule.when.option] = undefined;
      notes.push(
        implied.moves === true
          ? `${shown} is read as --${implied.option} ${String(impliedValue)}: ${rule.why}`
          : `${shown} implies ${showGiven({ option: implied.option, value: implied.value ?? true })}: ${rule.why}`,
      );
      continue;
    }
    throw new UsageError(`${shown} needs ${rule.needs.map(showGiven).join(' or ')}: ${rule.why}`);
  }
  return notes;
}

/**
 * The subject of `--subject` (its text as given: core parses `/C=US/O=Acme/CN=app` before any
 * work) or of `--cn`; undefined without either.
 */
export function subjectOption(args: {
  readonly subject?: string | undefined;
  readonly cn?: string | undefined;
}): SubjectInput | undefined {
  if (args.subject !== undefined) return args.subject;
  return args.cn === undefined ? undefined : { commonName: args.cn };
}

/** {@link subjectOption}, or a usage error saying what to give (`what`, e.g. `the CA name …`). */
export function requiredSubject(
  args: Parameters<typeof subjectOption>[0],
  what: string,
): SubjectInput {
  const subject = subjectOption(args);
  if (subject === undefined) throw new UsageError(`give ${what}`);
  return subject;
}

/**
 * `--cert-file`, `--force` and `--json`: the output options of the commands that write a client
 * identity (`gen-client`, `renew-client`), declared once so that they read the same.
 */
export function identityOutputOptions<T>(y: Argv<T>) {
  return y
    .option('cert-file', {
      type: 'string',
      default: 'cert.pem',
      describe: 'certificate file, in --out unless an absolute path',
      requiresArg: true,
    })
    .option('force', { type: 'boolean', default: false, describe: 'replace existing files' })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'print one JSON document on stdout',
    });
}
