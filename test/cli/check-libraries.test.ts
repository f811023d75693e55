/**
 * Issue 19 item 4, through the built CLI: `certs check` says, for each name, which client
 * libraries verify it, which refuse it, and which connect without looking at it (redis-py before
 * 6, its RedisCluster before 6, redis-cli, stunnel without checkHost, Jedis before 7.5), in the
 * human report and as `names[].libraries[]` in JSON (an added field: the rest of the document is
 * unchanged). A passing report must not read as safe for a client that never checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const C = 'redislabs.com';

interface JsonLibrary {
  library: string;
  versions: string;
  stack: string;
  nameCheck: string;
  name: string;
  whenEnabled?: string;
  enable?: string;
}
interface JsonDoc {
  ok: boolean;
  reports: {
    names: {
      name: string;
      clients: { stack: string; accepts: boolean }[];
      libraries: JsonLibrary[];
    }[];
  }[];
}

const row = (libraries: readonly JsonLibrary[], library: string, versions: string): JsonLibrary => {
  const found = libraries.find((l) => l.library === library && l.versions === versions);
  assert.ok(found, `${library} ${versions} in ${JSON.stringify(libraries.map((l) => l.library))}`);
  return found;
};

test('check names the libraries that connect without checking the name (issue 19 item 4)', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Libraries Root', ca: true });
  const make = (name: string, san: string) =>
    makeCert(dir, {
      name,
      subject: `/CN=${name}`,
      ca: false,
      eku: 'serverAuth',
      san: [san],
      issuer: root,
    });
  const wildcard = await make('wildcard', `DNS:*.${C}`);
  const partial = await make('partial', `DNS:redis-*.${C}`);
  const other = await make('other', 'DNS:redis-1.example.org');

  await t.test('a passing report still lists the libraries that do not look', async () => {
    const human = await runCli(['check', '--cluster', C, wildcard.cert]);
    assert.equal(human.code, 0, human.stdout + human.stderr);
    assert.match(human.stdout, /pass {2}names\n/);
    assert.match(human.stdout, /libraries {2}redis-12000\.redislabs\.com, default options:\n/);
    assert.match(
      human.stdout,
      /name verified {15}ioredis, node-redis, redis-py >= 6\.0\.0, redis-py RedisCluster >= 6\.0\.0, go-redis, Jedis >= 7\.5\.0, Lettuce\n/,
    );
    assert.match(
      human.stdout,
      /connects, name not checked {2}redis-py < 6\.0\.0, redis-py RedisCluster < 6\.0\.0, redis-cli, stunnel, Jedis < 7\.5\.0 \(certs snippet shows how to turn the check on\)\n/,
    );
    const json = await runCli(['check', '--cluster', C, wildcard.cert, '--json']);
    const doc = JSON.parse(json.stdout) as JsonDoc;
    const libraries = doc.reports[0]?.names[0]?.libraries ?? [];
    assert.deepEqual(row(libraries, 'redis-py', '< 6.0.0'), {
      library: 'redis-py',
      versions: '< 6.0.0',
      stack: 'python',
      nameCheck: 'off',
      name: 'not-checked',
      whenEnabled: 'verified',
      enable: 'ssl_check_hostname=True',
    });
    assert.deepEqual(row(libraries, 'redis-py', '>= 6.0.0').name, 'verified');
    const cli = row(libraries, 'redis-cli', 'all');
    assert.deepEqual(
      [cli.nameCheck, cli.name, cli.whenEnabled],
      ['never', 'not-checked', undefined],
    );
    assert.match(cli.enable ?? '', /stunnel with checkHost/);
    assert.equal(row(libraries, 'ioredis', 'all').name, 'verified');
    assert.equal(row(libraries, 'ioredis', 'all').enable, undefined);
  });

  await t.test('a partial wildcard: each library follows its stack, or does not look', async () => {
    const json = await runCli(['check', '--cluster', C, partial.cert, '--json']);
    assert.equal(json.code, 1, json.stderr);
    const libraries = (JSON.parse(json.stdout) as JsonDoc).reports[0]?.names[0]?.libraries ?? [];
    assert.equal(row(libraries, 'ioredis', 'all').name, 'verified'); // Node allows redis-*
    assert.equal(row(libraries, 'redis-py', '>= 6.0.0').name, 'refused'); // Python does not
    assert.deepEqual(
      [
        row(libraries, 'redis-py', '< 6.0.0').name,
        row(libraries, 'redis-py', '< 6.0.0').whenEnabled,
      ],
      ['not-checked', 'refused'],
    );
    assert.equal(row(libraries, 'Lettuce', 'all').name, 'verified'); // Java allows redis-*
    assert.equal(row(libraries, 'go-redis', 'all').name, 'refused');
    const human = await runCli(['check', '--cluster', C, partial.cert]);
    assert.match(
      human.stdout,
      /connects, name not checked {2}[^\n]*\(with the check on, redis-py < 6\.0\.0, redis-py RedisCluster < 6\.0\.0, stunnel refuse it; certs snippet shows how\)/,
    );
  });

  await t.test('a name no stack accepts: redis-cli and the others still connect', async () => {
    const human = await runCli(['check', '--cluster', C, other.cert]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /fail {2}names: NAME_MISMATCH/);
    assert.match(
      human.stdout,
      /refuses the name {12}ioredis, node-redis, redis-py >= 6\.0\.0, redis-py RedisCluster >= 6\.0\.0, go-redis, Jedis >= 7\.5\.0, Lettuce\n/,
    );
    assert.match(
      human.stdout,
      /connects, name not checked {2}redis-py < 6\.0\.0, redis-py RedisCluster < 6\.0\.0, redis-cli, stunnel, Jedis < 7\.5\.0 \(those that can check refuse it once the check is on; certs snippet shows how\)/,
    );
  });
});
