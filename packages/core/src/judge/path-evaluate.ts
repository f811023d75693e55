/**
 * One candidate path checked whole (RFC 5280 section 6.1, with the web-PKI profile): every
 * certificate's own checks, validity at the time, signatures and revocation link by link, the
 * leaf's profile, EKU and reference identity, name constraints from the anchor down, and depth.
 */
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import type { RevocationList } from '../x509/crl.js';
import { matchReferenceIdentity } from './hostname.js';
import type { ReferenceIdentity } from './hostname.js';
import {
  MAX_NAME_CONSTRAINT_CHECKS,
  checkNames,
  presentedNames,
  readConstraints,
} from './name-constraints.js';
import type { ConstraintSet } from './name-constraints.js';
import { isSelfIssued, label } from './path-common.js';
import type { Add, PathFinding, PathPolicy, PathPurpose, TrustRules } from './path-common.js';
import {
  checkAuthorityKeyId,
  checkCommonName,
  checkEku,
  checkIssuer,
  checkLeafProfile,
  checkSignatureHash,
  checkStructure,
} from './path-policy.js';
import { checkRevocation } from './revocation.js';

export interface Context {
  readonly at: Date;
  readonly purpose: PathPurpose;
  readonly reference?: ReferenceIdentity;
  readonly maxDepth: number;
  readonly crls: readonly RevocationList[];
  readonly verifies: (child: Certificate, issuer: Certificate) => boolean;
  readonly rules: TrustRules;
  readonly policy: PathPolicy;
  /** The certificate is a trust anchor (given as one, whatever its place in the path). */
  readonly trusted: (certificate: Certificate) => boolean;
}

/** Counts the intermediates that count against depth: self-issued ones do not (RFC 5280 4.2.1.9). */
export function countedIntermediates(path: readonly Certificate[], anchored: boolean): number {
  const end = anchored ? path.length - 1 : path.length;
  let n = 0;
  for (let i = 1; i < end; i++) if (!isSelfIssued(path[i] as Certificate)) n++;
  return n;
}

export function evaluate(
  path: readonly Certificate[],
  anchored: boolean,
  context: Context,
): PathFinding[] {
  const findings: PathFinding[] = [];
  const adder =
    (index: number): Add =>
    (code, message, severity = 'error') => {
      const cert = path[index] as Certificate;
      findings.push({ code, severity, message: `${label(cert)}: ${message}`, certificate: index });
    };
  const at = new Date(Math.floor(context.at.getTime() / 1000) * 1000);
  const last = path.length - 1;
  for (let i = 0; i <= last; i++) {
    const cert = path[i] as Certificate;
    const add = adder(i);
    const x = internals(cert);
    const isAnchor = anchored && i === last && path.length > 1;
    checkStructure(cert, isAnchor, add);
    // RFC 5280 section 4.1.2.5: notBefore through notAfter, inclusive, at whole seconds.
    if (at < x.notBefore) add('NOT_YET_VALID', `is not valid before ${cert.info.notBefore}`);
    if (at > x.notAfter) add('EXPIRED', `expired at ${cert.info.notAfter}`);
    const selfSigned =
      isSelfIssued(cert) && (isAnchor || path.length === 1) && context.verifies(cert, cert);
    checkAuthorityKeyId(cert, selfSigned, isAnchor, add);
    // Every signature a client checks: all but the trust anchor's own (the top of the path when
    // it is trusted, reached or not: a partial path ends at an anchor too).
    if (!(i === last && (isAnchor || context.trusted(cert))))
      checkSignatureHash(cert, context.rules, add);
    if (i > 0) {
      checkIssuer(cert, add);
      // pathLenConstraint: non-self-issued intermediates below this one (RFC 5280 section 6.1.4 (l)-(m)).
      const pathLength = cert.info.basicConstraints?.pathLength;
      if (pathLength !== undefined) {
        let below = 0;
        for (let j = 1; j < i; j++) if (!isSelfIssued(path[j] as Certificate)) below++;
        if (below > pathLength)
          add(
            'PATH_LENGTH_EXCEEDED',
            `allows ${String(pathLength)} intermediate(s) below it (pathLenConstraint), the path has ${String(below)}`,
          );
      }
      if (!isAnchor && context.rules.intermediateEku)
        checkEku(cert, context.purpose, false, add, context.rules.anyEku);
      // Signature of the certificate below (anchors are trusted as given, not checked).
      if (!context.verifies(path[i - 1] as Certificate, cert))
        adder(i - 1)(
          'SIGNATURE_INVALID',
          `signature does not verify with the key of ${label(cert)}`,
        );
      if (context.crls.length > 0)
        checkRevocation(path[i - 1] as Certificate, cert, context.crls, at, adder(i - 1));
    }
  }
  const leafAdd = adder(0);
  const leaf = path[0] as Certificate;
  // A pinned leaf: the whole path is one trust anchor (a self-signed one unless partial chains
  // are accepted).
  const pinned = anchored && path.length === 1;
  checkLeafProfile(leaf, leafAdd, { pinned, policy: context.policy });
  checkEku(leaf, context.purpose, true, leafAdd, context.rules.anyEku);
  if (context.reference !== undefined) {
    const match = matchReferenceIdentity(leaf, context.reference);
    if (!match.ok)
      leafAdd(
        'ip' in context.reference ? 'IP_MISMATCH' : 'HOSTNAME_MISMATCH',
        match.reason ?? 'name mismatch',
      );
    if (context.purpose !== 'client') checkCommonName(leaf, leafAdd, context.policy);
  }
  // Name constraints, from the anchor down (RFC 5280 section 6.1.3 (b)-(c), 6.1.4 (g)).
  const sets: ConstraintSet[] = [];
  const budget = { left: MAX_NAME_CONSTRAINT_CHECKS };
  for (let i = last; i >= 0; i--) {
    const cert = path[i] as Certificate;
    // Self-issued intermediates are exempt, the leaf never is (RFC 5280 section 6.1.3 (b)).
    if (sets.length > 0 && (i === 0 || !isSelfIssued(cert)))
      checkNames(presentedNames(cert), sets, budget, adder(i));
    if (i > 0) {
      const set = readConstraints(cert, i, adder(i));
      if (set !== null) sets.push(set);
    }
  }
  const counted = countedIntermediates(path, anchored);
  if (counted > context.maxDepth)
    findings.push({
      code: 'MAX_DEPTH_EXCEEDED',
      severity: 'error',
      message: `the path has ${String(counted)} intermediates; at most ${String(context.maxDepth)} are allowed`,
    });
  return findings;
}
