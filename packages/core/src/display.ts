/**
 * `@certkit/core/display`: text from certificates, files and servers made safe to show on a
 * terminal or in a line-based file (PEM comments, stunnel configurations). Certificate names and
 * server replies are attacker-chosen: raw, an ESC sequence can retitle the window or clear the
 * screen, CR/LF can forge `pass` and `OK` lines, and bidi overrides can show text reversed
 * ("Trojan Source", CVE-2021-42574). This entry loads nothing else, so that the CLI can use it
 * without loading the rest of core.
 *
 * @example
 * ```ts
 * import { escapeControlCharacters } from '@certkit/core/display';
 * escapeControlCharacters('CN=evil\u001b]0;pwned\u0007'); // 'CN=evil\\x1b]0;pwned\\x07'
 * ```
 *
 * @module
 */

/**
 * What {@link escapeControlCharacters} escapes: C0 controls (U+0000-U+001F, tab and line feed
 * included), DEL (U+007F), C1 controls (U+0080-U+009F: U+009B is a one-character CSI on
 * terminals that honour 8-bit controls), the bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069) and the implicit bidi marks (U+061C, U+200E, U+200F), which
 * Unicode TR 9 and CVE-2021-42574 name as the means to make displayed text differ from its
 * logical order. A backslash is added where it would otherwise start what reads as an escape.
 */
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Escapes every control character, DEL and bidi control in `text` as visible text: `\xHH` for
 * C0, DEL and C1 (as `chain --annotate` comments and `cat -v`-style tools show them), `\uHHHH`
 * for the bidi controls; a backslash followed by `\`, `x`, `u` or an escaped character is doubled.
 * The result holds no control character at all and is one line; distinct inputs give distinct
 * results (read `\\` as `\`, `\xHH` and `\uHHHH` as the character, any other `\` as itself), so
 * no value can pass itself off as another, nor as a line of the program's own. Text without
 * controls and backslashes comes back unchanged (the same string, no copy).
 *
 * @example
 * ```ts
 * escapeControlCharacters('a\r\nOK: 0 errors'); // 'a\\x0d\\x0aOK: 0 errors'
 * escapeControlCharacters('abc\u202Efdp.exe'); // 'abc\\u202efdp.exe'
 * escapeControlCharacters('CN=a\\,b'); // unchanged: 'CN=a\\,b'
 * ```
 */
export function escapeControlCharacters(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const code = c.charCodeAt(0);
    if (c === '\\') {
      const next = text.charAt(i + 1);
      out += next === '\\' || next === 'x' || next === 'u' || ESCAPED.test(next) ? '\\\\' : '\\';
    } else if (!ESCAPED.test(c)) {
      out += c;
    } else if (code <= 0xff) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
  return out;
}

/**
 * True when `text` holds a character {@link escapeControlCharacters} escapes (a C0 or C1
 * control, DEL, a bidi control): text without one is safe to show as it is.
 *
 * @example
 * ```ts
 * holdsControlCharacters('CN=evil\u001b[2J'); // true
 * holdsControlCharacters('line 3 holds \\x1b'); // false
 * ```
 */
export function holdsControlCharacters(text: string): boolean {
  return ESCAPED.test(text);
}
