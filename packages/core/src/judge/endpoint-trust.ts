/**
 * The trust part of the endpoint check: the chain with the given CA file, judged as each client
 * stack judges it (stack-trust.ts), turned into findings. One fault gives one finding, named
 * after what the operator must change, with the stacks that refuse it; a fault only some stacks
 * refuse is an error under the strict profiles and a warning under `compat`, as name
 * disagreements are.
 */
import type { Certificate } from '../x509/pkix.js';
import type { ClientStack } from './clients.js';
import { CLIENT_STACKS } from './clients.js';
import { describeStacks } from './endpoint-findings.js';
import type { CheckFinding, CheckProfile } from './endpoint-findings.js';
import type { PathFinding, PathFindingCode } from './path-common.js';
import { judgeStackTrust } from './stack-trust.js';
import type { TrustVerdict } from './stack-trust.js';

/** Path findings the endpoint check reports under codes of its own (validity, EKU, keys, names). */
const OWN_PATH_CODES: ReadonlySet<PathFindingCode> = new Set<PathFindingCode>([
  'EXPIRED',
  'NOT_YET_VALID',
  'EKU_EMPTY',
  'LEAF_IS_CA',
  'KEY_TOO_WEAK',
  'HOSTNAME_MISMATCH',
  'COMMON_NAME_NOT_IN_SAN',
]);

/** Path findings this module turns into findings of their own. */
const MAPPED: ReadonlySet<PathFindingCode> = new Set<PathFindingCode>([
  'PARTIAL_CHAIN',
  'WEAK_SIGNATURE',
  'EKU_MISMATCH',
]);

/** The trust part of a check report. */
export interface EndpointTrust {
  readonly findings: readonly CheckFinding[];
  /** Each stack's verdict; `null` without a CA file. */
  readonly trust: readonly TrustVerdict[] | null;
  /** The chain validates to the CA file as OpenSSL (stunnel, redis-cli, Node, Python) checks it. */
  readonly chainValid: boolean | null;
  /** The leaf is a self-signed certificate of the CA file. */
  readonly pinned: boolean;
  /** The path OpenSSL builds (or the best tried), leaf first; empty without a CA file. */
  readonly path: readonly Certificate[];
  /** That path ends at a trust anchor. */
  readonly anchored: boolean;
}

/** Options of {@link endpointTrust}. */
export interface EndpointTrustOptions {
  /** The chain as presented, leaf first. */
  readonly chain: readonly Certificate[];
  readonly ca: readonly Certificate[] | undefined;
  readonly now: Date;
  readonly profile: CheckProfile;
  /** How the report names a certificate (`file.pem#1`). */
  readonly ref: (certificate: Certificate) => string;
}

/** The certificate files a list of certificates came from, for messages. */
function files(certificates: readonly Certificate[]): string {
  return [...new Set(certificates.map((c) => c.source.name))].join(', ');
}

/**
 * Judges the trust of an endpoint's chain with a CA file. Without one, nothing is judged: a
 * self-signed leaf is then only said to need pinning.
 */
