/**
 * A small DER reader and writer (ITU-T X.690) for the two hot paths of certkit: reading the
 * fields of a certificate (`parseCertificate`, thousands at a time in a trust bundle) and
 * building the one certificate `gen-client` signs. Neither needs a schema library: pkijs'
 * schema matching cost ~3 ms a certificate, and loading `@peculiar/x509` and pkijs costs more
 * than a whole `gen-client --key` run may (bench/RESULTS.md, issue 7). Structures with many
 * optional parts (path validation's name constraints, CRLs, CSRs) stay with pkijs.
 *
 * Reading accepts definite lengths only (X.509 is DER; indefinite lengths are BER) and reports
 * every overrun; the caller says what it expected.
 */

/** Tag classes, as the top two bits of an identifier octet. */
export const UNIVERSAL = 0;
export const CONTEXT = 2;

/** Universal tag numbers used by X.509. */
export const TAG = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
} as const;

/**
 * One decoded element: its identifier and where its contents and whole encoding lie in the
 * data. Views are made when asked for: reading a certificate touches ~60 elements, and 5,000
 * certificates' worth of Buffer views was most of the garbage of a bundle read (issue 7).
 */
export class DerElement {
  constructor(
    /** The data the element was read from. */
    readonly data: Uint8Array,
    /** 0 universal, 1 application, 2 context-specific, 3 private. */
    readonly cls: number,
    readonly constructed: boolean,
    readonly number: number,
    /** Offset of the identifier octet in `data`. */
    readonly start: number,
    /** Offset of the contents in `data`. */
    readonly contentStart: number,
    /** Offset just after the element in `data`. */
    readonly end: number,
  ) {}

  /** The contents octets. */
  get content(): Uint8Array {
    return this.data.subarray(this.contentStart, this.end);
  }

  /** The whole element (identifier, length, contents). */
  get bytes(): Uint8Array {
    return this.data.subarray(this.start, this.end);
  }

  /** The number of contents octets. */
  get length(): number {
    return this.end - this.contentStart;
  }

  /** The first contents octet, if any. */
  get firstByte(): number | undefined {
    return this.end > this.contentStart ? this.data[this.contentStart] : undefined;
  }
}

/** Thrown for bytes that are not the DER expected; callers turn it into their own error. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

/** Thrown for well-formed DER over one of the bounds below: the message says which, no bytes. */
export class DerLimitError extends DerError {}

/** Universal types X.690 allows in primitive form only (BOOLEAN, INTEGER, NULL, OID, REAL,
 * ENUMERATED, RELATIVE-OID, UTCTime, GeneralizedTime): asn1js refuses them constructed. */
const PRIMITIVE_ONLY: ReadonlySet<number> = new Set([1, 2, 5, 6, 9, 10, 13, 23, 24]);

/**
 * Reads a definite length (X.690 section 8.1.3) at `at`: short form, or long form of at most 4
 * octets (over 4 GiB is no certificate). Returns the length and the offset after it; the
 * contents are not checked to be there.
 */
export function readLength(data: Uint8Array, at: number): [number, number] {
  const next = lengthAt(data, at);
  return [lengthRead, next];
}

/** The length {@link lengthAt} read last (module scratch: no tuple per element). */
let lengthRead = 0;

/** Reads a definite length at `at` into `lengthRead`; returns the offset after it. */
function lengthAt(data: Uint8Array, at: number): number {
  let next = at;
  const lengthByte = data[next++];
  if (lengthByte === undefined) throw new DerError('data ends before a length');
  if (lengthByte < 0x80) {
    lengthRead = lengthByte;
    return next;
  }
  if (lengthByte === 0x80) throw new DerError('indefinite length (BER, not DER)');
  const count = lengthByte & 0x7f;
  if (count > 4) throw new DerError('length too large');
  let length = 0;
  for (let i = 0; i < count; i++) {
    const byte = data[next++];
    if (byte === undefined) throw new DerError('data ends inside a length');
    length = length * 256 + byte;
  }
  lengthRead = length;
  return next;
}

