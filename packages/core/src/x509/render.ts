/** Certificates back to text: clean PEM, optionally annotated. */
import type { Certificate } from './pkix.js';

/** Comment text on one line: control characters in names must not forge PEM lines. */
function commentSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * Renders certificates as clean PEM (RFC 7468: LF, 64-column base64, one block each),
 * optionally with `#` comment lines above each block, which OpenSSL, stunnel and redis skip
 * (text outside BEGIN/END lines is ignored, RFC 7468 section 2).
 *
 * @example
 * ```ts
 * const text = renderCertificates(chain.certificates, { annotate: true });
 * ```
 */
export function renderCertificates(
  certificates: readonly Certificate[],
  options: { annotate?: boolean } = {},
): string {
  return certificates
    .map((c) =>
      options.annotate === true
        ? [
            `# subject: ${commentSafe(c.info.subject)}`,
            `# issuer: ${commentSafe(c.info.issuer)}`,
            `# notAfter: ${c.info.notAfter}`,
            `# sha256: ${c.info.fingerprintSha256}`,
            c.pem,
          ].join('\n')
        : c.pem,
    )
    .join('');
}
