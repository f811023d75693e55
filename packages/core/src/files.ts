/**
 * The only module of core that touches the disk: bounded reads, and atomic writes that never
 * replace an existing file without `force` and never leave a partial file behind.
 *
 * Private keys get more care (files whose mode grants nothing to group and others are treated
 * as secret): they are never written through a symbolic link nor into a folder other users can
 * write to, unless `force` is given; and the temporary file a killed process left behind
 * (`.keyclient.pem.<pid>.<random>.tmp`, mode 0600) is removed by the next write of that file
 * once its process is gone.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CertkitError } from './errors.js';

/** Default cap on one input: 10 MiB, far above any real bundle (5,000 certificates are ~7 MiB). */
export const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** Mode of private key files: owner read/write only. */
export const PRIVATE_KEY_MODE = 0o600;
/** Mode of certificates and other public files. */
export const PUBLIC_FILE_MODE = 0o644;
/** Longest passphrase file read: a passphrase is one line, far below this. */
export const MAX_PASSPHRASE_FILE_BYTES = 64 * 1024;

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

/**
 * Reads a passphrase from the first line of a file, as `openssl … -passin file:PATH` does
 * (the line end is not part of it). Refuses an empty passphrase: it would encrypt in name only.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for an empty first line, or a read error
 *
 * @example
 * ```ts
 * const passphrase = await readPassphraseFile('key.pass');
 * await writeClientIdentity({ subject: { commonName: 'app' }, passphrase });
 * ```
 */
export async function readPassphraseFile(path: string): Promise<string> {
  const bytes = await readInputFile(path, { maxBytes: MAX_PASSPHRASE_FILE_BYTES });
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const passphrase = text.split(/\r?\n/, 1)[0] ?? '';
  if (passphrase.length === 0) {
    throw new CertkitError('INVALID_OPTION', `${path} holds an empty passphrase`);
  }
  return passphrase;
}

/** One file to write. */
export interface OutputFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  /**
   * File mode, applied regardless of umask. A mode granting nothing to group and others (0600)
   * marks the file as secret: see {@link writeFilesAtomically}.
   */
  readonly mode: number;
}

/** True for modes that give group and others no access: private keys. */
function isSecret(mode: number): boolean {
  return (mode & 0o077) === 0;
}

/** Our temporary files: `.<name>.<pid>.<12 hex>.tmp`, next to the file they become. */
function tempName(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${String(process.pid)}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files an earlier write of `path` left when its process was killed
 * (SIGKILL, power loss): only files named as ours for this very file, and only when the pid in
 * the name is no longer running, so that a concurrent writer's file is never touched.
 */
async function removeStaleTemps(path: string): Promise<void> {
  const folder = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return; // an unlistable folder: the write itself reports the problem, if any
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    const pid = Number(match?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    // Gone already (a concurrent cleaner) is as good as removed.
    await unlink(join(folder, name)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(error, name, 'remove');
    });
  }
}

/**
 * Refuses to place a private key where others could read or replace it: through a symbolic
 * link (the key would land wherever the link points), or into a folder other users can write
 * to (they could swap the file; ssh refuses such folders for the same reason). `force` accepts
 * both: a link is then replaced by the file, its target is left alone.
 */
async function assertSafeForSecret(path: string, force: boolean): Promise<void> {
  if (force) return;
  let link;
  try {
    link = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsError(error, path, 'check');
  }
  if (link?.isSymbolicLink() === true) {
    throw new CertkitError(
      'UNSAFE_WRITE',
      `${path} is a symbolic link; refusing to write a private key through it (use --force to replace the link itself; nothing was written)`,
    );
  }
  const folder = dirname(path);
  let info;
  try {
    info = await stat(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // created later, 0755
    throw fsError(error, folder, 'check');
  }
  if ((info.mode & 0o002) !== 0) {
    throw new CertkitError(
      'UNSAFE_WRITE',
      `${folder} is writable by other users; refusing to write the private key ${path} there (use --force to write anyway; nothing was written)`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A missing file, or a parent that is not a folder: nothing exists there to overwrite.
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw fsError(error, path, 'check');
  }
}

/**
 * Fails with `FILE_EXISTS` when any of `paths` exists and `force` is not set, and with
 * `UNSAFE_WRITE` when a path listed in `secret` is a symbolic link or lies in a folder others
 * can write to; used before expensive work (a key's prime search) so that a refusal comes at
 * once.
 *
 * @example
 * ```ts
 * await assertCanWrite(['keyclient.pem', 'cert.pem'], { secret: ['keyclient.pem'] });
 * ```
 */
export async function assertCanWrite(
  paths: readonly string[],
  options: { force?: boolean; secret?: readonly string[] } = {},
): Promise<void> {
  if (options.force === true) return;
  for (const path of options.secret ?? []) await assertSafeForSecret(path, false);
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
 * final name. A reader, or a process killed at any moment, finds each file either as it was
 * or complete, never partial. Secret files (mode 0600) are refused through symbolic links and
 * in folders others can write to unless `force`; stale temporary files of killed writers of the
 * same file are removed first. Without `force`, an existing file is never replaced: the check happens before
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
    { force, secret: files.filter((f) => isSecret(f.mode)).map((f) => f.path) },
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
  for (const file of files) await removeStaleTemps(file.path);
  const temps: { temp: string; file: OutputFile }[] = [];
  const placed: string[] = [];
  try {
    for (const file of files) {
      const temp = tempName(file.path);
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
