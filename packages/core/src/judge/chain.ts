/**
 * Trust bundles and certificate chains, from whatever users concatenated with `cat`.
 *
 * A **trust bundle** is a set of trust anchors, such as the `servercerts.pem` the Redis
 * Enterprise guide builds from every node's self-signed `proxy_cert.pem`: deduplicated, in the
 * order given, with findings for members that cannot serve as anchors.
 *
 * A **chain** is leaf -> intermediates -> root, found by issuer names and key identifiers and
 * proven by verifying every signature. Each link gets descriptive verdicts (RFC 5280 section
 * 6.1.3/6.1.4 facts: names chain, key identifiers match, signature, CA, keyCertSign, validity,
 * pathLen). This is not full path validation (name constraints, policies, EKU): that is
 * `path.ts`. Broken inputs are findings in the result, never exceptions.
 *
 * Peers fall short here: `step certificate bundle` keeps only the first block of each file,
 * cfssl refuses self-signed leaves, `@peculiar/x509`'s chain builder checks signatures only and
 * silently returns a partial chain, and none of them dedupes.
 */
import { CertkitError } from '../errors.js';
import { resolveNow } from './clock.js';
import { parseCertificates } from '../make/certificates.js';
import {
  PUBLIC_FILE_MODE,
  checkWritePlan,
  readInputFile,
  writeFilesAtomically,
} from '../io/files.js';
import { internals, namesEqual, signatureVerifies } from '../x509/pkix.js';
import type { Certificate, CertificateSource } from '../x509/pkix.js';

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
  /** No certificate of the input issued this chain member. */
  | 'ISSUER_MISSING'
  /** The chain ends at an intermediate whose (root) issuer was not given: usual for servers. */
  | 'ROOT_NOT_IN_INPUT'
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
 * for (const f of chain.findings) if (f.code === 'ISSUER_MISSING') console.error(f.message);
 * ```
 */
export interface ChainFinding {
  readonly code: ChainFindingCode;
  /** `error` breaks the result (`ok: false`); `warning` and `info` do not. */
  readonly severity: 'error' | 'warning' | 'info';
  /** One lower-case line naming the certificate by file, block and subject. */
  readonly message: string;
  /** The certificate the finding is about. */
  readonly certificate?: CertificateRef;
}

/** Names a certificate in reports without carrying the whole certificate. */
export interface CertificateRef {
  readonly source: CertificateSource;
  readonly subject: string;
  readonly fingerprintSha256: string;
}

/** Where a certificate stands at a given time (RFC 5280 section 4.1.2.5: bounds inclusive). */
export type Validity = 'valid' | 'expired' | 'not-yet-valid';

/** Options of {@link buildTrustBundle}. */
export interface TrustBundleOptions {
  /** The time validity is judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/** One member of a trust bundle. */
export interface TrustBundleMember {
  readonly certificate: Certificate;
  readonly validity: Validity;
  /** Subject equals issuer and its own key verifies its signature. */
  readonly selfSigned: boolean;
  /** basicConstraints cA=TRUE. */
  readonly ca: boolean;
}

/**
 * A deduplicated set of trust anchors.
 *
 * @example
 * ```ts
 * const expired = bundle.members.filter((m) => m.validity === 'expired');
 * ```
 */
export interface TrustBundle {
  /** No error findings (bundle findings are warnings: members are kept, as given). */
  readonly ok: boolean;
  readonly members: readonly TrustBundleMember[];
  /** The members' certificates, first occurrence order. */
  readonly certificates: readonly Certificate[];
  readonly findings: readonly ChainFinding[];
}

/** Options of {@link buildChain}. */
export interface ChainOptions {
  /** The time validity is judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /**
   * Keep the self-signed root in {@link Chain.certificates}. Default true; servers usually send
   * the chain without it (RFC 8446 section 4.4.2: the root "MAY be omitted").
   */
  readonly keepRoot?: boolean;
}

/** A certificate's place in a chain. */
export interface ChainMember {
  readonly certificate: Certificate;
  readonly role: 'leaf' | 'intermediate' | 'root';
  readonly validity: Validity;
}

/**
 * Verdicts on one link: `path[child]` issued by `path[issuer]`. The root's self-signature is a
 * link with `child === issuer`; CA, keyCertSign and pathLen do not apply to it (RFC 5280
 * section 6.1: a trust anchor's own certificate is not processed as a path member).
 */
export interface ChainLink {
  readonly child: number;
  readonly issuer: number;
  readonly namesChain: boolean;
  /** AKI of the child equals SKI of the issuer; `null` when either is absent. */
  readonly keyIdentifiersMatch: boolean | null;
  readonly signatureValid: boolean;
  readonly issuerIsCa: boolean;
  /** keyCertSign is asserted, or the issuer has no keyUsage extension. */
  readonly issuerMayCertify: boolean;
  /** Child and issuer are both valid at `now`. */
  readonly validAtNow: boolean;
  readonly pathLengthRespected: boolean;
  /** Every verdict above holds (those that apply). */
  readonly ok: boolean;
}

/**
 * A chain: leaf first.
 *
 * @example
 * ```ts
 * const chain = buildChain(certificates);
 * console.log(chain.path.map((m) => `${m.role}: ${m.certificate.info.subject}`).join('\n'));
 * ```
 */
export interface Chain {
  /** No error findings. */
  readonly ok: boolean;
  /** The chain ends in a self-signed root present in the input. */
  readonly complete: boolean;
  /** Every member found, leaf -> root, root included when present. */
  readonly path: readonly ChainMember[];
  readonly links: readonly ChainLink[];
  /** What to output: the path, without the root when `keepRoot` is false. */
  readonly certificates: readonly Certificate[];
  /** Distinct input certificates that are not on the path. */
  readonly unused: readonly Certificate[];
  readonly findings: readonly ChainFinding[];
}

/** Refers to a certificate in findings. */
function ref(certificate: Certificate): CertificateRef {
  return {
    source: certificate.source,
    subject: certificate.info.subject,
    fingerprintSha256: certificate.info.fingerprintSha256,
  };
}

/** `certificate 2 in node1.pem (CN=node1)`: how users find a block. */
function describe(certificate: Certificate): string {
  const { source, info } = certificate;
  return `certificate ${String(source.index)} in ${source.name} (${info.subject})`;
}

function finding(
  code: ChainFindingCode,
  severity: ChainFinding['severity'],
  message: string,
  certificate?: Certificate,
): ChainFinding {
  return certificate === undefined
    ? { code, severity, message }
    : { code, severity, message, certificate: ref(certificate) };
}

/** Validity at `now`; both bounds are inclusive (RFC 5280 section 4.1.2.5). */
function validityAt(certificate: Certificate, now: Date): Validity {
  const { notBefore, notAfter } = internals(certificate);
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  if (now.getTime() > notAfter.getTime()) return 'expired';
  return 'valid';
}

function validityFinding(
  certificate: Certificate,
  validity: Validity,
  severity: ChainFinding['severity'],
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
function dedupe(certificates: readonly Certificate[]): {
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
function isSelfSigned(certificate: Certificate): boolean {
  let value = selfSignedCache.get(certificate);
  if (value === undefined) {
    value =
      namesEqual(certificate, 'subject', certificate, 'issuer') &&
      signatureVerifies(certificate, certificate);
    selfSignedCache.set(certificate, value);
  }
  return value;
}

function isCa(certificate: Certificate): boolean {
  return certificate.info.basicConstraints?.ca === true;
}

/**
 * Builds a trust bundle: deduplicated by SHA-256 fingerprint, in the given order, with findings
 * (warnings, not failures) for members that are expired, not yet valid, or neither self-signed
 * nor CAs (OpenSSL, and so redis-cli and stunnel, anchor trust only in certificates it can end
 * a chain with).
 *
 * @example
 * ```ts
 * import { buildTrustBundle, parseCertificates } from '@certkit/core';
 * const certs = ['node1.pem', 'node2.pem'].flatMap((f) => parseCertificates(readFileSync(f), f));
 * const bundle = buildTrustBundle(certs);
 * const servercertsPem = bundle.certificates.map((c) => c.pem).join('');
 * for (const f of bundle.findings) console.error(`${f.severity}: ${f.message}`);
 * ```
 */
export function buildTrustBundle(
  certificates: readonly Certificate[],
  options: TrustBundleOptions = {},
): TrustBundle {
  const now = resolveNow(options.now);
  const { unique, findings } = dedupe(certificates);
  const members: TrustBundleMember[] = unique.map((certificate) => {
    const validity = validityAt(certificate, now);
    const member = {
      certificate,
      validity,
      selfSigned: isSelfSigned(certificate),
      ca: isCa(certificate),
    };
    const dated = validityFinding(certificate, validity, 'warning');
    if (dated !== null) findings.push(dated);
    if (!member.selfSigned && !member.ca) {
      findings.push(
        finding(
          'NOT_A_TRUST_ANCHOR',
          'warning',
          `${describe(certificate)} is neither self-signed nor a CA; as a trust anchor it only works where partial chains are allowed (it is issued by ${certificate.info.issuer})`,
          certificate,
        ),
      );
    }
    return member;
  });
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    members,
    certificates: unique,
    findings: capRepeatedFindings(findings),
  };
}

/** A normalised name key for lookup; {@link namesEqual} confirms each candidate. */
function nameKey(certificate: Certificate, field: 'subject' | 'issuer'): string {
  const attributes =
    field === 'subject' ? certificate.info.subjectAttributes : certificate.info.issuerAttributes;
  return attributes
    .map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`)
    .join('\u0000');
}

