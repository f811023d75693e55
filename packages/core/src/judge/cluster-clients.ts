/**
 * How cluster clients meet the nodes' certificates: the name each of their connections is
 * checked against. A cluster client dials the seed it is given, reads `CLUSTER SLOTS`, then dials
 * every node at the address the cluster announces; which name it checks each certificate
 * against depends on the client and its options, not on the certificate.
 *
 * Measured with ioredis 6.0.0 (Node 20) and redis-py 4.3.4 (Python 3.11) against real TLS
 * clusters on loopback (test/e2e/topology-cluster.test.ts):
 * - ioredis `Cluster` resolves the seed's host name to an address before it connects (its
 *   `dnsLookup` option, default `dns.lookup`), and connects without a servername: the seed's
 *   certificate is checked against that address. `dnsLookup: (address, callback) =>
 *   callback(null, address)` keeps the name. Every announced node is dialled as announced
 *   (`tls.connect({ host })`): checked against the announced IP address or host name. With
 *   `redisOptions.tls.servername` set, every connection is checked against that one name
 *   (Node's `checkServerIdentity(servername ?? host)`).
 * - redis-py `RedisCluster` checks each connection against the host it dials: the seed as given,
 *   each node as announced, except that `localhost` becomes its address (`ClusterNode` replaces
 *   it with `gethostbyname`). redis-py 4.3.4's `RedisCluster` drops `ssl_check_hostname` (it is
 *   not among its `REDIS_ALLOWED_KEYS`, redis-py issue #3122): it checks no name at all. The model
 *   is of a `RedisCluster` whose connections do check names (measured by letting the option
 *   through; redis-py 6 checks names by default, redis-py pull request #3626).
 */
import type { Certificate } from '../x509/pkix.js';
import { ipVersion } from '../x509/ip.js';
import { clientVerdict, presentedNames } from './clients.js';
import type { ClientStack } from './clients.js';

/** Which name a connection is checked against. */
export type ClusterNameRule =
  /** The host as given to the client (the seed) or as announced (a node). */
  | 'host'
  /** The address the host resolved to (ioredis' default `dnsLookup` on the seed). */
  | 'address'
  /** One name for every connection (`tls.servername`). */
  | 'servername';

/** One cluster client in one configuration. */
export interface ClusterClientModel {
  /** `ioredis Cluster`, `redis-py RedisCluster`. */
  readonly client: string;
  /** The options that make it behave so, in the client's own words. */
  readonly configuration: string;
  readonly stack: ClientStack;
  /** The name the seed's certificate is checked against. */
  readonly seed: ClusterNameRule;
  /** The name each announced node's certificate is checked against. */
  readonly nodes: Exclude<ClusterNameRule, 'address'>;
  /** `localhost` is checked as its address (redis-py's `ClusterNode`). */
  readonly localhostAsAddress: boolean;
}

/** The cluster clients modelled, as measured (see the module comment). */
export const CLUSTER_CLIENTS: readonly ClusterClientModel[] = [
  {
    client: 'redis-py RedisCluster',
    configuration: 'ssl_check_hostname reaching the connections',
    stack: 'python',
    seed: 'host',
    nodes: 'host',
    localhostAsAddress: true,
  },
  {
    client: 'ioredis Cluster',
    configuration: 'default options',
    stack: 'node',
    seed: 'address',
    nodes: 'host',
    localhostAsAddress: false,
  },
  {
    client: 'ioredis Cluster',
    configuration: 'dnsLookup: (address, callback) => callback(null, address)',
    stack: 'node',
    seed: 'host',
    nodes: 'host',
    localhostAsAddress: false,
  },
  {
    client: 'ioredis Cluster',
    configuration: 'redisOptions.tls.servername',
    stack: 'node',
    seed: 'servername',
    nodes: 'servername',
    localhostAsAddress: false,
  },
];

/** A connection a cluster client makes: to the seed or to an announced node. */
export interface ClusterConnection {
  /** `host:port` as the report names the node (the seed as given). */
  readonly node: string;
  /** The host dialled: the seed as given, or the node as announced. */
  readonly host: string;
  /** The address that answered, when known. */
  readonly address?: string;
  /** The leaf the server presented. */
  readonly leaf: Certificate;
  readonly seed: boolean;
}

/** One connection's verdict under one client model. */
export interface ClusterConnectionVerdict {
  readonly node: string;
  /** The host dialled (the seed as given, the node as announced). */
  readonly host: string;
  /** The name the certificate was checked against. */
  readonly name: string;
  readonly accepts: boolean;
  /** Why, in the stack's words: `SAN *.example.com`, `no matching IP SAN`. */
  readonly reason: string;
}

/** What one cluster client (in one configuration) does with every node. */
export interface ClusterClientVerdict {
  readonly client: string;
  readonly configuration: string;
  readonly stack: ClientStack;
  /** Every connection accepted: the client works with this cluster. */
  readonly accepts: boolean;
  /** The seed first, then each announced node that presented a certificate. */
  readonly connections: readonly ClusterConnectionVerdict[];
}

/** A host without the brackets of an IPv6 address. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The name a connection is checked against under a model, or undefined when the model does not
 * apply (no servername to pin, an address not known).
 */
function nameFor(
  model: ClusterClientModel,
  connection: ClusterConnection,
  servername: string | undefined,
): string | undefined {
  const rule = connection.seed ? model.seed : model.nodes;
  if (rule === 'servername') return servername;
  const host = bare(connection.host);
  if (rule === 'address' && ipVersion(host) === 0) return connection.address;
  if (model.localhostAsAddress && host === 'localhost') return connection.address;
  return host;
}

/**
 * Each modelled cluster client's verdict on every connection it would make. The servername
 * model applies only when a servername is given (a host name: RFC 6066 section 3 allows no IP
 * address in SNI).
 *
 * @param servername - the name a client would pin with `tls.servername` (the seed's host name,
 * or the SNI name given)
 *
 * @example
 * ```ts
 * const verdicts = clusterClientVerdicts(connections, 'redis.example.com');
 * for (const v of verdicts) console.log(v.client, v.configuration, v.accepts);
 * ```
 */
export function clusterClientVerdicts(
  connections: readonly ClusterConnection[],
  servername: string | undefined,
): ClusterClientVerdict[] {
  const pinned = servername !== undefined && ipVersion(servername) === 0 ? servername : undefined;
  const verdicts: ClusterClientVerdict[] = [];
  for (const model of CLUSTER_CLIENTS) {
    if (model.nodes === 'servername' && pinned === undefined) continue;
    const checks: ClusterConnectionVerdict[] = [];
    for (const connection of connections) {
      const name = nameFor(model, connection, pinned);
      if (name === undefined) continue;
      const verdict = clientVerdict(model.stack, presentedNames(connection.leaf), name);
      checks.push({
        node: connection.node,
        host: bare(connection.host),
        name,
        accepts: verdict.accepts,
        reason: verdict.reason,
      });
    }
    verdicts.push({
      client: model.client,
      configuration:
        model.nodes === 'servername' && pinned !== undefined
          ? `${model.configuration} = "${pinned}"`
          : model.configuration,
      stack: model.stack,
      accepts: checks.every((c) => c.accepts),
      connections: checks,
    });
  }
  return verdicts;
}
