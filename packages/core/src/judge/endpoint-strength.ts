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

/** Validity of every presented certificate at `now`. */
export function validityFindings(
  chain: readonly Certificate[],
  now: Date,
  warnDays: number,
): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what =
      i === 0
        ? 'the certificate'
        : `certificate ${String(i + 1)} of the chain (${cert.info.subject})`;
    const { notBefore, notAfter } = internals(cert);
    if (now.getTime() > notAfter.getTime()) {
      findings.push({
        code: 'EXPIRED',
        severity: 'error',
        message: `${what} expired on ${cert.info.notAfter}`,
        certificate: ref(cert),
      });
    } else if (now.getTime() < notBefore.getTime()) {
      findings.push({
        code: 'NOT_YET_VALID',
        severity: 'error',
        message: `${what} is not valid before ${cert.info.notBefore}`,
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

/** Key sizes and signature algorithms of every presented certificate. */
export function strengthFindings(chain: readonly Certificate[]): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what =
      i === 0
        ? 'the certificate'
        : `certificate ${String(i + 1)} of the chain (${cert.info.subject})`;
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
    // A self-signed root's own signature is never checked by clients (RFC 5280 section 6.1).
    // Weak algorithm first: the signature check costs ~0.3 ms, and a chain may hold thousands.
    if (
      WEAK_SIGNATURES.test(cert.info.signatureAlgorithm) &&
      !(i > 0 && cert.info.selfIssued && signatureVerifies(cert, cert))
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
