/**
 * Is this endpoint certificate right for the cluster? One certificate chain (from a file or as a
 * server presented it) against a profile, listing every problem at once as findings.
 *
 * Database endpoints of a cluster `C` are `redis-<port>.C`, internal ones
 * `redis-<port>.internal.C` (Redis Enterprise documentation, "Certificates" and "Manage
 * certificates": the proxy certificate is issued for `*.C`, plus `*.internal.C`). Names are judged
 * twice: by RFC 9525 (hostname.ts) and by the models of the real client stacks (clients.ts),
 * because the stacks disagree and users otherwise find out in production.
 */
import { CLIENT_STACKS, clientVerdict, clientVerdicts, presentedNames } from './clients.js';
import type { ClientStack, ClientVerdict } from './clients.js';
import { CertkitError } from '../errors.js';
import { resolveNow } from './clock.js';
import { capRepeatedFindings } from './finding.js';
import type { Finding } from './finding.js';
import { matchReferenceIdentity } from './hostname.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { endpointTrust } from './endpoint-trust.js';
import { checkCommonName } from './path-policy.js';
import { STACK_TRUST_RULES } from './stack-trust.js';
import type { TrustVerdict } from './stack-trust.js';
import { internals, namesEqual, signatureVerifies } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';

/** Check profiles: how strict the name rules are, and whether Redis Enterprise's rules apply. */
export type CheckProfile = 'strict' | 'compat' | 'redis-enterprise';

/** Every profile, default first. */
export const CHECK_PROFILES: readonly CheckProfile[] = ['strict', 'compat', 'redis-enterprise'];

/** Default days before expiry from which `EXPIRES_SOON` is reported. */
export const DEFAULT_WARN_DAYS = 30;

/**
 * The database port used to build endpoint names (`redis-12000.C`): 12000 is the first port
 * Redis Enterprise gives databases. Any port gives the same verdicts (ports are digits).
 */
export const EXAMPLE_DATABASE_PORT = 12000;

/** Smallest RSA modulus accepted (NIST SP 800-131A Rev. 2: 2048 bits). */
export const MIN_RSA_BITS = 2048;
/** Smallest EC curve accepted: P-256 (NIST SP 800-131A Rev. 2: 224 bits and up, we ask P-256). */
export const MIN_EC_BITS = 256;

/** Stable codes of check findings. */
export type CheckFindingCode =
  | 'NAME_MISMATCH'
  | 'PARTIAL_WILDCARD'
  | 'CN_ONLY'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'EXPIRES_SOON'
  | 'WEAK_KEY'
  | 'WEAK_SIGNATURE'
  | 'MISSING_EKU'
  | 'LEAF_IS_CA'
  | 'CHAIN_INVALID'
  | 'PARTIAL_CHAIN'
  | 'PINNED'
  | 'SELF_SIGNED'
  | 'COMMON_NAME_NOT_IN_SAN'
  | 'KEY_MISMATCH'
  | 'MISSING_KEY_USAGE'
  | 'MISSING_SAN'
  | 'WRONG_CN'
  | 'CHAIN_ORDER'
  | 'TLS_VERSION_TOO_LOW'
  | 'CLIENT_CERT_REJECTED';

/**
 * One problem of an endpoint check. `certificate` names the certificate as `file.pem#1` (1-based
 * as sent); `stacks` lists the client stacks concerned (those that refuse), for name findings.
 */
export type CheckFinding = Finding<CheckFindingCode, string> & {
  readonly stacks?: readonly ClientStack[];
};

/** How one endpoint name fares. */
export interface NameCheck {
  /** The endpoint name, e.g. `redis-12000.redislabs.com`. */
  readonly name: string;
  /** RFC 9525 verdict (no CN, wildcard only as a whole left-most label). */
  readonly rfc9525: boolean;
  /** Why RFC 9525 refuses it. */
  readonly reason?: string;
  /** Every modelled stack's verdict, in CLIENT_STACKS order. */
  readonly clients: readonly ClientVerdict[];
  /** True when the stacks do not all agree. */
  readonly disagree: boolean;
}

/** A certificate as the report shows it. */
export interface CertificateSummary {
  readonly ref: string;
  readonly subject: string;
  readonly issuer: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly key: string;
  readonly signatureAlgorithm: string;
  readonly fingerprintSha256: string;
}

