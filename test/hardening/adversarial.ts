/**
 * Hostile inputs shared by the hardening tests, `pnpm fuzz` and `pnpm bench`: PEM text shaped to
 * make a backtracking scanner re-read it, certificates with very long object identifiers, and
 * pools of certificates that all share one name (and one key) to make path building search.
 *
 * Certificates are encoded here with a few lines of DER and signed by node:crypto, independently
 * of certkit's own writer (asn1/der-writer.ts), so that the code under test does not make its own
 * inputs.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// PEM text

/** One adversarial PEM shape: `make(n)` returns `n` bytes of it. */
export interface PemShape {
  readonly name: string;
  /** What it attacks. */
  readonly why: string;
  readonly make: (bytes: number) => Uint8Array;
  /**
   * Options that make the parser read the whole input (a block cap would stop it early, which
   * would hide a super-linear scan behind the cap).
   */
  readonly readAll?: { readonly maxBlocks: number };
}

function repeatTo(unit: string, bytes: number, prefix = '', suffix = ''): Uint8Array {
  const body = bytes - prefix.length - suffix.length;
  const text = prefix + unit.repeat(Math.ceil(Math.max(0, body) / unit.length)).slice(0, body);
  return Buffer.from(text + suffix, 'latin1');
}

const BLOCK = '-----BEGIN A-----\nAAAA\n-----END A-----';

export const PEM_SHAPES: readonly PemShape[] = [
  {
    name: 'end-run',
    why: 'one line of repeated "-----END ": a lazy END-line pattern re-reads the rest from each',
    make: (n) => repeatTo('-----END ', n),
  },
  {
    name: 'end-blanks',
    why: 'END lines followed by blanks and no BEGIN, on one line',
    make: (n) => repeatTo('-----END A----- \t ', n),
  },
  {
    name: 'glued-blocks',
    why: 'blocks whose END and next BEGIN share a line (`cat` without final newlines)',
    make: (n) => repeatTo(BLOCK, n),
    readAll: { maxBlocks: Number.MAX_SAFE_INTEGER },
  },
  {
    name: 'begin-run',
    why: 'one line of repeated "-----BEGIN "',
    make: (n) => repeatTo('-----BEGIN ', n),
  },
  {
    name: 'dash-line',
    why: 'one line of dashes after a BEGIN prefix: an armour pattern backtracks over it',
    make: (n) => repeatTo('-', n, '-----BEGIN A', 'x'),
  },
  {
    name: 'blank-lines',
    why: 'CR-only line ends and blanks: millions of empty lines',
    make: (n) => repeatTo(' \r\t\r', n, '', 'x'),
  },
  {
    name: 'spaced-body',
    why: 'one block whose base64 has white space between every character',
    // Whole "AAAA \t" units, then blanks: the base64 is always whole quanta, so that every size
    // is decoded to the end (a cut unit would stop at "base64 is truncated" before decoding).
    make: (n) => {
      const prefix = '-----BEGIN A-----\n';
      const suffix = '\n-----END A-----\n';
      const units = Math.floor((n - prefix.length - suffix.length) / 6);
      const body = 'AAAA \t'.repeat(units);
      return Buffer.from(
        `${prefix}${body.padEnd(n - prefix.length - suffix.length, ' ')}${suffix}`,
        'latin1',
      );
    },
  },
  {
    name: 'header-lines',
    why: 'one block of RFC 1421 header lines',
    make: (n) => repeatTo('Proc-Type: 4,X\n', n, '-----BEGIN A-----\n', 'AAAA\n-----END A-----\n'),
  },
];

