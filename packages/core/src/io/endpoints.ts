/**
 * Many endpoints at once: their syntax (`HOST:PORT`, a list of them, curl-style `--resolve`
 * pins), resolving a name to every address it has, and a bounded pool that works on at most N of
 * them at a time.
 *
 * Resources are bounded whatever the number of endpoints: the pool holds at most `concurrency`
 * tasks (so at most that many sockets: each task opens one connection at a time), starts no new
 * task once aborted or once a task has thrown, and returns only when every task it started has
 * ended, so that no socket outlives the run. What grows with the number of endpoints is the list
 * given and the results kept.
 */
import { lookup } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../defaults.js';
import { CertkitError } from '../errors.js';
import { isDnsName } from '../x509/dns-name.js';
import { parseIpAddress } from '../x509/ip.js';

/** A `HOST:PORT` endpoint. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Most endpoints in one run (arguments and list file together, after duplicates are dropped):
 * every endpoint's result (its certificates) is kept for the report, a few KiB each.
 */
export const MAX_ENDPOINTS = 100_000;

/** Longest line of an endpoint list: a host name is at most 253 octets (RFC 1035 section 2.3.4). */
const MAX_ENDPOINT_LINE = 1024;

/** At most this much of a bad value is quoted in an error message. */
const QUOTED = 80;

function quoted(text: string): string {
  return text.length <= QUOTED
    ? `"${text}"`
    : `"${text.slice(0, QUOTED)}…" (${String(text.length)} characters)`;
}

const ENDPOINT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/;

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` when it is not an endpoint
 *
 * @example
 * ```ts
 * parseEndpoint('redis-12000.cluster.example.com:12000'); // { host: 'redis-12000.cluster.example.com', port: 12000 }
 * parseEndpoint('[::1]:6380'); // { host: '::1', port: 6380 }
 * ```
 */
export function parseEndpoint(text: string): Endpoint {
  const match = text.length > MAX_ENDPOINT_LINE ? null : ENDPOINT.exec(text);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CertkitError(
      'INVALID_OPTION',
      `endpoint must look like HOST:PORT or [IPv6]:PORT with a port from 1 to 65535, got ${quoted(text)}`,
    );
  }
  return { host, port };
}

/**
 * The endpoint `text` names when it is `HOST:PORT` (or `[IPv6]:PORT`) whose host is a DNS name or
 * an IP address; undefined otherwise (a file name such as `./a:1` or `cert.pem`).
 */
export function endpointTarget(text: string): Endpoint | undefined {
  try {
    const endpoint = parseEndpoint(text);
    return parseIpAddress(endpoint.host) !== null || isDnsName(endpoint.host)
      ? endpoint
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses an endpoint list: one `HOST:PORT` a line; blank lines, and everything from a `#` to the
 * end of its line, are ignored. Bad lines are errors naming the list and the line.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a line that is not an endpoint, or a list of
 * more than {@link MAX_ENDPOINTS}
 *
 * @example
 * ```ts
 * parseEndpointList('# cluster A\nredis-12000.a.example.com:12000\n10.0.0.5:12001  # node 2\n', 'fleet.txt');
 * ```
 */
