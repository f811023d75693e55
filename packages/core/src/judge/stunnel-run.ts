/**
 * What `certs stunnel test` decides without running anything: which service it tests and where
 * to send `PING` (the first service's `accept`), and which lines of stunnel's log explain the
 * outcome. Running stunnel is workflows/stunnel-test.ts; the configuration it runs is made by
 * make/stunnel-run-config.ts.
 */
import { CertkitError, isCertkitError } from '../errors.js';
import { escapedText, stunnelAddress, stunnelOptionKey } from '../x509/stunnel-syntax.js';
import type { ParsedStunnelConfig } from '../x509/stunnel-syntax.js';

/** The service `certs stunnel test` sends `PING` through. */
export interface StunnelTestTarget {
  /** The service name (its `[section]`). */
  readonly service: string;
  /** Where to connect: the accept host (loopback for `PORT` alone or a wildcard address). */
  readonly host: string;
  readonly port: number;
  /** The accept value as written. */
  readonly accept: string;
}

/** Addresses stunnel listens on everywhere: the test connects over loopback instead. */
const WILDCARDS: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '::': '::1' };

/**
 * The first service of a configuration with an `accept` (its own, or the global default), and
 * the address to connect to for it.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` when no service accepts connections, or its
 * `accept` is not an address
 *
 * @example
 * ```ts
 * const target = stunnelTestTarget(parseStunnelConfig(text), 'redislabs.conf'); // { service: 'redislabs', host: '127.0.0.1', port: 6379, … }
 * ```
 */
export function stunnelTestTarget(parsed: ParsedStunnelConfig, source: string): StunnelTestTarget {
  const [globals, ...services] = parsed.sections;
  const globalAccept = globals?.options.findLast((o) => stunnelOptionKey(o.name) === 'accept');
  for (const service of services) {
    const own = service.options.findLast((o) => stunnelOptionKey(o.name) === 'accept');
    const accept = own ?? globalAccept;
    if (accept === undefined) continue;
    let address;
    try {
      address = stunnelAddress('accept', accept.value);
    } catch (error) {
      if (!isCertkitError(error)) throw error;
      throw new CertkitError(
        'INVALID_OPTION',
        `${source}: [${escapedText(service.name ?? '')}] ${escapedText(error.message, Infinity)}`,
      );
    }
    const host = address.host?.host;
    return {
      service: service.name ?? '',
      host: host === undefined ? '127.0.0.1' : (WILDCARDS[host] ?? host),
      port: address.port,
      accept: accept.value,
    };
  }
  throw new CertkitError(
    'INVALID_OPTION',
    `${source} has no service with an accept address: there is nothing to send PING through`,
  );
}

/** stunnel's log levels (syslog's): 0 emerg … 3 err, 4 warning, 5 notice, 6 info, 7 debug. */
const LOG_LINE = /^(?:\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d )?LOG(\d)\[[^\]]{0,40}\]: (.*)$/;

/** How the run configuration differs from the user's, so that messages point at the user's. */
export interface StunnelRunMapping {
  /** The configuration file stunnel read (the temporary one). */
  readonly runPath: string;
  /** The user's file. */
  readonly userPath: string;
  /** Lines added before the user's first line. */
  readonly addedLines: number;
}

/** A message of stunnel's with the temporary file named as the user's, and its line numbers. */
function mapped(text: string, mapping: StunnelRunMapping): string {
  const userLine = (number: string): string => {
    const line = Number(number) - mapping.addedLines;
    return String(line >= 1 ? line : Number(number));
  };
  // "/tmp/…/stunnel.conf:10: …" (stunnel 5.68's form) and "… line 10 …": the user's line is
  // the line minus those added before it.
  const pieces = text.split(mapping.runPath);
  const out = pieces
    .map((piece, i) =>
      i === 0 ? piece : piece.replace(/^:(\d{1,7}):/, (_whole, n: string) => `:${userLine(n)}:`),
    )
    .join(mapping.userPath);
  return out.replace(/\bline (\d{1,7})\b/g, (_whole, n: string) => `line ${userLine(n)}`);
}

/**
 * The lines of stunnel's output that explain an outcome: every error and warning (LOG0 to
 * LOG4: `Rejected by CERT at depth=1`, `SSL_connect: … certificate verify failed`, `tlsv1 alert
 * unknown ca`, configuration errors), each once, in order; when there are none (and not
 * `errorsOnly`), the last notices of the connection (`Connection closed/reset`). Before its log
 * is set up (configuration errors) stunnel prints `[!]` errors, kept, and `[.]`/`[ ]` notices,
 * left out; other lines (a passphrase prompt) are kept. Every line is escaped for a terminal and
 * names the user's file, not the temporary one.
 *
 * @example
 * ```ts
 * explainStunnelLog(logText, mapping); // ['LOG4: Rejected by CERT at depth=0: CN=cluster.test', …]
 * ```
 */
export function explainStunnelLog(
  text: string,
  mapping: StunnelRunMapping,
  options: { errorsOnly?: boolean } = {},
): string[] {
  const important: string[] = [];
  const notices: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line.length === 0) continue;
    const match = LOG_LINE.exec(line);
    // "LOG4: …", without the timestamp and the connection number: what the readiness probe's
    // connection and the PING's connection both logged is shown once.
    const message = match === null ? line : `LOG${match[1] ?? ''}: ${match[2] ?? ''}`;
    const shown = escapedText(mapped(message, mapping), Infinity);
    // Before its log is set up, stunnel marks lines "[!]" (error), "[.]" (notice), "[ ]" (debug).
    if (match === null && (line.startsWith('[ ]') || line.startsWith('[.]'))) continue;
    if (seen.has(shown)) continue;
    seen.add(shown);
    if (match === null || Number(match[1]) <= 4) important.push(shown);
    else if (Number(match[1]) === 5 && !line.includes('[ui]')) notices.push(shown);
  }
  // Bounded: a flood of log lines is cut to the first errors and the last notices.
  if (important.length > 0 || options.errorsOnly === true) return important.slice(0, 40);
  return notices.slice(-5);
}