// ---------------------------------------------------------------------------------------------
// DER, independently of asn1/der-writer.ts

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a one-byte identifier. */
export function tlv(tag: number, ...contents: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

export const seq = (...items: readonly Uint8Array[]): Buffer => tlv(0x30, ...items);

/** An OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const digits = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      digits.unshift(0x80 | (v & 0x7f));
    out.push(...digits);
  }
  return tlv(0x06, Buffer.from(out));
}

/** An OBJECT IDENTIFIER of `contentBytes` bytes: 1.2 then one-byte arcs (as many arcs as bytes). */
export function longOid(contentBytes: number): Buffer {
  const content = Buffer.alloc(contentBytes, 0x01);
  content[0] = 0x2a;
  return tlv(0x06, content);
}

/** A Name of one CN (UTF8String). */
export function cnName(cn: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function utcTime(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(digits, 'latin1'));
}

/** What {@link certificate} encodes. */
export interface CertificateSpec {
  readonly subject: Uint8Array;
  readonly issuer: Uint8Array;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly serial: number;
  /** The serial's INTEGER contents as given (any length), instead of `serial`. */
  readonly serialOctets?: Uint8Array;
  /** Extensions, each an encoded Extension SEQUENCE. */
  readonly extensions?: readonly Uint8Array[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** Extension SEQUENCE: extnID, critical when true, extnValue. */
export function extension(id: Uint8Array, critical: boolean, value: Uint8Array): Buffer {
  return seq(id, ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), tlv(0x04, value));
}

/** basicConstraints cA=TRUE, critical. */
export const CA_EXTENSION = extension(oid('2.5.29.19'), true, seq(Buffer.from([0x01, 0x01, 0xff])));

/** A v3 certificate signed with ECDSA P-256 / SHA-256; DER. */
export function certificate(spec: CertificateSpec): Buffer {
  // A positive INTEGER in minimal form (X.690 section 8.3.2: no needless leading zero octet).
  const serialBytes: number[] = [];
  for (let rest = spec.serial; rest > 0; rest = Math.floor(rest / 256))
    serialBytes.unshift(rest & 0xff);
  if (serialBytes.length === 0 || (serialBytes[0] ?? 0) >= 0x80) serialBytes.unshift(0);
  const extensions = spec.extensions ?? [];
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, spec.serialOctets ?? Buffer.from(serialBytes)),
    ECDSA_SHA256,
    spec.issuer,
    seq(
      utcTime(spec.notBefore ?? new Date('2025-01-01T00:00:00Z')),
      utcTime(spec.notAfter ?? new Date('2045-01-01T00:00:00Z')),
    ),
    spec.subject,
    spec.publicKey.export({ format: 'der', type: 'spki' }),
    ...(extensions.length > 0 ? [tlv(0xa3, seq(...extensions))] : []),
  );
  const signature = sign('sha256', tbs, spec.signingKey);
  return seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
}

/** PEM of DER certificates, 64-column base64, LF. */
export function pem(ders: readonly Uint8Array[]): string {
  return ders
    .map((d) => {
      const b64 = Buffer.from(d).toString('base64');
      const lines: string[] = [];
      for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

/** A fresh P-256 key pair. */
export function ecKeys(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

// ---------------------------------------------------------------------------------------------
// Same-name pools

/** The parts of a path-building attack: a root, a leaf under "CN=Pool", and the pool. */
export interface SameNamePool {
  /** The trust anchor (self-signed "CN=Pool Root"), DER. */
  readonly root: Buffer;
  /** A leaf issued by "CN=Pool" with the pool's key, DER. */
  readonly leaf: Buffer;
  /** `count` CA certificates, all subject "CN=Pool" with one key, issued by "CN=Pool" itself. */
  readonly pool: Buffer[];
  /** "CN=Pool" with the pool's key issued by the root: the one real path among the decoys. */
  readonly bridge: Buffer;
}

/**
 * `count` CA certificates that all have subject and issuer "CN=Pool" and the same key, differing
 * only in serial: every one is a candidate issuer of the leaf and of every other, none leads to
 * the root. A leaf issued by that key completes the shape.
 */
export function sameNamePool(count: number, options: { notAfter?: Date } = {}): SameNamePool {
  const rootKeys = ecKeys();
  const poolKeys = ecKeys();
  const leafKeys = ecKeys();
  const rootName = cnName('Pool Root');
  const poolName = cnName('Pool');
  const root = certificate({
    subject: rootName,
    issuer: rootName,
    publicKey: rootKeys.publicKey,
    signingKey: rootKeys.privateKey,
    serial: 1,
    extensions: [CA_EXTENSION],
  });
  const pool: Buffer[] = [];
  for (let i = 0; i < count; i++)
    pool.push(
      certificate({
        subject: poolName,
        issuer: poolName,
        publicKey: poolKeys.publicKey,
        signingKey: poolKeys.privateKey,
        serial: 1000 + i,
        extensions: [CA_EXTENSION],
        ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
      }),
    );
  const bridge = certificate({
    subject: poolName,
    issuer: rootName,
    publicKey: poolKeys.publicKey,
    signingKey: rootKeys.privateKey,
    serial: 3,
    extensions: [CA_EXTENSION],
  });
  const leaf = certificate({
    subject: cnName('redis-12000.pool.example'),
    issuer: poolName,
    publicKey: leafKeys.publicKey,
    signingKey: poolKeys.privateKey,
    serial: 2,
    extensions: [
      extension(
        oid('2.5.29.17'),
        false,
        seq(tlv(0x82, Buffer.from('redis-12000.pool.example', 'latin1'))),
      ),
    ],
  });
  return { root, leaf, pool, bridge };
}
