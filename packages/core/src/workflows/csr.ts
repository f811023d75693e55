/** `certs csr`: make a key (or read one) and a PKCS#10 request (make/csr.ts), and write them. */
import { readInputFile } from '../io/read.js';
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  checkWritePlan,
  outputPath,
} from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { PlannedOutput, WriteOptions } from '../io/write-plan.js';
import { createCertificateRequest } from '../make/csr.js';
import type { CertificateRequestOptions } from '../make/csr.js';
import type { CertificationRequestInfo } from '../x509/structures.js';
import { inputsOf, passphraseFrom, readLimit } from './common.js';
import { checkClusterName } from './cluster-hint.js';

/** Default request file name of a server (proxy) request, next to `PROXY_KEY_FILE`. */
export const CSR_FILE = 'proxy.csr';
/** Default key file name of a server request: the key the signed certificate will go with. */
export const CSR_KEY_FILE = 'proxy_key.pem';
/** Default request file name of a client request (`usage: 'client'`). */
export const CLIENT_CSR_FILE = 'client.csr';
/** Default key file name of a client request: `gen-client`'s key name. */
export const CLIENT_CSR_KEY_FILE = 'keyclient.pem';

/** Options of {@link writeCertificateRequest}. */
export interface WriteCertificateRequestOptions extends Omit<
  CertificateRequestOptions,
  'existingKey'
> {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /**
   * Request file, inside `outDir` unless absolute; default {@link CSR_FILE}, or
   * {@link CLIENT_CSR_FILE} for a client request.
   */
  readonly csrFileName?: string;
  /**
   * Key file, inside `outDir` unless absolute; default {@link CSR_KEY_FILE}, or
   * {@link CLIENT_CSR_KEY_FILE} for a client request. Not written with `existingKeyPath`.
   */
  readonly keyFileName?: string;
  /** Make the request for this existing private key; no key is written then. */
  readonly existingKeyPath?: string;
  /** Passphrase of an encrypted existing key. */
  readonly passphrase?: string;
  /** Read {@link WriteCertificateRequestOptions.passphrase} from the first line of this file instead. */
  readonly passphrasePath?: string;
  /** Largest input file read (the existing key); default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  readonly force?: boolean;
}

/** What {@link writeCertificateRequest} wrote. */
export interface WrittenCertificateRequest {
  readonly info: CertificationRequestInfo;
  readonly csrPath: string;
  /** The key the request is for: written now, or the existing key (see `privateKeyWritten`). */
  readonly privateKeyPath: string;
  readonly privateKeyWritten: boolean;
  readonly warnings: readonly string[];
}

/**
 * Makes a key and request and writes them: `proxy_key.pem` (0600) and `proxy.csr` (0644), or
 * `keyclient.pem` and `client.csr` for a client request. With `existingKeyPath`, the request is
 * for that key and only the request is written.
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
  await checkClusterName(options.cluster, options.maxInputBytes);
  const outDir = options.outDir ?? '.';
  const client = options.usage === 'client';
  const csrPath = outputPath(outDir, options.csrFileName ?? (client ? CLIENT_CSR_FILE : CSR_FILE));
  const existing = options.existingKeyPath;
  const privateKeyPath =
    existing ??
    outputPath(outDir, options.keyFileName ?? (client ? CLIENT_CSR_KEY_FILE : CSR_KEY_FILE));
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: inputsOf(existing, options.passphrasePath),
  };
  const outputs: PlannedOutput[] = [{ path: csrPath, mode: PUBLIC_FILE_MODE }];
  if (existing === undefined) outputs.unshift({ path: privateKeyPath, mode: PRIVATE_KEY_MODE });
  await checkWritePlan({ ...write, outputs });
  const passphrase = await passphraseFrom(options.passphrase, options.passphrasePath);
  const {
    outDir: _o,
    csrFileName: _c,
    keyFileName: _k,
    existingKeyPath: _e,
    passphrase: _p,
    passphrasePath: _pf,
    maxInputBytes: _m,
    force: _f,
    ...requestOptions
  } = options;
  const request = await createCertificateRequest({
    ...requestOptions,
    ...(existing === undefined
      ? {}
      : {
          existingKey: {
            bytes: await readInputFile(existing, readLimit(options.maxInputBytes)),
            source: existing,
            ...(passphrase === undefined ? {} : { passphrase }),
          },
        }),
  });
  await writeFilesAtomically(
    [
      ...(request.privateKeyPem === undefined
        ? []
        : [{ path: privateKeyPath, content: request.privateKeyPem, mode: PRIVATE_KEY_MODE }]),
      { path: csrPath, content: request.csrPem, mode: PUBLIC_FILE_MODE },
    ],
    write,
  );
  return {
    info: request.info,
    csrPath,
    privateKeyPath,
    privateKeyWritten: request.privateKeyPem !== undefined,
    warnings: request.warnings,
  };
}
