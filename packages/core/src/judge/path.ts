/**
 * Certification path validation at a chosen time (RFC 5280 section 6), with the web-PKI profile
 * choices (CA/Browser Forum Baseline Requirements) where the two differ, because the paths we
 * judge are TLS server and client paths. A composition: the options checked once
 * ({@link resolvePathOptions}), the search for a path (path-search.ts), and each complete path
 * checked whole (path-evaluate.ts: per-certificate policy in path-policy.ts, name constraints in
 * name-constraints.ts, revocation in revocation.ts).
 *
 * Synchronous: signatures are checked with node:crypto (OpenSSL), which is synchronous and fast.
 */
import { CertkitError } from '../errors.js';
import type { RevocationList } from '../x509/crl.js';
import { parseIpAddress } from '../x509/ip.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';
import { resolveNow } from '../clock.js';
import type { ReferenceIdentity } from './hostname.js';
import { OPENSSL_TRUST_RULES, PATH_POLICIES } from './path-common.js';
import type { PathFinding, PathPolicy, PathPurpose, TrustRules } from './path-common.js';
import type { Context } from './path-evaluate.js';
import { searchPath, signatureCache } from './path-search.js';

/** Default cap on intermediates (self-issued ones not counted), as pyca/cryptography's 8. */
export const DEFAULT_MAX_DEPTH = 8;

/** The outcome of {@link validatePath}. */
export interface PathValidation {
  /** True when a path to a trust anchor passed every check. */
  readonly ok: boolean;
  /** The valid path, or the best path tried: leaf first, anchor last when one was reached. */
  readonly path: readonly Certificate[];
  /** Every finding on that path (errors make `ok` false; warnings do not). */
  readonly findings: readonly PathFinding[];
  /** True when {@link PathValidation.path} ends at a trust anchor. */
  readonly anchored: boolean;
  /**
   * The leaf is itself the trust anchor (pinned): a self-signed certificate in the trust store,
   * or with `partialChain` any certificate there.
   */
  readonly pinned: boolean;
}

/** Options of {@link validatePath}. */
export interface ValidatePathOptions {
  readonly leaf: Certificate;
  /**
   * Trust anchors (the CA file). A path must end at a self-signed one unless `partialChain`.
   */
  readonly anchors: readonly Certificate[];
  /** Untrusted certificates that may complete the path, in any order; decoys are fine. */
  readonly intermediates?: readonly Certificate[];
  /**
   * Validation time (default: now), a `Date` or milliseconds; compared at whole seconds as
   * certificates encode it.
   */
  readonly now?: Date | number;
  /** EKU the leaf must allow: `server` (serverAuth), `client` (clientAuth) or `any`. Default `server`. */
  readonly purpose?: PathPurpose;
  /**
   * Host name the leaf must match (RFC 9525): a DNS name, or an IP literal, which is matched as
   * an IP reference (section 6.4) exactly as {@link ValidatePathOptions.ip} is.
   */
  readonly host?: string;
  /** IP address the leaf must match (RFC 9525 section 6.4). */
  readonly ip?: string;
  /**
   * Most intermediates allowed, self-issued ones not counted: a whole number, 0 or more. Default
   * {@link DEFAULT_MAX_DEPTH}.
   */
  readonly maxDepth?: number;
  /** CRLs to check revocation against (RFC 5280 section 6.3); none means no revocation check. */
  readonly crls?: readonly RevocationList[];
  /**
   * Let any trust anchor end the path, self-signed or not (OpenSSL's `-partial_chain`, what Go
   * and Java do). Default false: OpenSSL's default, which stunnel, redis-cli, Node and Python
   * keep, so an intermediate alone in the CA file is refused (`PARTIAL_CHAIN`).
   */
  readonly partialChain?: boolean;
  /**
   * `default` (what clients enforce; CA/Browser Forum issuance rules are warnings) or `webpki`
   * (those rules are errors: `COMMON_NAME_NOT_IN_SAN`, `LEAF_IS_CA`).
   */
  readonly policy?: PathPolicy;
}

/** The options of {@link validatePath} that need checking, checked and with defaults applied. */
interface ResolvedPathOptions {
  readonly at: Date;
  readonly reference?: ReferenceIdentity;
  readonly maxDepth: number;
  readonly policy: PathPolicy;
}

/**
 * Checks the time, reference identity and depth of a validation: the one place these rules
 * live. {@link verifyCertificateFiles} calls it before reading anything, so that a bad option
 * fails at once; {@link validatePath} calls it for every caller.
 *
 * - `now`: a valid date ({@link resolveNow}).
 * - `host` and `ip`: never both, no empty host, an `ip` that is an address. A host given as an IP
 *   literal is an IP reference (RFC 9525 section 6.4): a client that dials an address compares
 *   it with iPAddress entries, never with DNS names.
 * - `maxDepth`: a whole number, 0 or more (paths are bounded anyway, at 32 certificates).
 * - `policy`: one of {@link PATH_POLICIES}.
 */
