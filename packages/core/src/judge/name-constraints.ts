/**
 * Name constraints (RFC 5280 sections 4.2.1.10 and 6.1.4 (g)): the subtrees a CA certificate
 * permits and excludes for DNS names, IP addresses, email addresses and directory names, and the
 * names of each certificate below it checked against them, within a budget of comparisons.
 */
import { dnsPatternProblem } from './hostname.js';
import { isDnsName } from '../x509/dns-name.js';
import { nameConstraints, subjectAltNames, subjectDirectoryName } from '../x509/extensions.js';
import type { DirectoryAttribute, GeneralNameView } from '../x509/extensions.js';
import { OID } from '../asn1/oids.js';
import { formatIp } from '../x509/ip.js';
import type { Certificate } from '../x509/pkix.js';
import { normalizeValue } from './path-common.js';
import type { Add } from './path-common.js';

/**
 * Name-constraint comparisons (names x subtrees) allowed on one path; Go's limit is 250,000.
 * Above it the path is refused (limbo `pathological::nc-dos-*`: quadratic blow-up).
 */
export const MAX_NAME_CONSTRAINT_CHECKS = 250_000;
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

export interface ConstraintSet {
  readonly permitted: Subtrees | null;
  readonly excluded: Subtrees;
  readonly owner: number;
}

function emptySubtrees(): Subtrees {
  return { dns: [], ip: [], email: [], dn: [], other: [] };
}

/** A directory name as constraints compare it: values normalised (RFC 5280 section 7.1). */
function rdnAttributes(name: readonly DirectoryAttribute[]): Attribute[] {
  return name.map((a) => ({ oid: a.oid, value: normalizeValue(a.value) }));
}

/** Why a constraint's base is malformed, or null. */
function addSubtree(into: Subtrees, base: GeneralNameView): string | null {
  switch (base.form) {
    case 2: {
      const name = base.text ?? '';
      // RFC 5280 section 4.2.1.10: a DNS constraint is a host name (no wildcard, no leading dot);
      // the empty string stands for every name.
      if (name.length > 0 && !isDnsName(name))
        return `dNSName constraint "${name}" is not a valid DNS name`;
      into.dns.push(name.toLowerCase());
      return null;
    }
    case 7: {
      const octets = base.octets;
      if (octets === undefined || (octets.length !== 8 && octets.length !== 32))
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
      const name = base.text ?? '';
      if (!validEmailConstraint(name)) return `rfc822Name constraint "${name}" is malformed`;
      into.email.push(name);
      return null;
    }
    case 4:
      if (base.directoryName === undefined) return 'directoryName constraint is malformed';
      into.dn.push(rdnAttributes(base.directoryName));
      return null;
    default:
      into.other.push(base.form);
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
export interface PresentedNames {
  readonly dns: readonly string[];
  readonly ip: readonly Uint8Array[];
  readonly email: readonly string[];
  readonly dn: readonly (readonly Attribute[])[];
  readonly other: readonly number[];
  readonly problems: readonly string[];
}

export function presentedNames(certificate: Certificate): PresentedNames {
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
  const subject = rdnAttributes(subjectDirectoryName(certificate));
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

export function readConstraints(
  certificate: Certificate,
  owner: number,
  add: Add,
): ConstraintSet | null {
  const nc = nameConstraints(certificate);
  if (nc === undefined) return null;
  if (nc === 'malformed') {
    add('NAME_CONSTRAINTS_INVALID', 'has a nameConstraints extension that cannot be decoded');
    return null;
  }
  const permittedList = nc.permitted ?? [];
  const excludedList = nc.excluded ?? [];
  if (permittedList.length === 0 && excludedList.length === 0) {
    // RFC 5280 section 4.2.1.10 and CA/B BR 7.1.2.5.2: at least one of the two MUST be present.
    add(
      'NAME_CONSTRAINTS_INVALID',
      'has nameConstraints with neither permitted nor excluded subtrees',
    );
    return null;
  }
  const permitted = nc.permitted === undefined ? null : emptySubtrees();
  const excluded = emptySubtrees();
  for (const [list, into] of [
    [permittedList, permitted],
    [excludedList, excluded],
  ] as const) {
    for (const base of list) {
      if (into === null) continue;
      const problem = addSubtree(into, base);
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
export function checkNames(
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
