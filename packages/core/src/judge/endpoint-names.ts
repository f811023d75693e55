/**
 * The names of an endpoint check. Database endpoints of a cluster `C` are `redis-<port>.C`,
 * internal ones `redis-<port>.internal.C` (Redis Enterprise documentation, "Certificates"): a
 * certificate file is checked for the database ports given, a live endpoint for the name its
 * clients connect to (its host, or the SNI name sent). Each name is judged by RFC 9525
 * (hostname.ts) and by the models of the real client stacks (clients.ts), because the stacks
 * disagree and users otherwise find out in production; a certificate that names single ports
 * exactly (`redis-12000.C`) is told that a database on another port will not match.
 */
import { CertkitError } from '../errors.js';
import { isDnsName } from '../x509/dns-name.js';
import { ipVersion } from '../x509/ip.js';
import { assertClusterName } from '../x509/cluster-name.js';
import type { Certificate } from '../x509/pkix.js';
import { libraryVerdicts } from './client-libraries.js';
import type { LibraryVerdict } from './client-libraries.js';
import { CLIENT_STACKS, clientVerdict, clientVerdicts, presentedNames } from './clients.js';
import type { ClientStack, ClientVerdict } from './clients.js';
import { describeStacks, ref } from './endpoint-findings.js';
import type { CheckFinding, CheckProfile } from './endpoint-findings.js';
import { matchReferenceIdentity } from './hostname.js';
import type { ReferenceIdentity } from './hostname.js';

/** How one endpoint name fares. */
export interface NameCheck {
  /** The endpoint name, e.g. `redis-12000.redislabs.com`, or the host a client dials. */
  readonly name: string;
  /** RFC 9525 verdict (no CN, wildcard only as a whole left-most label). */
  readonly rfc9525: boolean;
  /** Why RFC 9525 refuses it. */
  readonly reason?: string;
  /** Every modelled stack's verdict, in CLIENT_STACKS order. */
  readonly clients: readonly ClientVerdict[];
  /** True when the stacks do not all agree. */
  readonly disagree: boolean;
  /**
   * Every modelled client library's verdict with its default options, in CLIENT_LIBRARIES
   * order: a library that does not check names connects whatever its stack would say
   * (`not-checked`), which the stacks' verdicts alone do not show.
   */
  readonly libraries: readonly LibraryVerdict[];
}

/**
 * The database port a certificate file is checked for when no port is given: 12000 is the first
 * port Redis Enterprise gives databases.
 */
export const EXAMPLE_DATABASE_PORT = 12000;

/** Longest DNS name, in octets, without the final dot (RFC 1035 section 2.3.4). */
const MAX_DNS_NAME = 253;

/**
 * Checks the cluster name: a DNS name of at least two labels, without wildcard or port, that is
 * not an IP address (a cluster's endpoints are names under it). Returns it lower-cased, without
 * a trailing dot.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` otherwise
 */
export function checkCluster(cluster: string): string {
  assertClusterName(cluster);
  const name = cluster.toLowerCase().replace(/\.$/, '');
  if (!isDnsName(name) || !name.includes('.')) {
    throw new CertkitError(
      'INVALID_OPTION',
      `cluster must be a DNS name such as redislabs.com (no wildcard, no port), got "${cluster}"`,
    );
  }
  return name;
}

/** Checks database ports: whole numbers from 1 to 65535; duplicates dropped, order kept. */
function checkPorts(ports: readonly number[]): number[] {
  if (ports.length === 0) throw new CertkitError('INVALID_OPTION', 'give at least one port');
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CertkitError(
        'INVALID_OPTION',
        `a database port is a whole number from 1 to 65535, got ${String(port)}`,
      );
    }
  }
  return [...new Set(ports)];
}

/** What {@link endpointNames} builds the names from. */
export interface EndpointNameOptions {
  readonly cluster: string;
  /** Database ports; default [{@link EXAMPLE_DATABASE_PORT}]. */
  readonly ports?: readonly number[];
  /** Also the internal endpoints `redis-<port>.internal.C`. */
  readonly internal?: boolean;
  /**
   * The name a client connects to (a live endpoint's host or SNI name, a DNS name or an IP
   * address): checked instead of `redis-<port>.C`.
   */
  readonly host?: string;
}

