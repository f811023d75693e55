/**
 * PEM and DER framing (RFC 7468): every block of an input, whatever surrounds it.
 *
 * Real-world bundles are concatenations made with `cat`: CRLF line ends, a UTF-8 byte-order mark,
 * `openssl x509 -text` output or comments between blocks, sometimes a raw DER file instead of
 * PEM. This module finds every block, decodes its base64 strictly and names the block by its
 * 1-based index in errors, so that a user can find it in the file.
 */
import { readLength } from '../asn1/der.js';
import { CertkitError } from '../errors.js';

/** One decoded block of an input. */
export interface PemBlock {
  /** The PEM label (`CERTIFICATE`, `PRIVATE KEY`, …), or `null` for a raw DER input. */
  readonly label: string | null;
  /** The decoded bytes. */
  readonly der: Uint8Array;
  /** 1-based position of the block in its input, as users count them. */
  readonly index: number;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`) of legacy encrypted keys, if any. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Labels of PEM blocks that hold private keys: never echoed, never accepted as certificates. */
export const PRIVATE_KEY_LABELS: readonly string[] = [
  'PRIVATE KEY',
  'RSA PRIVATE KEY',
  'EC PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'DSA PRIVATE KEY',
  'OPENSSH PRIVATE KEY',
];

/**
 * Most blocks read from one input: 10,000. A bound on the work a hostile or runaway
 * input can cause; real trust bundles hold a few hundred certificates at most.
 */
export const MAX_PEM_BLOCKS = 10_000;

// ---------------------------------------------------------------------------------------------
// Scanning. Everything below reads the text in one forward pass, character by character, with no
// regular expression: a backtracking pattern over hostile text re-reads it from every start (a
// lazy END-line pattern made 1 MiB of repeated "-----END " cost 85 s). `pemScanWork` counts the
// characters examined, so that tests can prove the pass linear on adversarial shapes.

const HYPHEN = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** Characters of a PEM label (RFC 7468 section 3 allows more; these are the ones seen). */
function isLabelChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === SPACE ||
    c === 0x23 || // #
    c === 0x5f || // _
    c === HYPHEN
  );
}

function isBase64Char(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b || // +
    c === 0x2f // /
  );
}

/** Work counter of the last {@link parsePemBlocks} call: characters examined. Internal (tests). */
export const pemScanWork = { characters: 0 };

/**
 * The label of a `-----BEGIN X-----` or `-----END X-----` line (`kind` is `BEGIN ` or `END `),
 * or null when `line` is not one: a label starts with a letter or digit and holds only
 * {@link isLabelChar} characters.
 */
function armorLabel(line: string, kind: string): string | null {
  const prefix = `-----${kind}`;
  if (!line.startsWith(prefix) || !line.endsWith('-----')) return null;
  const label = line.slice(prefix.length, line.length - 5);
  pemScanWork.characters += line.length;
  if (label.length === 0 || line.length < prefix.length + 5) return null;
  const first = label.charCodeAt(0);
  if (first === SPACE || first === 0x23 || first === 0x5f || first === HYPHEN) return null;
  for (let i = 0; i < label.length; i++) if (!isLabelChar(label.charCodeAt(i))) return null;
  return label;
}

/** `Proc-Type:`-style header line (RFC 1421): letters and hyphens, then a colon. */
function isHeaderLine(line: string): boolean {
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === HYPHEN)) break;
  }
  pemScanWork.characters += i + 1;
  return i > 0 && line.charCodeAt(i) === 0x3a;
}

/**
 * Reads `text` as lines (split at CRLF, CR or LF), in one forward pass. A BEGIN line glued onto
 * an END line (`-----END CERTIFICATE----------BEGIN CERTIFICATE-----`, what `cat a.pem b.pem`
 * makes when a.pem lacks its final newline) starts a line of its own, the blanks between the two
 * dropped: OpenSSL refuses such a file ("bad end line"), but the intent is plain. The rule is
 * that of the pattern `(-----END [A-Z0-9 #_-]+?-----)[ \t]*(?=-----BEGIN )` applied to the
 * whole text, decided here as the characters go by instead of by re-reading them.
 */
class LineReader {
  #at = 0;
  /** Next occurrence of each needle at or after the last position asked, -1 for none. */
  readonly #found = new Map<string, number>();

  constructor(readonly text: string) {}

  /**
   * `text.indexOf(needle, from)` for `from` that never decreases between calls: an occurrence
   * found is kept until passed, so that the text is searched once per needle in all.
   */
  #next(needle: string, from: number): number {
    const known = this.#found.get(needle);
    if (known !== undefined && (known === -1 || known >= from)) return known;
    const found = this.text.indexOf(needle, from);
    this.#found.set(needle, found);
    return found;
  }

  /** The next line, or undefined at the end of the text. */
  next(): string | undefined {
    const { text } = this;
    if (this.#at > text.length) return undefined;
    const start = this.#at;
    const lf = this.#next('\n', start);
    const cr = this.#next('\r', start);
    const lineEnd = Math.min(lf === -1 ? text.length : lf, cr === -1 ? text.length : cr);
    const begin = this.#next('-----BEGIN ', start + 1);
    if (begin === -1 || begin >= lineEnd) {
      // No BEGIN after the start of this line: nothing can be glued, the line ends at its break.
      pemScanWork.characters += lineEnd - start + 1;
      this.#at =
        lineEnd === text.length
          ? text.length + 1
          : lineEnd + (lineEnd === cr && text.charCodeAt(lineEnd + 1) === LF ? 2 : 1);
      return text.slice(start, lineEnd);
    }
    /** The first `-----END ` of the current run of label characters, or -1. */
    let firstEnd = -1;
    /** Where the current run of blanks started, and `firstEnd` as it was just before it. */
    let blanksStart = -1;
    let endBeforeBlanks = -1;
    for (let x = start; x < text.length; x++) {
      pemScanWork.characters++;
      const c = text.charCodeAt(x);
      if (c === LF || c === CR) {
        this.#at = x + (c === CR && text.charCodeAt(x + 1) === LF ? 2 : 1);
        return text.slice(start, x);
      }
      const afterBlanks = blanksStart >= 0;
      if (c === HYPHEN) {
        if (text.startsWith('-----BEGIN ', x)) {
          // The END whose label and closing dashes end where the blanks (if any) begin.
          const cut = afterBlanks ? blanksStart : x;
          const end = afterBlanks ? endBeforeBlanks : firstEnd;
          if (end >= 0 && end + 15 <= cut && text.startsWith('-----', cut - 5)) {
            this.#at = x; // the BEGIN starts the next line
            return text.slice(start, cut);
          }
        } else if (firstEnd < 0 && text.startsWith('-----END ', x)) {
          firstEnd = x;
        }
      }
      if (c === SPACE || c === TAB) {
        if (!afterBlanks) {
          blanksStart = x;
          endBeforeBlanks = firstEnd;
        }
      } else {
        blanksStart = -1;
      }
      if (!isLabelChar(c)) firstEnd = -1; // a tab, too, ends the run
    }
    this.#at = text.length + 1;
    return text.slice(start);
  }
}

/** Describes a block's label for messages without ever printing its content. */
export function describeLabel(label: string | null): string {
  if (label === null) return 'DER data';
  if (PRIVATE_KEY_LABELS.includes(label)) return 'a private key';
  if (label === 'CERTIFICATE REQUEST' || label === 'NEW CERTIFICATE REQUEST') {
    return 'a certificate request (CSR)';
  }
  if (label === 'X509 CRL') return 'a certificate revocation list (CRL)';
  if (label === 'PKCS7' || label === 'CMS') {
    // Windows and some CAs hand out chains as .p7b: say how to get the certificates out.
    return 'a PKCS#7 bundle (list its certificates with openssl pkcs7 -print_certs)';
  }
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') return 'a public key';
  return `a ${label} block`;
}

/**
 * Decodes strict base64 (RFC 4648 alphabet, canonical padding) with white space anywhere in it,
 * as PEM bodies have it. Returns an error reason instead of throwing so that callers can phrase
 * the message with the file and block. One pass over the characters; the white space is not
 * copied out first (a pattern replace over one multi-megabyte line is a slower path of V8's).
 */
function decodeBase64(text: string): Uint8Array | string {
  let significant = 0;
  let padding = 0;
  /** Where the last four significant characters are (the last quantum). */
  const last = [-1, -1, -1, -1];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isWhitespace(c)) continue;
    if (c === 0x3d) padding++;
    else if (padding > 0 || !isBase64Char(c))
      return 'base64 has characters outside the base64 alphabet';
    last[significant & 3] = i;
    significant++;
  }
  pemScanWork.characters += text.length;
  if (significant === 0) return 'the block has no content';
  if (padding > 2) return 'base64 has characters outside the base64 alphabet';
  if (significant % 4 !== 0) return 'base64 is truncated';
  // Node's decoder skips white space, and is lenient: it ignores the stray bits a padded last
  // quantum leaves. Every other quantum maps one-to-one to its 3 bytes, so re-encoding the last
  // one makes it strict.
  const bytes = Buffer.from(text, 'base64');
  const tail = bytes.subarray(Math.max(0, bytes.length - (3 - padding)));
  const quantum = last.map((at) => text.charAt(at)).join('');
  if (
    bytes.length !== (significant / 4) * 3 - padding ||
    Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).toString('base64') !== quantum
  )
    return 'base64 is not canonical (bad padding)';
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** ECMAScript white space and line terminators in latin1 text (what `\s` matches there). */
function isWhitespace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
}

