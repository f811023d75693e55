/**
 * The documented defaults of making and judging certificates: key sizes, validity periods,
 * bounds, TLS versions. Plain constants, importing nothing, so that every layer (and a CLI) can
 * read them without loading the code that uses them.
 */
import type { Curve, KeyFormat, KeyType } from './x509/keys.js';

/** Default RSA modulus for client identities: 4096 bits, as the Redis Enterprise guide does. */
export const CLIENT_KEY_BITS = 4096;
/** Default validity of a client certificate: 1826 days (five years), as the Redis guide's `-days 1826`. */
export const CLIENT_CERT_VALIDITY_DAYS = 1826;
/** Longest validity accepted: 36500 days (100 years). */
export const MAX_VALIDITY_DAYS = 36500;
/** Default key type. */
export const DEFAULT_KEY_TYPE: KeyType = 'rsa';
/** Default curve when `keyType` is `ec`. */
export const DEFAULT_CURVE: Curve = 'P-256';
/** Default private key encoding: PKCS#8 (`BEGIN PRIVATE KEY`), what OpenSSL 3 writes. */
export const DEFAULT_KEY_FORMAT: KeyFormat = 'pkcs8';
/** Serial numbers are 16 random bytes, positive (CA/Browser Forum BR 7.1 asks for ≥ 64 bits). */
export const SERIAL_NUMBER_BYTES = 16;

/** Default validity of a private root CA: 3650 days (ten years), as mkcert and most private PKIs. */
export const CA_CERT_VALIDITY_DAYS = 3650;
/** Default validity of an intermediate CA: 1826 days (five years), inside a ten-year root. */
export const INTERMEDIATE_CERT_VALIDITY_DAYS = 1826;
/**
 * Default validity of a server (proxy) certificate: 365 days. The Redis Enterprise documentation
 * recommends at most one year for server certificates; public CAs may not exceed 398 days
 * (CA/Browser Forum Baseline Requirements section 6.3.2), which browsers and Apple clients enforce.
 */
export const SERVER_CERT_VALIDITY_DAYS = 365;
/** Longest server validity without a warning: 398 days (CA/Browser Forum BR section 6.3.2). */
export const SERVER_CERT_MAX_RECOMMENDED_DAYS = 398;
/** Default RSA modulus of CA keys: 4096 bits (a CA key lives for years and signs everything). */
export const CA_KEY_BITS = 4096;
/** Default RSA modulus of server keys: 2048 bits (CA/B Forum BR 6.1.5 minimum; every handshake pays for it). */
export const SERVER_KEY_BITS = 2048;

/** TLS versions as Node names them, oldest first. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
/** A TLS protocol version. */
export type TlsVersion = (typeof TLS_VERSIONS)[number];
/** Default lowest TLS version a live endpoint may accept (RFC 8996 deprecates TLS 1.0 and 1.1). */
export const DEFAULT_MIN_TLS: TlsVersion = 'TLSv1.2';
/** Minimum TLS version written into stunnel configurations and required by lint (RFC 8996). */
export const STUNNEL_MIN_TLS_VERSION = 'TLSv1.2';

/** Default number of endpoints worked on at once (`fetch`, `check` and `expiry` over many endpoints). */
export const DEFAULT_CONCURRENCY = 16;
/**
 * Most endpoints worked on at once: each holds a socket (a file descriptor) and a TLS handshake's
 * memory, and a Linux process is often limited to 1,024 descriptors (`ulimit -n`).
 */
export const MAX_CONCURRENCY = 1024;

/**
 * The Redis clients a connection snippet is written for (`makeConnectionSnippet`), in help
 * order: each is run against a real TLS redis-server in the tests.
 */
export const SNIPPET_CLIENTS = [
  'ioredis',
  'node-redis',
  'redis-py',
  'redis-cli',
  'stunnel',
  'java',
] as const;
/** A client a snippet is written for. */
export type SnippetClient = (typeof SNIPPET_CLIENTS)[number];