/** A host name or IP address a client may dial: printable ASCII, no space, at most 253 octets. */
function checkHost(host: string): string {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > MAX_DNS_NAME || !/^[\x21-\x7e]+$/.test(name)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `the endpoint host ${JSON.stringify(host)} is not a host name or an IP address`,
    );
  }
  return host;
}

/**
 * The names an endpoint check judges, in order: the host a client connects to, or
 * `redis-<port>.C` for each port; then `redis-<port>.internal.C` for each port when asked.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a cluster that is no DNS name (or is an IP
 * address), a port out of range, or a cluster so long that an endpoint name would pass the 253
 * octets of a DNS name
 *
 * @example
 * ```ts
 * endpointNames({ cluster: 'redislabs.com', ports: [12000, 13005] });
 * // ['redis-12000.redislabs.com', 'redis-13005.redislabs.com']
 * endpointNames({ cluster: 'redislabs.com', host: '10.0.0.5', ports: [13005], internal: true });
 * // ['10.0.0.5', 'redis-13005.internal.redislabs.com']
 * ```
 */
export function endpointNames(options: EndpointNameOptions): string[] {
  const cluster = checkCluster(options.cluster);
  const ports = checkPorts(options.ports ?? [EXAMPLE_DATABASE_PORT]);
  const built = [
    ...(options.host === undefined ? ports.map((p) => `redis-${String(p)}.${cluster}`) : []),
    ...(options.internal === true
      ? ports.map((p) => `redis-${String(p)}.internal.${cluster}`)
      : []),
  ];
  const tooLong = built.find((name) => name.length > MAX_DNS_NAME);
  if (tooLong !== undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      `cluster "${cluster}" is too long: the endpoint name ${tooLong} would be ${String(tooLong.length)} octets, over the ${String(MAX_DNS_NAME)} of a DNS name (RFC 1035 section 2.3.4)`,
    );
  }
  return options.host === undefined ? built : [checkHost(options.host), ...built];
}

/** The reference identity of a name: an IP address (brackets dropped) or a DNS name. */
function referenceOf(name: string): ReferenceIdentity {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  return ipVersion(bare) === 0 ? { dns: name } : { ip: bare };
}

function isPartialWildcard(pattern: string): boolean {
  const first = pattern.split('.')[0] ?? '';
  return first.includes('*') && first !== '*';
}

/** One stack's verdict on one SAN pattern alone, to say which stacks refuse that pattern. */
function clientVersusPattern(stack: ClientStack, pattern: string, host: string): boolean {
  return clientVerdict(stack, { dns: [pattern], ip: [], commonNames: [] }, host).accepts;
}

const PORT_LABEL = /^redis-[1-9][0-9]{0,4}$/;

/**
 * `NAME_PORT_SPECIFIC`: the certificate names database endpoints exactly (`redis-12000.C`), and
 * no client accepts it for another port: a database created on a new port will not match.
 */
function portSpecificFinding(leaf: Certificate, cluster: string): CheckFinding | undefined {
  const presented = presentedNames(leaf);
  // The names the stacks read: the DNS SANs, or the CN when there are none.
  const candidates = (presented.dns.length > 0 ? presented.dns : presented.commonNames).map((n) =>
    n.toLowerCase(),
  );
  const ports = new Set<number>();
  const named: string[] = [];
  for (const family of ['', 'internal.']) {
    const suffix = `.${family}${cluster}`;
    const exact = new Set<number>();
    for (const name of candidates) {
      const head = name.endsWith(suffix) ? name.slice(0, -suffix.length) : '';
      const port = PORT_LABEL.test(head) ? Number(head.slice('redis-'.length)) : 0;
      if (port >= 1 && port <= 65535) exact.add(port);
    }
    if (exact.size === 0) continue;
    let other = EXAMPLE_DATABASE_PORT;
    while (exact.has(other)) other = other === 65535 ? 1 : other + 1;
    const probe = `redis-${String(other)}${suffix}`;
    if (clientVerdicts(leaf, probe).some((v) => v.accepts)) continue; // a wildcard covers it
    for (const port of exact) {
      ports.add(port);
      named.push(`redis-${String(port)}${suffix}`);
    }
  }
  if (ports.size === 0) return undefined;
  const list = [...ports].sort((a, b) => a - b);
  return {
    code: 'NAME_PORT_SPECIFIC',
    severity: 'warning',
    message: `the certificate names only database port${list.length === 1 ? '' : 's'} ${list.join(', ')} (${named.join(', ')}): a database on another port will not match; a certificate for *.${cluster} covers every port`,
    certificate: ref(leaf),
    ports: list,
  };
}

