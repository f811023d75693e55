/**
 * `@certkit/core`: the certificate lifecycle for TLS-secured Redis connections, as a library.
 *
 * The public API, and all of it (CHANGELOG.md, "Version policy"): named re-exports only, grouped
 * like core's folders (docs/architecture.md), so that it reads in one file. Each section holds
 * the functions of one layer and the documented defaults they use; one function per decision,
 * and one workflow per CLI command. Everything else (file helpers, parsers of single fields,
 * tuning limits) is internal and may change in any release; a limit that bounds an input is
 * documented on the function it bounds. test/unit/public-api.test.ts pins the list of names: a
 * new export is added there on purpose, in the section of its folder.
 */

// ---------------------------------------------------------------------------------------------
// Errors: one class, a stable code
// ---------------------------------------------------------------------------------------------
export { CertkitError, isCertkitError } from './errors.js';
export type { CertkitErrorCode, CertkitRemedy } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Documented defaults (defaults.ts, also the dependency-free entry `@certkit/core/defaults`)
// ---------------------------------------------------------------------------------------------
export {
  CA_CERT_VALIDITY_DAYS,
  CA_KEY_BITS,
  CLIENT_CERT_VALIDITY_DAYS,
  CLIENT_KEY_BITS,
  DEFAULT_CONCURRENCY,
  DEFAULT_CURVE,
  DEFAULT_KEY_FORMAT,
  DEFAULT_KEY_TYPE,
  DEFAULT_MIN_TLS,
  INTERMEDIATE_CERT_VALIDITY_DAYS,
  MAX_CONCURRENCY,
  MAX_VALIDITY_DAYS,
  SERIAL_NUMBER_BYTES,
  SERVER_CERT_MAX_RECOMMENDED_DAYS,
  SERVER_CERT_VALIDITY_DAYS,
  SERVER_KEY_BITS,
  SNIPPET_CLIENTS,
  STUNNEL_MIN_TLS_VERSION,
  TLS_VERSIONS,
} from './defaults.js';
export type { SnippetClient, TlsVersion } from './defaults.js';

// ---------------------------------------------------------------------------------------------
// x509/: bytes -> plain data (certificates, keys, requests, CRLs, PKCS#12, stunnel syntax)
// ---------------------------------------------------------------------------------------------
export { parseCertificates } from './x509/certificates.js';
export type {
  Certificate,
  CertificateInfo,
  CertificateSource,
  ExtensionInfo,
} from './x509/pkix.js';
export { KEY_USAGE_NAMES } from './asn1/oids.js';
export type { KeyUsageName } from './asn1/oids.js';
export type { NameAttribute } from './x509/names.js';
export type { KeyInfo } from './x509/public-key.js';

export {
  EC_CURVES,
  KEY_ENCRYPTION_SCRYPT,
  parsePrivateKey,
  RSA_KEY_SIZES,
  RSA_PUBLIC_EXPONENT,
} from './x509/keys.js';
export type { Curve, KeyFormat, KeyType, PrivateKeyInfo } from './x509/keys.js';

export { parseCertificationRequest } from './x509/structures.js';
export type { CertificationRequestInfo } from './x509/structures.js';

export { parseRevocationLists } from './x509/crl.js';
export type { RevocationList } from './x509/crl.js';

export { readPkcs12 } from './x509/pkcs12-read.js';
export type { Pkcs12Certificate, Pkcs12Contents, Pkcs12Key } from './x509/pkcs12-read.js';

export { parseStunnelConfig } from './x509/stunnel-syntax.js';
export type {
  ParsedStunnelConfig,
  StunnelOption,
  StunnelParseProblem,
  StunnelSection,
} from './x509/stunnel-syntax.js';

