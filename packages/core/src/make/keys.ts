/**
 * Key generation. Keys are generated with `node:crypto.generateKeyPair`, which runs OpenSSL's
 * prime search on libuv's thread pool: the event loop stays free (progress can be shown) and
 * several keys are generated on all cores at once. `@peculiar/webcrypto`'s RSA `generateKey`
 * runs synchronously and stalls the event loop for the whole generation (about 1 s for 4096
 * bits here). CPU work, not I/O: it belongs with the rest of make/.
 */
import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { RSA_PUBLIC_EXPONENT } from '../x509/keys.js';
import type { Curve, KeyType } from '../x509/keys.js';

const generate = promisify(nodeGenerateKeyPair);

/** What to generate. */
export interface KeySpec {
  readonly keyType: KeyType;
  /** RSA modulus size; ignored for EC. */
  readonly bits: number;
  /** EC curve; ignored for RSA. */
  readonly curve: Curve;
}

/** A key pair as Node key objects (never leaves core in this form). */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Generates a key pair without blocking the event loop. */
export async function generateKeyPair(spec: KeySpec): Promise<KeyPair> {
  if (spec.keyType === 'rsa') {
    return generate('rsa', { modulusLength: spec.bits, publicExponent: RSA_PUBLIC_EXPONENT });
  }
  return generate('ec', { namedCurve: spec.curve === 'P-256' ? 'prime256v1' : 'secp384r1' });
}
