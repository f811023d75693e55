/**
 * Is this endpoint certificate right for the cluster? One certificate chain (from a file or as a
 * server presented it) against a profile, listing every problem at once as findings.
 *
 * Database endpoints of a cluster `C` are `redis-<port>.C`, internal ones
 * `redis-<port>.internal.C` (Redis Enterprise documentation, "Certificates" and "Manage
 * certificates": the proxy certificate is issued for `*.C`, plus `*.internal.C`); a live
 * endpoint is checked for the name its clients dial. Names are judged
 * twice: by RFC 9525 (hostname.ts) and by the models of the real client stacks (clients.ts),
 * because the stacks disagree and users otherwise find out in production. This module composes
 * the rules: names (endpoint-names.ts), validity and strength (endpoint-strength.ts), the
 * `redis-enterprise` profile (endpoint-profile.ts), trust as each client stack judges it
 * (endpoint-trust.ts) and the key match.
 */
import { resolveNow } from '../clock.js';
import { CertkitError } from '../errors.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import { CLIENT_STACKS } from './clients.js';
import type { ClientVerdict } from './clients.js';
import { CHECK_PROFILES, describeStacks, ref } from './endpoint-findings.js';
import type { CheckFinding, CheckProfile } from './endpoint-findings.js';
import { checkCluster, endpointNames, nameFindings } from './endpoint-names.js';
import type { NameCheck } from './endpoint-names.js';
import { enterpriseFindings } from './endpoint-profile.js';
import { strengthFindings, validityFindings } from './endpoint-strength.js';
import { endpointTrust } from './endpoint-trust.js';
import { capRepeatedFindings } from './finding.js';
import { checkMinTls, liveFindings } from './live.js';
import type { LiveProbeResults } from './live.js';
import { checkCommonName } from './path-policy.js';
import { STACK_TRUST_RULES } from './stack-trust.js';
import type { TrustVerdict } from './stack-trust.js';

export { EXAMPLE_DATABASE_PORT, checkCluster, endpointNames } from './endpoint-names.js';
export type { EndpointNameOptions } from './endpoint-names.js';

/** Default days before expiry from which `EXPIRES_SOON` is reported. */
export const DEFAULT_WARN_DAYS = 30;

/** A certificate as the report shows it. */
export interface CertificateSummary {
  readonly ref: string;
  readonly subject: string;
  readonly issuer: string;
  readonly dnsNames: readonly string[];
  /** subjectAltName iPAddress entries. */
  readonly ipAddresses: readonly string[];
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
  /**
   * Database ports: the endpoint names checked are `redis-<port>.C` (and the internal ones);
   * default [{@link EXAMPLE_DATABASE_PORT}].
   */
  readonly ports?: readonly number[];
  /**
   * The name clients connect to, a DNS name or an IP address (a live endpoint's host, or the
   * SNI name sent): checked instead of `redis-<port>.C`.
   */
  readonly host?: string;
  /** Days before expiry that give `EXPIRES_SOON`; default {@link DEFAULT_WARN_DAYS}. */
  readonly warnDays?: number;
  /**
   * What probing the live endpoint found, when it was probed (`probeTlsVersions`,
   * `pingWithIdentity`, or the caller's own probes as plain data): adds `TLS_VERSION_TOO_LOW`
   * for each accepted version below `live.minTls` and `CLIENT_CERT_REJECTED` when the endpoint
   * refused the client identity.
   */
  readonly live?: LiveProbeResults;
}