export function resolvePathOptions(
  options: Pick<ValidatePathOptions, 'now' | 'host' | 'ip' | 'maxDepth' | 'policy'>,
): ResolvedPathOptions {
  const at = resolveNow(options.now, 'the validation time');
  const { host, ip } = options;
  if (host !== undefined && ip !== undefined)
    throw new CertkitError('INVALID_OPTION', 'give a host name or an IP address, not both');
  if (ip !== undefined && parseIpAddress(ip) === null)
    throw new CertkitError('INVALID_OPTION', `"${ip}" is not an IPv4 or IPv6 address`);
  if (host !== undefined && host.length === 0)
    throw new CertkitError('INVALID_OPTION', 'the host name is empty');
  const reference: ReferenceIdentity | undefined =
    ip !== undefined
      ? { ip }
      : host === undefined
        ? undefined
        : parseIpAddress(host) === null
          ? { dns: host }
          : { ip: host };
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0)
    throw new CertkitError(
      'INVALID_OPTION',
      `max depth must be a whole number, 0 or more, got ${String(maxDepth)}`,
    );
  const policy = options.policy ?? 'default';
  if (!PATH_POLICIES.includes(policy))
    throw new CertkitError(
      'INVALID_OPTION',
      `policy must be one of ${PATH_POLICIES.join(', ')}, got "${policy}"`,
    );
  return { at, maxDepth, policy, ...(reference === undefined ? {} : { reference }) };
}

/**
 * Validates a certification path for `leaf` at a chosen time, building it from `anchors` and an
 * unordered pool of `intermediates` (path-search.ts says how the path is built). Checks on the
 * path, RFC 5280 section 6 and the web-PKI profile:
 * signatures; validity (inclusive, whole seconds); basicConstraints cA (critical) and
 * pathLenConstraint (self-issued intermediates not counted); keyCertSign on issuers; subject and
 * authority key identifiers; name constraints for DNS, IP, email and directory names (wildcard
 * SANs judged by every name they stand for, CVE-2025-61727); EKU for the purpose on the leaf
 * (anyExtendedKeyUsage accepted, RFC 5280 section 4.2.1.12) and on intermediates; unknown
 * critical extensions; serial numbers, versions, duplicate and malformed extensions; key types
 * and sizes; MD5 and SHA-1 signatures below the trust anchor (`WEAK_SIGNATURE`); depth; the host
 * or IP (RFC 9525); revocation when CRLs are given. Without `partialChain` the path must end at
 * a self-signed trust anchor (`PARTIAL_CHAIN` otherwise).
 *
 * Never throws for a bad path: everything found is data. Synchronous. The search is bounded
 * whatever the pool holds (40,000 same-name decoys included): at most 20,000 candidate visits,
 * 128 signature checks, 32 complete paths, 4 certificates alike in subject, key and issuer, and
 * 250,000 name-constraint comparisons; a search cut short says so in a finding.
 *
 * @example
 * ```ts
 * const result = validatePath({ leaf, anchors: [root], intermediates: [ica], host: 'redis.example.com' });
 * if (!result.ok) for (const f of result.findings) console.error(f.code, f.message);
 * ```
 */
export function validatePath(options: ValidatePathOptions): PathValidation {
  return validatePathWithRules(options, {
    ...OPENSSL_TRUST_RULES,
    partialChain: options.partialChain ?? false,
  });
}

/**
 * {@link validatePath} with the trust rules where client stacks differ given explicitly: the
 * per-stack trust models (stack-trust.ts) call it with each stack's rules.
 */
export function validatePathWithRules(
  options: ValidatePathOptions,
  rules: TrustRules,
): PathValidation {
  const { at, reference, maxDepth, policy } = resolvePathOptions(options);
  const signatures = signatureCache();
  const anchorSet = new Set(options.anchors.map((a) => a.info.fingerprintSha256));
  const context: Context = {
    at,
    rules,
    policy,
    trusted: (certificate) => anchorSet.has(certificate.info.fingerprintSha256),
    purpose: options.purpose ?? 'server',
    maxDepth,
    crls: options.crls ?? [],
    // Evaluation re-checks links the search verified: the cache answers those.
    verifies: (child, issuer) =>
      signatures.verifies(child, issuer) ?? signatureVerifies(child, issuer),
    ...(reference === undefined ? {} : { reference }),
  };
  const { found, path, findings, anchored } = searchPath(
    options.leaf,
    options.anchors,
    options.intermediates ?? [],
    context,
    signatures,
  );
  return { ok: found, path, findings, anchored, pinned: anchored && path.length === 1 };
}
