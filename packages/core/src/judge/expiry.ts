/**
 * Expiry and renewal windows, for cron jobs and monitoring: every certificate of every input with
 * the days it has left, and whether it is inside the renewal window. Inputs are bytes (or the
 * reason there are none); reading files and folders is workflows/expiry.ts.
 */
import { readElement } from '../asn1/der.js';
import { CertkitError, isCertkitError } from '../errors.js';
import { MAX_CERTIFICATES_PER_INPUT } from '../x509/certificates.js';
import { describeLabel, looksLikeDer, parsePemBlocks } from '../x509/pem.js';
import type { PemBlock } from '../x509/pem.js';
import { parseCertificate } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import { resolveNow } from '../clock.js';
import { daysUntil } from './validity.js';

/** Default renewal window: 30 days before notAfter (what ACME clients such as certbot use). */
export const DEFAULT_RENEWAL_WINDOW = '30d';

/** When a certificate needs renewal: fewer than `days` left, or under `percent` of its lifetime left. */
export type RenewalWindow =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'percent'; readonly percent: number };

/**
 * Parses a renewal window: `30d` (or `30`) days left, or `10%` of the lifetime left (the way
 * short-lived certificates are renewed: Let's Encrypt suggests renewing at a third of the lifetime).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for anything else
 *
 * @example
 * ```ts
 * parseRenewalWindow('30d'); // { kind: 'days', days: 30 }
 * parseRenewalWindow('10%'); // { kind: 'percent', percent: 10 }
 * ```
 */
export function parseRenewalWindow(text: string): RenewalWindow {
  const trimmed = text.trim();
  const days = /^(\d{1,5})d?$/.exec(trimmed);
  if (days !== null) return { kind: 'days', days: Number(days[1]) };
  const percent = /^(\d{1,2}(?:\.\d+)?|100)%$/.exec(trimmed);
  if (percent !== null) return { kind: 'percent', percent: Number(percent[1]) };
  throw new CertkitError(
    'INVALID_OPTION',
    `renewal window must look like 30d (days left) or 10% (of the lifetime left), got "${text}"`,
  );
}

/** The window an {@link ExpiryOptions.within} names: parsed text, a window as given, or the default. */
export function renewalWindowOf(within: string | RenewalWindow | undefined): RenewalWindow {
  return typeof within === 'object' ? within : parseRenewalWindow(within ?? DEFAULT_RENEWAL_WINDOW);
}

/** Where a certificate came from: a file, or the chain an endpoint presented (`HOST:PORT`). */
export type ExpirySourceKind = 'file' | 'endpoint';

/** One certificate's expiry. */
export interface ExpiryEntry {
  /** The file path, or `HOST:PORT` for an endpoint. */
  readonly source: string;
  readonly sourceKind: ExpirySourceKind;
  /** 1-based position in its file (or in the chain the endpoint presented). */
  readonly index: number;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly fingerprintSha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Whole days left at `now` (negative once expired). */
  readonly daysLeft: number;
  /** Share of the lifetime left, 0-100, one decimal. */
  readonly percentLeft: number;
  readonly expired: boolean;
  readonly notYetValid: boolean;
  /** Expired, or inside the renewal window. */
  readonly needsRenewal: boolean;
}

/** An input that could not be read, or a certificate in it that could not: a row of its own. */
export interface ExpiryUnreadable {
  readonly source: string;
  readonly sourceKind: ExpirySourceKind;
  /** The error's code (`FILE_NOT_FOUND`, `PEM_INVALID`, `CERTIFICATE_INVALID`, …). */
  readonly code: string;
  readonly message: string;
}

/** Something left out on purpose: a key, a request, a file of a folder that holds no PEM. */
export interface ExpiryNote {
  readonly source: string;
  /** The block, when the note is about one block of the input. */
  readonly index?: number;
  readonly message: string;
}

/** What {@link checkExpiry} found. */
export interface ExpiryReport {
  /** True when no certificate needs renewal and every input was read. */
  readonly ok: boolean;
  readonly window: RenewalWindow;
  readonly now: string;
  /** Every certificate, soonest expiry first (ties in the order of the inputs). */
  readonly certificates: readonly ExpiryEntry[];
  readonly renewalCount: number;
  /** Inputs (or certificates) that could not be read; the rest is still reported. */
  readonly unreadable: readonly ExpiryUnreadable[];
  /** What was skipped, and why. */
  readonly notes: readonly ExpiryNote[];
}

