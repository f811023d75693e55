/**
 * `java.net.IDN` as JDK 17 runs it (IDNA 2003: RFC 3490 ToASCII and ToUnicode over the nameprep
 * profile of stringprep, RFC 3491 and RFC 3454, and Punycode, RFC 3492), for the Java client
 * model: Java's host-name check passes the name it connects to and every certificate name through
 * `IDN.toUnicode(IDN.toASCII(name))` before comparing them, and `SNIHostName` through
 * `IDN.toASCII(name, USE_STD3_ASCII_RULES)`.
 *
 * Java's nameprep reads Unicode 3.2 tables; this copy takes the JavaScript engine's Unicode where
 * 3.2 has no simple rule: case folding (RFC 3454 table B.2) is the engine's case mapping with the
 * few pairs that 3.2 did not have left out, NFKC is the engine's, and "unassigned in Unicode 3.2"
 * (table A.1, which Java refuses) is every code point unassigned today, every supplementary code
 * point outside the blocks 3.2 filled, and the BMP blocks added after 3.2. A character added to
 * an older block after 3.2 is taken as assigned, and the bidirectional rule (RFC 3454 section 6)
 * reads "left-to-right" as a letter or spacing mark of any other script: the measured corpus
 * (test/interop/stacks/corpus.ts) holds the shapes where these matter.
 */

/** Thrown where Java throws `IllegalArgumentException`. */
class IdnaError extends Error {}

/** Java's label separators: full stop, ideographic, fullwidth and halfwidth ideographic. */
const SEPARATORS = new Set(['.', '\u3002', '\uff0e', '\uff61']);

const ACE_PREFIX = 'xn--';
const MAX_LABEL_LENGTH = 63;

type Range = readonly [number, number];

/** The code points of a text (surrogate pairs joined). */
function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const char of text) out.push(char.codePointAt(0) ?? 0);
  return out;
}

function inRanges(ranges: readonly Range[], cp: number): boolean {
  return ranges.some(([from, to]) => cp >= from && cp <= to);
}

/** RFC 3454 table B.1: mapped to nothing. */
const MAP_TO_NOTHING: readonly Range[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

/** Case pairs the engine maps and Unicode 3.2 did not (B.2 has no entry for these). */
const NOT_FOLDED_IN_3_2: readonly Range[] = [
  [0x0131, 0x0131], // dotless i: a Turkic mapping only
  [0x10a0, 0x10cf], // Georgian capitals: their small letters came in Unicode 4.1
  [0x13a0, 0x13ff], // Cherokee: lower case came in Unicode 8.0
];

/** RFC 3454 tables C.1.2, C.2.2, C.3 to C.9: prohibited by nameprep (RFC 3491 section 5). */
const PROHIBITED: readonly Range[] = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0x0080, 0x009f],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffd],
  [0x1d173, 0x1d17a],
  [0xe000, 0xf8ff],
  [0xf0000, 0x10ffff],
  [0xfdd0, 0xfdef],
  [0xfffe, 0xffff],
  [0xd800, 0xdfff],
  [0x2ff0, 0x2ffb],
  [0x0340, 0x0341],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
];

/** Supplementary code points Unicode 3.2 assigned (outside them, table A.1 applies). */
const ASSIGNED_SUPPLEMENTARY_3_2: readonly Range[] = [
  [0x10300, 0x1031e],
  [0x10320, 0x10323],
  [0x10330, 0x1034a],
  [0x10400, 0x10425],
  [0x10428, 0x1044d],
  [0x1d000, 0x1d0f5],
  [0x1d100, 0x1d126],
  [0x1d12a, 0x1d1dd],
  [0x1d400, 0x1d7ff],
  [0x20000, 0x2a6d6],
  [0x2f800, 0x2fa1d],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
  [0xf0000, 0x10ffff],
];

/** BMP blocks added after Unicode 3.2 (scripts and symbol blocks of Unicode 4.0 and later). */
const BMP_BLOCKS_AFTER_3_2: readonly Range[] = [
  [0x0750, 0x077f],
  [0x07c0, 0x08ff],
  [0x1380, 0x139f],
  [0x1900, 0x1dff],
  [0x2c00, 0x2e7f],
  [0x31c0, 0x31ef],
  [0x4dc0, 0x4dff],
  [0x9fa6, 0x9fff],
  [0xa4d0, 0xabff],
  [0xd7b0, 0xd7ff],
  [0xfe10, 0xfe1f],
];

const UNASSIGNED_TODAY = /^\p{Cn}$/u;

function unassignedIn32(cp: number): boolean {
  if (UNASSIGNED_TODAY.test(String.fromCodePoint(cp))) return true;
  if (cp > 0xffff) return !inRanges(ASSIGNED_SUPPLEMENTARY_3_2, cp);
  return inRanges(BMP_BLOCKS_AFTER_3_2, cp);
}

