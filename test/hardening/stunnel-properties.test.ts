/**
 * Issue 13, items 1 and 9, as properties (fast-check, seeded as in properties.test.ts): any
 * option values either render to a stunnel configuration whose every line stunnel reads whole
 * and which the linter's parser (stunnel's reading) reads back as exactly the sections and
 * options given, or are refused with INVALID_OPTION. And the parser takes any bytes.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { isCertkitError, parseStunnelConfig, renderStunnelConfig } from '@certkit/core';
import type { StunnelConfigOptions } from '@certkit/core';

const RUNS = 10_000;
/** stunnel 5.68's CONFLINELEN (16,384) less the NUL: the longest line it reads whole. */
const STUNNEL_MAX_LINE_BYTES = 16_383;
// Reproducible by default; CERTKIT_PROPERTY_SEED=random (or a number) explores other cases.
const seedSetting = process.env.CERTKIT_PROPERTY_SEED;
const SEED =
  seedSetting === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : seedSetting === undefined
      ? 20_261_127
      : Number(seedSetting);
fc.configureGlobal({ seed: SEED });
// A hang guard, not a speed assertion.
const HANG_GUARD = { timeout: 300_000 };

// Pieces that break configurations: line ends, NUL, brackets, comment starts, controls, a lone
// surrogate, whitespace stunnel trims and whitespace it does not.
const piece = fc.oneof(
  fc.constantFrom(
    'a',
    'redis',
    '-',
    '.',
    ':',
    '[',
    ']',
    '[evil]',
    ' ',
    '\t',
    '\v',
    '\r',
    '\n',
    '\r\n',
    '\0',
    '=',
    ';',
    '#',
    'é',
    '\u00a0',
    '\u0085',
    '\u001b',
    '\ud800',
    '\ufeff',
    '::1',
    '127.0.0.1',
    '/',
    'exec = /bin/sh',
    '6379',
    '0',
    '65536',
  ),
  fc.string({ maxLength: 6 }),
);
const hostile = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
// Long values around stunnel's line length and PATH_MAX.
const long = fc
  .tuple(
    fc.constantFrom('a', 'ab.', 'x-', 'é', '/p', '[evil]'),
    fc.integer({ min: 1, max: 20_000 }),
  )
  .map(([text, times]) => text.repeat(times));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
// Mostly values of the right type (so that both outcomes are common), sometimes anything.
const dnsName = fc.oneof(
  fc.domain(),
  fc.array(label, { minLength: 1, maxLength: 6 }).map((l) => l.join('.')),
);
const host = fc.oneof(
  { weight: 12, arbitrary: dnsName },
  { weight: 3, arbitrary: fc.ipV4() },
  { weight: 3, arbitrary: fc.ipV6() },
  { weight: 2, arbitrary: fc.ipV6().map((a) => `[${a}]`) },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: long },
);
const port = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 65_535 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('0', '65536', '99999', '007', '+1', '1e3') },
  { weight: 1, arbitrary: hostile },
);
const endpoint = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(host, port).map(([h, p]) => `${h}:${p}`) },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: long },
);
const path = fc.oneof(
  { weight: 20, arbitrary: fc.string({ maxLength: 40 }).map((s) => `/etc/certs/${s}x.pem`) },
  { weight: 1, arbitrary: hostile.map((s) => `/c/${s}`) },
  { weight: 1, arbitrary: long.map((s) => `/${s}`) },
  { weight: 1, arbitrary: hostile },
);
const options: fc.Arbitrary<StunnelConfigOptions> = fc.record(
  {
    cert: path,
    key: path,
    cafile: path,
    connect: endpoint,
    accept: fc.oneof(endpoint, port),
    service: fc.oneof(
      { weight: 12, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,70}$/) },
      { weight: 1, arbitrary: hostile },
    ),
    checkHost: host,
    sni: fc.oneof({ weight: 12, arbitrary: dnsName }, { weight: 2, arbitrary: host }),
    foreground: fc.boolean(),
  },
  { requiredKeys: ['cert', 'key', 'cafile', 'connect'] },
);

/** `HOST:PORT` or `PORT` as stunnel splits it, brackets around an IPv6 host dropped. */
function split(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = colon < 0 ? '' : value.slice(0, colon);
  return {
    host: host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host,
    port: Number(value.slice(colon + 1)),
  };
}

