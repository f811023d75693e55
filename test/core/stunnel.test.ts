/** Issue 6: stunnel configurations: rendering with safe defaults, parsing, and lint findings. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lintStunnelConfigInMemory, parseStunnelConfig, renderStunnelConfig } from '@certkit/core';
// Text in, the files it names read from disk: the file workflow's core, below lintStunnelConfigFile.
import { lintStunnelConfig } from '../../packages/core/src/workflows/stunnel.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const BASE = { cert: '/c/cert.pem', key: '/c/keyclient.pem', cafile: '/c/servercerts.pem' };

test('issue 6: the rendered configuration has the safe defaults and names the endpoint host', () => {
  const rows = [
    {
      name: 'DNS endpoint',
      options: { ...BASE, connect: 'redis-12000.cluster.local:12000' },
      has: [
        '[redislabs]',
        'client = yes',
        'accept = 127.0.0.1:6379',
        'connect = redis-12000.cluster.local:12000',
        'verifyChain = yes',
        'checkHost = redis-12000.cluster.local',
        'sni = redis-12000.cluster.local',
        'sslVersionMin = TLSv1.2',
        'delay = yes',
        'CAfile = /c/servercerts.pem',
      ],
      not: ['verify = 2', 'foreground'],
    },
    {
      name: 'address with checkHost and sni given',
      options: {
        ...BASE,
        connect: '127.0.0.1:7000',
        checkHost: 'redis-12000.cluster.local',
        accept: '127.0.0.1:7001',
        foreground: true,
      },
      has: [
        'connect = 127.0.0.1:7000',
        'checkHost = redis-12000.cluster.local',
        'sni = redis-12000.cluster.local',
        'accept = 127.0.0.1:7001',
        'foreground = yes',
        'pid =',
      ],
      not: ['checkIP'],
    },
    {
      // stunnel 5.68 splits HOST:PORT at the last colon and resolves "[::1]" as a name, which
      // fails: the address is written without brackets (test/hardening/stunnel-lint-parse).
      name: 'IPv6 address endpoint is checked with checkIP, no SNI, written without brackets',
      options: { ...BASE, connect: '[::1]:7000' },
      has: ['connect = ::1:7000', 'checkIP = ::1'],
      not: ['checkHost', 'sni =', 'connect = ['],
    },
  ];
  for (const row of rows) {
    const text = renderStunnelConfig(row.options);
    const lines = text.split('\n');
    for (const line of row.has) assert.ok(lines.includes(line), `${row.name}: ${line}\n${text}`);
    for (const bad of row.not)
      assert.ok(!lines.some((l) => l.startsWith(bad)), `${row.name}: ${bad}`);
  }
});

test('issue 6: rendering refuses values that would inject options, and bad endpoints', () => {
  const rows = [
    {
      name: 'newline in a path',
      options: { ...BASE, cert: '/c/cert.pem\nverify = 0', connect: 'h:1' },
    },
    { name: 'no port', options: { ...BASE, connect: 'redis.example.com' } },
    { name: 'port out of range', options: { ...BASE, connect: 'h:70000' } },
    { name: 'bracket in the service', options: { ...BASE, connect: 'h:1', service: 'a]b' } },
  ];
  for (const row of rows)
    assert.throws(() => renderStunnelConfig(row.options), { code: 'INVALID_OPTION' }, row.name);
});

test("issue 6: lint flags the documentation's original configuration and passes the rendered one", async () => {
  const documentation = [
    '[redislabs]',
    'client = yes',
    'verify = 2',
    'cafile = /c/servercerts.pem',
    'cert = /c/cert.pem',
    'key = /c/keyclient.pem',
    'accept = 127.0.0.1:6379',
    'connect = redis-12000.cluster.local:12000',
  ].join('\n');
  const codes = (text: string): string[] =>
    lintStunnelConfigInMemory(text, 'x.conf', { checkFiles: false }).findings.map((f) => f.code);
  const rows = [
    {
      name: 'documentation original',
      text: documentation,
      codes: ['STUNNEL_NO_NAME_CHECK', 'STUNNEL_NO_MIN_VERSION', 'STUNNEL_NO_DELAY'],
      ok: false,
    },
    {
      name: 'rendered',
      text: renderStunnelConfig({ ...BASE, connect: 'redis-12000.cluster.local:12000' }),
      codes: [],
      ok: true,
    },
    {
      name: 'documentation + checkHost + sslVersionMin + delay',
      text: `${documentation}\ncheckHost = redis-12000.cluster.local\nsslVersionMin = TLSv1.2\ndelay = yes`,
      codes: [],
      ok: true,
    },
    {
      name: 'options in the global section are defaults',
      text: `sslVersionMin = TLSv1.3\n${documentation}\nCheckHost = x\ndelay = yes`,
      codes: [],
      ok: true,
    },
    {
      name: 'old minimum version',
      text: `${documentation}\ncheckHost = x\nsslVersionMin = TLSv1\ndelay = yes`,
      codes: ['STUNNEL_OLD_TLS_VERSION'],
      ok: false,
    },
    {
      name: 'no verification at all',
      text:
        documentation.replace('verify = 2', 'verify = 0') +
        '\nsslVersionMin = TLSv1.2\ndelay = yes',
      codes: ['STUNNEL_NO_VERIFY'],
      ok: false,
    },
    {
      name: 'verification without CAfile',
      text:
        documentation.replace('cafile = /c/servercerts.pem', 'checkHost = h') +
        '\nsslVersionMin = TLSv1.2\ndelay = yes',
      codes: ['STUNNEL_NO_CAFILE'],
      ok: false,
    },
    {
      name: 'server mode',
      text:
        documentation.replace('client = yes', 'client = no') +
        '\ncheckHost = h\nsslVersionMin = TLSv1.2\ndelay = yes',
      codes: ['STUNNEL_NOT_CLIENT'],
      ok: false,
    },
    {
      name: 'accept on every interface, a syntax error',
      text:
        documentation.replace('127.0.0.1:6379', '6379') +
        '\ncheckHost = h\nsslVersionMin = TLSv1.2\ndelay = yes\nthis is not an option',
      codes: ['STUNNEL_SYNTAX', 'STUNNEL_ACCEPT_NOT_LOOPBACK'],
      ok: false,
    },
    {
      name: 'relative paths',
      text:
        documentation.replace('/c/cert.pem', 'cert.pem') +
        '\ncheckHost = h\nsslVersionMin = TLSv1.2\ndelay = yes',
      codes: ['STUNNEL_RELATIVE_PATH'],
      ok: true,
    },
    { name: 'no service', text: 'foreground = yes\n', codes: ['STUNNEL_NO_SERVICE'], ok: false },
  ];
  for (const row of rows) {
    const report = await lintStunnelConfig(row.text, 'x.conf', {
      checkFiles: row.name === 'relative paths',
    });
    const found = report.findings.map((f) => f.code).filter((c) => c !== 'STUNNEL_FILE_UNREADABLE');
    assert.deepEqual(
      found.sort(),
      [...row.codes].sort(),
      `${row.name}: ${JSON.stringify(report.findings, null, 1)}`,
    );
    if (row.name !== 'relative paths') assert.equal(report.ok, row.ok, row.name);
  }
  assert.deepEqual(codes('[a]\nclient=yes'), [
    'STUNNEL_NO_ACCEPT',
    'STUNNEL_NO_CONNECT',
    'STUNNEL_NO_VERIFY',
    'STUNNEL_NO_MIN_VERSION',
  ]);
});

test('issue 6: lint checks the files: unreadable, invalid, expired, and a certificate that does not match its key', async (t) => {
  const dir = tempDir(t);
  const a = await makeCert(dir, { name: 'a', subject: '/CN=a', eku: 'clientAuth' });
  const b = await makeCert(dir, { name: 'b', subject: '/CN=b', eku: 'clientAuth' });
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=ca', ca: true });
  writeFileSync(join(dir, 'junk.pem'), 'junk\n');
  const conf = (cert: string, key: string, cafile: string): string =>
    renderStunnelConfig({ cert, key, cafile, connect: 'redis-1.c.local:1' });
  const rows = [
    { name: 'all good', text: conf(a.cert, a.key, ca.cert), codes: [] as string[] },
    {
      name: 'key of another certificate',
      text: conf(a.cert, b.key, ca.cert),
      codes: ['STUNNEL_KEY_MISMATCH'],
    },
    {
      name: 'missing cafile',
      text: conf(a.cert, a.key, join(dir, 'none.pem')),
      codes: ['STUNNEL_FILE_UNREADABLE'],
    },
    {
      name: 'junk cafile',
      text: conf(a.cert, a.key, join(dir, 'junk.pem')),
      codes: ['STUNNEL_FILE_INVALID'],
    },
    {
      name: 'key file given as cert',
      text: conf(a.key, a.key, ca.cert),
      codes: ['STUNNEL_FILE_INVALID'],
    },
  ];
  for (const row of rows) {
    const report = await lintStunnelConfig(row.text, 'x.conf');
    assert.deepEqual(
      report.findings.map((f) => f.code),
      row.codes,
      `${row.name}: ${JSON.stringify(report.findings)}`,
    );
  }
  const expired = await lintStunnelConfig(conf(a.cert, a.key, ca.cert), 'x.conf', {
    now: new Date(Date.now() + 400 * 86_400_000),
  });
  assert.deepEqual(
    expired.findings.map((f) => f.code),
    ['STUNNEL_CERT_EXPIRED'],
  );
});

test('issue 6: parseStunnelConfig keeps sections, options and line numbers; comments are skipped', () => {
  const { sections, problems } = parseStunnelConfig(
    '; c\nforeground = yes\r\n# c\n[redis]\n  client=yes  \nnonsense\n',
  );
  assert.deepEqual(
    sections.map((s) => s.name),
    [null, 'redis'],
  );
  assert.deepEqual(sections[1]?.options, [{ name: 'client', value: 'yes', line: 5 }]);
  // The line is not quoted: it could be key material.
  assert.deepEqual(
    problems.map((p) => ({ code: p.code, line: p.line })),
    [{ code: 'STUNNEL_SYNTAX', line: 6 }],
  );
  assert.doesNotMatch(problems[0]?.message ?? '', /nonsense/);
});
