/**
 * The PKCS#12 password encoding and key derivation (RFC 7292 appendix B), shared by the writer
 * (make/pkcs12.ts: the MAC key, legacy encryption) and the reader (x509/pkcs12-read.ts).
 */
import { createHash } from 'node:crypto';
import { bmpBytes } from '../asn1/der-writer.js';

/** The PKCS#12 password: BMPString with a two-byte terminator (RFC 7292 appendix B.1). */
export function pkcs12Password(password: string): Buffer {
  return Buffer.concat([bmpBytes(password), Buffer.from([0, 0])]);
}

/** Output (u) and block (v) sizes in bytes of the hashes PKCS#12 files use (RFC 7292 B.2). */
const HASH_SIZES: Readonly<Record<string, { u: number; v: number }>> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/**
 * RFC 7292 appendix B.2: the PKCS#12 key derivation, for the MAC key and the legacy PBE. The
 * cost is `iterations` hashes for every `u` bytes derived: callers bound `iterations`.
 */
export function pkcs12Kdf(
  hash: 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512',
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  size: number,
): Buffer {
  const { u, v } = HASH_SIZES[hash] ?? { u: 32, v: 64 };
  const fill = (bytes: Buffer): Buffer => {
    if (bytes.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v));
    for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length] ?? 0;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const result: Buffer[] = [];
  for (let produced = 0; produced < size; produced += u) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    result.push(A);
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u] ?? 0;
    // I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (I[j + k] ?? 0) + (B[k] ?? 0) + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(result).subarray(0, size);
}
