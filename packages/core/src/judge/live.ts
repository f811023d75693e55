/**
 * The findings of a live endpoint, from what was learnt from it: the TLS versions it accepts and
 * whether it accepted a client identity, given as data (io/ gathers them as
 * `TlsVersionResult` and `PingResult`; a library user may bring their own).
 * checkEndpointCertificate adds them to the report of the chain the endpoint presented. The
 * inputs are typed by the fields read here, since judge/ may not import io/: io's results fit
 * them, and so does any caller's plain object.
 */
import { DEFAULT_MIN_TLS, TLS_VERSIONS } from '../defaults.js';
import type { TlsVersion } from '../defaults.js';
import { CertkitError } from '../errors.js';
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

/**
 * What was learnt from a live endpoint by probing it: the `live` option of
 * `checkEndpointCertificate`.
 */
export interface LiveProbeResults {
  /** Each TLS version tried, and whether the server accepted it (io/tls-versions.ts `probeTlsVersions`). */
  readonly versions: readonly { readonly version: TlsVersion; readonly accepted: boolean }[];
  /** Lowest version the endpoint may accept; default {@link DEFAULT_MIN_TLS}. */
  readonly minTls?: TlsVersion;
  /** The RESP PING with a client identity, when one was tried (io/tls-ping.ts `pingWithIdentity`). */
  readonly ping?: { readonly accepted: boolean; readonly error?: string };
  /** Where the client identity came from, for messages. */
  readonly clientCertificateSource?: string;
}

/**
 * The findings of a live probe of `source` (`host:port`, as messages name it):
 * `TLS_VERSION_TOO_LOW` for each accepted version below the minimum, `CLIENT_CERT_REJECTED`
 * when the endpoint refused the client identity.
 */
export function liveFindings(source: string, results: LiveProbeResults): CheckFinding[] {
  const minTls = checkMinTls(results.minTls);
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
