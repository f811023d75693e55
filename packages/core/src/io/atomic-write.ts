/**
 * Atomic, all-or-nothing writes (see {@link writeFilesAtomically}): each file goes to a temporary
 * file next to it, then takes its final name, after the write plan (write-plan.ts) is checked
 * again. The temporary file a killed process left behind (`.keyclient.pem.<pid>.<random>.tmp`,
 * mode 0600) is removed by the next write of that file once its process is gone.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CertkitError } from '../errors.js';
import { fsError } from './fs-error.js';
import { callerUid } from './private-folder.js';
import { checkWritePlan, lstatOrNull, nonRegularKind, notRegularError } from './write-plan.js';
import type { PlannedOutput, WriteOptions, WritePlan } from './write-plan.js';

/** One file to write. */
export interface OutputFile extends PlannedOutput {
  readonly content: string | Uint8Array;
}

/**
 * Test seam, not part of the public API (index.ts does not export it): runs just before each
 * output takes its final name, so that a test can make that step fail as a concurrent change
 * would (a folder appearing at the second path), and see the first file restored.
 *
 * @internal
 */
export const writeTestHooks: { beforeReplace?: ((path: string) => Promise<void>) | undefined } = {};

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
