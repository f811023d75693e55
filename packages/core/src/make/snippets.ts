/**
 * Connection snippets: the smallest code or command that connects one Redis client to a TLS
 * endpoint with verification on (the chain against the CA file, the server's name, a client
 * certificate), and what to change when `certs check` shows that client's stack refusing the
 * name or the chain. Each snippet is a whole program (or configuration) that runs as printed,
 * and every one is run against a real TLS redis-server in the tests. Text only: the files it
 * names are checked by workflows/snippet.ts, which also hands over the client libraries'
 * name-check defaults (judge/client-libraries.ts) that the advice repeats.
 *
 * No snippet turns verification off, and none names a way to: a refused connection is fixed in
 * the certificate or the CA file.
 */
import { isAbsolute } from 'node:path';
import { SNIPPET_CLIENTS } from '../defaults.js';
import type { SnippetClient } from '../defaults.js';
import { CertkitError } from '../errors.js';
import { stunnelDnsName, stunnelHost } from '../x509/stunnel-syntax.js';
import type { StunnelHost } from '../x509/stunnel-syntax.js';
import { renderCode } from './snippet-code.js';
import { checkQuotable, commentLines } from './snippet-quote.js';

export { SNIPPET_CLIENTS };
export type { SnippetClient };

/** The language of a snippet. */
export type SnippetLanguage = 'javascript' | 'python' | 'bash' | 'stunnel' | 'java';

/**
 * A client library's name-check default, as the advice repeats it (the shape of a row of
 * judge/client-libraries.ts `CLIENT_LIBRARIES`, which the workflow passes in).
 */
export interface SnippetLibraryDefault {
  readonly library: string;
  readonly since?: string;
  readonly before?: string;
  readonly nameCheck: 'on' | 'off' | 'never';
  readonly enable: string;
}

/** The libraries whose defaults a snippet's advice repeats, by client. */
export const SNIPPET_LIBRARIES: Readonly<Record<SnippetClient, readonly string[]>> = {
  ioredis: ['ioredis'],
  'node-redis': ['node-redis'],
  'redis-py': ['redis-py'],
  'redis-cli': ['redis-cli'],
  stunnel: ['stunnel'],
  java: ['Jedis', 'Lettuce'],
};

/** Options of {@link renderConnectionSnippet}. Paths must be absolute. */
export interface ConnectionSnippetOptions {
  readonly client: SnippetClient;
  /** The endpoint: a DNS name or an IP address (IPv6 without brackets), and a port. */
  readonly endpoint: { readonly host: string; readonly port: number };
  /** CA file the server's chain is verified against (PEM). */
  readonly ca: string;
  /** Client certificate (PEM), with {@link ConnectionSnippetOptions.key}. */
  readonly cert?: string;
  /** Its private key (PEM; PKCS#8 for java). */
  readonly key?: string;
  /** SNI name to send, and the name checked; default: the endpoint host. */
  readonly sni?: string;
  /** A cluster client (ioredis Cluster, node-redis createCluster, redis-py RedisCluster, …). */
  readonly cluster?: boolean;
  /** stunnel only: the local plain-text address (default 127.0.0.1:6379). */
  readonly accept?: string;
  /** The name-check defaults of the client's libraries, repeated in the advice. */
  readonly libraries?: readonly SnippetLibraryDefault[];
}

/** A snippet: its text (code, then the advice as comments) and what it does. */
export interface ConnectionSnippet {
  readonly client: SnippetClient;
  readonly language: SnippetLanguage;
  /** How to run it, in one line. */
  readonly run: string;
  /** The name sent as SNI and checked (or only sent: see `nameChecked`). */
  readonly name: string;
  /** False for redis-cli, which checks no name. */
  readonly nameChecked: boolean;
  /** What to know and what to change, one sentence each (also comments at the end of `text`). */
  readonly advice: readonly string[];
  /** The whole snippet: printable ASCII lines (stunnel: no control or bidi character). */
  readonly text: string;
}

