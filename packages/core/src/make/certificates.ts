/**
 * Making certificates: one function for every kind ({@link issueCertificate}), self-signed or
 * signed by an issuer, the profile saying which extensions it carries; and client identities,
 * what `gen-client` makes. No I/O: keys, issuers and existing keys come in as bytes, the clock as
 * `now`.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  CA_KEY_BITS,
  CLIENT_KEY_BITS,
  DEFAULT_CURVE,
  DEFAULT_KEY_FORMAT,
  DEFAULT_KEY_TYPE,
  SERIAL_NUMBER_BYTES,
  SERVER_KEY_BITS,
} from '../defaults.js';
import { CertkitError } from '../errors.js';
import { resolveNow } from '../clock.js';
import { parseCertificates } from '../x509/certificates.js';
import {
  EC_CURVES,
  RSA_KEY_SIZES,
  encryptPrivateKey,
  exportPrivateKey,
  keysMatch,
  parsePrivateKey,
} from '../x509/keys.js';
import type { Curve, KeyFormat, KeyType } from '../x509/keys.js';
import { internals, parseCertificate } from '../x509/pkix.js';
import { signCertificate } from '../x509/sign.js';
import type { Certificate, CertificateInfo } from '../x509/pkix.js';
import type { NameInput } from '../x509/names.js';
import { generateKeyPair } from './keys.js';
import type { KeyPair } from './keys.js';
import {
  CLIENT_PROFILE,
  profileForUsage,
  resolveNames,
  subjectAttributes,
  validateDays,
} from './profiles.js';
import type {
  CertificateNames,
  CertificateProfile,
  CertificateUsage,
  SubjectInput,
} from './profiles.js';

/** The key, validity and subject options every kind of certificate shares. */
export interface KeyAndValidityOptions {
  /** Subject, CN required: its fields, or OpenSSL's one-line form `/C=US/O=Acme/CN=app`. */
  readonly subject: SubjectInput;
  /**
   * Validity in days, 1..36500. Default: the kind's ({@link CLIENT_CERT_VALIDITY_DAYS} for a
   * client identity, the profile's `defaultDays` otherwise).
   */
  readonly days?: number;
  /** `rsa` (default) or `ec`. */
  readonly keyType?: KeyType;
  /**
   * RSA modulus: 2048, 3072 or 4096. Default {@link CLIENT_KEY_BITS} for a client identity,
   * {@link CA_KEY_BITS} for a CA, {@link SERVER_KEY_BITS} otherwise.
   */
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
   * Encrypt the private key with this passphrase: PKCS#8 `ENCRYPTED PRIVATE KEY` (RFC 5958),
   * PBES2 with scrypt ({@link KEY_ENCRYPTION_SCRYPT}) and AES-256-CBC, which `openssl pkey` reads.
   * Not with `keyFormat: 'pkcs1'`.
   */
  readonly keyPassphrase?: string;
  /** Start of validity (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/** Options of {@link generateClientIdentity}. */
export interface ClientIdentityOptions extends KeyAndValidityOptions {
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

/** A random positive serial of {@link SERIAL_NUMBER_BYTES} bytes, hex. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(SERIAL_NUMBER_BYTES);
  // Top bit clear keeps it positive; the next bit set keeps the DER encoding at the full length.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** Key and validity options checked and with defaults applied. */
interface ResolvedOptions {
  readonly keyType: KeyType;
  readonly bits: number;
  readonly curve: Curve;
  readonly keyFormat: KeyFormat;
  readonly subject: NameInput[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Checks every option before any work starts, so that a bad option fails at once. */
function resolveOptions(
  options: KeyAndValidityOptions,
  defaults: { days: number; bits: number },
): ResolvedOptions {
  const days = validateDays(options.days ?? defaults.days);
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  // Library callers in JavaScript can pass anything: check at run time what the types promise.
  if (!(['rsa', 'ec'] as readonly string[]).includes(keyType)) {
    throw new CertkitError('INVALID_OPTION', `key type must be rsa or ec, got "${keyType}"`);
  }
  const bits = options.bits ?? defaults.bits;
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
  const now = resolveNow(options.now);
  // X.509 times have one-second resolution; trim so that notAfter - notBefore is exactly `days`.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);

  return { keyType, bits, curve, keyFormat, subject, notBefore, notAfter };
}

/**
 * Checks the options of a client identity before any work starts (no key is generated): what
 * `writeClientIdentity` calls before it looks at the files.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for out-of-range options
 */
export function checkClientIdentityOptions(options: ClientIdentityOptions): void {
  resolveClientOptions(options);
}

function resolveClientOptions(options: ClientIdentityOptions): ResolvedOptions {
  return resolveOptions(options, { days: CLIENT_PROFILE.defaultDays, bits: CLIENT_KEY_BITS });
}

/** Loads an existing key for certification (or a request): RSA of 2048 bits or more, or EC. */
export function loadExistingKey(
  existing: NonNullable<ClientIdentityOptions['existingKey']>,
): KeyPair {
  const { key } = parsePrivateKey(existing.bytes, existing.source, {
    ...(existing.passphrase === undefined ? {} : { passphrase: existing.passphrase }),
  });
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw new CertkitError(
      'KEY_INVALID',
      `${existing.source} holds a ${key.asymmetricKeyType ?? 'unknown'} key; use an RSA or EC key`,
    );
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new CertkitError(
      'KEY_INVALID',
      `${existing.source} holds an RSA key under 2048 bits; it is too weak`,
    );
  }
  return { privateKey: key, publicKey: createPublicKey(key) };
}

/** The certificate and key that sign an issued certificate, as read from files. */
export interface IssuerInput {
  /** The issuing CA certificate first, optionally followed by its own issuers (PEM or DER). */
  readonly certificate: Uint8Array;
  readonly certificateSource: string;
  /** The issuing CA's private key (PEM or DER). */
  readonly key: Uint8Array;
  readonly keySource: string;
  readonly passphrase?: string;
}

/** Options of {@link issueCertificate}. */
export interface IssueCertificateOptions extends KeyAndValidityOptions, CertificateNames {
  /**
   * The kind of certificate: {@link CA_PROFILE}, {@link INTERMEDIATE_PROFILE},
   * {@link SERVER_PROFILE}, {@link CLIENT_PROFILE}, …; or the usage of an end-entity certificate,
   * `'both'` ({@link SERVER_PROFILE}: EKU serverAuth and clientAuth, what Redis Enterprise's
   * proxy certificate carries), `'server'` or `'client'` (the same with that EKU alone).
   */
  readonly profile: CertificateProfile | CertificateUsage;
  /** Signer; self-signed when absent. */
  readonly issuer?: IssuerInput;
  /** Keep this exact subject encoding (renewals); `subject` is still checked. */
  readonly subjectNameDer?: Uint8Array;
  readonly onProgress?: (stage: 'generating-key' | 'signing') => void;
}

/** A certificate made by {@link issueCertificate}, with its key. */
export interface IssuedCertificate {
  /** The private key, PEM. Write it with mode 0600. */
  readonly privateKeyPem: string;
  /** The certificate alone, PEM. */
  readonly certificatePem: string;
  /**
   * The certificate followed by the intermediates of the issuer input (never a self-signed
   * root): what a TLS server must send, in order (RFC 8446 section 4.4.2).
   */
  readonly chainPem: string;
  readonly info: CertificateInfo;
}

/** An issuer read and checked: its certificate, the intermediates a server sends, its keys. */
export interface ResolvedIssuer {
  readonly certificate: Certificate;
  readonly intermediates: readonly Certificate[];
  readonly keys: KeyPair;
}

/**
 * Reads and checks an issuer: a CA certificate (RFC 5280 section 4.2.1.9 basicConstraints
 * CA:TRUE; keyCertSign when keyUsage is present, section 4.2.1.3) whose key is the given key,
 * allowed to sign a certificate of `profile` (a pathLen 0 CA signs end entities only).
 */
function resolveIssuer(input: IssuerInput, profile: CertificateProfile): ResolvedIssuer {
  const certificates = parseCertificates(input.certificate, input.certificateSource);
  const [certificate, ...rest] = certificates;
  if (certificate === undefined) throw new CertkitError('INTERNAL', 'no issuer certificate');
  const { key } = parsePrivateKey(input.key, input.keySource, {
    ...(input.passphrase === undefined ? {} : { passphrase: input.passphrase }),
  });
  const publicKey = internals(certificate).publicKey;
  if (publicKey === null || !keysMatch(key, publicKey)) {
    throw new CertkitError(
      'KEY_MISMATCH',
      `${input.keySource} is not the key of the first certificate in ${input.certificateSource} (${certificate.info.subject})`,
    );
  }
  const bc = certificate.info.basicConstraints;
  if (bc?.ca !== true) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${input.certificateSource} (${certificate.info.subject}) is not a CA certificate (no basicConstraints CA:TRUE, RFC 5280 section 4.2.1.9); it cannot sign`,
    );
  }
  const ku = certificate.info.keyUsage;
  if (ku !== null && !ku.includes('keyCertSign')) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${input.certificateSource} (${certificate.info.subject}) lacks keyUsage keyCertSign (RFC 5280 section 4.2.1.3); it cannot sign certificates`,
    );
  }
  if (profile.ca && bc.pathLength === 0) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${input.certificateSource} (${certificate.info.subject}) has pathLen 0: it may sign end-entity certificates only, not CAs (RFC 5280 section 4.2.1.9)`,
    );
  }
  // The issuing CA and any CA after it in the file, minus self-signed roots: clients hold
  // those already, and RFC 8446 section 4.4.2 lets a server omit them.
  const intermediates = [certificate, ...rest].filter((c) => !c.info.selfIssued);
  return { certificate, intermediates, keys: { privateKey: key, publicKey } };
}

/**
 * The issuer of a certificate valid from `notBefore` to `notAfter`: read and checked
 * ({@link resolveIssuer}), and refused when the certificate would outlive it. Shared by
 * {@link issueCertificate} and certificate requests signed by a CA (make/sign-request.ts).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for an issuer that may not sign this certificate
 */
export function issuerFor(
  input: IssuerInput,
  profile: CertificateProfile,
  validity: { readonly notBefore: Date; readonly notAfter: Date },
): ResolvedIssuer {
  const issuer = resolveIssuer(input, profile);
  const issuerEnd = internals(issuer.certificate).notAfter;
  if (validity.notAfter > issuerEnd) {
    // RFC 5280 section 6.1.3 checks every certificate of the path at the same time: past the
    // issuer's end the new certificate fails validation anyway.
    const maxDays = Math.max(
      Math.floor((issuerEnd.getTime() - validity.notBefore.getTime()) / 86_400_000),
      0,
    );
    throw new CertkitError(
      'INVALID_OPTION',
      `the certificate would outlive its issuer ${input.certificateSource} (valid until ${issuerEnd.toISOString()}, ${String(maxDays)} days from the certificate's start)`,
      { remedy: { kind: 'days', max: maxDays } },
    );
  }
  return issuer;
}

