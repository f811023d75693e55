/**
 * The extension values a certificate's summary ({@link CertificateInfo}) shows, decoded with the
 * DER reader: basicConstraints, keyUsage, extendedKeyUsage and the key identifiers
 * (subjectAltName: general-names.ts). extendedKeyUsage's reading is the only one: path
 * validation reads it too (extensions.ts); for the others, path validation's malformed flag
 * still comes from pkijs (structures.ts).
 */
import * as der from '../asn1/der.js';
import type { DerElement } from '../asn1/der.js';
import { EKU_NAMES, KEY_USAGE_NAMES } from '../asn1/oids.js';
import type { KeyUsageName } from '../asn1/oids.js';
import type { CertificateInfo } from './pkix.js';

/** Bytes as lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/*
 * Extension values for CertificateInfo, read as pkijs read them where the value is well formed
 * (test/core/certificate-reading proves it on every certificate of fixtures/ and x509-limbo and
 * on thousands of mutants). For basicConstraints, keyUsage and the key identifiers, a value that
 * does not decode at all reads as absent and one that decodes but does not fit its syntax as
 * pkijs' empty object (basicConstraints `{ ca: false }`, no names); extendedKeyUsage reads
 * either as `[]` (test/core/extension-decoders checks it against OpenSSL). Path validation
 * reports them as EXTENSION_MALFORMED.
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
export function basicConstraintsOf(
  value: Uint8Array | undefined,
): CertificateInfo['basicConstraints'] {
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

/** subjectKeyIdentifier (RFC 5280 section 4.2.1.2) as lower-case hex. */
export function subjectKeyIdentifierOf(value: Uint8Array | undefined): string | undefined {
  const element = valueElement(value);
  return element !== undefined &&
    der.isUniversal(element, der.TAG.octetString) &&
    !element.constructed
    ? hex(element.content)
    : undefined;
}

/** authorityKeyIdentifier's keyIdentifier [0] (RFC 5280 section 4.2.1.1) as lower-case hex. */
export function authorityKeyIdentifierOf(value: Uint8Array | undefined): string | undefined {
  const element = valueElement(value);
  const first = element === undefined ? undefined : sequenceItems(element)?.[0];
  return first !== undefined && der.isContext(first, 0) && !first.constructed
    ? hex(first.content)
    : undefined;
}
