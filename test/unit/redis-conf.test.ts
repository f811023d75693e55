/**
 * redis.conf TLS lint in memory: the parser (redis-server 7's sdssplitargs and line rules), the
 * refusal of what is no configuration, the rules on the directives, on the files they name
 * (certificates made in memory) and on a CA folder, and the reading of a probe. No file, no
 * redis-server, no socket: test/e2e/redis-conf-lint.test.ts proves the same claims on
 * redis-server itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_PROFILE, isCertkitError, lintRedisConfInMemory } from '@certkit/core';
import { encryptPrivateKey } from '../../packages/core/src/x509/keys.js';
import { parseRedisConf } from '../../packages/core/src/judge/redis-conf-syntax.js';
import { subjectHash } from '../../packages/core/src/x509/subject-hash.js';
import type { RedisAuthProbe, RedisConfInputs, RedisConfLintReport } from '@certkit/core';
import { createPrivateKey } from 'node:crypto';
import { authClientsVerdict } from '../../packages/core/src/judge/redis-conf-probe.js';
import { memoryCert } from '../helpers/memory-pki.js';
import type { MemoryCert } from '../helpers/memory-pki.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

// ---------------------------------------------------------------------------------------------
// The parser

const PARSE: readonly {
  name: string;
  input: string | Uint8Array;
  directives: readonly (readonly [string, readonly string[], number])[];
  problems?: readonly number[];
}[] = [
  {
    name: 'directives, comments and blank lines; line numbers count every LF',
    input: '# a comment\n\nport 0\n   # an indented comment\ntls-port 6380\n',
    directives: [
      ['port', ['0'], 3],
      ['tls-port', ['6380'], 5],
    ],
  },
  {
    name: 'a # after a value is no comment: it is more arguments',
    input: 'port 0 # plain text off\n',
    directives: [['port', ['0', '#', 'plain', 'text', 'off'], 1]],
  },
  {
    name: 'double quotes keep spaces; escapes \\x41 \\n \\t \\" \\\\ and \\q',
    input: 'x "a b" "\\x41\\n\\t\\"\\\\\\q"\n',
    directives: [['x', ['a b', 'A\n\t"\\q'], 1]],
  },
  {
    name: '\\x without two hex digits is x',
    input: 'x "\\xZZ\\x4"\n',
    directives: [['x', ['xZZx4'], 1]],
  },
  {
    name: "single quotes take only \\' as an escape",
    input: "x 'it\\'s' 'a\\nb'\n",
    directives: [['x', ["it's", 'a\\nb'], 1]],
  },
  {
    name: 'a quote inside a word opens quoting there',
    input: 'x ab"c d"\n',
    directives: [['x', ['abc d'], 1]],
  },
  {
    name: 'an empty quoted argument',
    input: 'requirepass ""\n',
    directives: [['requirepass', [''], 1]],
  },
  {
    name: 'CRLF line ends and tabs',
    input: 'port\t0\r\ntls-port 6380\r\n',
    directives: [
      ['port', ['0'], 1],
      ['tls-port', ['6380'], 2],
    ],
  },
  {
    name: 'directive names are lower-cased, values kept',
    input: 'TLS-Auth-Clients OPTIONAL\n',
    directives: [['tls-auth-clients', ['OPTIONAL'], 1]],
  },
  {
    name: 'a vertical tab between words is part of the word (only space, \\t, \\r, \\n end one)',
    input: 'port\u000b0\n',
    directives: [['port\u000b0', [], 1]],
  },
  {
    name: 'unbalanced quotes: a problem, no directive',
    input: 'port 0\ntls-port "6380\ntls-cluster yes\n',
    directives: [
      ['port', ['0'], 1],
      ['tls-cluster', ['yes'], 3],
    ],
    problems: [2],
  },
  {
    name: 'a closing quote followed by a letter: a problem',
    input: 'tls-port "6380"x\n',
    directives: [],
    problems: [1],
  },
  {
    name: 'a NUL drops the rest of its 1,024-byte piece, the line end included: the next line joins',
    input: bytes('port 0\u0000junk\ntls-port 6380\nbind 127.0.0.1\n'),
    directives: [
      ['port', ['0tls-port', '6380'], 1],
      ['bind', ['127.0.0.1'], 3],
    ],
    problems: [1],
  },
  {
    name: 'a NUL in a long line drops only up to the 1,024-byte boundary',
    input: bytes(`x ${'a'.repeat(10)}\u0000${'b'.repeat(1100)} c\nport 0\n`),
    // fgets reads 1,024 bytes: "x " + 10 a + NUL + 1011 b; the rest of the line comes through.
    directives: [
      ['x', [`${'a'.repeat(10)}${'b'.repeat(1100 - 1011)}`, 'c'], 1],
      ['port', ['0'], 2],
    ],
    problems: [1],
  },
];

void test('parseRedisConf reads lines as redis-server 7 does', async (t) => {
  for (const row of PARSE) {
    await t.test(row.name, () => {
      const parsed = parseRedisConf(row.input);
      assert.deepEqual(
        parsed.directives.map((d) => [d.name, d.args, d.line]),
        row.directives.map(([n, a, l]) => [n, [...a], l]),
      );
      assert.deepEqual(
        parsed.problems.map((p) => p.line),
        [...(row.problems ?? [])],
      );
    });
  }
});

void test('parseRedisConf counts every argument and keeps at most 1,024', () => {
  const parsed = parseRedisConf(`save ${'1 '.repeat(3000)}\n`);
  const [save] = parsed.directives;
  assert.equal(save?.argc, 3000);
  assert.equal(save.args.length, 1024);
});

const NOT_A_CONFIGURATION: readonly { name: string; input: string | Uint8Array; says: RegExp }[] = [
  { name: 'empty', input: '', says: /holds no directive/ },
  { name: 'only comments', input: '# nothing\n\n   # here\n', says: /holds no directive/ },
  {
    name: 'a private key',
    input: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
    says: /is a private key \(PRIVATE KEY\).*keep private keys out/,
  },
  {
    name: 'a certificate',
    input: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    says: /is a CERTIFICATE block, not a redis configuration/,
  },
  { name: 'DER', input: Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00]), says: /is DER data/ },
  { name: 'prose', input: 'This is a letter.\nKind regards,\nme\n', says: /none of its 3/ },
  {
    name: 'prose with one word redis knows',
    input: 'Save the date.\nSee you there,\nBye now\n',
    says: /only 1 of its 3 directives is one redis-server 7 knows/,
  },
  { name: 'JSON', input: '{"port": 6379}\n', says: /holds no line redis-server reads/ },
  {
    name: 'a stunnel configuration',
    input: '[redislabs]\nclient = yes\naccept = 127.0.0.1:6379\n',
    says: /none of its 3 directives are one redis-server 7 knows/,
  },
];

void test('what is no redis configuration is refused (NOT_A_CONFIGURATION), naming the file', async (t) => {
  for (const row of NOT_A_CONFIGURATION) {
    await t.test(row.name, () => {
      assert.throws(
        () => lintRedisConfInMemory(row.input, 'in.conf', { checkFiles: false }),
        (error: unknown) =>
          isCertkitError(error) &&
          error.code === 'NOT_A_CONFIGURATION' &&
          error.message.includes('in.conf') &&
          row.says.test(error.message),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The rules on the directives

const TLS = [
  'port 0',
  'tls-port 6380',
  'tls-cert-file /etc/redis/tls/redis.crt',
  'tls-key-file /etc/redis/tls/redis.key',
  'tls-ca-cert-file /etc/redis/tls/ca.crt',
];
/** The base configuration with lines added at its end (line 6 on). */
const conf = (...lines: string[]): string => `${[...TLS, ...lines].join('\n')}\n`;
/** The base configuration without the lines that start with one of `drop`. */
const without = (drop: readonly string[], ...lines: string[]): string =>
  `${[...TLS.filter((l) => !drop.some((d) => l.startsWith(`${d} `))), ...lines].join('\n')}\n`;

