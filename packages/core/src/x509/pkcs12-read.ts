/**
 * Reading PKCS#12 files (RFC 7292: `.p12`, `.pfx`), as operators get them from Java's keytool,
 * OpenSSL (modern and `-legacy`), Windows and certkit's own `export-p12`: the integrity MAC is
 * checked, every bag decrypted, and the certificates and keys come out as DER with their
 * friendly names and local key ids. Encryption: PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512;
 * AES-128/192/256-CBC or 3DES-CBC; RFC 8018) and the PKCS#12 PBEs with 3DES and RC2 (RFC 7292
 * appendix C). Public-key protected stores (envelopedData) are not read.
 *
 * Every file is hostile: DER with definite lengths only (asn1/der.ts), iteration counts bounded
 * by {@link MAX_PKCS12_ITERATIONS}, nesting by {@link MAX_SAFE_CONTENTS_DEPTH}, bags by
 * {@link MAX_PKCS12_BAGS}.
 */
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import {
  DerError,
  TAG,
  childrenOf,
  decodeOid,
  decodeSmallInteger,
  isContext,
  isUniversal,
  readOnly,
  sequenceOf,
} from '../asn1/der.js';
import type { DerElement } from '../asn1/der.js';
import { CertkitError } from '../errors.js';
import { pkcs12Kdf, pkcs12Password } from './pkcs12-kdf.js';
import { rc2CbcDecrypt } from './rc2.js';

/** Most iterations accepted for a key derivation: Java writes 10,000, OpenSSL 2,048. */
export const MAX_PKCS12_ITERATIONS = 1_000_000;
/** Deepest nesting of safeContentsBag read. */
export const MAX_SAFE_CONTENTS_DEPTH = 4;
/** Most bags read from one file. */
export const MAX_PKCS12_BAGS = 1_000;

/** A certificate of a PKCS#12 file. */
export interface Pkcs12Certificate {
  readonly der: Uint8Array;
  /** The alias (friendlyName attribute), if any. */
  readonly friendlyName?: string;
  /** The localKeyId attribute, hex: the key with the same id goes with this certificate. */
  readonly localKeyId?: string;
  /** A trusted certificate entry (Oracle's trusted-key-usage attribute, as keytool writes). */
  readonly trusted: boolean;
}

/** A private key of a PKCS#12 file. */
export interface Pkcs12Key {
  /** PKCS#8 PrivateKeyInfo, DER (decrypted). */
  readonly pkcs8: Uint8Array;
  readonly friendlyName?: string;
  readonly localKeyId?: string;
}

/** What a PKCS#12 file holds. */
export interface Pkcs12Contents {
  readonly certificates: readonly Pkcs12Certificate[];
  readonly keys: readonly Pkcs12Key[];
  /** The integrity MAC's hash (`sha256`, …), or null for a file without one. */
  readonly mac: string | null;
  /** How the encrypted parts were protected, e.g. `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`. */
  readonly protection: readonly string[];
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  envelopedData: '1.2.840.113549.1.7.3',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
} as const;

type Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Digest OIDs of MacData (RFC 7292 section 4) and their node:crypto names. */
const DIGESTS: Readonly<Record<string, Hash>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** PBKDF2 PRFs (RFC 8018 appendix B.1). */
const PRFS: Readonly<Record<string, Hash>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

/** PBES2 ciphers (RFC 8018 appendix B.2): node:crypto name, key and IV sizes. */
const CIPHERS: Readonly<Record<string, { name: string; key: number; label: string }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', key: 16, label: 'AES-128-CBC' },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', key: 24, label: 'AES-192-CBC' },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', key: 32, label: 'AES-256-CBC' },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', key: 24, label: '3DES-CBC' },
};

/** The PKCS#12 PBEs (RFC 7292 appendix C), all with SHA-1. */
const PKCS12_PBES: Readonly<
  Record<string, { cipher: 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2'; key: number; label: string }>
> = {
  '1.2.840.113549.1.12.1.3': {
    cipher: 'des-ede3-cbc',
    key: 24,
    label: 'pbeWithSHAAnd3-KeyTripleDES-CBC',
  },
  '1.2.840.113549.1.12.1.4': {
    cipher: 'des-ede-cbc',
    key: 16,
    label: 'pbeWithSHAAnd2-KeyTripleDES-CBC',
  },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', key: 16, label: 'pbeWithSHAAnd128BitRC2-CBC' },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', key: 5, label: 'pbeWithSHAAnd40BitRC2-CBC' },
};

