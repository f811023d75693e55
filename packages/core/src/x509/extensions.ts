/**
 * Extensions and structures of a certificate as plain data, for the judges: the subjectAltName
 * entries (general-names.ts decodes them), extended key usage and the authority key identifier
 * (extension-values.ts), authority information access, name constraints, each extension's
 * malformed flag, and the structural facts path validation checks (version, serial, the two
 * signature algorithm fields, the EC key's parameters). subjectAltName, keyUsage,
 * basicConstraints, extendedKeyUsage and the key identifiers are read by certkit's own decoders;
 * the rest by pkijs (structures.ts). What cannot be decoded is reported as `malformed`, never
 * thrown.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../asn1/oids.js';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readExtendedKeyUsage,
  readKeyUsage,
  readSubjectKeyIdentifier,
} from './extension-values.js';
import type { AuthorityKeyIdentifierReading, ExtendedKeyUsageReading } from './extension-values.js';
import { readGeneralNames, UNREADABLE } from './general-names.js';
import type { GeneralNamesReading } from './general-names.js';
import type { DirectoryAttribute, GeneralNamesEntries } from './general-names.js';

export type { DirectoryAttribute } from './general-names.js';
import { internals } from './pkix.js';
import type { Certificate } from './pkix.js';
import { decodedExtensions, pkijsCertificate } from './structures.js';

/** The attributes of a pkijs name, in order. */
function directoryAttributes(name: pkijs.RelativeDistinguishedNames): DirectoryAttribute[] {
  return name.typesAndValues.map((tv) => {
    const v = tv.value as { valueBlock?: { value?: unknown } };
    return {
      oid: tv.type,
      value: typeof v.valueBlock?.value === 'string' ? v.valueBlock.value : '',
    };
  });
}

/** The subject of a certificate as a directory name (for directoryName name constraints). */
export function subjectDirectoryName(certificate: Certificate): DirectoryAttribute[] {
  // names.ts' reading (CertificateInfo), the one Name decoder: type OID and value text.
  return certificate.info.subjectAttributes.map(({ oid, value }) => ({ oid, value }));
}

function parsedOk(value: unknown): boolean {
  return (
    value !== null && value !== undefined && !(typeof value === 'object' && 'parsingError' in value)
  );
}

/** The value of the first extension `oid`, undefined when absent. */
function rawValue(certificate: Certificate, oid: string): Uint8Array | undefined {
  return internals(certificate).extensions.find((e) => e.oid === oid)?.value;
}

function extension(certificate: Certificate, oid: string) {
  return decodedExtensions(certificate).find((e) => e.oid === oid);
}

/** The subjectAltName entries of a certificate, decoded; `malformed` when it cannot be read. */
export interface SubjectAltNames extends GeneralNamesEntries {
  readonly present: boolean;
  readonly critical: boolean;
  /** The value does not decode as GeneralNames, or holds no name (RFC 5280 section 4.2.1.6:
   * "at least one entry"); every list is then empty. */
  readonly malformed: boolean;
  /** The entries as framed, unchecked ({@link GeneralNamesReading.frames}). */
  readonly frames: GeneralNamesReading['frames'];
  /** A text entry in constructed (BER) form was read ({@link GeneralNamesReading.berForms}). */
  readonly berForms: boolean;
}

/** Decodes the subjectAltName extension of a certificate (RFC 5280 section 4.2.1.6) with the
 * one GeneralNames decoder (general-names.ts). */
export function subjectAltNames(certificate: Certificate): SubjectAltNames {
  const extension = internals(certificate).extensions.find((e) => e.oid === OID.subjectAltName);
  if (extension === undefined) {
    return { ...UNREADABLE, present: false, critical: false, malformed: false };
  }
  const reading = readGeneralNames(extension.value);
  const empty =
    reading.dns.length +
      reading.ip.length +
      reading.email.length +
      reading.uri.length +
      reading.directoryNames.length +
      reading.otherForms.length ===
    0;
  return {
    ...(empty ? { ...UNREADABLE, frames: reading.frames } : reading),
    present: true,
    critical: extension.critical,
    malformed: reading.malformed || empty,
  };
}

/** Extensions pkijs decodes; a value it cannot decode is a malformed certificate (as is one
 * certkit's own decoders call malformed, {@link OWN_DECODERS}). */
const DECODED_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.nameConstraints,
  OID.policyConstraints,
  OID.authorityInfoAccess,
  OID.certificatePolicies,
  OID.crlDistributionPoints,
]);

/** Extensions decoded by certkit's DER reader, each by its one decoder. */
const OWN_DECODERS: Readonly<Record<string, (value: Uint8Array) => { malformed: boolean }>> = {
  [OID.subjectAltName]: readGeneralNames,
  [OID.extKeyUsage]: readExtendedKeyUsage,
  [OID.keyUsage]: readKeyUsage,
  [OID.basicConstraints]: readBasicConstraints,
  [OID.subjectKeyIdentifier]: readSubjectKeyIdentifier,
  [OID.authorityKeyIdentifier]: readAuthorityKeyIdentifier,
};

/** An extension as path validation sees it. */
export interface ExtensionView {
  readonly oid: string;
  readonly critical: boolean;
  /** The extension is of a type certkit decodes, and its value cannot be decoded. */
  readonly malformed: boolean;
}

