/**
 * `inspect`: what every block of every input is. Unlike `openssl x509 -text`, which shows the
 * first certificate of a file only, every certificate, request and key is described, PKCS#12
 * files included; keys by type, size, format, encryption and the SHA-256 of their public key
 * (SPKI), never by their material; and which key goes with which certificate. Inputs are bytes
 * (or certificates an endpoint presented); reading them is workflows/inspect.ts.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CertkitError, isCertkitError } from '../errors.js';
import { PRIVATE_KEY_LABELS, describeLabel, parsePemBlocks } from '../x509/pem.js';
import type { PemBlock } from '../x509/pem.js';
import { looksLikePkcs12, readPkcs12 } from '../x509/pkcs12-read.js';
import { fingerprintSha256, internals, parseCertificate } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import { describePublicKey } from '../x509/public-key.js';
import { readCertificationRequest } from '../x509/structures.js';
import { resolveNow } from '../clock.js';
import { daysUntil } from './validity.js';
import type { CertificateInfo } from '../x509/pkix.js';
import type { KeyInfo } from '../x509/public-key.js';
import type { CertificationRequestInfo } from '../x509/structures.js';

/** A private key as described by {@link inspectInputs}: no material, ever. */
export interface InspectedKey extends KeyInfo {
  /** `pkcs8`, `pkcs1` (RSA PRIVATE KEY), `sec1` (EC PRIVATE KEY), `encrypted-pkcs8`, `der`, … */
  readonly format: string;
  /** True for ENCRYPTED PRIVATE KEY and legacy `Proc-Type: 4,ENCRYPTED` blocks. */
  readonly encrypted: boolean;
}

/** One block of an inspected input (a PEM block, a DER file, an entry of a PKCS#12 file). */
export type InspectedItem =
  | {
      readonly kind: 'certificate';
      readonly index: number;
      readonly certificate: CertificateInfo;
      /** Whole days until notAfter at `now` (negative once expired). */
      readonly daysLeft: number;
      readonly expired: boolean;
      readonly notYetValid: boolean;
      /** SHA-256 of the SubjectPublicKeyInfo, upper-case hex with colons (pins, key matching). */
      readonly spkiSha256: string;
      /** Alias in a PKCS#12 file (friendlyName). */
      readonly alias?: string;
      /** A trusted certificate entry of a PKCS#12 trust store. */
      readonly trusted?: boolean;
    }
  | {
      readonly kind: 'certificate-request';
      readonly index: number;
      readonly request: CertificationRequestInfo;
      readonly spkiSha256?: string;
    }
  | {
      readonly kind: 'private-key';
      readonly index: number;
      readonly key: InspectedKey;
      /** SHA-256 of the key's public half (SPKI); absent for an encrypted key not decrypted. */
      readonly spkiSha256?: string;
      readonly alias?: string;
    }
  | {
      readonly kind: 'public-key';
      readonly index: number;
      readonly key: KeyInfo;
      readonly spkiSha256: string;
    }
  | {
      readonly kind: 'other';
      readonly index: number;
      readonly label: string;
      readonly description: string;
    };

/** Every block of one input, or why it could not be read. */
export interface InspectedFile {
  /** The file path, or `HOST:PORT` for an endpoint. */
  readonly path: string;
  readonly sourceKind: 'file' | 'endpoint';
  /** `pem`, `der` or `pkcs12` for a file; `tls` for what an endpoint presented. */
  readonly format: 'pem' | 'der' | 'pkcs12' | 'tls';
  readonly items: readonly InspectedItem[];
  /** Why the input could not be read (then `items` is empty); absent when it was. */
  readonly error?: { readonly code: string; readonly message: string };
  /** How a PKCS#12 file is protected (its MAC and encryption). */
  readonly protection?: readonly string[];
}

/** A private key and the certificates (among all inputs) that hold its public key. */
export interface KeyMatch {
  readonly key: { readonly path: string; readonly index: number };
  /** Empty when no certificate given holds it. */
  readonly certificates: readonly { readonly path: string; readonly index: number }[];
}

/** What {@link inspectInputs} found, input by input, in the order given. */
export interface InspectReport {
  /** Every input was read. */
  readonly ok: boolean;
  readonly files: readonly InspectedFile[];
  /** Certificates across all inputs. */
  readonly certificateCount: number;
  /** For each private key whose public key is known, the certificates it goes with (when certificates were given). */
  readonly matches: readonly KeyMatch[];
}

