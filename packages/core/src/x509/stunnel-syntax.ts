/**
 * How stunnel 5.x reads a configuration file, byte for byte, and the typed, bounded values
 * certkit writes into one.
 *
 * stunnel 5.68 (src/file.c `file_getline`, src/options.c `options_file`) reads a line into a
 * 16,384-byte buffer: at most 16,383 bytes, and the rest of a longer line is read as further
 * lines. It deletes every CR wherever it stands (so CRLF line ends work, and a lone CR joins what
 * follows it to its line: behind a `;` it turns an option into comment), ends a line at LF only,
 * and sees a line only up to its first NUL (C strings). A UTF-8 byte-order mark is skipped at
 * the start of the file. Leading and trailing whitespace (C `isspace`: space, \t \n \v \f \r) is
 * removed; an empty line, or one starting with `;` or `#`, is a comment; a line that starts with
 * `[` and ends with `]` opens a section named by what is between (not trimmed); any other line is
 * split at its first `=` into a name (matched without regard to ASCII case) and a value, each
 * trimmed. `include = DIR` reads every regular file of DIR, in name order, at that point.
 * Measured against /usr/bin/stunnel 5.68 (test/hardening/stunnel-*.test.ts).
 */
import { CertkitError } from '../errors.js';
import { isDnsName } from './dns-name.js';
import { parseIpAddress } from './ip.js';

/** stunnel's CONFLINELEN (16,384) less the NUL: the longest line it reads whole (options.c). */
export const STUNNEL_MAX_LINE_BYTES = 16_383;
/** Linux PATH_MAX (4,096, limits.h) less the NUL: the longest path the kernel takes whole. */
export const STUNNEL_MAX_PATH_BYTES = 4_095;
/** Most problems {@link parseStunnelConfig} lists (one more says how many it left out). */
export const STUNNEL_MAX_PARSE_PROBLEMS = 100;
/** Most sections and options {@link parseStunnelConfig} keeps; past them it reports a problem. */
export const STUNNEL_MAX_ENTRIES = 100_000;
/** Longest service name written: a log and a systemd unit show it; 64 is plenty. */
export const STUNNEL_MAX_SERVICE_NAME = 64;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const EQUALS = 0x3d;

/** C `isspace` in the C locale: space, \t, \n, \v, \f, \r. */
function isCSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** One `name = value` line of a stunnel configuration. */
export interface StunnelOption {
  /** The option name as written (stunnel matches it without regard to ASCII case). */
  readonly name: string;
  readonly value: string;
  /** 1-based line number (LF-separated lines of the file). */
  readonly line: number;
}

/** The global section (`name: null`) or a `[service]`. */
export interface StunnelSection {
  readonly name: string | null;
  readonly line: number;
  readonly options: readonly StunnelOption[];
}

/** Something stunnel reads differently from what the file seems to say, or cannot read. */
export interface StunnelParseProblem {
  readonly code: 'STUNNEL_SYNTAX' | 'STUNNEL_LONE_CR' | 'STUNNEL_LINE_TOO_LONG';
  readonly line: number;
  /** Says what is wrong without quoting the line (it could be key material). */
  readonly message: string;
}

/** What {@link parseStunnelConfig} read. */
export interface ParsedStunnelConfig {
  readonly sections: readonly StunnelSection[];
  readonly problems: readonly StunnelParseProblem[];
  /** The first PEM `-----BEGIN …-----` line, if any: the input is not a configuration. */
  readonly pemBlock: { readonly label: string; readonly line: number } | null;
}

/** ASCII-only lower case: stunnel compares option names with `strcasecmp` (C locale). */
export function stunnelOptionKey(name: string): string {
  let key = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    key += code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : name.charAt(i);
  }
  return key;
}

// ignoreBOM: a BOM that is not the file's first bytes is part of the text, as for stunnel.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const PEM_BEGIN = new TextEncoder().encode('-----BEGIN ');

