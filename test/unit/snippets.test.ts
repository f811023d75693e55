/**
 * Connection snippets as data (issue 19 item 3): every client, mode and option set renders a
 * snippet with verification on and never a way to turn it off; hostile file names come back
 * exactly when the JavaScript snippets are evaluated (with the client libraries replaced by
 * recorders); every literal writer emits printable ASCII; bad options are refused. The Python,
 * bash and Java literals are evaluated by their own languages in
 * test/interop/snippet-literals.test.ts, and every snippet is run against a real TLS
 * redis-server in test/e2e/snippets.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CLIENT_LIBRARIES,
  isCertkitError,
  renderConnectionSnippet,
  SNIPPET_CLIENTS,
} from '@certkit/core';
import {
  javaString,
  jsString,
  pythonString,
  shellWord,
} from '../../packages/core/src/make/snippet-quote.js';
import { SNIPPET_LIBRARIES } from '../../packages/core/src/make/snippets.js';
import type { ConnectionSnippetOptions, SnippetClient } from '@certkit/core';
import { HOSTILE_NAMES } from '../helpers/hostile-names.js';

const INSECURE =
  /rejectUnauthorized|checkServerIdentity|ssl_cert_reqs\s*=\s*["']?(none|optional)|CERT_NONE|CERT_OPTIONAL|InsecureSkipVerify|ssl_check_hostname\s*=\s*False|SslVerifyMode\.(NONE|CA)\b|verify\s*=\s*[01]\b|verifyPeer\(false\)|--insecure/i;

function libraries(client: SnippetClient, cluster: boolean) {
  const names = [
    ...((SNIPPET_LIBRARIES[client] as readonly string[] | undefined) ?? []),
    ...(client === 'redis-py' && cluster ? ['redis-py RedisCluster'] : []),
  ];
  return CLIENT_LIBRARIES.filter((row) => names.includes(row.library));
}

function options(
  client: SnippetClient,
  extra: Partial<ConnectionSnippetOptions> = {},
): ConnectionSnippetOptions {
  const cluster = extra.cluster ?? false;
  return {
    client,
    endpoint: { host: 'redis-12000.redislabs.com', port: 12000 },
    ca: '/etc/redis/ca.pem',
    cert: '/etc/redis/cert.pem',
    key: '/etc/redis/keyclient.pem',
    libraries: libraries(client, cluster),
    ...extra,
  };
}

/** The options without the named ones (exactOptionalPropertyTypes: absent, not undefined). */
function without(
  given: ConnectionSnippetOptions,
  ...names: ('cert' | 'key')[]
): ConnectionSnippetOptions {
  return Object.fromEntries(
    Object.entries(given).filter(([name]) => !(names as string[]).includes(name)),
  ) as unknown as ConnectionSnippetOptions;
}

/** What the verification settings of each client look like in its snippet. */
const VERIFIES: Readonly<Record<SnippetClient, readonly RegExp[]>> = {
  ioredis: [
    /servername: 'redis-12000\.redislabs\.com'/,
    /ca: readFileSync\('\/etc\/redis\/ca\.pem'\)/,
  ],
  'node-redis': [/tls: true/, /servername: 'redis-12000\.redislabs\.com'/, /ca: readFileSync/],
  'redis-py': [
    /ssl_check_hostname/,
    /ssl_ca_certs="\/etc\/redis\/ca\.pem"/,
    /ssl_cert_reqs="required"/,
  ],
  'redis-cli': [/--tls/, /--cacert \/etc\/redis\/ca\.pem/, /NO name is checked/],
  stunnel: [
    /^verifyChain = yes$/m,
    /^checkHost = redis-12000\.redislabs\.com$/m,
    /^sslVersionMin = TLSv1\.2$/m,
  ],
  java: [/setEndpointIdentificationAlgorithm\("HTTPS"\)/, /new SNIHostName\(NAME\)/],
};

