/** `certs verify`: validate a certificate's path to trust anchors, at a chosen time, for a purpose and a name. */
import type { VerifyFilesResult } from '@certkit/core';
import { defineCommand } from '../command.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
import { line, paint, printJson, printLines, UsageError } from '../output.js';
import type { Io, TerminalText } from '../output.js';

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function printHuman(io: Io, result: VerifyFilesResult): void {
  const tty = io.stdoutIsTty;
  const lines: TerminalText[] = [];
  lines.push(
    result.ok
      ? paint(`OK: valid for ${result.purpose} use at ${result.at}`, 'green', tty)
      : paint(`INVALID for ${result.purpose} use at ${result.at}`, 'red', tty),
  );
  if (result.pinned)
    lines.push(line`pinned: the certificate is itself a trust anchor in the CA file`);
  lines.push(
    result.ok
      ? line`path (leaf first, trust anchor last):`
      : result.anchored
        ? line`path tried (leaf first, trust anchor last):`
        : line`path tried (leaf first; no trust anchor reached):`,
  );
  result.path.forEach((info, i) => {
    const role =
      i === 0
        ? 'leaf'
        : result.anchored && i === result.path.length - 1
          ? 'anchor'
          : 'intermediate';
    lines.push(line`  ${i} ${role.padEnd(12)} ${info.subject || '(empty subject)'}`);
    lines.push(line`    ${''.padEnd(12)} valid ${info.notBefore} to ${info.notAfter}`);
  });
  for (const finding of result.findings) {
    const mark =
      finding.severity === 'error' ? paint('error', 'red', tty) : paint('warning', 'yellow', tty);
    const where = finding.certificate === undefined ? '' : ` [${String(finding.certificate)}]`;
    lines.push(line`${mark} ${finding.code}${where}: ${finding.message}`);
    if (finding.code === 'PARTIAL_CHAIN' && !result.partialChain)
      lines.push(
        line`  (--partial-chain accepts a trust anchor that is not self-signed, as Go and Java do)`,
      );
    if (finding.code === 'COMMON_NAME_NOT_IN_SAN' && result.policy !== 'webpki')
      lines.push(line`  (--webpki makes the CA/Browser Forum issuance rules errors)`);
  }
  printLines(io, 'stdout', lines);
}

export const verify = defineCommand({
  command: 'verify <leaf>',
  describe:
    'validate a certificate path to trusted CAs (RFC 5280), with host name check (RFC 9525)',
  builder: (y) =>
    y
      .usage(
        'certs verify LEAF --ca FILE [options]\n\nBuilds and validates the path from LEAF (further certificates in LEAF join the untrusted pool) through --untrusted certificates, in any order, to a --ca trust anchor: signatures, validity at --at, CA flags and path lengths, key usages, name constraints, EKU for --purpose, unknown critical extensions, MD5 and SHA-1 signatures, depth, and the --host or --ip the leaf must match. As OpenSSL (stunnel, redis-cli, Node, Python), the path must end at a self-signed certificate of --ca unless --partial-chain. CA/Browser Forum issuance rules that clients do not apply (a common name that is not a SAN, a CA:TRUE leaf) are warnings unless --webpki.',
      )
      .positional('leaf', {
        type: 'string',
        demandOption: true,
        describe: 'certificate file (PEM or DER); - reads standard input',
      })
      .option('ca', {
        type: 'string',
        array: true,
        requiresArg: true,
        demandOption: 'give the trust anchors with --ca FILE',
        describe: 'trusted CA certificates (repeatable; PEM bundles allowed)',
      })
      .option('untrusted', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'intermediate certificates that may complete the path (repeatable)',
      })
      .option('crl', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'CRLs to check revocation against (repeatable)',
      })
      .option('host', {
        type: 'string',
        requiresArg: true,
        describe: 'DNS name the leaf must match',
      })
      .option('ip', {
        type: 'string',
        requiresArg: true,
        describe: 'IP address the leaf must match',
      })
      .option('purpose', {
        choices: ['server', 'client', 'any'] as const,
        default: 'server' as const,
        describe: 'what the leaf is for: EKU serverAuth, clientAuth, or no EKU check',
      })
      .option('at', {
        type: 'string',
        requiresArg: true,
        describe: 'validation time, ISO 8601 (default: now)',
      })
      .option('max-depth', {
        type: 'number',
        requiresArg: true,
        describe: 'most intermediates allowed, self-issued ones not counted (default 8)',
      })
      .option('partial-chain', {
        type: 'boolean',
        default: false,
        describe:
          'accept any --ca certificate as the end of the path, self-signed or not (openssl -partial_chain; what Go and Java do)',
      })
      .option('webpki', {
        type: 'boolean',
        default: false,
        describe:
          'make the CA/Browser Forum issuance rules errors (common name not among the SANs, CA:TRUE leaf)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    [
      'certs verify server.pem --ca ca.pem --host redis-12000.cluster.example.com',
      'a server certificate for a name',
    ],
    [
      'certs verify proxy_cert.pem --untrusted chain.pem --ca root.pem --ip 10.0.0.5',
      'through intermediates, for an IP',
    ],
    [
      'certs verify cert.pem --ca cert.pem --purpose client',
      'a self-signed client certificate pinned as its own anchor',
    ],
    [
      'certs verify server.pem --ca intermediate.pem --partial-chain',
      'trust an intermediate alone, as Go and Java clients can',
    ],
    [
      'certs verify server.pem --ca ca.pem --at 2030-01-01T00:00:00Z',
      'will it still be valid then?',
    ],
    [
      'certs fetch 10.0.0.5:12000 | certs verify - --ca ca.pem --host redis-12000.cluster.example.com',
      'what an endpoint presents, from standard input',
    ],
    ['certs verify server.pem --ca ca.pem --host db.example.com --json', 'machine-readable result'],
  ],
  rules: [
    {
      when: { option: 'host' },
      excludes: { option: 'ip' },
      why: 'the leaf is checked for one name or one address',
    },
  ],
  run: async (args, io) => {
    let at: Date | undefined;
    if (args.at !== undefined) {
      // ISO 8601 only: Date.parse accepts other forms we do not want to guess at.
      if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(args.at))
        throw new UsageError(
          `invalid value for --at: "${args.at}" is not an ISO 8601 time (e.g. 2030-01-01T00:00:00Z)`,
        );
      at = new Date(args.at);
      if (Number.isNaN(at.getTime()))
        throw new UsageError(`invalid value for --at: "${args.at}" is not a valid time`);
    }
    if (
      args['max-depth'] !== undefined &&
      (!Number.isInteger(args['max-depth']) || args['max-depth'] < 0)
    )
      throw new UsageError('invalid value for --max-depth: give a whole number, 0 or more');
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const result = await core.verifyCertificateFiles({
      leaf: args.leaf,
      ca: list(args.ca),
      untrusted: list(args.untrusted),
      crl: list(args.crl),
      purpose: args.purpose,
      partialChain: args['partial-chain'],
      policy: args.webpki ? 'webpki' : 'default',
      ...(args.host === undefined ? {} : { host: args.host }),
      ...(args.ip === undefined ? {} : { ip: args.ip }),
      ...(at === undefined ? {} : { now: at }),
      ...(args['max-depth'] === undefined ? {} : { maxDepth: args['max-depth'] }),
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
    });
    if (args.json) printJson(io, result);
    else printHuman(io, result);
    return result.ok ? EXIT_OK : EXIT_FINDINGS;
  },
});