/** What {@link readHeader} read last: module scratch, so that tree walks allocate nothing. */
const header = { cls: 0, constructed: false, number: 0, contentStart: 0 };

/**
 * Reads the identifier and length of the element at `offset` of `data`, which must end by
 * `limit`, into `header`; returns the offset after the element.
 */
function readHeader(data: Uint8Array, offset: number, limit: number): number {
  let at = offset;
  const first = data[at++];
  if (first === undefined) throw new DerError('data ends where an element should start');
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let number = first & 0x1f;
  if (first === 0) throw new DerError('end-of-contents octets outside an indefinite length');
  if (number === 0x1f) {
    // High-tag-number form: base-128 digits, the last without the top bit.
    number = 0;
    for (;;) {
      const digit = data[at++];
      if (digit === undefined) throw new DerError('data ends inside a tag');
      if (number > 0xffffff) throw new DerError('tag number too large');
      number = number * 128 + (digit & 0x7f);
      if ((digit & 0x80) === 0) break;
    }
  }
  if (constructed && cls === UNIVERSAL && PRIMITIVE_ONLY.has(number)) {
    throw new DerError('constructed encoding of a primitive type');
  }
  const contentStart = lengthAt(data, at);
  const end = contentStart + lengthRead;
  if (end > limit) throw new DerError('element longer than its data');
  header.cls = cls;
  header.constructed = constructed;
  header.number = number;
  header.contentStart = contentStart;
  return end;
}

/**
 * Reads the element at `offset` of `data`, which must end by `limit`; returns it and the offset
 * after it.
 */
export function readElement(
  data: Uint8Array,
  offset: number,
  limit = data.length,
): [DerElement, number] {
  const end = readHeader(data, offset, limit);
  const { cls, constructed, number, contentStart } = header;
  return [new DerElement(data, cls, constructed, number, offset, contentStart, end), end];
}

/** `data` as exactly one element, nothing after it. */
export function readOnly(data: Uint8Array): DerElement {
  const [element, end] = readElement(data, 0);
  if (end !== data.length) throw new DerError('trailing bytes after the element');
  return element;
}

/** The elements inside a constructed element, which must fill its contents exactly. */
export function childrenOf(element: DerElement): DerElement[] {
  if (!element.constructed) throw new DerError('primitive element where a constructed one belongs');
  const out: DerElement[] = [];
  let at = element.contentStart;
  while (at < element.end) {
    const [child, next] = readElement(element.data, at, element.end);
    out.push(child);
    at = next;
  }
  return out;
}

/**
 * Checks that every constructed element under `element` (itself included) holds well-formed
 * elements, all the way down, as a BER decoder such as asn1js requires of a whole structure.
 * The contents of OCTET STRINGs and BIT STRINGs are not entered (extension values, keys).
 */
export function checkTree(element: DerElement): void {
  if (!element.constructed) return;
  const { data } = element;
  // Contents still to read, as (start, end) pairs: no recursion, no element objects.
  const pending: number[] = [element.contentStart, element.end];
  while (pending.length > 0) {
    const end = pending.pop() as number;
    let at = pending.pop() as number;
    while (at < end) {
      const next = readHeader(data, at, end);
      if (header.constructed) pending.push(header.contentStart, next);
      else if (header.cls === UNIVERSAL && header.number === TAG.oid) {
        checkOidEncoding(data, header.contentStart, next);
      }
      at = next;
    }
  }
}

/**
 * X.690 section 8.19.2: every subidentifier ends with an octet whose bit 8 is 0. OpenSSL
 * (c2i_ASN1_OBJECT) and asn1js refuse an OID that ends inside an arc wherever it stands; so does
 * certkit, instead of reading a curve or extension OID it cannot name. (A padded arc, 0x80 first,
 * is refused by OpenSSL but read by asn1js; decodeOid reads it as its value.)
 */
