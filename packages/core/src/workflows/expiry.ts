/**
 * The files and folders `certs expiry` reads: every file named and every file of every folder
 * named (recursively on request), for judge/expiry.ts to judge. A file or folder that cannot be
 * read is a row of the report, never the end of it.
 */
import { resolve } from 'node:path';
import { isCertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import { isFolder, listFolderFiles } from '../io/folders.js';
import type { ExpiryInput, ExpiryNote } from '../judge/expiry.js';
import { readLimit } from './common.js';

/**
 * Reads each file named and each file of each folder named (dot-files left out; with
 * `recursive`, sub-folders too; the same file reached twice is read once): the inputs of
 * `checkExpiry`, and notes on the files of folders left out. An unreadable input is an
 * input holding its error.
 */
export async function readExpiryInputs(
  paths: readonly string[],
  options: { readonly recursive?: boolean; readonly maxInputBytes?: number },
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
