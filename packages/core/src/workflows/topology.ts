/**
 * The topology walk: ask the seed who its nodes are (io/resp.ts carries the dialogue that
 * judge/topology-dialogue.ts leads, judge/resp.ts reads the replies, judge/topology.ts what they
 * describe), fetch the chain every announced node presents (workflows/endpoints.ts: bounded
 * concurrency, `--resolve` pins, Ctrl-C), then judge it all as a cluster client meets it
 * (judge/topology-check.ts).
 */
import { CertkitError } from '../errors.js';
import { converse } from '../io/resp.js';
import type { TlsClientIdentity } from '../io/tls-attempt.js';
import { createRespReader } from '../judge/resp.js';
import type { RespValue } from '../judge/resp.js';
import { readTopology } from '../judge/topology.js';
import { nextTopologyCommand } from '../judge/topology-dialogue.js';
import type { TopologyExchange } from '../judge/topology.js';
import { checkTopology } from '../judge/topology-check.js';
import type { NodeFetch, TopologyReport } from '../judge/topology-check.js';
import type { CheckProfile } from '../judge/endpoint-findings.js';
import type { EndpointFailureInfo, EndpointTally } from '../judge/endpoints.js';
import type { Certificate } from '../x509/pkix.js';
import { fetchTarget, planEndpoints, runEndpoints } from './endpoints.js';
import type { EndpointProgress, EndpointTarget } from './endpoints.js';

/** Options of {@link walkTopology}. */
export interface WalkTopologyOptions {
  /** The endpoint to ask, `HOST:PORT`: any node of the cluster, or a Sentinel. */
  readonly seed: string;
  /** Cluster name: each node's report is an endpoint check for this cluster. */
  readonly cluster: string;
  /** Trust anchors every node's chain must validate to. */
  readonly ca?: readonly Certificate[];
  /** Presented to the seed when it asks for a client certificate (`tls-auth-clients yes`). */
  readonly clientIdentity?: TlsClientIdentity;
  /**
   * SNI name sent to the seed, and the one name a client may pin with `tls.servername`; default
   * the seed's host.
   */
  readonly sni?: string;
  /** Pins, as curl's `--resolve`, for the seed and for announced host names. */
  readonly resolve?: readonly string[];
  /** Nodes fetched at once; default 16. */
  readonly concurrency?: number;
  /** Per connection and per reply, milliseconds; default 10,000. */
  readonly timeoutMs?: number;
  readonly profile?: CheckProfile;
  readonly internal?: boolean;
  readonly warnDays?: number;
  readonly now?: Date | number;
  /** Aborting it stops the walk: no new connection starts, open ones are closed. */
  readonly signal?: AbortSignal;
  /** Called after each node's fetch ends. */
  readonly onProgress?: (progress: EndpointProgress) => void;
}

/** The outcome of {@link walkTopology}. */
export interface TopologyWalk {
  /** The seed answered, every node answered, and no report has an error. */
  readonly ok: boolean;
  /** The seed, `HOST:PORT`. */
  readonly seed: string;
  /** Why the seed told nothing (unreachable, refused the connection, an invalid reply). */
  readonly failure?: EndpointFailureInfo;
  /** The commands sent to the seed, in order. */
  readonly commands: readonly string[];
  /** The topology judged. */
  readonly report?: TopologyReport;
  /** How the nodes' fetches went (the seed's own fetch included). */
  readonly tally?: EndpointTally;
}

/**
 * Walks a cluster or Sentinel from one seed: asks it for its topology (`HELLO 3`, then
 * `CLUSTER SHARDS` or `CLUSTER SLOTS`, or `SENTINEL MASTERS` and `SENTINEL REPLICAS`), fetches
 * the chain every announced node presents at its announced address and TLS port, and judges each
 * for that address and the topology as a whole ({@link checkTopology}).
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a bad seed, pin, concurrency or timeout
 *
 * @example
 * ```ts
 * const walk = await walkTopology({ seed: '10.0.0.5:6379', cluster: 'example.com', ca });
 * for (const f of walk.report?.findings ?? []) console.log(f.code, f.message);
 * ```
 */
