/** `certs fetch`: the chains endpoints present, one trust bundle of them all. */
import type { FetchedEndpoint, FetchedEndpoints } from '@certkit/core';
import { defineCommand } from '../command.js';
import { afterFetch, printNextSteps } from '../next-steps.js';
import { assemblyLines } from './chain.js';
import { endpointRunOptions, runWithProgress, withEndpointOptions } from '../endpoint-run.js';
import { EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withTimeout } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';
import type { TerminalText } from '../output.js';

/** One line per endpoint: where, the TLS version, and each certificate's SHA-256 fingerprint. */
function endpointLine(e: FetchedEndpoint, tty: boolean): TerminalText {
  const where =
    e.address === undefined || e.address === e.host ? e.endpoint : `${e.endpoint} (${e.address})`;
  if (!e.ok) {
    return line`${paint('FAILED', 'red', tty)}  ${where}  ${e.failure.reason}`;
  }
  const chain = e.value;
  const count = chain.certificates.length;
  const after = chain.error === undefined ? '' : `; then ${chain.error}`;
  return line`${paint('ok', 'green', tty)}  ${where}  ${chain.protocol ?? 'unknown protocol'}${after}  ${count} certificate${count === 1 ? '' : 's'}  ${chain.certificates.map((c) => `sha256:${c.info.fingerprintSha256}`).join(' ')}`;
}

/** Why nothing was written (or printed), in the words of this command's options. */
function heldBackLine(result: FetchedEndpoints, tty: boolean): TerminalText | null {
  if (result.decision.write) return null;
  const { tally } = result;
  switch (result.decision.heldBack) {
    case 'NOTHING_FETCHED':
      return paint('no certificate was fetched: nothing written', 'red', tty);
    case 'INTERRUPTED':
      return paint(
        'interrupted: nothing written (--allow-partial writes the bundle of what was fetched)',
        'red',
        tty,
      );
    case 'ENDPOINTS_FAILED':
      return paint(
        `${String(tally.failed)} endpoint${tally.failed === 1 ? '' : 's'} failed: nothing written (--allow-partial writes the bundle of the others)`,
        'red',
        tty,
      );
    case 'BUNDLE_BROKEN':
      return paint(
        `the ${result.bundle?.mode ?? 'bundle'} is broken: nothing written (use --allow-broken to write it anyway)`,
        'red',
        tty,
      );
  }
}

function summaryLine(result: FetchedEndpoints): TerminalText {
  const { tally } = result;
  const parts = [`${String(tally.succeeded)} fetched`, `${String(tally.failed)} failed`];
  if (tally.stopped > 0) parts.push(`${String(tally.stopped)} stopped`);
  if (tally.notStarted > 0) parts.push(`${String(tally.notStarted)} not started`);
  const noun = `endpoint${tally.total === 1 ? '' : 's'}`;
  return line`${tally.interrupted ? 'interrupted: ' : ''}${tally.total} ${noun}: ${parts.join(', ')}`;
}

/**
 * The `fetch` command: parses arguments, calls core `fetchEndpoints`, prints one line per
 * endpoint and the bundle.
 *
 * @example
 * ```sh
 * certs fetch redis-12000.cluster.example.com:12000 --all-addresses -o servercerts.pem
 * ```
 */
