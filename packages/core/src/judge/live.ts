/**
 * A live endpoint judged from what was learnt from it: the TLS versions it accepts and whether
 * it accepted a client identity, given as data (io/tls.ts gathers them as `TlsVersionResult`
 * and `PingResult`; a library user may bring their own), with the presented chain judged as any
 * other by checkEndpointCertificate. The inputs are typed by the fields read here, since judge/
 * may not import io/: io's results fit them, and so does any caller's plain object.
 */
import { DEFAULT_MIN_TLS, TLS_VERSIONS } from '../defaults.js';
import type { TlsVersion } from '../defaults.js';
import { CertkitError } from '../errors.js';
import { checkEndpointCertificate } from './endpoint.js';
import type { CheckOptions, CheckReport } from './endpoint.js';
import type { CheckFinding } from './endpoint-findings.js';

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
  /** Each TLS version tried, and whether the server accepted it (io/tls.ts `probeTlsVersions`). */
  readonly versions: readonly { readonly version: TlsVersion; readonly accepted: boolean }[];
  /** Lowest version the endpoint may accept; default {@link DEFAULT_MIN_TLS}. */
  readonly minTls?: TlsVersion;
  /** The RESP PING with a client identity, when one was tried (io/tls.ts `pingWithIdentity`). */
  readonly ping?: { readonly accepted: boolean; readonly error?: string };
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
