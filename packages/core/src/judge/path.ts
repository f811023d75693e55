/**
 * Certification path validation at a chosen time (RFC 5280 section 6), with the web-PKI profile
 * choices (CA/Browser Forum Baseline Requirements) where the two differ, because the paths we
 * judge are TLS server and client paths.
 *
 * Path building: from the leaf, through an unordered pool of untrusted certificates, to any trust
 * anchor (every anchor counts, self-signed or not; the path ends at the first anchor met).
 * Candidate issuers are found by name (RFC 5280 section 7.1 comparison) and tried anchors
 * first, then key identifiers matching, then those valid at the time; cycles (the same
 * certificate, or the same subject and key) are cut; the work is bounded by
 * {@link MAX_SIGNATURE_CHECKS} and {@link MAX_COMPLETE_PATHS} so that hostile pools (limbo's
 * `pathological::*`, Go's TestPathologicalChains) finish quickly. Each complete path is checked
 * whole; the first that passes every check wins, otherwise every finding of the best attempt is
 * returned with that path.
 *
 * Synchronous: signatures are checked with node:crypto (OpenSSL), which is synchronous and fast.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificates } from '../x509/certificates.js';
import { checkDecodingBounds } from '../asn1/der.js';
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/files.js';
import {
  dnsPatternProblem,
  isDnsName,
  matchReferenceIdentity,
  subjectAltNames,
} from './hostname.js';
import type { ReferenceIdentity } from './hostname.js';
import { resolveNow } from './clock.js';
import { parseIpAddress } from '../x509/ip.js';
import { parsePemBlocks } from '../x509/pem.js';
import {
  formatIp,
  internals,
  namesEqual,
  OID,
  serialHex,
  signatureVerifies,
  verifySignedData,
} from '../x509/pkix.js';
import type { Certificate, CertificateInfo } from '../x509/pkix.js';
import { decodedExtensions, pkijsCertificate } from '../x509/structures.js';

/** Default cap on intermediates (self-issued ones not counted), as pyca/cryptography's 8. */
export const DEFAULT_MAX_DEPTH = 8;
/**
 * Signature checks one validation may make while building paths. Go stops at 100
 * (`maxChainSignatureChecks`); legitimate pools need a handful, hostile ones (100 CAs with one
 * subject and one key) would otherwise need millions.
 */
export const MAX_SIGNATURE_CHECKS = 128;
/** Complete candidate paths checked in full before giving up. */
export const MAX_COMPLETE_PATHS = 32;
/**
 * Candidate issuers one validation may look at while building paths: every certificate read from
 * a name bucket and every candidate tried counts. Legitimate pools need tens (x509-limbo's
 * pathological cases under 1,000); four files of 10,000 certificates sharing one name would
 * otherwise be scanned once per step of the search (41 s of CPU before this bound).
 */
export const MAX_CANDIDATE_VISITS = 20_000;
/**
 * Certificates kept per subject name, key and issuer name: more of them add nothing to the
 * search but identical steps (they differ in serial, validity or extensions only). The pool
 * keeps anchors first, then those valid at the validation time, then input order; a reissued
 * intermediate (old and renewed, same key) keeps both.
 */
export const MAX_SAME_NAME_AND_KEY = 4;
/**
 * Name-constraint comparisons (names x subtrees) allowed on one path; Go's limit is 250,000.
 * Above it the path is refused (limbo `pathological::nc-dos-*`: quadratic blow-up).
 */
export const MAX_NAME_CONSTRAINT_CHECKS = 250_000;
/** Work of the last {@link validatePath} call's search. Internal (tests and the bench). */
export const pathSearchWork = { candidateVisits: 0, signatureChecks: 0 };

/** Certificates in one path whatever the depth allowance (self-issued ones included). */
const HARD_PATH_LIMIT = 32;

/** What a path is validated for: the EKU the leaf needs (RFC 5280 section 4.2.1.12). */
export type PathPurpose = 'server' | 'client' | 'any';

/** One problem found on a path. `certificate` is the index in the path (0 is the leaf). */
export interface PathFinding {
  /** Stable code, e.g. `EXPIRED`, `NOT_A_CA`, `SIGNATURE_INVALID`, `HOSTNAME_MISMATCH`. */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly certificate?: number;
}

/** The outcome of {@link validatePath}. */
export interface PathValidation {
  /** True when a path to a trust anchor passed every check. */
  readonly ok: boolean;
  /** The valid path, or the best path tried: leaf first, anchor last when one was reached. */
  readonly path: readonly Certificate[];
  /** Every finding on that path (errors make `ok` false; warnings do not). */
  readonly findings: readonly PathFinding[];
  /** True when {@link PathValidation.path} ends at a trust anchor. */
  readonly anchored: boolean;
}

/** A certificate revocation list made by {@link parseRevocationLists}. */
export interface RevocationList {
  /** Where it came from, for messages. */
  readonly source: string;
  /** Issuer name as text. */
  readonly issuer: string;
  readonly thisUpdate: string;
  readonly nextUpdate?: string;
  /** Revoked serial numbers, lower-case hex as {@link CertificateInfo.serialNumber}. */
  readonly revokedSerials: readonly string[];
}

interface CrlInternals {
  readonly crl: pkijs.CertificateRevocationList;
  readonly issuerDer: Uint8Array;
  readonly revoked: ReadonlySet<string>;
}
const crlInternals = new WeakMap<RevocationList, CrlInternals>();