export const fetch = defineCommand({
  command: 'fetch [endpoint..]',
  describe:
    'fetch the chains endpoints present, concurrently, into one trust bundle (replaces copying proxy_cert.pem from each node)',
  builder: (y) =>
    withEndpointOptions(withTimeout(y))
      .usage(
        'certs fetch HOST:PORT… [--endpoints FILE] [-o FILE] [options]\n\nConnects to every endpoint, many at once (--concurrency, default 16), and prints one line per endpoint: its TLS version and the SHA-256 fingerprint of every certificate it presents (what trust on first use compares). With -o, the certificates of all endpoints are assembled exactly as `certs chain` assembles files (duplicates dropped; a trust bundle, or a chain when one certificate issues another) and written there. Without -o they are printed as PEM, as presented, for a pipe into another command that reads - (standard input): certs fetch HOST:PORT | certs chain - ca.pem. An endpoint that fails is a line with its reason; the others are still fetched, and nothing is written unless --allow-partial. --all-addresses fetches from every address of each name (a cluster name resolves to every node), sending the name as SNI; --resolve pins a name to addresses, as curl. Ctrl-C stops at once and prints what was done.',
      )
      .positional('endpoint', {
        type: 'string',
        array: true,
        describe: 'HOST:PORT or [IPv6]:PORT',
      })
      .option('sni', {
        type: 'string',
        requiresArg: true,
        describe: 'SNI name to send (default: the host)',
      })
      .option('output', {
        alias: ['o', 'out'],
        type: 'string',
        requiresArg: true,
        describe: 'write the trust bundle (PEM, 0644) to this file',
      })
      .option('force', { type: 'boolean', describe: 'replace an existing -o file' })
      .option('allow-partial', {
        type: 'boolean',
        default: false,
        describe: 'write the bundle of what was fetched even when endpoints failed (still exits 1)',
      })
      .option('allow-broken', {
        type: 'boolean',
        default: false,
        describe: 'write the output even when the assembled chain is broken (still exits 1)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    [
      'certs fetch redis-12000.cluster.example.com:12000 --all-addresses -o servercerts.pem',
      'the whole cluster: every node behind the name, one trust bundle',
    ],
    [
      'certs fetch node1:12000 node2:12000 node3:12000 -o servercerts.pem',
      "every node's certificate in one bundle",
    ],
    [
      'certs fetch --endpoints fleet.txt --concurrency 64 --json',
      'a fleet: one JSON document with every endpoint',
    ],
    [
      'certs fetch redis-12000.example.com:12000 --resolve redis-12000.example.com:12000:10.0.0.5',
      'one node behind a name, without DNS (as curl --resolve)',
    ],
    [
      'certs fetch redis-12000.example.com:12000 | certs chain - ca.pem -o bundle.pem',
      'join it with ca.pem in one trust bundle',
    ],
  ],
  rules: [
    {
      when: { option: 'force', value: true },
      needs: [{ option: 'output' }],
      why: 'it replaces an existing -o file, and without -o the PEM goes to stdout',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const timeoutMs = timeoutFrom(args);
    const maxInputBytes = maxInputFrom(args);
    const result = await runWithProgress(io, 'fetching', ({ signal, onProgress }) =>
      core.fetchEndpoints({
        ...endpointRunOptions(args),
        endpoints: args.endpoint ?? [],
        force: args.force ?? false,
        allowPartial: args['allow-partial'],
        allowBroken: args['allow-broken'],
        signal,
        onProgress,
        ...(args.sni === undefined ? {} : { servername: args.sni }),
        ...(args.output === undefined ? {} : { outputFileName: args.output }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      }),
    );
    const code = result.tally.interrupted ? EXIT_INTERRUPTED : result.ok ? EXIT_OK : EXIT_FINDINGS;
    const { bundle } = result;
    if (args.json) {
      printJson(io, {
        ok: result.ok,
        interrupted: result.tally.interrupted,
        summary: result.tally,
        endpoints: result.endpoints.map((e) => {
          const where = {
            endpoint: e.endpoint,
            host: e.host,
            port: e.port,
            address: e.address ?? null,
          };
          if (!e.ok) return { ...where, ok: false, failure: e.failure };
          const chain = e.value;
          return {
            ...where,
            ok: true,
            servername: chain.servername ?? null,
            protocol: chain.protocol,
            handshakeCompleted: chain.handshakeCompleted,
            error: chain.error ?? null,
            certificates: chain.certificates.map((c) => c.info),
            pem: chain.certificates.map((c) => c.pem).join(''),
          };
        }),
        notStarted: result.notStarted.map((e) => e.endpoint),
        bundle:
          bundle === null
            ? null
            : {
                ok: bundle.ok,
                mode: bundle.mode,
                reason: bundle.reason,
                certificates: bundle.certificates.map((c) => ({
                  source: c.source,
                  subject: c.info.subject,
                  issuer: c.info.issuer,
                  notAfter: c.info.notAfter,
                  fingerprintSha256: c.info.fingerprintSha256,
                })),
                findings: bundle.findings,
              },
        written: result.written,
        heldBack: result.decision.write ? null : result.decision.heldBack,
        pem: result.pem,
      });
      return code;
    }
    const tty = args.output === undefined ? io.stderrIsTty : io.stdoutIsTty;
    const lines: TerminalText[] = result.endpoints.map((e) => endpointLine(e, tty));
    if (bundle !== null) {
      // The assembly as `certs chain` shows it: mode, members, findings.
      const count = bundle.certificates.length;
      lines.push(
        line`${bundle.mode} mode (auto): ${bundle.reason}; ${count} certificate${count === 1 ? '' : 's'}`,
        ...assemblyLines(io, bundle),
      );
    }
    lines.push(summaryLine(result));
    const held = heldBackLine(result, tty);
    if (held !== null) lines.push(held);
    else if (result.written !== null) lines.push(line`wrote ${result.written}`);
    if (args.output === undefined) {
      // Without -o, stdout carries only the PEM: the report goes to stderr.
      printLines(io, 'stderr', lines);
      // The PEM is data: base64 lines certkit wrote itself.
      if (result.pem !== null) io.stdout(result.pem);
    } else {
      printLines(io, 'stdout', lines);
      if (result.written !== null && bundle !== null) {
        printNextSteps(io, afterFetch(result.written, bundle.mode, result.tally.total));
      }
    }
    return code;
  },
});
