/**
 * What a Redis deployment says about itself, read from its replies: the topology they describe
 * (its kind, every node as its clients are told to dial it) and what the replies themselves show
 * (refusals, a standalone seed, nodes announced with port 0, on their plain-text port or as `?`).
 * The dialogue that gets the replies is topology-dialogue.ts; the reading of each command's reply
 * into nodes is topology-replies.ts. Pure: the replies are data (judge/resp.ts reads them from
 * bytes), so a topology can be judged in memory (judge/topology-check.ts).
 */
import type { Finding } from './finding.js';
import type { RespValue } from './resp.js';
import { errorText, modeOf, named, needsAuth } from './topology-dialogue.js';
import {
  MAX_TOPOLOGY_NODES,
  nodeEndpoint,
  nodeList,
  quote,
  readSentinel,
  readShards,
  readSlots,
} from './topology-replies.js';

/** What kind of deployment the seed belongs to. */
export type TopologyKind = 'cluster' | 'sentinel' | 'standalone' | 'unknown';

/** The command whose reply listed the nodes. */
export type TopologySource = 'CLUSTER SHARDS' | 'CLUSTER SLOTS' | 'SENTINEL MASTERS';

/** Stable codes of topology findings. */
export type TopologyFindingCode =
  /** A node announced by IP address presents a certificate without that IP address. */
  | 'TOPOLOGY_IP_WITHOUT_IP_SAN'
  /** A node is announced on a port that does not speak TLS (the plain-text port). */
  | 'TOPOLOGY_PLAINTEXT_PORT'
  /** A node is announced with port 0 or none: nothing can connect to it. */
  | 'TOPOLOGY_PORT_ZERO'
  /** A node announces `?`: hostnames are preferred and it has none. */
  | 'TOPOLOGY_NO_ENDPOINT'
  /** A node announces an empty endpoint: clients dial the seed's host on its port. */
  | 'TOPOLOGY_ENDPOINT_EMPTY'
  /** An announced node gave no certificate (down, refused, timed out). */
  | 'TOPOLOGY_NODE_UNREACHABLE'
  /** The nodes' certificates come from different issuers. */
  | 'TOPOLOGY_ISSUER_DIFFERS'
  /** A node's certificate names differ from those most nodes present. */
  | 'TOPOLOGY_NAMES_DIFFER'
  /** A cluster client, as configured, refuses a node its announced-address check accepts (or the other way round). */
  | 'TOPOLOGY_CLIENT_REFUSES'
  /** The seed is a standalone server: no topology to walk. */
  | 'TOPOLOGY_STANDALONE'
  /** The seed refused the topology commands (authentication, ACL, unknown command). */
  | 'TOPOLOGY_UNAVAILABLE'
  /** A reply or one of its entries is not what the command returns. */
  | 'TOPOLOGY_REPLY_INVALID'
  /** More nodes than certkit walks: only the first ones were judged. */
  | 'TOPOLOGY_TRUNCATED'
  /** The topology lists no node. */
  | 'TOPOLOGY_NO_NODES';

/**
 * One topology finding. `node` names the node as `host:port` when the finding is about one;
 * `nodes` lists them when it is about several; `certificate` names a certificate as the node's
 * report does (`host:port#1`).
 */
export type TopologyFinding = Finding<TopologyFindingCode, string> & {
  readonly node?: string;
  readonly nodes?: readonly string[];
};

/** How a node's host came to be. */
export type AnnouncedAs =
  /** An IP address. */
  | 'ip'
  /** A host name (`cluster-announce-hostname`, Sentinel's `announce-hostnames`). */
  | 'hostname'
  /** Nothing (empty or null): clients dial the seed's host. */
  | 'seed-host'
  /** `?`: no host at all. */
  | 'unknown';