/** Options of {@link validatePath}. */
export interface ValidatePathOptions {
  readonly leaf: Certificate;
  /** Trust anchors: every one counts, self-signed or not. */
  readonly anchors: readonly Certificate[];
  /** Untrusted certificates that may complete the path, in any order; decoys are fine. */
  readonly intermediates?: readonly Certificate[];
  /**
   * Validation time (default: now), a `Date` or milliseconds; compared at whole seconds as
   * certificates encode it.
   */
  readonly at?: Date | number;
  /** EKU the leaf must allow: `server` (serverAuth), `client` (clientAuth) or `any`. Default `server`. */
  readonly purpose?: PathPurpose;
  /**
   * Host name the leaf must match (RFC 9525): a DNS name, or an IP literal, which is matched as
   * an IP reference (section 6.4) exactly as {@link ValidatePathOptions.ip} is.
   */
  readonly host?: string;
  /** IP address the leaf must match (RFC 9525 section 6.4). */
  readonly ip?: string;
  /**
   * Most intermediates allowed, self-issued ones not counted: a whole number, 0 or more. Default
   * {@link DEFAULT_MAX_DEPTH}.
   */
  readonly maxDepth?: number;
  /** CRLs to check revocation against (RFC 5280 section 6.3); none means no revocation check. */
  readonly crls?: readonly RevocationList[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function fingerprint(certificate: Certificate): string {
  return certificate.info.fingerprintSha256;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function extension(certificate: Certificate, oid: string) {
  return decodedExtensions(certificate).find((e) => e.oid === oid);
}

/**
 * A name as a lookup key: attribute types and values normalised as {@link namesEqual} compares
 * them (RFC 5280 section 7.1), so that equal keys are equal names.
 */
function nameKey(certificate: Certificate, field: 'subject' | 'issuer'): string {
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
const subjectKeys = new WeakMap<Certificate, string>();
const issuerKeys = new WeakMap<Certificate, string>();
const keyHexes = new WeakMap<Certificate, string>();

/** Subject name and public key: two certificates alike here may not both be on one path. */
function subjectAndKey(certificate: Certificate): string {
  let key = keyHexes.get(certificate);
  if (key === undefined) {
    key = hex(internals(certificate).spkiDer);
    keyHexes.set(certificate, key);
  }
  return `${nameKey(certificate, 'subject')} ${key}`;
}

/**
 * Subject name, public key and issuer name, as encoded: what path building sees of a
 * certificate. Byte-exact (names encoded differently stay apart), which is all the grouping of
 * {@link MAX_SAME_NAME_AND_KEY} needs, and cheaper than normalising 40,000 names.
 */
function sameNameAndKey(certificate: Certificate): string {
  const x = internals(certificate);
  return Buffer.concat([x.subjectDer, x.spkiDer, x.issuerDer]).toString('latin1');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function label(certificate: Certificate): string {
  return certificate.info.subject.length > 0 ? certificate.info.subject : '(empty subject)';
}

function isSelfIssued(certificate: Certificate): boolean {
  return namesEqual(certificate, 'subject', certificate, 'issuer');
}

/** Extensions whose semantics we process or that RFC 5280 section 4.2 lets us ignore safely. */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.authorityKeyIdentifier,
  OID.policyConstraints,
  OID.extKeyUsage,
  OID.inhibitAnyPolicy,
  OID.authorityInfoAccess,
  '1.3.6.1.5.5.7.1.11', // subjectInfoAccess
  '2.5.29.46', // freshestCRL
  '1.3.6.1.4.1.11129.2.4.2', // CT signed certificate timestamps
]);

/** Extensions pkijs decodes; a value it cannot decode is a malformed certificate. */
const DECODED_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.authorityKeyIdentifier,
  OID.policyConstraints,
  OID.extKeyUsage,
  OID.authorityInfoAccess,
  OID.certificatePolicies,
  OID.crlDistributionPoints,
]);

/** Extensions RFC 5280 section 4.2.1 says conforming CAs MUST mark non-critical. */
const MUST_BE_NON_CRITICAL: Readonly<Record<string, string>> = {
  [OID.authorityKeyIdentifier]: 'authorityKeyIdentifier (RFC 5280 section 4.2.1.1)',
  [OID.subjectKeyIdentifier]: 'subjectKeyIdentifier (RFC 5280 section 4.2.1.2)',
  [OID.authorityInfoAccess]: 'authorityInfoAccess (RFC 5280 section 4.2.2.1)',
};

function parsedOk(value: unknown): boolean {
  return (
    value !== null && value !== undefined && !(typeof value === 'object' && 'parsingError' in value)
  );
}

// ---------------------------------------------------------------------------------------------
// Per-certificate checks

type Add = (code: string, message: string, severity?: 'error' | 'warning') => void;

/** Structure and key checks that apply to every certificate of a path, anchors included. */
function checkStructure(certificate: Certificate, anchor: boolean, add: Add): void {
  const cert = pkijsCertificate(certificate);
  const extensions = decodedExtensions(certificate);
  // RFC 5280 section 4.1.2.1 and CA/B BR 7.1.1: extensions need v3.
  if (cert.version !== 2)
    add('VERSION_NOT_V3', `is an X.509 v${String(cert.version + 1)} certificate, not v3`);
  // RFC 5280 section 4.1.2.2: positive, at most 20 octets.
  // Not for trust anchors: they are inputs, not certificates under validation (RFC 5280
  // section 6.1.1 (d)); real roots break it (Starfield Root G2 has serial 0).
  const serial = anchor ? new Uint8Array([1]) : cert.serialNumber.valueBlock.valueHexView;
  if (serial.length > 20) add('SERIAL_INVALID', 'serial number is longer than 20 octets');
  else if (((serial[0] ?? 0) & 0x80) !== 0) add('SERIAL_INVALID', 'serial number is negative');
  else if (serial.every((b) => b === 0)) add('SERIAL_INVALID', 'serial number is zero');
  // RFC 5280 section 4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature.
  const outer = new Uint8Array(cert.signatureAlgorithm.toSchema().toBER(false));
  const inner = new Uint8Array(cert.signature.toSchema().toBER(false));
  if (!bytesEqual(outer, inner))
    add(
      'SIGNATURE_ALGORITHM_MISMATCH',
      'signatureAlgorithm differs from the signature field of the TBS (RFC 5280 section 4.1.1.2)',
    );
  if (certificate.info.issuerAttributes.length === 0)
    add('EMPTY_NAME', 'has an empty issuer name (RFC 5280 section 4.1.2.4)');
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.oid))
      add('DUPLICATE_EXTENSION', `has extension ${e.oid} twice (RFC 5280 section 4.2)`);
    seen.add(e.oid);
    if (DECODED_EXTENSIONS.has(e.oid) && !parsedOk(e.parsed))
      add('EXTENSION_MALFORMED', `extension ${e.oid} cannot be decoded`);
    if (e.critical && !KNOWN_EXTENSIONS.has(e.oid))
      add(
        'UNKNOWN_CRITICAL_EXTENSION',
        `has critical extension ${e.oid}, which certkit does not process (RFC 5280 section 4.2)`,
      );
    const nonCritical = MUST_BE_NON_CRITICAL[e.oid];
    if (e.critical && nonCritical !== undefined)
      add('EXTENSION_CRITICALITY', `marks ${nonCritical} critical; it MUST be non-critical`);
  }
  const aia = extensions.find((e) => e.oid === OID.authorityInfoAccess)?.parsed;
  if (aia instanceof pkijs.InfoAccess && aia.accessDescriptions.length === 0)
    add('EXTENSION_MALFORMED', 'authorityInfoAccess has no access descriptions');
  const pc = extensions.find((e) => e.oid === OID.policyConstraints);
  if (pc !== undefined && !pc.critical)
    add(
      'EXTENSION_CRITICALITY',
      'marks policyConstraints non-critical; it MUST be critical (RFC 5280 section 4.2.1.11)',
    );
  checkKey(certificate, add);
}

/**
 * Key types and sizes the web PKI accepts (CA/B BR 6.1.5 and 7.1.3.1): RSA of at least 2048 bits
 * and a multiple of 8; ECDSA on P-256, P-384 or P-521 with a named curve; and, beyond the BR,
 * Ed25519/Ed448 (RFC 8410), which TLS stacks accept. DSA and smaller curves are refused.
 */
function checkKey(certificate: Certificate, add: Add): void {
  const { key } = certificate.info;
  const spki = pkijsCertificate(certificate).subjectPublicKeyInfo;
  switch (key.type) {
    case 'rsa':
    case 'rsa-pss':
      if (key.bits < 2048)
        add('KEY_TOO_WEAK', `has an RSA ${String(key.bits)}-bit key; at least 2048 are required`);
      else if (key.bits % 8 !== 0)
        add('KEY_NOT_ALLOWED', `has an RSA ${String(key.bits)}-bit key, not a multiple of 8`);
      return;
    case 'ec': {
      if (!(spki.algorithm.algorithmParams instanceof asn1js.ObjectIdentifier)) {
        add('KEY_NOT_ALLOWED', 'has an EC key with explicit curve parameters (CA/B BR 7.1.3.1.2)');
        return;
      }
      if (!['P-256', 'P-384', 'P-521'].includes(key.curve ?? ''))
        add('KEY_NOT_ALLOWED', `has an EC key on ${key.curve ?? 'an unknown curve'}`);
      return;
    }
    case 'ed25519':
    case 'ed448':
      return;
    default:
      add('KEY_NOT_ALLOWED', `has a ${key.type === 'unknown' ? 'unsupported' : key.type} key`);
  }
}

function basicConstraints(certificate: Certificate) {
  const e = extension(certificate, OID.basicConstraints);
  return e === undefined ? null : { ...certificate.info.basicConstraints, critical: e.critical };
}

