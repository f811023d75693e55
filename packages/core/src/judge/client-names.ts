/**
 * The data the client-stack models (clients.ts, clients-go.ts, clients-java.ts) judge: a
 * certificate's names as the stacks read them, and one stack's verdict.
 */
import type { GeneralNameFrame } from '../x509/general-names.js';
import { ipVersion } from '../x509/ip.js';

/** A client stack we model. */
export type ClientStack = 'node' | 'openssl' | 'python' | 'go' | 'java';

/**
 * The subjectAltName extension as a parser meets it, beyond the names themselves: what Go refuses
 * a certificate over and what Java drops the extension over.
 */
export interface SubjectAltNameSyntax {
  /** The extension is marked critical. */
  readonly critical: boolean;
  /** The extension is not a GeneralNames sequence of at least one name that can be read. */
  readonly unreadable: boolean;
  /** rfc822Name entries: the IA5String bytes read as Latin-1 (one character a byte). */
  readonly email: readonly string[];
  /** uniformResourceIdentifier entries, read the same way. */
  readonly uri: readonly string[];
  /** The octet count of each iPAddress entry (4 and 16 are addresses). */
  readonly ipOctets: readonly number[];
  /**
   * Each entry's identifier and contents, unchecked, or `null` when the list does not even frame
   * (general-names.ts); for stacks that read some forms and skip the rest (Go). Absent in hand-
   * made names: the models then read `unreadable` and the lists above.
   */
  readonly frames?: readonly GeneralNameFrame[] | null;
  /** A text entry is in constructed (BER) form: Java refuses the extension over it. */
  readonly berForms?: boolean;
}

/** The names a certificate presents, as the stacks read them. */
export interface PresentedNames {
  /** subjectAltName dNSName entries, as encoded (IA5String bytes read as Latin-1). */
  readonly dns: readonly string[];
  /** subjectAltName iPAddress entries, as text. */
  readonly ip: readonly string[];
  /** Subject CN values, in encoding order. */
  readonly commonNames: readonly string[];
  /**
   * The CN values grouped by the RDN that holds them, in encoding order (a multi-valued RDN holds
   * several). Default: each CN in an RDN of its own.
   */
  readonly commonNameRdns?: readonly (readonly string[])[];
  /** The subjectAltName extension's syntax, when it has one; default: well-formed. */
  readonly subjectAltName?: SubjectAltNameSyntax;
}

/** One stack's verdict for one name. */
export interface ClientVerdict {
  readonly stack: ClientStack;
  readonly accepts: boolean;
  /** The certificate name that matched, when one did. */
  readonly matched?: string;
  /** Why, in a few words: `SAN *.example.com`, `partial wildcard not allowed`, … */
  readonly reason: string;
}

/** Node's canonicalizeIP: IPv6 compressed lower-case, IPv4 dotted. */
export function canonicalIp(text: string): string {
  if (ipVersion(text) === 6) {
    try {
      return new URL(`http://[${text}]/`).hostname.slice(1, -1);
    } catch {
      return text.toLowerCase(); // not parseable: compared as written, as Node does
    }
  }
  return text;
}

/** True for an ASCII letter or digit. */
export function isAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

/** True when every character of `text` is ASCII (what an IA5String may hold). */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A name as messages show it: non-ASCII and control characters as `\u{…}` escapes. */
export function shownName(text: string): string {
  return text.replace(/[^\u0020-\u007e]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
