/**
 * Per-stack trust: does each client stack (Node, OpenSSL, Python, Go, Java) accept a chain with
 * the given CA file? The names are judged apart (clients.ts); this is path building and
 * validation only, with the rules where the stacks differ, each measured on the real stacks
 * (test/interop/STACKS.md; test/interop/stack-trust.test.ts holds the model to that matrix):
 *
 * - the end of the path: OpenSSL (so stunnel, redis-cli, Node's tls, Python's ssl) needs a
 *   self-signed certificate of the CA file unless partial chains are enabled, which no Redis
 *   client does; Go and Java accept any certificate of the CA file as the anchor (an
 *   intermediate alone, a CA-issued leaf pinned alone). A self-signed server certificate in the
 *   CA file is accepted by all, CA:TRUE or not;
 * - signatures: MD5 below the anchor is refused by all; SHA-1 by all but Java 17 (its
 *   `jdk.certpath.disabledAlgorithms` spares chains to a private anchor); the anchor's own
 *   signature is never checked;
 * - extendedKeyUsage: present on the leaf, it must allow serverAuth for all; OpenSSL wants
 *   serverAuth itself where Go and Java take anyExtendedKeyUsage; an intermediate's EKU restricts
 *   the leaf for OpenSSL and Go, not for Java;
 * - a CA:TRUE leaf is accepted by all.
 *
 * The rest is what every stack checks alike: signatures, validity, CA:TRUE and keyCertSign on
 * issuers, pathLenConstraint, name constraints, unknown critical extensions. Findings only
 * certkit's RFC 5280 and CA/Browser Forum profile raise (key identifiers, serial numbers,
 * criticality, key sizes) do not change a stack's verdict.
 */
import type { ClientStack } from './clients.js';
import { CLIENT_STACKS } from './clients.js';
import { OPENSSL_TRUST_RULES } from './path-common.js';
import type { PathFinding, PathFindingCode, TrustRules } from './path-common.js';
import { validatePathWithRules } from './path.js';
import type { PathValidation } from './path.js';
import { OID } from '../asn1/oids.js';
import { extensionViews } from '../x509/extensions.js';
import type { Certificate } from '../x509/pkix.js';

/** One stack's verdict on the trust of a chain. */
export interface TrustVerdict {
  readonly stack: ClientStack;
  readonly accepts: boolean;
  /** Why, in a line: what the path ends at, or the first fault the stack refuses it for. */
  readonly reason: string;
}

/** The trust rules of each modelled stack (see the module comment for the measurements). */
export const STACK_TRUST_RULES: Readonly<Record<ClientStack, TrustRules>> = {
  node: OPENSSL_TRUST_RULES,
  openssl: OPENSSL_TRUST_RULES,
  python: OPENSSL_TRUST_RULES,
  go: { partialChain: true, sha1: false, intermediateEku: true, anyEku: true },
  java: { partialChain: true, sha1: true, intermediateEku: false, anyEku: true },
};

/** Path findings every stack refuses a chain for (given its rules). */
const REFUSED: ReadonlySet<PathFindingCode> = new Set<PathFindingCode>([
  'ISSUER_NOT_FOUND',
  'NO_TRUSTED_ISSUER',
  'PARTIAL_CHAIN',
  'PATH_SEARCH_LIMIT',
  'SIGNATURE_INVALID',
  'WEAK_SIGNATURE',
  'EKU_MISMATCH',
  'EKU_EMPTY',
  'NOT_A_CA',
  'KEY_CERT_SIGN_MISSING',
  'PATH_LENGTH_EXCEEDED',
  'EXPIRED',
  'NOT_YET_VALID',
  'NAME_CONSTRAINT_VIOLATION',
  'UNKNOWN_CRITICAL_EXTENSION',
  'REVOKED',
]);

/**
 * Paths no client stack limits below this many intermediates (OpenSSL's default depth is 100,
 * Go and Java have none); certkit's own default of 8 is a profile choice, not a client's.
 */
const STACK_MAX_DEPTH = 30;

/** Options of {@link judgeStackTrust}. */
export interface StackTrustOptions {
  readonly leaf: Certificate;
  /** What the server sends after its certificate, in any order. */
  readonly intermediates: readonly Certificate[];
  /** The client's CA file. */
  readonly anchors: readonly Certificate[];
  /** Evaluation time (a `Date` or milliseconds); default now. */
  readonly now?: Date | number;
}