/** What the renderers of snippet-code.ts are given: checked values. */
export interface SnippetInput {
  readonly client: SnippetClient;
  readonly host: StunnelHost;
  readonly port: number;
  /** The name sent and checked: `sni`, else the host. */
  readonly name: string;
  /** True when {@link SnippetInput.name} is a DNS name (SNI is sent); false for an address. */
  readonly nameIsDns: boolean;
  /** True when `sni` names another host than the endpoint's. */
  readonly sniDiffers: boolean;
  readonly ca: string;
  readonly identity?: { readonly cert: string; readonly key: string };
  readonly cluster: boolean;
  readonly accept?: string;
}

/** Longest path accepted, in UTF-8 bytes: PATH_MAX on Linux, less its NUL. */
const MAX_PATH_BYTES = 4_095;

function checkPath(option: string, value: string): string {
  if (value.length === 0) throw new CertkitError('INVALID_OPTION', `${option} is empty`);
  if (value.length > MAX_PATH_BYTES || Buffer.byteLength(value, 'utf8') > MAX_PATH_BYTES) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${option} is longer than ${String(MAX_PATH_BYTES)} bytes (PATH_MAX)`,
    );
  }
  checkQuotable(value, option);
  if (!isAbsolute(value)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${option} must be an absolute path: a snippet runs from any folder`,
    );
  }
  return value;
}

function checkInput(options: ConnectionSnippetOptions): SnippetInput {
  const { client } = options;
  if (!(SNIPPET_CLIENTS as readonly string[]).includes(client)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `client must be one of ${SNIPPET_CLIENTS.join(', ')}, got ${JSON.stringify(client).slice(0, 80)}`,
    );
  }
  const host = stunnelHost('endpoint host', options.endpoint.host);
  const { port } = options.endpoint;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CertkitError(
      'INVALID_OPTION',
      `endpoint port must be a whole number from 1 to 65535, got ${String(port)}`,
    );
  }
  const sni = options.sni === undefined ? undefined : stunnelDnsName('sni', options.sni);
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a client identity is a certificate and its key: give both cert and key',
    );
  }
  const cluster = options.cluster === true;
  if (client === 'stunnel' && options.cert === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'stunnel: give cert and key, the client identity stunnel presents',
    );
  }
  if (client === 'stunnel' && cluster) {
    throw new CertkitError(
      'INVALID_OPTION',
      'stunnel tunnels one endpoint: a cluster client follows MOVED replies to the addresses the nodes announce, past the tunnel; give a cluster-aware client (ioredis, node-redis, redis-py, java) or one stunnel service per node',
    );
  }
  if (options.accept !== undefined && client !== 'stunnel') {
    throw new CertkitError('INVALID_OPTION', 'accept is the local address of stunnel only');
  }
  const name = sni ?? host.host;
  return {
    client,
    host,
    port,
    name,
    nameIsDns: sni !== undefined || host.kind === 'dns',
    sniDiffers: sni !== undefined && sni.toLowerCase() !== host.host.toLowerCase(),
    ca: checkPath('ca', options.ca),
    ...(options.cert === undefined || options.key === undefined
      ? {}
      : {
          identity: { cert: checkPath('cert', options.cert), key: checkPath('key', options.key) },
        }),
    cluster,
    ...(options.accept === undefined ? {} : { accept: options.accept }),
  };
}

function libraryLabel(row: SnippetLibraryDefault): string {
  if (row.since !== undefined) return `${row.library} ${row.since} and later`;
  if (row.before !== undefined) return `${row.library} before ${row.before}`;
  return row.library;
}

/** The libraries' name-check defaults, one sentence each. */
function defaultsAdvice(rows: readonly SnippetLibraryDefault[], client: SnippetClient): string[] {
  return rows.map((row) => {
    const label = libraryLabel(row);
    switch (row.nameCheck) {
      case 'on':
        return `${label} checks the name by default: ${row.enable}.`;
      case 'off':
        return `${label} checks no name unless told to (${row.enable}): ${client === 'stunnel' ? 'this configuration has the check' : 'this snippet turns the check on'}.`;
      case 'never':
        return `${label} checks no name at all: ${row.enable}.`;
    }
  });
}

/**
 * What to change when `certs check` shows this client's stack refusing, one sentence each. The
 * stacks' differences are those measured in test/interop/STACKS.md.
 */
