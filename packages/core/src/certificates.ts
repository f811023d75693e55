/**
 * Reading certificates from inputs, and making them from profiles.
 *
 * A profile is data: the extensions a kind of certificate carries. `gen-client` uses
 * {@link CLIENT_PROFILE}; other kinds (CA, server) are further profiles, not copies of code.
 */
import { randomBytes } from 'node:crypto';
import { CertkitError } from './errors.js';
import { PRIVATE_KEY_LABELS, describeLabel, parsePemBlocks } from './pem.js';
import { OID, parseCertificate, signCertificate } from './pkix.js';
import type { Certificate, CertificateInfo, KeyUsageName, NameInput } from './pkix.js';
import {
  EC_CURVES,
  RSA_KEY_SIZES,
  encryptPrivateKey,
  exportPrivateKey,
  generateKeyPair,
  parsePrivateKey,
} from './keys.js';
import type { Curve, KeyFormat, KeyPair, KeyType } from './keys.js';
import { createPublicKey } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  assertCanWrite,
  readInputFile,
  readPassphraseFile,
  writeFilesAtomically,
} from './files.js';
import type { OutputFile } from './files.js';

/** Default RSA modulus for client identities: 4096 bits, as the Redis Enterprise guide does. */
export const CLIENT_KEY_BITS = 4096;
/** Default validity of a client certificate: 1826 days (five years), as the Redis guide's `-days 1826`. */
export const CLIENT_CERT_VALIDITY_DAYS = 1826;
/** Longest validity accepted: 36500 days (100 years). */
export const MAX_VALIDITY_DAYS = 36500;
/** Default key type. */
export const DEFAULT_KEY_TYPE: KeyType = 'rsa';
/** Default curve when `keyType` is `ec`. */
export const DEFAULT_CURVE: Curve = 'P-256';
/** Default private key encoding: PKCS#8 (`BEGIN PRIVATE KEY`), what OpenSSL 3 writes. */
export const DEFAULT_KEY_FORMAT: KeyFormat = 'pkcs8';
/** Serial numbers are 16 random bytes, positive (CA/Browser Forum BR 7.1 asks for ≥ 64 bits). */
export const SERIAL_NUMBER_BYTES = 16;
/** Most certificates accepted in one input (a guard against hostile or runaway inputs). */
export const MAX_CERTIFICATES_PER_INPUT = 10_000;

/** The extensions a kind of certificate carries. */
export interface CertificateProfile {
  readonly name: string;
  readonly ca: boolean;
  readonly pathLength?: number;
  /** keyUsage bits for RSA keys. */
  readonly keyUsage: readonly KeyUsageName[];
  /**
   * keyUsage bits for EC keys: no keyEncipherment, which RFC 5480 section 3 does not allow
   * with ECDSA keys (they cannot encipher).
   */
  readonly keyUsageEc: readonly KeyUsageName[];
  /** EKU OIDs. */
  readonly extendedKeyUsage: readonly string[];
  readonly defaultDays: number;
}

/**
 * A TLS client identity: `CA:FALSE` (critical), keyUsage digitalSignature + keyEncipherment
 * (critical), EKU clientAuth. Unlike `openssl req -x509` on OpenSSL 3, which writes `CA:TRUE`
 * and no EKU: redis-server accepts either as `tls-ca-cert-file`, but a CA certificate is the
 * wrong thing to hand to a client, and an EKU of serverAuth alone is refused.
 */
export const CLIENT_PROFILE: CertificateProfile = {
  name: 'client',
  ca: false,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  keyUsageEc: ['digitalSignature'],
  extendedKeyUsage: [OID.clientAuth],
  defaultDays: CLIENT_CERT_VALIDITY_DAYS,
};

/** Subject fields, as `openssl req` prompts for them. */
export interface SubjectFields {
  /** CN: required. */
  readonly commonName: string;
  readonly country?: string;
  readonly state?: string;
  readonly locality?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly emailAddress?: string;
}

const SUBJECT_KEYS: Readonly<Record<string, keyof SubjectFields>> = {
  CN: 'commonName',
  C: 'country',
  ST: 'state',
  L: 'locality',
  O: 'organization',
  OU: 'organizationalUnit',
  EMAILADDRESS: 'emailAddress',
  EMAIL: 'emailAddress',
};

