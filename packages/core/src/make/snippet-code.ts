/**
 * The code of each connection snippet (snippets.ts checks the values and adds the advice). Each
 * is a whole program that prints the server's answer to PING, so that a user (and the tests)
 * can run it as printed; every value from outside is written by the literal writers of
 * snippet-quote.ts.
 */
import { CertkitError } from '../errors.js';
import { renderStunnelConfig } from './stunnel-config.js';
import { commentLines, javaString, jsString, pythonString, shellWord } from './snippet-quote.js';
import type { SnippetInput, SnippetLanguage } from './snippets.js';

/** One rendered snippet, before the advice. */
export interface RenderedCode {
  readonly language: SnippetLanguage;
  /** How to run it, in one line. */
  readonly run: string;
  readonly lines: readonly string[];
  /** Notes of this client and mode (cluster, SNI), one sentence each. */
  readonly advice: readonly string[];
}

/** `HOST:PORT` as people write it (`[::1]:6380`). */
function endpointText(input: SnippetInput): string {
  const host =
    input.host.kind === 'ip' && input.host.host.includes(':')
      ? `[${input.host.host}]`
      : input.host.host;
  return `${host}:${String(input.port)}`;
}

/** The first comment line: what the snippet verifies. */
function verifies(input: SnippetInput): string {
  return `TLS to ${endpointText(input)} with verification on: the chain against the CA file, the name ${input.name}${input.identity === undefined ? '' : ', and a client certificate'}.`;
}

const CLUSTER_NAMES =
  'Each node is checked for the address or name the cluster announces (CLUSTER SLOTS/SHARDS), not the seed: announced IP addresses need IP SANs, or let the nodes announce names (cluster-announce-hostname with cluster-preferred-endpoint-type hostname) that their certificates carry.';

function sniToEveryNode(input: SnippetInput): string[] {
  return input.cluster && input.sniDiffers
    ? [
        `The SNI name ${input.name} goes to every node, and is the name checked on each: every node's certificate must carry it.`,
      ]
    : [];
}

// ---------------------------------------------------------------------------------------------
// Node: ioredis and node-redis hand their tls options to tls.connect, whose checkServerIdentity
// checks `servername` (else the host).

function nodeTls(input: SnippetInput, indent: string): string[] {
  return [
    ...(input.nameIsDns ? [`servername: ${jsString(input.name)},`] : []),
    `ca: readFileSync(${jsString(input.ca)}),`,
    ...(input.identity === undefined
      ? []
      : [
          `cert: readFileSync(${jsString(input.identity.cert)}),`,
          `key: readFileSync(${jsString(input.identity.key)}),`,
        ]),
  ].map((line) => `${indent}${line}`);
}

const NODE_RUN =
  'node --input-type=module < FILE, where the client library is installed (or save it as a .mjs file)';

function ioredis(input: SnippetInput): RenderedCode {
  const head = [
    ...commentLines('// ', `ioredis${input.cluster ? ' Cluster' : ''}: ${verifies(input)}`),
    ...commentLines('// ', `Run: ${NODE_RUN}.`),
    "import { readFileSync } from 'node:fs';",
  ];
  if (!input.cluster) {
    return {
      language: 'javascript',
      run: NODE_RUN,
      lines: [
        ...head,
        "import Redis from 'ioredis';",
        '',
        'const redis = new Redis({',
        `  host: ${jsString(input.host.host)},`,
        `  port: ${String(input.port)},`,
        '  lazyConnect: true, // connect() below reports a refused handshake at once',
        '  tls: {',
        ...nodeTls(input, '    '),
        '  },',
        '});',
        'try {',
        '  await redis.connect();',
        '  console.log(await redis.ping());',
        '} finally {',
        '  redis.disconnect();',
        '}',
      ],
      advice: [],
    };
  }
  return {
    language: 'javascript',
    run: NODE_RUN,
    lines: [
      ...head,
      "import { Cluster } from 'ioredis';",
      '',
      `const cluster = new Cluster([{ host: ${jsString(input.host.host)}, port: ${String(input.port)} }], {`,
      '  lazyConnect: true, // connect() below reports a refused handshake at once',
      '  // Dial announced host names as they are, so that the name checked is the one announced.',
      '  dnsLookup: (address, callback) => callback(null, address),',
      '  redisOptions: {',
      '    tls: {',
      ...nodeTls(input, '      '),
      '    },',
      '  },',
      '});',
      'try {',
      '  await cluster.connect();',
      '  console.log(await cluster.ping());',
      '} finally {',
      '  cluster.disconnect();',
      '}',
    ],
    advice: [
      CLUSTER_NAMES,
      "natMap maps an announced address to a name its certificate carries: natMap: { '10.0.0.5:7000': { host: 'redis-1.example.com', port: 7000 } }.",
      ...sniToEveryNode(input),
    ],
  };
}

