/**
 * `@certkit/core/identity`: client identities alone — generate, write, renew — for tools that
 * only make identities and want to load nothing else. The same functions as the package root
 * exports; this entry's module graph holds no schema library (no pkijs, asn1js or
 * `@peculiar/*`), so importing it costs a few milliseconds where the root costs ~80 (the
 * `certs gen-client` start-up budget of issue 7).
 *
 * @example
 * ```ts
 * import { writeClientIdentity } from '@certkit/core/identity';
 * await writeClientIdentity({ subject: { commonName: 'app' }, outDir: 'client' });
 * ```
 *
 * @module
 */
export { CertkitError, isCertkitError } from './errors.js';
export type { CertkitErrorCode } from './errors.js';
export {
  CLIENT_CERT_FILE,
  CLIENT_CERT_VALIDITY_DAYS,
  CLIENT_KEY_BITS,
  CLIENT_KEY_FILE,
  generateClientIdentity,
  parseSubject,
  renewClientIdentity,
  writeClientIdentity,
} from './make/certificates.js';
export type {
  ClientIdentity,
  ClientIdentityOptions,
  RenewClientIdentityOptions,
  SubjectFields,
  WriteClientIdentityOptions,
  WrittenClientIdentity,
} from './make/certificates.js';
export type { CertificateInfo } from './x509/pkix.js';
