/**
 * Client libraries by version (issue 19 item 4): the table's ranges, the version a row is chosen
 * for, and each library's verdict on a name from its stack's verdict, as data. What the rows
 * claim about the installed versions is measured in test/e2e/client-defaults.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
// libraryVerdicts is internal: checkEndpointCertificate reports it as `names[].libraries`.
import { CLIENT_LIBRARIES, CLIENT_STACKS, isCertkitError } from '@certkit/core';
import {
  clientLibraryDefaults,
  libraryVerdicts,
  compareVersions,
  versionRange,
} from '../../packages/core/src/judge/client-libraries.js';
import type { ClientVerdict } from '@certkit/core';

test('every library: ranges adjacent, not overlapping, and a stack that is modelled', () => {
  const stacks = new Set(CLIENT_STACKS.map((s) => s.stack));
  const libraries = [...new Set(CLIENT_LIBRARIES.map((row) => row.library))];
  for (const library of libraries) {
    const rows = clientLibraryDefaults(library);
    assert.equal(rows[0]?.since, undefined, `${library}: the first range starts at the start`);
    assert.equal(rows.at(-1)?.before, undefined, `${library}: the last range has no end`);
    for (let i = 1; i < rows.length; i++) {
      assert.equal(rows[i]?.since, rows[i - 1]?.before, `${library}: ranges ${String(i)} meet`);
    }
    for (const row of rows) {
      assert.ok(stacks.has(row.stack), `${library}: stack ${row.stack}`);
      assert.ok(row.enable.length > 0 && row.source.length > 0, `${library}: enable and source`);
    }
  }
});

test('the row for a version', async (t) => {
  const rows: readonly {
    name: string;
    library: Parameters<typeof clientLibraryDefaults>[0];
    version: string;
    expect: string;
  }[] = [
    { name: 'redis-py 4.3.4 (Debian 12)', library: 'redis-py', version: '4.3.4', expect: 'off' },
    { name: 'redis-py 5.2.1', library: 'redis-py', version: '5.2.1', expect: 'off' },
    { name: 'redis-py 6.0.0 exactly', library: 'redis-py', version: '6.0.0', expect: 'on' },
    {
      name: 'redis-py 6.0.0b2 counts as 6.0.0',
      library: 'redis-py',
      version: '6.0.0b2',
      expect: 'on',
    },
    { name: 'redis-py 7.4', library: 'redis-py', version: '7.4', expect: 'on' },
    {
      name: 'RedisCluster 5.0.1 (redis-py #3122)',
      library: 'redis-py RedisCluster',
      version: '5.0.1',
      expect: 'off',
    },
    { name: 'Jedis 7.4.1', library: 'Jedis', version: '7.4.1', expect: 'off' },
    { name: 'Jedis 7.5.0', library: 'Jedis', version: '7.5.0', expect: 'on' },
    {
      name: 'Jedis v7.10.0 (numeric, not text, order)',
      library: 'Jedis',
      version: 'v7.10.0',
      expect: 'on',
    },
    { name: 'redis-cli, any version', library: 'redis-cli', version: '7.0.15', expect: 'never' },
    { name: 'Lettuce 6.1', library: 'Lettuce', version: '6.1.0', expect: 'on' },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const found = clientLibraryDefaults(row.library, row.version);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.nameCheck, row.expect);
    });
  }
});

test('a version that is not dotted numbers is a clear error', () => {
  for (const bad of ['', 'latest', '6..0', '6.0.0.0.0', 'x'.repeat(10_000)]) {
    assert.throws(
      () => clientLibraryDefaults('redis-py', bad),
      (error: unknown) =>
        isCertkitError(error) &&
        error.code === 'INVALID_OPTION' &&
        /the redis-py version must be a version such as 4\.3\.4/.test(error.message) &&
        error.message.length < 200,
      JSON.stringify(bad.slice(0, 20)),
    );
  }
  assert.ok(compareVersions('6.10', '6.9') > 0);
  assert.equal(compareVersions('6.0', '6.0.0'), 0);
});

test('a library that does not look at the name is "connects, name not checked", not verified', () => {
  const stacks = (accepts: boolean): ClientVerdict[] =>
    CLIENT_STACKS.map(({ stack }) => ({ stack, accepts, reason: accepts ? 'SAN' : 'no SAN' }));
  for (const accepts of [true, false]) {
    const verdicts = libraryVerdicts(stacks(accepts));
    assert.equal(verdicts.length, CLIENT_LIBRARIES.length);
    for (const [i, v] of verdicts.entries()) {
      const row = CLIENT_LIBRARIES[i];
      assert.ok(row);
      assert.equal(v.versions, versionRange(row));
      if (row.nameCheck === 'on') {
        assert.equal(v.name, accepts ? 'verified' : 'refused', v.library);
        assert.equal(v.enable, undefined);
      } else {
        assert.equal(v.name, 'not-checked', `${v.library} ${v.versions}`);
        assert.equal(v.enable, row.enable);
        assert.equal(
          v.whenEnabled,
          row.nameCheck === 'never' ? undefined : accepts ? 'verified' : 'refused',
        );
      }
    }
  }
  const defaults = libraryVerdicts(stacks(true));
  assert.deepEqual(
    defaults.filter((v) => v.name === 'not-checked').map((v) => `${v.library} ${v.versions}`),
    [
      'redis-py < 6.0.0',
      'redis-py RedisCluster < 6.0.0',
      'redis-cli all',
      'stunnel all',
      'Jedis < 7.5.0',
    ],
  );
  // Only the stacks given are judged: a library whose stack has no verdict is left out.
  assert.deepEqual(
    libraryVerdicts([{ stack: 'go', accepts: true, reason: 'SAN' }]).map((v) => v.library),
    ['go-redis'],
  );
});

test('a stack that refuses one name but not another: each library follows its own stack', () => {
  const verdicts = libraryVerdicts(
    CLIENT_STACKS.map(({ stack }) => ({
      stack,
      accepts: stack === 'node' || stack === 'java',
      reason: 'partial wildcard',
    })),
  );
  const by = (library: string, versions: string) =>
    verdicts.find((v) => v.library === library && v.versions === versions);
  assert.equal(by('ioredis', 'all')?.name, 'verified');
  assert.equal(by('redis-py', '>= 6.0.0')?.name, 'refused');
  assert.equal(by('redis-py', '< 6.0.0')?.name, 'not-checked');
  assert.equal(by('redis-py', '< 6.0.0')?.whenEnabled, 'refused');
  assert.equal(by('Jedis', '< 7.5.0')?.whenEnabled, 'verified');
  assert.equal(by('Lettuce', 'all')?.name, 'verified');
  assert.equal(by('go-redis', 'all')?.name, 'refused');
});
