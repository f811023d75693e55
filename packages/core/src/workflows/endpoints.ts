/**
 * What every multi-endpoint command shares: the endpoints from the arguments and a list file,
 * `--resolve` pins and every address of a name, and one bounded run over them with progress and
 * an interrupt (io/endpoints.ts), each endpoint's outcome kept as data (judge/endpoints.ts).
 */
import { CertkitError } from '../errors.js';
import {
  checkConcurrency,
  MAX_ENDPOINTS,
  parseEndpoint,
  parseEndpointList,
  parseResolvePins,
  pinnedAddresses,
  resolveAllAddresses,
  runBounded,
  tooManyEndpoints,
} from '../io/endpoints.js';
import type { Endpoint, ResolvePins } from '../io/endpoints.js';
import { readInputFile } from '../io/read.js';
import { connectionFailureOf } from '../io/tls-failure.js';
import { endpointLabel, TLS_TIMEOUT_MS } from '../io/tls-attempt.js';
import { tryFetchPresentedChain } from '../io/presented-chain.js';
import type { TlsProbeOptions } from '../io/tls-attempt.js';
import type { FetchOutcome } from '../io/presented-chain.js';
import { tallyEndpoints } from '../judge/endpoints.js';
import type { EndpointOutcome, EndpointRef, EndpointTally } from '../judge/endpoints.js';
import { readLimit } from './common.js';

/** How far a multi-endpoint run has got, for a progress line. */
export interface EndpointProgress {
  readonly done: number;
  readonly total: number;
  /** Endpoints that failed so far. */
  readonly failed: number;
}

/** Options every multi-endpoint workflow takes. */
export interface EndpointRunOptions {
  /** Endpoints, `HOST:PORT` or `[IPv6]:PORT`: at most 100,000 in one run, with the list file's. */
  readonly endpoints?: readonly string[];
  /** A file of endpoints: one `HOST:PORT` a line, `#` comments; read with `maxInputBytes`. */
  readonly endpointsPath?: string;
  /**
   * Work on every address of each host name (A and AAAA, or its pinned addresses), sending the
   * name as SNI: a cluster name that resolves to every node reaches each node.
   */
  readonly allAddresses?: boolean;
  /** Pins, as curl's `--resolve`: `HOST:PORT:ADDR[,ADDR…]` is used instead of DNS. */
  readonly resolve?: readonly string[];
  /** Endpoints worked on at once; default `DEFAULT_CONCURRENCY` (16). */
  readonly concurrency?: number;
  /** Per connection (and per name resolution), milliseconds; default {@link TLS_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /**
   * Largest file read, in bytes (the endpoint list, and any other input the workflow reads);
   * default `DEFAULT_MAX_INPUT_BYTES`.
   */
  readonly maxInputBytes?: number;
  /** Aborting it stops the run: no new endpoint starts, open connections are closed. */
  readonly signal?: AbortSignal;
  /** Called after each endpoint ends. */
  readonly onProgress?: (progress: EndpointProgress) => void;
}

/** One endpoint (or one address of it) to work on. */
export interface EndpointTarget extends EndpointRef {
  /** Addresses to connect to, tried in order while nothing answers; absent: resolve the host. */
  readonly addresses?: readonly string[];
  /** The host could not be resolved: the outcome, known before any connection. */
  readonly unresolved?: NodeJS.ErrnoException;
}

/** The endpoints of a run, parsed and checked, with the run's settings. */
export interface EndpointPlan {
  readonly endpoints: readonly Endpoint[];
  readonly pins: ResolvePins;
  readonly concurrency: number;
  readonly timeoutMs: number;
}

/**
 * Reads the endpoints (arguments first, then the list file), drops repeats, and checks the
 * settings: every input error is found before any connection.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad endpoint, pin, concurrency or timeout,
 * no endpoint at all, or more than {@link MAX_ENDPOINTS}; read errors of the list file
 */
