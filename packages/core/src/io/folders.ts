/**
 * Reading folders as inputs (`certs expiry /etc/redis/`): the files a folder holds, one level or
 * recursively, bounded however large or deep the tree. Symbolic links to files are followed
 * (a certificate is often a link into a store); links to folders are not entered when walking a
 * tree, as `find` does by default, so a link loop costs nothing. Names starting with a dot are
 * left out (editor and atomic-write temporaries, `.git`), as `run-parts` and shells do.
 */
import { mkdtemp, opendir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertkitError } from '../errors.js';

/** Most files taken from the folders of one command: far above a certificate store. */
export const MAX_FOLDER_FILES = 10_000;
/** Deepest folder entered below a folder given. */
export const MAX_FOLDER_DEPTH = 16;

/** What {@link listFolderFiles} found. */
export interface FolderListing {
  /** Regular files (or links to them), in name order, folder by folder. */
  readonly files: readonly string[];
  /** What was left out and why: not a file, a link to a folder, too deep, over the cap. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** Folders that could not be read (permission denied, vanished): reported, not fatal. */
  readonly unreadable: readonly { readonly path: string; readonly error: CertkitError }[];
}

function readError(path: string, error: unknown): CertkitError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOENT'
        ? 'no such folder'
        : (code ?? 'I/O error');
  return new CertkitError('FILE_UNREADABLE', `cannot read folder ${path}: ${why}`, {
    cause: error,
  });
}

/**
 * Lists the files of a folder: its regular files (and links to files), and with `recursive`
 * those of its sub-folders too (not through links to folders), at most {@link MAX_FOLDER_FILES}
 * files and {@link MAX_FOLDER_DEPTH} levels.
 *
 * @example
 * ```ts
 * const listing = await listFolderFiles('/etc/redis/tls', { recursive: true });
 * for (const path of listing.files) console.log(path);
 * ```
 */
export async function listFolderFiles(
  folder: string,
  options: { recursive?: boolean; maxFiles?: number } = {},
): Promise<FolderListing> {
  const maxFiles = options.maxFiles ?? MAX_FOLDER_FILES;
  const files: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const unreadable: { path: string; error: CertkitError }[] = [];
  // Depth-first, each folder's entries in name order: the same order on every run.
  const pending: { path: string; depth: number }[] = [{ path: folder, depth: 0 }];
  while (pending.length > 0) {
    const { path, depth } = pending.pop() as { path: string; depth: number };
    let names: { name: string; kind: 'file' | 'folder' | 'link' | 'other' }[];
    try {
      names = [];
      const limit = maxFiles * 2;
      for await (const entry of await opendir(path)) {
        if (entry.name.startsWith('.')) continue;
        const kind = entry.isFile()
          ? 'file'
          : entry.isDirectory()
            ? 'folder'
            : entry.isSymbolicLink()
              ? 'link'
              : 'other';
        names.push({ name: entry.name, kind });
        // Bounded: a folder with millions of entries is not listed to the end.
        if (names.length >= limit) {
          skipped.push({
            path,
            reason: `more than ${String(limit)} entries: the rest not read`,
          });
          break;
        }
      }
    } catch (error) {
      unreadable.push({ path, error: readError(path, error) });
      continue;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folders: string[] = [];
    for (const { name, kind } of names) {
      const child = join(path, name);
      let resolved = kind;
      if (kind === 'link') {
        try {
          const target = await stat(child);
          resolved = target.isFile() ? 'file' : target.isDirectory() ? 'folder' : 'other';
          if (resolved === 'folder') {
            skipped.push({ path: child, reason: 'a link to a folder, not followed' });
            continue;
          }
        } catch {
          skipped.push({ path: child, reason: 'a broken link' });
          continue;
        }
      }
      if (resolved === 'folder') {
        if (options.recursive !== true) continue;
        if (depth + 1 > MAX_FOLDER_DEPTH) {
          skipped.push({
            path: child,
            reason: `deeper than ${String(MAX_FOLDER_DEPTH)} levels, not entered`,
          });
        } else {
          folders.push(child);
        }
        continue;
      }
      if (resolved !== 'file') {
        skipped.push({ path: child, reason: 'not a regular file' });
        continue;
      }
      if (files.length >= maxFiles) {
        skipped.push({
          path: child,
          reason: `over ${String(maxFiles)} files: not read (name fewer folders)`,
        });
        return { files, skipped, unreadable };
      }
      files.push(child);
    }
    // Pushed in reverse so that they are entered in name order.
    for (const child of folders.reverse()) pending.push({ path: child, depth: depth + 1 });
  }
  return { files, skipped, unreadable };
}

/** True when `path` is a folder (following links); false for anything else or nothing. */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A private temporary folder (mode 0700) for files a run needs, removed with {@link RunFolder.remove}. */
export interface RunFolder {
  readonly path: string;
  /** Writes a file in the folder (mode 0600); returns its path. */
  readonly write: (name: string, content: Uint8Array | string) => Promise<string>;
  /** Removes the folder and everything in it. */
  readonly remove: () => Promise<void>;
}

/**
 * Makes a private temporary folder under the system's temporary folder, for the files of one
 * run (`certs stunnel test`: its configuration and log).
 *
 * @example
 * ```ts
 * const run = await makeRunFolder('certs-stunnel-');
 * try { await run.write('stunnel.conf', text); } finally { await run.remove(); }
 * ```
 */
export async function makeRunFolder(prefix: string): Promise<RunFolder> {
  let path: string;
  try {
    path = await mkdtemp(join(tmpdir(), prefix));
  } catch (error) {
    throw new CertkitError(
      'WRITE_FAILED',
      `cannot make a temporary folder in ${tmpdir()}: ${(error as NodeJS.ErrnoException).code ?? 'I/O error'}`,
      { cause: error },
    );
  }
  return {
    path,
    write: async (name, content) => {
      const file = join(path, name);
      await writeFile(file, content, { mode: 0o600, flag: 'wx' });
      return file;
    },
    remove: async () => {
      await rm(path, { recursive: true, force: true });
    },
  };
}