/**
 * Parses an OpenSSL-style subject, `/C=US/O=Acme/CN=app` (`\/` escapes a slash).
 *
 * @example
 * ```ts
 * parseSubject('/C=US/O=Acme/CN=app'); // { country: 'US', organization: 'Acme', commonName: 'app' }
 * ```
 */
export function parseSubject(text: string): SubjectFields {
  if (!text.startsWith('/')) {
    throw new CertkitError(
      'INVALID_OPTION',
      `subject must look like /C=US/O=Acme/CN=app, got "${text}"`,
    );
  }
  const fields: Record<string, string> = {};
  const parts = text.slice(1).split(/(?<!\\)\//);
  for (const part of parts) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new CertkitError('INVALID_OPTION', `subject part "${part}" has no TYPE=value`);
    const type = part.slice(0, eq).trim();
    const key = SUBJECT_KEYS[type.toUpperCase()];
    if (key === undefined) {
      throw new CertkitError(
        'INVALID_OPTION',
        `subject type "${type}" is not one of C, ST, L, O, OU, CN, emailAddress`,
      );
    }
    if (key in fields)
      throw new CertkitError('INVALID_OPTION', `subject type "${type}" is given twice`);
    fields[key] = part.slice(eq + 1).replace(/\\\//g, '/');
  }
  if (fields.commonName === undefined)
    throw new CertkitError('INVALID_OPTION', 'subject has no CN');
  return fields as unknown as SubjectFields;
}

/** Bounds from RFC 5280 Appendix A (ub-common-name 64, ub-organization-name 64, …). */
function subjectAttributes(subject: SubjectFields): NameInput[] {
  const check = (label: string, value: string | undefined, max: number): void => {
    if (value === undefined) return;
    if (value.trim().length === 0)
      throw new CertkitError('INVALID_OPTION', `subject ${label} is empty`);
    if (value.length > max) {
      throw new CertkitError(
        'INVALID_OPTION',
        `subject ${label} is longer than ${String(max)} characters (RFC 5280)`,
      );
    }
  };
  check('CN', subject.commonName, 64);
  check('O', subject.organization, 64);
  check('OU', subject.organizationalUnit, 64);
  check('ST', subject.state, 128);
  check('L', subject.locality, 128);
  check('emailAddress', subject.emailAddress, 255);
  if (subject.country !== undefined && !/^[A-Za-z]{2}$/.test(subject.country)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `subject C must be a two-letter country code, got "${subject.country}"`,
    );
  }
  if (
    subject.emailAddress !== undefined &&
    !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(subject.emailAddress)
  ) {
    throw new CertkitError(
      'INVALID_OPTION',
      `subject emailAddress "${subject.emailAddress}" is not an ASCII address`,
    );
  }
  // The order openssl req prompts in, which is also the usual encoding order (C first, CN last).
  const ordered: [string, string | undefined][] = [
    [OID.countryName, subject.country?.toUpperCase()],
    [OID.stateOrProvinceName, subject.state],
    [OID.localityName, subject.locality],
    [OID.organizationName, subject.organization],
    [OID.organizationalUnitName, subject.organizationalUnit],
    [OID.commonName, subject.commonName],
    [OID.emailAddress, subject.emailAddress],
  ];
  return ordered
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([oid, value]) => ({ oid, value }));
}

/** Options of {@link generateClientIdentity}. */
export interface ClientIdentityOptions {
  /** Subject; CN required. */
  readonly subject: SubjectFields;
  /** Validity in days, 1..36500. Default {@link CLIENT_CERT_VALIDITY_DAYS}. */
  readonly days?: number;
  /** `rsa` (default) or `ec`. */
  readonly keyType?: KeyType;
  /** RSA modulus: 2048, 3072 or 4096 (default {@link CLIENT_KEY_BITS}). */
  readonly bits?: number;
  /** EC curve, P-256 (default) or P-384. */
  readonly curve?: Curve;
  /** Private key encoding, `pkcs8` (default) or `pkcs1` (RSA only). */
  readonly keyFormat?: KeyFormat;
  /**
   * An existing private key (PEM or DER) to certify instead of generating one: renewals keep
   * the key the server already trusts, and skip the prime search.
   */
  readonly existingKey?: {
    readonly bytes: Uint8Array;
    readonly source: string;
    readonly passphrase?: string;
  };
  /**
   * Encrypt the private key with this passphrase: PKCS#8 `ENCRYPTED PRIVATE KEY`, scrypt +
   * AES-256-CBC (see {@link encryptPrivateKey}). Not with `keyFormat: 'pkcs1'`.
   */
  readonly keyPassphrase?: string;
  /** Start of validity; default: now. */
  readonly now?: Date;
  /** Called as work progresses, for progress displays. */
  readonly onProgress?: (stage: 'generating-key' | 'signing') => void;
}

