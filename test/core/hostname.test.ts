/** RFC 9525 reference-identity rules (issue 4): the pure pattern rule and whole certificates. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { matchReferenceIdentity, parseCertificates } from '@certkit/core';
// The pattern rules under matchReferenceIdentity, and the IP literal parser, from their modules.
import {
  dnsPatternProblem,
  isPublicSuffix,
  matchDnsPattern,
} from '../../packages/core/src/judge/hostname.js';
import { parseIpAddress } from '../../packages/core/src/x509/ip.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

test('matchDnsPattern follows RFC 9525 section 6.3', () => {
  const rows: [name: string, pattern: string, host: string, expected: boolean][] = [
    ['exact', 'example.com', 'example.com', true],
    ['ASCII case-insensitive', 'Example.COM', 'example.com', true],
    ['one trailing dot on the reference', 'example.com', 'example.com.', true],
    // RFC 5280 section 4.2.1.6: a dNSName has the preferred name syntax, without a final dot.
    ['one trailing dot on the pattern', 'example.com.', 'example.com', false],
    ['trailing dots on both', 'example.com.', 'example.com.', false],
    ['trailing dot on a wildcard pattern', '*.example.com.', 'foo.example.com', false],
    ['two trailing dots', 'example.com', 'example.com..', false],
    ['different name', 'example.com', 'example2.com', false],
    ['wildcard matches one label', '*.example.com', 'foo.example.com', true],
    ['wildcard is case-insensitive', '*.EXAMPLE.com', 'FOO.example.com', true],
    [
      'wildcard matches an A-label as a whole label',
      '*.example.com',
      'xn--bcher-kva.example.com',
      true,
    ],
    ['wildcard never matches two labels', '*.example.com', 'a.b.example.com', false],
    ['wildcard never matches the apex', '*.example.com', 'example.com', false],
    ['partial wildcard', 'ba*.example.com', 'baz.example.com', false],
    [
      'partial wildcard with a dash (redis-*)',
      'redis-*.cluster.example.com',
      'redis-12000.cluster.example.com',
      false,
    ],
    [
      'wildcard inside an A-label',
      'xn--*-1b3c148a.example.com',
      'xn--bliss-1b3c148a.example.com',
      false,
    ],
    ['wildcard not left-most', 'foo.*.example.com', 'foo.bar.example.com', false],
    ['two wildcards', '*.*.example.com', 'a.b.example.com', false],
    ['bare wildcard', '*', 'example', false],
    ['wildcard over a TLD', '*.com', 'example.com', false],
    ['wildcard over a single private label', '*.cluster', 'redis.cluster', false],
    ['wildcard over co.uk', '*.co.uk', 'example.co.uk', false],
    ['wildcard over s3.amazonaws.com', '*.s3.amazonaws.com', 'bucket.s3.amazonaws.com', false],
    ['wildcard under a registrable domain of co.uk', '*.example.co.uk', 'www.example.co.uk', true],
    ['underscore is not a host name', 'foo_bar.example.com', 'foo_bar.example.com', false],
    ['non-ASCII is not a dNSName', '😜.example.com', 'xn--628h.example.com', false],
    ['IP address text in a dNSName', '8.8.8.8', '8.8.8.8', false],
    ['empty label', 'a..example.com', 'a..example.com', false],
    ['label over 63 octets', `${'a'.repeat(64)}.com`, `${'a'.repeat(64)}.com`, false],
  ];
  for (const [name, pattern, host, expected] of rows) {
    assert.equal(matchDnsPattern(pattern, host), expected, name);
  }
});

test('parseIpAddress: strict IPv4, every IPv6 form', () => {
  const rows: [name: string, text: string, hex: string | null][] = [
    ['dotted decimal', '192.168.1.1', 'c0a80101'],
    ['leading zeros refused', '192.168.001.001', null],
    ['hex refused', '0xC0A80101', null],
    ['octet over 255', '256.1.1.1', null],
    ['three parts', '1.2.3', null],
    ['loopback v6', '::1', '00000000000000000000000000000001'],
    ['upper-case v6', '2001:DB8::1', '20010db8000000000000000000000001'],
    [
      'uncompressed v6',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '20010db8000000000000000000000001',
    ],
    ['v4-mapped', '::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['two ::', '1::2::3', null],
    ['nine groups', '1:2:3:4:5:6:7:8:9', null],
    ['not an address', 'example.com', null],
  ];
  for (const [name, text, hex] of rows) {
    const parsed = parseIpAddress(text);
    assert.equal(parsed === null ? null : Buffer.from(parsed).toString('hex'), hex, name);
  }
});

test('isPublicSuffix: single labels and the built-in list', () => {
  assert.equal(isPublicSuffix('com'), true);
  assert.equal(isPublicSuffix('internal'), true);
  assert.equal(isPublicSuffix('co.uk'), true);
  assert.equal(isPublicSuffix('github.io'), true);
  assert.equal(isPublicSuffix('example.com'), false);
  assert.equal(isPublicSuffix('cluster.example.com'), false);
});

test('matchReferenceIdentity: SANs only, IPs only against IP SANs', async (t) => {
  const dir = tempDir(t);
  const made = async (name: string, subject: string, san?: string[]) => {
    const m = await makeCert(dir, { name, subject, ...(san === undefined ? {} : { san }) });
    const cert = parseCertificates(readFileSync(m.cert), m.cert)[0];
    assert.ok(cert !== undefined);
    return cert;
  };
  const server = await made('server', '/CN=redis.example.com', [
    'DNS:redis-12000.cluster.example.com',
    'DNS:*.internal.cluster.example.com',
    'IP:10.0.0.5',
    'IP:2001:db8::1',
    'DNS:10.0.0.9',
  ]);
  const cnOnly = await made('cnonly', '/CN=redis.example.com');
  const rows: [
    name: string,
    cert: typeof server,
    ref: { dns: string } | { ip: string },
    ok: boolean,
  ][] = [
    ['DNS SAN', server, { dns: 'redis-12000.cluster.example.com' }, true],
    ['wildcard SAN', server, { dns: 'redis-12000.internal.cluster.example.com' }, true],
    ['CN is never used', server, { dns: 'redis.example.com' }, false],
    ['CN-only certificate', cnOnly, { dns: 'redis.example.com' }, false],
    ['IPv4 SAN', server, { ip: '10.0.0.5' }, true],
    ['IPv6 SAN in another text form', server, { ip: '2001:0DB8:0:0:0:0:0:1' }, true],
    ['IP written in a dNSName does not count', server, { ip: '10.0.0.9' }, false],
    ['IP reference given as dns', server, { dns: '10.0.0.5' }, false],
    ['invalid reference', server, { dns: 'bad_name.example.com' }, false],
  ];
  for (const [name, cert, ref, ok] of rows) {
    const result = matchReferenceIdentity(cert, ref);
    assert.equal(result.ok, ok, `${name}: ${result.reason ?? ''}`);
    if (!ok) assert.ok((result.reason ?? '').length > 0, `${name} gives a reason`);
  }
});

test('RFC 9525 reasons: a trailing-dot SAN is RFC 5280 syntax, a public-suffix wildcard is a CA/B rule', async (t) => {
  const dir = tempDir(t);
  const made = async (name: string, san: string[]) => {
    const m = await makeCert(dir, { name, subject: '/CN=x', san });
    const cert = parseCertificates(readFileSync(m.cert), m.cert)[0];
    assert.ok(cert !== undefined);
    return cert;
  };
  const dotted = matchReferenceIdentity(await made('dotted', ['DNS:redis-1.v.local.']), {
    dns: 'redis-1.v.local',
  });
  assert.equal(dotted.ok, false);
  assert.match(
    dotted.reason ?? '',
    /"redis-1\.v\.local\." ends with a dot.*RFC 5280 section 4\.2\.1\.6/,
  );
  const suffix = matchReferenceIdentity(await made('suffix', ['DNS:*.co.uk']), {
    dns: 'redis.co.uk',
  });
  assert.equal(suffix.ok, false);
  assert.match(
    suffix.reason ?? '',
    /CA\/Browser Forum rule \(Baseline Requirements section 3\.2\.2\.6\)/,
  );
  assert.match(suffix.reason ?? '', /not RFC 9525/);
  assert.equal(dnsPatternProblem('*.example.co.uk'), null);
});
