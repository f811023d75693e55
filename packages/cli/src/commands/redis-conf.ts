/** `certs redis-conf lint FILE`: the TLS directives of a redis.conf (or valkey.conf), judged. */
import type { RedisConfFinding, RedisConfLintReport } from '@certkit/core';
import { defineCommand } from '../command.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withPassphraseFile, withTimeout } from '../options.js';
import { escapedByCore, line, paint, printJson, printLines, UsageError } from '../output.js';
import type { Io, TerminalText } from '../output.js';

/** The settings shown on the first line of the report, when in effect. */
const SUMMARY = ['port', 'tls-port', 'tls-auth-clients', 'tls-replication', 'tls-cluster'];

function mark(f: RedisConfFinding, tty: boolean): TerminalText {
  if (f.severity === 'error') return paint('error', 'red', tty);
  if (f.severity === 'warning') return paint('warning', 'yellow', tty);
  return paint('info', 'dim', tty);
}

function plural(n: number, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}

function printReport(io: Io, report: RedisConfLintReport): void {
  const tty = io.stdoutIsTty;
  const settings = report.settings
    .filter((s) => SUMMARY.includes(s.directive))
    .map((s) => `${s.directive} ${s.value}${s.line === undefined ? ' (default)' : ''}`)
    .join(', ');
  const out: TerminalText[] = [line`${paint(report.source, 'bold', tty)}: ${settings}`];
  if (report.probe !== undefined) {
    out.push(
      line`${report.probe.endpoint}: live tls-auth-clients ${report.probe.verdict}: ${escapedByCore(report.probe.evidence)}`,
    );
  }
  for (const f of report.findings) {
    const at = f.line === undefined ? '' : `:${String(f.line)}`;
    out.push(line`${report.source}${at}: ${mark(f, tty)} ${f.code}: ${escapedByCore(f.message)}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  out.push(
    report.ok
      ? line`${paint(`${report.source}: ok (${plural(warnings, 'warning')})`, 'green', tty)}`
      : line`${paint(`${report.source}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`, 'red', tty)}`,
  );
  printLines(io, 'stdout', out);
}

export const redisConf = defineCommand({
  command: 'redis-conf [action] [file]',
  describe:
    'lint the TLS directives of a redis.conf or valkey.conf (redis-conf lint FILE), optionally against the live server',
  builder: (y) =>
    withTimeout(withPassphraseFile(y, 'of an encrypted --client-key'))
      .usage(
        'certs redis-conf lint FILE [--endpoint HOST:PORT [--client-cert FILE --client-key FILE]] [--json]\n\nReads FILE as redis-server 7 does (quotes and \\xHH escapes, "#" only at the start of a line, directives in any case, the last line of a directive wins; include lines are reported, not followed) and checks its TLS directives against each other and against the files they name: port left open next to tls-port (plain text still served, the default port 6379 included); replicaof or cluster-enabled without tls-replication / tls-cluster; tls-auth-clients optional or no, and next to either every enabled user without a password (nopass, or the default user without requirepass) as a way in with no credential; a tls-cert-file that does not start with the certificate of tls-key-file, a key that does not match, an encrypted key without tls-key-file-pass (tls-client-key-file-pass), unreadable files; a tls-ca-cert-dir without the <hash>.0 names OpenSSL looks certificates up by (openssl rehash); tls-protocols allowing TLSv1 or TLSv1.1; and a client certificate without clientAuth (tls-client-cert-file, or tls-cert-file when redis presents it to its master or cluster peers). Every finding names its line. Relative paths resolve as redis-server resolves them: against the last dir line, else the folder of FILE.\n\nWith --endpoint, the live server is probed with two handshakes, without a client certificate and with the one the file names (tls-client-cert-file/tls-client-key-file, else tls-cert-file/tls-key-file) or --client-cert/--client-key: whether it asks for a certificate and whether it lets a client without one in tells tls-auth-clients yes, optional and no apart, which is compared with the file. Exit 1 on any error finding; 2 when FILE cannot be read or is no redis configuration.',
      )
      .positional('action', {
        choices: ['lint'] as const,
        describe: 'lint the configuration',
      })
      .positional('file', { type: 'string', describe: 'redis.conf or valkey.conf to lint' })
      .option('endpoint', {
        type: 'string',
        requiresArg: true,
        describe: 'the server HOST:PORT (its tls-port): probe its tls-auth-clients',
      })
      .option('client-cert', {
        type: 'string',
        requiresArg: true,
        describe: 'client certificate for the probe (default: the one the file names)',
      })
      .option('client-key', {
        type: 'string',
        requiresArg: true,
        describe: 'private key of --client-cert',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    ['certs redis-conf lint /etc/redis/redis.conf', 'judge the TLS directives and files'],
    ['certs redis-conf lint redis.conf --endpoint 127.0.0.1:6380', 'and the live server'],
    ['certs redis-conf lint /etc/valkey/valkey.conf --json', 'machine-readable'],
  ],
  rules: [
    {
      when: { option: 'client-cert' },
      needs: [{ option: 'client-key' }],
      why: 'the probe presents a certificate with its key',
    },
    {
      when: { option: 'client-key' },
      needs: [{ option: 'client-cert' }],
      why: 'the probe presents a certificate with its key',
    },
    {
      when: { option: 'client-cert' },
      needs: [{ option: 'endpoint' }],
      why: 'the identity is presented to the live server',
    },
    {
      when: { option: 'passphrase-file' },
      needs: [{ option: 'client-key' }],
      why: 'it decrypts --client-key (the file names its own key passphrases)',
    },
    {
      when: { option: 'timeout' },
      needs: [{ option: 'endpoint' }],
      why: 'it bounds each handshake of the probe',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const timeoutMs = timeoutFrom(args);
    if (args.action === undefined || args.file === undefined)
      throw new UsageError('name the configuration: certs redis-conf lint FILE');
    const report = await core.lintRedisConfFile(args.file, {
      ...(args.endpoint === undefined ? {} : { endpoint: args.endpoint }),
      ...(args['client-cert'] === undefined ? {} : { clientCertPath: args['client-cert'] }),
      ...(args['client-key'] === undefined ? {} : { clientKeyPath: args['client-key'] }),
      ...(args['passphrase-file'] === undefined ? {} : { passphrasePath: args['passphrase-file'] }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
    });
    if (args.json) printJson(io, report);
    else printReport(io, report);
    return report.ok ? EXIT_OK : EXIT_FINDINGS;
  },
});
