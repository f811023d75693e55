/**
 * Does Java read a uniformResourceIdentifier subjectAltName entry? JDK 17's `URIName` parses the
 * text with `java.net.URI` (RFC 2396 with Java's deviations, `URI.Parser`), requires a scheme, and
 * requires a host, when there is one, to be a `DNSName` or an IP address. When it cannot,
 * `X509CertImpl` drops the whole subjectAltName extension (the host-name check then falls back
 * to the subject CN). A copy of that parser, for the Java client model; every refusal is a reason
 * in Java's words.
 */
import { parseIpAddress } from '../x509/ip.js';

class UriSyntax extends Error {}

/** A character class of `URI.Parser`: ASCII characters, and whether escapes are allowed. */
interface CharClass {
  readonly chars: string;
  /** `%XX` escapes and visible non-ASCII characters are allowed (the L_ESCAPED bit). */
  readonly escaped: boolean;
}

const DIGIT = '0123456789';
const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ALPHANUM = ALPHA + DIGIT;
const HEX = `${DIGIT}ABCDEFabcdef`;
const UNRESERVED = `${ALPHANUM}-_.!~*'()`;
const RESERVED = ';/?:@&=+$,[]';

const cls = (chars: string, escaped = false): CharClass => ({ chars, escaped });
const C_DIGIT = cls(DIGIT);
const C_ALPHA = cls(ALPHA);
const C_ALPHANUM = cls(ALPHANUM);
const C_ALPHANUM_DASH = cls(`${ALPHANUM}-`);
const C_DIGIT_DOT = cls(`${DIGIT}.`);
const C_SCHEME = cls(`${ALPHANUM}+-.`);
const C_URIC = cls(RESERVED + UNRESERVED, true);
const C_PATH = cls(`${UNRESERVED}:@&=+$,;/`, true);
const C_USERINFO = cls(`${UNRESERVED};:&=+$,`, true);
const C_REG_NAME = cls(`${UNRESERVED}$,;:@&=+`, true);
const C_SERVER = cls(`${C_USERINFO.chars}${ALPHANUM}-.:@[]`, true);
const C_SERVER_PERCENT = cls(`${C_SERVER.chars}%`, true);
const C_SCOPE_ID = cls(`${ALPHANUM}_.`);

/** `Character.isSpaceChar`: Unicode Zs, Zl, Zp. */
const SPACE = /^[\p{Zs}\p{Zl}\p{Zp}]$/u;

/** The part of `java.net.URI` that says whether a text parses, and its scheme and host. */
class Parser {
  scheme: string | null = null;
  host: string | null = null;

  constructor(private readonly input: string) {}

  private at(p: number, n: number, c: string): boolean {
    return p < n && this.input.charAt(p) === c;
  }

  private match(c: string, charClass: CharClass): boolean {
    return c !== '\u0000' && c.charCodeAt(0) < 128 && charClass.chars.includes(c);
  }

  /** `scan(start, end, err, stop)`: -1 at a character of `err`, else the first of `stop`. */
  private scanStop(start: number, end: number, err: string, stop: string): number {
    for (let p = start; p < end; p++) {
      const c = this.input.charAt(p);
      if (err.includes(c)) return -1;
      if (stop.includes(c)) return p;
    }
    return end;
  }

  private scanTo(start: number, end: number, stop: string): number {
    for (let p = start; p < end; p++) if (stop.includes(this.input.charAt(p))) return p;
    return end;
  }

  private scanEscape(p: number, n: number, c: string): number {
    if (c === '%') {
      if (
        p + 3 <= n &&
        HEX.includes(this.input.charAt(p + 1)) &&
        HEX.includes(this.input.charAt(p + 2))
      )
        return p + 3;
      throw new UriSyntax('Malformed escape pair');
    }
    const code = c.charCodeAt(0);
    // Visible non-ASCII characters are allowed unescaped (not space, not ISO control).
    if (code > 128 && !SPACE.test(c) && !(code >= 0x7f && code <= 0x9f)) return p + 1;
    return p;
  }

