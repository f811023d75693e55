/**
 * Certificates as plain data: `parseCertificate` reads one into {@link Certificate} /
 * {@link CertificateInfo}. Everything else in core sees these types, never a library's.
 *
 * The reader is certkit's own (asn1/der.ts) plus `node:crypto` (OpenSSL) for keys, hashes and
 * signatures, and loads no schema library: a trust bundle of thousands of certificates is where
 * reading speed shows (bench/RESULTS.md), and it needs no more than the fields read here. The
 * parts live beside it: the strict walk of the DER structure (certificate-fields.ts), names
 * (names.ts), extension values (extension-values.ts), public keys (public-key.ts); signing is
 * sign.ts. Where each dependency earns its place:
 * - `pkijs` + `asn1js` (structures.ts): the full typed structure of a certificate, built on first
 *   use for path validation (name constraints, policies, every extension's syntax), plus CRLs
 *   and certification requests.
 * - Certificates and PKCS#10 requests are written by the one DER writer (asn1/der-writer.ts) and
 *   signed by `node:crypto` (sign.ts). `@peculiar/x509` and `@peculiar/webcrypto` are test
 *   oracles only: they pulled a second asn1js (3.x, beside pkijs 4's asn1js 4) into the runtime
 *   for one job the writer already does.
 * - `node:crypto` generates keys (asynchronously, on the thread pool; see make/keys.ts), hashes,
 *   signs, and verifies signatures (OpenSSL speed, every algorithm OpenSSL knows).
 */
import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as der from '../asn1/der.js';
import { checkDecodingBounds } from '../asn1/der-bounds.js';
import { CertkitError } from '../errors.js';
import { EXTENSION_NAMES, OID, SIGNATURE_NAMES } from '../asn1/oids.js';
import type { KeyUsageName } from '../asn1/oids.js';
import {
  basicConstraintsOf,
  extendedKeyUsageOf,
  hex,
  keyUsageOf,
  subjectKeyIdentifierOf,
  authorityKeyIdentifierOf,
} from './extension-values.js';
import { subjectAltNamesSummary } from './general-names.js';
import { nameAttributesEqual, sharedNameAttributes, formattedName } from './names.js';
import type { NameAttribute } from './names.js';
import { certificateFields } from './certificate-fields.js';
import type { CertificateFields } from './certificate-fields.js';
import { loadPublicKey, sharedKeyInfo } from './public-key.js';
import type { KeyInfo } from './public-key.js';
import { encodePem } from './pem.js';

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

/** A parsed certificate: its bytes, PEM, and contents. Create with `parseCertificates`. */
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

/** The value of the first extension `oid` (a loop: no closure per certificate). */
function extensionValue(extensions: readonly RawExtension[], oid: string): Uint8Array | undefined {
  for (const e of extensions) if (e.oid === oid) return e.value;
  return undefined;
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

/**
 * A certificate made by {@link parseCertificate}. A class, not an object literal: thousands of
 * them are kept while a bundle is read, and V8 keeps instances of one class compact (a bundle
 * read's peak memory, bench/RESULTS.md). The PEM is encoded when asked for, not kept.
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

  /** OpenSSL's view of the key, made on first use: ~0.1 ms a certificate. */
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
    subjectAltNames: subjectAltNamesSummary(extensionValue(extensions, OID.subjectAltName)),
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
  return nameAttributesEqual(
    aField === 'subject' ? internals(a).subjectDer : internals(a).issuerDer,
    aField === 'subject' ? a.info.subjectAttributes : a.info.issuerAttributes,
    bField === 'subject' ? internals(b).subjectDer : internals(b).issuerDer,
    bField === 'subject' ? b.info.subjectAttributes : b.info.issuerAttributes,
  );
}
