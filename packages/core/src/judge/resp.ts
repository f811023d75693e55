/**
 * RESP, the Redis serialization protocol, read from the bytes a server sends: RESP2 and RESP3
 * (redis.io, "Redis serialization protocol specification"). The topology walk reads what a server
 * says about its cluster or Sentinel with it; the reader is pure (bytes in, values out), so the
 * replies can be judged in memory without a socket (judge/topology.ts).
 *
 * Every server is treated as hostile. The reader never allocates on a length or count the server
 * declares: a bulk string is taken only once all its bytes are there, an aggregate's items are
 * kept as they are read, and a declared count or length beyond {@link RespLimits} refuses the
 * reply at once. Bytes are kept in one buffer that doubles up to `maxBytes`, and each byte is
 * looked at a bounded number of times however the server splits its reply (one byte per TLS
 * record included): a header line is searched for its end only from where the last search
 * stopped.
 */

/** One RESP value, as read. Text is decoded as UTF-8 (bad sequences become U+FFFD). */
export type RespValue =
  /** `+` simple string. */
  | { readonly type: 'simple'; readonly text: string }
  /** `-` simple error and `!` blob error: `ERR unknown command …`. */
  | { readonly type: 'error'; readonly text: string }
  /** `:` integer (precise up to 2^53; a larger one is rounded). */
  | { readonly type: 'integer'; readonly value: number }
  /** `$` bulk string and `=` verbatim string (its `txt:` format dropped). */
  | { readonly type: 'bulk'; readonly text: string }
  /** `_` null, and RESP2's null bulk string (`$-1`) and null array (`*-1`). */
  | { readonly type: 'null' }
  /** `#` boolean. */
  | { readonly type: 'boolean'; readonly value: boolean }
  /** `,` double and `(` big number, as their text. */
  | { readonly type: 'number'; readonly text: string }
  /** `*` array and `~` set. */
  | { readonly type: 'array'; readonly items: readonly RespValue[] }
  /** `%` map, its pairs in the order sent. */
  | { readonly type: 'map'; readonly entries: readonly (readonly [RespValue, RespValue])[] };

/** What the reader accepts at most: a reply past any of these is refused, not read. */
export interface RespLimits {
  /** Bytes of one reply, out-of-band pushes and attributes before it included. */
  readonly maxBytes: number;
  /** Aggregates inside aggregates. */
  readonly maxDepth: number;
  /** Values in one reply, each aggregate's declared count included. */
  readonly maxElements: number;
  /** Bytes of one bulk, verbatim or blob error string. */
  readonly maxBulkBytes: number;
  /** Bytes of one header or simple line (a type byte, its text, no CRLF). */
  readonly maxLineBytes: number;
}

/**
 * The limits of a topology reply. `CLUSTER SLOTS` of a cluster whose 16,384 slots are scattered
 * over ranges is the largest reply read: 16,384 ranges of three nodes are about 200,000 values
 * and 3 MiB. `CLUSTER SHARDS` nests five deep (shards, shard, nodes, node, value) and RESP3
 * `CLUSTER SLOTS` five too (ranges, range, node, metadata, value); an attribute adds one.
 * `INFO server` is about 1.5 KiB; Redis' own error lines are under 300 bytes.
 */
export const RESP_LIMITS: RespLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 8,
  maxElements: 262_144,
  maxBulkBytes: 1024 * 1024,
  maxLineBytes: 8 * 1024,
};

/** One step of reading a reply. */
export type RespStep =
  /** The reply is not complete yet: push more bytes. */
  | { readonly state: 'more' }
  /** The reply, and the bytes after it (the start of whatever the server sent next). */
  | { readonly state: 'done'; readonly reply: RespValue; readonly rest: Uint8Array }
  /** Not RESP, or past a limit: why, in words (never the server's bytes). */
  | { readonly state: 'invalid'; readonly reason: string };

/** Reads one reply from bytes pushed as they arrive. */
export interface RespReader {
  /** Takes the next bytes; after `done` or `invalid` the reader is spent. */
  push(chunk: Uint8Array): RespStep;
}

/** An aggregate being read. */
interface Frame {
  readonly kind: 'array' | 'map' | 'push' | 'attribute';
  /** Values still to read (a map's pairs count twice). */
  remaining: number;
  readonly items: RespValue[];
}

const CR = 13;
const LF = 10;
const decoder = new TextDecoder('utf-8', { fatal: false });
const INTEGER = /^[+-]?[0-9]{1,20}$/;
const NUMBER = /^[+-]?(?:[0-9]{1,400}(?:\.[0-9]{1,400})?(?:[eE][+-]?[0-9]{1,5})?|inf|nan)$/;

/** Why a reply is refused, as a value rather than a throw. */
interface Refusal {
  readonly refused: string;
}

function refuse(reason: string): Refusal {
  return { refused: reason };
}

function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