/** Checks that a certificate may issue certificates (RFC 5280 sections 4.2.1.2, 4.2.1.3, 4.2.1.9). */
function checkIssuer(certificate: Certificate, add: Add): void {
  const bc = basicConstraints(certificate);
  if (bc === null) {
    add(
      'NOT_A_CA',
      'has no basicConstraints, so it cannot issue certificates (RFC 5280 section 4.2.1.9)',
    );
  } else if (bc.ca !== true) {
    add(
      'NOT_A_CA',
      'has basicConstraints cA=FALSE, so it cannot issue certificates (RFC 5280 section 4.2.1.9)',
    );
  } else if (!bc.critical) {
    add(
      'BASIC_CONSTRAINTS_NOT_CRITICAL',
      'marks basicConstraints non-critical; CA certificates MUST mark it critical (RFC 5280 section 4.2.1.9)',
    );
  }
  const ku = certificate.info.keyUsage;
  if (ku !== null && !ku.includes('keyCertSign'))
    add('KEY_CERT_SIGN_MISSING', 'has keyUsage without keyCertSign (RFC 5280 section 4.2.1.3)');
  if (certificate.info.subjectKeyIdentifier === undefined)
    add(
      'SKI_MISSING',
      'is a CA certificate without subjectKeyIdentifier (RFC 5280 section 4.2.1.2)',
    );
  if (certificate.info.subjectAttributes.length === 0)
    add('EMPTY_NAME', 'is a CA certificate with an empty subject (RFC 5280 section 4.1.2.6)');
}

/** Authority key identifier rules (RFC 5280 section 4.2.1.1; CA/B BR 7.1.2.1.3 for roots). */
function checkAuthorityKeyId(
  certificate: Certificate,
  selfSigned: boolean,
  anchor: boolean,
  add: Add,
): void {
  const e = extension(certificate, OID.authorityKeyIdentifier);
  const aki = e?.parsed;
  if (e === undefined) {
    // Trust anchors are inputs (RFC 5280 section 6.1.1 (d)): a cross-signed root without AKI
    // still anchors (limbo cve::cve-2024-0567).
    if (!selfSigned && !anchor)
      add(
        'AKI_MISSING',
        'has no authorityKeyIdentifier; only self-signed certificates may omit it (RFC 5280 section 4.2.1.1)',
      );
    return;
  }
  if (!(aki instanceof pkijs.AuthorityKeyIdentifier)) return; // reported as EXTENSION_MALFORMED
  if (aki.keyIdentifier === undefined) {
    add('AKI_INVALID', 'authorityKeyIdentifier has no keyIdentifier (RFC 5280 section 4.2.1.1)');
    return;
  }
  if (selfSigned) {
    if (aki.authorityCertIssuer !== undefined || aki.authorityCertSerialNumber !== undefined)
      add(
        'AKI_INVALID',
        'is a root whose authorityKeyIdentifier has authorityCertIssuer or serial (CA/B BR 7.1.2.1.3)',
      );
    const ski = certificate.info.subjectKeyIdentifier;
    if (ski !== undefined && hex(aki.keyIdentifier.valueBlock.valueHexView) !== ski)
      add(
        'AKI_INVALID',
        'is a root whose authorityKeyIdentifier differs from its subjectKeyIdentifier (CA/B BR 7.1.2.1.3)',
      );
  }
}

const EKU_FOR: Readonly<Record<PathPurpose, string | null>> = {
  server: OID.serverAuth,
  client: OID.clientAuth,
  any: null,
};

function ekuOids(certificate: Certificate): string[] | null {
  const parsed = extension(certificate, OID.extKeyUsage)?.parsed;
  if (parsed === undefined) return null;
  return parsed instanceof pkijs.ExtKeyUsage ? parsed.keyPurposes : [];
}

/**
 * EKU for the purpose (RFC 5280 section 4.2.1.12): absent means unrestricted; present must list
 * the purpose or anyExtendedKeyUsage; an empty list is invalid. On intermediates the same rule
 * applies, as OpenSSL, Go and the browsers apply it (EKU chaining); RFC 5280 is silent there.
 */
