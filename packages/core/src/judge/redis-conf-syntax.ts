/**
 * A redis.conf (or valkey.conf) read exactly as redis-server 7 reads it (src/config.c
 * `loadServerConfig` and `loadServerConfigFromString`, src/sds.c `sdssplitargs`), in one pass
 * over the bytes:
 *
 * - The file is read with `fgets` into a 1,024-byte buffer and appended as a C string: a NUL
 *   byte drops the rest of that 1,024-byte piece, the line end too when it falls inside it (the
 *   next line then joins this one).
 * - Lines are split at LF; each is trimmed of space, \t, \r and \n at both ends. An empty line,
 *   or one whose first character is `#`, is skipped: a `#` later in a line is no comment (`port 0
 *   # note` gives `port` three arguments, and redis-server refuses to start).
 * - `sdssplitargs` splits the line into arguments at C whitespace; `"…"` takes the escapes `\xHH`,
 *   `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>`, `'…'` only `\'`; a closing quote must be followed by
 *   whitespace or the end of the line, and an unclosed quote is an error ("Unbalanced quotes").
 * - The first argument, the directive, is lower-cased (ASCII); later lines override earlier
 *   ones for single-valued directives.
 *
 * Measured against redis-server 7.0.15 (test/e2e/redis-conf-lint.test.ts). No problem quotes a
 * line of the input: a pasted key or password must not reach a terminal or a log.
 */

/** redis's CONFIG_READ_LEN: the bytes one `fgets` reads (config.c). */
export const REDIS_CONF_READ_BYTES = 1_024;
/** Most directives kept from one file; past them a problem says how many were left unread. */
export const REDIS_CONF_MAX_DIRECTIVES = 100_000;
/** Most arguments kept of one directive (`argc` still counts them all). */
export const REDIS_CONF_MAX_ARGUMENTS = 1_024;
/** Most problems listed (one more says how many were left out). */
export const REDIS_CONF_MAX_PROBLEMS = 100;

/** One directive line of a redis.conf. */
export interface RedisDirective {
  /** The directive, lower-cased as redis-server does (ASCII letters only). */
  readonly name: string;
  /** Its arguments, quotes and escapes resolved; at most `REDIS_CONF_MAX_ARGUMENTS` (1,024). */
  readonly args: readonly string[];
  /** How many arguments the line gives (may exceed `args.length`). */
  readonly argc: number;
  /** 1-based line of the file the directive starts on. */
  readonly line: number;
}

/** A line redis-server cannot read, or reads otherwise than it looks. */
export interface RedisConfProblem {
  readonly line: number;
  /** Says what is wrong without quoting the line. */
  readonly message: string;
}

/** What `parseRedisConf` read. */
export interface ParsedRedisConf {
  readonly directives: readonly RedisDirective[];
  readonly problems: readonly RedisConfProblem[];
  /** The first line that opens a PEM block (`-----BEGIN …`), if any: then it is no configuration. */
  readonly pemBlock: { readonly label: string; readonly line: number } | null;
}

const LF = 0x0a;
const NUL = 0x00;
const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const PEM_BEGIN = Buffer.from('-----BEGIN ', 'latin1');
const decoder = new TextDecoder('utf-8');

/** C `isspace` in the C locale: space, \t, \n, \v, \f, \r. */
function isCSpace(byte: number | undefined): boolean {
  return byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
}

/** sdstrim(line, " \t\r\n"). */
function isTrimmed(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}

function isHex(byte: number | undefined): boolean {
  return (
    byte !== undefined &&
    ((byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x46) ||
      (byte >= 0x61 && byte <= 0x66))
  );
}

function hexValue(byte: number): number {
  return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x61 + 10;
}

/** The escapes of a double-quoted argument (sds.c): `\n \r \t \b \a`, else the character itself. */
function escaped(byte: number): number {
  switch (byte) {
    case 0x6e:
      return 0x0a;
    case 0x72:
      return 0x0d;
    case 0x74:
      return 0x09;
    case 0x62:
      return 0x08;
    case 0x61:
      return 0x07;
    default:
      return byte;
  }
}

/**
 * `sdssplitargs` over `bytes[start, end)`: the arguments, or null for unbalanced quotes (or a
 * closing quote followed by something other than whitespace). `scratch` holds one argument at
 * a time; every byte is looked at a bounded number of times.
 */
function splitArgs(
  bytes: Uint8Array,
  start: number,
  end: number,
  scratch: Uint8Array,
): { args: Uint8Array[]; argc: number } | null {
  const args: Uint8Array[] = [];
  let argc = 0;
  let p = start;
  for (;;) {
    while (p < end && isCSpace(bytes[p])) p++;
    if (p >= end) return { args, argc };
    let inDouble = false;
    let inSingle = false;
    let length = 0;
    for (let done = false; !done;) {
      const c = p < end ? (bytes[p] ?? 0) : NUL;
      const next = p + 1 < end ? bytes[p + 1] : undefined;
      if (inDouble) {
        if (
          c === BACKSLASH &&
          next === 0x78 &&
          p + 3 < end &&
          isHex(bytes[p + 2]) &&
          isHex(bytes[p + 3])
        ) {
          scratch[length++] = hexValue(bytes[p + 2] ?? 0) * 16 + hexValue(bytes[p + 3] ?? 0);
          p += 3;
        } else if (c === BACKSLASH && next !== undefined) {
          p++;
          scratch[length++] = escaped(next);
        } else if (c === DOUBLE_QUOTE) {
          if (next !== undefined && !isCSpace(next)) return null;
          done = true;
        } else if (p >= end) {
          return null;
        } else scratch[length++] = c;
      } else if (inSingle) {
        if (c === BACKSLASH && next === SINGLE_QUOTE) {
          p++;
          scratch[length++] = SINGLE_QUOTE;
        } else if (c === SINGLE_QUOTE) {
          if (next !== undefined && !isCSpace(next)) return null;
          done = true;
        } else if (p >= end) {
          return null;
        } else scratch[length++] = c;
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || p >= end) {
        done = true;
      } else if (c === DOUBLE_QUOTE) {
        inDouble = true;
      } else if (c === SINGLE_QUOTE) {
        inSingle = true;
      } else scratch[length++] = c;
      if (p < end) p++;
    }
    if (args.length < REDIS_CONF_MAX_ARGUMENTS + 1) args.push(scratch.slice(0, length));
    argc++;
  }
}

