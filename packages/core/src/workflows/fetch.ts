/** `certs fetch`: fetch the chain an endpoint presents and write it as PEM. */
import { PUBLIC_FILE_MODE, checkWritePlan, writeFilesAtomically } from '../io/files.js';
import { fetchPresentedChain, parseEndpoint } from '../io/tls.js';
import type { PresentedChain, TlsProbeOptions } from '../io/tls.js';

/** Options of {@link savePresentedChain}. */
export interface SaveChainOptions extends TlsProbeOptions {
  /** File to write the chain to (PEM, 0644); nothing is written when absent. */
  readonly output?: string;
  /** Replace an existing file. Default: refuse. */
  readonly force?: boolean;
}

/** What {@link savePresentedChain} fetched, and where it went. */
export interface SavedChain {
  readonly chain: PresentedChain;
  /** The chain as PEM, in the order the server sent it. */
  readonly pem: string;
  /** Where it was written, when it was. */
  readonly path?: string;
}

/**
 * Fetches the presented chain of `HOST:PORT` ({@link fetchPresentedChain}) and writes it as PEM, atomically and
 * never over an existing file without `force`: what replaces copying `proxy_cert.pem` from each
 * node by hand.
 *
 * @throws {@link CertkitError} `TLS_FAILED`, `FILE_EXISTS`, `WRITE_FAILED`
 *
 * @example
 * ```ts
 * const saved = await savePresentedChain('redis-12000.cluster.example.com:12000', { output: 'proxy_cert.pem' });
 * console.log(saved.chain.certificates.length, saved.path);
 * ```
 */
export async function savePresentedChain(
  endpoint: string,
  options: SaveChainOptions = {},
): Promise<SavedChain> {
  const { host, port } = parseEndpoint(endpoint);
  // Refuse before connecting, so that a refusal is immediate and nothing is fetched in vain.
  // A fetch reads no file: the plan has the output only.
  if (options.output !== undefined) {
    await checkWritePlan({
      outputs: [{ path: options.output, mode: PUBLIC_FILE_MODE }],
      force: options.force ?? false,
    });
  }
  const chain = await fetchPresentedChain(host, port, options);
  const pem = chain.certificates.map((c) => c.pem).join('');
  if (options.output === undefined) return { chain, pem };
  await writeFilesAtomically([{ path: options.output, content: pem, mode: PUBLIC_FILE_MODE }], {
    force: options.force ?? false,
  });
  return { chain, pem, path: options.output };
}
