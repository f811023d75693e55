/**
 * Issue 13, item 1: stunnel configuration injection. stunnel 5.68 reads at most 16,383 bytes of
 * a line and parses the rest as new lines, so a long --check-host, --sni or --connect value could
 * smuggle a whole `[evil]` section with `exec = /bin/sh` into the file `certs stunnel` wrote, and
 * both `certs stunnel` and `certs stunnel lint` said ok. Every value now has a type and a bound;
 * the real stunnel shows the threat was real, and that lint now reads such a file as it does.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderStunnelConfig } from '@certkit/core';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { freePort, startBackground, stopProcess, waitForPort } from '../helpers/process.js';
import { waitForOutput } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const MAX = 16_383;
const BASE = { cert: '/c/cert.pem', key: '/c/keyclient.pem', cafile: '/c/servercerts.pem' };

/**
 * A value that, written after `prefix` (e.g. `checkHost = `), fills stunnel's first line exactly
 * and makes each following 16,383-byte piece a line of its own: a section, then its options.
 */
function injection(prefix: string, lines: readonly string[], last: string): string {
  return `${'a'.repeat(MAX - prefix.length)}${lines.map((l) => l.padEnd(MAX)).join('')}${last}`;
}

test('issue 13 item 1: rendering refuses every value outside its type and bound, naming the option', () => {
  const evil = (prefix: string): string =>
    injection(
      prefix,
      ['[evil]', 'client = yes', 'accept = 127.0.0.1:7777', 'exec = /bin/sh'],
      'execArgs = sh -c >/tmp/x',
    );
  const label = 'a'.repeat(63);
  const rows: {
    name: string;
    options: Partial<Parameters<typeof renderStunnelConfig>[0]>;
    option: RegExp;
  }[] = [
    {
      name: 'checkHost smuggling [evil]',
      options: { checkHost: evil('checkHost = ') },
      option: /^checkHost /,
    },
    { name: 'sni smuggling [evil]', options: { sni: evil('sni = ') }, option: /^sni / },
    {
      name: 'connect host longer than a DNS name',
      options: { connect: `${'a'.repeat(MAX)}:6379` },
      option: /^connect /,
    },
    {
      name: 'checkHost of 254 octets',
      options: { checkHost: `${label}.${label}.${label}.${'a'.repeat(62)}` },
      option: /^checkHost /,
    },
    { name: 'checkHost with a space', options: { checkHost: 'a b' }, option: /^checkHost / },
    { name: 'checkHost with brackets', options: { checkHost: '[evil]' }, option: /^checkHost / },
    {
      name: 'checkHost with an underscore',
      options: { checkHost: 'redis_1.example' },
      option: /^checkHost /,
    },
    {
      name: 'checkHost with a trailing dot',
      options: { checkHost: 'redis.example.' },
      option: /^checkHost /,
    },
    { name: 'sni that is an IP address', options: { sni: '10.0.0.1' }, option: /^sni / },
    { name: 'sni with a line feed', options: { sni: 'a\n[evil]' }, option: /^sni / },
    {
      name: 'cert path over PATH_MAX',
      options: { cert: `/${'p'.repeat(4095)}` },
      option: /^cert /,
    },
    {
      name: 'cert path over PATH_MAX in UTF-8 bytes',
      options: { cert: `/${'é'.repeat(2048)}` },
      option: /^cert /,
    },
    {
      name: 'key path with an escape character',
      options: { key: '/c/\u001b[2Jkey.pem' },
      option: /^key /,
    },
    {
      name: 'CAfile path with a line feed',
      options: { cafile: '/c/ca.pem\nverify = 0' },
      option: /^CAfile /,
    },
    {
      name: 'CAfile path with a C1 control',
      options: { cafile: '/c/\u0085ca.pem' },
      option: /^CAfile /,
    },
    {
      name: 'cert path with a trailing space',
      options: { cert: '/c/cert.pem ' },
      option: /^cert /,
    },
    {
      name: 'cert path with a lone surrogate',
      options: { cert: '/c/\ud800.pem' },
      option: /^cert /,
    },
    { name: 'empty key path', options: { key: '' }, option: /^key / },
    { name: 'connect port 0', options: { connect: 'redis.example:0' }, option: /^connect / },
    {
      name: 'connect port 65536',
      options: { connect: 'redis.example:65536' },
      option: /^connect /,
    },
    { name: 'connect without a port', options: { connect: 'redis.example' }, option: /^connect / },
    {
      name: 'connect with a bracketed name',
      options: { connect: '[redis.example]:1' },
      option: /^connect /,
    },
    { name: 'accept with a bad port', options: { accept: '127.0.0.1:99999' }, option: /^accept / },
    {
      name: 'accept with a long host',
      options: { accept: `${'a'.repeat(300)}:1` },
      option: /^accept /,
    },
    { name: 'service with a bracket', options: { service: 'a]b' }, option: /^service name / },
    { name: 'service with a space', options: { service: 'a b' }, option: /^service name / },
    {
      name: 'service of 65 characters',
      options: { service: 's'.repeat(65) },
      option: /^service name /,
    },
  ];
  for (const row of rows) {
    assert.throws(
      () => renderStunnelConfig({ ...BASE, connect: 'redis.example:6379', ...row.options }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_OPTION', row.name);
        assert.match(error.message, row.option, `${row.name}: ${error.message.slice(0, 200)}`);
        assert.ok(error.message.length < 400, `${row.name}: the message is one short line`);
        assert.ok(
          !['\n', '\r', '\u001b'].some((c) => error.message.includes(c)),
          `${row.name}: control characters are escaped`,
        );
        return true;
      },
      row.name,
    );
  }
});

