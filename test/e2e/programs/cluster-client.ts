/**
 * An ioredis Cluster client, as an application configures one, run by the topology tests
 * (`node --import tsx cluster-client.ts CONFIG`): connects to the seed, SETs one key in each
 * node's slots, and prints what happened as JSON.
 *
 * CONFIG: `{ seed: { host, port }, mode: 'default' | 'names' | 'servername', servername?, ca,
 * cert, key, resolve: { NAME: ADDRESS }, keys: { NODE: KEY } }`. `resolve` stands in for DNS (no
 * /etc/hosts edits): the seed's `dnsLookup` and every node connection's `lookup` answer those
 * names with those addresses; what is checked against the certificate is still the name (or the
 * address ioredis resolved the seed to), exactly as with real DNS. The modes: ioredis' defaults
 * (the seed's name resolved to an address first), `dnsLookup` keeping names, and one
 * `redisOptions.tls.servername` for every connection.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';

interface Config {
  readonly seed: { readonly host: string; readonly port: number };
  readonly mode: 'default' | 'names' | 'servername';
  readonly servername?: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly resolve?: Readonly<Record<string, string>>;
  readonly keys: Readonly<Record<string, string>>;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const pins = config.resolve ?? {};

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** net.connect's lookup: the pinned names, else DNS. */
function lookup(host: string, options: LookupOptions, callback: LookupCallback): void {
  const address = pins[host];
  if (address === undefined) {
    dnsLookup(host, { ...options, all: true }, (error, addresses) => {
      if (options.all === true) callback(error, addresses);
      else callback(error, addresses[0]?.address ?? '', addresses[0]?.family);
    });
    return;
  }
  const family = address.includes(':') ? 6 : 4;
  if (options.all === true) callback(null, [{ address, family }]);
  else callback(null, address, family);
}

const cluster = new Cluster([config.seed], {
  redisOptions: {
    tls: {
      ca: readFileSync(config.ca),
      cert: readFileSync(config.cert),
      key: readFileSync(config.key),
      lookup,
      ...(config.mode === 'servername' && config.servername !== undefined
        ? { servername: config.servername }
        : {}),
    },
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
  },
  clusterRetryStrategy: () => null,
  slotsRefreshTimeout: 5000,
  dnsLookup:
    config.mode === 'names'
      ? (address, callback) => {
          callback(null, address);
        }
      : // The default: the seed's name resolved to an address (through the pins, as DNS would).
        (host, callback) => {
          lookup(host, {}, (error, address) => {
            callback(error, typeof address === 'string' ? address : (address[0]?.address ?? ''));
          });
        },
});
const nodeErrors: { node: string; message: string }[] = [];
cluster.on('node error', (error: Error, node: string) => {
  nodeErrors.push({ node, message: error.message });
});
cluster.on('error', () => undefined);
const results: Record<string, string> = {};
for (const [node, key] of Object.entries(config.keys)) {
  try {
    await cluster.set(key, '1');
    results[node] = 'ok';
  } catch (error) {
    results[node] = `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}
cluster.disconnect();
process.stdout.write(`${JSON.stringify({ results, nodeErrors })}\n`);
process.exit(0);