export async function planEndpoints(options: EndpointRunOptions): Promise<EndpointPlan> {
  const concurrency = checkConcurrency(options.concurrency);
  const timeoutMs = options.timeoutMs ?? TLS_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new CertkitError('INVALID_OPTION', `timeout must be a positive number of milliseconds`);
  }
  const pins = parseResolvePins(options.resolve ?? []);
  const given = (options.endpoints ?? []).map(parseEndpoint);
  const listed =
    options.endpointsPath === undefined
      ? []
      : parseEndpointList(
          Buffer.from(
            await readInputFile(options.endpointsPath, readLimit(options.maxInputBytes)),
          ).toString('utf8'),
          options.endpointsPath,
        );
  const seen = new Set<string>();
  const endpoints: Endpoint[] = [];
  for (const endpoint of [...given, ...listed]) {
    const key = `${endpoint.host.toLowerCase()}:${String(endpoint.port)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    endpoints.push(endpoint);
  }
  if (endpoints.length === 0) {
    throw new CertkitError(
      'INVALID_OPTION',
      options.endpointsPath === undefined
        ? 'name at least one endpoint (HOST:PORT)'
        : `${options.endpointsPath} lists no endpoint`,
    );
  }
  if (endpoints.length > MAX_ENDPOINTS) throw tooManyEndpoints('the run has');
  return { endpoints, pins, concurrency, timeoutMs };
}

function refOf(endpoint: Endpoint, address?: string): EndpointRef {
  return {
    endpoint: `${endpoint.host}:${String(endpoint.port)}`,
    host: endpoint.host,
    port: endpoint.port,
    ...(address === undefined ? {} : { address }),
  };
}

/**
 * The targets of a run, in the order of the endpoints: one per endpoint, or with
 * `allAddresses` one per address of its host (pinned, or resolved at most `concurrency` names at
 * a time). A host that does not resolve is one target that fails without connecting.
 */
async function targetsOf(
  plan: EndpointPlan,
  options: EndpointRunOptions,
): Promise<EndpointTarget[]> {
  const resolved = new Map<string, Awaited<ReturnType<typeof resolveAllAddresses>>>();
  if (options.allAddresses === true) {
    const names = [
      ...new Set(
        plan.endpoints
          .filter((e) => pinnedAddresses(plan.pins, e) === undefined)
          .map((e) => e.host),
      ),
    ];
    const run = await runBounded(
      names,
      (host, _index, signal) => resolveAllAddresses(host, { timeoutMs: plan.timeoutMs, signal }),
      {
        concurrency: plan.concurrency,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
    );
    names.forEach((host, i) => {
      const resolution = run.results[i];
      if (resolution !== undefined) resolved.set(host, resolution);
    });
  }
  const targets: EndpointTarget[] = [];
  for (const endpoint of plan.endpoints) {
    const pinned = pinnedAddresses(plan.pins, endpoint);
    if (options.allAddresses !== true) {
      targets.push(
        pinned === undefined ? refOf(endpoint) : { ...refOf(endpoint), addresses: pinned },
      );
      continue;
    }
    const resolution: Awaited<ReturnType<typeof resolveAllAddresses>> =
      pinned === undefined
        ? (resolved.get(endpoint.host) ?? {
            ok: false,
            error: Object.assign(new Error('interrupted'), { code: 'ABORT_ERR' }),
          })
        : { ok: true, addresses: pinned };
    if (!resolution.ok) {
      targets.push({ ...refOf(endpoint), unresolved: resolution.error });
      continue;
    }
    for (const address of resolution.addresses) {
      targets.push({ ...refOf(endpoint, address), addresses: [address] });
    }
  }
  if (targets.length > MAX_ENDPOINTS) throw tooManyEndpoints('with every address, the run has');
  return targets;
}

/** What a multi-endpoint run did. */
export interface EndpointRun<T> {
  /** Every endpoint started, in the order given (those never started are left out). */
  readonly outcomes: readonly EndpointOutcome<T>[];
  /** Endpoints never started because the run was interrupted. */
  readonly notStarted: readonly EndpointRef[];
  readonly tally: EndpointTally;
}

/**
 * Runs `work` on every target of the plan, at most `concurrency` at a time, reporting progress
 * and stopping on the signal. A target whose host did not resolve fails without `work`.
 */
export async function runEndpoints<T>(
  plan: EndpointPlan,
  options: EndpointRunOptions,
  work: (target: EndpointTarget, signal: AbortSignal) => Promise<EndpointOutcome<T>>,
): Promise<EndpointRun<T>> {
  const targets = await targetsOf(plan, options);
  let done = 0;
  let failed = 0;
  const run = await runBounded(
    targets,
    async (target, _index, signal): Promise<EndpointOutcome<T>> => {
      if (target.unresolved === undefined) return work(target, signal);
      const { addresses: _addresses, unresolved, ...ref } = target;
      return { ...ref, ok: false, failure: connectionFailureOf(unresolved) };
    },
    {
      concurrency: plan.concurrency,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onSettled: (_index, outcome) => {
        done++;
        if (!outcome.ok) failed++;
        options.onProgress?.({ done, total: targets.length, failed });
      },
    },
  );
  const outcomes: EndpointOutcome<T>[] = [];
  const notStarted: EndpointRef[] = [];
  targets.forEach((target, i) => {
    const outcome = run.results[i];
    if (outcome !== undefined) outcomes.push(outcome);
    else {
      const { addresses: _addresses, unresolved: _unresolved, ...ref } = target;
      notStarted.push(ref);
    }
  });
  return { outcomes, notStarted, tally: tallyEndpoints(run.results, run.interrupted) };
}

/**
 * Whether to try the next pinned address after this failure: only when nothing answered at that
 * address (as curl moves on), never after a server spoke.
 */
function tryNextAddress(outcome: FetchOutcome): boolean {
  return (
    !outcome.ok &&
    (outcome.failure.code === 'CONNECTION_REFUSED' || outcome.failure.code === 'CONNECTION_FAILED')
  );
}

/**
 * Fetches the chain a target presents: by name, or at each of its addresses in turn while
 * nothing answers there (the host still sent as SNI). `address` is where the answer came from;
 * `source` names the endpoint as its certificates' source does.
 */
export async function fetchTarget(
  target: EndpointTarget,
  probe: TlsProbeOptions,
): Promise<FetchOutcome & { readonly address?: string; readonly source: string }> {
  const addresses = target.addresses ?? [undefined];
  let outcome: FetchOutcome | undefined;
  let tried: string | undefined;
  for (const address of addresses) {
    tried = address;
    outcome = await tryFetchPresentedChain(target.host, target.port, {
      ...probe,
      ...(address === undefined ? {} : { address }),
    });
    if (!tryNextAddress(outcome)) break;
  }
  if (outcome === undefined) throw new CertkitError('INTERNAL', 'a target without addresses');
  const address = outcome.ok ? (outcome.chain.address ?? tried) : tried;
  return {
    ...outcome,
    ...(address === undefined ? {} : { address }),
    // As the certificates' source names it: with the address only when one was chosen.
    source: endpointLabel(target.host, target.port, tried),
  };
}
