/**
 * Reference-identity matching as RFC 9525 ("Service Identity in TLS", which obsoletes RFC 6125)
 * says, for DNS names and IP addresses:
 * - only subjectAltName entries count: no fallback to the subject's common name (RFC 9525
 *   section 6.2 removed the CN-ID);
 * - DNS names compare ASCII case-insensitively, label by label (section 6.3; RFC 4343); one
 *   trailing dot on the reference is ignored, but a presented dNSName must have the preferred
 *   name syntax of RFC 5280 section 4.2.1.6, which has no trailing dot: `example.com.` in a SAN
 *   is no valid identifier and matches nothing (OpenSSL, Python, Go and Java refuse it too);
 * - a wildcard is valid only as the whole left-most label and matches exactly one label
 *   (section 6.3 rules 1-3): no `ba*.example.com`, no `foo.*.example.com`, no `*` inside an
 *   `xn--` A-label;
 * - IP references match only iPAddress entries, as 4 or 16 octets (section 6.4).
 *
 * One rule here is not RFC 9525's: a wildcard directly over a public suffix (`*.com`,
 * `*.co.uk`) is refused as the CA/Browser Forum Baseline Requirements (section 3.2.2.6) forbid
 * CAs to issue it. RFC 9525 leaves it to policy, and Go and Java accept it for a private CA;
 * reasons say which rule refused.
 *
 * Everything here is pure and synchronous. The client-stack models (clients.ts) are separate on
 * purpose: each copies one implementation's own rules, not these.
 */
import { asciiLower, dropTrailingDot, isDnsName } from '../x509/dns-name.js';
import { subjectAltNames } from '../x509/extensions.js';
import { parseIpAddress } from '../x509/ip.js';
import type { Certificate } from '../x509/pkix.js';

/**
 * Public suffixes over which a wildcard is refused, beyond single labels (every single label is
 * a public suffix under the Public Suffix List's default `*` rule, so `*.com` and `*.internal`
 * are refused without being listed). A short built-in list of the multi-label suffixes most
 * often met, ICANN and private sections of https://publicsuffix.org/list/ (not the whole list:
 * certkit bundles no data files); `*.co.uk` and `*.s3.amazonaws.com` are refused, a wildcard
 * over an unlisted multi-label suffix is not.
 */
export const PUBLIC_SUFFIXES: readonly string[] = [
  // ICANN section: second-level registries of large country-code TLDs.
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'ltd.uk',
  'plc.uk',
  'me.uk',
  'net.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'com.br',
  'com.cn',
  'net.cn',
  'org.cn',
  'com.mx',
  'com.tr',
  'com.tw',
  'co.in',
  'co.kr',
  'co.za',
  'com.sg',
  'com.hk',
  // Private section: shared hosting and cloud namespaces.
  's3.amazonaws.com',
  'compute.amazonaws.com',
  'elasticbeanstalk.com',
  'cloudfront.net',
  'herokuapp.com',
  'appspot.com',
  'blogspot.com',
  'github.io',
  'gitlab.io',
  'azurewebsites.net',
  'cloudapp.net',
  'firebaseapp.com',
  'web.app',
  'netlify.app',
  'vercel.app',
  'pages.dev',
  'workers.dev',
];

const PUBLIC_SUFFIX_SET: ReadonlySet<string> = new Set(PUBLIC_SUFFIXES);

/** The reference identity a client holds: the name it dialled, or the address. */
export type ReferenceIdentity = { readonly dns: string } | { readonly ip: string };

/** Outcome of {@link matchReferenceIdentity}: `reason` says why it did not match. */
export interface IdentityMatch {
  readonly ok: boolean;
  readonly reason?: string;
}

/**
 * True when `suffix` (lower case, no trailing dot) is a public suffix for wildcard purposes: a
 * single label (the Public Suffix List's default rule), or one of {@link PUBLIC_SUFFIXES}.
 *
 * @example
 * ```ts
 * isPublicSuffix('co.uk'); // true
 * isPublicSuffix('example.co.uk'); // false
 * ```
 */
export function isPublicSuffix(suffix: string): boolean {
  const name = asciiLower(dropTrailingDot(suffix));
  return !name.includes('.') || PUBLIC_SUFFIX_SET.has(name);
}

/**
 * Why a presented DNS identifier (a dNSName SAN value) is invalid, or `null` when it is valid.
 * Applies RFC 5280 section 4.2.1.6 syntax (no trailing dot), the RFC 9525 section 6.3 wildcard
 * rules, and the CA/Browser Forum rule against a wildcard over a public suffix (the reason says
 * so).
 *
 * @example
 * ```ts
 * dnsPatternProblem('ba*.example.com'); // 'partial-label wildcard ...'
 * dnsPatternProblem('example.com.'); // '... ends with a dot ... (RFC 5280 section 4.2.1.6)'
 * dnsPatternProblem('*.example.com'); // null
 * ```
 */
