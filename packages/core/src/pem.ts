/**
 * PEM and DER framing (RFC 7468): every block of an input, whatever surrounds it.
 *
 * Real-world bundles are concatenations made with `cat`: CRLF line ends, a UTF-8 byte-order mark,
 * `openssl x509 -text` output or comments between blocks, sometimes a raw DER file instead of
 * PEM. This module finds every block, decodes its base64 strictly and names the block by its
 * 1-based index in errors, so that a user can find it in the file.
 */
import { readLength } from './der.js';
import { CertkitError } from './errors.js';

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
 * Most blocks read from one input: 10,000 (issue 8). A bound on the work a hostile or runaway
 * input can cause; real trust bundles hold a few hundred certificates at most.
 */
export const MAX_PEM_BLOCKS = 10_000;

const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 #_-]*)-----$/;
const END = /^-----END ([A-Z0-9][A-Z0-9 #_-]*)-----$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
 * Decodes strict base64 (RFC 4648 alphabet, canonical padding). Returns an error reason instead
 * of throwing so that callers can phrase the message with the file and block.
 */
function decodeBase64(text: string): Uint8Array | string {
  if (text.length === 0) return 'the block has no content';
  if (!BASE64.test(text)) return 'base64 has characters outside the base64 alphabet';
  if (text.length % 4 !== 0) return 'base64 is truncated';
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder is lenient (it ignores stray padding bits); the round trip makes it strict.
  if (bytes.toString('base64') !== text) return 'base64 is not canonical (bad padding)';
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
  // `cat a.pem b.pem` when a.pem lacks its final newline glues the next BEGIN line onto the END
  // line (`-----END CERTIFICATE----------BEGIN CERTIFICATE-----`); OpenSSL refuses that ("bad
  // end line"), but the intent is plain, so the two lines are separated again.
  const unglued = text.replace(/(-----END [A-Z0-9 #_-]+?-----)[ \t]*(?=-----BEGIN )/g, '$1\n');
  // Lines are taken one at a time (the same lines as split(/\r\n|\r|\n/)): an array of every
  // line of a 5,000-certificate bundle was ~6 MB kept alive for the whole read (issue 7).
  const breaks = /\r\n|\r|\n/g;
  let at = 0;
  const nextLine = (): string | undefined => {
    if (at < 0) return undefined;
    breaks.lastIndex = at;
    const found = breaks.exec(unglued);
    const line = unglued.slice(at, found === null ? undefined : found.index);
    at = found === null ? -1 : found.index + found[0].length;
    return line;
  };
  const blocks: PemBlock[] = [];
  for (let next = nextLine(); next !== undefined; next = nextLine()) {
    const line = next.trim();
    const begin = BEGIN.exec(line);
    if (!begin) {
      if (line.startsWith('-----BEGIN') || line.startsWith('-----END')) {
        throw new CertkitError(
          'PEM_INVALID',
          `cannot read block ${String(blocks.length + 1)} in ${source}: malformed ${line.startsWith('-----BEGIN') ? 'BEGIN' : 'END'} line`,
        );
      }
      continue;
    }
    const label = begin[1] ?? '';
    const index = blocks.length + 1;
    const fail = (reason: string): never => {
      throw new CertkitError(
        'PEM_INVALID',
        `cannot read ${PRIVATE_KEY_LABELS.includes(label) ? 'private key' : label === 'CERTIFICATE' ? 'certificate' : 'block'} ${String(index)} in ${source}: ${reason}`,
      );
    };
    const headers: Record<string, string> = {};
    let body = '';
    let ended = false;
    let inHeaders = true;
    for (let innerLine = nextLine(); innerLine !== undefined; innerLine = nextLine()) {
      const inner = innerLine.trim();
      const end = END.exec(inner);
      if (end) {
        if (end[1] !== label) fail(`BEGIN ${label} ends with END ${end[1] ?? ''}`);
        ended = true;
        break;
      }
      if (inner.startsWith('-----')) fail('END line is missing before the next BEGIN line');
      if (inHeaders && /^[A-Za-z-]+:/.test(inner)) {
        const colon = inner.indexOf(':');
        headers[inner.slice(0, colon)] = inner.slice(colon + 1).trim();
        continue;
      }
      if (inner.length > 0) inHeaders = false;
      body += inner.replace(/\s+/g, '');
    }
    if (!ended) fail('END line is missing (the file is truncated)');
    const decoded = decodeBase64(body);
    if (typeof decoded === 'string') fail(decoded);
    if (index > maxBlocks) {
      throw new CertkitError(
        'TOO_MANY_CERTIFICATES',
        `${source} holds more than ${String(maxBlocks)} blocks; at most ${String(maxBlocks)} are read from one input`,
      );
    }
    blocks.push({ label, der: decoded as Uint8Array, index, headers });
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