const PRIVATE_KEY_FORMATS: Readonly<
  Record<string, { format: string; type: 'pkcs8' | 'pkcs1' | 'sec1' }>
> = {
  'PRIVATE KEY': { format: 'pkcs8', type: 'pkcs8' },
  'RSA PRIVATE KEY': { format: 'pkcs1', type: 'pkcs1' },
  'EC PRIVATE KEY': { format: 'sec1', type: 'sec1' },
};

/** SHA-256 of a public key's SubjectPublicKeyInfo, as fingerprints are written. */
function spkiSha256(key: KeyObject): string {
  return fingerprintSha256(key.export({ format: 'der', type: 'spki' }));
}

/** A described private key and, when its public half is known, its SPKI SHA-256. */
interface DescribedKey {
  readonly key: InspectedKey;
  readonly spkiSha256?: string;
}

function described(key: KeyObject, format: string, encrypted: boolean): DescribedKey {
  const publicKey = createPublicKey(key);
  return {
    key: { ...describePublicKey(publicKey), format, encrypted },
    spkiSha256: spkiSha256(publicKey),
  };
}

/** An encrypted key decrypted with `passphrase`, or null when it does not open. */
function decrypted(block: PemBlock, passphrase: string): KeyObject | null {
  try {
    if (block.label === 'ENCRYPTED PRIVATE KEY') {
      return createPrivateKey({
        key: Buffer.from(block.der),
        format: 'der',
        type: 'pkcs8',
        passphrase,
      });
    }
    // A legacy encrypted PEM (Proc-Type/DEK-Info headers): rebuilt as OpenSSL reads it.
    const headers = Object.entries(block.headers).map(([name, value]) => `${name}: ${value}\n`);
    const body = Buffer.from(block.der)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n');
    const pem = `-----BEGIN ${block.label ?? ''}-----\n${headers.join('')}\n${body}\n-----END ${block.label ?? ''}-----\n`;
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch {
    return null; // a wrong passphrase: the key is still described, unopened
  }
}

function describePrivateKey(
  block: PemBlock,
  source: string,
  passphrase: string | undefined,
): DescribedKey {
  const label = block.label ?? 'PRIVATE KEY';
  const legacyEncrypted = 'DEK-Info' in block.headers;
  if (label === 'ENCRYPTED PRIVATE KEY' || legacyEncrypted) {
    const format = legacyEncrypted
      ? `${PRIVATE_KEY_FORMATS[label]?.format ?? 'pem'}-legacy-encrypted`
      : 'encrypted-pkcs8';
    const opened = passphrase === undefined ? null : decrypted(block, passphrase);
    if (opened !== null) return described(opened, format, true);
    // The algorithm is inside the ciphertext for PKCS#8; a legacy PEM names it in its label.
    const type =
      label === 'RSA PRIVATE KEY' ? 'rsa' : label === 'EC PRIVATE KEY' ? 'ec' : 'unknown';
    return { key: { type, bits: 0, format, encrypted: true } };
  }
  if (block.label === null) {
    // A DER key says nothing about its syntax: try PKCS#8, then PKCS#1 and SEC1 (what
    // `openssl pkey -outform DER` and `openssl ec -outform DER` write).
    const failures: unknown[] = [];
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        const key = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type });
        return described(key, `der-${type}`, false);
      } catch (error) {
        failures.push(error); // recorded; the next syntax is tried
      }
    }
    throw new CertkitError('KEY_INVALID', `cannot read ${source}: not a DER private key`, {
      cause: failures,
    });
  }
  const known = PRIVATE_KEY_FORMATS[label];
  if (known === undefined) {
    return {
      key: {
        type: label === 'DSA PRIVATE KEY' ? 'dsa' : 'unknown',
        bits: 0,
        format: label.toLowerCase(),
        encrypted: false,
      },
    };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type: known.type });
  } catch (error) {
    throw new CertkitError(
      'KEY_INVALID',
      `cannot read private key ${String(block.index)} in ${source}: the key data is invalid`,
      { cause: error },
    );
  }
  return described(key, known.format, false);
}

