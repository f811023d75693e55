/**
 * The command line before and around yargs: `certs help CMD`, unknown commands and options
 * reported as typed with a likely correction, and `-` (standard input), which yargs would
 * drop or refuse as a value, kept for the command.
 */
import { UsageError } from './output.js';

/**
 * What `-` becomes while yargs parses: yargs-parser reads a lone `-` as the start of an option,
 * so `certs chain - b.pem` lost it and `--ca -` failed. No command-line argument can hold a NUL,
 * so this token can only come from a `-`.
 */
export const STDIN_TOKEN = '\u0000-';

/** Options before the command word that take a value (main.ts's global options). */
const GLOBAL_WITH_VALUE = new Set(['--max-input']);

/** What to run once the command line is understood. */
export type Prepared =
  | { readonly kind: 'parse'; readonly argv: readonly string[]; readonly command?: string }
  | { readonly kind: 'completion-help' };

/** The command word: the first argument that is neither an option nor a global option's value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return -1;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-') || arg === '-') return i;
  }
  return -1;
}

/** Edit distance (Levenshtein) between two short words, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? Math.max(a.length, b.length);
}

/**
 * The candidate `word` was probably meant as: the same letters without hyphens or case
 * (`genclient`, `keyType`), else the nearest within two edits; undefined when none is close.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  const plain = (w: string): string => w.toLowerCase().replace(/[-_]/g, '');
  const same = candidates.find((c) => plain(c) === plain(word));
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Rewrites the command line for yargs: `certs help CMD` is `certs CMD --help`, an unknown
 * command is refused with the command probably meant, `certs completion --help` is answered
 * here (yargs would print the script), and every `-` becomes {@link STDIN_TOKEN}
 * ({@link checkStdinUse} checks, once parsed, where they went).
 *
 * @throws {@link UsageError} for an unknown command
 */
export function prepareArguments(argv: readonly string[], commands: readonly string[]): Prepared {
  let args = [...argv];
  let at = commandIndex(args);
  if (at >= 0 && args[at] === 'help') {
    const wanted = args[at + 1];
    // `certs help` and `certs help --help` are `certs --help`.
    const top = wanted === undefined || wanted.startsWith('-');
    args = top ? ['--help'] : [wanted, '--help', ...args.slice(at + 2)];
    at = top ? -1 : 0;
  }
  const word = at >= 0 ? args[at] : undefined;
  if (word !== undefined && !commands.includes(word)) {
    const meant = closest(word, commands);
    throw new UsageError(
      `unknown command ${word}${meant === undefined ? '' : `: did you mean ${meant}?`}`,
      meant ?? '',
    );
  }
  if (word === 'completion' && args.some((a) => a === '--help' || a === '-h')) {
    return { kind: 'completion-help' };
  }
  const end = args.indexOf('--');
  args = args.map((a, i) => (a === '-' && (end < 0 || i < end) ? STDIN_TOKEN : a));
  return { kind: 'parse', argv: args, ...(word === undefined ? {} : { command: word }) };
}

/** Every {@link STDIN_TOKEN} in the parsed arguments back to `-`, in place. */
export function restoreStdin(args: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(args)) {
    if (value === STDIN_TOKEN) args[key] = '-';
    else if (Array.isArray(value)) {
      args[key] = (value as unknown[]).map((v) => (v === STDIN_TOKEN ? '-' : v));
    }
  }
}

/**
 * Where `-` may go, once {@link restoreStdin} has run: an input (`--ca -`, a file positional,
 * `--passphrase-file -`), once, since standard input can be read once; never an output, which
 * is a regular file only (`-o -` would have made a file named `-`).
 *
 * @param inputs the names of the command's options and positionals that are not outputs
 * @param outputs the command's output options (`-o`, `--out`, `--cert-file`, …), with labels
 * @throws {@link UsageError}
 */
