/** What the workflows share: the passphrase option pair, and write-plan inputs. */
import { CertkitError } from '../errors.js';
import { readPassphraseFile } from '../io/read.js';
import type { PlannedInput } from '../io/write-plan.js';

/**
 * The passphrase given directly or in a file (never both: which one wins would be a guess).
 * The file is read as `openssl -passin file:` reads it, by {@link readPassphraseFile}.
 */
export async function passphraseFrom(
  passphrase: string | undefined,
  passphrasePath: string | undefined,
): Promise<string | undefined> {
  if (passphrase !== undefined && passphrasePath !== undefined) {
    throw new CertkitError('INVALID_OPTION', 'give the passphrase or a passphrase file, not both');
  }
  return passphrasePath === undefined ? passphrase : readPassphraseFile(passphrasePath);
}

/** The files a writer reads, as a write plan's inputs (options not given are left out). */
export function inputsOf(...paths: (string | undefined)[]): PlannedInput[] {
  return paths.filter((p): p is string => p !== undefined);
}

/** `{ maxBytes }` for readInputFile when a limit is given, else nothing. */
export function readLimit(maxInputBytes: number | undefined): { maxBytes?: number } {
  return maxInputBytes === undefined ? {} : { maxBytes: maxInputBytes };
}
