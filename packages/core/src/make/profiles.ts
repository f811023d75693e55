/**
 * Profiles and names of the certificates certkit makes: a profile is data, the extensions a kind
 * of certificate carries. `gen-client` uses {@link CLIENT_PROFILE}; other kinds (CA, server) are
 * further profiles, not copies of code. Subjects, DNS names and validities are checked here
 * before any key is generated.
 */
import {
  CA_CERT_VALIDITY_DAYS,
  CLIENT_CERT_VALIDITY_DAYS,
  INTERMEDIATE_CERT_VALIDITY_DAYS,
  MAX_VALIDITY_DAYS,
  SERVER_CERT_VALIDITY_DAYS,
} from '../defaults.js';
import { CertkitError } from '../errors.js';
import { assertClusterName } from '../x509/cluster-name.js';
import { parseIpAddress } from '../x509/ip.js';
import { OID } from '../asn1/oids.js';
import type { KeyUsageName } from '../asn1/oids.js';
import type { NameInput } from '../x509/names.js';

/** The extensions a kind of certificate carries. */
export interface CertificateProfile {
  readonly name: string;
  readonly ca: boolean;
  readonly pathLength?: number;
  /** keyUsage bits for RSA keys. */
  readonly keyUsage: readonly KeyUsageName[];
  /**
   * keyUsage bits for EC keys: no keyEncipherment, which RFC 5480 section 3 does not allow
   * with ECDSA keys (they cannot encipher).
   */
  readonly keyUsageEc: readonly KeyUsageName[];
  /** EKU OIDs. */
  readonly extendedKeyUsage: readonly string[];
  readonly defaultDays: number;
}

/**
 * A TLS client identity: `CA:FALSE` (critical), keyUsage digitalSignature + keyEncipherment
 * (critical), EKU clientAuth. Unlike `openssl req -x509` on OpenSSL 3, which writes `CA:TRUE`
 * and no EKU: redis-server accepts either as `tls-ca-cert-file`, but a CA certificate is the
 * wrong thing to hand to a client, and an EKU of serverAuth alone is refused.
 */
export const CLIENT_PROFILE: CertificateProfile = {
  name: 'client',
  ca: false,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  keyUsageEc: ['digitalSignature'],
  extendedKeyUsage: [OID.clientAuth],
  defaultDays: CLIENT_CERT_VALIDITY_DAYS,
};

/**
 * A private root CA: `CA:TRUE` without a path length limit, keyUsage keyCertSign + cRLSign
 * (RFC 5280 section 4.2.1.3: the bits a certificate signer must have), no EKU (RFC 5280 section
 * 4.2.1.12 restricts EKU to end entities in practice; an EKU on a CA narrows what it may sign
 * for some verifiers).
 */
export const CA_PROFILE: CertificateProfile = {
  name: 'ca',
  ca: true,
  keyUsage: ['keyCertSign', 'cRLSign'],
  keyUsageEc: ['keyCertSign', 'cRLSign'],
  extendedKeyUsage: [],
  defaultDays: CA_CERT_VALIDITY_DAYS,
};

/**
 * An intermediate CA that may sign end-entity certificates only: `CA:TRUE, pathlen:0`
 * (RFC 5280 section 4.2.1.9), keyCertSign + cRLSign. The root key can then stay offline.
 */
export const INTERMEDIATE_PROFILE: CertificateProfile = {
  name: 'intermediate',
  ca: true,
  pathLength: 0,
  keyUsage: ['keyCertSign', 'cRLSign'],
  keyUsageEc: ['keyCertSign', 'cRLSign'],
  extendedKeyUsage: [],
  defaultDays: INTERMEDIATE_CERT_VALIDITY_DAYS,
};

/**
 * The Redis Enterprise proxy certificate: `CA:FALSE`, keyUsage digitalSignature +
 * keyEncipherment, EKU serverAuth + clientAuth (the proxy certificate also authenticates the
 * cluster to replica-of and Active-Active peers, as a client). Names come from the cluster:
 * see {@link CertificateNames.cluster}.
 */
export const SERVER_PROFILE: CertificateProfile = {
  name: 'server',
  ca: false,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  keyUsageEc: ['digitalSignature'],
  extendedKeyUsage: [OID.serverAuth, OID.clientAuth],
  defaultDays: SERVER_CERT_VALIDITY_DAYS,
};

/** What an issued end-entity certificate is for: its EKU. */
export type CertificateUsage = 'server' | 'client' | 'both';