function checkOidEncoding(data: Uint8Array, start: number, end: number): void {
  if (start === end) throw new DerError('empty object identifier');
  if (((data[end - 1] ?? 0) & 0x80) !== 0) {
    throw new DerError('object identifier ends inside an arc');
  }
}

/** True when `element` is the universal type `number`. */
export function isUniversal(element: DerElement | undefined, number: number): boolean {
  return element !== undefined && element.cls === UNIVERSAL && element.number === number;
}

/** True when `element` is context-specific `[number]`. */
export function isContext(element: DerElement | undefined, number: number): boolean {
  return element !== undefined && element.cls === CONTEXT && element.number === number;
}

/** `element` when it is the universal type `number`, else a DerError naming `what`. */
export function expectUniversal(
  element: DerElement | undefined,
  number: number,
  what: string,
): DerElement {
  if (element === undefined || !isUniversal(element, number)) {
    throw new DerError(`expected ${what}`);
  }
  return element;
}

/** The children of a SEQUENCE, else a DerError naming `what`. */
export function sequenceOf(element: DerElement | undefined, what: string): DerElement[] {
  const sequence = expectUniversal(element, TAG.sequence, what);
  if (!sequence.constructed) throw new DerError(`expected ${what}`);
  return childrenOf(sequence);
}

const oidCache = new Map<string, string>();

/** An OBJECT IDENTIFIER's contents as dotted text. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError('empty object identifier');
  if (content.length > MAX_OID_BYTES)
    throw new DerLimitError(
      `an object identifier of ${String(content.length)} octets (at most ${String(MAX_OID_BYTES)} are read)`,
    );
  const key = Buffer.from(content.buffer, content.byteOffset, content.length).toString('latin1');
  const cached = oidCache.get(key);
  if (cached !== undefined) return cached;
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i] ?? 0;
    if (value > Number.MAX_SAFE_INTEGER / 128)
      throw new DerError('object identifier arc too large');
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const top = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(top, value - top * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    } else if (i === content.length - 1) {
      throw new DerError('object identifier ends inside an arc');
    }
  }
  const text = arcs.join('.');
  if (oidCache.size < 1024) oidCache.set(key, text);
  return text;
}

/** An AlgorithmIdentifier (RFC 5280 section 4.1.1.2): its OID and its parameters, if any. */
export function algorithm(
  element: DerElement | undefined,
  what: string,
): { oid: string; params: DerElement | undefined } {
  const [id, params, extra] = sequenceOf(element, what);
  if (extra !== undefined) throw new DerError(`${what} has at most two parts`);
  return { oid: decodeOid(expectUniversal(id, TAG.oid, `the OID of ${what}`).content), params };
}

/** A primitive BIT STRING's bits (after the unused-bits octet, which must be 0 to 7). */
export function bitStringBits(element: DerElement | undefined, what: string): Uint8Array {
  const bits = expectUniversal(element, TAG.bitString, what);
  const unused = bits.firstByte;
  if (bits.constructed || unused === undefined || unused > 7)
    throw new DerError(`malformed ${what}`);
  return bits.content.subarray(1);
}

/** A BOOLEAN's value (DER: 0x00 false, 0xFF true; BER's other non-zero bytes read as true). */
export function decodeBoolean(element: DerElement): boolean {
  if (element.length !== 1) throw new DerError('a BOOLEAN is one byte');
  return element.firstByte !== 0;
}

/** A small non-negative INTEGER as a number; DerError for negative or over 2^31. */
export function decodeSmallInteger(element: DerElement): number {
  const content = element.content;
  if (content.length === 0 || content.length > 5) throw new DerError('INTEGER out of range');
  if (((content[0] ?? 0) & 0x80) !== 0) throw new DerError('negative INTEGER');
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  if (value > 0x7fffffff) throw new DerError('INTEGER out of range');
  return value;
}

/** Bits of an unsigned big-endian integer (leading zero bytes ignored). */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] ?? 0));
}

/**
 * A UTCTime or GeneralizedTime as a Date (RFC 5280 section 4.1.2.5: UTCTime years 50-99 are
 * 19xx). GeneralizedTime is read as leniently as asn1js reads it (minutes, seconds, a fraction
 * and an offset optional), so that certificates pkijs used to accept still read.
 */
