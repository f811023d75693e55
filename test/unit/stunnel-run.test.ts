/**
 * Issue 14 item 4 in memory: what `certs stunnel test` decides before and after running stunnel:
 * the service and address it sends PING to, the configuration it runs (the user's bytes with only
 * the global foreground/pid/output/syslog lines replaced), and the log lines it shows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCertkitError, parseStunnelConfig } from '@certkit/core';
import { explainStunnelLog, stunnelTestTarget } from '../../packages/core/src/judge/stunnel-run.js';
import { stunnelRunConfig } from '../../packages/core/src/make/stunnel-run-config.js';

test('stunnelTestTarget: the first service with an accept address, loopback for wildcards', async (t) => {
  const rows = [
    {
      name: 'own accept',
      text: '[a]\nclient = yes\n[b]\naccept = 127.0.0.1:7001\n',
      expect: { service: 'b', host: '127.0.0.1', port: 7001 },
    },
    {
      name: 'port only',
      text: '[redis]\naccept = 6380\n',
      expect: { service: 'redis', host: '127.0.0.1', port: 6380 },
    },
    {
      name: 'IPv4 wildcard',
      text: '[r]\naccept = 0.0.0.0:6380\n',
      expect: { service: 'r', host: '127.0.0.1', port: 6380 },
    },
    {
      name: 'IPv6 wildcard',
      text: '[r]\naccept = :::6380\n',
      expect: { service: 'r', host: '::1', port: 6380 },
    },
    {
      name: 'global default',
      text: 'accept = 127.0.0.2:7000\n[r]\nclient = yes\n',
      expect: { service: 'r', host: '127.0.0.2', port: 7000 },
    },
    {
      name: 'last value wins',
      text: '[r]\naccept = 1\nACCEPT = 127.0.0.1:2\n',
      expect: { service: 'r', host: '127.0.0.1', port: 2 },
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const target = stunnelTestTarget(parseStunnelConfig(row.text), 'x.conf');
      assert.deepEqual(
        { service: target.service, host: target.host, port: target.port },
        row.expect,
      );
    });
  }
  await t.test('no accept anywhere is refused', () => {
    assert.throws(
      () => stunnelTestTarget(parseStunnelConfig('[r]\nclient = yes\n'), 'x.conf'),
      (e: unknown) => isCertkitError(e) && /no service with an accept address/.test(e.message),
    );
  });
});

test('stunnelRunConfig: the user bytes, with only the global foreground/pid/output/syslog replaced', () => {
  const user = Buffer.from(
    '\uFEFFforeground = no\r\npid = /var/run/s.pid\nOutput = /var/log/s.log\ndebug = 5\n[r]\naccept = 1\npid = kept\n',
  );
  const run = stunnelRunConfig(user, parseStunnelConfig(user), { logPath: '/tmp/run/s.log' });
  const text = Buffer.from(run.bytes).toString('utf8');
  assert.ok(text.startsWith('\uFEFF; certs stunnel test'), 'the BOM stays first');
  const lines = text.slice(1).split('\n');
  assert.deepEqual(lines.slice(1, run.addedLines), [
    'foreground = yes',
    'pid =',
    'output = /tmp/run/s.log',
    'syslog = no',
  ]);
  assert.deepEqual(lines.slice(run.addedLines), [
    '; (replaced by certs stunnel test)',
    '; (replaced by certs stunnel test)',
    '; (replaced by certs stunnel test)',
    'debug = 5',
    '[r]',
    'accept = 1',
    'pid = kept',
    '',
  ]);
  const parsed = parseStunnelConfig(run.bytes);
  assert.deepEqual(parsed.problems, []);
});

test('explainStunnelLog: errors and warnings once, the user file and lines, nothing raw', () => {
  const mapping = { runPath: '/tmp/run/stunnel.conf', userPath: 'redislabs.conf', addedLines: 5 };
  const log = [
    '2024.01.01 10:00:00 LOG5[ui]: Reading configuration from file /tmp/run/stunnel.conf',
    '2024.01.01 10:00:01 LOG5[0]: Service [redislabs] accepted connection',
    '2024.01.01 10:00:01 LOG4[0]: Rejected by CERT at depth=1: CN=Issuing',
    '2024.01.01 10:00:01 LOG4[1]: Rejected by CERT at depth=1: CN=Issuing',
    '2024.01.01 10:00:01 LOG3[1]: SSL_connect: certificate verify failed \u001b[31m',
    '[.] notice before the log is set up',
    '[!] /tmp/run/stunnel.conf:12: "bogus = 1": Specified option name is not valid here',
    '[!] Error in file /tmp/run/stunnel.conf line 3',
    '2024.01.01 10:00:02 LOG5[1]: Connection reset: 0 byte(s) sent to TLS',
  ].join('\n');
  assert.deepEqual(explainStunnelLog(log, mapping), [
    'LOG4: Rejected by CERT at depth=1: CN=Issuing',
    'LOG3: SSL_connect: certificate verify failed \\x1b[31m',
    '[!] redislabs.conf:7: "bogus = 1": Specified option name is not valid here',
    '[!] Error in file redislabs.conf line 3',
  ]);
  const quiet = log
    .split('\n')
    .filter((l) => !/LOG[0-4]|\[!\]/.test(l))
    .join('\n');
  assert.deepEqual(explainStunnelLog(quiet, mapping), [
    'LOG5: Service [redislabs] accepted connection',
    'LOG5: Connection reset: 0 byte(s) sent to TLS',
  ]);
  assert.deepEqual(explainStunnelLog(quiet, mapping, { errorsOnly: true }), []);
});
