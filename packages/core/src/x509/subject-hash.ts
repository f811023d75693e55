/**
 * OpenSSL's name hash, as `openssl x509 -subject_hash` prints it and as `openssl rehash` (and
 * `c_rehash`) names the files of a CA folder (`<hash>.0`, `<hash>.1`, …). OpenSSL's folder
 * lookup (X509_LOOKUP_hash_dir: redis's `tls-ca-cert-dir`, any `CApath`) finds an issuer only by
 * opening `<hash of its subject>.<n>`, so a certificate under another name is never found.
 *
 * X509_NAME_hash_ex (crypto/x509/x509_cmp.c): the SHA-1 of the name's canonical encoding, its
 * first four bytes read little-endian. The canonical encoding (x509_name_canon and
 * asn1_string_canon, crypto/x509/x_name.c) is the DER of each RDN's SET, one after the other
 * with no outer SEQUENCE, where every value of a string type (UTF8String, BMPString,
 * UniversalString, PrintableString, T61String, IA5String, VisibleString) is converted to a
 * UTF8String, stripped of leading and trailing whitespace, its inner runs of whitespace made one
 * space and its ASCII letters lower-cased; values of other types (NumericString among them) are
 * kept as they are. Proven against `openssl x509 -subject_hash` and `openssl rehash` in
 * test/interop/subject-hash.test.ts.
 */
import { createHash } from 'node:crypto';
import * as der from '../asn1/der.js';
import * as writer from '../asn1/der-writer.js';
import type { DerElement } from '../asn1/der.js';
import { CertkitError } from '../errors.js';
import { MAX_NAMES } from '../asn1/der-bounds.js';
import { internals } from './pkix.js';
import type { Certificate } from './pkix.js';

/** The string types asn1_string_canon converts (ASN1_MASK_CANON), by universal tag number. */
const T61_STRING = 20;
const VISIBLE_STRING = 26;
const UNIVERSAL_STRING = 28;
const ONE_BYTE_STRINGS = new Set([
  der.TAG.printableString,
  T61_STRING,
  der.TAG.ia5String,
  VISIBLE_STRING,
]);

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** ossl_isspace: space, \t, \n, \v, \f, \r (ASCII only). */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * The value as ASN1_STRING_to_UTF8 converts it: null where OpenSSL fails (invalid UTF-8, a
 * BMPString of odd length, a surrogate or a code point past U+10FFFF, which UTF8_putc refuses).
 */
