/**
 * Why a connection gave no certificate, as data: the error codes Node and OpenSSL report,
 * classified into a stable {@link EndpointFailureCode} with the reason in words (never the peer's
 * own bytes). What tls.ts throws and what a run over many endpoints reports as a row are worded
 * here, once.
 */

/** Whatever was thrown, as an Error (with the code Node gave it, if any). */
export function asErrno(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Error codes that say the endpoint could not be reached at all (or the run was stopped): the
 * version probe and PING throw them rather than report a version refused or an identity refused.
 */
export const UNREACHABLE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NODATA',
  'EAI_NONAME',
  'ABORT_ERR',
]);

/** The error an aborted attempt ends with. */
export function interrupted(): NodeJS.ErrnoException {
  return Object.assign(new Error('interrupted'), { code: 'ABORT_ERR' });
}

/**
 * Why an endpoint gave us nothing to judge, as a stable code: what happened on the wire (or in
 * reading what the peer sent). Part of the public API, like finding codes: never renamed.
 */
export type EndpointFailureCode =
  /** Nothing listens there (TCP RST to our SYN). */
  | 'CONNECTION_REFUSED'
  /** The server reset the connection (TCP RST) during the handshake. */
  | 'CONNECTION_RESET'
  /** The server closed the connection before sending a certificate. */
  | 'CONNECTION_CLOSED'
  /** No address for the host name. */
  | 'HOST_NOT_FOUND'
  /** No complete answer within the deadline. */
  | 'TIMEOUT'
  /** The reply was not a TLS record: a plain-text port (Redis without TLS, HTTP, SSH...). */
  | 'NOT_TLS'
  /** TLS, but the handshake failed before the server's certificate (an alert, no common version). */
  | 'TLS_HANDSHAKE_FAILED'
  /** The handshake went through and the server sent no certificate. */
  | 'NO_CERTIFICATE'
  /** A certificate the server sent cannot be read, or it sent too many. */
  | 'CERTIFICATE_UNREADABLE'
  /** A reply to a command is not what the protocol allows, or is larger than certkit reads. */
  | 'REPLY_INVALID'
  /** Stopped before it finished (Ctrl-C). */
  | 'INTERRUPTED'
  /** Any other failure of the connection. */
  | 'CONNECTION_FAILED';

/** Why an endpoint gave us nothing to judge: a stable code and the reason in words. */
export interface EndpointFailure {
  readonly code: EndpointFailureCode;
  /** E.g. `this port does not speak TLS`; never the peer's own bytes. */
  readonly reason: string;
}

/** Why a connection gave no certificate: a code and words, never the peer's own bytes. */
export function connectionFailureOf(error: NodeJS.ErrnoException): EndpointFailure {
  switch (error.code) {
    case 'ECONNREFUSED':
      return { code: 'CONNECTION_REFUSED', reason: 'connection refused' };
    case 'NO_CERT':
      return { code: 'NO_CERTIFICATE', reason: 'the server sent no certificate' };
    case 'ECONNRESET':
      return { code: 'CONNECTION_RESET', reason: 'the server reset the connection' };
    case 'EPIPE':
      return { code: 'CONNECTION_CLOSED', reason: 'the server closed the connection' };
    case 'ETIMEDOUT':
      return { code: 'TIMEOUT', reason: error.message };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return { code: 'HOST_NOT_FOUND', reason: 'host name not found' };
    case 'ABORT_ERR':
      return { code: 'INTERRUPTED', reason: 'interrupted before it finished' };
    case 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE':
      // OpenSSL's max_cert_list (100 KiB) and its other message limits.
      return {
        code: 'CERTIFICATE_UNREADABLE',
        reason:
          'the server sent a TLS message larger than OpenSSL accepts (over 100 KiB of certificates?)',
      };
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_RECORD_LAYER_FAILURE':
      // The first bytes back were not a TLS record header (RFC 8446 section 5.1).
      return { code: 'NOT_TLS', reason: 'this port does not speak TLS' };
    default:
      if (error.code?.startsWith('ERR_SSL') === true) {
        return {
          code: 'TLS_HANDSHAKE_FAILED',
          reason: `TLS handshake failed (${describe(error) ?? error.code})`,
        };
      }
      return {
        code: 'CONNECTION_FAILED',
        reason:
          error.code === undefined
            ? 'the connection failed'
            : `the connection failed (${error.code})`,
      };
  }
}

/** An OpenSSL alert by name (`server sent alert: unknown ca`), else the error code. */
export function describe(error: NodeJS.ErrnoException | undefined): string | undefined {
  if (error === undefined) return undefined;
  const alert = /alert ([a-z ]+?)(?::|$)/i.exec(error.message)?.[1];
  return alert === undefined ? (error.code ?? error.message) : `server sent alert: ${alert}`;
}