/** `CODE@line` of every finding, sorted. */
function found(report: RedisConfLintReport): string[] {
  return report.findings.map((f) => `${f.code}@${String(f.line ?? '-')}`).sort();
}

const RULES: readonly { name: string; text: string; expect: readonly string[] }[] = [
  { name: 'TLS only, certificates required: clean', text: conf(), expect: [] },
  {
    name: 'port not set next to tls-port: the default 6379 serves plain text',
    text: without(['port']),
    expect: ['REDIS_CONF_PLAINTEXT_PORT@1'],
  },
  {
    name: 'port 6379 next to tls-port',
    text: conf('port 6379'),
    expect: ['REDIS_CONF_PLAINTEXT_PORT@6'],
  },
  {
    name: 'the last port line wins',
    text: without(['port'], 'port 6379', 'port 0'),
    expect: [],
  },
  { name: 'no tls-port', text: without(['tls-port']), expect: ['REDIS_CONF_NO_TLS@1'] },
  {
    name: 'replicaof without tls-replication',
    text: conf('replicaof 10.0.0.1 6380'),
    expect: ['REDIS_CONF_NO_TLS_REPLICATION@6'],
  },
  {
    name: 'slaveof (the old name) without tls-replication',
    text: conf('slaveof 10.0.0.1 6380'),
    expect: ['REDIS_CONF_NO_TLS_REPLICATION@6'],
  },
  {
    name: 'replicaof with tls-replication yes',
    text: conf('replicaof 10.0.0.1 6380', 'tls-replication yes'),
    expect: [],
  },
  { name: 'replicaof no one', text: conf('replicaof no one'), expect: [] },
  {
    name: 'replicaof with a bad port',
    text: conf('replicaof 10.0.0.1 port', 'tls-replication yes'),
    expect: ['REDIS_CONF_SYNTAX@6'],
  },
  {
    name: 'cluster-enabled without tls-cluster nor tls-replication',
    text: conf('cluster-enabled yes'),
    expect: ['REDIS_CONF_NO_TLS_CLUSTER@6', 'REDIS_CONF_NO_TLS_REPLICATION@6'],
  },
  {
    name: 'cluster-enabled with tls-cluster and tls-replication',
    text: conf('cluster-enabled yes', 'tls-cluster yes', 'tls-replication yes'),
    expect: [],
  },
  {
    name: 'replicaof in a cluster: redis refuses to start',
    text: conf('cluster-enabled yes', 'tls-cluster yes', 'tls-replication yes', 'replicaof h 1'),
    expect: ['REDIS_CONF_INVALID@9'],
  },
  {
    name: 'tls-auth-clients optional, every user with a password',
    text: conf('tls-auth-clients optional', 'requirepass s3cret'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6'],
  },
  {
    name: 'tls-auth-clients optional and the default user without a password',
    text: conf('tls-auth-clients optional'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6', 'REDIS_CONF_NOPASS_BYPASS@6'],
  },
  {
    name: 'tls-auth-clients optional and requirepass "" (no password)',
    text: conf('tls-auth-clients optional', 'requirepass ""'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6', 'REDIS_CONF_NOPASS_BYPASS@7'],
  },
  {
    name: 'tls-auth-clients optional and an enabled nopass user',
    text: conf('tls-auth-clients optional', 'requirepass s', 'user alice on nopass ~* +@all'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6', 'REDIS_CONF_NOPASS_BYPASS@8'],
  },
  {
    name: 'a nopass user that is off is no way in',
    text: conf('tls-auth-clients optional', 'requirepass s', 'user alice nopass ~* +@all'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6'],
  },
  {
    name: 'nopass then a password: the password wins (rules apply in order)',
    text: conf('tls-auth-clients optional', 'requirepass s', 'user alice on nopass >pw ~*'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6'],
  },
  {
    name: 'a password then nopass: nopass wins; ACL keywords in any case',
    text: conf('tls-auth-clients optional', 'requirepass s', 'USER alice ON >pw NOPASS ~*'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6', 'REDIS_CONF_NOPASS_BYPASS@8'],
  },
  {
    name: 'user default nopass wins over requirepass, whatever the order',
    text: conf('tls-auth-clients optional', 'user default on nopass ~* +@all', 'requirepass s'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6', 'REDIS_CONF_NOPASS_BYPASS@7'],
  },
  {
    name: 'user default with a password and no requirepass',
    text: conf('tls-auth-clients optional', 'user default on >pw ~* +@all'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6'],
  },
  {
    name: 'tls-auth-clients no and the default user without a password',
    text: conf('tls-auth-clients no'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_NO@6', 'REDIS_CONF_NOPASS_BYPASS@6'],
  },
  {
    name: 'tls-auth-clients yes (the default) guards a nopass user',
    text: conf('user alice on nopass ~* +@all'),
    expect: [],
  },
  {
    name: 'users in an aclfile are not read: said, not guessed',
    text: conf('tls-auth-clients optional', 'aclfile /etc/redis/users.acl'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL@6', 'REDIS_CONF_USERS_NOT_READ@7'],
  },
  {
    name: 'user lines next to aclfile: redis refuses to start',
    text: conf('aclfile /etc/redis/users.acl', 'user alice on >pw'),
    expect: ['REDIS_CONF_INVALID@7'],
  },
  {
    name: 'a user declared twice: redis refuses to start',
    text: conf('user alice on >pw', 'user alice on >pw2'),
    expect: ['REDIS_CONF_INVALID@7'],
  },
  {
    name: 'tls-protocols allowing TLSv1 and TLSv1.1',
    text: conf('tls-protocols "TLSv1 TLSv1.1 TLSv1.2"'),
    expect: ['REDIS_CONF_OLD_TLS_VERSION@6'],
  },
  { name: 'tls-protocols in lower case', text: conf('tls-protocols "tlsv1.3"'), expect: [] },
  {
    name: 'tls-protocols with two spaces: redis refuses to start',
    text: conf('tls-protocols "TLSv1.2  TLSv1.3"'),
    expect: ['REDIS_CONF_INVALID@6'],
  },
  {
    name: 'tls-protocols unquoted: two arguments',
    text: conf('tls-protocols TLSv1.2 TLSv1.3'),
    expect: ['REDIS_CONF_SYNTAX@6'],
  },
  {
    name: 'a # comment after a value',
    text: conf('port 0 # off'),
    expect: ['REDIS_CONF_SYNTAX@6'],
  },
  {
    name: 'tls-auth-clients with a value redis refuses',
    text: conf('tls-auth-clients maybe'),
    expect: ['REDIS_CONF_SYNTAX@6'],
  },
  {
    name: 'a tls-port out of range is refused, so TLS stays off',
    text: without(['tls-port'], 'tls-port 70000'),
    expect: ['REDIS_CONF_NO_TLS@1', 'REDIS_CONF_SYNTAX@5'],
  },
  {
    name: 'a port with a leading zero (string2ll refuses it)',
    text: conf('port 010'),
    expect: ['REDIS_CONF_SYNTAX@6'],
  },
  {
    name: 'yes/no in any case',
    text: conf('replicaof h 1', 'tls-replication YES'),
    expect: [],
  },
  {
    name: 'a typo: a directive redis does not know',
    text: conf('tls-auth-client optional'),
    expect: ['REDIS_CONF_UNKNOWN_DIRECTIVE@6'],
  },
  {
    name: 'a module configuration without loadmodule: redis refuses it',
    text: conf('search.timeout 500'),
    expect: ['REDIS_CONF_UNKNOWN_DIRECTIVE@6'],
  },
  {
    name: 'a module configuration next to loadmodule',
    text: conf('loadmodule /usr/lib/redis/modules/redisearch.so', 'search.timeout 500'),
    expect: [],
  },
  {
    name: 'include is reported, not followed',
    text: conf('include /etc/redis/common.conf'),
    expect: ['REDIS_CONF_INCLUDE@6'],
  },
  {
    name: 'no CA next to tls-auth-clients yes: redis refuses to start',
    text: without(['tls-ca-cert-file']),
    expect: ['REDIS_CONF_INVALID@2'],
  },
  {
    name: 'no CA needed with tls-auth-clients no and nothing outgoing',
    text: without(['tls-ca-cert-file'], 'tls-auth-clients no', 'requirepass s'),
    expect: ['REDIS_CONF_AUTH_CLIENTS_NO@5'],
  },
  {
    name: 'no tls-cert-file with tls-port: redis refuses to start',
    text: without(['tls-cert-file']),
    expect: ['REDIS_CONF_INVALID@2'],
  },
  {
    name: 'relative paths',
    text: without(['tls-ca-cert-file'], 'tls-ca-cert-file ca.crt'),
    expect: ['REDIS_CONF_RELATIVE_PATH@5'],
  },
  {
    name: 'a client certificate without its key is ignored by redis',
    text: conf('tls-client-cert-file /etc/redis/tls/client.crt'),
    expect: ['REDIS_CONF_CLIENT_CERT_IGNORED@6'],
  },
  {
    name: 'a NUL byte and unbalanced quotes are syntax errors at their lines',
    text: conf('bind "127.0.0.1', 'save ""\u0000'),
    expect: ['REDIS_CONF_SYNTAX@6', 'REDIS_CONF_SYNTAX@7'],
  },
];

void test('the rules on the directives, each finding at its line', async (t) => {
  for (const row of RULES) {
    await t.test(row.name, () => {
      const report = lintRedisConfInMemory(row.text, 'redis.conf', { checkFiles: false });
      assert.deepEqual(found(report), [...row.expect].sort());
      assert.equal(report.ok, !report.findings.some((f) => f.severity === 'error'));
    });
  }
});

void test('secrets never appear in a report: passwords, key passphrases, user rules', () => {
  const report = lintRedisConfInMemory(
    conf(
      'requirepass Sup3rS3cret',
      'masterauth Mast3rS3cret',
      'tls-key-file-pass K3yPass',
      'user alice on >Al1ceS3cret',
      'tls-auth-clients optional',
      'requirepass "unbalanced S3cretQuote',
    ),
    'redis.conf',
    { checkFiles: false },
  );
  const all = JSON.stringify(report);
  for (const secret of ['Sup3rS3cret', 'Mast3rS3cret', 'K3yPass', 'Al1ceS3cret', 'S3cretQuote'])
    assert.ok(!all.includes(secret), secret);
  assert.ok(report.settings.some((s) => s.directive === 'requirepass' && s.value === '(set)'));
});

void test('control characters in names and values are escaped in messages', () => {
  const report = lintRedisConfInMemory(
    conf('tls-\u001b[31mfake yes', 'include "/tmp/\\x1b]0;x\\x07"'),
    'redis.conf',
    { checkFiles: false },
  );
  assert.equal(report.findings.length, 2);
  for (const { message } of report.findings) {
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(message, /\\x1b/);
  }
});

// ---------------------------------------------------------------------------------------------
// The rules on the files

interface Pki {
  readonly ca: MemoryCert;
  readonly server: MemoryCert;
  readonly serverOnly: MemoryCert;
  readonly client: MemoryCert;
  readonly other: MemoryCert;
}

let pki: Pki | undefined;
async function thePki(): Promise<Pki> {
  if (pki !== undefined) return pki;
  const ca = await memoryCert({ name: 'ca.crt', kind: 'ca', commonName: 'Redis Test CA' });
  pki = {
    ca,
    server: await memoryCert({ name: 'redis.crt', issuer: ca, profile: 'both' }),
    serverOnly: await memoryCert({ name: 'server-only.crt', issuer: ca, kind: 'server' }),
    client: await memoryCert({ name: 'client.crt', issuer: ca, profile: CLIENT_PROFILE }),
    other: await memoryCert({ name: 'other.crt', issuer: ca }),
  };
  return pki;
}

const D = '/etc/redis/tls';
const FILE_CONF = [
  'port 0',
  'tls-port 6380',
  `tls-cert-file ${D}/redis.crt`,
  `tls-key-file ${D}/redis.key`,
  `tls-ca-cert-file ${D}/ca.crt`,
];

const FILE_RULES: readonly {
  name: string;
  lines?: readonly string[];
  files: (
    p: Pki,
  ) => Promise<Record<string, string | Uint8Array>> | Record<string, string | Uint8Array>;
  now?: Date;
  expect: readonly string[];
}[] = [
  {
    name: 'certificate, key and CA that belong together: clean',
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: [],
  },
  {
    name: 'certificate then its issuer: clean',
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem + p.ca.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: [],
  },
  {
    name: 'the issuer first: not leaf-first',
    files: (p) => ({
      'redis.crt': p.ca.issued.certificatePem + p.server.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_CERT_NOT_LEAF_FIRST@3'],
  },
  {
    name: 'a key of another certificate',
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': p.other.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_KEY_MISMATCH@4'],
  },
  {
    name: 'an encrypted key without tls-key-file-pass',
    files: async (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': await encrypted(p.server, 'pw'),
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_KEY_ENCRYPTED@4'],
  },
  {
    name: 'an encrypted key with its tls-key-file-pass: clean',
    lines: ['tls-key-file-pass pw'],
    files: async (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': await encrypted(p.server, 'pw'),
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: [],
  },
  {
    name: 'an encrypted key with a wrong tls-key-file-pass',
    lines: ['tls-key-file-pass nope'],
    files: async (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': await encrypted(p.server, 'pw'),
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_KEY_ENCRYPTED@4'],
  },
  {
    name: 'tls-key-file-pass for a plain key: said (info)',
    lines: ['tls-key-file-pass pw'],
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_KEY_PASS_UNUSED@6'],
  },
  {
    name: 'an unreadable key file',
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_FILE_UNREADABLE@4'],
  },
  {
    name: 'a key where the certificate belongs, and in the CA file',
    files: (p) => ({
      'redis.crt': p.server.issued.privateKeyPem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.server.issued.privateKeyPem,
    }),
    expect: ['REDIS_CONF_FILE_INVALID@3', 'REDIS_CONF_FILE_INVALID@5'],
  },
  {
    name: 'an expired certificate',
    now: new Date('2200-01-01T00:00:00Z'),
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_CERT_EXPIRED@3'],
  },
  {
    name: 'a client certificate without clientAuth',
    lines: [`tls-client-cert-file ${D}/client.crt`, `tls-client-key-file ${D}/client.key`],
    files: (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
      'client.crt': p.serverOnly.issued.certificatePem,
      'client.key': p.serverOnly.issued.privateKeyPem,
    }),
    expect: ['REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH@6'],
  },
  {
    name: 'a client certificate with clientAuth: clean',
    lines: [`tls-client-cert-file ${D}/client.crt`, `tls-client-key-file ${D}/client.key`],
    files: (p) => ({
      'redis.crt': p.serverOnly.issued.certificatePem,
      'redis.key': p.serverOnly.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
      'client.crt': p.client.issued.certificatePem,
      'client.key': p.client.issued.privateKeyPem,
    }),
    expect: [],
  },
  {
    name: 'tls-cert-file without clientAuth presented as client (tls-replication, no client pair)',
    lines: ['tls-replication yes'],
    files: (p) => ({
      'redis.crt': p.serverOnly.issued.certificatePem,
      'redis.key': p.serverOnly.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH@3'],
  },
  {
    name: 'tls-cert-file without clientAuth, never presented as client: clean',
    files: (p) => ({
      'redis.crt': p.serverOnly.issued.certificatePem,
      'redis.key': p.serverOnly.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
    }),
    expect: [],
  },
  {
    name: 'tls-cluster: a client key alone leaves tls-cert-file presented as client',
    lines: [
      'cluster-enabled yes',
      'tls-cluster yes',
      'tls-replication yes',
      `tls-client-key-file ${D}/client.key`,
    ],
    files: (p) => ({
      'redis.crt': p.serverOnly.issued.certificatePem,
      'redis.key': p.serverOnly.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
      'client.key': p.client.issued.privateKeyPem,
    }),
    expect: ['REDIS_CONF_CLIENT_CERT_IGNORED@9', 'REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH@3'],
  },
  {
    name: 'an encrypted client key without tls-client-key-file-pass',
    lines: [`tls-client-cert-file ${D}/client.crt`, `tls-client-key-file ${D}/client.key`],
    files: async (p) => ({
      'redis.crt': p.server.issued.certificatePem,
      'redis.key': p.server.issued.privateKeyPem,
      'ca.crt': p.ca.issued.certificatePem,
      'client.crt': p.client.issued.certificatePem,
      'client.key': await encrypted(p.client, 'pw'),
    }),
    expect: ['REDIS_CONF_KEY_ENCRYPTED@7'],
  },
];

async function encrypted(cert: MemoryCert, passphrase: string): Promise<string> {
  return encryptPrivateKey(createPrivateKey(cert.issued.privateKeyPem), passphrase);
}

void test('the rules on the files a configuration names', async (t) => {
  const p = await thePki();
  for (const row of FILE_RULES) {
    await t.test(row.name, async () => {
      const given = await row.files(p);
      const files = new Map(
        Object.entries(given).map(([name, content]) => [
          `${D}/${name}`,
          typeof content === 'string' ? bytes(content) : content,
        ]),
      );
      const report = lintRedisConfInMemory(
        `${[...FILE_CONF, ...(row.lines ?? [])].join('\n')}\n`,
        'redis.conf',
        { files, ...(row.now === undefined ? {} : { now: row.now }) },
      );
      assert.deepEqual(found(report), [...row.expect].sort());
    });
  }
});

// ---------------------------------------------------------------------------------------------
// tls-ca-cert-dir

const DIR_CONF = ['port 0', 'tls-port 6380', 'tls-ca-cert-dir /etc/redis/ca.d'].join('\n');

const CA_DIR: readonly {
  name: string;
  entries: (p: Pki, h: (c: MemoryCert) => string) => Record<string, string>;
  expect: readonly string[];
}[] = [
  {
    name: 'hashed names as openssl rehash makes them: clean',
    entries: (p, h) => ({
      'ca.pem': p.ca.issued.certificatePem,
      [`${h(p.ca)}.0`]: p.ca.issued.certificatePem,
    }),
    expect: [],
  },
  {
    name: 'certificates without hashed names',
    entries: (p) => ({
      'ca.pem': p.ca.issued.certificatePem,
      'b.crt': p.other.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_CA_DIR_NOT_HASHED@3'],
  },
  {
    name: 'one certificate of two without its name, under an extension openssl rehash skips',
    entries: (p, h) => ({
      'ca.pem': p.ca.issued.certificatePem,
      [`${h(p.ca)}.0`]: p.ca.issued.certificatePem,
      'other.cert': p.other.issued.certificatePem,
    }),
    expect: ['REDIS_CONF_CA_DIR_NOT_HASHED@3'],
  },
  {
    name: 'a stale link: a name of another hash',
    entries: (p, h) => ({ [`${h(p.ca)}.0`]: p.other.issued.certificatePem }),
    expect: ['REDIS_CONF_CA_DIR_STALE_LINK@3'],
  },
  {
    name: '<hash>.1 without <hash>.0 is never read',
    entries: (p, h) => ({ [`${h(p.ca)}.1`]: p.ca.issued.certificatePem }),
    expect: ['REDIS_CONF_CA_DIR_STALE_LINK@3'],
  },
  {
    name: 'a folder of no certificate',
    entries: () => ({ README: 'certificates go here\n' }),
    expect: ['REDIS_CONF_FILE_INVALID@3'],
  },
];

void test('tls-ca-cert-dir needs OpenSSL hashed names', async (t) => {
  const p = await thePki();
  const hash = (c: MemoryCert): string => String(subjectHash(c.certificate));
  for (const row of CA_DIR) {
    await t.test(row.name, () => {
      const entries = Object.entries(row.entries(p, hash)).map(([name, text]) => ({
        name,
        content: bytes(text),
      }));
      const inputs: RedisConfInputs = { folders: new Map([['/etc/redis/ca.d', { entries }]]) };
      const report = lintRedisConfInMemory(`${DIR_CONF}\n`, 'redis.conf', {
        ...inputs,
        checkFiles: true,
      });
      // The certificate files are not given: only the folder's findings are looked at.
      assert.deepEqual(
        found(report).filter((f) => !f.startsWith('REDIS_CONF_INVALID')),
        [...row.expect].sort(),
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The probe

const PROBES: readonly {
  name: string;
  probe: RedisAuthProbe;
  verdict: string;
  file: 'yes' | 'optional' | 'no';
  expect: readonly string[];
}[] = [
  {
    name: 'asked, and refused a client without a certificate: yes',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: false, certificateRequested: true } },
    verdict: 'yes',
    file: 'yes',
    expect: ['REDIS_CONF_PROBE_AGREES'],
  },
  {
    name: 'refused without, accepted with an identity: yes',
    probe: {
      endpoint: 'h:1',
      withoutIdentity: { accepted: false },
      withIdentity: { accepted: true, identity: 'c.pem' },
    },
    verdict: 'yes',
    file: 'yes',
    expect: ['REDIS_CONF_PROBE_AGREES'],
  },
  {
    name: 'refused without asking: cannot tell',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: false, certificateRequested: false } },
    verdict: 'unknown',
    file: 'yes',
    expect: ['REDIS_CONF_PROBE_FAILED'],
  },
  {
    name: 'asked and let a client without one in: optional, where the file says yes',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: true, certificateRequested: true } },
    verdict: 'optional',
    file: 'yes',
    expect: ['REDIS_CONF_PROBE_DISAGREES:error'],
  },
  {
    name: 'let in without asking: no, where the file says optional',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: true, certificateRequested: false } },
    verdict: 'no',
    file: 'optional',
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL', 'REDIS_CONF_PROBE_DISAGREES:error'],
  },
  {
    name: 'yes live where the file says no: stronger, a warning',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: false, certificateRequested: true } },
    verdict: 'yes',
    file: 'no',
    expect: ['REDIS_CONF_AUTH_CLIENTS_NO', 'REDIS_CONF_PROBE_DISAGREES:warning'],
  },
  {
    name: 'let in, whether it asked unseen: optional or no',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: true } },
    verdict: 'optional-or-no',
    file: 'optional',
    expect: ['REDIS_CONF_AUTH_CLIENTS_OPTIONAL', 'REDIS_CONF_PROBE_AGREES'],
  },
  {
    name: 'optional or no where the file says yes',
    probe: { endpoint: 'h:1', withoutIdentity: { accepted: true } },
    verdict: 'optional-or-no',
    file: 'yes',
    expect: ['REDIS_CONF_PROBE_DISAGREES:error'],
  },
  {
    name: 'optional, and the identity refused',
    probe: {
      endpoint: 'h:1',
      withoutIdentity: { accepted: true, certificateRequested: true },
      withIdentity: { accepted: false, certificateRequested: true, identity: 'c.pem', error: 'x' },
    },
    verdict: 'optional',
    file: 'optional',
    expect: [
      'REDIS_CONF_AUTH_CLIENTS_OPTIONAL',
      'REDIS_CONF_PROBE_AGREES',
      'REDIS_CONF_PROBE_IDENTITY_REFUSED',
    ],
  },
  {
    name: 'unreachable',
    probe: { endpoint: 'h:1', unreachable: 'connection refused' },
    verdict: 'unknown',
    file: 'yes',
    expect: ['REDIS_CONF_PROBE_FAILED'],
  },
];

void test('the probe tells yes, optional and no apart and is compared with the file', async (t) => {
  for (const row of PROBES) {
    await t.test(row.name, () => {
      assert.equal(authClientsVerdict(row.probe).verdict, row.verdict);
      const report = lintRedisConfInMemory(
        conf(`tls-auth-clients ${row.file}`, 'requirepass s'),
        'redis.conf',
        { checkFiles: false, probe: row.probe },
      );
      assert.equal(report.probe?.verdict, row.verdict);
      assert.deepEqual(
        report.findings
          .map((f) =>
            f.code === 'REDIS_CONF_PROBE_DISAGREES' ? `${f.code}:${f.severity}` : f.code,
          )
          .sort(),
        [...row.expect].sort(),
      );
    });
  }
});