void test(
  'issue 13: any option values render to lines stunnel reads whole and re-parse to exactly the options given, or are refused with INVALID_OPTION',
  HANG_GUARD,
  () => {
    let rendered = 0;
    let refused = 0;
    fc.assert(
      fc.property(options, (given) => {
        let text: string;
        try {
          text = renderStunnelConfig(given);
        } catch (error) {
          assert.ok(isCertkitError(error), String(error));
          assert.equal(error.code, 'INVALID_OPTION');
          assert.doesNotMatch(error.message, /[\n\r\0]/);
          refused++;
          return;
        }
        rendered++;
        for (const line of text.split('\n'))
          assert.ok(Buffer.byteLength(line) <= STUNNEL_MAX_LINE_BYTES);
        const parsed = parseStunnelConfig(text);
        assert.deepEqual(parsed.problems, []);
        assert.equal(parsed.pemBlock, null);
        const [global, service, ...more] = parsed.sections;
        assert.deepEqual(more, []);
        assert.ok(global !== undefined && service !== undefined);
        assert.deepEqual(
          global.options.map((o) => [o.name, o.value]),
          given.foreground === true
            ? [
                ['foreground', 'yes'],
                ['pid', ''],
              ]
            : [],
        );
        assert.equal(service.name, given.service ?? 'redislabs');
        // The generator gives one endpoint (a string): the one-connect case.
        const connect = split(typeof given.connect === 'string' ? given.connect : '');
        const checked =
          given.checkHost === undefined ? connect.host : split(`${given.checkHost}:0`).host;
        const byIp = isIP(checked) !== 0;
        const sni = given.sni ?? (byIp ? undefined : checked);
        const values = new Map(service.options.map((o) => [o.name, o.value]));
        assert.deepEqual(
          service.options.map((o) => o.name),
          [
            'client',
            'accept',
            'connect',
            'cert',
            'key',
            'CAfile',
            'verifyChain',
            byIp ? 'checkIP' : 'checkHost',
            ...(sni === undefined ? [] : ['sni']),
            'sslVersionMin',
            'delay',
          ],
        );
        assert.deepEqual(split(values.get('connect') ?? ''), connect);
        const accept = given.accept ?? '127.0.0.1:6379';
        assert.deepEqual(
          split(values.get('accept') ?? ''),
          accept.includes(':') ? split(accept) : { host: '', port: Number(accept) },
        );
        assert.equal(values.get('cert'), given.cert);
        assert.equal(values.get('key'), given.key);
        assert.equal(values.get('CAfile'), given.cafile);
        assert.equal(values.get(byIp ? 'checkIP' : 'checkHost'), checked);
        assert.equal(values.get('sni'), sni);
        assert.equal(values.get('client'), 'yes');
        assert.equal(values.get('verifyChain'), 'yes');
      }),
      { numRuns: RUNS },
    );
    // Both outcomes are exercised, or the property proves little.
    assert.ok(rendered > RUNS / 20, `rendered ${String(rendered)}`);
    assert.ok(refused > RUNS / 20, `refused ${String(refused)}`);
  },
);

void test(
  'issue 13: the stunnel parser reads any bytes, and no option it returns spans or outgrows a line',
  HANG_GUARD,
  () => {
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 3_000 }),
      fc.array(piece, { maxLength: 60 }).map((parts) => new TextEncoder().encode(parts.join(''))),
      fc
        .tuple(long, fc.array(piece, { maxLength: 10 }))
        .map(([l, parts]) => new TextEncoder().encode(`[s]\nkey = ${l}${parts.join('')}\n`)),
    );
    fc.assert(
      fc.property(text, (bytes) => {
        const parsed = parseStunnelConfig(bytes);
        for (const section of parsed.sections) {
          assert.ok(!(section.name ?? '').includes('\n'));
          for (const option of section.options) {
            assert.ok(!`${option.name}${option.value}`.includes('\n'));
            assert.ok(!`${option.name}${option.value}`.includes('\r'));
            // A byte decodes to at most one UTF-16 unit (an invalid one to U+FFFD).
            assert.ok(option.name.length + option.value.length <= STUNNEL_MAX_LINE_BYTES);
          }
        }
        for (const problem of parsed.problems) assert.ok(problem.message.length < 400);
      }),
      { numRuns: RUNS },
    );
  },
);
