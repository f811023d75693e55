/**
 * `certs export-p12`: read a certificate, its key and a chain, write a PKCS#12 key store; or read
 * certificates and write a PKCS#12 trust store.
 */
import { CertkitError } from '../errors.js';
import { readInputFile, readPassphraseFile } from '../io/read.js';
import { PRIVATE_KEY_MODE, PUBLIC_FILE_MODE, checkWritePlan } from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { WriteOptions } from '../io/write-plan.js';
import { createPkcs12 } from '../make/pkcs12.js';
import type { Pkcs12Store, TrustStore } from '../make/pkcs12.js';
import type { CertificateInfo } from '../x509/pkix.js';
import { readLimit } from './common.js';

/** Options of {@link writePkcs12} for a key store: a certificate, its key and a chain. */
export interface WritePkcs12Options {
  readonly certPath: string;
  readonly keyPath: string;
  readonly chainPath?: string;
  /** File whose first line is the store password (never a command-line argument: ps shows those). */
  readonly passwordPath: string;
  /** Passphrase file of an encrypted key. */
  readonly keyPassphrasePath?: string;
  /** The key store to write (mode 0600: it holds the private key). */
  readonly outputFileName: string;
  readonly legacy?: boolean;
  readonly friendlyName?: string;
  readonly force?: boolean;
  /** Largest certificate, key or chain file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/** What {@link writePkcs12} wrote for a key store. */
export interface WrittenPkcs12 {
  readonly path: string;
  readonly friendlyName: string;
  readonly certificates: readonly CertificateInfo[];
  readonly protection: Pkcs12Store['protection'];
  /** Advice that did not stop the work (chain certificates that do not issue the certificate). */
  readonly warnings: readonly string[];
}

/**
 * Reads a certificate, its key and an optional chain, and writes a PKCS#12 key store (mode 0600:
 * it holds the private key); or, with `trustedCertPaths` ({@link WriteTrustStoreOptions}),
 * reads certificate files and writes a PKCS#12 trust store: every certificate a trusted
 * certificate entry, for Java's `javax.net.ssl.trustStore`, written 0644 (it holds no secret,
 * the password only guards its integrity). See {@link createPkcs12} for what each holds.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a trust store without certificate files or
 * options of both kinds; the errors of {@link createPkcs12}
 *
 * @example
 * ```ts
 * await writePkcs12({ certPath: 'cert.pem', keyPath: 'keyclient.pem', chainPath: 'servercerts.pem',
 *   passwordPath: 'p12.pass', outputFileName: 'client.p12' });
 * // java -Djavax.net.ssl.keyStore=client.p12 -Djavax.net.ssl.keyStorePassword=… …
 *
 * await writePkcs12({ trustedCertPaths: ['servercerts.pem'], passwordPath: 'trust.pass',
 *   outputFileName: 'truststore.p12' });
 * // java -Djavax.net.ssl.trustStore=truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12 …
 * ```
 */
export function writePkcs12(options: WritePkcs12Options): Promise<WrittenPkcs12>;
export function writePkcs12(options: WriteTrustStoreOptions): Promise<WrittenTrustStore>;
export function writePkcs12(
  options: WritePkcs12Options | WriteTrustStoreOptions,
): Promise<WrittenPkcs12 | WrittenTrustStore>;
export async function writePkcs12(
  options: WritePkcs12Options | WriteTrustStoreOptions,
): Promise<WrittenPkcs12 | WrittenTrustStore> {
  if (!('trustedCertPaths' in options)) return writeKeyStore(options);
  // JavaScript callers can pass anything: a store is one kind or the other, never both.
  if ('certPath' in options || 'keyPath' in options) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a trust store holds certificates only: give the certificate files to trust, or a certificate and its key, not both',
    );
  }
  return writeTrustStore(options);
}

/** Reads a certificate, its key and a chain; writes the key store. */
async function writeKeyStore(options: WritePkcs12Options): Promise<WrittenPkcs12> {
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: [
      options.certPath,
      options.keyPath,
      options.passwordPath,
      ...(options.chainPath === undefined ? [] : [options.chainPath]),
      ...(options.keyPassphrasePath === undefined ? [] : [options.keyPassphrasePath]),
    ],
  };
  await checkWritePlan({
    ...write,
    outputs: [{ path: options.outputFileName, mode: PRIVATE_KEY_MODE }],
  });
  const password = await readPassphraseFile(options.passwordPath);
  const keyPassphrase =
    options.keyPassphrasePath === undefined
      ? undefined
      : await readPassphraseFile(options.keyPassphrasePath);
  const limit = readLimit(options.maxInputBytes);
  const store = createPkcs12({
    certificate: await readInputFile(options.certPath, limit),
    certificateSource: options.certPath,
    key: await readInputFile(options.keyPath, limit),
    keySource: options.keyPath,
    ...(keyPassphrase === undefined ? {} : { keyPassphrase }),
    ...(options.chainPath === undefined
      ? {}
      : {
          chain: {
            bytes: await readInputFile(options.chainPath, limit),
            source: options.chainPath,
          },
        }),
    password,
    ...(options.legacy === undefined ? {} : { legacy: options.legacy }),
    ...(options.friendlyName === undefined ? {} : { friendlyName: options.friendlyName }),
  });
  await writeFilesAtomically(
    [{ path: options.outputFileName, content: store.der, mode: PRIVATE_KEY_MODE }],
    write,
  );
  return {
    path: options.outputFileName,
    friendlyName: store.friendlyName,
    certificates: store.certificates,
    protection: store.protection,
    warnings: store.warnings,
  };
}

/** Options of {@link writePkcs12} for a trust store: certificate files, each trusted. */
export interface WriteTrustStoreOptions {
  /** Certificate files (PEM bundles or DER): every certificate of each is trusted. */
  readonly trustedCertPaths: readonly string[];
  /** File whose first line is the store password. */
  readonly passwordPath: string;
  /** The trust store to write (mode 0644). */
  readonly outputFileName: string;
  readonly legacy?: boolean;
  readonly force?: boolean;
  /** Largest certificate file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/** What {@link writePkcs12} wrote for a trust store. */
export interface WrittenTrustStore {
  readonly path: string;
  readonly entries: TrustStore['entries'];
  readonly protection: TrustStore['protection'];
}

/** Reads certificate files; writes the trust store (0644). */
async function writeTrustStore(options: WriteTrustStoreOptions): Promise<WrittenTrustStore> {
  if (options.trustedCertPaths.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'name at least one certificate file to trust');
  }
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: [...options.trustedCertPaths, options.passwordPath],
  };
  await checkWritePlan({
    ...write,
    outputs: [{ path: options.outputFileName, mode: PUBLIC_FILE_MODE }],
  });
  const password = await readPassphraseFile(options.passwordPath);
  const limit = readLimit(options.maxInputBytes);
  const inputs = [];
  for (const path of options.trustedCertPaths) {
    inputs.push({ bytes: await readInputFile(path, limit), source: path });
  }
  const store = createPkcs12({
    trustedCertificates: inputs,
    password,
    ...(options.legacy === undefined ? {} : { legacy: options.legacy }),
  });
  await writeFilesAtomically(
    [{ path: options.outputFileName, content: store.der, mode: PUBLIC_FILE_MODE }],
    write,
  );
  return { path: options.outputFileName, entries: store.entries, protection: store.protection };
}
