/**
 * A live endpoint judged from what was learnt from it: the TLS versions it accepts and whether
 * it accepted a client identity, given as data (io/tls.ts gathers them; a library user may
 * bring their own), with the presented chain judged as any other by checkEndpointCertificate.
 */
import { DEFAULT_MIN_TLS, TLS_VERSIONS } from '../defaults.js';
import type { TlsVersion } from '../defaults.js';
import { CertkitError } from '../errors.js';
import { checkEndpointCertificate } from './endpoint.js';
import type { CheckOptions, CheckReport } from './endpoint.js';
import type { CheckFinding } from './endpoint-findings.js';

/**
 * Whether a server accepts one TLS version. io/tls.ts `probeTlsVersions` returns this shape (io/
 * may not import judge/, so it declares it too; workflows/check.ts hands one to the other, and
 * the compiler checks that they agree).
 */
export interface TlsVersionResult {
  readonly version: TlsVersion;
  /** The server negotiated this version (its hello came back with it). */
  readonly accepted: boolean;
  /** Why not, or what went wrong after the version was agreed. */
  readonly detail?: string;
}

/** Outcome of a RESP PING with a client identity (io/tls.ts `pingWithIdentity`, same contract). */
export interface PingResult {
  /** The server answered our command: it accepted the TLS connection and our identity. */
  readonly accepted: boolean;
  /**
   * The first reply line (`+PONG`, `-NOAUTH …`), when there was one: the server's bytes read as
   * Latin-1, at most `MAX_PING_REPLY_BYTES` of them. Unescaped: escape it before showing it
   * (`escapeControlCharacters`).
   */
  readonly reply?: string;
  /** Negotiated version. */
  readonly protocol: string | null;
  /** Why it was refused, when it was. */
  readonly error?: string;
}

/**
 * Checks a minimum TLS version (JavaScript callers can pass anything).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for anything but one of {@link TLS_VERSIONS}
 */
export function checkMinTls(minTls: TlsVersion | undefined): TlsVersion {
  const value = minTls ?? DEFAULT_MIN_TLS;
  if (!TLS_VERSIONS.includes(value)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `minimum TLS version must be one of ${TLS_VERSIONS.join(', ')}, got "${value}"`,
    );
  }
  return value;
}

/** What was learnt from a live endpoint, for {@link liveFindings}. */
export interface LiveProbeResults {
  /** The endpoint, `host:port`, as messages name it. */
  readonly source: string;
  /** Each TLS version tried (io/tls.ts `probeTlsVersions`). */
  readonly versions: readonly TlsVersionResult[];
  /** Lowest version the endpoint may accept; default {@link DEFAULT_MIN_TLS}. */
  readonly minTls?: TlsVersion;
  /** The RESP PING with a client identity, when one was tried (io/tls.ts `pingWithIdentity`). */
  readonly ping?: PingResult;
  /** Where the client identity came from, for messages. */
  readonly clientCertificateSource?: string;
}

/**
 * The findings of a live probe: `TLS_VERSION_TOO_LOW` for each accepted version below the
 * minimum, `CLIENT_CERT_REJECTED` when the endpoint refused the client identity.
 *
 * @example
 * ```ts
 * liveFindings({ source: 'db:12000', versions: [{ version: 'TLSv1.1', accepted: true }] });
 * // [{ code: 'TLS_VERSION_TOO_LOW', severity: 'error', message: 'db:12000 accepts TLSv1.1, …' }]
 * ```
 */
export function liveFindings(results: LiveProbeResults): CheckFinding[] {
  const minTls = checkMinTls(results.minTls);
  const { source } = results;
  const findings: CheckFinding[] = [];
  const floor = TLS_VERSIONS.indexOf(minTls);
  for (const v of results.versions) {
    if (v.accepted && TLS_VERSIONS.indexOf(v.version) < floor) {
      findings.push({
        code: 'TLS_VERSION_TOO_LOW',
        severity: 'error',
        message: `${source} accepts ${v.version}, below the minimum ${minTls} (RFC 8996 deprecates TLS 1.0 and 1.1)`,
      });
    }
  }
  const { ping } = results;
  if (ping !== undefined && !ping.accepted) {
    findings.push({
      code: 'CLIENT_CERT_REJECTED',
      severity: 'error',
      message: `${source} refused the client identity in ${results.clientCertificateSource ?? ''}: ${ping.error ?? 'no reply to PING'}`,
    });
  }
  return findings;
}

/** Options of {@link checkLiveEndpoint}: the presented chain and what the probes found. */
export interface LiveCheckOptions
  extends Omit<CheckOptions, 'source'>, Omit<LiveProbeResults, 'source'> {
  /** The endpoint, `host:port`. */
  readonly source: string;
}

/**
 * Checks a live endpoint from data: the chain it presented, judged by
 * {@link checkEndpointCertificate}, and the live findings ({@link liveFindings}) in the same
 * report.
 *
 * @example
 * ```ts
 * const presented = await fetchPresentedChain('db.example.com', 12000);
 * const versions = await probeTlsVersions('db.example.com', 12000);
 * const report = checkLiveEndpoint({ cluster: 'example.com', source: 'db.example.com:12000',
 *   certificates: presented.certificates, versions });
 * ```
 */
export function checkLiveEndpoint(options: LiveCheckOptions): CheckReport {
  const { versions, minTls, ping, clientCertificateSource, ...check } = options;
  const report = checkEndpointCertificate(check);
  const findings = [
    ...report.findings,
    ...liveFindings({
      source: options.source,
      versions,
      ...(minTls === undefined ? {} : { minTls }),
      ...(ping === undefined ? {} : { ping }),
      ...(clientCertificateSource === undefined ? {} : { clientCertificateSource }),
    }),
  ];
  return { ...report, findings, ok: !findings.some((f) => f.severity === 'error') };
}
