/**
 * What a live redis-server does about client certificates, from two handshakes given as data
 * (workflows/redis-conf.ts makes them through io/tls-ping.ts): one without a client certificate, one
 * with the identity the configuration names (or one given). redis-server 7.0 (tls.c) sets
 * `tls-auth-clients yes` as SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, `optional` as
 * SSL_VERIFY_PEER and `no` as SSL_VERIFY_NONE, so:
 *
 * - `yes` asks for a certificate and refuses a client without one;
 * - `optional` asks, lets a client without one in, and refuses one whose certificate does not
 *   verify;
 * - `no` does not ask at all.
 *
 * Whether the server asked shows on the client: a CertificateRequest leaves OpenSSL with the
 * signature algorithms both sides share (Node's `getSharedSigalgs()`), empty when none came,
 * under TLS 1.2 and 1.3 alike (measured on redis-server 7.0.15 in each mode). So even without an
 * identity the three modes are told apart; only a server that does not show it (TLS 1.0 and
 * 1.1 carry no signature algorithms) leaves "optional or no".
 */
import { escapedText } from '../x509/stunnel-syntax.js';
import type { AddRedisFinding, RedisAuthClients, RedisSetting } from './redis-conf-settings.js';

/** One connection of the probe. */
export interface RedisProbeAttempt {
  /** The server answered a command (PING): it let this client in. */
  readonly accepted: boolean;
  /** The server asked for a client certificate; absent when that could not be seen. */
  readonly certificateRequested?: boolean;
  /** Why it did not let the client in. */
  readonly error?: string;
}

/** What probing one endpoint found. */
export interface RedisAuthProbe {
  /** `HOST:PORT`. */
  readonly endpoint: string;
  /** Why the endpoint could not be reached at all (then there are no attempts). */
  readonly unreachable?: string;
  /** The handshake without a client certificate. */
  readonly withoutIdentity?: RedisProbeAttempt;
  /** The handshake with a client certificate, and which one. */
  readonly withIdentity?: RedisProbeAttempt & { readonly identity: string };
  /** Why no identity was presented, when none was. */
  readonly noIdentity?: string;
}

/** What the probe says `tls-auth-clients` is on the live server. */
export type RedisAuthClientsVerdict = RedisAuthClients | 'optional-or-no' | 'unknown';

/** The verdict, and the evidence for it in words. */
export interface RedisAuthClientsReading {
  readonly verdict: RedisAuthClientsVerdict;
  readonly evidence: string;
}

/**
 * Reads `tls-auth-clients` off the two handshakes.
 *
 * @example
 * ```ts
 * authClientsVerdict({ endpoint: '127.0.0.1:6380',
 *   withoutIdentity: { accepted: true, certificateRequested: true } }).verdict; // 'optional'
 * ```
 */
export function authClientsVerdict(probe: RedisAuthProbe): RedisAuthClientsReading {
  const bare = probe.withoutIdentity;
  const identity = probe.withIdentity;
  if (probe.unreachable !== undefined || bare === undefined) {
    return { verdict: 'unknown', evidence: probe.unreachable ?? 'no handshake was made' };
  }
  if (!bare.accepted) {
    if (identity?.accepted === true) {
      return {
        verdict: 'yes',
        evidence: `it refused a client without a certificate (${escapedText(bare.error ?? 'no reply', 200)}) and let ${escapedText(identity.identity, 120)} in`,
      };
    }
    if (bare.certificateRequested === true) {
      return {
        verdict: 'yes',
        evidence: `it asked for a client certificate and refused a client without one (${escapedText(bare.error ?? 'no reply', 200)})`,
      };
    }
    return {
      verdict: 'unknown',
      evidence: `it refused a client without a certificate without asking for one (${escapedText(bare.error ?? 'no reply', 200)})`,
    };
  }
  const requested = bare.certificateRequested ?? identity?.certificateRequested;
  if (requested === true) {
    return {
      verdict: 'optional',
      evidence: 'it asked for a client certificate and let a client without one in',
    };
  }
  if (requested === false) {
    return { verdict: 'no', evidence: 'it let a client in without asking for a certificate' };
  }
  return {
    verdict: 'optional-or-no',
    evidence:
      'it let a client without a certificate in; whether it asked for one did not show (TLS 1.0 or 1.1)',
  };
}

const STRENGTH: Readonly<Record<RedisAuthClients, number>> = { no: 0, optional: 1, yes: 2 };

/**
 * Compares the live server with the file: the verdict agrees, or the server runs weaker than
 * the file says (an error: the file is not what runs, and what runs lets more in) or stronger
 * (a warning); an identity the server refused is a warning.
 */
export function probeFindings(
  probe: RedisAuthProbe,
  file: RedisSetting<RedisAuthClients>,
  line: number | undefined,
  add: AddRedisFinding,
): RedisAuthClientsReading {
  const reading = authClientsVerdict(probe);
  const at = escapedText(probe.endpoint, 120);
  if (reading.verdict === 'unknown') {
    add(
      'REDIS_CONF_PROBE_FAILED',
      'error',
      `${at}: cannot tell tls-auth-clients: ${reading.evidence}`,
      line,
    );
    return reading;
  }
  const fileSays = `${file.value}${file.line === undefined ? ' (the default)' : ''}`;
  const without =
    probe.withIdentity === undefined && probe.noIdentity !== undefined
      ? ` (no client identity presented: ${escapedText(probe.noIdentity, 200)})`
      : '';
  const agrees =
    reading.verdict === file.value ||
    (reading.verdict === 'optional-or-no' && file.value !== 'yes');
  if (agrees) {
    add(
      'REDIS_CONF_PROBE_AGREES',
      'info',
      `${at} runs with tls-auth-clients ${reading.verdict}, as the file says${reading.verdict === file.value ? '' : ` (${fileSays})`}: ${reading.evidence}${without}`,
      line,
    );
  } else {
    const live = reading.verdict === 'optional-or-no' ? 1 : STRENGTH[reading.verdict];
    const weaker = live < STRENGTH[file.value];
    add(
      'REDIS_CONF_PROBE_DISAGREES',
      weaker ? 'error' : 'warning',
      `${at} runs with tls-auth-clients ${reading.verdict}, but the file says ${fileSays}: ${reading.evidence}${without}; the server runs another configuration (not restarted since the file changed, changed by CONFIG SET, or started from another file)${weaker ? ', and it lets in clients the file would refuse' : ''}`,
      line,
    );
  }
  const identity = probe.withIdentity;
  if (identity !== undefined && !identity.accepted && reading.verdict !== 'no') {
    add(
      'REDIS_CONF_PROBE_IDENTITY_REFUSED',
      'warning',
      `${at} refused ${escapedText(identity.identity, 120)} (${escapedText(identity.error ?? 'no reply', 200)}): its CA does not vouch for that certificate, or it is not for client use${reading.verdict === 'optional' ? ' (with tls-auth-clients optional a certificate that does not verify is refused, not ignored)' : ''}; replicas and cluster peers presenting it would be refused too, if they share this CA`,
      line,
    );
  }
  return reading;
}
