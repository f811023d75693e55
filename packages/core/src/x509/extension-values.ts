/**
 * The extension values a certificate's summary ({@link CertificateInfo}) shows, decoded with the
 * DER reader: basicConstraints, keyUsage, extendedKeyUsage and the key identifiers
 * (subjectAltName: general-names.ts). extensions.ts is the full pkijs view path validation uses.
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