/** The outcome of {@link checkEndpointCertificate}. */
export interface CheckReport {
  /** No error findings (warnings allowed). */
  readonly ok: boolean;
  /** Where the chain came from: a file name or `host:port`. */
  readonly source: string;
  readonly cluster: string;
  readonly profile: CheckProfile;
  readonly findings: readonly CheckFinding[];
  /** One row per endpoint name checked. */
  readonly names: readonly NameCheck[];
  /** The client table: `names[i].clients` per name, for display. */
  readonly clients: readonly {
    readonly name: string;
    readonly verdicts: readonly ClientVerdict[];
  }[];
  /** The chain as given, leaf first. */
  readonly certificates: readonly CertificateSummary[];
  /**
   * Whether the chain validates to the CA as OpenSSL (stunnel, redis-cli, Node, Python) checks
   * it (`null`: no CA given).
   */
  readonly chainValid: boolean | null;
  /**
   * Each client stack's verdict on the chain with the CA (partial chains, pinned certificates,
   * SHA-1, EKU), next to the name verdicts of {@link CheckReport.clients}; `null`: no CA given.
   */
  readonly trust: readonly TrustVerdict[] | null;
}

/** Options of {@link checkEndpointCertificate}. */
export interface CheckOptions {
  /** Cluster name `C`: endpoints are `redis-<port>.C`. */
  readonly cluster: string;
  /** The chain, leaf first, as a file holds it or a server sent it. */
  readonly certificates: readonly Certificate[];
  /** Where the chain came from, for the report; default the first certificate's source. */
  readonly source?: string;
  /** Trust anchors; when given, the chain must validate to one (RFC 5280 path validation). */
  readonly ca?: readonly Certificate[];
  /** The private key that should belong to the leaf. */
  readonly key?: {
    readonly bytes: Uint8Array;
    readonly source: string;
    readonly passphrase?: string;
  };
  /** Evaluation time (a `Date` or milliseconds); default now. */
  readonly now?: Date | number;
  /** Default `strict`. */
  readonly profile?: CheckProfile;
  /** Also require the internal endpoints `redis-<port>.internal.C`. */
  readonly internal?: boolean;
  /** Days before expiry that give `EXPIRES_SOON`; default {@link DEFAULT_WARN_DAYS}. */
  readonly warnDays?: number;
}

const STACK_NAMES: Readonly<Record<ClientStack, string>> = Object.fromEntries(
  CLIENT_STACKS.map((s) => [s.stack, `${s.name} (${s.clients.join(', ')})`]),
) as Record<ClientStack, string>;

function stackList(stacks: readonly ClientStack[]): string {
  return stacks.map((s) => STACK_NAMES[s]).join(', ');
}

function ref(certificate: Certificate): string {
  return `${certificate.source.name}#${String(certificate.source.index)}`;
}

function summary(certificate: Certificate): CertificateSummary {
  const { info } = certificate;
  return {
    ref: ref(certificate),
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: info.subjectAltNames.dns,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    key:
      info.key.type === 'ec'
        ? `EC ${info.key.curve ?? String(info.key.bits)}`
        : `${info.key.type.toUpperCase()} ${String(info.key.bits)}`,
    signatureAlgorithm: info.signatureAlgorithm,
    fingerprintSha256: info.fingerprintSha256,
  };
}

/** Checks the cluster name: a DNS name of at least two labels, without wildcard or port. */
export function checkCluster(cluster: string): string {
  const name = cluster.toLowerCase().replace(/\.$/, '');
  if (
    !/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(
      name,
    )
  ) {
    throw new CertkitError(
      'INVALID_OPTION',
      `cluster must be a DNS name such as redislabs.com (no wildcard, no port), got "${cluster}"`,
    );
  }
  return name;
}

function isPartialWildcard(pattern: string): boolean {
  const first = pattern.split('.')[0] ?? '';
  return first.includes('*') && first !== '*';
}

