/**
 * Write plans: everything a command will write and read, checked before any work is done (see
 * {@link checkWritePlan}) and again by the atomic write (atomic-write.ts).
 *
 * The rules a write obeys: it never replaces an existing file without `force`, and never
 * anything but a regular file or a symbolic link even with it (a link is replaced, not
 * followed); it never overwrites one of the command's own inputs; and a private key (a file
 * whose mode grants nothing to group and others) and the files written with it go only into
 * folders that no one but the caller and root can change, as ssh's StrictModes requires
 * (private-folder.ts).
 */
import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CertkitError } from '../errors.js';
import { fsError } from './fs-error.js';
import { assertPrivateFolder } from './private-folder.js';

/** Mode of private key files: owner read/write only. */
export const PRIVATE_KEY_MODE = 0o600;
/** Mode of certificates and other public files. */
export const PUBLIC_FILE_MODE = 0o644;

/** One file a command will write: where, and with which mode. */
export interface PlannedOutput {
  readonly path: string;
  /**
   * File mode, applied regardless of umask. A mode granting nothing to group and others (0600)
   * marks the file as secret, a private key: see {@link checkWritePlan}.
   */
  readonly mode: number;
}

/**
 * A file the command reads. No output may be that file (same device and inode, symbolic links
 * followed), or the command would destroy its own input: the only copy of a key, a CA key. The
 * one exception is an output named as the input's new version (`replacedBy`), as renewing a
 * certificate in place does: the input is read whole before anything is written.
 */
export type PlannedInput = string | { readonly path: string; readonly replacedBy: string };

/** How files are written: shared by {@link checkWritePlan} and `writeFilesAtomically` (atomic-write.ts). */
export interface WriteOptions {
  /**
   * Replace existing regular files and symbolic links (a link is replaced, never followed).
   * Nothing else is ever replaced: a device, FIFO, socket or folder at an output path is refused
   * with or without `force`. Default: refuse any existing file, and write nothing.
   */
  readonly force?: boolean;
  /** Create the missing last level of an output's folder (mode 0755). */
  readonly createFolder?: boolean;
  /** Files the command reads: outputs must not be one of them. */
  readonly inputs?: readonly PlannedInput[];
}

/**
 * Everything a command will write and read. A writer checks it with {@link checkWritePlan}
 * before its expensive work (a key's prime search, a TLS connection), and
 * `writeFilesAtomically` (atomic-write.ts) checks it again when writing.
 */
export interface WritePlan extends WriteOptions {
  readonly outputs: readonly PlannedOutput[];
}

/** True for modes that give group and others no access: private keys. */
function isSecret(mode: number): boolean {
  return (mode & 0o077) === 0;
}

/**
 * Where a file named by an option goes: an absolute path as given, a relative one inside
 * `outDir`. (Joining an absolute name to `outDir` would silently put the file somewhere the
 * user did not name.)
 *
 * @example
 * ```ts
 * outputPath('client', 'cert.pem'); // client/cert.pem
 * outputPath('client', '/etc/redis/cert.pem'); // /etc/redis/cert.pem
 * ```
 */
export function outputPath(outDir: string, file: string): string {
  return isAbsolute(file) ? file : join(outDir, file);
}

/** lstat, or null when nothing is there (or a parent is not a folder). */
export async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw fsError(error, path, 'check');
  }
}

/** stat (links followed), or null when there is no file at the end (dangling link, loop). */
async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return null;
    throw fsError(error, path, 'check');
  }
}

