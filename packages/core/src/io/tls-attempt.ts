/**
 * One TLS connection to a live endpoint, as every probe of io/ makes it (presented-chain.ts,
 * tls-versions.ts, tls-ping.ts; resp.ts connects with the same options): what the server showed
 * of itself comes back as plain bytes and words, for those modules to turn into their results.
 *
 * Measured with Node 20 / OpenSSL 3.0 (DESIGN.md):
 * - `getPeerX509Certificate()` followed by `.issuerCertificate` gives the certificates exactly as
 *   the server sent them, in order, unrelated ones included; `getPeerCertificate(true)` instead
 *   completes the chain from the local trust store. `getPeerX509Certificate()` is called once: a
 *   second call returns `undefined`.
 * - The peer chain and the negotiated version are still readable in the `error` event when the
 *   server refuses us after its own Certificate message (TLS 1.2 without a client certificate).
 *
 * Every server is treated as hostile: one deadline bounds each connection however slowly bytes
 * arrive, what is kept of a reply and how many certificates are read are capped, and nothing the
 * server sends is parsed inside a socket event (a throw there would end the process): the
 * certificates are copied out here and parsed once the connection is closed, so that one certkit
 * cannot read becomes a {@link CertkitError}.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import type { ConnectionOptions, SecureContext, TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { CertkitError } from '../errors.js';
import { asErrno, connectionFailureOf, interrupted, UNREACHABLE } from './tls-failure.js';
import { discardSocket, guardWith } from './socket-events.js';

/** Default time allowed for one connection, handshake and reply: 10 seconds. */
export const TLS_TIMEOUT_MS = 10_000;

/** A client identity to present: PEM certificate (chain) and PEM private key. */
export interface TlsClientIdentity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** Options of the live functions. */
export interface TlsProbeOptions {
  /** SNI name to send; default none for IP addresses, else the host. */
  readonly servername?: string;
  /** Per connection; default {@link TLS_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** A client identity to offer when the server asks for one. */
  readonly clientIdentity?: TlsClientIdentity;
  /**
   * Connect to this IP address instead of resolving the host: one node behind a name, with the
   * host still sent as SNI (what curl's `--resolve` does).
   */
  readonly address?: string;
  /** Ends the connection at once when aborted (Ctrl-C): the attempt fails as `INTERRUPTED`. */
  readonly signal?: AbortSignal;
}

/**
 * Most certificates accepted from a peer. A server sends its leaf and the intermediates (RFC 8446
 * section 4.4.2, RFC 5246 section 7.4.2): 2 to 4 certificates in practice, and a path we validate
 * has at most 8 intermediates between leaf and root (path.ts `DEFAULT_MAX_DEPTH`). 32 leaves
 * room for servers that also send stray certificates while bounding what a hostile server makes
 * us read. (OpenSSL itself refuses a Certificate message over 100 KiB, its default
 * `max_cert_list`: about 250 small EC certificates.)
 */
export const MAX_PEER_CERTIFICATES = 32;

/**
 * Most bytes of a reply to PING that are kept. Redis answers `+PONG` or an error line
 * (`-NOAUTH Authentication required.`): far below this; a server that sends more without a line
 * end is cut here rather than held in memory until the timeout.
 */
export const MAX_PING_REPLY_BYTES = 4096;

/** What the server showed of itself, copied out of the socket inside its event. */
export interface PeerSnapshot {
  /** DER of each certificate as sent, at most {@link MAX_PEER_CERTIFICATES} + 1. */
  readonly certificates: readonly Uint8Array[];
  readonly protocol: string | null;
  /** The peer's address, while the socket still knew it. */
  readonly address?: string;
  /** Whether a CertificateRequest came (`PingResult.certificateRequested`, tls-ping.ts). */
  readonly certificateRequested?: boolean;
}

