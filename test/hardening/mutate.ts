/**
 * Mutations of DER certificates for the property tests and `pnpm fuzz` (issue 8): bit flips,
 * truncation, edits of TLV length fields (the classic parser killers: lengths past the end,
 * long forms, indefinite lengths), byte insertion and deletion. One generator, driven by any
 * source of random integers, so that fast-check (shrinking, replay) and the fuzz loop (speed)
 * make the same kinds of inputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

/** One change to a DER input. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'length'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'insert'; readonly at: number; readonly byte: number }
  | { readonly kind: 'delete'; readonly at: number };

/** The committed certificates mutations start from: RSA 2048 (root, intermediate, leaf) and EC P-256. */
export function baseCertificates(): { name: string; der: Uint8Array }[] {
  return [
    ['root', 'fixtures/chain/root.der'],
    ['intermediate', 'fixtures/chain/intermediate.der'],
    ['leaf', 'fixtures/chain/leaf.der'],
    ['ec', 'fixtures/bad/certificate.der'],
  ].map(([name = '', path = '']) => ({
    name,
    der: new Uint8Array(readFileSync(join(ROOT, path))),
  }));
}

/**
 * Offsets of every length byte of every TLV, walking constructed encodings (SEQUENCE, SET and
 * context tags) and the DER inside OCTET STRINGs and BIT STRINGs (extensions, keys).
 */
export function lengthOffsets(der: Uint8Array): number[] {
  const found: number[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    let i = start;
    while (i + 2 <= end && depth < 32) {
      const tag = der[i] ?? 0;
      const first = der[i + 1] ?? 0;
      found.push(i + 1);
      let length = first;
      let header = 2;
      if (first >= 0x80) {
        const count = first & 0x7f;
        if (count === 0 || count > 3) return;
        length = 0;
        for (let k = 0; k < count; k++) length = length * 256 + (der[i + 2 + k] ?? 0);
        header = 2 + count;
      }
      const contentStart = i + header;
      const contentEnd = contentStart + length;
      if (contentEnd > end) return;
      if ((tag & 0x20) !== 0) walk(contentStart, contentEnd, depth + 1);
      else if (tag === 0x04 && der[contentStart] === 0x30)
        walk(contentStart, contentEnd, depth + 1);
      else if (tag === 0x03 && der[contentStart + 1] === 0x30)
        walk(contentStart + 1, contentEnd, depth + 1);
      i = contentEnd;
    }
  };
  walk(0, der.length, 0);
  return found;
}

/** Applies one mutation; positions wrap around the input so that any integer is usable. */
export function applyMutation(der: Uint8Array, m: Mutation): Uint8Array {
  const n = der.length;
  if (n === 0) return der;
  const at = ((m.at % n) + n) % n;
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(der);
      out[at] = (out[at] ?? 0) ^ (1 << (m.bit & 7));
      return out;
    }
    case 'truncate':
      return der.subarray(0, at);
    case 'length': {
      const offsets = lengthOffsets(der);
      const offset = offsets[at % Math.max(offsets.length, 1)] ?? at;
      const out = Uint8Array.from([
        ...der.subarray(0, offset),
        ...m.bytes,
        ...der.subarray(offset + 1),
      ]);
      return out;
    }
    case 'insert':
      return Uint8Array.from([...der.subarray(0, at), m.byte & 0xff, ...der.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...der.subarray(0, at), ...der.subarray(at + 1)]);
  }
}

/** Length-field replacements worth trying: off by one, zero, long forms, indefinite, huge. */
export const LENGTH_VALUES: readonly (readonly number[])[] = [
  [0x00],
  [0x01],
  [0x7f],
  [0x80],
  [0x81, 0x00],
  [0x81, 0xff],
  [0x82, 0xff, 0xff],
  [0x83, 0xff, 0xff, 0xff],
  [0x84, 0xff, 0xff, 0xff, 0xff],
  [0x84, 0x7f, 0xff, 0xff, 0xff],
  [0x85, 0x01, 0x00, 0x00, 0x00, 0x00],
  [0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xff],
];

/** A random mutation from integers in [0, 2^31) given by `next`. */
export function randomMutation(next: () => number): Mutation {
  const at = next();
  switch (next() % 6) {
    case 0:
    case 1:
      return { kind: 'flip', at, bit: next() % 8 };
    case 2:
      return { kind: 'truncate', at };
    case 3:
      return { kind: 'length', at, bytes: LENGTH_VALUES[next() % LENGTH_VALUES.length] ?? [0] };
    case 4:
      return { kind: 'insert', at, byte: next() % 256 };
    default:
      return { kind: 'delete', at };
  }
}
