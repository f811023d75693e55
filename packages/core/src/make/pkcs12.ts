/**
 * PKCS#12 key stores (RFC 7292) for Java clients (Jedis, Lettuce), which take a key store rather
 * than PEM files.
 *
 * Modern protection, as OpenSSL 3 and Java 17 write by default: certificates and key encrypted
 * with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC; RFC 8018 section 6.2), integrity by HMAC-SHA256
 * with the PKCS#12 key derivation (RFC 7292 appendix B). `legacy` uses
 * pbeWithSHAAnd3-KeyTripleDES-CBC and an HMAC-SHA1 MAC, which Java 8 before 8u301 and other old
 * readers need (OpenSSL 3 reads it; its own `-legacy` would add RC2-40, which it cannot read
 * without the legacy provider).
 *
 * The DER is written with asn1/der-writer.ts: the structure is fixed and short, and every
 * cryptographic step is node:crypto (OpenSSL).
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { pkcs12Kdf, pkcs12Password } from '../x509/pkcs12-kdf.js';
import type { KeyObject } from 'node:crypto';
import { parseCertificates } from '../x509/certificates.js';
import { CertkitError } from '../errors.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { internals, namesEqual } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import {
  NULL,
  bmpString,
  encode,
  explicit,
  octetString as octets,
  oid,
  sequence as seq,
  set,
  smallInteger as integer,
} from '../asn1/der-writer.js';
import type { Certificate, CertificateInfo } from '../x509/pkix.js';

/** PBKDF2 and MAC iterations of modern key stores: 10,000, Java 17's default for PKCS#12. */
export const P12_ITERATIONS = 10_000;
/** Iterations of legacy key stores: 2048, what OpenSSL has always written. */
export const P12_LEGACY_ITERATIONS = 2048;

const P = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha1: '1.3.14.3.2.26',
  pbeSha3Des: '1.2.840.113549.1.12.1.3',
  // Oracle's "trusted key usage" bag attribute: Java's PKCS12KeyStore loads a certificate bag
  // without a key as a trustedCertEntry only when it carries this attribute (what keytool writes
  // for -importcert, and `openssl pkcs12 -export -jdktrust anyExtendedKeyUsage`).
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

// --- key derivation and encryption -------------------------------------------------------------

interface Encrypted {
  readonly algorithm: Uint8Array;
  readonly ciphertext: Buffer;
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018 sections 6.2 and A.4). */
function pbes2Encrypt(plain: Uint8Array, password: string, iterations: number): Encrypted {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const algorithm = seq(
    oid(P.pbes2),
    seq(
      seq(oid(P.pbkdf2), seq(octets(salt), integer(iterations), seq(oid(P.hmacWithSHA256), NULL))),
      seq(oid(P.aes256Cbc), octets(iv)),
    ),
  );
  return { algorithm, ciphertext };
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 appendix C), for legacy readers. */
function legacyEncrypt(plain: Uint8Array, password: string, iterations: number): Encrypted {
  const salt = randomBytes(8);
  const pw = pkcs12Password(password);
  const key = pkcs12Kdf('sha1', pw, salt, 1, iterations, 24);
  const iv = pkcs12Kdf('sha1', pw, salt, 2, iterations, 8);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { algorithm: seq(oid(P.pbeSha3Des), seq(octets(salt), integer(iterations))), ciphertext };
}

// --- the key store -----------------------------------------------------------------------------

/** Options of {@link createPkcs12} for a key store: a private key, its certificate and chain. */
export interface Pkcs12Options {
  /** The certificate (PEM or DER); any further certificates in it join the chain. */
  readonly certificate: Uint8Array;
  readonly certificateSource: string;
  /** Its private key (PEM or DER). */
  readonly key: Uint8Array;
  readonly keySource: string;
  /** Passphrase of an encrypted key. */
  readonly keyPassphrase?: string;
  /** Issuing certificates to include after the certificate (intermediates, root). */
  readonly chain?: { readonly bytes: Uint8Array; readonly source: string };
  /** Protects the store (Java calls it the store password and key password alike). */
  readonly password: string;
  /** 3DES + SHA-1 MAC instead of AES-256 + SHA-256, for old readers. */
  readonly legacy?: boolean;
  /** Alias in the store (keytool's "Alias name"); default: the certificate's CN, else `client`. */
  readonly friendlyName?: string;
  /** Default {@link P12_ITERATIONS} (modern) or {@link P12_LEGACY_ITERATIONS} (legacy). */
  readonly iterations?: number;
}