/** Findings about names: coverage by RFC 9525 and by each client stack. */
function nameFindings(
  leaf: Certificate,
  cluster: string,
  endpoints: readonly string[],
  profile: CheckProfile,
): { findings: CheckFinding[]; names: NameCheck[] } {
  const findings: CheckFinding[] = [];
  const lenient = profile === 'compat' ? 'warning' : 'error';
  const at = ref(leaf);
  const names: NameCheck[] = endpoints.map((name) => {
    const rfc = matchReferenceIdentity(leaf, { dns: name });
    const clients = clientVerdicts(leaf, name);
    const accepted = clients.filter((v) => v.accepts).length;
    return {
      name,
      rfc9525: rfc.ok,
      ...(rfc.ok || rfc.reason === undefined ? {} : { reason: rfc.reason }),
      clients,
      disagree: accepted > 0 && accepted < clients.length,
    };
  });
  const presented = presentedNames(leaf);
  if (presented.dns.length === 0 && presented.commonNames.length > 0) {
    // Some stacks still read the CN when there is no DNS SAN; Go and RFC 9525 never do.
    const refusing = new Set<ClientStack>();
    for (const n of names) for (const v of n.clients) if (!v.accepts) refusing.add(v.stack);
    findings.push({
      code: 'CN_ONLY',
      severity: lenient,
      message: `names only in the subject CN (${presented.commonNames.join(', ')}), no DNS subjectAltName: RFC 9525 section 6.2 and ${stackList([...refusing]) || 'strict clients'} ignore the CN; put the names in subjectAltName`,
      certificate: at,
      stacks: [...refusing],
    });
  }
  for (const pattern of presented.dns.filter(isPartialWildcard)) {
    const refusing = new Set<ClientStack>();
    let someAccept = false;
    for (const n of names) {
      for (const { stack } of CLIENT_STACKS) {
        const verdict = clientVersusPattern(stack, pattern, n.name);
        if (verdict) someAccept = true;
        else refusing.add(stack);
      }
    }
    if (!someAccept) continue; // covers no endpoint at all: NAME_MISMATCH says so
    // When other names already cover every endpoint for every stack, the pattern is dead weight.
    const harmless = names.every((n) => n.clients.every((v) => v.accepts));
    findings.push({
      code: 'PARTIAL_WILDCARD',
      severity: harmless ? 'warning' : lenient,
      message: `subjectAltName ${pattern} is a partial wildcard: ${stackList([...refusing])} refuse it (RFC 9525 section 6.3 allows "*" only as the whole left-most label); ${harmless ? 'other names cover the endpoints, so drop it' : `use *.${cluster}`}`,
      certificate: at,
      stacks: [...refusing],
    });
  }
  for (const n of names) {
    const refusing = n.clients.filter((v) => !v.accepts).map((v) => v.stack);
    if (refusing.length === n.clients.length) {
      findings.push({
        code: 'NAME_MISMATCH',
        severity: 'error',
        message: `${n.name} is not covered: no client accepts it (names: ${[...presented.dns.map((d) => `DNS:${d}`), ...presented.commonNames.map((c) => `CN=${c}`)].join(', ') || 'none'})`,
        certificate: at,
        stacks: refusing,
      });
    } else if (
      refusing.length > 0 &&
      !findings.some((f) => f.code === 'PARTIAL_WILDCARD' || f.code === 'CN_ONLY')
    ) {
      // A disagreement that neither a partial wildcard nor a CN explains: still a broken client.
      findings.push({
        code: 'NAME_MISMATCH',
        severity: lenient,
        message: `${n.name} is refused by ${stackList(refusing)}`,
        certificate: at,
        stacks: refusing,
      });
    }
  }
  return { findings, names };
}

/** One stack's verdict on one SAN pattern alone, to say which stacks refuse that pattern. */
function clientVersusPattern(stack: ClientStack, pattern: string, host: string): boolean {
  return clientVerdict(stack, { dns: [pattern], ip: [], commonNames: [] }, host).accepts;
}

/** Validity of every presented certificate at `now`. */
function validityFindings(
  chain: readonly Certificate[],
  now: Date,
  warnDays: number,
  offPath: (certificate: Certificate) => boolean,
): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what =
      i === 0
        ? 'the certificate'
        : `certificate ${String(i + 1)} of the chain (${cert.info.subject})`;
    // A certificate sent but not on the path clients build (they ignore it): a warning.
    const unused = offPath(cert);
    const severity = unused ? 'warning' : 'error';
    const aside = unused
      ? '; clients do not use it (it is not on their path): drop it from the chain'
      : '';
    const { notBefore, notAfter } = internals(cert);
    if (now.getTime() > notAfter.getTime()) {
      findings.push({
        code: 'EXPIRED',
        severity,
        message: `${what} expired on ${cert.info.notAfter}${aside}`,
        certificate: ref(cert),
      });
    } else if (now.getTime() < notBefore.getTime()) {
      findings.push({
        code: 'NOT_YET_VALID',
        severity,
        message: `${what} is not valid before ${cert.info.notBefore}${aside}`,
        certificate: ref(cert),
      });
    } else {
      const days = (notAfter.getTime() - now.getTime()) / 86_400_000;
      if (days <= warnDays) {
        findings.push({
          code: 'EXPIRES_SOON',
          severity: 'warning',
          message: `${what} expires in ${String(Math.floor(days))} days, on ${cert.info.notAfter} (warned from ${String(warnDays)} days)`,
          certificate: ref(cert),
        });
      }
    }
  });
  return findings;
}

