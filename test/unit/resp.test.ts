/**
 * The RESP reader (judge/resp.ts) on replies given as bytes: what redis-server 7.0.15 really
 * sends (captured from the clusters and Sentinel of test/e2e/topology-*.test.ts), every way of
 * splitting it into chunks, and hostile replies: huge counts and lengths, deep nesting, wrong
 * types, lines without an end, more bytes than allowed. A hostile reply is refused with a reason,
 * never read into memory first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRespReader,
  readRespReply,
  RESP_LIMITS,
  respFields,
} from '../../packages/core/src/judge/resp.js';
import type { RespStep, RespValue } from '../../packages/core/src/judge/resp.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** HELLO 3 to a cluster node of redis-server 7.0.15, as sent. */
const HELLO_CLUSTER =
  '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:11\r\n$4\r\nmode\r\n$7\r\ncluster\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';
/** CLUSTER SLOTS in RESP3 from the same node: one range of three, with the `%0` metadata map. */
const SLOTS_RESP3 =
  '*1\r\n*3\r\n:0\r\n:5460\r\n*4\r\n$9\r\n127.0.0.1\r\n:31000\r\n$40\r\ne5a7ed1adb75d468c5884beddc1138842ea662c7\r\n%0\r\n';
/** SENTINEL REPLICAS in RESP2: a flat array of names and values, ports as strings. */
const REPLICAS_RESP2 =
  '*1\r\n*6\r\n$4\r\nname\r\n$15\r\n127.0.0.1:34001\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n34001\r\n';

function reply(text: string): RespValue {
  const read = readRespReply(bytes(text));
  assert.ok(read.ok, read.ok ? '' : read.reason);
  return read.reply;
}

void test('RESP2 and RESP3 values as redis-server sends them', async (t) => {
  const rows: { name: string; text: string; expect: RespValue }[] = [
    { name: 'simple string', text: '+OK\r\n', expect: { type: 'simple', text: 'OK' } },
    {
      name: 'error',
      text: "-ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.\r\n",
      expect: { type: 'error', text: "ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP." },
    },
    { name: 'integer', text: ':31000\r\n', expect: { type: 'integer', value: 31000 } },
    { name: 'negative integer', text: ':-1\r\n', expect: { type: 'integer', value: -1 } },
    { name: 'bulk string', text: '$9\r\n127.0.0.1\r\n', expect: { type: 'bulk', text: '127.0.0.1' } },
    { name: 'empty bulk string', text: '$0\r\n\r\n', expect: { type: 'bulk', text: '' } },
    { name: 'bulk string holding CRLF', text: '$4\r\na\r\nb\r\n', expect: { type: 'bulk', text: 'a\r\nb' } },
    { name: 'RESP2 null bulk string', text: '$-1\r\n', expect: { type: 'null' } },
    { name: 'RESP2 null array', text: '*-1\r\n', expect: { type: 'null' } },
    { name: 'RESP3 null', text: '_\r\n', expect: { type: 'null' } },
    { name: 'boolean', text: '#t\r\n', expect: { type: 'boolean', value: true } },
    { name: 'double', text: ',3.14\r\n', expect: { type: 'number', text: '3.14' } },
    { name: 'big number', text: '(3492890328409238509324850943850943825024385\r\n', expect: { type: 'number', text: '3492890328409238509324850943850943825024385' } },
    { name: 'verbatim string: its format dropped', text: '=15\r\ntxt:Some string\r\n', expect: { type: 'bulk', text: 'Some string' } },
    { name: 'blob error', text: '!21\r\nSYNTAX invalid syntax\r\n', expect: { type: 'error', text: 'SYNTAX invalid syntax' } },
    { name: 'set', text: '~2\r\n+a\r\n+b\r\n', expect: { type: 'array', items: [{ type: 'simple', text: 'a' }, { type: 'simple', text: 'b' }] } },
    { name: 'empty array', text: '*0\r\n', expect: { type: 'array', items: [] } },
    { name: 'empty map', text: '%0\r\n', expect: { type: 'map', entries: [] } },
    {
      name: 'an attribute before a value is left out',
      text: '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:2\r\n',
      expect: { type: 'integer', value: 2 },
    },
    {
      name: 'an attribute inside an array is not one of its items',
      text: '*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n',
      expect: { type: 'array', items: [{ type: 'integer', value: 1 }, { type: 'integer', value: 2 }] },
    },
    {
      name: 'an out-of-band push before the reply is left out',
      text: '>3\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nkey\r\n_\r\n+OK\r\n',
      expect: { type: 'simple', text: 'OK' },
    },
  ]; // prettier-ignore
  for (const row of rows) {
    await t.test(row.name, () => {
      assert.deepEqual(reply(row.text), row.expect);
    });
  }
  await t.test('HELLO 3 of a cluster node: a map with mode cluster', () => {
    const fields = respFields(reply(HELLO_CLUSTER));
    assert.ok(fields !== undefined);
    assert.deepEqual(fields.get('mode'), { type: 'bulk', text: 'cluster' });
    assert.deepEqual(fields.get('proto'), { type: 'integer', value: 3 });
  });
  await t.test('RESP2 sends fields as a flat array; respFields reads both', () => {
    const replicas = reply(REPLICAS_RESP2);
    assert.equal(replicas.type, 'array');
    const first = replicas.items[0];
    assert.deepEqual(respFields(first)?.get('port'), { type: 'bulk', text: '34001' });
  });
});