export function dnsPatternProblem(pattern: string): string | null {
  if (pattern.endsWith('.') && pattern.length > 1)
    return `"${pattern}" ends with a dot: a dNSName has the preferred name syntax, without one (RFC 5280 section 4.2.1.6)`;
  const name = asciiLower(pattern);
  if (!name.includes('*')) {
    return isDnsName(name) ? null : `"${pattern}" is not a valid DNS name`;
  }
  const labels = name.split('.');
  const first = labels[0] ?? '';
  const rest = labels.slice(1).join('.');
  if (first !== '*') {
    if (first.startsWith('xn--'))
      return `"${pattern}" has a wildcard inside an A-label (RFC 9525 section 6.3)`;
    if (first.includes('*'))
      return `"${pattern}" has a partial-label wildcard (RFC 9525 section 6.3)`;
    return `"${pattern}" has a wildcard outside the left-most label (RFC 9525 section 6.3)`;
  }
  if (rest.includes('*')) return `"${pattern}" has more than one wildcard (RFC 9525 section 6.3)`;
  if (rest.length === 0 || !isDnsName(rest)) return `"${pattern}" is not a valid wildcard name`;
  if (isPublicSuffix(rest)) return publicSuffixRule(pattern, rest);
  return null;
}

function publicSuffixRule(pattern: string, suffix: string): string {
  return `"${pattern}" is a wildcard directly over the public suffix "${suffix}": a CA/Browser Forum rule (Baseline Requirements section 3.2.2.6) refuses it, not RFC 9525`;
}

/**
 * The RFC 9525 section 6.3 rule for one presented DNS identifier against one DNS reference:
 * exact label-by-label match (ASCII case-insensitive, one trailing dot ignored on the reference),
 * or a `*` left-most label standing for exactly one label. Invalid patterns (a trailing dot
 * included) and invalid references never match.
 *
 * @example
 * ```ts
 * matchDnsPattern('*.example.com', 'foo.example.com'); // true
 * matchDnsPattern('*.example.com', 'foo.bar.example.com'); // false
 * matchDnsPattern('*.example.com', 'example.com'); // false
 * ```
 */
export function matchDnsPattern(pattern: string, host: string): boolean {
  if (dnsPatternProblem(pattern) !== null || !isDnsName(host)) return false;
  const p = asciiLower(pattern);
  const h = asciiLower(dropTrailingDot(host));
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Matches a certificate against the reference identity a client holds, as RFC 9525 says (see
 * the module comment): DNS references against dNSName entries only, IP references against
 * iPAddress entries only, never the common name. A certificate whose subjectAltName cannot be
 * decoded matches nothing; malformed entries are ignored (section 6.3: "MUST be ignored").
 *
 * @example
 * ```ts
 * const result = matchReferenceIdentity(cert, { dns: 'redis-12000.cluster.example.com' });
 * if (!result.ok) console.error(result.reason);
 * matchReferenceIdentity(cert, { ip: '10.0.0.5' });
 * ```
 */
export function matchReferenceIdentity(
  certificate: Certificate,
  reference: ReferenceIdentity,
): IdentityMatch {
  const sans = subjectAltNames(certificate);
  if (!sans.present) {
    return {
      ok: false,
      reason:
        'the certificate has no subjectAltName (the common name is not used, RFC 9525 section 6.2)',
    };
  }
  if (sans.malformed) return { ok: false, reason: 'the subjectAltName extension is malformed' };
  if ('ip' in reference) {
    const wanted = parseIpAddress(reference.ip);
    if (wanted === null) return { ok: false, reason: `"${reference.ip}" is not an IP address` };
    if (sans.ip.some((octets) => bytesEqual(octets, wanted))) return { ok: true };
    return {
      ok: false,
      reason:
        sans.ip.length === 0
          ? `no IP address in subjectAltName matches ${reference.ip} (DNS names are not compared with IP references, RFC 9525 section 6.4)`
          : `no IP address in subjectAltName matches ${reference.ip}`,
    };
  }
  const host = reference.dns;
  if (parseIpAddress(dropTrailingDot(host)) !== null) {
    return { ok: false, reason: `"${host}" is an IP address: match it as an IP reference` };
  }
  if (!isDnsName(host)) return { ok: false, reason: `"${host}" is not a valid DNS name` };
  if (sans.dns.some((pattern) => matchDnsPattern(pattern, host))) return { ok: true };
  const invalid = sans.dns.filter((pattern) => dnsPatternProblem(pattern) !== null);
  return {
    ok: false,
    reason:
      sans.dns.length === 0
        ? `the subjectAltName has no DNS names to match ${host}`
        : `no DNS name in subjectAltName matches ${host}${
            invalid.length > 0
              ? ` (not matched: ${invalid.map((p) => dnsPatternProblem(p) ?? p).join('; ')})`
              : ''
          }`,
  };
}
