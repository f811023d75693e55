/**
 * Issue 2: on a terminal, gen-client shows progress while the key is generated (the event loop
 * keeps running during the prime search) and asks for the subject as `openssl req` does.
 * util-linux `script` gives the process a real pseudo-terminal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';

function onTerminal(command: string, input = ''): ReturnType<typeof run> {
  return run('script', ['-q', '-e', '-c', command, '/dev/null'], { input, env: { TERM: 'xterm' } });
}

test('issue 2: progress ticks on a terminal while the RSA key is generated, and not when piped', async (t) => {
  const dir = tempDir(t);
  const result = await onTerminal(
    `"${process.execPath}" "${BIN}" gen-client --out "${join(dir, 'a')}" --cn app`,
  );
  assert.equal(result.code, 0, result.stdout);
  // The timer redraws every 100 ms: at least two distinct readings prove the loop was free.
  const readings = new Set(
    [...result.stdout.matchAll(/generating RSA 4096-bit key (\d+\.\d)s/g)].map((m) => m[1]),
  );
  assert.ok(readings.size >= 2, `progress shown: ${result.stdout.slice(0, 200)}`);
  assert.match(result.stdout, /Client identity ready/);
  const piped = await runCli([
    'gen-client',
    '--out',
    join(dir, 'b'),
    '--cn',
    'app',
    '--key-type',
    'ec',
  ]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stderr, '', 'no progress on a pipe');
});

test('issue 2: without --cn on a terminal it asks for the subject like openssl req', async (t) => {
  const dir = tempDir(t);
  const answers = ['US', '', '', 'Acme', '', '', 'app', 'ops@example.com'].join('\n') + '\n';
  const result = await onTerminal(
    `"${process.execPath}" "${BIN}" gen-client --out "${dir}" --key-type ec`,
    answers,
  );
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /Country Name \(2 letter code\): /);
  assert.match(result.stdout, /Common Name \(eg, your app or user name\) \(required\): /);
  const subject = await openssl(['x509', '-in', join(dir, 'cert.pem'), '-noout', '-subject']);
  assert.equal(
    subject.stdout.trim(),
    'subject=C = US, O = Acme, CN = app, emailAddress = ops@example.com',
  );
  assert.match(readFileSync(join(dir, 'keyclient.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
});
