/**
 * Which TLS versions a server accepts: one connection attempt per version (tls-attempt.ts).
 */
import { TLS_VERSIONS } from '../defaults.js';
import type { TlsVersion } from '../defaults.js';
import { assertReached, attempt, endpointLabel } from './tls-attempt.js';
import type { TlsProbeOptions } from './tls-attempt.js';
import { describe } from './tls-failure.js';

/** Whether a server accepts one TLS version. */
export interface TlsVersionResult {
  readonly version: TlsVersion;
  /** The server negotiated this version (its hello came back with it). */
  readonly accepted: boolean;
  /** Why not, or what went wrong after the version was agreed. */
  readonly detail?: string;
}

/**
 * Tries TLS 1.0, 1.1, 1.2 and 1.3 one at a time (`minVersion = maxVersion`), with
 * `ciphers: 'DEFAULT@SECLEVEL=0'` so that OpenSSL 3 lets us offer the old versions at all. A
 * version counts as accepted when the server answers with it, even when the handshake then fails
 * because the server wants a client certificate.
 *
 * @throws {@link CertkitError} `TLS_FAILED` when the endpoint cannot be reached at all
 *
 * @example
 * ```ts
 * const versions = await probeTlsVersions('127.0.0.1', 12000, { servername: 'redis-12000.c.example.com' });
 * const old = versions.filter((v) => v.accepted && (v.version === 'TLSv1' || v.version === 'TLSv1.1'));
 * ```
 */
export async function probeTlsVersions(
  host: string,
  port: number,
  options: TlsProbeOptions = {},
): Promise<TlsVersionResult[]> {
  const results: TlsVersionResult[] = [];
  for (const version of TLS_VERSIONS) {
    // getProtocol() reports the version we offered even when the server refused it; the
    // server's Certificate message proves it accepted the version (TLS 1.2 and 1.3 alike).
    const result = await attempt(
      host,
      port,
      options,
      { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' },
      false,
    );
    assertReached(result, endpointLabel(host, port, options.address));
    const accepted = result.secure || result.peer.certificates.length > 0;
    const detail = describe(result.error);
    results.push({ version, accepted, ...(detail === undefined ? {} : { detail }) });
  }
  return results;
}
