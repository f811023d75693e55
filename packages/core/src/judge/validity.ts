/**
 * Where a certificate stands at a time: RFC 5280 section 4.1.2.5 (notBefore through notAfter,
 * both inclusive), and whole days left.
 */
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';

/** Where a certificate stands at a given time (RFC 5280 section 4.1.2.5: bounds inclusive). */
export type Validity = 'valid' | 'expired' | 'not-yet-valid';

/** Validity at `now`; both bounds are inclusive (RFC 5280 section 4.1.2.5). */
export function validityAt(certificate: Certificate, now: Date): Validity {
  const { notBefore, notAfter } = internals(certificate);
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  if (now.getTime() > notAfter.getTime()) return 'expired';
  return 'valid';
}

/** Whole days from `now` to `end`, rounded down (a certificate with 0.9 days left has 0). */
export function daysUntil(end: Date, now: Date): number {
  return Math.floor((end.getTime() - now.getTime()) / 86_400_000);
}
