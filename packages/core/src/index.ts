/**
 * `@certkit/core`: the certificate lifecycle for TLS-secured Redis connections, as a library.
 * Named re-exports only, so that the public API reads in one file.
 */
export { CertkitError, isCertkitError } from './errors.js';
export type { CertkitErrorCode } from './errors.js';

export { escapeControlCharacters } from './display.js';

export { encodePem, parsePemBlocks, PRIVATE_KEY_LABELS } from './pem.js';
export { MAX_EMBEDDED_OID_BYTES, MAX_EXTENSIONS, MAX_NAMES, MAX_OID_BYTES } from './der.js';
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
  CA_CERT_FILE,
  CA_CERT_VALIDITY_DAYS,
  CA_KEY_BITS,
  CA_KEY_FILE,
  CA_PROFILE,
  INTERMEDIATE_CERT_FILE,
  INTERMEDIATE_CERT_VALIDITY_DAYS,
  INTERMEDIATE_KEY_FILE,
  INTERMEDIATE_PROFILE,
  issueCertificate,
  profileForUsage,
  PROXY_CERT_FILE,
  PROXY_KEY_FILE,
  redisEnterpriseNames,
  SERVER_CERT_MAX_RECOMMENDED_DAYS,
  SERVER_CERT_VALIDITY_DAYS,
  SERVER_KEY_BITS,
  SERVER_PROFILE,
  writeCa,
  writeIntermediate,
  writeServerCertificate,
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
  CertificateUsage,
  IssueCertificateOptions,
  IssuedCertificate,
  IssuerFiles,
  IssuerInput,
  WriteCaOptions,
  WriteCertificateOptions,
  WriteIntermediateOptions,
  WriteServerCertificateOptions,
  WrittenCertificate,
  CertificateProfile,
  ClientIdentity,
  ClientIdentityOptions,
  SubjectFields,
  WriteClientIdentityOptions,
  WrittenClientIdentity,
} from './certificates.js';

export {
  createCertificateRequest,
  CSR_FILE,
  CSR_KEY_FILE,
  writeCertificateRequest,
} from './csr.js';
export type {
  CertificateRequest,
  CertificateRequestOptions,
  WriteCertificateRequestOptions,
  WrittenCertificateRequest,
} from './csr.js';
export { parseCertificationRequest } from './structures.js';
export type { CertificationRequestInfo } from './pkix.js';

export {
  assertCanWrite,
  checkWritePlan,
  DEFAULT_MAX_INPUT_BYTES,
  MAX_PASSPHRASE_FILE_BYTES,
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  readInputFile,
  readPassphraseFile,
  STDIN_PATH,
  writeFilesAtomically,
} from './files.js';
export { derPrivateKeyKind, derSignedObjectKind, looksLikeEndpoint } from './input-hints.js';
export {
  assertClusterName,
  CLUSTER_NAME_HELP,
  clusterNameFromCertificates,
  clusterNameProblem,
  describeClusterNameProblem,
} from './cluster-name.js';
export type { ClusterNameMistake, ClusterNameProblem } from './cluster-name.js';
export { clusterNameHint } from './cluster-hint.js';
export type { OutputFile, PlannedInput, PlannedOutput, WriteOptions, WritePlan } from './files.js';

export { CLIENT_STACKS, clientVerdict, clientVerdicts, presentedNames } from './clients.js';
export type { ClientStack, ClientStackInfo, ClientVerdict, PresentedNames } from './clients.js';

