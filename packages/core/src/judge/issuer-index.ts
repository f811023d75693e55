/**
 * Finding issuers by name, for every search up a chain: chain building (chain-search.ts), path
 * validation (path-search.ts) and a trust bundle's missing roots (trust-bundle.ts). One name key,
 * normalised as names are compared (RFC 5280 section 7.1, `namesEqual`), so that equal keys are
 * equal names; one index of certificates by subject; and one grouping of repeats (the same
 * subject, key and issuer), which the searches bound to {@link MAX_SAME_NAME_AND_KEY}.
 */
import { normalizeValue } from '../x509/names.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';

/**
 * Certificates kept per subject name, key and issuer name before a search: more of them are
 * the same step of a chain again (they differ in serial, validity or extensions only), and each
 * costs a signature check (four files of 10,000 such certificates took `certs chain` 22 s and
 * path validation 41 s of CPU). A reissued intermediate (old and renewed, same key) keeps both.
 */
export const MAX_SAME_NAME_AND_KEY = 4;

const subjectKeys = new WeakMap<Certificate, string>();
const issuerKeys = new WeakMap<Certificate, string>();

/** A certificate's subject or issuer name as a lookup key (computed once per certificate). */
export function nameKey(certificate: Certificate, field: 'subject' | 'issuer'): string {
  const cache = field === 'subject' ? subjectKeys : issuerKeys;
  let key = cache.get(certificate);
  if (key === undefined) {
    const attributes =
      field === 'subject' ? certificate.info.subjectAttributes : certificate.info.issuerAttributes;
    key = JSON.stringify(attributes.map((a) => [a.oid, normalizeValue(a.value)]));
    cache.set(certificate, key);
  }
  return key;
}

/**
 * Subject name, public key and issuer name, as encoded: what path building sees of a
 * certificate. Byte-exact (names encoded differently stay apart, which only keeps more), which is
 * all the grouping of {@link MAX_SAME_NAME_AND_KEY} needs, and cheaper than normalising 40,000
 * names.
 */
export function sameNameAndKey(certificate: Certificate): string {
  // Kept per certificate, as nameKey is: `check` validates one pool once per client stack's
  // rules (three times), and the key was a fifth of its path search (bench case 5b).
  let key = repeatKeys.get(certificate);
  if (key === undefined) {
    const x = internals(certificate);
    key = Buffer.concat([x.subjectDer, x.spkiDer, x.issuerDer]).toString('latin1');
    repeatKeys.set(certificate, key);
  }
  return key;
}
const repeatKeys = new WeakMap<Certificate, string>();

/** Appends `value` to the list at `key`: the grouping every index of certificates here uses. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Entries (certificates, or records holding one) indexed by their certificate's subject. */
export class SubjectIndex<T> {
  private readonly bySubject = new Map<string, T[]>();

  constructor(entries: Iterable<T>, certificateOf: (entry: T) => Certificate) {
    for (const entry of entries)
      push(this.bySubject, nameKey(certificateOf(entry), 'subject'), entry);
  }

  /** The entries whose subject is the name `child` names as its issuer, in input order. */
  issuersOf(child: Certificate): readonly T[] {
    return this.bySubject.get(nameKey(child, 'issuer')) ?? [];
  }
}