const WEAK_SIGNATURES = /^(md2|md4|md5|sha1|ecdsa-with-SHA1|dsaWithSHA1)/i;

/**
 * Key sizes of every presented certificate, and their signature algorithms when no CA file says
 * which certificates the path takes (with one, endpoint-trust.ts judges the path's signatures).
 */
function strengthFindings(chain: readonly Certificate[], signatures: boolean): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what =
      i === 0
        ? 'the certificate'
        : `certificate ${String(i + 1)} of the chain (${cert.info.subject})`;
    const { key } = cert.info;
    if (
      (key.type === 'rsa' || key.type === 'rsa-pss' || key.type === 'dsa') &&
      key.bits < MIN_RSA_BITS
    ) {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'error',
        message: `${what} has a ${String(key.bits)}-bit ${key.type.toUpperCase()} key; use at least ${String(MIN_RSA_BITS)} bits (NIST SP 800-131A)`,
        certificate: ref(cert),
      });
    } else if (key.type === 'ec' && key.bits < MIN_EC_BITS) {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'error',
        message: `${what} has an EC key on ${key.curve ?? 'an unknown curve'}; use P-256 or larger`,
        certificate: ref(cert),
      });
    } else if (key.type === 'unknown') {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'warning',
        message: `${what} has a key of an algorithm clients do not know`,
        certificate: ref(cert),
      });
    }
    // A self-signed certificate's own signature is never checked by clients (RFC 5280 section
    // 6.1): a root's, or a pinned leaf's. Weak algorithm first: the signature check costs ~0.3 ms,
    // and a chain may hold thousands.
    if (
      signatures &&
      WEAK_SIGNATURES.test(cert.info.signatureAlgorithm) &&
      !(cert.info.selfIssued && signatureVerifies(cert, cert))
    ) {
      findings.push({
        code: 'WEAK_SIGNATURE',
        severity: 'error',
        message: `${what} is signed with ${cert.info.signatureAlgorithm}; MD5 and SHA-1 signatures are forgeable and refused by current clients (RFC 6151, NIST SP 800-131A)`,
        certificate: ref(cert),
      });
    }
  });
  return findings;
}

/**
 * Findings of one code listed one by one; past this, one finding counts the rest. A chain of
 * thousands of certificates gets one finding per certificate per rule, which no one reads
 * (`certs check` printed 39,997 warnings for four files of 10,000 certificates).
 */
export const MAX_CHECK_FINDINGS_PER_CODE = 20;

const RE_SUFFIXES = ['', '*.', 'internal.', '*.internal.'] as const;

