/**
 * Chain search for {@link buildChain}: an index of issuers by name (so large inputs stay
 * near-linear), the repeats left out before the search, every maximal path from a leaf, and the
 * order that picks the best one.
 */
import { namesEqual } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';
import { describe, finding, isSelfSigned } from './chain-common.js';
import type { ChainFinding } from './chain-common.js';
import { MAX_SAME_NAME_AND_KEY, push, sameNameAndKey, SubjectIndex } from './issuer-index.js';
import { validityAt } from './validity.js';

/** A possible issuer of a certificate, with the evidence. */
export interface Candidate {
  readonly issuer: Certificate;
  readonly namesChain: boolean;
  readonly keyIdentifiersMatch: boolean | null;
  readonly signatureValid: boolean;
}

/**
 * Most issuer candidates whose signature is checked for one certificate. Real inputs have one
 * or two (a cross-signed twin); a hostile or runaway input of hundreds of certificates with the
 * same name would otherwise cost a signature check per pair. Candidates with matching key
 * identifiers are checked first, so the real issuer is within the budget. A tuning limit,
 * internal to core; buildChain's documentation states it.
 */
export const MAX_ISSUER_CANDIDATES = 16;

/** Finds issuers through a name index, so large inputs stay near-linear. */
export class IssuerIndex {
  private readonly bySubject: SubjectIndex<Certificate>;
  private readonly cache = new Map<Certificate, Candidate[]>();

  constructor(certificates: readonly Certificate[]) {
    this.bySubject = new SubjectIndex(certificates, (c) => c);
  }

  /**
   * Candidate issuers of `child` other than itself. Names must chain (RFC 5280 section
   * 6.1.3 (a)(4)); key identifiers only rank candidates (section 4.2.1.1 calls them a means of
   * identification). A self-signed certificate is its own issuer: it has no candidates.
   * Verified signatures come first; only they prove issuance.
   */
  candidates(child: Certificate): Candidate[] {
    const cached = this.cache.get(child);
    if (cached !== undefined) return cached;
    if (isSelfSigned(child)) {
      this.cache.set(child, []);
      return [];
    }
    const aki = child.info.authorityKeyIdentifier;
    const keyMatch = (issuer: Certificate): boolean | null => {
      const ski = issuer.info.subjectKeyIdentifier;
      return aki === undefined || ski === undefined ? null : aki === ski;
    };
    const order = (m: boolean | null): number => (m === true ? 0 : m === null ? 1 : 2);
    const pool = this.bySubject
      .issuersOf(child)
      .filter((issuer) => issuer !== child && namesEqual(child, 'issuer', issuer, 'subject'))
      .sort((a, b) => order(keyMatch(a)) - order(keyMatch(b)))
      .slice(0, MAX_ISSUER_CANDIDATES);
    const found: Candidate[] = pool.map((issuer) => ({
      issuer,
      namesChain: true,
      keyIdentifiersMatch: keyMatch(issuer),
      signatureValid: signatureVerifies(child, issuer),
    }));
    const rank = (c: Candidate): number =>
      (c.signatureValid ? 4 : 0) + (c.keyIdentifiersMatch === true ? 2 : 0);
    found.sort((a, b) => rank(b) - rank(a));
    // Only proven issuers are followed when there is one; otherwise the best unproven one, so
    // that the report can say which link fails instead of only "issuer missing".
    const proven = found.filter((c) => c.signatureValid);
    const result = proven.length > 0 ? proven : found;
    this.cache.set(child, result);
    return result;
  }
}

/**
 * Splits `certificates` into those kept for chain building and the repeats left out: at most
 * {@link MAX_SAME_NAME_AND_KEY} per subject, key and issuer, those valid at `now` first, then
 * input order.
 */
