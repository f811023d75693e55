/**
 * stunnel's CAfile judged as stunnel (OpenSSL) uses it: without a self-signed root for a chain,
 * stunnel refuses the server ("Rejected by CERT at depth=1", measured with stunnel 5.68 on an
 * intermediate-only CAfile: test/e2e/stunnel-partial-chain.test.ts), since stunnel sets no
 * partial-chain flag. Pure: the certificates of the CAfile in, findings out.
 */
import type { Certificate } from '../x509/pkix.js';
import { isSelfSigned } from './chain-common.js';
import { missingRoots } from './trust-bundle.js';

/** One finding about a CAfile's roots, for the lint to report under `STUNNEL_CAFILE_NO_ROOT`. */
export interface CaFileRootFinding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/**
 * Findings for the roots a CAfile lacks: an error when it holds no self-signed certificate at all
 * (stunnel then verifies no server), a warning when some chains lack their root while other
 * certificates are self-signed (the server may present one of those).
 *
 * @param shown - the CAfile's path as messages show it
 */
export function caFileRootFindings(
  anchors: readonly Certificate[],
  shown: string,
): CaFileRootFinding[] {
  const rooted = anchors.some((c) => isSelfSigned(c));
  return missingRoots(anchors).map(({ top, issuer, stranded }) => ({
    severity: rooted ? 'warning' : 'error',
    message: `CAfile = ${shown} holds no self-signed root for ${top.info.subject}${stranded.length > 1 ? ` (nor for ${String(stranded.length - 1)} more of its certificates)` : ''}: stunnel (OpenSSL, without partial chains) ends a server's path only at a self-signed certificate of CAfile, so it refuses such a server ("Rejected by CERT"); add the root CA certificate ${issuer} to ${shown}`,
  }));
}
