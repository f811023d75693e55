/**
 * PKCS#10 certification requests (RFC 2986) for an organisation's own CA: a new key and a
 * request carrying the same names and usages as the proxy certificate `certs issue` makes, so
 * that a corporate CA can sign it (`openssl x509 -req -copy_extensions copy`, ADCS, Vault).
 */
import { CertkitError } from '../errors.js';
import { DEFAULT_CURVE, DEFAULT_KEY_TYPE, SERVER_KEY_BITS } from '../defaults.js';
import { generateKeyPair } from './keys.js';
import {
  checkNames,
  profileForUsage,
  redisEnterpriseNames,
  subjectAttributes,
} from './profiles.js';
import type { CertificateUsage, SubjectFields } from './profiles.js';
import { EC_CURVES, RSA_KEY_SIZES, exportPrivateKey } from '../x509/keys.js';
import type { Curve, KeyType } from '../x509/keys.js';
import { encodePem } from '../x509/pem.js';
import type { CertificationRequestInfo } from '../x509/structures.js';
import { parseCertificationRequest } from '../x509/structures.js';

/** Options of {@link createCertificateRequest}. */
export interface CertificateRequestOptions {
  /** Cluster FQDN: CN and the Redis Enterprise names (`C`, `*.C`, `internal.C`, `*.internal.C`). */
  readonly cluster?: string;
  /** More DNS names. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Subject; default CN = the cluster name. */
  readonly subject?: SubjectFields;
  /** Usages to request: `both` (default: serverAuth + clientAuth), `server` or `client`. */
  readonly usage?: CertificateUsage;
  readonly keyType?: KeyType;
  /** RSA modulus, default {@link SERVER_KEY_BITS}. */
  readonly bits?: number;
  readonly curve?: Curve;
}

/** A key and its request. */
export interface CertificateRequest {
  /** PKCS#8 PEM; write it with mode 0600. */
  readonly privateKeyPem: string;
  /** `-----BEGIN CERTIFICATE REQUEST-----` PEM. */
  readonly csrPem: string;
  readonly info: CertificationRequestInfo;
}

/**
 * Makes a key and a PKCS#10 request for a Redis Enterprise proxy certificate.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad name or key option
 *
 * @example
 * ```ts
 * const request = await createCertificateRequest({ cluster: 'cluster.local', keyType: 'ec' });
 * console.log(request.info.subjectAltNames.dns); // ['cluster.local', '*.cluster.local', …]
 * ```
 */
export async function createCertificateRequest(
  options: CertificateRequestOptions,
): Promise<CertificateRequest> {
  const cluster = options.cluster === undefined ? [] : redisEnterpriseNames(options.cluster);
  const names = checkNames([...cluster, ...(options.dnsNames ?? [])], options.ipAddresses ?? []);
  const commonName = cluster[0] ?? names.dns.find((n) => !n.startsWith('*')) ?? names.ip[0];
  if (commonName === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a certificate request needs a name: give the cluster name, a DNS name or an IP address',
    );
  }
  const subject = subjectAttributes(options.subject ?? { commonName });
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  const bits = options.bits ?? SERVER_KEY_BITS;
  const curve = options.curve ?? DEFAULT_CURVE;
  // JavaScript callers can pass anything: check at run time what the types promise.
  if (!(['rsa', 'ec'] as readonly string[]).includes(keyType)) {
    throw new CertkitError('INVALID_OPTION', `key type must be rsa or ec, got "${keyType}"`);
  }
  if (keyType === 'rsa' && !RSA_KEY_SIZES.includes(bits)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `RSA key size must be 2048, 3072 or 4096, got ${String(bits)}`,
    );
  }
  if (!EC_CURVES.includes(curve)) {
    throw new CertkitError('INVALID_OPTION', `curve must be P-256 or P-384, got "${curve}"`);
  }
  const profile = profileForUsage(options.usage ?? 'both');
  const keys = await generateKeyPair({ keyType, bits, curve });
  // @peculiar/x509 loads here only (pkcs10.ts): no other command pays for it.
  const { signCertificationRequest } = await import('../x509/pkcs10.js');
  const der = await signCertificationRequest({
    subject,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    dnsNames: names.dns,
    ipAddresses: names.ip,
    keyUsage: keyType === 'ec' ? profile.keyUsageEc : profile.keyUsage,
    extendedKeyUsage: profile.extendedKeyUsage,
  });
  return {
    privateKeyPem: exportPrivateKey(keys.privateKey, 'pkcs8'),
    csrPem: encodePem('CERTIFICATE REQUEST', der),
    info: parseCertificationRequest(der, 'generated request'),
  };
}
