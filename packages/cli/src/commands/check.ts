/** `certs check`: is this endpoint certificate right for my cluster, offline and live? */
import { defineCommand } from '../command.js';
import { endpointRunOptions, runWithProgress, withEndpointOptions } from '../endpoint-run.js';
import { EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withPassphraseFile, withTimeout } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';
import { counts, liveLine, reportLines, topologyLines } from './check-report.js';

export const check = defineCommand({
  command: 'check [files..]',
  describe: 'check endpoint certificates (files and/or live endpoints) for a cluster',
  builder: (y) =>
    withEndpointOptions(withTimeout(withPassphraseFile(y, 'of an encrypted --key or --client-key')))
      .usage(
        "certs check --cluster C [FILE…] [--port N…] [--endpoint HOST:PORT…] [--endpoints FILE] [--sni NAME] [options]\n\nChecks that each certificate (one chain per file, leaf first) and/or the chain each live endpoint presents is right for cluster C, whose databases are redis-<port>.C: names as RFC 9525 and as Node, OpenSSL (stunnel), Python, Go and Java clients see them, validity, key and signature strength, EKU, chain, key match; live: TLS versions accepted and a client identity (RESP PING). With --ca, each client stack's trust in the chain too (partial chains, pinned self-signed certificates, SHA-1, EKU). A file is checked for redis-<port>.C of each --port (default 12000); a live endpoint for the name its clients dial: its HOST, or --sni. Endpoints (--endpoint, repeatable, and --endpoints FILE) are probed many at once (--concurrency, default 16), one section each; one that cannot be reached is an error. With --topology, the one --endpoint is asked for its nodes (CLUSTER SHARDS or SLOTS; a Sentinel's SENTINEL MASTERS and REPLICAS) and every node's chain is checked for the address it is announced at, as cluster clients dial it (an IP address against IP SANs), with what ioredis and redis-py cluster clients check. Ctrl-C stops at once and prints what was done.",
      )
      .positional('files', {
        type: 'string',
        array: true,
        describe: 'certificate files (PEM or DER); - reads standard input',
      })
      .option('cluster', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'cluster name C, e.g. redislabs.com: its databases are redis-<port>.C',
      })
      .option('port', {
        type: 'number',
        array: true,
        // One value each time: `--port 13005 cert.pem` must leave cert.pem a file.
        nargs: 1,
        requiresArg: true,
        describe:
          'database port a FILE is checked for, as redis-<port>.C (repeatable; default 12000)',
      })
      .option('endpoint', {
        type: 'string',
        array: true,
        // One value a flag: `--endpoint a:1 file.pem` leaves the file a file.
        nargs: 1,
        requiresArg: true,
        describe:
          'live endpoint HOST:PORT to fetch and probe (repeatable); its chain is checked for HOST',
      })
      .option('sni', {
        type: 'string',
        requiresArg: true,
        describe: 'SNI name to send, and the name the endpoint is checked for (default: HOST)',
      })
      .option('ca', {
        type: 'string',
        requiresArg: true,
        describe: 'CA file: the chain must validate to it',
      })
      .option('key', {
        type: 'string',
        requiresArg: true,
        describe: 'private key that must match the (first) certificate',
      })
      .option('client-cert', {
        type: 'string',
        requiresArg: true,
        describe: 'client certificate to try on the endpoint (with --client-key)',
      })
      .option('client-key', {
        type: 'string',
        requiresArg: true,
        describe: 'private key of --client-cert',
      })
      .option('profile', {
        choices: ['strict', 'compat', 'redis-enterprise'] as const,
        default: 'strict' as const,
        describe:
          'strict: every client must accept; compat: client disagreements are warnings; redis-enterprise: strict + the proxy certificate rules',
      })
      .option('internal', {
        type: 'boolean',
        default: false,
        describe: 'also require redis-<port>.internal.C',
      })
      .option('warn-days', {
        type: 'number',
        default: 30,
        requiresArg: true,
        describe: 'warn when a certificate expires within N days',
      })
      .option('min-tls', {
        // A string: yargs would read 1.3 as a number, which no choice equals (every
        // --min-tls given was refused as an invalid value).
        type: 'string',
        choices: ['1.0', '1.1', '1.2', '1.3'] as const,
        describe: 'lowest TLS version the endpoint may accept (default 1.2)',
      })
      .option('topology', {
        type: 'boolean',
        default: false,
        describe:
          'also ask --endpoint for its cluster or Sentinel nodes and check each node for the address it is announced at',
      })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 on warnings too' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    [
      'certs check --cluster redislabs.com proxy_cert.pem',
      'check a certificate file for the cluster',
    ],
    [
      'certs check --cluster redislabs.com proxy_cert.pem --port 12000 --port 13005',
      'check the file for the databases on ports 12000 and 13005',
    ],
    [
      'certs check --cluster redislabs.com --endpoint redis-12000.redislabs.com:12000 --ca ca.pem',
      'fetch and check what it presents, for the name it is dialled by',
    ],
    [
      'certs check --cluster redislabs.com --endpoint 10.0.0.5:12000 --sni redis-12000.redislabs.com --client-cert cert.pem --client-key keyclient.pem',
      'also try a client identity with PING',
    ],
    [
      'certs check --cluster redislabs.com --endpoints fleet.txt --ca ca.pem',
      'every endpoint of a list, concurrently, one section each',
    ],
    [
      'certs check --cluster c.example.com --endpoint 10.0.0.5:6380 --topology',
      'every node the cluster (or Sentinel) announces, as its clients dial it',
    ],
    [
      'certs check --cluster redislabs.com --profile compat a.pem b.pem --json',
      'several files, warnings for client disagreements, JSON',
    ],
    [
      'certs check --cluster redislabs.com proxy_cert.pem --key proxy_key.pem --passphrase-file key.pass',
      'the key is encrypted',
    ],
  ],
  rules: [
    {
      when: { option: 'sni' },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'it is the name sent to a live endpoint',
    },
    {
      when: { option: 'timeout' },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'it bounds the connections to a live endpoint',
    },
    {
      when: { option: 'min-tls' },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'the TLS versions are probed on a live endpoint',
    },
    {
      when: { option: 'resolve' },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'it pins the addresses of live endpoints',
    },
    {
      when: { option: 'all-addresses', value: true },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'it reaches every address of live endpoints',
    },
    {
      when: { option: 'concurrency' },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'it bounds how many live endpoints are probed at once',
    },
    {
      when: { option: 'client-cert' },
      needs: [{ option: 'client-key' }],
      why: 'a client identity is a certificate and its key',
    },
    {
      when: { option: 'client-key' },
      needs: [{ option: 'client-cert' }],
      why: 'a client identity is a certificate and its key',
    },
    {
      when: { option: 'client-cert' },
      needs: [{ option: 'endpoint' }, { option: 'endpoints' }],
      why: 'the client identity is tried on a live endpoint',
    },
    {
      when: { option: 'passphrase-file' },
      needs: [{ option: 'key' }, { option: 'client-key' }],
      why: 'it decrypts the key of one of them',
    },
    {
      when: { option: 'topology', value: true },
      needs: [{ option: 'endpoint' }],
      why: 'the walk asks a live endpoint for its nodes',
    },
    {
      when: { option: 'topology', value: true },
      excludes: { option: 'endpoints' },
      why: 'the walk starts from one endpoint',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const given = args['min-tls'] ?? '1.2';
    const minTls = `TLSv${given === '1.0' ? '1' : given}` as const;
    const timeoutMs = timeoutFrom(args);
    const result = await runWithProgress(io, 'checking', ({ signal, onProgress }) =>
      core.runCheck({
        ...endpointRunOptions(args),
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        cluster: args.cluster,
        files: args.files ?? [],
        ...(args.port === undefined ? {} : { ports: args.port }),
        profile: args.profile,
        internal: args.internal,
        warnDays: args['warn-days'],
        minTls,
        // --topology walks from the one --endpoint: it is the seed, not one of many.
        ...(args.topology
          ? {
              endpoint: args.endpoint?.[0] ?? '',
              endpoints: args.endpoint?.slice(1) ?? [],
              topology: true,
            }
          : { endpoints: args.endpoint ?? [] }),
        signal,
        onProgress,
        ...(args.sni === undefined ? {} : { sni: args.sni }),
        ...(args.ca === undefined ? {} : { caPath: args.ca }),
        ...(args.key === undefined ? {} : { keyPath: args.key }),
        ...(args['client-cert'] === undefined ? {} : { clientCertPath: args['client-cert'] }),
        ...(args['client-key'] === undefined ? {} : { clientKeyPath: args['client-key'] }),
        ...(args['passphrase-file'] === undefined
          ? {}
          : { passphrasePath: args['passphrase-file'] }),
      }),
    );
    const { errors, warnings, unreachable } = counts(result);
    const failed = errors > 0 || (args.strict && warnings > 0);
    const interrupted = result.tally?.interrupted === true;
    const code = interrupted ? EXIT_INTERRUPTED : failed ? EXIT_FINDINGS : EXIT_OK;
    if (args.json) {
      printJson(io, {
        ...result,
        ok: !failed && !interrupted,
        strict: args.strict,
        summary: {
          errors,
          warnings,
          ...(result.tally === undefined ? {} : { endpoints: result.tally }),
        },
      });
      return code;
    }
    const tty = io.stdoutIsTty;
    const context = {
      live: false,
      key: args.key !== undefined,
      identity: false,
      ca: args.ca !== undefined,
    };
    const files = args.files?.length ?? 0;
    const out = [line`cluster ${result.cluster}, profile ${result.profile}`];
    // The files' reports come first, in order; the key belongs to the first chain.
    for (const [i, report] of result.reports.slice(0, files).entries()) {
      out.push(...reportLines(io, report, { ...context, key: context.key && i === 0 }));
    }
    // Then one section per endpoint; without files the key is checked on every endpoint.
    for (const endpoint of result.endpoints ?? []) {
      if (!endpoint.ok) {
        const at =
          endpoint.address === undefined || endpoint.address === endpoint.host
            ? ''
            : ` (${endpoint.address})`;
        out.push(
          line`${paint(endpoint.endpoint, 'bold', tty)}${at}`,
          line`  ${paint('fail', 'red', tty)}  reachable: ${endpoint.failure.reason}`,
        );
        continue;
      }
      const live = endpoint.value;
      const report = result.reports.find((r) => r.source === live.endpoint);
      if (report !== undefined) {
        out.push(
          ...reportLines(io, report, {
            ...context,
            key: context.key && files === 0,
            live: true,
            identity: args['client-cert'] !== undefined,
          }),
        );
      }
      out.push(liveLine(live));
    }
    if (result.topology !== undefined) out.push(...topologyLines(io, result.topology, context));
    const verdict = failed ? paint('FAIL', 'red', tty) : paint('OK', 'green', tty);
    const tally = result.tally;
    const endpoints =
      tally === undefined
        ? ''
        : `; ${String(tally.total)} endpoint${tally.total === 1 ? '' : 's'}: ${String(tally.succeeded)} checked, ${String(unreachable)} unreachable${tally.notStarted > 0 ? `, ${String(tally.notStarted)} not started` : ''}`;
    out.push(
      line`${interrupted ? 'interrupted: ' : ''}${verdict}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${endpoints}${args.strict && warnings > 0 ? ' (--strict: warnings fail)' : ''}`,
    );
    printLines(io, 'stdout', out);
    return code;
  },
});
