/**
 * GeneralNames (RFC 5280 section 4.2.1.6), the value of subjectAltName and issuerAltName, read
 * with the DER reader: the one decoder of both, for a certificate's summary
 * ({@link CertificateInfo}), a CSR's, host-name matching, name constraints, path validation and
 * the client-stack models. A value that does not decode as DER GeneralNames is `malformed` as a
 * whole (no entry of it is read), as OpenSSL and Go refuse the whole extension; an entry that
 * decodes but breaks a rule of its form (an iPAddress of 5 octets, a byte outside IA5 in a
 * dNSName) is kept as it is, for the judges to decide what each client makes of it.
 */
import * as der from '../asn1/der.js';
import type { DerElement } from '../asn1/der.js';
import { formatIp } from './ip.js';
import { readNameAttributes } from './names.js';
import type { CertificateInfo } from './pkix.js';

/** One attribute of a directory name, as decoded: the type OID and the value's text. */
export interface DirectoryAttribute {
  readonly oid: string;
  /** The value as a string; empty when it is not a string type. */
  readonly value: string;
}

/** The entries of a GeneralNames value, in order within each form. */
export interface GeneralNamesEntries {
  readonly dns: readonly string[];
  /** Raw iPAddress octets; entries that are not 4 or 16 octets are kept (they are malformed). */
  readonly ip: readonly Uint8Array[];
  readonly email: readonly string[];
  readonly uri: readonly string[];
  /** directoryName entries, each as its attributes in order. */
  readonly directoryNames: readonly (readonly DirectoryAttribute[])[];
  /** The forms of the otherName [0], x400Address [3], ediPartyName [5] and registeredID [8]
   * entries, in order. */
  readonly otherForms: readonly number[];
}

/** One GeneralName as framed: its identifier octet (class, constructed bit, tag) and contents. */
export interface GeneralNameFrame {
  readonly identifier: number;
  readonly content: Uint8Array;
}

/** A GeneralNames value read: its entries, or `malformed` (and no entries). */
export interface GeneralNamesReading extends GeneralNamesEntries {
  /** The value does not decode as DER GeneralNames. */
  readonly malformed: boolean;
  /**
   * The first layer of the reading: the SEQUENCE and each entry's identifier and length, no
   * entry's contents checked; `null` when even that does not read. A value can frame and still
   * be `malformed` (a directoryName that holds no Name): what a reader that skips the forms it
   * does not know sees, as Go's crypto/x509 reads only the primitive rfc822Name, dNSName, URI
   * and iPAddress entries and skips every other one unread.
   */
  readonly frames: readonly GeneralNameFrame[] | null;
  /**
   * A string entry (rfc822Name, dNSName, URI, iPAddress) is in constructed form, cut into
   * segments (BER, not DER). It is read, as OpenSSL reads it; Java refuses such an extension,
   * and Go skips the entry (stack matrix `san-constructed-dns`).
   */
  readonly berForms: boolean;
}

/** A value that does not decode: no entries. */
export const UNREADABLE: GeneralNamesReading = Object.freeze({
  malformed: true,
  frames: null,
  berForms: false,
  dns: Object.freeze([]),
  ip: Object.freeze([]),
  email: Object.freeze([]),
  uri: Object.freeze([]),
  directoryNames: Object.freeze([]),
  otherForms: Object.freeze([]),
});

/** Thrown inside {@link readGeneralNames} for an entry that does not decode. */
class Unreadable extends Error {}

function check(condition: boolean): void {
  if (!condition) throw new Unreadable();
}

/**
 * What der.checkTree leaves to its callers (pkijs reads both), and OpenSSL refuses anywhere in
 * GeneralNames, inside an otherName's value or a Name too: a SEQUENCE or SET in primitive form
 * (X.690 sections 8.9 and 8.11), and an OBJECT IDENTIFIER with a padded subidentifier, 0x80
 * first (section 8.19.2). A loop over a stack: no recursion on input.
 */
function checkStrictDer(root: DerElement): void {
  const pending = [root];
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    const collection =
      der.isUniversal(element, der.TAG.sequence) || der.isUniversal(element, der.TAG.set);
    check(!collection || element.constructed);
    if (der.isUniversal(element, der.TAG.oid)) check(!der.hasPaddedArc(element.content));
    if (element.constructed) pending.push(...der.childrenOf(element));
  }
}

/** The children of a constructed element, well-formed all the way down. */
function wellFormedChildren(element: DerElement): DerElement[] {
  check(element.constructed);
  der.checkTree(element);
  return der.childrenOf(element);
}

/** otherName [0] (RFC 5280 section 4.2.1.6): `type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY`. */
function checkOtherName(element: DerElement): void {
  const [typeId, value, extra] = wellFormedChildren(element);
  check(der.isUniversal(typeId, der.TAG.oid) && extra === undefined);
  der.decodeOid((typeId as DerElement).content);
  check(value !== undefined && der.isContext(value, 0) && value.constructed);
  check(der.childrenOf(value as DerElement).length === 1);
}

