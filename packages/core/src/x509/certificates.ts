/** Certificates read from an input: every block of a PEM bundle, or one DER certificate. */
import { CertkitError } from '../errors.js';
import { derPrivateKeyKind } from './input-hints.js';
import { PRIVATE_KEY_LABELS, describeLabel, parsePemBlocks } from './pem.js';
import { parseCertificate } from './pkix.js';
import type { Certificate } from './pkix.js';

/** Most certificates accepted in one input (a guard against hostile or runaway inputs). */
export const MAX_CERTIFICATES_PER_INPUT = 10_000;

/**
 * Reads every certificate of an input: PEM (any number of blocks, CRLF, BOM, text between
 * blocks) or one DER certificate. A private key, CSR or CRL where certificates are expected is
 * an error naming the block, never quoting it.
 *
 * Bounded before any decoding, against hostile input: at most 10,000 blocks in one input
 * (`TOO_MANY_CERTIFICATES`), and in each certificate at most 256 extensions, 4,096 names in one
 * extension, object identifiers of 128 bytes (16 KiB inside extension values) (`DER_INVALID`).
 *
 * @throws {@link CertkitError} naming the input and block index
 *
 * @example
 * ```ts
 * const certs = parseCertificates(readFileSync('servercerts.pem'), 'servercerts.pem');
 * ```
 */
export function parseCertificates(
  bytes: Uint8Array,
  source: string,
  options: { maxCertificates?: number } = {},
): Certificate[] {
  const max = options.maxCertificates ?? MAX_CERTIFICATES_PER_INPUT;
  const blocks = parsePemBlocks(bytes, source, { maxBlocks: max });
  if (blocks.length > max) {
    throw new CertkitError(
      'TOO_MANY_CERTIFICATES',
      `${source} holds ${String(blocks.length)} blocks; at most ${String(max)} certificates are read from one input`,
    );
  }
  return blocks.map((block) => {
    // A DER key (swapped --cert and --key) is said to be one, not "not a valid certificate".
    const derKey = block.label === null ? derPrivateKeyKind(block.der) : null;
    if (derKey !== null) {
      throw new CertkitError(
        'NOT_A_CERTIFICATE',
        `${source} is ${derKey}, not a certificate (keep private keys out of certificate files)`,
      );
    }
    if (
      block.label !== null &&
      block.label !== 'CERTIFICATE' &&
      block.label !== 'X509 CERTIFICATE'
    ) {
      const what = describeLabel(block.label);
      throw new CertkitError(
        'NOT_A_CERTIFICATE',
        `block ${String(block.index)} in ${source} is ${what}, not a certificate${PRIVATE_KEY_LABELS.includes(block.label) ? ' (keep private keys out of certificate files)' : ''}`,
      );
    }
    return parseCertificate(block.der, { name: source, index: block.index });
  });
}