/** What {@link signWithProfile} signs: a public key, its subject, names and validity. */
export interface SigningRequest {
  readonly profile: CertificateProfile;
  /** The certified key; its type picks the profile's keyUsage bits (no keyEncipherment for EC). */
  readonly publicKey: KeyObject;
  /** Subject attributes; also the issuer name of a self-signed certificate. */
  readonly subject: readonly NameInput[];
  /** Keep this exact subject encoding (renewals, requests); `subject` is not encoded then. */
  readonly subjectNameDer?: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly names: { readonly dns: readonly string[]; readonly ip: readonly string[] };
  /** The issuer; null signs with `selfKeys` (self-signed). */
  readonly issuer: ResolvedIssuer | null;
  /** The key pair of a self-signed certificate. */
  readonly selfKeys?: KeyPair;
}

/**
 * Signs a certificate of `profile` for a public key: by the issuer, or self-signed. Returns the
 * certificate and the chain a server sends (it, then the issuer's intermediates).
 */
export async function signWithProfile(
  request: SigningRequest,
): Promise<{ certificate: Certificate; chainPem: string }> {
  const { profile, issuer } = request;
  const signer = issuer?.keys ?? request.selfKeys;
  if (signer === undefined) throw new CertkitError('INTERNAL', 'no signing key');
  const issuerSki = issuer?.certificate.info.subjectKeyIdentifier;
  const der = await signCertificate({
    subject: request.subject,
    ...(request.subjectNameDer === undefined ? {} : { subjectNameDer: request.subjectNameDer }),
    issuer: request.subject,
    ...(issuer === null
      ? request.subjectNameDer === undefined
        ? {}
        : { issuerNameDer: request.subjectNameDer }
      : { issuerNameDer: internals(issuer.certificate).subjectDer }),
    ...(issuerSki === undefined
      ? {}
      : { authorityKeyIdentifier: new Uint8Array(Buffer.from(issuerSki, 'hex')) }),
    serialNumber: randomSerialNumber(),
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey: request.publicKey,
    signingKey: signer.privateKey,
    issuerPublicKey: signer.publicKey,
    basicConstraints:
      profile.pathLength === undefined
        ? { ca: profile.ca }
        : { ca: profile.ca, pathLength: profile.pathLength },
    keyUsage: request.publicKey.asymmetricKeyType === 'ec' ? profile.keyUsageEc : profile.keyUsage,
    extendedKeyUsage: profile.extendedKeyUsage,
    ...(request.names.dns.length > 0 ? { dnsNames: request.names.dns } : {}),
    ...(request.names.ip.length > 0 ? { ipAddresses: request.names.ip } : {}),
  });
  const certificate = parseCertificate(der, { name: 'generated certificate', index: 1 });
  return {
    certificate,
    chainPem: [certificate, ...(issuer?.intermediates ?? [])].map((c) => c.pem).join(''),
  };
}