/** Options of {@link checkExpiry}. */
export interface ExpiryOptions {
  /** `30d`, `10%`, or a parsed window. Default {@link DEFAULT_RENEWAL_WINDOW}. */
  readonly within?: string | RenewalWindow;
  /** The time to judge at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/** One input of {@link checkExpiry}: bytes read from a file or an endpoint, or why there are none. */
export type ExpiryInput = {
  readonly source: string;
  /** Default `file`. */
  readonly kind?: ExpirySourceKind;
  /**
   * `listed` for a file found in a folder: one that holds no PEM block and is no DER certificate
   * is then skipped with a note (a folder holds other files too); a file named on its own is an
   * unreadable row. Default `named`.
   */
  readonly origin?: 'named' | 'listed';
} & (
  | { readonly bytes: Uint8Array }
  | { readonly error: { readonly code: string; readonly message: string } }
);

/** Labels of the blocks that are certificates. */
const CERTIFICATE_LABELS: readonly string[] = [
  'CERTIFICATE',
  'X509 CERTIFICATE',
  'TRUSTED CERTIFICATE',
];

function entryOf(
  certificate: Certificate,
  input: { source: string; kind: ExpirySourceKind },
  window: RenewalWindow,
  now: Date,
): ExpiryEntry {
  const { info } = certificate;
  const start = Date.parse(info.notBefore);
  const end = Date.parse(info.notAfter);
  const left = end - now.getTime();
  const lifetime = Math.max(end - start, 1);
  const percentLeft = Math.round(Math.min(Math.max(left / lifetime, 0), 1) * 1000) / 10;
  const expired = left < 0;
  const inWindow =
    window.kind === 'days'
      ? left <= window.days * 86_400_000
      : (left / lifetime) * 100 <= window.percent;
  return {
    source: input.source,
    sourceKind: input.kind,
    index: certificate.source.index,
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    fingerprintSha256: info.fingerprintSha256,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    daysLeft: daysUntil(new Date(end), now),
    percentLeft,
    expired,
    notYetValid: start > now.getTime(),
    needsRenewal: expired || inWindow,
  };
}

function problemOf(error: unknown): { code: string; message: string } {
  if (isCertkitError(error)) return { code: error.code, message: error.message };
  throw error;
}

/**
 * Lists every certificate of every input with the days it has left and whether it needs renewal,
 * soonest first. Blocks that are not certificates (keys, requests, CRLs) are skipped with a note:
 * a folder of TLS files holds keys next to certificates. An input that cannot be read, or a
 * certificate that cannot, is a row of {@link ExpiryReport.unreadable}, and everything else is
 * still reported: a monitoring job must not go blind because of one bad file.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad window or clock only
 *
 * @example
 * ```ts
 * const report = checkExpiry([{ bytes: readFileSync('cert.pem'), source: 'cert.pem' }], { within: '30d' });
 * if (!report.ok) process.exitCode = report.unreadable.length > 0 ? 2 : 1;
 * ```
 */
export function checkExpiry(
  inputs: readonly ExpiryInput[],
  options: ExpiryOptions = {},
): ExpiryReport {
  const window = renewalWindowOf(options.within);
  const now = resolveNow(options.now);
  const certificates: ExpiryEntry[] = [];
  const unreadable: ExpiryUnreadable[] = [];
  const notes: ExpiryNote[] = [];
  for (const input of inputs) {
    const where = { source: input.source, kind: input.kind ?? 'file' };
    const unread = (problem: { code: string; message: string }): void => {
      unreadable.push({ source: where.source, sourceKind: where.kind, ...problem });
    };
    if ('error' in input) {
      unread(input.error);
      continue;
    }
    if (input.origin === 'listed' && !holdsPem(input.bytes) && !looksLikeDer(input.bytes)) {
      // A folder holds configurations, notes, logs next to certificates.
      notes.push({ source: input.source, message: `${input.source} holds no PEM block: skipped` });
      continue;
    }
    let blocks: PemBlock[];
    try {
      blocks = parsePemBlocks(input.bytes, input.source, { maxBlocks: MAX_CERTIFICATES_PER_INPUT });
    } catch (error) {
      unread(problemOf(error));
      continue;
    }
    for (const block of blocks) {
      if (block.label !== null && !CERTIFICATE_LABELS.includes(block.label)) {
        notes.push({
          source: input.source,
          index: block.index,
          message: `block ${String(block.index)} in ${input.source} is ${describeLabel(block.label)}: skipped`,
        });
        continue;
      }
      // OpenSSL's TRUSTED CERTIFICATE is a certificate followed by its trust settings.
      const der = block.label === 'TRUSTED CERTIFICATE' ? leadingElement(block.der) : block.der;
      try {
        const certificate = parseCertificate(der, { name: input.source, index: block.index });
        certificates.push(entryOf(certificate, where, window, now));
      } catch (error) {
        if (block.label === null && input.origin === 'listed') {
          notes.push({
            source: input.source,
            message: `${input.source}: DER data that is not a certificate, skipped`,
          });
        } else if (block.label === null) {
          // A DER key or request named on its own: say what it is rather than how it failed.
          unread({
            code: 'NOT_A_CERTIFICATE',
            message: `${input.source} is DER data that is not a certificate`,
          });
        } else {
          unread(problemOf(error));
        }
      }
    }
  }
  // Soonest expiry first; Array.prototype.sort is stable, so ties keep the input order.
  certificates.sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter));
  const renewalCount = certificates.filter((c) => c.needsRenewal).length;
  return {
    ok: renewalCount === 0 && unreadable.length === 0,
    window,
    now: now.toISOString(),
    certificates,
    renewalCount,
    unreadable,
    notes,
  };
}

/** True when the bytes hold a PEM begin line anywhere (one linear search, no pattern). */
function holdsPem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('-----BEGIN ');
}

/** The first DER element of `bytes` (a TRUSTED CERTIFICATE's certificate), else all of it. */
function leadingElement(bytes: Uint8Array): Uint8Array {
  try {
    const [, end] = readElement(bytes, 0);
    return bytes.subarray(0, end);
  } catch {
    return bytes; // parseCertificate reports what is wrong with it
  }
}
