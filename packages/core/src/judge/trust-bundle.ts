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
import { resolveNow } from '../clock.js';
import { validityAt } from './validity.js';
import type { Validity } from './validity.js';

/** Options of {@link buildTrustBundle}. */
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
 * Builds a trust bundle: deduplicated by SHA-256 fingerprint, in the given order, with findings
 * (warnings, not failures) for members that are expired, not yet valid, or neither self-signed
 * nor CAs (OpenSSL, and so redis-cli and stunnel, anchor trust only in certificates it can end
 * a chain with).
 *
 * @example
 * ```ts
 * import { buildTrustBundle, parseCertificates } from '@certkit/core';
 * const certs = ['node1.pem', 'node2.pem'].flatMap((f) => parseCertificates(readFileSync(f), f));
 * const bundle = buildTrustBundle(certs);
 * const servercertsPem = bundle.certificates.map((c) => c.pem).join('');
 * for (const f of bundle.findings) console.error(`${f.severity}: ${f.message}`);
 * ```
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
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    members,
    certificates: unique,
    findings: capChainFindings(findings),
  };
}