function startsWith(bytes: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * Parses a stunnel configuration exactly as stunnel 5.68 reads it (see the module comment), in
 * one pass over the bytes. Lines stunnel would cut, lone CRs and NUL bytes come back as
 * `problems`, as do lines that are neither options, sections nor comments; no problem quotes
 * the input. Bounded: a line is cut at 16,383 bytes as stunnel cuts it, at most 100,000
 * sections and options and 100 problems are kept.
 *
 * @example
 * ```ts
 * const { sections, problems } = parseStunnelConfig('[redislabs]\nclient = yes\n');
 * ```
 */
export function parseStunnelConfig(input: string | Uint8Array): ParsedStunnelConfig {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const sections: { name: string | null; line: number; options: StunnelOption[] }[] = [
    { name: null, line: 0, options: [] },
  ];
  const problems: StunnelParseProblem[] = [];
  // A hostile file can make every line a problem: list the first ones, count the rest.
  let unlisted = 0;
  // Sections and options kept: memory stays a small multiple of the limit, not of the input.
  let entries = 0;
  let unread = 0;
  const addProblem = (problem: StunnelParseProblem): void => {
    if (problems.length < STUNNEL_MAX_PARSE_PROBLEMS) problems.push(problem);
    else unlisted++;
  };
  let pemBlock: ParsedStunnelConfig['pemBlock'] = null;
  // The line stunnel is reading, CRs deleted; never more than it reads at once.
  const chunk = new Uint8Array(STUNNEL_MAX_LINE_BYTES);
  let length = 0;
  let firstChunk = true;
  let line = 1;
  let chunkLine = 1;
  let lineBytes = 0;
  let loneCrReported = false;

  const emit = (): void => {
    let start = 0;
    // stunnel skips a BOM on its line 1 only, even when that line is empty.
    if (firstChunk && length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
      start = 3;
    firstChunk = false;
    // Only this line's bytes: the buffer's tail holds a longer earlier line.
    let end = chunk.subarray(0, length).indexOf(NUL);
    if (end < 0) end = length;
    else {
      addProblem({
        code: 'STUNNEL_SYNTAX',
        line: chunkLine,
        message: `line ${String(chunkLine)} holds a NUL byte: stunnel ignores the rest of the line`,
      });
    }
    while (start < end && isCSpace(chunk[start] ?? 0)) start++;
    while (end > start && isCSpace(chunk[end - 1] ?? 0)) end--;
    const first = chunk[start];
    if (start === end || first === 0x3b /* ; */ || first === 0x23 /* # */) return;
    if (pemBlock === null && startsWith(chunk, start, end, PEM_BEGIN)) {
      let labelEnd = end;
      while (labelEnd > start + PEM_BEGIN.length && chunk[labelEnd - 1] === 0x2d /* - */)
        labelEnd--;
      if (end - labelEnd >= 5) {
        pemBlock = {
          label: decoder.decode(chunk.subarray(start + PEM_BEGIN.length, labelEnd)),
          line: chunkLine,
        };
      }
    }
    if (entries === STUNNEL_MAX_ENTRIES) {
      unread++;
      return;
    }
    entries++;
    if (first === 0x5b /* [ */ && chunk[end - 1] === 0x5d /* ] */ && end - start >= 2) {
      sections.push({
        name: decoder.decode(chunk.subarray(start + 1, end - 1)),
        line: chunkLine,
        options: [],
      });
      return;
    }
    const equals = chunk.subarray(start, end).indexOf(EQUALS);
    if (equals < 0) {
      entries--;
      addProblem({
        code: 'STUNNEL_SYNTAX',
        line: chunkLine,
        message: `line ${String(chunkLine)} is neither "option = value", "[service]" nor a comment (no "=")`,
      });
      return;
    }
    let nameEnd = start + equals;
    while (nameEnd > start && isCSpace(chunk[nameEnd - 1] ?? 0)) nameEnd--;
    let valueStart = start + equals + 1;
    while (valueStart < end && isCSpace(chunk[valueStart] ?? 0)) valueStart++;
    sections.at(-1)?.options.push({
      name: decoder.decode(chunk.subarray(start, nameEnd)),
      value: decoder.decode(chunk.subarray(valueStart, end)),
      line: chunkLine,
    });
  };

  const endLine = (): void => {
    if (lineBytes > STUNNEL_MAX_LINE_BYTES) {
      addProblem({
        code: 'STUNNEL_LINE_TOO_LONG',
        line,
        message: `line ${String(line)} is ${String(lineBytes)} bytes long: stunnel reads at most ${String(STUNNEL_MAX_LINE_BYTES)} bytes of a line and takes the rest as further lines (sections and options of their own)`,
      });
    }
  };

  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === CR) {
      // Deleted wherever it stands. One followed (after any more CRs) by anything but LF or
      // the end joins what follows to this line, which another reader would take for two.
      let next = i + 1;
      while (bytes[next] === CR) next++;
      i = next - 1; // the whole run of CRs at once: each byte is looked at once
      if (next < bytes.length && bytes[next] !== LF && !loneCrReported) {
        loneCrReported = true;
        addProblem({
          code: 'STUNNEL_LONE_CR',
          line,
          message: `line ${String(line)} holds a carriage return (CR) that no line feed follows: stunnel deletes it and reads what follows as part of the same line (behind ";" or "#", as comment); end lines with LF or CRLF`,
        });
      }
      continue;
    }
    if (byte === LF) {
      emit(); // an empty line is a line too (it makes the next one not the first)
      endLine();
      length = 0;
      lineBytes = 0;
      loneCrReported = false;
      line++;
      chunkLine = line;
      continue;
    }
    if (length === STUNNEL_MAX_LINE_BYTES) {
      emit();
      length = 0;
      chunkLine = line;
    }
    chunk[length++] = byte;
    lineBytes++;
  }
  if (length > 0) emit();
  endLine();
  if (unread > 0) {
    addProblem({
      code: 'STUNNEL_SYNTAX',
      line,
      message: `the file holds ${String(STUNNEL_MAX_ENTRIES + unread)} sections and options; lint read the first ${String(STUNNEL_MAX_ENTRIES)} (stunnel reads them all)`,
    });
  }
  if (unlisted > 0) {
    problems.push({
      code: 'STUNNEL_SYNTAX',
      line,
      message: `and ${String(unlisted)} more lines stunnel would not read as written (the first ${String(STUNNEL_MAX_PARSE_PROBLEMS)} are listed)`,
    });
  }
  return { sections, problems, pemBlock };
}

