/**
 * The configuration `certs stunnel test` runs: the user's file byte for byte, except that it runs
 * in the foreground, writes no pid file, logs to a file of the test's own and not to syslog. The
 * user's `foreground`, `pid`, `output` and `syslog` lines of the global section are turned into
 * comments (stunnel takes the last value of an option, so they would win over any added before
 * them), and the test's own lines are added first. Nothing else changes: services, paths
 * (resolved from the same folder), includes and every other option are the user's.
 */
import { stunnelOptionKey, stunnelPath } from '../x509/stunnel-syntax.js';
import type { ParsedStunnelConfig } from '../x509/stunnel-syntax.js';

/** Global options the test sets itself. */
const OVERRIDDEN = new Set(['foreground', 'pid', 'output', 'syslog']);

/** A configuration to run, and how many lines were added before the user's first. */
export interface StunnelRunConfig {
  readonly bytes: Uint8Array;
  readonly addedLines: number;
}

/**
 * Makes the run configuration from the user's bytes and their parse.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` when `logPath` is not a path stunnel can take
 *
 * @example
 * ```ts
 * const run = stunnelRunConfig(bytes, parseStunnelConfig(bytes), { logPath: '/tmp/certs-x/stunnel.log' });
 * ```
 */
export function stunnelRunConfig(
  bytes: Uint8Array,
  parsed: ParsedStunnelConfig,
  options: { logPath: string },
): StunnelRunConfig {
  const header = [
    '; certs stunnel test: run in the foreground, no pid file, log to a file of the test',
    'foreground = yes',
    'pid =',
    `output = ${stunnelPath('output', options.logPath)}`,
    'syslog = no',
  ];
  const replaced = new Set<number>();
  for (const option of parsed.sections[0]?.options ?? []) {
    if (OVERRIDDEN.has(stunnelOptionKey(option.name))) replaced.add(option.line);
  }
  // A UTF-8 byte order mark counts only as the file's first bytes: it stays first.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // Lines as stunnel splits them (LF only), each kept byte for byte unless replaced.
  const pieces: Uint8Array[] = [
    ...(bom ? [bytes.subarray(0, 3)] : []),
    Buffer.from(`${header.join('\n')}\n`),
  ];
  let start = bom ? 3 : 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const end = i < bytes.length ? i + 1 : i;
    pieces.push(
      replaced.has(line)
        ? Buffer.from(`; (replaced by certs stunnel test)${i < bytes.length ? '\n' : ''}`)
        : bytes.subarray(start, end),
    );
    start = end;
    line++;
  }
  return { bytes: Buffer.concat(pieces), addedLines: header.length };
}
