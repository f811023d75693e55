/** `certs stunnel`: write a safe stunnel client configuration; `certs stunnel lint FILE`: judge one. */
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

export const stunnel = defineCommand({
  command: 'stunnel [action] [file]',
  describe:
    'write a stunnel client configuration with safe defaults, or lint one (stunnel lint FILE)',
  builder: (y) =>
    withPassphraseFile(y, 'of an encrypted --key (lint: of the key the configuration names)')
      .usage(
        'certs stunnel --cert cert.pem --key keyclient.pem --cafile servercerts.pem --connect HOST:PORT [-o redislabs.conf]\ncerts stunnel lint FILE [--no-probe | --ping] [--json]\ncerts stunnel test FILE [--timeout SECONDS] [--json]\n\nWrites the stunnel client configuration of the Redis documentation with safe defaults:\nclient = yes, verifyChain = yes, checkHost = <endpoint host> (verify = 2 alone checks no name),\nsni, sslVersionMin = TLSv1.2 (stunnel defaults to TLSv1), delay = yes, absolute paths.\nEvery value is checked against its type and bound (paths up to PATH_MAX without control\ncharacters, DNS names or IP addresses, ports 1-65535) before anything is written.\nThe files are checked first (readable, certificate matches key); nothing is written otherwise.\n\n`lint` reads the file exactly as stunnel 5 does and reports: lines stunnel reads differently\n(a lone CR, a line over 16,383 bytes, a NUL byte), include, verify without checkHost, a missing\nor old sslVersionMin, no verification, unreadable files, a certificate that does not match its\nkey, an expired client certificate, and (unless --no-probe) a CAfile that does not validate the\nendpoint or a name that does not match, when the endpoint is reachable. The probe presents no\nclient certificate; --ping also presents the one the file names and sends PING, as stunnel\nwould. A key, certificate or DER file given as FILE is refused (exit 2).\nExit 1 on any error finding.\n\n`test` runs stunnel in the foreground on FILE (a temporary copy that logs to a file of its\nown and writes no pid file; FILE and its log are not touched), sends RESP PING through the\nfirst service’s accept address, prints PONG or the stunnel log lines that explain the refusal\n(e.g. Rejected by CERT at depth=1), and stops stunnel by its pid. Exit 0 on a reply, 1 when the\ntunnel gave none, 2 when the test cannot run (no stunnel, not a configuration, the accept\naddress in use).',
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
        describe: 'database endpoint HOST:PORT',
        requiresArg: true,
      })
      .option('accept', {
        type: 'string',
        default: '127.0.0.1:6379',
        describe: 'local plain-text address',
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
        default: 'redislabs',
        describe: 'service section name',
        requiresArg: true,
      })
      .option('foreground', {
        type: 'boolean',
        default: false,
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
      .option('out', {
        alias: 'o',
        type: 'string',
        default: 'redislabs.conf',
        describe: 'file to write',
        requiresArg: true,
      })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing file' })
      .option('probe', {
        type: 'boolean',
        default: true,
        describe: 'lint: connect to the endpoint to check CAfile and the name',
      })
      .option('ping', {
        type: 'boolean',
        default: false,
        describe: 'lint: also present the client certificate and key the file names, and send PING',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      })
      .example(
        'certs stunnel --cert cert.pem --key keyclient.pem --cafile servercerts.pem --connect redis-12000.cluster.example.com:12000',
        'write redislabs.conf',
      )
      .example(
        'certs stunnel --cert cert.pem --key keyclient.pem --cafile ca.pem --connect 10.0.0.5:12000 --check-host redis-12000.cluster.example.com -o /etc/stunnel/redis.conf',
        'connect by address, check the name',
      )
      .example('certs stunnel lint /etc/stunnel/redislabs.conf', 'judge an existing configuration')
      .example('certs stunnel lint redislabs.conf --no-probe --json', 'offline, machine-readable')
      .example(
        'certs stunnel lint redislabs.conf --ping',
        'also try the client certificate on the database',
      )
      .example(
        'certs stunnel lint redislabs.conf --passphrase-file key.pass',
        'the client key is encrypted',
      )
      .example(
        'certs stunnel test redislabs.conf',
        'run stunnel on it and send PING through the tunnel: PONG, or why not',
      ),
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const files = {
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      ...(args['passphrase-file'] === undefined ? {} : { passphraseFile: args['passphrase-file'] }),
    };
    if (args.action === 'test') {
      if (args.file === undefined)
        throw new UsageError('name the configuration file: certs stunnel test FILE');
      return runTest(io, args.file, {
        json: args.json,
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        ...(args.timeout === undefined ? {} : { timeoutMs: timeoutFrom(args) ?? 15_000 }),
      });
    }
    if (args.action === 'lint') {
      if (args.file === undefined)
        throw new UsageError('name the configuration file: certs stunnel lint FILE');
      if (args.ping && !args.probe)
        throw new UsageError('--ping connects to the endpoint; it cannot go with --no-probe');
      const report = await core.lintStunnelConfigFile(args.file, {
        probe: args.probe,
        ping: args.ping,
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
      connect: args.connect ?? '',
      accept: args.accept,
      service: args.service,
      foreground: args.foreground,
      out: args.out,
      force: args.force,
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
