/**
 * Validity, key sizes and signature algorithms of every certificate an endpoint presents.
 */
import { ref } from './endpoint-findings.js';
import type { CheckFinding } from './endpoint-findings.js';
import { internals } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';

/** Smallest RSA modulus accepted (NIST SP 800-131A Rev. 2: 2048 bits). */
export const MIN_RSA_BITS = 2048;
/** Smallest EC curve accepted: P-256 (NIST SP 800-131A Rev. 2: 224 bits and up, we ask P-256). */
export const MIN_EC_BITS = 256;

/** How a finding names a certificate: by its place in the presented chain. */
function positionOf(cert: Certificate, index: number): string {
  return index === 0
    ? 'the certificate'
    : `certificate ${String(index + 1)} of the chain (${cert.info.subject})`;
}

/**
 * Validity of every presented certificate at `now`. `offPath` says which ones clients leave out
 * of the path they build (known once a CA file is given): an expired one of those is a warning.
 */
export function validityFindings(
  chain: readonly Certificate[],
  now: Date,
  warnDays: number,
  offPath: (certificate: Certificate) => boolean = () => false,
): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what = positionOf(cert, i);
    const unused = offPath(cert);
    const severity = unused ? 'warning' : 'error';
    const aside = unused
      ? '; clients do not use it (it is not on their path): drop it from the chain'
      : '';
    const { notBefore, notAfter } = internals(cert);
    if (now.getTime() > notAfter.getTime()) {
      findings.push({
        code: 'EXPIRED',
        severity,
        message: `${what} expired on ${cert.info.notAfter}${aside}`,
        certificate: ref(cert),
      });
    } else if (now.getTime() < notBefore.getTime()) {
      findings.push({
        code: 'NOT_YET_VALID',
        severity,
        message: `${what} is not valid before ${cert.info.notBefore}${aside}`,
        certificate: ref(cert),
      });
    } else {
      const days = (notAfter.getTime() - now.getTime()) / 86_400_000;
      if (days <= warnDays) {
        findings.push({
          code: 'EXPIRES_SOON',
          severity: 'warning',
          message: `${what} expires in ${String(Math.floor(days))} days, on ${cert.info.notAfter} (warned from ${String(warnDays)} days)`,
          certificate: ref(cert),
        });
      }
    }
  });
  return findings;
}

const WEAK_SIGNATURES = /^(md2|md4|md5|sha1|ecdsa-with-SHA1|dsaWithSHA1)/i;

/**
 * Key sizes of every presented certificate, and their signature algorithms when `signatures`
 * (no CA file says which certificates the path takes; with one, endpoint-trust.ts judges the
 * path's signatures).
 */
export function strengthFindings(chain: readonly Certificate[], signatures = true): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what = positionOf(cert, i);
    const { key } = cert.info;
    if (
      (key.type === 'rsa' || key.type === 'rsa-pss' || key.type === 'dsa') &&
      key.bits < MIN_RSA_BITS
    ) {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'error',
        message: `${what} has a ${String(key.bits)}-bit ${key.type.toUpperCase()} key; use at least ${String(MIN_RSA_BITS)} bits (NIST SP 800-131A)`,
        certificate: ref(cert),
      });
    } else if (key.type === 'ec' && key.bits < MIN_EC_BITS) {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'error',
        message: `${what} has an EC key on ${key.curve ?? 'an unknown curve'}; use P-256 or larger`,
        certificate: ref(cert),
      });
    } else if (key.type === 'unknown') {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'warning',
        message: `${what} has a key of an algorithm clients do not know`,
        certificate: ref(cert),
      });
    }
    // A self-signed certificate's own signature is never checked by clients (RFC 5280 section
    // 6.1): a root's, or a pinned leaf's. Weak algorithm first: the signature check costs
    // ~0.3 ms, and a chain may hold thousands.
    if (
      signatures &&
      WEAK_SIGNATURES.test(cert.info.signatureAlgorithm) &&
      !(cert.info.selfIssued && signatureVerifies(cert, cert))
    ) {
      findings.push({
        code: 'WEAK_SIGNATURE',
        severity: 'error',
        message: `${what} is signed with ${cert.info.signatureAlgorithm}; MD5 and SHA-1 signatures are forgeable and refused by current clients (RFC 6151, NIST SP 800-131A)`,
        certificate: ref(cert),
      });
    }
  });
  return findings;
}
