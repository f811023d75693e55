/**
 * `certs stunnel`: write a safe stunnel client configuration; `certs stunnel lint FILE`: judge
 * one; `certs stunnel test FILE`: run stunnel on it and send PING through it.
 */
import type { StunnelLintReport } from '@certkit/core';
import { defineCommand } from '../command.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withPassphraseFile } from '../options.js';
import { line, paint, printJson, printLines, style, UsageError } from '../output.js';
import { printNextSteps, shellWord } from '../next-steps.js';
import type { Io } from '../output.js';

function printReport(io: Io, report: StunnelLintReport): void {
  const tty = io.stdoutIsTty;
  const lines = report.findings.map((f) => {
    const tag =
      f.severity === 'error'
        ? style('error', 'red', tty)
        : f.severity === 'warning'
          ? style('warning', 'yellow', tty)
          : 'info';
    return `${report.source}${f.line === undefined ? '' : `:${String(f.line)}`}: ${tag} ${f.code}: ${f.message}`;
  });
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  lines.push(
    report.ok
      ? style(
          `${report.source}: ok (${String(report.services.length)} service${report.services.length === 1 ? '' : 's'}, ${String(warnings)} warning${warnings === 1 ? '' : 's'})`,
          'green',
          tty,
        )
      : style(
          `${report.source}: ${String(errors)} error${errors === 1 ? '' : 's'}, ${String(warnings)} warning${warnings === 1 ? '' : 's'}`,
          'red',
          tty,
        ),
  );
  io.stdout(`${lines.join('\n')}\n`);
}

/** The options of the writer, which `stunnel lint` has no use for. */
const WRITE_OPTIONS = [
  'cert',
  'key',
  'cafile',
  'connect',
  'accept',
  'check-host',
  'sni',
  'service',
  'foreground',
  'output',
  'log',
  'force',
];

