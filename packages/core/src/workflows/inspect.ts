/**
 * `certs inspect`: read each input (a file, or the chain a `HOST:PORT` endpoint presents), then
 * describe it (judge/inspect.ts). An input that cannot be read is reported; the others are still
 * described.
 */
import { CertkitError, isCertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import { endpointTarget } from '../io/endpoints.js';
import type { Endpoint } from '../io/endpoints.js';
import { fetchPresentedChain } from '../io/presented-chain.js';
import { inspectInputs } from '../judge/inspect.js';
import type { InspectInput, InspectOptions, InspectReport } from '../judge/inspect.js';
import { passphraseFrom, readLimit } from './common.js';

/** Options of {@link inspectFiles}. */
export interface InspectFilesOptions extends InspectOptions {
  /** Largest file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** Read {@link InspectOptions.passphrase} from the first line of this file instead. */
  readonly passphrasePath?: string;
  /** Time allowed for each endpoint's connection and handshake; default `TLS_TIMEOUT_MS`. */
  readonly timeoutMs?: number;
}

/** An input as bytes, as the chain its endpoint presents (no such file, and `HOST:PORT`), or an error. */
async function readOrFetch(path: string, options: InspectFilesOptions): Promise<InspectInput> {
  let endpoint: Endpoint | undefined;
  try {
    return { source: path, bytes: await readInputFile(path, readLimit(options.maxInputBytes)) };
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    endpoint = error.code === 'FILE_NOT_FOUND' ? endpointTarget(path) : undefined;
    if (endpoint === undefined) {
      return { source: path, error: { code: error.code, message: error.message } };
    }
  }
  try {
    const chain = await fetchPresentedChain(endpoint.host, endpoint.port, {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    return { source: path, presented: chain.certificates };
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return { source: path, error: { code: error.code, message: error.message } };
  }
}

/**
 * Reads and describes every block of every input: certificates (all fields, days left, SPKI
 * SHA-256), requests (with their self-signature checked), keys (type, size, format, encrypted or
 * not, SPKI SHA-256: never their material), PKCS#12 files (with the passphrase), and which key
 * goes with which certificate. An input that is no file but reads as `HOST:PORT` is fetched: the
 * certificates the endpoint presents are described.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for no input; read errors are reported per input
 *
 * @example
 * ```ts
 * const report = await inspectFiles(['proxy_cert.pem', 'proxy_key.pem', 'redis-12000.cluster.example.com:12000']);
 * console.log(report.certificateCount, report.matches);
 * ```
 */
export async function inspectFiles(
  paths: readonly string[],
  options: InspectFilesOptions = {},
): Promise<InspectReport> {
  if (paths.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'name at least one file or endpoint to inspect');
  }
  const passphrase = await passphraseFrom(options.passphrase, options.passphrasePath);
  const inputs: InspectInput[] = [];
  for (const path of paths) inputs.push(await readOrFetch(path, options));
  return inspectInputs(inputs, {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(passphrase === undefined ? {} : { passphrase }),
  });
}
