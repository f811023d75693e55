/**
 * Private keys as bytes: export (plain or encrypted PKCS#8), import, and key-to-certificate
 * matching. Generation is make/keys.ts.
 */
import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  scrypt as nodeScrypt,
} from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { octetString, oid, sequence, smallInteger } from '../asn1/der-writer.js';
import { CertkitError } from '../errors.js';
import { derSignedObjectKind } from './input-hints.js';
import { PRIVATE_KEY_LABELS, describeLabel, encodePem, parsePemBlocks } from './pem.js';
import { describePublicKey } from './public-key.js';
import type { KeyInfo } from './public-key.js';

const scrypt = promisify(
  (
    password: string,
    salt: Buffer,
    length: number,
    options: ScryptOptions,
    callback: (error: Error | null, key: Buffer) => void,
  ) => {
    nodeScrypt(password, salt, length, options, callback);
  },
);

/** Key algorithms certkit generates. */
export type KeyType = 'rsa' | 'ec';
/** Named curves certkit generates (NIST P-256 and P-384; RFC 8422 names them secp256r1/384r1). */
export type Curve = 'P-256' | 'P-384';
/** Private key encodings: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`, RSA only). */
export type KeyFormat = 'pkcs8' | 'pkcs1';

/** RSA modulus sizes accepted. Below 2048 is refused (NIST SP 800-131A Rev. 2 disallows it). */
export const RSA_KEY_SIZES: readonly number[] = [2048, 3072, 4096];
/** RSA public exponent: 65537 (F4), the universal default (NIST SP 800-89 section 5.3.3). */
export const RSA_PUBLIC_EXPONENT = 65537;
/** Curves accepted for EC keys. */
export const EC_CURVES: readonly Curve[] = ['P-256', 'P-384'];

/**
 * scrypt cost of encrypted keys: N = 2^14, r = 8, p = 1, what `openssl pkcs8 -topk8 -scrypt`
 * writes. 16 MiB of memory per attempt; larger N would pass OpenSSL 3's 32 MiB default limit
 * for scrypt (`SCRYPT_MAX_MEM`), and `openssl pkey` or Node could then not read the key back.
 */
export const KEY_ENCRYPTION_SCRYPT = { N: 16384, r: 8, p: 1 } as const;

// Object identifiers: PBES2 (RFC 8018 A.4), scrypt (RFC 7914 section 7), aes256-CBC (NIST CSOR,
// RFC 8018 B.2.5).
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';

/**
 * Encrypts a private key as PKCS#8 `ENCRYPTED PRIVATE KEY` (RFC 5958 section 3) with PBES2
 * (RFC 8018 section 6.2): scrypt (RFC 7914) derives an AES-256-CBC key from the passphrase.
 * Node's own `export({ cipher, passphrase })` would use PBKDF2-SHA256 with only 2048 iterations;
 * scrypt makes each guess cost 16 MiB of memory. `openssl pkey` and Node read it back.
 *
 * @example
 * ```ts
 * const pem = await encryptPrivateKey(privateKey, 'correct horse battery staple');
 * // -----BEGIN ENCRYPTED PRIVATE KEY-----
 * ```
 */
export async function encryptPrivateKey(key: KeyObject, passphrase: string): Promise<string> {
  if (passphrase.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'the passphrase is empty');
  }
  const { N, r, p } = KEY_ENCRYPTION_SCRYPT;
  // 16-byte salt and IV: NIST SP 800-132 section 5.1 asks for at least 128 bits of salt.
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const derived = await scrypt(passphrase, salt, 32, { N, r, p, maxmem: 64 * 1024 * 1024 });
  const cipher = createCipheriv('aes-256-cbc', derived, iv);
  const plain = key.export({ format: 'der', type: 'pkcs8' });
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const algorithm = sequence(
    oid(OID_PBES2),
    sequence(
      sequence(
        oid(OID_SCRYPT),
        sequence(octetString(salt), smallInteger(N), smallInteger(r), smallInteger(p)),
      ),
      sequence(oid(OID_AES256_CBC), octetString(iv)),
    ),
  );
  return encodePem('ENCRYPTED PRIVATE KEY', sequence(algorithm, octetString(encrypted)));
}

