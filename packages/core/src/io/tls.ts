/**
 * Live endpoints: the certificate chain a server presents, the TLS versions it accepts, and
 * whether it accepts a client identity (RESP `PING`). With files.ts, the only I/O of core. The
 * results are plain data ({@link TlsVersionResult}, {@link PingResult}, {@link PresentedChain})
 * that workflows hand to judge/live.ts and judge/stunnel-probe.ts.
 *
 * Measured with Node 20 / OpenSSL 3.0 (DESIGN.md):
 * - `getPeerX509Certificate()` followed by `.issuerCertificate` gives the certificates exactly as
 *   the server sent them, in order, unrelated ones included; `getPeerCertificate(true)` instead
 *   completes the chain from the local trust store. `getPeerX509Certificate()` is called once: a
 *   second call returns `undefined`.
 * - The peer chain and the negotiated version are still readable in the `error` event when the
 *   server refuses us after its own Certificate message (TLS 1.2 without a client certificate).
 * - Under TLS 1.3 the client finishes its handshake before the server checks the client
 *   certificate (RFC 8446 section 4.4.2.4: the server then sends `certificate_required`), so only
 *   a reply to a command proves the identity was accepted.
 *
 * Every server is treated as hostile: one deadline bounds each connection however slowly bytes
 * arrive, what is kept of a reply and how many certificates are read are capped, and nothing the
 * server sends is parsed inside a socket event (a throw there would end the process): the
 * certificates are copied out and parsed once the connection is closed, so that one certkit
 * cannot read becomes a {@link CertkitError}.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import type { ConnectionOptions, SecureContext, TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { CertkitError, isCertkitError } from '../errors.js';
import { asErrno, connectionFailureOf, describe, interrupted, UNREACHABLE } from './tls-failure.js';
import type { EndpointFailure } from './tls-failure.js';

export { connectionFailureOf } from './tls-failure.js';
export type { EndpointFailure, EndpointFailureCode } from './tls-failure.js';
import { TLS_VERSIONS } from '../defaults.js';
import type { TlsVersion } from '../defaults.js';
import { parseCertificate } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';

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

/** Whether a server accepts one TLS version. */
export interface TlsVersionResult {
  readonly version: TlsVersion;
  /** The server negotiated this version (its hello came back with it). */
  readonly accepted: boolean;
  /** Why not, or what went wrong after the version was agreed. */
  readonly detail?: string;
}

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
interface PeerSnapshot {
  /** DER of each certificate as sent, at most {@link MAX_PEER_CERTIFICATES} + 1. */
  readonly certificates: readonly Uint8Array[];
  readonly protocol: string | null;
  /** The peer's address, while the socket still knew it. */
  readonly address?: string;
  /** Whether a CertificateRequest came ({@link PingResult.certificateRequested}). */
  readonly certificateRequested?: boolean;
}

interface Attempt {
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
function attempt(
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
      if (socket !== undefined) {
        socket.removeAllListeners();
        socket.on('error', () => undefined); // late errors of a socket we are discarding
        socket.destroy();
      }
      resolve({ secure, peer: peer ?? NO_PEER, ...result });
    };
    /** Runs an event handler; whatever it throws ends this attempt, never the process. */
    const guard =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A): void => {
        try {
          handler(...args);
        } catch (error) {
          finish({ error: asErrno(error) });
        }
      };
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

function connectionFailure(source: string, error: NodeJS.ErrnoException): never {
  throw new CertkitError(
    'TLS_FAILED',
    `cannot get a certificate from ${source}: ${connectionFailureOf(error).reason}`,
    { cause: error },
  );
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
 * `HOST:PORT` as endpoints are named in messages and certificate sources, with the address after
 * an `@` when one was chosen for the host (`redis-12000.example.com:12000@10.0.0.5`).
 */
export function endpointLabel(host: string, port: number, address?: string): string {
  const endpoint = `${host}:${String(port)}`;
  return address === undefined || address === host ? endpoint : `${endpoint}@${address}`;
}

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
    const code = result.error?.code;
    if (code !== undefined && UNREACHABLE.has(code)) {
      connectionFailure(
        endpointLabel(host, port, options.address),
        result.error ?? new Error(code),
      );
    }
    const accepted = result.secure || result.peer.certificates.length > 0;
    const detail = describe(result.error);
    results.push({ version, accepted, ...(detail === undefined ? {} : { detail }) });
  }
  return results;
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
  const code = result.error?.code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    connectionFailure(endpointLabel(host, port, options.address), result.error ?? new Error(code));
  }
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
