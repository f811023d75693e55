/**
 * `@certkit/core`: the certificate lifecycle for TLS-secured Redis connections, as a library.
 * Named re-exports only, so that the public API reads in one file.
 */
export { CertkitError, isCertkitError } from './errors.js';
export type { CertkitErrorCode } from './errors.js';

export { encodePem, parsePemBlocks, PRIVATE_KEY_LABELS } from './pem.js';
export type { PemBlock } from './pem.js';

export { formatName, KEY_USAGE_NAMES, parseCertificate } from './pkix.js';
export type {
  Certificate,
  CertificateInfo,
  CertificateSource,
  ExtensionInfo,
  KeyInfo,
  KeyUsageName,
  NameAttribute,
} from './pkix.js';

export {
  EC_CURVES,
  encryptPrivateKey,
  KEY_ENCRYPTION_SCRYPT,
  parsePrivateKey,
  RSA_KEY_SIZES,
  RSA_PUBLIC_EXPONENT,
} from './keys.js';
export type { Curve, KeyFormat, KeyType, PrivateKeyInfo } from './keys.js';

export {
  CLIENT_CERT_FILE,
  CLIENT_CERT_VALIDITY_DAYS,
  CLIENT_KEY_FILE,
  CLIENT_KEY_BITS,
  CLIENT_PROFILE,
  DEFAULT_CURVE,
  DEFAULT_KEY_FORMAT,
  DEFAULT_KEY_TYPE,
  generateClientIdentity,
  MAX_CERTIFICATES_PER_INPUT,
  MAX_VALIDITY_DAYS,
  parseCertificates,
  parseSubject,
  SERIAL_NUMBER_BYTES,
  writeClientIdentity,
} from './certificates.js';
export type {
  CertificateProfile,
  ClientIdentity,
  ClientIdentityOptions,
  SubjectFields,
  WriteClientIdentityOptions,
  WrittenClientIdentity,
} from './certificates.js';

export {
  assertCanWrite,
  DEFAULT_MAX_INPUT_BYTES,
  MAX_PASSPHRASE_FILE_BYTES,
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  readInputFile,
  readPassphraseFile,
  writeFilesAtomically,
} from './files.js';
export type { OutputFile } from './files.js';

export {
  assembleCertificates,
  buildChain,
  buildTrustBundle,
  renderCertificates,
} from './bundle.js';
export type {
  AssembledCertificates,
  AssembleMode,
  AssembleOptions,
  Chain,
  ChainFinding,
  ChainFindingCode,
  ChainLink,
  ChainMember,
  ChainOptions,
  CertificateRef,
  TrustBundle,
  TrustBundleMember,
  TrustBundleOptions,
  Validity,
} from './bundle.js';
