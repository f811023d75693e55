/**
 * redis.conf lint on hostile input: the parse is one pass whatever the file (one huge line,
 * millions of lines, quotes and escapes everywhere, NULs), what it keeps and lists is bounded
 * (directives, arguments, problems, findings), and nothing of the input reaches a message raw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCertkitError, lintRedisConfInMemory } from '@certkit/core';
import { parseRedisConf } from '../../packages/core/src/judge/redis-conf-syntax.js';
import { REDIS_CONF_MAX_FINDINGS } from '../../packages/core/src/judge/redis-conf.js';
import {
  REDIS_CONF_MAX_ARGUMENTS,
  REDIS_CONF_MAX_DIRECTIVES,
  REDIS_CONF_MAX_PROBLEMS,
} from '../../packages/core/src/judge/redis-conf-syntax.js';

const MiB = 1024 * 1024;
const TLS = 'port 0\ntls-port 6380\ntls-cert-file /c\ntls-key-file /k\ntls-ca-cert-file /ca\n';

const HOSTILE: readonly { name: string; input: () => string | Uint8Array }[] = [
  { name: 'one 10 MiB line of one word', input: () => `port ${'9'.repeat(10 * MiB)}\n` },
  { name: 'one 10 MiB line of words', input: () => `save ${'1 '.repeat(5 * MiB)}\n` },
  { name: '1.4 million directives', input: () => TLS + 'port 0\n'.repeat(1_400_000) },
  {
    name: '10 MiB of escapes in one quoted argument',
    input: () => `tls-protocols "${'\\x41\\'.repeat(2 * MiB)}"\n`,
  },
  { name: '10 MiB of unbalanced quotes', input: () => TLS + 'x "\n'.repeat(2 * MiB) },
  { name: 'a NUL every few bytes', input: () => Buffer.from(TLS + 'port 0\u0000\n'.repeat(MiB)) },
  { name: 'a syntax error on every line', input: () => TLS + 'port 0 # x\n'.repeat(MiB) },
  {
    name: 'many nopass users',
    input: () =>
      `${TLS}tls-auth-clients optional\n${Array.from({ length: 50_000 }, (_, i) => `user u${String(i)} on nopass`).join('\n')}\n`,
  },
];

void test('hostile redis.conf input: bounded parse, bounded report, escaped messages', async (t) => {
  for (const row of HOSTILE) {
    await t.test(row.name, () => {
      const input = row.input();
      const parsed = parseRedisConf(input);
      assert.ok(parsed.directives.length <= REDIS_CONF_MAX_DIRECTIVES);
      assert.ok(parsed.problems.length <= REDIS_CONF_MAX_PROBLEMS + 1);
      for (const d of parsed.directives) assert.ok(d.args.length <= REDIS_CONF_MAX_ARGUMENTS);
      let report;
      try {
        report = lintRedisConfInMemory(input, 'hostile.conf', { checkFiles: false });
      } catch (error) {
        // A file none of whose directives redis knows is refused, as it should be.
        assert.ok(isCertkitError(error) && error.code === 'NOT_A_CONFIGURATION', String(error));
        assert.ok(error.message.length < 300);
        return;
      }
      assert.ok(report.findings.length <= REDIS_CONF_MAX_FINDINGS + 1);
      for (const f of report.findings) {
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(f.message, /[\u0000-\u001f\u007f-\u009f]/);
        assert.ok(f.message.length < 2_000, `${f.code}: ${String(f.message.length)} characters`);
      }
    });
  }
});
