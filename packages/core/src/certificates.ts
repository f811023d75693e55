/**
 * Reading certificates from inputs, and making them from profiles.
 *
 * A profile is data: the extensions a kind of certificate carries. `gen-client` uses
 * {@link CLIENT_PROFILE}; other kinds (CA, server) are further profiles, not copies of code.
 */
import { randomBytes } from 'node:crypto';
import { assertClusterName } from './cluster-name.js';
import { CertkitError } from './errors.js';
import { derPrivateKeyKind } from './input-hints.js';
import { parseIpAddress } from './ip.js';
import { PRIVATE_KEY_LABELS, describeLabel, parsePemBlocks } from './pem.js';
import { OID, internals, parseCertificate, signCertificate } from './pkix.js';
import type { Certificate, CertificateInfo, KeyUsageName, NameInput } from './pkix.js';
import {
  EC_CURVES,
  RSA_KEY_SIZES,
  encryptPrivateKey,
  exportPrivateKey,
  generateKeyPair,
  keysMatch,
  parsePrivateKey,
} from './keys.js';
import type { Curve, KeyFormat, KeyPair, KeyType } from './keys.js';
import { createPublicKey } from 'node:crypto';
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  checkWritePlan,
  outputPath,
  readInputFile,
  readPassphraseFile,
  writeFilesAtomically,
} from './files.js';
import type { PlannedInput, PlannedOutput, WriteOptions } from './files.js';

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

/** Default validity of a private root CA: 3650 days (ten years), as mkcert and most private PKIs. */
export const CA_CERT_VALIDITY_DAYS = 3650;
/** Default validity of an intermediate CA: 1826 days (five years), inside a ten-year root. */
export const INTERMEDIATE_CERT_VALIDITY_DAYS = 1826;
/**
 * Default validity of a server (proxy) certificate: 365 days. The Redis Enterprise documentation
 * recommends at most one year for server certificates; public CAs may not exceed 398 days
 * (CA/Browser Forum Baseline Requirements section 6.3.2), which browsers and Apple clients enforce.
 */
export const SERVER_CERT_VALIDITY_DAYS = 365;
/** Longest server validity without a warning: 398 days (CA/Browser Forum BR section 6.3.2). */
export const SERVER_CERT_MAX_RECOMMENDED_DAYS = 398;
/** Default RSA modulus of CA keys: 4096 bits (a CA key lives for years and signs everything). */
export const CA_KEY_BITS = 4096;
/** Default RSA modulus of server keys: 2048 bits (CA/B Forum BR 6.1.5 minimum; every handshake pays for it). */
export const SERVER_KEY_BITS = 2048;

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

/**
 * A private root CA: `CA:TRUE` without a path length limit, keyUsage keyCertSign + cRLSign
 * (RFC 5280 section 4.2.1.3: the bits a certificate signer must have), no EKU (RFC 5280 section
 * 4.2.1.12 restricts EKU to end entities in practice; an EKU on a CA narrows what it may sign
 * for some verifiers).
 */
export const CA_PROFILE: CertificateProfile = {
  name: 'ca',
  ca: true,
  keyUsage: ['keyCertSign', 'cRLSign'],
  keyUsageEc: ['keyCertSign', 'cRLSign'],
  extendedKeyUsage: [],
  defaultDays: CA_CERT_VALIDITY_DAYS,
};

/**
 * An intermediate CA that may sign end-entity certificates only: `CA:TRUE, pathlen:0`
 * (RFC 5280 section 4.2.1.9), keyCertSign + cRLSign. The root key can then stay offline.
 */
export const INTERMEDIATE_PROFILE: CertificateProfile = {
  name: 'intermediate',
  ca: true,
  pathLength: 0,
  keyUsage: ['keyCertSign', 'cRLSign'],
  keyUsageEc: ['keyCertSign', 'cRLSign'],
  extendedKeyUsage: [],
  defaultDays: INTERMEDIATE_CERT_VALIDITY_DAYS,
};

/**
 * The Redis Enterprise proxy certificate: `CA:FALSE`, keyUsage digitalSignature +
 * keyEncipherment, EKU serverAuth + clientAuth (the proxy certificate also authenticates the
 * cluster to replica-of and Active-Active peers, as a client). Names come from the cluster:
 * see {@link redisEnterpriseNames}.
 */