/** RFC 3454 table D.1: characters with bidirectional property R or AL. */
const RAND_AL: readonly Range[] = [
  [0x05be, 0x05be],
  [0x05c0, 0x05c0],
  [0x05c3, 0x05c3],
  [0x05d0, 0x05ea],
  [0x05f0, 0x05f4],
  [0x061b, 0x061b],
  [0x061f, 0x061f],
  [0x0621, 0x063a],
  [0x0640, 0x064a],
  [0x066d, 0x066f],
  [0x0671, 0x06d5],
  [0x06dd, 0x06dd],
  [0x06e5, 0x06e6],
  [0x06fa, 0x06fe],
  [0x0700, 0x070d],
  [0x0710, 0x0710],
  [0x0712, 0x072c],
  [0x0780, 0x07a5],
  [0x07b1, 0x07b1],
  [0x200f, 0x200f],
  [0xfb1d, 0xfb1d],
  [0xfb1f, 0xfb28],
  [0xfb2a, 0xfb36],
  [0xfb38, 0xfb3c],
  [0xfb3e, 0xfb3e],
  [0xfb40, 0xfb41],
  [0xfb43, 0xfb44],
  [0xfb46, 0xfbb1],
  [0xfbd3, 0xfd3d],
  [0xfd50, 0xfd8f],
  [0xfd92, 0xfdc7],
  [0xfdf0, 0xfdfc],
  [0xfe70, 0xfe74],
  [0xfe76, 0xfefc],
];

/** Table D.2 (bidirectional property L), read as: a letter or spacing mark that is not RandAL. */
const LEFT_TO_RIGHT = /^[\p{L}\p{Mc}]$/u;

/** Table B.2 case folding of one code point (the engine's full case mapping). */
function fold(char: string, cp: number): string {
  if (inRanges(NOT_FOLDED_IN_3_2, cp)) return char;
  const lower = char.toLowerCase();
  // ß -> ss, ſ -> s, ﬁ -> fi: full case folding lower-cases the upper-case form.
  return lower !== char ? lower : char.toUpperCase().toLowerCase();
}

/** Nameprep (RFC 3491) of one label, flag 0: unassigned code points are refused. */
function nameprep(label: string): string {
  const mapped = (text: string): string => {
    let out = '';
    for (const char of text) {
      const cp = char.codePointAt(0) ?? 0;
      if (!inRanges(MAP_TO_NOTHING, cp)) out += fold(char, cp);
    }
    return out;
  };
  // B.2 is closed under NFKC (RFC 3454 section 3.2): fold, normalise, fold what that made.
  const prepared = mapped(mapped(label).normalize('NFKC')).normalize('NFKC');
  const points = codePoints(prepared);
  for (const cp of points) {
    if (inRanges(PROHIBITED, cp)) throw new IdnaError('a prohibited code point');
    if (unassignedIn32(cp)) throw new IdnaError('a code point unassigned in Unicode 3.2');
  }
  if (points.some((cp) => inRanges(RAND_AL, cp))) {
    const first = points[0] ?? 0;
    const last = points[points.length - 1] ?? 0;
    const leftToRight = points.some(
      (cp) => !inRanges(RAND_AL, cp) && LEFT_TO_RIGHT.test(String.fromCodePoint(cp)),
    );
    if (leftToRight || !inRanges(RAND_AL, first) || !inRanges(RAND_AL, last))
      throw new IdnaError('mixed or badly placed right-to-left characters');
  }
  return prepared;
}

// ---------------------------------------------------------------------------------------------
// Punycode (RFC 3492 section 6), over code points.

const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 0x80;
const MAX_INT = 0x7fffffff;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : Math.floor(delta / 2);
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - TMIN) * TMAX) >> 1) {
    d = Math.floor(d / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW));
}

function digitChar(d: number): string {
  return String.fromCharCode(d < 26 ? 0x61 + d : 0x30 + d - 26);
}

function charDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 26;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61;
  return -1;
}

function threshold(k: number, bias: number): number {
  return k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
}

