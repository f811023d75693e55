/**
 * What the chain and trust-bundle judges share: the chain finding codes, how a finding names
 * its certificate, validity findings, de-duplication, and the self-signed and CA tests.
 */
import { namesEqual } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';
import { capRepeatedFindings, certificateRef, describeCertificate } from './finding.js';
import type { Finding, Severity } from './finding.js';
import type { Validity } from './validity.js';

/** Stable codes of {@link ChainFinding}s. Never renamed. */
export type ChainFindingCode =
  /** The same certificate (SHA-256 of the DER) appears again; kept once. */
  | 'DUPLICATE'
  /** notAfter is before `now`. */
  | 'EXPIRED'
  /** notBefore is after `now`. */
  | 'NOT_YET_VALID'
  /** A bundle member neither self-signed nor a CA: not usable as a trust anchor. */
  | 'NOT_A_TRUST_ANCHOR'
  /**
   * No certificate of the input issued this chain member: the chain is broken (a missing
   * intermediate). Named `ISSUER_MISSING` in 0.1.0 (CHANGELOG).
   */
  | 'MISSING_ISSUER'
  /** The chain ends at an intermediate whose (root) issuer was not given: usual for servers. */
  | 'ROOT_NOT_IN_INPUT'
  /**
   * A trust bundle holds no self-signed root for some of its members: OpenSSL clients (stunnel,
   * redis-cli, Node, Python) cannot end a path there.
   */
  | 'ROOT_MISSING'
  /** Certificates issue each other and no self-signed root ends the chain. */
  | 'CYCLE'
  /** Another certificate could also be the leaf of this chain. */
  | 'SEVERAL_LEAVES'
  /** An input certificate that is not part of the chain; left out. */
  | 'UNRELATED_CERTIFICATE'
  /** Another certificate for a chain member's name and key (cross-signed or reissued); left out. */
  | 'ALTERNATE_ISSUER'
  /** The child's issuer name is not the issuer's subject (RFC 5280 section 6.1.3 (a)(4)). */
  | 'NAMES_DO_NOT_CHAIN'
  /** The child's authority key identifier is not the issuer's subject key identifier. */
  | 'KEY_IDENTIFIER_MISMATCH'
  /** The issuer's key does not verify the child's signature (RFC 5280 section 6.1.3 (a)(1)). */
  | 'SIGNATURE_INVALID'
  /** The issuer lacks basicConstraints cA=TRUE (RFC 5280 section 6.1.4 (k)). */
  | 'ISSUER_NOT_CA'
  /** The issuer has keyUsage without keyCertSign (RFC 5280 section 6.1.4 (n)). */
  | 'ISSUER_CANNOT_SIGN_CERTIFICATES'
  /** More intermediates follow a CA than its pathLenConstraint allows (RFC 5280 4.2.1.9). */
  | 'PATH_LENGTH_EXCEEDED';

/**
 * One problem or remark about a bundle or chain.
 *
 * @example
 * ```ts
 * for (const f of chain.findings) if (f.code === 'MISSING_ISSUER') console.error(f.message);
 * ```
 */
export type ChainFinding = Finding<ChainFindingCode>;

/** `certificate 2 in node1.pem (CN=node1)`: how users find a block. */
export const describe = describeCertificate;

/** A chain finding, about `certificate` when given. */
export function finding(
  code: ChainFindingCode,
  severity: Severity,
  message: string,
  certificate?: Certificate,
): ChainFinding {
  return certificate === undefined
    ? { code, severity, message }
    : { code, severity, message, certificate: certificateRef(certificate) };
}

/** `EXPIRED` or `NOT_YET_VALID` at `severity` for a certificate outside its validity, else null. */
export function validityFinding(
  certificate: Certificate,
  validity: Validity,
  severity: Severity,
): ChainFinding | null {
  if (validity === 'expired') {
    return finding(
      'EXPIRED',
      severity,
      `${describe(certificate)} expired on ${certificate.info.notAfter}`,
      certificate,
    );
  }
  if (validity === 'not-yet-valid') {
    return finding(
      'NOT_YET_VALID',
      severity,
      `${describe(certificate)} is not valid before ${certificate.info.notBefore}`,
      certificate,
    );
  }
  return null;
}

/** Drops repeated certificates (same SHA-256 of the DER), keeping the first occurrence. */
export function dedupe(certificates: readonly Certificate[]): {
  unique: Certificate[];
  findings: ChainFinding[];
} {
  const seen = new Map<string, Certificate>();
  const findings: ChainFinding[] = [];
  for (const certificate of certificates) {
    const first = seen.get(certificate.info.fingerprintSha256);
    if (first === undefined) {
      seen.set(certificate.info.fingerprintSha256, certificate);
    } else {
      findings.push(
        finding(
          'DUPLICATE',
          'info',
          `${describe(certificate)} repeats certificate ${String(first.source.index)} in ${first.source.name}; kept once`,
          certificate,
        ),
      );
    }
  }
  return { unique: [...seen.values()], findings };
}

const selfSignedCache = new WeakMap<Certificate, boolean>();

/** Subject equals issuer (RFC 5280 section 7.1 comparison) and its own key verifies it. */
export function isSelfSigned(certificate: Certificate): boolean {
  let value = selfSignedCache.get(certificate);
  if (value === undefined) {
    value =
      namesEqual(certificate, 'subject', certificate, 'issuer') &&
      signatureVerifies(certificate, certificate);
    selfSignedCache.set(certificate, value);
  }
  return value;
}

export function isCa(certificate: Certificate): boolean {
  return certificate.info.basicConstraints?.ca === true;
}

/**
 * Findings of one code listed one by one; past this, one more finding says how many were left
 * unsaid. A file of 10,000 copies must not print 10,000 lines (`certs check` printed 39,997).
 */
export const MAX_FINDINGS_PER_CODE = 20;

/** The first {@link MAX_FINDINGS_PER_CODE} findings of each code, then one that counts the rest. */
export function capChainFindings(findings: readonly ChainFinding[]): ChainFinding[] {
  return capRepeatedFindings(findings, MAX_FINDINGS_PER_CODE, (code, severity, message) =>
    finding(code, severity, message),
  );
}