// ---------------------------------------------------------------------------------------------
// make/: options -> new keys, certificates, requests, PKCS#12 stores, stunnel configurations
// ---------------------------------------------------------------------------------------------
export {
  CA_PROFILE,
  CLIENT_PROFILE,
  INTERMEDIATE_PROFILE,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 0.1.0 name, kept for its callers
  parseSubject,
  SERVER_PROFILE,
} from './make/profiles.js';
export type {
  CertificateNames,
  CertificateProfile,
  CertificateUsage,
  SubjectFields,
  SubjectInput,
} from './make/profiles.js';

export { generateClientIdentity, issueCertificate } from './make/certificates.js';
export type {
  ClientIdentity,
  ClientIdentityOptions,
  IssueCertificateOptions,
  IssuedCertificate,
  IssuerInput,
} from './make/certificates.js';

export { createCertificateRequest } from './make/csr.js';
export type { CertificateRequest, CertificateRequestOptions } from './make/csr.js';
export { signCertificateRequest } from './make/sign-request.js';
export type { SignedRequest, SignRequestOptions } from './make/sign-request.js';

export { createPkcs12, P12_ITERATIONS, P12_LEGACY_ITERATIONS } from './make/pkcs12.js';
export type { Pkcs12Options, Pkcs12Store, TrustStore, TrustStoreOptions } from './make/pkcs12.js';

export {
  renderStunnelConfig,
  STUNNEL_DEFAULT_ACCEPT,
  STUNNEL_SERVICE_NAME,
} from './make/stunnel-config.js';
export type { StunnelConfigOptions } from './make/stunnel-config.js';

// ---------------------------------------------------------------------------------------------
// judge/: plain data -> findings, synchronously, no file and no socket
// ---------------------------------------------------------------------------------------------
export type { CertificateRef, Finding, Severity } from './judge/finding.js';
export type { Validity } from './judge/validity.js';

// Identity (RFC 9525); the client stacks and libraries whose verdicts on names and on trust the
// endpoint check reports (`names[].clients`, `names[].libraries`, `trust`).
export { matchReferenceIdentity } from './judge/hostname.js';
export type { IdentityMatch, ReferenceIdentity } from './judge/hostname.js';
export { CLIENT_STACKS } from './judge/clients.js';
export type {
  ClientStack,
  ClientStackInfo,
  ClientVerdict,
  SubjectAltNameSyntax,
} from './judge/clients.js';
export type { GeneralNameFrame } from './x509/general-names.js';
export type { TrustVerdict } from './judge/stack-trust.js';
export { CLIENT_LIBRARIES } from './judge/client-libraries.js';
export type {
  ClientLibrary,
  ClientLibraryDefaults,
  LibraryNameOutcome,
  LibraryVerdict,
  NameCheckDefault,
} from './judge/client-libraries.js';

// Chains and trust bundles (the modes of assembleParsedCertificates), and RFC 5280 path validation.
export type { Chain, ChainLink, ChainMember } from './judge/chain.js';
export type { ChainFinding, ChainFindingCode } from './judge/chain-common.js';
export type { TrustBundle, TrustBundleMember } from './judge/trust-bundle.js';
export { assembleParsedCertificates } from './judge/assemble.js';
export type { AssembleCertificatesOptions, AssembleMode, Assembly } from './judge/assemble.js';
export { DEFAULT_MAX_DEPTH, validatePath } from './judge/path.js';
export type { PathValidation, ValidatePathOptions } from './judge/path.js';
export type { PathFinding, PathFindingCode, PathPolicy, PathPurpose } from './judge/path-common.js';

// An endpoint's certificate for a cluster, with the live findings when it was probed.
export {
  checkEndpointCertificate,
  DEFAULT_WARN_DAYS,
  EXAMPLE_DATABASE_PORT,
} from './judge/endpoint.js';
export type { CertificateSummary, CheckOptions, CheckReport } from './judge/endpoint.js';
export { CHECK_PROFILES } from './judge/endpoint-findings.js';
export type { CheckFinding, CheckFindingCode, CheckProfile } from './judge/endpoint-findings.js';
export type { NameCheck } from './judge/endpoint-names.js';
export type { LiveProbeResults } from './judge/live.js';
export type {
  BundleDecision,
  BundleHeldBack,
  EndpointFailureInfo,
  EndpointOutcome,
  EndpointRef,
  EndpointTally,
} from './judge/endpoints.js';