/** Redis Enterprise's proxy certificate requirements (documentation, "Certificates"). */
function enterpriseFindings(chain: readonly Certificate[], cluster: string): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const leaf = chain[0];
  if (leaf === undefined) return findings;
  const at = ref(leaf);
  const eku = leaf.info.extendedKeyUsage ?? [];
  const missingEku = ['serverAuth', 'clientAuth'].filter((p) => !eku.includes(p));
  if (missingEku.length > 0 && leaf.info.extendedKeyUsage !== null) {
    // (serverAuth alone missing is reported by the general EKU check)
    if (!(missingEku.length === 1 && missingEku[0] === 'serverAuth')) {
      findings.push({
        code: 'MISSING_EKU',
        severity: 'error',
        message: `Redis Enterprise needs extendedKeyUsage serverAuth and clientAuth (the proxy is also a client of other nodes); missing ${missingEku.join(', ')}`,
        certificate: at,
      });
    }
  } else if (leaf.info.extendedKeyUsage === null) {
    findings.push({
      code: 'MISSING_EKU',
      severity: 'error',
      message:
        'Redis Enterprise needs extendedKeyUsage serverAuth and clientAuth; the certificate has no extendedKeyUsage',
      certificate: at,
    });
  }
  const ku = leaf.info.keyUsage ?? [];
  // keyEncipherment only for RSA: EC keys cannot encipher (RFC 5480 section 3).
  const neededKu =
    leaf.info.key.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const missingKu = neededKu.filter((u) => !ku.includes(u as never));
  if (missingKu.length > 0) {
    findings.push({
      code: 'MISSING_KEY_USAGE',
      severity: 'error',
      message: `Redis Enterprise needs keyUsage ${neededKu.join(' + ')}; missing ${missingKu.join(', ')}`,
      certificate: at,
    });
  }
  const dns = new Set(leaf.info.subjectAltNames.dns.map((d) => d.toLowerCase()));
  const missingSan = RE_SUFFIXES.map((p) => `${p}${cluster}`).filter((n) => !dns.has(n));
  if (missingSan.length > 0) {
    findings.push({
      code: 'MISSING_SAN',
      severity: 'error',
      message: `Redis Enterprise's proxy certificate lists ${RE_SUFFIXES.map((p) => `${p}${cluster}`).join(', ')}; missing ${missingSan.join(', ')}`,
      certificate: at,
    });
  }
  const cns = leaf.info.subjectAttributes
    .filter((a) => a.type === 'CN')
    .map((a) => a.value.toLowerCase());
  if (cns.length !== 1 || cns[0] !== cluster) {
    findings.push({
      code: 'WRONG_CN',
      severity: 'error',
      message: `Redis Enterprise expects the subject CN to be the cluster name ${cluster}; found ${cns.join(', ') || 'none'}`,
      certificate: at,
    });
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i];
    const parent = chain[i + 1];
    if (child === undefined || parent === undefined) continue;
    if (!namesEqual(child, 'issuer', parent, 'subject') || !signatureVerifies(child, parent)) {
      findings.push({
        code: 'CHAIN_ORDER',
        severity: 'error',
        message: `the chain must be ordered leaf -> intermediate -> root; certificate ${String(i + 2)} (${parent.info.subject}) did not issue certificate ${String(i + 1)} (${child.info.subject})`,
        certificate: ref(parent),
      });
      break;
    }
  }
  return findings;
}

/**
 * Checks an endpoint's certificate chain for a cluster and lists every problem in one report:
 * names (RFC 9525 and each client stack), validity, key and signature strength, EKU, CA flag,
 * chain validity against `ca`, the key match, and with profile `redis-enterprise` the proxy
 * certificate requirements of the Redis Enterprise documentation.
 *
 * No profile makes the CA/Browser Forum issuance rules errors (a common name that is not among
 * the SANs, a CA:TRUE leaf): they bind publicly-trusted CAs when they issue, every client stack
 * measured accepts such certificates, and the check says what clients will do. They are
 * warnings; `verify --webpki` is where they are errors.
 *
 * Profiles: `strict` (default) needs every client stack to accept (`PARTIAL_WILDCARD`,
 * `CN_ONLY`, `PARTIAL_CHAIN` are errors); `compat` makes them warnings when some stacks accept;
 * `redis-enterprise` is strict plus EKU
 * serverAuth + clientAuth, KU digitalSignature + keyEncipherment, SANs `C`, `*.C`, `internal.C`,
 * `*.internal.C`, CN = `C`, and the chain ordered leaf -> intermediate -> root.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad cluster, profile or warnDays, or no
 * certificate; `KEY_INVALID`/`KEY_ENCRYPTED` when the key cannot be read
 *
 * @example
 * ```ts
 * const report = checkEndpointCertificate({
 *   cluster: 'redislabs.com',
 *   certificates: parseCertificates(readFileSync('proxy_cert.pem'), 'proxy_cert.pem'),
 * });
 * for (const f of report.findings) console.log(f.severity, f.code, f.message);
 * ```
 */
