/**
 * The strict walk of a DER certificate (RFC 5280 section 4.1): Certificate and TBSCertificate
 * field by field, in order, each checked for its type, and the extension list with its bounds
 * (at most `MAX_EXTENSIONS` extensions, `MAX_NAMES` names in a name list). What it returns are
 * DER elements and undecoded extension values; pkix.ts makes them into a `Certificate`.
 */
import * as der from '../asn1/der.js';
import { countChildren, MAX_EXTENSIONS, MAX_NAMES } from '../asn1/der-bounds.js';
import type { DerElement } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import type { RawExtension } from './pkix.js';
import { subjectPublicKey } from './public-key.js';
import type { SubjectPublicKey } from './public-key.js';

/** The fields of a certificate, each a DER element; DerError when the structure is wrong. */
export interface CertificateFields {
  readonly tbs: DerElement;
  readonly serial: DerElement;
  readonly innerAlgorithm: DerElement;
  readonly issuer: DerElement;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: DerElement;
  readonly spki: DerElement;
  readonly publicKey: SubjectPublicKey;
  readonly extensions: RawExtension[];
  readonly signatureAlgorithm: string;
}

/** A {@link RawExtension} whose value is a view made on use. */
class ExtensionRecord implements RawExtension {
  readonly #data: Uint8Array;
  readonly #start: number;
  readonly #end: number;

  constructor(
    readonly oid: string,
    readonly critical: boolean,
    value: DerElement,
  ) {
    this.#data = value.data;
    this.#start = value.contentStart;
    this.#end = value.end;
  }

  get value(): Uint8Array {
    return this.#data.subarray(this.#start, this.#end);
  }
}

/** Extensions whose value is a list of names or subtrees that readers decode one by one. */
const LIST_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectAltName,
  OID.issuerAltName,
  OID.nameConstraints,
]);

/**
 * Refuses a GeneralNames value, or a permitted/excluded subtree list of nameConstraints, of over
 * `MAX_NAMES` entries. A value that does not decode is left to the readers (they report it).
 */
function checkListSize(value: Uint8Array): void {
  let lists: DerElement[];
  try {
    const [element] = der.readElement(value, 0);
    if (!element.constructed) return;
    lists = [element];
    // nameConstraints: SEQUENCE { [0] subtrees, [1] subtrees }
    if (countChildren(element, 2) <= 2)
      for (const child of der.childrenOf(element)) if (child.constructed) lists.push(child);
  } catch {
    return; // does not decode: the readers say so
  }
  for (const list of lists) {
    let count: number;
    try {
      count = countChildren(list, MAX_NAMES);
    } catch {
      continue; // a malformed list reads as absent, as pkijs reads it
    }
    if (count > MAX_NAMES)
      throw new der.DerLimitError(
        `a list of over ${String(MAX_NAMES)} names in one extension (at most ${String(MAX_NAMES)} are read)`,
      );
  }
}

/** Walks Certificate and TBSCertificate (RFC 5280 section 4.1) strictly, in order. */
export function certificateFields(bytes: Uint8Array): CertificateFields {
  const root = der.readOnly(bytes);
  der.checkTree(root);
  const [tbs, algorithm, signature, extra] = der.sequenceOf(root, 'a Certificate');
  if (extra !== undefined) throw new der.DerError('a Certificate has three parts');
  der.bitStringBits(signature, 'the signature BIT STRING');
  const signatureAlgorithm = der.algorithm(algorithm, 'the signatureAlgorithm').oid;
  const parts = der.sequenceOf(tbs, 'a TBSCertificate');
  let i = 0;
  if (der.isContext(parts[0], 0)) {
    const [version, more] = der.childrenOf(parts[0] as DerElement);
    der.expectUniversal(version, der.TAG.integer, 'a version INTEGER');
    if (more !== undefined) throw new der.DerError('a version has one INTEGER');
    i++;
  }
  const serial = der.expectUniversal(parts[i++], der.TAG.integer, 'a serialNumber INTEGER');
  const innerAlgorithm = parts[i++];
  der.algorithm(innerAlgorithm, 'the TBS signature AlgorithmIdentifier');
  const issuer = parts[i++];
  const [notBefore, notAfter, more] = der.sequenceOf(parts[i++], 'a Validity');
  if (notBefore === undefined || notAfter === undefined || more !== undefined) {
    throw new der.DerError('a Validity has two times');
  }
  const subject = parts[i++];
  const spki = parts[i++];
  const publicKey = subjectPublicKey(spki);
  if (der.isContext(parts[i], 1)) i++; // issuerUniqueID
  if (der.isContext(parts[i], 2)) i++; // subjectUniqueID
  const extensions: RawExtension[] = [];
  if (der.isContext(parts[i], 3)) {
    const [list, after] = der.childrenOf(parts[i] as DerElement);
    if (after !== undefined) throw new der.DerError('[3] holds one Extensions SEQUENCE');
    const items = der.sequenceOf(list, 'an Extensions SEQUENCE');
    if (items.length > MAX_EXTENSIONS)
      throw new der.DerLimitError(
        `${String(items.length)} extensions (at most ${String(MAX_EXTENSIONS)} are read)`,
      );
    for (const item of items) {
      const fields = der.sequenceOf(item, 'an Extension');
      const [id, second, third, fourth] = fields;
      const critical = third === undefined ? undefined : second;
      const value = third ?? second;
      if (fourth !== undefined || value === undefined) {
        throw new der.DerError('an Extension has two or three parts');
      }
      if (critical !== undefined && !der.isUniversal(critical, der.TAG.boolean)) {
        throw new der.DerError('expected the critical BOOLEAN');
      }
      extensions.push(
        new ExtensionRecord(
          der.decodeOid(der.expectUniversal(id, der.TAG.oid, 'an extnID').content),
          critical === undefined ? false : der.decodeBoolean(critical),
          der.expectUniversal(value, der.TAG.octetString, 'an extnValue OCTET STRING'),
        ),
      );
    }
    i++;
  }
  if (i !== parts.length) throw new der.DerError('unexpected fields in the TBSCertificate');
  for (const e of extensions) if (LIST_EXTENSIONS.has(e.oid)) checkListSize(e.value);
  return {
    tbs: tbs as DerElement,
    serial,
    innerAlgorithm: innerAlgorithm as DerElement,
    issuer: issuer as DerElement,
    notBefore: der.decodeTime(notBefore),
    notAfter: der.decodeTime(notAfter),
    subject: subject as DerElement,
    spki: spki as DerElement,
    publicKey,
    extensions,
    signatureAlgorithm,
  };
}
