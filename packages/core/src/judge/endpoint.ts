/**
 * Is this endpoint certificate right for the cluster? One certificate chain (from a file or as a
 * server presented it) against a profile, listing every problem at once as findings. The names
 * checked, and the findings about them, are endpoint-names.ts's.
 */
import type { ClientStack, ClientVerdict } from './clients.js';
import { CertkitError } from '../errors.js';
import { resolveNow } from './clock.js';
import { checkCluster, endpointNames, nameFindings } from './endpoint-names.js';
import { capRepeatedFindings } from './finding.js';
import type { Finding } from './finding.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { validatePath } from './path.js';
import type { PathFindingCode } from './path-common.js';
import { internals, namesEqual, signatureVerifies } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';

export { EXAMPLE_DATABASE_PORT, checkCluster, endpointNames } from './endpoint-names.js';
export type { EndpointNameOptions } from './endpoint-names.js';

/** Check profiles: how strict the name rules are, and whether Redis Enterprise's rules apply. */
export type CheckProfile = 'strict' | 'compat' | 'redis-enterprise';

/** Every profile, default first. */
export const CHECK_PROFILES: readonly CheckProfile[] = ['strict', 'compat', 'redis-enterprise'];

/** Default days before expiry from which `EXPIRES_SOON` is reported. */
export const DEFAULT_WARN_DAYS = 30;

/** Smallest RSA modulus accepted (NIST SP 800-131A Rev. 2: 2048 bits). */
export const MIN_RSA_BITS = 2048;
/** Smallest EC curve accepted: P-256 (NIST SP 800-131A Rev. 2: 224 bits and up, we ask P-256). */
export const MIN_EC_BITS = 256;

/** Stable codes of check findings. */
export type CheckFindingCode =
  | 'NAME_MISMATCH'
  | 'NAME_PORT_SPECIFIC'
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
  | 'KEY_MISMATCH'
  | 'MISSING_KEY_USAGE'
  | 'MISSING_SAN'
  | 'WRONG_CN'
  | 'CHAIN_ORDER'
  | 'TLS_VERSION_TOO_LOW'
  | 'CLIENT_CERT_REJECTED';

/**
 * One problem of an endpoint check. `certificate` names the certificate as `file.pem#1` (1-based
 * as sent); `stacks` lists the client stacks concerned (those that refuse), for name findings;
 * `ports` the database ports a port-specific certificate covers (`NAME_PORT_SPECIFIC`).
 */
export type CheckFinding = Finding<CheckFindingCode, string> & {
  readonly stacks?: readonly ClientStack[];
  readonly ports?: readonly number[];
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

/** Validity of every presented certificate at `now`. */
function validityFindings(
  chain: readonly Certificate[],
  now: Date,
  warnDays: number,
): CheckFinding[] {
  const findings: CheckFinding[] = [];
  chain.forEach((cert, i) => {
    const what =
      i === 0
        ? 'the certificate'
        : `certificate ${String(i + 1)} of the chain (${cert.info.subject})`;
    const { notBefore, notAfter } = internals(cert);
    if (now.getTime() > notAfter.getTime()) {
      findings.push({
        code: 'EXPIRED',
        severity: 'error',
        message: `${what} expired on ${cert.info.notAfter}`,
        certificate: ref(cert),
      });
    } else if (now.getTime() < notBefore.getTime()) {
      findings.push({
        code: 'NOT_YET_VALID',
        severity: 'error',
        message: `${what} is not valid before ${cert.info.notBefore}`,
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

/** Key sizes and signature algorithms of every presented certificate. */
function strengthFindings(chain: readonly Certificate[]): CheckFinding[] {
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
    // A self-signed root's own signature is never checked by clients (RFC 5280 section 6.1).
    // Weak algorithm first: the signature check costs ~0.3 ms, and a chain may hold thousands.
    if (
      WEAK_SIGNATURES.test(cert.info.signatureAlgorithm) &&
      !(i > 0 && cert.info.selfIssued && signatureVerifies(cert, cert))
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
  const endpoints = endpointNames({
    cluster,
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    ...(options.host === undefined ? {} : { host: options.host }),
    internal: options.internal === true || profile === 'redis-enterprise',
  });

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
