/**
 * The certificates a server presents, exactly as sent and in order, whether or not they verify
 * (RFC 8446 section 4.4.2, RFC 5246 section 7.4.2): fetched with one connection attempt
 * (tls-attempt.ts), parsed once the connection is gone.
 */
import { CertkitError, isCertkitError } from '../errors.js';
import { parseCertificate } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import { attempt, connectOptions, endpointLabel, MAX_PEER_CERTIFICATES } from './tls-attempt.js';
import type { PeerSnapshot, TlsProbeOptions } from './tls-attempt.js';
import { connectionFailureOf, describe } from './tls-failure.js';
import type { EndpointFailure } from './tls-failure.js';

/** The certificates a server presented, in the order it sent them. */
export interface PresentedChain {
  readonly host: string;
  readonly port: number;
  /** The address connected to, when the socket reported one. */
  readonly address?: string;
  /** The SNI name sent, if any. */
  readonly servername?: string;
  /** As sent: leaf first (if the server is right), then whatever else it sent. */
  readonly certificates: readonly Certificate[];
  /** Negotiated version, e.g. `TLSv1.3`. */
  readonly protocol: string | null;
  /** True when the handshake completed on our side. */
  readonly handshakeCompleted: boolean;
  /** Why the connection failed after the server's certificate, e.g. the server wanted a client certificate. */
  readonly error?: string;
}

/**
 * Parses what the peer sent, after the connection is gone.
 *
 * @throws {@link CertkitError} `TOO_MANY_CERTIFICATES` past {@link MAX_PEER_CERTIFICATES};
 * `CERTIFICATE_INVALID` for a certificate OpenSSL read but certkit cannot
 */
function parsePeerCertificates(peer: PeerSnapshot, source: string): Certificate[] {
  if (peer.certificates.length > MAX_PEER_CERTIFICATES) {
    throw new CertkitError(
      'TOO_MANY_CERTIFICATES',
      `cannot use the chain ${source} presents: more than ${String(MAX_PEER_CERTIFICATES)} certificates (certkit reads at most ${String(MAX_PEER_CERTIFICATES)} from a server)`,
    );
  }
  return peer.certificates.map((der, i) => parseCertificate(der, { name: source, index: i + 1 }));
}

/** What {@link tryFetchPresentedChain} got: the chain, or why there is none. */
export type FetchOutcome =
  | { readonly ok: true; readonly chain: PresentedChain }
  | { readonly ok: false; readonly failure: EndpointFailure; readonly error: CertkitError };

/**
 * {@link fetchPresentedChain} without throwing for what the endpoint did: a failure comes back
 * as data (a stable code and the reason in words), so that one endpoint of many that is down,
 * speaks plain text or sends a certificate certkit cannot read is a row of the report, not the
 * end of the run.
 *
 * @example
 * ```ts
 * const outcome = await tryFetchPresentedChain('127.0.0.1', 6379);
 * if (!outcome.ok) console.log(outcome.failure.code, outcome.failure.reason); // NOT_TLS this port does not speak TLS
 * ```
 */
export async function tryFetchPresentedChain(
  host: string,
  port: number,
  options: TlsProbeOptions = {},
): Promise<FetchOutcome> {
  const source = endpointLabel(host, port, options.address);
  const result = await attempt(host, port, options, {}, false);
  if (result.peer.certificates.length === 0) {
    const error =
      result.error ??
      Object.assign(new Error('the server sent no certificate'), { code: 'NO_CERT' });
    const failure = connectionFailureOf(error);
    return {
      ok: false,
      failure,
      error: new CertkitError(
        'TLS_FAILED',
        `cannot get a certificate from ${source}: ${failure.reason}`,
        { cause: error },
      ),
    };
  }
  let certificates: Certificate[];
  try {
    certificates = parsePeerCertificates(result.peer, source);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return {
      ok: false,
      failure: { code: 'CERTIFICATE_UNREADABLE', reason: error.message },
      error,
    };
  }
  const servername = connectOptions(host, port, options).servername;
  const error = describe(result.error);
  const address = result.peer.address ?? options.address;
  return {
    ok: true,
    chain: {
      host,
      port,
      ...(address === undefined ? {} : { address }),
      ...(servername === undefined ? {} : { servername }),
      certificates,
      protocol: result.peer.protocol,
      handshakeCompleted: result.secure,
      ...(error === undefined ? {} : { error }),
    },
  };
}

/**
 * Fetches the certificates a server presents, exactly as sent and in order, whether or not they
 * verify, and even when the server then refuses us for lacking a client certificate.
 *
 * @throws {@link CertkitError} `TLS_FAILED` when no certificate could be obtained (connection
 * refused or reset, timeout, no TLS, no common version); `TOO_MANY_CERTIFICATES` when the server
 * sends more than 32 (a server sends 2 to 4); `CERTIFICATE_INVALID` when a certificate it
 * sends cannot be read (OpenSSL is laxer than certkit, e.g. about a UTCTime without seconds)
 *
 * @example
 * ```ts
 * const chain = await fetchPresentedChain('redis-12000.cluster.example.com', 12000);
 * console.log(chain.certificates.map((c) => c.info.subject), chain.protocol);
 * ```
 */
export async function fetchPresentedChain(
  host: string,
  port: number,
  options: TlsProbeOptions = {},
): Promise<PresentedChain> {
  const outcome = await tryFetchPresentedChain(host, port, options);
  if (!outcome.ok) throw outcome.error;
  return outcome.chain;
}
