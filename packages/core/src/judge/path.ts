/**
 * Certification path validation at a chosen time (RFC 5280 section 6), with the web-PKI profile
 * choices (CA/Browser Forum Baseline Requirements) where the two differ, because the paths we
 * judge are TLS server and client paths.
 *
 * Path building: from the leaf, through an unordered pool of untrusted certificates, to a trust
 * anchor. As OpenSSL (stunnel, redis-cli, Node, Python) builds it by default, the path ends at a
 * self-signed certificate of the trust store: a trust anchor that is not self-signed (an
 * intermediate, a leaf) is followed up to its issuer, looked for among the anchors only; with
 * `partialChain` (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN; what Go and Java always do) every anchor
 * ends a path, the first one met.
 * Candidate issuers are found by name (RFC 5280 section 7.1 comparison) and tried anchors
 * first, then key identifiers matching, then those valid at the time; cycles (the same
 * certificate, or the same subject and key) are cut; the work is bounded by
 * {@link MAX_SIGNATURE_CHECKS} and {@link MAX_COMPLETE_PATHS} so that hostile pools (limbo's
 * `pathological::*`, Go's TestPathologicalChains) finish quickly. Each complete path is checked
 * whole; the first that passes every check wins, otherwise every finding of the best attempt is
 * returned with that path.
 *
 * Synchronous: signatures are checked with node:crypto (OpenSSL), which is synchronous and fast.
 */
import { CertkitError } from '../errors.js';
import type { RevocationList } from '../x509/crl.js';
import { parseIpAddress } from '../x509/ip.js';
import { internals } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';
import { resolveNow } from '../clock.js';
import type { ReferenceIdentity } from './hostname.js';
import {
  isSelfIssued,
  label,
  normalizeValue,
  OPENSSL_TRUST_RULES,
  PATH_POLICIES,
} from './path-common.js';
import type { PathFinding, PathPolicy, PathPurpose, TrustRules } from './path-common.js';
import { evaluate } from './path-evaluate.js';
import type { Context } from './path-evaluate.js';

/** Default cap on intermediates (self-issued ones not counted), as pyca/cryptography's 8. */
export const DEFAULT_MAX_DEPTH = 8;
/**
 * Signature checks one validation may make while building paths. Go stops at 100
 * (`maxChainSignatureChecks`); legitimate pools need a handful, hostile ones (100 CAs with one
 * subject and one key) would otherwise need millions.
 */
export const MAX_SIGNATURE_CHECKS = 128;
/** Complete candidate paths checked in full before giving up. */
export const MAX_COMPLETE_PATHS = 32;
/**
 * Candidate issuers one validation may look at while building paths: every certificate read from
 * a name bucket and every candidate tried counts. Legitimate pools need tens (x509-limbo's
 * pathological cases under 1,000); four files of 10,000 certificates sharing one name would
 * otherwise be scanned once per step of the search (41 s of CPU before this bound).
 */
export const MAX_CANDIDATE_VISITS = 20_000;
/**
 * Certificates kept per subject name, key and issuer name: more of them add nothing to the
 * search but identical steps (they differ in serial, validity or extensions only). The pool
 * keeps anchors first, then those valid at the validation time, then input order; a reissued
 * intermediate (old and renewed, same key) keeps both.
 */
export const MAX_SAME_NAME_AND_KEY = 4;
/** Work of the last {@link validatePath} call's search. Internal (tests and the bench). */
export const pathSearchWork = { candidateVisits: 0, signatureChecks: 0 };

/** Certificates in one path whatever the depth allowance (self-issued ones included). */
const HARD_PATH_LIMIT = 32;

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

