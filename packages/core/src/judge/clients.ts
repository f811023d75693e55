/**
 * Models of the host-name checks real Redis client stacks make, so that `certs check` can say in
 * advance which clients will refuse a certificate. These are NOT the RFC 9525 matcher
 * (hostname.ts): each model copies one implementation's quirks, and differential tests prove
 * every model against the real stack: test/interop/clients-matrix.test.ts on every case of the
 * stack matrix (test/interop/STACKS.md), test/interop/clients-*.test.ts on a corpus of patterns.
 *
 * Sources read for each model:
 * - node: `lib/tls.js` `checkServerIdentity` + `check` (Node 20): ioredis, node-redis.
 * - openssl: `crypto/x509/v3_utl.c` `do_x509_check`, `valid_star`, `wildcard_match` (OpenSSL 3.0),
 *   flags 0 as `openssl x509 -checkhost`, `openssl verify -verify_hostname` and stunnel `checkHost`;
 *   an IP address as `-verify_ip` and stunnel `checkIP` check it (`X509_check_ip`).
 * - python: CPython `Modules/_ssl.c` (3.7+) hands the name to `X509_VERIFY_PARAM_set1_host` with
 *   `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`: the OpenSSL model with partial wildcards off (redis-py).
 * - go: clients-go.ts (go-redis). java: clients-java.ts (Jedis, Lettuce).
 */
import { subjectAltNames } from '../x509/extensions.js';
import { ipVersion } from '../x509/ip.js';
import { readNameRdns } from '../x509/names.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import type { ClientStack, ClientVerdict, PresentedNames } from './client-names.js';
import { canonicalIp, isAlnum } from './client-names.js';
import { goVerdict } from './clients-go.js';
import { javaVerdict } from './clients-java.js';

export type {
  ClientStack,
  ClientVerdict,
  PresentedNames,
  SubjectAltNameSyntax,
} from './client-names.js';

/** What a stack is and which Redis clients use it. */
export interface ClientStackInfo {
  readonly stack: ClientStack;
  /** Display name, e.g. `Python ssl`. */
  readonly name: string;
  /** Redis clients (and tools) that check names through this stack. */
  readonly clients: readonly string[];
}

/** Every modelled stack, in report order. */
export const CLIENT_STACKS: readonly ClientStackInfo[] = [
  { stack: 'node', name: 'Node tls', clients: ['ioredis', 'node-redis'] },
  { stack: 'openssl', name: 'OpenSSL', clients: ['stunnel checkHost', 'openssl s_client'] },
  { stack: 'python', name: 'Python ssl', clients: ['redis-py'] },
  { stack: 'go', name: 'Go crypto/x509', clients: ['go-redis'] },
  { stack: 'java', name: 'Java JSSE', clients: ['Jedis', 'Lettuce'] },
];

/**
 * The names of a certificate as the client stacks see them.
 *
 * @example
 * ```ts
 * const names = presentedNames(parseCertificates(bytes, 'proxy_cert.pem')[0]!);
 * // { dns: ['*.redislabs.com'], ip: [], commonNames: ['redislabs.com'] }
 * ```
 */
