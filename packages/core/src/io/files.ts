/**
 * The only module of core that touches the disk: bounded reads, and writes planned and checked
 * before any work is done (see {@link checkWritePlan}), then made atomically and all-or-nothing
 * (see {@link writeFilesAtomically}).
 *
 * The rules a write obeys: it never replaces an existing file without `force`, and never
 * anything but a regular file or a symbolic link even with it (a link is replaced, not
 * followed); it never overwrites one of the command's own inputs; a private key (a file whose
 * mode grants nothing to group and others) and the files written with it go only into folders
 * that no one but the caller and root can change, as ssh's StrictModes requires; and the
 * temporary file a killed process left behind (`.keyclient.pem.<pid>.<random>.tmp`, mode 0600)
 * is removed by the next write of that file once its process is gone.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import {
  link,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CertkitError } from '../errors.js';
import { looksLikeEndpoint } from '../x509/input-hints.js';

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
      // A missing input named HOST:PORT: the user meant the certificates that endpoint presents.
      return action === 'read' && looksLikeEndpoint(path)
        ? new CertkitError(
            'FILE_NOT_FOUND',
            `cannot read ${path}: no such file; ${path} looks like an endpoint HOST:PORT, not a file`,
            { cause: error, remedy: { kind: 'fetch', endpoint: path } },
          )
        : new CertkitError('FILE_NOT_FOUND', `cannot ${action} ${path}: no such file`, {
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
    case 'ENXIO':
      return new CertkitError(
        'NOT_A_FILE',
        `cannot ${action} ${path}: it is a socket, not a file`,
        {
          cause: error,
        },
      );
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

/** The input name that means standard input, as in most Unix tools (`certs chain - other.pem`). */
export const STDIN_PATH = '-';

/** Standard input can be read once: a second reader would find it at its end. */
let stdinRead = false;

/** How a FIFO, a character device or standard input is named in errors. */
function streamName(path: string): string {
  return path === STDIN_PATH ? '- (standard input)' : path;
}

/** The refusal of an input over the cap; `size` is undefined for a stream (FIFO, device, stdin). */
function tooLarge(path: string, size: number | undefined, max: number): CertkitError {
  return new CertkitError(
    'FILE_TOO_LARGE',
    size === undefined
      ? `cannot read ${path}: it goes on past the ${String(max)}-byte limit`
      : `cannot read ${path}: ${String(size)} bytes is over the ${String(max)}-byte limit`,
  );
}

/**
 * Reads a stream (a FIFO, a character device) to its end, at most `max` bytes: one byte more
 * is refused, so `/dev/zero` costs `max` bytes of reading, not forever.
 */
async function readStream(handle: FileHandle, path: string, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.alloc(Math.min(64 * 1024, max + 1 - total));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > max) throw tooLarge(path, undefined, max);
    chunks.push(buffer.subarray(0, bytesRead));
  }
  const all = Buffer.concat(chunks, total);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/** Reads standard input to its end, at most `max` bytes, once per process. */
