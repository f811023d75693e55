/**
 * The one module that wires `@peculiar/x509`, `pkijs`, `asn1js` and the WebCrypto provider.
 * Everything else in core sees plain data: {@link Certificate} and {@link CertificateInfo}.
 *
 * Where each dependency earns its place:
 * - `pkijs` + `asn1js` parse certificates into typed structures (extensions included) and keep
 *   the exact encoded bytes of names and the TBS, which path validation compares and verifies.
 * - `@peculiar/x509` builds and signs certificates from plain parameters.
 * - `@peculiar/webcrypto` is the WebCrypto provider of both: one provider instance for every
 *   signature we make, with algorithm coverage beyond Node's native WebCrypto.
 * - `node:crypto` generates keys (asynchronously, on the thread pool; see keys.ts), hashes, and
 *   verifies signatures (OpenSSL speed, every algorithm OpenSSL knows).
 */
import 'reflect-metadata';
import {
  createHash,
  createPublicKey,
  verify as cryptoVerify,
  X509Certificate as NodeX509,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import * as x509 from '@peculiar/x509';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import { CertkitError } from './errors.js';
import { encodePem } from './pem.js';

let provider: PeculiarCrypto | undefined;

/** The shared WebCrypto provider, registered with `@peculiar/x509` and `pkijs` on first use. */
export function webcrypto(): PeculiarCrypto {
  if (provider === undefined) {
    provider = new PeculiarCrypto();
    x509.cryptoProvider.set(provider as unknown as Crypto);
    pkijs.setEngine('certkit', new pkijs.CryptoEngine({ name: 'certkit', crypto: provider }));
  }
  return provider;
}

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

const NAME_SHORT: Readonly<Record<string, string>> = {
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

const EXTENSION_NAMES: Readonly<Record<string, string>> = {
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

const EKU_NAMES: Readonly<Record<string, string>> = {
  [OID.serverAuth]: 'serverAuth',
  [OID.clientAuth]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  [OID.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
};

const SIGNATURE_NAMES: Readonly<Record<string, string>> = {
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

/** Decoded structures core modules need beyond {@link CertificateInfo}. Never exported. */
export interface CertificateInternals {
  readonly pkijs: pkijs.Certificate;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly spkiDer: Uint8Array;
  readonly tbsDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly {
    oid: string;
    critical: boolean;
    value: Uint8Array;
    parsed: unknown;
  }[];
  /** Node's parse, for fast signature checks; `null` when OpenSSL cannot load the certificate. */
  readonly native: NodeX509 | null;
  readonly publicKey: KeyObject | null;
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

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

function viewOf(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

function attributeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'valueBlock' in value) {
    const block = (value as { valueBlock: { value?: unknown } }).valueBlock;
    if (typeof block.value === 'string') return block.value;
  }
  return '';
}

function nameAttributes(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((tv) => ({
    type: NAME_SHORT[tv.type] ?? tv.type,
    oid: tv.type,
    value: attributeValue(tv.value),
  }));
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
    case 'ec': {
      const curve = CURVE_NAMES[details.namedCurve ?? ''] ?? details.namedCurve ?? 'unknown';
      return { type: 'ec', bits: CURVE_BITS[curve] ?? 0, curve };
    }
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

const CURVE_NAMES: Readonly<Record<string, string>> = {
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

function generalNames(parsed: unknown): {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
} {
  const out = {
    dns: [] as string[],
    ip: [] as string[],
    email: [] as string[],
    uri: [] as string[],
  };
  if (!(parsed instanceof pkijs.AltName)) return out;
  for (const name of parsed.altNames) {
    if (name.type === 2 && typeof name.value === 'string') out.dns.push(name.value);
    else if (name.type === 1 && typeof name.value === 'string') out.email.push(name.value);
    else if (name.type === 6 && typeof name.value === 'string') out.uri.push(name.value);
    else if (name.type === 7) {
      const octets = (name.value as asn1js.OctetString).valueBlock.valueHexView;
      out.ip.push(formatIp(octets));
    }
  }
  return out;
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

/**
 * Parses one DER certificate.
 *
 * @param der the certificate's DER bytes
 * @param source where it came from, for error messages and reports
 * @throws {@link CertkitError} `CERTIFICATE_INVALID` when the bytes are not a certificate
 *
 * @example
 * ```ts
 * const cert = parseCertificate(der, { name: 'cert.pem', index: 1 });
 * console.log(cert.info.subject, cert.info.notAfter);
 * ```
 */
export function parseCertificate(der: Uint8Array, source: CertificateSource): Certificate {
  const where = `certificate ${String(source.index)} in ${source.name}`;
  let cert: pkijs.Certificate;
  try {
    // parseEmbedded: false stops asn1js from speculatively decoding the content of every OCTET
    // STRING and BIT STRING as BER (extension values, the public key, the signature): nothing
    // reads that tree (pkijs decodes an extension value from its bytes, on first use), and for
    // a certificate with thousands of names it was most of the parse (x509-limbo nc-dos-*).
    const ber = asn1js.fromBER(der, { parseEmbedded: false });
    if (ber.offset === -1) throw new Error(ber.result.error);
    if (ber.offset !== der.byteLength) throw new Error('trailing bytes after the certificate');
    cert = new pkijs.Certificate({ schema: ber.result });
  } catch (error) {
    // Dependencies' messages can quote input bytes; say what failed, keep the cause for debugging.
    throw new CertkitError(
      'CERTIFICATE_INVALID',
      `cannot read ${where}: not a valid X.509 certificate`,
      {
        cause: error,
      },
    );
  }
  const spkiDer = viewOf(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  let publicKey: KeyObject | null;
  try {
    // The same key OpenSSL's certificate parse would give, without parsing the certificate twice.
    publicKey = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch {
    publicKey = null; // An algorithm OpenSSL does not know: key type 'unknown'.
  }
  // Decoded on first use (pkijs caches it): decoding every extension of every certificate was
  // most of the time of reading a large bundle (bench/RESULTS.md, issue 7). Name lists take the
  // fast decoder below when their shape allows; the result is stored where pkijs caches its own.
  const extensions = (cert.extensions ?? []).map((e) => {
    let decoded = false;
    return {
      oid: e.extnID,
      critical: e.critical,
      value: e.extnValue.valueBlock.valueHexView,
      get parsed(): unknown {
        if (!decoded) {
          decoded = true;
          const fast = FAST_EXTENSION_DECODERS[e.extnID]?.(e.extnValue.valueBlock.valueHexView);
          if (fast !== undefined) e.parsedValue = fast;
        }
        return e.parsedValue as unknown;
      },
    };
  });
  const byOid = (oid: string): unknown => extensions.find((e) => e.oid === oid)?.parsed;
  const valueOf = (oid: string): Uint8Array | undefined =>
    extensions.find((e) => e.oid === oid)?.value;

  const bc = byOid(OID.basicConstraints);
  let basicConstraints: CertificateInfo['basicConstraints'] = null;
  if (bc instanceof pkijs.BasicConstraints) {
    const path = bc.pathLenConstraint;
    const pathLength =
      typeof path === 'number'
        ? path
        : path instanceof asn1js.Integer
          ? path.valueBlock.valueDec
          : undefined;
    basicConstraints = pathLength === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength };
  }
  const ku = byOid(OID.keyUsage);
  let keyUsage: KeyUsageName[] | null = null;
  if (ku instanceof asn1js.BitString) {
    const bits = ku.valueBlock.valueHexView;
    keyUsage = KEY_USAGE_NAMES.filter((_, i) => (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1);
  }
  const eku = byOid(OID.extKeyUsage);
  const extendedKeyUsage =
    eku instanceof pkijs.ExtKeyUsage ? eku.keyPurposes.map((oid) => EKU_NAMES[oid] ?? oid) : null;
  const ski = byOid(OID.subjectKeyIdentifier);
  const akiValue = valueOf(OID.authorityKeyIdentifier);
  let authorityKeyIdentifier = akiValue === undefined ? null : fastKeyIdentifier(akiValue);
  if (authorityKeyIdentifier === undefined) {
    const aki = byOid(OID.authorityKeyIdentifier);
    authorityKeyIdentifier =
      aki instanceof pkijs.AuthorityKeyIdentifier && aki.keyIdentifier
        ? hex(aki.keyIdentifier.valueBlock.valueHexView)
        : null;
  }
  const sanValue = valueOf(OID.subjectAltName);
  const subjectAltNames =
    (sanValue === undefined ? undefined : fastAltNames(sanValue)) ??
    generalNames(byOid(OID.subjectAltName));
  const subjectDer = viewOf(cert.subject.valueBeforeDecode);
  const issuerDer = viewOf(cert.issuer.valueBeforeDecode);
  const subjectAttributes = nameAttributes(cert.subject);
  const issuerAttributes = nameAttributes(cert.issuer);
  const signatureOid = cert.signatureAlgorithm.algorithmId;
  const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase();

  const info: CertificateInfo = {
    subject: formatName(subjectAttributes),
    subjectAttributes,
    issuer: formatName(issuerAttributes),
    issuerAttributes,
    serialNumber: hex(cert.serialNumber.valueBlock.valueHexView).replace(/^(00)+(?=.)/, ''),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    selfIssued: Buffer.from(subjectDer).equals(Buffer.from(issuerDer)),
    key: keyInfo(publicKey),
    signatureAlgorithm: SIGNATURE_NAMES[signatureOid] ?? signatureOid,
    fingerprintSha256: fingerprint.replace(/(..)(?!$)/g, '$1:'),
    subjectAltNames,
    basicConstraints,
    keyUsage,
    extendedKeyUsage,
    ...(ski instanceof asn1js.OctetString
      ? { subjectKeyIdentifier: hex(ski.valueBlock.valueHexView) }
      : {}),
    ...(authorityKeyIdentifier === null ? {} : { authorityKeyIdentifier }),
    extensions: extensions.map((e) => ({
      oid: e.oid,
      name: EXTENSION_NAMES[e.oid] ?? e.oid,
      critical: e.critical,
    })),
  };
  const certificate: Certificate = { der, pem: encodePem('CERTIFICATE', der), info, source };
  let native: NodeX509 | null | undefined;
  internalsOf.set(certificate, {
    pkijs: cert,
    subjectDer,
    issuerDer,
    spkiDer,
    tbsDer: cert.tbsView,
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    extensions,
    // Node's parse is needed for signature checks only: made on first use (~0.5 ms each).
    get native(): NodeX509 | null {
      if (native === undefined) {
        try {
          native = new NodeX509(der);
        } catch {
          native = null; // OpenSSL refuses it; path validation reports that as a finding.
        }
      }
      return native;
    },
    publicKey,
  });
  return certificate;
}

/**
 * subjectAltName decoded straight from its DER when it holds only dNSName, rfc822Name, URI and
 * iPAddress entries (RFC 5280 section 4.2.1.6), the usual case: pkijs' GeneralName schema, which
 * includes X.400 addresses, costs about a millisecond a certificate. Anything else (other name
 * forms, constructed or trailing data) returns undefined and is decoded by pkijs, so the result
 * is pkijs' in every case. IA5String values are read byte for byte, as asn1js does.
 */
function fastAltNames(value: Uint8Array): ReturnType<typeof generalNames> | undefined {
  const ber = asn1js.fromBER(value);
  if (ber.offset !== value.byteLength || !(ber.result instanceof asn1js.Sequence)) return undefined;
  const out: ReturnType<typeof generalNames> = { dns: [], ip: [], email: [], uri: [] };
  for (const item of ber.result.valueBlock.value) {
    if (item.idBlock.tagClass !== 3 || !(item instanceof asn1js.Primitive)) return undefined;
    const bytes = item.valueBlock.valueHexView;
    const text = (): string => Buffer.from(bytes).toString('latin1');
    if (item.idBlock.tagNumber === 2) out.dns.push(text());
    else if (item.idBlock.tagNumber === 1) out.email.push(text());
    else if (item.idBlock.tagNumber === 6) out.uri.push(text());
    else if (item.idBlock.tagNumber === 7) out.ip.push(formatIp(bytes));
    else return undefined;
  }
  return out;
}

/**
 * The keyIdentifier of an authorityKeyIdentifier that holds only that (RFC 5280 section
 * 4.2.1.1), as lower-case hex; null when the extension holds nothing; undefined for anything
 * else, which pkijs decodes.
 */
function fastKeyIdentifier(value: Uint8Array): string | null | undefined {
  const ber = asn1js.fromBER(value);
  if (ber.offset !== value.byteLength || !(ber.result instanceof asn1js.Sequence)) return undefined;
  const items = ber.result.valueBlock.value;
  if (items.length === 0) return null;
  const [only] = items;
  if (
    items.length !== 1 ||
    only === undefined ||
    only.idBlock.tagClass !== 3 ||
    only.idBlock.tagNumber !== 0 ||
    !(only instanceof asn1js.Primitive)
  ) {
    return undefined;
  }
  return hex(only.valueBlock.valueHexView);
}

/**
 * A GeneralName (RFC 5280 section 4.2.1.6) built as pkijs' own `GeneralName`, without pkijs'
 * schema matching: pkijs compares every name against a CHOICE schema that includes the X.400
 * address structure, about 0.25 ms a name, so a CA with 4,096 name constraints (x509-limbo
 * `pathological::nc-dos-*`) took over a second to decode. Only the primitive forms rfc822Name [1],
 * dNSName [2], uniformResourceIdentifier [6] and iPAddress [7] are built here, with the values
 * pkijs gives them (IA5String text byte for byte, as asn1js decodes it; an OctetString for the
 * address); anything else returns undefined and the caller lets pkijs decode the whole value.
 */
function fastGeneralName(item: asn1js.AsnType): pkijs.GeneralName | undefined {
  if (item.idBlock.tagClass !== 3 || !(item instanceof asn1js.Primitive)) return undefined;
  const type = item.idBlock.tagNumber;
  const bytes = item.valueBlock.valueHexView;
  if (type === 1 || type === 2 || type === 6) {
    return new pkijs.GeneralName({ type, value: Buffer.from(bytes).toString('latin1') });
  }
  if (type === 7) {
    return new pkijs.GeneralName({ type, value: new asn1js.OctetString({ valueHex: bytes }) });
  }
  return undefined;
}

/** The items of `value` when it is exactly one DER/BER SEQUENCE, else undefined. */
function sequenceItems(value: Uint8Array): asn1js.AsnType[] | undefined {
  const ber = asn1js.fromBER(value);
  if (ber.offset !== value.byteLength || !(ber.result instanceof asn1js.Sequence)) return undefined;
  return ber.result.valueBlock.value;
}

/** Maps every item with `decode`; undefined when the list is empty or any item is undefined. */
function allOf<T>(
  items: readonly asn1js.AsnType[],
  decode: (item: asn1js.AsnType) => T | undefined,
): T[] | undefined {
  if (items.length === 0) return undefined;
  const out: T[] = [];
  for (const item of items) {
    const decoded = decode(item);
    if (decoded === undefined) return undefined;
    out.push(decoded);
  }
  return out;
}

/**
 * subjectAltName / issuerAltName (`GeneralNames`, RFC 5280 sections 4.2.1.6 and 4.2.1.7) as
 * pkijs' `AltName`, when every name is a form {@link fastGeneralName} builds; else undefined.
 */
function fastAltName(value: Uint8Array): pkijs.AltName | undefined {
  const items = sequenceItems(value);
  const altNames = items === undefined ? undefined : allOf(items, fastGeneralName);
  return altNames === undefined ? undefined : new pkijs.AltName({ altNames });
}

/**
 * nameConstraints (RFC 5280 section 4.2.1.10) as pkijs' `NameConstraints`, when it holds
 * non-empty permittedSubtrees [0] and/or excludedSubtrees [1], in that order, and every
 * GeneralSubtree is a bare base (minimum and maximum absent, as the RFC requires of a profile:
 * "minimum MUST be zero, maximum MUST be absent") of a form {@link fastGeneralName} builds.
 * Anything else returns undefined and pkijs decodes it, so the result is always pkijs'.
 */
function fastNameConstraints(value: Uint8Array): pkijs.NameConstraints | undefined {
  const items = sequenceItems(value);
  if (items === undefined || items.length === 0 || items.length > 2) return undefined;
  const lists: Partial<Record<0 | 1, pkijs.GeneralSubtree[]>> = {};
  let next = 0;
  for (const item of items) {
    const tag = item.idBlock.tagNumber;
    if (item.idBlock.tagClass !== 3 || tag < next || tag > 1) return undefined;
    if (!(item instanceof asn1js.Constructed)) return undefined;
    const subtrees = allOf(item.valueBlock.value, (subtree) => {
      if (!(subtree instanceof asn1js.Sequence) || subtree.valueBlock.value.length !== 1)
        return undefined;
      const [base] = subtree.valueBlock.value;
      const name = base === undefined ? undefined : fastGeneralName(base);
      return name === undefined ? undefined : new pkijs.GeneralSubtree({ base: name });
    });
    if (subtrees === undefined) return undefined;
    lists[tag === 0 ? 0 : 1] = subtrees;
    next = tag + 1;
  }
  return new pkijs.NameConstraints({
    ...(lists[0] === undefined ? {} : { permittedSubtrees: lists[0] }),
    ...(lists[1] === undefined ? {} : { excludedSubtrees: lists[1] }),
  });
}

/** Extensions with a fast decoder; the others are decoded by pkijs on first use. */
const FAST_EXTENSION_DECODERS: Readonly<Record<string, (value: Uint8Array) => unknown>> = {
  [OID.subjectAltName]: fastAltName,
  [OID.issuerAltName]: fastAltName,
  [OID.nameConstraints]: fastNameConstraints,
};

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

function jsonName(attributes: readonly NameInput[]): x509.JsonNameParams {
  return attributes.map((a) => {
    // As OpenSSL does by default: PrintableString for country, IA5String for email, UTF8 else.
    if (a.oid === OID.countryName) return { [a.oid]: [{ printableString: a.value }] };
    if (a.oid === OID.emailAddress) return { [a.oid]: [{ ia5String: a.value }] };
    return { [a.oid]: [{ utf8String: a.value }] };
  });
}

/** The WebCrypto algorithm that signs with `key`: SHA-256 for RSA and P-256, SHA-384 for P-384. */
export function signingAlgorithm(key: KeyObject): {
  name: string;
  hash?: string;
  namedCurve?: string;
} {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVE_NAMES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'P-256';
    return {
      name: 'ECDSA',
      namedCurve: curve,
      hash: curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512',
    };
  }
  if (key.asymmetricKeyType === 'ed25519') return { name: 'Ed25519' };
  throw new CertkitError(
    'INVALID_OPTION',
    `cannot sign with a ${key.asymmetricKeyType ?? 'unknown'} key`,
  );
}

async function toCryptoKey(key: KeyObject, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  const algorithm = signingAlgorithm(key);
  const importAlgorithm =
    algorithm.name === 'ECDSA' ? { name: 'ECDSA', namedCurve: algorithm.namedCurve } : algorithm;
  const der = key.export({ format: 'der', type: usage === 'sign' ? 'pkcs8' : 'spki' });
  return await webcrypto().subtle.importKey(
    usage === 'sign' ? 'pkcs8' : 'spki',
    der,
    importAlgorithm,
    true,
    [usage],
  );
}

/**
 * Builds and signs a certificate from a template; returns its DER.
 *
 * @example
 * ```ts
 * const der = await signCertificate({ subject, issuer: subject, serialNumber, notBefore, notAfter,
 *   publicKey, signingKey: privateKey, issuerPublicKey: publicKey,
 *   basicConstraints: { ca: false }, keyUsage: ['digitalSignature'], extendedKeyUsage: [OID.clientAuth] });
 * ```
 */
export async function signCertificate(template: CertificateTemplate): Promise<Uint8Array> {
  const crypto = webcrypto() as unknown as Crypto;
  const publicKey = await toCryptoKey(template.publicKey, 'verify');
  const issuerPublicKey =
    template.issuerPublicKey === template.publicKey
      ? publicKey
      : await toCryptoKey(template.issuerPublicKey, 'verify');
  const signingKey = await toCryptoKey(template.signingKey, 'sign');
  let usage = 0;
  for (const name of template.keyUsage) usage |= x509.KeyUsageFlags[name];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(
      template.basicConstraints.ca,
      template.basicConstraints.pathLength,
      true,
    ),
    // The flags combine bitwise; the enum type cannot express a combination.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    new x509.KeyUsagesExtension(usage, true),
  ];
  if (template.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension([...template.extendedKeyUsage], false));
  }
  const altNames: x509.JsonGeneralNames = [
    ...(template.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(template.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0)
    extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto));
  extensions.push(
    template.authorityKeyIdentifier === undefined
      ? await x509.AuthorityKeyIdentifierExtension.create(issuerPublicKey, false, crypto)
      : new x509.AuthorityKeyIdentifierExtension(
          Buffer.from(template.authorityKeyIdentifier).toString('hex'),
          false,
        ),
  );
  const { hash, name } = signingAlgorithm(template.signingKey);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: template.serialNumber,
      subject:
        template.subjectNameDer === undefined
          ? new x509.Name(jsonName(template.subject))
          : new x509.Name(new Uint8Array(template.subjectNameDer)),
      issuer:
        template.issuerNameDer === undefined
          ? new x509.Name(jsonName(template.issuer))
          : new x509.Name(new Uint8Array(template.issuerNameDer)),
      notBefore: template.notBefore,
      notAfter: template.notAfter,
      publicKey,
      signingKey,
      extensions,
      signingAlgorithm: hash === undefined ? { name } : { name, hash },
    },
    crypto,
  );
  return new Uint8Array(cert.rawData);
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

/** What {@link signCertificationRequest} needs: plain data and Node key objects. */
export interface CertificationRequestTemplate {
  readonly subject: readonly NameInput[];
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** keyUsage bits to request; none when absent or empty. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** EKU OIDs to request; none when absent or empty. */
  readonly extendedKeyUsage?: readonly string[];
}

/**
 * Builds and signs a PKCS#10 certification request (RFC 2986); returns its DER. The names and
 * usages go into an extensionRequest attribute (RFC 2985 section 5.4.2), where CAs and
 * `openssl x509 -req -copy_extensions` look for them.
 *
 * @example
 * ```ts
 * const der = await signCertificationRequest({ subject: [{ oid: OID.commonName, value: 'cluster.local' }],
 *   publicKey, signingKey: privateKey, dnsNames: ['cluster.local', '*.cluster.local'] });
 * ```
 */
export async function signCertificationRequest(
  template: CertificationRequestTemplate,
): Promise<Uint8Array> {
  const crypto = webcrypto() as unknown as Crypto;
  const publicKey = await toCryptoKey(template.publicKey, 'verify');
  const privateKey = await toCryptoKey(template.signingKey, 'sign');
  const extensions: x509.Extension[] = [];
  const altNames: x509.JsonGeneralNames = [
    ...(template.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(template.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0)
    extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));
  if (template.keyUsage !== undefined && template.keyUsage.length > 0) {
    let usage = 0;
    for (const name of template.keyUsage) usage |= x509.KeyUsageFlags[name];
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    extensions.push(new x509.KeyUsagesExtension(usage, true));
  }
  if (template.extendedKeyUsage !== undefined && template.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension([...template.extendedKeyUsage], false));
  }
  const { hash, name } = signingAlgorithm(template.signingKey);
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: new x509.Name(jsonName(template.subject)),
      keys: { publicKey, privateKey },
      extensions,
      signingAlgorithm: hash === undefined ? { name } : { name, hash },
    },
    crypto,
  );
  return new Uint8Array(request.rawData);
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

/**
 * Parses a DER PKCS#10 request and checks its self-signature with node:crypto (OpenSSL).
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a certification request
 *
 * @example
 * ```ts
 * const info = parseCertificationRequest(block.der, 'proxy.csr');
 * console.log(info.subject, info.subjectAltNames.dns, info.signatureValid);
 * ```
 */
export function parseCertificationRequest(
  der: Uint8Array,
  source: string,
): CertificationRequestInfo {
  let request: pkijs.CertificationRequest;
  try {
    const ber = asn1js.fromBER(der);
    if (ber.offset === -1) throw new Error(ber.result.error);
    request = new pkijs.CertificationRequest({ schema: ber.result });
  } catch (error) {
    throw new CertkitError(
      'DER_INVALID',
      `cannot read the certificate request in ${source}: not a valid PKCS#10 request`,
      { cause: error },
    );
  }
  const spkiDer = viewOf(request.subjectPublicKeyInfo.toSchema().toBER(false));
  let publicKey: KeyObject | null;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch {
    publicKey = null; // an algorithm OpenSSL does not know: key 'unknown', signature unchecked
  }
  const signatureOid = request.signatureAlgorithm.algorithmId;
  const signatureValid =
    publicKey !== null &&
    verifySignedData(
      signatureOid,
      request.tbsView,
      publicKey,
      request.signatureValue.valueBlock.valueHexView,
    );
  const extensionRequest = (request.attributes ?? []).find(
    (a) => a.type === '1.2.840.113549.1.9.14',
  );
  let extensions: pkijs.Extension[] = [];
  const first: unknown = extensionRequest?.values[0];
  if (first !== undefined) {
    try {
      extensions = new pkijs.Extensions({ schema: first as asn1js.Sequence }).extensions;
    } catch (error) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read the requested extensions in ${source}: malformed extensionRequest`,
        { cause: error },
      );
    }
  }
  const byOid = (oid: string): unknown =>
    extensions.find((e) => e.extnID === oid)?.parsedValue as unknown;
  const ku = byOid(OID.keyUsage);
  let keyUsage: KeyUsageName[] | null = null;
  if (ku instanceof asn1js.BitString) {
    const bits = ku.valueBlock.valueHexView;
    keyUsage = KEY_USAGE_NAMES.filter((_, i) => (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1);
  }
  const eku = byOid(OID.extKeyUsage);
  const subjectAttributes = nameAttributes(request.subject);
  const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase();
  return {
    subject: formatName(subjectAttributes),
    subjectAttributes,
    key: keyInfo(publicKey),
    signatureAlgorithm: SIGNATURE_NAMES[signatureOid] ?? signatureOid,
    signatureValid,
    subjectAltNames: generalNames(byOid(OID.subjectAltName)),
    keyUsage,
    extendedKeyUsage:
      eku instanceof pkijs.ExtKeyUsage ? eku.keyPurposes.map((oid) => EKU_NAMES[oid] ?? oid) : null,
    extensions: extensions.map((e) => ({
      oid: e.extnID,
      name: EXTENSION_NAMES[e.extnID] ?? e.extnID,
      critical: e.critical,
    })),
    fingerprintSha256: fingerprint.replace(/(..)(?!$)/g, '$1:'),
  };
}
