/**
 * The human report of `certs check`: one line per check with the finding codes it owns, the
 * client stacks' verdicts per name, the live probes and a cluster's topology.
 */
import type {
  CheckFinding,
  CheckReport,
  LibraryNameOutcome,
  LiveReport,
  NameCheck,
  RunCheckResult,
  TopologyFinding,
  TopologyWalk,
} from '@certkit/core';
import { line, paint } from '../output.js';
import type { Io, TerminalText } from '../output.js';
/** The lines of the human report, each check with the finding codes it owns. */
const CHECKS: readonly {
  label: string;
  codes: readonly string[];
  applies?: 'ca' | 'key' | 're' | 'live' | 'identity';
}[] = [
  {
    label: 'names',
    codes: [
      'NAME_MISMATCH',
      'PARTIAL_WILDCARD',
      'CN_ONLY',
      'COMMON_NAME_NOT_IN_SAN',
      'NAME_PORT_SPECIFIC',
    ],
  },
  { label: 'validity', codes: ['EXPIRED', 'NOT_YET_VALID', 'EXPIRES_SOON'] },
  { label: 'key strength', codes: ['WEAK_KEY'] },
  { label: 'signature', codes: ['WEAK_SIGNATURE'] },
  { label: 'usage', codes: ['MISSING_EKU', 'LEAF_IS_CA', 'MISSING_KEY_USAGE', 'SELF_SIGNED'] },
  {
    label: 'chain',
    codes: ['CHAIN_INVALID', 'PARTIAL_CHAIN', 'PINNED', 'CHAIN_ORDER'],
    applies: 'ca',
  },
  { label: 'private key', codes: ['KEY_MISMATCH'], applies: 'key' },
  { label: 'redis enterprise', codes: ['MISSING_SAN', 'WRONG_CN'], applies: 're' },
  { label: 'tls versions', codes: ['TLS_VERSION_TOO_LOW'], applies: 'live' },
  { label: 'client identity', codes: ['CLIENT_CERT_REJECTED'], applies: 'identity' },
];

const STACK_HEADERS = ['Node', 'OpenSSL', 'Python', 'Go', 'Java'] as const;

function passes(
  report: CheckReport,
  applies: (typeof CHECKS)[number]['applies'],
  context: { live: boolean; key: boolean; identity: boolean; ca: boolean },
): boolean {
  switch (applies) {
    case undefined:
      return true;
    case 'ca':
      return report.chainValid !== null || report.profile === 'redis-enterprise';
    case 're':
      return report.profile === 'redis-enterprise';
    case 'key':
      return context.key;
    case 'live':
      return context.live;
    case 'identity':
      return context.identity;
  }
}

export function reportLines(
  io: Io,
  report: CheckReport,
  context: { live: boolean; key: boolean; identity: boolean; ca: boolean },
  compact = false,
): TerminalText[] {
  const tty = io.stdoutIsTty;
  const leaf = report.certificates[0];
  const out = [
    line`${paint(report.source, 'bold', tty)}  ${leaf === undefined ? '' : `${leaf.subject}; ${[...leaf.dnsNames.map((d) => `DNS:${d}`), ...leaf.ipAddresses.map((i) => `IP:${i}`)].join(', ') || 'no DNS SAN'}`}`,
  ];
  // Compact (a topology's nodes, a section each): the checks that pass share one line.
  const passed: string[] = [];
  const found: TerminalText[] = [];
  for (const check of CHECKS) {
    if (!passes(report, check.applies, context)) continue;
    const own = report.findings.filter((f) => check.codes.includes(f.code));
    if (own.length === 0) {
      if (compact) passed.push(check.label);
      else found.push(line`  ${paint('pass', 'green', tty)}  ${check.label}`);
      continue;
    }
    for (const f of own)
      found.push(line`  ${mark(f, tty)}  ${check.label}: ${f.code} ${f.message}`);
  }
  if (passed.length > 0) out.push(line`  ${paint('pass', 'green', tty)}  ${passed.join(', ')}`);
  out.push(...found);
  const trust = report.trust;
  if (
    report.names.some((n) => n.disagree || !n.clients.every((v) => v.accepts)) ||
    (trust !== null && !trust.every((v) => v.accepts))
  ) {
    // One row per endpoint name (the name verdicts), and one for the chain with the CA file.
    const trustLabel = 'trust (CA file)';
    const width = Math.max(
      ...report.names.map((n) => n.name.length),
      trust === null ? 8 : trustLabel.length,
    );
    const cells = (verdicts: readonly { accepts: boolean }[]): string =>
      verdicts.map((v) => (v.accepts ? 'accept' : 'reject').padEnd(8)).join('');
    out.push(
      line`  clients  ${'name'.padEnd(width)}  ${STACK_HEADERS.map((h) => h.padEnd(8)).join('')}RFC 9525`,
    );
    for (const n of report.names) {
      out.push(
        line`           ${n.name.padEnd(width)}  ${cells(n.clients)}${n.rfc9525 ? 'accept' : 'reject'}`,
      );
    }
    if (trust !== null) out.push(line`           ${trustLabel.padEnd(width)}  ${cells(trust)}`);
  }
  for (const n of report.names) out.push(...libraryLines(n));
  return out;
}

