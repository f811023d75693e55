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

  constructor(code: CertkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CertkitError';
    this.code = code;
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