/** Pushes `text` in the pieces `cuts` make; the last step. */
function pushInPieces(text: string, cuts: readonly number[]): RespStep {
  const all = bytes(text);
  const reader = createRespReader();
  let from = 0;
  let step: RespStep = { state: 'more' };
  for (const cut of [...cuts, all.length]) {
    step = reader.push(all.subarray(from, cut));
    from = cut;
    if (step.state !== 'more') break;
  }
  return step;
}

void test('a reply split anywhere reads the same: every cut point, and one byte at a time', () => {
  for (const text of [HELLO_CLUSTER, SLOTS_RESP3, REPLICAS_RESP2, '=15\r\ntxt:Some string\r\n']) {
    const whole = reply(text);
    const length = bytes(text).length;
    for (let cut = 1; cut < length; cut++) {
      const step = pushInPieces(text, [cut]);
      assert.equal(step.state, 'done', `cut at ${String(cut)}`);
      assert.deepEqual(step.reply, whole);
    }
    const drip = pushInPieces(
      text,
      Array.from({ length: length - 1 }, (_, i) => i + 1),
    );
    assert.deepEqual(drip.state === 'done' ? drip.reply : undefined, whole);
  }
});

void test('bytes after a reply are handed back: the start of the next one', () => {
  const step = createRespReader().push(bytes(`${HELLO_CLUSTER}${SLOTS_RESP3}`));
  assert.equal(step.state, 'done');
  assert.deepEqual(Buffer.from(step.rest).toString(), SLOTS_RESP3);
  const next = createRespReader().push(step.rest);
  assert.equal(next.state, 'done');
});

