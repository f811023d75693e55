/**
 * `@certkit/core`: the certificate lifecycle for TLS-secured Redis connections, as a library.
 * Named re-exports only, so that the public API reads in one file.
 */
export { CertkitError, isCertkitError } from './errors.js';
export type { CertkitErrorCode } from './errors.js';

export { escapeControlCharacters } from './display.js';

export { encodePem, parsePemBlocks, PRIVATE_KEY_LABELS } from './x509/pem.js';
export { MAX_CERTIFICATES_PER_INPUT, parseCertificates } from './x509/certificates.js';
export { MAX_OID_BYTES } from './asn1/der.js';
export { MAX_EMBEDDED_OID_BYTES, MAX_EXTENSIONS, MAX_NAMES } from './asn1/der-bounds.js';
export type { PemBlock } from './x509/pem.js';

export { parseCertificate } from './x509/pkix.js';
export { KEY_USAGE_NAMES } from './asn1/oids.js';
export { formatName } from './x509/names.js';
export type {
  Certificate,
  CertificateInfo,
  CertificateSource,
  ExtensionInfo,
} from './x509/pkix.js';
export type { KeyUsageName } from './asn1/oids.js';
export type { NameAttribute } from './x509/names.js';
export type { KeyInfo } from './x509/public-key.js';

export {
  EC_CURVES,
  encryptPrivateKey,
  KEY_ENCRYPTION_SCRYPT,
  parsePrivateKey,
  RSA_KEY_SIZES,
  RSA_PUBLIC_EXPONENT,
} from './x509/keys.js';
export type { Curve, KeyFormat, KeyType, PrivateKeyInfo } from './x509/keys.js';

export {
  CA_CERT_VALIDITY_DAYS,
  CA_KEY_BITS,
  CLIENT_CERT_VALIDITY_DAYS,
  CLIENT_KEY_BITS,
  DEFAULT_CURVE,
  DEFAULT_KEY_FORMAT,
  DEFAULT_KEY_TYPE,
  INTERMEDIATE_CERT_VALIDITY_DAYS,
  MAX_VALIDITY_DAYS,
  SERIAL_NUMBER_BYTES,
  SERVER_CERT_MAX_RECOMMENDED_DAYS,
  SERVER_CERT_VALIDITY_DAYS,
  SERVER_KEY_BITS,
} from './defaults.js';
export {
  CA_PROFILE,
  CLIENT_PROFILE,
  INTERMEDIATE_PROFILE,
  parseSubject,
  profileForUsage,
  redisEnterpriseNames,
  SERVER_PROFILE,
} from './make/profiles.js';
export type { CertificateProfile, CertificateUsage, SubjectFields } from './make/profiles.js';
export { generateClientIdentity, issueCertificate } from './make/certificates.js';
export type {
  ClientIdentity,
  ClientIdentityOptions,
  IssueCertificateOptions,
  IssuedCertificate,
  IssuerInput,
} from './make/certificates.js';
export { createCertificateRequest } from './make/csr.js';
export { signCertificateRequest } from './make/sign-request.js';
export type { SignedRequest, SignRequestOptions } from './make/sign-request.js';
export type { CertificateRequest, CertificateRequestOptions } from './make/csr.js';
export { planClientRenewal } from './judge/renewal.js';
export type { ClientRenewalInput, ClientRenewalPlan } from './judge/renewal.js';
export {
  CA_CERT_FILE,
  CA_KEY_FILE,
  INTERMEDIATE_CERT_FILE,
  INTERMEDIATE_KEY_FILE,
  PROXY_CERT_FILE,
  PROXY_KEY_FILE,
  writeCa,
  writeIntermediate,
  writeServerCertificate,
} from './workflows/issue.js';
export type {
  IssuerFiles,
  WriteCaOptions,
  WriteCertificateOptions,
  WriteIntermediateOptions,
  WriteServerCertificateOptions,
  WrittenCertificate,
} from './workflows/issue.js';
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
export {
  CLIENT_CSR_FILE,
  CLIENT_CSR_KEY_FILE,
  CSR_FILE,
  CSR_KEY_FILE,
  writeCertificateRequest,
} from './workflows/csr.js';
export type { WriteCertificateRequestOptions, WrittenCertificateRequest } from './workflows/csr.js';
export { parseCertificationRequest } from './x509/structures.js';
export type { CertificationRequestInfo } from './x509/structures.js';

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
} from './io/files.js';
export { derPrivateKeyKind, derSignedObjectKind, looksLikeEndpoint } from './x509/input-hints.js';
export {
  assertClusterName,
  CLUSTER_NAME_HELP,
  clusterNameFromCertificates,
  clusterNameProblem,
  describeClusterNameProblem,
} from './x509/cluster-name.js';
export type { ClusterNameMistake, ClusterNameProblem } from './x509/cluster-name.js';
export { clusterNameHint } from './workflows/cluster-hint.js';
export type {
  OutputFile,
  PlannedInput,
  PlannedOutput,
  WriteOptions,
  WritePlan,
} from './io/files.js';

