/**
 * Models of the host-name checks real Redis client stacks make, so that `certs check` can say in
 * advance which clients will refuse a certificate. These are NOT the RFC 9525 matcher
 * (hostname.ts): each model copies one implementation's quirks, and a differential test
 * (test/interop/clients-*.test.ts) proves it against the real stack on a generated corpus.
 *
 * Sources read for each model:
 * - node: `lib/tls.js` `checkServerIdentity` + `check` (Node 20): ioredis, node-redis.
 * - openssl: `crypto/x509/v3_utl.c` `do_x509_check`, `valid_star`, `wildcard_match` (OpenSSL 3.0),
 *   flags 0 as `openssl x509 -checkhost`, `openssl verify -verify_hostname` and stunnel `checkHost`.
 * - python: CPython `Modules/_ssl.c` (3.7+) hands the name to `X509_VERIFY_PARAM_set1_host` with
 *   `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`: the OpenSSL model with partial wildcards off (redis-py).
 * - go: `crypto/x509/verify.go` `VerifyHostname`, `validHostname`, `matchHostnames` (Go 1.15+:
 *   the CN is never read): go-redis.
 * - java: `sun.security.util.HostnameChecker` (JDK 17, `TYPE_TLS`, private CA): Jedis, Lettuce.
 */
import { ipVersion } from '../x509/ip.js';
import type { Certificate } from '../x509/pkix.js';

/** A client stack we model. */
export type ClientStack = 'node' | 'openssl' | 'python' | 'go' | 'java';

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

/** The names a certificate presents, as the stacks read them. */
export interface PresentedNames {
  /** subjectAltName dNSName entries, as encoded. */
  readonly dns: readonly string[];
  /** subjectAltName iPAddress entries, as text. */
  readonly ip: readonly string[];
  /** Subject CN values, in encoding order. */
  readonly commonNames: readonly string[];
}

