/**
 * PKCS#10 certification requests (RFC 2986) built and signed by `@peculiar/x509`, with
 * `@peculiar/webcrypto` as its WebCrypto provider: a request carries its names and usages in an
 * extensionRequest attribute (RFC 2985 section 5.4.2), which `@peculiar/x509` encodes for us.
 * Loaded only when a request is made (`certs csr`; csr.ts imports this module dynamically):
 * `@peculiar/x509` with its ASN.1 schemas costs ~45 ms to load, more than the whole budget of
 * `certs gen-client --key`.
 */
import 'reflect-metadata';
import type { KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import { OID } from '../asn1/oids.js';
import { signatureScheme } from './sign.js';
import type { KeyUsageName } from '../asn1/oids.js';
import type { NameInput } from './names.js';

let provider: PeculiarCrypto | undefined;

/** The WebCrypto provider of `@peculiar/x509`, made on first use. */
function webcrypto(): PeculiarCrypto {
  if (provider === undefined) {
    provider = new PeculiarCrypto();
    x509.cryptoProvider.set(provider as unknown as Crypto);
  }
  return provider;
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

function jsonName(attributes: readonly NameInput[]): x509.JsonNameParams {
  return attributes.map((a) => {
    // As OpenSSL does by default: PrintableString for country, IA5String for email, UTF8 else.
    if (a.oid === OID.countryName) return { [a.oid]: [{ printableString: a.value }] };
    if (a.oid === OID.emailAddress) return { [a.oid]: [{ ia5String: a.value }] };
    return { [a.oid]: [{ utf8String: a.value }] };
  });
}

/** The WebCrypto algorithm of core's signature scheme for `key` (pkix.ts signatureScheme). */
function signingAlgorithm(key: KeyObject): {
  name: string;
  hash?: string;
  namedCurve?: string;
} {
  const { digest, curve } = signatureScheme(key);
  const hash = digest === null ? undefined : digest.replace('sha', 'SHA-');
  if (hash === undefined) return { name: 'Ed25519' };
  if (curve === undefined) return { name: 'RSASSA-PKCS1-v1_5', hash };
  return { name: 'ECDSA', namedCurve: curve, hash };
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