function nodeRedis(input: SnippetInput): RenderedCode {
  const head = [
    ...commentLines(
      '// ',
      `node-redis (5 and later)${input.cluster ? ', createCluster' : ''}: ${verifies(input)}`,
    ),
    ...commentLines('// ', `Run: ${NODE_RUN}.`),
    "import { readFileSync } from 'node:fs';",
  ];
  if (!input.cluster) {
    return {
      language: 'javascript',
      run: NODE_RUN,
      lines: [
        ...head,
        "import { createClient } from 'redis';",
        '',
        'const client = createClient({',
        '  socket: {',
        `    host: ${jsString(input.host.host)},`,
        `    port: ${String(input.port)},`,
        '    tls: true,',
        ...nodeTls(input, '    '),
        '  },',
        '});',
        'await client.connect();',
        'console.log(await client.ping());',
        'await client.close();',
      ],
      advice: [],
    };
  }
  return {
    language: 'javascript',
    run: NODE_RUN,
    lines: [
      ...head,
      "import { createCluster } from 'redis';",
      '',
      'const cluster = createCluster({',
      `  rootNodes: [{ socket: { host: ${jsString(input.host.host)}, port: ${String(input.port)} } }],`,
      '  // TLS for every node: the nodes the cluster announces take their settings from defaults.',
      '  defaults: {',
      '    socket: {',
      '      tls: true,',
      ...nodeTls(input, '      '),
      '    },',
      '  },',
      '});',
      'await cluster.connect();',
      'console.log(await cluster.ping());',
      'await cluster.close();',
    ],
    advice: [
      CLUSTER_NAMES,
      'nodeAddressMap maps an announced address to a name its certificate carries.',
      ...sniToEveryNode(input),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// redis-py: ssl_check_hostname defaults to False before 6.0, and RedisCluster drops the keyword
// before 6.1 (judge/client-libraries.ts); the name checked is always the host dialled.

function redisPy(input: SnippetInput): RenderedCode {
  const host = input.sniDiffers ? input.name : input.host.host;
  const files = [
    `ssl_ca_certs=${pythonString(input.ca)},`,
    ...(input.identity === undefined
      ? []
      : [
          `ssl_certfile=${pythonString(input.identity.cert)},`,
          `ssl_keyfile=${pythonString(input.identity.key)},`,
        ]),
    'ssl_cert_reqs="required",',
  ].map((line) => `    ${line}`);
  const head = [
    ...commentLines('# ', `redis-py${input.cluster ? ' RedisCluster' : ''}: ${verifies(input)}`),
    '# Run: python3 FILE.',
    'import redis',
  ];
  const sniAdvice = input.sniDiffers
    ? [
        `redis-py sends and checks the host it dials (it has no separate SNI option), so it dials ${input.name}: that name must resolve to ${input.host.host} (DNS, or /etc/hosts).`,
      ]
    : [];
  if (!input.cluster) {
    return {
      language: 'python',
      run: 'python3 FILE',
      lines: [
        ...head,
        '',
        'client = redis.Redis(',
        `    host=${pythonString(host)},`,
        `    port=${String(input.port)},`,
        '    ssl=True,',
        ...files,
        '    ssl_check_hostname=True,  # False by default before redis-py 6.0',
        ')',
        'print(client.ping())  # True: the server answered PONG',
      ],
      advice: sniAdvice,
    };
  }
  const urlHost =
    !input.sniDiffers && input.host.kind === 'ip' && host.includes(':') ? `[${host}]` : host;
  return {
    language: 'python',
    run: 'python3 FILE',
    lines: [
      ...head,
      'from redis.cluster import RedisCluster',
      '',
      '',
      'class VerifiedSSLConnection(redis.SSLConnection):',
      '    """TLS with the name checked on every node connection: RedisCluster drops',
      '    ssl_check_hostname before redis-py 6.1 (redis-py #3122), and before 6.0 it is off."""',
      '',
      '    def __init__(self, **kwargs):',
      '        kwargs["ssl_check_hostname"] = True',
      '        super().__init__(**kwargs)',
      '',
      '',
      '# redis:// with connection_class: the class adds TLS (rediss:// or ssl=True would replace it',
      '# with a plain SSLConnection).',
      'cluster = RedisCluster.from_url(',
      `    ${pythonString(`redis://${urlHost}:${String(input.port)}`)},`,
      '    connection_class=VerifiedSSLConnection,',
      ...files,
      ')',
      'print(cluster.ping())  # True: the nodes answered PONG',
    ],
    advice: [CLUSTER_NAMES, ...sniAdvice, ...sniToEveryNode(input)],
  };
}

// ---------------------------------------------------------------------------------------------
// redis-cli: hiredis verifies the chain against --cacert and sends --sni, and checks no name.

function redisCli(input: SnippetInput): RenderedCode {
  const args = [
    `-h ${shellWord(input.host.host)} -p ${String(input.port)}${input.cluster ? ' -c' : ''}`,
    ...(input.nameIsDns ? [`--sni ${shellWord(input.name)}`] : []),
    `--cacert ${shellWord(input.ca)}`,
    ...(input.identity === undefined
      ? []
      : [`--cert ${shellWord(input.identity.cert)}`, `--key ${shellWord(input.identity.key)}`]),
    'PING',
  ];
  return {
    language: 'bash',
    run: 'bash FILE',
    lines: [
      '#!/bin/bash',
      ...commentLines(
        '# ',
        `redis-cli${input.cluster ? ' -c (cluster)' : ''}: TLS to ${endpointText(input)}: the chain is verified against the CA file${input.identity === undefined ? '' : ' and a client certificate is presented'}, but NO name is checked: redis-cli (hiredis) has no host-name check, so it accepts a certificate the CA issued for any host${input.nameIsDns ? `; --sni only sends ${input.name}` : ''}. For a name check, put stunnel (checkHost) in front.`,
      ),
      'redis-cli --tls \\',
      ...args.map((arg, i) => `  ${arg}${i === args.length - 1 ? '' : ' \\'}`),
    ],
    advice: [
      'For the name check redis-cli lacks, run stunnel with checkHost in front of it (certs snippet --client stunnel, or certs stunnel) and point redis-cli at its local port.',
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// stunnel: the configuration `certs stunnel` writes (verifyChain, checkHost or checkIP, sni,
// sslVersionMin), in the foreground.

function stunnel(input: SnippetInput): RenderedCode {
  const identity = input.identity;
  if (identity === undefined)
    throw new CertkitError('INTERNAL', 'a stunnel snippet needs a client identity');
  const config = renderStunnelConfig({
    cert: identity.cert,
    key: identity.key,
    cafile: input.ca,
    connect: `${input.host.host}:${String(input.port)}`,
    ...(input.sniDiffers ? { checkHost: input.name, sni: input.name } : {}),
    ...(input.accept === undefined ? {} : { accept: input.accept }),
    foreground: true,
  });
  const accept = /^accept = (.*)$/m.exec(config)?.[1] ?? '';
  const colon = accept.lastIndexOf(':');
  return {
    language: 'stunnel',
    run: 'stunnel FILE',
    lines: config.replace(/\n$/, '').split('\n'),
    advice: [
      `Run: stunnel FILE (in the foreground; drop foreground and pid to run it as a daemon). Applications then talk plain text to ${accept}, e.g. redis-cli -h ${accept.slice(0, colon)} -p ${accept.slice(colon + 1)} PING.`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Java: what Jedis and Lettuce set up over JSSE, as a program with no dependency: the CA file as
// trust store, the client certificate and its PKCS#8 key as key store, HTTPS endpoint
// identification (the name check, which Jedis before 7.5.0 leaves off) and SNI, then RESP PING.

function java(input: SnippetInput): RenderedCode {
  const identity = input.identity;
  const lines = [
    ...commentLines(
      '// ',
      `Java (JSSE, as Jedis and Lettuce use it)${input.cluster ? ', for a cluster' : ''}: ${verifies(input)}`,
    ),
    '// Save as RedisTls.java and run: java RedisTls.java (Java 11 or later, no dependency).',
    ...[
      'java.io.InputStream',
      'java.nio.charset.StandardCharsets',
      'java.nio.file.Files',
      'java.nio.file.Path',
      'java.security.KeyStore',
      'java.security.cert.Certificate',
      'java.security.cert.CertificateFactory',
      'javax.net.ssl.SSLContext',
      'javax.net.ssl.SSLParameters',
      'javax.net.ssl.SSLSocket',
      'javax.net.ssl.TrustManagerFactory',
      ...(identity === undefined
        ? []
        : [
            'java.security.KeyFactory',
            'java.security.PrivateKey',
            'java.security.spec.PKCS8EncodedKeySpec',
            'java.util.Base64',
            'javax.net.ssl.KeyManagerFactory',
          ]),
      ...(input.nameIsDns ? ['java.util.List', 'javax.net.ssl.SNIHostName'] : []),
    ]
      .sort()
      .map((name) => `import ${name};`),
    '',
    'public class RedisTls {',
    `  static final String HOST = ${javaString(input.host.host)};`,
    `  static final int PORT = ${String(input.port)};`,
    ...(input.nameIsDns
      ? [`  static final String NAME = ${javaString(input.name)}; // sent as SNI, and checked`]
      : []),
    `  static final String CA_FILE = ${javaString(input.ca)};`,
    ...(identity === undefined
      ? []
      : [
          `  static final String CERT_FILE = ${javaString(identity.cert)};`,
          `  static final String KEY_FILE = ${javaString(identity.key)}; // PKCS#8, unencrypted`,
        ]),
    '',
    '  static Certificate[] certificates(String file) throws Exception {',
    '    try (InputStream in = Files.newInputStream(Path.of(file))) {',
    '      return CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);',
    '    }',
    '  }',
    '',
    `  /** Trusts the certificates of CA_FILE${identity === undefined ? '' : '; presents CERT_FILE with KEY_FILE'}. */`,
    '  static SSLContext sslContext() throws Exception {',
    '    KeyStore trusted = KeyStore.getInstance("PKCS12");',
    '    trusted.load(null, null);',
    '    Certificate[] cas = certificates(CA_FILE);',
    '    for (int i = 0; i < cas.length; i++) trusted.setCertificateEntry("ca" + i, cas[i]);',
    '    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());',
    '    trust.init(trusted);',
    ...(identity === undefined
      ? [
          '    SSLContext context = SSLContext.getInstance("TLS");',
          '    context.init(null, trust.getTrustManagers(), null);',
        ]
      : [
          '    Certificate[] chain = certificates(CERT_FILE);',
          '    String pem = Files.readString(Path.of(KEY_FILE), StandardCharsets.US_ASCII);',
          '    String begin = "-----BEGIN PRIVATE KEY-----";',
          '    String base64 = pem.substring(pem.indexOf(begin) + begin.length(), pem.indexOf("-----END PRIVATE KEY-----"));',
          '    PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())',
          '        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(base64)));',
          '    char[] password = "in memory only".toCharArray();',
          '    KeyStore identity = KeyStore.getInstance("PKCS12");',
          '    identity.load(null, null);',
          '    identity.setKeyEntry("client", key, password, chain);',
          '    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());',
          '    keys.init(identity, password);',
          '    SSLContext context = SSLContext.getInstance("TLS");',
          '    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);',
        ]),
    '    return context;',
    '  }',
    '',
    `  /** The name check (HTTPS endpoint identification; Jedis before 7.5.0 leaves it off)${input.nameIsDns ? ' and SNI' : ''}. */`,
    '  static SSLParameters sslParameters() {',
    '    SSLParameters parameters = new SSLParameters();',
    '    parameters.setEndpointIdentificationAlgorithm("HTTPS");',
    ...(input.nameIsDns ? ['    parameters.setServerNames(List.of(new SNIHostName(NAME)));'] : []),
    '    return parameters;',
    '  }',
    '',
    '  /** What Jedis does with sslContext() and sslParameters(): a TLS socket, then RESP PING. */',
    '  public static void main(String[] args) throws Exception {',
    '    try (SSLSocket socket = (SSLSocket) sslContext().getSocketFactory().createSocket(HOST, PORT)) {',
    '      socket.setSSLParameters(sslParameters());',
    '      socket.startHandshake();',
    '      socket.getOutputStream().write("*1\\r\\n$4\\r\\nPING\\r\\n".getBytes(StandardCharsets.US_ASCII));',
    '      socket.getOutputStream().flush();',
    '      byte[] reply = new byte[64];',
    '      int read = socket.getInputStream().read(reply);',
    '      String line = read > 0 ? new String(reply, 0, read, StandardCharsets.US_ASCII).trim() : "";',
    '      System.out.println(line.startsWith("+") ? line.substring(1) : "no PONG: " + line);',
    '    }',
    '  }',
    '}',
    '',
    '// Jedis (4 and later) with the same settings:',
    '//   JedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true)',
    '//       .sslSocketFactory(RedisTls.sslContext().getSocketFactory())',
    '//       .sslParameters(RedisTls.sslParameters()).build();',
    input.cluster
      ? '//   JedisCluster cluster = new JedisCluster(Set.of(new HostAndPort(HOST, PORT)), config);'
      : '//   try (Jedis jedis = new Jedis(new HostAndPort(HOST, PORT), config)) { jedis.ping(); }',
    '// Lettuce (6.1 and later): SslVerifyMode.FULL checks the name (CA: the chain only):',
    `//   RedisURI uri = RedisURI.builder().withHost(${input.sniDiffers ? 'NAME' : 'HOST'}).withPort(PORT).withSsl(true)`,
    '//       .withVerifyPeer(SslVerifyMode.FULL).build();',
    `//   ${input.cluster ? 'RedisClusterClient client = RedisClusterClient.create(uri);' : 'RedisClient client = RedisClient.create(uri);'}`,
    `//   client.setOptions(${input.cluster ? 'ClusterClientOptions' : 'ClientOptions'}.builder().sslOptions(SslOptions.builder().jdkSslProvider()`,
    `//       .trustManager(new File(CA_FILE))${identity === undefined ? '' : '.keyManager(new File(CERT_FILE), new File(KEY_FILE), null)'}.build()).build());`,
  ];
  return {
    language: 'java',
    run: 'java RedisTls.java',
    lines,
    advice: [
      ...([input.ca, identity?.cert ?? '', identity?.key ?? ''].some((path) =>
        /[^\x20-\x7e]/.test(path),
      )
        ? [
            'A path here is not ASCII: run Java with a UTF-8 locale (LANG=C.UTF-8), as Java 17 maps file names through the locale (under LANG=C it cannot name the file: InvalidPathException).',
          ]
        : []),
      ...(input.sniDiffers
        ? [
            `Lettuce sends and checks the host it dials: with withHost(NAME), ${input.name} must resolve to ${input.host.host}.`,
          ]
        : []),
      ...(input.cluster ? [CLUSTER_NAMES] : []),
      ...sniToEveryNode(input),
    ],
  };
}

/** The code of the snippet of `input.client`. */
export function renderCode(input: SnippetInput): RenderedCode {
  switch (input.client) {
    case 'ioredis':
      return ioredis(input);
    case 'node-redis':
      return nodeRedis(input);
    case 'redis-py':
      return redisPy(input);
    case 'redis-cli':
      return redisCli(input);
    case 'stunnel':
      return stunnel(input);
    case 'java':
      return java(input);
  }
}
