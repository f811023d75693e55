/**
 * Expiry and renewal windows, for cron jobs and monitoring: every certificate of every input with
 * the days it has left, and whether it is inside the renewal window. Inputs are bytes; reading
 * files is workflows/expiry.ts.
 */
import { CertkitError } from '../errors.js';
import { parseCertificates } from '../x509/certificates.js';
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

/** One certificate's expiry. */
export interface ExpiryEntry {
  readonly source: string;
  /** 1-based position in its file. */
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

/** What {@link checkExpiry} found. */
export interface ExpiryReport {
  /** True when no certificate needs renewal. */
  readonly ok: boolean;
  readonly window: RenewalWindow;
  readonly now: string;
  /** Every certificate, in the order of the inputs. */
  readonly certificates: readonly ExpiryEntry[];
  readonly renewalCount: number;
}

/** Options of {@link checkExpiry}. */
export interface ExpiryOptions {
  /** `30d`, `10%`, or a parsed window. Default {@link DEFAULT_RENEWAL_WINDOW}. */
  readonly within?: string | RenewalWindow;
  /** The time to judge at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/**
 * Lists every certificate of every input with the days it has left and whether it needs renewal.
 *
 * @throws {@link CertkitError} for an input that is not certificates
 *
 * @example
 * ```ts
 * const report = checkExpiry([{ bytes: readFileSync('cert.pem'), source: 'cert.pem' }], { within: '30d' });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export function checkExpiry(
  inputs: readonly { readonly bytes: Uint8Array; readonly source: string }[],
  options: ExpiryOptions = {},
): ExpiryReport {
  const window = renewalWindowOf(options.within);
  const now = resolveNow(options.now);
  const certificates: ExpiryEntry[] = [];
  for (const input of inputs) {
    for (const certificate of parseCertificates(input.bytes, input.source)) {
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
      certificates.push({
        source: input.source,
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
      });
    }
  }
  const renewalCount = certificates.filter((c) => c.needsRenewal).length;
  return { ok: renewalCount === 0, window, now: now.toISOString(), certificates, renewalCount };
}