/** A possible issuer of a certificate, with the evidence. */
interface Candidate {
  readonly issuer: Certificate;
  readonly namesChain: boolean;
  readonly keyIdentifiersMatch: boolean | null;
  readonly signatureValid: boolean;
}

/**
 * Most issuer candidates whose signature is checked for one certificate. Real inputs have one
 * or two (a cross-signed twin); a hostile or runaway input of hundreds of certificates with the
 * same name would otherwise cost a signature check per pair. Candidates with matching key
 * identifiers are checked first, so the real issuer is within the budget.
 *
 * @example
 * ```ts
 * import { MAX_ISSUER_CANDIDATES } from '@certkit/core'; // 16
 * ```
 */
export const MAX_ISSUER_CANDIDATES = 16;

/** Finds issuers through a name index, so large inputs stay near-linear. */
class IssuerIndex {
  private readonly bySubject = new Map<string, Certificate[]>();
  private readonly cache = new Map<Certificate, Candidate[]>();

  constructor(certificates: readonly Certificate[]) {
    for (const c of certificates) push(this.bySubject, nameKey(c, 'subject'), c);
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
    const pool = (this.bySubject.get(nameKey(child, 'issuer')) ?? [])
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

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Certificates kept per subject name, key and issuer name before chains are built: more of them
 * are the same step of a chain again (they differ in serial, validity or extensions), and each
 * costs a signature check (four files of 10,000 such certificates took `certs chain` 22 s).
 * Those valid at `now` are kept first, then input order; a reissued intermediate (old and
 * renewed, same key and issuer) keeps both.
 */
const MAX_SAME_NAME_AND_KEY = 4; // as path.ts's MAX_SAME_NAME_AND_KEY

/**
 * Findings of one code listed one by one; past this, one more finding says how many were left
 * unsaid. A file of 10,000 copies must not print 10,000 lines (`certs check` printed 39,997).
 */
export const MAX_FINDINGS_PER_CODE = 20;

/** Splits `certificates` into those kept for chain building and the repeats left out. */
function keepFewPerNameAndKey(
  certificates: readonly Certificate[],
  now: Date,
): { kept: Certificate[]; findings: ChainFinding[]; left: Certificate[] } {
  const groups = new Map<string, Certificate[]>();
  for (const c of certificates) {
    const x = internals(c);
    // Byte-exact names and key: names encoded differently stay apart, which only keeps more.
    const key = Buffer.concat([x.subjectDer, x.spkiDer, x.issuerDer]).toString('latin1');
    push(groups, key, c);
  }
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

/** The first {@link MAX_FINDINGS_PER_CODE} findings of each code, then one that counts the rest. */
function capRepeatedFindings(findings: readonly ChainFinding[]): ChainFinding[] {
  const seen = new Map<ChainFindingCode, number>();
  const out: ChainFinding[] = [];
  const over = new Map<ChainFindingCode, { count: number; severity: ChainFinding['severity'] }>();
  for (const f of findings) {
    const n = (seen.get(f.code) ?? 0) + 1;
    seen.set(f.code, n);
    if (n <= MAX_FINDINGS_PER_CODE) out.push(f);
    else {
      const o = over.get(f.code);
      // The summary carries the most severe level it stands for.
      const rank = { info: 0, warning: 1, error: 2 } as const;
      const severity =
        o === undefined || rank[f.severity] > rank[o.severity] ? f.severity : o.severity;
      over.set(f.code, { count: (o?.count ?? 0) + 1, severity });
    }
  }
  for (const [code, { count, severity }] of over)
    out.push(
      finding(code, severity, `${String(count)} more ${code} findings like the above, not listed`),
    );
  return out;
}

/** How a path search ended. */
type PathEnd = 'root' | 'missing' | 'cycle';

interface FoundPath {
  readonly members: readonly Certificate[];
  readonly end: PathEnd;
  /** Issuer candidates of the last member that were already on the path (for 'cycle'). */
  readonly loopsTo?: Certificate;
}

/** Upper bound on paths explored from one leaf: cross-signing meshes could grow exponentially. */
const MAX_PATHS_PER_LEAF = 256;

/** Every maximal path from `leaf` upwards, depth first, without revisiting a certificate. */
function pathsFrom(leaf: Certificate, index: IssuerIndex): FoundPath[] {
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
function comparePaths(
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

/** Verdicts on `path[k]` issued by `path[k + 1]` (or the root's self-link). */
function judgeLink(
  path: readonly Certificate[],
  k: number,
  issuerAt: number,
  index: IssuerIndex,
  now: Date,
): ChainLink {
  const child = path[k] as Certificate;
  const issuer = path[issuerAt] as Certificate;
  const self = k === issuerAt;
  const aki = child.info.authorityKeyIdentifier;
  const ski = issuer.info.subjectKeyIdentifier;
  const keyIdentifiersMatch = aki === undefined || ski === undefined ? null : aki === ski;
  const namesChain = namesEqual(child, 'issuer', issuer, 'subject');
  const signatureValid = self
    ? isSelfSigned(child)
    : (index.candidates(child).find((c) => c.issuer === issuer)?.signatureValid ??
      signatureVerifies(child, issuer));
  const issuerIsCa = isCa(issuer);
  const keyUsage = issuer.info.keyUsage;
  const issuerMayCertify = keyUsage === null || keyUsage.includes('keyCertSign');
  const validAtNow = validityAt(child, now) === 'valid' && validityAt(issuer, now) === 'valid';
  // RFC 5280 section 4.2.1.9: pathLen counts the non-self-issued intermediates that follow.
  const following = path.slice(1, k + 1).filter((c) => !c.info.selfIssued).length;
  const limit = issuer.info.basicConstraints?.pathLength;
  const pathLengthRespected = self || limit === undefined || following <= limit;
  const ok =
    namesChain &&
    keyIdentifiersMatch !== false &&
    signatureValid &&
    validAtNow &&
    (self || (issuerIsCa && issuerMayCertify && pathLengthRespected));
  return {
    child: k,
    issuer: issuerAt,
    namesChain,
    keyIdentifiersMatch,
    signatureValid,
    issuerIsCa,
    issuerMayCertify,
    validAtNow,
    pathLengthRespected,
    ok,
  };
}

function linkFindings(path: readonly Certificate[], link: ChainLink): ChainFinding[] {
  const child = path[link.child] as Certificate;
  const issuer = path[link.issuer] as Certificate;
  const out: ChainFinding[] = [];
  const by = `${describe(child)} and its issuer ${describe(issuer)}`;
  if (!link.namesChain) {
    out.push(
      finding(
        'NAMES_DO_NOT_CHAIN',
        'error',
        `${by}: the issuer name ${child.info.issuer} is not the issuer's subject`,
        child,
      ),
    );
  }
  if (link.keyIdentifiersMatch === false) {
    out.push(
      finding(
        'KEY_IDENTIFIER_MISMATCH',
        'error',
        `${by}: authority key identifier ${child.info.authorityKeyIdentifier ?? ''} is not the issuer's subject key identifier ${issuer.info.subjectKeyIdentifier ?? ''}`,
        child,
      ),
    );
  }
  if (!link.signatureValid) {
    out.push(
      finding(
        'SIGNATURE_INVALID',
        'error',
        link.child === link.issuer
          ? `${describe(child)} is self-issued but its own key does not verify its signature`
          : `${by}: the issuer's key does not verify the signature (a different key with the same name?)`,
        child,
      ),
    );
  }
  if (link.child === link.issuer) return out;
  if (!link.issuerIsCa) {
    out.push(
      finding(
        'ISSUER_NOT_CA',
        'error',
        `${describe(issuer)} issues ${child.info.subject} but is not a CA (basicConstraints cA is not TRUE)`,
        issuer,
      ),
    );
  }
  if (!link.issuerMayCertify) {
    out.push(
      finding(
        'ISSUER_CANNOT_SIGN_CERTIFICATES',
        'error',
        `${describe(issuer)} issues ${child.info.subject} but its keyUsage lacks keyCertSign`,
        issuer,
      ),
    );
  }
  if (!link.pathLengthRespected) {
    out.push(
      finding(
        'PATH_LENGTH_EXCEEDED',
        'error',
        `${describe(issuer)} allows ${String(issuer.info.basicConstraints?.pathLength ?? 0)} intermediate(s) below it, the chain has more`,
        issuer,
      ),
    );
  }
  return out;
}

/**
 * Orders certificates into a chain, leaf -> intermediates -> root, following issuer names and
 * key identifiers and verifying each signature; judges each link. Missing issuers, cycles,
 * several leaves and unrelated extras are findings, never exceptions. With a cross-signed
 * intermediate, the path that ends in a self-signed root present in the input wins; without
 * one, the longest verified path.
 *
 * @example
 * ```ts
 * import { buildChain, parseCertificates } from '@certkit/core';
 * const chain = buildChain(parseCertificates(readFileSync('shuffled.pem'), 'shuffled.pem'), {
 *   keepRoot: false, // what a server sends
 * });
 * if (!chain.ok) for (const f of chain.findings) console.error(f.message);
 * const fullchainPem = chain.certificates.map((c) => c.pem).join('');
 * ```
 */
export function buildChain(
  certificates: readonly Certificate[],
  options: ChainOptions = {},
): Chain {
  const now = resolveNow(options.now);
  const keepRoot = options.keepRoot ?? true;
  const deduped = dedupe(certificates);
  if (deduped.unique.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'no certificates to build a chain from');
  }
  const few = keepFewPerNameAndKey(deduped.unique, now);
  const unique = few.kept;
  const findings = [...deduped.findings, ...few.findings];
  const order = new Map(unique.map((c, i) => [c, i]));
  const index = new IssuerIndex(unique);

  // A leaf issues no other input certificate.
  const issuers = new Set<Certificate>();
  for (const c of unique) for (const cand of index.candidates(c)) issuers.add(cand.issuer);
  let leaves = unique.filter((c) => !issuers.has(c));
  if (leaves.length === 0) leaves = unique; // everything issues something: a pure cycle

  const best = leaves
    .map((leaf) => {
      const paths = pathsFrom(leaf, index).sort((a, b) => comparePaths(a, b, index, now, order));
      return paths[0] as FoundPath;
    })
    .sort((a, b) => {
      // A leaf whose path links to something beats one standing alone; then end entities
      // (not CAs) beat CAs; then the path order above.
      const linked = Number(b.members.length > 1) - Number(a.members.length > 1);
      if (linked !== 0) return linked;
      const ca =
        Number(isCa(a.members[0] as Certificate)) - Number(isCa(b.members[0] as Certificate));
      if (ca !== 0) return ca;
      return comparePaths(a, b, index, now, order);
    })[0] as FoundPath;

  const path = best.members;
  const onPath = new Set(path);
  const top = path[path.length - 1] as Certificate;
  const complete = best.end === 'root';
  const members: ChainMember[] = path.map((certificate, i) => ({
    certificate,
    role:
      i === path.length - 1 && complete && path.length > 1
        ? 'root'
        : i === 0
          ? 'leaf'
          : 'intermediate',
    validity: validityAt(certificate, now),
  }));

  const links: ChainLink[] = [];
  for (let k = 0; k < path.length - 1; k++) links.push(judgeLink(path, k, k + 1, index, now));
  if (complete) links.push(judgeLink(path, path.length - 1, path.length - 1, index, now));
  for (const link of links) findings.push(...linkFindings(path, link));
  for (const member of members) {
    const dated = validityFinding(member.certificate, member.validity, 'error');
    if (dated !== null) findings.push(dated);
  }

  const unusedKept = unique.filter((c) => !onPath.has(c));
  const unused = [...unusedKept, ...few.left];
  if (best.end === 'cycle') {
    findings.push(
      finding(
        'CYCLE',
        'error',
        `${describe(top)} is issued by ${best.loopsTo === undefined ? top.info.issuer : describe(best.loopsTo)}, already in the chain: the certificates issue each other and no self-signed root ends the chain`,
        top,
      ),
    );
  } else if (best.end === 'missing') {
    // A server chain without its root is normal (RFC 8446 section 4.4.2); a leaf alone, or a
    // root present but unreachable, means an intermediate is missing.
    const rootPresent = unusedKept.some((c) => isSelfSigned(c));
    if (path.length > 1 && isCa(top) && !rootPresent) {
      findings.push(
        finding(
          'ROOT_NOT_IN_INPUT',
          'warning',
          `the chain ends at ${describe(top)}; its issuer ${top.info.issuer} is not in the input, so that last link is not verified`,
          top,
        ),
      );
    } else {
      findings.push(
        finding(
          'ISSUER_MISSING',
          'error',
          `the issuer of ${describe(top)}, ${top.info.issuer}, is not in the input (a missing intermediate?)`,
          top,
        ),
      );
    }
  }
  for (const extra of unusedKept) {
    const issuedByPath = index.candidates(extra).some((c) => onPath.has(c.issuer));
    const twin = path.find(
      (p) =>
        namesEqual(p, 'subject', extra, 'subject') &&
        Buffer.from(internals(p).spkiDer).equals(Buffer.from(internals(extra).spkiDer)),
    );
    if (twin !== undefined) {
      findings.push(
        finding(
          'ALTERNATE_ISSUER',
          'warning',
          `${describe(extra)} certifies the same name and key as ${describe(twin)} but is issued by ${extra.info.issuer}; left out: the chain goes through the other${complete ? ', which reaches a root in the input' : ''}`,
          extra,
        ),
      );
    } else if (issuedByPath && !issuers.has(extra) && !isCa(extra)) {
      findings.push(
        finding(
          'SEVERAL_LEAVES',
          'error',
          `${describe(extra)} could also be the leaf (issued by ${extra.info.issuer}); the chain uses ${describe(path[0] as Certificate)}: give one leaf per chain`,
          extra,
        ),
      );
    } else {
      // Same name as a member but another key: a reissued CA or an impostor, never an issuer
      // here since its key verifies nothing on the chain.
      const namesake = path.find((p) => namesEqual(p, 'subject', extra, 'subject'));
      findings.push(
        finding(
          'UNRELATED_CERTIFICATE',
          'warning',
          namesake === undefined
            ? `${describe(extra)} is not part of the chain; left out`
            : `${describe(extra)} has the name of ${describe(namesake)} but another key, and verifies nothing in the chain; left out`,
          extra,
        ),
      );
    }
  }

  const output = complete && !keepRoot && path.length > 1 ? path.slice(0, -1) : [...path];
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    complete,
    path: members,
    links,
    certificates: output,
    unused,
    findings: capRepeatedFindings(findings),
  };
}

/** What {@link assembleCertificates} builds. `auto` picks one from the input. */
export type AssembleMode = 'auto' | 'bundle' | 'chain';

/** Options of {@link assembleCertificates}. */
export interface AssembleOptions {
  /** Input files, in order: PEM (any number of blocks) or DER. */
  readonly files: readonly string[];
  /** Default `auto`: chain when an input certificate issues another, else bundle. */
  readonly mode?: AssembleMode;
  /** Chain mode: keep the self-signed root in the output (default true). */
  readonly keepRoot?: boolean;
  /** The time validity is judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /** Put `# subject / issuer / notAfter / sha256` lines above each block. */
  readonly annotate?: boolean;
  /** Write the PEM here (atomically, mode 0644); otherwise only return it. */
  readonly outFile?: string;
  /** Replace an existing `outFile`. */
  readonly force?: boolean;
  /** Write `outFile` even when the result is not ok (a broken chain). */
  readonly writeBroken?: boolean;
  /** Largest input file read, in bytes; default `DEFAULT_MAX_INPUT_BYTES` (files.ts). */
  readonly maxInputBytes?: number;
}

/** The outcome of {@link assembleCertificates}. */
export interface AssembledCertificates {
  readonly ok: boolean;
  readonly mode: 'bundle' | 'chain';
  /** Why this mode: the user's choice, or what `auto` saw. */
  readonly reason: string;
  readonly inputs: readonly { readonly file: string; readonly certificates: number }[];
  /** Output certificates, in output order. */
  readonly certificates: readonly Certificate[];
  readonly findings: readonly ChainFinding[];
  readonly bundle: TrustBundle | null;
  readonly chain: Chain | null;
  /** The output: clean PEM, LF, 64 columns, one block per certificate. */
  readonly pem: string;
  /** `outFile` when it was written; `null` otherwise. */
  readonly written: string | null;
}

/** Comment text on one line: control characters in names must not forge PEM lines. */
function commentSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * Renders certificates as clean PEM (RFC 7468: LF, 64-column base64, one block each),
 * optionally with `#` comment lines above each block, which OpenSSL, stunnel and redis skip
 * (text outside BEGIN/END lines is ignored, RFC 7468 section 2).
 *
 * @example
 * ```ts
 * const text = renderCertificates(chain.certificates, { annotate: true });
 * ```
 */
export function renderCertificates(
  certificates: readonly Certificate[],
  options: { annotate?: boolean } = {},
): string {
  return certificates
    .map((c) =>
      options.annotate === true
        ? [
            `# subject: ${commentSafe(c.info.subject)}`,
            `# issuer: ${commentSafe(c.info.issuer)}`,
            `# notAfter: ${c.info.notAfter}`,
            `# sha256: ${c.info.fingerprintSha256}`,
            c.pem,
          ].join('\n')
        : c.pem,
    )
    .join('');
}

/**
 * Reads certificate files and assembles them into a trust bundle or a chain: what
 * `certs chain` does. Reads every block of every file (bad input throws, naming the file and the
 * block), chooses the mode, renders clean PEM and, with `outFile`, writes it atomically: never
 * over an existing file without `force`, never a broken chain without `writeBroken`.
 *
 * @throws {@link CertkitError} for unreadable or invalid input (`PEM_EMPTY`, `PEM_INVALID`,
 * `DER_INVALID`, `NOT_A_CERTIFICATE`, `CERTIFICATE_INVALID`, `FILE_NOT_FOUND`, …) and refused
 * writes (`FILE_EXISTS`); nothing is written then
 *
 * @example
 * ```ts
 * import { assembleCertificates } from '@certkit/core';
 * const result = await assembleCertificates({
 *   files: ['certsvr1.pem', 'certsvr2.pem', 'certsvr3.pem'],
 *   outFile: 'servercerts.pem',
 * });
 * console.log(result.mode, result.reason); // 'bundle', 'no certificate in the input issues another'
 * ```
 */
export async function assembleCertificates(
  options: AssembleOptions,
): Promise<AssembledCertificates> {
  if (options.files.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'name at least one certificate file');
  }
  const requested = options.mode ?? 'auto';
  if (!(['auto', 'bundle', 'chain'] as readonly string[]).includes(requested)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `mode must be auto, bundle or chain, got "${requested}"`,
    );
  }
  const now = resolveNow(options.now);
  const force = options.force ?? false;
  // Refuse at once, before reading anything, when the output exists.
  const write = { force, inputs: options.files };
  if (options.outFile !== undefined) {
    await checkWritePlan({
      ...write,
      outputs: [{ path: options.outFile, mode: PUBLIC_FILE_MODE }],
    });
  }

  const inputs: { file: string; certificates: number }[] = [];
  const all: Certificate[] = [];
  for (const file of options.files) {
    const certificates = parseCertificates(
      await readInputFile(
        file,
        options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes },
      ),
      file,
    );
    inputs.push({ file, certificates: certificates.length });
    all.push(...certificates);
  }

