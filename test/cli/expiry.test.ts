/** Issue 6: `certs expiry` exit codes for cron: 0 none due, 1 any due, 2 bad input. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: expiry exits 1 when a certificate is inside the window and 0 otherwise', async (t) => {
  const dir = tempDir(t);
  const short = await makeCert(dir, { name: 'short', subject: '/CN=short', days: 10 });
  const long = await makeCert(dir, { name: 'long', subject: '/CN=long', days: 400 });
  const rows = [
    { name: 'default 30d: short is due', args: [short.cert, long.cert], code: 1, due: ['short'] },
    { name: '5d: nothing due', args: ['--within', '5d', short.cert, long.cert], code: 0, due: [] },
    {
      name: '9 without the d: short (10 days left) not due',
      args: ['--within', '9', short.cert],
      code: 0,
      due: [],
    },
    { name: '10d is inclusive', args: ['--within', '10d', short.cert], code: 1, due: ['short'] },
    {
      name: '100%: everything due',
      args: ['--within', '100%', short.cert, long.cert],
      code: 1,
      due: ['short', 'long'],
    },
    {
      name: '50%: nothing due',
      args: ['--within', '50%', short.cert, long.cert],
      code: 0,
      due: [],
    },
  ];
  for (const row of rows) {
    const result = await runCli(['expiry', '--json', ...row.args]);
    assert.equal(result.code, row.code, `${row.name}: ${result.stderr}`);
    const doc = JSON.parse(result.stdout) as {
      ok: boolean;
      certificates: { subject: string; needsRenewal: boolean; daysLeft: number }[];
    };
    assert.deepEqual(
      doc.certificates.filter((c) => c.needsRenewal).map((c) => c.subject.replace('CN=', '')),
      row.due,
      row.name,
    );
  }
  const text = await runCli(['expiry', long.cert, short.cert]);
  assert.equal(text.code, 1);
  const [header, first, second] = text.stdout.split('\n');
  assert.match(header ?? '', /^STATUS +DAYS +EXPIRES +SOURCE +SUBJECT$/);
  // Soonest first, whatever the order of the arguments.
  assert.match(first ?? '', /^RENEW +(9|10) +\d{4}-\d\d-\d\d +\S*short\.pem#1 +CN=short$/);
  assert.match(second ?? '', /^ok +(399|400) +\d{4}-\d\d-\d\d +\S*long\.pem#1 +CN=long$/);
  assert.match(text.stdout, /1 of 2 needs renewal/);
});

test('issue 6: expiry exits 2 for bad input: a bad window, only a key, a missing file', async (t) => {
  const dir = tempDir(t);
  const made = await makeCert(dir, { name: 'c', subject: '/CN=c' });
  writeFileSync(join(dir, 'x.txt'), 'hello');
  const rows = [
    {
      name: 'bad window',
      args: ['--within', '3 weeks', made.cert],
      message: /renewal window must look like 30d/,
    },
    {
      name: 'a key file alone: no certificate at all',
      args: [made.key],
      message: /^certs: no certificate in \S+: block 1 in \S+ is a private key: skipped$/m,
    },
    { name: 'missing file', args: [join(dir, 'none.pem')], message: /no such file/ },
    { name: 'not PEM', args: [join(dir, 'x.txt')], message: /x\.txt holds no PEM block/ },
  ];
  for (const row of rows) {
    const result = await runCli(['expiry', ...row.args]);
    assert.equal(result.code, 2, row.name);
    assert.match(`${result.stdout}${result.stderr}`, row.message, row.name);
    assert.doesNotMatch(result.stderr, /-----BEGIN [A-Z ]*KEY-----|MI[A-Za-z0-9+/]{20}/, row.name);
  }
});

test('issue 14: expiry --json with --format prometheus asks for two formats: exit 2, one JSON error', async (t) => {
  const dir = tempDir(t);
  const made = await makeCert(dir, { name: 'c', subject: '/CN=c' });
  const result = await runCli(['expiry', made.cert, '--json', '--format', 'prometheus']);
  assert.equal(result.code, 2);
  const doc = JSON.parse(result.stdout) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.equal(doc.ok, false);
  assert.match(doc.error.message, /--json and --format prometheus ask for two formats/);
  const text = await runCli(['expiry', made.cert, '--format', 'prometheus']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^certkit_certificate_expiry_timestamp_seconds\{file="[^"]*c\.pem",index="1",subject="CN=c",/m,
  );
});
