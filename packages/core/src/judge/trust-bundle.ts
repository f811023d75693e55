/**
 * Trust bundles: a set of trust anchors, such as the `servercerts.pem` the Redis Enterprise guide
 * builds from every node's self-signed `proxy_cert.pem`: deduplicated, in the order given, with
 * findings for members that cannot serve as anchors.
 */
import type { Certificate } from '../x509/pkix.js';
import {
  capChainFindings,
  dedupe,
  describe,
  finding,
  isCa,
  isSelfSigned,
  validityFinding,
} from './chain-common.js';
import type { ChainFinding } from './chain-common.js';
import { nameKey, SubjectIndex } from './issuer-index.js';
import { resolveNow } from '../clock.js';
import { validityAt } from './validity.js';
import type { Validity } from './validity.js';

/** Options of {@link buildTrustBundle}: bundle mode of `assembleParsedCertificates`. */
export interface TrustBundleOptions {
  /** The time validity is judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/** One member of a trust bundle. */
export interface TrustBundleMember {
  readonly certificate: Certificate;
  readonly validity: Validity;
  /** Subject equals issuer and its own key verifies its signature. */
  readonly selfSigned: boolean;
  /** basicConstraints cA=TRUE. */
  readonly ca: boolean;
}

/**
 * A deduplicated set of trust anchors.
 *
 * @example
 * ```ts
 * const expired = bundle.members.filter((m) => m.validity === 'expired');
 * ```
 */
export interface TrustBundle {
  /** No error findings (bundle findings are warnings: members are kept, as given). */
  readonly ok: boolean;
  readonly members: readonly TrustBundleMember[];
  /** The members' certificates, first occurrence order. */
  readonly certificates: readonly Certificate[];
  readonly findings: readonly ChainFinding[];
}

/**
 * Builds a trust bundle; bundle mode of `assembleParsedCertificates`, whose documentation
 * states the rules.
 */
export function buildTrustBundle(
  certificates: readonly Certificate[],
  options: TrustBundleOptions = {},
): TrustBundle {
  const now = resolveNow(options.now);
  const { unique, findings } = dedupe(certificates);
  const members: TrustBundleMember[] = unique.map((certificate) => {
    const validity = validityAt(certificate, now);
    const member = {
      certificate,
      validity,
      selfSigned: isSelfSigned(certificate),
      ca: isCa(certificate),
    };
    const dated = validityFinding(certificate, validity, 'warning');
    if (dated !== null) findings.push(dated);
    if (!member.selfSigned && !member.ca) {
      findings.push(
        finding(
          'NOT_A_TRUST_ANCHOR',
          'warning',
          `${describe(certificate)} is neither self-signed nor a CA; as a trust anchor it only works where partial chains are allowed (it is issued by ${certificate.info.issuer})`,
          certificate,
        ),
      );
    }
    return member;
  });
  // ROOT_MISSING, once per missing root: an error when no member is self-signed (such a bundle
  // anchors nothing for OpenSSL clients), a warning otherwise (the self-signed ones may be all
  // its clients need).
  const anchorsSomething = members.some((m) => m.selfSigned);
  for (const { top, issuer, stranded } of missingRoots(unique))
    findings.push(
      finding(
        'ROOT_MISSING',
        anchorsSomething ? 'warning' : 'error',
        `the root is missing: ${describe(top)}${stranded.length > 1 ? ` (and ${String(stranded.length - 1)} more of the bundle under it)` : ''} is not self-signed and its issuer ${issuer} is not in the bundle. OpenSSL clients (stunnel, redis-cli, Node, Python) end a path only at a self-signed certificate of their CA file (Go and Java accept any): add the root CA certificate ${issuer}`,
        top,
      ),
    );
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    members,
    certificates: unique,
    findings: capChainFindings(findings),
  };
}

/** A root a trust bundle lacks: what {@link missingRoots} finds. */
export interface MissingRoot {
  /** The highest certificate of the bundle under the missing root. */
  readonly top: Certificate;
  /** The missing root's name: the issuer of `top`. */
  readonly issuer: string;
  /** Every member of the bundle whose path ends under this missing root. */
  readonly stranded: readonly Certificate[];
}

/**
 * The roots a set of trust anchors lacks, once per missing root: members that are not
 * self-signed and whose issuers, followed by name through the set, reach no self-signed member.
 * OpenSSL (stunnel, redis-cli, Node, Python) ends a path only at a self-signed certificate of the
 * CA file; Go and Java accept any (measured: test/interop/STACKS.md). Issuers are followed by
 * name only, memoised by name, so that a bundle of thousands stays linear.
 */
export function missingRoots(certificates: readonly Certificate[]): MissingRoot[] {
  const bySubject = new SubjectIndex(certificates, (c) => c);
  /** Per issuer name: the highest certificate reached without a root, or null when rooted. */
  const memo = new Map<string, Certificate | null>();
  const topOf = (certificate: Certificate, seen: Set<string>): Certificate | null => {
    if (isSelfSigned(certificate)) return null;
    const issuer = nameKey(certificate, 'issuer');
    const known = memo.get(issuer);
    if (known !== undefined) return known;
    let top: Certificate | null = certificate;
    if (!seen.has(issuer)) {
      seen.add(issuer);
      for (const candidate of bySubject.issuersOf(certificate)) {
        if (candidate === certificate) continue;
        const above = topOf(candidate, seen);
        if (above === null) {
          top = null;
          break;
        }
        top = above;
      }
    }
    memo.set(issuer, top);
    return top;
  };
  const missing = new Map<string, { top: Certificate; stranded: Certificate[] }>();
  for (const c of certificates) {
    const top = topOf(c, new Set());
    if (top === null) continue;
    const entry = missing.get(top.info.issuer);
    if (entry === undefined) missing.set(top.info.issuer, { top, stranded: [c] });
    else entry.stranded.push(c);
  }
  return [...missing.entries()].map(([issuer, entry]) => ({ issuer, ...entry }));
}
