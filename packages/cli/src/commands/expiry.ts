/** `certs expiry`: days left for every certificate; exit 1 when any needs renewal (cron, monitoring). */
import { defineCommand } from '../command.js';
import type { ExpiryTargetsReport } from '@certkit/core';
import { endpointRunOptions, runWithProgress, withEndpointOptions } from '../endpoint-run.js';
import { EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withTimeout } from '../options.js';
import { line, paint, printJson, printLines, UsageError } from '../output.js';
import type { Io, TerminalText } from '../output.js';
import { escapeControlCharacters } from '@certkit/core/display';

/** One row of the table: plain cells (escaped when printed) and the status colour. */
interface Row {
  readonly status: string;
  readonly colour: 'red' | 'yellow' | 'green';
  readonly cells: readonly string[];
}

function rowsOf(report: ExpiryTargetsReport): Row[] {
  const rows: Row[] = report.certificates.map((c) => ({
    status: c.expired ? 'EXPIRED' : c.needsRenewal ? 'RENEW' : 'ok',
    colour: c.expired ? 'red' : c.needsRenewal ? 'yellow' : 'green',
    cells: [
      String(c.daysLeft),
      c.notAfter.slice(0, 10),
      c.sourceKind === 'endpoint'
        ? `${c.source} #${String(c.index)}`
        : `${c.source}#${String(c.index)}`,
      c.subject,
    ],
  }));
  for (const u of report.unreadable) {
    // An endpoint that gave no chain: FAILED, as fetch and check say it.
    const status = u.sourceKind === 'endpoint' ? 'FAILED' : 'UNREADABLE';
    rows.push({ status, colour: 'red', cells: ['-', '-', u.source, u.message] });
  }
  return rows;
}

/**
 * The table, columns aligned on the width each cell has once escaped (a control character shows
 * as `\x1b`, four columns). Status first, so that `grep -v '^ok'` keeps what needs attention.
 */
function tableLines(io: Io, report: ExpiryTargetsReport): TerminalText[] {
  const rows = rowsOf(report);
  const width = (text: string): number => escapeControlCharacters(text).length;
  const columns = (row: Row): string[] => [row.status, ...row.cells];
  const header = ['STATUS', 'DAYS', 'EXPIRES', 'SOURCE', 'SUBJECT'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => width(columns(r)[i] ?? ''))),
  );
  const fill = (text: string, i: number): string =>
    ' '.repeat(Math.max((widths[i] ?? 0) - width(text), 0));
  const tty = io.stdoutIsTty;
  // Padding is the program's own text; the values are escaped by line`…`. DAYS is right-aligned.
  const out: TerminalText[] = [
    line`${header[0] ?? ''}${fill('STATUS', 0)}  ${fill('DAYS', 1)}DAYS  EXPIRES${fill('EXPIRES', 2)}  SOURCE${fill('SOURCE', 3)}  SUBJECT`,
  ];
  for (const row of rows) {
    const [days = '', date = '', source = '', subject = ''] = row.cells;
    out.push(
      line`${paint(row.status, row.colour, tty)}${fill(row.status, 0)}  ${fill(days, 1)}${days}  ${date}${fill(date, 2)}  ${source}${fill(source, 3)}  ${subject}`,
    );
  }
  return out;
}

function summary(report: ExpiryTargetsReport): TerminalText {
  const count = report.certificates.length;
  const unreadable = new Set(
    report.unreadable.filter((u) => u.sourceKind !== 'endpoint').map((u) => u.source),
  ).size;
  const due =
    report.renewalCount === 0
      ? `${String(count)} certificate${count === 1 ? '' : 's'}, none needs renewal`
      : `${String(report.renewalCount)} of ${String(count)} need${report.renewalCount === 1 ? 's' : ''} renewal`;
  const { tally } = report;
  const endpoints =
    tally === null
      ? ''
      : `; ${tally.interrupted ? 'interrupted: ' : ''}${String(tally.total)} endpoint${tally.total === 1 ? '' : 's'}: ${String(tally.succeeded)} fetched, ${String(tally.failed)} failed${tally.notStarted > 0 ? `, ${String(tally.notStarted)} not started` : ''}`;
  return line`${due}${unreadable === 0 ? '' : `; ${String(unreadable)} input${unreadable === 1 ? '' : 's'} could not be read`}${endpoints}`;
}

/** The first three of `items` and how many more, for a one-line message. */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, 3).join(', ');
  return items.length > 3 ? `${shown} and ${String(items.length - 3)} more` : shown;
}

/**
 * 130 when interrupted; 2 when a file or folder could not be read (after the full report) or
 * nothing held a certificate; else 1 when one is due or an endpoint failed (a row, as in fetch and
 * check); else 0.
 */
function exitCodeOf(report: ExpiryTargetsReport): number {
  if (report.tally?.interrupted === true) return EXIT_INTERRUPTED;
  const endpointFailed = report.endpoints.some((e) => !e.ok);
  if (report.unreadable.some((u) => u.sourceKind !== 'endpoint')) return EXIT_CANNOT_RUN;
  if (report.certificates.length === 0 && !endpointFailed) return EXIT_CANNOT_RUN;
  return report.renewalCount > 0 || endpointFailed ? EXIT_FINDINGS : EXIT_OK;
}