export function decodeTime(element: DerElement): Date {
  const text = Buffer.from(element.content).toString('latin1');
  let match: RegExpExecArray | null;
  let date: number;
  if (isUniversal(element, TAG.utcTime)) {
    // RFC 5280 section 4.1.2.5.1: YYMMDDHHMMSSZ, as asn1js (and so pkijs) also requires.
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('malformed UTCTime');
    const yy = Number(match[1]);
    date = Date.UTC(
      yy >= 50 ? 1900 + yy : 2000 + yy,
      Number(match[2]) - 1,
      Number(match[3]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6]),
    );
  } else if (isUniversal(element, TAG.generalizedTime)) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/.exec(text);
    if (match === null) throw new DerError('malformed GeneralizedTime');
    const fraction = match[7] === undefined ? 0 : Number(`0.${match[7]}`);
    date = Date.UTC(
      Number(match[1]),
      Number(match[2]) - 1,
      Number(match[3]),
      Number(match[4]),
      Number(match[5] ?? 0),
      Number(match[6] ?? 0),
      Math.floor(fraction * 1000),
    );
    date -= offsetMinutes(match[8] ?? 'Z') * 60_000;
  } else {
    throw new DerError('expected a UTCTime or GeneralizedTime');
  }
  if (Number.isNaN(date)) throw new DerError('invalid date');
  return new Date(date);
}

function offsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
}

// ---------------------------------------------------------------------------------------------
// Bounds, checked before any library sees the bytes

/**
 * Longest OBJECT IDENTIFIER read, in content octets. pyca/cryptography refuses any OID over 63
 * octets (rust-asn1's `MAX_OID_LENGTH`), RustCrypto's `const-oid` stops at 39 by default; the
 * longest OIDs in use (Microsoft certificate-template OIDs, 2.25 UUID OIDs) are ~40 octets, the
 * longest in x509-limbo's 918 certificates under 40. Twice pyca's limit refuses nothing a real
 * stack accepts. Unbounded, one 7.3 MiB OID made pkijs/asn1js hold every arc (5.4 GB, 81 s).
 */
export const MAX_OID_BYTES = 128;

/**
 * OID octets allowed, in total, inside OCTET STRINGs and BIT STRINGs of one structure. asn1js
 * (under pkijs) speculatively decodes the contents of every OCTET STRING and BIT STRING as BER
 * (extension values, keys, signatures) and so builds an object for every arc of an OID it finds
 * there, ~740 bytes an arc. Real OIDs inside extension values (EKU purposes, policies) add up to
 * a few hundred octets; random bytes of a key or signature may read as an OID no longer than the
 * blob (a few KiB at most for RSA-16384 or ML-DSA): 16 KiB bounds the arcs at ~12 MB of objects.
 */
export const MAX_EMBEDDED_OID_BYTES = 16 * 1024;

/**
 * Most entries read from one GeneralNames (subjectAltName, issuerAltName) or one Name, and most
 * subtrees in one list of nameConstraints. The largest legitimate shapes in x509-limbo, BoringSSL's
 * and Go's name-constraint stress cases (`pathological::nc-dos-*`), have 2,048 names and 2,049
 * subtrees; pkijs' decoder (asn1js 4) refuses structures of over 10,000 elements anyway, so more
 * could never be path-validated. Unbounded, a 7 MiB subjectAltName of 2.5 million one-letter
 * names cost 0.7 GB to read.
 */
export const MAX_NAMES = 4096;

/**
 * Most extensions read from one certificate. RFC 5280 defines 17, CAs issue about 10, the most in
 * x509-limbo's 918 certificates is 12; 256 refuses no real certificate.
 */
export const MAX_EXTENSIONS = 256;

/**
 * Elements inside a constructed element, counted without reading past `max + 1` of them; for the
 * bounds above before a list is decoded.
 */
