/**
 * The one error class of certkit. Callers branch on {@link CertkitError.code}, never on the
 * message (Node's own guidance for errors). Messages are lower-case, name the action and the
 * input, and never contain key material.
 */

/** Every code a {@link CertkitError} can carry. Part of the public API: codes are never renamed. */
export type CertkitErrorCode =
  | 'INVALID_OPTION'
  | 'PEM_EMPTY'
  | 'PEM_INVALID'
  | 'DER_INVALID'
  | 'NOT_A_CERTIFICATE'
  | 'NOT_A_CONFIGURATION'
  | 'CERTIFICATE_INVALID'
  | 'KEY_INVALID'
  | 'KEY_ENCRYPTED'
  | 'KEY_MISMATCH'
  | 'TOO_MANY_CERTIFICATES'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  | 'FILE_EXISTS'
  | 'NOT_A_FILE'
  | 'WRITE_FAILED'
  | 'UNSAFE_WRITE'
  | 'OUTPUT_IS_INPUT'
  | 'CHAIN_BROKEN'
  | 'TLS_FAILED'
  | 'PKCS12_INVALID'
  | 'PROGRAM_NOT_FOUND'
  | 'INTERNAL';

/**
 * What would get a refused request through, as data, for a front end to word with its own
 * names: core's messages say what is wrong in core's terms and never name a command-line flag;
 * the CLI adds `use --force to replace` from `{ kind: 'force' }`.
 *
 * - `force`: the call's `force` option replaces what is there (an existing file; a symbolic
 *   link, the link itself and never its target).
 * - `days`: a validity of at most `max` days fits (the issuer expires first).
 * - `fetch`: a missing input is named like the endpoint `HOST:PORT` it probably stands for:
 *   fetch the certificates it presents (`fetchEndpoints`), then read them from a file.
 * - `option`: the call needs its option `option` (`endpoint`, `ca`) for what it was asked.
 * - `issuer`: the certificate is renewed by the CA that issued it, not by certkit alone.
 * - `cluster`: the value given as a cluster name is something else (a certificate file, an
 *   endpoint `HOST:PORT`, a URL, a database name `redis-<port>.C`, a wildcard); `suggestion`
 *   is the cluster name it probably stands for, when one can be told (for a certificate file:
 *   the cluster that certificate is for).
 */
export type CertkitRemedy =
  | { readonly kind: 'force' }
  | { readonly kind: 'days'; readonly max: number }
  | { readonly kind: 'fetch'; readonly endpoint: string }
  | { readonly kind: 'option'; readonly option: string }
  | { readonly kind: 'issuer' }
  | { readonly kind: 'cluster'; readonly suggestion?: string };

/**
 * An error certkit throws when a request cannot be carried out.
 *
 * @example
 * ```ts
 * try {
 *   await generateClientIdentity({ subject: { commonName: 'app' }, bits: 1024 });
 * } catch (error) {
 *   if (isCertkitError(error) && error.code === 'INVALID_OPTION') console.error(error.message);
 * }
 * ```
 */
export class CertkitError extends Error {
  /** A stable, machine-readable code. */
  readonly code: CertkitErrorCode;
  /** What would get the request through, when something would ({@link CertkitRemedy}). */
  readonly remedy?: CertkitRemedy;

  constructor(
    code: CertkitErrorCode,
    message: string,
    options?: { cause?: unknown; remedy?: CertkitRemedy },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CertkitError';
    this.code = code;
    if (options?.remedy !== undefined) this.remedy = options.remedy;
  }
}

/**
 * True when `value` is a {@link CertkitError}.
 *
 * @example
 * ```ts
 * if (isCertkitError(error)) process.exitCode = 2;
 * ```
 */
export function isCertkitError(value: unknown): value is CertkitError {
  return value instanceof CertkitError;
}
