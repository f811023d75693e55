/**
 * CA, intermediate and server certificates on disk (`gen-ca`, `gen-intermediate`, `issue`):
 * read the issuing CA's files, make the certificate (make/certificates.ts), write it and its key.
 */
import { CertkitError } from '../errors.js';
import { SERVER_CERT_MAX_RECOMMENDED_DAYS } from '../defaults.js';
import { readInputFile } from '../io/read.js';
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  checkWritePlan,
  outputPath,
} from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { PlannedOutput, WriteOptions } from '../io/write-plan.js';
import { issueCertificate } from '../make/certificates.js';
import { signCertificateRequest } from '../make/sign-request.js';
import type {
  IssueCertificateOptions,
  IssuerInput,
  KeyAndValidityOptions,
} from '../make/certificates.js';
import {
  CA_PROFILE,
  INTERMEDIATE_PROFILE,
  profileForUsage,
  resolveNames,
} from '../make/profiles.js';
import type { CertificateNames, CertificateUsage, SubjectInput } from '../make/profiles.js';
import type { Curve, KeyFormat, KeyType } from '../x509/keys.js';
import { OID } from '../asn1/oids.js';
import type { CertificateInfo } from '../x509/pkix.js';
import { inputsOf, passphraseFrom, readLimit } from './common.js';
import { checkClusterName } from './cluster-hint.js';

/** Root CA file names written by {@link writeCa}. */
export const CA_CERT_FILE = 'ca.pem';
/** Root CA key file name. */
export const CA_KEY_FILE = 'ca-key.pem';
/** Intermediate CA file names written by {@link writeIntermediate}. */
export const INTERMEDIATE_CERT_FILE = 'intermediate.pem';
/** Intermediate CA key file name. */
export const INTERMEDIATE_KEY_FILE = 'intermediate-key.pem';
/**
 * Proxy certificate file names written by {@link writeServerCertificate}: the names Redis
 * Enterprise's `rladmin cluster certificate set proxy certificate_file proxy_cert.pem
 * key_file proxy_key.pem` examples use.
 */
export const PROXY_CERT_FILE = 'proxy_cert.pem';
/** Proxy key file name. */
export const PROXY_KEY_FILE = 'proxy_key.pem';

/** Options every certificate-writing function shares. */
export interface WriteCertificateOptions {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /** Replace existing files. Default: refuse, and write nothing. */
  readonly force?: boolean;
  /** Validity in days; the profile's default when absent. */
  readonly days?: number;
  readonly keyType?: KeyType;
  /** RSA modulus; {@link CA_KEY_BITS} for CAs, {@link SERVER_KEY_BITS} for servers by default. */
  readonly bits?: number;
  readonly curve?: Curve;
  readonly keyFormat?: KeyFormat;
  readonly now?: Date | number;
  readonly onProgress?: (stage: 'generating-key' | 'signing') => void;
  /** Largest input file read (the CA files); default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/** Where an issuing CA is on disk. */
export interface IssuerFiles {
  /** The issuing CA certificate, optionally followed by its issuers. */
  readonly caCertPath: string;
  readonly caKeyPath: string;
  /** Passphrase of an encrypted CA key. */
  readonly caPassphrase?: string;
  /** Read {@link IssuerFiles.caPassphrase} from the first line of this file instead. */
  readonly caPassphrasePath?: string;
}

/** What a certificate-writing function made and where. */
export interface WrittenCertificate {
  readonly info: CertificateInfo;
  readonly certificatePath: string;
  /** Where the new key went; absent when no key was made (a signed request's key stays with its owner). */
  readonly privateKeyPath?: string;
  /** True for a self-signed certificate (no issuer: it is its own trust anchor). */
  readonly selfSigned: boolean;
  /** Certificates in the certificate file (the certificate, then intermediates). */
  readonly chainLength: number;
  /** Advice that did not stop the work (a validity beyond what clients accept, …). */
  readonly warnings: readonly string[];
}

async function writeIssued(
  paths: { cert: string; key: string },
  options: WriteCertificateOptions,
  issue: Omit<IssueCertificateOptions, 'issuer'>,
  issuerFiles: IssuerFiles | undefined,
  warnings: readonly string[],
): Promise<WrittenCertificate> {
  const outputs: PlannedOutput[] = [
    { path: paths.key, mode: PRIVATE_KEY_MODE },
    { path: paths.cert, mode: PUBLIC_FILE_MODE },
  ];
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: inputsOf(
      issuerFiles?.caCertPath,
      issuerFiles?.caKeyPath,
      issuerFiles?.caPassphrasePath,
    ),
  };
  await checkWritePlan({ ...write, outputs });
  const limit = readLimit(options.maxInputBytes);
  let issuer: IssuerInput | undefined;
  if (issuerFiles !== undefined) {
    const passphrase = await passphraseFrom(issuerFiles.caPassphrase, issuerFiles.caPassphrasePath);
    issuer = {
      certificate: await readInputFile(issuerFiles.caCertPath, limit),
      certificateSource: issuerFiles.caCertPath,
      key: await readInputFile(issuerFiles.caKeyPath, limit),
      keySource: issuerFiles.caKeyPath,
      ...(passphrase === undefined ? {} : { passphrase }),
    };
  }
  const issued = await issueCertificate({ ...issue, ...(issuer === undefined ? {} : { issuer }) });
  await writeFilesAtomically(
    [
      { path: paths.key, content: issued.privateKeyPem, mode: PRIVATE_KEY_MODE },
      { path: paths.cert, content: issued.chainPem, mode: PUBLIC_FILE_MODE },
    ],
    write,
  );
  return {
    info: issued.info,
    certificatePath: paths.cert,
    privateKeyPath: paths.key,
    selfSigned: issuerFiles === undefined,
    chainLength: certificateCount(issued.chainPem),
    warnings,
  };
}