/**
 * Makes a certificate of any profile: self-signed (a root CA, a client identity, a node's own
 * server certificate) or signed by an issuer (an intermediate, a server or client certificate).
 * One function for every kind; the profile says which extensions it carries. The key is
 * generated on the thread pool.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for out-of-range options or an issuer that may not
 * sign; `KEY_MISMATCH` when the issuer key is not its certificate's
 *
 * @example
 * ```ts
 * const ca = await issueCertificate({ profile: CA_PROFILE, subject: { commonName: 'Acme Root' }, keyType: 'ec' });
 * const proxy = await issueCertificate({
 *   profile: 'both', // SERVER_PROFILE
 *   subject: { commonName: 'cluster.local' },
 *   cluster: 'cluster.local', // cluster.local, *.cluster.local, internal.cluster.local, *.internal.cluster.local
 *   issuer: { certificate: Buffer.from(ca.certificatePem), certificateSource: 'ca.pem',
 *             key: Buffer.from(ca.privateKeyPem), keySource: 'ca-key.pem' },
 * });
 * ```
 */
export async function issueCertificate(
  options: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  const profile =
    typeof options.profile === 'string' ? profileForUsage(options.profile) : options.profile;
  const { keyType, bits, curve, keyFormat, subject, notBefore, notAfter } = resolveOptions(
    options,
    {
      days: profile.defaultDays,
      bits: profile.ca
        ? CA_KEY_BITS
        : profile === CLIENT_PROFILE
          ? CLIENT_KEY_BITS
          : SERVER_KEY_BITS,
    },
  );
  const { dns, ip } = resolveNames(options);
  const names = { dns, ip };
  const issuer =
    options.issuer === undefined
      ? null
      : issuerFor(options.issuer, profile, { notBefore, notAfter });
  let keys: KeyPair;
  if (options.existingKey === undefined) {
    options.onProgress?.('generating-key');
    keys = await generateKeyPair({ keyType, bits, curve });
  } else {
    keys = loadExistingKey(options.existingKey);
  }
  options.onProgress?.('signing');
  const isEc = keys.privateKey.asymmetricKeyType === 'ec';
  const { certificate, chainPem } = await signWithProfile({
    profile,
    publicKey: keys.publicKey,
    subject,
    ...(options.subjectNameDer === undefined ? {} : { subjectNameDer: options.subjectNameDer }),
    notBefore,
    notAfter,
    names,
    issuer,
    selfKeys: keys,
  });
  return {
    privateKeyPem:
      options.keyPassphrase === undefined
        ? exportPrivateKey(keys.privateKey, isEc ? 'pkcs8' : keyFormat)
        : await encryptPrivateKey(keys.privateKey, options.keyPassphrase),
    certificatePem: certificate.pem,
    chainPem,
    info: certificate.info,
  };
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
  resolveClientOptions(options);
  const issued = await issueCertificate({
    ...options,
    bits: options.bits ?? CLIENT_KEY_BITS,
    profile: CLIENT_PROFILE,
  });
  return {
    privateKeyPem: issued.privateKeyPem,
    certificatePem: issued.certificatePem,
    info: issued.info,
  };
}
