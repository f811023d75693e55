/** `certs expiry`: read the certificate files, then judge them (judge/expiry.ts). */
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/files.js';
import { checkExpiry, renewalWindowOf } from '../judge/expiry.js';
import type { ExpiryOptions, ExpiryReport } from '../judge/expiry.js';
import { readLimit } from './common.js';

/**
 * Reads files and runs {@link checkExpiry} on them.
 *
 * @example
 * ```ts
 * const report = await checkExpiryFiles(['proxy_cert.pem', 'cert.pem'], { within: '10%' });
 * ```
 */
export async function checkExpiryFiles(
  paths: readonly string[],
  options: ExpiryOptions & { maxBytes?: number } = {},
): Promise<ExpiryReport> {
  if (paths.length === 0)
    throw new CertkitError('INVALID_OPTION', 'name at least one certificate file');
  // Parse the window first: a typo fails before any file is read.
  const window = renewalWindowOf(options.within);
  const inputs = [];
  for (const path of paths) {
    inputs.push({
      bytes: await readInputFile(path, readLimit(options.maxBytes)),
      source: path,
    });
  }
  return checkExpiry(inputs, { ...options, within: window });
}
