/**
 * `inspect`: what every block of every file is. Unlike `openssl x509 -text`, which shows the
 * first certificate of a file only, every certificate, request and key is described; keys by
 * type, size, format and encryption, never by their material.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CertkitError } from '../errors.js';
import { PRIVATE_KEY_LABELS, describeLabel, parsePemBlocks } from '../x509/pem.js';
import type { PemBlock } from '../x509/pem.js';
import { parseCertificate } from '../x509/pkix.js';
import { describePublicKey } from '../x509/public-key.js';
import { parseCertificationRequest } from '../x509/structures.js';
import { resolveNow } from '../clock.js';
import { daysUntil } from './validity.js';
import type { CertificateInfo } from '../x509/pkix.js';
import type { KeyInfo } from '../x509/public-key.js';
import type { CertificationRequestInfo } from '../x509/structures.js';

/** A private key as described by {@link inspectBytes}: no material, ever. */
export interface InspectedKey extends KeyInfo {
  /** `pkcs8`, `pkcs1` (RSA PRIVATE KEY), `sec1` (EC PRIVATE KEY), `encrypted-pkcs8`, `der`, … */
  readonly format: string;
  /** True for ENCRYPTED PRIVATE KEY and legacy `Proc-Type: 4,ENCRYPTED` blocks. */
  readonly encrypted: boolean;
}

/** One block of an inspected file. */
export type InspectedItem =
  | {
      readonly kind: 'certificate';
      readonly index: number;
      readonly certificate: CertificateInfo;
      /** Whole days until notAfter at `now` (negative once expired). */
      readonly daysLeft: number;
      readonly expired: boolean;
      readonly notYetValid: boolean;
    }
  | {
      readonly kind: 'certificate-request';
      readonly index: number;
      readonly request: CertificationRequestInfo;
    }
  | { readonly kind: 'private-key'; readonly index: number; readonly key: InspectedKey }
  | { readonly kind: 'public-key'; readonly index: number; readonly key: KeyInfo }
  | {
      readonly kind: 'other';
      readonly index: number;
      readonly label: string;
      readonly description: string;
    };

/** Every block of one file. */
export interface InspectedFile {
  readonly path: string;
  readonly items: readonly InspectedItem[];
}

/** What {@link inspectInputs} found, input by input, in the order given. */
export interface InspectReport {
  readonly files: readonly InspectedFile[];
  /** Certificates across all files. */
  readonly certificateCount: number;
}

const PRIVATE_KEY_FORMATS: Readonly<
  Record<string, { format: string; type: 'pkcs8' | 'pkcs1' | 'sec1' }>
> = {
  'PRIVATE KEY': { format: 'pkcs8', type: 'pkcs8' },
  'RSA PRIVATE KEY': { format: 'pkcs1', type: 'pkcs1' },
  'EC PRIVATE KEY': { format: 'sec1', type: 'sec1' },
};

function describePrivateKey(block: PemBlock, source: string): InspectedKey {
  const label = block.label ?? 'PRIVATE KEY';
  const legacyEncrypted = 'DEK-Info' in block.headers;
  if (label === 'ENCRYPTED PRIVATE KEY' || legacyEncrypted) {
    // The algorithm is inside the ciphertext for PKCS#8; a legacy PEM names it in its label.
    const type =
      label === 'RSA PRIVATE KEY' ? 'rsa' : label === 'EC PRIVATE KEY' ? 'ec' : 'unknown';
    return {
      type,
      bits: 0,
      format: legacyEncrypted
        ? `${PRIVATE_KEY_FORMATS[label]?.format ?? 'pem'}-legacy-encrypted`
        : 'encrypted-pkcs8',
      encrypted: true,
    };
  }
  if (block.label === null) {
    // A DER key says nothing about its syntax: try PKCS#8, then PKCS#1 and SEC1 (what
    // `openssl pkey -outform DER` and `openssl ec -outform DER` write).
    const failures: unknown[] = [];
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        const key = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type });
        return {
          ...describePublicKey(createPublicKey(key)),
          format: `der-${type}`,
          encrypted: false,
        };
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
      type: label === 'DSA PRIVATE KEY' ? 'dsa' : 'unknown',
      bits: 0,
      format: label.toLowerCase(),
      encrypted: false,
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
  return { ...describePublicKey(createPublicKey(key)), format: known.format, encrypted: false };
}