void test('hostile replies are refused with a reason, before anything is allocated for them', async (t) => {
  const rows: { name: string; text: string; reason: RegExp }[] = [
    { name: 'an array of 2^32 items', text: '*4294967296\r\n', reason: /more than 262144 values/ },
    { name: 'a map of 2^31 pairs', text: '%2147483648\r\n', reason: /more than 262144 values/ },
    { name: 'a count past any integer', text: '*99999999999999999999999999\r\n', reason: /not a number/ },
    { name: 'a bulk string of 9 GB', text: '$9000000000\r\n', reason: /longer than 1048576 bytes/ },
    { name: 'arrays nested 20 deep', text: `${'*1\r\n'.repeat(20)}:1\r\n`, reason: /deeper than 8 levels/ },
    { name: 'maps nested 9 deep', text: `${'%1\r\n+k\r\n'.repeat(9)}:1\r\n`, reason: /deeper than 8 levels/ },
    { name: 'attributes nested 9 deep', text: `${'|1\r\n+k\r\n'.repeat(9)}:1\r\n`, reason: /deeper than 8 levels/ },
    { name: 'a negative count', text: '*-2\r\n', reason: /negative count/ },
    { name: 'a negative length', text: '$-5\r\n', reason: /negative length/ },
    { name: 'RESP3 null array form of a map', text: '%-1\r\n', reason: /negative count/ },
    { name: 'a count in hex', text: '*0x10\r\n', reason: /not a number/ },
    { name: 'an integer with text', text: ':12abc\r\n', reason: /not a number/ },
    { name: 'a bulk string longer than its length', text: '$3\r\nabcd\r\n', reason: /does not end where its length says/ },
    { name: 'an unknown type byte', text: '?1\r\n', reason: /unknown type byte/ },
    { name: 'HTTP instead of RESP', text: 'HTTP/1.1 400 Bad Request\r\n', reason: /unknown type byte/ },
    { name: 'a null with text', text: '_x\r\n', reason: /null carries text/ },
    { name: 'a boolean that is neither', text: '#x\r\n', reason: /neither t nor f/ },
    { name: 'a double that is not one', text: ',1e1e1\r\n', reason: /not a number/ },
    { name: 'a verbatim string without its format', text: '=2\r\nab\r\n', reason: /no format/ },
    { name: 'a line without an end', text: `+${'a'.repeat(RESP_LIMITS.maxLineBytes + 10)}`, reason: /longer than 8192 bytes/ },
  ]; // prettier-ignore
  for (const row of rows) {
    await t.test(row.name, () => {
      const read = readRespReply(bytes(row.text));
      assert.equal(read.ok, false, JSON.stringify(read).slice(0, 200));
      assert.match(read.reason, row.reason);
    });
  }
  await t.test('a string that would pass the reply limit, refused at its length', () => {
    const text = `*2\r\n$1000000\r\n${'a'.repeat(1_000_000)}\r\n$1000000\r\n`;
    const read = readRespReply(bytes(text), { maxBytes: 1_500_000 });
    assert.deepEqual(read, { ok: false, reason: 'the reply is larger than 1500000 bytes' });
  });
  await t.test('more values than allowed, each small', () => {
    const read = readRespReply(bytes(`*3\r\n${':1\r\n'.repeat(3)}`), { maxElements: 2 });
    assert.deepEqual(read, { ok: false, reason: 'the reply has more than 2 values' });
  });
  await t.test('pushes without end before a reply count against its bytes', () => {
    const reader = createRespReader({ maxBytes: 4096 });
    let step: RespStep = { state: 'more' };
    for (let i = 0; i < 1000 && step.state === 'more'; i++)
      step = reader.push(bytes('>1\r\n+x\r\n'));
    assert.deepEqual(step, { state: 'invalid', reason: 'the reply is larger than 4096 bytes' });
  });
  await t.test(
    'a line that never ends is refused once it passes the line limit, byte by byte',
    () => {
      const reader = createRespReader();
      let step: RespStep = { state: 'more' };
      let pushed = 0;
      while (step.state === 'more' && pushed < 100_000) {
        step = reader.push(bytes('a'));
        pushed++;
      }
      assert.equal(step.state, 'invalid');
      // It held the line limit and a few bytes, no more.
      assert.ok(pushed <= RESP_LIMITS.maxLineBytes + 3, `refused after ${String(pushed)} bytes`);
    },
  );
  await t.test('a spent reader refuses more bytes', () => {
    const reader = createRespReader();
    assert.equal(reader.push(bytes('?\r\n')).state, 'invalid');
    assert.equal(reader.push(bytes('+OK\r\n')).state, 'invalid');
  });
  await t.test('incomplete and trailing bytes are not a reply', () => {
    assert.deepEqual(readRespReply(bytes('*2\r\n:1\r\n')), {
      ok: false,
      reason: 'the reply is incomplete',
    });
    assert.deepEqual(readRespReply(bytes('+OK\r\n+OK\r\n')), {
      ok: false,
      reason: 'bytes follow the reply',
    });
  });
});

void test('a large reply dripped one byte at a time is read (each byte looked at a bounded number of times)', () => {
  // 20,000 values in 240 KiB: were each push to search the reply again from its start, this
  // would take 240K x 120K steps, far beyond the test's time; it takes milliseconds.
  const values = Array.from(
    { length: 20_000 },
    (_, i) => `$6\r\nv${String(i).padStart(5, '0')}\r\n`,
  );
  const text = `*${String(values.length)}\r\n${values.join('')}`;
  const all = bytes(text);
  const reader = createRespReader();
  let step: RespStep = { state: 'more' };
  for (let i = 0; i < all.length && step.state === 'more'; i++)
    step = reader.push(all.subarray(i, i + 1));
  assert.equal(step.state, 'done');
  assert.equal(step.reply.type, 'array');
  const items = step.reply.items;
  assert.equal(items.length, 20_000);
  assert.deepEqual(items[19_999], { type: 'bulk', text: 'v19999' });
});