function checkEku(certificate: Certificate, purpose: PathPurpose, leaf: boolean, add: Add): void {
  const oids = ekuOids(certificate);
  if (oids === null) return;
  if (oids.length === 0) {
    add(
      'EKU_EMPTY',
      'has an extendedKeyUsage extension with no purposes (RFC 5280 section 4.2.1.12)',
    );
    return;
  }
  const wanted = EKU_FOR[purpose];
  if (wanted === null || oids.includes(wanted) || oids.includes(OID.anyExtendedKeyUsage)) return;
  const names = certificate.info.extendedKeyUsage?.join(', ') ?? '';
  add(
    'EKU_MISMATCH',
    `${leaf ? 'has' : 'restricts issued certificates to'} extendedKeyUsage ${names}, without ${purpose === 'server' ? 'serverAuth' : 'clientAuth'} (RFC 5280 section 4.2.1.12)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Name constraints (RFC 5280 sections 4.2.1.10 and 6.1.4 (g))

interface Attribute {
  readonly oid: string;
  readonly value: string;
}

interface IpRange {
  readonly address: Uint8Array;
  readonly mask: Uint8Array;
}

interface Subtrees {
  dns: string[];
  ip: IpRange[];
  email: string[];
  dn: Attribute[][];
  /** GeneralName forms we do not process (otherName, x400, ediParty, URI, registeredID). */
  other: number[];
}

interface ConstraintSet {
  readonly permitted: Subtrees | null;
  readonly excluded: Subtrees;
  readonly owner: number;
}

function emptySubtrees(): Subtrees {
  return { dns: [], ip: [], email: [], dn: [], other: [] };
}

function normalizeValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

function rdnAttributes(name: pkijs.RelativeDistinguishedNames): Attribute[] {
  return name.typesAndValues.map((tv) => {
    const v = tv.value as { valueBlock?: { value?: unknown } };
    return {
      oid: tv.type,
      value: normalizeValue(typeof v.valueBlock?.value === 'string' ? v.valueBlock.value : ''),
    };
  });
}

/** Why a constraint's base is malformed, or null. */
function addSubtree(into: Subtrees, base: pkijs.GeneralName): string | null {
  switch (base.type) {
    case 2: {
      const name = typeof base.value === 'string' ? base.value : '';
      // RFC 5280 section 4.2.1.10: a DNS constraint is a host name (no wildcard, no leading dot);
      // the empty string stands for every name.
      if (name.length > 0 && !isDnsName(name))
        return `dNSName constraint "${name}" is not a valid DNS name`;
      into.dns.push(name.toLowerCase());
      return null;
    }
    case 7: {
      const octets =
        base.value instanceof asn1js.OctetString ? base.value.valueBlock.valueHexView : null;
      if (octets === null || (octets.length !== 8 && octets.length !== 32))
        return 'iPAddress constraint is not an address and mask of 8 or 32 octets';
      const half = octets.length / 2;
      const mask = octets.slice(half);
      // The mask must be contiguous ones then zeros (RFC 4632 CIDR, RFC 5280 section 4.2.1.10).
      const bits = Array.from(mask, (b) => b.toString(2).padStart(8, '0')).join('');
      if (!/^1*0*$/.test(bits)) return 'iPAddress constraint mask is not a CIDR prefix';
      into.ip.push({ address: octets.slice(0, half), mask });
      return null;
    }
    case 1: {
      const name = typeof base.value === 'string' ? base.value : '';
      if (!validEmailConstraint(name)) return `rfc822Name constraint "${name}" is malformed`;
      into.email.push(name);
      return null;
    }
    case 4:
      if (!(base.value instanceof pkijs.RelativeDistinguishedNames))
        return 'directoryName constraint is malformed';
      into.dn.push(rdnAttributes(base.value));
      return null;
    default:
      into.other.push(base.type);
      return null;
  }
}

function validMailbox(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.indexOf('@') !== at) return false;
  return isDnsName(address.slice(at + 1)) && !/[\s]/.test(address.slice(0, at));
}

function validEmailConstraint(name: string): boolean {
  if (name.includes('@')) return validMailbox(name);
  return isDnsName(name.startsWith('.') ? name.slice(1) : name);
}

function dnsWithin(name: string, base: string): boolean {
  if (base.length === 0) return true;
  return name === base || name.endsWith(`.${base}`);
}

/**
 * A dNSName presented name against a subtree. A wildcard name `*.S` stands for every `x.S`
 * (RFC 9525), so it is within a subtree only when all of those are (S within base), and meets
 * an excluded subtree when any is (CVE-2025-61727: S within base, or base is one label over S).
 */
function dnsMatches(name: string, base: string, excluded: boolean): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!n.startsWith('*.')) return dnsWithin(n, base);
  const suffix = n.slice(2);
  if (dnsWithin(suffix, base) && suffix !== base) return true;
  if (suffix === base) return true;
  if (!excluded) return false;
  const dot = base.indexOf('.');
  return dot > 0 && base.slice(dot + 1) === suffix;
}

function emailMatches(address: string, constraint: string): boolean {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const host = address.slice(at + 1).toLowerCase();
  if (constraint.includes('@')) {
    // A mailbox: the local part compares exactly (RFC 5280 section 4.2.1.10: "*" is literal).
    const cat = constraint.lastIndexOf('@');
    return local === constraint.slice(0, cat) && host === constraint.slice(cat + 1).toLowerCase();
  }
  const c = constraint.toLowerCase();
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

function ipMatches(octets: Uint8Array, range: IpRange): boolean {
  if (octets.length !== range.address.length) return false;
  return octets.every(
    (b, i) => (b & (range.mask[i] ?? 0)) === ((range.address[i] ?? 0) & (range.mask[i] ?? 0)),
  );
}

function dnMatches(name: readonly Attribute[], base: readonly Attribute[]): boolean {
  if (base.length > name.length) return false;
  return base.every((a, i) => {
    const n = name[i];
    return n !== undefined && n.oid === a.oid && n.value === a.value;
  });
}

/** The names of a certificate that name constraints apply to (RFC 5280 section 4.2.1.10). */
interface PresentedNames {
  readonly dns: readonly string[];
  readonly ip: readonly Uint8Array[];
  readonly email: readonly string[];
  readonly dn: readonly (readonly Attribute[])[];
  readonly other: readonly number[];
  readonly problems: readonly string[];
}

function presentedNames(certificate: Certificate): PresentedNames {
  const sans = subjectAltNames(certificate);
  const problems: string[] = [];
  if (sans.malformed) problems.push('subjectAltName is malformed');
  for (const name of sans.dns) {
    if (dnsPatternProblem(name) !== null && !isDnsName(name.replace(/^\*\./, '')))
      problems.push(`subjectAltName dNSName "${name}" is not a valid DNS name`);
  }
  for (const octets of sans.ip) {
    if (octets.length !== 4 && octets.length !== 16)
      problems.push('subjectAltName iPAddress is not 4 or 16 octets');
  }
  for (const email of sans.email) {
    if (!validMailbox(email)) problems.push(`subjectAltName rfc822Name "${email}" is malformed`);
  }
  const subject = rdnAttributes(pkijsCertificate(certificate).subject);
  const subjectEmails = certificate.info.subjectAttributes
    .filter((a) => a.oid === OID.emailAddress)
    .map((a) => a.value);
  return {
    dns: sans.dns,
    ip: sans.ip,
    email: [...sans.email, ...subjectEmails],
    dn: [...(subject.length > 0 ? [subject] : []), ...sans.directoryNames.map(rdnAttributes)],
    other: [...sans.otherForms, ...(sans.uri.length > 0 ? [6] : [])],
    problems,
  };
}

function readConstraints(certificate: Certificate, owner: number, add: Add): ConstraintSet | null {
  const e = extension(certificate, OID.nameConstraints);
  if (e === undefined) return null;
  const nc = e.parsed;
  if (!(nc instanceof pkijs.NameConstraints) || !parsedOk(nc)) {
    add('NAME_CONSTRAINTS_INVALID', 'has a nameConstraints extension that cannot be decoded');
    return null;
  }
  const permittedList = nc.permittedSubtrees ?? [];
  const excludedList = nc.excludedSubtrees ?? [];
  if (permittedList.length === 0 && excludedList.length === 0) {
    // RFC 5280 section 4.2.1.10 and CA/B BR 7.1.2.5.2: at least one of the two MUST be present.
    add(
      'NAME_CONSTRAINTS_INVALID',
      'has nameConstraints with neither permitted nor excluded subtrees',
    );
    return null;
  }
  const permitted = nc.permittedSubtrees === undefined ? null : emptySubtrees();
  const excluded = emptySubtrees();
  for (const [list, into] of [
    [permittedList, permitted],
    [excludedList, excluded],
  ] as const) {
    for (const subtree of list) {
      if (into === null) continue;
      const problem = addSubtree(into, subtree.base);
      if (problem !== null) add('NAME_CONSTRAINTS_INVALID', problem);
    }
  }
  return { permitted, excluded, owner };
}

function describe(form: 'dns' | 'ip' | 'email' | 'dn', value: unknown): string {
  if (form === 'ip') return `IP address ${formatIp(value as Uint8Array)}`;
  if (form === 'dn')
    return `directory name ${(value as Attribute[]).map((a) => a.value).join(', ')}`;
  return `${form === 'dns' ? 'DNS name' : 'email address'} ${String(value)}`;
}

/** Checks one certificate's names against the constraints collected above it. */
function checkNames(
  names: PresentedNames,
  sets: readonly ConstraintSet[],
  budget: { left: number },
  add: Add,
): void {
  if (sets.length === 0) return;
  for (const problem of names.problems)
    add('NAME_CONSTRAINT_VIOLATION', `${problem}, so name constraints cannot be checked`);
  const forms = ['dns', 'ip', 'email', 'dn'] as const;
  for (const set of sets) {
    let work = 0;
    for (const form of forms) {
      const presented = names[form] as readonly unknown[];
      work += presented.length * (set.excluded[form].length + (set.permitted?.[form].length ?? 0));
    }
    budget.left -= work;
    if (budget.left < 0) {
      add(
        'NAME_CONSTRAINTS_TOO_COMPLEX',
        `checking its names against the name constraints needs over ${String(MAX_NAME_CONSTRAINT_CHECKS)} comparisons`,
      );
      return;
    }
    for (const form of names.other) {
      if (set.excluded.other.includes(form) || set.permitted?.other.includes(form))
        add(
          'NAME_CONSTRAINT_UNSUPPORTED',
          `has a name of a form (GeneralName [${String(form)}]) constrained by certificate ${String(set.owner)}, which certkit cannot check (RFC 5280 section 4.2.1.10: reject)`,
        );
    }
    const test = (
      form: (typeof forms)[number],
      name: unknown,
      base: unknown,
      excluded: boolean,
    ): boolean => {
      switch (form) {
        case 'dns':
          return dnsMatches(name as string, base as string, excluded);
        case 'ip':
          return ipMatches(name as Uint8Array, base as IpRange);
        case 'email':
          return emailMatches(name as string, base as string);
        case 'dn':
          return dnMatches(name as Attribute[], base as Attribute[]);
      }
    };
    for (const form of forms) {
      const presented = names[form] as readonly unknown[];
      const excluded = set.excluded[form] as readonly unknown[];
      const permitted = (set.permitted?.[form] ?? []) as readonly unknown[];
      for (const name of presented) {
        if (excluded.some((base) => test(form, name, base, true)))
          add(
            'NAME_CONSTRAINT_VIOLATION',
            `${describe(form, name)} is excluded by the name constraints of certificate ${String(set.owner)}`,
          );
        else if (permitted.length > 0 && !permitted.some((base) => test(form, name, base, false)))
          add(
            'NAME_CONSTRAINT_VIOLATION',
            `${describe(form, name)} is outside the permitted names of certificate ${String(set.owner)}`,
          );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Identity (RFC 9525) and leaf profile

/**
 * CA/B BR 7.1.4.3: a subject commonName, when present, is a character-for-character copy of a
 * subjectAltName entry. Applied where the CN claims to be a name a client could match:
 * - a CN that looks like an IP address must be the canonical text (RFC 3986 section 3.2.2
 *   dotted decimal, RFC 5952 section 4 for IPv6) of an iPAddress SAN, so `0xC0A80101`,
 *   `192.168.001.001` and `2001:DB8::1` are refused;
 * - a CN that looks like a domain name (a dot, no spaces) must be byte-equal to a dNSName SAN
 *   or a parent domain of one (`example.com` over `*.example.com` or `foo.example.com`; limbo's
 *   valid cases carry such CNs, and a parent domain cannot widen what the SAN matches).
 * Descriptive CNs (`Redis Server`, `localhost`) are left alone, and no CN is ever matched
 * against the reference identity (RFC 9525 section 6.2).
 */
function checkCommonName(leaf: Certificate, add: Add): void {
  const sans = subjectAltNames(leaf);
  if (!sans.present || sans.malformed) return;
  for (const attr of leaf.info.subjectAttributes) {
    if (attr.oid !== OID.commonName) continue;
    const cn = attr.value;
    const ipLike =
      /^[0-9a-fA-FxX.:]+$/.test(cn) &&
      /[0-9]/.test(cn) &&
      (cn.includes(':') || /^[0-9.]+$/.test(cn) || /^0x/i.test(cn));
    if (ipLike) {
      const texts = sans.ip.filter((o) => o.length === 4 || o.length === 16).map(formatIp);
      if (!texts.includes(cn))
        add(
          'COMMON_NAME_NOT_IN_SAN',
          `common name "${cn}" is not the canonical text of an IP address in subjectAltName (CA/B BR 7.1.4.3)`,
        );
      continue;
    }
    if (!cn.includes('.') || /\s/.test(cn) || sans.dns.length === 0) continue;
    const covered = sans.dns.some((d) => d === cn || d.endsWith(`.${cn}`));
    if (!covered)
      add(
        'COMMON_NAME_NOT_IN_SAN',
        `common name "${cn}" is not a copy of a dNSName in subjectAltName (CA/B BR 7.1.4.3)`,
      );
  }
}

function checkLeafProfile(leaf: Certificate, add: Add): void {
  const bc = leaf.info.basicConstraints;
  const ku = leaf.info.keyUsage;
  if (bc?.ca === true && ku !== null && !ku.includes('keyCertSign'))
    // cA=TRUE without keyCertSign says both "may sign certificates" and "may not" (RFC 5280
    // sections 4.2.1.3 and 4.2.1.9); limbo webpki::ee-basicconstraints-ca.
    add(
      'CA_EXTENSIONS_INCONSISTENT',
      'asserts cA=TRUE but its keyUsage lacks keyCertSign (RFC 5280 sections 4.2.1.3, 4.2.1.9)',
    );
  else if (bc?.ca === true)
    // A warning, not an error: RFC 5280 section 4.2.1.9 lets the last certificate be a CA
    // (limbo pathlen::validation-ignores-pathlen-in-leaf); CA/B BR 7.1.2.7.8 forbids it for
    // subscribers, and a self-signed `openssl req -x509` "client" certificate is such a CA.
    add(
      'LEAF_IS_CA',
      'is a CA certificate (cA=TRUE) used as an end entity (CA/B BR 7.1.2.7.8 forbids it)',
      'warning',
    );
  else if (ku?.includes('keyCertSign') === true)
    add('LEAF_KEY_CERT_SIGN', 'asserts keyCertSign without cA=TRUE (RFC 5280 section 4.2.1.9)');
  if (extension(leaf, OID.nameConstraints) !== undefined)
    add(
      'NAME_CONSTRAINTS_IN_LEAF',
      'has nameConstraints, which only CA certificates may carry (RFC 5280 section 4.2.1.10)',
    );
  const sans = subjectAltNames(leaf);
  const emptySubject = leaf.info.subjectAttributes.length === 0;
  if (sans.present && emptySubject && !sans.critical)
    add(
      'SAN_CRITICALITY',
      'has an empty subject and a non-critical subjectAltName (RFC 5280 section 4.2.1.6)',
    );
  if (sans.present && !emptySubject && sans.critical)
    add('SAN_CRITICALITY', 'has a subject and a critical subjectAltName (CA/B BR 7.1.2.7.12)');
  if (emptySubject && !sans.present)
    add('EMPTY_NAME', 'has an empty subject and no subjectAltName (RFC 5280 section 4.1.2.6)');
}

// ---------------------------------------------------------------------------------------------
// Revocation (RFC 5280 section 6.3, simplified: complete CRLs from the certificate's issuer)

function crlSignatureVerifies(list: CrlInternals, issuer: Certificate): boolean {
  const key = internals(issuer).publicKey;
  return (
    key !== null &&
    verifySignedData(
      list.crl.signatureAlgorithm.algorithmId,
      list.crl.tbsView,
      key,
      list.crl.signatureValue.valueBlock.valueHexView,
    )
  );
}

function checkRevocation(
  certificate: Certificate,
  issuer: Certificate,
  crls: readonly RevocationList[],
  at: Date,
  add: Add,
): void {
  const issuerSubject = internals(issuer).subjectDer;
  for (const list of crls) {
    const x = crlInternals.get(list);
    if (x === undefined || !bytesEqual(x.issuerDer, issuerSubject)) continue;
    if (!crlSignatureVerifies(x, issuer)) continue; // another CA's list with the same name
    const ku = issuer.info.keyUsage;
    if (ku !== null && !ku.includes('cRLSign')) {
      add(
        'CRL_INVALID',
        `CRL ${list.source} is signed by an issuer without cRLSign (RFC 5280 section 6.3.3 (f))`,
      );
      continue;
    }
    const number = x.crl.crlExtensions?.extensions.find((e) => e.extnID === '2.5.29.20');
    if (number === undefined) {
      add('CRL_INVALID', `CRL ${list.source} has no cRLNumber (RFC 5280 section 5.2.3)`);
      continue;
    }
    if (number.critical) {
      add('CRL_INVALID', `CRL ${list.source} marks cRLNumber critical (RFC 5280 section 5.2.3)`);
      continue;
    }
    if (x.crl.thisUpdate.value > at) {
      add('CRL_INVALID', `CRL ${list.source} is not yet valid at the validation time`, 'warning');
      continue;
    }
    if (x.revoked.has(certificate.info.serialNumber))
      add('REVOKED', `is revoked by CRL ${list.source} (serial ${certificate.info.serialNumber})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Whole-path evaluation

interface Context {
  readonly at: Date;
  readonly purpose: PathPurpose;
  readonly reference?: ReferenceIdentity;
  readonly maxDepth: number;
  readonly crls: readonly RevocationList[];
  readonly verifies: (child: Certificate, issuer: Certificate) => boolean;
}

/** Counts the intermediates that count against depth: self-issued ones do not (RFC 5280 4.2.1.9). */
function countedIntermediates(path: readonly Certificate[], anchored: boolean): number {
  const end = anchored ? path.length - 1 : path.length;
  let n = 0;
  for (let i = 1; i < end; i++) if (!isSelfIssued(path[i] as Certificate)) n++;
  return n;
}

function evaluate(
  path: readonly Certificate[],
  anchored: boolean,
  context: Context,
): PathFinding[] {
  const findings: PathFinding[] = [];
  const adder =
    (index: number): Add =>
    (code, message, severity = 'error') => {
      const cert = path[index] as Certificate;
      findings.push({ code, severity, message: `${label(cert)}: ${message}`, certificate: index });
    };
  const at = new Date(Math.floor(context.at.getTime() / 1000) * 1000);
  const last = path.length - 1;
  for (let i = 0; i <= last; i++) {
    const cert = path[i] as Certificate;
    const add = adder(i);
    const x = internals(cert);
    const isAnchor = anchored && i === last && path.length > 1;
    checkStructure(cert, isAnchor, add);
    // RFC 5280 section 4.1.2.5: notBefore through notAfter, inclusive, at whole seconds.
    if (at < x.notBefore) add('NOT_YET_VALID', `is not valid before ${cert.info.notBefore}`);
    if (at > x.notAfter) add('EXPIRED', `expired at ${cert.info.notAfter}`);
    const selfSigned =
      isSelfIssued(cert) && (isAnchor || path.length === 1) && context.verifies(cert, cert);
    checkAuthorityKeyId(cert, selfSigned, isAnchor, add);
    if (i > 0) {
      checkIssuer(cert, add);
      // pathLenConstraint: non-self-issued intermediates below this one (RFC 5280 section 6.1.4 (l)-(m)).
      const pathLength = cert.info.basicConstraints?.pathLength;
      if (pathLength !== undefined) {
        let below = 0;
        for (let j = 1; j < i; j++) if (!isSelfIssued(path[j] as Certificate)) below++;
        if (below > pathLength)
          add(
            'PATH_LENGTH_EXCEEDED',
            `allows ${String(pathLength)} intermediate(s) below it (pathLenConstraint), the path has ${String(below)}`,
          );
      }
      if (!isAnchor) checkEku(cert, context.purpose, false, add);
      // Signature of the certificate below (anchors are trusted as given, not checked).
      if (!context.verifies(path[i - 1] as Certificate, cert))
        adder(i - 1)(
          'SIGNATURE_INVALID',
          `signature does not verify with the key of ${label(cert)}`,
        );
      if (context.crls.length > 0)
        checkRevocation(path[i - 1] as Certificate, cert, context.crls, at, adder(i - 1));
    }
  }
  const leafAdd = adder(0);
  const leaf = path[0] as Certificate;
  checkLeafProfile(leaf, leafAdd);
  checkEku(leaf, context.purpose, true, leafAdd);
  if (context.reference !== undefined) {
    const match = matchReferenceIdentity(leaf, context.reference);
    if (!match.ok)
      leafAdd(
        'ip' in context.reference ? 'IP_MISMATCH' : 'HOSTNAME_MISMATCH',
        match.reason ?? 'name mismatch',
      );
    if (context.purpose !== 'client') checkCommonName(leaf, leafAdd);
  }
  // Name constraints, from the anchor down (RFC 5280 section 6.1.3 (b)-(c), 6.1.4 (g)).
  const sets: ConstraintSet[] = [];
  const budget = { left: MAX_NAME_CONSTRAINT_CHECKS };
  for (let i = last; i >= 0; i--) {
    const cert = path[i] as Certificate;
    // Self-issued intermediates are exempt, the leaf never is (RFC 5280 section 6.1.3 (b)).
    if (sets.length > 0 && (i === 0 || !isSelfIssued(cert)))
      checkNames(presentedNames(cert), sets, budget, adder(i));
    if (i > 0) {
      const set = readConstraints(cert, i, adder(i));
      if (set !== null) sets.push(set);
    }
  }
  const counted = countedIntermediates(path, anchored);
  if (counted > context.maxDepth)
    findings.push({
      code: 'MAX_DEPTH_EXCEEDED',
      severity: 'error',
      message: `the path has ${String(counted)} intermediates; at most ${String(context.maxDepth)} are allowed`,
    });
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Path building

interface Attempt {
  readonly path: readonly Certificate[];
  readonly anchored: boolean;
  /** Findings of an evaluated attempt; `null` until the final report evaluates it. */
  readonly findings: readonly PathFinding[] | null;
  /** A finding the search itself adds (no issuer found, depth exhausted). */
  readonly extra?: PathFinding;
}

function errors(findings: readonly PathFinding[]): number {
  return findings.filter((f) => f.severity === 'error').length;
}

/** Complete paths beat partial ones; then fewer errors; partial ones: the longer the better. */
function better(a: Attempt, b: Attempt | null): boolean {
  if (b === null) return true;
  if (a.anchored !== b.anchored) return a.anchored;
  if (a.findings !== null && b.findings !== null) {
    const ea = errors(a.findings);
    const eb = errors(b.findings);
    if (ea !== eb) return ea < eb;
    return a.path.length < b.path.length;
  }
  return a.path.length > b.path.length;
}

/** The options of {@link validatePath} that need checking, checked and with defaults applied. */
interface ResolvedPathOptions {
  readonly at: Date;
  readonly reference?: ReferenceIdentity;
  readonly maxDepth: number;
}

/**
 * Checks the time, reference identity and depth of a validation: the one place these rules
 * live. {@link verifyCertificateFiles} calls it before reading anything, so that a bad option
 * fails at once; {@link validatePath} calls it for every caller.
 *
 * - `at`: a valid date ({@link resolveNow}).
 * - `host` and `ip`: never both, no empty host, an `ip` that is an address. A host given as an IP
 *   literal is an IP reference (RFC 9525 section 6.4): a client that dials an address compares
 *   it with iPAddress entries, never with DNS names.
 * - `maxDepth`: a whole number, 0 or more (paths are bounded anyway, at 32 certificates).
 */
function resolvePathOptions(
  options: Pick<ValidatePathOptions, 'at' | 'host' | 'ip' | 'maxDepth'>,
): ResolvedPathOptions {
  const at = resolveNow(options.at, 'the validation time');
  const { host, ip } = options;
  if (host !== undefined && ip !== undefined)
    throw new CertkitError('INVALID_OPTION', 'give a host name or an IP address, not both');
  if (ip !== undefined && parseIpAddress(ip) === null)
    throw new CertkitError('INVALID_OPTION', `"${ip}" is not an IPv4 or IPv6 address`);
  if (host !== undefined && host.length === 0)
    throw new CertkitError('INVALID_OPTION', 'the host name is empty');
  const reference: ReferenceIdentity | undefined =
    ip !== undefined
      ? { ip }
      : host === undefined
        ? undefined
        : parseIpAddress(host) === null
          ? { dns: host }
          : { ip: host };
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0)
    throw new CertkitError(
      'INVALID_OPTION',
      `max depth must be a whole number, 0 or more, got ${String(maxDepth)}`,
    );
  return { at, maxDepth, ...(reference === undefined ? {} : { reference }) };
}

function keyIdMatches(child: Certificate, issuer: Certificate): boolean {
  const aki = child.info.authorityKeyIdentifier;
  return aki !== undefined && aki === issuer.info.subjectKeyIdentifier;
}

/**
 * Validates a certification path for `leaf` at a chosen time, building it from `anchors` and an
 * unordered pool of `intermediates` (see the module comment for the search). Checks on the
 * path, RFC 5280 section 6 and the web-PKI profile:
 * signatures; validity (inclusive, whole seconds); basicConstraints cA (critical) and
 * pathLenConstraint (self-issued intermediates not counted); keyCertSign on issuers; subject and
 * authority key identifiers; name constraints for DNS, IP, email and directory names (wildcard
 * SANs judged by every name they stand for, CVE-2025-61727); EKU for the purpose on the leaf
 * (anyExtendedKeyUsage accepted, RFC 5280 section 4.2.1.12) and on intermediates; unknown
 * critical extensions; serial numbers, versions, duplicate and malformed extensions; key types
 * and sizes; depth; the host or IP (RFC 9525); revocation when CRLs are given.
 *
 * Never throws for a bad path: everything found is data. Synchronous.
 *
 * @example
 * ```ts
 * const result = validatePath({ leaf, anchors: [root], intermediates: [ica], host: 'redis.example.com' });
 * if (!result.ok) for (const f of result.findings) console.error(f.code, f.message);
 * ```
 */
export function validatePath(options: ValidatePathOptions): PathValidation {
  const { at, reference, maxDepth } = resolvePathOptions(options);
  pathSearchWork.candidateVisits = 0;
  pathSearchWork.signatureChecks = 0;
  // Mutable search state in one object: closures below update it.
  const state: { best: Attempt | null; limited: boolean } = { best: null, limited: false };
  let signatureChecks = 0;
  const signatures = new Map<string, boolean>();
  /** Cached, budgeted signature check; `null` once the budget is spent. */
  const verifies = (child: Certificate, issuer: Certificate): boolean | null => {
    // The outcome depends on the child and the issuer's key only: certificates sharing a key
    // share the check.
    const key = `${fingerprint(child)}>${subjectAndKey(issuer)}`;
    const known = signatures.get(key);
    if (known !== undefined) return known;
    if (signatureChecks >= MAX_SIGNATURE_CHECKS) return null;
    signatureChecks++;
    const ok = signatureVerifies(child, issuer);
    signatures.set(key, ok);
    return ok;
  };
  const context: Context = {
    at,
    purpose: options.purpose ?? 'server',
    maxDepth,
    crls: options.crls ?? [],
    // Evaluation re-checks links the search verified: the cache answers those.
    verifies: (child, issuer) => verifies(child, issuer) ?? signatureVerifies(child, issuer),
    ...(reference === undefined ? {} : { reference }),
  };
  const { leaf } = options;
  const anchorSet = new Set(options.anchors.map(fingerprint));
  // A leaf that is itself a trust anchor (a pinned self-signed certificate) is its own path.
  if (anchorSet.has(fingerprint(leaf))) {
    const findings = evaluate([leaf], true, context);
    return { ok: errors(findings) === 0, path: [leaf], findings, anchored: true };
  }
  const pool = new Map<string, { cert: Certificate; anchor: boolean }>();
  for (const cert of options.intermediates ?? [])
    pool.set(fingerprint(cert), { cert, anchor: false });
  for (const cert of options.anchors) pool.set(fingerprint(cert), { cert, anchor: true });
  pool.delete(fingerprint(leaf));
  const validAt = (cert: Certificate): boolean => {
    const x = internals(cert);
    return at >= x.notBefore && at <= x.notAfter;
  };
  // Candidates are indexed once by subject name, after keeping at most MAX_SAME_NAME_AND_KEY of
  // each (subject, key, issuer): the search then reads one bucket per step.
  const groups = new Map<string, { cert: Certificate; anchor: boolean }[]>();
  for (const entry of pool.values()) push(groups, sameNameAndKey(entry.cert), entry);
  const kept = new Set<Certificate>();
  for (const members of groups.values()) {
    // Anchors first, then those valid at the time, then input order; one pass per class.
    const ranked: typeof members = [];
    for (const rank of [3, 2, 1, 0]) {
      for (const entry of members) {
        if (ranked.length >= MAX_SAME_NAME_AND_KEY) break;
        if ((entry.anchor ? 2 : 0) + (validAt(entry.cert) ? 1 : 0) === rank) ranked.push(entry);
      }
    }
    for (const entry of ranked) kept.add(entry.cert);
  }
  const bySubject = new Map<string, { cert: Certificate; anchor: boolean }[]>();
  for (const entry of pool.values())
    if (kept.has(entry.cert)) push(bySubject, nameKey(entry.cert, 'subject'), entry);

  let visits = 0;
  /** Counts `n` candidate visits; false once the budget is spent. */
  const visit = (n: number): boolean => {
    visits += n;
    if (visits <= MAX_CANDIDATE_VISITS) return true;
    state.limited = true;
    return false;
  };
  let completePaths = 0;
  const deadEnds = new Set<string>();
  const record = (attempt: Attempt): void => {
    if (better(attempt, state.best)) state.best = attempt;
  };
  const issuerLists = new Map<Certificate, { cert: Certificate; anchor: boolean }[]>();
  const issuersOf = (child: Certificate) => {
    const known = issuerLists.get(child);
    if (known !== undefined) return known;
    const bucket = bySubject.get(nameKey(child, 'issuer')) ?? [];
    if (!visit(bucket.length)) return [];
    const found = bucket
      .map((c) => ({
        ...c,
        score:
          (c.anchor ? 4 : 0) + (keyIdMatches(child, c.cert) ? 2 : 0) + (validAt(c.cert) ? 1 : 0),
      }))
      .sort((a, b) => b.score - a.score);
    issuerLists.set(child, found);
    return found;
  };

  interface Branch {
    /** Some continuation was pruned (cycle, depth, budget): a dead end here may not be one elsewhere. */
    cut: boolean;
    /** Some continuation reached a trust anchor. */
    reached: boolean;
  }
  /** Depth-first search from the top of `path`; true when a valid path was found. */
  const extend = (path: Certificate[], counted: number, branch: Branch): boolean => {
    const top = path[path.length - 1] as Certificate;
    const found = issuersOf(top);
    if (found.length === 0 && visits > MAX_CANDIDATE_VISITS) {
      branch.cut = true;
      return false;
    }
    if (found.length === 0) {
      record({
        path,
        anchored: false,
        findings: null,
        extra: {
          code: 'ISSUER_NOT_FOUND',
          severity: 'error',
          message: `${label(top)}: its issuer "${top.info.issuer}" is neither a trust anchor nor among the intermediates`,
          certificate: path.length - 1,
        },
      });
      return false;
    }
    for (const candidate of found) {
      if (!visit(1)) {
        branch.cut = true;
        return false;
      }
      const issuer = candidate.cert;
      const inPath = path.some((c) => c === issuer || subjectAndKey(c) === subjectAndKey(issuer));
      if (inPath) {
        branch.cut = true; // a cycle
        continue;
      }
      const signed = completePaths >= MAX_COMPLETE_PATHS ? null : verifies(top, issuer);
      if (signed === null) {
        state.limited = true;
        branch.cut = true;
        return false;
      }
      const next = [...path, issuer];
      if (!signed) {
        record({ path: next, anchored: false, findings: null });
        continue;
      }
      if (candidate.anchor) {
        completePaths++;
        branch.reached = true;
        const findings = evaluate(next, true, context);
        record({ path: next, anchored: true, findings });
        if (errors(findings) === 0) return true;
        continue;
      }
      const nextCounted = counted + (isSelfIssued(issuer) ? 0 : 1);
      if (nextCounted > context.maxDepth || next.length >= HARD_PATH_LIMIT) {
        branch.cut = true;
        record({
          path: next,
          anchored: false,
          findings: null,
          extra: {
            code: 'MAX_DEPTH_EXCEEDED',
            severity: 'error',
            message: `no trust anchor within ${String(context.maxDepth)} intermediates`,
          },
        });
        continue;
      }
      if (deadEnds.has(fingerprint(issuer))) continue;
      const inner: Branch = { cut: false, reached: false };
      if (extend(next, nextCounted, inner)) return true;
      if (inner.cut) branch.cut = true;
      if (inner.reached) branch.reached = true;
      if (!inner.cut && !inner.reached) deadEnds.add(fingerprint(issuer));
      if (state.limited) return false;
    }
    return false;
  };

  const found = extend([leaf], 0, { cut: false, reached: false });
  pathSearchWork.candidateVisits = visits;
  pathSearchWork.signatureChecks = signatureChecks;
  const attempt: Attempt = state.best ?? { path: [leaf], anchored: false, findings: null };
  const findings = [...(attempt.findings ?? evaluate(attempt.path, attempt.anchored, context))];
  if (attempt.extra !== undefined) findings.push(attempt.extra);
  if (!found && state.limited)
    findings.push({
      code: 'PATH_SEARCH_LIMIT',
      severity: 'error',
      message: `gave up after ${String(signatureChecks)} signature checks, ${String(completePaths)} complete paths and ${String(Math.min(visits, MAX_CANDIDATE_VISITS))} candidate issuers looked at`,
    });
  if (
    !found &&
    !attempt.anchored &&
    !findings.some((f) =>
      ['ISSUER_NOT_FOUND', 'PATH_SEARCH_LIMIT', 'MAX_DEPTH_EXCEEDED', 'SIGNATURE_INVALID'].includes(
        f.code,
      ),
    )
  )
    findings.push({
      code: 'NO_TRUSTED_ISSUER',
      severity: 'error',
      message: 'no path from the certificate reaches a trust anchor',
    });
  return { ok: found, path: attempt.path, findings, anchored: attempt.anchored };
}

// ---------------------------------------------------------------------------------------------
// CRLs and files

/**
 * Reads every CRL of an input (PEM `X509 CRL` blocks, or one DER CRL) for
 * {@link ValidatePathOptions.crls}.
 *
 * @throws {@link CertkitError} `DER_INVALID` naming the input when a block is not a CRL
 *
 * @example
 * ```ts
 * const crls = parseRevocationLists(readFileSync('ca.crl'), 'ca.crl');
 * validatePath({ leaf, anchors: [root], crls });
 * ```
 */
export function parseRevocationLists(bytes: Uint8Array, source: string): RevocationList[] {
  return parsePemBlocks(bytes, source).map((block) => {
    if (block.label !== null && block.label !== 'X509 CRL') {
      throw new CertkitError(
        'DER_INVALID',
        `block ${String(block.index)} in ${source} is not a CRL`,
      );
    }
    let crl: pkijs.CertificateRevocationList;
    try {
      checkDecodingBounds(block.der);
    } catch (error) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read CRL ${String(block.index)} in ${source}: ${error instanceof Error ? error.message : 'invalid DER'}`,
        { cause: error },
      );
    }
    try {
      crl = pkijs.CertificateRevocationList.fromBER(Uint8Array.from(block.der));
    } catch (error) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read CRL ${String(block.index)} in ${source}: not a valid CRL`,
        { cause: error },
      );
    }
    const revokedSerials = (crl.revokedCertificates ?? []).map((r) =>
      serialHex(r.userCertificate.valueBlock.valueHexView),
    );
    const list: RevocationList = {
      source: `${source}#${String(block.index)}`,
      issuer: crl.issuer.typesAndValues
        .map(
          (tv) =>
            `${tv.type}=${String((tv.value as { valueBlock: { value?: unknown } }).valueBlock.value)}`,
        )
        .join(', '),
      thisUpdate: crl.thisUpdate.value.toISOString(),
      ...(crl.nextUpdate === undefined ? {} : { nextUpdate: crl.nextUpdate.value.toISOString() }),
      revokedSerials,
    };
    crlInternals.set(list, {
      crl,
      issuerDer: new Uint8Array(crl.issuer.valueBeforeDecode),
      revoked: new Set(revokedSerials),
    });
    return list;
  });
}

