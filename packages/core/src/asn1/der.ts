/**
 * A small DER reader (ITU-T X.690; the writer is der-writer.ts, the bounds on what is read
 * der-bounds.ts) for the two hot paths of certkit: reading the
 * fields of a certificate (`parseCertificate`, thousands at a time in a trust bundle) and
 * building the one certificate `gen-client` signs. Neither needs a schema library: pkijs'
 * schema matching cost ~3 ms a certificate, and loading `@peculiar/x509` and pkijs costs more
 * than a whole `gen-client --key` run may (bench/RESULTS.md). Structures with many
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
  bmpString: 30,
} as const;

/**
 * One decoded element: its identifier and where its contents and whole encoding lie in the
 * data. Views are made when asked for: reading a certificate touches ~60 elements, and 5,000
 * certificates' worth of Buffer views was most of the garbage of a bundle read.
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
  // OpenSSL (asn1_get_length) wants a byte after a long-form length, within the enclosing data:
  // an empty element in long form that ends it (`30 81 00` as a whole extension value) is
  // refused there, so it is here; elsewhere lengths need not be in their shortest form.
  if (contentStart >= limit && ((data[at] ?? 0) & 0x80) !== 0)
    throw new DerError('a long-form length with nothing after it');
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

/**
 * X.690 section 8.19.2: no subidentifier starts with the padding octet 0x80. OpenSSL
 * (c2i_ASN1_OBJECT) refuses such an OID; asn1js and {@link decodeOid} read it as its value.
 */
export function hasPaddedArc(content: Uint8Array): boolean {
  let first = true;
  for (const octet of content) {
    if (first && octet === 0x80) return true;
    first = (octet & 0x80) === 0;
  }
  return false;
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

/**
 * Longest OBJECT IDENTIFIER read, in content octets. pyca/cryptography refuses any OID over 63
 * octets (rust-asn1's `MAX_OID_LENGTH`), RustCrypto's `const-oid` stops at 39 by default; the
 * longest OIDs in use (Microsoft certificate-template OIDs, 2.25 UUID OIDs) are ~40 octets, the
 * longest in x509-limbo's 918 certificates under 40. Twice pyca's limit refuses nothing a real
 * stack accepts. Unbounded, one 7.3 MiB OID made pkijs/asn1js hold every arc (5.4 GB, 81 s).
 */
export const MAX_OID_BYTES = 128;
