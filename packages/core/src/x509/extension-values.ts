/**
 * The extension values a certificate's summary ({@link CertificateInfo}) shows, decoded with the
 * DER reader: basicConstraints, keyUsage, extendedKeyUsage and the key identifiers
 * (subjectAltName: general-names.ts). Each reading here is the only one of its
 * extension: path validation reads it too (extensions.ts).
 */
import * as der from '../asn1/der.js';
import * as writer from '../asn1/der-writer.js';
import type { DerElement } from '../asn1/der.js';
import { EKU_NAMES, KEY_USAGE_NAMES } from '../asn1/oids.js';
import type { KeyUsageName } from '../asn1/oids.js';
import { readGeneralNames } from './general-names.js';
import type { CertificateInfo } from './pkix.js';

/** Bytes as lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/*
 * Extension values for CertificateInfo, read as pkijs read them where the value is well formed
 * (test/core/certificate-reading proves it on every certificate of fixtures/ and x509-limbo and
 * on thousands of mutants). Each is malformed where OpenSSL marks it invalid
 * (test/core/extension-decoders, ca-extension-decoders), and then reads as `{ ca: false }`, no
 * bit, no purpose, no identifier.
 * Path validation reports a malformed value as EXTENSION_MALFORMED.
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

/** basicConstraints as read. */
export interface BasicConstraintsReading {
  /** `{ ca: false }` when malformed. */
  readonly value: { readonly ca: boolean; readonly pathLength?: number };
  /** The value is not `SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX)
   * OPTIONAL }` as OpenSSL reads it. */
  readonly malformed: boolean;
}

const BC_MALFORMED: BasicConstraintsReading = Object.freeze({
  value: Object.freeze({ ca: false }),
  malformed: true,
});

/** An INTEGER's content as OpenSSL's c2i reads it: not empty, no padding octet (X.690 8.3.2). */
function integerWellFormed(element: DerElement): boolean {
  const [first, second] = element.content;
  if (first === undefined) return false;
  if (second === undefined) return true;
  return !((first === 0 && second < 0x80) || (first === 0xff && second >= 0x80));
}

/**
 * basicConstraints (RFC 5280 section 4.2.1.9), the one decoder of it: the summary and path
 * validation's malformed flag read this. Malformed as OpenSSL reads it (an extension it marks
 * invalid): not a constructed SEQUENCE of an optional primitive one-octet BOOLEAN then an optional
 * primitive INTEGER; an INTEGER that is empty, padded or negative. A pathLenConstraint over 2^31
 * is read as no limit (OpenSSL's too is unlimited for it).
 */
export function readBasicConstraints(value: Uint8Array): BasicConstraintsReading {
  const element = valueElement(value);
  const items = element === undefined ? null : sequenceItems(element);
  if (items === null) return BC_MALFORMED;
  let at = 0;
  let ca = false;
  let pathLength: number | undefined;
  const first = items[at];
  if (first !== undefined && der.isUniversal(first, der.TAG.boolean)) {
    if (first.constructed || first.length !== 1) return BC_MALFORMED;
    ca = der.decodeBoolean(first);
    at++;
  }
  const second = items[at];
  if (second !== undefined && der.isUniversal(second, der.TAG.integer)) {
    if (second.constructed || !integerWellFormed(second)) return BC_MALFORMED;
    if (((second.firstByte ?? 0) & 0x80) !== 0) return BC_MALFORMED; // negative
    try {
      pathLength = der.decodeSmallInteger(second);
    } catch {
      pathLength = undefined;
    }
    at++;
  }
  if (at !== items.length) return BC_MALFORMED;
  return { value: pathLength === undefined ? { ca } : { ca, pathLength }, malformed: false };
}

/** basicConstraints for the summary: null when absent, `{ ca: false }` when malformed. */
export function basicConstraintsOf(
  value: Uint8Array | undefined,
): CertificateInfo['basicConstraints'] {
  return value === undefined ? null : readBasicConstraints(value).value;
}