export {
  assembleCertificates,
  buildChain,
  buildTrustBundle,
  MAX_FINDINGS_PER_CODE,
  MAX_ISSUER_CANDIDATES,
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

export {
  dnsPatternProblem,
  isDnsName,
  isPublicSuffix,
  matchDnsPattern,
  matchReferenceIdentity,
  PUBLIC_SUFFIXES,
} from './hostname.js';
export { parseIpAddress } from './ip.js';
export type { IdentityMatch, ReferenceIdentity } from './hostname.js';

export {
  DEFAULT_MAX_DEPTH,
  MAX_CANDIDATE_VISITS,
  MAX_COMPLETE_PATHS,
  MAX_NAME_CONSTRAINT_CHECKS,
  MAX_SAME_NAME_AND_KEY,
  MAX_SIGNATURE_CHECKS,
  parseRevocationLists,
  validatePath,
  verifyCertificateFiles,
} from './path.js';
export type {
  PathFinding,
  PathPurpose,
  PathValidation,
  RevocationList,
  ValidatePathOptions,
  VerifyFilesOptions,
  VerifyFilesResult,
} from './path.js';

// issue 6 lifecycle exports start
export { renewClientIdentity } from './certificates.js';
export type { RenewClientIdentityOptions } from './certificates.js';
export { daysUntil, inspectBytes, inspectFiles } from './inspect.js';
export type { InspectedFile, InspectedItem, InspectedKey, InspectReport } from './inspect.js';
export {
  checkExpiry,
  checkExpiryFiles,
  DEFAULT_RENEWAL_WINDOW,
  parseRenewalWindow,
} from './expiry.js';
export type { ExpiryEntry, ExpiryOptions, ExpiryReport, RenewalWindow } from './expiry.js';
export {
  lintStunnelConfig,
  lintStunnelConfigFile,
  parseStunnelConfig,
  renderStunnelConfig,
  STUNNEL_CONFIG_FILE,
  STUNNEL_DEFAULT_ACCEPT,
  STUNNEL_MAX_FINDINGS,
  STUNNEL_MAX_SERVICES,
  STUNNEL_MIN_TLS_VERSION,
  STUNNEL_PROBE_TIMEOUT_MS,
  STUNNEL_SERVICE_NAME,
  writeStunnelConfig,
} from './stunnel.js';
export type {
  StunnelConfigOptions,
  StunnelFinding,
  StunnelLintOptions,
  StunnelLintReport,
  WriteStunnelConfigOptions,
  WrittenStunnelConfig,
} from './stunnel.js';
export {
  STUNNEL_MAX_ENTRIES,
  STUNNEL_MAX_LINE_BYTES,
  STUNNEL_MAX_PARSE_PROBLEMS,
  STUNNEL_MAX_PATH_BYTES,
} from './stunnel-syntax.js';
export type {
  ParsedStunnelConfig,
  StunnelOption,
  StunnelParseProblem,
  StunnelSection,
} from './stunnel-syntax.js';
export { createPkcs12, P12_ITERATIONS, P12_LEGACY_ITERATIONS, writePkcs12 } from './p12.js';
export type { Pkcs12Options, Pkcs12Store, WritePkcs12Options, WrittenPkcs12 } from './p12.js';
// issue 6 lifecycle exports end

export {
  CHECK_PROFILES,
  checkEndpointCertificate,
  DEFAULT_MIN_TLS,
  DEFAULT_WARN_DAYS,
  EXAMPLE_DATABASE_PORT,
  MAX_CHECK_FINDINGS_PER_CODE,
  MIN_EC_BITS,
  MIN_RSA_BITS,
  runCheck,
} from './check.js';
export type {
  CertificateSummary,
  CheckFindingCode,
  CheckOptions,
  CheckProfile,
  CheckReport,
  Finding,
  LiveReport,
  NameCheck,
  RunCheckOptions,
  RunCheckResult,
} from './check.js';

export {
  fetchPresentedChain,
  MAX_PEER_CERTIFICATES,
  MAX_PING_REPLY_BYTES,
  parseEndpoint,
  pingWithIdentity,
  probeTlsVersions,
  savePresentedChain,
  TLS_TIMEOUT_MS,
  TLS_VERSIONS,
} from './tls.js';
export type {
  Endpoint,
  PingResult,
  PresentedChain,
  SaveChainOptions,
  SavedChain,
  TlsClientIdentity,
  TlsProbeOptions,
  TlsVersion,
  TlsVersionResult,
} from './tls.js';
