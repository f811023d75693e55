/**
 * `certs expiry` over files and folders: read every file named and every file of every folder
 * named (recursively on request), then judge every certificate (judge/expiry.ts). A file or
 * folder that cannot be read is a row of the report, never the end of it.
 */
import { resolve } from 'node:path';
import { CertkitError, isCertkitError } from '../errors.js';
import { readInputFile } from '../io/files.js';
import { isFolder, listFolderFiles } from '../io/folders.js';
import { checkExpiry, renewalWindowOf } from '../judge/expiry.js';
import type { ExpiryInput, ExpiryNote, ExpiryOptions, ExpiryReport } from '../judge/expiry.js';
import { readLimit } from './common.js';

/** Options of {@link checkExpiryFiles}. */
export interface ExpiryFilesOptions extends ExpiryOptions {
  /** Enter the sub-folders of the folders named too. Default: their files only. */
  readonly recursive?: boolean;
  /** Largest file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/**
 * Reads files and folders and runs {@link checkExpiry} on them: each file named, and each file
 * of each folder named (dot-files left out; with `recursive`, sub-folders too). The same file
 * reached twice is read once. Keys, requests and (in folders) files without PEM are skipped with
 * a note; an unreadable input is a row of `unreadable`.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for no input or a bad window, before any read
 *
 * @example
 * ```ts
 * const report = await checkExpiryFiles(['/etc/redis/tls', 'cert.pem'], { within: '10%', recursive: true });
 * process.exitCode = report.unreadable.length > 0 ? 2 : report.ok ? 0 : 1;
 * ```
 */
export async function checkExpiryFiles(
  paths: readonly string[],
  options: ExpiryFilesOptions = {},
): Promise<ExpiryReport> {
  if (paths.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'name at least one certificate file or folder');
  }
  // Parse the window first: a typo fails before any file is read.
  const window = renewalWindowOf(options.within);
  const { inputs, notes } = await readExpiryInputs(paths, options);
  const report = checkExpiry(inputs, {
    ...(options.now === undefined ? {} : { now: options.now }),
    within: window,
  });
  return { ...report, notes: [...notes, ...report.notes] };
}

/**
 * Reads each file named and each file of each folder named (see {@link checkExpiryFiles}): the
 * inputs of {@link checkExpiry}, and notes on the files of folders left out.
 */
export async function readExpiryInputs(
  paths: readonly string[],
  options: Pick<ExpiryFilesOptions, 'recursive' | 'maxInputBytes'>,
): Promise<{ inputs: ExpiryInput[]; notes: ExpiryNote[] }> {
  const limit = readLimit(options.maxInputBytes);
  const inputs: ExpiryInput[] = [];
  const notes: ExpiryNote[] = [];
  const seen = new Set<string>();
  const read = async (path: string, origin: 'named' | 'listed'): Promise<void> => {
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    try {
      inputs.push({ source: path, origin, bytes: await readInputFile(path, limit) });
    } catch (error) {
      if (!isCertkitError(error)) throw error;
      inputs.push({ source: path, origin, error: { code: error.code, message: error.message } });
    }
  };
  for (const path of paths) {
    if (!(await isFolder(path))) {
      await read(path, 'named');
      continue;
    }
    const listing = await listFolderFiles(path, { recursive: options.recursive === true });
    for (const file of listing.files) await read(file, 'listed');
    for (const { path: skipped, reason } of listing.skipped) {
      notes.push({ source: skipped, message: `${skipped}: ${reason}` });
    }
    for (const { path: folder, error } of listing.unreadable) {
      inputs.push({ source: folder, error: { code: error.code, message: error.message } });
    }
  }
  return { inputs, notes };
}