function toUtf8(value: DerElement): Uint8Array | null {
  const content = value.content;
  if (value.number === der.TAG.utf8String) {
    try {
      UTF8.decode(content);
      return content;
    } catch {
      return null;
    }
  }
  let text = '';
  if (ONE_BYTE_STRINGS.has(value.number)) {
    // MBSTRING_ASC: each byte is the character of that value (Latin-1).
    for (const byte of content) text += String.fromCharCode(byte);
    return Buffer.from(text, 'utf8');
  }
  const width = value.number === der.TAG.bmpString ? 2 : 4;
  if (content.length % width !== 0) return null;
  for (let i = 0; i < content.length; i += width) {
    let point = 0;
    for (let j = 0; j < width; j++) point = point * 256 + (content[i + j] ?? 0);
    if ((point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) return null;
    text += String.fromCodePoint(point);
  }
  return Buffer.from(text, 'utf8');
}

/** asn1_string_canon's text rule on UTF-8 bytes: trim, one space for each run, ASCII lower case. */
function canonicalText(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && isSpace(bytes[start] ?? 0)) start++;
  while (end > start && isSpace(bytes[end - 1] ?? 0)) end--;
  const out: number[] = [];
  for (let i = start; i < end; i++) {
    const byte = bytes[i] ?? 0;
    if (byte >= 0x80) out.push(byte);
    else if (isSpace(byte)) {
      out.push(0x20);
      while (i + 1 < end && isSpace(bytes[i + 1] ?? 0)) i++;
    } else out.push(byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
  }
  return Uint8Array.from(out);
}

/** One attribute value in canonical form, or null where OpenSSL's conversion fails. */
function canonicalValue(value: DerElement): Uint8Array | null {
  const canon =
    value.cls === der.UNIVERSAL &&
    !value.constructed &&
    (value.number === der.TAG.utf8String ||
      value.number === der.TAG.bmpString ||
      value.number === UNIVERSAL_STRING ||
      ONE_BYTE_STRINGS.has(value.number));
  if (!canon) {
    // Copied across (ASN1_STRING_copy) and encoded again: the same tag and contents.
    return value.constructed || value.number >= 31
      ? value.bytes
      : writer.encode((value.cls << 6) | value.number, value.content);
  }
  const utf8 = toUtf8(value);
  return utf8 === null ? null : writer.encode(der.TAG.utf8String, canonicalText(utf8));
}

/**
 * The canonical encoding of a DER Name, as x509_name_canon makes it; null when OpenSSL could not
 * make it either.
 *
 * @throws {@link der.DerError} when the bytes are not a Name (opensslNameHash wraps it)
 */
function canonicalName(nameDer: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let count = 0;
  for (const rdn of der.sequenceOf(der.readOnly(nameDer), 'a Name')) {
    if (!der.isUniversal(rdn, der.TAG.set) || !rdn.constructed) {
      throw new der.DerError('expected a RelativeDistinguishedName SET');
    }
    const entries: Uint8Array[] = [];
    for (const pair of der.childrenOf(rdn)) {
      if (++count > MAX_NAMES) throw new der.DerLimitError('a name of too many attributes');
      const [type, value] = der.sequenceOf(pair, 'an AttributeTypeAndValue');
      if (type === undefined || value === undefined) {
        throw new der.DerError('an AttributeTypeAndValue has two parts');
      }
      const canon = canonicalValue(value);
      if (canon === null) return null;
      entries.push(writer.sequence(type.bytes, canon));
    }
    // An empty RDN adds nothing: x509_name_canon groups entries, and it has none.
    if (entries.length > 0) parts.push(writer.set(...entries));
  }
  return Buffer.concat(parts);
}

/**
 * OpenSSL's hash of a DER Name (X509_NAME_hash_ex), as 8 lower-case hex digits:
 * `openssl x509 -subject_hash` of a certificate with that subject, the `<hash>` of the file
 * names `openssl rehash` makes. Null when OpenSSL cannot canonicalise the name (a string value
 * that is not valid in its type), and then cannot hash it either.
 *
 * @throws {@link CertkitError} `DER_INVALID` when the bytes are not a Name
 *
 * @example
 * ```ts
 * opensslNameHash(internals(certificate).subjectDer); // 'a3c1b4e2'
 * ```
 */
export function opensslNameHash(nameDer: Uint8Array): string | null {
  let canon: Uint8Array | null;
  try {
    canon = canonicalName(nameDer);
  } catch (error) {
    throw new CertkitError('DER_INVALID', 'not a valid distinguished name', { cause: error });
  }
  if (canon === null) return null;
  const digest = createHash('sha1').update(canon).digest();
  // md[0] | md[1] << 8 | md[2] << 16 | md[3] << 24, printed with %08lx.
  const value =
    ((digest[0] ?? 0) |
      ((digest[1] ?? 0) << 8) |
      ((digest[2] ?? 0) << 16) |
      ((digest[3] ?? 0) << 24)) >>>
    0;
  return value.toString(16).padStart(8, '0');
}

/**
 * `openssl x509 -subject_hash` of a certificate: the name its file must have in a CA folder
 * (`<hash>.0`) for OpenSSL to find it. Null when OpenSSL cannot hash its subject.
 */
export function subjectHash(certificate: Certificate): string | null {
  return opensslNameHash(internals(certificate).subjectDer);
}