/** The extensions of a certificate, in order, repeats included. */
export function extensionViews(certificate: Certificate): ExtensionView[] {
  return decodedExtensions(certificate).map((e) => ({
    oid: e.oid,
    critical: e.critical,
    // Only the types decoded at all are tried: reading `parsed` decodes the value.
    malformed:
      OWN_DECODERS[e.oid]?.(e.value).malformed ??
      (DECODED_EXTENSIONS.has(e.oid) && !parsedOk(e.parsed)),
  }));
}

/** Whether the extension `oid` (the first one) is marked critical; undefined when absent. */
export function extensionCritical(certificate: Certificate, oid: string): boolean | undefined {
  return extension(certificate, oid)?.critical;
}

/** Structural facts of a certificate (RFC 5280 sections 4.1.1.2, 4.1.2.1, 4.1.2.2). */
export interface CertificateStructure {
  /** The version field as encoded: 0 for v1, 2 for v3. */
  readonly version: number;
  /** The serial number's content octets. */
  readonly serial: Uint8Array;
  /** signatureAlgorithm equals the TBS's signature field, byte for byte. */
  readonly signatureAlgorithmsMatch: boolean;
  /** The key is EC with a named curve (not explicit curve parameters); false for other keys. */
  readonly namedCurve: boolean;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/**
 * The structural facts of a certificate.
 *
 * @throws {@link CertkitError} `CERTIFICATE_INVALID` when pkijs cannot read what pkix.ts could
 */
export function certificateStructure(certificate: Certificate): CertificateStructure {
  const cert = pkijsCertificate(certificate);
  const outer = new Uint8Array(cert.signatureAlgorithm.toSchema().toBER(false));
  const inner = new Uint8Array(cert.signature.toSchema().toBER(false));
  return {
    version: cert.version,
    serial: cert.serialNumber.valueBlock.valueHexView,
    signatureAlgorithmsMatch: bytesEqual(outer, inner),
    namedCurve:
      cert.subjectPublicKeyInfo.algorithm.algorithmParams instanceof asn1js.ObjectIdentifier,
  };
}

/**
 * The number of access descriptions of authorityInfoAccess (RFC 5280 section 4.2.2.1), or null
 * when the extension is absent or cannot be decoded.
 */
export function accessDescriptionCount(certificate: Certificate): number | null {
  const aia = extension(certificate, OID.authorityInfoAccess)?.parsed;
  return aia instanceof pkijs.InfoAccess ? aia.accessDescriptions.length : null;
}

/**
 * The authority key identifier (RFC 5280 section 4.2.1.1), read by the one decoder
 * (extension-values.ts): undefined when the extension is absent.
 */
export function authorityKeyIdentifier(
  certificate: Certificate,
): AuthorityKeyIdentifierReading | undefined {
  const value = rawValue(certificate, OID.authorityKeyIdentifier);
  return value === undefined ? undefined : readAuthorityKeyIdentifier(value);
}

/**
 * The extended key usage of a certificate (RFC 5280 section 4.2.1.12), read by the one decoder
 * (extension-values.ts): null when the extension is absent.
 */
export function extendedKeyUsage(certificate: Certificate): ExtendedKeyUsageReading | null {
  const value = rawValue(certificate, OID.extKeyUsage);
  return value === undefined ? null : readExtendedKeyUsage(value);
}

/**
 * A GeneralName (RFC 5280 section 4.2.1.6) as plain data: its form (the CHOICE tag) and the
 * value of the forms certkit reads. A value of the wrong type for its form is left out.
 */
export interface GeneralNameView {
  /** 1 rfc822Name, 2 dNSName, 4 directoryName, 6 URI, 7 iPAddress; others as tagged. */
  readonly form: number;
  /** rfc822Name, dNSName, URI: the IA5String text. */
  readonly text?: string;
  /** iPAddress: the octets. */
  readonly octets?: Uint8Array;
  /** directoryName: the attributes. */
  readonly directoryName?: readonly DirectoryAttribute[];
}

function generalNameView(name: pkijs.GeneralName): GeneralNameView {
  const { type, value } = name as { type: number; value: unknown };
  if ((type === 1 || type === 2 || type === 6) && typeof value === 'string')
    return { form: type, text: value };
  if (type === 7 && value instanceof asn1js.OctetString)
    return { form: type, octets: value.valueBlock.valueHexView };
  if (type === 4 && value instanceof pkijs.RelativeDistinguishedNames)
    return { form: type, directoryName: directoryAttributes(value) };
  return { form: type };
}

/** nameConstraints (RFC 5280 section 4.2.1.10): the bases of each list, as given. */
export interface NameConstraintsView {
  /** permittedSubtrees; undefined when absent. */
  readonly permitted?: readonly GeneralNameView[];
  /** excludedSubtrees; undefined when absent. */
  readonly excluded?: readonly GeneralNameView[];
}

/**
 * The name constraints of a certificate: undefined when absent, `malformed` when they cannot be
 * decoded.
 */
export function nameConstraints(
  certificate: Certificate,
): NameConstraintsView | 'malformed' | undefined {
  const e = extension(certificate, OID.nameConstraints);
  if (e === undefined) return undefined;
  const nc = e.parsed;
  if (!(nc instanceof pkijs.NameConstraints) || !parsedOk(nc)) return 'malformed';
  return {
    ...(nc.permittedSubtrees === undefined
      ? {}
      : { permitted: nc.permittedSubtrees.map((s) => generalNameView(s.base)) }),
    ...(nc.excludedSubtrees === undefined
      ? {}
      : { excluded: nc.excludedSubtrees.map((s) => generalNameView(s.base)) }),
  };
}
