/**
 * The DER writer (ITU-T X.690), the only one in certkit: elements with single-byte identifiers,
 * enough for the certificates and CSRs certkit signs, encrypted PKCS#8 keys and PKCS#12 stores,
 * without loading a schema library (der.ts says why). Every function returns the whole encoded
 * element; constructed elements take their children already encoded.
 */
import { DerError, TAG } from './der.js';

/** The definite-length octets of X.690 section 8.1.3 (short form below 128, else long form). */
export function lengthOctets(length: number): number[] {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new DerError(`cannot encode the length ${String(length)}`);
  }
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

/** SET OF already encoded elements, in the order DER requires (X.690 section 11.6: sorted). */
export function set(...items: readonly Uint8Array[]): Uint8Array {
  return encode(0x31, ...[...items].sort((a, b) => Buffer.compare(a, b)));
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

/** The contents of a BMPString (X.680 section 41): UTF-16, big-endian. */
export function bmpBytes(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** A BMPString. */
export function bmpString(text: string): Uint8Array {
  return encode(TAG.bmpString, bmpBytes(text));
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