class Reader {
  readonly protection = new Set<string>();
  readonly certificates: Pkcs12Certificate[] = [];
  readonly keys: Pkcs12Key[] = [];
  private bags = 0;

  constructor(
    private readonly source: string,
    private readonly password: string | undefined,
  ) {}

  invalid(why: string, cause?: unknown): CertkitError {
    return new CertkitError(
      'PKCS12_INVALID',
      `cannot read ${this.source} as PKCS#12: ${why}`,
      cause === undefined ? undefined : { cause },
    );
  }

  passwordNeeded(): string {
    if (this.password === undefined) {
      throw new CertkitError(
        'KEY_ENCRYPTED',
        `${this.source} is a PKCS#12 file protected by a password; give its password`,
      );
    }
    return this.password;
  }

  wrongPassword(): CertkitError {
    return new CertkitError(
      'KEY_ENCRYPTED',
      `cannot open ${this.source}: wrong password (its integrity check fails)`,
    );
  }

  iterations(element: DerElement | undefined): number {
    if (element === undefined) return 1;
    const n = decodeSmallInteger(element);
    if (n < 1 || n > MAX_PKCS12_ITERATIONS) {
      throw this.invalid(
        `an iteration count of ${String(n)} (at most ${String(MAX_PKCS12_ITERATIONS)} are done)`,
      );
    }
    return n;
  }

  octets(element: DerElement | undefined, what: string): Uint8Array {
    if (element === undefined || !isUniversal(element, TAG.octetString)) {
      throw this.invalid(`expected ${what}`);
    }
    return this.octetContent(element);
  }

  /** An OCTET STRING's contents; a constructed one (BER) is its pieces joined. */
  octetContent(element: DerElement): Uint8Array {
    if (!element.constructed) return element.content;
    return Buffer.concat(childrenOf(element).map((piece) => this.octetContent(piece)));
  }

