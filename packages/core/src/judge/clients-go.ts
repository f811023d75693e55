/**
 * The Go client model (go-redis): `crypto/x509` of Go 1.19, `parseSANExtension` in parser.go and
 * `VerifyHostname`, `validHostname`, `matchHostnames` in verify.go.
 *
 * Go parses every subjectAltName entry while it parses the certificate (`forEachSAN`): the list
 * and each entry must frame (tag and length), and one malformed entry of the four forms it reads
 * (a dNSName, rfc822Name or URI that is not IA5, a URI `net/url` cannot parse or whose host is
 * no domain, an iPAddress that is not 4 or 16 octets) makes the whole certificate unreadable,
 * whatever the other entries say. Any other entry (a directoryName, an otherName, a constructed
 * dNSName) is skipped unread: a directoryName that holds no Name breaks nothing in Go, while
 * OpenSSL refuses the certificate and Java drops the extension (stack matrix,
 * `san-bad-directory-name`). Then only DNS SANs are matched: the CN is never read (Go 1.15+);
 * a wildcard only as a whole first label; patterns that are not valid host names (partial
 * wildcards included) are compared exactly.
 */
import { formatIp, ipVersion } from '../x509/ip.js';
import type { ClientVerdict, PresentedNames } from './client-names.js';
import { canonicalIp, isAlnum, isAscii, shownName } from './client-names.js';

// ---------------------------------------------------------------------------------------------
// net/url.Parse (Go 1.19), far enough to say whether it fails.

const HEX = /^[0-9A-Fa-f]$/;

/** `shouldEscape(c, encodeHost)` for an ASCII byte: the bytes a host may not hold. */
function hostByteRefused(c: string): boolean {
  return !/^[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]$/.test(c);
}

type EscapeMode = 'host' | 'zone' | 'other';

/**
 * `unescape(s, mode)`: escapes must be well formed; in a host only %25 or an escape of a non-ASCII
 * byte, in an IPv6 zone only escapes of bytes a host may hold; hosts and zones hold no other
 * ASCII byte a host may not hold.
 */
function unescapeProblem(s: string, mode: EscapeMode): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '%') {
      const escape = s.slice(i, i + 3);
      if (i + 2 >= s.length || !HEX.test(s.charAt(i + 1)) || !HEX.test(s.charAt(i + 2)))
        return `invalid URL escape "${escape}"`;
      const byte = parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === 'host' && byte < 0x80 && escape !== '%25')
        return `invalid URL escape "${escape}"`;
      if (
        mode === 'zone' &&
        escape !== '%25' &&
        byte !== 0x20 &&
        (byte >= 0x80 || hostByteRefused(String.fromCharCode(byte)))
      )
        return `invalid URL escape "${escape}"`;
      i += 2;
    } else if (mode !== 'other' && c.charCodeAt(0) < 0x80 && hostByteRefused(c)) {
      return `invalid character "${c}" in host name`;
    }
  }
  return null;
}

/** Percent escapes decoded to bytes, one character a byte (what Go's unescaped host holds). */
function unescaped(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** `parseHost`: an IP literal in brackets with an optional port, or a name and port. */
function hostProblem(host: string): string | null {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return "missing ']' in host";
    if (!validOptionalPort(host.slice(close + 1))) return 'invalid port after host';
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      return (
        unescapeProblem(host.slice(0, zone), 'host') ??
        unescapeProblem(host.slice(zone, close), 'zone') ??
        unescapeProblem(host.slice(close), 'host')
      );
    }
    return unescapeProblem(host, 'host');
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !validOptionalPort(host.slice(colon))) return 'invalid port after host';
  return unescapeProblem(host, 'host');
}

const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

type Parsed = { readonly problem: string } | { readonly host: string };

/** `url.Parse(text)`: why it fails, or the host it reads (unescaped; empty when none). */
function urlParse(text: string): Parsed {
  const hash = text.indexOf('#');
  const u = hash < 0 ? text : text.slice(0, hash);
  const fragment = hash < 0 ? '' : text.slice(hash + 1);
  const withFragment = (host: string): Parsed => {
    const problem = unescapeProblem(fragment, 'other');
    return problem === null ? { host } : { problem };
  };
  for (let i = 0; i < u.length; i++) {
    const code = u.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return { problem: 'invalid control character in URL' };
  }
  if (u === '*') return withFragment('');
  // getScheme: a letter, then letters, digits, + - .; a ':' ends it; anything else: no scheme.
  let scheme = '';
  let rest = u;
  for (let i = 0; i < u.length; i++) {
    const c = u.charAt(i);
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return { problem: 'missing protocol scheme' };
      scheme = u.slice(0, i);
      rest = u.slice(i + 1);
    }
    break;
  }
  // The query, from the first '?', is not checked.
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);
  if (!rest.startsWith('/')) {
    if (scheme !== '') return withFragment(''); // opaque: rootless paths are not parsed
    if ((rest.split('/')[0] ?? '').includes(':'))
      return { problem: 'first path segment in URL cannot contain colon' };
  }
  let host = '';
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash < 0 ? '' : authority.slice(slash);
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf('@');
    host = at < 0 ? authority : authority.slice(at + 1);
    const problem = hostProblem(host);
    if (problem !== null) return { problem };
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!USERINFO.test(userinfo)) return { problem: 'net/url: invalid userinfo' };
      const bad = unescapeProblem(userinfo, 'other');
      if (bad !== null) return { problem: bad };
    }
  }
  const pathProblem = unescapeProblem(rest, 'other');
  if (pathProblem !== null) return { problem: pathProblem };
  return withFragment(unescaped(host));
}