export { CLIENT_STACKS, clientVerdict, clientVerdicts, presentedNames } from './judge/clients.js';
export { stackTrustVerdicts } from './judge/stack-trust.js';
export type { StackTrustOptions, TrustVerdict } from './judge/stack-trust.js';
export type {
  ClientStack,
  ClientStackInfo,
  ClientVerdict,
  PresentedNames,
  SubjectAltNameSyntax,
} from './judge/clients.js';

export { assembleParsedCertificates } from './judge/assemble.js';
export type { AssembleCertificatesOptions, AssembleMode, Assembly } from './judge/assemble.js';
export { buildChain } from './judge/chain.js';
export type { Chain, ChainLink, ChainMember, ChainOptions } from './judge/chain.js';
export { MAX_FINDINGS_PER_CODE } from './judge/chain-common.js';
export type { ChainFinding, ChainFindingCode } from './judge/chain-common.js';
export { MAX_ISSUER_CANDIDATES } from './judge/chain-search.js';
export type { CertificateRef, Severity } from './judge/finding.js';
export { buildTrustBundle } from './judge/trust-bundle.js';
export type { TrustBundle, TrustBundleMember, TrustBundleOptions } from './judge/trust-bundle.js';
export { daysUntil } from './judge/validity.js';
export type { Validity } from './judge/validity.js';
export { renderCertificates } from './x509/render.js';
export { assembleCertificates } from './workflows/chain.js';
export type { AssembledCertificates, AssembleOptions } from './workflows/chain.js';

export {
  dnsPatternProblem,
  isPublicSuffix,
  matchDnsPattern,
  matchReferenceIdentity,
  PUBLIC_SUFFIXES,
} from './judge/hostname.js';
export type { IdentityMatch, ReferenceIdentity } from './judge/hostname.js';
export { isDnsName } from './x509/dns-name.js';
export { parseIpAddress } from './x509/ip.js';

export {
  DEFAULT_MAX_DEPTH,
  MAX_CANDIDATE_VISITS,
  MAX_COMPLETE_PATHS,
  MAX_SAME_NAME_AND_KEY,
  MAX_SIGNATURE_CHECKS,
  validatePath,
} from './judge/path.js';
export type { PathValidation, ValidatePathOptions } from './judge/path.js';
export type { PathFinding, PathFindingCode, PathPolicy, PathPurpose } from './judge/path-common.js';
export { MAX_NAME_CONSTRAINT_CHECKS } from './judge/name-constraints.js';
export { parseRevocationLists } from './x509/crl.js';
export type { RevocationList } from './x509/crl.js';
export { verifyCertificateFiles } from './workflows/verify.js';
export type { VerifyFilesOptions, VerifyFilesResult } from './workflows/verify.js';