/**
 * Reads the length of a DER TLV starting at `offset`. Returns the total encoded length
 * (header + content), or `null` when the header is not valid DER.
 */
export function derElementLength(bytes: Uint8Array, offset = 0): number | null {
  try {
    // The identifier is one octet here (a SEQUENCE); the length follows it.
    const [length, contentStart] = readLength(bytes, offset + 1);
    return contentStart - offset + length;
  } catch {
    return null; // indefinite (BER), over 4 octets, or cut off inside the length
  }
}

/** True when the input starts like a DER SEQUENCE rather than like text. */
export function looksLikeDer(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x30) return false;
  const second = bytes[1];
  if (second === undefined) return false;
  // A long-form length byte (0x81-0x84) never follows '0' in ASCII text.
  if (second >= 0x81 && second <= 0x84) return true;
  // A short-form length is a printable byte: text starting with "0E" whose length happens to
  // be 0x45 + 2 would pass the length test. A BEGIN line settles it for PEM (found by the
  // PEM round-trip property, seed -1954094981).
  return derElementLength(bytes) === bytes.length && !Buffer.from(bytes).includes('-----BEGIN ');
}

/** The lines {@link parsePemBlocks} reads from `text`, glued BEGIN lines split off. Internal (tests). */
export function splitPemLines(text: string): string[] {
  const reader = new LineReader(text);
  const out: string[] = [];
  for (let line = reader.next(); line !== undefined; line = reader.next()) out.push(line);
  return out;
}