/** One node, as its clients are told to reach it. */
export interface TopologyNode {
  /** `host:port` (an IPv6 address in brackets), as messages name the node. */
  readonly endpoint: string;
  /** The host clients dial: as announced, or the seed's host when none was ('' for `?`). */
  readonly host: string;
  /**
   * The port a TLS client dials: `tls-port` of `CLUSTER SHARDS`, else the announced port; 0 when
   * the node announces none.
   */
  readonly port: number;
  readonly announcedAs: AnnouncedAs;
  /** The reply says the port is the plain-text one (`CLUSTER SHARDS` without `tls-port`). */
  readonly plaintext: boolean;
  readonly role: 'master' | 'replica';
  /** Cluster node id. */
  readonly id?: string;
  /** The slot ranges a master serves, `0-5460` (at most a few listed). */
  readonly slots?: string;
  /** The Sentinel master this server belongs to. */
  readonly master?: string;
  /** `online`, `failed`, `loading` (CLUSTER SHARDS), or Sentinel's flags. */
  readonly health?: string;
  /** The deployment itself sees the node as failed or down. */
  readonly down: boolean;
}

/** A command sent to the seed and what it replied. */
export interface TopologyExchange {
  readonly command: readonly string[];
  readonly reply: RespValue;
}

/** What the replies describe. */
export interface Topology {
  /** The seed, `host:port`. */
  readonly seed: string;
  readonly kind: TopologyKind;
  /** The server's own word for its mode (HELLO `mode`, INFO `redis_mode`), when it said one. */
  readonly mode?: string;
  /** 3 when HELLO 3 switched the connection to RESP3. */
  readonly protocol: 2 | 3;
  readonly source?: TopologySource;
  /** Every node, each once, masters first as listed. */
  readonly nodes: readonly TopologyNode[];
  /** What the replies themselves show (ports, endpoints, refusals, bad entries). */
  readonly findings: readonly TopologyFinding[];
}

/** The findings every node's announcement carries, whatever its certificate. */
function announcementFindings(topology: {
  kind: TopologyKind;
  nodes: readonly TopologyNode[];
}): TopologyFinding[] {
  const findings: TopologyFinding[] = [];
  const cluster = topology.kind === 'cluster';
  for (const node of topology.nodes) {
    if (node.announcedAs === 'unknown') {
      findings.push({
        code: 'TOPOLOGY_NO_ENDPOINT',
        severity: 'error',
        message: `a node (port ${String(node.port)}${node.id === undefined ? '' : `, id ${node.id}`}) announces "?" as its endpoint: hostnames are preferred (cluster-preferred-endpoint-type hostname) and it has none, so no client can reach it; set cluster-announce-hostname on that node`,
        node: node.endpoint,
      });
      continue;
    }
    if (node.port === 0) {
      findings.push({
        code: 'TOPOLOGY_PORT_ZERO',
        severity: 'error',
        message: cluster
          ? `${node.endpoint} is announced with port 0: a TLS-only node (port 0) announces its plain-text port when tls-cluster is off; set tls-cluster yes (and tls-replication yes) on every node so that the TLS port is announced`
          : `${node.endpoint} is announced with port 0: no client can connect to it; set replica-announce-port or tls-replication yes on the server`,
        node: node.endpoint,
      });
      continue;
    }
    if (node.plaintext) {
      findings.push({
        code: 'TOPOLOGY_PLAINTEXT_PORT',
        severity: 'error',
        message: `${node.endpoint} is announced on its plain-text port (CLUSTER SHARDS gives no tls-port): with tls-cluster off the nodes announce plain-text ports, and TLS clients are sent to a port that does not speak TLS; set tls-cluster yes and tls-replication yes on every node`,
        node: node.endpoint,
      });
    }
    if (node.announcedAs === 'seed-host') {
      findings.push({
        code: 'TOPOLOGY_ENDPOINT_EMPTY',
        severity: 'info',
        message: `a node on port ${String(node.port)} announces an empty endpoint: clients dial the host they connected to (${node.endpoint})`,
        node: node.endpoint,
      });
    }
  }
  return findings;
}

/**
 * The topology the seed's replies describe: its kind, every node once (as clients are told to
 * dial it), and what the replies themselves show: nodes announced with port 0 or on their
 * plain-text port, `?` endpoints, refusals, entries that are not what the command returns.
 * Hostile replies give findings, never a throw.
 *
 * @param seed - the endpoint the replies came from, as the client dials it
 *
 * @example
 * ```ts
 * const topology = readTopology({ host: '10.0.0.5', port: 6379 }, exchanges);
 * for (const node of topology.nodes) console.log(node.endpoint, node.role);
 * ```
 */