  private scan(start: number, n: number, charClass: CharClass): number {
    let p = start;
    while (p < n) {
      const c = this.input.charAt(p);
      if (this.match(c, charClass)) {
        p++;
        continue;
      }
      if (charClass.escaped) {
        const q = this.scanEscape(p, n, c);
        if (q > p) {
          p = q;
          continue;
        }
      }
      break;
    }
    return p;
  }

  private checkChars(start: number, end: number, charClass: CharClass, what: string): void {
    if (this.scan(start, end, charClass) < end) throw new UriSyntax(`Illegal character in ${what}`);
  }

  parse(): void {
    const n = this.input.length;
    let p = this.scanStop(0, n, '/?#', ':');
    if (p >= 0 && this.at(p, n, ':')) {
      if (p === 0) throw new UriSyntax('Expected scheme name');
      this.checkChars(0, 1, C_ALPHA, 'scheme name');
      this.checkChars(1, p, C_SCHEME, 'scheme name');
      this.scheme = this.input.slice(0, p);
      p++;
      if (this.at(p, n, '/')) p = this.parseHierarchical(p, n);
      else {
        const q = this.scanTo(p, n, '#');
        if (q <= p) throw new UriSyntax('Expected scheme-specific part');
        this.checkChars(p, q, C_URIC, 'opaque part');
        p = q;
      }
    } else p = this.parseHierarchical(0, n);
    if (this.at(p, n, '#')) {
      this.checkChars(p + 1, n, C_URIC, 'fragment');
      p = n;
    }
    if (p < n) throw new UriSyntax('Expected end of URI');
  }

  private parseHierarchical(start: number, n: number): number {
    let p = start;
    if (this.at(p, n, '/') && this.at(p + 1, n, '/')) {
      p += 2;
      const q = this.scanTo(p, n, '/?#');
      if (q > p) p = this.parseAuthority(p, q);
      else if (q >= n) throw new UriSyntax('Expected authority');
    }
    let q = this.scanTo(p, n, '?#');
    this.checkChars(p, q, C_PATH, 'path');
    p = q;
    if (this.at(p, n, '?')) {
      p++;
      q = this.scanTo(p, n, '#');
      this.checkChars(p, q, C_URIC, 'query');
      p = q;
    }
    return p;
  }

  private parseAuthority(start: number, n: number): number {
    // As in the JDK, `scan(p, n, "]") > p` holds for any authority that does not start with ']'.
    const serverChars =
      this.scanTo(start, n, ']') > start
        ? this.scan(start, n, C_SERVER_PERCENT) === n
        : this.scan(start, n, C_SERVER) === n;
    const regChars = this.scan(start, n, C_REG_NAME) === n;
    if (regChars && !serverChars) return n; // a registry-based authority: no host
    let q = start;
    let failure: UriSyntax | undefined;
    if (serverChars) {
      try {
        q = this.parseServer(start, n);
        if (q < n) throw new UriSyntax('Expected end of authority');
      } catch (error) {
        if (!(error instanceof UriSyntax)) throw error;
        this.host = null;
        failure = error;
        q = start;
      }
    }
    if (q < n) {
      if (regChars) return n; // not a server: read as a registry-based authority, no host
      throw failure ?? new UriSyntax('Illegal character in authority');
    }
    return n;
  }

  private parseServer(start: number, n: number): number {
    let p = start;
    let q = this.scanStop(p, n, '/?#', '@');
    if (q >= p && this.at(q, n, '@')) {
      this.checkChars(p, q, C_USERINFO, 'user info');
      p = q + 1;
    }
    if (this.at(p, n, '[')) {
      p++;
      q = this.scanStop(p, n, '/?#', ']');
      if (!(q > p && this.at(q, n, ']')))
        throw new UriSyntax('Expected closing bracket for IPv6 address');
      const r = this.scanTo(p, q, '%');
      if (r > p && r < q) {
        this.parseIpv6(p, r);
        if (r + 1 === q) throw new UriSyntax('scope id expected');
        this.checkChars(r + 1, q, C_SCOPE_ID, 'scope id');
      } else this.parseIpv6(p, q);
      this.host = this.input.slice(p - 1, q + 1);
      p = q + 1;
    } else {
      q = this.parseIpv4Address(p, n);
      if (q <= p) q = this.parseHostname(p, n);
      p = q;
    }
    if (this.at(p, n, ':')) {
      p++;
      q = this.scan(p, n, C_DIGIT);
      if (q > p) {
        if (Number(this.input.slice(p, q)) > 0x7fffffff)
          throw new UriSyntax('Malformed port number');
        p = q;
      }
    }
    if (p < n) throw new UriSyntax('Expected port number');
    return p;
  }