export function countChildren(element: DerElement, max: number): number {
  let count = 0;
  let at = element.contentStart;
  while (at < element.end && count <= max) {
    at = readElement(element.data, at, element.end)[1];
    count++;
  }
  return count;
}

// Frame flags of checkDecodingBounds' stack.
const INDEFINITE = 1; // contents end at end-of-contents octets (00 00)
const EMBEDDED = 2; // inside an OCTET STRING or BIT STRING, decoded speculatively as asn1js does
const SINGLE = 4; // one element only (the whole input, or a string's contents), then stop
const ROOT = 8; // where a speculative decoding started: a failure below ends that decoding only
const READ_ONE = 16; // a SINGLE frame has read its element

/**
 * Walks `data` as asn1js would decode it (BER: definite and indefinite lengths, and the contents
 * of OCTET STRINGs and BIT STRINGs decoded speculatively, one element each) and throws a
 * DerLimitError when an OBJECT IDENTIFIER (or RELATIVE-OID) is over {@link MAX_OID_BYTES} in the
 * structure itself, or when those inside strings add up to over {@link MAX_EMBEDDED_OID_BYTES}.
 * One pass, no recursion and no object per element: every octet is a header at most once,
 * whatever the nesting. A frame's parent is the frame below it on the stack.
 */
export function checkDecodingBounds(data: Uint8Array): void {
  let embeddedOidBytes = 0;
  const frameAt: number[] = [0];
  const frameEnd: number[] = [data.length];
  const frameFlags: number[] = [SINGLE];
  const push = (at: number, end: number, flags: number): void => {
    frameAt.push(at);
    frameEnd.push(end);
    frameFlags.push(flags);
  };
  const pop = (): void => {
    frameAt.pop();
    frameEnd.pop();
    frameFlags.pop();
  };
  /** Abandons the innermost speculative decoding; false when the failure is in the structure. */
  const fail = (): boolean => {
    while (frameFlags.length > 0) {
      const flags = frameFlags[frameFlags.length - 1] ?? 0;
      pop();
      if ((flags & ROOT) !== 0) return true;
    }
    return false;
  };
  while (frameFlags.length > 0) {
    const top = frameFlags.length - 1;
    const flags = frameFlags[top] ?? 0;
    const start = frameAt[top] ?? 0;
    const end = frameEnd[top] ?? 0;
    if ((flags & INDEFINITE) !== 0) {
      if (start + 1 < end && data[start] === 0 && data[start + 1] === 0) {
        pop();
        if (top > 0) frameAt[top - 1] = start + 2;
        continue;
      }
      if (start >= end) {
        if (!fail()) return;
        continue;
      }
    } else if (start >= end || (flags & READ_ONE) !== 0) {
      pop();
      continue;
    }
    // The identifier: one octet, or the high-tag-number form.
    let at = start;
    const first = data[at++] ?? 0;
    const constructed = (first & 0x20) !== 0;
    let number = first & 0x1f;
    if (number === 0x1f) {
      number = 0;
      for (;;) {
        const digit = data[at++];
        if (digit === undefined || at > end || number > 0xffffff) {
          number = -1;
          break;
        }
        number = number * 128 + (digit & 0x7f);
        if ((digit & 0x80) === 0) break;
      }
    }
    const lengthByte = data[at++];
    let length = -1; // indefinite
    let ok = number >= 0 && lengthByte !== undefined && at <= end;
    if (ok && lengthByte !== undefined && lengthByte !== 0x80) {
      if (lengthByte < 0x80) length = lengthByte;
      else {
        const count = lengthByte & 0x7f;
        length = 0;
        for (let i = 0; i < count && ok; i++) {
          const byte = data[at++];
          if (byte === undefined || count > 6) ok = false;
          else length = length * 256 + byte;
        }
      }
    }
    if (ok && length >= 0 && at + length > end) ok = false;
    if (ok && length < 0 && !constructed) ok = false;
    if (!ok) {
      if (!fail()) return;
      continue;
    }
    if ((flags & SINGLE) !== 0) frameFlags[top] = flags | READ_ONE;
    const embedded = flags & EMBEDDED;
    if (constructed) {
      if (length < 0) {
        frameAt[top] = end; // moved past the child when its end-of-contents is found
        push(at, end, INDEFINITE | embedded);
      } else {
        frameAt[top] = at + length;
        push(at, at + length, embedded);
      }
      continue;
    }
    frameAt[top] = at + length;
    const universal = first >> 6 === 0;
    if (universal && (number === 6 || number === 13)) {
      if (embedded !== 0) {
        embeddedOidBytes += length;
        if (embeddedOidBytes > MAX_EMBEDDED_OID_BYTES)
          throw new DerLimitError(
            `object identifiers inside strings add up to over ${String(MAX_EMBEDDED_OID_BYTES)} octets`,
          );
      } else if (length > MAX_OID_BYTES) {
        throw new DerLimitError(
          `an object identifier of ${String(length)} octets (at most ${String(MAX_OID_BYTES)} are read)`,
        );
      }
    } else if (universal && number === 4 && length > 0) {
      push(at, at + length, EMBEDDED | SINGLE | ROOT);
    } else if (universal && number === 3 && length > 1 && data[at] === 0) {
      push(at + 1, at + length, EMBEDDED | SINGLE | ROOT);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One element with a single-byte identifier (`tag` = class | constructed | number < 31). */
export function encode(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag, ...lengthOctets(body.length)]), body]);
}