export const stunnel = defineCommand({
  command: 'stunnel [action] [file]',
  describe:
    'write a stunnel client configuration with safe defaults, lint one (stunnel lint FILE), or test it (stunnel test FILE)',
  builder: (y) =>
    withPassphraseFile(y, 'of an encrypted --key (lint: of the key the configuration names)')
      .usage(
        'certs stunnel --cert FILE --key FILE --cafile FILE --connect HOST:PORT [options]\ncerts stunnel lint FILE [--no-probe | --ping] [--json]\ncerts stunnel test FILE [--timeout SECONDS] [--json]\n\nWrites the stunnel client configuration of the Redis documentation with safe defaults: client = yes, verifyChain = yes, checkHost = <endpoint host> (verify = 2 alone checks no name), sni, sslVersionMin = TLSv1.2 (stunnel defaults to TLSv1), delay = yes, absolute paths. --connect may be given again for failover endpoints (connect lines tried in order, failover = prio), the host of each endpoint a checkHost (or checkIP) line unless --check-host names the one name all present. Every value is checked against its type and bound (paths up to PATH_MAX without control characters, DNS names or IP addresses, ports 1-65535) before anything is written. The files are checked first (readable, certificate matches key); nothing is written otherwise. The configuration logs to a file next to it (output = redislabs.log; --log FILE for another).\n\n`lint` reads the file exactly as stunnel 5 does and reports: lines stunnel reads differently (a lone CR, a line over 16,383 bytes, a NUL byte), include, verify without checkHost, a missing or old sslVersionMin, no verification, unreadable files, a certificate that does not match its key, an expired client certificate, and (unless --no-probe) a CAfile that does not validate an endpoint or a name that does not match, for every connect line whose endpoint is reachable. The probe presents no client certificate; --ping also presents the one the file names and sends PING, as stunnel would. A key, certificate or DER file given as FILE is refused (exit 2). An encrypted key is a warning: stunnel would ask for its passphrase on a terminal, and under systemd stop there. Exit 1 on any error finding.\n\n`test` runs stunnel in the foreground on FILE (a temporary copy that logs to a file of its own and writes no pid file; FILE and its log are not touched), sends RESP PING through the first service’s accept address, prints PONG or the stunnel log lines that explain the refusal (e.g. Rejected by CERT at depth=1), and stops stunnel by its pid. Exit 0 on a reply, 1 when the tunnel gave none (stunnel refused the configuration, or the connection), 2 when the test cannot run (no stunnel, not a configuration, the accept address in use).',
      )
      .positional('action', {
        choices: ['lint', 'test'] as const,
        describe: 'lint an existing configuration, or test it with a real stunnel',
      })
      .positional('file', { type: 'string', describe: 'configuration file to lint or test' })
      .option('cert', {
        type: 'string',
        describe: 'client certificate (cert.pem)',
        requiresArg: true,
      })
      .option('key', {
        type: 'string',
        describe: 'client private key (keyclient.pem)',
        requiresArg: true,
      })
      .option('cafile', {
        type: 'string',
        describe: 'trusted server certificates (servercerts.pem)',
        requiresArg: true,
      })
      .option('connect', {
        type: 'string',
        array: true,
        // One endpoint a flag: the lint FILE after it stays a file.
        nargs: 1,
        describe:
          'database endpoint HOST:PORT (repeatable: failover endpoints, tried in order, each name checked)',
        requiresArg: true,
      })
      .option('accept', {
        type: 'string',
        describe: 'local plain-text address (default 127.0.0.1:6379)',
        requiresArg: true,
      })
      .option('check-host', {
        type: 'string',
        describe: 'name the server certificate must match (default: the endpoint host)',
        requiresArg: true,
      })
      .option('sni', {
        type: 'string',
        describe: 'SNI name to send (default: the checked name)',
        requiresArg: true,
      })
      .option('service', {
        type: 'string',
        describe: 'service section name (default redislabs)',
        requiresArg: true,
      })
      .option('foreground', {
        type: 'boolean',
        describe: 'foreground = yes, no pid file (systemd, containers)',
      })
      .option('log', {
        type: 'string',
        describe: 'log file stunnel writes (output =; default: next to the configuration, .log)',
        requiresArg: true,
      })
      .option('timeout', {
        type: 'number',
        requiresArg: true,
        describe: 'test: seconds for stunnel to start, and for the reply (default 15)',
      })
      .option('output', {
        alias: ['o', 'out'],
        type: 'string',
        describe: 'file to write (default redislabs.conf)',
        requiresArg: true,
      })
      .option('force', { type: 'boolean', describe: 'replace an existing file' })
      .option('probe', {
        type: 'boolean',
        describe:
          'lint: connect to the endpoint to check CAfile and the name (default; --no-probe: offline)',
      })
      .option('ping', {
        type: 'boolean',
        describe: 'lint: also present the client certificate and key the file names, and send PING',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    [
      'certs stunnel --cert cert.pem --key keyclient.pem --cafile servercerts.pem --connect redis-12000.cluster.example.com:12000',
      'write redislabs.conf',
    ],
    [
      'certs stunnel --cert cert.pem --key keyclient.pem --cafile ca.pem --connect 10.0.0.5:12000 --check-host redis-12000.cluster.example.com -o /etc/stunnel/redis.conf',
      'connect by address, check the name',
    ],
    [
      'certs stunnel --cert cert.pem --key keyclient.pem --cafile ca.pem --connect 10.0.0.5:12000 --connect 10.0.0.6:12000 --check-host redis-12000.cluster.example.com',
      'two nodes: the second when the first does not answer',
    ],
    ['certs stunnel lint /etc/stunnel/redislabs.conf', 'judge an existing configuration'],
    ['certs stunnel lint redislabs.conf --no-probe --json', 'offline, machine-readable'],
    ['certs stunnel lint redislabs.conf --ping', 'also try the client certificate on the database'],
    ['certs stunnel lint redislabs.conf --passphrase-file key.pass', 'the client key is encrypted'],
    [
      'certs stunnel test redislabs.conf',
      'run stunnel on it and send PING through the tunnel: PONG, or why not',
    ],
  ],
  rules: [
    ...WRITE_OPTIONS.map((option) => ({
      when: { option },
      excludes: { option: 'action', value: 'lint', label: 'stunnel lint' },
      why: 'it is for writing a configuration, and stunnel lint reads everything from FILE',
    })),
    ...WRITE_OPTIONS.map((option) => ({
      when: { option },
      excludes: { option: 'action', value: 'test', label: 'stunnel test' },
      why: 'it is for writing a configuration, and stunnel test runs FILE as it is',
    })),
    {
      when: { option: 'passphrase-file' },
      excludes: { option: 'action', value: 'test', label: 'stunnel test' },
      why: 'stunnel takes no passphrase: it asks on a terminal, which the test does not have',
    },
    {
      when: { option: 'timeout' },
      needs: [{ option: 'action', value: 'test', label: 'stunnel test' }],
      why: 'it is for stunnel test FILE',
    },
    ...['probe', 'ping'].map((option) => ({
      when: { option },
      needs: [{ option: 'action', value: 'lint', label: 'stunnel lint' }],
      why: 'it is for stunnel lint FILE',
    })),
    {
      when: { option: 'ping', value: true },
      excludes: { option: 'probe', value: false },
      why: '--ping connects to the endpoint',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const files = {
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      ...(args['passphrase-file'] === undefined ? {} : { passphrasePath: args['passphrase-file'] }),
    };
    if (args.action === 'test') {
      if (args.file === undefined)
        throw new UsageError('name the configuration file: certs stunnel test FILE');
      const timeoutMs = timeoutFrom(args);
      return runTest(io, args.file, {
        json: args.json,
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    }
    if (args.action === 'lint') {
      if (args.file === undefined)
        throw new UsageError('name the configuration file: certs stunnel lint FILE');
      const report = await core.lintStunnelConfigFile(args.file, {
        probe: args.probe ?? true,
        ping: args.ping ?? false,
        ...files,
      });
      if (args.json) printJson(io, report);
      else printReport(io, report);
      return report.ok ? EXIT_OK : EXIT_FINDINGS;
    }
    if (args.file !== undefined) throw new UsageError(`unknown argument "${args.file}"`);
    const missing = (['cert', 'key', 'cafile', 'connect'] as const).filter(
      (name) => args[name] === undefined,
    );
    if (missing.length > 0)
      throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`);
    const written = await core.writeStunnelConfig({
      ...files,
      cert: args.cert ?? '',
      key: args.key ?? '',
      cafile: args.cafile ?? '',
      connect: args.connect ?? [],
      ...(args.accept === undefined ? {} : { accept: args.accept }),
      ...(args.service === undefined ? {} : { service: args.service }),
      foreground: args.foreground ?? false,
      ...(args.output === undefined ? {} : { outputFileName: args.output }),
      force: args.force ?? false,
      ...(args['check-host'] === undefined ? {} : { checkHost: args['check-host'] }),
      ...(args.sni === undefined ? {} : { sni: args.sni }),
      ...(args.log === undefined ? {} : { output: args.log }),
    });
    if (args.json) {
      printJson(io, { ok: true, file: written.path, config: written.config, lint: written.lint });
      return EXIT_OK;
    }
    for (const f of written.lint.findings) io.stderr(`certs: ${f.severity}: ${f.message}\n`);
    io.stdout(
      `${style('stunnel configuration written', 'bold', io.stdoutIsTty)}: ${written.path}\n\n${written.config}\n`,
    );
    const file = shellWord(written.path);
    printNextSteps(io, [
      line`  Test it (runs stunnel for a moment, sends PING through it): certs stunnel test ${file}`,
      line`  Run it with: stunnel ${file}   (it logs to ${written.logPath})`,
    ]);
    return EXIT_OK;
  },
});

/** `certs stunnel test FILE`: PONG (exit 0), or the log lines that explain the refusal (exit 1). */
async function runTest(
  io: Io,
  file: string,
  options: { json: boolean; maxInputBytes?: number; timeoutMs?: number },
): Promise<number> {
  const core = await import('@certkit/core');
  const result = await core.testStunnelConfig(file, {
    ...(options.maxInputBytes === undefined ? {} : { maxInputBytes: options.maxInputBytes }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  if (options.json) {
    printJson(io, result);
    return result.ok ? EXIT_OK : EXIT_FINDINGS;
  }
  const tty = io.stdoutIsTty;
  const through = line`[${result.service}] accept = ${result.accept}`;
  if (result.ok) {
    printLines(io, 'stdout', [
      result.pong
        ? line`${paint('PONG', 'green', tty)}  through ${through}`
        : line`${paint(result.reply ?? '', 'yellow', tty)}  through ${through}: the tunnel works; Redis answered this instead of PONG`,
    ]);
    return EXIT_OK;
  }
  printLines(io, 'stdout', [
    line`${paint('no reply', 'red', tty)} through ${through}: ${result.error ?? ''}`,
    ...(result.log.length === 0
      ? [line`  (stunnel logged nothing about it)`]
      : [line`stunnel says:`, ...result.log.map((l) => line`  ${l}`)]),
  ]);
  return EXIT_FINDINGS;
}
