/**
 * PKCS#10 certification requests (RFC 2986) for an organisation's own CA: a new key and a
 * request carrying the same names and usages as the proxy certificate `certs issue` makes, so
 * that a corporate CA can sign it (`openssl x509 -req -copy_extensions copy`, ADCS, Vault).
 */
import { CertkitError } from '../errors.js';
import {
  DEFAULT_CURVE,
  DEFAULT_KEY_TYPE,
  SERVER_KEY_BITS,
  checkNames,
  profileForUsage,
  redisEnterpriseNames,
  subjectAttributes,
} from './certificates.js';
import type { CertificateUsage, SubjectFields } from './certificates.js';
import { EC_CURVES, RSA_KEY_SIZES, exportPrivateKey, generateKeyPair } from '../x509/keys.js';
import type { Curve, KeyType } from '../x509/keys.js';
import { encodePem } from '../x509/pem.js';
import type { CertificationRequestInfo } from '../x509/pkix.js';
import { parseCertificationRequest } from '../x509/structures.js';
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  checkWritePlan,
  outputPath,
  writeFilesAtomically,
} from '../io/files.js';
import type { WriteOptions } from '../io/files.js';

/** Default request file name, next to {@link PROXY_KEY_FILE}-style key names. */
export const CSR_FILE = 'proxy.csr';
/** Default key file name of a request: the key the signed certificate will go with. */
export const CSR_KEY_FILE = 'proxy_key.pem';

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

/** Options of {@link writeCertificateRequest}. */
export interface WriteCertificateRequestOptions extends CertificateRequestOptions {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /** Request file, inside `outDir` unless absolute; default {@link CSR_FILE}. */
  readonly csrFile?: string;
  /** Key file, inside `outDir` unless absolute; default {@link CSR_KEY_FILE}. */
  readonly keyFile?: string;
  readonly force?: boolean;
}

/** What {@link writeCertificateRequest} wrote. */
export interface WrittenCertificateRequest {
  readonly info: CertificationRequestInfo;
  readonly csrPath: string;
  readonly privateKeyPath: string;
}

/**
 * Makes a key and request and writes them: `proxy_key.pem` (0600) and `proxy.csr` (0644).
 *
 * @example
 * ```ts
 * const written = await writeCertificateRequest({ cluster: 'cluster.local', outDir: 'csr' });
 * // send csr/proxy.csr to the CA; keep csr/proxy_key.pem for the signed certificate
 * ```
 */
export async function writeCertificateRequest(
  options: WriteCertificateRequestOptions,
): Promise<WrittenCertificateRequest> {
  const outDir = options.outDir ?? '.';
  const csrPath = outputPath(outDir, options.csrFile ?? CSR_FILE);
  const privateKeyPath = outputPath(outDir, options.keyFile ?? CSR_KEY_FILE);
  // A request reads no file: the plan has outputs only.
  const write: WriteOptions = { force: options.force ?? false, createFolder: true };
  await checkWritePlan({
    ...write,
    outputs: [
      { path: privateKeyPath, mode: PRIVATE_KEY_MODE },
      { path: csrPath, mode: PUBLIC_FILE_MODE },
    ],
  });
  const request = await createCertificateRequest(options);
  await writeFilesAtomically(
    [
      { path: privateKeyPath, content: request.privateKeyPem, mode: PRIVATE_KEY_MODE },
      { path: csrPath, content: request.csrPem, mode: PUBLIC_FILE_MODE },
    ],
    write,
  );
  return { info: request.info, csrPath, privateKeyPath };
}
