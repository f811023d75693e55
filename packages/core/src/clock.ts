/**
 * The one clock check. Every function that judges or makes something at a time takes that time
 * as an option (`now`, or `at` for path validation) and reads it through {@link resolveNow}, so
 * that a value that is not a date fails the same way everywhere instead of comparing as "never
 * before, never after": every `<` and `>` against an invalid date is false, which made an expired
 * certificate pass.
 *
 * A leaf beside errors.ts rather than a judge module: make/ (issueCertificate) validates its clock
 * as judge/ does, and make/ may not import judge/.
 */
import { CertkitError } from './errors.js';

/**
 * The time to judge at: `now` as given (a `Date`, or milliseconds since the epoch), or the
 * current time when absent.
 *
 * @param what - how messages name the option (default `now`)
 * @throws {@link CertkitError} `INVALID_OPTION` when `now` is not a valid date (NaN, an invalid
 * `Date`, or any other value)
 *
 * @example
 * ```ts
 * resolveNow(); // the current time
 * resolveNow(Date.parse('2030-01-01T00:00:00Z')); // a Date for that instant
 * resolveNow(new Date(NaN)); // throws INVALID_OPTION: now is not a valid date
 * ```
 */
export function resolveNow(now?: Date | number, what = 'now'): Date {
  if (now === undefined) return new Date();
  const date = typeof now === 'number' ? new Date(now) : now;
  // JavaScript callers can pass anything: check at run time what the types promise.
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new CertkitError('INVALID_OPTION', `${what} is not a valid date`);
  }
  return date;
}