export function keepFewPerNameAndKey(
  certificates: readonly Certificate[],
  now: Date,
): { kept: Certificate[]; findings: ChainFinding[]; left: Certificate[] } {
  const groups = new Map<string, Certificate[]>();
  for (const c of certificates) push(groups, sameNameAndKey(c), c);
  const keep = new Set<Certificate>();
  const findings: ChainFinding[] = [];
  const left: Certificate[] = [];
  for (const members of groups.values()) {
    if (members.length <= MAX_SAME_NAME_AND_KEY) {
      for (const c of members) keep.add(c);
      continue;
    }
    const valid = (c: Certificate): number => (validityAt(c, now) === 'valid' ? 1 : 0);
    const chosen = [...members].sort((a, b) => valid(b) - valid(a)).slice(0, MAX_SAME_NAME_AND_KEY);
    for (const c of chosen) keep.add(c);
    const first = chosen[0] as Certificate;
    const dropped = members.filter((c) => !keep.has(c));
    left.push(...dropped);
    findings.push(
      finding(
        'ALTERNATE_ISSUER',
        'warning',
        `${String(dropped.length)} more certificates (from ${describe(dropped[0] as Certificate)}) certify the same name and key as ${describe(first)}, issued by the same name ${first.info.issuer}; left out: only ${String(MAX_SAME_NAME_AND_KEY)} of them are considered`,
        dropped[0],
      ),
    );
  }
  return { kept: certificates.filter((c) => keep.has(c)), findings, left };
}

/** How a path search ended. */
type PathEnd = 'root' | 'missing' | 'cycle';

export interface FoundPath {
  readonly members: readonly Certificate[];
  readonly end: PathEnd;
  /** Issuer candidates of the last member that were already on the path (for 'cycle'). */
  readonly loopsTo?: Certificate;
}

/** Upper bound on paths explored from one leaf: cross-signing meshes could grow exponentially. */
const MAX_PATHS_PER_LEAF = 256;

/** Every maximal path from `leaf` upwards, depth first, without revisiting a certificate. */
export function pathsFrom(leaf: Certificate, index: IssuerIndex): FoundPath[] {
  const found: FoundPath[] = [];
  const walk = (members: Certificate[]): void => {
    if (found.length >= MAX_PATHS_PER_LEAF) return;
    const top = members[members.length - 1] as Certificate;
    if (isSelfSigned(top)) {
      found.push({ members, end: 'root' });
      return;
    }
    const candidates = index.candidates(top);
    const fresh = candidates.filter((c) => !members.includes(c.issuer));
    if (fresh.length === 0) {
      const loop = candidates.find((c) => members.includes(c.issuer));
      found.push(
        loop === undefined
          ? { members, end: 'missing' }
          : { members, end: 'cycle', loopsTo: loop.issuer },
      );
      return;
    }
    for (const candidate of fresh) walk([...members, candidate.issuer]);
  };
  walk([leaf]);
  return found;
}

/**
 * Orders paths: ending in a self-signed root present in the input first, then fully verified,
 * then fewer members outside their validity, then longer, then input order.
 */
export function comparePaths(
  a: FoundPath,
  b: FoundPath,
  index: IssuerIndex,
  now: Date,
  order: Map<Certificate, number>,
): number {
  const verified = (p: FoundPath): number =>
    p.members
      .slice(0, -1)
      .every((m, i) =>
        index.candidates(m).some((c) => c.issuer === p.members[i + 1] && c.signatureValid),
      )
      ? 1
      : 0;
  const invalid = (p: FoundPath): number =>
    p.members.filter((m) => validityAt(m, now) !== 'valid').length;
  const keys = (p: FoundPath): number[] => [
    p.end === 'root' ? 1 : 0,
    verified(p),
    -invalid(p),
    p.members.length,
  ];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    const diff = (kb[i] ?? 0) - (ka[i] ?? 0);
    if (diff !== 0) return diff;
  }
  const len = Math.min(a.members.length, b.members.length);
  for (let i = 0; i < len; i++) {
    const diff =
      (order.get(a.members[i] as Certificate) ?? 0) - (order.get(b.members[i] as Certificate) ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