export const SERVER_PROFILE: CertificateProfile = {
  name: 'server',
  ca: false,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  keyUsageEc: ['digitalSignature'],
  extendedKeyUsage: [OID.serverAuth, OID.clientAuth],
  defaultDays: SERVER_CERT_VALIDITY_DAYS,
};

/** What an issued end-entity certificate is for: its EKU. */
export type CertificateUsage = 'server' | 'client' | 'both';

/**
 * The end-entity profile for a usage: {@link SERVER_PROFILE} with EKU serverAuth, clientAuth or
 * both (the default, what Redis Enterprise's proxy certificate carries).
 *
 * @example
 * ```ts
 * profileForUsage('server').extendedKeyUsage; // ['1.3.6.1.5.5.7.3.1']
 * ```
 */
export function profileForUsage(usage: CertificateUsage): CertificateProfile {
  switch (usage) {
    case 'both':
      return SERVER_PROFILE;
    case 'server':
      return { ...SERVER_PROFILE, extendedKeyUsage: [OID.serverAuth] };
    case 'client':
      return { ...SERVER_PROFILE, name: 'client', extendedKeyUsage: [OID.clientAuth] };
    default:
      throw new CertkitError(
        'INVALID_OPTION',
        `usage must be server, client or both, got "${String(usage)}"`,
      );
  }
}

/**
 * The DNS names of a Redis Enterprise cluster's proxy certificate: `C`, `*.C`, `internal.C`,
 * `*.internal.C`. Database endpoints are `redis-<port>.C` and `redis-<port>.internal.C`; one
 * wildcard label covers them (RFC 9525 section 6.3: `*` matches one whole left-most label).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` when `cluster` is not a DNS name
 *
 * @example
 * ```ts
 * redisEnterpriseNames('cluster.local');
 * // ['cluster.local', '*.cluster.local', 'internal.cluster.local', '*.internal.cluster.local']
 * ```
 */
export function redisEnterpriseNames(cluster: string): string[] {
  assertClusterName(cluster);
  const name = validateDnsName(cluster, 'cluster name', false);
  return [name, `*.${name}`, `internal.${name}`, `*.internal.${name}`];
}

/**
 * Checks a DNS name for a certificate (RFC 1035 section 2.3.1 labels, as RFC 5280 section
 * 4.2.1.6 requires; a wildcard only as the whole left-most label, RFC 9525 section 6.3).
 * Returns it lower-cased, without a trailing dot.
 */
