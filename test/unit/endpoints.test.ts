/**
 * Many endpoints at once, in memory: endpoint lists and curl-style pins parsed, the bounded pool
 * (never more than N tasks, none started after an abort or a throw, every started task ended
 * before it returns), and the pure decisions about a run (tally, whether to write the bundle).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointOutcome, EndpointTally } from '@certkit/core';
import { isCertkitError } from '../../packages/core/src/errors.js';
import {
  MAX_ENDPOINTS,
  parseEndpointList,
  parseResolvePin,
  runBounded,
} from '../../packages/core/src/io/endpoints.js';
import { decideBundleWrite, tallyEndpoints } from '../../packages/core/src/judge/endpoints.js';
import { isEndpointTarget } from '../../packages/core/src/workflows/expiry-endpoints.js';

function rejects(f: () => unknown, message: RegExp): void {
  assert.throws(f, (error: unknown) => {
    assert.ok(isCertkitError(error), String(error));
    assert.equal(error.code, 'INVALID_OPTION');
    assert.match(error.message, message);
    return true;
  });
}

test('an endpoint list: one HOST:PORT a line, # comments and blank lines ignored', async (t) => {
  await t.test('hosts, IPv4, bracketed IPv6, comments, CRLF', () => {
    const text =
      '# the fleet\r\nredis-12000.a.example.com:12000\r\n\r\n  10.0.0.5:12001   # node 2\n[::1]:6380\n#last\n';
    assert.deepEqual(parseEndpointList(text, 'fleet.txt'), [
      { host: 'redis-12000.a.example.com', port: 12000 },
      { host: '10.0.0.5', port: 12001 },
      { host: '::1', port: 6380 },
    ]);
  });
  await t.test('a bad line is named, and a long one is not quoted whole', () => {
    rejects(
      () => parseEndpointList('a.example.com:1\nno-port\n', 'fleet.txt'),
      /^line 2 of fleet\.txt: endpoint must look like HOST:PORT/,
    );
    rejects(() => parseEndpointList('a:0\n', 'f'), /^line 1 of f: .*port from 1 to 65535/);
    const long = `${'a'.repeat(100_000)}:1`;
    assert.throws(
      () => parseEndpointList(long, 'f'),
      (error: unknown) =>
        isCertkitError(error) && error.message.length < 400 && /characters\)$/.test(error.message),
    );
  });
  await t.test(`more than MAX_ENDPOINTS (${String(MAX_ENDPOINTS)}) is refused`, () => {
    const text = Array.from({ length: MAX_ENDPOINTS + 1 }, (_, i) => `h${String(i)}:1`).join('\n');
    rejects(
      () => parseEndpointList(text, 'huge.txt'),
      /^huge\.txt lists more than 100000 endpoints/,
    );
  });
});

test('a pin as curl --resolve takes it: HOST:PORT:ADDR[,ADDR…]', async (t) => {
  const rows: { name: string; text: string; pin?: object; error?: RegExp }[] = [
    {
      name: 'two IPv4 addresses',
      text: 'redis-12000.C:12000:127.0.0.1,127.0.0.2',
      pin: { host: 'redis-12000.c', port: 12000, addresses: ['127.0.0.1', '127.0.0.2'] },
    },
    {
      name: 'IPv6, bracketed or not; repeats dropped',
      text: 'h.example:443:[::1],::2,::1',
      pin: { host: 'h.example', port: 443, addresses: ['::1', '::2'] },
    },
    { name: 'no address', text: 'h:443:', error: /is not an IP address/ },
    { name: 'a name as address', text: 'h:443:other.example', error: /is not an IP address/ },
    { name: 'curl +host form', text: '+h:443:127.0.0.1', error: /HOST must be a host name/ },
    { name: 'curl -host form', text: '-h:443', error: /separated by colons/ },
    { name: 'port 0', text: 'h:0:127.0.0.1', error: /PORT must be from 1 to 65535/ },
    { name: 'not a port', text: 'h:x:127.0.0.1', error: /PORT must be from 1 to 65535/ },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      if (row.error !== undefined) rejects(() => parseResolvePin(row.text), row.error);
      else assert.deepEqual(parseResolvePin(row.text), row.pin);
    });
  }
});

test('expiry inputs: HOST:PORT is an endpoint, anything else a file', async (t) => {
  const rows: [string, boolean][] = [
    ['redis-12000.cluster.example.com:12000', true],
    ['127.0.0.1:6379', true],
    ['[::1]:6380', true],
    ['localhost:6379', true],
    ['proxy_cert.pem', false],
    ['./a:1', false],
    ['/etc/redis/cert.pem', false],
    ['dir/node:1', false],
    ['name:99999', false],
  ];
  for (const [input, endpoint] of rows) {
    await t.test(input, () => {
      assert.equal(isEndpointTarget(input), endpoint);
    });
  }
});

/** A task that ends when `release` is called; counts how many run at once. */
function gate(): {
  task: (n: number, index: number, signal: AbortSignal) => Promise<number>;
  running: () => number;
  peak: () => number;
  release: () => void;
  started: number[];
} {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const waiting: (() => void)[] = [];
  return {
    task: (n, _index, signal) =>
      new Promise((resolve) => {
        started.push(n);
        running++;
        peak = Math.max(peak, running);
        const done = (): void => {
          running--;
          resolve(n * 10);
        };
        waiting.push(done);
        signal.addEventListener('abort', done, { once: true });
      }),
    running: () => running,
    peak: () => peak,
    release: () => {
      for (const done of waiting.splice(0)) done();
    },
    started,
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

test('the pool never runs more than its concurrency, and keeps the order of its input', async () => {
  const g = gate();
  const items = Array.from({ length: 10 }, (_, i) => i);
  const run = runBounded(items, g.task, { concurrency: 3 });
  for (let round = 0; round < 4; round++) {
    await until(() => g.running() === Math.min(3, 10 - round * 3));
    g.release();
  }
  const result = await run;
  assert.equal(g.peak(), 3);
  assert.deepEqual(
    result.results,
    items.map((i) => i * 10),
  );
  assert.equal(result.started, 10);
  assert.equal(result.interrupted, false);
});

test('the pool starts nothing after an abort, and its running tasks see the abort', async () => {
  const g = gate();
  const controller = new AbortController();
  const settled: number[] = [];
  const run = runBounded(
    Array.from({ length: 10 }, (_, i) => i),
    g.task,
    {
      concurrency: 2,
      signal: controller.signal,
      onSettled: (index) => settled.push(index),
    },
  );
  await until(() => g.running() === 2);
  controller.abort();
  const result = await run;
  assert.deepEqual(g.started, [0, 1]);
  assert.equal(g.running(), 0, 'every started task ended');
  assert.equal(result.started, 2);
  assert.equal(result.interrupted, true);
  assert.deepEqual(settled.sort(), [0, 1]);
  assert.deepEqual(
    result.results.slice(2),
    Array.from({ length: 8 }, () => undefined),
  );
});

test('when a task throws, the pool aborts the others, waits for them, then throws', async () => {
  const g = gate();
  const boom = new Error('boom');
  const run = runBounded(
    Array.from({ length: 10 }, (_, i) => i),
    (n, index, signal) => (n === 2 ? Promise.reject(boom) : g.task(n, index, signal)),
    { concurrency: 3 },
  );
  await assert.rejects(run, boom);
  assert.equal(g.running(), 0, 'no task outlives the call');
  assert.deepEqual(g.started, [0, 1]);
});

test('concurrency is checked: a whole number from 1 to 1024', async () => {
  for (const bad of [0, -1, 1.5, 1025, Number.NaN]) {
    await assert.rejects(
      runBounded([1], () => Promise.resolve(1), { concurrency: bad }),
      (error: unknown) => isCertkitError(error) && /concurrency must be/.test(error.message),
    );
  }
});

function outcome(ok: boolean, code = 'CONNECTION_REFUSED'): EndpointOutcome<null> {
  const ref = { endpoint: 'h:1', host: 'h', port: 1 };
  return ok
    ? { ...ref, ok: true, value: null }
    : { ...ref, ok: false, failure: { code, reason: code } };
}

test('a run is tallied from its outcomes: answered, failed, stopped, never started', () => {
  const tally = tallyEndpoints(
    [outcome(true), outcome(false), outcome(false, 'INTERRUPTED'), undefined, outcome(true)],
    true,
  );
  assert.deepEqual(tally, {
    total: 5,
    succeeded: 2,
    failed: 1,
    stopped: 1,
    notStarted: 1,
    interrupted: true,
  });
  assert.equal(tallyEndpoints([outcome(true)], false).interrupted, false);
});

test('the bundle is written only when every endpoint answered and it is sound, unless allowed', async (t) => {
  const all: EndpointTally = tallyEndpoints([outcome(true), outcome(true)], false);
  const someFailed = tallyEndpoints([outcome(true), outcome(false)], false);
  const interrupted = tallyEndpoints([outcome(true), undefined], true);
  const sound = { ok: true, certificates: 2 };
  const broken = { ok: false, certificates: 2 };
  const rows: {
    name: string;
    tally: EndpointTally;
    bundle: { ok: boolean; certificates: number } | null;
    options?: { allowPartial?: boolean; allowBroken?: boolean };
    expected: ReturnType<typeof decideBundleWrite>;
  }[] = [
    { name: 'all answered, sound', tally: all, bundle: sound, expected: { write: true } },
    {
      name: 'one failed',
      tally: someFailed,
      bundle: sound,
      expected: { write: false, heldBack: 'ENDPOINTS_FAILED' },
    },
    {
      name: 'one failed, allowPartial',
      tally: someFailed,
      bundle: sound,
      options: { allowPartial: true },
      expected: { write: true },
    },
    {
      name: 'interrupted',
      tally: interrupted,
      bundle: sound,
      expected: { write: false, heldBack: 'INTERRUPTED' },
    },
    {
      name: 'interrupted, allowPartial',
      tally: interrupted,
      bundle: sound,
      options: { allowPartial: true },
      expected: { write: true },
    },
    {
      name: 'broken chain',
      tally: all,
      bundle: broken,
      expected: { write: false, heldBack: 'BUNDLE_BROKEN' },
    },
    {
      name: 'broken chain, allowBroken',
      tally: all,
      bundle: broken,
      options: { allowBroken: true },
      expected: { write: true },
    },
    {
      name: 'nothing fetched, even with allowPartial',
      tally: tallyEndpoints([outcome(false)], false),
      bundle: null,
      options: { allowPartial: true },
      expected: { write: false, heldBack: 'NOTHING_FETCHED' },
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      assert.deepEqual(decideBundleWrite(row.tally, row.bundle, row.options), row.expected);
    });
  }
});