export { inspectBytes, inspectInputs } from './judge/inspect.js';
export type {
  InspectedFile,
  InspectedItem,
  InspectedKey,
  InspectInput,
  InspectOptions,
  InspectReport,
  KeyMatch,
} from './judge/inspect.js';
export { inspectFiles } from './workflows/inspect.js';
export type { InspectFilesOptions } from './workflows/inspect.js';
export { readPkcs12 } from './x509/pkcs12-read.js';
export type { Pkcs12Certificate, Pkcs12Contents, Pkcs12Key } from './x509/pkcs12-read.js';
export { checkExpiry, DEFAULT_RENEWAL_WINDOW, parseRenewalWindow } from './judge/expiry.js';
export type {
  ExpiryEntry,
  ExpiryInput,
  ExpiryNote,
  ExpiryOptions,
  ExpiryReport,
  ExpirySourceKind,
  ExpiryUnreadable,
  RenewalWindow,
} from './judge/expiry.js';
export { EXPIRY_METRIC, renderExpiryMetrics, UNREADABLE_METRIC } from './judge/expiry-metrics.js';
export { DEFAULT_MIN_TLS, STUNNEL_MIN_TLS_VERSION, TLS_VERSIONS } from './defaults.js';
export type { TlsVersion } from './defaults.js';
export {
  renderStunnelConfig,
  STUNNEL_DEFAULT_ACCEPT,
  STUNNEL_MAX_CONNECTS,
  STUNNEL_SERVICE_NAME,
} from './make/stunnel-config.js';
export type { StunnelConfigOptions } from './make/stunnel-config.js';
export { lintStunnelConfigInMemory, STUNNEL_MAX_FINDINGS } from './judge/stunnel-lint.js';
export type { StunnelInMemoryLintOptions, StunnelLintReport } from './judge/stunnel-lint.js';
export { STUNNEL_MAX_SERVICES } from './judge/stunnel-service.js';
export type { StunnelFinding, StunnelFindingCode } from './judge/stunnel-service.js';
export type { StunnelFileContent, StunnelFiles } from './judge/stunnel-files.js';
export type { StunnelPing, StunnelProbeResult, StunnelUnreachable } from './judge/stunnel-probe.js';
export {
  lintStunnelConfig,
  lintStunnelConfigFile,
  STUNNEL_CONFIG_FILE,
  STUNNEL_PROBE_TIMEOUT_MS,
  writeStunnelConfig,
} from './workflows/stunnel.js';
export type {
  StunnelLintOptions,
  WriteStunnelConfigOptions,
  WrittenStunnelConfig,
} from './workflows/stunnel.js';
export {
  parseStunnelConfig,
  STUNNEL_MAX_ENTRIES,
  STUNNEL_MAX_LINE_BYTES,
  STUNNEL_MAX_PARSE_PROBLEMS,
  STUNNEL_MAX_PATH_BYTES,
} from './x509/stunnel-syntax.js';
export type {
  ParsedStunnelConfig,
  StunnelOption,
  StunnelParseProblem,
  StunnelSection,
} from './x509/stunnel-syntax.js';
export {
  createPkcs12,
  createTrustStore,
  P12_ITERATIONS,
  P12_LEGACY_ITERATIONS,
} from './make/pkcs12.js';
export type { Pkcs12Options, Pkcs12Store, TrustStore, TrustStoreOptions } from './make/pkcs12.js';
export { writePkcs12, writeTrustStore } from './workflows/pkcs12.js';
export { STUNNEL_TEST_TIMEOUT_MS, testStunnelConfig } from './workflows/stunnel-test.js';
export type { StunnelTestOptions, StunnelTestResult } from './workflows/stunnel-test.js';
export type {
  WritePkcs12Options,
  WriteTrustStoreOptions,
  WrittenPkcs12,
  WrittenTrustStore,
} from './workflows/pkcs12.js';

export {
  checkEndpointCertificate,
  DEFAULT_WARN_DAYS,
  EXAMPLE_DATABASE_PORT,
  MAX_CHECK_FINDINGS_PER_CODE,
} from './judge/endpoint.js';
export type { CertificateSummary, CheckOptions, CheckReport } from './judge/endpoint.js';
export { CHECK_PROFILES } from './judge/endpoint-findings.js';
export type { CheckFinding, CheckFindingCode, CheckProfile } from './judge/endpoint-findings.js';
export type { NameCheck } from './judge/endpoint-names.js';
export { MIN_EC_BITS, MIN_RSA_BITS } from './judge/endpoint-strength.js';
export type { Finding } from './judge/finding.js';
export type { LiveProbeResults } from './judge/live.js';
export { runCheck } from './workflows/check.js';
export type {
  EndpointCheck,
  LiveReport,
  RunCheckOptions,
  RunCheckResult,
} from './workflows/check.js';

export {
  fetchPresentedChain,
  MAX_PEER_CERTIFICATES,
  MAX_PING_REPLY_BYTES,
  pingWithIdentity,
  probeTlsVersions,
  TLS_TIMEOUT_MS,
  tryFetchPresentedChain,
} from './io/tls.js';
export type {
  EndpointFailure,
  EndpointFailureCode,
  FetchOutcome,
  PingResult,
  PresentedChain,
  TlsClientIdentity,
  TlsProbeOptions,
  TlsVersionResult,
} from './io/tls.js';
export { MAX_ENDPOINTS, parseEndpoint } from './io/endpoints.js';
export { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from './defaults.js';
export type { Endpoint } from './io/endpoints.js';
export { decideBundleWrite, tallyEndpoints } from './judge/endpoints.js';
export type {
  BundleDecision,
  BundleHeldBack,
  EndpointFailureInfo,
  EndpointOutcome,
  EndpointRef,
  EndpointTally,
} from './judge/endpoints.js';
export type { EndpointProgress, EndpointRunOptions } from './workflows/endpoints.js';
export { fetchEndpoints } from './workflows/fetch.js';
export type {
  FetchedEndpoint,
  FetchedEndpoints,
  FetchEndpointsOptions,
} from './workflows/fetch.js';
export { checkExpiryTargets } from './workflows/expiry-endpoints.js';
export type {
  ExpiryEndpoint,
  ExpiryTargetsOptions,
  ExpiryTargetsReport,
} from './workflows/expiry-endpoints.js';