function escape(value: string, max: number): { text: string; cut: boolean } {
  let text = '';
  let count = 0;
  for (const char of value) {
    if (count === max) return { text: `${text}…`, cut: true };
    const code = char.codePointAt(0) ?? 0;
    text +=
      code < 0x20 || (code >= 0x7f && code <= 0x9f)
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : char;
    count++;
  }
  return { text, cut: false };
}

/** Text for a message: control characters escaped (`\\x1b`), at most `max` characters kept. */
export function escapedText(value: string, max = 80): string {
  return escape(value, max).text;
}

/** A value for a message: {@link escapedText}, with the length of a shortened one. */
export function shownText(value: string): string {
  const { text, cut } = escape(value, 80);
  return cut ? `${text} (${String(value.length)} characters)` : text;
}

/** {@link shownText} in quotes. */
export function shownValue(value: string): string {
  const { text, cut } = escape(value, 80);
  return cut ? `"${text}" (${String(value.length)} characters)` : `"${text}"`;
}

function invalid(option: string, value: string, why: string): CertkitError {
  return new CertkitError('INVALID_OPTION', `${option} ${shownValue(value)} ${why}`);
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function hasUnpairedSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}

const utf8Length = (value: string): number => Buffer.byteLength(value, 'utf8');

/**
 * A file path stunnel reads back as written: 1 to {@link STUNNEL_MAX_PATH_BYTES} UTF-8 bytes,
 * no control characters (C0, DEL, C1), no whitespace at either end (stunnel trims values),
 * no unpaired UTF-16 surrogate (it cannot be written as UTF-8).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming the option
 */
export function stunnelPath(option: string, value: string): string {
  if (value.length === 0) throw invalid(option, value, 'is empty');
  if (value.length > STUNNEL_MAX_PATH_BYTES || utf8Length(value) > STUNNEL_MAX_PATH_BYTES) {
    throw invalid(
      option,
      value,
      `is longer than ${String(STUNNEL_MAX_PATH_BYTES)} bytes (PATH_MAX)`,
    );
  }
  if (hasControlCharacter(value)) {
    throw invalid(
      option,
      value,
      'holds a control character; stunnel would not read it back as written',
    );
  }
  if (hasUnpairedSurrogate(value)) throw invalid(option, value, 'is not valid Unicode');
  if (isCSpace(value.charCodeAt(0)) || isCSpace(value.charCodeAt(value.length - 1))) {
    throw invalid(option, value, 'starts or ends with a space, which stunnel would drop');
  }
  return value;
}