function validateDnsName(value: string, what: string, allowWildcard: boolean): string {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  const ok =
    name.length > 0 &&
    name.length <= 253 &&
    labels.every(
      (label, i) =>
        (allowWildcard && i === 0 && label === '*' && labels.length >= 2) ||
        /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label),
    );
  if (!ok) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${what} "${value}" is not a DNS name (letters, digits and hyphens in dot-separated labels${allowWildcard ? '; a wildcard only as *.name.tld' : ''})`,
    );
  }
  return name;
}

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

/** Bounds from RFC 5280 Appendix A (ub-common-name 64, ub-organization-name 64, …). Internal. */
export function subjectAttributes(subject: SubjectFields): NameInput[] {
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

/** The key, validity and subject options every kind of certificate shares. */
interface KeyAndValidityOptions {
  readonly subject: SubjectFields;
  readonly days?: number;
  readonly keyType?: KeyType;
  readonly bits?: number;
  readonly curve?: Curve;
  readonly keyFormat?: KeyFormat;
  readonly existingKey?: ClientIdentityOptions['existingKey'];
  /** Encrypt the private key with this passphrase (see {@link encryptPrivateKey}). */
  readonly keyPassphrase?: string;
  readonly now?: Date;
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
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime()))
    throw new CertkitError('INVALID_OPTION', 'now is not a valid date');
  // X.509 times have one-second resolution; trim so that notAfter - notBefore is exactly `days`.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);

  return { keyType, bits, curve, keyFormat, subject, notBefore, notAfter };
}

function resolveClientOptions(options: ClientIdentityOptions): ResolvedOptions {
  return resolveOptions(options, { days: CLIENT_PROFILE.defaultDays, bits: CLIENT_KEY_BITS });
}

/** Loads an existing key for certification: RSA of 2048 bits or more, or EC. */
function loadExistingKey(existing: NonNullable<ClientIdentityOptions['existingKey']>): KeyPair {
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
export interface IssueCertificateOptions extends KeyAndValidityOptions {
  /** The kind of certificate: {@link CA_PROFILE}, {@link INTERMEDIATE_PROFILE}, {@link SERVER_PROFILE}, … */
  readonly profile: CertificateProfile;
  /** Signer; self-signed when absent. */
  readonly issuer?: IssuerInput;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
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

interface ResolvedIssuer {
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

/** Checks and de-duplicates subjectAltName entries. Internal. */
export function checkNames(
  dnsNames: readonly string[],
  ipAddresses: readonly string[],
): { dns: string[]; ip: string[] } {
  const dns = [...new Set(dnsNames.map((name) => validateDnsName(name, 'DNS name', true)))];
  const ip = ipAddresses.map((address) => {
    if (parseIpAddress(address) === null) {
      throw new CertkitError('INVALID_OPTION', `"${address}" is not an IPv4 or IPv6 address`);
    }
    return address;
  });
  return { dns, ip };
}

/**
 * Makes a certificate of any profile: self-signed (a root CA, a client identity) or signed by an
 * issuer (an intermediate, a server or client certificate). One function for every kind; the
 * profile says which extensions it carries. The key is generated on the thread pool.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for out-of-range options or an issuer that may not
 * sign; `KEY_MISMATCH` when the issuer key is not its certificate's
 *
 * @example
 * ```ts
 * const ca = await issueCertificate({ profile: CA_PROFILE, subject: { commonName: 'Acme Root' }, keyType: 'ec' });
 * const proxy = await issueCertificate({
 *   profile: SERVER_PROFILE,
 *   subject: { commonName: 'cluster.local' },
 *   dnsNames: redisEnterpriseNames('cluster.local'),
 *   issuer: { certificate: Buffer.from(ca.certificatePem), certificateSource: 'ca.pem',
 *             key: Buffer.from(ca.privateKeyPem), keySource: 'ca-key.pem' },
 * });
 * ```
 */
export async function issueCertificate(
  options: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  const profile = options.profile;
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
  const names = checkNames(options.dnsNames ?? [], options.ipAddresses ?? []);
  const issuer = options.issuer === undefined ? null : resolveIssuer(options.issuer, profile);
  if (issuer !== null) {
    const issuerEnd = internals(issuer.certificate).notAfter;
    if (notAfter > issuerEnd) {
      // RFC 5280 section 6.1.3 checks every certificate of the path at the same time: past the
      // issuer's end the new certificate fails validation anyway.
      const maxDays = Math.floor((issuerEnd.getTime() - notBefore.getTime()) / 86_400_000);
      throw new CertkitError(
        'INVALID_OPTION',
        `the certificate would outlive its issuer ${options.issuer?.certificateSource ?? ''} (valid until ${issuerEnd.toISOString()}); use --days ${String(Math.max(maxDays, 0))} or less`,
      );
    }
  }
  let keys: KeyPair;
  if (options.existingKey === undefined) {
    options.onProgress?.('generating-key');
    keys = await generateKeyPair({ keyType, bits, curve });
  } else {
    keys = loadExistingKey(options.existingKey);
  }
  options.onProgress?.('signing');
  const isEc = keys.privateKey.asymmetricKeyType === 'ec';
  const signer = issuer?.keys ?? keys;
  const issuerSki = issuer?.certificate.info.subjectKeyIdentifier;
  const der = await signCertificate({
    subject,
    ...(options.subjectNameDer === undefined ? {} : { subjectNameDer: options.subjectNameDer }),
    issuer: subject,
    ...(issuer === null ? {} : { issuerNameDer: internals(issuer.certificate).subjectDer }),
    ...(issuerSki === undefined
      ? {}
      : { authorityKeyIdentifier: new Uint8Array(Buffer.from(issuerSki, 'hex')) }),
    serialNumber: randomSerialNumber(),
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    issuerPublicKey: signer.publicKey,
    basicConstraints:
      profile.pathLength === undefined
        ? { ca: profile.ca }
        : { ca: profile.ca, pathLength: profile.pathLength },
    keyUsage: isEc ? profile.keyUsageEc : profile.keyUsage,
    extendedKeyUsage: profile.extendedKeyUsage,
    ...(names.dns.length > 0 ? { dnsNames: names.dns } : {}),
    ...(names.ip.length > 0 ? { ipAddresses: names.ip } : {}),
  });
  const certificate = parseCertificate(der, { name: 'generated certificate', index: 1 });
  return {
    privateKeyPem:
      options.keyPassphrase === undefined
        ? exportPrivateKey(keys.privateKey, isEc ? 'pkcs8' : keyFormat)
        : await encryptPrivateKey(keys.privateKey, options.keyPassphrase),
    certificatePem: certificate.pem,
    chainPem: [certificate, ...(issuer?.intermediates ?? [])].map((c) => c.pem).join(''),
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
  const max = options.maxCertificates ?? MAX_CERTIFICATES_PER_INPUT;
  const blocks = parsePemBlocks(bytes, source, { maxBlocks: max });
  if (blocks.length > max) {
    throw new CertkitError(
      'TOO_MANY_CERTIFICATES',
      `${source} holds ${String(blocks.length)} blocks; at most ${String(max)} certificates are read from one input`,
    );
  }
  return blocks.map((block) => {
    // A DER key (swapped --cert and --key) is said to be one, not "not a valid certificate".
    const derKey = block.label === null ? derPrivateKeyKind(block.der) : null;
    if (derKey !== null) {
      throw new CertkitError(
        'NOT_A_CERTIFICATE',
        `${source} is ${derKey}, not a certificate (keep private keys out of certificate files)`,
      );
    }
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

/** The files a writer reads, as a write plan's inputs (options not given are left out). */
function inputsOf(...paths: (string | undefined)[]): PlannedInput[] {
  return paths.filter((p): p is string => p !== undefined);
}

/** Default file names, from the Redis Enterprise guide ("Securing Redis client connections"). */
export const CLIENT_KEY_FILE = 'keyclient.pem';
/** Default certificate file name, from the same guide. */
export const CLIENT_CERT_FILE = 'cert.pem';

/** Options of {@link writeClientIdentity}: generation options plus where to write. */
export interface WriteClientIdentityOptions extends Omit<ClientIdentityOptions, 'existingKey'> {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /** Key file: a name or relative path inside `outDir`, or an absolute path used as given. Default {@link CLIENT_KEY_FILE}. */
  readonly keyFile?: string;
  /** Certificate file: inside `outDir` unless absolute, as `keyFile`. Default {@link CLIENT_CERT_FILE}. */
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
  const certificatePath = outputPath(outDir, options.certFile ?? CLIENT_CERT_FILE);
  const privateKeyPath =
    options.existingKeyPath ?? outputPath(outDir, options.keyFile ?? CLIENT_KEY_FILE);
  const writeKey = options.existingKeyPath === undefined;
  const outputs: PlannedOutput[] = [{ path: certificatePath, mode: PUBLIC_FILE_MODE }];
  if (writeKey) outputs.unshift({ path: privateKeyPath, mode: PRIVATE_KEY_MODE });
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: inputsOf(options.existingKeyPath, options.passphraseFile),
  };
  resolveClientOptions(options); // bad options fail before any file check or key generation
  await checkWritePlan({ ...write, outputs });
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
  await writeFilesAtomically(
    outputs.map((o) => ({
      ...o,
      content: o.path === certificatePath ? identity.certificatePem : identity.privateKeyPem,
    })),
    write,
  );
  return {
    info: identity.info,
    certificatePem: identity.certificatePem,
    certificatePath,
    privateKeyPath,
    privateKeyWritten: writeKey,
  };
}

/** Root CA file names written by {@link writeCa}. */
export const CA_CERT_FILE = 'ca.pem';
/** Root CA key file name. */
export const CA_KEY_FILE = 'ca-key.pem';
/** Intermediate CA file names written by {@link writeIntermediate}. */
export const INTERMEDIATE_CERT_FILE = 'intermediate.pem';
/** Intermediate CA key file name. */
export const INTERMEDIATE_KEY_FILE = 'intermediate-key.pem';
/**
 * Proxy certificate file names written by {@link writeServerCertificate}: the names Redis
 * Enterprise's `rladmin cluster certificate set proxy certificate_file proxy_cert.pem
 * key_file proxy_key.pem` examples use.
 */
export const PROXY_CERT_FILE = 'proxy_cert.pem';
/** Proxy key file name. */
export const PROXY_KEY_FILE = 'proxy_key.pem';

/** Options every certificate-writing function shares. */
export interface WriteCertificateOptions {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /** Replace existing files. Default: refuse, and write nothing. */
  readonly force?: boolean;
  /** Validity in days; the profile's default when absent. */
  readonly days?: number;
  readonly keyType?: KeyType;
  /** RSA modulus; {@link CA_KEY_BITS} for CAs, {@link SERVER_KEY_BITS} for servers by default. */
  readonly bits?: number;
  readonly curve?: Curve;
  readonly keyFormat?: KeyFormat;
  readonly now?: Date;
  readonly onProgress?: (stage: 'generating-key' | 'signing') => void;
  /** Largest input file read (the CA files); default files.ts `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/** Where an issuing CA is on disk. */