const OUTCOMES: readonly { outcome: LibraryNameOutcome; text: string }[] = [
  { outcome: 'verified', text: 'name verified' },
  { outcome: 'refused', text: 'refuses the name' },
  { outcome: 'not-checked', text: 'connects, name not checked' },
];

/**
 * What each client library does about one name with its default options: a library that does
 * not look at the name is listed apart, so that a passing report never reads as safe for it.
 */
function libraryLines(n: NameCheck): TerminalText[] {
  const label = (v: { library: string; versions: string }): string =>
    v.versions === 'all' ? v.library : `${v.library} ${v.versions}`;
  const width = Math.max(...OUTCOMES.map((o) => o.text.length));
  const out = [line`  libraries  ${n.name}, default options:`];
  for (const { outcome, text } of OUTCOMES) {
    const those = n.libraries.filter((v) => v.name === outcome);
    if (those.length === 0) continue;
    const canCheck = those.filter((v) => v.whenEnabled !== undefined);
    const wouldRefuse = canCheck.filter((v) => v.whenEnabled === 'refused');
    const note =
      outcome !== 'not-checked'
        ? ''
        : wouldRefuse.length === 0
          ? ' (certs snippet shows how to turn the check on)'
          : wouldRefuse.length === canCheck.length
            ? ' (those that can check refuse it once the check is on; certs snippet shows how)'
            : ` (with the check on, ${wouldRefuse.map(label).join(', ')} refuse it; certs snippet shows how)`;
    out.push(line`             ${text.padEnd(width)}  ${those.map(label).join(', ')}${note}`);
  }
  return out;
}

function mark(f: CheckFinding, tty: boolean): TerminalText {
  if (f.severity === 'error') return paint('fail', 'red', tty);
  if (f.severity === 'warning') return paint('warn', 'yellow', tty);
  return paint('info', 'dim', tty);
}

/**
 * Findings by severity; an endpoint that could not be checked counts as an error, and so does a
 * seed that told nothing of its topology. The topology's findings and its nodes' reports count
 * too.
 */
export function counts(result: RunCheckResult): {
  errors: number;
  warnings: number;
  unreachable: number;
} {
  const topology = result.topology?.report;
  const all: { severity: string }[] = [
    ...result.reports.flatMap((r) => r.findings),
    ...(topology?.findings ?? []),
    ...(topology?.nodes.flatMap((n) => n.report?.findings ?? []) ?? []),
  ];
  const unreachable = result.tally?.failed ?? 0;
  const silent = result.topology?.failure === undefined ? 0 : 1;
  return {
    errors: all.filter((f) => f.severity === 'error').length + unreachable + silent,
    warnings: all.filter((f) => f.severity === 'warning').length,
    unreachable,
  };
}

function topologyMark(f: TopologyFinding, tty: boolean): TerminalText {
  if (f.severity === 'error') return paint('fail', 'red', tty);
  if (f.severity === 'warning') return paint('warn', 'yellow', tty);
  return paint('info', 'dim', tty);
}

