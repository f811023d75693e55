/**
 * The vocabulary of the endpoint check: its finding codes and findings, its profiles, and how a
 * finding names a certificate (`file.pem#1`). The rules are endpoint-names.ts,
 * endpoint-strength.ts and endpoint-profile.ts; endpoint.ts puts them together.
 */
import type { ClientStack } from './clients.js';
import type { Finding } from './finding.js';
import type { Certificate } from '../x509/pkix.js';

/** Check profiles: how strict the name rules are, and whether Redis Enterprise's rules apply. */
export type CheckProfile = 'strict' | 'compat' | 'redis-enterprise';

/** Every profile, default first. */
export const CHECK_PROFILES: readonly CheckProfile[] = ['strict', 'compat', 'redis-enterprise'];

/** Stable codes of check findings. */
export type CheckFindingCode =
  | 'NAME_MISMATCH'
  | 'PARTIAL_WILDCARD'
  | 'CN_ONLY'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'EXPIRES_SOON'
  | 'WEAK_KEY'
  | 'WEAK_SIGNATURE'
  | 'MISSING_EKU'
  | 'LEAF_IS_CA'
  | 'CHAIN_INVALID'
  | 'KEY_MISMATCH'
  | 'MISSING_KEY_USAGE'
  | 'MISSING_SAN'
  | 'WRONG_CN'
  | 'CHAIN_ORDER'
  | 'TLS_VERSION_TOO_LOW'
  | 'CLIENT_CERT_REJECTED';

/**
 * One problem of an endpoint check. `certificate` names the certificate as `file.pem#1` (1-based
 * as sent); `stacks` lists the client stacks concerned (those that refuse), for name findings.
 */
export type CheckFinding = Finding<CheckFindingCode, string> & {
  readonly stacks?: readonly ClientStack[];
};

/** How a check finding names a certificate: `file.pem#1`, 1-based as sent. */
export function ref(certificate: Certificate): string {
  return `${certificate.source.name}#${String(certificate.source.index)}`;
}