/** One stack's verdict for one name. */
export interface ClientVerdict {
  readonly stack: ClientStack;
  readonly accepts: boolean;
  /** The certificate name that matched, when one did. */
  readonly matched?: string;
  /** Why, in a few words: `SAN *.example.com`, `partial wildcard not allowed`, … */
  readonly reason: string;
}

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
  return {
    dns: certificate.info.subjectAltNames.dns,
    ip: certificate.info.subjectAltNames.ip,
    commonNames: certificate.info.subjectAttributes
      .filter((a) => a.type === 'CN')
      .map((a) => a.value),
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

function canonicalIp(text: string): string {
  // Node's canonicalizeIP: IPv6 compressed lower-case, IPv4 dotted.
  if (ipVersion(text) === 6) {
    try {
      return new URL(`http://[${text}]/`).hostname.slice(1, -1);
    } catch {
      return text.toLowerCase(); // not parseable: compared as written, as Node does
    }
  }
  return text;
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

const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

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
  if (stack === 'python' && ipVersion(host) !== 0) {
    // Python hands IP addresses to X509_VERIFY_PARAM_set1_ip: IP SANs only.
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

// ---------------------------------------------------------------------------------------------
// Go: crypto/x509/verify.go. Only DNS SANs; a wildcard only as a whole first label; patterns that
// are not valid host names (including partial wildcards) are compared exactly.

function goValidHostname(host: string, isPattern: boolean): boolean {
  const name = isPattern ? host : host.replace(/[.]$/, '');
  if (name.length === 0 || name === '*') return false;
  const parts = name.split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (part.length === 0) return false;
    if (isPattern && i === 0 && part === '*') continue;
    for (let j = 0; j < part.length; j++) {
      const c = part.charAt(j);
      if (isAlnum(c) || c === '_' || (c === '-' && j !== 0)) continue;
      return false;
    }
  }
  return true;
}

function goLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function goMatchHostnames(pattern: string, host: string): boolean {
  const p = goLower(pattern);
  const h = goLower(host.replace(/[.]$/, ''));
  if (p.length === 0 || h.length === 0) return false;
  const patternParts = p.split('.');
  const hostParts = h.split('.');
  if (patternParts.length !== hostParts.length) return false;
  return patternParts.every((part, i) => (i === 0 && part === '*') || part === hostParts[i]);
}

function goVerdict(names: PresentedNames, host: string): ClientVerdict {
  let candidate = host;
  if (host.length >= 3 && host.startsWith('[') && host.endsWith(']')) candidate = host.slice(1, -1);
  if (ipVersion(candidate) !== 0) {
    const hit = names.ip.find((ip) => canonicalIp(ip) === canonicalIp(candidate));
    return hit === undefined
      ? { stack: 'go', accepts: false, reason: 'no matching IP SAN' }
      : { stack: 'go', accepts: true, matched: hit, reason: `IP SAN ${hit}` };
  }
  const lower = goLower(host);
  const validInput = goValidHostname(lower, false);
  for (const pattern of names.dns) {
    const ok =
      validInput && goValidHostname(pattern, true)
        ? goMatchHostnames(pattern, lower)
        : pattern.length > 0 &&
          pattern !== '.' &&
          lower.length > 0 &&
          lower !== '.' &&
          goLower(pattern) === lower;
    if (ok) return { stack: 'go', accepts: true, matched: pattern, reason: `SAN ${pattern}` };
  }
  if (names.dns.length === 0) {
    return {
      stack: 'go',
      accepts: false,
      reason: names.commonNames.length > 0 ? 'Go never reads the CN' : 'no DNS name',
    };
  }
  const partial = names.dns.some((p) => p.includes('*') && !goValidHostname(p, true));
  return {
    stack: 'go',
    accepts: false,
    reason: partial ? 'partial wildcard not allowed' : 'no DNS SAN matches',
  };
}

// ---------------------------------------------------------------------------------------------
// Java: sun.security.util.HostnameChecker, TYPE_TLS, for a certificate that does not chain to a
// public CA (the public-suffix check is skipped). Wildcards may stand anywhere in any label.

/** `new SNIHostName(name)`: IDN.toASCII with STD3 rules (LDH labels), no trailing dot. */
function javaSniValid(name: string): boolean {
  if (name.length === 0 || name.endsWith('.')) return false;
  return name
    .split('.')
    .every(
      (label) =>
        label.length > 0 &&
        label.length <= 63 &&
        /^[0-9A-Za-z-]+$/.test(label) &&
        !label.startsWith('-') &&
        !label.endsWith('-'),
    );
}

function javaHasIllegalWildcard(template: string): boolean {
  if (template === '*' || template === '*.') return true;
  const last = template.lastIndexOf('*');
  if (last === -1) return false;
  return !template.slice(last).includes('.'); // a wildcard in the last label, e.g. `*com`
}

function javaMatchWildcards(name: string, template: string): boolean {
  let index = template.indexOf('*');
  if (index === -1) return name === template;
  let rest = name;
  let after = template;
  let beginning = true;
  while (index !== -1) {
    const before = after.slice(0, index);
    after = after.slice(index + 1);
    const at = rest.indexOf(before);
    if (at === -1 || (beginning && at !== 0)) return false;
    beginning = false;
    rest = rest.slice(at + before.length);
    index = after.indexOf('*');
  }
  return rest.endsWith(after);
}

function javaIsMatched(name: string, template: string): boolean {
  if (!/^[\x21-\x7e]*$/.test(template)) return false; // IDN normalisation of non-ASCII: not modelled
  if (javaHasIllegalWildcard(template)) return false;
  if (!javaSniValid(template.replace(/\*/g, 'z'))) return false;
  // StringTokenizer skips empty tokens; SNIHostName has already refused empty labels.
  const nameLabels = name.toLowerCase().split('.');
  const templateLabels = template.toLowerCase().split('.');
  if (nameLabels.length !== templateLabels.length) return false;
  return nameLabels.every((label, i) => javaMatchWildcards(label, templateLabels[i] ?? ''));
}

function javaVerdict(names: PresentedNames, host: string): ClientVerdict {
  // JDK 17 drops one trailing dot of the peer host before matching (measured: real handshakes).
  let name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (ipVersion(name) !== 0) {
    const hit = names.ip.find((ip) => canonicalIp(ip) === canonicalIp(name));
    return hit === undefined
      ? { stack: 'java', accepts: false, reason: 'no matching IP SAN' }
      : { stack: 'java', accepts: true, matched: hit, reason: `IP SAN ${hit}` };
  }
  if (!javaSniValid(name)) {
    return { stack: 'java', accepts: false, reason: 'not a valid SNI host name for Java' };
  }
  if (names.dns.length > 0) {
    const hit = names.dns.find((p) => javaIsMatched(name, p));
    return hit === undefined
      ? { stack: 'java', accepts: false, reason: 'no DNS SAN matches' }
      : { stack: 'java', accepts: true, matched: hit, reason: `SAN ${hit}` };
  }
  // X500Name.findMostSpecificAttribute: the last CN in the subject.
  const cn = names.commonNames[names.commonNames.length - 1];
  if (cn !== undefined && cn.normalize('NFKC') === cn && javaIsMatched(name, cn)) {
    return { stack: 'java', accepts: true, matched: cn, reason: `CN ${cn}` };
  }
  return {
    stack: 'java',
    accepts: false,
    reason: cn === undefined ? 'no DNS name' : 'CN does not match',
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
