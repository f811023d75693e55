/**
 * Certificates as plain data: {@link parseCertificate} reads one into {@link Certificate} /
 * {@link CertificateInfo}, {@link signCertificate} builds and signs one. Everything else in core
 * sees this module's types, never a library's.
 *
 * Both directions use certkit's own small DER reader and writer (asn1/der.ts,
 * asn1/der-writer.ts) and `node:crypto` (OpenSSL) for keys, hashes and signatures, and load no
 * schema library: a trust bundle of thousands of certificates and a `gen-client` run are the two
 * places where speed shows (bench/RESULTS.md, issue 7), and neither needs more than the fields
 * read here. Where each dependency earns its place instead:
 * - `pkijs` + `asn1js` (structures.ts): the full typed structure of a certificate, built on first
 *   use for path validation (name constraints, policies, every extension's syntax), plus CRLs
 *   and certification requests.
 * - `@peculiar/x509` with `@peculiar/webcrypto` as its provider (pkcs10.ts, loaded only by
 *   `certs csr`): PKCS#10 requests with their extensionRequest attribute.
 * - `node:crypto` generates keys (asynchronously, on the thread pool; see keys.ts), hashes,
 *   signs, and verifies signatures (OpenSSL speed, every algorithm OpenSSL knows).
 */
import {
  createHash,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate as NodeX509,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as der from '../asn1/der.js';
import {
  checkDecodingBounds,
  countChildren,
  MAX_EXTENSIONS,
  MAX_NAMES,
} from '../asn1/der-bounds.js';
import * as writer from '../asn1/der-writer.js';
import type { DerElement } from '../asn1/der.js';
import { CertkitError } from '../errors.js';
import { parseIpAddress } from './ip.js';
import { encodePem } from './pem.js';

/** Object identifiers used across core, named as in RFC 5280 section 4.2. */
export const OID = {
  commonName: '2.5.4.3',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Internal to core. */
export const NAME_SHORT: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.emailAddress]: 'emailAddress',
  '2.5.4.5': 'serialNumber',
  '2.5.4.9': 'street',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.4': 'SN',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Internal to core. */
export const EXTENSION_NAMES: Readonly<Record<string, string>> = {
  [OID.subjectKeyIdentifier]: 'subjectKeyIdentifier',
  [OID.keyUsage]: 'keyUsage',
  [OID.subjectAltName]: 'subjectAltName',
  [OID.issuerAltName]: 'issuerAltName',
  [OID.basicConstraints]: 'basicConstraints',
  [OID.nameConstraints]: 'nameConstraints',
  [OID.crlDistributionPoints]: 'crlDistributionPoints',
  [OID.certificatePolicies]: 'certificatePolicies',
  [OID.policyMappings]: 'policyMappings',
  [OID.authorityKeyIdentifier]: 'authorityKeyIdentifier',
  [OID.policyConstraints]: 'policyConstraints',
  [OID.extKeyUsage]: 'extendedKeyUsage',
  [OID.inhibitAnyPolicy]: 'inhibitAnyPolicy',
  [OID.authorityInfoAccess]: 'authorityInfoAccess',
};

/** Internal to core. */
export const EKU_NAMES: Readonly<Record<string, string>> = {
  [OID.serverAuth]: 'serverAuth',
  [OID.clientAuth]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  [OID.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
};

/** Internal to core. */
export const SIGNATURE_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** The RFC 5280 keyUsage bits, in bit order. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** A keyUsage bit name (RFC 5280 section 4.2.1.3). */
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/** One attribute of a distinguished name, in encoding order. */
export interface NameAttribute {
  /** Short name (`CN`, `O`, …) or the dotted OID when it has none. */
  readonly type: string;
  /** The attribute's object identifier. */
  readonly oid: string;
  /** The value as text. */
  readonly value: string;
}

/** The public key of a certificate or key file. */
export interface KeyInfo {
  /** `rsa`, `ec`, `ed25519`, `ed448`, `dsa`, or `unknown` for algorithms Node cannot load. */
  readonly type: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  /** Key size in bits (RSA modulus, DSA prime, curve order size). 0 when unknown. */
  readonly bits: number;
  /** Named curve for EC keys (`P-256`, `P-384`, `P-521`, or the OpenSSL name). */
  readonly curve?: string;
}

/** One extension as present in a certificate. */
export interface ExtensionInfo {
  readonly oid: string;
  /** Name from RFC 5280, or the OID when unknown to us. */
  readonly name: string;
  readonly critical: boolean;
}

/** A certificate's contents as plain, JSON-ready data. */
export interface CertificateInfo {
  /** Subject in encoding order, `C=US, O=Acme, CN=app`. */
  readonly subject: string;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly issuer: string;
  readonly issuerAttributes: readonly NameAttribute[];
  /** Serial number, lower-case hex without separators (as `openssl x509 -serial`, lower-cased). */
  readonly serialNumber: string;
  /** Start of validity, ISO 8601. */
  readonly notBefore: string;
  /** End of validity, ISO 8601. */
  readonly notAfter: string;
  /** Subject and issuer names are byte-identical. */
  readonly selfIssued: boolean;
  readonly key: KeyInfo;
  /** Signature algorithm name (`sha256WithRSAEncryption`), or its OID when unknown. */
  readonly signatureAlgorithm: string;
  /** SHA-256 of the DER, upper-case hex with colons, as `openssl x509 -fingerprint -sha256`. */
  readonly fingerprintSha256: string;
  readonly subjectAltNames: {
    readonly dns: readonly string[];
    readonly ip: readonly string[];
    readonly email: readonly string[];
    readonly uri: readonly string[];
  };
  /** `null` when the extension is absent. */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number } | null;
  /** keyUsage bit names; `null` when the extension is absent. */
  readonly keyUsage: readonly KeyUsageName[] | null;
  /** EKU names (`serverAuth`, `clientAuth`, …) or OIDs; `null` when the extension is absent. */
  readonly extendedKeyUsage: readonly string[] | null;
  /** Lower-case hex, when present. */
  readonly subjectKeyIdentifier?: string;
  /** Lower-case hex key identifier, when present. */
  readonly authorityKeyIdentifier?: string;
  readonly extensions: readonly ExtensionInfo[];
}

/** Where a certificate came from, for messages. */
export interface CertificateSource {
  /** File name, `stdin`, or a caller's label. */
  readonly name: string;
  /** 1-based block index in that input. */
  readonly index: number;
}

/** A parsed certificate: its bytes, PEM, and contents. Create with {@link parseCertificate}. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly info: CertificateInfo;
  readonly source: CertificateSource;
}

/** Decoded parts core modules need beyond {@link CertificateInfo}. Never exported. */
export interface CertificateInternals {
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly spkiDer: Uint8Array;
  readonly tbsDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Extensions in certificate order, values undecoded (structures.ts decodes them with pkijs). */
  readonly extensions: readonly RawExtension[];
  /** Node's parse, for fast signature checks; `null` when OpenSSL cannot load the certificate. */
  readonly native: NodeX509 | null;
  /** The subject public key; `null` when OpenSSL cannot load it. */
  readonly publicKey: KeyObject | null;
}

/** One extension's identifier, criticality and value bytes (RFC 5280 section 4.1). */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

const internalsOf = new WeakMap<Certificate, CertificateInternals>();

/** Decoded internals of a certificate made by {@link parseCertificate}. */
export function internals(certificate: Certificate): CertificateInternals {
  const found = internalsOf.get(certificate);
  if (found === undefined) {
    throw new CertkitError('INTERNAL', 'certificate was not made by parseCertificate');
  }
  return found;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * A serial number's octets as lower-case hex without leading zero octets (one kept for zero), as
 * `openssl x509 -serial` prints it, lower-cased. A loop, not a pattern: `^(00)+` over a
 * multi-megabyte serial overflowed the regular-expression stack. Internal to core.
 */
export function serialHex(octets: Uint8Array): string {
  let i = 0;
  while (i < octets.length - 1 && octets[i] === 0) i++;
  return hex(octets.subarray(i));
}

/** Formats name attributes as `C=US, O=Acme, CN=app` (encoding order). */
export function formatName(attributes: readonly NameAttribute[]): string {
  return attributes.map((a) => `${a.type}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
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

/** Formats 4 or 16 address bytes as an IPv4 or (compressed) IPv6 text; other lengths as hex. */
export function formatIp(octets: Uint8Array): string {
  if (octets.length === 4) return Array.from(octets).join('.');
  if (octets.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2)
      groups.push((((octets[i] ?? 0) << 8) | (octets[i + 1] ?? 0)).toString(16));
    // Compress the longest run of zero groups (RFC 5952 section 4.2).
    let best = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > bestLength) {
        best = i;
        bestLength = j - i;
      }
    }
    if (best >= 0) {
      return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
    }
    return groups.join(':');
  }
  return `0x${hex(octets)}`;
}

/** Reads a string-typed attribute value as asn1js does; '' for values of other types. */
function attributeValue(value: DerElement): string {
  if (value.cls !== der.UNIVERSAL || value.constructed) return '';
  const bytes = Buffer.from(value.content.buffer, value.content.byteOffset, value.content.length);
  switch (value.number) {
    case der.TAG.utf8String:
      try {
        return UTF8.decode(bytes);
      } catch {
        return bytes.toString('latin1'); // asn1js keeps invalid UTF-8 byte for byte
      }
    case 30: // BMPString: UTF-16BE
      return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : '';
    case 28: // UniversalString: UTF-32BE
      return universalString(bytes);
    case 18: // NumericString
    case der.TAG.printableString:
    case 20: // TeletexString
    case 21: // VideotexString
    case der.TAG.ia5String:
    case 25: // GraphicString
    case 26: // VisibleString
    case 27: // GeneralString
    case 29: // CHARACTER STRING
      return bytes.toString('latin1');
    default:
      return '';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function universalString(bytes: Buffer): string {
  if (bytes.length % 4 !== 0) return '';
  const points: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const point = bytes.readUInt32BE(i);
    const next = i + 4 < bytes.length ? bytes.readUInt32BE(i + 4) : 0;
    if (point > 0x10ffff) points.push(0xfffd);
    else if (point >= 0xd800 && point <= 0xdfff) {
      if (point <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        points.push(0x10000 + ((point - 0xd800) << 10) + (next - 0xdc00));
        i += 4;
      } else points.push(0xfffd);
    } else points.push(point);
  }
  let text = '';
  for (let i = 0; i < points.length; i += 8192)
    text += String.fromCodePoint(...points.slice(i, i + 8192));
  return text;
}

/**
 * The attributes of a DER Name (RFC 5280 section 4.1.2.4), every RDN's, in encoding order.
 * Internal to core.
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a Name
 */
export function readNameAttributes(bytes: Uint8Array): NameAttribute[] {
  try {
    return nameAttributes(der.readOnly(bytes));
  } catch (error) {
    throw new CertkitError('DER_INVALID', 'not a valid distinguished name', { cause: error });
  }
}

const namesRead = new Map<string, NameAttribute[]>();

/**
 * {@link nameAttributes}, frozen and shared by every certificate with the same name bytes: a
 * bundle's certificates mostly have one issuer, and 40,000 copies of its attributes were
 * garbage to collect (bench case 5b). At most 4,096 names are remembered.
 */
function sharedNameAttributes(name: DerElement): NameAttribute[] {
  const bytes = name.bytes;
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const known = namesRead.get(key);
  if (known !== undefined) return known;
  const attributes = Object.freeze(nameAttributes(name).map((a) => Object.freeze(a)));
  if (namesRead.size < 4096) namesRead.set(key, attributes as NameAttribute[]);
  return attributes as NameAttribute[];
}

const formattedNames = new WeakMap<readonly NameAttribute[], string>();

/** {@link formatName} of shared attributes, made once per name read. */
function formattedName(attributes: readonly NameAttribute[]): string {
  let text = formattedNames.get(attributes);
  if (text === undefined) {
    text = formatName(attributes);
    formattedNames.set(attributes, text);
  }
  return text;
}

/** A Name (RFC 5280 section 4.1.2.4): every attribute of every RDN, in encoding order. */
function nameAttributes(name: DerElement): NameAttribute[] {
  const out: NameAttribute[] = [];
  const rdns = der.sequenceOf(name, 'a Name');
  for (const rdn of rdns) {
    if (!der.isUniversal(rdn, der.TAG.set) || !rdn.constructed) {
      throw new der.DerError('expected a RelativeDistinguishedName SET');
    }
    for (const pair of der.childrenOf(rdn)) {
      const [type, value, extra] = der.sequenceOf(pair, 'an AttributeTypeAndValue');
      if (value === undefined || extra !== undefined) {
        throw new der.DerError('an AttributeTypeAndValue has two parts');
      }
      const oid = der.decodeOid(
        der.expectUniversal(type, der.TAG.oid, 'an attribute type').content,
      );
      out.push({ type: NAME_SHORT[oid] ?? oid, oid, value: attributeValue(value) });
      if (out.length > MAX_NAMES)
        throw new der.DerLimitError(
          `a name of over ${String(MAX_NAMES)} attributes (at most ${String(MAX_NAMES)} are read)`,
        );
    }
  }
  return out;
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

/** The value of the first extension `oid` (a loop: no closure per certificate). */
function extensionValue(extensions: readonly RawExtension[], oid: string): Uint8Array | undefined {
  for (const e of extensions) if (e.oid === oid) return e.value;
  return undefined;
}

const keysRead = new Map<string, KeyInfo>();

/**
 * The key info of a SubjectPublicKeyInfo, frozen and shared by certificates with the same key
 * bytes (re-issued certificates, pools): checking that an EC point is on its curve is most of
 * reading a key. At most 4,096 keys are remembered.
 */
function sharedKeyInfo(
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
interface SubjectPublicKey {
  readonly oid: string;
  readonly params: DerElement | undefined;
  /** The subjectPublicKey bits (unused-bits octet removed; whole bytes in every key format). */
  readonly key: Uint8Array;
}

function subjectPublicKey(spki: DerElement | undefined): SubjectPublicKey {
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

/** The fields of a certificate, each a DER element; DerError when the structure is wrong. */
interface CertificateFields {
  readonly tbs: DerElement;
  readonly serial: DerElement;
  readonly innerAlgorithm: DerElement;
  readonly issuer: DerElement;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: DerElement;
  readonly spki: DerElement;
  readonly publicKey: SubjectPublicKey;
  readonly extensions: RawExtension[];
  readonly signatureAlgorithm: string;
}

/** A {@link RawExtension} whose value is a view made on use. */
class ExtensionRecord implements RawExtension {
  readonly #data: Uint8Array;
  readonly #start: number;
  readonly #end: number;

  constructor(
    readonly oid: string,
    readonly critical: boolean,
    value: DerElement,
  ) {
    this.#data = value.data;
    this.#start = value.contentStart;
    this.#end = value.end;
  }

  get value(): Uint8Array {
    return this.#data.subarray(this.#start, this.#end);
  }
}

const extensionInfos = new Map<string, ExtensionInfo>();

/**
 * One frozen {@link ExtensionInfo} per OID and criticality, shared by every certificate that
 * has it: a bundle's certificates mostly carry the same handful of extensions.
 */
function extensionInfo(oid: string, critical: boolean): ExtensionInfo {
  const key = `${oid} ${String(critical)}`;
  let info = extensionInfos.get(key);
  if (info === undefined) {
    info = Object.freeze({ oid, name: EXTENSION_NAMES[oid] ?? oid, critical });
    if (extensionInfos.size < 4096) extensionInfos.set(key, info);
  }
  return info;
}

/** Extensions whose value is a list of names or subtrees that readers decode one by one. */
const LIST_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectAltName,
  OID.issuerAltName,
  OID.nameConstraints,
]);

/**
 * Refuses a GeneralNames value, or a permitted/excluded subtree list of nameConstraints, of over
 * `MAX_NAMES` entries. A value that does not decode is left to the readers (they report it).
 */
function checkListSize(value: Uint8Array): void {
  let lists: DerElement[];
  try {
    const [element] = der.readElement(value, 0);
    if (!element.constructed) return;
    lists = [element];
    // nameConstraints: SEQUENCE { [0] subtrees, [1] subtrees }
    if (countChildren(element, 2) <= 2)
      for (const child of der.childrenOf(element)) if (child.constructed) lists.push(child);
  } catch {
    return; // does not decode: the readers say so
  }
  for (const list of lists) {
    let count: number;
    try {
      count = countChildren(list, MAX_NAMES);
    } catch {
      continue; // a malformed list reads as absent, as pkijs reads it
    }
    if (count > MAX_NAMES)
      throw new der.DerLimitError(
        `a list of over ${String(MAX_NAMES)} names in one extension (at most ${String(MAX_NAMES)} are read)`,
      );
  }
}

/** Walks Certificate and TBSCertificate (RFC 5280 section 4.1) strictly, in order. */
function certificateFields(bytes: Uint8Array): CertificateFields {
  const root = der.readOnly(bytes);
  der.checkTree(root);
  const [tbs, algorithm, signature, extra] = der.sequenceOf(root, 'a Certificate');
  if (extra !== undefined) throw new der.DerError('a Certificate has three parts');
  der.bitStringBits(signature, 'the signature BIT STRING');
  const signatureAlgorithm = der.algorithm(algorithm, 'the signatureAlgorithm').oid;
  const parts = der.sequenceOf(tbs, 'a TBSCertificate');
  let i = 0;
  if (der.isContext(parts[0], 0)) {
    const [version, more] = der.childrenOf(parts[0] as DerElement);
    der.expectUniversal(version, der.TAG.integer, 'a version INTEGER');
    if (more !== undefined) throw new der.DerError('a version has one INTEGER');
    i++;
  }
  const serial = der.expectUniversal(parts[i++], der.TAG.integer, 'a serialNumber INTEGER');
  const innerAlgorithm = parts[i++];
  der.algorithm(innerAlgorithm, 'the TBS signature AlgorithmIdentifier');
  const issuer = parts[i++];
  const [notBefore, notAfter, more] = der.sequenceOf(parts[i++], 'a Validity');
  if (notBefore === undefined || notAfter === undefined || more !== undefined) {
    throw new der.DerError('a Validity has two times');
  }
  const subject = parts[i++];
  const spki = parts[i++];
  const publicKey = subjectPublicKey(spki);
  if (der.isContext(parts[i], 1)) i++; // issuerUniqueID
  if (der.isContext(parts[i], 2)) i++; // subjectUniqueID
  const extensions: RawExtension[] = [];
  if (der.isContext(parts[i], 3)) {
    const [list, after] = der.childrenOf(parts[i] as DerElement);
    if (after !== undefined) throw new der.DerError('[3] holds one Extensions SEQUENCE');
    const items = der.sequenceOf(list, 'an Extensions SEQUENCE');
    if (items.length > MAX_EXTENSIONS)
      throw new der.DerLimitError(
        `${String(items.length)} extensions (at most ${String(MAX_EXTENSIONS)} are read)`,
      );
    for (const item of items) {
      const fields = der.sequenceOf(item, 'an Extension');
      const [id, second, third, fourth] = fields;
      const critical = third === undefined ? undefined : second;
      const value = third ?? second;
      if (fourth !== undefined || value === undefined) {
        throw new der.DerError('an Extension has two or three parts');
      }
      if (critical !== undefined && !der.isUniversal(critical, der.TAG.boolean)) {
        throw new der.DerError('expected the critical BOOLEAN');
      }
      extensions.push(
        new ExtensionRecord(
          der.decodeOid(der.expectUniversal(id, der.TAG.oid, 'an extnID').content),
          critical === undefined ? false : der.decodeBoolean(critical),
          der.expectUniversal(value, der.TAG.octetString, 'an extnValue OCTET STRING'),
        ),
      );
    }
    i++;
  }
  if (i !== parts.length) throw new der.DerError('unexpected fields in the TBSCertificate');
  for (const e of extensions) if (LIST_EXTENSIONS.has(e.oid)) checkListSize(e.value);
  return {
    tbs: tbs as DerElement,
    serial,
    innerAlgorithm: innerAlgorithm as DerElement,
    issuer: issuer as DerElement,
    notBefore: der.decodeTime(notBefore),
    notAfter: der.decodeTime(notAfter),
    subject: subject as DerElement,
    spki: spki as DerElement,
    publicKey,
    extensions,
    signatureAlgorithm,
  };
}

/*
 * Extension values for CertificateInfo, read as pkijs read them (test/core/certificate-reading
 * proves it on every certificate of fixtures/ and x509-limbo and on thousands of mutants): a
 * value that does not decode at all reads as absent; one that decodes but does not fit its
 * syntax reads as pkijs' empty object (basicConstraints `{ ca: false }`, extKeyUsage `[]`, no
 * names). Path validation reports both as EXTENSION_MALFORMED (structures.ts).
 */

/** The first element of an extension value, as asn1js decodes it (trailing bytes ignored);
 * undefined when it does not decode. */
function valueElement(value: Uint8Array | undefined): DerElement | undefined {
  if (value === undefined) return undefined;
  try {
    const [element] = der.readElement(value, 0);
    der.checkTree(element);
    return element;
  } catch {
    return undefined;
  }
}

/** The children of a value that decoded; null when it is not a SEQUENCE. */
function sequenceItems(element: DerElement): DerElement[] | null {
  return der.isUniversal(element, der.TAG.sequence) && element.constructed
    ? der.childrenOf(element)
    : null;
}

/** basicConstraints (RFC 5280 section 4.2.1.9). */
function basicConstraintsOf(value: Uint8Array | undefined): CertificateInfo['basicConstraints'] {
  const element = valueElement(value);
  if (element === undefined) return null;
  const items = sequenceItems(element);
  if (items === null) return { ca: false };
  let at = 0;
  let ca = false;
  let pathLength: number | undefined;
  const first = items[at];
  if (der.isUniversal(first, der.TAG.boolean) && first !== undefined) {
    try {
      ca = der.decodeBoolean(first);
    } catch {
      return { ca: false };
    }
    at++;
  }
  const second = items[at];
  if (der.isUniversal(second, der.TAG.integer) && second !== undefined) {
    try {
      pathLength = der.decodeSmallInteger(second);
    } catch {
      pathLength = undefined;
    }
    at++;
  }
  if (at !== items.length) return { ca: false };
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

/** keyUsage (RFC 5280 section 4.2.1.3): the names of the bits set; null unless a BIT STRING. */
export function keyUsageOf(value: Uint8Array | undefined): KeyUsageName[] | null {
  const element = valueElement(value);
  if (element === undefined) return null; // absent or undecodable (no DerError to build)
  let bits: Uint8Array;
  try {
    // An empty BIT STRING (no unused-bits octet) reads as no bits set, as asn1js reads it.
    bits = element.content.length === 0 ? element.content : der.bitStringBits(element, 'keyUsage');
  } catch {
    return null;
  }
  return KEY_USAGE_NAMES.filter((_, i) => (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1);
}

/** extKeyUsage (RFC 5280 section 4.2.1.12): purpose names or OIDs. */
export function extendedKeyUsageOf(value: Uint8Array | undefined): string[] | null {
  const element = valueElement(value);
  if (element === undefined) return null;
  const out: string[] = [];
  for (const item of sequenceItems(element) ?? []) {
    if (!der.isUniversal(item, der.TAG.oid)) return [];
    try {
      const oid = der.decodeOid(item.content);
      out.push(EKU_NAMES[oid] ?? oid);
    } catch {
      return [];
    }
  }
  return out;
}

/** subjectKeyIdentifier (RFC 5280 section 4.2.1.2) as lower-case hex. */
function subjectKeyIdentifierOf(value: Uint8Array | undefined): string | undefined {
  const element = valueElement(value);
  return element !== undefined &&
    der.isUniversal(element, der.TAG.octetString) &&
    !element.constructed
    ? hex(element.content)
    : undefined;
}

/** authorityKeyIdentifier's keyIdentifier [0] (RFC 5280 section 4.2.1.1) as lower-case hex. */
function authorityKeyIdentifierOf(value: Uint8Array | undefined): string | undefined {
  const element = valueElement(value);
  const first = element === undefined ? undefined : sequenceItems(element)?.[0];
  return first !== undefined && der.isContext(first, 0) && !first.constructed
    ? hex(first.content)
    : undefined;
}

/** GeneralName forms (RFC 5280 section 4.2.1.6): constructed for otherName [0], x400Address
 * [3], directoryName [4] and ediPartyName [5], primitive for the others. */
const CONSTRUCTED_NAME_FORMS: ReadonlySet<number> = new Set([0, 3, 4, 5]);

/** The summary of a certificate without subjectAltName: one frozen object shared by all. */
const NO_ALT_NAMES: CertificateInfo['subjectAltNames'] = Object.freeze({
  dns: Object.freeze([]),
  ip: Object.freeze([]),
  email: Object.freeze([]),
  uri: Object.freeze([]),
});

/**
 * subjectAltName (RFC 5280 section 4.2.1.6): dNSName, rfc822Name, URI and iPAddress entries;
 * other forms (directoryName, otherName, …) are not part of this summary. IA5String values are
 * read byte for byte, as asn1js does.
 */
export function subjectAltNamesOf(
  value: Uint8Array | undefined,
): CertificateInfo['subjectAltNames'] {
  const out = {
    dns: [] as string[],
    ip: [] as string[],
    email: [] as string[],
    uri: [] as string[],
  };
  if (value === undefined) return NO_ALT_NAMES;
  const element = valueElement(value);
  const items = element === undefined ? null : sequenceItems(element);
  if (items === null) return out;
  for (const item of items) {
    if (
      item.cls !== der.CONTEXT ||
      item.number > 8 ||
      item.constructed !== CONSTRUCTED_NAME_FORMS.has(item.number)
    ) {
      // pkijs refuses the whole list over one malformed name.
      return { dns: [], ip: [], email: [], uri: [] };
    }
    const text = (): string => Buffer.from(item.content).toString('latin1');
    if (item.number === 2) out.dns.push(text());
    else if (item.number === 1) out.email.push(text());
    else if (item.number === 6) out.uri.push(text());
    else if (item.number === 7) out.ip.push(formatIp(item.content));
  }
  return out;
}

/**
 * The error for bytes that are not a certificate: what failed, without quoting input bytes; the
 * cause is kept for debugging. Internal to core.
 */
export function certificateReadError(source: CertificateSource, cause: unknown): CertkitError {
  return new CertkitError(
    'CERTIFICATE_INVALID',
    `cannot read certificate ${String(source.index)} in ${source.name}: ${cause instanceof der.DerLimitError ? cause.message : 'not a valid X.509 certificate'}`,
    { cause },
  );
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
);

/** SHA-256 of DER bytes, upper-case hex with colons, as `openssl x509 -fingerprint -sha256`. */
export function fingerprintSha256(bytes: Uint8Array): string {
  const digest = createHash('sha256').update(bytes).digest();
  let text = HEX_PAIRS[digest[0] ?? 0] ?? '';
  for (let i = 1; i < digest.length; i++) text += `:${HEX_PAIRS[digest[i] ?? 0] ?? ''}`;
  return text;
}

/** OpenSSL's view of a SubjectPublicKeyInfo; null when OpenSSL cannot load it. Internal. */
export function loadPublicKey(spki: Uint8Array): KeyObject | null {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return null; // An algorithm OpenSSL does not know: key type 'unknown'.
  }
}

/**
 * A certificate made by {@link parseCertificate}. A class, not an object literal: thousands of
 * them are kept while a bundle is read, and V8 keeps instances of one class compact (bench
 * case 4a's peak memory). The PEM is encoded when asked for, not kept.
 */
class ParsedCertificate implements Certificate {
  constructor(
    readonly der: Uint8Array,
    readonly info: CertificateInfo,
    readonly source: CertificateSource,
  ) {}

  get pem(): string {
    return encodePem('CERTIFICATE', this.der);
  }

  /** The same JSON as a plain object with these four fields. */
  toJSON(): Certificate {
    return { der: this.der, pem: this.pem, info: this.info, source: this.source };
  }
}

/** {@link CertificateInternals} of a parsed certificate: byte ranges, made into views on use. */
class ParsedInternals implements CertificateInternals {
  readonly #der: Uint8Array;
  readonly #ranges: Uint32Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly RawExtension[];
  #native: NodeX509 | null | undefined;
  #publicKey: KeyObject | null | undefined;

  constructor(der: Uint8Array, fields: CertificateFields, extensions: readonly RawExtension[]) {
    this.#der = der;
    const { subject, issuer, spki, tbs } = fields;
    this.#ranges = Uint32Array.of(
      subject.start,
      subject.end,
      issuer.start,
      issuer.end,
      spki.start,
      spki.end,
      tbs.start,
      tbs.end,
    );
    this.notBefore = fields.notBefore;
    this.notAfter = fields.notAfter;
    this.extensions = extensions;
  }

  #range(i: number): Uint8Array {
    return this.#der.subarray(this.#ranges[i], this.#ranges[i + 1]);
  }

  get subjectDer(): Uint8Array {
    return this.#range(0);
  }

  get issuerDer(): Uint8Array {
    return this.#range(2);
  }

  get spkiDer(): Uint8Array {
    return this.#range(4);
  }

  get tbsDer(): Uint8Array {
    return this.#range(6);
  }

  /** Node's parse, for signature checks only: made on first use (~0.1 ms each). */
  get native(): NodeX509 | null {
    if (this.#native === undefined) {
      try {
        this.#native = new NodeX509(this.#der);
      } catch {
        this.#native = null; // OpenSSL refuses it; path validation reports that as a finding.
      }
    }
    return this.#native;
  }

  /** OpenSSL's view of the key, made on first use: ~0.1 ms a certificate (bench case 4a). */
  get publicKey(): KeyObject | null {
    if (this.#publicKey === undefined) this.#publicKey = loadPublicKey(this.spkiDer);
    return this.#publicKey;
  }
}

/**
 * Parses one DER certificate.
 *
 * @param bytes the certificate's DER bytes
 * @param source where it came from, for error messages and reports
 * @throws {@link CertkitError} `CERTIFICATE_INVALID` when the bytes are not a certificate
 *
 * @example
 * ```ts
 * const cert = parseCertificate(der, { name: 'cert.pem', index: 1 });
 * console.log(cert.info.subject, cert.info.notAfter);
 * ```
 */
export function parseCertificate(bytes: Uint8Array, source: CertificateSource): Certificate {
  let fields: CertificateFields;
  let subjectAttributes: NameAttribute[];
  let issuerAttributes: NameAttribute[];
  try {
    // Before anything else reads the bytes: OIDs bounded (and so what pkijs builds later).
    checkDecodingBounds(bytes);
    fields = certificateFields(bytes);
    subjectAttributes = sharedNameAttributes(fields.subject);
    issuerAttributes = sharedNameAttributes(fields.issuer);
  } catch (error) {
    throw certificateReadError(source, error);
  }
  const { extensions } = fields;
  // Made first: a key the SPKI reading leaves to OpenSSL is loaded once, into these internals.
  const record = new ParsedInternals(bytes, fields, extensions);
  const subjectKeyIdentifier = subjectKeyIdentifierOf(
    extensionValue(extensions, OID.subjectKeyIdentifier),
  );
  const authorityKeyIdentifier = authorityKeyIdentifierOf(
    extensionValue(extensions, OID.authorityKeyIdentifier),
  );
  const info: CertificateInfo = {
    subject: formattedName(subjectAttributes),
    subjectAttributes,
    issuer: formattedName(issuerAttributes),
    issuerAttributes,
    serialNumber: serialHex(fields.serial.content),
    notBefore: fields.notBefore.toISOString(),
    notAfter: fields.notAfter.toISOString(),
    selfIssued: Buffer.from(fields.subject.bytes).equals(fields.issuer.bytes),
    key: sharedKeyInfo(fields, record),
    signatureAlgorithm: SIGNATURE_NAMES[fields.signatureAlgorithm] ?? fields.signatureAlgorithm,
    fingerprintSha256: fingerprintSha256(bytes),
    subjectAltNames: subjectAltNamesOf(extensionValue(extensions, OID.subjectAltName)),
    basicConstraints: basicConstraintsOf(extensionValue(extensions, OID.basicConstraints)),
    keyUsage: keyUsageOf(extensionValue(extensions, OID.keyUsage)),
    extendedKeyUsage: extendedKeyUsageOf(extensionValue(extensions, OID.extKeyUsage)),
    ...(subjectKeyIdentifier === undefined ? {} : { subjectKeyIdentifier }),
    ...(authorityKeyIdentifier === undefined ? {} : { authorityKeyIdentifier }),
    extensions: extensions.map((e) => extensionInfo(e.oid, e.critical)),
  };
  const certificate = new ParsedCertificate(bytes, info, source);
  internalsOf.set(certificate, record);
  return certificate;
}

/** Subject or issuer attribute to encode, in order. */
export interface NameInput {
  readonly oid: string;
  readonly value: string;
}

/** What {@link signCertificate} needs: all of it plain data and Node key objects. */
export interface CertificateTemplate {
  readonly subject: readonly NameInput[];
  /** The subject exactly as encoded elsewhere (a renewal keeps the old bytes); wins over `subject`. */
  readonly subjectNameDer?: Uint8Array;
  /** Issuer name; the subject when self-signed. */
  readonly issuer: readonly NameInput[];
  /** Positive serial number, hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  /** The issuer's public key, for the authority key identifier. */
  readonly issuerPublicKey: KeyObject;
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength?: number };
  readonly keyUsage: readonly KeyUsageName[];
  /** EKU OIDs; empty for none. */
  readonly extendedKeyUsage: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /**
   * The issuer's subject exactly as encoded in its certificate. When given, it is copied byte for
   * byte into the issuer field (RFC 5280 section 4.1.2.4): re-encoding `issuer` could change
   * string types and break byte-comparing path builders.
   */
  readonly issuerNameDer?: Uint8Array;
  /**
   * The issuer's subject key identifier, for the authority key identifier (RFC 5280 section
   * 4.2.1.1: it must equal the issuer's SKI); computed from `issuerPublicKey` when absent.
   */
  readonly authorityKeyIdentifier?: Uint8Array;
}

/** How certkit signs with a key (the same for certificates and, in pkcs10.ts, requests). */
export interface SignatureScheme {
  /** `node:crypto`'s digest name; null for Ed25519, which hashes internally. */
  readonly digest: 'sha256' | 'sha384' | 'sha512' | null;
  /** The signature algorithm's OID (RFC 4055 section 5, RFC 5758 section 3.2, RFC 8410). */
  readonly oid: string;
  /** The NIST curve of an EC key (P-256 when OpenSSL names another). */
  readonly curve?: string;
}

/**
 * The signature scheme of a key: sha256WithRSAEncryption for RSA; ECDSA with SHA-256 for P-256,
 * SHA-384 for P-384, SHA-512 for P-521; Ed25519. Internal to core.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for other keys
 */
export function signatureScheme(key: KeyObject): SignatureScheme {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { digest: 'sha256', oid: '1.2.840.113549.1.1.11' };
    case 'ec': {
      const curve = CURVE_NAMES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'P-256';
      if (curve === 'P-384') return { digest: 'sha384', oid: '1.2.840.10045.4.3.3', curve };
      if (curve === 'P-521') return { digest: 'sha512', oid: '1.2.840.10045.4.3.4', curve };
      return { digest: 'sha256', oid: '1.2.840.10045.4.3.2', curve };
    }
    case 'ed25519':
      return { digest: null, oid: '1.3.101.112' };
    default:
      throw new CertkitError(
        'INVALID_OPTION',
        `cannot sign with a ${key.asymmetricKeyType ?? 'unknown'} key`,
      );
  }
}

/** A Name from attributes, as OpenSSL encodes by default: PrintableString for the country,
 * IA5String for email addresses, UTF8String for the rest; one attribute per RDN. */
function encodeName(attributes: readonly NameInput[]): Uint8Array {
  return writer.sequence(
    ...attributes.map((a) => {
      const tag =
        a.oid === OID.countryName
          ? der.TAG.printableString
          : a.oid === OID.emailAddress
            ? der.TAG.ia5String
            : der.TAG.utf8String;
      return writer.set(writer.sequence(writer.oid(a.oid), writer.string(tag, a.value)));
    }),
  );
}

/** The key identifier of RFC 5280 section 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Uint8Array): Uint8Array {
  const [, bits] = der.sequenceOf(der.readOnly(spki), 'a SubjectPublicKeyInfo');
  return createHash('sha1').update(der.bitStringBits(bits, 'the subjectPublicKey')).digest();
}

/** One Extension: extnID, critical only when true (DER omits a DEFAULT), extnValue. */
function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return writer.sequence(
    writer.oid(oid),
    ...(critical ? [writer.TRUE] : []),
    writer.octetString(value),
  );
}

/**
 * Builds and signs a certificate from a template; returns its DER. The TBSCertificate is encoded
 * with asn1/der-writer.ts and signed by `node:crypto` (OpenSSL): RSA PKCS#1 v1.5 with SHA-256,
 * ECDSA with the curve's hash, or Ed25519. Extensions, in order: basicConstraints and keyUsage (critical),
 * extKeyUsage, subjectAltName, subjectKeyIdentifier, authorityKeyIdentifier.
 *
 * @example
 * ```ts
 * const der = await signCertificate({ subject, issuer: subject, serialNumber, notBefore, notAfter,
 *   publicKey, signingKey: privateKey, issuerPublicKey: publicKey,
 *   basicConstraints: { ca: false }, keyUsage: ['digitalSignature'], extendedKeyUsage: [OID.clientAuth] });
 * ```
 */
export async function signCertificate(template: CertificateTemplate): Promise<Uint8Array> {
  return await Promise.resolve().then(() => {
    const scheme = signatureScheme(template.signingKey);
    // RSA's AlgorithmIdentifier carries NULL parameters (RFC 4055 section 5); ECDSA's and
    // Ed25519's carry none (RFC 5758 section 3.2, RFC 8410 section 3).
    const algorithm = writer.sequence(
      writer.oid(scheme.oid),
      ...(template.signingKey.asymmetricKeyType === 'rsa' ? [writer.NULL] : []),
    );
    const spki = template.publicKey.export({ format: 'der', type: 'spki' });
    const { ca, pathLength } = template.basicConstraints;
    const extensions = [
      extension(
        OID.basicConstraints,
        true,
        writer.sequence(
          ...(ca ? [writer.TRUE] : []),
          ...(pathLength === undefined ? [] : [writer.smallInteger(pathLength)]),
        ),
      ),
      extension(
        OID.keyUsage,
        true,
        writer.namedBits(template.keyUsage.map((name) => KEY_USAGE_NAMES.indexOf(name))),
      ),
    ];
    if (template.extendedKeyUsage.length > 0) {
      extensions.push(
        extension(
          OID.extKeyUsage,
          false,
          writer.sequence(...template.extendedKeyUsage.map((o) => writer.oid(o))),
        ),
      );
    }
    const altNames = [
      ...(template.dnsNames ?? []).map((name) => writer.encode(0x82, Buffer.from(name, 'latin1'))),
      ...(template.ipAddresses ?? []).map((ip) => {
        const octets = parseIpAddress(ip);
        if (octets === null) throw new CertkitError('INVALID_OPTION', `not an IP address: ${ip}`);
        return writer.encode(0x87, octets);
      }),
    ];
    if (altNames.length > 0)
      extensions.push(extension(OID.subjectAltName, false, writer.sequence(...altNames)));
    extensions.push(
      extension(OID.subjectKeyIdentifier, false, writer.octetString(keyIdentifier(spki))),
    );
    const authorityKeyId =
      template.authorityKeyIdentifier ??
      keyIdentifier(template.issuerPublicKey.export({ format: 'der', type: 'spki' }));
    extensions.push(
      extension(
        OID.authorityKeyIdentifier,
        false,
        writer.sequence(writer.encode(0x80, authorityKeyId)),
      ),
    );
    const tbs = writer.sequence(
      writer.explicit(0, writer.smallInteger(2)), // v3
      writer.integer(Buffer.from(template.serialNumber, 'hex')),
      algorithm,
      template.issuerNameDer === undefined ? encodeName(template.issuer) : template.issuerNameDer,
      writer.sequence(writer.time(template.notBefore), writer.time(template.notAfter)),
      template.subjectNameDer === undefined
        ? encodeName(template.subject)
        : template.subjectNameDer,
      spki,
      writer.explicit(3, writer.sequence(...extensions)),
    );
    // The callback form signs on libuv's thread pool, off the event loop (batch case of issue 7).
    return new Promise<Uint8Array>((resolve, reject) => {
      cryptoSign(scheme.digest, tbs, template.signingKey, (error, signature) => {
        if (error === null) resolve(writer.sequence(tbs, algorithm, writer.bitString(signature)));
        else reject(error);
      });
    });
  });
}

/**
 * True when `issuer`'s public key verifies `child`'s signature (OpenSSL through node:crypto:
 * every algorithm OpenSSL knows, at its speed). False when it does not, or cannot be checked.
 */
export function signatureVerifies(child: Certificate, issuer: Certificate): boolean {
  const c = internals(child);
  const i = internals(issuer);
  if (c.native === null || i.publicKey === null) return false;
  try {
    return c.native.verify(i.publicKey);
  } catch {
    return false; // an unsupported algorithm or a malformed signature: not verified
  }
}

function normalizeValue(value: string): string {
  // RFC 5280 section 7.1 (via RFC 4518): case-insensitive, insignificant spaces folded.
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Compares two distinguished names as RFC 5280 section 7.1 says: byte-equal names match;
 * otherwise attribute by attribute, same types in the same order, values compared
 * case-insensitively with white space folded.
 */
export function namesEqual(
  a: Certificate,
  aField: 'subject' | 'issuer',
  b: Certificate,
  bField: 'subject' | 'issuer',
): boolean {
  const aDer = aField === 'subject' ? internals(a).subjectDer : internals(a).issuerDer;
  const bDer = bField === 'subject' ? internals(b).subjectDer : internals(b).issuerDer;
  if (Buffer.from(aDer).equals(Buffer.from(bDer))) return true;
  const aAttrs = aField === 'subject' ? a.info.subjectAttributes : a.info.issuerAttributes;
  const bAttrs = bField === 'subject' ? b.info.subjectAttributes : b.info.issuerAttributes;
  if (aAttrs.length !== bAttrs.length) return false;
  return aAttrs.every((attr, i) => {
    const other = bAttrs[i];
    return (
      other !== undefined &&
      other.oid === attr.oid &&
      normalizeValue(other.value) === normalizeValue(attr.value)
    );
  });
}

/** A PKCS#10 certification request's contents as plain, JSON-ready data. */
export interface CertificationRequestInfo {
  readonly subject: string;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly key: KeyInfo;
  readonly signatureAlgorithm: string;
  /** The request's self-signature verifies with its own public key (RFC 2986 section 3). */
  readonly signatureValid: boolean;
  readonly subjectAltNames: CertificateInfo['subjectAltNames'];
  readonly keyUsage: readonly KeyUsageName[] | null;
  readonly extendedKeyUsage: readonly string[] | null;
  /** Requested extensions (from the extensionRequest attribute). */
  readonly extensions: readonly ExtensionInfo[];
  /** SHA-256 of the DER, upper-case hex with colons. */
  readonly fingerprintSha256: string;
}

const HASH_OF_SIGNATURE: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519 and Ed448 hash internally: node:crypto takes no digest name
  '1.3.101.113': null,
};

/**
 * Verifies the signature of a signed structure (CSR, CRL) over its TBS bytes with node:crypto.
 * False for a signature algorithm we do not map, a key that does not fit, or a bad signature.
 */
export function verifySignedData(
  signatureOid: string,
  tbs: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  const hash = HASH_OF_SIGNATURE[signatureOid];
  if (hash === undefined) return false;
  try {
    return cryptoVerify(hash, tbs, key, signature);
  } catch {
    return false; // a malformed signature or a key of another type does not verify
  }
}