/** ASCII lower case, as `sdstolower` (C `tolower`, C locale). */
function lowerAscii(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const byte = out[i] ?? 0;
    if (byte >= 0x41 && byte <= 0x5a) out[i] = byte + 0x20;
  }
  return out;
}

/**
 * The bytes redis-server's loader sees: each 1,024-byte `fgets` piece up to its first NUL; and,
 * for each LF-separated line of that text, the line of the file it starts on.
 */
function loadedText(
  bytes: Uint8Array,
  addProblem: (problem: RedisConfProblem) => void,
): { text: Uint8Array; length: number; lineOf: number[]; starts: number[] } {
  const text = new Uint8Array(bytes.length);
  let length = 0;
  const starts = [0];
  const lineOf = [1];
  let line = 1;
  let piece = 0;
  let dropping = false;
  let nulReported = 0;
  for (const byte of bytes) {
    piece++;
    if (!dropping && byte === NUL) {
      dropping = true;
      if (nulReported !== line) {
        nulReported = line;
        addProblem({
          line,
          message: `line ${String(line)} holds a NUL byte: redis-server reads the file in ${String(REDIS_CONF_READ_BYTES)}-byte pieces as C strings and drops everything from the NUL to the end of that piece (the line end too, when it falls inside it: the next line then joins this one)`,
        });
      }
    }
    if (!dropping) {
      text[length++] = byte;
      if (byte === LF) {
        starts.push(length);
        lineOf.push(line + 1);
      }
    }
    if (byte === LF) line++;
    if (byte === LF || piece === REDIS_CONF_READ_BYTES) {
      piece = 0;
      dropping = false;
    }
  }
  return { text, length, lineOf, starts };
}

/**
 * Parses a redis.conf as redis-server 7 reads it (see the module comment), in one pass. Lines
 * redis-server refuses (unbalanced quotes) and bytes it drops (NUL) come back as `problems`;
 * nothing is judged here (judge/redis-conf.ts does).
 *
 * @example
 * ```ts
 * const { directives } = parseRedisConf('port 0\ntls-port 6380\n');
 * // [{ name: 'port', args: ['0'], argc: 1, line: 1 }, { name: 'tls-port', args: ['6380'], argc: 1, line: 2 }]
 * ```
 */
export function parseRedisConf(input: string | Uint8Array): ParsedRedisConf {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const problems: RedisConfProblem[] = [];
  let unlisted = 0;
  const addProblem = (problem: RedisConfProblem): void => {
    if (problems.length < REDIS_CONF_MAX_PROBLEMS) problems.push(problem);
    else unlisted++;
  };
  const { text, length, lineOf, starts } = loadedText(bytes, addProblem);
  const directives: RedisDirective[] = [];
  let unread = 0;
  let pemBlock: ParsedRedisConf['pemBlock'] = null;
  const scratch = new Uint8Array(length);
  for (let index = 0; index < starts.length; index++) {
    let start = starts[index] ?? 0;
    let end = index + 1 < starts.length ? (starts[index + 1] ?? 0) - 1 : length;
    const line = lineOf[index] ?? 1;
    while (start < end && isTrimmed(text[start])) start++;
    while (end > start && isTrimmed(text[end - 1])) end--;
    if (start === end || text[start] === 0x23 /* # */) continue;
    if (
      pemBlock === null &&
      end - start > PEM_BEGIN.length &&
      PEM_BEGIN.equals(text.subarray(start, start + PEM_BEGIN.length))
    ) {
      let labelEnd = end;
      while (labelEnd > start + PEM_BEGIN.length && text[labelEnd - 1] === 0x2d /* - */) labelEnd--;
      pemBlock = {
        label: decoder.decode(text.subarray(start + PEM_BEGIN.length, labelEnd)),
        line,
      };
    }
    const split = splitArgs(text, start, end, scratch);
    if (split === null) {
      addProblem({
        line,
        message: `line ${String(line)} has unbalanced quotes (or a closing quote followed by something other than a space): redis-server refuses to start ("Unbalanced quotes in configuration line")`,
      });
      continue;
    }
    const [first, ...rest] = split.args;
    if (first === undefined) continue;
    if (directives.length === REDIS_CONF_MAX_DIRECTIVES) {
      unread++;
      continue;
    }
    directives.push({
      name: decoder.decode(lowerAscii(first)),
      args: rest.slice(0, REDIS_CONF_MAX_ARGUMENTS).map((arg) => decoder.decode(arg)),
      argc: split.argc - 1,
      line,
    });
  }
  const lastLine = lineOf.at(-1) ?? 1;
  if (unread > 0) {
    addProblem({
      line: lastLine,
      message: `the file holds ${String(REDIS_CONF_MAX_DIRECTIVES + unread)} directives; lint read the first ${String(REDIS_CONF_MAX_DIRECTIVES)}`,
    });
  }
  if (unlisted > 0) {
    problems.push({
      line: lastLine,
      message: `and ${String(unlisted)} more lines redis-server would not read as written (the first ${String(REDIS_CONF_MAX_PROBLEMS)} are listed)`,
    });
  }
  return { directives, problems, pemBlock };
}