/** A client identity: the key, the self-signed certificate, and what the certificate holds. */
export interface ClientIdentity {
  /** The private key, PEM (PKCS#8 or PKCS#1). Write it with mode 0600. */
  readonly privateKeyPem: string;
  /** The certificate, PEM: what goes into the database's "SSL client authentication" field. */
  readonly certificatePem: string;
  readonly info: CertificateInfo;
}

/** Checks a validity in days. */
export function validateDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new CertkitError(
      'INVALID_OPTION',
      `days must be a whole number from 1 to ${String(MAX_VALIDITY_DAYS)}, got ${String(days)}`,
    );
  }
  return days;
}

/** A random positive serial of {@link SERIAL_NUMBER_BYTES} bytes, hex. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(SERIAL_NUMBER_BYTES);
  // Top bit clear keeps it positive; the next bit set keeps the DER encoding at the full length.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** Options of {@link generateClientIdentity} checked and with defaults applied. */
interface ResolvedClientOptions {
  readonly keyType: KeyType;
  readonly bits: number;
  readonly curve: Curve;
  readonly keyFormat: KeyFormat;
  readonly subject: NameInput[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Checks every option before any work starts, so that a bad option fails at once. */
function resolveClientOptions(options: ClientIdentityOptions): ResolvedClientOptions {
  const days = validateDays(options.days ?? CLIENT_PROFILE.defaultDays);
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  // Library callers in JavaScript can pass anything: check at run time what the types promise.
  if (!(['rsa', 'ec'] as readonly string[]).includes(keyType)) {
    throw new CertkitError('INVALID_OPTION', `key type must be rsa or ec, got "${keyType}"`);
  }
  const bits = options.bits ?? CLIENT_KEY_BITS;
  if (keyType === 'rsa' && !RSA_KEY_SIZES.includes(bits)) {
    throw new CertkitError(
      'INVALID_OPTION',
      bits < 2048
        ? `RSA keys of ${String(bits)} bits are too weak; use 2048, 3072 or 4096 (NIST SP 800-131A)`
        : `RSA key size must be 2048, 3072 or 4096, got ${String(bits)}`,
    );
  }
  const curve = options.curve ?? DEFAULT_CURVE;
  if (!EC_CURVES.includes(curve)) {
    throw new CertkitError('INVALID_OPTION', `curve must be P-256 or P-384, got "${curve}"`);
  }
  const keyFormat = options.keyFormat ?? DEFAULT_KEY_FORMAT;
  if (!(['pkcs8', 'pkcs1'] as readonly string[]).includes(keyFormat)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `key format must be pkcs8 or pkcs1, got "${keyFormat}"`,
    );
  }
  if (keyFormat === 'pkcs1' && keyType !== 'rsa' && options.existingKey === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'key format pkcs1 is for RSA keys only; use pkcs8 with EC keys',
    );
  }
  if (options.keyPassphrase !== undefined && keyFormat === 'pkcs1') {
    // PKCS#1 files can only be encrypted the legacy way (DEK-Info, an MD5-based KDF).
    throw new CertkitError(
      'INVALID_OPTION',
      'encrypted keys are written as PKCS#8; use key format pkcs8 with a passphrase',
    );
  }
  if (options.keyPassphrase?.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'the passphrase is empty');
  }
  const subject = subjectAttributes(options.subject);
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime()))
    throw new CertkitError('INVALID_OPTION', 'now is not a valid date');
  // X.509 times have one-second resolution; trim so that notAfter - notBefore is exactly `days`.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);

  return { keyType, bits, curve, keyFormat, subject, notBefore, notAfter };
}

/**
 * Makes a self-signed client identity for Redis TLS client authentication: what
 * `openssl genrsa 4096` + `openssl req -new -x509 -days 1826` do by hand, with a client profile
 * (`CA:FALSE`, EKU clientAuth) instead of OpenSSL 3's CA certificate. The key is generated on the
 * thread pool, so several identities can be generated in parallel.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for out-of-range options
 *
 * @example
 * ```ts
 * import { generateClientIdentity } from '@certkit/core';
 * const identity = await generateClientIdentity({ subject: { commonName: 'app', organization: 'Acme' } });
 * // identity.certificatePem -> cert.pem (paste into the database), identity.privateKeyPem -> keyclient.pem
 * console.log(identity.info.fingerprintSha256, identity.info.notAfter);
 * ```
 */