/**
 * Findings about names: coverage of each endpoint name by RFC 9525 and by each client stack,
 * partial wildcards, CN-only certificates, and names that cover only some database ports.
 */
export function nameFindings(
  leaf: Certificate,
  cluster: string,
  endpoints: readonly string[],
  profile: CheckProfile,
): { findings: CheckFinding[]; names: NameCheck[] } {
  const findings: CheckFinding[] = [];
  const lenient = profile === 'compat' ? 'warning' : 'error';
  const at = ref(leaf);
  const names: NameCheck[] = endpoints.map((name) => {
    const rfc = matchReferenceIdentity(leaf, referenceOf(name));
    const clients = clientVerdicts(leaf, name);
    const accepted = clients.filter((v) => v.accepts).length;
    return {
      name,
      rfc9525: rfc.ok,
      ...(rfc.ok || rfc.reason === undefined ? {} : { reason: rfc.reason }),
      clients,
      disagree: accepted > 0 && accepted < clients.length,
      libraries: libraryVerdicts(clients),
    };
  });
  const presented = presentedNames(leaf);
  if (presented.dns.length === 0 && presented.ip.length === 0 && presented.commonNames.length > 0) {
    // Some stacks still read the CN when there is no DNS SAN; Go and RFC 9525 never do.
    const refusing = new Set<ClientStack>();
    for (const n of names) for (const v of n.clients) if (!v.accepts) refusing.add(v.stack);
    findings.push({
      code: 'CN_ONLY',
      severity: lenient,
      message: `names only in the subject CN (${presented.commonNames.join(', ')}), no DNS subjectAltName: RFC 9525 section 6.2 and ${describeStacks([...refusing]) || 'strict clients'} ignore the CN; put the names in subjectAltName`,
      certificate: at,
      stacks: [...refusing],
    });
  }
  for (const pattern of presented.dns.filter(isPartialWildcard)) {
    const refusing = new Set<ClientStack>();
    let someAccept = false;
    for (const n of names) {
      for (const { stack } of CLIENT_STACKS) {
        const verdict = clientVersusPattern(stack, pattern, n.name);
        if (verdict) someAccept = true;
        else refusing.add(stack);
      }
    }
    if (!someAccept) continue; // covers no endpoint at all: NAME_MISMATCH says so
    // When other names already cover every endpoint for every stack, the pattern is dead weight.
    const harmless = names.every((n) => n.clients.every((v) => v.accepts));
    findings.push({
      code: 'PARTIAL_WILDCARD',
      severity: harmless ? 'warning' : lenient,
      message: `subjectAltName ${pattern} is a partial wildcard: ${describeStacks([...refusing])} refuse it (RFC 9525 section 6.3 allows "*" only as the whole left-most label); ${harmless ? 'other names cover the endpoints, so drop it' : `use *.${cluster}`}`,
      certificate: at,
      stacks: [...refusing],
    });
  }
  const shownNames = [
    ...presented.dns.map((d) => `DNS:${d}`),
    ...presented.ip.map((i) => `IP:${i}`),
    ...presented.commonNames.map((c) => `CN=${c}`),
  ];
  for (const n of names) {
    const refusing = n.clients.filter((v) => !v.accepts).map((v) => v.stack);
    if (refusing.length === n.clients.length) {
      findings.push({
        code: 'NAME_MISMATCH',
        severity: 'error',
        message: `${n.name} is not covered: no client accepts it (names: ${shownNames.join(', ') || 'none'})`,
        certificate: at,
        stacks: refusing,
      });
    } else if (
      refusing.length > 0 &&
      !findings.some((f) => f.code === 'PARTIAL_WILDCARD' || f.code === 'CN_ONLY')
    ) {
      // A disagreement that neither a partial wildcard nor a CN explains: still a broken client.
      findings.push({
        code: 'NAME_MISMATCH',
        severity: lenient,
        message: `${n.name} is refused by ${n.clients
          .filter((v) => !v.accepts)
          .map((v) => `${describeStacks([v.stack])}: ${v.reason}`)
          .join('; ')}`,
        certificate: at,
        stacks: refusing,
      });
    }
  }
  const portSpecific = portSpecificFinding(leaf, cluster);
  if (portSpecific !== undefined) findings.push(portSpecific);
  return { findings, names };
}
