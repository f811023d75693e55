/**
 * Plain TCP, as an application talks to a local stunnel: is something listening on a port, and
 * does RESP `PING` through it get a reply. Bounded like tls-attempt.ts: one deadline per connection,
 * at most {@link MAX_PING_REPLY_BYTES} of a reply kept.
 */
import { connect } from 'node:net';
import { MAX_PING_REPLY_BYTES } from './tls-attempt.js';

/** What a plain `PING` got. */
export interface PlainPingResult {
  /** The first reply line (`+PONG`, `-NOAUTH …`), when one came. */
  readonly reply?: string;
  /** Why none came: the connection was closed or reset, refused, or timed out. */
  readonly error?: string;
}

/**
 * Connects to `host:port`, sends RESP `PING` and resolves with the first reply line, or with
 * what happened instead. Never rejects.
 *
 * @example
 * ```ts
 * const result = await plainPing('127.0.0.1', 6379, 10_000); // { reply: '+PONG' } through a working tunnel
 * ```
 */
export function plainPing(host: string, port: number, timeoutMs: number): Promise<PlainPingResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = Buffer.alloc(0);
    let settled = false;
    const done = (result: PlainPingResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      done({ error: `no reply within ${String(Math.round(timeoutMs / 1000))} s` });
    }, timeoutMs);
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]).subarray(0, MAX_PING_REPLY_BYTES);
      const end = data.indexOf('\r\n');
      if (end >= 0) done({ reply: data.subarray(0, end).toString('utf8') });
      else if (data.length >= MAX_PING_REPLY_BYTES) done({ reply: data.toString('utf8') });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      done({
        error:
          error.code === 'ECONNRESET'
            ? 'the connection was reset'
            : error.code === 'ECONNREFUSED'
              ? 'the connection was refused'
              : (error.code ?? error.message),
      });
    });
    socket.once('close', () => {
      done(
        data.length > 0
          ? { reply: data.toString('utf8') }
          : { error: 'the connection was closed without a reply' },
      );
    });
  });
}

/**
 * True when something accepts TCP connections on `host:port` (checked with one connection,
 * closed at once).
 *
 * @example
 * ```ts
 * if (await isListening('127.0.0.1', 6379, 1000)) console.log('port 6379 is taken');
 * ```
 */
export function isListening(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (listening: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(listening);
    };
    const timer = setTimeout(() => {
      done(false);
    }, timeoutMs);
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
