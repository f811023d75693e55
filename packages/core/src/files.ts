/**
 * The only module of core that touches the disk: bounded reads, and atomic writes that never
 * replace an existing file without `force` and never leave a partial or temporary file behind.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CertkitError } from './errors.js';

/** Default cap on one input: 10 MiB, far above any real bundle (5,000 certificates are ~7 MiB). */
export const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** Mode of private key files: owner read/write only. */
export const PRIVATE_KEY_MODE = 0o600;
/** Mode of certificates and other public files. */
export const PUBLIC_FILE_MODE = 0o644;

function fsError(error: unknown, path: string, action: string): CertkitError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new CertkitError('FILE_NOT_FOUND', `cannot ${action} ${path}: no such file`, {
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new CertkitError('FILE_UNREADABLE', `cannot ${action} ${path}: permission denied`, {
        cause: error,
      });
    case 'EISDIR':
      return new CertkitError('NOT_A_FILE', `cannot ${action} ${path}: it is a directory`, {
        cause: error,
      });
    case 'ELOOP':
      return new CertkitError(
        'FILE_UNREADABLE',
        `cannot ${action} ${path}: too many symbolic links (a loop?)`,
        { cause: error },
      );
    case 'ENOTDIR':
      return new CertkitError(
        'FILE_NOT_FOUND',
        `cannot ${action} ${path}: a parent is not a directory`,
        { cause: error },
      );
    default:
      return new CertkitError(
        'FILE_UNREADABLE',
        `cannot ${action} ${path}: ${code ?? 'I/O error'}`,
        { cause: error },
      );
  }
}

/**
 * Reads a whole file, refusing before reading anything larger than `maxBytes`, directories and
 * other non-files.
 *
 * @example
 * ```ts
 * const bytes = await readInputFile('servercerts.pem');
 * ```
 */
export async function readInputFile(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<Uint8Array> {
  const max = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fsError(error, path, 'read');
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      throw new CertkitError('NOT_A_FILE', `cannot read ${path}: it is a directory`);
    if (!info.isFile())
      throw new CertkitError('NOT_A_FILE', `cannot read ${path}: not a regular file`);
    if (info.size > max) {
      throw new CertkitError(
        'FILE_TOO_LARGE',
        `cannot read ${path}: ${String(info.size)} bytes is over the ${String(max)}-byte limit`,
      );
    }
    const buffer = Buffer.alloc(info.size);
    let offset = 0;
    while (offset < info.size) {
      const { bytesRead } = await handle.read(buffer, offset, info.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, offset);
  } catch (error) {
    if (error instanceof CertkitError) throw error;
    throw fsError(error, path, 'read');
  } finally {
    await handle.close();
  }
}

/** One file to write. */
export interface OutputFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  /** File mode, applied regardless of umask. */
  readonly mode: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fsError(error, path, 'check');
  }
}

/**
 * Fails with `FILE_EXISTS` when any of `paths` exists and `force` is not set; used before
 * expensive work (a key's prime search) so that a refusal comes at once.
 */
export async function assertCanWrite(
  paths: readonly string[],
  options: { force?: boolean } = {},
): Promise<void> {
  if (options.force === true) return;
  const existing: string[] = [];
  for (const path of paths) if (await exists(path)) existing.push(path);
  if (existing.length > 0) {
    throw new CertkitError(
      'FILE_EXISTS',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; use --force to replace (nothing was written)`,
    );
  }
}

/**
 * Writes files all-or-nothing as far as a file system allows: each goes to a temporary file in
 * its own folder (mode set before any byte is written), is flushed to disk, then takes its
 * final name. Without `force`, an existing file is never replaced: the check happens before
 * anything is written, and the final step is `link()`, which fails atomically if a file
 * appeared meanwhile. On any failure, temporary files are removed and files this call already
 * placed are removed again, so that a refusal leaves the folder as it was.
 *
 * @throws {@link CertkitError} `FILE_EXISTS` (nothing written) or `WRITE_FAILED`
 *
 * @example
 * ```ts
 * await writeFilesAtomically([
 *   { path: 'keyclient.pem', content: identity.privateKeyPem, mode: PRIVATE_KEY_MODE },
 *   { path: 'cert.pem', content: identity.certificatePem, mode: PUBLIC_FILE_MODE },
 * ]);
 * ```
 */
export async function writeFilesAtomically(
  files: readonly OutputFile[],
  options: { force?: boolean; createFolder?: boolean } = {},
): Promise<void> {
  const force = options.force ?? false;
  await assertCanWrite(
    files.map((f) => f.path),
    { force },
  );
  const created: string[] = [];
  for (const folder of new Set(files.map((f) => dirname(f.path)))) {
    let info;
    try {
      info = await stat(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || options.createFolder !== true) {
        throw fsError(error, folder, 'write into');
      }
      try {
        // Only the last level is created: a mistyped parent path is an error, not a new tree.
        await mkdir(folder, { mode: 0o755 });
      } catch (mkdirError) {
        throw fsError(mkdirError, folder, 'create folder');
      }
      created.push(folder);
      continue;
    }
    if (!info.isDirectory())
      throw new CertkitError('WRITE_FAILED', `cannot write into ${folder}: not a directory`);
  }
  const temps: { temp: string; file: OutputFile }[] = [];
  const placed: string[] = [];
  try {
    for (const file of files) {
      const temp = join(
        dirname(file.path),
        `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`,
      );
      temps.push({ temp, file });
      let handle: FileHandle;
      try {
        handle = await open(
          temp,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          file.mode,
        );
      } catch (error) {
        throw fsError(error, dirname(file.path), 'write into');
      }
      try {
        await handle.chmod(file.mode); // the open mode is filtered by umask; this is not
        await handle.writeFile(file.content);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const { temp, file } of temps) {
      if (force) {
        await rename(temp, file.path);
      } else {
        try {
          await link(temp, file.path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new CertkitError(
              'FILE_EXISTS',
              `${file.path} appeared while writing; nothing was replaced`,
            );
          }
          throw error;
        }
        await unlink(temp);
      }
      placed.push(file.path);
    }
  } catch (error) {
    await Promise.all(temps.map(({ temp }) => unlink(temp).catch(() => undefined)));
    // Cleanup of files that may already be gone: a failure here changes nothing to report.
    if (!force) await Promise.all(placed.map((path) => unlink(path).catch(() => undefined)));
    for (const folder of created) await rmdir(folder).catch(() => undefined);
    if (error instanceof CertkitError) throw error;
    throw new CertkitError(
      'WRITE_FAILED',
      `cannot write ${files.map((f) => f.path).join(', ')}: ${(error as NodeJS.ErrnoException).code ?? 'I/O error'}`,
      {
        cause: error,
      },
    );
  }
}