export function checkEndpointCertificate(options: CheckOptions): CheckReport {
  const cluster = checkCluster(options.cluster);
  const profile = options.profile ?? 'strict';
  if (!CHECK_PROFILES.includes(profile)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `profile must be one of ${CHECK_PROFILES.join(', ')}, got "${profile}"`,
    );
  }
  const warnDays = options.warnDays ?? DEFAULT_WARN_DAYS;
  if (!Number.isInteger(warnDays) || warnDays < 0 || warnDays > 3650) {
    throw new CertkitError(
      'INVALID_OPTION',
      `warn days must be a whole number from 0 to 3650, got ${String(warnDays)}`,
    );
  }
  const now = resolveNow(options.now);
  const chain = options.certificates;
  const leaf = chain[0];
  if (leaf === undefined) throw new CertkitError('INVALID_OPTION', 'no certificate to check');
  const source = options.source ?? leaf.source.name;
  const at = ref(leaf);
  const endpoints = [`redis-${String(EXAMPLE_DATABASE_PORT)}.${cluster}`];
  if (options.internal === true || profile === 'redis-enterprise') {
    endpoints.push(`redis-${String(EXAMPLE_DATABASE_PORT)}.internal.${cluster}`);
  }

  const { findings, names } = nameFindings(leaf, cluster, endpoints, profile);
  // CA/B BR 7.1.4.3, a warning as in verify: no client applies it (see above).
  checkCommonName(leaf, (_code, message) => {
    findings.push({
      code: 'COMMON_NAME_NOT_IN_SAN',
      severity: 'warning',
      message,
      certificate: at,
    });
  });
  const trust = endpointTrust({ chain, ca: options.ca, now, profile, ref });
  const onPath = new Set(trust.path);
  findings.push(...validityFindings(chain, now, warnDays, (c) => trust.anchored && !onPath.has(c)));
  findings.push(...strengthFindings(chain, options.ca === undefined));

  const eku = leaf.info.extendedKeyUsage;
  if (eku !== null && !eku.includes('serverAuth')) {
    // anyExtendedKeyUsage alone: Go and Java take it for serverAuth, OpenSSL does not (measured).
    const any = eku.includes('anyExtendedKeyUsage');
    const stacks = CLIENT_STACKS.map((s) => s.stack).filter(
      (stack) => !any || !STACK_TRUST_RULES[stack].anyEku,
    );
    findings.push({
      code: 'MISSING_EKU',
      severity: any && profile === 'compat' ? 'warning' : 'error',
      message: any
        ? `the certificate's extendedKeyUsage (${eku.join(', ')}) has no serverAuth: ${stackList(stacks)} refuse it as a server certificate (OpenSSL wants serverAuth itself); the other stacks take anyExtendedKeyUsage for it`
        : `the certificate's extendedKeyUsage (${eku.join(', ') || 'empty'}) has no serverAuth: clients refuse it as a server certificate (RFC 5280 section 4.2.1.12)`,
      certificate: at,
      stacks,
    });
  }

  if (
    leaf.info.basicConstraints?.ca === true &&
    !trust.pinned &&
    !(options.ca === undefined && leaf.info.selfIssued)
  ) {
    // Every client stack measured accepts a CA:TRUE server certificate; CA/B BR 7.1.2.7.8
    // forbids CAs to issue one. A self-signed one in the CA file is a node's own certificate,
    // trusted by pinning (PINNED; SELF_SIGNED without a CA file), as verify judges it.
    findings.push({
      code: 'LEAF_IS_CA',
      severity: 'warning',
      message:
        'the endpoint certificate is a CA certificate (basicConstraints CA:TRUE): clients accept it, but a CA may use its key to issue certificates for any name (CA/B BR 7.1.2.7.8 forbids issuing one); issue a CA:FALSE server certificate from the CA',
      certificate: at,
    });
  }
  findings.push(...trust.findings);
  const chainValid = trust.chainValid;

  if (options.key !== undefined) {
    const { key } = parsePrivateKey(options.key.bytes, options.key.source, {
      ...(options.key.passphrase === undefined ? {} : { passphrase: options.key.passphrase }),
    });
    const publicKey = internals(leaf).publicKey;
    if (publicKey === null || !keysMatch(key, publicKey)) {
      findings.push({
        code: 'KEY_MISMATCH',
        severity: 'error',
        message: `the private key in ${options.key.source} does not belong to the certificate`,
        certificate: at,
      });
    }
  }

  if (profile === 'redis-enterprise') findings.push(...enterpriseFindings(chain, cluster));

  return {
    ok: !findings.some((f) => f.severity === 'error'),
    source,
    cluster,
    profile,
    findings: capRepeatedFindings(
      findings,
      MAX_CHECK_FINDINGS_PER_CODE,
      (code, severity, message) => ({
        code,
        severity,
        message,
      }),
    ),
    names,
    clients: names.map((n) => ({ name: n.name, verdicts: n.clients })),
    certificates: chain.map(summary),
    chainValid,
    trust: trust.trust,
  };
}