/** ediPartyName [5]: `nameAssigner [0] DirectoryString OPTIONAL, partyName [1] DirectoryString`. */
function checkEdiPartyName(element: DerElement): void {
  const parts = wellFormedChildren(element);
  const last = parts[parts.length - 1];
  check(parts.length >= 1 && parts.length <= 2 && der.isContext(last, 1));
  if (parts.length === 2) check(der.isContext(parts[0], 0));
  for (const part of parts) check(part.constructed && der.childrenOf(part).length === 1);
}

/**
 * Reads a GeneralNames value (the contents of a subjectAltName or issuerAltName extension):
 * `SEQUENCE OF GeneralName`, definite lengths only, bytes after the SEQUENCE ignored (as OpenSSL,
 * Go and pkijs ignore them). IA5String values are read byte for byte (latin-1). An empty list
 * decodes (with no entries): whether a list may be empty is the caller's rule.
 */
export function readGeneralNames(value: Uint8Array): GeneralNamesReading {
  let frames: GeneralNameFrame[] | null = null;
  const out = {
    malformed: false,
    frames: [] as GeneralNameFrame[],
    berForms: false,
    dns: [] as string[],
    ip: [] as Uint8Array[],
    email: [] as string[],
    uri: [] as string[],
    directoryNames: [] as DirectoryAttribute[][],
    otherForms: [] as number[],
  };
  try {
    const [list] = der.readElement(value, 0);
    check(der.isUniversal(list, der.TAG.sequence) && list.constructed);
    const items = der.childrenOf(list);
    frames = items.map((item) => ({ identifier: value[item.start] ?? 0, content: item.content }));
    out.frames = frames;
    der.checkTree(list); // the entries framed, everything inside them must be well formed too
    checkStrictDer(list);
    for (const item of items) {
      check(item.cls === der.CONTEXT);
      // BER's constructed string: primitive universal segments, joined (as OpenSSL's
      // asn1_collect joins them).
      const octets = (): Uint8Array => {
        if (!item.constructed) return item.content;
        const segments = der.childrenOf(item);
        check(segments.every((segment) => segment.cls === 0 && !segment.constructed));
        out.berForms = true;
        return Buffer.concat(segments.map((segment) => segment.content));
      };
      const text = (): string => Buffer.from(octets()).toString('latin1');
      switch (item.number) {
        case 0:
          checkOtherName(item);
          out.otherForms.push(0);
          break;
        case 1:
          out.email.push(text());
          break;
        case 2:
          out.dns.push(text());
          break;
        case 3: // x400Address: ORAddress, a SEQUENCE of its own (RFC 5280 appendix A.1)
          check(der.isUniversal(wellFormedChildren(item)[0], der.TAG.sequence));
          out.otherForms.push(3);
          break;
        case 4: {
          const [name, extra] = wellFormedChildren(item);
          check(name !== undefined && extra === undefined);
          out.directoryNames.push(
            readNameAttributes((name as DerElement).bytes).map(({ oid, value: v }) => ({
              oid,
              value: v,
            })),
          );
          break;
        }
        case 5:
          checkEdiPartyName(item);
          out.otherForms.push(5);
          break;
        case 6:
          out.uri.push(text());
          break;
        case 7:
          out.ip.push(octets());
          break;
        case 8:
          check(!item.constructed);
          der.decodeOid(item.content);
          check(!der.hasPaddedArc(item.content));
          out.otherForms.push(8);
          break;
        default:
          check(false);
      }
    }
  } catch {
    // Unreadable, a DerError, or names.ts' CertkitError for a directoryName that is no Name.
    return frames === null ? UNREADABLE : { ...UNREADABLE, frames };
  }
  return out;
}

/** The summary of a certificate without subjectAltName: one frozen object shared by all. */
const NO_ALT_NAMES: CertificateInfo['subjectAltNames'] = Object.freeze({
  dns: Object.freeze([]),
  ip: Object.freeze([]),
  email: Object.freeze([]),
  uri: Object.freeze([]),
});

/**
 * subjectAltName for a certificate's (or a CSR's) summary: the dNSName, rfc822Name, URI and
 * iPAddress entries of {@link readGeneralNames}, addresses as text ({@link formatIp}); other
 * forms are not part of the summary, and a value that does not decode shows no names.
 */
export function subjectAltNamesSummary(
  value: Uint8Array | undefined,
): CertificateInfo['subjectAltNames'] {
  if (value === undefined) return NO_ALT_NAMES;
  const { dns, ip, email, uri } = readGeneralNames(value);
  return { dns, ip: ip.map(formatIp), email, uri };
}
