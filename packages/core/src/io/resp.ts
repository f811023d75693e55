/**
 * Commands over one TLS connection, one at a time, as a Redis client sends them (RESP arrays of
 * bulk strings), each reply read by a reader the caller gives: io/ moves the bytes, judge/resp.ts
 * reads them. The topology walk asks the seed who its nodes are this way.
 *
 * Bounded like tls-attempt.ts: each reply has its own deadline and the conversation one overall deadline
 * (so a server that drips bytes or never answers cannot hold it), what a reply may hold is the
 * reader's limit, bytes the server sends unasked are capped, and nothing it sends is read inside
 * a socket event without a guard: whatever throws ends the conversation, never the process.
 */
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { asErrno, connectionFailureOf, interrupted } from './tls-failure.js';
import type { EndpointFailure } from './tls-failure.js';
import { connectOptions, endpointLabel, TLS_TIMEOUT_MS } from './tls-attempt.js';
import type { TlsProbeOptions } from './tls-attempt.js';
import { discardSocket, guardWith } from './socket-events.js';

/** One step of reading a reply; judge/resp.ts's `RespReader` is one. */
export type ReplyStep<R> =
  | { readonly state: 'more' }
  | { readonly state: 'done'; readonly reply: R; readonly rest: Uint8Array }
  | { readonly state: 'invalid'; readonly reason: string };

/** Reads one reply from the bytes pushed to it. */
export interface ReplyReader<R> {
  push(chunk: Uint8Array): ReplyStep<R>;
}

/** Options of {@link converse}. */
export interface ConverseOptions<R> extends TlsProbeOptions {
  /** A new reader for each reply. */
  readonly newReader: () => ReplyReader<R>;
  /** Most commands sent on the connection; default {@link MAX_COMMANDS}. */
  readonly maxCommands?: number;
}

/** What a conversation came to: what the caller made of the replies, or why it ended early. */
export type ConversationOutcome<T> =
  | {
      readonly ok: true;
      readonly value: T;
      /** Negotiated TLS version. */
      readonly protocol: string | null;
      /** The address that answered. */
      readonly address?: string;
    }
  | { readonly ok: false; readonly failure: EndpointFailure };

/** Default most commands in one conversation. */
export const MAX_COMMANDS = 256;

/**
 * The whole conversation may last this many times the per-reply timeout: a few hundred quick
 * exchanges on a slow link fit, a server that answers each command just before its deadline does
 * not stretch the conversation without end.
 */
export const CONVERSATION_TIMEOUTS = 4;

/** Bytes a server may send before it is asked anything (a greeting Redis never sends). */
const MAX_UNASKED_BYTES = 64 * 1024;

/** Ends a conversation early: caught by {@link converse}, never seen by its caller. */
type Stop = Error & { readonly stop: EndpointFailure };

function stopWith(why: EndpointFailure): Stop {
  return Object.assign(new Error(why.reason), { stop: why });
}

function isStop(value: unknown): value is Stop {
  return value instanceof Error && 'stop' in value;
}

