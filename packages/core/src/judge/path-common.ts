/**
 * What the parts of path validation share: the finding codes and shape, how a check adds a
 * finding, and how a certificate is named in messages.
 */
import { namesEqual } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import type { Finding } from './finding.js';

/** What a path is validated for: the EKU the leaf needs (RFC 5280 section 4.2.1.12). */
export type PathPurpose = 'server' | 'client' | 'any';

/** Stable codes of {@link PathFinding}s. Never renamed. */
export type PathFindingCode =
  | 'AKI_INVALID'
  | 'AKI_MISSING'
  | 'BASIC_CONSTRAINTS_NOT_CRITICAL'
  | 'CA_EXTENSIONS_INCONSISTENT'
  | 'COMMON_NAME_NOT_IN_SAN'
  | 'CRL_INVALID'
  | 'DUPLICATE_EXTENSION'
  | 'EKU_EMPTY'
  | 'EKU_MISMATCH'
  | 'EMPTY_NAME'
  | 'EXPIRED'
  | 'EXTENSION_CRITICALITY'
  | 'EXTENSION_MALFORMED'
  | 'HOSTNAME_MISMATCH'
  | 'IP_MISMATCH'
  | 'ISSUER_NOT_FOUND'
  | 'KEY_CERT_SIGN_MISSING'
  | 'KEY_NOT_ALLOWED'
  | 'KEY_TOO_WEAK'
  | 'LEAF_IS_CA'
  | 'LEAF_KEY_CERT_SIGN'
  | 'MAX_DEPTH_EXCEEDED'
  | 'NAME_CONSTRAINTS_IN_LEAF'
  | 'NAME_CONSTRAINTS_INVALID'
  | 'NAME_CONSTRAINTS_TOO_COMPLEX'
  | 'NAME_CONSTRAINT_UNSUPPORTED'
  | 'NAME_CONSTRAINT_VIOLATION'
  | 'NOT_A_CA'
  | 'NOT_YET_VALID'
  | 'NO_TRUSTED_ISSUER'
  | 'PARTIAL_CHAIN'
  | 'PATH_LENGTH_EXCEEDED'
  | 'PATH_SEARCH_LIMIT'
  | 'REVOKED'
  | 'SAN_CRITICALITY'
  | 'SERIAL_INVALID'
  | 'SIGNATURE_ALGORITHM_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'SKI_MISSING'
  | 'UNKNOWN_CRITICAL_EXTENSION'
  | 'VERSION_NOT_V3'
  | 'WEAK_SIGNATURE';

/**
 * One problem found on a path, e.g. `EXPIRED`, `NOT_A_CA`, `SIGNATURE_INVALID`,
 * `HOSTNAME_MISMATCH`. `certificate` is the index in the path (0 is the leaf); path findings are
 * errors or warnings, never `info`.
 */
export type PathFinding = Finding<PathFindingCode, number> & {
  readonly severity: 'error' | 'warning';
};

/**
 * Which rules are errors. `default`: what the real clients enforce (a CA/Browser Forum issuance
 * rule that no client applies when it verifies, such as BR 7.1.4.3 on the common name, is a
 * warning). `webpki`: the CA/Browser Forum Baseline Requirements' issuance rules are errors too,
 * as a publicly-trusted CA must meet them.
 */
export type PathPolicy = 'default' | 'webpki';

/** Every policy, default first. */
export const PATH_POLICIES: readonly PathPolicy[] = ['default', 'webpki'];

/**
 * The trust rules where real client stacks differ, each measured (test/interop/STACKS.md):
 * what {@link validatePath} applies by default (OpenSSL's, as stunnel, redis-cli, Node and
 * Python use it) and what the per-stack models change.
 */
export interface TrustRules {
  /**
   * A trust anchor ends a path whether or not it is self-signed (OpenSSL's
   * X509_V_FLAG_PARTIAL_CHAIN; Go and Java always). Without it the path must end at a
   * self-signed certificate of the trust store.
   */
  readonly partialChain: boolean;
  /**
   * SHA-1 signatures below the trust anchor are accepted (Java 17 for a private anchor; OpenSSL
   * at security level 2, Go and Python refuse them). MD5 and older are never accepted.
   */
  readonly sha1: boolean;
  /** An intermediate's extendedKeyUsage restricts the leaf's purpose (OpenSSL, Go; not Java). */
  readonly intermediateEku: boolean;
  /**
   * anyExtendedKeyUsage stands for the purpose (RFC 5280 section 4.2.1.12; Go, Java). OpenSSL
   * wants serverAuth (clientAuth) itself, on the leaf and on every intermediate with an EKU.
   */
  readonly anyEku: boolean;
}

/** OpenSSL's rules at Debian's default security level: what `validatePath` judges by default. */
export const OPENSSL_TRUST_RULES: TrustRules = {
  partialChain: false,
  sha1: false,
  intermediateEku: true,
  anyEku: false,
};

/** Adds a finding about one certificate of the path (an error unless said otherwise). */
export type Add = (code: PathFindingCode, message: string, severity?: 'error' | 'warning') => void;

/** The subject of a certificate as messages show it. */
export function label(certificate: Certificate): string {
  return certificate.info.subject.length > 0 ? certificate.info.subject : '(empty subject)';
}

/** Subject equals issuer (RFC 5280 section 7.1 comparison). */
export function isSelfIssued(certificate: Certificate): boolean {
  return namesEqual(certificate, 'subject', certificate, 'issuer');
}

export { normalizeValue } from '../x509/names.js';