  /** The MacData check (RFC 7292 section 5.1). */
  checkMac(authSafe: Uint8Array, macData: DerElement): string {
    const [mac, salt, count] = sequenceOf(macData, 'MacData');
    const [algorithm, digest] = sequenceOf(mac, 'the MAC DigestInfo');
    const [oid] = sequenceOf(algorithm, 'the MAC algorithm');
    const hash = DIGESTS[decodeOid(oidOf(oid))];
    if (hash === undefined) throw this.invalid('an integrity MAC with an unknown hash');
    const password = this.passwordNeeded();
    const expected = this.octets(digest, 'the MAC');
    const key = pkcs12Kdf(
      hash,
      pkcs12Password(password),
      Buffer.from(this.octets(salt, 'the MAC salt')),
      3,
      this.iterations(count),
      expected.length,
    );
    const actual = createHmac(hash, key).update(authSafe).digest();
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw this.wrongPassword();
    }
    return hash;
  }

  /** Decrypts an EncryptedContentInfo's content with its algorithm (PBES2 or a PKCS#12 PBE). */
  decrypt(algorithm: DerElement | undefined, ciphertext: Uint8Array): Uint8Array {
    const [oid, params] = sequenceOf(algorithm, 'an encryption algorithm');
    const name = decodeOid(oidOf(oid));
    const password = this.passwordNeeded();
    if (name === OIDS.pbes2) return this.pbes2(params, ciphertext, password);
    const pbe = PKCS12_PBES[name];
    if (pbe === undefined) throw this.invalid(`encryption ${name} is not supported`);
    const [salt, count] = sequenceOf(params, 'the PBE parameters');
    const saltBytes = Buffer.from(this.octets(salt, 'the PBE salt'));
    const iterations = this.iterations(count);
    const pw = pkcs12Password(password);
    const key = pkcs12Kdf('sha1', pw, saltBytes, 1, iterations, pbe.key);
    const iv = pkcs12Kdf('sha1', pw, saltBytes, 2, iterations, 8);
    this.protection.add(pbe.label);
    if (pbe.cipher === 'rc2') {
      const plain = rc2CbcDecrypt(key, pbe.key * 8, iv, ciphertext);
      if (plain === null) throw this.wrongPassword();
      return plain;
    }
    return this.cipher(pbe.cipher, key, iv, ciphertext);
  }

  pbes2(params: DerElement | undefined, ciphertext: Uint8Array, password: string): Uint8Array {
    const [kdf, scheme] = sequenceOf(params, 'the PBES2 parameters');
    const [kdfOid, kdfParams] = sequenceOf(kdf, 'the PBES2 key derivation');
    if (decodeOid(oidOf(kdfOid)) !== OIDS.pbkdf2) {
      throw this.invalid('a PBES2 key derivation other than PBKDF2');
    }
    const fields = sequenceOf(kdfParams, 'the PBKDF2 parameters');
    const salt = this.octets(fields[0], 'the PBKDF2 salt');
    const iterations = this.iterations(fields[1]);
    // keyLength (INTEGER) is optional; the PRF (a SEQUENCE) defaults to HMAC-SHA1.
    const prfElement = fields.slice(2).find((f) => isUniversal(f, TAG.sequence));
    const prf =
      prfElement === undefined
        ? 'sha1'
        : PRFS[decodeOid(oidOf(sequenceOf(prfElement, 'the PBKDF2 PRF')[0]))];
    if (prf === undefined) throw this.invalid('a PBKDF2 PRF that is not HMAC-SHA1/2');
    const [cipherOid, ivElement] = sequenceOf(scheme, 'the PBES2 cipher');
    const cipher = CIPHERS[decodeOid(oidOf(cipherOid))];
    if (cipher === undefined) throw this.invalid('a PBES2 cipher that is not AES-CBC or 3DES');
    const iv = this.octets(ivElement, 'the cipher IV');
    // PKCS#12 passes the password to PBES2 as UTF-8 (what OpenSSL and Java do).
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.key, prf);
    this.protection.add(`PBES2 (PBKDF2-HMAC-${prf.toUpperCase()}, ${cipher.label})`);
    return this.cipher(cipher.name, key, iv, ciphertext);
  }

  cipher(name: string, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    try {
      const decipher = createDecipheriv(name, key, iv);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      // Bad padding: a wrong password when the file has no MAC to say so first.
      throw this.wrongPassword();
    }
  }

  /** One ContentInfo of the AuthenticatedSafe: plain data, or encryptedData. */
  contentInfo(element: DerElement): void {
    const [typeElement, content] = sequenceOf(element, 'a ContentInfo');
    const type = decodeOid(oidOf(typeElement));
    if (!isContext(content, 0) || content === undefined)
      throw this.invalid('a ContentInfo without content');
    const [inner] = childrenOf(content);
    if (type === OIDS.data) {
      this.safeContents(this.octets(inner, 'the data content'), 0);
      return;
    }
    if (type === OIDS.encryptedData) {
      const [, encryptedContentInfo] = sequenceOf(inner, 'EncryptedData');
      const [, algorithm, encrypted] = sequenceOf(encryptedContentInfo, 'EncryptedContentInfo');
      if (encrypted === undefined || !isContext(encrypted, 0)) {
        throw this.invalid('encrypted data without its content');
      }
      this.safeContents(this.decrypt(algorithm, this.octetContent(encrypted)), 0);
      return;
    }
    if (type === OIDS.envelopedData) {
      throw this.invalid(
        'its contents are protected by a public key (envelopedData), not a password',
      );
    }
    throw this.invalid(`a ContentInfo of type ${type}`);
  }

  safeContents(bytes: Uint8Array, depth: number): void {
    if (depth > MAX_SAFE_CONTENTS_DEPTH) throw this.invalid('bags nested too deep');
    for (const bag of sequenceOf(readOnly(bytes), 'SafeContents')) {
      if (++this.bags > MAX_PKCS12_BAGS) {
        throw this.invalid(`more than ${String(MAX_PKCS12_BAGS)} bags`);
      }
      this.safeBag(bag, depth);
    }
  }

  safeBag(bag: DerElement, depth: number): void {
    const [idElement, value, attributes] = sequenceOf(bag, 'a SafeBag');
    const id = decodeOid(oidOf(idElement));
    if (!isContext(value, 0) || value === undefined) throw this.invalid('a bag without a value');
    const [inner] = childrenOf(value);
    if (inner === undefined) throw this.invalid('an empty bag');
    const attrs = this.attributes(attributes);
    switch (id) {
      case OIDS.keyBag:
        this.keys.push({ pkcs8: inner.bytes, ...attrs.names });
        return;
      case OIDS.shroudedKeyBag: {
        const [algorithm, data] = sequenceOf(inner, 'EncryptedPrivateKeyInfo');
        this.keys.push({
          pkcs8: this.decrypt(algorithm, this.octets(data, 'the encrypted key')),
          ...attrs.names,
        });
        return;
      }
      case OIDS.certBag: {
        const [type, certValue] = sequenceOf(inner, 'a CertBag');
        if (decodeOid(oidOf(type)) !== OIDS.x509Certificate) return; // SDSI certificates: none in use
        if (!isContext(certValue, 0) || certValue === undefined)
          throw this.invalid('a CertBag without its certificate');
        const [octets] = childrenOf(certValue);
        this.certificates.push({
          der: this.octets(octets, 'the certificate'),
          ...attrs.names,
          trusted: attrs.trusted,
        });
        return;
      }
      case OIDS.safeContentsBag:
        this.safeContents(inner.bytes, depth + 1);
        return;
      default:
        return; // CRL and secret bags: nothing an operator inspects here
    }
  }

  attributes(element: DerElement | undefined): {
    names: { friendlyName?: string; localKeyId?: string };
    trusted: boolean;
  } {
    const names: { friendlyName?: string; localKeyId?: string } = {};
    let trusted = false;
    if (element === undefined) return { names, trusted };
    if (!isUniversal(element, TAG.set)) throw this.invalid('bag attributes that are not a SET');
    for (const attribute of childrenOf(element)) {
      const [oid, values] = sequenceOf(attribute, 'a bag attribute');
      const type = decodeOid(oidOf(oid));
      const [first] = values === undefined ? [] : childrenOf(values);
      if (type === OIDS.friendlyName && first !== undefined && first.number === 30) {
        names.friendlyName = bmpText(first.content);
      } else if (type === OIDS.localKeyId && first !== undefined) {
        names.localKeyId = Buffer.from(this.octets(first, 'the local key id')).toString('hex');
      } else if (type === OIDS.oracleTrustedKeyUsage) {
        trusted = true;
      }
    }
    return { names, trusted };
  }
}

