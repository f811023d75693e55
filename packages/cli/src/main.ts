/**
 * The `certs` command line: yargs parses, one command runs, one top-level catch maps every
 * error to exit code 2 (yargs issue #2394: a failing async handler would otherwise print help).
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import type { CommandSpec } from './command.js';
import { genClient } from './commands/gen-client.js';
import { check } from './commands/check.js';
import { fetch } from './commands/fetch.js';
import { csr } from './commands/csr.js';
import { genCa } from './commands/gen-ca.js';
import { genIntermediate } from './commands/gen-intermediate.js';
import { issue } from './commands/issue.js';
import { expiry } from './commands/expiry.js';
import { inspect } from './commands/inspect.js';
import { renewClient } from './commands/renew-client.js';
import { stunnel } from './commands/stunnel.js';
import { redisConf } from './commands/redis-conf.js';
import { exportP12 } from './commands/export-p12.js';
import { chain } from './commands/chain.js';
import { verify } from './commands/verify.js';
import { snippet } from './commands/snippet.js';
import { EXIT_CANNOT_RUN, EXIT_CODES_HELP, EXIT_OK, EXIT_OUTPUT_CLOSED } from './exit-codes.js';
import {
  line,
  parserUsageError,
  printLines,
  processIo,
  reportError,
  UsageError,
} from './output.js';
import {
  applyOptionRules,
  optionLabel,
  optionTable,
  rejectRepeated,
  withMaxInput,
} from './options.js';
import type { OptionInfo, OptionRule } from './options.js';
import type { Io } from './output.js';
import {
  checkStdinUse,
  prepareArguments,
  restoreStdin,
  showStdin,
  unknownOptionMessage,
} from './arguments.js';
import type { KnownOptions, Prepared } from './arguments.js';
import { COMPLETION_HELP, examplesMark, helpWidth, withExamples } from './help.js';
import type { Example } from './help.js';
import { VERSION } from './version.js';

// Each command module's builder is light; its runner imports core on demand. Listed in the
// order of the Redis workflow, as `certs --help` shows them.
const COMMANDS: readonly CommandSpec<never>[] = [
  genClient as unknown as CommandSpec<never>,
  chain as unknown as CommandSpec<never>,
  check as unknown as CommandSpec<never>,
  fetch as unknown as CommandSpec<never>,
  verify as unknown as CommandSpec<never>,
  genCa as unknown as CommandSpec<never>,
  genIntermediate as unknown as CommandSpec<never>,
  issue as unknown as CommandSpec<never>,
  csr as unknown as CommandSpec<never>,
  stunnel as unknown as CommandSpec<never>,
  redisConf as unknown as CommandSpec<never>,
  snippet as unknown as CommandSpec<never>,
  inspect as unknown as CommandSpec<never>,
  expiry as unknown as CommandSpec<never>,
  renewClient as unknown as CommandSpec<never>,
  exportP12 as unknown as CommandSpec<never>,
];

/** The examples of `certs --help`. */
const TOP_EXAMPLES: readonly Example[] = [
  ['certs gen-client --out client --cn app', 'make keyclient.pem + cert.pem in ./client'],
  ['certs chain certsvr1.pem certsvr2.pem -o servercerts.pem', 'one clean trust bundle'],
  [
    'certs check --cluster redislabs.com proxy_cert.pem',
    'is it right for redis-<port>.redislabs.com?',
  ],
  [
    'certs check --cluster redislabs.com --endpoint redis-12000.redislabs.com:12000',
    'the same, live',
  ],
  [
    'certs fetch redis-12000.redislabs.com:12000 | certs chain - ca.pem -o bundle.pem',
    'what the endpoint presents, joined with ca.pem',
  ],
  ['certs help gen-client', 'every option of a command, with examples'],
];

/** A command's name: the first word of its yargs command string. */
function nameOf(spec: CommandSpec<never>): string {
  return spec.command.split(' ')[0] ?? spec.command;
}

/** One positional argument of a command, from its command string (`<files..>`, `[file]`). */
export interface PositionalInfo {
  readonly name: string;
  readonly required: boolean;
  readonly array: boolean;
}

function positionalsOf(command: string): PositionalInfo[] {
  return [...command.matchAll(/([<[])([a-z-]+)(\.\.)?[>\]]/g)].map((m) => ({
    name: m[2] ?? '',
    required: m[1] === '<',
    array: m[3] !== undefined,
  }));
}

/** Everything a command defines, read from its yargs definition: for checks and tests. */
export interface CommandInfo {
  readonly name: string;
  readonly positionals: readonly PositionalInfo[];
  readonly options: readonly OptionInfo[];
  readonly rules: readonly OptionRule[];
  readonly examples: readonly Example[];
}

/**
 * Every command with its positionals, options (as yargs holds them, global `--max-input`
 * included), rules and examples. Tests walk it, so that an option added later is covered.
 */
export function commandTable(): CommandInfo[] {
  return COMMANDS.map((spec) => {
    const positionals = positionalsOf(spec.command);
    const built = spec.builder(withMaxInput(yargs([])));
    return {
      name: nameOf(spec),
      positionals,
      options: optionTable(
        built,
        positionals.map((p) => p.name),
      ),
      rules: spec.rules ?? [],
      examples: spec.examples,
    };
  });
}