test('issue 13 item 1: values at their bounds render, and every line is within what stunnel reads whole', () => {
  const label = 'a'.repeat(63);
  const rows = [
    { checkHost: `${label}.${label}.${label}.${'a'.repeat(61)}` }, // 253 octets
    { cert: `/${'p'.repeat(4094)}`, key: `/${'k'.repeat(4094)}`, cafile: `/${'c'.repeat(4094)}` },
    { cert: '/c/ünïcödé cert=1;#[x].pem' },
    { connect: '::1:65535', accept: '6379' },
    {
      connect: '[2001:db8::1]:1',
      accept: '[::1]:7000',
      checkHost: 'redis.example',
      sni: 'redis.example',
    },
    { service: `${'s'.repeat(60)}.-_9` },
  ];
  for (const row of rows) {
    const text = renderStunnelConfig({ ...BASE, connect: 'redis.example:6379', ...row });
    for (const line of text.split('\n'))
      assert.ok(Buffer.byteLength(line) <= MAX, JSON.stringify(row));
  }
});

/** Resolves once `path` exists, or rejects with the process output after `timeoutMs`. */
async function waitForFile(path: string, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} never appeared:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Connects to the port, trying again while it is not yet bound (stunnel binds in turn). */
async function connectWhenBound(port: number, timeoutMs = 10_000): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = await new Promise<Socket | null>((resolve) => {
      const attempt = connect({ host: '127.0.0.1', port });
      attempt.once('connect', () => {
        attempt.on('error', () => undefined);
        resolve(attempt);
      });
      attempt.once('error', () => {
        resolve(null);
      });
    });
    if (socket !== null) return socket;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${String(port)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('issue 13 item 1 end to end: real stunnel runs an injected exec; certs stunnel now refuses the value, and lint flags such a file', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Injection CA', ca: true });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const accept = await freePort();
  const evilPort = await freePort();
  const marker = join(dir, 'pwned');
  // Harmless and observable: the injected /bin/sh only creates an empty file in the test folder.
  const payload = injection(
    'checkHost = ',
    ['[evil]', 'client = yes', `accept = 127.0.0.1:${String(evilPort)}`, 'exec = /bin/sh'],
    `execArgs = sh -c >${marker}`,
  );

  // 1. The threat is real. This hand-made file is what `certs stunnel --check-host PAYLOAD
  // --foreground` wrote before values had bounds (same lines, same order).
  const injected = join(dir, 'injected.conf');
  writeFileSync(
    injected,
    [
      '; stunnel client configuration for a TLS-secured Redis database, written by certs.',
      'foreground = yes',
      'pid =',
      '',
      '[redislabs]',
      'client = yes',
      `accept = 127.0.0.1:${String(accept)}`,
      'connect = 127.0.0.1:1',
      `cert = ${client.cert}`,
      `key = ${client.key}`,
      `CAfile = ${ca.cert}`,
      'verifyChain = yes',
      `checkHost = ${payload}`,
      'sni = redis-12000.cluster.example',
      'sslVersionMin = TLSv1.2',
      'delay = yes',
      '',
    ].join('\n'),
  );
  const stunnel = startBackground(t, 'stunnel', [injected]);
  // Wait on the legitimate service's port: any connection to the [evil] one runs the exec.
  await waitForPort(accept, stunnel.child, stunnel.output);
  await waitForOutput(stunnel, /Configuration successful/);
  assert.equal(existsSync(marker), false, 'nothing ran before a client connected');
  const socket = await connectWhenBound(evilPort);
  await waitForOutput(stunnel, /Service \[evil\] accepted connection/, 10_000);
  await waitForFile(marker, stunnel.output);
  socket.destroy();
  await stopProcess(stunnel.child);

  // 2. lint reads that file as stunnel did: the cut line is an error and [evil] is a service.
  const lint = await runCli(['stunnel', 'lint', injected, '--no-probe', '--json']);
  assert.equal(lint.code, 1, lint.stdout.slice(0, 2000));
  const report = JSON.parse(lint.stdout) as {
    ok: boolean;
    services: string[];
    findings: { code: string; severity: string; line?: number }[];
  };
  assert.equal(report.ok, false);
  assert.deepEqual(report.services, ['redislabs', 'evil']);
  assert.ok(
    report.findings.some(
      (f) => f.code === 'STUNNEL_LINE_TOO_LONG' && f.severity === 'error' && f.line === 13,
    ),
    JSON.stringify(report.findings),
  );
  assert.ok(lint.stdout.length < 20_000, 'no finding quotes the 80 KB line');
  const text = await runCli(['stunnel', 'lint', injected, '--no-probe']);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /:13: error STUNNEL_LINE_TOO_LONG: line 13 is \d+ bytes long/);

  // 3. certs stunnel refuses each smuggling value: exit 2, one line naming the option, no file.
  const common = ['--cert', client.cert, '--key', client.key, '--cafile', ca.cert];
  const attempts = [
    {
      flag: ['--connect', 'redis-12000.cluster.example:12000', '--check-host', payload],
      option: /checkHost/,
    },
    {
      flag: [
        '--connect',
        'redis-12000.cluster.example:12000',
        '--sni',
        injection(
          'sni = ',
          ['[evil]', 'client = yes', `accept = 127.0.0.1:${String(evilPort)}`, 'exec = /bin/sh'],
          `execArgs = sh -c >${marker}`,
        ),
      ],
      option: /sni/,
    },
    { flag: ['--connect', `${'a'.repeat(MAX + 100)}:6379`], option: /connect/ },
  ];
  for (const attempt of attempts) {
    const out = join(dir, 'out.conf');
    const result = await runCli(['stunnel', ...common, ...attempt.flag, '--foreground', '-o', out]);
    assert.equal(result.code, 2, `${String(attempt.option)}: ${result.stderr.slice(0, 300)}`);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr.slice(0, 300));
    assert.match(result.stderr, attempt.option);
    assert.ok(result.stderr.length < 400, 'the refusal does not echo the value whole');
    assert.equal(existsSync(out), false);
    const json = await runCli(['stunnel', ...common, ...attempt.flag, '-o', out, '--json']);
    assert.equal(json.code, 2);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.equal(doc.error.code, 'INVALID_OPTION');
    assert.match(doc.error.message, attempt.option);
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.conf')),
    ['injected.conf'],
  );
});
