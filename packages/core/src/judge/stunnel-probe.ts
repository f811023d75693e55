/**
 * The endpoint of one stunnel service, judged from what probing it found, given as data: the
 * chain it presented (validated with the service's CAfile and matched against checkHost/checkIP,
 * as stunnel would) and, when a client identity was presented, whether the server answered PING.
 * workflows/stunnel.ts connects; a library user may bring their own results.
 */
import { X509Certificate } from 'node:crypto';
import { isCertkitError } from '../errors.js';
import { parseCertificates } from '../x509/certificates.js';
import { ipVersion } from '../x509/ip.js';
import type { Certificate } from '../x509/pkix.js';
import type { StunnelOption } from '../x509/stunnel-syntax.js';
import { escapedText, shownText, stunnelOptionKey, stunnelPort } from '../x509/stunnel-syntax.js';
import { validatePath } from './path.js';
import { fileBytes } from './stunnel-files.js';
import type { StunnelFiles } from './stunnel-files.js';
import { splitAddress } from './stunnel-service.js';
import type { StunnelService } from './stunnel-service.js';

/**
 * A PING with a client identity, as io/tls-ping.ts `pingWithIdentity` reports it (`PingResult`): the
 * server answered (its first reply line, unescaped) or refused, and why.
 */
export interface StunnelPing {
  readonly accepted: boolean;
  readonly reply?: string;
  readonly error?: string;
}

/** Why an endpoint could not be reached, or a PING not sent (the error's message). */
export interface StunnelUnreachable {
  readonly unreachable: string;
}

/**
 * What probing one service's endpoint found: the certificates it presented (leaf first, as
 * sent), and the PING with the client identity the service names when one was tried; or why
 * the endpoint could not be reached.
 */
export type StunnelProbeResult =
  | StunnelUnreachable
  | {
      readonly certificates: readonly Certificate[];
      readonly ping?: StunnelPing | StunnelUnreachable;
    };

/** Where a service connects, as stunnel would: what a probe of it connects to. */
export interface StunnelProbeTarget {
  readonly service: StunnelService;
  /** The `connect` line. */
  readonly connect: StunnelOption;
  /** Its position among the service's `connect` lines (failover targets), from 0. */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  /** SNI: `sni`, else the first checkHost name (never an address). */
  readonly servername?: string;
}

/**
 * The endpoints a service connects to, one per `connect` line (several are failover targets,
 * each of which must pass the same checks): HOST:PORT split at the last colon, a bare PORT being
 * localhost. A line whose port is not one is left out, after recording STUNNEL_BAD_ADDRESS.
 */
export function probeTargets(service: StunnelService): StunnelProbeTarget[] {
  const name = service.getAll('checkHost')[0];
  const servername =
    service.get('sni')?.value ??
    (name !== undefined && ipVersion(name.value) === 0 ? name.value : undefined);
  const targets: StunnelProbeTarget[] = [];
  service.getAll('connect').forEach((connect, index) => {
    const address = splitAddress(connect.value);
    let port: number;
    try {
      port = stunnelPort('connect port', address.port);
    } catch (error) {
      if (!isCertkitError(error)) throw error;
      service.add(
        'STUNNEL_BAD_ADDRESS',
        'error',
        `connect: ${escapedText(error.message, Infinity)}`,
        connect.line,
      );
      return;
    }
    targets.push({
      service,
      connect,
      index,
      host: address.host.length === 0 ? 'localhost' : address.host,
      port,
      ...(servername === undefined ? {} : { servername }),
    });
  });
  return targets;
}

/** Whether a leaf passes the service's name checks: any checkHost line, else any checkIP line. */
function nameMatches(leaf: Certificate, names: readonly StunnelOption[]): boolean {
  // stunnel's checkHost/checkIP are OpenSSL's X509_check_host/_ip: Node exposes the same calls.
  const native = new X509Certificate(leaf.der);
  return names.some((name) =>
    stunnelOptionKey(name.name) === 'checkip'
      ? native.checkIP(name.value) !== undefined
      : native.checkHost(name.value) !== undefined,
  );
}