/** Exports a private key as PEM in the requested format. */
export function exportPrivateKey(key: KeyObject, format: KeyFormat): string {
  if (format === 'pkcs1') {
    if (key.asymmetricKeyType !== 'rsa') {
      throw new CertkitError('INVALID_OPTION', 'key format pkcs1 is for RSA keys only; use pkcs8');
    }
    return key.export({ format: 'pem', type: 'pkcs1' }).toString();
  }
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** A private key read from a file: its description, never its material. */
export interface PrivateKeyInfo extends KeyInfo {
  /** `pkcs8`, `pkcs1` (RSA PRIVATE KEY), `sec1` (EC PRIVATE KEY) or `der`. */
  readonly format: 'pkcs8' | 'pkcs1' | 'sec1' | 'der';
  readonly encrypted: boolean;
}

/**
 * Reads a private key from PEM or DER bytes (PKCS#8, encrypted PKCS#8, PKCS#1, SEC 1): the key
 * as a `KeyObject` and its description, never its material. Errors never quote the key.
 *
 * @throws {@link CertkitError} `KEY_INVALID` when no usable key is found, `KEY_ENCRYPTED` when
 * the key is encrypted and no passphrase was given
 *
 * @example
 * ```ts
 * const { key, info } = parsePrivateKey(readFileSync('keyclient.pem'), 'keyclient.pem');
 * console.log(info.type, info.bits, info.format, info.encrypted); // 'rsa' 4096 'pkcs8' false
 * const plan = planClientRenewal({ certificate, privateKey: key });
 * ```
 */
export function parsePrivateKey(
  bytes: Uint8Array,
  source: string,
  options: { passphrase?: string } = {},
): { key: KeyObject; info: PrivateKeyInfo } {
  const blocks = parsePemBlocks(bytes, source);
  const keyBlocks = blocks.filter((b) => b.label === null || PRIVATE_KEY_LABELS.includes(b.label));
  if (keyBlocks.length === 0) {
    const first = blocks[0];
    throw new CertkitError(
      'KEY_INVALID',
      `${source} holds ${first ? describeLabel(first.label) : 'nothing'}, not a private key`,
    );
  }
  if (keyBlocks.length > 1) {
    throw new CertkitError(
      'KEY_INVALID',
      `${source} holds ${String(keyBlocks.length)} private keys; expected one`,
    );
  }
  const block = keyBlocks[0];
  if (block === undefined) throw new CertkitError('INTERNAL', 'no key block');
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || 'DEK-Info' in block.headers;
  if (encrypted && options.passphrase === undefined) {
    throw new CertkitError(
      'KEY_ENCRYPTED',
      `${source} holds an encrypted private key; give its passphrase`,
    );
  }
  if (block.label === 'OPENSSH PRIVATE KEY') {
    throw new CertkitError(
      'KEY_INVALID',
      `${source} holds an OpenSSH key; convert it with ssh-keygen -p -m PKCS8`,
    );
  }
  let key: KeyObject;
  try {
    key =
      block.label === null
        ? createPrivateKey({ key: Buffer.from(block.der), format: 'der', type: 'pkcs8' })
        : createPrivateKey({
            key: Buffer.from(bytes),
            format: 'pem',
            ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
          });
  } catch (error) {
    // A DER certificate where the key belongs (swapped --cert and --key) is said to be one.
    const signed = block.label === null ? derSignedObjectKind(block.der) : null;
    if (signed !== null) {
      throw new CertkitError('KEY_INVALID', `${source} is ${signed} (DER), not a private key`, {
        cause: error,
      });
    }
    // OpenSSL's messages can name internal structures but not key bytes; still, keep them out.
    throw new CertkitError(
      encrypted ? 'KEY_ENCRYPTED' : 'KEY_INVALID',
      encrypted
        ? `cannot decrypt the private key in ${source}: wrong passphrase?`
        : `cannot read the private key in ${source}: the key data is invalid`,
      { cause: error },
    );
  }
  const format =
    block.label === 'RSA PRIVATE KEY'
      ? 'pkcs1'
      : block.label === 'EC PRIVATE KEY'
        ? 'sec1'
        : block.label === null
          ? 'der'
          : 'pkcs8';
  return { key, info: { ...describePublicKey(createPublicKey(key)), format, encrypted } };
}

/** True when the private key is the partner of the public key (their SPKI encodings are equal). */
export function keysMatch(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const derived = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return derived.equals(publicKey.export({ format: 'der', type: 'spki' }));
}