/**
 * The end-entity profile for a usage: {@link SERVER_PROFILE} with EKU serverAuth, clientAuth or
 * both (the default, what Redis Enterprise's proxy certificate carries). The makers take the
 * usage itself (`issueCertificate({ profile: 'server' })`, `usage` elsewhere).
 */
export function profileForUsage(usage: CertificateUsage): CertificateProfile {
  switch (usage) {
    case 'both':
      return SERVER_PROFILE;
    case 'server':
      return { ...SERVER_PROFILE, extendedKeyUsage: [OID.serverAuth] };
    case 'client':
      return { ...SERVER_PROFILE, name: 'client', extendedKeyUsage: [OID.clientAuth] };
    default:
      throw new CertkitError(
        'INVALID_OPTION',
        `usage must be server, client or both, got "${String(usage)}"`,
      );
  }
}

/** The names of a certificate or request, as its makers take them. */
export interface CertificateNames {
  /**
   * Cluster FQDN `C`: the DNS names of a Redis Enterprise cluster's proxy certificate, `C`,
   * `*.C`, `internal.C`, `*.internal.C` (database endpoints are `redis-<port>.C` and
   * `redis-<port>.internal.C`; one wildcard label covers them, RFC 9525 section 6.3), first; and
   * the CN where the subject may be left out.
   */
  readonly cluster?: string;
  /** More DNS names (a wildcard as `*.name.tld`). */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/**
 * The DNS names of a Redis Enterprise cluster's proxy certificate: `C`, `*.C`, `internal.C`,
 * `*.internal.C`.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` when `cluster` is not a DNS name
 */
export function redisEnterpriseNames(cluster: string): string[] {
  assertClusterName(cluster);
  const name = validateDnsName(cluster, 'cluster name', false);
  return [name, `*.${name}`, `internal.${name}`, `*.internal.${name}`];
}

/**
 * The subjectAltName entries of `names`, checked and de-duplicated, the cluster's first; and
 * the CN they suggest when no subject is given: the cluster, else the first DNS name that is
 * not a wildcard, else the first IP address.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a cluster, DNS name or IP address that is
 * none
 */
export function resolveNames(names: CertificateNames): {
  dns: string[];
  ip: string[];
  commonName: string | undefined;
} {
  const cluster = names.cluster === undefined ? [] : redisEnterpriseNames(names.cluster);
  const { dns, ip } = checkNames([...cluster, ...(names.dnsNames ?? [])], names.ipAddresses ?? []);
  return { dns, ip, commonName: cluster[0] ?? dns.find((n) => !n.startsWith('*')) ?? ip[0] };
}

/**
 * Checks a DNS name for a certificate (RFC 1035 section 2.3.1 labels, as RFC 5280 section
 * 4.2.1.6 requires; a wildcard only as the whole left-most label, RFC 9525 section 6.3).
 * Returns it lower-cased, without a trailing dot.
 */
function validateDnsName(value: string, what: string, allowWildcard: boolean): string {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  const ok =
    name.length > 0 &&
    name.length <= 253 &&
    labels.every(
      (label, i) =>
        (allowWildcard && i === 0 && label === '*' && labels.length >= 2) ||
        /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label),
    );
  if (!ok) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${what} "${value}" is not a DNS name (letters, digits and hyphens in dot-separated labels${allowWildcard ? '; a wildcard only as *.name.tld' : ''})`,
    );
  }
  return name;
}

/** Subject fields, as `openssl req` prompts for them. */
export interface SubjectFields {
  /** CN: required. */
  readonly commonName: string;
  readonly country?: string;
  readonly state?: string;
  readonly locality?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly emailAddress?: string;
}

const SUBJECT_KEYS: Readonly<Record<string, keyof SubjectFields>> = {
  CN: 'commonName',
  C: 'country',
  ST: 'state',
  L: 'locality',
  O: 'organization',
  OU: 'organizationalUnit',
  EMAILADDRESS: 'emailAddress',
  EMAIL: 'emailAddress',
};

/**
 * A subject as the makers take it: its fields, or OpenSSL's one-line form
 * `/C=US/O=Acme/CN=app` (`\/` escapes a slash), the form `openssl req -subj` takes.
 */
export type SubjectInput = SubjectFields | string;

/**
 * Parses an OpenSSL-style subject, `/C=US/O=Acme/CN=app` (`\/` escapes a slash).
 *
 * @deprecated Give the text itself as `subject`: every maker and writer takes
 * `/C=US/O=Acme/CN=app` ({@link SubjectInput}) and parses it before any work. Kept from 0.1.0.
 *
 * @example
 * ```ts
 * parseSubject('/C=US/O=Acme/CN=app'); // { country: 'US', organization: 'Acme', commonName: 'app' }
 * ```
 */
export function parseSubject(text: string): SubjectFields {
  return subjectFields(text);
}

/**
 * The fields of a subject given as fields or as OpenSSL's one-line form.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for text that is not `/TYPE=value/…` with a CN
 */
export function subjectFields(subject: SubjectInput): SubjectFields {
  if (typeof subject !== 'string') return subject;
  const text = subject;
  if (!text.startsWith('/')) {
    throw new CertkitError(
      'INVALID_OPTION',
      `subject must look like /C=US/O=Acme/CN=app, got "${text}"`,
    );
  }
  const fields: Record<string, string> = {};
  const parts = text.slice(1).split(/(?<!\\)\//);
  for (const part of parts) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new CertkitError('INVALID_OPTION', `subject part "${part}" has no TYPE=value`);
    const type = part.slice(0, eq).trim();
    const key = SUBJECT_KEYS[type.toUpperCase()];
    if (key === undefined) {
      throw new CertkitError(
        'INVALID_OPTION',
        `subject type "${type}" is not one of C, ST, L, O, OU, CN, emailAddress`,
      );
    }
    if (key in fields)
      throw new CertkitError('INVALID_OPTION', `subject type "${type}" is given twice`);
    fields[key] = part.slice(eq + 1).replace(/\\\//g, '/');
  }
  if (fields.commonName === undefined)
    throw new CertkitError('INVALID_OPTION', 'subject has no CN');
  return fields as unknown as SubjectFields;
}

/** Bounds from RFC 5280 Appendix A (ub-common-name 64, ub-organization-name 64, …). Internal. */
export function subjectAttributes(input: SubjectInput): NameInput[] {
  const subject = subjectFields(input);
  const check = (label: string, value: string | undefined, max: number): void => {
    if (value === undefined) return;
    if (value.trim().length === 0)
      throw new CertkitError('INVALID_OPTION', `subject ${label} is empty`);
    if (value.length > max) {
      throw new CertkitError(
        'INVALID_OPTION',
        `subject ${label} is longer than ${String(max)} characters (RFC 5280)`,
      );
    }
  };
  check('CN', subject.commonName, 64);
  check('O', subject.organization, 64);
  check('OU', subject.organizationalUnit, 64);
  check('ST', subject.state, 128);
  check('L', subject.locality, 128);
  check('emailAddress', subject.emailAddress, 255);
  if (subject.country !== undefined && !/^[A-Za-z]{2}$/.test(subject.country)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `subject C must be a two-letter country code, got "${subject.country}"`,
    );
  }
  if (
    subject.emailAddress !== undefined &&
    !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(subject.emailAddress)
  ) {
    throw new CertkitError(
      'INVALID_OPTION',
      `subject emailAddress "${subject.emailAddress}" is not an ASCII address`,
    );
  }
  // The order openssl req prompts in, which is also the usual encoding order (C first, CN last).
  const ordered: [string, string | undefined][] = [
    [OID.countryName, subject.country?.toUpperCase()],
    [OID.stateOrProvinceName, subject.state],
    [OID.localityName, subject.locality],
    [OID.organizationName, subject.organization],
    [OID.organizationalUnitName, subject.organizationalUnit],
    [OID.commonName, subject.commonName],
    [OID.emailAddress, subject.emailAddress],
  ];
  return ordered
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([oid, value]) => ({ oid, value }));
}

/** Checks a validity in days. */
export function validateDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new CertkitError(
      'INVALID_OPTION',
      `days must be a whole number from 1 to ${String(MAX_VALIDITY_DAYS)}, got ${String(days)}`,
    );
  }
  return days;
}

/** Checks and de-duplicates subjectAltName entries. Internal. */
export function checkNames(
  dnsNames: readonly string[],
  ipAddresses: readonly string[],
): { dns: string[]; ip: string[] } {
  const dns = [...new Set(dnsNames.map((name) => validateDnsName(name, 'DNS name', true)))];
  const ip = ipAddresses.map((address) => {
    if (parseIpAddress(address) === null) {
      throw new CertkitError('INVALID_OPTION', `"${address}" is not an IPv4 or IPv6 address`);
    }
    return address;
  });
  return { dns, ip };
}