/**
 * Stacks on OpenSSL, which decodes a certificate's extensions once, when it first looks at them
 * (`ossl_x509v3_cache_extensions`): one that does not decode marks the whole certificate invalid,
 * and no issuer is then found for it (`unable to get local issuer certificate`, stack matrix
 * `san-bad-directory-name`). Go and Java read the same certificate and judge its names.
 * authorityInfoAccess is not among the extensions OpenSSL decodes there.
 */
const REFUSE_UNDECODABLE: ReadonlySet<ClientStack> = new Set<ClientStack>([
  'node',
  'openssl',
  'python',
]);

/** The first certificate of the chain (leaf first) with an extension OpenSSL cannot decode. */
function undecodable(
  certificates: readonly Certificate[],
): { certificate: Certificate; oid: string } | undefined {
  for (const certificate of certificates) {
    const bad = extensionViews(certificate).find(
      (e) => e.malformed && e.oid !== OID.authorityInfoAccess,
    );
    if (bad !== undefined) return { certificate, oid: bad.oid };
  }
  return undefined;
}

/** The faults of a validation that a stack refuses the chain for. */
export function refusedFor(validation: PathValidation): PathFinding[] {
  return validation.findings.filter((f) => f.severity === 'error' && REFUSED.has(f.code));
}

/** A refusal in a few words: the code, and the certificate it is about. */
function refusal(fault: PathFinding, validation: PathValidation): string {
  const cert = fault.certificate === undefined ? undefined : validation.path[fault.certificate];
  const subject = cert?.info.subject ?? '';
  switch (fault.code) {
    case 'PARTIAL_CHAIN':
      return `PARTIAL_CHAIN: no self-signed root in the CA file; the path ends at ${subject}, issued by ${cert?.info.issuer ?? ''}`;
    case 'WEAK_SIGNATURE':
      return `WEAK_SIGNATURE: ${subject} is signed with ${cert?.info.signatureAlgorithm ?? ''}`;
    case 'EKU_MISMATCH':
      return `EKU_MISMATCH: ${subject} has extendedKeyUsage ${cert?.info.extendedKeyUsage?.join(', ') ?? ''}, not serverAuth`;
    default:
      return `${fault.code}: ${fault.message}`;
  }
}

function verdict(stack: ClientStack, validation: PathValidation): TrustVerdict {
  const broken = REFUSE_UNDECODABLE.has(stack) ? undecodable(validation.path) : undefined;
  if (broken !== undefined)
    return {
      stack,
      accepts: false,
      reason: `EXTENSION_MALFORMED: extension ${broken.oid} of ${broken.certificate.info.subject} does not decode, so OpenSSL treats the certificate as invalid and finds no issuer for it`,
    };
  const fault = refusedFor(validation)[0];
  if (fault !== undefined || !validation.anchored)
    return {
      stack,
      accepts: false,
      reason:
        fault === undefined
          ? 'no path to a certificate of the CA file'
          : refusal(fault, validation),
    };
  const anchor = validation.path[validation.path.length - 1];
  const subject = anchor?.info.subject ?? '';
  return {
    stack,
    accepts: true,
    reason: validation.pinned
      ? `pinned: the certificate itself is in the CA file`
      : `chains to ${subject}${anchor?.info.selfIssued === true ? '' : ', which is not self-signed (partial chain)'}`,
  };
}

/** Each stack's verdict, and the validation it was drawn from. */
export interface StackTrust {
  /** In {@link CLIENT_STACKS} order. */
  readonly verdicts: readonly TrustVerdict[];
  readonly validations: Readonly<Record<ClientStack, PathValidation>>;
}

/**
 * Every modelled stack's verdict on the trust of a chain with a CA file, for a TLS server
 * certificate, in {@link CLIENT_STACKS} order, with each stack's path validation (for the endpoint
 * check, whose report carries the verdicts as `trust`). Stacks with the same rules share one
 * validation.
 */
export function judgeStackTrust(options: StackTrustOptions): StackTrust {
  const byRules = new Map<TrustRules, PathValidation>();
  const validations = {} as Record<ClientStack, PathValidation>;
  const verdicts = CLIENT_STACKS.map(({ stack }) => {
    const rules = STACK_TRUST_RULES[stack];
    let validation = byRules.get(rules);
    if (validation === undefined) {
      validation = validatePathWithRules(
        {
          leaf: options.leaf,
          anchors: options.anchors,
          intermediates: options.intermediates,
          purpose: 'server',
          maxDepth: STACK_MAX_DEPTH,
          ...(options.now === undefined ? {} : { now: options.now }),
        },
        rules,
      );
      byRules.set(rules, validation);
    }
    validations[stack] = validation;
    return verdict(stack, validation);
  });
  return { verdicts, validations };
}
