/**
 * The vocabulary of the endpoint check: its finding codes and findings, its profiles, and how a
 * finding names a certificate (`file.pem#1`). The rules are endpoint-names.ts,
 * endpoint-strength.ts and endpoint-profile.ts; endpoint.ts puts them together.
 */
import { CLIENT_STACKS } from './clients.js';
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
  | 'NAME_PORT_SPECIFIC'
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
  | 'PARTIAL_CHAIN'
  | 'PINNED'
  | 'SELF_SIGNED'
  | 'COMMON_NAME_NOT_IN_SAN'
  | 'KEY_MISMATCH'
  | 'MISSING_KEY_USAGE'
  | 'MISSING_SAN'
  | 'WRONG_CN'
  | 'CHAIN_ORDER'
  | 'TLS_VERSION_TOO_LOW'
  | 'CLIENT_CERT_REJECTED';

/**
 * One problem of an endpoint check. `certificate` names the certificate as `file.pem#1` (1-based
 * as sent); `stacks` lists the client stacks concerned (those that refuse), for name findings;
 * `ports` the database ports a port-specific certificate covers (`NAME_PORT_SPECIFIC`).
 */
export type CheckFinding = Finding<CheckFindingCode, string> & {
  readonly stacks?: readonly ClientStack[];
  readonly ports?: readonly number[];
};

const STACK_NAMES: Readonly<Record<ClientStack, string>> = Object.fromEntries(
  CLIENT_STACKS.map((s) => [s.stack, `${s.name} (${s.clients.join(', ')})`]),
) as Record<ClientStack, string>;

/** `Node tls (ioredis, node-redis), Go crypto/x509 (go-redis)`: stacks as findings name them. */
export function describeStacks(stacks: readonly ClientStack[]): string {
  return stacks.map((s) => STACK_NAMES[s]).join(', ');
}

/** How a check finding names a certificate: `file.pem#1`, 1-based as sent. */
export function ref(certificate: Certificate): string {
  return `${certificate.source.name}#${String(certificate.source.index)}`;
}
