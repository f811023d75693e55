/**
 * `certs fetch`: fetch the chains endpoints present, assemble them into one trust bundle
 * (judge/assemble.ts, as `certs chain` does) and write it.
 */
import { PUBLIC_FILE_MODE, checkWritePlan } from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { PresentedChain } from '../io/presented-chain.js';
import { assembleParsedCertificates } from '../judge/assemble.js';
import type { Assembly } from '../judge/assemble.js';
import { resolveNow } from '../clock.js';
import { decideBundleWrite, endpointsOk } from '../judge/endpoints.js';
import type {
  BundleDecision,
  EndpointOutcome,
  EndpointRef,
  EndpointTally,
} from '../judge/endpoints.js';
import { fetchTarget, planEndpoints, runEndpoints } from './endpoints.js';
import type { EndpointRunOptions } from './endpoints.js';

/** Options of {@link fetchEndpoints}. */
export interface FetchEndpointsOptions extends EndpointRunOptions {
  /** SNI name to send to every endpoint; default: each endpoint's host name (none for an address). */
  readonly servername?: string;
  /** Write the trust bundle (PEM, 0644) here; nothing is written when absent. */
  readonly outputFileName?: string;
  /** Replace an existing `outputFileName`. Default: refuse, before connecting. */
  readonly force?: boolean;
  /** Write the bundle of what was fetched even when some endpoints failed or the run was interrupted. */
  readonly allowPartial?: boolean;
  /** Write it even when the assembled chain is broken (as `assembleCertificates`' `writeBroken`). */
  readonly allowBroken?: boolean;
  /** The time the bundle's members are judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

/** One endpoint of {@link fetchEndpoints}: the chain it presented, or why there is none. */
export type FetchedEndpoint = EndpointOutcome<PresentedChain>;

/** What {@link fetchEndpoints} fetched, assembled and wrote. */
export interface FetchedEndpoints {
  /** Every endpoint answered, the run was not interrupted, and (with `outputFileName`) the bundle is sound. */
  readonly ok: boolean;
  /** Every endpoint started, in the order given (each address of a host with `allAddresses`). */
  readonly endpoints: readonly FetchedEndpoint[];
  /** Endpoints never started: the run was interrupted first. */
  readonly notStarted: readonly EndpointRef[];
  readonly tally: EndpointTally;
  /**
   * With `outputFileName`: every certificate fetched, assembled as `certs chain` assembles files
   * ({@link assembleParsedCertificates}, mode `auto`): a deduplicated trust bundle, or a chain.
   * Null without `outputFileName`, or when nothing was fetched.
   */
  readonly bundle: Assembly | null;
  /** Whether the output was written (or, without `outputFileName`, is to be printed), and if not why. */
  readonly decision: BundleDecision;
  /**
   * The output: with `outputFileName` the bundle's PEM, without it every certificate as presented
   * (endpoint after endpoint, as each sent them); null when the decision held it back.
   */
  readonly pem: string | null;
  /** `outputFileName` when it was written; null otherwise. */
  readonly written: string | null;
}

/**
 * Fetches the chain every endpoint presents, `concurrency` at a time, and assembles everything
 * fetched into one trust bundle exactly as `certs chain` would from the same certificates (same
 * rules, same findings) and writes it to `outputFileName`: what replaces copying each node's
 * `proxy_cert.pem` and `cat`-ing them into `servercerts.pem`. An endpoint that fails is an
 * outcome with its reason; the others are still fetched. The bundle is written atomically only
 * when every endpoint answered (or `allowPartial`) and it is sound (or `allowBroken`); `decision`
 * says whether it was, and if not why. Without `outputFileName`, `pem` holds the certificates as
 * presented.
 *
 * @throws {@link CertkitError} for bad options or endpoints, an unreadable list file, or an
 * existing `outputFileName` without `force` (all before any connection); `WRITE_FAILED`
 *
 * @example
 * ```ts
 * const result = await fetchEndpoints({
 *   endpoints: ['redis-12000.cluster.example.com:12000'],
 *   allAddresses: true,
 *   outputFileName: 'servercerts.pem',
 * });
 * for (const e of result.endpoints) console.log(e.endpoint, e.address, e.ok ? e.value.protocol : e.failure.reason);
 * ```
 */
export async function fetchEndpoints(options: FetchEndpointsOptions): Promise<FetchedEndpoints> {
  const plan = await planEndpoints(options);
  const now = resolveNow(options.now);
  const force = options.force ?? false;
  if (options.outputFileName !== undefined) {
    await checkWritePlan({
      outputs: [{ path: options.outputFileName, mode: PUBLIC_FILE_MODE }],
      force,
    });
  }
  const run = await runEndpoints<PresentedChain>(plan, options, async (target, signal) => {
    const outcome = await fetchTarget(target, {
      timeoutMs: plan.timeoutMs,
      signal,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
    });
    const { addresses: _addresses, unresolved: _unresolved, ...ref } = target;
    const where = outcome.address === undefined ? ref : { ...ref, address: outcome.address };
    return outcome.ok
      ? { ...where, ok: true, value: outcome.chain }
      : { ...where, ok: false, failure: outcome.failure };
  });
  const certificates = run.outcomes.flatMap((o) => (o.ok ? o.value.certificates : []));
  // The bundle is assembled for the file only: on stdout the certificates go as presented,
  // for a pipe into `certs chain -` with other files (which assembles them there).
  const bundle =
    options.outputFileName === undefined || certificates.length === 0
      ? null
      : assembleParsedCertificates(certificates, { now });
  const decision = decideBundleWrite(
    run.tally,
    options.outputFileName === undefined
      ? { ok: true, certificates: certificates.length }
      : bundle === null
        ? null
        : { ok: bundle.ok, certificates: bundle.certificates.length },
    {
      ...(options.allowPartial === undefined ? {} : { allowPartial: options.allowPartial }),
      ...(options.allowBroken === undefined ? {} : { allowBroken: options.allowBroken }),
    },
  );
  const pem = !decision.write
    ? null
    : bundle === null
      ? certificates.map((c) => c.pem).join('')
      : bundle.pem;
  let written: string | null = null;
  if (options.outputFileName !== undefined && pem !== null) {
    await writeFilesAtomically(
      [{ path: options.outputFileName, content: pem, mode: PUBLIC_FILE_MODE }],
      {
        force,
      },
    );
    written = options.outputFileName;
  }
  return {
    ok: endpointsOk(run.tally, options.outputFileName === undefined || bundle?.ok === true),
    endpoints: run.outcomes,
    notStarted: run.notStarted,
    tally: run.tally,
    bundle,
    decision,
    pem,
    written,
  };
}
