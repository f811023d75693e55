/**
 * The Java client model (Jedis, Lettuce): JDK 17's `sun.security.util.HostnameChecker` with
 * endpoint identification `HTTPS` (`TYPE_TLS`), for a certificate that does not chain to a public
 * CA (the public-suffix check is skipped), and how `X509CertImpl` reads the names it checks:
 *
 * - the subjectAltName extension is dropped whole when one entry cannot be parsed (an iPAddress
 *   that is not 4, 8 or 16, 32 octets, a URI `URIName` refuses, an rfc822Name without domain);
 *   the check then falls back to the CN. A critical one that cannot be parsed makes the whole
 *   certificate unreadable. IA5String bytes over 0x7F read as U+FFFD.
 * - the CN is one CN: `X500Name.findMostSpecificAttribute`, the first CN (as encoded) of the last
 *   RDN that holds one; it must be in NFKC.
 * - the host and every certificate name go through `IDN.toUnicode(IDN.toASCII(…))` (java-idn.ts)
 *   before matching, so a Unicode CN matches its A-label, `ß` matches `ss`, and an `xn--` host is
 *   compared as Unicode (a `xn--*` pattern cannot match it); a wildcard may stand anywhere in any
 *   label (`matchAllWildcards`).
 */
import { ipVersion } from '../x509/ip.js';
import type { ClientVerdict, PresentedNames } from './client-names.js';
import { canonicalIp, shownName } from './client-names.js';
import { javaIdnToAscii, javaIdnToUnicode } from './java-idn.js';
import { javaUriNameProblem } from './java-uri.js';

/** An IA5String as Java decodes it (US-ASCII): a byte over 0x7F reads as U+FFFD. */
function javaIa5(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++)
    out += text.charCodeAt(i) > 0x7f ? '\ufffd' : text.charAt(i);
  return out;
}

/** `RFC822Name.parseName`: not empty, something after the @, a domain that is not just '.'. */
function rfc822Problem(name: string): string | null {
  if (name.length === 0) return 'RFC822Name may not be null or empty';
  const domain = name.slice(name.indexOf('@') + 1);
  if (domain.length === 0) return 'RFC822Name may not end with @';
  if (domain === '.') return 'RFC822Name domain may not be just .';
  return null;
}

/** Why JDK 17 cannot parse the subjectAltName extension, or `null` when it can. */
export function javaSanProblem(names: PresentedNames): string | null {
  const san = names.subjectAltName;
  if (san === undefined) return null;
  if (san.unreadable) return 'the extension is not a list of names';
  if (san.berForms === true) return 'a name is a constructed (BER) string, which DER forbids';
  const badIp = san.ipOctets.find((n) => ![4, 8, 16, 32].includes(n));
  if (badIp !== undefined) return `Invalid IPAddressName (${String(badIp)} octets)`;
  for (const email of san.email) {
    const problem = rfc822Problem(javaIa5(email));
    if (problem !== null) return `${problem}: ${shownName(email)}`;
  }
  for (const uri of san.uri) {
    const problem = javaUriNameProblem(javaIa5(uri));
    if (problem !== null) return `${problem}: ${shownName(uri)}`;
  }
  return null;
}

/** `IDN.toUnicode(IDN.toASCII(text))`, or `null` where toASCII throws. */
function idnRoundTrip(text: string): string | null {
  const ascii = javaIdnToAscii(text, false);
  return ascii === null ? null : javaIdnToUnicode(ascii);
}

/** `new SNIHostName(name)`: IDN.toASCII with STD3 rules, not empty, no trailing dot. */
function javaSniValid(name: string): boolean {
  const ascii = javaIdnToAscii(name, true);
  return ascii !== null && ascii.length > 0 && !ascii.endsWith('.');
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

/** `HostnameChecker.isMatched` for `TYPE_TLS`. */
function javaIsMatched(host: string, pattern: string): boolean {
  const name = idnRoundTrip(host);
  const template = idnRoundTrip(pattern);
  if (name === null || template === null) return false;
  if (javaHasIllegalWildcard(template)) return false;
  if (!javaSniValid(template.replace(/\*/g, 'z'))) return false;
  // StringTokenizer skips empty tokens.
  const nameLabels = name
    .toLowerCase()
    .split('.')
    .filter((l) => l.length > 0);
  const templateLabels = template
    .toLowerCase()
    .split('.')
    .filter((l) => l.length > 0);
  if (nameLabels.length !== templateLabels.length) return false;
  return nameLabels.every((label, i) => javaMatchWildcards(label, templateLabels[i] ?? ''));
}

/** `findMostSpecificAttribute(commonName)`: the first CN of the last RDN that holds one. */
function javaCommonName(names: PresentedNames): string | undefined {
  const rdns = names.commonNameRdns ?? names.commonNames.map((cn) => [cn]);
  for (let i = rdns.length - 1; i >= 0; i--) {
    const first = rdns[i]?.[0];
    if (first !== undefined) return first;
  }
  return undefined;
}

/** Java's verdict for one host name. */
export function javaVerdict(names: PresentedNames, host: string): ClientVerdict {
  const sanProblem = javaSanProblem(names);
  if (sanProblem !== null && names.subjectAltName?.critical === true) {
    return {
      stack: 'java',
      accepts: false,
      reason: `Java cannot parse the certificate: critical subjectAltName: ${sanProblem}`,
    };
  }
  const dropped = sanProblem === null ? '' : ` (Java drops the subjectAltName: ${sanProblem})`;
  // JDK 17 drops one trailing dot of the peer host before matching (measured: real handshakes).
  let name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (ipVersion(name) !== 0) {
    const hit =
      sanProblem === null
        ? names.ip.find((ip) => canonicalIp(ip) === canonicalIp(name))
        : undefined;
    return hit === undefined
      ? { stack: 'java', accepts: false, reason: `no matching IP SAN${dropped}` }
      : { stack: 'java', accepts: true, matched: hit, reason: `IP SAN ${hit}` };
  }
  if (!javaSniValid(name)) {
    return { stack: 'java', accepts: false, reason: 'not a valid SNI host name for Java' };
  }
  const dns = sanProblem === null ? names.dns : [];
  if (dns.length > 0) {
    const hit = dns.find((p) => javaIsMatched(name, javaIa5(p)));
    return hit === undefined
      ? { stack: 'java', accepts: false, reason: 'no DNS SAN matches' }
      : { stack: 'java', accepts: true, matched: hit, reason: `SAN ${hit}` };
  }
  const cn = javaCommonName(names);
  if (cn === undefined) {
    return { stack: 'java', accepts: false, reason: `no DNS name${dropped}` };
  }
  if (cn.normalize('NFKC') !== cn) {
    return {
      stack: 'java',
      accepts: false,
      reason: `CN ${shownName(cn)} is not in NFKC ("not a formal name")`,
    };
  }
  if (javaIsMatched(name, cn)) {
    return {
      stack: 'java',
      accepts: true,
      matched: cn,
      reason: `CN ${shownName(cn)}${dropped}`,
    };
  }
  return { stack: 'java', accepts: false, reason: `CN does not match${dropped}` };
}
