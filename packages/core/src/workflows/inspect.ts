/** `certs inspect`: read the files, then describe every block (judge/inspect.ts). */
import { resolveNow } from '../clock.js';
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/files.js';
import { inspectBytes, inspectReport } from '../judge/inspect.js';
import type { InspectReport } from '../judge/inspect.js';
import { readLimit } from './common.js';

/**
 * Reads and describes every block of every file: certificates (all fields, days left), requests
 * (with their self-signature checked), and keys (type, size, format, encrypted or not), with
 * `inspectBytes` (judge/inspect.ts; `inspectInputs` does the same for bytes in memory).
 *
 * @throws {@link CertkitError} naming the file for unreadable or invalid input
 *
 * @example
 * ```ts
 * const report = await inspectFiles(['proxy_cert.pem', 'proxy_key.pem']);
 * console.log(report.certificateCount);
 * ```
 */
export async function inspectFiles(
  paths: readonly string[],
  options: { now?: Date | number; maxBytes?: number } = {},
): Promise<InspectReport> {
  if (paths.length === 0)
    throw new CertkitError('INVALID_OPTION', 'name at least one file to inspect');
  // A clock that is not a date fails before any file is read; each file is described as soon
  // as it is read, so the first bad file is the one reported.
  const now = resolveNow(options.now);
  const files = [];
  for (const path of paths) {
    files.push(inspectBytes(await readInputFile(path, readLimit(options.maxBytes)), path, { now }));
  }
  return inspectReport(files);
}