export interface IssuerFiles {
  /** The issuing CA certificate, optionally followed by its issuers. */
  readonly caCertPath: string;
  readonly caKeyPath: string;
  /** Passphrase of an encrypted CA key. */
  readonly caPassphrase?: string;
  /** Read {@link IssuerFiles.caPassphrase} from the first line of this file instead. */
  readonly caPassphraseFile?: string;
}

/**
 * The passphrase given directly or in a file (never both: which one wins would be a guess).
 * The file is read as `openssl -passin file:` reads it, by {@link readPassphraseFile}.
 */
async function passphraseFrom(
  passphrase: string | undefined,
  passphraseFile: string | undefined,
): Promise<string | undefined> {
  if (passphrase !== undefined && passphraseFile !== undefined) {
    throw new CertkitError('INVALID_OPTION', 'give the passphrase or a passphrase file, not both');
  }
  return passphraseFile === undefined ? passphrase : readPassphraseFile(passphraseFile);
}

/** What a certificate-writing function made and where. */
export interface WrittenCertificate {
  readonly info: CertificateInfo;
  readonly certificatePath: string;
  readonly privateKeyPath: string;
  /** Certificates in the certificate file (the certificate, then intermediates). */
  readonly chainLength: number;
  /** Advice that did not stop the work (a validity beyond what clients accept, …). */
  readonly warnings: readonly string[];
}