export function presentedNames(certificate: Certificate): PresentedNames {
  const san = subjectAltNames(certificate);
  const commonNameRdns = readNameRdns(internals(certificate).subjectDer)
    .map((rdn) => rdn.filter((a) => a.type === 'CN').map((a) => a.value))
    .filter((cns) => cns.length > 0);
  return {
    dns: certificate.info.subjectAltNames.dns,
    ip: certificate.info.subjectAltNames.ip,
    commonNames: commonNameRdns.flat(),
    commonNameRdns,
    ...(san.present
      ? {
          subjectAltName: {
            critical: san.critical,
            unreadable: san.malformed,
            email: san.email,
            uri: san.uri,
            ipOctets: san.ip.map((octets) => octets.length),
            frames: san.frames,
            berForms: san.berForms,
          },
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Node: lib/tls.js. The CN is read only when there is no DNS SAN; one '*' anywhere in the first
// label is a wildcard (partial wildcards allowed), not in `xn--` labels, not for `*.tld`.

function nodeSplit(host: string): string[] {
  return host.replace(/[.]$/, '').toLowerCase().split('.');
}

function nodeMatch(hostParts: readonly string[], pattern: string): boolean {
  if (pattern.length === 0) return false;
  const patternParts = nodeSplit(pattern);
  if (hostParts.length !== patternParts.length) return false;
  if (patternParts.includes('')) return false;
  // Node refuses U-labels, controls and blanks in patterns outright.
  if (patternParts.some((s) => /[^\u0021-\u007F]/u.test(s))) return false;
  for (let i = hostParts.length - 1; i > 0; i -= 1) {
    if (hostParts[i] !== patternParts[i]) return false;
  }
  const hostSub = hostParts[0] ?? '';
  const patternSub = patternParts[0] ?? '';
  const pieces = patternSub.split('*', 3);
  if (pieces.length === 1 || patternSub.includes('xn--')) return hostSub === patternSub;
  if (pieces.length > 2) return false;
  if (patternParts.length <= 2) return false;
  const prefix = pieces[0] ?? '';
  const suffix = pieces[1] ?? '';
  if (prefix.length + suffix.length > hostSub.length) return false;
  return hostSub.startsWith(prefix) && hostSub.endsWith(suffix);
}

function nodeVerdict(names: PresentedNames, host: string): ClientVerdict {
  const name = host.replace(/[.]$/, '');
  if (ipVersion(name) !== 0) {
    const hit = names.ip.find((ip) => canonicalIp(ip) === canonicalIp(name));
    return hit === undefined
      ? { stack: 'node', accepts: false, reason: 'no matching IP SAN' }
      : { stack: 'node', accepts: true, matched: hit, reason: `IP SAN ${hit}` };
  }
  const hostParts = nodeSplit(name);
  if (names.dns.length > 0) {
    const hit = names.dns.find((p) => nodeMatch(hostParts, p));
    return hit === undefined
      ? { stack: 'node', accepts: false, reason: 'no DNS SAN matches' }
      : { stack: 'node', accepts: true, matched: hit, reason: `SAN ${hit}` };
  }
  // Only when no DNS SAN exists does Node fall back to the subject CN (every CN is tried).
  const hit = names.commonNames.find((p) => nodeMatch(hostParts, p));
  if (hit !== undefined) return { stack: 'node', accepts: true, matched: hit, reason: `CN ${hit}` };
  return {
    stack: 'node',
    accepts: false,
    reason: names.commonNames.length > 0 ? 'CN does not match' : 'no DNS name',
  };
}

// ---------------------------------------------------------------------------------------------
// OpenSSL: crypto/x509/v3_utl.c. Comparisons are byte-wise with ASCII case folding.

function equalNocase(pattern: string, subject: string): boolean {
  if (pattern.length !== subject.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const l = pattern.charCodeAt(i);
    const r = subject.charCodeAt(i);
    if (l === 0) return false; // the pattern must not contain NUL
    if (l !== r && asciiLower(l) !== asciiLower(r)) return false;
  }
  return true;
}

function asciiLower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/**
 * `valid_star`: the index of the one legal '*' (first label, not the last label, at the start or
 * end of its label, no IDNA label, at least two dots, no label starting with or ending in '-'),
 * or -1 when the pattern has no usable wildcard and is then compared literally.
 */
function validStar(pattern: string, noPartial: boolean): number {
  const START = 1;
  const HYPHEN = 4;
  const IDNA = 8;
  let star = -1;
  let state = START;
  let dots = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') {
      const atStart = (state & START) !== 0;
      const atEnd = i === pattern.length - 1 || pattern.charAt(i + 1) === '.';
      if (star !== -1 || (state & IDNA) !== 0 || dots > 0) return -1;
      if (noPartial && (!atStart || !atEnd)) return -1;
      if (!atStart && !atEnd) return -1;
      star = i;
      state &= ~START;
    } else if (isAlnum(c)) {
      if ((state & START) !== 0 && pattern.slice(i, i + 4).toLowerCase() === 'xn--') state |= IDNA;
      state &= ~(HYPHEN | START);
    } else if (c === '.') {
      // `redis-*.C` ends here: the label before the dot ends in '-' once '*' is set aside.
      if ((state & (HYPHEN | START)) !== 0) return -1;
      state = START;
      dots++;
    } else if (c === '-') {
      if ((state & START) !== 0) return -1;
      state |= HYPHEN;
    } else {
      return -1;
    }
  }
  if ((state & (START | HYPHEN)) !== 0 || dots < 2) return -1;
  return star;
}

function wildcardMatch(prefix: string, suffix: string, subject: string): boolean {
  if (subject.length < prefix.length + suffix.length) return false;
  if (!equalNocase(prefix, subject.slice(0, prefix.length))) return false;
  const start = prefix.length;
  const end = subject.length - suffix.length;
  if (!equalNocase(subject.slice(end), suffix)) return false;
  let allowIdna = false;
  // A wildcard that is the whole first label must match at least one character.
  if (prefix.length === 0 && suffix.startsWith('.')) {
    if (start === end) return false;
    allowIdna = true;
  }
  if (!allowIdna && subject.length >= 4 && subject.slice(0, 4).toLowerCase() === 'xn--') {
    return false; // IDNA labels cannot match partial wildcards
  }
  if (end === start + 1 && subject.charAt(start) === '*') return true;
  for (let p = start; p < end; p++) {
    const c = subject.charAt(p);
    if (!isAlnum(c) && c !== '-') return false;
  }
  return true;
}

function opensslMatch(pattern: string, host: string, noPartial: boolean): boolean {
  const star = host.length > 1 && host.startsWith('.') ? -1 : validStar(pattern, noPartial);
  if (star === -1) return equalNocase(pattern, host);
  return wildcardMatch(pattern.slice(0, star), pattern.slice(star + 1), host);
}

function opensslVerdict(
  stack: 'openssl' | 'python',
  names: PresentedNames,
  host: string,
): ClientVerdict {
  const noPartial = stack === 'python';
  if (ipVersion(host) !== 0) {
    // An IP address is checked by X509_check_ip (Python's X509_VERIFY_PARAM_set1_ip, `openssl
    // verify -verify_ip`, stunnel `checkIP`): IP SANs only.
    const hit = names.ip.find((ip) => canonicalIp(ip) === canonicalIp(host));
    return hit === undefined
      ? { stack, accepts: false, reason: 'no matching IP SAN' }
      : { stack, accepts: true, matched: hit, reason: `IP SAN ${hit}` };
  }
  if (names.dns.length > 0) {
    const hit = names.dns.find((p) => opensslMatch(p, host, noPartial));
    if (hit !== undefined) return { stack, accepts: true, matched: hit, reason: `SAN ${hit}` };
    const partial = names.dns.some((p) => p.includes('*') && validStar(p, noPartial) === -1);
    return {
      stack,
      accepts: false,
      reason: partial ? 'wildcard not allowed in this form' : 'no DNS SAN matches',
    };
  }
  // The CN is read only when the certificate has no DNS SAN (v3_utl.c `san_present`).
  const hit = names.commonNames.find((p) => opensslMatch(p, host, noPartial));
  if (hit !== undefined) return { stack, accepts: true, matched: hit, reason: `CN ${hit}` };
  return {
    stack,
    accepts: false,
    reason: names.commonNames.length > 0 ? 'CN does not match' : 'no DNS name',
  };
}

/**
 * One client stack's verdict on whether a certificate's names cover `host`, modelling that
 * stack's real behaviour (not what RFC 9525 says it should do).
 *
 * @param stack the client stack to model
 * @param names the certificate's names ({@link presentedNames})
 * @param host the name the client connects to, e.g. `redis-12000.redislabs.com`
 *
 * @example
 * ```ts
 * const names = { dns: ['redis-*.redislabs.com'], ip: [], commonNames: [] };
 * clientVerdict('node', names, 'redis-12000.redislabs.com').accepts; // true
 * clientVerdict('python', names, 'redis-12000.redislabs.com').accepts; // false
 * ```
 */
export function clientVerdict(
  stack: ClientStack,
  names: PresentedNames,
  host: string,
): ClientVerdict {
  switch (stack) {
    case 'node':
      return nodeVerdict(names, host);
    case 'openssl':
    case 'python':
      return opensslVerdict(stack, names, host);
    case 'go':
      return goVerdict(names, host);
    case 'java':
      return javaVerdict(names, host);
  }
}

/**
 * Every modelled stack's verdict for one host name, in {@link CLIENT_STACKS} order.
 *
 * @example
 * ```ts
 * const verdicts = clientVerdicts(certificate, 'redis-12000.redislabs.com');
 * const refusing = verdicts.filter((v) => !v.accepts).map((v) => v.stack); // ['openssl', 'python', 'go']
 * ```
 */
export function clientVerdicts(certificate: Certificate, host: string): ClientVerdict[] {
  const names = presentedNames(certificate);
  return CLIENT_STACKS.map(({ stack }) => clientVerdict(stack, names, host));
}