/** A command as a RESP array of bulk strings (what every Redis client sends). */
export function encodeCommand(command: readonly string[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from(`*${String(command.length)}\r\n`)];
  for (const argument of command) {
    const bytes = Buffer.from(argument, 'utf8');
    parts.push(Buffer.from(`$${String(bytes.length)}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Connects with TLS and lets `talk` send commands through `ask`, one at a time; the connection
 * is closed when `talk` returns or throws, on the first failure, on the deadlines and on abort.
 * Never rejects for what the server does: a refused connection, a handshake failure, a closed
 * connection, an invalid reply or a timeout is a failure of the outcome (and `ask` rejects
 * inside `talk` with something `talk` should let through).
 *
 * @example
 * ```ts
 * const outcome = await converse('127.0.0.1', 6380, { newReader: () => createRespReader() }, async (ask) => ask(['PING']));
 * ```
 */
export async function converse<R, T>(
  host: string,
  port: number,
  options: ConverseOptions<R>,
  talk: (ask: (command: readonly string[]) => Promise<R>) => Promise<T>,
): Promise<ConversationOutcome<T>> {
  const timeoutMs = options.timeoutMs ?? TLS_TIMEOUT_MS;
  const maxCommands = options.maxCommands ?? MAX_COMMANDS;
  const source = endpointLabel(host, port, options.address);
  let socket: TLSSocket | undefined;
  let failure: EndpointFailure | undefined;
  let secure = false;
  let unasked = 0;
  let pending: Uint8Array[] = [];
  let waiting:
    | {
        readonly reader: ReplyReader<R>;
        readonly command: string;
        readonly resolve: (reply: R) => void;
        readonly reject: (stop: Stop) => void;
        readonly timer: NodeJS.Timeout;
      }
    | undefined;
  let ready: { resolve: () => void; reject: (stop: Stop) => void } | undefined;
  let connectTimer: NodeJS.Timeout | undefined;

  // Read through functions: callbacks change them while the code below awaits.
  const failed = (): EndpointFailure | undefined => failure;
  const awaiting = (): boolean => waiting !== undefined;

  /** Ends the conversation with a failure: the socket is closed and whoever waits is told. */
  const fail = (why: EndpointFailure): void => {
    if (failure !== undefined) return;
    failure = why;
    close();
    const stop = stopWith(why);
    if (waiting !== undefined) {
      clearTimeout(waiting.timer);
      waiting.reject(stop);
      waiting = undefined;
    }
    ready?.reject(stop);
  };
  const close = (): void => {
    if (socket !== undefined) discardSocket(socket);
  };
  const fromError = (error: NodeJS.ErrnoException): EndpointFailure => {
    const classified = connectionFailureOf(error);
    if (error.code === 'ETIMEDOUT') return { code: 'TIMEOUT', reason: error.message };
    return classified;
  };
  /** Feeds bytes to the reader of the reply awaited. */
  const feed = (chunk: Uint8Array): void => {
    const current = waiting;
    if (current === undefined) {
      unasked += chunk.length;
      if (unasked > MAX_UNASKED_BYTES) {
        fail({
          code: 'REPLY_INVALID',
          reason: `the server sent more than ${String(MAX_UNASKED_BYTES)} bytes it was not asked for`,
        });
        return;
      }
      pending.push(chunk.slice());
      return;
    }
    const step = current.reader.push(chunk);
    if (step.state === 'more') return;
    if (step.state === 'invalid') {
      // While the ask still waits: fail() rejects it (and clears its deadline).
      fail({
        code: 'REPLY_INVALID',
        reason: `the reply to ${current.command} is not valid RESP: ${step.reason}`,
      });
      return;
    }
    clearTimeout(current.timer);
    waiting = undefined;
    unasked = step.rest.length;
    pending = step.rest.length > 0 ? [step.rest] : [];
    current.resolve(step.reply);
  };
  const guard = guardWith((error) => {
    fail(fromError(error));
  });

  const overall = setTimeout(() => {
    fail({
      code: 'TIMEOUT',
      reason: `the conversation took longer than ${String(timeoutMs * CONVERSATION_TIMEOUTS)} ms`,
    });
  }, timeoutMs * CONVERSATION_TIMEOUTS);
  const onAbort = (): void => {
    fail(connectionFailureOf(interrupted()));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let sent = 0;
  const ask = (command: readonly string[]): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const shown = command.slice(0, 2).join(' ');
      if (failure !== undefined) {
        reject(stopWith(failure));
        return;
      }
      if (waiting !== undefined || socket === undefined) {
        reject(
          stopWith({
            code: 'CONNECTION_FAILED',
            reason: 'a command was sent before the last reply came',
          }),
        );
        return;
      }
      if (++sent > maxCommands) {
        reject(
          stopWith({
            code: 'REPLY_INVALID',
            reason: `more than ${String(maxCommands)} commands on one connection`,
          }),
        );
        return;
      }
      const timer = setTimeout(() => {
        fail({ code: 'TIMEOUT', reason: `no reply to ${shown} within ${String(timeoutMs)} ms` });
      }, timeoutMs);
      waiting = { reader: options.newReader(), command: shown, resolve, reject, timer };
      const early = pending;
      pending = [];
      unasked = 0;
      socket.write(encodeCommand(command));
      // Bytes that came before the command: the first reply may have begun. Once they complete
      // it, the rest waits for the next command.
      for (const chunk of early) {
        if (awaiting()) feed(chunk);
        else pending.push(chunk);
      }
    });

  try {
    if (options.signal?.aborted === true) onAbort();
    else {
      await new Promise<void>((resolve, reject) => {
        ready = { resolve, reject };
        connectTimer = setTimeout(() => {
          fail({
            code: 'TIMEOUT',
            reason: `no TLS handshake with ${source} within ${String(timeoutMs)} ms`,
          });
        }, timeoutMs);
        const settled = (): void => {
          clearTimeout(connectTimer);
        };
        try {
          socket = tlsConnect(connectOptions(host, port, options));
        } catch (error) {
          settled();
          fail(fromError(asErrno(error)));
          return;
        }
        socket.once(
          'secureConnect',
          guard(() => {
            settled();
            secure = true;
            resolve();
          }),
        );
        socket.on(
          'data',
          guard((chunk: Buffer) => {
            feed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          }),
        );
        socket.once(
          'error',
          guard((error: NodeJS.ErrnoException) => {
            settled();
            fail(fromError(error));
          }),
        );
        socket.once(
          'close',
          guard(() => {
            settled();
            fail(
              secure
                ? {
                    code: 'CONNECTION_CLOSED',
                    reason:
                      'the server closed the connection without a reply (does it want a client certificate? give a client certificate and its key)',
                  }
                : {
                    code: 'CONNECTION_CLOSED',
                    reason: 'the server closed the connection during the TLS handshake',
                  },
            );
          }),
        );
      });
    }
    const before = failed();
    if (before !== undefined) return { ok: false, failure: before };
    const value = await talk(ask);
    // talk may have caught a failed ask and returned anyway: the conversation still failed.
    const after = failed();
    if (after !== undefined) return { ok: false, failure: after };
    const address = socket?.remoteAddress;
    return {
      ok: true,
      value,
      protocol: socket?.getProtocol() ?? null,
      ...(address === undefined ? {} : { address }),
    };
  } catch (error) {
    if (isStop(error)) return { ok: false, failure: error.stop };
    throw error;
  } finally {
    clearTimeout(overall);
    clearTimeout(connectTimer);
    options.signal?.removeEventListener('abort', onAbort);
    if (waiting !== undefined) clearTimeout(waiting.timer);
    close();
  }
}