/** The error for block `index` of `source`, named as users call it. (No closure per block.) */
function blockError(label: string, index: number, source: string, reason: string): CertkitError {
  const what = PRIVATE_KEY_LABELS.includes(label)
    ? 'private key'
    : label === 'CERTIFICATE'
      ? 'certificate'
      : 'block';
  return new CertkitError(
    'PEM_INVALID',
    `cannot read ${what} ${String(index)} in ${source}: ${reason}`,
  );
}

/**
 * Splits an input (PEM text or a raw DER file) into its blocks.
 *
 * @param bytes the input as read
 * @param source how to name the input in errors (a file name, `stdin`, …)
 * @throws {@link CertkitError} `PEM_EMPTY` for an empty input, `PEM_INVALID` for broken framing
 * or base64 (naming the block), `DER_INVALID` for a truncated DER input,
 * `TOO_MANY_CERTIFICATES` past `maxBlocks` (default `MAX_PEM_BLOCKS`, 10,000), before decoding more
 *
 * @example
 * ```ts
 * const blocks = parsePemBlocks(readFileSync('servercerts.pem'), 'servercerts.pem');
 * console.log(blocks.map((b) => b.label)); // ['CERTIFICATE', 'CERTIFICATE']
 * ```
 */
export function parsePemBlocks(
  bytes: Uint8Array,
  source: string,
  options: { maxBlocks?: number } = {},
): PemBlock[] {
  const maxBlocks = options.maxBlocks ?? MAX_PEM_BLOCKS;
  pemScanWork.characters = 0;
  if (bytes.length === 0) throw new CertkitError('PEM_EMPTY', `${source} is empty`);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new CertkitError(
      'PEM_INVALID',
      `${source} is UTF-16 text; save it as ASCII or UTF-8 (PEM is ASCII)`,
    );
  }
  if (looksLikeDer(bytes)) {
    const length = derElementLength(bytes);
    if (length === null || length > bytes.length) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read block 1 in ${source}: DER data is truncated`,
      );
    }
    if (length < bytes.length) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read block 1 in ${source}: ${String(bytes.length - length)} trailing bytes after the DER data`,
      );
    }
    return [{ label: null, der: bytes, index: 1, headers: {} }];
  }
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3); // UTF-8 BOM, read as latin1
  if (text.trim().length === 0) throw new CertkitError('PEM_EMPTY', `${source} is empty`);
  if (text.includes('\u0000')) {
    throw new CertkitError('PEM_INVALID', `${source} is binary data, neither PEM nor DER`);
  }
  const lines = new LineReader(text);
  const blocks: PemBlock[] = [];
  for (let next = lines.next(); next !== undefined; next = lines.next()) {
    const line = next.trim();
    pemScanWork.characters += next.length;
    const label = armorLabel(line, 'BEGIN ');
    if (label === null) {
      if (line.startsWith('-----BEGIN') || line.startsWith('-----END')) {
        throw new CertkitError(
          'PEM_INVALID',
          `cannot read block ${String(blocks.length + 1)} in ${source}: malformed ${line.startsWith('-----BEGIN') ? 'BEGIN' : 'END'} line`,
        );
      }
      continue;
    }
    const index = blocks.length + 1;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    let ended = false;
    let inHeaders = true;
    for (let innerLine = lines.next(); innerLine !== undefined; innerLine = lines.next()) {
      const inner = innerLine.trim();
      pemScanWork.characters += innerLine.length;
      const end = armorLabel(inner, 'END ');
      if (end !== null) {
        if (end !== label)
          throw blockError(label, index, source, `BEGIN ${label} ends with END ${end}`);
        ended = true;
        break;
      }
      if (inner.startsWith('-----'))
        throw blockError(label, index, source, 'END line is missing before the next BEGIN line');
      if (inHeaders && isHeaderLine(inner)) {
        const colon = inner.indexOf(':');
        headers[inner.slice(0, colon)] = inner.slice(colon + 1).trim();
        continue;
      }
      if (inner.length > 0) inHeaders = false;
      body.push(inner);
    }
    if (!ended)
      throw blockError(label, index, source, 'END line is missing (the file is truncated)');
    const base64 = body.join('');
    pemScanWork.characters += base64.length; // the decoding
    const decoded = decodeBase64(base64);
    if (typeof decoded === 'string') throw blockError(label, index, source, decoded);
    if (index > maxBlocks) {
      throw new CertkitError(
        'TOO_MANY_CERTIFICATES',
        `${source} holds more than ${String(maxBlocks)} blocks; at most ${String(maxBlocks)} are read from one input`,
      );
    }
    blocks.push({ label, der: decoded, index, headers });
  }
  if (blocks.length === 0) {
    throw new CertkitError(
      'PEM_INVALID',
      `${source} holds no PEM block (no -----BEGIN line) and is not DER`,
    );
  }
  return blocks;
}

/**
 * Encodes bytes as one PEM block: LF line ends, 64-column base64 (RFC 7468 section 2).
 *
 * @example
 * ```ts
 * const pem = encodePem('CERTIFICATE', der); // '-----BEGIN CERTIFICATE-----\n…'
 * ```
 */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
