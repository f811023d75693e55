#!/usr/bin/env node
/**
 * The `certs` executable. `certs --version` is answered before yargs loads: that alone costs
 * ~30 ms of a ~90 ms start-up (bench/RESULTS.md, case "start-up"); everything else goes to main,
 * with main's crash handler for what escapes every promise, and its output-error handler for a
 * closed pipe (`certs inspect … | head -1` ends quietly, status 141).
 */
import { EXIT_INTERRUPTED } from './exit-codes.js';
import { VERSION } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Exactly what yargs' .version() prints.
  process.stdout.write(`${VERSION}\n`);
} else {
  const { crashHandler, main, outputErrorHandler } = await import('./main.js');
  const crash = crashHandler(argv);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.stdout.on('error', outputErrorHandler(crash));
  process.stderr.on('error', outputErrorHandler(crash));
  process.exitCode = await main(argv);
  if (process.exitCode === EXIT_INTERRUPTED) {
    // What was done is printed: now end as Ctrl-C ends a process, so that the shell (and a
    // script looping over certs) sees the interrupt, not an ordinary exit.
    process.removeAllListeners('SIGINT');
    process.kill(process.pid, 'SIGINT');
  }
}