/** keyUsage as read: the names of the bits set. */
export interface KeyUsageReading {
  /** Empty when malformed. */
  readonly names: readonly KeyUsageName[];
  /** The value is not a primitive BIT STRING as OpenSSL reads one. */
  readonly malformed: boolean;
}

const KU_MALFORMED: KeyUsageReading = Object.freeze({ names: Object.freeze([]), malformed: true });

/**
 * keyUsage (RFC 5280 section 4.2.1.3), the one decoder of it: the summary and path validation's
 * malformed flag read this. Malformed as OpenSSL reads it (an extension it marks invalid):
 * anything but a primitive BIT STRING with its unused-bits octet (at most 7), and one with no bit
 * set ("at least one of the bits MUST be set to 1").
 */
export function readKeyUsage(value: Uint8Array): KeyUsageReading {
  const element = valueElement(value);
  if (element === undefined || element.constructed) return KU_MALFORMED;
  let bits: Uint8Array;
  try {
    bits = der.bitStringBits(element, 'keyUsage');
  } catch {
    return KU_MALFORMED;
  }
  // Bits in the unused part of the last octet are not set (DER wants them zero; OpenSSL masks
  // them off, c2i_ASN1_BIT_STRING).
  const used = bits.length * 8 - (element.firstByte ?? 0);
  const names = KEY_USAGE_NAMES.filter(
    (_, i) => i < used && (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1,
  );
  return names.length === 0 ? KU_MALFORMED : { names, malformed: false };
}

/** keyUsage for the summary: null when absent, no names when malformed. */
export function keyUsageOf(value: Uint8Array | undefined): KeyUsageName[] | null {
  return value === undefined ? null : [...readKeyUsage(value).names];
}

/** extendedKeyUsage as read: the purposes' OIDs, in order. */
export interface ExtendedKeyUsageReading {
  readonly oids: readonly string[];
  /** The value is not `SEQUENCE SIZE (1..MAX) OF KeyPurposeId` in DER; `oids` is then empty. */
  readonly malformed: boolean;
}

const EKU_MALFORMED: ExtendedKeyUsageReading = Object.freeze({
  oids: Object.freeze([]),
  malformed: true,
});

/**
 * extKeyUsage (RFC 5280 section 4.2.1.12), the one decoder of it (the summary and path validation
 * read this): a SEQUENCE of OBJECT IDENTIFIERs, bytes after it ignored (as OpenSSL ignores
 * them). Malformed as OpenSSL reads it (an extension it marks invalid): anything but a
 * constructed SEQUENCE of primitive OIDs, an OID with a padded arc. An empty list decodes in
 * OpenSSL (and then allows no purpose); it is malformed here as the syntax's SIZE (1..MAX) says.
 */
export function readExtendedKeyUsage(value: Uint8Array): ExtendedKeyUsageReading {
  const element = valueElement(value);
  const items = element === undefined ? null : sequenceItems(element);
  if (items === null || items.length === 0) return EKU_MALFORMED;
  const oids: string[] = [];
  for (const item of items) {
    if (!der.isUniversal(item, der.TAG.oid) || item.constructed || der.hasPaddedArc(item.content))
      return EKU_MALFORMED;
    try {
      oids.push(der.decodeOid(item.content));
    } catch {
      return EKU_MALFORMED;
    }
  }
  return { oids, malformed: false };
}

/** extKeyUsage for the summary: purpose names or OIDs; null when absent, empty when malformed. */
export function extendedKeyUsageOf(value: Uint8Array | undefined): string[] | null {
  if (value === undefined) return null;
  return readExtendedKeyUsage(value).oids.map((oid) => EKU_NAMES[oid] ?? oid);
}

/** subjectKeyIdentifier as read. */
export interface SubjectKeyIdentifierReading {
  /** Lower-case hex; undefined when malformed. */
  readonly keyIdentifier?: string;
  /** The value is not a primitive OCTET STRING. */
  readonly malformed: boolean;
}

/**
 * subjectKeyIdentifier (RFC 5280 section 4.2.1.2), the one decoder of it: the summary and path
 * validation's malformed flag read this. `KeyIdentifier ::= OCTET STRING`, primitive (DER).
 */
export function readSubjectKeyIdentifier(value: Uint8Array): SubjectKeyIdentifierReading {
  const element = valueElement(value);
  return element !== undefined &&
    der.isUniversal(element, der.TAG.octetString) &&
    !element.constructed
    ? { keyIdentifier: hex(element.content), malformed: false }
    : { malformed: true };
}

/** subjectKeyIdentifier for the summary, lower-case hex; undefined when absent or malformed. */
export function subjectKeyIdentifierOf(value: Uint8Array | undefined): string | undefined {
  return value === undefined ? undefined : readSubjectKeyIdentifier(value).keyIdentifier;
}

/** authorityKeyIdentifier as read. */
export interface AuthorityKeyIdentifierReading {
  /** keyIdentifier [0], lower-case hex; undefined when absent or malformed. */
  readonly keyIdentifier?: string;
  readonly hasAuthorityCertIssuer: boolean;
  readonly hasAuthorityCertSerialNumber: boolean;
  /** The value is not the DER of `AuthorityKeyIdentifier` as OpenSSL reads it. */
  readonly malformed: boolean;
}

const AKI_MALFORMED: AuthorityKeyIdentifierReading = Object.freeze({
  hasAuthorityCertIssuer: false,
  hasAuthorityCertSerialNumber: false,
  malformed: true,
});

/**
 * authorityKeyIdentifier (RFC 5280 section 4.2.1.1), the one decoder of it: the summary and path
 * validation read this. `SEQUENCE { keyIdentifier [0] OCTET STRING OPTIONAL,
 * authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] INTEGER OPTIONAL }`
 * (implicit tags), in that order, each at most once; the GeneralNames by general-names.ts.
 */
export function readAuthorityKeyIdentifier(value: Uint8Array): AuthorityKeyIdentifierReading {
  const element = valueElement(value);
  const items = element === undefined ? null : sequenceItems(element);
  if (items === null) return AKI_MALFORMED;
  let next = 0;
  let keyIdentifier: string | undefined;
  let hasAuthorityCertIssuer = false;
  let hasAuthorityCertSerialNumber = false;
  for (const item of items) {
    if (item.cls !== der.CONTEXT || item.number < next || item.number > 2) return AKI_MALFORMED;
    next = item.number + 1;
    if (item.number === 0) {
      if (item.constructed) return AKI_MALFORMED;
      keyIdentifier = hex(item.content);
    } else if (item.number === 1) {
      if (!item.constructed) return AKI_MALFORMED;
      const names = der.childrenOf(item).map((name) => name.bytes);
      // An empty list decodes, as in OpenSSL (GeneralNames' SIZE (1..MAX) is not checked there).
      if (readGeneralNames(writer.sequence(...names)).malformed) return AKI_MALFORMED;
      hasAuthorityCertIssuer = true;
    } else {
      if (item.constructed || item.content.length === 0) return AKI_MALFORMED;
      hasAuthorityCertSerialNumber = true;
    }
  }
  return {
    ...(keyIdentifier === undefined ? {} : { keyIdentifier }),
    hasAuthorityCertIssuer,
    hasAuthorityCertSerialNumber,
    malformed: false,
  };
}

/** authorityKeyIdentifier's keyIdentifier for the summary; undefined when absent or malformed. */
export function authorityKeyIdentifierOf(value: Uint8Array | undefined): string | undefined {
  return value === undefined ? undefined : readAuthorityKeyIdentifier(value).keyIdentifier;
}