function inspectBlock(
  block: PemBlock,
  source: string,
  now: Date,
  passphrase: string | undefined,
): InspectedItem {
  const index = block.index;
  const label = block.label;
  // TRUSTED CERTIFICATE (OpenSSL's format with trust settings appended) falls through to 'other'.
  if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE') {
    return certificateItem(parseCertificate(block.der, { name: source, index }), index, now);
  }
  if (label === 'CERTIFICATE REQUEST' || label === 'NEW CERTIFICATE REQUEST') {
    return requestItem(block.der, source, index);
  }
  if (label !== null && PRIVATE_KEY_LABELS.includes(label)) {
    return { kind: 'private-key', index, ...describePrivateKey(block, source, passphrase) };
  }
  if (label === 'PUBLIC KEY') {
    try {
      const key = createPublicKey({ key: Buffer.from(block.der), format: 'der', type: 'spki' });
      return {
        kind: 'public-key',
        index,
        key: describePublicKey(key),
        spkiSha256: spkiSha256(key),
      };
    } catch (error) {
      throw new CertkitError(
        'KEY_INVALID',
        `cannot read public key ${String(index)} in ${source}`,
        {
          cause: error,
        },
      );
    }
  }
  if (label === null) return inspectDer(block, source, now, passphrase);
  return { kind: 'other', index, label, description: describeLabel(label) };
}

function certificateItem(
  certificate: Certificate,
  index: number,
  now: Date,
  extra: { alias?: string; trusted?: boolean } = {},
): InspectedItem {
  const info = certificate.info;
  const notAfter = new Date(info.notAfter);
  return {
    kind: 'certificate',
    index,
    certificate: info,
    daysLeft: daysUntil(notAfter, now),
    expired: notAfter.getTime() < now.getTime(),
    notYetValid: Date.parse(info.notBefore) > now.getTime(),
    spkiSha256: fingerprintSha256(internals(certificate).spkiDer),
    ...extra,
  };
}

function requestItem(der: Uint8Array, source: string, index: number): InspectedItem {
  const { info, publicKey } = readCertificationRequest(der, source);
  return {
    kind: 'certificate-request',
    index,
    request: info,
    ...(publicKey === null ? {} : { spkiSha256: spkiSha256(publicKey) }),
  };
}

/** A raw DER file: a certificate, a request, or a PKCS#8 key, tried in that order. */
function inspectDer(
  block: PemBlock,
  source: string,
  now: Date,
  passphrase: string | undefined,
): InspectedItem {
  const attempts: (() => InspectedItem)[] = [
    () => certificateItem(parseCertificate(block.der, { name: source, index: 1 }), 1, now),
    () => {
      const item = requestItem(block.der, source, 1);
      if (item.kind === 'certificate-request' && item.request.key.type === 'unknown') {
        throw new Error('not a request');
      }
      return item;
    },
    () => ({ kind: 'private-key', index: 1, ...describePrivateKey(block, source, passphrase) }),
  ];
  const failures: unknown[] = [];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (error) {
      failures.push(error); // recorded: the next reading is tried, all failing is reported
    }
  }
  throw new CertkitError(
    'DER_INVALID',
    `cannot read ${source}: DER data that is neither a certificate, a certificate request, a private key nor a PKCS#12 file`,
    { cause: failures },
  );
}

/** The entries of a PKCS#12 file: its certificates, then its keys, each with its alias. */
function inspectPkcs12(
  bytes: Uint8Array,
  source: string,
  now: Date,
  passphrase: string | undefined,
): InspectedFile {
  const contents = readPkcs12(bytes, source, passphrase);
  const items: InspectedItem[] = [];
  for (const entry of contents.certificates) {
    const index = items.length + 1;
    items.push(
      certificateItem(parseCertificate(entry.der, { name: source, index }), index, now, {
        ...(entry.friendlyName === undefined ? {} : { alias: entry.friendlyName }),
        ...(entry.trusted ? { trusted: true } : {}),
      }),
    );
  }
  for (const entry of contents.keys) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: Buffer.from(entry.pkcs8), format: 'der', type: 'pkcs8' });
    } catch (error) {
      throw new CertkitError(
        'KEY_INVALID',
        `cannot read private key ${String(items.length + 1)} in ${source}: the key data is invalid`,
        { cause: error },
      );
    }
    items.push({
      kind: 'private-key',
      index: items.length + 1,
      ...described(key, 'pkcs12', true),
      ...(entry.friendlyName === undefined ? {} : { alias: entry.friendlyName }),
    });
  }
  return {
    path: source,
    sourceKind: 'file',
    format: 'pkcs12',
    items,
    protection: [
      ...(contents.mac === null
        ? ['no integrity MAC']
        : [`MAC HMAC-${contents.mac.toUpperCase()}`]),
      ...contents.protection,
    ],
  };
}