/**
 * A reader for one reply. Out-of-band pushes (`>`) and attributes (`|`) sent before or inside
 * it are read, bounded like the rest, and left out.
 *
 * @example
 * ```ts
 * const reader = createRespReader();
 * reader.push(new TextEncoder().encode('*2\r\n:1\r\n'));  // { state: 'more' }
 * reader.push(new TextEncoder().encode('$2\r\nok\r\n'));  // { state: 'done', reply: { type: 'array', items: [...] }, rest }
 * ```
 */
export function createRespReader(limits: Partial<RespLimits> = {}): RespReader {
  const bounds: RespLimits = { ...RESP_LIMITS, ...limits };
  let buffer = new Uint8Array(Math.min(4096, bounds.maxBytes));
  let length = 0;
  /** Start of the value being read. */
  let pos = 0;
  /** Where the search for the current header line's CRLF goes on from. */
  let scan = 0;
  let elements = 0;
  let spent = false;
  const stack: Frame[] = [];

  const append = (chunk: Uint8Array): Refusal | undefined => {
    if (length + chunk.length > bounds.maxBytes) {
      return refuse(`the reply is larger than ${String(bounds.maxBytes)} bytes`);
    }
    if (length + chunk.length > buffer.length) {
      let size = buffer.length * 2;
      while (size < length + chunk.length) size *= 2;
      const grown = new Uint8Array(Math.min(size, bounds.maxBytes));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
    return undefined;
  };

  /** The header line at `pos` (without its type byte and CRLF), or undefined until it is all there. */
  const line = (): string | undefined | Refusal => {
    let i = Math.max(scan, pos + 1);
    for (; i + 1 < length; i++) {
      if (i - pos > bounds.maxLineBytes + 1) break;
      if (buffer[i] === CR && buffer[i + 1] === LF) {
        const text = decoder.decode(buffer.subarray(pos + 1, i));
        scan = i + 2;
        return text;
      }
    }
    if (i - pos > bounds.maxLineBytes + 1) {
      return refuse(`a line of the reply is longer than ${String(bounds.maxLineBytes)} bytes`);
    }
    scan = i; // a CR at the very end may be followed by its LF in the next chunk
    return undefined;
  };

  const count = (text: string, what: string): number | Refusal => {
    if (!INTEGER.test(text)) return refuse(`a ${what} is not a number`);
    return Number(text);
  };

  /** Reads one value at `pos`: a scalar, or the header of an aggregate (pushed as a frame). */
  const step = (): RespValue | 'frame' | undefined | Refusal => {
    const type = String.fromCharCode(buffer[pos] ?? 0);
    const header = line();
    if (header === undefined || isRefusal(header)) return header;
    const after = scan;
    switch (type) {
      case '+':
        return { type: 'simple', text: header };
      case '-':
        return { type: 'error', text: header };
      case ':': {
        const value = count(header, 'integer');
        return isRefusal(value) ? value : { type: 'integer', value };
      }
      case '_':
        return header === '' ? { type: 'null' } : refuse('a null carries text');
      case '#':
        if (header === 't' || header === 'f') return { type: 'boolean', value: header === 't' };
        return refuse('a boolean is neither t nor f');
      case ',':
      case '(':
        return NUMBER.test(header)
          ? { type: 'number', text: header }
          : refuse('a number is not a number');
      case '$':
      case '=':
      case '!': {
        const size = count(header, 'length');
        if (isRefusal(size)) return size;
        if (size === -1 && type === '$') return { type: 'null' };
        if (size < 0) return refuse('a string has a negative length');
        if (size > bounds.maxBulkBytes) {
          return refuse(
            `a string of the reply is longer than ${String(bounds.maxBulkBytes)} bytes`,
          );
        }
        if (after + size + 2 > bounds.maxBytes) {
          return refuse(`the reply is larger than ${String(bounds.maxBytes)} bytes`);
        }
        if (length < after + size + 2) {
          scan = pos; // the header is read again once the string is all there
          return undefined;
        }
        if (buffer[after + size] !== CR || buffer[after + size + 1] !== LF) {
          return refuse('a string does not end where its length says');
        }
        let text = decoder.decode(buffer.subarray(after, after + size));
        scan = after + size + 2;
        if (type === '=') {
          if (text.length < 4 || text[3] !== ':') return refuse('a verbatim string has no format');
          text = text.slice(4);
        }
        return type === '!' ? { type: 'error', text } : { type: 'bulk', text };
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        const declared = count(header, 'count');
        if (isRefusal(declared)) return declared;
        if (declared === -1 && type === '*') return { type: 'null' };
        if (declared < 0) return refuse('an aggregate has a negative count');
        const values = type === '%' || type === '|' ? declared * 2 : declared;
        if (elements + values > bounds.maxElements) {
          return refuse(`the reply has more than ${String(bounds.maxElements)} values`);
        }
        if (stack.length + 1 > bounds.maxDepth) {
          return refuse(`the reply nests deeper than ${String(bounds.maxDepth)} levels`);
        }
        elements += values;
        const kind =
          type === '%' ? 'map' : type === '>' ? 'push' : type === '|' ? 'attribute' : 'array';
        stack.push({ kind, remaining: values, items: [] });
        return 'frame';
      }
      default:
        return refuse('the reply is not RESP (unknown type byte)');
    }
  };

  const built = (frame: Frame): RespValue => {
    if (frame.kind !== 'map') return { type: 'array', items: frame.items };
    const entries: (readonly [RespValue, RespValue])[] = [];
    for (let i = 0; i + 1 < frame.items.length; i += 2) {
      entries.push([frame.items[i] as RespValue, frame.items[i + 1] as RespValue]);
    }
    return { type: 'map', entries };
  };

  return {
    push(chunk: Uint8Array): RespStep {
      if (spent) return { state: 'invalid', reason: 'the reader was already used' };
      const full = append(chunk);
      if (full !== undefined) {
        spent = true;
        return { state: 'invalid', reason: full.refused };
      }
      for (;;) {
        if (pos >= length) return { state: 'more' };
        const read = step();
        if (read === undefined) return { state: 'more' };
        if (isRefusal(read)) {
          spent = true;
          return { state: 'invalid', reason: read.refused };
        }
        pos = scan;
        // A finished value (or an empty aggregate) climbs into its parents while they fill up.
        let value: RespValue | undefined;
        let kind: Frame['kind'] | 'value' = 'value';
        if (read === 'frame') {
          const top = stack[stack.length - 1];
          if (top === undefined || top.remaining > 0) continue;
          stack.pop();
          value = built(top);
          kind = top.kind;
        } else {
          value = read;
        }
        for (;;) {
          const parent = stack[stack.length - 1];
          if (parent === undefined) break;
          // An attribute describes the value after it, and a push is out of band: neither is
          // one of the parent's values (nor is it counted as one).
          if (kind !== 'attribute' && kind !== 'push') {
            parent.items.push(value);
            parent.remaining--;
          }
          if (parent.remaining > 0) {
            value = undefined;
            break;
          }
          stack.pop();
          value = built(parent);
          kind = parent.kind;
        }
        if (value === undefined || kind === 'attribute' || kind === 'push') continue;
        spent = true;
        return { state: 'done', reply: value, rest: buffer.slice(pos, length) };
      }
    },
  };
}

/**
 * Reads one complete reply from bytes in memory (a captured reply, a test).
 *
 * @returns the reply, or why it is not one: incomplete, not RESP, past a limit, or followed by
 * more bytes
 *
 * @example
 * ```ts
 * readRespReply(new TextEncoder().encode('-ERR unknown command\r\n')); // { ok: true, reply: { type: 'error', text: 'ERR unknown command' } }
 * ```
 */
export function readRespReply(
  bytes: Uint8Array,
  limits: Partial<RespLimits> = {},
):
  | { readonly ok: true; readonly reply: RespValue }
  | { readonly ok: false; readonly reason: string } {
  const step = createRespReader(limits).push(bytes);
  if (step.state === 'invalid') return { ok: false, reason: step.reason };
  if (step.state === 'more') return { ok: false, reason: 'the reply is incomplete' };
  if (step.rest.length > 0) return { ok: false, reason: 'bytes follow the reply' };
  return { ok: true, reply: step.reply };
}

/** Text of a simple, bulk or verbatim string; undefined for anything else. */
export function respText(value: RespValue | undefined): string | undefined {
  return value?.type === 'simple' || value?.type === 'bulk' ? value.text : undefined;
}

/**
 * A whole number from an integer or from a string of digits (Sentinel sends ports as strings);
 * undefined for anything else.
 */
export function respInteger(value: RespValue | undefined): number | undefined {
  if (value?.type === 'integer') return value.value;
  const text = respText(value);
  return text !== undefined && /^-?[0-9]{1,16}$/.test(text) ? Number(text) : undefined;
}

/**
 * The fields of a RESP3 map, or of a RESP2 array of alternating names and values (how RESP2
 * sends what RESP3 sends as a map), keyed by name; the first of a repeated name wins. Undefined
 * when the value is neither, or a name is not a string.
 */
export function respFields(
  value: RespValue | undefined,
): ReadonlyMap<string, RespValue> | undefined {
  if (value === undefined) return undefined;
  const pairs: (readonly [RespValue, RespValue])[] = [];
  if (value.type === 'map') pairs.push(...value.entries);
  else if (value.type === 'array' && value.items.length % 2 === 0) {
    for (let i = 0; i < value.items.length; i += 2) {
      pairs.push([value.items[i] as RespValue, value.items[i + 1] as RespValue]);
    }
  } else return undefined;
  const fields = new Map<string, RespValue>();
  for (const [key, field] of pairs) {
    const name = respText(key);
    if (name === undefined) return undefined;
    if (!fields.has(name)) fields.set(name, field);
  }
  return fields;
}