/** Options of {@link verifyCertificateFiles}: file paths instead of parsed certificates. */
export interface VerifyFilesOptions {
  /** The certificate to verify; further certificates in the file join the untrusted pool. */
  readonly leaf: string;
  /** Trust anchor files (PEM bundles or DER). At least one. */
  readonly ca: readonly string[];
  /** Untrusted intermediate files. */
  readonly untrusted?: readonly string[];
  /** CRL files. */
  readonly crl?: readonly string[];
  readonly host?: string;
  readonly ip?: string;
  readonly purpose?: PathPurpose;
  readonly at?: Date | number;
  readonly maxDepth?: number;
  /** Largest file read, in bytes (default: files.ts's `DEFAULT_MAX_INPUT_BYTES`). */
  readonly maxInputBytes?: number;
}

/** The outcome of {@link verifyCertificateFiles}: the validation plus the certificates' contents. */
export interface VerifyFilesResult {
  readonly ok: boolean;
  /** True when the reported path ends at a trust anchor. */
  readonly anchored: boolean;
  /** The valid path or the best one tried, leaf first, as plain data. */
  readonly path: readonly CertificateInfo[];
  readonly findings: readonly PathFinding[];
  /** The validation time used, ISO 8601. */
  readonly at: string;
  readonly purpose: PathPurpose;
}

