/**
 * The dialogue with a topology's seed: which command to send next, given the replies so far
 * (replies are data: judge/resp.ts reads them from bytes, io/resp.ts carries them), and the few
 * facts every later step reads back from those replies (the mode the server says it runs in,
 * refusals, the Sentinel's master names).
 *
 * What the commands return, as Redis 7.0 documents them and as measured on redis-server 7.0.15:
 * - `HELLO 3` answers a map whose `mode` is `cluster`, `standalone` or `sentinel`, and switches
 *   the connection to RESP3 (maps where RESP2 sends flat arrays of names and values). A server
 *   that does not know HELLO (before 6.0) answers an error; `INFO server` then says
 *   `redis_mode:`.
 * - `CLUSTER SHARDS` (7.0+), then `CLUSTER SLOTS` when SHARDS is unknown: the nodes of a cluster
 *   (topology-replies.ts reads them).
 * - A Sentinel answers `SENTINEL MASTERS` and `SENTINEL REPLICAS <name>` (`SLAVES` before 5.0).
 */
import { respFields, respText } from './resp.js';
import type { RespValue } from './resp.js';
import type { TopologyExchange } from './topology.js';

/**
 * Most Sentinel masters whose replicas are asked for: one command each, on one connection.
 */
export const MAX_SENTINEL_MASTERS = 64;

/** The reply to `command`, when it was sent. */
export function named(
  exchanges: readonly TopologyExchange[],
  ...command: string[]
): RespValue | undefined {
  const key = command.join(' ').toUpperCase();
  return exchanges.find((e) => e.command.join(' ').toUpperCase() === key)?.reply;
}

/** The text of an error reply. */
export function errorText(reply: RespValue | undefined): string | undefined {
  return reply?.type === 'error' ? reply.text : undefined;
}

/** The error reply says the server does not know the command (or subcommand). */
export function unknownCommand(reply: RespValue | undefined): boolean {
  const text = errorText(reply)?.toLowerCase() ?? '';
  return text.startsWith('err unknown command') || text.startsWith('err unknown subcommand');
}

/** The error reply says we must authenticate first. */
export function needsAuth(reply: RespValue | undefined): boolean {
  const text = errorText(reply) ?? '';
  return /^(NOAUTH|WRONGPASS|NOPERM)\b/.test(text);
}

/** The mode the server says it runs in, lower-cased. */
export function modeOf(exchanges: readonly TopologyExchange[]): string | undefined {
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
export function masterNames(reply: RespValue | undefined): string[] {
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
