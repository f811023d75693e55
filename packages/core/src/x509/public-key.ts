/**
 * Public keys as plain data: type and size from a SubjectPublicKeyInfo (read with the DER
 * reader, checked as OpenSSL would load it) or from a `KeyObject`.
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as der from '../asn1/der.js';
import type { DerElement } from '../asn1/der.js';
import { hex } from './extension-values.js';

/** The public key of a certificate or key file. */
export interface KeyInfo {
  /** `rsa`, `ec`, `ed25519`, `ed448`, `dsa`, or `unknown` for algorithms Node cannot load. */
  readonly type: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  /** Key size in bits (RSA modulus, DSA prime, curve order size). 0 when unknown. */
  readonly bits: number;
  /** Named curve for EC keys (`P-256`, `P-384`, `P-521`, or the OpenSSL name). */
  readonly curve?: string;
}

function keyInfo(key: KeyObject | null): KeyInfo {
  if (key === null) return { type: 'unknown', bits: 0 };
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { type: key.asymmetricKeyType, bits: details.modulusLength ?? 0 };
    case 'ec':
      return ecKeyInfo(details.namedCurve ?? 'unknown');
    case 'ed25519':
      return { type: 'ed25519', bits: 256 };
    case 'ed448':
      return { type: 'ed448', bits: 456 };
    case 'dsa':
      return { type: 'dsa', bits: details.modulusLength ?? 0 };
    default:
      return { type: 'unknown', bits: 0 };
  }
}

/** Node's curve names to NIST names. Internal to core. */
export const CURVE_NAMES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};
const CURVE_BITS: Readonly<Record<string, number>> = {
  'P-256': 256,
  'P-384': 384,
  'P-521': 521,
  secp256k1: 256,
  secp224r1: 224,
  prime192v1: 192,
};

/** Describes a public key from its DER SubjectPublicKeyInfo. */
export function describePublicKey(key: KeyObject | null): KeyInfo {
  return keyInfo(key);
}

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/**
 * NIST curves by OID (FIPS 186-4 appendix D.1.2): Node's name, the coordinate size in bytes, the
 * field prime p and the coefficient b of y^2 = x^3 - 3x + b.
 */
const NAMED_CURVES: Readonly<
  Record<string, { name: string; bytes: number; p: bigint; b: bigint }>
> = {
  '1.2.840.10045.3.1.7': {
    name: 'prime256v1',
    bytes: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  '1.3.132.0.34': {
    name: 'secp384r1',
    bytes: 48,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  '1.3.132.0.35': {
    name: 'secp521r1',
    bytes: 66,
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/** An uncompressed point (0x04 || X || Y) that lies on `curve`, as OpenSSL requires to load it. */
function onCurve(point: Uint8Array, curve: { bytes: number; p: bigint; b: bigint }): boolean {
  if (point.length !== 1 + 2 * curve.bytes || point[0] !== 4) return false;
  const x = BigInt(`0x${hex(point.subarray(1, 1 + curve.bytes))}`);
  const y = BigInt(`0x${hex(point.subarray(1 + curve.bytes))}`);
  const { p, b } = curve;
  if (x >= p || y >= p) return false;
  return (y * y - (x * x * x - 3n * x + b)) % p === 0n;
}

/**
 * The key's type and size read from the SubjectPublicKeyInfo for the common forms (RSA, EC on
 * P-256/384/521, Ed25519, Ed448): loading a key through OpenSSL costs ~0.1 ms, most of reading
 * a certificate. A form that is not plainly well-formed here is loaded by OpenSSL, as before, so
 * that a key OpenSSL cannot load stays `unknown`.
 */
function spkiKeyInfo(
  spki: SubjectPublicKey,
  record: { readonly publicKey: KeyObject | null },
): KeyInfo {
  try {
    const { oid, params, key } = spki;
    if (oid === RSA_ENCRYPTION && (params === undefined || der.isUniversal(params, der.TAG.null))) {
      const [n, e, rest] = der.sequenceOf(der.readOnly(key), 'an RSAPublicKey');
      if (
        rest === undefined &&
        der.isUniversal(n, der.TAG.integer) &&
        der.isUniversal(e, der.TAG.integer) &&
        n !== undefined &&
        e !== undefined &&
        isPositiveInteger(n.content) &&
        isPositiveInteger(e.content)
      ) {
        return { type: 'rsa', bits: der.bitLength(n.content) };
      }
    } else if (oid === EC_PUBLIC_KEY && der.isUniversal(params, der.TAG.oid) && params) {
      const curve = NAMED_CURVES[der.decodeOid(params.content)];
      // Uncompressed points on the curve only; other encodings are OpenSSL's to judge.
      if (curve !== undefined && onCurve(key, curve)) return ecKeyInfo(curve.name);
    }
  } catch {
    // Not a form read here: OpenSSL decides below.
  }
  return keyInfo(record.publicKey);
}

const keysRead = new Map<string, KeyInfo>();

/**
 * The key info of a SubjectPublicKeyInfo, frozen and shared by certificates with the same key
 * bytes (re-issued certificates, pools): checking that an EC point is on its curve is most of
 * reading a key. At most 4,096 keys are remembered.
 */
export function sharedKeyInfo(
  fields: { readonly spki: DerElement; readonly publicKey: SubjectPublicKey },
  record: { readonly publicKey: KeyObject | null },
): KeyInfo {
  const bytes = fields.spki.bytes;
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const known = keysRead.get(key);
  if (known !== undefined) return known;
  const info = Object.freeze(spkiKeyInfo(fields.publicKey, record));
  if (keysRead.size < 4096) keysRead.set(key, info);
  return info;
}

/** A SubjectPublicKeyInfo's parts (RFC 5280 section 4.1.2.7). */
export interface SubjectPublicKey {
  readonly oid: string;
  readonly params: DerElement | undefined;
  /** The subjectPublicKey bits (unused-bits octet removed; whole bytes in every key format). */
  readonly key: Uint8Array;
}

export function subjectPublicKey(spki: DerElement | undefined): SubjectPublicKey {
  const [algorithm, bits, extra] = der.sequenceOf(spki, 'a SubjectPublicKeyInfo');
  if (extra !== undefined) throw new der.DerError('a SubjectPublicKeyInfo has two parts');
  const { oid, params } = der.algorithm(algorithm, 'the key algorithm');
  return { oid, params, key: der.bitStringBits(bits, 'the subjectPublicKey BIT STRING') };
}

function isPositiveInteger(content: Uint8Array): boolean {
  return content.length > 0 && ((content[0] ?? 0) & 0x80) === 0 && content.some((b) => b !== 0);
}

/** An EC key's info from its curve's OpenSSL name (`prime256v1` reads as P-256). */
function ecKeyInfo(namedCurve: string): KeyInfo {
  const curve = CURVE_NAMES[namedCurve] ?? namedCurve;
  return { type: 'ec', bits: CURVE_BITS[curve] ?? 0, curve };
}

/** OpenSSL's view of a SubjectPublicKeyInfo; null when OpenSSL cannot load it. Internal. */
export function loadPublicKey(spki: Uint8Array): KeyObject | null {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return null; // An algorithm OpenSSL does not know: key type 'unknown'.
  }
}