/**
 * Reads the leaf, anchors, intermediates and CRLs from files and runs {@link validatePath}:
 * what `certs verify` calls.
 *
 * @throws {@link CertkitError} when a file cannot be read or parsed, or an option is invalid
 *
 * @example
 * ```ts
 * const result = await verifyCertificateFiles({ leaf: 'server.pem', ca: ['ca.pem'], host: 'redis.example.com' });
 * console.log(result.ok, result.findings);
 * ```
 */
export async function verifyCertificateFiles(
  options: VerifyFilesOptions,
): Promise<VerifyFilesResult> {
  if (options.ca.length === 0)
    throw new CertkitError('INVALID_OPTION', 'give at least one trust anchor file (--ca)');
  // Bad options fail before any file is read; validatePath applies the same rules again.
  const { at } = resolvePathOptions(options);
  const limit = options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes };
  const read = async (path: string): Promise<Certificate[]> => {
    const certs = parseCertificates(await readInputFile(path, limit), path);
    if (certs.length === 0) throw new CertkitError('PEM_EMPTY', `${path} holds no certificate`);
    return certs;
  };
  const [leaf, ...rest] = await read(options.leaf);
  if (leaf === undefined)
    throw new CertkitError('PEM_EMPTY', `${options.leaf} holds no certificate`);
  const anchors = (await Promise.all(options.ca.map(read))).flat();
  const intermediates = [
    ...rest,
    ...(await Promise.all((options.untrusted ?? []).map(read))).flat(),
  ];
  const crls = (
    await Promise.all(
      (options.crl ?? []).map(async (path) =>
        parseRevocationLists(await readInputFile(path, limit), path),
      ),
    )
  ).flat();
  const purpose = options.purpose ?? 'server';
  const result = validatePath({
    leaf,
    anchors,
    intermediates,
    at,
    purpose,
    crls,
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.ip === undefined ? {} : { ip: options.ip }),
  });
  return {
    ok: result.ok,
    anchored: result.anchored,
    path: result.path.map((c) => c.info),
    findings: result.findings,
    at: at.toISOString(),
    purpose,
  };
}
