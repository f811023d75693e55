/**
 * What a Redis deployment says about itself, read from its replies: the dialogue with the seed
 * endpoint (which command to send next, given the replies so far) and the topology the replies
 * describe (every node as its clients are told to dial it). Pure: the replies are data
 * (judge/resp.ts reads them from bytes), so a topology can be judged in memory
 * (judge/topology-check.ts).
 *
 * What the commands return, as Redis 7.0 documents them and as measured on redis-server 7.0.15:
 * - `HELLO 3` answers a map whose `mode` is `cluster`, `standalone` or `sentinel`, and switches
 *   the connection to RESP3 (maps where RESP2 sends flat arrays of names and values). A server
 *   that does not know HELLO (before 6.0) answers an error; `INFO server` then says
 *   `redis_mode:`.
 * - `CLUSTER SHARDS` (7.0+): per shard its `slots` and `nodes`; per node `id`, `port` (the
 *   plain-text port, when it has one), `tls-port` (only with `tls-cluster yes`: a node with
 *   `tls-cluster no` knows no other node's TLS port), `ip`, `endpoint` (what clients are to dial,
 *   by `cluster-preferred-endpoint-type`), `hostname`, `role`, `health`.
 * - `CLUSTER SLOTS` (the fallback, and what ioredis and redis-py 4 read): per slot range its
 *   nodes as `[endpoint, port, id, metadata]`, the port being the TLS port to a TLS client when
 *   `tls-cluster yes`, else the plain-text port, which is 0 for a TLS-only node (`port 0`).
 *   `endpoint` is `?` when hostnames are preferred and the node announces none, and empty or
 *   null when the client is to use the host it connected to.
 * - A Sentinel answers `SENTINEL MASTERS` and `SENTINEL REPLICAS <name>` (`SLAVES` before 5.0)
 *   with one map per server (`name`, `ip`, `port` as a string, `flags`).
 */
import { isDnsName } from '../x509/dns-name.js';
import { parseIpAddress } from '../x509/ip.js';
import { shownName } from './client-names.js';
import type { Finding } from './finding.js';
import { respFields, respInteger, respText } from './resp.js';
import type { RespValue } from './resp.js';

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

/**
 * Most nodes judged in one walk. Redis Cluster is designed for up to 1,000 nodes (Redis Cluster
 * specification, "Main properties and rationales of the design"); each node is one connection
 * and one report.
 */
export const MAX_TOPOLOGY_NODES = 1000;

/**
 * Most Sentinel masters whose replicas are asked for: one command each, on one connection.
 */
export const MAX_SENTINEL_MASTERS = 64;

/** Longest text of a reply quoted in a message. */
const QUOTED = 120;

/** Most slot ranges listed per node (a scattered node has thousands). */
const SHOWN_RANGES = 4;

/** A server's text in a message: cut short, anything but printable ASCII escaped. */
function quote(text: string): string {
  return shownName(text.length <= QUOTED ? text : `${text.slice(0, QUOTED)}…`);
}

