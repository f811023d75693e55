/** `certs snippet`: connection code for one Redis client, with verification on. */
import { SNIPPET_CLIENTS } from '@certkit/core/defaults';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
import { printJson } from '../output.js';

/**
 * The `snippet` command: parses arguments, calls core `makeConnectionSnippet`, prints the
 * snippet (data: core writes every value as an escaped literal, so it is printed as it is).
 *
 * @example
 * ```sh
 * certs snippet --client redis-py --endpoint redis-12000.redislabs.com:12000 --ca ca.pem
 * ```
 */
export const snippet = defineCommand({
  command: 'snippet',
  describe: 'print connection code for a Redis client with TLS verification on',
  builder: (y) =>
    y
      .usage(
        "certs snippet --client CLIENT --endpoint HOST:PORT --ca FILE [--cert FILE --key FILE] [--sni NAME] [--cluster] [--json]\n\nPrints the smallest program (or command, or stunnel configuration) that connects CLIENT to HOST:PORT and sends PING, with verification on: the chain against --ca, the name (--sni, else HOST) sent as SNI and checked, the client certificate presented; then, as comments, whether the client library checks names by default (redis-py before 6 does not: the snippet sets ssl_check_hostname=True; redis-cli never does: use stunnel with checkHost; Jedis before 7.5 does not: the Java program turns HTTPS endpoint identification on) and what to change when certs check shows this client's stack refusing the name or the chain. --cluster gives the cluster client (ioredis Cluster, node-redis createCluster, redis-py RedisCluster, redis-cli -c, Jedis and Lettuce notes). Paths are written absolute, quoted for the language. The files are checked first: the CA file must hold PEM certificates, the key must belong to the certificate (unencrypted; PKCS#8 for java); nothing is printed otherwise.",
      )
      .option('client', {
        choices: SNIPPET_CLIENTS,
        demandOption: 'give the client with --client',
        describe: 'the client to connect',
      })
      .option('endpoint', {
        type: 'string',
        requiresArg: true,
        demandOption: 'give the endpoint with --endpoint HOST:PORT',
        describe: 'the endpoint HOST:PORT (or [IPv6]:PORT); a cluster: one node of it',
      })
      .option('ca', {
        type: 'string',
        requiresArg: true,
        demandOption: 'give the CA file with --ca',
        describe: 'CA file (PEM) the server chain is verified against',
      })
      .option('cert', {
        type: 'string',
        requiresArg: true,
        describe: 'client certificate (PEM) to present',
      })
      .option('key', {
        type: 'string',
        requiresArg: true,
        describe: 'private key of --cert (PEM, unencrypted)',
      })
      .option('sni', {
        type: 'string',
        requiresArg: true,
        describe: 'name to send as SNI and check (default: the endpoint host)',
      })
      .option('cluster', {
        type: 'boolean',
        describe: 'a cluster client: every node is checked for its announced name',
      })
      .option('accept', {
        type: 'string',
        requiresArg: true,
        describe: 'stunnel: local plain-text address (default 127.0.0.1:6379)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    [
      'certs snippet --client ioredis --endpoint redis-12000.example.com:12000 --ca ca.pem --cert cert.pem --key keyclient.pem',
      'ioredis code with the chain, the name and a client certificate',
    ],
    [
      'certs snippet --client redis-py --endpoint 10.0.0.5:12000 --sni redis-12000.example.com --ca ca.pem',
      'redis-py, with ssl_check_hostname=True set explicitly',
    ],
    [
      'certs snippet --client ioredis --cluster --endpoint 10.0.0.5:7000 --ca ca.pem',
      'an ioredis Cluster: TLS and the name check on every node',
    ],
    [
      'certs snippet --client stunnel --endpoint redis-12000.example.com:12000 --ca ca.pem --cert cert.pem --key keyclient.pem > redis.conf',
      'a stunnel configuration with checkHost, for redis-cli',
    ],
  ],
  rules: [
    {
      when: { option: 'cert' },
      needs: [{ option: 'key' }],
      why: 'a client identity is a certificate and its key',
    },
    {
      when: { option: 'key' },
      needs: [{ option: 'cert' }],
      why: 'a client identity is a certificate and its key',
    },
    {
      when: { option: 'client', value: 'stunnel' },
      needs: [{ option: 'cert' }],
      why: 'stunnel presents a client identity (--cert and --key)',
    },
    {
      when: { option: 'accept' },
      needs: [{ option: 'client', value: 'stunnel' }],
      why: 'it is the local address of stunnel',
    },
    {
      when: { option: 'cluster', value: true },
      excludes: { option: 'client', value: 'stunnel' },
      why: 'stunnel tunnels one endpoint, and cluster clients follow MOVED past it',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const result = await core.makeConnectionSnippet({
      client: args.client,
      endpoint: args.endpoint,
      ca: args.ca,
      ...(args.cert === undefined ? {} : { cert: args.cert }),
      ...(args.key === undefined ? {} : { key: args.key }),
      ...(args.sni === undefined ? {} : { sni: args.sni }),
      ...(args.cluster === undefined ? {} : { cluster: args.cluster }),
      ...(args.accept === undefined ? {} : { accept: args.accept }),
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
    });
    if (args.json) {
      printJson(io, { ok: true, ...result });
      return EXIT_OK;
    }
    // The snippet is data certkit wrote: every value in it is an escaped literal of printable
    // ASCII (a stunnel path holds no control or bidi character), so it is printed as it is:
    // escaping it for the terminal would change the code.
    io.stdout(result.text);
    return EXIT_OK;
  },
});