test('every client, standalone and cluster: verification on, nothing that turns it off', async (t) => {
  for (const client of SNIPPET_CLIENTS) {
    for (const cluster of client === 'stunnel' ? [false] : [false, true]) {
      for (const identity of client === 'stunnel' ? [true] : [true, false]) {
        await t.test(
          `${client}${cluster ? ' cluster' : ''}${identity ? '' : ' without identity'}`,
          () => {
            const given = options(client, { cluster });
            const snippet = renderConnectionSnippet(
              identity ? given : without(given, 'cert', 'key'),
            );
            assert.doesNotMatch(snippet.text, INSECURE);
            for (const pattern of VERIFIES[client]) assert.match(snippet.text, pattern);
            assert.equal(snippet.nameChecked, client !== 'redis-cli');
            assert.equal(snippet.name, 'redis-12000.redislabs.com');
            assert.equal(/cert\.pem/.test(snippet.text), identity, 'the client certificate');
            // Printable ASCII lines only: nothing in a snippet acts on the terminal it is shown on.
            assert.match(snippet.text, /^[\x20-\x7e\n]*$/);
            // The advice repeats the libraries' defaults, and is the end of the text.
            for (const row of libraries(client, cluster))
              assert.ok(snippet.text.includes(row.library));
            assert.ok(snippet.advice.length >= 3);
            assert.ok(snippet.text.endsWith('\n'));
          },
        );
      }
    }
  }
});