async function writeIssued(
  paths: { cert: string; key: string },
  options: WriteCertificateOptions,
  issue: Omit<IssueCertificateOptions, 'issuer'>,
  issuerFiles: IssuerFiles | undefined,
  warnings: readonly string[],
): Promise<WrittenCertificate> {
  const outputs: PlannedOutput[] = [
    { path: paths.key, mode: PRIVATE_KEY_MODE },
    { path: paths.cert, mode: PUBLIC_FILE_MODE },
  ];
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: inputsOf(
      issuerFiles?.caCertPath,
      issuerFiles?.caKeyPath,
      issuerFiles?.caPassphraseFile,
    ),
  };
  await checkWritePlan({ ...write, outputs });
  const limit = options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes };
  let issuer: IssuerInput | undefined;
  if (issuerFiles !== undefined) {
    const passphrase = await passphraseFrom(issuerFiles.caPassphrase, issuerFiles.caPassphraseFile);
    issuer = {
      certificate: await readInputFile(issuerFiles.caCertPath, limit),
      certificateSource: issuerFiles.caCertPath,
      key: await readInputFile(issuerFiles.caKeyPath, limit),
      keySource: issuerFiles.caKeyPath,
      ...(passphrase === undefined ? {} : { passphrase }),
    };
  }
  const issued = await issueCertificate({ ...issue, ...(issuer === undefined ? {} : { issuer }) });
  await writeFilesAtomically(
    [
      { path: paths.key, content: issued.privateKeyPem, mode: PRIVATE_KEY_MODE },
      { path: paths.cert, content: issued.chainPem, mode: PUBLIC_FILE_MODE },
    ],
    write,
  );
  return {
    info: issued.info,
    certificatePath: paths.cert,
    privateKeyPath: paths.key,
    chainLength: issued.chainPem.split('-----BEGIN CERTIFICATE-----').length - 1,
    warnings,
  };
}