/** A key store and what it holds. */
export interface Pkcs12Store {
  readonly der: Uint8Array;
  readonly friendlyName: string;
  /** The certificate, then the chain, in store order. */
  readonly certificates: readonly CertificateInfo[];
  readonly protection: 'aes-256-cbc/pbkdf2-sha256, hmac-sha256' | '3des/pkcs12-sha1, hmac-sha1';
  /** Advice that did not stop the work (chain certificates that do not issue the certificate). */
  readonly warnings: readonly string[];
}

/**
 * Builds a PKCS#12 store: a key store holding one private key, its certificate and the chain
 * (options {@link Pkcs12Options}, the default), or a trust store holding certificates only
 * (options {@link TrustStoreOptions}, with `trustedCertificates`): every certificate of the
 * inputs (duplicates once) a trusted certificate entry, the way keytool writes one (a certBag
 * with a friendlyName and Oracle's trusted-key-usage attribute, no key), what Java clients
 * (Jedis, Lettuce) take as `javax.net.ssl.trustStore`, type PKCS12.
 *
 * @throws {@link CertkitError} `KEY_MISMATCH` when the key is not the certificate's;
 * `INVALID_OPTION` for an empty password, a trust store without any certificate, or options
 * of both kinds
 *
 * @example
 * ```ts
 * const store = createPkcs12({ certificate: certPem, certificateSource: 'cert.pem',
 *   key: keyPem, keySource: 'keyclient.pem', password: 'changeit' });
 * writeFileSync('client.p12', store.der, { mode: 0o600 });
 *
 * const trust = createPkcs12({ password: 'changeit',
 *   trustedCertificates: [{ bytes: readFileSync('servercerts.pem'), source: 'servercerts.pem' }] });
 * console.log(trust.entries.map((e) => e.alias));
 * ```
 */
export function createPkcs12(options: Pkcs12Options): Pkcs12Store;
export function createPkcs12(options: TrustStoreOptions): TrustStore;
export function createPkcs12(options: Pkcs12Options | TrustStoreOptions): Pkcs12Store | TrustStore;
export function createPkcs12(options: Pkcs12Options | TrustStoreOptions): Pkcs12Store | TrustStore {
  const trust = 'trustedCertificates' in options;
  // JavaScript callers can pass anything: a store is one kind or the other, never both.
  if (trust && ('certificate' in options || 'key' in options)) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a trust store holds certificates only: give trustedCertificates, or a certificate and its key, not both',
    );
  }
  return trust ? createTrustStore(options) : createKeyStore(options);
}

/** A key store: one private key, its certificate and the chain. */
function createKeyStore(options: Pkcs12Options): Pkcs12Store {
  if (options.password.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'the key store password is empty');
  }
  const legacy = options.legacy ?? false;
  const iterations = checkIterations(
    options.iterations ?? (legacy ? P12_LEGACY_ITERATIONS : P12_ITERATIONS),
  );
  const [leaf, ...more] = parseCertificates(options.certificate, options.certificateSource);
  if (leaf === undefined) throw new CertkitError('INTERNAL', 'no certificate');
  const { key } = parsePrivateKey(options.key, options.keySource, {
    ...(options.keyPassphrase === undefined ? {} : { passphrase: options.keyPassphrase }),
  });
  const publicKey = internals(leaf).publicKey;
  if (publicKey === null || !keysMatch(key, publicKey)) {
    throw new CertkitError(
      'KEY_MISMATCH',
      `${options.keySource} is not the key of ${options.certificateSource} (${leaf.info.subject})`,
    );
  }
  const extra =
    options.chain === undefined ? [] : parseCertificates(options.chain.bytes, options.chain.source);
  const seen = new Set([leaf.info.fingerprintSha256]);
  const chain: Certificate[] = [];
  for (const certificate of [...more, ...extra]) {
    if (seen.has(certificate.info.fingerprintSha256)) continue;
    seen.add(certificate.info.fingerprintSha256);
    chain.push(certificate);
  }
  const friendlyName =
    options.friendlyName ??
    leaf.info.subjectAttributes.find((a) => a.type === 'CN')?.value ??
    'client';
  // OpenSSL and Java pair a key with its certificate by localKeyId: SHA-1 of the certificate.
  const localKeyId = createHash('sha1').update(leaf.der).digest();
  const keyAttributes = set(
    seq(oid(P.friendlyName), set(bmpString(friendlyName))),
    seq(oid(P.localKeyId), set(octets(localKeyId))),
  );
  const encrypt = legacy ? legacyEncrypt : pbes2Encrypt;
  const certContents = seq(certBag(leaf, keyAttributes), ...chain.map((c) => certBag(c, null)));
  const pkcs8 = exportPkcs8(key);
  const encryptedKey = encrypt(pkcs8, options.password, iterations);
  const keyContents = seq(
    seq(
      oid(P.keyBag),
      explicit(0, seq(encryptedKey.algorithm, octets(encryptedKey.ciphertext))),
      keyAttributes,
    ),
  );
  const keyInfo = seq(oid(P.data), explicit(0, octets(keyContents)));
  return {
    der: pfx([encryptedSafe(certContents, options.password, legacy, iterations), keyInfo], {
      password: options.password,
      legacy,
      iterations,
    }),
    friendlyName,
    certificates: [leaf, ...chain].map((c) => c.info),
    protection: protectionOf(legacy),
    warnings: chainWarnings(leaf, chain, options.chain?.source),
  };
}

