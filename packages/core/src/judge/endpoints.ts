/**
 * Many endpoints judged as a whole, from their outcomes given as data: the tally of a run (how
 * many answered, failed, were stopped or never started) and whether the trust bundle made from
 * what was fetched may be written. workflows/ gathers the outcomes (io/ connects).
 */

/** Where one endpoint of a run is. */
export interface EndpointRef {
  /** `HOST:PORT` as given. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** The address connected to (or tried), when one was chosen or reported. */
  readonly address?: string;
}

/** Why an endpoint gave nothing to judge: a stable code (io's `EndpointFailureCode`) and words. */
export interface EndpointFailureInfo {
  readonly code: string;
  readonly reason: string;
}

/** What came of one endpoint: its value, or why there is none. */
export type EndpointOutcome<T> = EndpointRef &
  (
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly failure: EndpointFailureInfo }
  );

/** The failure code of an endpoint stopped by an interrupt before it finished. */
export const INTERRUPTED = 'INTERRUPTED';

/** How a run of many endpoints went. */
export interface EndpointTally {
  /** Endpoints in the run (each address counts once with all addresses). */
  readonly total: number;
  /** Answered with what was asked. */
  readonly succeeded: number;
  /** Failed on their own account (down, not TLS, reset, timed out, …). */
  readonly failed: number;
  /** Started, then stopped by the interrupt. */
  readonly stopped: number;
  /** Never started: the run was interrupted first. */
  readonly notStarted: number;
  /** The run was interrupted (Ctrl-C). */
  readonly interrupted: boolean;
}

/**
 * Counts the outcomes of a run; `undefined` stands for an endpoint never started.
 *
 * @example
 * ```ts
 * const tally = tallyEndpoints(outcomes, false);
 * console.log(`${tally.succeeded} of ${tally.total} fetched, ${tally.failed} failed`);
 * ```
 */
export function tallyEndpoints(
  outcomes: readonly (EndpointOutcome<unknown> | undefined)[],
  interrupted: boolean,
): EndpointTally {
  let succeeded = 0;
  let failed = 0;
  let stopped = 0;
  let notStarted = 0;
  for (const outcome of outcomes) {
    if (outcome === undefined) notStarted++;
    else if (outcome.ok) succeeded++;
    else if (outcome.failure.code === INTERRUPTED) stopped++;
    else failed++;
  }
  return {
    total: outcomes.length,
    succeeded,
    failed,
    stopped,
    notStarted,
    interrupted: interrupted || stopped > 0 || notStarted > 0,
  };
}

/**
 * Why a bundle made from many endpoints is not written: some endpoints failed, the run was
 * interrupted, the assembled bundle or chain is broken, or nothing was fetched at all.
 */
export type BundleHeldBack =
  'ENDPOINTS_FAILED' | 'INTERRUPTED' | 'BUNDLE_BROKEN' | 'NOTHING_FETCHED';

/** Whether to write the bundle of a run, and if not, why. */
export type BundleDecision =
  { readonly write: true } | { readonly write: false; readonly heldBack: BundleHeldBack };

/**
 * Decides whether the bundle of what was fetched is written. A trust bundle missing a node's
 * certificate makes clients refuse that node later, far from the cause: so a bundle is written
 * only when every endpoint answered, unless the caller accepts a partial one (`allowPartial`);
 * and, as `certs chain` decides, a broken chain only with `allowBroken`.
 *
 * @example
 * ```ts
 * decideBundleWrite(tally, { ok: true, certificates: 3 }); // { write: false, heldBack: 'ENDPOINTS_FAILED' } when one failed
 * ```
 */
export function decideBundleWrite(
  tally: EndpointTally,
  bundle: { readonly ok: boolean; readonly certificates: number } | null,
  options: { readonly allowPartial?: boolean; readonly allowBroken?: boolean } = {},
): BundleDecision {
  if (bundle === null || bundle.certificates === 0) {
    return { write: false, heldBack: 'NOTHING_FETCHED' };
  }
  if (options.allowPartial !== true) {
    if (tally.interrupted) return { write: false, heldBack: 'INTERRUPTED' };
    if (tally.failed > 0) return { write: false, heldBack: 'ENDPOINTS_FAILED' };
  }
  if (!bundle.ok && options.allowBroken !== true)
    return { write: false, heldBack: 'BUNDLE_BROKEN' };
  return { write: true };
}

/**
 * A run is ok when every endpoint answered, none was stopped or left out, and (when there is
 * one) the bundle is sound.
 */
export function endpointsOk(tally: EndpointTally, bundleOk = true): boolean {
  return tally.succeeded === tally.total && !tally.interrupted && bundleOk;
}