function disagreementAdvice(input: SnippetInput): string[] {
  const check = `certs check --cluster C --endpoint ${input.host.kind === 'ip' && input.host.host.includes(':') ? `[${input.host.host}]` : input.host.host}:${String(input.port)}${input.sniDiffers ? ` --sni ${input.name}` : ''} --ca CA`;
  const keepOn =
    'Keep verification on: a refused connection is fixed in the certificate or the CA file, and a client that stops checking accepts any server.';
  const openSslTrust =
    'If its trust row refuses the chain: this client builds the path as OpenSSL does, so the CA file must hold the self-signed root the chain ends at (Go and Java accept an intermediate; certs chain makes a bundle that ends at the root).';
  const certificateFix =
    'fix the certificate (the name in subjectAltName; *.C covers every database of cluster C) or connect with a name it carries';
  switch (input.client) {
    case 'ioredis':
    case 'node-redis':
      return [
        `If ${check} shows Node refusing the name: ${certificateFix} (servername).`,
        openSslTrust,
        keepOn,
      ];
    case 'redis-py':
      return [
        `If ${check} shows Python refusing the name while Node or Java accept it (a partial wildcard such as redis-*.C): ${certificateFix}; redis-py checks the host it dials.`,
        openSslTrust,
        keepOn,
      ];
    case 'redis-cli':
      return [
        `${check} judges the chain in its OpenSSL column; redis-cli accepts any name, so its Name verdicts do not apply until stunnel (checkHost) is in front.`,
        openSslTrust,
        keepOn,
      ];
    case 'stunnel':
      return [
        `If ${check} shows OpenSSL refusing the name (checkHost takes no partial wildcard such as redis-*.C): ${certificateFix} (checkHost and sni).`,
        openSslTrust,
        'certs stunnel lint FILE and certs stunnel test FILE judge and run this configuration.',
        keepOn,
      ];
    case 'java':
      return [
        `If ${check} shows Java accepting what the others refuse (a partial wildcard, a name only in the CN, a SHA-1 signature, an intermediate as the only anchor): the others are right; ${certificateFix}.`,
        `If it shows Java refusing the name: ${certificateFix} (NAME).`,
        keepOn,
      ];
  }
}

/** The comment prefix of each language. */
const COMMENT: Readonly<Record<SnippetLanguage, string>> = {
  javascript: '// ',
  python: '# ',
  bash: '# ',
  stunnel: '; ',
  java: '// ',
};

const NOT_SHOWN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Renders the connection snippet of one client: the code (or command, or stunnel configuration)
 * with verification on, then the advice as comments.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a client not in {@link SNIPPET_CLIENTS}, an
 * endpoint host that is no DNS name or IP address, a port out of range, an SNI name that is no
 * DNS name, a path that is not absolute (or holds NUL, or no valid Unicode), a certificate
 * without its key, a stunnel snippet without a client identity or for a cluster, or a stunnel
 * path that a configuration line cannot hold
 *
 * @example
 * ```ts
 * const snippet = renderConnectionSnippet({ client: 'redis-py',
 *   endpoint: { host: 'redis-12000.redislabs.com', port: 12000 }, ca: '/etc/redis/ca.pem',
 *   cert: '/etc/redis/cert.pem', key: '/etc/redis/keyclient.pem' });
 * process.stdout.write(snippet.text);
 * ```
 */
export function renderConnectionSnippet(options: ConnectionSnippetOptions): ConnectionSnippet {
  const input = checkInput(options);
  const code = renderCode(input);
  const advice = [
    ...defaultsAdvice(options.libraries ?? [], input.client),
    ...code.advice,
    ...disagreementAdvice(input),
  ];
  const prefix = COMMENT[code.language];
  const text = [
    ...code.lines,
    '',
    ...advice.flatMap((sentence) => commentLines(prefix, sentence)),
    '',
  ].join('\n');
  // Every value reached the text through a literal writer (printable ASCII) or, for stunnel,
  // its path and host checks; this holds that promise for the terminal the text is printed on.
  if (NOT_SHOWN.test(text)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `a path of the ${input.client} snippet holds a character a terminal would not show as written (a control or bidi character); rename the file`,
    );
  }
  return {
    client: input.client,
    language: code.language,
    run: code.run,
    name: input.name,
    nameChecked: input.client !== 'redis-cli',
    advice,
    text,
  };
}
