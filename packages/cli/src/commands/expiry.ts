/** `certs expiry`: days left for every certificate; exit 1 when any needs renewal (cron, monitoring). */
import { defineCommand } from '../command.js';
import { endpointRunOptions, runWithProgress, withEndpointOptions } from '../endpoint-run.js';
import { EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withTimeout } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';
import type { TerminalText } from '../output.js';

export const expiry = defineCommand({
  command: 'expiry [inputs..]',
  describe:
    'list certificates (files or live endpoints) with days left; exit 1 when any needs renewal',
  builder: (y) =>
    withEndpointOptions(withTimeout(y))
      .usage(
        'certs expiry FILE|HOST:PORT… [--endpoints FILE] [--within 30d|10%] [--json]\n\nLists every certificate of every file, and of the chain every endpoint presents (an input that looks like HOST:PORT is an endpoint: write ./NAME for such a file), with the days it has left. Exits 1 when any is expired or inside the renewal window, or an endpoint cannot be reached: --within 30d (days left, the default) or --within 10% (share of its lifetime left). Endpoints are fetched many at once (--concurrency, default 16). For cron and monitoring: `certs expiry /etc/redis/*.pem || alert`.',
      )
      .positional('inputs', {
        type: 'string',
        array: true,
        describe: 'certificate files (- reads standard input), or endpoints HOST:PORT',
      })
      .option('within', {
        type: 'string',
        default: '30d',
        describe: 'renewal window: 30d (days left) or 10% (lifetime left)',
        requiresArg: true,
      })
      .option('sni', {
        type: 'string',
        requiresArg: true,
        describe: 'SNI name to send to endpoints (default: the host)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    ['certs expiry proxy_cert.pem cert.pem', 'exit 1 if any has 30 days or fewer left'],
    ['certs expiry --within 10% cert.pem', 'renew when under a tenth of the lifetime is left'],
    ['certs expiry --json servercerts.pem', 'machine-readable, for monitoring'],
    [
      'certs expiry redis-12000.cluster.example.com:12000 --all-addresses',
      'what every node of the cluster presents',
    ],
    ['certs expiry --endpoints fleet.txt --json', 'a fleet, machine-readable'],
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const timeoutMs = timeoutFrom(args);
    const report = await runWithProgress(io, 'fetching', ({ signal, onProgress }) =>
      core.checkExpiryTargets(args.inputs ?? [], {
        ...endpointRunOptions(args),
        within: args.within,
        signal,
        onProgress,
        ...(args.sni === undefined ? {} : { servername: args.sni }),
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      }),
    );
    const interrupted = report.tally?.interrupted === true;
    const code = interrupted ? EXIT_INTERRUPTED : report.ok ? EXIT_OK : EXIT_FINDINGS;
    if (args.json) {
      printJson(io, report);
      return code;
    }
    const tty = io.stdoutIsTty;
    const lines: TerminalText[] = report.certificates.map((c) => {
      const state = c.expired
        ? paint(`EXPIRED ${String(-c.daysLeft)} days ago`, 'red', tty)
        : c.needsRenewal
          ? paint(`RENEW: ${String(c.daysLeft)} days left`, 'yellow', tty)
          : paint(`ok: ${String(c.daysLeft)} days left`, 'green', tty);
      return line`${c.source}#${c.index}  ${c.notAfter}  ${state}  ${c.subject}`;
    });
    for (const e of report.endpoints) {
      if (e.ok) continue;
      const at = e.address === undefined || e.address === e.host ? '' : ` (${e.address})`;
      lines.push(line`${e.endpoint}${at}  ${paint('FAILED', 'red', tty)}  ${e.failure.reason}`);
    }
    const count = report.certificates.length;
    lines.push(
      report.renewalCount === 0
        ? line`${count} certificate${count === 1 ? '' : 's'}, none needs renewal`
        : line`${report.renewalCount} of ${count} need${report.renewalCount === 1 ? 's' : ''} renewal`,
    );
    const tally = report.tally;
    if (tally !== null) {
      lines.push(
        line`${interrupted ? 'interrupted: ' : ''}${tally.total} endpoint${tally.total === 1 ? '' : 's'}: ${tally.succeeded} fetched, ${tally.failed} failed${tally.notStarted > 0 ? `, ${String(tally.notStarted)} not started` : ''}`,
      );
    }
    printLines(io, 'stdout', lines);
    return code;
  },
});
