/**
 * The nodes a topology's replies list, each once, as its clients are told to dial it:
 * `CLUSTER SHARDS`, `CLUSTER SLOTS` and a Sentinel's `SENTINEL MASTERS` / `SENTINEL REPLICAS`
 * read into {@link TopologyNode}s, and every entry that is not what the command returns into a
 * `TOPOLOGY_REPLY_INVALID` finding. Bounded: at most {@link MAX_TOPOLOGY_NODES} nodes and a few
 * slot ranges each, whatever the replies hold.
 *
 * The replies, as Redis 7.0 documents them and as measured on redis-server 7.0.15:
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
import { respFields, respInteger, respText } from './resp.js';
import type { RespValue } from './resp.js';
import { masterNames, named, unknownCommand } from './topology-dialogue.js';
import type { AnnouncedAs, TopologyExchange, TopologyFinding, TopologyNode } from './topology.js';

/**
 * Most nodes judged in one walk. Redis Cluster is designed for up to 1,000 nodes (Redis Cluster
 * specification, "Main properties and rationales of the design"); each node is one connection
 * and one report.
 */
export const MAX_TOPOLOGY_NODES = 1000;

/** Longest text of a reply quoted in a message. */
const QUOTED = 120;

/** Most slot ranges listed per node (a scattered node has thousands). */
const SHOWN_RANGES = 4;

/** A server's text in a message: cut short, anything but printable ASCII escaped. */
export function quote(text: string): string {
  return shownName(text.length <= QUOTED ? text : `${text.slice(0, QUOTED)}…`);
}

/** `host:port`, an IPv6 address in brackets. */
export function nodeEndpoint(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${String(port)}`;
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
export interface NodeList {
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

export function nodeList(seedHost: string): NodeList {
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

export function readShards(reply: RespValue, list: NodeList): void {
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

export function readSlots(reply: RespValue, list: NodeList): void {
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

export function readSentinel(exchanges: readonly TopologyExchange[], list: NodeList): void {
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