  private parseIpv6(start: number, end: number): void {
    const text = this.input.slice(start, end);
    if (!text.includes(':') || parseIpAddress(text) === null)
      throw new UriSyntax('Malformed IPv6 address');
  }

  /** Four bytes of 1 to 3 digits each up to 255, followed by nothing or ':'; else -1. */
  private parseIpv4Address(start: number, n: number): number {
    const m = this.scan(start, n, C_DIGIT_DOT);
    if (m <= start) return -1;
    const parts = this.input.slice(start, m).split('.');
    if (parts.length !== 4 || !parts.every((b) => /^[0-9]{1,9}$/.test(b) && Number(b) <= 255))
      return -1;
    if (m < n && this.input.charAt(m) !== ':') return -1;
    this.host = this.input.slice(start, m);
    return m;
  }

  /** RFC 2396 hostname: alphanumeric labels with inner hyphens, the last starting with a letter. */
  private parseHostname(start: number, n: number): number {
    let p = start;
    let last = -1;
    do {
      let q = this.scan(p, n, C_ALPHANUM);
      if (q <= p) break;
      last = p;
      p = q;
      q = this.scan(p, n, C_ALPHANUM_DASH);
      if (q > p) {
        if (this.input.charAt(q - 1) === '-') throw new UriSyntax('Illegal character in hostname');
        p = q;
      }
      if (!this.at(p, n, '.')) break;
      p++;
    } while (p < n);
    if (p < n && !this.at(p, n, ':')) throw new UriSyntax('Illegal character in hostname');
    if (last < 0) throw new UriSyntax('Expected hostname');
    if (last > start && !ALPHA.includes(this.input.charAt(last)))
      throw new UriSyntax('Illegal character in hostname');
    this.host = this.input.slice(start, p);
    return p;
  }
}

/** `new DNSName(name)`: LDH labels starting with a letter or digit, no empty label, no end dot. */
function dnsNameProblem(name: string): string | null {
  if (name.length === 0) return 'DNSName must not be null or empty';
  if (name.includes(' ')) return 'DNSName with blank components is not permitted';
  if (name.startsWith('.') || name.endsWith('.')) return 'DNSName may not begin or end with a .';
  for (const label of name.split('.')) {
    if (label.length === 0) return 'DNSName with empty components are not permitted';
    if (!ALPHANUM.includes(label.charAt(0)))
      return 'DNSName components must begin with a letter or digit';
    if (!/^[A-Za-z0-9-]*$/.test(label.slice(1)))
      return 'DNSName components must consist of letters, digits, and hyphens';
  }
  return null;
}

/**
 * Why JDK 17 cannot read a URI subjectAltName entry (`URIName`), or `null` when it can. `text` is
 * the entry as Java decodes the IA5String: bytes over 0x7F already read as U+FFFD.
 *
 * @example
 * ```ts
 * javaUriNameProblem('https://redis.example.com/'); // null
 * javaUriNameProblem('redis.example.com/db'); // 'URI name must include scheme'
 * javaUriNameProblem('https://redis.example.com./'); // 'invalid URI name (host portion is not …)'
 * ```
 */
export function javaUriNameProblem(text: string): string | null {
  const parser = new Parser(text);
  try {
    parser.parse();
  } catch (error) {
    if (error instanceof UriSyntax) return `invalid URI name: ${error.message}`;
    throw error;
  }
  if (parser.scheme === null) return 'URI name must include scheme';
  const host = parser.host;
  if (host === null || host.startsWith('[')) return null; // an IPv6 host parsed above
  if (dnsNameProblem(host) === null) return null;
  // Not a DNSName: Java tries it as an IPv4 address, through a name lookup for anything else.
  if (parseIpAddress(host) !== null) return null;
  return 'invalid URI name (host portion is not a valid DNSName, IPv4 address, or IPv6 address)';
}
