/**
 * Bounds on what a DER structure may hold, checked before any library sees the bytes: how many
 * names and extensions are read, and how many OID octets asn1js (under pkijs) would decode,
 * inside strings included. Each bound names the measurement that set it.
 */
import { DerLimitError, MAX_OID_BYTES, readElement } from './der.js';
import type { DerElement } from './der.js';
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