export async function generateClientIdentity(
  options: ClientIdentityOptions,
): Promise<ClientIdentity> {
  const { keyType, bits, curve, keyFormat, subject, notBefore, notAfter } =
    resolveClientOptions(options);
  let keys: KeyPair;
  if (options.existingKey === undefined) {
    options.onProgress?.('generating-key');
    keys = await generateKeyPair({ keyType, bits, curve });
  } else {
    const { key } = parsePrivateKey(options.existingKey.bytes, options.existingKey.source, {
      ...(options.existingKey.passphrase === undefined
        ? {}
        : { passphrase: options.existingKey.passphrase }),
    });
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
      throw new CertkitError(
        'KEY_INVALID',
        `${options.existingKey.source} holds a ${key.asymmetricKeyType ?? 'unknown'} key; use an RSA or EC key`,
      );
    }
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      throw new CertkitError(
        'KEY_INVALID',
        `${options.existingKey.source} holds an RSA key under 2048 bits; it is too weak`,
      );
    }
    keys = { privateKey: key, publicKey: createPublicKey(key) };
  }
  options.onProgress?.('signing');
  const isEc = keys.privateKey.asymmetricKeyType === 'ec';
  const der = await signCertificate({
    subject,
    issuer: subject,
    serialNumber: randomSerialNumber(),
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    issuerPublicKey: keys.publicKey,
    basicConstraints: { ca: CLIENT_PROFILE.ca },
    keyUsage: isEc ? CLIENT_PROFILE.keyUsageEc : CLIENT_PROFILE.keyUsage,
    extendedKeyUsage: CLIENT_PROFILE.extendedKeyUsage,
  });
  const certificate = parseCertificate(der, { name: 'generated certificate', index: 1 });
  return {
    privateKeyPem:
      options.keyPassphrase === undefined
        ? exportPrivateKey(keys.privateKey, isEc ? 'pkcs8' : keyFormat)
        : await encryptPrivateKey(keys.privateKey, options.keyPassphrase),
    certificatePem: certificate.pem,
    info: certificate.info,
  };
}

/**
 * Reads every certificate of an input: PEM (any number of blocks, CRLF, BOM, text between
 * blocks) or one DER certificate. A private key, CSR or CRL where certificates are expected is
 * an error naming the block, never quoting it.
 *
 * @throws {@link CertkitError} naming the input and block index
 *
 * @example
 * ```ts
 * const certs = parseCertificates(readFileSync('servercerts.pem'), 'servercerts.pem');
 * ```
 */
export function parseCertificates(
  bytes: Uint8Array,
  source: string,
  options: { maxCertificates?: number } = {},
): Certificate[] {
  const blocks = parsePemBlocks(bytes, source);
  const max = options.maxCertificates ?? MAX_CERTIFICATES_PER_INPUT;
  if (blocks.length > max) {
    throw new CertkitError(
      'TOO_MANY_CERTIFICATES',
      `${source} holds ${String(blocks.length)} blocks; at most ${String(max)} certificates are read from one input`,
    );
  }
  return blocks.map((block) => {
    if (
      block.label !== null &&
      block.label !== 'CERTIFICATE' &&
      block.label !== 'X509 CERTIFICATE'
    ) {
      const what = describeLabel(block.label);
      throw new CertkitError(
        'NOT_A_CERTIFICATE',
        `block ${String(block.index)} in ${source} is ${what}, not a certificate${PRIVATE_KEY_LABELS.includes(block.label) ? ' (keep private keys out of certificate files)' : ''}`,
      );
    }
    return parseCertificate(block.der, { name: source, index: block.index });
  });
}

/** Default file names, from the Redis Enterprise guide ("Securing Redis client connections"). */
export const CLIENT_KEY_FILE = 'keyclient.pem';
/** Default certificate file name, from the same guide. */
export const CLIENT_CERT_FILE = 'cert.pem';