function summary(certificate: Certificate): CertificateSummary {
  const { info } = certificate;
  return {
    ref: ref(certificate),
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: info.subjectAltNames.dns,
    ipAddresses: info.subjectAltNames.ip,
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

/**
 * Findings of one code listed one by one; past this, one finding counts the rest. A chain of
 * thousands of certificates gets one finding per certificate per rule, which no one reads
 * (`certs check` printed 39,997 warnings for four files of 10,000 certificates).
 */
export const MAX_CHECK_FINDINGS_PER_CODE = 20;

/**
 * Checks an endpoint's certificate chain for a cluster and lists every problem in one report:
 * names (RFC 9525 and each client stack), validity, key and signature strength, EKU, CA flag,
 * chain validity against `ca`, the key match, and with profile `redis-enterprise` the proxy
 * certificate requirements of the Redis Enterprise documentation.
 *
 * Profiles: `strict` (default) needs every client stack to accept (`PARTIAL_WILDCARD`,
 * `CN_ONLY`, `PARTIAL_CHAIN` are errors); `compat` makes them warnings when some stacks accept;
 * `redis-enterprise` is strict plus EKU serverAuth + clientAuth, KU digitalSignature +
 * keyEncipherment, SANs `C`, `*.C`, `internal.C`, `*.internal.C`, CN = `C`, and the chain
 * ordered leaf -> intermediate -> root.
 *
 * No profile makes the CA/Browser Forum issuance rules errors (a common name that is not among
 * the SANs, a CA:TRUE leaf): they bind publicly-trusted CAs when they issue, every client stack
 * measured accepts such certificates, and the check says what clients will do. They are
 * warnings; `verify --webpki` is where they are errors.
 *
 * Keys below 2048-bit RSA or a 256-bit curve are `WEAK_KEY` errors (NIST SP 800-131A). Findings
 * of one code are listed 20 times at most, one more finding counting the rest.
 *
 * With `live` (what probing the endpoint found, as data), the live findings join the report:
 * a live endpoint is judged from its presented chain and its probe results in one call, no
 * socket needed.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad cluster, profile, warnDays or minimum
 * TLS version, or no certificate; `KEY_INVALID`/`KEY_ENCRYPTED` when the key cannot be read
 *
 * @example
 * ```ts
 * const report = checkEndpointCertificate({
 *   cluster: 'redislabs.com',
 *   certificates: parseCertificates(readFileSync('proxy_cert.pem'), 'proxy_cert.pem'),
 * });
 * for (const f of report.findings) console.log(f.severity, f.code, f.message);
 *
 * // A live endpoint: its presented chain and what the probes found.
 * const presented = await fetchPresentedChain('db.example.com', 12000);
 * const versions = await probeTlsVersions('db.example.com', 12000);
 * const live = checkEndpointCertificate({
 *   cluster: 'example.com',
 *   source: 'db.example.com:12000',
 *   host: 'db.example.com',
 *   certificates: presented.certificates,
 *   live: { versions },
 * });
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
  if (options.live !== undefined) checkMinTls(options.live.minTls);
  const chain = options.certificates;
  const leaf = chain[0];
  if (leaf === undefined) throw new CertkitError('INVALID_OPTION', 'no certificate to check');
  const source = options.source ?? leaf.source.name;
  const at = ref(leaf);
  const endpoints = endpointNames({
    cluster,
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    ...(options.host === undefined ? {} : { host: options.host }),
    internal: options.internal === true || profile === 'redis-enterprise',
  });

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
        ? `the certificate's extendedKeyUsage (${eku.join(', ')}) has no serverAuth: ${describeStacks(stacks)} refuse it as a server certificate (OpenSSL wants serverAuth itself); the other stacks take anyExtendedKeyUsage for it`
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

  // The live findings come after the capped ones: a handful at most, one per TLS version and PING.
  const reported = [
    ...capRepeatedFindings(findings, MAX_CHECK_FINDINGS_PER_CODE, (code, severity, message) => ({
      code,
      severity,
      message,
    })),
    ...(options.live === undefined ? [] : liveFindings(source, options.live)),
  ];
  return {
    ok: !reported.some((f) => f.severity === 'error'),
    source,
    cluster,
    profile,
    findings: reported,
    names,
    clients: names.map((n) => ({ name: n.name, verdicts: n.clients })),
    certificates: chain.map(summary),
    chainValid,
    trust: trust.trust,
  };
}