/** A certBag (RFC 7292 section 4.2.3) holding an X.509 certificate, with its attributes. */
function certBag(certificate: Certificate, attributes: Uint8Array | null): Uint8Array {
  return seq(
    oid(P.certBag),
    explicit(0, seq(oid(P.x509Certificate), explicit(0, octets(certificate.der)))),
    ...(attributes === null ? [] : [attributes]),
  );
}

/** SafeContents encrypted with the password: an encryptedData ContentInfo (RFC 7292 section 4.1). */
function encryptedSafe(
  contents: Uint8Array,
  password: string,
  legacy: boolean,
  iterations: number,
): Uint8Array {
  const encrypted = (legacy ? legacyEncrypt : pbes2Encrypt)(contents, password, iterations);
  return seq(
    oid(P.encryptedData),
    explicit(
      0,
      seq(integer(0), seq(oid(P.data), encrypted.algorithm, encode(0x80, encrypted.ciphertext))),
    ),
  );
}

/** The PFX (RFC 7292 section 4) around the authenticated safe's ContentInfos, with its MAC. */
function pfx(
  contentInfos: readonly Uint8Array[],
  options: { password: string; legacy: boolean; iterations: number },
): Uint8Array {
  const { legacy, iterations } = options;
  const authSafe = seq(...contentInfos);
  // RFC 7292 section 5.1 step 5: the MAC key comes from the PKCS#12 KDF with ID 3.
  const macHash = legacy ? 'sha1' : 'sha256';
  const macSalt = randomBytes(legacy ? 8 : 16);
  const macKey = pkcs12Kdf(
    macHash,
    pkcs12Password(options.password),
    macSalt,
    3,
    iterations,
    legacy ? 20 : 32,
  );
  const mac = createHmac(macHash, macKey).update(authSafe).digest();
  const macData = seq(
    seq(seq(oid(legacy ? P.sha1 : P.sha256), NULL), octets(mac)),
    octets(macSalt),
    integer(iterations),
  );
  return new Uint8Array(seq(integer(3), seq(oid(P.data), explicit(0, octets(authSafe))), macData));
}

function protectionOf(legacy: boolean): Pkcs12Store['protection'] {
  return legacy ? '3des/pkcs12-sha1, hmac-sha1' : 'aes-256-cbc/pbkdf2-sha256, hmac-sha256';
}

/**
 * The chain certificates that are not on the path from `leaf` to its root (each issuing the one
 * before: names match and the signature verifies). A key store's chain is that path; a
 * certificate off it, such as the servers' certificates given where a trust store belongs, does
 * not make Java trust anything.
 */
function chainWarnings(
  leaf: Certificate,
  chain: readonly Certificate[],
  chainSource: string | undefined,
): string[] {
  const onPath = new Set<Certificate>();
  let current = leaf;
  // Each step adds one certificate: at most chain.length steps, whatever the input.
  for (let step = 0; step < chain.length && !current.info.selfIssued; step++) {
    const child = current;
    const issuer = chain.find(
      (c) =>
        !onPath.has(c) && namesEqual(child, 'issuer', c, 'subject') && signatureVerifies(child, c),
    );
    if (issuer === undefined) break;
    onPath.add(issuer);
    current = issuer;
  }
  const off = chain.filter((c) => !onPath.has(c));
  if (off.length === 0) return [];
  const where = chainSource === undefined ? '' : ` in ${chainSource}`;
  const names = off.map((c) => c.info.subject).join('; ');
  return [
    `${String(off.length)} certificate${off.length === 1 ? '' : 's'}${where} do${off.length === 1 ? 'es' : ''} not issue ${leaf.info.subject} (${names}): a key store's chain is the path from its certificate to the root, and Java trusts nothing because of it: certificates are trusted from a trust store`,
  ];
}

