/**
 * PKCS#10 certification requests (RFC 2986) for an organisation's own CA: a new key and a
 * request carrying the same names and usages as the proxy certificate `certs issue` makes, so
 * that a corporate CA can sign it (`openssl x509 -req -copy_extensions copy`, ADCS, Vault).
 */
import { CertkitError } from '../errors.js';
import { DEFAULT_CURVE, DEFAULT_KEY_TYPE, SERVER_KEY_BITS } from '../defaults.js';
import { loadExistingKey } from './certificates.js';
import type { ClientIdentityOptions } from './certificates.js';
import { generateKeyPair } from './keys.js';
import { profileForUsage, resolveNames, subjectAttributes, subjectFields } from './profiles.js';
import type { CertificateNames, CertificateUsage, SubjectInput } from './profiles.js';
import { EC_CURVES, RSA_KEY_SIZES, exportPrivateKey } from '../x509/keys.js';
import type { Curve, KeyType } from '../x509/keys.js';
import { encodePem } from '../x509/pem.js';
import { signCertificationRequest } from '../x509/sign.js';
import type { CertificationRequestInfo } from '../x509/structures.js';
import { readCertificationRequest } from '../x509/structures.js';

/** Options of {@link createCertificateRequest}. */
export interface CertificateRequestOptions extends CertificateNames {
  /**
   * Subject (its fields, or OpenSSL's one-line form `/C=US/O=Acme/CN=app`); default CN = the
   * cluster name (or the first DNS name, or IP address).
   */
  readonly subject?: SubjectInput;
  /** Usages to request: `both` (default: serverAuth + clientAuth), `server` or `client`. */
  readonly usage?: CertificateUsage;
  readonly keyType?: KeyType;
  /** RSA modulus, default {@link SERVER_KEY_BITS}. */
  readonly bits?: number;
  readonly curve?: Curve;
  /**
   * An existing private key (PEM or DER) to make the request for, instead of a new one: renewing
   * at a CA with the key the server already holds. `keyType`, `bits` and `curve` do not apply.
   */
  readonly existingKey?: ClientIdentityOptions['existingKey'];
}

/** A key and its request. */
export interface CertificateRequest {
  /** The new key, PKCS#8 PEM (write it with mode 0600); absent for an existing key. */
  readonly privateKeyPem?: string;
  /** `-----BEGIN CERTIFICATE REQUEST-----` PEM. */
  readonly csrPem: string;
  readonly info: CertificationRequestInfo;
  /** Advice that did not stop the work (a server request without names, …). */
  readonly warnings: readonly string[];
}

/**
 * Makes a key (or takes an existing one) and a PKCS#10 request for a Redis Enterprise proxy
 * certificate, or a client certificate with `usage: 'client'`.
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
  const names = resolveNames(options);
  const given = options.subject === undefined ? undefined : subjectFields(options.subject);
  const commonName = given?.commonName ?? names.commonName;
  if (commonName === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a certificate request needs a name: give the cluster name, a DNS name, an IP address or a subject',
    );
  }
  const subject = subjectAttributes(given ?? { commonName });
  const usage = options.usage ?? 'both';
  // RFC 9525 section 6.4.4: clients match subjectAltName only; Go and Python never fall back to
  // the CN. A server certificate without names is refused by every client but redis-cli.
  const warnings =
    usage !== 'client' && names.dns.length === 0 && names.ip.length === 0
      ? [
          'the request names no DNS name or IP address: clients that check the host name (all but redis-cli) will refuse a server certificate made from it',
        ]
      : [];
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
  const profile = profileForUsage(usage);
  const keys =
    options.existingKey === undefined
      ? await generateKeyPair({ keyType, bits, curve })
      : loadExistingKey(options.existingKey);
  const isEc = keys.privateKey.asymmetricKeyType === 'ec';
  const der = await signCertificationRequest({
    subject,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    dnsNames: names.dns,
    ipAddresses: names.ip,
    keyUsage: isEc ? profile.keyUsageEc : profile.keyUsage,
    extendedKeyUsage: profile.extendedKeyUsage,
  });
  return {
    ...(options.existingKey === undefined
      ? { privateKeyPem: exportPrivateKey(keys.privateKey, 'pkcs8') }
      : {}),
    csrPem: encodePem('CERTIFICATE REQUEST', der),
    info: readCertificationRequest(der, 'generated request').info,
    warnings,
  };
}
