/**
 * `certs snippet`: the connection code of one Redis client with verification on. Checks the
 * options (rendering once, before any file is read), reads the files the snippet names and
 * judges them (judge/snippet-files.ts: the CA file holds certificates, the key belongs to the
 * certificate), then renders the snippet (make/snippets.ts) with the name-check defaults of the
 * client's libraries (judge/client-libraries.ts) in its advice.
 */
import { resolve } from 'node:path';
import { CertkitError } from '../errors.js';
import { parseEndpoint } from '../io/endpoints.js';
import { readInputFile, STDIN_PATH } from '../io/read.js';
import { CLIENT_LIBRARIES } from '../judge/client-libraries.js';
import { checkSnippetFiles } from '../judge/snippet-files.js';
import type { SnippetFile } from '../judge/snippet-files.js';
import { renderConnectionSnippet, SNIPPET_LIBRARIES } from '../make/snippets.js';
import type { ConnectionSnippet, ConnectionSnippetOptions } from '../make/snippets.js';
import { readLimit } from './common.js';

/**
 * Options of {@link makeConnectionSnippet}: those of the snippet ({@link renderConnectionSnippet}),
 * with the endpoint as text and paths that may be relative (they are made absolute); the client
 * libraries' defaults are added by the workflow.
 */
export interface MakeConnectionSnippetOptions extends Omit<
  ConnectionSnippetOptions,
  'endpoint' | 'libraries'
> {
  /** `HOST:PORT` or `[IPv6]:PORT`. */
  readonly endpoint: string;
  /** Largest file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/** A path as a snippet names it: absolute; standard input cannot be named. */
function absolutePath(option: string, path: string): string {
  if (path === STDIN_PATH) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${option} cannot be - (standard input): the snippet's client reads the file itself each time it runs, so give its path`,
    );
  }
  return resolve(path);
}

/**
 * Makes the connection snippet of one client, after checking the files it names.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for options out of their type (see
 * `renderConnectionSnippet`), and naming the file for one that cannot be read or is not what it
 * is given as (`NOT_A_CERTIFICATE`, `KEY_MISMATCH`, `KEY_ENCRYPTED`, …)
 *
 * @example
 * ```ts
 * const snippet = await makeConnectionSnippet({ client: 'ioredis',
 *   endpoint: 'redis-12000.redislabs.com:12000', ca: 'ca.pem', cert: 'cert.pem',
 *   key: 'keyclient.pem' });
 * process.stdout.write(snippet.text);
 * ```
 */
export async function makeConnectionSnippet(
  options: MakeConnectionSnippetOptions,
): Promise<ConnectionSnippet> {
  const endpoint = parseEndpoint(options.endpoint);
  const ca = absolutePath('ca', options.ca);
  const cert = options.cert === undefined ? undefined : absolutePath('cert', options.cert);
  const key = options.key === undefined ? undefined : absolutePath('key', options.key);
  const libraries = [
    ...SNIPPET_LIBRARIES[options.client],
    ...(options.client === 'redis-py' && options.cluster === true ? ['redis-py RedisCluster'] : []),
  ];
  const render = () =>
    renderConnectionSnippet({
      client: options.client,
      endpoint,
      ca,
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(options.sni === undefined ? {} : { sni: options.sni }),
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
      ...(options.accept === undefined ? {} : { accept: options.accept }),
      libraries: CLIENT_LIBRARIES.filter((row) => libraries.includes(row.library)),
    });
  // The options are checked before any file is read: the first error is about what was typed.
  const snippet = render();
  const read = async (path: string): Promise<SnippetFile> => ({
    path,
    bytes: await readInputFile(path, {
      ...readLimit(options.maxInputBytes),
      // The client reads the file each time it runs: a FIFO would be empty the second time.
      regularFileOnly: true,
    }),
  });
  const caFile = await read(ca);
  const certFile = cert === undefined ? undefined : await read(cert);
  const keyFile = key === undefined ? undefined : await read(key);
  checkSnippetFiles({
    client: options.client,
    ca: caFile,
    ...(certFile === undefined ? {} : { cert: certFile }),
    ...(keyFile === undefined ? {} : { key: keyFile }),
  });
  return snippet;
}
