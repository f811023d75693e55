/**
 * Issue 13, item 2 (the stunnel part): lint drops the private key blocks of a `cert` file (which
 * may hold the key too) from pem.ts' parsed blocks. It used to strip them with a lazy regex over
 * the file's text, which backtracks: every BEGIN line without its END scanned the rest of the
 * file (448 KB of BEGIN lines took 2.3 s; 8 MiB, under the default input limit, ~13 minutes),
 * and it matched across blocks: from a key without its END line to the next key's END,
 * dropping the certificates between.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lintStunnelConfigFile, renderStunnelConfig } from '@certkit/core';
// Text in, the files it names read from disk: the file workflow's core, below lintStunnelConfigFile.
import { lintStunnelConfig } from '../../packages/core/src/workflows/stunnel.js';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { freePort, startBackground, stopProcess } from '../helpers/process.js';
import { waitForOutput } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 13 item 2: a cert file holding the key is read from its parsed blocks, whatever the order and key format', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=ca', ca: true });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const other = await makeCert(dir, {
    name: 'other',
    subject: '/CN=other',
    ca: false,
    eku: 'clientAuth',
  });
  const sec1 = join(dir, 'sec1.pem');
  assert.equal((await openssl(['ec', '-in', client.key, '-out', sec1])).code, 0);
  const csr = join(dir, 'req.csr');
  assert.equal(
    (await openssl(['req', '-new', '-key', client.key, '-subj', '/CN=x', '-out', csr])).code,
    0,
  );
  const read = (path: string): string => readFileSync(path, 'latin1');
  const rows = [
    {
      name: 'certificate, then its PKCS#8 key',
      content: read(client.cert) + read(client.key),
      codes: [],
    },
    {
      name: 'the key first, then the certificate',
      content: read(client.key) + read(client.cert),
      codes: [],
    },
    {
      name: 'an EC PRIVATE KEY block, CRLF line ends',
      content: (read(client.cert) + read(sec1)).replace(/\n/g, '\r\n'),
      codes: [],
    },
    {
      name: 'the key of another certificate',
      content: read(client.cert) + read(other.key),
      codes: ['STUNNEL_KEY_MISMATCH'],
    },
    {
      name: 'a key and no certificate',
      content: read(client.key),
      codes: ['STUNNEL_FILE_INVALID'],
    },
    {
      name: 'a certificate request after the certificate',
      content: read(client.cert) + read(csr),
      codes: ['STUNNEL_FILE_INVALID'],
    },
    {
      name: 'a key without its END line',
      content: read(client.cert) + read(client.key).replace(/-----END[^\n]*\n/, ''),
      codes: ['STUNNEL_FILE_INVALID'],
    },
  ];
  for (const [i, row] of rows.entries()) {
    const combined = join(dir, `combined-${String(i)}.pem`);
    writeFileSync(combined, row.content);
    const config = renderStunnelConfig({
      cert: combined,
      key: combined,
      cafile: ca.cert,
      connect: 'redis.example:1',
    })
      .split('\n')
      .filter((line) => !line.startsWith('key = ')) // stunnel then reads the key from cert
      .join('\n');
    const report = await lintStunnelConfig(config, 'x.conf');
    assert.deepEqual(
      report.findings.map((f) => f.code),
      row.codes,
      `${row.name}: ${JSON.stringify(report.findings)}`,
    );
    for (const f of report.findings) assert.doesNotMatch(f.message, /MII|-----BEGIN/, row.name);
  }
});

test('issue 13 item 2 differential: a key block without its END line does not swallow the certificates after it; stunnel refuses that file, and so does lint', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=ca', ca: true });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const other = await makeCert(dir, {
    name: 'other',
    subject: '/CN=other',
    ca: false,
    eku: 'clientAuth',
  });
  const read = (path: string): string => readFileSync(path, 'latin1');
  // A truncated key, a certificate, a whole key, a certificate. The lazy regex matched from the
  // first BEGIN to the second key's END, dropping the first certificate with it, and lint said ok.
  const combined = join(dir, 'combined.pem');
  writeFileSync(
    combined,
    read(other.key).replace(/-----END[^\n]*\n/, '') +
      read(other.cert) +
      read(client.key) +
      read(client.cert),
  );
  const port = await freePort();
  const conf = join(dir, 'combined.conf');
  writeFileSync(
    conf,
    renderStunnelConfig({
      cert: combined,
      key: client.key,
      cafile: ca.cert,
      connect: 'redis.example:1',
      accept: `127.0.0.1:${String(port)}`,
      foreground: true,
    }),
  );
  const stunnel = startBackground(t, 'stunnel', [conf]);
  await waitForOutput(stunnel, /Configuration (successful|failed)/, 15_000);
  assert.match(stunnel.output(), /bad end line[\s\S]*Configuration failed/);
  await stopProcess(stunnel.child);
  const report = await lintStunnelConfigFile(conf);
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['STUNNEL_FILE_INVALID'],
  );
  assert.match(
    report.findings[0]?.message ?? '',
    /cannot read private key 1 in .*combined\.pem: END line is missing before the next BEGIN line/,
  );
});

test('issue 13 item 2: a cert file of 8 MiB of BEGIN PRIVATE KEY lines is judged at once', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=ca', ca: true });
  const hostile = join(dir, 'hostile.pem');
  const line = '-----BEGIN PRIVATE KEY-----\n';
  writeFileSync(hostile, line.repeat(Math.floor((8 * 1024 * 1024) / line.length)));
  const conf = join(dir, 'hostile.conf');
  writeFileSync(
    conf,
    renderStunnelConfig({
      cert: hostile,
      key: hostile,
      cafile: ca.cert,
      connect: 'redis.example:1',
    }),
  );
  // A hang guard, not a speed assertion: the regex ran ~13 minutes on this file, blocking the
  // event loop (so only a separate process can be stopped); one pass takes well under a second.
  const result = await runCli(['stunnel', 'lint', conf, '--no-probe', '--json'], {
    timeoutMs: 120_000,
  });
  assert.equal(result.code, 1, 'lint finished (a process killed by the guard has no exit code)');
  const report = JSON.parse(result.stdout) as { findings: { code: string; message: string }[] };
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['STUNNEL_FILE_INVALID'],
  );
  assert.match(
    report.findings[0]?.message ?? '',
    /cannot read private key 1 in .*hostile\.pem: END line is missing/,
  );
});