function inspectBlock(block: PemBlock, source: string, now: Date): InspectedItem {
  const index = block.index;
  const label = block.label;
  // TRUSTED CERTIFICATE (OpenSSL's format with trust settings appended) falls through to 'other'.
  if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE') {
    const certificate = parseCertificate(block.der, { name: source, index });
    return certificateItem(certificate.info, index, now);
  }
  if (label === 'CERTIFICATE REQUEST' || label === 'NEW CERTIFICATE REQUEST') {
    return {
      kind: 'certificate-request',
      index,
      request: parseCertificationRequest(block.der, source),
    };
  }
  if (label !== null && PRIVATE_KEY_LABELS.includes(label)) {
    return { kind: 'private-key', index, key: describePrivateKey(block, source) };
  }
  if (label === 'PUBLIC KEY') {
    try {
      const key = createPublicKey({ key: Buffer.from(block.der), format: 'der', type: 'spki' });
      return { kind: 'public-key', index, key: describePublicKey(key) };
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
  if (label === null) return inspectDer(block, source, now);
  return { kind: 'other', index, label, description: describeLabel(label) };
}

function certificateItem(certificate: CertificateInfo, index: number, now: Date): InspectedItem {
  const notAfter = new Date(certificate.notAfter);
  return {
    kind: 'certificate',
    index,
    certificate,
    daysLeft: daysUntil(notAfter, now),
    expired: notAfter.getTime() < now.getTime(),
    notYetValid: Date.parse(certificate.notBefore) > now.getTime(),
  };
}

/** A raw DER file: a certificate, a request, or a PKCS#8 key, tried in that order. */
function inspectDer(block: PemBlock, source: string, now: Date): InspectedItem {
  const attempts: (() => InspectedItem)[] = [
    () => certificateItem(parseCertificate(block.der, { name: source, index: 1 }).info, 1, now),
    () => {
      const request = parseCertificationRequest(block.der, source);
      if (request.key.type === 'unknown') throw new Error('not a request');
      return { kind: 'certificate-request', index: 1, request };
    },
    () => ({ kind: 'private-key', index: 1, key: describePrivateKey(block, source) }),
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
    `cannot read ${source}: DER data that is neither a certificate, a certificate request nor a private key`,
    { cause: failures },
  );
}

/**
 * Describes every block of one input.
 *
 * @throws {@link CertkitError} for unreadable framing or a block that is not what its label says
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
  options: { now?: Date | number } = {},
): InspectedFile {
  const now = resolveNow(options.now);
  const blocks = parsePemBlocks(bytes, source);
  return { path: source, items: blocks.map((block) => inspectBlock(block, source, now)) };
}

/**
 * Describes every block of every input, in the order given: certificates (all fields, days
 * left), requests (with their self-signature checked), and keys (type, size, format, encrypted or
 * not).
 *
 * @throws {@link CertkitError} naming the input for unreadable framing or a block that is not
 * what its label says; `INVALID_OPTION` for a clock that is not a date
 *
 * @example
 * ```ts
 * const report = inspectInputs([{ bytes: readFileSync('proxy_cert.pem'), source: 'proxy_cert.pem' }]);
 * console.log(report.certificateCount);
 * ```
 */
export function inspectInputs(
  inputs: readonly { readonly bytes: Uint8Array; readonly source: string }[],
  options: { now?: Date | number } = {},
): InspectReport {
  const now = resolveNow(options.now);
  return inspectReport(inputs.map((input) => inspectBytes(input.bytes, input.source, { now })));
}

/** The report of inputs already described by {@link inspectBytes}, in their order. */
export function inspectReport(files: readonly InspectedFile[]): InspectReport {
  const certificateCount = files.reduce(
    (sum, file) => sum + file.items.filter((item) => item.kind === 'certificate').length,
    0,
  );
  return { files, certificateCount };
}