/** `host:port`, an IPv6 address in brackets. */
export function nodeEndpoint(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${String(port)}`;
}

function named(
  exchanges: readonly TopologyExchange[],
  ...command: string[]
): RespValue | undefined {
  const key = command.join(' ').toUpperCase();
  return exchanges.find((e) => e.command.join(' ').toUpperCase() === key)?.reply;
}

function errorText(reply: RespValue | undefined): string | undefined {
  return reply?.type === 'error' ? reply.text : undefined;
}

/** The error reply says the server does not know the command (or subcommand). */
function unknownCommand(reply: RespValue | undefined): boolean {
  const text = errorText(reply)?.toLowerCase() ?? '';
  return text.startsWith('err unknown command') || text.startsWith('err unknown subcommand');
}

/** The error reply says we must authenticate first. */
function needsAuth(reply: RespValue | undefined): boolean {
  const text = errorText(reply) ?? '';
  return /^(NOAUTH|WRONGPASS|NOPERM)\b/.test(text);
}

/** The mode the server says it runs in, lower-cased. */
function modeOf(exchanges: readonly TopologyExchange[]): string | undefined {
  const hello = respFields(named(exchanges, 'HELLO', '3'));
  const mode = respText(hello?.get('mode'));
  if (mode !== undefined) return mode.toLowerCase();
  const info = respText(named(exchanges, 'INFO', 'server'));
  if (info === undefined) return undefined;
  for (const row of info.split('\n')) {
    if (row.startsWith('redis_mode:')) return row.slice('redis_mode:'.length).trim().toLowerCase();
  }
  return undefined;
}

/** Sentinel master names from `SENTINEL MASTERS`, at most {@link MAX_SENTINEL_MASTERS}. */
function masterNames(reply: RespValue | undefined): string[] {
  if (reply?.type !== 'array') return [];
  const names: string[] = [];
  for (const item of reply.items) {
    const name = respText(respFields(item)?.get('name'));
    if (name !== undefined && name.length > 0 && name.length <= 256 && !names.includes(name)) {
      names.push(name);
    }
    if (names.length >= MAX_SENTINEL_MASTERS) break;
  }
  return names;
}

function nextSentinelCommand(exchanges: readonly TopologyExchange[]): readonly string[] | null {
  const masters = named(exchanges, 'SENTINEL', 'MASTERS');
  if (masters === undefined) return ['SENTINEL', 'MASTERS'];
  for (const name of masterNames(masters)) {
    const replicas = named(exchanges, 'SENTINEL', 'REPLICAS', name);
    if (replicas === undefined) return ['SENTINEL', 'REPLICAS', name];
    if (unknownCommand(replicas) && named(exchanges, 'SENTINEL', 'SLAVES', name) === undefined) {
      return ['SENTINEL', 'SLAVES', name];
    }
  }
  return null;
}

/**
 * The command to send the seed next, given the replies so far; `null` when the topology is
 * known (or cannot be). `HELLO 3` first (the mode, and RESP3); `INFO server` when HELLO is
 * unknown; then `CLUSTER SHARDS`, `CLUSTER SLOTS` when SHARDS is unknown (before 7.0), or for a
 * Sentinel `SENTINEL MASTERS` and `SENTINEL REPLICAS` of each master. At most
 * 4 + 2 × {@link MAX_SENTINEL_MASTERS} commands in all.
 *
 * @example
 * ```ts
 * nextTopologyCommand([]); // ['HELLO', '3']
 * ```
 */
export function nextTopologyCommand(
  exchanges: readonly TopologyExchange[],
): readonly string[] | null {
  const hello = named(exchanges, 'HELLO', '3');
  if (hello === undefined) return ['HELLO', '3'];
  if (needsAuth(hello)) return null;
  if (hello.type === 'error' && named(exchanges, 'INFO', 'server') === undefined) {
    return ['INFO', 'server'];
  }
  const mode = modeOf(exchanges);
  if (mode === 'standalone') return null;
  if (mode === 'sentinel') return nextSentinelCommand(exchanges);
  const shards = named(exchanges, 'CLUSTER', 'SHARDS');
  if (shards === undefined) return ['CLUSTER', 'SHARDS'];
  if (!unknownCommand(shards)) return null;
  // A server that said no mode and knows no CLUSTER command at all may be a Sentinel.
  if (mode === undefined && /^err unknown command/i.test(errorText(shards) ?? '')) {
    return nextSentinelCommand(exchanges);
  }
  return named(exchanges, 'CLUSTER', 'SLOTS') === undefined ? ['CLUSTER', 'SLOTS'] : null;
}

/** A node as read, before it is kept. */
interface NodeEntry {
  readonly endpoint: RespValue | undefined;
  readonly port: number;
  readonly plaintext: boolean;
  readonly role: 'master' | 'replica';
  readonly id?: string;
  readonly ranges?: readonly (readonly [number, number])[];
  readonly master?: string;
  readonly health?: string;
  readonly down: boolean;
}

/** Collects nodes and findings while the replies are read. */
interface NodeList {
  readonly findings: TopologyFinding[];
  /** Nodes left out past {@link MAX_TOPOLOGY_NODES}. */
  readonly truncated: () => number;
  readonly invalid: (message: string) => void;
  readonly add: (entry: NodeEntry, where: string) => void;
  /** The nodes with their slot ranges written out. */
  readonly finished: () => TopologyNode[];
}

/** Where an announced endpoint sends clients, or why it sends them nowhere. */
function hostOf(
  announced: RespValue | undefined,
  seedHost: string,
): { host: string; announcedAs: AnnouncedAs } | { problem: string } {
  if (announced === undefined || announced.type === 'null') {
    return { host: seedHost, announcedAs: 'seed-host' };
  }
  const text = respText(announced);
  if (text === undefined) return { problem: 'the endpoint is not a string' };
  if (text === '') return { host: seedHost, announcedAs: 'seed-host' };
  if (text === '?') return { host: '', announcedAs: 'unknown' };
  if (parseIpAddress(text) !== null) return { host: text, announcedAs: 'ip' };
  // A host name: DNS syntax, or at least one printable word without a colon (container names
  // with underscores resolve too).
  if (isDnsName(text) || /^[\x21-\x39\x3b-\x7e]{1,253}$/.test(text)) {
    return { host: text, announcedAs: 'hostname' };
  }
  return { problem: `the endpoint "${quote(text)}" is no host name or IP address` };
}

function nodeList(seedHost: string): NodeList {
  const nodes: TopologyNode[] = [];
  const findings: TopologyFinding[] = [];
  const keys = new Map<string, number>();
  const ranges = new Map<number, [number, number][]>();
  const rangeCounts = new Map<number, number>();
  let truncated = 0;
  const invalid = (message: string): void => {
    // A reply of a thousand bad entries says so five times, not a thousand.
    if (findings.filter((f) => f.code === 'TOPOLOGY_REPLY_INVALID').length >= 5) return;
    findings.push({ code: 'TOPOLOGY_REPLY_INVALID', severity: 'error', message });
  };
  const addRanges = (index: number, more: readonly (readonly [number, number])[]): void => {
    const kept = ranges.get(index) ?? [];
    rangeCounts.set(index, (rangeCounts.get(index) ?? 0) + more.length);
    for (const range of more) if (kept.length < SHOWN_RANGES) kept.push([range[0], range[1]]);
    ranges.set(index, kept);
  };
  return {
    findings,
    truncated: () => truncated,
    invalid,
    add(entry, where) {
      const at = hostOf(entry.endpoint, seedHost);
      if ('problem' in at) {
        invalid(`${where}: ${at.problem}`);
        return;
      }
      const key = entry.id ?? `${at.host}:${String(entry.port)}`;
      const known = keys.get(key);
      if (known !== undefined) {
        if (entry.ranges !== undefined) addRanges(known, entry.ranges);
        return;
      }
      if (nodes.length >= MAX_TOPOLOGY_NODES) {
        truncated++;
        return;
      }
      const index = nodes.length;
      keys.set(key, index);
      nodes.push({
        endpoint:
          at.announcedAs === 'unknown'
            ? `?:${String(entry.port)}`
            : nodeEndpoint(at.host, entry.port),
        host: at.host,
        port: entry.port,
        announcedAs: at.announcedAs,
        plaintext: entry.plaintext,
        role: entry.role,
        ...(entry.id === undefined ? {} : { id: entry.id }),
        ...(entry.master === undefined ? {} : { master: entry.master }),
        ...(entry.health === undefined ? {} : { health: entry.health }),
        down: entry.down,
      });
      if (entry.ranges !== undefined) addRanges(index, entry.ranges);
    },
    finished: () =>
      nodes.map((node, i) => {
        const kept = ranges.get(i);
        if (kept === undefined || kept.length === 0) return node;
        const total = rangeCounts.get(i) ?? kept.length;
        const shown = kept.map(([a, b]) => (a === b ? String(a) : `${String(a)}-${String(b)}`));
        const more = total > kept.length ? ` and ${String(total - kept.length)} more ranges` : '';
        return { ...node, slots: `${shown.join(',')}${more}` };
      }),
  };
}

function slotRange(
  start: RespValue | undefined,
  end: RespValue | undefined,
): [number, number] | undefined {
  const a = respInteger(start);
  const b = respInteger(end);
  if (a === undefined || b === undefined || a < 0 || b > 16383 || a > b) return undefined;
  return [a, b];
}

function validPort(port: number | undefined): number | undefined {
  return port !== undefined && Number.isInteger(port) && port >= 0 && port <= 65535
    ? port
    : undefined;
}

function readShards(reply: RespValue, list: NodeList): void {
  if (reply.type !== 'array') {
    list.invalid('CLUSTER SHARDS did not answer a list of shards');
    return;
  }
  // Shards in the order of their first slot (Redis lists them in its own dictionary order),
  // shards without slots last; messages still number them as sent.
  const firstSlot = (value: RespValue): number => {
    const slots = respFields(value)?.get('slots');
    const first = slots?.type === 'array' ? respInteger(slots.items[0]) : undefined;
    return first ?? Number.MAX_SAFE_INTEGER;
  };
  const order = reply.items
    .map((value, index) => ({ value, index, first: firstSlot(value) }))
    .sort((a, b) => a.first - b.first || a.index - b.index);
  order.forEach(({ value: shardValue, index: s }) => {
    const shard = respFields(shardValue);
    const nodes = shard?.get('nodes');
    if (shard === undefined || nodes?.type !== 'array') {
      list.invalid(`CLUSTER SHARDS shard ${String(s + 1)} has no list of nodes`);
      return;
    }
    const slots = shard.get('slots');
    const ranges: [number, number][] = [];
    if (slots?.type === 'array') {
      for (let i = 0; i + 1 < slots.items.length; i += 2) {
        const range = slotRange(slots.items[i], slots.items[i + 1]);
        if (range !== undefined) ranges.push(range);
      }
    }
    nodes.items.forEach((nodeValue, n) => {
      const where = `CLUSTER SHARDS shard ${String(s + 1)} node ${String(n + 1)}`;
      const node = respFields(nodeValue);
      if (node === undefined) {
        list.invalid(`${where} is not a map of fields`);
        return;
      }
      const tlsPortValue = node.get('tls-port');
      const portValue = node.get('port');
      const tlsPort = validPort(respInteger(tlsPortValue));
      const port = validPort(respInteger(portValue));
      if (
        (tlsPortValue !== undefined && tlsPort === undefined) ||
        (portValue !== undefined && port === undefined)
      ) {
        list.invalid(`${where}: a port is not a number from 0 to 65535`);
        return;
      }
      const role = respText(node.get('role'));
      const health = respText(node.get('health'));
      const id = respText(node.get('id'));
      const endpoint = node.get('endpoint') ?? node.get('ip');
      const plaintext = (tlsPort === undefined || tlsPort === 0) && port !== undefined && port > 0;
      list.add(
        {
          endpoint,
          port: tlsPort !== undefined && tlsPort > 0 ? tlsPort : (port ?? 0),
          plaintext,
          role: role === 'master' ? 'master' : 'replica',
          ...(id === undefined ? {} : { id: quote(id) }),
          ...(role === 'master' ? { ranges } : {}),
          ...(health === undefined ? {} : { health: quote(health) }),
          down: health !== undefined && health !== 'online',
        },
        where,
      );
    });
  });
}

function readSlots(reply: RespValue, list: NodeList): void {
  if (reply.type !== 'array') {
    list.invalid('CLUSTER SLOTS did not answer a list of slot ranges');
    return;
  }
  reply.items.forEach((rangeValue, r) => {
    const items = rangeValue.type === 'array' ? rangeValue.items : undefined;
    const range = slotRange(items?.[0], items?.[1]);
    if (items === undefined || range === undefined) {
      list.invalid(`CLUSTER SLOTS range ${String(r + 1)} has no slot range`);
      return;
    }
    items.slice(2).forEach((nodeValue, n) => {
      const where = `CLUSTER SLOTS range ${String(r + 1)} node ${String(n + 1)}`;
      const node = nodeValue.type === 'array' ? nodeValue.items : undefined;
      const port = validPort(respInteger(node?.[1]));
      if (node === undefined || port === undefined) {
        list.invalid(`${where} has no endpoint and port`);
        return;
      }
      const id = respText(node[2]);
      list.add(
        {
          endpoint: node[0],
          port,
          plaintext: false,
          role: n === 0 ? 'master' : 'replica',
          ...(id === undefined ? {} : { id: quote(id) }),
          ...(n === 0 ? { ranges: [range] } : {}),
          down: false,
        },
        where,
      );
    });
  });
}

const DOWN_FLAGS = ['s_down', 'o_down', 'disconnected'];

function readSentinel(exchanges: readonly TopologyExchange[], list: NodeList): void {
  const masters = named(exchanges, 'SENTINEL', 'MASTERS');
  if (masters?.type !== 'array') {
    list.invalid('SENTINEL MASTERS did not answer a list of masters');
    return;
  }
  const server = (
    value: RespValue,
    role: 'master' | 'replica',
    master: string | undefined,
    where: string,
  ): void => {
    const fields = respFields(value);
    const port = validPort(respInteger(fields?.get('port')));
    if (fields === undefined || port === undefined) {
      list.invalid(`${where} has no ip and port`);
      return;
    }
    const flags = respText(fields.get('flags')) ?? '';
    list.add(
      {
        endpoint: fields.get('ip'),
        port,
        plaintext: false,
        role,
        ...(master === undefined ? {} : { master: quote(master) }),
        ...(flags === '' ? {} : { health: quote(flags) }),
        down: flags.split(',').some((f) => DOWN_FLAGS.includes(f)),
      },
      where,
    );
  };
  masters.items.forEach((item, m) => {
    server(
      item,
      'master',
      respText(respFields(item)?.get('name')),
      `SENTINEL MASTERS entry ${String(m + 1)}`,
    );
  });
  for (const name of masterNames(masters)) {
    const replicas = named(exchanges, 'SENTINEL', 'REPLICAS', name);
    const reply = unknownCommand(replicas)
      ? named(exchanges, 'SENTINEL', 'SLAVES', name)
      : replicas;
    if (reply === undefined) continue;
    if (reply.type !== 'array') {
      list.invalid(`SENTINEL REPLICAS ${quote(name)} did not answer a list of replicas`);
      continue;
    }
    reply.items.forEach((item, i) => {
      server(item, 'replica', name, `SENTINEL REPLICAS ${quote(name)} entry ${String(i + 1)}`);
    });
  }
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
  const refused = (command: string, reply: RespValue | undefined): Topology => ({
    ...base,
    kind: 'unknown',
    nodes: [],
    findings: [
      {
        code: 'TOPOLOGY_UNAVAILABLE',
        severity: 'error',
        message: `the seed refused ${command}: ${quote(errorText(reply) ?? 'no reply')}${needsAuth(reply) ? ' (certkit sends no password: the walk needs a server that answers without AUTH, or an ACL user "default" allowed these commands)' : ''}`,
      },
    ],
  });
  if (hello !== undefined && needsAuth(hello)) return refused('HELLO 3', hello);
  if (mode === 'standalone') {
    return {
      ...base,
      kind: 'standalone',
      nodes: [],
      findings: [
        {
          code: 'TOPOLOGY_STANDALONE',
          severity: 'warning',
          message: `${base.seed} is a standalone server (mode standalone): it has no cluster or Sentinel topology to walk`,
        },
      ],
    };
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
      return {
        ...base,
        kind: 'standalone',
        nodes: [],
        findings: [
          {
            code: 'TOPOLOGY_STANDALONE',
            severity: 'warning',
            message: `${base.seed} is not part of a cluster (cluster support disabled) nor a Sentinel: no topology to walk`,
          },
        ],
      };
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
