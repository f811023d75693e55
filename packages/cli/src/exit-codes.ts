/** Exit codes of every `certs` command (clig.dev; smallstep's EXIT CODES sections). */
export const EXIT_OK = 0;
/** A check ran and found an error (a broken chain, an invalid certificate, a failed check). */
export const EXIT_FINDINGS = 1;
/** The command could not run: usage, unreadable or invalid input, refused write. */
export const EXIT_CANNOT_RUN = 2;
/**
 * Stopped by Ctrl-C (128 + SIGINT, as shells report a process SIGINT ended): a command working
 * on many endpoints prints what it did first, then ends by SIGINT itself (bin.ts), so that a
 * calling shell script stops too.
 */
export const EXIT_INTERRUPTED = 130;

/** The EXIT CODES section every command's help ends with. */
export const EXIT_CODES_HELP = `EXIT CODES
  0  success
  1  a check ran and found an error
  2  the command could not run (usage, unreadable or invalid input, a file that would be replaced)
  130  interrupted (Ctrl-C); commands working on many endpoints print what was done first`;