/** Options of {@link createPkcs12} for a trust store: certificates only, each trusted. */
export interface TrustStoreOptions {
  /** Certificate inputs (PEM bundles or DER): every certificate of each becomes a trusted entry. */
  readonly trustedCertificates: readonly { readonly bytes: Uint8Array; readonly source: string }[];
  /** Protects the store (Java's trust store password). */
  readonly password: string;
  /** 3DES + SHA-1 MAC instead of AES-256 + SHA-256, for old readers. */
  readonly legacy?: boolean;
  /** Default {@link P12_ITERATIONS} (modern) or {@link P12_LEGACY_ITERATIONS} (legacy). */
  readonly iterations?: number;
}

/** A trust store and what it holds. */
export interface TrustStore {
  readonly der: Uint8Array;
  /** Each certificate with its alias (keytool's "Alias name"), in store order. */
  readonly entries: readonly { readonly alias: string; readonly certificate: CertificateInfo }[];
  readonly protection: Pkcs12Store['protection'];
}

/**
 * The alias of a trusted entry: the subject's CN (else the whole subject), unique among the
 * entries ignoring case (Java's PKCS12KeyStore lowercases aliases, so `Node` and `node` would
 * be one entry and one certificate lost): later ones get ` (2)`, ` (3)`, …
 */
function uniqueAlias(certificate: Certificate, taken: Set<string>): string {
  const base =
    certificate.info.subjectAttributes.find((a) => a.type === 'CN')?.value ??
    (certificate.info.subject.length > 0 ? certificate.info.subject : 'certificate');
  let alias = base;
  for (let n = 2; taken.has(alias.toLowerCase()); n++) alias = `${base} (${String(n)})`;
  taken.add(alias.toLowerCase());
  return alias;
}

/** A trust store: every certificate of the inputs, duplicates once, as a trusted entry. */
function createTrustStore(options: TrustStoreOptions): TrustStore {
  if (options.password.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'the trust store password is empty');
  }
  const legacy = options.legacy ?? false;
  const iterations = checkIterations(
    options.iterations ?? (legacy ? P12_LEGACY_ITERATIONS : P12_ITERATIONS),
  );
  const seen = new Set<string>();
  const certificates: Certificate[] = [];
  for (const input of options.trustedCertificates) {
    for (const certificate of parseCertificates(input.bytes, input.source)) {
      if (seen.has(certificate.info.fingerprintSha256)) continue;
      seen.add(certificate.info.fingerprintSha256);
      certificates.push(certificate);
    }
  }
  if (certificates.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'a trust store needs at least one certificate');
  }
  const taken = new Set<string>();
  const entries = certificates.map((certificate) => ({
    certificate,
    alias: uniqueAlias(certificate, taken),
  }));
  const trusted = seq(oid(P.oracleTrustedKeyUsage), set(oid(P.anyExtendedKeyUsage)));
  const contents = seq(
    ...entries.map((e) =>
      certBag(e.certificate, set(seq(oid(P.friendlyName), set(bmpString(e.alias))), trusted)),
    ),
  );
  return {
    der: pfx([encryptedSafe(contents, options.password, legacy, iterations)], {
      password: options.password,
      legacy,
      iterations,
    }),
    entries: entries.map((e) => ({ alias: e.alias, certificate: e.certificate.info })),
    protection: protectionOf(legacy),
  };
}

function checkIterations(iterations: number): number {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) {
    throw new CertkitError(
      'INVALID_OPTION',
      `iterations must be 1 to 10000000, got ${String(iterations)}`,
    );
  }
  return iterations;
}

function exportPkcs8(key: KeyObject): Buffer {
  // A KeyObject read from any syntax (PKCS#1, SEC1, PKCS#8) exports as PKCS#8.
  return key.export({ format: 'der', type: 'pkcs8' });
}