function fingerprint(certificate: Certificate): string {
  return certificate.info.fingerprintSha256;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * A name as a lookup key: attribute types and values normalised as {@link namesEqual} compares
 * them (RFC 5280 section 7.1), so that equal keys are equal names.
 */
function nameKey(certificate: Certificate, field: 'subject' | 'issuer'): string {
  const cache = field === 'subject' ? subjectKeys : issuerKeys;
  let key = cache.get(certificate);
  if (key === undefined) {
    const attributes =
      field === 'subject' ? certificate.info.subjectAttributes : certificate.info.issuerAttributes;
    key = JSON.stringify(attributes.map((a) => [a.oid, normalizeValue(a.value)]));
    cache.set(certificate, key);
  }
  return key;
}
const subjectKeys = new WeakMap<Certificate, string>();
const issuerKeys = new WeakMap<Certificate, string>();
const keyHexes = new WeakMap<Certificate, string>();

/** Subject name and public key: two certificates alike here may not both be on one path. */
function subjectAndKey(certificate: Certificate): string {
  let key = keyHexes.get(certificate);
  if (key === undefined) {
    key = hex(internals(certificate).spkiDer);
    keyHexes.set(certificate, key);
  }
  return `${nameKey(certificate, 'subject')} ${key}`;
}

/**
 * Subject name, public key and issuer name, as encoded: what path building sees of a
 * certificate. Byte-exact (names encoded differently stay apart), which is all the grouping of
 * {@link MAX_SAME_NAME_AND_KEY} needs, and cheaper than normalising 40,000 names.
 */
function sameNameAndKey(certificate: Certificate): string {
  const x = internals(certificate);
  return Buffer.concat([x.subjectDer, x.spkiDer, x.issuerDer]).toString('latin1');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

interface Attempt {
  readonly path: readonly Certificate[];
  readonly anchored: boolean;
  /** Findings of an evaluated attempt; `null` until the final report evaluates it. */
  readonly findings: readonly PathFinding[] | null;
  /** A finding the search itself adds (no issuer found, depth exhausted). */
  readonly extra?: PathFinding;
}

function errors(findings: readonly PathFinding[]): number {
  return findings.filter((f) => f.severity === 'error').length;
}

/** Complete paths beat partial ones; then fewer errors; partial ones: the longer the better. */
function better(a: Attempt, b: Attempt | null): boolean {
  if (b === null) return true;
  if (a.anchored !== b.anchored) return a.anchored;
  if (a.findings !== null && b.findings !== null) {
    const ea = errors(a.findings);
    const eb = errors(b.findings);
    if (ea !== eb) return ea < eb;
    return a.path.length < b.path.length;
  }
  return a.path.length > b.path.length;
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

function keyIdMatches(child: Certificate, issuer: Certificate): boolean {
  const aki = child.info.authorityKeyIdentifier;
  return aki !== undefined && aki === issuer.info.subjectKeyIdentifier;
}

/**
 * Self-signed as OpenSSL decides it when it builds a chain (`X509_self_signed(x, 0)`): its issuer
 * name is its subject and its key identifiers, when both are there, agree. The signature is not
 * checked: a trust anchor's own signature never is.
 */
function selfSignedAnchor(certificate: Certificate): boolean {
  const { authorityKeyIdentifier: aki, subjectKeyIdentifier: ski } = certificate.info;
  return isSelfIssued(certificate) && (aki === undefined || ski === undefined || aki === ski);
}

/**
 * Validates a certification path for `leaf` at a chosen time, building it from `anchors` and an
 * unordered pool of `intermediates` (see the module comment for the search). Checks on the
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
  pathSearchWork.candidateVisits = 0;
  pathSearchWork.signatureChecks = 0;
  // Mutable search state in one object: closures below update it.
  const state: { best: Attempt | null; limited: boolean } = { best: null, limited: false };
  let signatureChecks = 0;
  const signatures = new Map<string, boolean>();
  /** Cached, budgeted signature check; `null` once the budget is spent. */
  const verifies = (child: Certificate, issuer: Certificate): boolean | null => {
    // The outcome depends on the child and the issuer's key only: certificates sharing a key
    // share the check.
    const key = `${fingerprint(child)}>${subjectAndKey(issuer)}`;
    const known = signatures.get(key);
    if (known !== undefined) return known;
    if (signatureChecks >= MAX_SIGNATURE_CHECKS) return null;
    signatureChecks++;
    const ok = signatureVerifies(child, issuer);
    signatures.set(key, ok);
    return ok;
  };
  const anchorSet = new Set(options.anchors.map(fingerprint));
  const context: Context = {
    at,
    rules,
    policy,
    trusted: (certificate) => anchorSet.has(fingerprint(certificate)),
    purpose: options.purpose ?? 'server',
    maxDepth,
    crls: options.crls ?? [],
    // Evaluation re-checks links the search verified: the cache answers those.
    verifies: (child, issuer) => verifies(child, issuer) ?? signatureVerifies(child, issuer),
    ...(reference === undefined ? {} : { reference }),
  };
  const { leaf } = options;
  /** An anchor that may end a path. */
  const ends = (anchor: Certificate): boolean => rules.partialChain || selfSignedAnchor(anchor);
  // A leaf that is itself a trust anchor that may end a path (a pinned self-signed certificate)
  // is its own path. Without partial chains, a pinned leaf that is not self-signed still needs
  // its issuers, as OpenSSL looks for them.
  if (anchorSet.has(fingerprint(leaf)) && ends(leaf)) {
    const findings = evaluate([leaf], true, context);
    return { ok: errors(findings) === 0, path: [leaf], findings, anchored: true, pinned: true };
  }
  const pool = new Map<string, { cert: Certificate; anchor: boolean }>();
  for (const cert of options.intermediates ?? [])
    pool.set(fingerprint(cert), { cert, anchor: false });
  for (const cert of options.anchors) pool.set(fingerprint(cert), { cert, anchor: true });
  pool.delete(fingerprint(leaf));
  const validAt = (cert: Certificate): boolean => {
    const x = internals(cert);
    return at >= x.notBefore && at <= x.notAfter;
  };
  // Candidates are indexed once by subject name, after keeping at most MAX_SAME_NAME_AND_KEY of
  // each (subject, key, issuer): the search then reads one bucket per step.
  const groups = new Map<string, { cert: Certificate; anchor: boolean }[]>();
  for (const entry of pool.values()) push(groups, sameNameAndKey(entry.cert), entry);
  const kept = new Set<Certificate>();
  for (const members of groups.values()) {
    // Anchors first, then those valid at the time, then input order; one pass per class.
    const ranked: typeof members = [];
    for (const rank of [3, 2, 1, 0]) {
      for (const entry of members) {
        if (ranked.length >= MAX_SAME_NAME_AND_KEY) break;
        if ((entry.anchor ? 2 : 0) + (validAt(entry.cert) ? 1 : 0) === rank) ranked.push(entry);
      }
    }
    for (const entry of ranked) kept.add(entry.cert);
  }
  const bySubject = new Map<string, { cert: Certificate; anchor: boolean }[]>();
  for (const entry of pool.values())
    if (kept.has(entry.cert)) push(bySubject, nameKey(entry.cert, 'subject'), entry);

  let visits = 0;
  /** Counts `n` candidate visits; false once the budget is spent. */
  const visit = (n: number): boolean => {
    visits += n;
    if (visits <= MAX_CANDIDATE_VISITS) return true;
    state.limited = true;
    return false;
  };
  let completePaths = 0;
  const deadEnds = new Set<string>();
  const record = (attempt: Attempt): void => {
    if (better(attempt, state.best)) state.best = attempt;
  };
  const issuerLists = new Map<Certificate, { cert: Certificate; anchor: boolean }[]>();
  const issuersOf = (child: Certificate) => {
    const known = issuerLists.get(child);
    if (known !== undefined) return known;
    const bucket = bySubject.get(nameKey(child, 'issuer')) ?? [];
    if (!visit(bucket.length)) return [];
    const found = bucket
      .map((c) => ({
        ...c,
        score:
          (c.anchor ? 4 : 0) + (keyIdMatches(child, c.cert) ? 2 : 0) + (validAt(c.cert) ? 1 : 0),
      }))
      .sort((a, b) => b.score - a.score);
    issuerLists.set(child, found);
    return found;
  };

  interface Branch {
    /** Some continuation was pruned (cycle, depth, budget): a dead end here may not be one elsewhere. */
    cut: boolean;
    /** Some continuation reached a trust anchor. */
    reached: boolean;
  }
  /**
   * Depth-first search from the top of `path`; true when a valid path was found. `trustedOnly`:
   * the path has reached a trust anchor that is not self-signed, and OpenSSL then looks for the
   * next issuer in the trust store only.
   */
  const extend = (
    path: Certificate[],
    counted: number,
    branch: Branch,
    trustedOnly = false,
  ): boolean => {
    const top = path[path.length - 1] as Certificate;
    const all = issuersOf(top);
    const found = trustedOnly ? all.filter((c) => c.anchor) : all;
    if (all.length === 0 && visits > MAX_CANDIDATE_VISITS) {
      branch.cut = true;
      return false;
    }
    if (found.length === 0 && trustedOnly) {
      record({
        path,
        anchored: false,
        findings: null,
        extra: {
          code: 'PARTIAL_CHAIN',
          severity: 'error',
          message: `${label(top)}: the path ends at this trust anchor, which is not self-signed, and its issuer "${top.info.issuer}" is not among the trust anchors; OpenSSL (stunnel, redis-cli, Node, Python) needs the self-signed root in the CA file: add the certificate of "${top.info.issuer}" to it (Go and Java accept any trust anchor)`,
          certificate: path.length - 1,
        },
      });
      return false;
    }
    if (found.length === 0) {
      record({
        path,
        anchored: false,
        findings: null,
        extra: {
          code: 'ISSUER_NOT_FOUND',
          severity: 'error',
          message: `${label(top)}: its issuer "${top.info.issuer}" is neither a trust anchor nor among the intermediates`,
          certificate: path.length - 1,
        },
      });
      return false;
    }
    for (const candidate of found) {
      if (!visit(1)) {
        branch.cut = true;
        return false;
      }
      const issuer = candidate.cert;
      const inPath = path.some((c) => c === issuer || subjectAndKey(c) === subjectAndKey(issuer));
      if (inPath) {
        branch.cut = true; // a cycle
        continue;
      }
      const signed = completePaths >= MAX_COMPLETE_PATHS ? null : verifies(top, issuer);
      if (signed === null) {
        state.limited = true;
        branch.cut = true;
        return false;
      }
      const next = [...path, issuer];
      if (!signed) {
        record({ path: next, anchored: false, findings: null });
        continue;
      }
      if (candidate.anchor && ends(issuer)) {
        completePaths++;
        branch.reached = true;
        const findings = evaluate(next, true, context);
        record({ path: next, anchored: true, findings });
        if (errors(findings) === 0) return true;
        continue;
      }
      const nextCounted = counted + (isSelfIssued(issuer) ? 0 : 1);
      if (nextCounted > context.maxDepth || next.length >= HARD_PATH_LIMIT) {
        branch.cut = true;
        record({
          path: next,
          anchored: false,
          findings: null,
          extra: {
            code: 'MAX_DEPTH_EXCEEDED',
            severity: 'error',
            message: `no trust anchor within ${String(context.maxDepth)} intermediates`,
          },
        });
        continue;
      }
      // A dead end reached through untrusted certificates only may not be one from a trust anchor.
      if (!trustedOnly && !candidate.anchor && deadEnds.has(fingerprint(issuer))) continue;
      const inner: Branch = { cut: false, reached: false };
      if (extend(next, nextCounted, inner, trustedOnly || candidate.anchor)) return true;
      if (inner.cut) branch.cut = true;
      if (inner.reached) branch.reached = true;
      if (!inner.cut && !inner.reached && !trustedOnly && !candidate.anchor)
        deadEnds.add(fingerprint(issuer));
      if (state.limited) return false;
    }
    return false;
  };

  const found = extend([leaf], 0, { cut: false, reached: false });
  pathSearchWork.candidateVisits = visits;
  pathSearchWork.signatureChecks = signatureChecks;
  const attempt: Attempt = state.best ?? { path: [leaf], anchored: false, findings: null };
  const findings = [...(attempt.findings ?? evaluate(attempt.path, attempt.anchored, context))];
  if (attempt.extra !== undefined) findings.push(attempt.extra);
  if (!found && state.limited)
    findings.push({
      code: 'PATH_SEARCH_LIMIT',
      severity: 'error',
      message: `gave up after ${String(signatureChecks)} signature checks, ${String(completePaths)} complete paths and ${String(Math.min(visits, MAX_CANDIDATE_VISITS))} candidate issuers looked at`,
    });
  if (
    !found &&
    !attempt.anchored &&
    !findings.some((f) =>
      [
        'ISSUER_NOT_FOUND',
        'PARTIAL_CHAIN',
        'PATH_SEARCH_LIMIT',
        'MAX_DEPTH_EXCEEDED',
        'SIGNATURE_INVALID',
      ].includes(f.code),
    )
  )
    findings.push({
      code: 'NO_TRUSTED_ISSUER',
      severity: 'error',
      message: 'no path from the certificate reaches a trust anchor',
    });
  return {
    ok: found,
    path: attempt.path,
    findings,
    anchored: attempt.anchored,
    pinned: attempt.anchored && attempt.path.length === 1,
  };
}
