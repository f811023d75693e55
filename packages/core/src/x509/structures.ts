/**
 * pkijs' typed view of certificates, for the code that needs every structure: path validation
 * (name constraints, policies, each extension's syntax), CRLs, and PKCS#10 requests
 * (subjectAltName is read by general-names.ts). Built on first use per certificate and kept
 * while the certificate lives: reading a trust bundle never builds it (pkix.ts reads the fields
 * of {@link CertificateInfo} with its own DER reader).
 */
import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { checkDecodingBounds } from '../asn1/der-bounds.js';
import { CertkitError } from '../errors.js';
import { certificateReadError, fingerprintSha256, internals } from './pkix.js';
import { EXTENSION_NAMES, OID, SIGNATURE_NAMES } from '../asn1/oids.js';
import { extendedKeyUsageOf, keyUsageOf } from './extension-values.js';
import { subjectAltNamesSummary } from './general-names.js';
import { formatName, readNameAttributes } from './names.js';
import { describeLabel, parsePemBlocks } from './pem.js';
import { describePublicKey, loadPublicKey } from './public-key.js';
import { verifySignedData } from './sign.js';
import type { KeyUsageName } from '../asn1/oids.js';
import type { NameAttribute } from './names.js';
import type { KeyInfo } from './public-key.js';
import type { Certificate, CertificateInfo, ExtensionInfo, RawExtension } from './pkix.js';

/** An extension with its value decoded by pkijs (or the fast decoders below) on first use. */
export interface DecodedExtension extends RawExtension {
  /** pkijs' object for the extension, an asn1js value for types pkijs has no class for. */
  readonly parsed: unknown;
}

interface Structures {
  readonly certificate: pkijs.Certificate;
  readonly extensions: readonly DecodedExtension[];
}

const structuresOf = new WeakMap<Certificate, Structures>();

function structures(certificate: Certificate): Structures {
  const found = structuresOf.get(certificate);
  if (found !== undefined) return found;
  let cert: pkijs.Certificate;
  try {
    // parseEmbedded: false stops asn1js from speculatively decoding the content of every OCTET
    // STRING and BIT STRING as BER (extension values, the public key, the signature): nothing
    // reads that tree, and for a certificate with thousands of names it was most of the parse
    // (x509-limbo nc-dos-*).
    const ber = asn1js.fromBER(certificate.der, { parseEmbedded: false });
    if (ber.offset === -1) throw new Error(ber.result.error);
    cert = new pkijs.Certificate({ schema: ber.result });
  } catch (error) {
    throw certificateReadError(certificate.source, error);
  }
  const extensions = internals(certificate).extensions.map((e, i) => {
    let decoded = false;
    const own = cert.extensions?.[i];
    return {
      oid: e.oid,
      critical: e.critical,
      value: e.value,
      get parsed(): unknown {
        if (own === undefined) return undefined;
        if (!decoded) {
          decoded = true;
          const fast = FAST_EXTENSION_DECODERS[e.oid]?.(e.value);
          if (fast !== undefined) own.parsedValue = fast;
        }
        return own.parsedValue as unknown;
      },
    };
  });
  const made = { certificate: cert, extensions };
  structuresOf.set(certificate, made);
  return made;
}

/**
 * pkijs' Certificate for `certificate`, built on first use.
 *
 * @throws {@link CertkitError} `CERTIFICATE_INVALID` when pkijs cannot read what pkix.ts could
 */
export function pkijsCertificate(certificate: Certificate): pkijs.Certificate {
  return structures(certificate).certificate;
}

/** The certificate's extensions, each value decoded on first use of `parsed`. */
export function decodedExtensions(certificate: Certificate): readonly DecodedExtension[] {
  return structures(certificate).extensions;
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
  [OID.nameConstraints]: fastNameConstraints,
};

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

/**
 * The DER of the one certificate request in a file's bytes: a PEM `CERTIFICATE REQUEST` (or
 * `NEW CERTIFICATE REQUEST`) block, or the DER itself.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` when the input holds something else (a
 * certificate, a key) or more than one request; the errors of `parsePemBlocks` for bad framing
 */
