/**
 * String literals for the connection snippets (snippets.ts), one writer per target language. A
 * file name is attacker-chosen as far as a snippet is concerned: it may hold quotes, `$`,
 * backslashes, line breaks, terminal controls or bidi overrides. Each writer returns a literal
 * that the language reads back as exactly the given string (tests evaluate them: node, Python's
 * `ast.literal_eval`, bash, javac), written in printable ASCII only, so that a snippet printed on
 * a terminal shows what it holds and no character of it acts on the terminal.
 */
import { CertkitError } from '../errors.js';

/** True for the characters every writer leaves as they are: printable ASCII. */
function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** `\uXXXX` of one UTF-16 code unit. */
function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Refuses what no file name can hold: NUL (POSIX ends a path there) and unpaired UTF-16
 * surrogates (they have no UTF-8 form, so no file is named by them).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming `what`
 */
export function checkQuotable(value: string, what: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0) throw new CertkitError('INVALID_OPTION', `${what} holds a NUL character`);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new CertkitError('INVALID_OPTION', `${what} is not valid Unicode (a lone surrogate)`);
    }
  }
  return value;
}

/**
 * A JavaScript string literal in single quotes (ECMA-262 section 12.9.4): `\\`, `\'`, `\n`,
 * `\r`, `\t`, and `\uXXXX` for every other code unit outside printable ASCII (U+2028 and U+2029
 * included, which older parsers took for line ends).
 */
export function jsString(value: string): string {
  let out = "'";
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    const code = value.charCodeAt(i);
    if (c === '\\' || c === "'") out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (isPrintableAscii(code)) out += c;
    else out += unicodeEscape(code);
  }
  return `${out}'`;
}

/**
 * A Python 3 string literal in double quotes (the language reference, "String and Bytes
 * literals"): `\\`, `\"`, `\n`, `\r`, `\t`, `\uXXXX` or `\UXXXXXXXX` for every other code point
 * outside printable ASCII. Python's `str` paths are encoded as UTF-8 by the file system
 * encoding, as Node's are, so both name the same file.
 */
export function pythonString(value: string): string {
  let out = '"';
  for (const c of value) {
    const code = c.codePointAt(0) ?? 0;
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (isPrintableAscii(code)) out += c;
    else if (code <= 0xffff) out += unicodeEscape(code);
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/**
 * A Java string literal (JLS 3.10.5): `\\`, `\"`, `\n`, `\r`, `\t`, and `\uXXXX` for every other
 * code unit outside printable ASCII. Java turns `\uXXXX` into its character before it reads the
 * literal (JLS 3.3), so the characters that would end or break a literal there (`"`, `\`, LF,
 * CR) are always written with their own escapes, never as `\uXXXX`; and a `\\` pair is never
 * read as the start of a Unicode escape (JLS 3.3: an odd number of backslashes starts one). The
 * result is ASCII, so the source reads the same in any default encoding (Java 17 uses the
 * locale's).
 */
export function javaString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    const code = value.charCodeAt(i);
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (isPrintableAscii(code)) out += c;
    else out += unicodeEscape(code);
  }
  return `${out}"`;
}

/** Characters a bash word may hold unquoted: none of them is special to the shell. */
const SHELL_BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One bash word that expands to exactly `value`: bare when every character is plain, in single
 * quotes when all are printable ASCII (`'` written `'\''`), else ANSI-C quoting `$'…'` (bash)
 * with every byte outside printable ASCII as a three-digit octal escape of its UTF-8 encoding,
 * so that line breaks and terminal controls are written, never printed.
 */
export function shellWord(value: string): string {
  if (SHELL_BARE.test(value)) return value;
  let ascii = true;
  for (let i = 0; i < value.length && ascii; i++) ascii = isPrintableAscii(value.charCodeAt(i));
  if (ascii) return `'${value.replaceAll("'", "'\\''")}'`;
  let out = "$'";
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (c === '\\' || c === "'") out += `\\${c}`;
    else if (isPrintableAscii(byte)) out += c;
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}'`;
}

/** Words of `text` in comment lines of at most `width` columns after `prefix`. */
export function commentLines(prefix: string, text: string, width = 100): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current.length > 0 && prefix.length + current.length + 1 + word.length > width) {
      lines.push(`${prefix}${current}`);
      current = word;
    } else {
      current = current.length === 0 ? word : `${current} ${word}`;
    }
  }
  if (current.length > 0) lines.push(`${prefix}${current}`);
  return lines;
}