test('client-specific settings the defaults would leave off', () => {
  const py = renderConnectionSnippet(options('redis-py')).text;
  assert.match(py, /ssl_check_hostname=True,/);
  assert.match(
    py,
    /redis-py before 6\.0\.0 checks no name unless told to \(ssl_check_hostname=True\)/,
  );
  const pyCluster = renderConnectionSnippet(options('redis-py', { cluster: true })).text;
  // RedisCluster drops the keyword before 6.1: the connection class sets it on every node.
  assert.match(pyCluster, /kwargs\["ssl_check_hostname"\] = True/);
  assert.match(pyCluster, /connection_class=VerifiedSSLConnection/);
  assert.match(
    pyCluster,
    /RedisCluster\.from_url\(\n {4}"redis:\/\/redis-12000\.redislabs\.com:12000",/,
  );
  const io = renderConnectionSnippet(options('ioredis', { cluster: true })).text;
  assert.match(io, /new Cluster\(\[\{ host: 'redis-12000\.redislabs\.com', port: 12000 \}\]/);
  assert.match(io, /redisOptions: \{\n {4}tls: \{/);
  assert.match(io, /dnsLookup: \(address, callback\) => callback\(null, address\)/);
  assert.match(io, /natMap/);
  const nr = renderConnectionSnippet(options('node-redis', { cluster: true })).text;
  assert.match(nr, /createCluster\(\{\n {2}rootNodes: \[/);
  assert.match(nr, /defaults: \{\n {4}socket: \{\n {6}tls: true,/);
  const java = renderConnectionSnippet(options('java')).text;
  assert.match(java, /Jedis before 7\.5\.0 checks no name unless told to/);
  assert.match(java, /withVerifyPeer\(SslVerifyMode\.FULL\)/);
  const cli = renderConnectionSnippet(options('redis-cli', { cluster: true })).text;
  assert.match(cli, /-h redis-12000\.redislabs\.com -p 12000 -c \\/);
  assert.match(cli, /put stunnel \(checkHost\) in front/);
  assert.match(cli, /redis-cli checks no name at all/);
});

test('java: a path that is not ASCII needs a UTF-8 locale, and the advice says so', () => {
  const ascii = renderConnectionSnippet(options('java')).advice.join(' ');
  assert.doesNotMatch(ascii, /LANG=C\.UTF-8/);
  const accented = renderConnectionSnippet(options('java', { ca: '/etc/r\u00e9dis/ca.pem' }));
  assert.match(accented.advice.join(' '), /run Java with a UTF-8 locale \(LANG=C\.UTF-8\)/);
  assert.match(accented.text, /CA_FILE = "\/etc\/r\\u00e9dis\/ca\.pem"/);
});

test('an IP endpoint with --sni: the name is sent and checked; without, the address is checked', () => {
  const endpoint = { host: '10.0.0.5', port: 12000 };
  const withSni = (client: SnippetClient) =>
    renderConnectionSnippet(options(client, { endpoint, sni: 'redis-12000.redislabs.com' })).text;
  assert.match(
    withSni('ioredis'),
    /host: '10\.0\.0\.5',[\s\S]*servername: 'redis-12000\.redislabs\.com'/,
  );
  assert.match(
    withSni('stunnel'),
    /^connect = 10\.0\.0\.5:12000\ncert[\s\S]*^checkHost = redis-12000\.redislabs\.com\nsni = redis-12000\.redislabs\.com$/m,
  );
  assert.match(withSni('java'), /HOST = "10\.0\.0\.5"[\s\S]*NAME = "redis-12000\.redislabs\.com"/);
  // redis-py has no SNI option: it dials the name, which must resolve to the address.
  assert.match(withSni('redis-py'), /host="redis-12000\.redislabs\.com",/);
  assert.match(
    renderConnectionSnippet(
      options('redis-py', { endpoint, sni: 'redis-12000.redislabs.com' }),
    ).advice.join(' '),
    /it dials redis-12000\.redislabs\.com: that name must resolve to 10\.0\.0\.5/,
  );
  const bare = (client: SnippetClient) =>
    renderConnectionSnippet(options(client, { endpoint })).text;
  assert.doesNotMatch(bare('ioredis'), /^ +servername:/m);
  assert.doesNotMatch(bare('java'), /SNIHostName/);
  assert.match(bare('stunnel'), /^checkIP = 10\.0\.0\.5$/m);
  assert.doesNotMatch(bare('redis-cli'), /^ +--sni /m);
  const v6 = renderConnectionSnippet(
    options('redis-py', { endpoint: { host: '::1', port: 6380 }, cluster: true }),
  );
  assert.match(v6.text, /"redis:\/\/\[::1\]:6380"/);
});

/**
 * Runs a JavaScript snippet with its imports replaced by recorders: returns the paths read and
 * the options each client was given. The snippet's text is evaluated as written (imports aside).
 */
async function evaluateJs(text: string): Promise<{ read: string[]; given: unknown[] }> {
  const read: string[] = [];
  const given: unknown[] = [];
  class Recorder {
    constructor(...args: unknown[]) {
      given.push(args);
    }
    connect = (): Promise<void> => Promise.resolve();
    ping = (): Promise<string> => Promise.resolve('PONG');
    disconnect = (): void => {};
    close = (): Promise<void> => Promise.resolve();
  }
  const body = text
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .join('\n');
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  const run = new AsyncFunction(
    'readFileSync',
    'Redis',
    'Cluster',
    'createClient',
    'createCluster',
    'console',
    body,
  );
  const make = (...args: unknown[]) => new Recorder(...args);
  await run(
    (path: string) => {
      read.push(path);
      return Buffer.from('');
    },
    Recorder,
    Recorder,
    make,
    make,
    { log: () => {} },
  );
  return { read, given };
}

test('hostile file names come back exactly from the JavaScript snippets, evaluated', async (t) => {
  for (const client of ['ioredis', 'node-redis'] as const) {
    for (const cluster of [false, true]) {
      for (const name of HOSTILE_NAMES) {
        await t.test(`${client}${cluster ? ' cluster' : ''} ${JSON.stringify(name)}`, async () => {
          const paths = ['ca', 'cert', 'key'].map((f) => `/srv/${name}/${f}.pem`);
          const snippet = renderConnectionSnippet(
            options(client, {
              cluster,
              ca: paths[0] ?? '',
              cert: paths[1] ?? '',
              key: paths[2] ?? '',
            }),
          );
          assert.match(snippet.text, /^[\x20-\x7e\n]*$/);
          const { read, given } = await evaluateJs(snippet.text);
          assert.deepEqual(read, paths);
          assert.equal(given.length, 1);
        });
      }
    }
  }
});

test('the literal writers: exact round trip (JavaScript), printable ASCII out, for any string', () => {
  const anyString = fc.string({ unit: 'grapheme', maxLength: 40 });
  fc.assert(
    fc.property(anyString, (value) => {
      const literal = jsString(value);
      // Evaluating the literal is the point: it must read back as the value.
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const evaluate = new Function(`return ${literal};`) as () => unknown;
      assert.equal(evaluate(), value);
      for (const out of [literal, pythonString(value), javaString(value), shellWord(value)]) {
        assert.match(out, /^[\x20-\x7e]*$/, out);
      }
    }),
    { numRuns: 500 },
  );
  assert.equal(shellWord('/etc/redis/ca.pem'), '/etc/redis/ca.pem');
  assert.equal(shellWord("it's"), "'it'\\''s'");
  assert.equal(shellWord('a\nb'), "$'a\\012b'");
  assert.equal(javaString('a\\u0022'), '"a\\\\u0022"');
  assert.equal(pythonString('\u{1f600}'), '"\\U0001f600"');
});

test('options out of their type are refused, naming what is wrong', async (t) => {
  const rows: readonly { name: string; options: ConnectionSnippetOptions; message: RegExp }[] = [
    {
      name: 'relative CA path',
      options: options('ioredis', { ca: 'ca.pem' }),
      message: /^ca must be an absolute path/,
    },
    {
      name: 'NUL in a path',
      options: options('ioredis', { key: '/a\u0000b' }),
      message: /^key holds a NUL character/,
    },
    {
      name: 'lone surrogate',
      options: options('redis-py', { cert: '/a\ud800' }),
      message: /^cert is not valid Unicode/,
    },
    {
      name: 'unknown client',
      options: options('hiredis' as SnippetClient),
      message: /^client must be one of ioredis, /,
    },
    {
      name: 'SNI is an address',
      options: options('ioredis', { sni: '10.0.0.5' }),
      message: /^sni "10\.0\.0\.5" is an IP address/,
    },
    {
      name: 'host is neither',
      options: options('ioredis', { endpoint: { host: 'a b', port: 1 } }),
      message: /^endpoint host "a b" is neither/,
    },
    {
      name: 'port 0',
      options: options('ioredis', { endpoint: { host: 'a.b', port: 0 } }),
      message: /^endpoint port must be a whole number from 1 to 65535/,
    },
    {
      name: 'certificate without key',
      options: without(options('ioredis'), 'key'),
      message: /give both cert and key/,
    },
    {
      name: 'stunnel without identity',
      options: without(options('stunnel'), 'cert', 'key'),
      message: /^stunnel: give cert and key/,
    },
    {
      name: 'stunnel for a cluster',
      options: options('stunnel', { cluster: true }),
      message: /^stunnel tunnels one endpoint/,
    },
    {
      name: 'accept for another client',
      options: options('redis-cli', { accept: '127.0.0.1:6380' }),
      message: /^accept is the local address of stunnel only/,
    },
    {
      name: 'stunnel path with a line break',
      options: options('stunnel', { ca: '/a\nb' }),
      message: /^CAfile .* holds a control character/,
    },
    {
      name: 'stunnel path with a bidi override',
      options: options('stunnel', { ca: '/a\u202eb' }),
      message: /terminal would not show as written/,
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      assert.throws(
        () => renderConnectionSnippet(row.options),
        (error: unknown) =>
          isCertkitError(error) &&
          error.code === 'INVALID_OPTION' &&
          row.message.test(error.message),
      );
    });
  }
});