/** What an existing path is, in words, when it is anything but a regular file or a link. */
export function nonRegularKind(info: Stats): string | null {
  if (info.isFile() || info.isSymbolicLink()) return null;
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The refusal to replace what {@link nonRegularKind} names, `force` or not. */
export function notRegularError(path: string, kind: string): CertkitError {
  return new CertkitError(
    'NOT_A_FILE',
    `refusing to write ${path}: it is ${kind}, and only a regular file or a symbolic link is ever replaced, forced or not (nothing was written)`,
  );
}

/** The file a path names and, for a symbolic link, the file it leads to. */
async function identities(path: string): Promise<Stats[]> {
  const link = await lstatOrNull(path);
  if (link === null) return [];
  if (!link.isSymbolicLink()) return [link];
  const target = await statOrNull(path);
  return target === null ? [link] : [link, target];
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** An output's path with its folder's symbolic links resolved: two names of one file match. */
async function canonicalPath(path: string): Promise<string> {
  try {
    return join(await realpath(dirname(path)), basename(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A folder the write creates has no real path yet; nothing else can be in it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return resolve(path);
    throw fsError(error, dirname(path), 'check');
  }
}

/**
 * Checks a {@link WritePlan} without writing anything, and fails on the first rule broken:
 *
 * - two outputs are one file (`INVALID_OPTION`);
 * - an output path holds anything but a regular file or a symbolic link: a device, a FIFO, a
 *   socket or a folder is never replaced, `force` or not (`NOT_A_FILE`); `/dev/null` stays a
 *   device;
 * - an output is one of the inputs, by device and inode with links followed, so hard links,
 *   links and linked folders are caught (`OUTPUT_IS_INPUT`);
 * - a private key is among the outputs and an output folder, or a parent of one, could be
 *   written to by someone other than the caller and root (the rule of ssh's StrictModes, parents
 *   included, sticky parents such as /tmp accepted; `UNSAFE_WRITE`, `force` or not);
 * - without `force`: a private key would be written through a symbolic link (`UNSAFE_WRITE`), or
 *   an output exists (`FILE_EXISTS`).
 *
 * @example
 * ```ts
 * await checkWritePlan({
 *   outputs: [
 *     { path: 'keyclient.pem', mode: PRIVATE_KEY_MODE },
 *     { path: 'cert.pem', mode: PUBLIC_FILE_MODE },
 *   ],
 *   inputs: ['key.pass'],
 * });
 * ```
 */
export async function checkWritePlan(plan: WritePlan): Promise<void> {
  const force = plan.force ?? false;
  const seen = new Map<string, string>();
  for (const output of plan.outputs) {
    const key = await canonicalPath(output.path);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new CertkitError(
        'INVALID_OPTION',
        `${other} and ${output.path} are the same file; each output needs its own (nothing was written)`,
      );
    }
    seen.set(key, output.path);
  }
  const found = new Map<PlannedOutput, Stats[]>();
  for (const output of plan.outputs) {
    const ids = await identities(output.path);
    const kind = ids[0] === undefined ? null : nonRegularKind(ids[0]);
    if (kind !== null) throw notRegularError(output.path, kind);
    found.set(output, ids);
  }
  for (const input of plan.inputs ?? []) {
    const inputPath = typeof input === 'string' ? input : input.path;
    const inputIds = await identities(inputPath);
    for (const output of plan.outputs) {
      const outputIds = found.get(output) ?? [];
      if (!outputIds.some((a) => inputIds.some((b) => sameFile(a, b)))) continue;
      if (typeof input !== 'string' && input.replacedBy === output.path) continue;
      throw new CertkitError(
        'OUTPUT_IS_INPUT',
        `refusing to write ${output.path}: it is the input ${inputPath}${output.path === inputPath ? '' : ' (the same file)'}, which would be lost; write the output elsewhere (nothing was written)`,
      );
    }
  }
  if (plan.outputs.some((o) => isSecret(o.mode))) {
    for (const output of plan.outputs) await assertPrivateFolder(output.path);
  }
  if (force) return;
  for (const output of plan.outputs) {
    if (isSecret(output.mode) && found.get(output)?.[0]?.isSymbolicLink() === true) {
      throw new CertkitError(
        'UNSAFE_WRITE',
        `${output.path} is a symbolic link; refusing to write a private key through it (nothing was written)`,
        { remedy: { kind: 'force' } },
      );
    }
  }
  const existing = plan.outputs.filter((o) => (found.get(o)?.length ?? 0) > 0).map((o) => o.path);
  if (existing.length > 0) {
    throw new CertkitError(
      'FILE_EXISTS',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''} (nothing was written)`,
      { remedy: { kind: 'force' } },
    );
  }
}
