/**
 * Is this endpoint certificate right for the cluster? One certificate chain (from a file or as a
 * server presented it) against a profile, listing every problem at once as findings.
 *
 * Database endpoints of a cluster `C` are `redis-<port>.C`, internal ones
 * `redis-<port>.internal.C` (Redis Enterprise documentation, "Certificates" and "Manage
 * certificates": the proxy certificate is issued for `*.C`, plus `*.internal.C`). Names are judged
 * twice: by RFC 9525 (hostname.ts) and by the models of the real client stacks (clients.ts),
 * because the stacks disagree and users otherwise find out in production. This module composes
 * the rules: names (endpoint-names.ts), validity and strength (endpoint-strength.ts), the
 * `redis-enterprise` profile (endpoint-profile.ts), path validation (path.ts) and the key match.
 */
import { resolveNow } from '../clock.js';
import { CertkitError } from '../errors.js';
import { clusterNameProblem, describeClusterNameProblem } from '../x509/cluster-name.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import type { ClientVerdict } from './clients.js';
import { CHECK_PROFILES, ref } from './endpoint-findings.js';
import type { CheckFinding, CheckProfile } from './endpoint-findings.js';
import { nameFindings } from './endpoint-names.js';
import type { NameCheck } from './endpoint-names.js';
import { enterpriseFindings } from './endpoint-profile.js';
import { strengthFindings, validityFindings } from './endpoint-strength.js';
import { capRepeatedFindings } from './finding.js';
import { validatePath } from './path.js';
import type { PathFindingCode } from './path-common.js';

/** Default days before expiry from which `EXPIRES_SOON` is reported. */
export const DEFAULT_WARN_DAYS = 30;

/**
 * The database port used to build endpoint names (`redis-12000.C`): 12000 is the first port
 * Redis Enterprise gives databases. Any port gives the same verdicts (ports are digits).
 */
export const EXAMPLE_DATABASE_PORT = 12000;

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
  /** Whether the chain was validated against a CA (`null`: no CA given). */
  readonly chainValid: boolean | null;
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
  const problem = clusterNameProblem(cluster);
  if (problem !== null) {
    throw new CertkitError(
      'INVALID_OPTION',
      `cluster must be a DNS name such as redislabs.com: ${describeClusterNameProblem(cluster, problem)}`,
    );
  }
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

/** Path findings the endpoint check reports under its own codes, so that one fault gives one finding. */
const OWN_PATH_CODES: ReadonlySet<PathFindingCode> = new Set<PathFindingCode>([
  'EXPIRED',
  'NOT_YET_VALID',
  'EKU_MISMATCH',
  'EKU_EMPTY',
  'LEAF_IS_CA',
  'KEY_TOO_WEAK',
  'HOSTNAME_MISMATCH',
  'COMMON_NAME_NOT_IN_SAN',
]);

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
 * `CN_ONLY` are errors); `compat` makes them warnings; `redis-enterprise` is strict plus EKU
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
  findings.push(...validityFindings(chain, now, warnDays));
  findings.push(...strengthFindings(chain));

  const eku = leaf.info.extendedKeyUsage;
  if (eku !== null && !eku.includes('serverAuth') && !eku.includes('anyExtendedKeyUsage')) {
    findings.push({
      code: 'MISSING_EKU',
      severity: 'error',
      message: `the certificate's extendedKeyUsage (${eku.join(', ') || 'empty'}) has no serverAuth: clients refuse it as a server certificate (RFC 5280 section 4.2.1.12)`,
      certificate: at,
    });
  }
  if (leaf.info.basicConstraints?.ca === true) {
    findings.push({
      code: 'LEAF_IS_CA',
      severity: 'error',
      message:
        'the endpoint certificate is a CA certificate (basicConstraints CA:TRUE); issue a CA:FALSE server certificate from the CA instead',
      certificate: at,
    });
  }

  let chainValid: boolean | null = null;
  if (options.ca !== undefined) {
    const result = validatePath({
      leaf,
      anchors: options.ca,
      intermediates: chain.slice(1),
      at: now,
      purpose: 'any',
    });
    const errors = result.findings.filter(
      (f) => f.severity === 'error' && !OWN_PATH_CODES.has(f.code),
    );
    chainValid = errors.length === 0 && result.anchored;
    if (!chainValid) {
      findings.push({
        code: 'CHAIN_INVALID',
        severity: 'error',
        message: `the chain does not validate to the given CA: ${errors.map((e) => `${e.code}: ${e.message}`).join('; ') || 'no path to a trust anchor'}`,
        certificate: at,
      });
    }
  }

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
  };
}