export function checkStdinUse(
  args: Readonly<Record<string, unknown>>,
  inputs: readonly string[],
  outputs: readonly { readonly name: string; readonly label: string }[],
): void {
  for (const output of outputs) {
    if (args[output.name] === '-') {
      throw new UsageError(
        `${output.label} is -, which means standard input: certs writes named files only, so give a name`,
      );
    }
  }
  const given = inputs.flatMap((name) => {
    const value = args[name];
    return Array.isArray(value) ? (value as unknown[]) : [value];
  });
  const stdin = given.filter((value) => value === '-').length;
  if (stdin > 1) {
    throw new UsageError(
      `- (standard input) is given ${String(stdin)} times; standard input can be read once, so name - for one input only`,
    );
  }
}

/** `text` with {@link STDIN_TOKEN} shown as the `-` it stands for. */
export function showStdin(text: string): string {
  return text.split(STDIN_TOKEN).join('-');
}

/** Option names that mean "a password on the command line". */
const PASSWORD_OPTIONS =
  /^(?:pass(?:word|phrase)?|passin|passout|pw|pwd|secret|(?:key|store|keystore|p12)-?pass(?:word|phrase)?)$/i;

/** The options of a command, as {@link unknownOptionMessage} needs them. */
export interface KnownOptions {
  /** Every name and alias, without dashes. */
  readonly names: ReadonlySet<string>;
  /** Boolean options, which also take `--no-NAME`. */
  readonly booleans: ReadonlySet<string>;
  /** The command's passphrase-file options (not their aliases), for the password hint. */
  readonly passphraseFiles: readonly string[];
}

/** The long option names, the only ones worth suggesting. */
function longNames(known: KnownOptions): string[] {
  return [...known.names].filter((n) => n.length > 1);
}

/** `--camelCase` as `camel-case`. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Why a password option does not exist, and what to use. */
function passwordHint(known: KnownOptions): string {
  const role = (option: string): string =>
    option.startsWith('new-')
      ? `--${option} FILE for the key it writes`
      : `--${option} FILE for a key it reads`;
  const use =
    known.passphraseFiles.length === 0
      ? 'this command takes no passphrase'
      : `put it on the first line of a file (mode 0600) and give ${known.passphraseFiles.map(role).join(', ')}`;
  return `; passwords are never taken on the command line, where other users can read them (ps, /proc) and shell history keeps them: ${use}`;
}

/**
 * The first unknown option of `argv` as typed, with what was probably meant: `-cn` for `--cn`,
 * `--keyType` for `--key-type`, `--pasword-file`, a password given on the command line; or
 * undefined when every option is known (yargs' message about extra arguments then stands).
 */
export function unknownOptionMessage(
  argv: readonly string[],
  known: KnownOptions,
): string | undefined {
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? '';
      if (name === '' || known.names.has(name)) continue;
      if (name.startsWith('no-') && known.booleans.has(name.slice(3))) continue;
      if (PASSWORD_OPTIONS.test(name)) return `unknown option --${name}${passwordHint(known)}`;
      const meant = known.names.has(kebab(name)) ? kebab(name) : closest(name, longNames(known));
      return `unknown option --${name}${meant === undefined ? '' : `: did you mean --${meant}?`}`;
    }
    if (arg.startsWith('-') && arg !== STDIN_TOKEN && arg.length > 1 && !/^-\d/.test(arg)) {
      const name = arg.slice(1).split('=')[0] ?? '';
      if (name.length === 1 && known.names.has(name)) continue;
      if (name.length > 1 && known.names.has(name)) {
        return `unknown option -${name}: long options take two dashes, --${name}`;
      }
      if (PASSWORD_OPTIONS.test(name)) return `unknown option -${name}${passwordHint(known)}`;
      if (name.length > 1 && name.split('').every((letter) => known.names.has(letter))) continue;
      const meant = name.length > 1 ? closest(name, longNames(known)) : undefined;
      return `unknown option -${name}${meant === undefined ? '' : `: did you mean --${meant}?`}`;
    }
  }
  return undefined;
}
