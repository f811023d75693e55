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
import { exportP12 } from './commands/export-p12.js';
import { chain } from './commands/chain.js';
import { verify } from './commands/verify.js';
import { EXIT_CANNOT_RUN, EXIT_CODES_HELP, EXIT_OK } from './exit-codes.js';
import { parserUsageError, processIo, reportError } from './output.js';
import { withMaxInput } from './options.js';
import type { Io } from './output.js';
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
  inspect as unknown as CommandSpec<never>,
  expiry as unknown as CommandSpec<never>,
  renewClient as unknown as CommandSpec<never>,
  exportP12 as unknown as CommandSpec<never>,
];

/** Runs `certs` with the given arguments; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const json = argv.includes('--json');
  let exitCode = EXIT_OK;
  let commandName: string | undefined;
  const parser: Argv = withMaxInput(yargs([...argv]))
    .scriptName('certs')
    .usage(
      'certs <command> [options]\n\nCertificates for TLS-secured Redis connections: client identities, trust bundles, checks.',
    )
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .exitProcess(false)
    .showHelpOnFail(false)
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .alias('V', 'version')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .example('certs gen-client --out client --cn app', 'make keyclient.pem + cert.pem in ./client')
    .example('certs chain certsvr1.pem certsvr2.pem -o servercerts.pem', 'one clean trust bundle')
    .example(
      'certs check --cluster redislabs.com proxy_cert.pem',
      'is it right for redis-*.redislabs.com?',
    )
    .example(
      'certs check --cluster redislabs.com --endpoint redis-12000.redislabs.com:12000',
      'live',
    )
    .epilogue(EXIT_CODES_HELP)
    // bash/zsh completion script (yargs's own): certs completion >> ~/.bashrc (or ~/.zshrc).
    .completion('completion', 'print a bash/zsh completion script: certs completion >> ~/.bashrc')
    .fail((message: string | undefined, error: Error | undefined) => {
      // yargs reports its own parsing errors (a flag without its value, …) as a YError: those
      // are usage errors too. Anything else comes from a command and keeps its identity.
      if (error !== undefined && error.name !== 'YError') throw error;
      throw parserUsageError(message ?? error?.message ?? 'invalid usage');
    });
  for (const spec of COMMANDS) {
    parser.command(
      spec.command,
      spec.describe,
      (y) => spec.builder(y).epilogue(EXIT_CODES_HELP),
      async (args) => {
        commandName = spec.command.split(' ')[0];
        exitCode = await spec.run(args, io);
      },
    );
  }
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    return reportError(io, error, json, commandName ?? argv.find((a) => !a.startsWith('-')));
  }
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