export const expiry = defineCommand({
  command: 'expiry [inputs..]',
  describe:
    'list certificates (files, folders, live endpoints) with days left; exit 1 when any needs renewal',
  builder: (y) =>
    withEndpointOptions(withTimeout(y))
      .usage(
        'certs expiry FILE|FOLDER|HOST:PORT… [--endpoints FILE] [-r] [--within 30d|10%] [--format text|json|prometheus]\n\nLists every certificate of every file, of every file of every folder (-r: and its sub-folders; names starting with a dot are left out), and of the chain every endpoint presents (an input that looks like HOST:PORT is an endpoint: write ./NAME for such a file; endpoints are fetched many at once, --concurrency, default 16), soonest expiry first, with the days it has left. Keys, requests and other blocks are skipped with a note on stderr, and so are files of a folder that hold no PEM. An input that cannot be read is a row of its own; the rest is still reported. --within 30d (days left, the default) or --within 10% (share of the lifetime left) is the renewal window. --format prometheus writes node_exporter textfile-collector metrics: certkit_certificate_expiry_timestamp_seconds (notAfter, Unix seconds) per certificate, certkit_expiry_input_unreadable per unreadable input. An endpoint that cannot be reached is a FAILED row. Exit 2 when a file or folder could not be read (or nothing held a certificate), else 1 when any certificate needs renewal or an endpoint failed, else 0.',
      )
      .positional('inputs', {
        type: 'string',
        array: true,
        describe: 'certificate files or folders (- reads standard input), or endpoints HOST:PORT',
      })
      .option('recursive', {
        alias: 'r',
        type: 'boolean',
        default: false,
        describe: 'enter the sub-folders of the folders named',
      })
      .option('within', {
        type: 'string',
        default: '30d',
        describe: 'renewal window: 30d (days left) or 10% (lifetime left)',
        requiresArg: true,
      })
      .option('format', {
        choices: ['text', 'json', 'prometheus'] as const,
        default: 'text' as const,
        describe: 'text (a table), json (one document) or prometheus (textfile-collector metrics)',
      })
      .option('sni', {
        type: 'string',
        requiresArg: true,
        describe: 'SNI name to send to endpoints (default: the host)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout (--format json)',
      }),
  examples: [
    ['certs expiry client/*.pem', 'keys next to certificates are skipped with a note'],
    ['certs expiry -r /etc/redis/tls', 'every certificate under a folder'],
    ['certs expiry --within 10% cert.pem', 'renew when under a tenth of the lifetime is left'],
    [
      'certs expiry -r /etc/redis --format prometheus > certkit.prom.tmp; mv certkit.prom.tmp /var/lib/node_exporter/textfile/certkit.prom',
      'metrics for node_exporter (from cron; mv makes the update atomic)',
    ],
    ['certs expiry --json servercerts.pem', 'machine-readable, for monitoring'],
    [
      'certs expiry redis-12000.cluster.example.com:12000 --all-addresses',
      'what every node of the cluster presents',
    ],
    ['certs expiry --endpoints fleet.txt --json', 'a fleet, machine-readable'],
  ],
  run: async (args, io) => {
    // Not an option rule: with --json the refusal itself is a JSON document.
    if (args.json && args.format === 'prometheus') {
      throw new UsageError('--json and --format prometheus ask for two formats: give one');
    }
    const format = args.json ? 'json' : args.format;
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const timeoutMs = timeoutFrom(args);
    const inputs = args.inputs ?? [];
    const report = await runWithProgress(io, 'fetching', ({ signal, onProgress }) =>
      core.checkExpiryTargets(inputs, {
        ...endpointRunOptions(args),
        within: args.within,
        recursive: args.recursive,
        signal,
        onProgress,
        ...(args.sni === undefined ? {} : { servername: args.sni }),
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      }),
    );
    const code = exitCodeOf(report);
    // No certificate at all is one line naming the inputs and what was found there instead.
    const none =
      report.certificates.length === 0 && report.unreadable.length === 0
        ? `no certificate in ${listed(inputs)}${report.notes.length === 0 ? '' : `: ${listed(report.notes.map((n) => n.message))}`}`
        : undefined;
    // An endpoint that failed is a finding row (exit 1), not an error of the run.
    const first = report.unreadable.find((u) => u.sourceKind !== 'endpoint');
    if (format === 'json') {
      printJson(io, {
        ...report,
        ok: code === EXIT_OK,
        // The first problem as the error every --json document has on failure; all are listed.
        ...(none === undefined
          ? first === undefined
            ? {}
            : { error: { code: first.code, message: first.message } }
          : { error: { code: 'NO_CERTIFICATE', message: none } }),
      });
      return code;
    }
    if (none === undefined) {
      printLines(
        io,
        'stderr',
        report.notes.map((note) => line`certs: note: ${note.message}`),
      );
    }
    if (format === 'prometheus') {
      io.stdout(core.renderExpiryMetrics(report));
    } else {
      if (none === undefined)
        printLines(io, 'stdout', [...tableLines(io, report), summary(report)]);
    }
    if (none !== undefined) printLines(io, 'stderr', [line`certs: ${none}`]);
    return code;
  },
});
