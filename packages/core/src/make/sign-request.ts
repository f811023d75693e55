/**
 * Signing a PKCS#10 request with a CA, as an organisation's CA does with the request `certs csr`
 * (or anything else) made: the request's self-signature must verify (RFC 2986 section 3: it
 * proves the requester holds the key), its subject is kept byte for byte, its names are used
 * unless the caller gives others, and the profile, never the requested extensions, decides the
 * usages. Every rule of {@link issueCertificate} applies: the issuer must be a CA that may sign,
 * the certificate may not outlive it, and the key must be strong enough. No I/O.
 */
import { CertkitError } from '../errors.js';
import { resolveNow } from '../clock.js';
import type { CertificateInfo } from '../x509/pkix.js';
import type { CertificationRequestInfo } from '../x509/structures.js';
import { certificationRequestDer, readCertificationRequest } from '../x509/structures.js';
import { issuerFor, signWithProfile } from './certificates.js';
import type { IssuerInput } from './certificates.js';
import { checkNames, profileForUsage, resolveNames, validateDays } from './profiles.js';
import type { CertificateNames, CertificateUsage } from './profiles.js';

/** Smallest RSA modulus certified: NIST SP 800-131A disallows less than 2048 bits. */
const MIN_RSA_BITS = 2048;
/** Curves certified: what TLS clients of Redis (OpenSSL, Go, Java, Python, Node) all accept. */
const CERTIFIED_CURVES: readonly string[] = ['P-256', 'P-384', 'P-521'];

/** Options of {@link signCertificateRequest}. */
export interface SignRequestOptions extends CertificateNames {
  /** The request, PEM (`CERTIFICATE REQUEST`) or DER. */
  readonly request: Uint8Array;
  readonly requestSource: string;
  readonly issuer: IssuerInput;
  /** EKU of the certificate: `both` (default), `server` or `client`. */
  readonly usage?: CertificateUsage;
  /** Validity in days; the profile's default when absent. */
  readonly days?: number;
  /** Start of validity (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/** A signed request: the certificate, the chain a server sends, and both descriptions. */
export interface SignedRequest {
  readonly certificatePem: string;
  /** The certificate followed by the issuer's intermediates (never a self-signed root). */
  readonly chainPem: string;
  readonly info: CertificateInfo;
  readonly request: CertificationRequestInfo;
}

/**
 * Signs a certificate request with a CA: the certificate certifies the request's key and
 * subject, with the names asked for (or the ones given), the usages of `usage`, and the
 * issuer's rules.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a request whose signature does not verify, a
 * weak or unsupported key, no name at all, or an issuer that may not sign this certificate;
 * `DER_INVALID` for bytes that are not a request
 *
 * @example
 * ```ts
 * const signed = await signCertificateRequest({
 *   request: readFileSync('proxy.csr'), requestSource: 'proxy.csr',
 *   issuer: { certificate: readFileSync('intermediate.pem'), certificateSource: 'intermediate.pem',
 *             key: readFileSync('intermediate-key.pem'), keySource: 'intermediate-key.pem' },
 *   usage: 'both',
 * });
 * ```
 */
export async function signCertificateRequest(options: SignRequestOptions): Promise<SignedRequest> {
  const { info, subjectDer, publicKey } = readCertificationRequest(
    certificationRequestDer(options.request, options.requestSource),
    options.requestSource,
  );
  const source = options.requestSource;
  if (publicKey === null) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} requests a certificate for a key of an algorithm OpenSSL does not know`,
    );
  }
  if (!info.signatureValid) {
    throw new CertkitError(
      'INVALID_OPTION',
      `the signature of ${source} does not verify with the key it holds (RFC 2986 section 3): it was altered, or not signed by that key; refusing to sign it`,
    );
  }
  if (info.key.type === 'rsa' && info.key.bits < MIN_RSA_BITS) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} holds an RSA key of ${String(info.key.bits)} bits, too weak; make a request with 2048 bits or more (NIST SP 800-131A)`,
    );
  }
  if (info.key.type === 'ec' && !CERTIFIED_CURVES.includes(info.key.curve ?? '')) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} holds an EC key on ${info.key.curve ?? 'an unnamed curve'}; use P-256, P-384 or P-521`,
    );
  }
  if (info.key.type !== 'rsa' && info.key.type !== 'ec') {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} holds a ${info.key.type} key; certkit certifies RSA and EC keys, which every Redis client accepts`,
    );
  }
  const profile = profileForUsage(options.usage ?? 'both');
  // Names given (`cluster`, `dnsNames`, `ipAddresses`) replace the requested ones.
  const overridden =
    options.cluster !== undefined ||
    options.dnsNames !== undefined ||
    options.ipAddresses !== undefined;
  // Requested names are checked as given ones are: a request is input from someone else.
  const names = overridden
    ? resolveNames(options)
    : checkNames(info.subjectAltNames.dns, info.subjectAltNames.ip);
  if (names.dns.length === 0 && names.ip.length === 0 && info.subjectAttributes.length === 0) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${source} names nothing (an empty subject and no subjectAltName): give the names of the certificate`,
    );
  }
  const days = validateDays(options.days ?? profile.defaultDays);
  const now = resolveNow(options.now);
  // X.509 times have one-second resolution; trim so that notAfter - notBefore is exactly `days`.
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const issuer = issuerFor(options.issuer, profile, { notBefore, notAfter });
  const { certificate, chainPem } = await signWithProfile({
    profile,
    publicKey,
    subject: [],
    subjectNameDer: subjectDer,
    notBefore,
    notAfter,
    names,
    issuer,
  });
  return { certificatePem: certificate.pem, chainPem, info: certificate.info, request: info };
}