function punycodeEncode(input: string): string {
  const points = codePoints(input);
  let out = points
    .filter((cp) => cp < 0x80)
    .map((cp) => String.fromCharCode(cp))
    .join('');
  const basic = out.length;
  if (basic > 0) out += '-';
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  for (let handled = basic; handled < points.length;) {
    const m = Math.min(...points.filter((cp) => cp >= n));
    if (m - n > Math.floor((MAX_INT - delta) / (handled + 1))) throw new IdnaError('overflow');
    delta += (m - n) * (handled + 1);
    n = m;
    for (const cp of points) {
      if (cp < n) delta++;
      if (cp !== n) continue;
      let q = delta;
      for (let k = BASE; ; k += BASE) {
        const t = threshold(k, bias);
        if (q < t) break;
        out += digitChar(t + ((q - t) % (BASE - t)));
        q = Math.floor((q - t) / (BASE - t));
      }
      out += digitChar(q);
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return out;
}

function punycodeDecode(input: string): string {
  const delimiter = input.lastIndexOf('-');
  const basic = delimiter < 0 ? 0 : delimiter;
  const out: number[] = [];
  for (let j = 0; j < basic; j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) throw new IdnaError('a non-basic code point before the delimiter');
    out.push(c);
  }
  let n = INITIAL_N;
  let i = 0;
  let bias = INITIAL_BIAS;
  for (let at = basic > 0 ? basic + 1 : 0; at < input.length;) {
    const old = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (at >= input.length) throw new IdnaError('truncated');
      const digit = charDigit(input.charCodeAt(at++));
      if (digit < 0) throw new IdnaError('not a Punycode digit');
      if (digit > Math.floor((MAX_INT - i) / w)) throw new IdnaError('overflow');
      i += digit * w;
      const t = threshold(k, bias);
      if (digit < t) break;
      if (w > Math.floor(MAX_INT / (BASE - t))) throw new IdnaError('overflow');
      w *= BASE - t;
    }
    const count = out.length + 1;
    bias = adapt(i - old, count, old === 0);
    if (Math.floor(i / count) > MAX_INT - n) throw new IdnaError('overflow');
    n += Math.floor(i / count);
    i %= count;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new IdnaError('not a code point');
    out.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...out);
}

// ---------------------------------------------------------------------------------------------
// IDN.toASCII and IDN.toUnicode.

function isAllAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function startsWithAce(text: string): boolean {
  return text.slice(0, ACE_PREFIX.length).toLowerCase() === ACE_PREFIX;
}

/** Java's `isNonLDHAsciiCodePoint`. */
function nonLdhAscii(code: number): boolean {
  return (
    code <= 0x2c ||
    (code >= 0x2e && code <= 0x2f) ||
    (code >= 0x3a && code <= 0x40) ||
    (code >= 0x5b && code <= 0x60) ||
    (code >= 0x7b && code <= 0x7f)
  );
}

function labelToAscii(label: string, std3: boolean): string {
  const ascii = isAllAscii(label);
  let dest = ascii ? label : nameprep(label);
  if (dest.length === 0) throw new IdnaError('an empty label');
  if (std3) {
    for (let i = 0; i < dest.length; i++)
      if (nonLdhAscii(dest.charCodeAt(i))) throw new IdnaError('a non-LDH ASCII character');
    if (dest.startsWith('-') || dest.endsWith('-'))
      throw new IdnaError('a leading or trailing hyphen');
  }
  if (!ascii && !isAllAscii(dest)) {
    if (startsWithAce(dest)) throw new IdnaError('a label that starts with the ACE prefix');
    dest = ACE_PREFIX + punycodeEncode(dest).toLowerCase();
  }
  if (dest.length > MAX_LABEL_LENGTH) throw new IdnaError('a label over 63 characters');
  return dest;
}

function labelToUnicode(label: string): string {
  let dest: string;
  try {
    dest = isAllAscii(label) ? label : nameprep(label);
  } catch {
    return label;
  }
  if (!startsWithAce(dest)) return label;
  try {
    const decoded = punycodeDecode(dest.slice(ACE_PREFIX.length));
    if (eachLabel(decoded, (l) => labelToAscii(l, false)).toLowerCase() === dest.toLowerCase())
      return decoded;
  } catch {
    // ToUnicode never fails: the label stays as it was.
  }
  return label;
}

/** Java's label loop (`searchDots`): labels between separators; a trailing one stays a dot. */
function eachLabel(input: string, convert: (label: string) => string): string {
  if (input.length === 1 && SEPARATORS.has(input)) return '.';
  let out = '';
  for (let p = 0; p < input.length;) {
    let q = p;
    while (q < input.length && !SEPARATORS.has(input.charAt(q))) q++;
    out += convert(input.slice(p, q));
    if (q !== input.length) out += '.';
    p = q + 1;
  }
  return out;
}

/**
 * `IDN.toASCII(input, std3 ? USE_STD3_ASCII_RULES : 0)`, or `null` where Java throws.
 *
 * @example
 * ```ts
 * javaIdnToAscii('straße.example', false); // 'strasse.example' (IDNA 2003 folds ß)
 * javaIdnToAscii('bücher.example', false); // 'xn--bcher-kva.example'
 * ```
 */
export function javaIdnToAscii(input: string, std3: boolean): string | null {
  try {
    return eachLabel(input, (label) => labelToAscii(label, std3));
  } catch (error) {
    if (error instanceof IdnaError) return null;
    throw error;
  }
}

/**
 * `IDN.toUnicode(input)`: never fails; a label it cannot decode is kept as it is.
 *
 * @example
 * ```ts
 * javaIdnToUnicode('xn--bcher-kva.example'); // 'bücher.example'
 * javaIdnToUnicode('xn--*.example'); // 'xn--*.example'
 * ```
 */
export function javaIdnToUnicode(input: string): string {
  return eachLabel(input, labelToUnicode);
}