function certificateCount(pem: string): number {
  return pem.split('-----BEGIN CERTIFICATE-----').length - 1;
}

function generationOptions(
  options: WriteCertificateOptions,
): Omit<KeyAndValidityOptions, 'subject'> {
  const { outDir: _o, force: _f, onProgress: _p, maxInputBytes: _m, ...rest } = options;
  return rest;
}

/** Options of {@link writeCa}. */
export interface WriteCaOptions extends WriteCertificateOptions {
  /** Subject, CN required: its fields, or OpenSSL's one-line form `/O=Acme/CN=Acme Root`. */
  readonly subject: SubjectInput;
}

/**
 * Makes a private root CA ({@link CA_PROFILE}) and writes `ca.pem` (0644) and `ca-key.pem` (0600).
 *
 * @example
 * ```ts
 * const ca = await writeCa({ subject: { commonName: 'Acme Redis Root CA' }, outDir: 'pki' });
 * console.log(ca.certificatePath); // pki/ca.pem
 * ```
 */
export async function writeCa(options: WriteCaOptions): Promise<WrittenCertificate> {
  const outDir = options.outDir ?? '.';
  return writeIssued(
    { cert: outputPath(outDir, CA_CERT_FILE), key: outputPath(outDir, CA_KEY_FILE) },
    options,
    {
      ...generationOptions(options),
      subject: options.subject,
      profile: CA_PROFILE,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    undefined,
    [],
  );
}

/** Options of {@link writeIntermediate}. */
export interface WriteIntermediateOptions extends WriteCertificateOptions, IssuerFiles {
  /** Subject, CN required: its fields, or OpenSSL's one-line form `/O=Acme/CN=Issuing`. */
  readonly subject: SubjectInput;
}

/**
 * Makes an intermediate CA ({@link INTERMEDIATE_PROFILE}, pathLen 0) signed by a CA and writes
 * `intermediate.pem` and `intermediate-key.pem`.
 *
 * @example
 * ```ts
 * await writeIntermediate({ caCertPath: 'pki/ca.pem', caKeyPath: 'pki/ca-key.pem',
 *   subject: { commonName: 'Acme Redis Issuing CA' }, outDir: 'pki' });
 * ```
 */
export async function writeIntermediate(
  options: WriteIntermediateOptions,
): Promise<WrittenCertificate> {
  const outDir = options.outDir ?? '.';
  const { caCertPath, caKeyPath, caPassphrase, caPassphrasePath, ...rest } = options;
  return writeIssued(
    {
      cert: outputPath(outDir, INTERMEDIATE_CERT_FILE),
      key: outputPath(outDir, INTERMEDIATE_KEY_FILE),
    },
    options,
    {
      ...generationOptions(rest),
      subject: options.subject,
      profile: INTERMEDIATE_PROFILE,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    {
      caCertPath,
      caKeyPath,
      ...(caPassphrase === undefined ? {} : { caPassphrase }),
      ...(caPassphrasePath === undefined ? {} : { caPassphrasePath }),
    },
    [],
  );
}

/** Options of {@link writeServerCertificate}. */
export interface WriteServerCertificateOptions
  extends WriteCertificateOptions, Partial<IssuerFiles>, CertificateNames {
  /**
   * Make a self-signed certificate instead of asking a CA: what each Redis Enterprise node has
   * by default, trusted by clients that hold it itself (a bundle of every node's certificate).
   * `CA:FALSE`, the server profile's usages and names; no CA files then.
   */
  readonly selfSigned?: boolean;
  /**
   * Sign this PKCS#10 request (PEM or DER) with the CA instead of making a key: the request's
   * subject and key are certified, with its names unless `cluster`, `dnsNames` or `ipAddresses`
   * are given. Only the certificate is written.
   */
  readonly csrPath?: string;
  /** EKU: `both` (default), `server` or `client`. */
  readonly usage?: CertificateUsage;
  /**
   * Subject (its fields, or OpenSSL's one-line form `/O=Acme/CN=…`); default CN = the cluster
   * name (or the first DNS name, or IP address).
   */
  readonly subject?: SubjectInput;
  /** Certificate file, inside `outDir` unless absolute. Default {@link PROXY_CERT_FILE}. */
  readonly certFileName?: string;
  /** Key file, inside `outDir` unless absolute. Default {@link PROXY_KEY_FILE}. */
  readonly keyFileName?: string;
}

/** The issuing CA's files, or undefined for a self-signed certificate; checks they go together. */
function issuerFilesOf(options: WriteServerCertificateOptions): IssuerFiles | undefined {
  const { caCertPath, caKeyPath, caPassphrase, caPassphrasePath } = options;
  const anyIssuer =
    caCertPath !== undefined ||
    caKeyPath !== undefined ||
    caPassphrase !== undefined ||
    caPassphrasePath !== undefined;
  if (options.selfSigned === true) {
    if (anyIssuer) {
      throw new CertkitError(
        'INVALID_OPTION',
        'a self-signed certificate has no issuer: give the issuing CA or ask for a self-signed certificate, not both',
      );
    }
    if (options.csrPath !== undefined) {
      throw new CertkitError(
        'INVALID_OPTION',
        'a certificate request is signed by a CA, not self-signed: give the issuing CA',
      );
    }
    return undefined;
  }
  if (caCertPath === undefined || caKeyPath === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'name the issuing CA certificate and its key, or ask for a self-signed certificate',
    );
  }
  return {
    caCertPath,
    caKeyPath,
    ...(caPassphrase === undefined ? {} : { caPassphrase }),
    ...(caPassphrasePath === undefined ? {} : { caPassphrasePath }),
  };
}

/** A validity over the recommended maximum, for a certificate with serverAuth. */
function validityWarnings(
  days: number,
  profile: { extendedKeyUsage: readonly string[] },
): string[] {
  return days > SERVER_CERT_MAX_RECOMMENDED_DAYS &&
    profile.extendedKeyUsage.includes(OID.serverAuth)
    ? [
        `a validity of ${String(days)} days is over ${String(SERVER_CERT_MAX_RECOMMENDED_DAYS)} (CA/Browser Forum BR 6.3.2); the Redis Enterprise documentation recommends at most one year for server certificates`,
      ]
    : [];
}

/**
 * Issues a server (Redis Enterprise proxy) certificate and writes `proxy_cert.pem` (the
 * certificate followed by the issuer's intermediates, the order a server sends) and
 * `proxy_key.pem` (0600): signed by a CA, or self-signed with `selfSigned` (a node's own
 * certificate). With `csrPath`, signs that request instead and writes the certificate only. A
 * validity over {@link SERVER_CERT_MAX_RECOMMENDED_DAYS} days is allowed with a warning.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` without any name, without an issuer (and not
 * self-signed), or for an issuer that cannot sign
 *
 * @example
 * ```ts
 * const proxy = await writeServerCertificate({ caCertPath: 'pki/intermediate.pem',
 *   caKeyPath: 'pki/intermediate-key.pem', cluster: 'cluster.local', outDir: 'proxy' });
 * const node = await writeServerCertificate({ selfSigned: true, cluster: 'cluster.local', outDir: 'node1' });
 * console.log(proxy.info.subjectAltNames.dns, node.selfSigned);
 * ```
 */
export async function writeServerCertificate(
  options: WriteServerCertificateOptions,
): Promise<WrittenCertificate> {
  await checkClusterName(options.cluster, options.maxInputBytes);
  const issuerFiles = issuerFilesOf(options);
  if (options.csrPath !== undefined && issuerFiles !== undefined) {
    return writeSignedRequest(options.csrPath, issuerFiles, options);
  }
  const outDir = options.outDir ?? '.';
  const { dns: dnsNames, ip: ipAddresses, commonName } = resolveNames(options);
  if (commonName === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a server certificate needs a name: give the cluster name, a DNS name or an IP address',
    );
  }
  const profile = profileForUsage(options.usage ?? 'both');
  const warnings = validityWarnings(options.days ?? profile.defaultDays, profile);
  const {
    caCertPath: _ca,
    caKeyPath: _ck,
    caPassphrase: _cp,
    caPassphrasePath: _cf0,
    selfSigned: _ss,
    csrPath: _csr,
    cluster: _c,
    dnsNames: _d,
    ipAddresses: _i,
    usage: _u,
    subject: _s,
    certFileName: _cf,
    keyFileName: _kf,
    ...generation
  } = options;
  return writeIssued(
    {
      cert: outputPath(outDir, options.certFileName ?? PROXY_CERT_FILE),
      key: outputPath(outDir, options.keyFileName ?? PROXY_KEY_FILE),
    },
    options,
    {
      ...generationOptions(generation),
      subject: options.subject ?? { commonName },
      profile,
      dnsNames,
      ipAddresses,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    issuerFiles,
    warnings,
  );
}

/** Reads a request and the CA, signs the request (make/sign-request.ts), writes the certificate. */
async function writeSignedRequest(
  csrPath: string,
  issuerFiles: IssuerFiles,
  options: WriteServerCertificateOptions,
): Promise<WrittenCertificate> {
  if (options.subject !== undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      "a signed request keeps the request's subject; make a new request to change it",
    );
  }
  const certificatePath = outputPath(
    options.outDir ?? '.',
    options.certFileName ?? PROXY_CERT_FILE,
  );
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: inputsOf(
      csrPath,
      issuerFiles.caCertPath,
      issuerFiles.caKeyPath,
      issuerFiles.caPassphrasePath,
    ),
  };
  await checkWritePlan({ ...write, outputs: [{ path: certificatePath, mode: PUBLIC_FILE_MODE }] });
  const limit = readLimit(options.maxInputBytes);
  const passphrase = await passphraseFrom(issuerFiles.caPassphrase, issuerFiles.caPassphrasePath);
  // Names given replace the request's; empty lists (a command line without --san) do not.
  const override =
    options.cluster !== undefined ||
    (options.dnsNames ?? []).length > 0 ||
    (options.ipAddresses ?? []).length > 0;
  const usage = options.usage ?? 'both';
  options.onProgress?.('signing');
  const signed = await signCertificateRequest({
    request: await readInputFile(csrPath, limit),
    requestSource: csrPath,
    issuer: {
      certificate: await readInputFile(issuerFiles.caCertPath, limit),
      certificateSource: issuerFiles.caCertPath,
      key: await readInputFile(issuerFiles.caKeyPath, limit),
      keySource: issuerFiles.caKeyPath,
      ...(passphrase === undefined ? {} : { passphrase }),
    },
    usage,
    ...(override
      ? {
          ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
          dnsNames: options.dnsNames ?? [],
          ipAddresses: options.ipAddresses ?? [],
        }
      : {}),
    ...(options.days === undefined ? {} : { days: options.days }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const profile = profileForUsage(usage);
  await writeFilesAtomically(
    [{ path: certificatePath, content: signed.chainPem, mode: PUBLIC_FILE_MODE }],
    write,
  );
  return {
    info: signed.info,
    certificatePath,
    selfSigned: false,
    chainLength: certificateCount(signed.chainPem),
    warnings: validityWarnings(options.days ?? profile.defaultDays, profile),
  };
}
