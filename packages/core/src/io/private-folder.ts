/**
 * The folder rule of private keys: the folders that will hold a private key, and every folder
 * above them, may be changed by no one but the caller and root (ssh's StrictModes).
 */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CertkitError } from '../errors.js';
import { fsError } from './fs-error.js';

/** The effective user id, or undefined where there is none (Windows: ACLs decide there). */
export function callerUid(): number | undefined {
  return process.geteuid?.();
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
export async function assertPrivateFolder(output: string): Promise<void> {
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
