/**
 * `certs expiry` over files and live endpoints: read the files, fetch the chains the endpoints
 * present (many at once, workflows/endpoints.ts), then judge every certificate's expiry
 * (judge/expiry.ts).
 */
import { CertkitError } from '../errors.js';
import { endpointTarget } from '../io/endpoints.js';
import type { PresentedChain } from '../io/presented-chain.js';
import { endpointsOk } from '../judge/endpoints.js';
import type { EndpointOutcome, EndpointRef, EndpointTally } from '../judge/endpoints.js';
import { checkExpiry, renewalWindowOf } from '../judge/expiry.js';
import type { ExpiryInput, ExpiryOptions, ExpiryReport } from '../judge/expiry.js';
import { readExpiryInputs } from './expiry.js';
import { fetchTarget, planEndpoints, runEndpoints } from './endpoints.js';
import type { EndpointRunOptions } from './endpoints.js';

/**
 * True when `target` names an endpoint rather than a file: `HOST:PORT` or `[IPv6]:PORT` whose
 * host is a DNS name or an IP address. A path never is (`./a:1` is a file).
 *
 * @example
 * ```ts
 * isEndpointTarget('redis-12000.cluster.example.com:12000'); // true
 * isEndpointTarget('proxy_cert.pem'); // false
 * ```
 */
export function isEndpointTarget(target: string): boolean {
  return endpointTarget(target) !== undefined;
}

/** Options of {@link checkExpiryTargets}. */
export interface ExpiryTargetsOptions extends ExpiryOptions, EndpointRunOptions {
  /** Enter the sub-folders of the folders named too. Default: their files only. */
  readonly recursive?: boolean;
  /** SNI name to send to every endpoint; default: each endpoint's host name. */
  readonly servername?: string;
}

/** One endpoint of {@link checkExpiryTargets}: how many certificates it presented, or why none. */
export type ExpiryEndpoint = EndpointOutcome<{
  readonly protocol: string | null;
  readonly certificates: number;
}>;

/** What {@link checkExpiryTargets} found. */
export interface ExpiryTargetsReport extends ExpiryReport {
  /** No certificate needs renewal and every endpoint answered. */
  readonly ok: boolean;
  /** Every endpoint started, in order; empty when only files were given. */
  readonly endpoints: readonly ExpiryEndpoint[];
  /** Endpoints never started: the run was interrupted first. */
  readonly notStarted: readonly EndpointRef[];
  /** How the endpoints went; null when only files were given. */
  readonly tally: EndpointTally | null;
}

/**
 * Lists every certificate of every file and of the chain every endpoint presents, with the days
 * it has left and whether it needs renewal: files first, in order, then the endpoints (from
 * `targets` that look like `HOST:PORT` (a host name or address and a port, never a path), then `endpoints` and
 * `endpointsPath`), fetched `concurrency` at a time. An endpoint that cannot be reached is an
 * outcome with its reason, and makes the report not ok.
 *
 * @throws {@link CertkitError} for a bad window, option or endpoint, or an input that cannot be
 * read (before any connection)
 *
 * @example
 * ```ts
 * const report = await checkExpiryTargets(['cert.pem', 'redis-12000.cluster.example.com:12000'], { within: '30d' });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export async function checkExpiryTargets(
  targets: readonly string[],
  options: ExpiryTargetsOptions = {},
): Promise<ExpiryTargetsReport> {
  // Parse the window first: a typo fails before any file is read or endpoint reached.
  const window = renewalWindowOf(options.within);
  const files = targets.filter((t) => !isEndpointTarget(t));
  const endpoints = [...targets.filter(isEndpointTarget), ...(options.endpoints ?? [])];
  const live = endpoints.length > 0 || options.endpointsPath !== undefined;
  if (files.length === 0 && !live) {
    throw new CertkitError('INVALID_OPTION', 'name at least one certificate file or endpoint');
  }
  const plan = live ? await planEndpoints({ ...options, endpoints }) : undefined;
  const read = await readExpiryInputs(files, options);
  const inputs: ExpiryInput[] = [...read.inputs];
  let run: Awaited<ReturnType<typeof runEndpoints<PresentedChain>>> | undefined;
  if (plan !== undefined) {
    run = await runEndpoints<PresentedChain>(plan, options, async (target, signal) => {
      const fetched = await fetchTarget(target, {
        timeoutMs: plan.timeoutMs,
        signal,
        ...(options.servername === undefined ? {} : { servername: options.servername }),
      });
      const { addresses: _addresses, unresolved: _unresolved, ...ref } = target;
      const where = fetched.address === undefined ? ref : { ...ref, address: fetched.address };
      return fetched.ok
        ? { ...where, ok: true, value: fetched.chain }
        : { ...where, ok: false, failure: fetched.failure };
    });
    for (const outcome of run.outcomes) {
      // A failed endpoint is a row of its own, as an unreadable file is; `endpoints` says why.
      inputs.push(
        outcome.ok
          ? {
              // As the certificates name it: HOST:PORT, @ADDRESS when one of several was chosen.
              source: outcome.value.certificates[0]?.source.name ?? outcome.endpoint,
              kind: 'endpoint',
              bytes: Buffer.from(outcome.value.certificates.map((c) => c.pem).join('')),
            }
          : {
              source: outcome.endpoint,
              kind: 'endpoint',
              error: { code: outcome.failure.code, message: outcome.failure.reason },
            },
      );
    }
  }
  const report = checkExpiry(inputs, {
    ...(options.now === undefined ? {} : { now: options.now }),
    within: window,
  });
  return {
    ...report,
    notes: [...read.notes, ...report.notes],
    ok: report.ok && (run === undefined || endpointsOk(run.tally)),
    endpoints: (run?.outcomes ?? []).map((o) =>
      o.ok
        ? { ...o, value: { protocol: o.value.protocol, certificates: o.value.certificates.length } }
        : o,
    ),
    notStarted: run?.notStarted ?? [],
    tally: run?.tally ?? null,
  };
}