/**
 * The trust anchors the chain check uses: the certificates of the service's CAfile.
 *
 * @throws {@link CertkitError} when CAfile was not read or holds no certificates
 */
export function probeAnchors(service: StunnelService, files: StunnelFiles): Certificate[] {
  const cafile = service.get('CAfile');
  return cafile === undefined ? [] : parseCertificates(fileBytes(files, cafile), cafile.value);
}

/**
 * Records the findings of a probe of one of the service's endpoints.
 *
 * @throws {@link CertkitError} when CAfile was not read or holds no certificates (files not
 * checked before)
 */
export function probeFindings(
  target: StunnelProbeTarget,
  result: StunnelProbeResult,
  files: StunnelFiles,
  now: Date,
): void {
  const { service, connect } = target;
  const { get, getAll, add } = service;
  const cafile = get('CAfile');
  if (cafile === undefined) return;
  const endpoint = shownText(connect.value);
  if ('unreachable' in result) {
    add(
      'STUNNEL_ENDPOINT_UNREACHABLE',
      'info',
      `${endpoint} was not checked: ${escapedText(result.unreachable, Infinity)}`,
      connect.line,
    );
    return;
  }
  const [leaf, ...rest] = result.certificates;
  if (leaf === undefined) return;
  const validation = validatePath({
    leaf,
    anchors: probeAnchors(service, files),
    intermediates: rest,
    purpose: 'server',
    now,
  });
  if (!validation.ok) {
    const reasons = validation.findings.filter((f) => f.severity === 'error').map((f) => f.message);
    add(
      'STUNNEL_ENDPOINT_UNTRUSTED',
      'error',
      `CAfile = ${shownText(cafile.value)} does not validate the chain ${endpoint} presents: ${reasons.join('; ')}`,
      cafile.line,
    );
  }
  // stunnel accepts a certificate that matches any checkHost line (stunnel(8)); checkIP lines
  // count only when there is no checkHost.
  const hostNames = getAll('checkHost');
  const names = hostNames.length > 0 ? hostNames : getAll('checkIP');
  const [first] = names;
  if (first !== undefined && !nameMatches(leaf, names)) {
    const wanted = names.map((n) => `${n.name} = ${shownText(n.value)}`).join(', ');
    add(
      'STUNNEL_ENDPOINT_NAME_MISMATCH',
      'error',
      `${endpoint} presents a certificate for ${shownText([...leaf.info.subjectAltNames.dns, ...leaf.info.subjectAltNames.ip].join(', ') || leaf.info.subject)}, which ${wanted} does not match`,
      first.line,
    );
  }
  pingFindings(service, result.ping, endpoint, connect.line);
}

function pingFindings(
  service: StunnelService,
  ping: StunnelPing | StunnelUnreachable | undefined,
  endpoint: string,
  connectLine: number,
): void {
  if (ping === undefined) return;
  const { get, add } = service;
  const line = get('cert')?.line ?? connectLine;
  if ('unreachable' in ping) {
    add(
      'STUNNEL_ENDPOINT_UNREACHABLE',
      'info',
      `${endpoint} was not pinged: ${escapedText(ping.unreachable, Infinity)}`,
      connectLine,
    );
    return;
  }
  const who = get('cert') === undefined ? 'no client certificate' : 'the client certificate';
  if (ping.accepted) {
    add(
      'STUNNEL_CLIENT_CERT_ACCEPTED',
      'info',
      `${endpoint} accepted ${who} and answered PING with ${shownText(ping.reply ?? '')}`,
      line,
    );
  } else {
    add(
      'STUNNEL_CLIENT_CERT_REJECTED',
      'error',
      `${endpoint} refused ${who}: ${shownText(ping.error ?? 'no reply to PING')}`,
      line,
    );
  }
}