export function certificationRequestDer(bytes: Uint8Array, source: string): Uint8Array {
  const blocks = parsePemBlocks(bytes, source);
  const requests = blocks.filter(
    (b) =>
      b.label === null ||
      b.label === 'CERTIFICATE REQUEST' ||
      b.label === 'NEW CERTIFICATE REQUEST',
  );
  const [first] = blocks;
  if (requests.length === 0 || first === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} holds ${first === undefined ? 'nothing' : describeLabel(first.label)}, not a certificate request`,
    );
  }
  if (requests.length > 1) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} holds ${String(requests.length)} certificate requests; sign one at a time`,
    );
  }
  return (requests[0] ?? first).der;
}

/**
 * Parses a PKCS#10 certificate request, PEM or DER (the bytes of a `.csr` file), and checks its
 * self-signature with node:crypto (OpenSSL).
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a certification request;
 * `INVALID_OPTION` when the input holds something else (a certificate, a key) or more than one
 * request
 *
 * @example
 * ```ts
 * const info = parseCertificationRequest(readFileSync('proxy.csr'), 'proxy.csr');
 * console.log(info.subject, info.subjectAltNames.dns, info.signatureValid);
 * ```
 */
export function parseCertificationRequest(
  bytes: Uint8Array,
  source: string,
): CertificationRequestInfo {
  return readCertificationRequest(certificationRequestDer(bytes, source), source).info;
}

/** A PKCS#10 request as a CA needs it: what it says, and the bytes it certifies. */
export interface CertificationRequest {
  readonly info: CertificationRequestInfo;
  /** The subject Name exactly as encoded in the request (copied into the certificate). */
  readonly subjectDer: Uint8Array;
  /** The requested public key; null for an algorithm OpenSSL does not know. */
  readonly publicKey: KeyObject | null;
}

/**
 * Parses a DER PKCS#10 request for signing: {@link parseCertificationRequest}'s description, the
 * subject's encoding and the public key.
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a certification request
 */
export function readCertificationRequest(der: Uint8Array, source: string): CertificationRequest {
  let request: pkijs.CertificationRequest;
  let extensions: pkijs.Extension[] = [];
  try {
    checkDecodingBounds(der);
  } catch (error) {
    throw new CertkitError(
      'DER_INVALID',
      `cannot read the certificate request in ${source}: ${error instanceof Error ? error.message : 'invalid DER'}`,
      { cause: error },
    );
  }
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
  const extensionRequest = (request.attributes ?? []).find(
    (a) => a.type === '1.2.840.113549.1.9.14',
  );
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
  // null for an algorithm OpenSSL does not know: key 'unknown', signature unchecked.
  const publicKey = loadPublicKey(
    new Uint8Array(request.subjectPublicKeyInfo.toSchema().toBER(false)),
  );
  const signatureOid = request.signatureAlgorithm.algorithmId;
  const signatureValid =
    publicKey !== null &&
    verifySignedData(
      signatureOid,
      request.tbsView,
      publicKey,
      request.signatureValue.valueBlock.valueHexView,
    );
  const valueOf = (oid: string): Uint8Array | undefined =>
    extensions.find((e) => e.extnID === oid)?.extnValue.valueBlock.valueHexView;
  const subjectDer = new Uint8Array(request.subject.valueBeforeDecode);
  const subjectAttributes = readNameAttributes(subjectDer);
  const info: CertificationRequestInfo = {
    subject: formatName(subjectAttributes),
    subjectAttributes,
    key: describePublicKey(publicKey),
    signatureAlgorithm: SIGNATURE_NAMES[signatureOid] ?? signatureOid,
    signatureValid,
    subjectAltNames: subjectAltNamesSummary(valueOf(OID.subjectAltName)),
    keyUsage: keyUsageOf(valueOf(OID.keyUsage)),
    extendedKeyUsage: extendedKeyUsageOf(valueOf(OID.extKeyUsage)),
    extensions: extensions.map((e) => ({
      oid: e.extnID,
      name: EXTENSION_NAMES[e.extnID] ?? e.extnID,
      critical: e.critical,
    })),
    fingerprintSha256: fingerprintSha256(der),
  };
  return { info, subjectDer, publicKey };
}
