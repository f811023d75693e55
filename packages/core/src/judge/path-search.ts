/**
 * Path building for {@link validatePath}: from the leaf, through an unordered pool of untrusted
 * certificates, to a trust anchor. As OpenSSL (stunnel, redis-cli, Node, Python) builds it by
 * default, the path ends at a self-signed certificate of the trust store: a trust anchor that is
 * not self-signed (an intermediate, a leaf) is followed up to its issuer, looked for among the
 * anchors only; with `partialChain` (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN; what Go and Java always
 * do) every anchor ends a path, the first one met.
 *
 * Candidate issuers are found by name (RFC 5280 section 7.1 comparison) and tried anchors
 * first, then key identifiers matching, then those valid at the time; cycles (the same
 * certificate, or the same subject and key) are cut; the work is bounded by
 * {@link MAX_SIGNATURE_CHECKS} and {@link MAX_COMPLETE_PATHS} so that hostile pools (limbo's
 * `pathological::*`, Go's TestPathologicalChains) finish quickly. Each complete path is checked
 * whole (path-evaluate.ts); the first that passes every check wins, otherwise every finding of
 * the best attempt is returned with that path.
 */
import { internals } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';
import {
  MAX_SAME_NAME_AND_KEY,
  nameKey,
  push,
  sameNameAndKey,
  SubjectIndex,
} from './issuer-index.js';
import { isSelfIssued, label } from './path-common.js';
import type { PathFinding } from './path-common.js';
import { evaluate } from './path-evaluate.js';
import type { Context } from './path-evaluate.js';

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
/** Work of the last {@link validatePath} call's search. Internal (tests and the bench). */
export const pathSearchWork = { candidateVisits: 0, signatureChecks: 0 };

/** Certificates in one path whatever the depth allowance (self-issued ones included). */
const HARD_PATH_LIMIT = 32;

function fingerprint(certificate: Certificate): string {
  return certificate.info.fingerprintSha256;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

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

/** Signature checks cached by child and issuer key, within {@link MAX_SIGNATURE_CHECKS}. */
export interface SignatureCache {
  /** Whether `issuer`'s key signed `child`; `null` once the budget is spent. */
  readonly verifies: (child: Certificate, issuer: Certificate) => boolean | null;
  /** Signatures checked so far. */
  readonly checks: () => number;
}

/** A fresh {@link SignatureCache}: one per validation. */
export function signatureCache(): SignatureCache {
  let signatureChecks = 0;
  const signatures = new Map<string, boolean>();
  return {
    verifies: (child, issuer) => {
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
    },
    checks: () => signatureChecks,
  };
}

/** What {@link searchPath} found: the valid path, or the best one tried, and its findings. */
export interface PathSearchResult {
  /** A path to a trust anchor passed every check. */
  readonly found: boolean;
  /** Leaf first, anchor last when one was reached. */
  readonly path: readonly Certificate[];
  readonly anchored: boolean;
  readonly findings: readonly PathFinding[];
}

/**
 * Searches the paths from `leaf` through `intermediates` to one of `anchors` and checks each
 * complete one with `context` (its clock, depth, trust rules and anchors); signatures go through
 * `signatures`, whose budget bounds the search with {@link MAX_CANDIDATE_VISITS} and
 * {@link MAX_COMPLETE_PATHS}. Records its work in {@link pathSearchWork}.
 */
export function searchPath(
  leaf: Certificate,
  anchors: readonly Certificate[],
  intermediates: readonly Certificate[],
  context: Context,
  signatures: SignatureCache,
): PathSearchResult {
  const { at, rules } = context;
  const { verifies } = signatures;
  pathSearchWork.candidateVisits = 0;
  pathSearchWork.signatureChecks = 0;
  // Mutable search state in one object: closures below update it.
  const state: { best: Attempt | null; limited: boolean } = { best: null, limited: false };
  /** An anchor that may end a path. */
  const ends = (anchor: Certificate): boolean => rules.partialChain || selfSignedAnchor(anchor);
  // A leaf that is itself a trust anchor that may end a path (a pinned self-signed certificate)
  // is its own path. Without partial chains, a pinned leaf that is not self-signed still needs
  // its issuers, as OpenSSL looks for them.
  if (context.trusted(leaf) && ends(leaf)) {
    const findings = evaluate([leaf], true, context);
    return { found: errors(findings) === 0, path: [leaf], findings, anchored: true };
  }
  const pool = new Map<string, { cert: Certificate; anchor: boolean }>();
  for (const cert of intermediates) pool.set(fingerprint(cert), { cert, anchor: false });
  for (const cert of anchors) pool.set(fingerprint(cert), { cert, anchor: true });
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
  const bySubject = new SubjectIndex(
    [...pool.values()].filter((entry) => kept.has(entry.cert)),
    (entry) => entry.cert,
  );

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
    const bucket = bySubject.issuersOf(child);
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
  pathSearchWork.signatureChecks = signatures.checks();
  const attempt: Attempt = state.best ?? { path: [leaf], anchored: false, findings: null };
  const findings = [...(attempt.findings ?? evaluate(attempt.path, attempt.anchored, context))];
  if (attempt.extra !== undefined) findings.push(attempt.extra);
  if (!found && state.limited)
    findings.push({
      code: 'PATH_SEARCH_LIMIT',
      severity: 'error',
      message: `gave up after ${String(signatures.checks())} signature checks, ${String(completePaths)} complete paths and ${String(Math.min(visits, MAX_CANDIDATE_VISITS))} candidate issuers looked at`,
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
  return { found, path: attempt.path, findings, anchored: attempt.anchored };
}
