/** `certs csr`: make a key and a PKCS#10 request (make/csr.ts) and write both. */
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  checkWritePlan,
  outputPath,
  writeFilesAtomically,
} from '../io/files.js';
import type { WriteOptions } from '../io/files.js';
import { createCertificateRequest } from '../make/csr.js';
import type { CertificateRequestOptions } from '../make/csr.js';
import type { CertificationRequestInfo } from '../x509/structures.js';

/** Default request file name, next to `PROXY_KEY_FILE`-style key names. */
export const CSR_FILE = 'proxy.csr';
/** Default key file name of a request: the key the signed certificate will go with. */
export const CSR_KEY_FILE = 'proxy_key.pem';

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
