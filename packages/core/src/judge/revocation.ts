/**
 * Revocation (RFC 5280 section 6.3, simplified: complete CRLs from the certificate's issuer).
 */
import { revocationListFacts, revocationListSignedBy } from '../x509/crl.js';
import type { RevocationList } from '../x509/crl.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import type { Add } from './path-common.js';

/** Checks `certificate`, issued by `issuer`, against the lists `issuer` signed. */
export function checkRevocation(
  certificate: Certificate,
  issuer: Certificate,
  crls: readonly RevocationList[],
  at: Date,
  add: Add,
): void {
  const issuerSubject = Buffer.from(internals(issuer).subjectDer);
  for (const list of crls) {
    const x = revocationListFacts(list);
    if (x === undefined || !issuerSubject.equals(Buffer.from(x.issuerDer))) continue;
    if (!revocationListSignedBy(list, issuer)) continue; // another CA's list with the same name
    const ku = issuer.info.keyUsage;
    if (ku !== null && !ku.includes('cRLSign')) {
      add(
        'CRL_INVALID',
        `CRL ${list.source} is signed by an issuer without cRLSign (RFC 5280 section 6.3.3 (f))`,
      );
      continue;
    }
    if (x.crlNumber === undefined) {
      add('CRL_INVALID', `CRL ${list.source} has no cRLNumber (RFC 5280 section 5.2.3)`);
      continue;
    }
    if (x.crlNumber.critical) {
      add('CRL_INVALID', `CRL ${list.source} marks cRLNumber critical (RFC 5280 section 5.2.3)`);
      continue;
    }
    if (x.thisUpdate > at) {
      add('CRL_INVALID', `CRL ${list.source} is not yet valid at the validation time`, 'warning');
      continue;
    }
    if (x.revoked.has(certificate.info.serialNumber))
      add('REVOKED', `is revoked by CRL ${list.source} (serial ${certificate.info.serialNumber})`);
  }
}