/**
 * The topology section: what the seed said, a section per node (its report, then where it sits
 * in the topology), the topology's findings, and each cluster client's verdict.
 */
export function topologyLines(
  io: Io,
  walk: TopologyWalk,
  context: { live: boolean; key: boolean; identity: boolean; ca: boolean },
): TerminalText[] {
  const tty = io.stdoutIsTty;
  const out: TerminalText[] = [];
  const report = walk.report;
  if (report === undefined) {
    out.push(
      line`${paint(`topology of ${walk.seed}`, 'bold', tty)}`,
      line`  ${paint('fail', 'red', tty)}  the seed told nothing: ${walk.failure?.reason ?? 'no reply'}`,
    );
    return out;
  }
  const source =
    report.source === undefined ? '' : ` (${report.source}, RESP${String(report.protocol)})`;
  out.push(
    line`${paint(`topology of ${report.seed}`, 'bold', tty)}: ${report.kind}${source}, ${report.nodes.length} node${report.nodes.length === 1 ? '' : 's'}`,
  );
  for (const node of report.nodes) {
    const place = [
      node.role,
      ...(node.slots === undefined ? [] : [`slots ${node.slots}`]),
      ...(node.master === undefined ? [] : [`of ${node.master}`]),
      ...(node.health === undefined || node.health === 'online' ? [] : [node.health]),
      ...(node.address === undefined || node.address === node.host
        ? []
        : [`answered at ${node.address}`]),
    ].join(', ');
    const leaf = node.report?.certificates[0];
    if (node.report === undefined) {
      out.push(line`${paint(`node ${node.endpoint}`, 'bold', tty)}  ${place}`);
      if (node.failure !== undefined) {
        out.push(line`  ${paint('fail', 'red', tty)}  reachable: ${node.failure.reason}`);
      } else {
        out.push(
          line`  ${paint('fail', 'red', tty)}  reachable: not dialled (no host or port announced)`,
        );
      }
      continue;
    }
    const [header, ...checks] = reportLines(
      io,
      node.report,
      { ...context, key: false, live: false, identity: false },
      true,
    );
    if (header !== undefined) out.push(header);
    out.push(
      line`  node   ${place}${leaf === undefined ? '' : `; certificate expires ${leaf.notAfter}`}`,
      ...checks,
    );
  }
  if (report.findings.length === 0) {
    out.push(line`  ${paint('pass', 'green', tty)}  topology`);
  }
  for (const f of report.findings) {
    out.push(line`  ${topologyMark(f, tty)}  topology: ${f.code} ${f.message}`);
  }
  for (const client of report.clients) {
    const refused = client.connections.filter((c) => !c.accepts);
    const verdict = client.accepts ? paint('accept', 'green', tty) : paint('reject', 'red', tty);
    const where =
      refused.length === 0
        ? `every node (${String(client.connections.length)} connections)`
        : refused.map((c) => `${c.node} as ${c.name}`).join(', ');
    out.push(line`  client ${verdict}  ${client.client} (${client.configuration}): ${where}`);
  }
  return out;
}

/** The live line of an endpoint's section: versions accepted, and PING with the identity. */
export function liveLine(live: LiveReport): TerminalText {
  const accepted = live.versions.filter((v) => v.accepted).map((v) => v.version);
  const ping =
    live.ping === undefined
      ? ''
      : `; PING with client identity: ${live.ping.accepted ? `accepted (${live.ping.reply ?? ''})` : `refused (${live.ping.error ?? ''})`}`;
  const address = live.address;
  const at =
    address === undefined ||
    live.endpoint.endsWith(`@${address}`) ||
    live.endpoint.startsWith(`${address}:`)
      ? ''
      : ` (${address})`;
  return line`endpoint ${live.endpoint}${at}: TLS versions accepted ${accepted.join(', ') || 'none'}${ping}`;
}

/**
 * The `check` command: parses arguments, calls core `runCheck`, prints the report.
 *
 * @example
 * ```sh
 * certs check --cluster redislabs.com proxy_cert.pem --endpoint redis-12000.redislabs.com:12000
 * ```
 */