/** Options of {@link writeClientIdentity}: generation options plus where to write. */
export interface WriteClientIdentityOptions extends Omit<ClientIdentityOptions, 'existingKey'> {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /** Key file name or path, relative to `outDir`. Default {@link CLIENT_KEY_FILE}. */
  readonly keyFile?: string;
  /** Certificate file name or path, relative to `outDir`. Default {@link CLIENT_CERT_FILE}. */
  readonly certFile?: string;
  /** Certify this existing key file instead of generating a key; the key file is not rewritten. */
  readonly existingKeyPath?: string;
  /**
   * Passphrase of the key: encrypts the new key file (PKCS#8, scrypt + AES-256-CBC), or
   * decrypts the existing key given by `existingKeyPath`.
   */
  readonly passphrase?: string;
  /** Read {@link WriteClientIdentityOptions.passphrase} from the first line of this file. */
  readonly passphraseFile?: string;
  /** Cap on the existing key file's size in bytes; default 10 MiB (`DEFAULT_MAX_INPUT_BYTES`). */
  readonly maxInputBytes?: number;
  /** Replace existing files. Default: refuse, and write nothing. */
  readonly force?: boolean;
}

/** What {@link writeClientIdentity} made and where. */
export interface WrittenClientIdentity {
  readonly info: CertificateInfo;
  readonly certificatePem: string;
  readonly certificatePath: string;
  /** Where the key is: the new file, or the existing key that was certified. */
  readonly privateKeyPath: string;
  /** False when an existing key was certified. */
  readonly privateKeyWritten: boolean;
}

/**
 * Generates a client identity and writes it: key (mode 0600) and certificate (0644), atomically,
 * never over existing files unless `force`. Existing files are detected before the key is
 * generated, so a refusal is immediate and nothing is written.
 *
 * @example
 * ```ts
 * const written = await writeClientIdentity({ outDir: 'client', subject: { commonName: 'app' } });
 * console.log(written.certificatePath); // client/cert.pem
 * ```
 */
export async function writeClientIdentity(
  options: WriteClientIdentityOptions,
): Promise<WrittenClientIdentity> {
  const outDir = options.outDir ?? '.';
  const certificatePath = join(outDir, options.certFile ?? CLIENT_CERT_FILE);
  const privateKeyPath =
    options.existingKeyPath ?? join(outDir, options.keyFile ?? CLIENT_KEY_FILE);
  const writeKey = options.existingKeyPath === undefined;
  if (writeKey && resolve(certificatePath) === resolve(privateKeyPath)) {
    throw new CertkitError('INVALID_OPTION', 'the key file and the certificate file must differ');
  }
  const targets = writeKey ? [privateKeyPath, certificatePath] : [certificatePath];
  const force = options.force ?? false;
  resolveClientOptions(options); // bad options fail before any file check or key generation
  await assertCanWrite(targets, { force, ...(writeKey ? { secret: [privateKeyPath] } : {}) });
  const {
    existingKeyPath,
    passphrase: givenPassphrase,
    passphraseFile,
    maxInputBytes,
    outDir: _o,
    keyFile: _k,
    certFile: _c,
    force: _f,
    ...generation
  } = options;
  if (givenPassphrase !== undefined && passphraseFile !== undefined) {
    throw new CertkitError('INVALID_OPTION', 'give the passphrase or a passphrase file, not both');
  }
  const passphrase =
    passphraseFile === undefined ? givenPassphrase : await readPassphraseFile(passphraseFile);
  const identity = await generateClientIdentity({
    ...generation,
    ...(existingKeyPath === undefined && passphrase !== undefined
      ? { keyPassphrase: passphrase }
      : {}),
    ...(existingKeyPath === undefined
      ? {}
      : {
          existingKey: {
            bytes: await readInputFile(
              existingKeyPath,
              maxInputBytes === undefined ? {} : { maxBytes: maxInputBytes },
            ),
            source: existingKeyPath,
            ...(passphrase === undefined ? {} : { passphrase }),
          },
        }),
  });
  const files: OutputFile[] = [
    { path: certificatePath, content: identity.certificatePem, mode: PUBLIC_FILE_MODE },
  ];
  if (writeKey)
    files.unshift({
      path: privateKeyPath,
      content: identity.privateKeyPem,
      mode: PRIVATE_KEY_MODE,
    });
  await writeFilesAtomically(files, { force, createFolder: true });
  return {
    info: identity.info,
    certificatePem: identity.certificatePem,
    certificatePath,
    privateKeyPath,
    privateKeyWritten: writeKey,
  };
}