export function endpointTrust(options: EndpointTrustOptions): EndpointTrust {
  const { chain, ca, now, profile, ref } = options;
  const leaf = chain[0];
  const none = { trust: null, chainValid: null, pinned: false, path: [], anchored: false };
  if (leaf === undefined) return { findings: [], ...none };
  if (ca === undefined) {
    const selfSigned = leaf.info.selfIssued;
    return {
      findings: selfSigned
        ? [
            {
              code: 'SELF_SIGNED',
              severity: 'info',
              message:
                'the certificate is self-signed: clients trust it only when it is in their CA file (pinned), as a Redis Enterprise node certificate is through servercerts.pem; give that CA file to check it',
              certificate: ref(leaf),
            },
          ]
        : [],
      ...none,
    };
  }
  const { verdicts, validations } = judgeStackTrust({
    leaf,
    intermediates: chain.slice(1),
    anchors: ca,
    now,
  });
  const openssl = validations.openssl;
  const lenient = profile === 'compat' ? 'warning' : 'error';
  const findings: CheckFinding[] = [];
  /** The stacks whose validation has a finding of this code on this certificate. */
  const refusing = (code: PathFindingCode, subject: string): ClientStack[] =>
    CLIENT_STACKS.map((s) => s.stack).filter((stack) =>
      validations[stack].findings.some(
        (f) =>
          f.code === code &&
          f.severity === 'error' &&
          validations[stack].path[f.certificate ?? -1]?.info.subject === subject,
      ),
    );
  const severityFor = (stacks: readonly ClientStack[]): 'error' | 'warning' =>
    stacks.length === CLIENT_STACKS.length ? 'error' : lenient;
  const accepting = (stacks: readonly ClientStack[]): string => {
    const rest = CLIENT_STACKS.map((s) => s.stack).filter((s) => !stacks.includes(s));
    return rest.length === 0 ? '' : `; ${describeStacks(rest)} accept it`;
  };
  const at = (f: PathFinding): Certificate => openssl.path[f.certificate ?? 0] ?? leaf;

  const pinned = openssl.pinned && leaf.info.selfIssued;
  if (pinned) {
    const refused = verdicts.filter((v) => !v.accepts).map((v) => v.stack);
    findings.push({
      code: 'PINNED',
      severity: 'info',
      message: `the certificate is self-signed and itself in ${files(ca)}: clients trust it directly (pinned), CA:TRUE or not${refused.length === 0 ? '; every client stack accepts it' : ''}`,
      certificate: ref(leaf),
    });
  }
  const errors = openssl.findings.filter((f) => f.severity === 'error');
  const presented = new Set(chain);
  for (const f of errors) {
    if ((f.code === 'EXPIRED' || f.code === 'NOT_YET_VALID') && !presented.has(at(f))) {
      // A certificate of the CA file on the path: the endpoint check judges the presented ones.
      findings.push({
        code: f.code,
        severity: 'error',
        message: `${at(f).info.subject} of ${files(ca)}, on the path, ${f.code === 'EXPIRED' ? `expired on ${at(f).info.notAfter}` : `is not valid before ${at(f).info.notBefore}`}`,
        certificate: ref(at(f)),
      });
    } else if (f.code === 'PARTIAL_CHAIN') {
      const top = at(f);
      const stacks = refusing('PARTIAL_CHAIN', top.info.subject);
      findings.push({
        code: 'PARTIAL_CHAIN',
        severity: severityFor(stacks),
        message: `${files(ca)} holds no self-signed root for this chain: it ends at ${top.info.subject}, whose issuer ${top.info.issuer} is not in it. ${describeStacks(stacks)} need the root${accepting(stacks)} (any certificate of the CA file may end their path): add the root CA certificate ${top.info.issuer} to ${files(ca)}`,
        certificate: ref(leaf),
        stacks,
      });
    } else if (f.code === 'WEAK_SIGNATURE') {
      const cert = at(f);
      const stacks = refusing('WEAK_SIGNATURE', cert.info.subject);
      findings.push({
        code: 'WEAK_SIGNATURE',
        severity: 'error',
        message: `${cert === leaf ? 'the certificate' : `${cert.info.subject} in the path`} is signed with ${cert.info.signatureAlgorithm}; MD5 and SHA-1 signatures are forgeable and refused by ${describeStacks(stacks)}${accepting(stacks)} (RFC 6151, NIST SP 800-131A)`,
        certificate: ref(cert),
        stacks,
      });
    } else if (f.code === 'EKU_MISMATCH' && (f.certificate ?? 0) > 0) {
      // The leaf's own EKU is judged by the endpoint check (MISSING_EKU on the leaf).
      const cert = at(f);
      const stacks = refusing('EKU_MISMATCH', cert.info.subject);
      findings.push({
        code: 'MISSING_EKU',
        severity: severityFor(stacks),
        message: `${cert.info.subject} restricts the certificates it issues to extendedKeyUsage ${cert.info.extendedKeyUsage?.join(', ') ?? ''}, without serverAuth: ${describeStacks(stacks)} refuse the chain${accepting(stacks)}`,
        certificate: ref(cert),
        stacks,
      });
    }
  }
  const other = errors.filter((f) => !OWN_PATH_CODES.has(f.code) && !MAPPED.has(f.code));
  const partial = errors.some((f) => f.code === 'PARTIAL_CHAIN');
  const chainValid =
    openssl.anchored &&
    errors.every(
      (f) =>
        OWN_PATH_CODES.has(f.code) || (f.code === 'EKU_MISMATCH' && (f.certificate ?? 0) === 0),
    );
  if (other.length > 0 || (!openssl.anchored && !partial)) {
    findings.push({
      code: 'CHAIN_INVALID',
      severity: 'error',
      message: `the chain does not validate to ${files(ca)}: ${other.map((e) => `${e.code}: ${e.message}`).join('; ') || 'no path to a trust anchor'}`,
      certificate: ref(leaf),
    });
  }
  return {
    findings,
    trust: verdicts,
    chainValid,
    pinned,
    path: openssl.path,
    anchored: openssl.anchored,
  };
}