export function readTopology(
  seed: { readonly host: string; readonly port: number },
  exchanges: readonly TopologyExchange[],
): Topology {
  const list = nodeList(seed.host);
  const hello = named(exchanges, 'HELLO', '3');
  const protocol = hello !== undefined && hello.type !== 'error' ? 3 : 2;
  const mode = modeOf(exchanges);
  const base = {
    seed: nodeEndpoint(seed.host, seed.port),
    ...(mode === undefined ? {} : { mode: quote(mode) }),
    protocol,
  } as const;
  /** A topology of no node: the seed's replies end the walk with `finding`. */
  const ended = (kind: 'standalone' | 'unknown', finding: TopologyFinding): Topology => ({
    ...base,
    kind,
    nodes: [],
    findings: [finding],
  });
  const refused = (command: string, reply: RespValue | undefined): Topology =>
    ended('unknown', {
      code: 'TOPOLOGY_UNAVAILABLE',
      severity: 'error',
      message: `the seed refused ${command}: ${quote(errorText(reply) ?? 'no reply')}${needsAuth(reply) ? ' (certkit sends no password: the walk needs a server that answers without AUTH, or an ACL user "default" allowed these commands)' : ''}`,
    });
  /** A seed with no topology to walk: `why`, after its endpoint. */
  const standalone = (why: string): Topology =>
    ended('standalone', {
      code: 'TOPOLOGY_STANDALONE',
      severity: 'warning',
      message: `${base.seed} ${why}`,
    });
  if (hello !== undefined && needsAuth(hello)) return refused('HELLO 3', hello);
  if (mode === 'standalone') {
    return standalone(
      'is a standalone server (mode standalone): it has no cluster or Sentinel topology to walk',
    );
  }
  const shards = named(exchanges, 'CLUSTER', 'SHARDS');
  const slots = named(exchanges, 'CLUSTER', 'SLOTS');
  const masters = named(exchanges, 'SENTINEL', 'MASTERS');
  let kind: TopologyKind;
  let source: TopologySource;
  if (masters !== undefined && (mode === 'sentinel' || mode === undefined)) {
    if (masters.type === 'error') return refused('SENTINEL MASTERS', masters);
    kind = 'sentinel';
    source = 'SENTINEL MASTERS';
    readSentinel(exchanges, list);
  } else if (shards !== undefined && shards.type !== 'error') {
    kind = 'cluster';
    source = 'CLUSTER SHARDS';
    readShards(shards, list);
  } else if (slots !== undefined && slots.type !== 'error') {
    kind = 'cluster';
    source = 'CLUSTER SLOTS';
    readSlots(slots, list);
  } else if (shards !== undefined) {
    const cause = slots ?? shards;
    if (/cluster support disabled/i.test(errorText(cause) ?? '')) {
      return standalone(
        'is not part of a cluster (cluster support disabled) nor a Sentinel: no topology to walk',
      );
    }
    return refused(slots === undefined ? 'CLUSTER SHARDS' : 'CLUSTER SLOTS', cause);
  } else {
    return refused('the topology commands', hello);
  }
  const nodes = list.finished();
  const findings: TopologyFinding[] = [...list.findings, ...announcementFindings({ kind, nodes })];
  if (list.truncated() > 0) {
    findings.push({
      code: 'TOPOLOGY_TRUNCATED',
      severity: 'warning',
      message: `the topology lists more than ${String(MAX_TOPOLOGY_NODES)} nodes: ${String(list.truncated())} more were not judged`,
    });
  }
  if (nodes.length === 0) {
    findings.push({
      code: 'TOPOLOGY_NO_NODES',
      severity: 'error',
      message: `${source} lists no node${kind === 'cluster' ? ' (no slot is assigned: create the cluster first)' : ''}`,
    });
  }
  return { ...base, kind, source, nodes, findings };
}