/** Options of {@link inspectInputs}. */
export interface InspectOptions {
  /** The time certificates are judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /** Password of PKCS#12 files and passphrase of encrypted keys. */
  readonly passphrase?: string;
}

/**
 * Describes every block of one input: PEM blocks, a DER certificate, request or key, or the
 * entries of a PKCS#12 file (with `passphrase`).
 *
 * @throws {@link CertkitError} for unreadable framing, a block that is not what its label says,
 * or a PKCS#12 file without (or with a wrong) password
 *
 * @example
 * ```ts
 * const file = inspectBytes(readFileSync('proxy_cert.pem'), 'proxy_cert.pem', { now: new Date() });
 * for (const item of file.items) if (item.kind === 'certificate') console.log(item.certificate.subject, item.daysLeft);
 * ```
 */
export function inspectBytes(
  bytes: Uint8Array,
  source: string,
  options: InspectOptions = {},
): InspectedFile {
  const now = resolveNow(options.now);
  if (looksLikePkcs12(bytes)) return inspectPkcs12(bytes, source, now, options.passphrase);
  const blocks = parsePemBlocks(bytes, source);
  return {
    path: source,
    sourceKind: 'file',
    format: blocks.length === 1 && blocks[0]?.label === null ? 'der' : 'pem',
    items: blocks.map((block) => inspectBlock(block, source, now, options.passphrase)),
  };
}

/** One input of {@link inspectInputs}: bytes, certificates an endpoint presented, or a read error. */
export type InspectInput =
  | { readonly source: string; readonly bytes: Uint8Array }
  | { readonly source: string; readonly presented: readonly Certificate[] }
  | {
      readonly source: string;
      readonly error: { readonly code: string; readonly message: string };
    };

/**
 * Describes every input and says which private key goes with which certificate. An input that
 * cannot be read (or decoded) is reported with its error, and the others are still described.
 *
 * @example
 * ```ts
 * const report = inspectInputs([{ source: 'cert.pem', bytes }, { source: 'keyclient.pem', bytes: keyBytes }]);
 * for (const match of report.matches) console.log(match.key, match.certificates);
 * ```
 */
export function inspectInputs(
  inputs: readonly InspectInput[],
  options: InspectOptions = {},
): InspectReport {
  const now = resolveNow(options.now);
  const files: InspectedFile[] = inputs.map((input) => {
    if ('error' in input) {
      return {
        path: input.source,
        sourceKind: 'file',
        format: 'pem',
        items: [],
        error: input.error,
      };
    }
    if ('presented' in input) {
      return {
        path: input.source,
        sourceKind: 'endpoint',
        format: 'tls',
        items: input.presented.map((c, i) => certificateItem(c, i + 1, now)),
      };
    }
    try {
      return inspectBytes(input.bytes, input.source, { ...options, now });
    } catch (error) {
      if (!isCertkitError(error)) throw error;
      return {
        path: input.source,
        sourceKind: 'file',
        format: 'pem',
        items: [],
        error: { code: error.code, message: error.message },
      };
    }
  });
  let certificateCount = 0;
  const bySpki = new Map<string, { path: string; index: number }[]>();
  for (const file of files) {
    for (const item of file.items) {
      if (item.kind !== 'certificate') continue;
      certificateCount++;
      const list = bySpki.get(item.spkiSha256) ?? [];
      list.push({ path: file.path, index: item.index });
      bySpki.set(item.spkiSha256, list);
    }
  }
  const matches: KeyMatch[] = [];
  if (certificateCount > 0) {
    for (const file of files) {
      for (const item of file.items) {
        if (item.kind !== 'private-key' || item.spkiSha256 === undefined) continue;
        matches.push({
          key: { path: file.path, index: item.index },
          certificates: bySpki.get(item.spkiSha256) ?? [],
        });
      }
    }
  }
  return {
    ok: files.every((f) => f.error === undefined),
    files,
    certificateCount,
    matches,
  };
}