export interface Attempt {
  readonly secure: boolean;
  readonly peer: PeerSnapshot;
  readonly error?: NodeJS.ErrnoException;
  /** What the server replied to PING, when asked: the first line, or what came before close. */
  readonly reply?: string;
}

/**
 * How every connection of io/ is made: SNI for host names only, the certificate seen rather
 * than verified (judge/ verifies it), the client identity when one is given.
 */
export function connectOptions(
  host: string,
  port: number,
  options: TlsProbeOptions,
): ConnectionOptions {
  // RFC 6066 section 3: SNI carries host names only, never IP addresses.
  const servername = options.servername ?? (isIP(host) === 0 ? host : undefined);
  return {
    host: options.address ?? host,
    port,
    // We judge the certificate ourselves (check.ts); here we only want to see it.
    rejectUnauthorized: false,
    ...(servername === undefined ? {} : { servername }),
    ...(options.clientIdentity === undefined
      ? {}
      : { cert: options.clientIdentity.certificatePem, key: options.clientIdentity.privateKeyPem }),
  };
}

/**
 * The presented certificates as DER, in order, and the protocol. Only copies: nothing here
 * parses, so nothing a server sends can throw inside a socket event (where a throw is an
 * uncaught exception that ends the process).
 */
function snapshot(socket: TLSSocket): PeerSnapshot {
  const certificates: Uint8Array[] = [];
  const seen = new Set<string>();
  let current: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (
    current !== undefined &&
    certificates.length <= MAX_PEER_CERTIFICATES &&
    !seen.has(current.fingerprint256)
  ) {
    seen.add(current.fingerprint256);
    certificates.push(new Uint8Array(current.raw));
    current = current.issuerCertificate;
  }
  const address = socket.remoteAddress;
  const protocol = socket.getProtocol();
  return {
    certificates,
    protocol,
    ...(address === undefined ? {} : { address }),
    ...(protocol === null ? {} : certificateRequestOf(socket)),
  };
}

/**
 * Whether the server sent a CertificateRequest; nothing when the socket can no longer say
 * (Node throws once its handle is gone), which callers read as "unknown".
 */
function certificateRequestOf(socket: TLSSocket): { certificateRequested?: boolean } {
  try {
    return { certificateRequested: socket.getSharedSigalgs().length > 0 };
  } catch {
    return {};
  }
}

const NO_PEER: PeerSnapshot = { certificates: [], protocol: null };

/** One OpenSSL context per set of version options, shared by every connection without an identity. */
const contexts = new Map<string, SecureContext>();

/**
 * A shared context for a connection that presents no client identity: making one per
 * connection was a tenth of the CPU of fetching 200 endpoints (node --cpu-prof). The options it
 * holds are only the versions and ciphers of `extra`; with an identity, none (a context of its
 * own, as before).
 */
function sharedContext(
  options: TlsProbeOptions,
  extra: ConnectionOptions,
): { secureContext?: SecureContext } {
  if (options.clientIdentity !== undefined) return {};
  const { minVersion, maxVersion, ciphers } = extra;
  const key = JSON.stringify([minVersion, maxVersion, ciphers]);
  let context = contexts.get(key);
  if (context === undefined) {
    context = createSecureContext({
      ...(minVersion === undefined ? {} : { minVersion }),
      ...(maxVersion === undefined ? {} : { maxVersion }),
      ...(ciphers === undefined ? {} : { ciphers }),
    });
    contexts.set(key, context);
  }
  return { secureContext: context };
}

/**
 * Connects once; resolves (never rejects) when the handshake completes (and, with `ping`, when
 * the server replies or closes), fails, or `timeoutMs` passes from the start: one deadline for
 * the whole exchange, so a server that drips bytes cannot stretch it. The peer's certificates
 * are copied once, while the socket still holds them, in the `secureConnect` or the `error`
 * event; callers parse them after the socket is gone.
 */