export async function walkTopology(options: WalkTopologyOptions): Promise<TopologyWalk> {
  const plan = await planEndpoints({
    endpoints: [options.seed],
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const seed = plan.endpoints[0];
  if (seed === undefined) throw new CertkitError('INTERNAL', 'a plan without its seed');
  const seedLabel = `${seed.host.includes(':') ? `[${seed.host}]` : seed.host}:${String(seed.port)}`;
  const pinned = plan.pins.get(`${seed.host.toLowerCase()}:${String(seed.port)}`);
  const commands: string[] = [];
  const conversation = await converse<RespValue, TopologyExchange[]>(
    seed.host,
    seed.port,
    {
      newReader: () => createRespReader(),
      timeoutMs: plan.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.sni === undefined ? {} : { servername: options.sni }),
      ...(options.clientIdentity === undefined ? {} : { clientIdentity: options.clientIdentity }),
      ...(pinned?.[0] === undefined ? {} : { address: pinned[0] }),
    },
    async (ask) => {
      const exchanges: TopologyExchange[] = [];
      for (
        let command = nextTopologyCommand(exchanges);
        command !== null;
        command = nextTopologyCommand(exchanges)
      ) {
        commands.push(command.join(' '));
        exchanges.push({ command, reply: await ask(command) });
      }
      return exchanges;
    },
  );
  if (!conversation.ok) {
    return { ok: false, seed: seedLabel, failure: conversation.failure, commands };
  }
  const topology = readTopology(seed, conversation.value);
  // The seed first (a cluster client's first connection, sent the SNI name), then every node
  // announced with a host and a port, each once.
  const seen = new Set<string>();
  const endpoints = [
    seed,
    ...topology.nodes.filter((n) => n.port > 0 && n.announcedAs !== 'unknown'),
  ]
    .map((n) => ({ host: n.host, port: n.port }))
    .filter((e) => {
      const key = `${e.host.toLowerCase()}:${String(e.port)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const fetches = await runEndpoints<NodeFetch>(
    { ...plan, endpoints },
    {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
    async (target: EndpointTarget, signal) => {
      const first = target.host === seed.host && target.port === seed.port;
      const fetched = await fetchTarget(target, {
        timeoutMs: plan.timeoutMs,
        signal,
        ...(first && options.sni !== undefined ? { servername: options.sni } : {}),
      });
      const { addresses: _addresses, unresolved: _unresolved, ...ref } = target;
      if (!fetched.ok) return { ...ref, ok: false, failure: fetched.failure };
      return {
        ...ref,
        ok: true,
        value: {
          ok: true,
          certificates: fetched.chain.certificates,
          ...(fetched.address === undefined ? {} : { address: fetched.address }),
        },
      };
    },
  );
  const byEndpoint = new Map<string, NodeFetch>();
  for (const outcome of fetches.outcomes) {
    byEndpoint.set(
      `${outcome.host.toLowerCase()}:${String(outcome.port)}`,
      outcome.ok ? outcome.value : { ok: false, failure: outcome.failure },
    );
  }
  const fetchedAt = (host: string, port: number): NodeFetch | undefined =>
    byEndpoint.get(`${host.toLowerCase()}:${String(port)}`);
  const seedFetch = fetchedAt(seed.host, seed.port);
  const report = checkTopology({
    cluster: options.cluster,
    topology,
    fetched: topology.nodes.map((n) =>
      n.port > 0 && n.announcedAs !== 'unknown' ? fetchedAt(n.host, n.port) : undefined,
    ),
    seed: {
      host: seed.host,
      port: seed.port,
      ...(seedFetch === undefined ? {} : { fetched: seedFetch }),
    },
    ...(options.sni === undefined ? {} : { servername: options.sni }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.internal === undefined ? {} : { internal: options.internal }),
    ...(options.warnDays === undefined ? {} : { warnDays: options.warnDays }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    // A node that gave nothing is a finding of the report (a warning when the deployment itself
    // sees it as down); only an interrupted walk is incomplete beyond what the report says.
    ok: report.ok && !fetches.tally.interrupted,
    seed: seedLabel,
    commands,
    report,
    tally: fetches.tally,
  };
}