/** What a host value is: a DNS name, or an IP address (IPv6 without brackets). */
export interface StunnelHost {
  readonly kind: 'dns' | 'ip';
  readonly host: string;
}

const DNS_NAME_RULE =
  'letters, digits and inner hyphens in dot-separated labels of at most 63 octets, 253 in all';

/**
 * A host: a DNS name (at most 253 octets of LDH labels, RFC 1123 section 2.1; no trailing dot)
 * or an IPv4 / IPv6 address (brackets around IPv6 are dropped).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming the option
 */
export function stunnelHost(option: string, value: string): StunnelHost {
  // Bounded before anything else looks at it: the longest IPv6 text is 45 characters.
  if (value.length > 253)
    throw invalid(option, value, `is longer than 253 octets (${DNS_NAME_RULE})`);
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (parseIpAddress(bare) !== null) return { kind: 'ip', host: bare };
  if (bare === value && !value.endsWith('.') && isDnsName(value))
    return { kind: 'dns', host: value };
  throw invalid(option, value, `is neither an IP address nor a DNS name (${DNS_NAME_RULE})`);
}

/** A DNS name (what {@link stunnelHost} takes, IP addresses excluded): SNI and the like. */
export function stunnelDnsName(option: string, value: string): string {
  const host = stunnelHost(option, value);
  if (host.kind !== 'dns') {
    throw invalid(option, value, 'is an IP address; it must be a DNS name (RFC 6066 section 3)');
  }
  return host.host;
}

/**
 * A TCP port, 1 to 65535, in decimal.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming the option
 */
export function stunnelPort(option: string, value: string): number {
  const port = value.length <= 5 && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) throw invalid(option, value, 'is not a port from 1 to 65535');
  return port;
}

/** An address as stunnel's `accept` and `connect` read it: `HOST:PORT`, or `PORT` alone. */
export interface StunnelAddress {
  /** Absent for `PORT` alone (stunnel then listens on every interface, or connects to localhost). */
  readonly host?: StunnelHost;
  readonly port: number;
  /** As stunnel takes it: `HOST:PORT` split at the last colon, IPv6 without brackets. */
  readonly text: string;
}

/**
 * An endpoint, `HOST:PORT` (IPv6 as `::1:6379` or `[::1]:6379`), written back as stunnel 5.68
 * reads it: split at the last colon, no brackets (it resolves `[::1]` as a name, and fails).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming the option
 */
export function stunnelEndpoint(
  option: string,
  value: string,
): StunnelAddress & { readonly host: StunnelHost } {
  // A host is at most 253 octets; brackets, the colon and five digits come on top.
  if (value.length > 253 + 8) {
    throw invalid(option, value, 'is too long for HOST:PORT (a host name is at most 253 octets)');
  }
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw invalid(option, value, 'must be HOST:PORT');
  const host = stunnelHost(option, value.slice(0, colon));
  const port = stunnelPort(option, value.slice(colon + 1));
  return { host, port, text: `${host.host}:${String(port)}` };
}

/**
 * A local address: `PORT` alone, or an endpoint as {@link stunnelEndpoint} takes it.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming the option
 */
export function stunnelAddress(option: string, value: string): StunnelAddress {
  if (value.includes(':')) return stunnelEndpoint(option, value);
  const port = stunnelPort(option, value);
  return { port, text: String(port) };
}

/**
 * A service (section) name: 1 to {@link STUNNEL_MAX_SERVICE_NAME} letters, digits, `.`, `_`
 * or `-`.
 *
 * @throws {@link CertkitError} `INVALID_OPTION`
 */
export function stunnelServiceName(value: string): string {
  if (
    value.length === 0 ||
    value.length > STUNNEL_MAX_SERVICE_NAME ||
    !/^[A-Za-z0-9._-]+$/.test(value)
  ) {
    throw invalid(
      'service name',
      value,
      `must be 1 to ${String(STUNNEL_MAX_SERVICE_NAME)} letters, digits, ".", "_" or "-"`,
    );
  }
  return value;
}

/** UTF-8 length of a rendered line, for the {@link STUNNEL_MAX_LINE_BYTES} bound. */
export function stunnelLineBytes(line: string): number {
  return utf8Length(line);
}
