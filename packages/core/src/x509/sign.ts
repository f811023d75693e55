/**
 * Signing and signature checks: {@link signCertificate} builds a certificate with the DER writer
 * and signs it with `node:crypto` (OpenSSL); {@link signatureVerifies} and
 * {@link verifySignedData} check a signature over DER.
 */
import { createHash, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as writer from '../asn1/der-writer.js';
import * as der from '../asn1/der.js';
import { KEY_USAGE_NAMES, OID } from '../asn1/oids.js';
import type { KeyUsageName } from '../asn1/oids.js';
import { CertkitError } from '../errors.js';
import { parseIpAddress } from './ip.js';
import { encodeName } from './names.js';
import type { NameInput } from './names.js';
import { CURVE_NAMES } from './public-key.js';
import { internals } from './pkix.js';
import type { Certificate } from './pkix.js';

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

/** How certkit signs with a key (the same for certificates and requests). */
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
    const algorithm = signatureAlgorithm(template.signingKey);
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
      keyUsageExtension(template.keyUsage),
    ];
    extensions.push(...usageAndNameExtensions(template));
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
    return signDer(tbs, algorithm, template.signingKey);
  });
}

/**
 * The AlgorithmIdentifier of a key's signature scheme. RSA's carries NULL parameters (RFC 4055
 * section 5); ECDSA's and Ed25519's carry none (RFC 5758 section 3.2, RFC 8410 section 3).
 */
function signatureAlgorithm(key: KeyObject): Uint8Array {
  return writer.sequence(
    writer.oid(signatureScheme(key).oid),
    ...(key.asymmetricKeyType === 'rsa' ? [writer.NULL] : []),
  );
}

/** A SIGNED{…} structure (RFC 5280 section 4.1, RFC 2986 section 4.2): data, algorithm, signature. */
function signDer(data: Uint8Array, algorithm: Uint8Array, key: KeyObject): Promise<Uint8Array> {
  const { digest } = signatureScheme(key);
  // The callback form signs on libuv's thread pool, off the event loop, so a batch signs in parallel.
  return new Promise<Uint8Array>((resolve, reject) => {
    cryptoSign(digest, data, key, (error, signature) => {
      if (error === null) resolve(writer.sequence(data, algorithm, writer.bitString(signature)));
      else reject(error);
    });
  });
}

/** keyUsage (RFC 5280 section 4.2.1.3), critical. */
function keyUsageExtension(usages: readonly KeyUsageName[]): Uint8Array {
  return extension(
    OID.keyUsage,
    true,
    writer.namedBits(usages.map((name) => KEY_USAGE_NAMES.indexOf(name))),
  );
}

/**
 * extKeyUsage and subjectAltName (dNSName, iPAddress), each only when it has entries: what a
 * certificate and a request carry alike.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for an IP address that cannot be parsed
 */
function usageAndNameExtensions(names: {
  readonly extendedKeyUsage?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}): Uint8Array[] {
  const extensions: Uint8Array[] = [];
  const eku = names.extendedKeyUsage ?? [];
  if (eku.length > 0) {
    extensions.push(extension(OID.extKeyUsage, false, writer.sequence(...eku.map(writer.oid))));
  }
  const altNames = [
    ...(names.dnsNames ?? []).map((name) => writer.encode(0x82, Buffer.from(name, 'latin1'))),
    ...(names.ipAddresses ?? []).map((ip) => {
      const octets = parseIpAddress(ip);
      if (octets === null) throw new CertkitError('INVALID_OPTION', `not an IP address: ${ip}`);
      return writer.encode(0x87, octets);
    }),
  ];
  if (altNames.length > 0)
    extensions.push(extension(OID.subjectAltName, false, writer.sequence(...altNames)));
  return extensions;
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

/** extensionRequest (PKCS#9, RFC 2985 section 5.4.2). */
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/**
 * Builds and signs a PKCS#10 certification request (RFC 2986) with the DER writer and
 * `node:crypto`, as certificates are; returns its DER. The names and usages go into an
 * extensionRequest attribute (RFC 2985 section 5.4.2), where CAs and
 * `openssl x509 -req -copy_extensions` look for them; no attribute at all when there are none.
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
  return await Promise.resolve().then(() => {
    const extensions = [
      ...(template.keyUsage !== undefined && template.keyUsage.length > 0
        ? [keyUsageExtension(template.keyUsage)]
        : []),
      ...usageAndNameExtensions(template),
    ];
    // attributes [0] IMPLICIT SET OF Attribute: present (possibly empty), as RFC 2986 requires.
    const attributes =
      extensions.length === 0
        ? []
        : [
            writer.sequence(
              writer.oid(EXTENSION_REQUEST),
              writer.set(writer.sequence(...extensions)),
            ),
          ];
    const info = writer.sequence(
      writer.smallInteger(0), // version 1
      encodeName(template.subject),
      template.publicKey.export({ format: 'der', type: 'spki' }),
      writer.encode(0xa0, ...attributes),
    );
    return signDer(info, signatureAlgorithm(template.signingKey), template.signingKey);
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