function generationOptions(
  options: WriteCertificateOptions,
): Omit<KeyAndValidityOptions, 'subject'> {
  const { outDir: _o, force: _f, onProgress: _p, maxInputBytes: _m, ...rest } = options;
  return rest;
}

/** Options of {@link writeCa}. */
export interface WriteCaOptions extends WriteCertificateOptions {
  readonly subject: SubjectFields;
}

/**
 * Makes a private root CA ({@link CA_PROFILE}) and writes `ca.pem` (0644) and `ca-key.pem` (0600).
 *
 * @example
 * ```ts
 * const ca = await writeCa({ subject: { commonName: 'Acme Redis Root CA' }, outDir: 'pki' });
 * console.log(ca.certificatePath); // pki/ca.pem
 * ```
 */
export async function writeCa(options: WriteCaOptions): Promise<WrittenCertificate> {
  const outDir = options.outDir ?? '.';
  return writeIssued(
    { cert: outputPath(outDir, CA_CERT_FILE), key: outputPath(outDir, CA_KEY_FILE) },
    options,
    {
      ...generationOptions(options),
      subject: options.subject,
      profile: CA_PROFILE,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    undefined,
    [],
  );
}

/** Options of {@link writeIntermediate}. */
export interface WriteIntermediateOptions extends WriteCertificateOptions, IssuerFiles {
  readonly subject: SubjectFields;
}

/**
 * Makes an intermediate CA ({@link INTERMEDIATE_PROFILE}, pathLen 0) signed by a CA and writes
 * `intermediate.pem` and `intermediate-key.pem`.
 *
 * @example
 * ```ts
 * await writeIntermediate({ caCertPath: 'pki/ca.pem', caKeyPath: 'pki/ca-key.pem',
 *   subject: { commonName: 'Acme Redis Issuing CA' }, outDir: 'pki' });
 * ```
 */
export async function writeIntermediate(
  options: WriteIntermediateOptions,
): Promise<WrittenCertificate> {
  const outDir = options.outDir ?? '.';
  const { caCertPath, caKeyPath, caPassphrase, caPassphraseFile, ...rest } = options;
  return writeIssued(
    {
      cert: outputPath(outDir, INTERMEDIATE_CERT_FILE),
      key: outputPath(outDir, INTERMEDIATE_KEY_FILE),
    },
    options,
    {
      ...generationOptions(rest),
      subject: options.subject,
      profile: INTERMEDIATE_PROFILE,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    {
      caCertPath,
      caKeyPath,
      ...(caPassphrase === undefined ? {} : { caPassphrase }),
      ...(caPassphraseFile === undefined ? {} : { caPassphraseFile }),
    },
    [],
  );
}

/** Options of {@link writeServerCertificate}. */
export interface WriteServerCertificateOptions extends WriteCertificateOptions, IssuerFiles {
  /** Cluster FQDN: CN and the four Redis Enterprise names ({@link redisEnterpriseNames}). */
  readonly cluster?: string;
  /** More DNS names (a wildcard as `*.name.tld`). */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** EKU: `both` (default), `server` or `client`. */
  readonly usage?: CertificateUsage;
  /** Subject; default CN = the cluster name (or the first DNS name). */
  readonly subject?: SubjectFields;
  /** Certificate file, inside `outDir` unless absolute. Default {@link PROXY_CERT_FILE}. */
  readonly certFile?: string;
  /** Key file, inside `outDir` unless absolute. Default {@link PROXY_KEY_FILE}. */
  readonly keyFile?: string;
}

/**
 * Issues a server (Redis Enterprise proxy) certificate from a CA and writes `proxy_cert.pem` (the
 * certificate followed by the issuer's intermediates, the order a server sends) and
 * `proxy_key.pem` (0600). A validity over {@link SERVER_CERT_MAX_RECOMMENDED_DAYS} days is
 * allowed with a warning.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` without any name, or for an issuer that cannot sign
 *
 * @example
 * ```ts
 * const proxy = await writeServerCertificate({ caCertPath: 'pki/intermediate.pem',
 *   caKeyPath: 'pki/intermediate-key.pem', cluster: 'cluster.local', outDir: 'proxy' });
 * console.log(proxy.info.subjectAltNames.dns);
 * ```
 */
export async function writeServerCertificate(
  options: WriteServerCertificateOptions,
): Promise<WrittenCertificate> {
  const outDir = options.outDir ?? '.';
  const cluster = options.cluster === undefined ? [] : redisEnterpriseNames(options.cluster);
  const dnsNames = [...cluster, ...(options.dnsNames ?? [])];
  const ipAddresses = options.ipAddresses ?? [];
  const commonName = cluster[0] ?? dnsNames.find((n) => !n.startsWith('*')) ?? ipAddresses[0];
  if (commonName === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a server certificate needs a name: give the cluster name, a DNS name or an IP address',
    );
  }
  const profile = profileForUsage(options.usage ?? 'both');
  const days = options.days ?? profile.defaultDays;
  const warnings =
    days > SERVER_CERT_MAX_RECOMMENDED_DAYS && profile.extendedKeyUsage.includes(OID.serverAuth)
      ? [
          `a validity of ${String(days)} days is over ${String(SERVER_CERT_MAX_RECOMMENDED_DAYS)} (CA/Browser Forum BR 6.3.2); the Redis Enterprise documentation recommends at most one year for server certificates`,
        ]
      : [];
  const { caCertPath, caKeyPath, caPassphrase, caPassphraseFile, ...rest } = options;
  const {
    cluster: _c,
    dnsNames: _d,
    ipAddresses: _i,
    usage: _u,
    subject: _s,
    certFile: _cf,
    keyFile: _kf,
    ...generation
  } = rest;
  return writeIssued(
    {
      cert: outputPath(outDir, options.certFile ?? PROXY_CERT_FILE),
      key: outputPath(outDir, options.keyFile ?? PROXY_KEY_FILE),
    },
    options,
    {
      ...generationOptions(generation),
      subject: options.subject ?? { commonName },
      profile,
      dnsNames,
      ipAddresses,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    {
      caCertPath,
      caKeyPath,
      ...(caPassphrase === undefined ? {} : { caPassphrase }),
      ...(caPassphraseFile === undefined ? {} : { caPassphraseFile }),
    },
    warnings,
  );
}

/** Options of {@link renewClientIdentity}. */
export interface RenewClientIdentityOptions {
  /** The current client certificate (self-signed, as gen-client makes). */
  readonly certPath: string;
  /** Its private key. */
  readonly keyPath: string;
  /**
   * Passphrase of an encrypted key. Without `reuseKey`, the new key is encrypted with it too
   * (PKCS#8, scrypt + AES-256-CBC), as the old one was.
   */
  readonly passphrase?: string;
  /** Read {@link RenewClientIdentityOptions.passphrase} from the first line of this file instead. */
  readonly passphraseFile?: string;
  /** Largest input file read; default files.ts `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** Certify the same key again (the server's trust list need not change if it pins the key). Default: a new key of the same type and size. */
  readonly reuseKey?: boolean;
  /** Folder to write into (created if missing). Default: the current folder. */
  readonly outDir?: string;
  /** Certificate file, inside `outDir` unless absolute. Default {@link CLIENT_CERT_FILE}. */
  readonly certFile?: string;
  /** Key file, inside `outDir` unless absolute. Default {@link CLIENT_KEY_FILE}. */
  readonly keyFile?: string;
  /** Validity in days; default: the current certificate's lifetime. */
  readonly days?: number;
  readonly now?: Date;
  /**
   * Replace existing files. With it, the new certificate and key may replace the very files
   * renewed (`certPath`, `keyPath`), all-or-nothing; never one the other (the certificate over
   * the key) nor the passphrase file.
   */
  readonly force?: boolean;
}

/**
 * Re-issues a self-signed client identity with the same subject (byte for byte) and the client
 * profile: a new key of the same type and size by default, or the same key with `reuseKey`.
 * The new certificate must be added to the database's trusted client certificates before the
 * old one expires; both can be trusted at once during the change-over.
 *
 * @throws {@link CertkitError} `KEY_MISMATCH` when the key is not the certificate's,
 * `INVALID_OPTION` for a CA-issued certificate (renew that at its CA with `certs issue`)
 *
 * @example
 * ```ts
 * const renewed = await renewClientIdentity({ certPath: 'cert.pem', keyPath: 'keyclient.pem', outDir: 'renewed' });
 * console.log(renewed.info.notAfter);
 * ```
 */
export async function renewClientIdentity(
  options: RenewClientIdentityOptions,
): Promise<WrittenClientIdentity> {
  const outDir = options.outDir ?? '.';
  const reuseKey = options.reuseKey ?? false;
  const certificatePath = outputPath(outDir, options.certFile ?? CLIENT_CERT_FILE);
  const privateKeyPath = reuseKey
    ? options.keyPath
    : outputPath(outDir, options.keyFile ?? CLIENT_KEY_FILE);
  const outputs: PlannedOutput[] = [{ path: certificatePath, mode: PUBLIC_FILE_MODE }];
  if (!reuseKey) outputs.unshift({ path: privateKeyPath, mode: PRIVATE_KEY_MODE });
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    // Renewing in place is what --force is for here: each input may be replaced by its own new
    // version (it is read whole first), never by the other file.
    inputs: [
      { path: options.certPath, replacedBy: certificatePath },
      reuseKey ? options.keyPath : { path: options.keyPath, replacedBy: privateKeyPath },
      ...inputsOf(options.passphraseFile),
    ],
  };
  await checkWritePlan({ ...write, outputs });
  const passphrase = await passphraseFrom(options.passphrase, options.passphraseFile);
  const limit = options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes };
  const [current] = parseCertificates(
    await readInputFile(options.certPath, limit),
    options.certPath,
  );
  if (current === undefined) throw new CertkitError('INTERNAL', 'no certificate');
  const keyBytes = await readInputFile(options.keyPath, limit);
  const { key, info: keyInfo } = parsePrivateKey(keyBytes, options.keyPath, {
    ...(passphrase === undefined ? {} : { passphrase }),
  });
  const publicKey = internals(current).publicKey;
  if (publicKey === null || !keysMatch(key, publicKey)) {
    throw new CertkitError(
      'KEY_MISMATCH',
      `${options.keyPath} is not the key of ${options.certPath} (${current.info.subject})`,
    );
  }
  if (!current.info.selfIssued) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${options.certPath} was issued by ${current.info.issuer}; renew it at that CA (certs issue --usage client --ca … --ca-key …)`,
    );
  }
  const commonName =
    current.info.subjectAttributes.find((a) => a.oid === OID.commonName)?.value ?? 'client';
  const lifetime = Math.round(
    (Date.parse(current.info.notAfter) - Date.parse(current.info.notBefore)) / 86_400_000,
  );
  const days = options.days ?? Math.min(Math.max(lifetime, 1), MAX_VALIDITY_DAYS);
  const keyType: KeyType = key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
  const curve: Curve = current.info.key.curve === 'P-384' ? 'P-384' : 'P-256';
  const bits = RSA_KEY_SIZES.includes(current.info.key.bits)
    ? current.info.key.bits
    : CLIENT_KEY_BITS;
  const issued = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: commonName.slice(0, 64) },
    subjectNameDer: internals(current).subjectDer,
    days,
    keyType,
    curve,
    bits,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(reuseKey
      ? {
          existingKey: {
            bytes: keyBytes,
            source: options.keyPath,
            ...(passphrase === undefined ? {} : { passphrase }),
          },
        }
      : {}),
    // A new key for an encrypted one is encrypted with the same passphrase: renewing must not
    // leave the key in the clear on disk where it was protected before.
    ...(!reuseKey && keyInfo.encrypted && passphrase !== undefined
      ? { keyPassphrase: passphrase }
      : {}),
  });
  await writeFilesAtomically(
    outputs.map((o) => ({
      ...o,
      content: o.path === certificatePath ? issued.certificatePem : issued.privateKeyPem,
    })),
    write,
  );
  return {
    info: issued.info,
    certificatePem: issued.certificatePem,
    certificatePath,
    privateKeyPath,
    privateKeyWritten: !reuseKey,
  };
}