// Expiry and its metrics, inspection, renewal.
export { checkExpiry, DEFAULT_RENEWAL_WINDOW } from './judge/expiry.js';
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
export { renderExpiryMetrics } from './judge/expiry-metrics.js';
export { inspectInputs } from './judge/inspect.js';
export type {
  InspectedFile,
  InspectedItem,
  InspectedKey,
  InspectInput,
  InspectOptions,
  InspectReport,
  KeyMatch,
} from './judge/inspect.js';
export { planClientRenewal } from './judge/renewal.js';
export type { ClientRenewalInput, ClientRenewalPlan } from './judge/renewal.js';

// stunnel configurations, with the files they name and the probes of their endpoints as data.
export { lintStunnelConfigInMemory } from './judge/stunnel-lint.js';
export type { StunnelInMemoryLintOptions, StunnelLintReport } from './judge/stunnel-lint.js';
export type { StunnelFinding, StunnelFindingCode } from './judge/stunnel-service.js';
export type { StunnelFileContent, StunnelFiles } from './judge/stunnel-files.js';
export type { StunnelPing, StunnelProbeResult, StunnelUnreachable } from './judge/stunnel-probe.js';

// A deployment's topology: what a seed announces (replies as data), each node as clients meet it,
// and each cluster client's verdict (the report's `clients`).
export { checkTopology } from './judge/topology-check.js';
export type {
  NodeFetch,
  TopologyCheckOptions,
  TopologyNodeReport,
  TopologyReport,
} from './judge/topology-check.js';
export type {
  AnnouncedAs,
  Topology,
  TopologyExchange,
  TopologyFinding,
  TopologyFindingCode,
  TopologyKind,
  TopologyNode,
  TopologySource,
} from './judge/topology.js';
export type { RespValue } from './judge/resp.js';
export { CLUSTER_CLIENTS } from './judge/cluster-clients.js';
export type {
  ClusterClientModel,
  ClusterClientVerdict,
  ClusterConnection,
  ClusterConnectionVerdict,
  ClusterNameRule,
} from './judge/cluster-clients.js';

// redis.conf TLS directives, with the files they name and the live probe as data.
export { lintRedisConfInMemory } from './judge/redis-conf.js';
export type {
  RedisConfJudgeOptions,
  RedisConfLintReport,
  RedisConfSettingRow,
} from './judge/redis-conf.js';
export type {
  RedisAuthClients,
  RedisConfFinding,
  RedisConfFindingCode,
} from './judge/redis-conf-settings.js';
export type {
  RedisCaFolder,
  RedisCaFolderEntry,
  RedisConfFileContent,
  RedisConfInputs,
} from './judge/redis-conf-files.js';
export type {
  RedisAuthClientsReading,
  RedisAuthClientsVerdict,
  RedisAuthProbe,
  RedisProbeAttempt,
} from './judge/redis-conf-probe.js';
export type {
  ParsedRedisConf,
  RedisConfProblem,
  RedisDirective,
} from './judge/redis-conf-syntax.js';

// ---------------------------------------------------------------------------------------------
// io/: what a live endpoint shows (the data of checkEndpointCertificate's `live`); file defaults
// ---------------------------------------------------------------------------------------------
export { TLS_TIMEOUT_MS } from './io/tls-attempt.js';
export { fetchPresentedChain } from './io/presented-chain.js';
export { probeTlsVersions } from './io/tls-versions.js';
export { pingWithIdentity } from './io/tls-ping.js';
export type { EndpointFailure, EndpointFailureCode } from './io/tls-failure.js';
export type { TlsClientIdentity, TlsProbeOptions } from './io/tls-attempt.js';
export type { PresentedChain } from './io/presented-chain.js';
export type { TlsVersionResult } from './io/tls-versions.js';
export type { PingResult } from './io/tls-ping.js';
export { DEFAULT_MAX_INPUT_BYTES } from './io/read.js';
export { PRIVATE_KEY_MODE, PUBLIC_FILE_MODE } from './io/write-plan.js';

