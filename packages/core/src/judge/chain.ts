/**
 * Certificate chains, from whatever users concatenated with `cat`: leaf -> intermediates ->
 * root, found by issuer names and key identifiers and proven by verifying every signature. Each
 * link gets descriptive verdicts (RFC 5280 section 6.1.3/6.1.4 facts: names chain, key
 * identifiers match, signature, CA, keyCertSign, validity, pathLen). This is not full path
 * validation (name constraints, policies, EKU): that is `validatePath`. Broken inputs are
 * findings in the result, never exceptions.
 *
 * Peers fall short here: `step certificate bundle` keeps only the first block of each file,
 * cfssl refuses self-signed leaves, `@peculiar/x509`'s chain builder checks signatures only and
 * silently returns a partial chain, and none of them dedupes.
 */
import { CertkitError } from '../errors.js';
import { internals, namesEqual } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';
import {
  capChainFindings,
  dedupe,
  describe,
  finding,
  isCa,
  isSelfSigned,
  validityFinding,
} from './chain-common.js';
import type { ChainFinding } from './chain-common.js';
import { comparePaths, IssuerIndex, keepFewPerNameAndKey, pathsFrom } from './chain-search.js';
import type { FoundPath } from './chain-search.js';
import { resolveNow } from '../clock.js';
import { validityAt } from './validity.js';
import type { Validity } from './validity.js';

/** Options of {@link buildChain}: chain mode of `assembleParsedCertificates`. */
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
 * const { chain } = assembleParsedCertificates(certificates, { mode: 'chain' });
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
  /**
   * CA certificates of the input above a missing issuer: they chain among themselves (up to a
   * root, often) but not to the leaf, as when the intermediate between is missing. They follow
   * the path in {@link Chain.certificates}, so that a broken chain written anyway keeps every
   * certificate the user gave.
   */
  readonly detached: readonly Certificate[];
  /** Distinct input certificates that are neither on the path nor detached. */
  readonly unused: readonly Certificate[];
  readonly findings: readonly ChainFinding[];
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
 * Orders certificates into a chain and judges each link; chain mode of
 * `assembleParsedCertificates`, whose documentation states the rules and bounds.
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
      // The leaf is the end entity: a certificate that is not a CA beats a CA, even when the
      // CA links to a root and the end entity stands alone (its issuer is missing: `cat leaf
      // int1 root` without int2 is int2 missing, not a chain int1 -> root with the leaf left
      // out). Then a leaf whose path links to something beats one standing alone; then the
      // path order above.
      const ca =
        Number(isCa(a.members[0] as Certificate)) - Number(isCa(b.members[0] as Certificate));
      if (ca !== 0) return ca;
      const linked = Number(b.members.length > 1) - Number(a.members.length > 1);
      if (linked !== 0) return linked;
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

  // A server chain without its root is normal (RFC 8446 section 4.4.2); a leaf alone, or a
  // root present but unreachable, means an intermediate is missing: the chain is broken, and
  // the CA certificates left over chain among themselves above the gap.
  const rootPresent = unique.some((c) => !onPath.has(c) && isSelfSigned(c));
  const broken = best.end === 'missing' && !(path.length > 1 && isCa(top) && !rootPresent);
  const detached = broken ? detachedAbove(unique, path, index, now, order) : [];
  const isDetached = new Set(detached);
  const unusedKept = unique.filter((c) => !onPath.has(c) && !isDetached.has(c));
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
    if (!broken) {
      findings.push(
        finding(
          'ROOT_NOT_IN_INPUT',
          'warning',
          `the chain ends at ${describe(top)}; its issuer ${top.info.issuer} is not in the input, so that last link is not verified`,
          top,
        ),
      );
    } else {
      const above =
        detached.length === 0
          ? ''
          : `; ${detached.map((c) => c.info.subject).join(' -> ')} ${detached.length === 1 ? 'is' : 'are'} in the input but ${detached.length === 1 ? 'does' : 'do'} not issue it, so the chain has a gap there`;
      findings.push(
        finding(
          'MISSING_ISSUER',
          'error',
          `the issuer of ${describe(top)}, ${top.info.issuer}, is not in the input: add the file that holds its certificate${above}`,
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
  const lastDetached = detached[detached.length - 1];
  const detachedOut =
    !keepRoot && lastDetached !== undefined && isSelfSigned(lastDetached)
      ? detached.slice(0, -1)
      : detached;
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    complete,
    path: members,
    links,
    certificates: [...output, ...detachedOut],
    detached,
    unused,
    findings: capChainFindings(findings),
  };
}

/** Path searches spent on ordering the detached certificates of a broken chain. */
const MAX_DETACHED_SEARCHES = 16;

/**
 * The CA certificates of a broken chain's input that are not on the path, in chain order: from
 * the lowest (issuing no other of them) up, following verified issuers. Only CAs: another end
 * entity is a second leaf or an unrelated certificate, reported as such.
 */
function detachedAbove(
  unique: readonly Certificate[],
  path: readonly Certificate[],
  index: IssuerIndex,
  now: Date,
  order: Map<Certificate, number>,
): Certificate[] {
  // Not the path's own members, nor their twins (same name and key, another issuer: reported as
  // ALTERNATE_ISSUER).
  const twin = (c: Certificate): boolean =>
    path.some(
      (p) =>
        p === c ||
        (namesEqual(p, 'subject', c, 'subject') &&
          Buffer.from(internals(p).spkiDer).equals(Buffer.from(internals(c).spkiDer))),
    );
  const rest = unique.filter((c) => isCa(c) && !twin(c));
  const restSet = new Set(rest);
  const issuing = new Set<Certificate>();
  for (const c of rest)
    for (const cand of index.candidates(c)) if (restSet.has(cand.issuer)) issuing.add(cand.issuer);
  const out: Certificate[] = [];
  const taken = new Set<Certificate>();
  // Each bottom costs a path search: a hostile input of thousands of detached CAs gets a few,
  // and the rest follow in input order.
  for (const bottom of rest.filter((c) => !issuing.has(c)).slice(0, MAX_DETACHED_SEARCHES)) {
    const [best] = pathsFrom(bottom, index)
      .map((p) => {
        // Up to the first certificate that is not left over (none is, but stay inside them).
        const end = p.members.findIndex((m) => !restSet.has(m));
        return { ...p, members: end === -1 ? p.members : p.members.slice(0, end) };
      })
      .sort((a, b) => comparePaths(a, b, index, now, order));
    for (const m of best?.members ?? [bottom]) {
      if (taken.has(m)) break;
      taken.add(m);
      out.push(m);
    }
  }
  // A pure cycle among them has no bottom, and past the searches: the input order.
  for (const c of rest) if (!taken.has(c)) out.push(c);
  return out;
}
