/**
 * Assembly: certificates -> a trust bundle or a chain, whichever the input is, rendered as clean
 * PEM. What `certs chain` decides, in memory; reading and writing the files is
 * `assembleCertificates`'s.
 */
import { CertkitError } from '../errors.js';
import type { Certificate } from '../x509/pkix.js';
import { renderCertificates } from '../x509/render.js';
import { buildChain } from './chain.js';
import type { Chain } from './chain.js';
import { describe, isCa, isSelfSigned } from './chain-common.js';
import type { ChainFinding } from './chain-common.js';
import { resolveNow } from '../clock.js';
import { buildTrustBundle } from './trust-bundle.js';
import type { TrustBundle } from './trust-bundle.js';

/** What {@link assembleParsedCertificates} builds. `auto` picks one from the input. */
export type AssembleMode = 'auto' | 'bundle' | 'chain';

/** Options of {@link assembleParsedCertificates}. */
export interface AssembleCertificatesOptions {
  /** Default `auto`: chain when an input certificate issues another, else bundle. */
  readonly mode?: AssembleMode;
  /** Chain mode: keep the self-signed root in the output (default true). */
  readonly keepRoot?: boolean;
  /** The time validity is judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /** Put `# subject / issuer / notAfter / sha256` lines above each block. */
  readonly annotate?: boolean;
}

/** The outcome of {@link assembleParsedCertificates}. */
export interface Assembly {
  readonly ok: boolean;
  readonly mode: 'bundle' | 'chain';
  /** Why this mode: the user's choice, or what `auto` saw. */
  readonly reason: string;
  /** Output certificates, in output order. */
  readonly certificates: readonly Certificate[];
  readonly findings: readonly ChainFinding[];
  readonly bundle: TrustBundle | null;
  readonly chain: Chain | null;
  /** The output: clean PEM, LF, 64 columns, one block per certificate. */
  readonly pem: string;
}

/** Checks a requested mode (JavaScript callers can pass anything). */
export function checkAssembleMode(mode: AssembleMode | undefined): AssembleMode {
  const requested = mode ?? 'auto';
  if (!(['auto', 'bundle', 'chain'] as readonly string[]).includes(requested)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `mode must be auto, bundle or chain, got "${requested}"`,
    );
  }
  return requested;
}

/**
 * Assembles certificates into a trust bundle or a chain and renders the result. In `auto` mode
 * (the default) the input decides: a chain when one certificate issues another, or when a
 * certificate is neither self-signed nor a CA (it cannot anchor trust, so the user wants its
 * chain, and chain mode reports what is missing); a trust bundle otherwise.
 *
 * Chain mode orders the certificates leaf -> intermediates -> root, following issuer names and
 * key identifiers and verifying each signature, and judges each link ({@link Chain}): missing
 * issuers, cycles, several leaves and unrelated extras are findings, never exceptions. With a
 * cross-signed intermediate, the path that ends in a self-signed root present in the input
 * wins; without one, the longest verified path. At most 16 issuer candidates of one name are
 * tried by signature (the one whose key identifier matches first), and a finding code is
 * listed at most 20 times, one more finding counting the rest.
 *
 * Bundle mode ({@link TrustBundle}) deduplicates by SHA-256 fingerprint, in the given order,
 * with findings (warnings, not failures) for members that are expired, not yet valid, or
 * neither self-signed nor CAs (OpenSSL, and so redis-cli and stunnel, anchor trust only in
 * certificates it can end a chain with); and `ROOT_MISSING` for members whose issuers lead to
 * no self-signed member, an error when no member is self-signed (such a bundle anchors nothing
 * for OpenSSL clients).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad mode or time, or no certificates in
 * chain mode
 *
 * @example
 * ```ts
 * const certs = ['certsvr1.pem', 'certsvr2.pem'].flatMap((f) => parseCertificates(readFileSync(f), f));
 * const assembly = assembleParsedCertificates(certs);
 * console.log(assembly.mode, assembly.reason); // 'bundle', 'no certificate in the input issues another'
 *
 * // A chain, as a server sends it (no root), with each link judged.
 * const { chain } = assembleParsedCertificates(
 *   parseCertificates(readFileSync('shuffled.pem'), 'shuffled.pem'),
 *   { mode: 'chain', keepRoot: false },
 * );
 * console.log(chain.path.map((m) => `${m.role}: ${m.certificate.info.subject}`).join('\n'));
 *
 * // A trust bundle of every node's certificate.
 * const { bundle } = assembleParsedCertificates(certs, { mode: 'bundle' });
 * for (const f of bundle.findings) console.error(`${f.severity}: ${f.message}`);
 * ```
 */
export function assembleParsedCertificates(
  all: readonly Certificate[],
  options: AssembleCertificatesOptions & { readonly mode: 'chain' },
): Assembly & { readonly mode: 'chain'; readonly chain: Chain; readonly bundle: null };
export function assembleParsedCertificates(
  all: readonly Certificate[],
  options: AssembleCertificatesOptions & { readonly mode: 'bundle' },
): Assembly & { readonly mode: 'bundle'; readonly bundle: TrustBundle; readonly chain: null };
export function assembleParsedCertificates(
  all: readonly Certificate[],
  options?: AssembleCertificatesOptions,
): Assembly;
export function assembleParsedCertificates(
  all: readonly Certificate[],
  options: AssembleCertificatesOptions = {},
): Assembly {
  const requested = checkAssembleMode(options.mode);
  const now = resolveNow(options.now);
  const keepRoot = options.keepRoot ?? true;
  let mode: 'bundle' | 'chain';
  let reason: string;
  let chain: Chain | null = null;
  if (requested === 'auto') {
    chain = buildChain(all, { now, keepRoot });
    const [first, second] = chain.path;
    // A certificate that is neither self-signed nor a CA cannot anchor trust: the user wants
    // its chain, and chain mode reports what is missing instead of a bundle that cannot work.
    const needsChain = all.find((c) => !isSelfSigned(c) && !isCa(c));
    if (first !== undefined && second !== undefined) {
      mode = 'chain';
      reason = `${describe(first.certificate)} is issued by ${describe(second.certificate)}`;
    } else if (needsChain !== undefined) {
      mode = 'chain';
      reason = `${describe(needsChain)} is neither self-signed nor a CA, so it needs a chain`;
    } else {
      mode = 'bundle';
      reason = 'no certificate in the input issues another';
      chain = null;
    }
  } else {
    mode = requested;
    reason = `${requested} mode was asked for`;
    if (mode === 'chain') chain = buildChain(all, { now, keepRoot });
  }
  const bundle = mode === 'bundle' ? buildTrustBundle(all, { now }) : null;
  const result = (chain ?? bundle) as Chain | TrustBundle;
  const pem = renderCertificates(result.certificates, {
    ...(options.annotate === undefined ? {} : { annotate: options.annotate }),
  });
  return {
    ok: result.ok,
    mode,
    reason,
    certificates: result.certificates,
    findings: result.findings,
    bundle,
    chain,
    pem,
  };
}
