/**
 * A file given where a configuration belongs (a stunnel configuration, a redis.conf) that is a
 * PEM or DER object instead: refused, saying what it is, before any of it is judged. The label
 * of a PEM block is named only when it looks like one; it is never key material.
 */
import { CertkitError } from '../errors.js';
import { describeLabel, looksLikeDer } from '../x509/pem.js';

const PEM_LABEL = /^[A-Z0-9 #_-]{1,40}$/;

/** `NOT_A_CONFIGURATION`: `what` the input is, not a configuration of `program`. */
export function notAConfiguration(what: string, program: string, isKey = false): CertkitError {
  return new CertkitError(
    'NOT_A_CONFIGURATION',
    `${what}, not a ${program} configuration${isKey ? '; keep private keys out of configuration files' : ''}`,
  );
}

/**
 * Refuses DER data before it is parsed as configuration text.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION`
 */
export function refuseDerInput(input: string | Uint8Array, source: string, program: string): void {
  if (typeof input !== 'string' && looksLikeDer(input)) {
    throw notAConfiguration(`${source} is DER data`, program);
  }
}

/**
 * Refuses a configuration whose parse met a PEM block (a key, a certificate), naming the block.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION`
 */
export function refusePemBlock(
  pemBlock: { readonly label: string; readonly line: number } | null,
  source: string,
  program: string,
): void {
  if (pemBlock === null) return;
  const label = PEM_LABEL.test(pemBlock.label) ? pemBlock.label : null;
  const isKey = label !== null && label.includes('PRIVATE KEY');
  throw notAConfiguration(
    `block 1 in ${source} (line ${String(pemBlock.line)}) is ${label === null ? 'a PEM block' : isKey ? `a private key (${label})` : describeLabel(label)}`,
    program,
    isKey,
  );
}