/** SEQUENCE of already encoded elements. */
export function sequence(...items: readonly Uint8Array[]): Uint8Array {
  return encode(0x30, ...items);
}

/** SET of already encoded elements (one element: no DER sorting needed). */
export function set(...items: readonly Uint8Array[]): Uint8Array {
  return encode(0x31, ...items);
}

/** `[number]` EXPLICIT around an encoded element. */
export function explicit(number: number, inner: Uint8Array): Uint8Array {
  return encode(0xa0 | number, inner);
}

/** A non-negative INTEGER from big-endian bytes (leading zeros trimmed, 0x00 added when needed). */
export function integer(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  const pad = trimmed.length === 0 || ((trimmed[0] ?? 0) & 0x80) !== 0;
  return encode(0x02, pad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** A small non-negative INTEGER. */
export function smallInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return integer(Uint8Array.from(bytes));
}

/** An OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [a = 0, b = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const digits = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      digits.unshift(0x80 | (v & 0x7f));
    }
    out.push(...digits);
  }
  return encode(0x06, Uint8Array.from(out));
}

export const NULL = Uint8Array.from([0x05, 0x00]);
export const TRUE = Uint8Array.from([0x01, 0x01, 0xff]);

/** An OCTET STRING. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return encode(0x04, bytes);
}

/** A BIT STRING of whole bytes. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return encode(0x03, Buffer.from([0]), bytes);
}

/**
 * A named-bit BIT STRING (X.690 section 11.2.2: trailing zero bits removed) from bit indexes,
 * bit 0 being the most significant bit of the first byte.
 */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return encode(0x03, Buffer.from([0]));
  const last = Math.max(...bits);
  const bytes = new Uint8Array((last >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return encode(0x03, Buffer.from([7 - (last & 7)]), bytes);
}

/** A string of the given universal type (UTF8String 12, PrintableString 19, IA5String 22). */
export function string(tag: number, text: string): Uint8Array {
  return encode(tag, Buffer.from(text, tag === TAG.utf8String ? 'utf8' : 'latin1'));
}

/**
 * A Time as RFC 5280 section 4.1.2.5 requires: UTCTime through 2049, GeneralizedTime from 2050,
 * both in whole seconds with `Z`.
 */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new DerError(`cannot encode the year ${String(year)}`);
  return year < 2050
    ? encode(TAG.utcTime, Buffer.from(`${digits.slice(2)}Z`, 'latin1'))
    : encode(TAG.generalizedTime, Buffer.from(`${digits}Z`, 'latin1'));
}
