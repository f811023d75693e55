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

/**
 * stdout (or stderr) was closed before everything was written, as `certs inspect … | head -1`
 * does: the command stops at once, silently, with the status a shell shows for a program that
 * SIGPIPE ended (128 + 13), as `cat` or `openssl` would give. Not 1 or 2: nothing was found
 * wrong, and the command ran; its reader stopped listening.
 */
export const EXIT_OUTPUT_CLOSED = 141;

/** The EXIT CODES section every command's help ends with. */
export const EXIT_CODES_HELP = `EXIT CODES
  0    success
  1    a check ran and found an error
  2    the command could not run: usage, unreadable or invalid input, or a file
       that would be replaced
  130  interrupted (Ctrl-C); commands working on many endpoints print what was
       done first
  141  its output was closed early (a pipe into head): it stopped there`;