/** `domainToReverseLabels`: no empty label (so no final dot), bytes from 33 to 126 only. */
function goDomainOk(domain: string): boolean {
  return domain.split('.').every((label) => label.length > 0 && /^[\x21-\x7e]+$/.test(label));
}

/** The subjectAltName as Go reads it: the four forms it parses, in order, or unframed. */
interface GoNames {
  readonly framed: boolean;
  readonly dns: readonly string[];
  readonly email: readonly string[];
  readonly uri: readonly string[];
  readonly ip: readonly string[];
  readonly ipOctets: readonly number[];
}

/** Identifiers `forEachSAN` hands on (tag ^ 0x80): primitive context-specific [1], [2], [6], [7]. */
const GO_EMAIL = 0x81;
const GO_DNS = 0x82;
const GO_URI = 0x86;
const GO_IP = 0x87;

/** What Go's `parseSANExtension` reads from the names: from the frames when they are known. */
function goNames(names: PresentedNames): GoNames {
  const san = names.subjectAltName;
  const frames = san?.frames;
  if (frames === undefined) {
    return {
      framed: san?.unreadable !== true,
      dns: names.dns,
      email: san?.email ?? [],
      uri: san?.uri ?? [],
      ip: names.ip,
      ipOctets: san?.ipOctets ?? [],
    };
  }
  const text = (content: Uint8Array): string => Buffer.from(content).toString('latin1');
  const of = (identifier: number) =>
    (frames ?? []).filter((f) => f.identifier === identifier).map((f) => f.content);
  const ips = of(GO_IP);
  return {
    framed: frames !== null,
    dns: of(GO_DNS).map(text),
    email: of(GO_EMAIL).map(text),
    uri: of(GO_URI).map(text),
    ip: ips.filter((o) => o.length === 4 || o.length === 16).map((o) => formatIp(o)),
    ipOctets: ips.map((o) => o.length),
  };
}

/**
 * Why Go refuses to parse the certificate over its subjectAltName (`x509: …`), or `null`. Hand-
 * made {@link PresentedNames} without `subjectAltName` are checked on their dNSNames only.
 */
export function goSanProblem(names: PresentedNames): string | null {
  return sanProblem(goNames(names));
}

function sanProblem(san: GoNames): string | null {
  if (!san.framed) return 'x509: invalid subject alternative names';
  for (const dns of san.dns)
    if (!isAscii(dns)) return `x509: SAN dNSName ${shownName(dns)} is malformed`;
  for (const email of san.email)
    if (!isAscii(email)) return `x509: SAN rfc822Name ${shownName(email)} is malformed`;
  for (const uri of san.uri) {
    if (!isAscii(uri)) return `x509: SAN uniformResourceIdentifier ${shownName(uri)} is malformed`;
    const parsed = urlParse(uri);
    if ('problem' in parsed)
      return `x509: cannot parse URI ${shownName(uri)}: ${shownName(parsed.problem)}`;
    if (parsed.host.length > 0 && !goDomainOk(parsed.host))
      return `x509: cannot parse URI ${shownName(uri)}: invalid domain`;
  }
  const badIp = san.ipOctets.find((n) => n !== 4 && n !== 16);
  if (badIp !== undefined) return `x509: cannot parse IP address of length ${String(badIp)}`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// VerifyHostname.

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

/** Go's verdict: a malformed SAN refuses the certificate, then `VerifyHostname`. */
export function goVerdict(presented: PresentedNames, host: string): ClientVerdict {
  const names = goNames(presented);
  const unreadable = sanProblem(names);
  if (unreadable !== null) {
    return {
      stack: 'go',
      accepts: false,
      reason: `Go cannot parse the certificate: ${unreadable}`,
    };
  }
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
      reason: presented.commonNames.length > 0 ? 'Go never reads the CN' : 'no DNS name',
    };
  }
  const partial = names.dns.some((p) => p.includes('*') && !goValidHostname(p, true));
  return {
    stack: 'go',
    accepts: false,
    reason: partial ? 'partial wildcard not allowed' : 'no DNS SAN matches',
  };
}
