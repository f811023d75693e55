/**
 * DNS name syntax (RFC 1034 preferred name syntax, RFC 1123 relaxation), as RFC 5280 section
 * 4.2.1.6 requires of a dNSName: shared by identity matching, name constraints and the stunnel
 * configuration values.
 */
import { parseIpAddress } from './ip.js';

/** Lower-cases ASCII only (RFC 4343: DNS compares case-insensitively in ASCII only). */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Drops one trailing dot: `example.com.` is the absolute form of `example.com`. */
export function dropTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * True when `name` is a host name in the "preferred name syntax" of RFC 1034 section 3.5 as
 * relaxed by RFC 1123 section 2.1 (letters, digits, inner hyphens; labels of 1-63 octets; at most
 * 253 octets), which RFC 5280 section 4.2.1.6 requires of dNSName. Underscores, empty labels,
 * non-ASCII (un-encoded IDNs, RFC 5280 section 7.2) and IP-address literals are refused.
 * One trailing dot is allowed.
 *
 * @example
 * ```ts
 * isDnsName('redis-12000.cluster.example.com'); // true
 * isDnsName('foo_bar.example.com'); // false
 * ```
 */
export function isDnsName(name: string): boolean {
  const host = asciiLower(dropTrailingDot(name));
  if (host.length === 0 || host.length > 253) return false;
  if (parseIpAddress(host) !== null) return false;
  const labels = host.split('.');
  if (!labels.every((label) => LDH_LABEL.test(label))) return false;
  // An all-numeric top label would make `1.2.3.4`-like names ambiguous (RFC 3696 section 2).
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}
