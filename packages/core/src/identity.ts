/**
 * `@certkit/core/identity`: client identities alone — generate, write, renew — for tools that
 * only make identities and want to load nothing else. The same functions as the package root
 * exports; this entry's module graph holds no schema library (no pkijs, asn1js or
 * `@peculiar/*`), so importing it costs a few milliseconds where the root costs ~80 (what
 * `certs gen-client` may spend on start-up: bench/RESULTS.md, case 1b).
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
export type { CertkitErrorCode, CertkitRemedy } from './errors.js';
export { CLIENT_CERT_VALIDITY_DAYS, CLIENT_KEY_BITS } from './defaults.js';
export { generateClientIdentity } from './make/certificates.js';
export type { ClientIdentity, ClientIdentityOptions } from './make/certificates.js';
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the 0.1.0 name, kept for its callers
export { parseSubject } from './make/profiles.js';
export type { SubjectFields, SubjectInput } from './make/profiles.js';
export {
  CLIENT_CERT_FILE,
  CLIENT_KEY_FILE,
  renewClientIdentity,
  writeClientIdentity,
} from './workflows/client-identity.js';
export type {
  RenewClientIdentityOptions,
  WriteClientIdentityOptions,
  WrittenClientIdentity,
} from './workflows/client-identity.js';
export type { CertificateInfo } from './x509/pkix.js';