async function readStdin(max: number): Promise<Uint8Array> {
  const name = streamName(STDIN_PATH);
  if (stdinRead) {
    throw new CertkitError(
      'INVALID_OPTION',
      `cannot read ${name} twice: it is read once, so name - for one input only`,
    );
  }
  stdinRead = true;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      total += chunk.length;
      // Leaving the loop destroys the stream: nothing more is read.
      if (total > max) throw tooLarge(name, undefined, max);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof CertkitError) throw error;
    throw fsError(error, name, 'read');
  }
  const all = Buffer.concat(chunks, total);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * Reads a whole input: a regular file, refused before reading when it is larger than
 * `maxBytes`; a FIFO (`<(certs fetch …)`, `mkfifo`) or a character device (`/dev/stdin`), read
 * to its end and refused at the first byte over `maxBytes`; or standard input for
 * {@link STDIN_PATH} (`-`), likewise, once per process. Directories, block devices and sockets
 * are refused; with `regularFileOnly`, streams too (without waiting for a FIFO's writer), for a
 * read that must not block, such as a hint about a value.
 *
 * @example
 * ```ts
 * const bytes = await readInputFile('servercerts.pem');
 * ```
 */
export async function readInputFile(
  path: string,
  options: { maxBytes?: number; regularFileOnly?: boolean } = {},
): Promise<Uint8Array> {
  const max = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const streams = options.regularFileOnly !== true;
  if (path === STDIN_PATH && streams) return readStdin(max);
  let handle: FileHandle;
  try {
    // Blocking, as `cat` opens: a FIFO opens once its writer has. Without streams, at once.
    handle = await open(path, constants.O_RDONLY | (streams ? 0 : constants.O_NONBLOCK));
  } catch (error) {
    throw fsError(error, path, 'read');
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      throw new CertkitError('NOT_A_FILE', `cannot read ${path}: it is a directory`);
    if (streams && (info.isFIFO() || info.isCharacterDevice()))
      return await readStream(handle, path, max);
    if (!info.isFile())
      throw new CertkitError(
        'NOT_A_FILE',
        streams
          ? `cannot read ${path}: not a regular file, a FIFO or a character device`
          : `cannot read ${path}: not a regular file`,
      );
    if (info.size > max) throw tooLarge(path, info.size, max);
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

/** One file a command will write: where, and with which mode. */
export interface PlannedOutput {
  readonly path: string;
  /**
   * File mode, applied regardless of umask. A mode granting nothing to group and others (0600)
   * marks the file as secret, a private key: see {@link checkWritePlan}.
   */
  readonly mode: number;
}

/** One file to write. */
export interface OutputFile extends PlannedOutput {
  readonly content: string | Uint8Array;
}

/**
 * A file the command reads. No output may be that file (same device and inode, symbolic links
 * followed), or the command would destroy its own input: the only copy of a key, a CA key. The
 * one exception is an output named as the input's new version (`replacedBy`), as renewing a
 * certificate in place does: the input is read whole before anything is written.
 */
export type PlannedInput = string | { readonly path: string; readonly replacedBy: string };

/** How files are written: shared by {@link checkWritePlan} and {@link writeFilesAtomically}. */
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
 * {@link writeFilesAtomically} checks it again when writing.
 */
export interface WritePlan extends WriteOptions {
  readonly outputs: readonly PlannedOutput[];
}

/**
 * Test seam, not part of the public API (index.ts does not export it): runs just before each
 * output takes its final name, so that a test can make that step fail as a concurrent change
 * would (a folder appearing at the second path), and see the first file restored.
 *
 * @internal
 */
export const writeTestHooks: { beforeReplace?: ((path: string) => Promise<void>) | undefined } = {};

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

/** The effective user id, or undefined where there is none (Windows: ACLs decide there). */
function callerUid(): number | undefined {
  return process.geteuid?.();
}

/**
 * Removes temporary files an earlier write of `path` left when its process was killed
 * (SIGKILL, power loss): only regular files of the caller named as ours for this very file, and
 * only when the pid in the name is no longer running, so that a concurrent writer's file is
 * never touched. Anything else with such a name (a folder, another user's file in a shared
 * folder) is left alone and never stops the write: our own temporary names are random.
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
  const uid = callerUid();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    const pid = Number(match?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    const stale = join(folder, name);
    // Best effort throughout: a leftover that cannot be looked at or removed (gone already, a
    // read-only mount) takes nothing from the write, which uses a new random name.
    const info = await lstat(stale).catch(() => null);
    if (info === null || !info.isFile() || (uid !== undefined && info.uid !== uid)) continue;
    await unlink(stale).catch(() => undefined);
  }
}

/** lstat, or null when nothing is there (or a parent is not a folder). */
async function lstatOrNull(path: string): Promise<Stats | null> {
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
function nonRegularKind(info: Stats): string | null {
  if (info.isFile() || info.isSymbolicLink()) return null;
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegularError(path: string, kind: string): CertkitError {
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

/** `mode 0775` for messages. */
function octal(mode: number): string {
  return `mode ${(mode & 0o7777).toString(8).padStart(4, '0')}`;
}

function writableBy(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  return group && others ? 'its group and other users' : group ? 'its group' : 'other users';
}

/**
 * The rule of ssh's StrictModes (OpenSSH `safe_path`), for every folder that will hold a private
 * key or a file written with one: whoever can write to a folder can swap the files in it (put
 * their own key and certificate in place of ours), and whoever can write to a parent can move
 * the whole folder away and put their own in its place. So:
 *
 * - the folder itself must be owned by the caller or root and writable by its owner only. A
 *   sticky world-writable folder such as /tmp is refused too: the sticky bit stops others from
 *   removing our files once written, but not from taking the names first (the key's, the
 *   certificate's, the next renewal's), and /tmp cleaners delete keys;
 * - every parent up to `/` must be owned by the caller or root and writable by its owner only,
 *   or be sticky: in a sticky folder (/tmp) only the owner of an entry can rename it, and the
 *   entry below it is checked to be the caller's or root's. So `mktemp -d` folders are fine.
 *
 * Unlike ssh, which stops at the user's home folder, the walk goes up to `/`: a key is not
 * always under a home folder, and a home folder owned by someone else is exactly the case to
 * catch. The path walked is the real one (links resolved), as ssh does; whoever owns a folder
 * holding a symbolic link along the way can point it elsewhere later, which no check at write
 * time can prevent. Between this check and the write, only the caller and root can change the
 * folders it accepted: that is what the rule ensures, so the check holds until the rename.
 */
async function assertPrivateFolder(output: string): Promise<void> {
  const uid = callerUid();
  if (uid === undefined) return;
  const folder = dirname(output);
  let real: string;
  let exists = true;
  try {
    real = await realpath(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw fsError(error, folder, 'check');
    const parent = await realpath(dirname(folder)).catch((parentError: unknown) => {
      if ((parentError as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw fsError(parentError, dirname(folder), 'check');
    });
    if (parent === null) return; // the write fails on the missing parent, before any file
    real = join(parent, basename(folder));
    exists = false; // createFolder makes it, the caller's and 0755
  }
  let dir = real;
  let below: string | null = null;
  for (;;) {
    if (below !== null || exists) {
      let info: Stats;
      try {
        info = await stat(dir);
      } catch (error) {
        throw fsError(error, dir, 'check');
      }
      if (info.uid !== uid && info.uid !== 0) {
        throw new CertkitError(
          'UNSAFE_WRITE',
          below === null
            ? `refusing to write ${output}: its folder ${dir} belongs to user ${String(info.uid)}, who could replace the files in it; a private key's folder must be owned by you or root (nothing was written)`
            : `refusing to write ${output}: ${dir} belongs to user ${String(info.uid)}, who could move ${below} away and put another folder in its place; the folders above a private key must be owned by you or root (nothing was written)`,
        );
      }
      const writable = (info.mode & 0o022) !== 0;
      const sticky = (info.mode & 0o1000) !== 0;
      if (below === null && writable) {
        throw new CertkitError(
          'UNSAFE_WRITE',
          `refusing to write ${output}: its folder ${dir} is writable by ${writableBy(info.mode)} (${octal(info.mode)}), who could replace the files in it; a private key's folder must be writable by its owner only, sticky or not (chmod go-w ${dir}; nothing was written)`,
        );
      }
      if (below !== null && writable && !sticky) {
        throw new CertkitError(
          'UNSAFE_WRITE',
          `refusing to write ${output}: ${dir} is writable by ${writableBy(info.mode)} (${octal(info.mode)}) without the sticky bit, so they could move ${below} away and put another folder in its place; the folders above a private key must be writable by their owner only, or sticky like /tmp (nothing was written)`,
        );
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    below = dir;
    dir = parent;
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

/**
 * Fails with `FILE_EXISTS` when any of `paths` exists and `force` is not set, and refuses what
 * {@link checkWritePlan} refuses (`secret` lists the private-key paths); used before expensive
 * work (a key's prime search) so that a refusal comes at once. A shorthand for
 * {@link checkWritePlan}.
 *
 * @example
 * ```ts
 * await assertCanWrite(['keyclient.pem', 'cert.pem'], { secret: ['keyclient.pem'] });
 * ```
 */
export async function assertCanWrite(
  paths: readonly string[],
  options: { force?: boolean; secret?: readonly string[]; inputs?: readonly PlannedInput[] } = {},
): Promise<void> {
  const secret = new Set(options.secret ?? []);
  const all = [...paths, ...[...secret].filter((p) => !paths.includes(p))];
  await checkWritePlan({
    outputs: all.map((path) => ({
      path,
      mode: secret.has(path) ? PRIVATE_KEY_MODE : PUBLIC_FILE_MODE,
    })),
    ...(options.force === undefined ? {} : { force: options.force }),
    ...(options.inputs === undefined ? {} : { inputs: options.inputs }),
  });
}

/** Creates the missing folders of `files` (one level each); returns those it made. */
async function createFolders(files: readonly OutputFile[], create: boolean): Promise<string[]> {
  const created: string[] = [];
  for (const folder of new Set(files.map((f) => dirname(f.path)))) {
    let info;
    try {
      info = await stat(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) {
        throw fsError(error, folder, 'write into');
      }
      try {
        // Only the last level is created: a mistyped parent path is an error, not a new tree.
        // 0755 under any umask leaves no group or other write bit (the private-folder rule).
        await mkdir(folder, { mode: 0o755 });
      } catch (mkdirError) {
        await Promise.all(created.map((c) => rmdir(c).catch(() => undefined)));
        throw fsError(mkdirError, folder, 'create folder');
      }
      created.push(folder);
      continue;
    }
    if (!info.isDirectory()) {
      await Promise.all(created.map((c) => rmdir(c).catch(() => undefined)));
      throw new CertkitError('WRITE_FAILED', `cannot write into ${folder}: not a directory`);
    }
  }
  return created;
}

/** One output in place, and the link that keeps the file it replaced until all are in place. */
interface Placed {
  readonly path: string;
  readonly previous: string | null;
}

/**
 * Writes files all-or-nothing: each goes to a temporary file in its own folder (mode set before
 * any byte is written, `O_EXCL | O_NOFOLLOW`), is flushed to disk, then takes its final name.
 * A reader, or a process killed at any moment, finds each file either as it was or complete,
 * never partial.
 *
 * The plan ({@link checkWritePlan}: outputs, `inputs`, `force`) is checked again here, after the
 * caller's own early check, because files may have changed meanwhile; and each path is looked
 * at once more just before it is replaced. Without `force` the final step is `link()`, which
 * fails atomically if a file appeared meanwhile. With `force`, the file being replaced is kept
 * under a temporary name (a hard link) until every new file is in place: when a later step
 * fails, every file already replaced gets its old content back, and new files are removed, so
 * that a failure leaves the folders as they were. Stale temporary files of killed writers of
 * the same files are removed first.
 *
 * What remains: between the last look at a path and the rename, someone who can write to its
 * folder can put something else there (a FIFO, a device) and see it replaced. For private keys
 * that is only the caller or root, by the folder rule; elsewhere a non-root user can only make
 * FIFOs, and a sticky folder stops them from having ours replace anything but their own. Node
 * offers no `renameat2(RENAME_NOREPLACE | RENAME_EXCHANGE)` to close it. A process killed
 * between two renames leaves the first file new and the second old (each whole): a journal
 * would be needed to undo that, and rerunning the command gives a matching pair.
 *
 * @throws {@link CertkitError} what {@link checkWritePlan} throws, or `WRITE_FAILED`
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
  options: WriteOptions = {},
): Promise<void> {
  const force = options.force ?? false;
  const plan: WritePlan = { ...options, outputs: files };
  await checkWritePlan(plan);
  const created = await createFolders(files, options.createFolder ?? false);
  const temps: { temp: string; file: OutputFile }[] = [];
  const placed: Placed[] = [];
  const previous: string[] = [];
  try {
    // The folders just made are the caller's; checked as any other, for the parents' sake.
    if (created.length > 0) await checkWritePlan(plan);
    for (const file of files) await removeStaleTemps(file.path);
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
      const current = await lstatOrNull(file.path);
      const kind = current === null ? null : nonRegularKind(current);
      if (kind !== null) throw notRegularError(file.path, kind);
      let kept: string | null = null;
      if (force && current !== null) {
        kept = tempName(file.path);
        try {
          // link() does not follow a symbolic link: the link itself is kept, as it is replaced.
          await link(file.path, kept);
        } catch (error) {
          throw new CertkitError(
            'WRITE_FAILED',
            `cannot keep ${file.path} while replacing it (${(error as NodeJS.ErrnoException).code ?? 'I/O error'}); nothing was replaced`,
            { cause: error },
          );
        }
        previous.push(kept);
      }
      await writeTestHooks.beforeReplace?.(file.path);
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
      placed.push({ path: file.path, previous: kept });
    }
  } catch (error) {
    // Cleanup of files that may already be gone: a failure there changes nothing to report,
    // except a file that could not be given back its old content, which the message names.
    await Promise.all(temps.map(({ temp }) => unlink(temp).catch(() => undefined)));
    const unrestored: string[] = [];
    for (const { path, previous: kept } of placed.reverse()) {
      if (kept === null) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      try {
        await rename(kept, path);
      } catch {
        unrestored.push(`${path} (its previous content is in ${kept})`);
      }
    }
    const givenBack = new Set(placed.map((p) => p.previous));
    await Promise.all(
      previous
        .filter((kept) => !givenBack.has(kept))
        .map((kept) => unlink(kept).catch(() => undefined)),
    );
    for (const folder of created) await rmdir(folder).catch(() => undefined);
    const restoreNote =
      unrestored.length === 0 ? '' : `; could not restore ${unrestored.join(', ')}`;
    if (error instanceof CertkitError) {
      if (restoreNote === '') throw error;
      throw new CertkitError(error.code, `${error.message}${restoreNote}`, { cause: error });
    }
    throw new CertkitError(
      'WRITE_FAILED',
      `cannot write ${files.map((f) => f.path).join(', ')}: ${(error as NodeJS.ErrnoException).code ?? 'I/O error'}; nothing was replaced${restoreNote}`,
      { cause: error },
    );
  }
  // Every new file is in place: the old ones are no longer needed.
  await Promise.all(previous.map((kept) => unlink(kept).catch(() => undefined)));
}