// ---------------------------------------------------------------------------------------------
// workflows/: read -> judge or make -> write, one per CLI command
// ---------------------------------------------------------------------------------------------
export type { EndpointProgress, EndpointRunOptions } from './workflows/endpoints.js';

// certs gen-client, certs renew-client
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

// certs gen-ca, certs gen-intermediate, certs issue
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

// certs csr
export {
  CLIENT_CSR_FILE,
  CLIENT_CSR_KEY_FILE,
  CSR_FILE,
  CSR_KEY_FILE,
  writeCertificateRequest,
} from './workflows/csr.js';
export type { WriteCertificateRequestOptions, WrittenCertificateRequest } from './workflows/csr.js';

// certs chain
export { assembleCertificates } from './workflows/chain.js';
export type { AssembledCertificates, AssembleOptions } from './workflows/chain.js';

// certs verify
export { verifyCertificateFiles } from './workflows/verify.js';
export type { VerifyFilesOptions, VerifyFilesResult } from './workflows/verify.js';

// certs check
export { runCheck } from './workflows/check.js';
export type {
  EndpointCheck,
  LiveReport,
  RunCheckOptions,
  RunCheckResult,
} from './workflows/check.js';

// certs fetch
export { fetchEndpoints } from './workflows/fetch.js';
export type {
  FetchedEndpoint,
  FetchedEndpoints,
  FetchEndpointsOptions,
} from './workflows/fetch.js';

// certs inspect
export { inspectFiles } from './workflows/inspect.js';
export type { InspectFilesOptions } from './workflows/inspect.js';

// certs expiry
export { checkExpiryTargets } from './workflows/expiry-endpoints.js';
export type {
  ExpiryEndpoint,
  ExpiryTargetsOptions,
  ExpiryTargetsReport,
} from './workflows/expiry-endpoints.js';

// certs stunnel, certs stunnel lint, certs stunnel test
export {
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
export { STUNNEL_TEST_TIMEOUT_MS, testStunnelConfig } from './workflows/stunnel-test.js';
export type { StunnelTestOptions, StunnelTestResult } from './workflows/stunnel-test.js';

// certs export-p12
export { writePkcs12 } from './workflows/pkcs12.js';
export type {
  WritePkcs12Options,
  WriteTrustStoreOptions,
  WrittenPkcs12,
  WrittenTrustStore,
} from './workflows/pkcs12.js';

// certs check --topology
export { walkTopology } from './workflows/topology.js';
export type { TopologyWalk, WalkTopologyOptions } from './workflows/topology.js';

// certs redis-conf lint
export { lintRedisConfFile } from './workflows/redis-conf.js';
export type { RedisConfLintOptions } from './workflows/redis-conf.js';

// certs snippet
export { makeConnectionSnippet } from './workflows/snippet.js';
export type { MakeConnectionSnippetOptions } from './workflows/snippet.js';
export { renderConnectionSnippet } from './make/snippets.js';
export type {
  ConnectionSnippet,
  ConnectionSnippetOptions,
  SnippetLanguage,
  SnippetLibraryDefault,
} from './make/snippets.js';
export type { CheckedSnippetFiles, SnippetFile, SnippetFiles } from './judge/snippet-files.js';

// ---------------------------------------------------------------------------------------------
// Display: text from certificates and servers made safe for a terminal (also `@certkit/core/display`)
// ---------------------------------------------------------------------------------------------
export { escapeControlCharacters } from './display.js';
