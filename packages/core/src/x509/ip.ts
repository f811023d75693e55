/**
 * IP address text, parsed strictly: shared by host-name matching (hostname.ts) and certificate
 * building (pkix.ts), without `node:net` (loading it costs ~2 ms of every `gen-client` run).
 */

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/**
 * Parses an IP address text into its 4 or 16 octets, or `null`. IPv4 only in dotted decimal
 * without leading zeros (RFC 3986 section 3.2.2, so `0xC0A80101` and `192.168.001.001` are
 * refused); IPv6 in any RFC 4291 section 2.2 form, including an embedded IPv4 tail.
 *
 * @example
 * ```ts
 * parseIpAddress('127.0.0.1'); // Uint8Array [127, 0, 0, 1]
 * parseIpAddress('::1')?.length; // 16
 * ```
 */
export function parseIpAddress(text: string): Uint8Array | null {
  if (text.includes('.') && !text.includes(':')) {
    const parts = text.split('.');
    if (parts.length !== 4 || !parts.every((p) => IPV4.test(p))) return null;
    return Uint8Array.from(parts.map(Number));
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpAddress(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const group = (part: string): number[] | null => {
    if (part.length === 0) return [];
    const groups = part.split(':');
    if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
    return groups.map((g) => parseInt(g, 16));
  };
  const left = group(halves[0] ?? '');
  const right = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (left === null || right === null) return null;
  const known = left.length + right.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (known > 7) return null;
    groups = [...left, ...new Array<number>(8 - known).fill(0), ...right, ...tail];
  } else {
    if (known !== 8) return null;
    groups = [...left, ...tail];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/**
 * 4 or 6 when `text` is an IPv4 or IPv6 address, else 0: what `node:net` `isIP` answers (an
 * IPv6 address may carry a zone index, `fe80::1%eth0`), without loading `node:net`, which only
 * io/ uses. The client-stack models call it where the stacks themselves ask that question.
 *
 * @example
 * ```ts
 * ipVersion('127.0.0.1'); // 4
 * ipVersion('fe80::1%eth0'); // 6
 * ipVersion('redis.example.com'); // 0
 * ```
 */
export function ipVersion(text: string): 0 | 4 | 6 {
  const percent = text.indexOf('%');
  const address = percent < 0 ? text : text.slice(0, percent);
  // Node's zone index: one or more of [0-9a-zA-Z-.:], IPv6 only.
  if (percent >= 0 && !/^[0-9a-zA-Z.:-]+$/.test(text.slice(percent + 1))) return 0;
  const octets = parseIpAddress(address);
  if (octets === null) return 0;
  if (octets.length === 4) return percent < 0 ? 4 : 0;
  return 6;
}

/** Formats 4 or 16 address bytes as an IPv4 or (compressed) IPv6 text; other lengths as hex. */
export function formatIp(octets: Uint8Array): string {
  if (octets.length === 4) return Array.from(octets).join('.');
  if (octets.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2)
      groups.push((((octets[i] ?? 0) << 8) | (octets[i + 1] ?? 0)).toString(16));
    // Compress the longest run of zero groups (RFC 5952 section 4.2).
    let best = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > bestLength) {
        best = i;
        bestLength = j - i;
      }
    }
    if (best >= 0) {
      return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
    }
    return groups.join(':');
  }
  return `0x${Buffer.from(octets).toString('hex')}`;
}