export function attempt(
  host: string,
  port: number,
  options: TlsProbeOptions,
  extra: ConnectionOptions,
  ping: boolean,
): Promise<Attempt> {
  return new Promise((resolve) => {
    let secure = false;
    let connected = false;
    let peer: PeerSnapshot | undefined;
    let data = '';
    let done = false;
    let socket: TLSSocket | undefined;
    const finish = (result: { error?: NodeJS.ErrnoException; reply?: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (socket !== undefined) discardSocket(socket);
      resolve({ secure, peer: peer ?? NO_PEER, ...result });
    };
    /** Whatever an event handler throws ends this attempt, never the process. */
    const guard = guardWith((error) => {
      finish({ error });
    });
    const look = (): void => {
      if (peer === undefined && socket !== undefined) peer = snapshot(socket);
    };
    const timer = setTimeout(() => {
      const ms = String(options.timeoutMs ?? TLS_TIMEOUT_MS);
      // Which step the deadline caught says what the port is likely to be: a port without TLS
      // (a plain-text Redis reads the ClientHello as an unfinished inline command) accepts the
      // connection and then says nothing.
      const error: NodeJS.ErrnoException = new Error(
        secure
          ? `no answer within ${ms} ms`
          : connected
            ? `no TLS handshake within ${ms} ms: the port accepted the connection but no handshake followed (a port without TLS, such as a plain-text Redis, waits silently)`
            : `no connection within ${ms} ms`,
      );
      error.code = 'ETIMEDOUT';
      finish({ error });
    }, options.timeoutMs ?? TLS_TIMEOUT_MS);
    const onAbort = (): void => {
      finish({ error: interrupted() });
    };
    if (options.signal?.aborted === true) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      socket = tlsConnect({
        ...connectOptions(host, port, options),
        ...extra,
        ...sharedContext(options, extra),
      });
    } catch (error) {
      // Bad client identity PEM and the like: Node throws before any connection.
      finish({ error: asErrno(error) });
      return;
    }
    socket.once('connect', () => {
      connected = true;
    });
    socket.once(
      'secureConnect',
      guard(() => {
        secure = true;
        look();
        if (!ping) finish({});
        else socket.write('*1\r\n$4\r\nPING\r\n');
      }),
    );
    socket.on(
      'data',
      guard((chunk: Buffer) => {
        // Bounded: at most MAX_PING_REPLY_BYTES are ever held.
        data += chunk.subarray(0, MAX_PING_REPLY_BYTES - data.length).toString('latin1');
        const end = data.indexOf('\r\n');
        if (end !== -1) finish({ reply: data.slice(0, end) });
        else if (data.length >= MAX_PING_REPLY_BYTES) finish({ reply: data });
      }),
    );
    socket.once(
      'error',
      guard((error: NodeJS.ErrnoException) => {
        look();
        finish({ error });
      }),
    );
    socket.once(
      'close',
      guard(() => {
        finish(data.length > 0 ? { reply: data } : {});
      }),
    );
  });
}

/**
 * Throws `TLS_FAILED` when an attempt did not reach the endpoint at all (refused, unreachable,
 * timed out, interrupted): the version probe and PING then have nothing to report.
 */
export function assertReached(result: Attempt, source: string): void {
  const code = result.error?.code;
  if (code === undefined || !UNREACHABLE.has(code)) return;
  const error = result.error ?? new Error(code);
  throw new CertkitError(
    'TLS_FAILED',
    `cannot get a certificate from ${source}: ${connectionFailureOf(error).reason}`,
    { cause: error },
  );
}

/**
 * `HOST:PORT` as endpoints are named in messages and certificate sources, with the address after
 * an `@` when one was chosen for the host (`redis-12000.example.com:12000@10.0.0.5`).
 */
export function endpointLabel(host: string, port: number, address?: string): string {
  const endpoint = `${host}:${String(port)}`;
  return address === undefined || address === host ? endpoint : `${endpoint}@${address}`;
}
