/**
 * Whether a server accepts a client identity: RESP `PING` over TLS (tls-attempt.ts). Under TLS 1.3
 * the client finishes its handshake before the server checks the client certificate (RFC 8446
 * section 4.4.2.4: the server then sends `certificate_required`), so only a reply to a command
 * proves the identity was accepted (measured with Node 20 / OpenSSL 3.0, DESIGN.md).
 */
import { assertReached, attempt, endpointLabel } from './tls-attempt.js';
import type { TlsProbeOptions } from './tls-attempt.js';
import { describe } from './tls-failure.js';

/** Outcome of {@link pingWithIdentity}. */
export interface PingResult {
  /** The server answered our command: it accepted the TLS connection and our identity. */
  readonly accepted: boolean;
  /**
   * The first reply line (`+PONG`, `-NOAUTH …`), when there was one: the server's bytes read as
   * Latin-1, at most 4,096 of them. Unescaped: escape it before showing it
   * (`escapeControlCharacters`).
   */
  readonly reply?: string;
  /** Negotiated version. */
  readonly protocol: string | null;
  /** Why it was refused, when it was. */
  readonly error?: string;
  /**
   * The server asked for a client certificate (sent a CertificateRequest): OpenSSL then holds
   * the signature algorithms both sides share (`getSharedSigalgs()`), empty when none came.
   * Measured on redis-server 7.0 under TLS 1.2 and 1.3: non-empty with `tls-auth-clients yes`
   * and `optional` (also when it then refuses us), empty with `no`. Absent when the handshake
   * did not get that far. TLS 1.0 and 1.1 requests carry no algorithms: false there proves
   * nothing.
   */
  readonly certificateRequested?: boolean;
}

/**
 * Connects with a client identity (or none), sends RESP `PING` and reports whether the server
 * answered. Any reply, `-NOAUTH` included, proves the TLS layer accepted us; a closed
 * connection or an alert proves it did not (under TLS 1.3 the handshake alone proves nothing).
 *
 * @throws {@link CertkitError} `TLS_FAILED` when the endpoint cannot be reached at all
 *
 * @example
 * ```ts
 * const identity = { certificatePem: readFileSync('cert.pem', 'utf8'), privateKeyPem: readFileSync('keyclient.pem', 'utf8') };
 * const result = await pingWithIdentity('127.0.0.1', 12000, { clientIdentity: identity });
 * if (!result.accepted) console.error(result.error);
 * ```
 */
export async function pingWithIdentity(
  host: string,
  port: number,
  options: TlsProbeOptions = {},
): Promise<PingResult> {
  const result = await attempt(host, port, options, {}, true);
  const protocol = result.peer.protocol;
  assertReached(result, endpointLabel(host, port, options.address));
  const requested = result.peer.certificateRequested;
  const asked = requested === undefined ? {} : { certificateRequested: requested };
  if (result.reply !== undefined && result.reply.length > 0) {
    return { accepted: true, reply: result.reply, protocol, ...asked };
  }
  return {
    accepted: false,
    protocol,
    error: describe(result.error) ?? 'the server closed the connection without a reply',
    ...asked,
  };
}
