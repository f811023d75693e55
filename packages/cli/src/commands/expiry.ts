/** `certs expiry`: days left for every certificate; exit 1 when any needs renewal (cron, monitoring). */
import { defineCommand } from '../command.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';

export const expiry = defineCommand({
  command: 'expiry <files..>',
  describe: 'list certificates with days left; exit 1 when any needs renewal',
  builder: (y) =>
    y
      .usage(
        'certs expiry FILE… [--within 30d|10%] [--json]\n\nLists every certificate of every file with the days it has left. Exits 1 when any is expired or inside the renewal window: --within 30d (days left, the default) or --within 10% (share of its lifetime left). For cron and monitoring: `certs expiry /etc/redis/*.pem || alert`.',
      )
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'certificate files; - reads standard input',
      })
      .option('within', {
        type: 'string',
        default: '30d',
        describe: 'renewal window: 30d (days left) or 10% (lifetime left)',
        requiresArg: true,
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
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxBytes = maxInputFrom(args);
    const report = await core.checkExpiryFiles(args.files, {
      within: args.within,
      ...(maxBytes === undefined ? {} : { maxBytes }),
    });
    if (args.json) {
      printJson(io, report);
    } else {
      const tty = io.stdoutIsTty;
      const lines = report.certificates.map((c) => {
        const state = c.expired
          ? paint(`EXPIRED ${String(-c.daysLeft)} days ago`, 'red', tty)
          : c.needsRenewal
            ? paint(`RENEW: ${String(c.daysLeft)} days left`, 'yellow', tty)
            : paint(`ok: ${String(c.daysLeft)} days left`, 'green', tty);
        return line`${c.source}#${c.index}  ${c.notAfter}  ${state}  ${c.subject}`;
      });
      const count = report.certificates.length;
      lines.push(
        report.ok
          ? line`${count} certificate${count === 1 ? '' : 's'}, none needs renewal`
          : line`${report.renewalCount} of ${count} need${report.renewalCount === 1 ? 's' : ''} renewal`,
      );
      printLines(io, 'stdout', lines);
    }
    return report.ok ? EXIT_OK : EXIT_FINDINGS;
  },
});