function oidOf(element: DerElement | undefined): Uint8Array {
  if (element === undefined || !isUniversal(element, TAG.oid))
    throw new DerError('expected an OID');
  return element.content;
}

/** A BMPString's text (UTF-16 big-endian). */
function bmpText(bytes: Uint8Array): string {
  const swapped = Buffer.alloc(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1] ?? 0;
    swapped[i + 1] = bytes[i] ?? 0;
  }
  return swapped.toString('utf16le');
}

/**
 * True when the bytes look like a PKCS#12 PFX: a SEQUENCE starting with INTEGER 3 and a
 * ContentInfo. Cheap: for telling a `.p12` from a DER certificate or key without a file name.
 */
export function looksLikePkcs12(bytes: Uint8Array): boolean {
  try {
    const [version, authSafe] = sequenceOf(readOnly(bytes), 'PFX');
    return (
      version !== undefined &&
      isUniversal(version, TAG.integer) &&
      decodeSmallInteger(version) === 3 &&
      isUniversal(authSafe, TAG.sequence)
    );
  } catch {
    return false; // not DER of that shape: not a PKCS#12 file
  }
}

/**
 * Reads a PKCS#12 file: checks its MAC with the password, decrypts every bag, and returns the
 * certificates and keys (keys as PKCS#8 DER: the caller must not show them).
 *
 * @throws {@link CertkitError} `KEY_ENCRYPTED` without the password or with a wrong one;
 * `PKCS12_INVALID` for anything that is not a readable PKCS#12 file
 *
 * @example
 * ```ts
 * const contents = readPkcs12(readFileSync('client.p12'), 'client.p12', 'changeit');
 * console.log(contents.certificates.length, contents.keys.length);
 * ```
 */
export function readPkcs12(
  bytes: Uint8Array,
  source: string,
  password: string | undefined,
): Pkcs12Contents {
  const reader = new Reader(source, password);
  try {
    const [version, authSafe, macData] = sequenceOf(readOnly(bytes), 'PFX');
    if (version === undefined || decodeSmallInteger(version) !== 3) {
      throw reader.invalid('not a version 3 PFX');
    }
    const [typeElement, content] = sequenceOf(authSafe, 'the authenticated safe');
    if (decodeOid(oidOf(typeElement)) !== OIDS.data) {
      throw reader.invalid('public-key integrity (signedData) is not supported');
    }
    if (!isContext(content, 0) || content === undefined) throw reader.invalid('no content');
    const [octets] = childrenOf(content);
    const authenticated = reader.octets(octets, 'the authenticated safe');
    const mac = macData === undefined ? null : reader.checkMac(authenticated, macData);
    for (const info of sequenceOf(readOnly(authenticated), 'AuthenticatedSafe')) {
      reader.contentInfo(info);
    }
    return {
      certificates: reader.certificates,
      keys: reader.keys,
      mac,
      protection: [...reader.protection],
    };
  } catch (error) {
    if (error instanceof CertkitError) throw error;
    throw reader.invalid(error instanceof DerError ? error.message : 'malformed DER', error);
  }
}
