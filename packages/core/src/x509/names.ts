/**
 * Distinguished names (RFC 5280 section 4.1.2.4): decoded to attributes, formatted as text,
 * compared (RFC 5280 section 7.1), and encoded for the certificates certkit signs.
 */
import * as der from '../asn1/der.js';
import * as writer from '../asn1/der-writer.js';
import type { DerElement } from '../asn1/der.js';
import { MAX_NAMES } from '../asn1/der-bounds.js';
import { NAME_SHORT, OID } from '../asn1/oids.js';
import { CertkitError } from '../errors.js';

/** One attribute of a distinguished name, in encoding order. */
/** Subject or issuer attribute to encode, in order. */
export interface NameInput {
  readonly oid: string;
  readonly value: string;
}

/** One attribute of a distinguished name (RFC 5280 section 4.1.2.4), in encoding order. */
export interface NameAttribute {
  /** Short name (`CN`, `O`, …) or the dotted OID when it has none. */
  readonly type: string;
  /** The attribute's object identifier. */
  readonly oid: string;
  /** The value as text. */
  readonly value: string;
}

/** Formats name attributes as `C=US, O=Acme, CN=app` (encoding order). */
export function formatName(attributes: readonly NameAttribute[]): string {
  return attributes.map((a) => `${a.type}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
}

/** Reads a string-typed attribute value as asn1js does; '' for values of other types. */
function attributeValue(value: DerElement): string {
  if (value.cls !== der.UNIVERSAL || value.constructed) return '';
  const bytes = Buffer.from(value.content.buffer, value.content.byteOffset, value.content.length);
  switch (value.number) {
    case der.TAG.utf8String:
      try {
        return UTF8.decode(bytes);
      } catch {
        return bytes.toString('latin1'); // asn1js keeps invalid UTF-8 byte for byte
      }
    case 30: // BMPString: UTF-16BE
      return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : '';
    case 28: // UniversalString: UTF-32BE
      return universalString(bytes);
    case 18: // NumericString
    case der.TAG.printableString:
    case 20: // TeletexString
    case 21: // VideotexString
    case der.TAG.ia5String:
    case 25: // GraphicString
    case 26: // VisibleString
    case 27: // GeneralString
    case 29: // CHARACTER STRING
      return bytes.toString('latin1');
    default:
      return '';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function universalString(bytes: Buffer): string {
  if (bytes.length % 4 !== 0) return '';
  const points: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const point = bytes.readUInt32BE(i);
    const next = i + 4 < bytes.length ? bytes.readUInt32BE(i + 4) : 0;
    if (point > 0x10ffff) points.push(0xfffd);
    else if (point >= 0xd800 && point <= 0xdfff) {
      if (point <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        points.push(0x10000 + ((point - 0xd800) << 10) + (next - 0xdc00));
        i += 4;
      } else points.push(0xfffd);
    } else points.push(point);
  }
  let text = '';
  for (let i = 0; i < points.length; i += 8192)
    text += String.fromCodePoint(...points.slice(i, i + 8192));
  return text;
}

/**
 * The attributes of a DER Name (RFC 5280 section 4.1.2.4), every RDN's, in encoding order.
 * Internal to core.
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a Name
 */
export function readNameAttributes(bytes: Uint8Array): NameAttribute[] {
  try {
    return nameAttributes(der.readOnly(bytes));
  } catch (error) {
    throw new CertkitError('DER_INVALID', 'not a valid distinguished name', { cause: error });
  }
}

/**
 * The RDNs of a DER Name, each as its attributes in encoding order (a multi-valued RDN holds
 * several), for judges that read one attribute of one RDN as a client stack does. Internal to
 * core.
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a Name
 */
export function readNameRdns(bytes: Uint8Array): NameAttribute[][] {
  try {
    return nameRdns(der.readOnly(bytes));
  } catch (error) {
    throw new CertkitError('DER_INVALID', 'not a valid distinguished name', { cause: error });
  }
}

const namesRead = new Map<string, NameAttribute[]>();

/**
 * {@link nameAttributes}, frozen and shared by every certificate with the same name bytes: a
 * bundle's certificates mostly have one issuer, and 40,000 copies of its attributes were
 * garbage to collect (bench/RESULTS.md). At most 4,096 names are remembered.
 */
export function sharedNameAttributes(name: DerElement): NameAttribute[] {
  const bytes = name.bytes;
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const known = namesRead.get(key);
  if (known !== undefined) return known;
  const attributes = Object.freeze(nameAttributes(name).map((a) => Object.freeze(a)));
  if (namesRead.size < 4096) namesRead.set(key, attributes as NameAttribute[]);
  return attributes as NameAttribute[];
}

const formattedNames = new WeakMap<readonly NameAttribute[], string>();

/** {@link formatName} of shared attributes, made once per name read. */
export function formattedName(attributes: readonly NameAttribute[]): string {
  let text = formattedNames.get(attributes);
  if (text === undefined) {
    text = formatName(attributes);
    formattedNames.set(attributes, text);
  }
  return text;
}

/** A Name (RFC 5280 section 4.1.2.4): every attribute of every RDN, in encoding order. */
function nameAttributes(name: DerElement): NameAttribute[] {
  return nameRdns(name).flat();
}

/** A Name's RDNs, each as its attributes in encoding order. */
function nameRdns(name: DerElement): NameAttribute[][] {
  const out: NameAttribute[][] = [];
  let count = 0;
  const rdns = der.sequenceOf(name, 'a Name');
  for (const rdn of rdns) {
    if (!der.isUniversal(rdn, der.TAG.set) || !rdn.constructed) {
      throw new der.DerError('expected a RelativeDistinguishedName SET');
    }
    const attributes: NameAttribute[] = [];
    out.push(attributes);
    for (const pair of der.childrenOf(rdn)) {
      const [type, value, extra] = der.sequenceOf(pair, 'an AttributeTypeAndValue');
      if (value === undefined || extra !== undefined) {
        throw new der.DerError('an AttributeTypeAndValue has two parts');
      }
      const oid = der.decodeOid(
        der.expectUniversal(type, der.TAG.oid, 'an attribute type').content,
      );
      attributes.push({ type: NAME_SHORT[oid] ?? oid, oid, value: attributeValue(value) });
      if (++count > MAX_NAMES)
        throw new der.DerLimitError(
          `a name of over ${String(MAX_NAMES)} attributes (at most ${String(MAX_NAMES)} are read)`,
        );
    }
  }
  return out;
}

/** A Name from attributes, as OpenSSL encodes by default: PrintableString for the country,
 * IA5String for email addresses, UTF8String for the rest; one attribute per RDN. */
export function encodeName(attributes: readonly NameInput[]): Uint8Array {
  return writer.sequence(
    ...attributes.map((a) => {
      const tag =
        a.oid === OID.countryName
          ? der.TAG.printableString
          : a.oid === OID.emailAddress
            ? der.TAG.ia5String
            : der.TAG.utf8String;
      return writer.set(writer.sequence(writer.oid(a.oid), writer.string(tag, a.value)));
    }),
  );
}

/** A name attribute's value as names are compared (RFC 5280 section 7.1, via RFC 4518):
 * case-insensitive, insignificant spaces folded. */
export function normalizeValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Whether two encoded names with their decoded attributes are the same name (RFC 5280 section
 * 7.1): the same bytes, or the same attributes in order with values compared
 * case-insensitively with white space folded.
 */
export function nameAttributesEqual(
  aDer: Uint8Array,
  aAttrs: readonly NameAttribute[],
  bDer: Uint8Array,
  bAttrs: readonly NameAttribute[],
): boolean {
  if (Buffer.from(aDer).equals(Buffer.from(bDer))) return true;
  if (aAttrs.length !== bAttrs.length) return false;
  return aAttrs.every((attr, i) => {
    const other = bAttrs[i];
    return (
      other !== undefined &&
      other.oid === attr.oid &&
      normalizeValue(other.value) === normalizeValue(attr.value)
    );
  });
}