  const keepRoot = options.keepRoot ?? true;
  let mode: 'bundle' | 'chain';
  let reason: string;
  let chain: Chain | null = null;
  if (requested === 'auto') {
    chain = buildChain(all, { now, keepRoot });
    const [first, second] = chain.path;
    // A certificate that is neither self-signed nor a CA cannot anchor trust: the user wants
    // its chain, and chain mode reports what is missing instead of a bundle that cannot work.
    const needsChain = all.find((c) => !isSelfSigned(c) && !isCa(c));
    if (first !== undefined && second !== undefined) {
      mode = 'chain';
      reason = `${describe(first.certificate)} is issued by ${describe(second.certificate)}`;
    } else if (needsChain !== undefined) {
      mode = 'chain';
      reason = `${describe(needsChain)} is neither self-signed nor a CA, so it needs a chain`;
    } else {
      mode = 'bundle';
      reason = 'no certificate in the input issues another';
      chain = null;
    }
  } else {
    mode = requested;
    reason = `--mode ${requested}`;
    if (mode === 'chain') chain = buildChain(all, { now, keepRoot });
  }
  const bundle = mode === 'bundle' ? buildTrustBundle(all, { now }) : null;
  const result = (chain ?? bundle) as Chain | TrustBundle;
  const pem = renderCertificates(result.certificates, {
    ...(options.annotate === undefined ? {} : { annotate: options.annotate }),
  });
  let written: string | null = null;
  if (options.outFile !== undefined && (result.ok || options.writeBroken === true)) {
    await writeFilesAtomically(
      [{ path: options.outFile, content: pem, mode: PUBLIC_FILE_MODE }],
      write,
    );
    written = options.outFile;
  }
  return {
    ok: result.ok,
    mode,
    reason,
    inputs,
    certificates: result.certificates,
    findings: result.findings,
    bundle,
    chain,
    pem,
    written,
  };
}
