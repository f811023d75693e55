/**
 * Building DER values by hand and editing their bytes at random, for the differential tests of
 * the extension decoders (each against OpenSSL on mutated values).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Bytes from hex text (white space ignored). */
export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

/** One element with a single-byte identifier and a short-form length. */
export function tlv(tag: number, body: Uint8Array | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : Buffer.from(body);
  assert.ok(bytes.length < 128);
  return Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
}

/** A SEQUENCE of the given elements. */
export const seq = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));

/** One byte edit of a value: flip a bit, cut, insert or set a byte. */
export interface ByteEdit {
  readonly kind: 'flip' | 'cut' | 'insert' | 'set';
  readonly at: number;
  readonly byte: number;
}

/** fast-check's byte edits. */
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.record({
  kind: fc.constantFrom('flip', 'cut', 'insert', 'set'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

/** `value` with the edit `e` applied. */
export function applyEdit(value: Buffer, e: ByteEdit): Buffer {
  if (value.length === 0) return value;
  const at = e.at % value.length;
  if (e.kind === 'cut') return value.subarray(0, at);
  if (e.kind === 'insert')
    return Buffer.concat([value.subarray(0, at), Buffer.from([e.byte]), value.subarray(at)]);
  const copy = Buffer.from(value);
  copy[at] = e.kind === 'flip' ? (copy[at] ?? 0) ^ (1 << (e.byte & 7)) : e.byte;
  return copy;
}