export function parseEndpointList(text: string, source: string): Endpoint[] {
  const endpoints: Endpoint[] = [];
  let number = 0;
  for (const raw of text.split('\n')) {
    number++;
    const hash = raw.indexOf('#');
    const value = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (value.length === 0) continue;
    try {
      endpoints.push(parseEndpoint(value));
    } catch (error) {
      throw new CertkitError(
        'INVALID_OPTION',
        `line ${String(number)} of ${source}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (endpoints.length > MAX_ENDPOINTS) throw tooManyEndpoints(`${source} lists`);
  }
  return endpoints;
}

/** The error for a run of more than {@link MAX_ENDPOINTS} endpoints. */
export function tooManyEndpoints(what: string): CertkitError {
  return new CertkitError(
    'INVALID_OPTION',
    `${what} more than ${String(MAX_ENDPOINTS)} endpoints; certkit works on at most ${String(MAX_ENDPOINTS)} in one run (split the list)`,
  );
}

/** `HOST:PORT:ADDR[,ADDR…]`: the addresses to use for one host and port, instead of DNS. */
export interface ResolvePin {
  /** Lower case, without a trailing dot: as names are compared. */
  readonly host: string;
  readonly port: number;
  /** IP addresses, in the order given. */
  readonly addresses: readonly string[];
}

/** How a host name is compared: ASCII lower case (RFC 4343), no trailing dot. */
function hostKey(host: string): string {
  const lower = host.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Parses a pin as curl's `--resolve` takes it: `HOST:PORT:ADDR[,ADDR…]`, addresses IPv4 or IPv6
 * (with or without brackets). curl's `+` (expiring) and `-` (removing) forms mean nothing here
 * and are refused.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for anything else
 *
 * @example
 * ```ts
 * parseResolvePin('redis-12000.cluster.example.com:12000:10.0.0.5,10.0.0.6');
 * ```
 */
export function parseResolvePin(text: string): ResolvePin {
  const bad = (why: string): CertkitError =>
    new CertkitError(
      'INVALID_OPTION',
      `a pinned address must look like HOST:PORT:ADDR[,ADDR…] (curl's syntax): ${why}, got ${quoted(text)}`,
    );
  if (text.length > MAX_ENDPOINT_LINE * 8) throw bad('too long');
  const first = text.indexOf(':');
  const second = first === -1 ? -1 : text.indexOf(':', first + 1);
  if (second === -1) throw bad('HOST, PORT and addresses are separated by colons');
  const host = text.slice(0, first);
  const portText = text.slice(first + 1, second);
  if (host.length === 0 || /[\s[\]]/.test(host) || host.startsWith('+') || host.startsWith('-')) {
    throw bad('HOST must be a host name');
  }
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    throw bad('PORT must be from 1 to 65535');
  }
  const addresses: string[] = [];
  for (const piece of text.slice(second + 1).split(',')) {
    const trimmed = piece.trim();
    const address =
      trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
    if (isIP(address) === 0) throw bad(`${quoted(address)} is not an IP address`);
    if (!addresses.includes(address)) addresses.push(address);
  }
  return { host: hostKey(host), port, addresses };
}

/** Pins by `host:port`, for {@link pinnedAddresses}. */
export type ResolvePins = ReadonlyMap<string, readonly string[]>;

/**
 * Parses every pin, keyed by host and port.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad pin, or one host and port pinned twice
 */
export function parseResolvePins(texts: readonly string[]): ResolvePins {
  const pins = new Map<string, readonly string[]>();
  for (const text of texts) {
    const pin = parseResolvePin(text);
    const key = `${pin.host}:${String(pin.port)}`;
    if (pins.has(key)) {
      throw new CertkitError(
        'INVALID_OPTION',
        `${key} is pinned twice; give all its addresses in one HOST:PORT:ADDR,ADDR…`,
      );
    }
    pins.set(key, pin.addresses);
  }
  return pins;
}

/** The addresses pinned for an endpoint, if any. */
export function pinnedAddresses(
  pins: ResolvePins,
  endpoint: Endpoint,
): readonly string[] | undefined {
  return pins.get(`${hostKey(endpoint.host)}:${String(endpoint.port)}`);
}

/** What a name resolved to: its addresses, or an error code (`ENOTFOUND`, `ETIMEDOUT`, …). */
export type Resolution =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly error: NodeJS.ErrnoException };

/**
 * Every address of a host (A and AAAA, through the system resolver as connections use it, so
 * /etc/hosts counts), in the resolver's order, within `timeoutMs`. An IP literal is its own
 * address. Never rejects.
 */
export async function resolveAllAddresses(
  host: string,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<Resolution> {
  if (isIP(host) !== 0) return { ok: true, addresses: [host] };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<Resolution>((resolve) => {
    const fail = (code: string, message: string): void => {
      resolve({ ok: false, error: Object.assign(new Error(message), { code }) });
    };
    timer = setTimeout(() => {
      fail('ETIMEDOUT', `no answer within ${String(options.timeoutMs)} ms`);
    }, options.timeoutMs);
    onAbort = () => {
      fail('ABORT_ERR', 'interrupted');
    };
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  // getaddrinfo cannot be cancelled: a lookup that outlives the deadline ends on its own.
  const found = lookup(host, { all: true, verbatim: true }).then(
    (answers): Resolution => {
      const addresses: string[] = [];
      for (const answer of answers) {
        if (!addresses.includes(answer.address)) addresses.push(answer.address);
      }
      return addresses.length === 0
        ? { ok: false, error: Object.assign(new Error('no address'), { code: 'ENOTFOUND' }) }
        : { ok: true, addresses };
    },
    (error: unknown): Resolution => ({
      ok: false,
      error: error instanceof Error ? error : new Error(String(error)),
    }),
  );
  try {
    return await Promise.race([found, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Options of {@link runBounded}. */
export interface BoundedOptions<R> {
  /** Most tasks at once, 1 to {@link MAX_CONCURRENCY}. */
  readonly concurrency: number;
  /** Start no new task once aborted; the tasks get a signal that is aborted too. */
  readonly signal?: AbortSignal;
  /** Called as each task ends, in the order they end. */
  readonly onSettled?: (index: number, result: R) => void;
}

/** What {@link runBounded} did: a result per task that ran (`undefined` for one never started). */
export interface BoundedRun<R> {
  readonly results: readonly (R | undefined)[];
  /** How many tasks were started. */
  readonly started: number;
  /** The caller's signal was aborted (some tasks may have ended early, some never started). */
  readonly interrupted: boolean;
}

/**
 * Checks a concurrency (JavaScript callers can pass anything).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` unless an integer from 1 to {@link MAX_CONCURRENCY}
 */
export function checkConcurrency(concurrency: number | undefined): number {
  const value = concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new CertkitError(
      'INVALID_OPTION',
      `concurrency must be a whole number from 1 to ${String(MAX_CONCURRENCY)}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Runs `work` on every item, at most `concurrency` at a time, in the order given (results come
 * back in that order whatever order they end in). Once `signal` is aborted no new task starts,
 * and the running ones see it through the signal they are given. When a task throws, no new
 * task starts, the others are aborted, and the error is rethrown once every one has ended: no
 * task (and so no socket) outlives the call.
 *
 * @example
 * ```ts
 * const { results } = await runBounded(endpoints, (e, i, signal) => tryFetchPresentedChain(e.host, e.port, { signal }), { concurrency: 16 });
 * ```
 */
export async function runBounded<T, R>(
  items: readonly T[],
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  options: BoundedOptions<R>,
): Promise<BoundedRun<R>> {
  const concurrency = checkConcurrency(options.concurrency);
  const failed = new AbortController();
  const signal =
    options.signal === undefined ? failed.signal : AbortSignal.any([options.signal, failed.signal]);
  // Each running task listens to it (one connection each): more than Node's default of 10 is
  // expected, not a leak, and must not print a warning.
  setMaxListeners(concurrency + 1, signal);
  const results: (R | undefined)[] = Array.from({ length: items.length }, () => undefined);
  let next = 0;
  let thrown: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      try {
        const result = await work(items[index] as T, index, signal);
        results[index] = result;
        options.onSettled?.(index, result);
      } catch (error) {
        thrown ??= { error };
        failed.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (thrown !== undefined) throw thrown.error;
  return { results, started: next, interrupted: options.signal?.aborted === true };
}
