/**
 * RC2 decryption (RFC 2268), CBC mode, for one purpose: reading the certificates of PKCS#12 files
 * written by OpenSSL 1.x and by `openssl pkcs12 -legacy` (and many Windows exports), which
 * encrypt them with pbeWithSHA1And40BitRC2-CBC. OpenSSL 3 (and so Node 20) keeps RC2 in its
 * legacy provider, which Node does not load. Decryption only: certkit never writes RC2.
 */

// RFC 2268 section 2: PITABLE, a permutation of 0..255 derived from the digits of pi.
const PITABLE = Uint8Array.from(
  Buffer.from(
    'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2' +
      '179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82' +
      '54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
      '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7' +
      '08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec' +
      'c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
      '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9' +
      '0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad',
    'hex',
  ),
);

/** RFC 2268 section 2: the 64 16-bit round keys of `key` with `effectiveBits` of strength. */
function expandKey(key: Uint8Array, effectiveBits: number): Uint16Array {
  const t = key.length;
  const t8 = Math.ceil(effectiveBits / 8);
  const tm = 0xff >> (8 * t8 - effectiveBits);
  const l = new Uint8Array(128);
  l.set(key);
  for (let i = t; i < 128; i++) l[i] = PITABLE[((l[i - 1] ?? 0) + (l[i - t] ?? 0)) & 0xff] ?? 0;
  l[128 - t8] = PITABLE[(l[128 - t8] ?? 0) & tm] ?? 0;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[(l[i + 1] ?? 0) ^ (l[i + t8] ?? 0)] ?? 0;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = (l[2 * i] ?? 0) | ((l[2 * i + 1] ?? 0) << 8);
  return k;
}

const SHIFTS = [1, 2, 3, 5];

/** RFC 2268 section 4: decrypts one 8-byte block in place (words little-endian). */
function decryptBlock(k: Uint16Array, block: Uint8Array, at: number): void {
  const r = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) r[i] = (block[at + 2 * i] ?? 0) | ((block[at + 2 * i + 1] ?? 0) << 8);
  let j = 63;
  const word = (i: number): number => r[(i + 4) % 4] ?? 0;
  const mix = (): void => {
    for (let i = 3; i >= 0; i--) {
      const s = SHIFTS[i] ?? 0;
      const x = word(i);
      let v = ((x >>> s) | (x << (16 - s))) & 0xffff;
      v -= (k[j] ?? 0) + (word(i - 1) & word(i - 2)) + (~word(i - 1) & 0xffff & word(i - 3));
      r[i] = v & 0xffff;
      j--;
    }
  };
  const mash = (): void => {
    for (let i = 3; i >= 0; i--) r[i] = (word(i) - (k[word(i - 1) & 63] ?? 0)) & 0xffff;
  };
  for (let n = 0; n < 5; n++) mix();
  mash();
  for (let n = 0; n < 6; n++) mix();
  mash();
  for (let n = 0; n < 5; n++) mix();
  for (let i = 0; i < 4; i++) {
    block[at + 2 * i] = (r[i] ?? 0) & 0xff;
    block[at + 2 * i + 1] = (r[i] ?? 0) >> 8;
  }
}

/**
 * Decrypts one 8-byte block with RC2 (RFC 2268 section 4), for the specification's test vectors.
 *
 * @example
 * ```ts
 * rc2DecryptBlock(Buffer.alloc(8), 63, Buffer.from('ebb773f993278eff', 'hex')); // 8 zero bytes
 * ```
 */
export function rc2DecryptBlock(
  key: Uint8Array,
  effectiveBits: number,
  block: Uint8Array,
): Uint8Array {
  const out = Uint8Array.from(block);
  decryptBlock(expandKey(key, effectiveBits), out, 0);
  return out;
}

/**
 * RC2-CBC decryption with PKCS#7 padding removed; null when the ciphertext is not whole blocks
 * or the padding is wrong (a wrong password, usually).
 */
export function rc2CbcDecrypt(
  key: Uint8Array,
  effectiveBits: number,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | null {
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0 || iv.length !== 8) return null;
  const k = expandKey(key, effectiveBits);
  const out = Uint8Array.from(ciphertext);
  for (let at = 0; at < out.length; at += 8) {
    decryptBlock(k, out, at);
    for (let i = 0; i < 8; i++) {
      out[at + i] = (out[at + i] ?? 0) ^ (at === 0 ? (iv[i] ?? 0) : (ciphertext[at - 8 + i] ?? 0));
    }
  }
  const pad = out[out.length - 1] ?? 0;
  if (pad < 1 || pad > 8) return null;
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) return null;
  return out.subarray(0, out.length - pad);
}
