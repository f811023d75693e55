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
import { escapedText, shownText, stunnelOptionKey, stunnelPort } from '../x509/stunnel-syntax.js';
import { validatePath } from './path.js';
import { fileBytes } from './stunnel-files.js';
import type { StunnelFiles } from './stunnel-files.js';
import { splitAddress } from './stunnel-service.js';
import type { StunnelService } from './stunnel-service.js';

/**
 * A PING with a client identity, as io/tls.ts `pingWithIdentity` reports it (`PingResult`): the
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
  readonly host: string;
  readonly port: number;
  /** SNI: `sni`, else a checkHost name (never an address). */
  readonly servername?: string;
}

/**
 * The endpoint a service connects to: HOST:PORT split at the last colon, a bare PORT being
 * localhost; undefined after recording STUNNEL_BAD_ADDRESS for a port that is not one.
 */
export function probeTarget(service: StunnelService): StunnelProbeTarget | undefined {
  const connect = service.get('connect');
  if (connect === undefined) return undefined;
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
    return undefined;
  }
  const name = service.get('checkHost') ?? service.get('checkIP');
  const servername =
    service.get('sni')?.value ??
    (name !== undefined && ipVersion(name.value) === 0 ? name.value : undefined);
  return {
    service,
    host: address.host.length === 0 ? 'localhost' : address.host,
    port,
    ...(servername === undefined ? {} : { servername }),
  };
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
 * Records the findings of a probe of the service's endpoint.
 *
 * @throws {@link CertkitError} when CAfile was not read or holds no certificates (files not
 * checked before)
 */
export function probeFindings(
  service: StunnelService,
  result: StunnelProbeResult,
  files: StunnelFiles,
  now: Date,
): void {
  const { get, add } = service;
  const connect = get('connect');
  const cafile = get('CAfile');
  if (connect === undefined || cafile === undefined) return;
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
    at: now,
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
  const name = get('checkHost') ?? get('checkIP');
  if (name !== undefined) {
    // stunnel's checkHost/checkIP are OpenSSL's X509_check_host/_ip: Node exposes the same calls.
    const native = new X509Certificate(leaf.der);
    const matched =
      stunnelOptionKey(name.name) === 'checkip'
        ? native.checkIP(name.value)
        : native.checkHost(name.value);
    if (matched === undefined) {
      add(
        'STUNNEL_ENDPOINT_NAME_MISMATCH',
        'error',
        `${endpoint} presents a certificate for ${shownText([...leaf.info.subjectAltNames.dns, ...leaf.info.subjectAltNames.ip].join(', ') || leaf.info.subject)}, which ${name.name} = ${shownText(name.value)} does not match`,
        name.line,
      );
    }
  }
  pingFindings(service, result.ping, endpoint);
}

function pingFindings(
  service: StunnelService,
  ping: StunnelPing | StunnelUnreachable | undefined,
  endpoint: string,
): void {
  if (ping === undefined) return;
  const { get, add } = service;
  const line = (get('cert') ?? get('connect'))?.line;
  if ('unreachable' in ping) {
    add(
      'STUNNEL_ENDPOINT_UNREACHABLE',
      'info',
      `${endpoint} was not pinged: ${escapedText(ping.unreachable, Infinity)}`,
      get('connect')?.line,
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