/** The names an unknown-option message may suggest: a command's options and yargs' own. */
function knownOptions(table: readonly OptionInfo[]): KnownOptions {
  return {
    names: new Set(['help', 'h', 'version', 'V', ...table.flatMap((o) => [o.name, ...o.aliases])]),
    booleans: new Set(table.filter((o) => o.type === 'boolean').map((o) => o.name)),
    passphraseFiles: table.map((o) => o.name).filter((n) => n.endsWith('passphrase-file')),
  };
}

/** Runs `certs` with the given arguments; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const json = argv.includes('--json');
  let prepared: Prepared;
  try {
    prepared = prepareArguments(argv, [...COMMANDS.map(nameOf), 'help', 'completion']);
  } catch (error) {
    return reportError(io, error, json);
  }
  if (prepared.kind === 'completion-help') {
    io.stdout(COMPLETION_HELP);
    return EXIT_OK;
  }
  const args = prepared.argv;
  let exitCode = EXIT_OK;
  let commandName: string | undefined;
  let known: KnownOptions | undefined;
  let options: readonly OptionInfo[] = [];
  const examples = new Map<string, readonly Example[]>([['', TOP_EXAMPLES]]);
  const parser: Argv = withMaxInput(yargs([...args]))
    // Options are read as typed (--key-type), never as a camelCase twin yargs would add.
    .parserConfiguration({ 'camel-case-expansion': false })
    .scriptName('certs')
    .usage(
      'certs <command> [options]\n\nCertificates for TLS-secured Redis connections: client identities, trust bundles, checks.',
    )
    .strict()
    .demandCommand(1, 'name a command')
    .exitProcess(false)
    .showHelpOnFail(false)
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .alias('V', 'version')
    .wrap(helpWidth())
    .epilogue(`${examplesMark('')}\n\n${EXIT_CODES_HELP}`)
    .fail((message: string | undefined, error: Error | undefined) => {
      // yargs reports its own parsing errors (a flag without its value, …) as a YError: those
      // are usage errors too. Anything else comes from a command and keeps its identity.
      if (error !== undefined && error.name !== 'YError') throw error;
      const text = message ?? error?.message ?? 'invalid usage';
      // An unknown option is the first thing to fix, whatever else yargs found first (a
      // required option "missing" because it was mistyped).
      const unknown = known === undefined ? undefined : unknownOptionMessage(args, known);
      if (unknown !== undefined) throw new UsageError(unknown);
      throw parserUsageError(showStdin(text));
    });
  for (const spec of COMMANDS) {
    const name = nameOf(spec);
    const positionals = positionalsOf(spec.command).map((p) => p.name);
    examples.set(name, spec.examples);
    parser.command(
      spec.command,
      spec.describe,
      (y) => {
        const built = spec.builder(y);
        const table = optionTable(built, positionals);
        known = knownOptions(table);
        options = table;
        return built
          .check((parsed) => {
            rejectRepeated(parsed, table);
            return true;
          })
          .epilogue(`${examplesMark(name)}\n\n${EXIT_CODES_HELP}`);
      },
      async (parsed) => {
        commandName = name;
        restoreStdin(parsed);
        checkStdinUse(
          parsed,
          [...options.filter((o) => !o.output).map((o) => o.name), ...positionals],
          options.filter((o) => o.output).map((o) => ({ name: o.name, label: optionLabel(o) })),
        );
        const notes = applyOptionRules(parsed, spec.rules ?? []);
        // With --json, stdout's one document is the whole answer; notes are for people.
        if (!json)
          printLines(
            io,
            'stderr',
            notes.map((note) => line`certs: ${note}`),
          );
        exitCode = await spec.run(parsed, io);
      },
    );
  }
  parser
    .command('help [command]', "show a command's help, as certs COMMAND --help does")
    // bash/zsh completion script (yargs's own): certs completion >> ~/.bashrc (or ~/.zshrc).
    .completion('completion', 'print a bash/zsh completion script: certs completion >> ~/.bashrc');
  try {
    let output = '';
    // With a callback, yargs hands its output (help, version, completion) over instead of
    // printing it: the examples go in, and everything reaches stdout through `io`.
    await parser.parseAsync([...args], {}, (_error, _argv, text: string) => {
      output = text;
    });
    if (output !== '') io.stdout(`${withExamples(output, (c) => examples.get(c) ?? [])}\n`);
    return exitCode;
  } catch (error) {
    return reportError(io, error, json, commandName ?? prepared.command);
  }
}

/**
 * What bin.ts does when stdout or stderr fails: a closed pipe (`certs inspect … | head -1`)
 * ends the command at once and silently, with status 141 as for SIGPIPE (exit-codes.ts); any
 * other write error goes to `onOther` (the crash handler).
 */
export function outputErrorHandler(onOther: (error: unknown) => void): (error: unknown) => void {
  return (error) => {
    if ((error as NodeJS.ErrnoException | null)?.code === 'EPIPE') process.exit(EXIT_OUTPUT_CLOSED);
    onOther(error);
  };
}

/**
 * The last resort for an error no promise carries (one thrown in an event handler): reported
 * like any other, one line or the JSON error document, never a stack trace, and exit 2 at once
 * (the process is in no state to go on). bin.ts installs it for `uncaughtException` and
 * `unhandledRejection`.
 */
export function crashHandler(
  argv: readonly string[],
  io: Io = processIo,
): (error: unknown) => void {
  return (error) => {
    process.exit(reportError(io, error, argv.includes('--json')));
  };
}

export { EXIT_CANNOT_RUN };
