/**
 * Issue 6: what `certs stunnel lint` claims, proven with a real stunnel and redis-server. The
 * documentation's `verify = 2` without checkHost reaches a server whose certificate names another
 * host (stunnel checks no name); lint flags it, and its live probe flags a CAfile that does not
 * validate the endpoint.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { plainPing } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

async function certs(args: string[]): Promise<void> {
  const result = await runCli(args);
  assert.equal(result.code, 0, `certs ${args.join(' ')}\n${result.stderr}`);
}

test('issue 6: verify = 2 without checkHost accepts a certificate for another host; lint reports it and the untrusted CAfile', async (t) => {
  const dir = tempDir(t);
  await certs(['gen-ca', '--cn', 'Root', '--key-type', 'ec', '--out', join(dir, 'pki')]);
  await certs([
    'gen-ca',
    '--cn',
    'Unrelated Root',
    '--key-type',
    'ec',
    '--out',
    join(dir, 'other'),
  ]);
  // The server's certificate is for some other cluster entirely.
  await certs([
    'issue',
    '--ca',
    join(dir, 'pki', 'ca.pem'),
    '--ca-key',
    join(dir, 'pki', 'ca-key.pem'),
    '--cluster',
    'elsewhere.example',
    '--key-type',
    'ec',
    '--out',
    join(dir, 'proxy'),
  ]);
  await certs(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', join(dir, 'client')]);
  const redis = await startRedisTls(t, {
    dir,
    certFile: join(dir, 'proxy', 'proxy_cert.pem'),
    keyFile: join(dir, 'proxy', 'proxy_key.pem'),
    caFile: join(dir, 'client', 'cert.pem'),
  });
  const accept = await freePort();
  const documentation = (cafile: string): string =>
    [
      'foreground = yes',
      'pid =',
      '[redislabs]',
      'client = yes',
      'verify = 2',
      `cafile = ${cafile}`,
      `cert = ${join(dir, 'client', 'cert.pem')}`,
      `key = ${join(dir, 'client', 'keyclient.pem')}`,
      `accept = 127.0.0.1:${String(accept)}`,
      `connect = 127.0.0.1:${String(redis.port)}`,
      '',
    ].join('\n');
  const config = join(dir, 'redislabs.conf');
  writeFileSync(config, documentation(join(dir, 'pki', 'ca.pem')));
  const stunnel = startBackground(t, 'stunnel', [config]);
  await waitForPort(accept, stunnel.child, stunnel.output);
  // No name was checked: the tunnel works although nothing says elsewhere.example is wanted.
  assert.equal(await plainPing(accept), '+PONG');

  const lint = await runCli(['stunnel', 'lint', config, '--json']);
  assert.equal(lint.code, 1);
  const codes = (JSON.parse(lint.stdout) as { findings: { code: string }[] }).findings.map(
    (f) => f.code,
  );
  assert.deepEqual(codes.sort(), ['STUNNEL_NO_MIN_VERSION', 'STUNNEL_NO_NAME_CHECK']);

  const untrusted = join(dir, 'untrusted.conf');
  writeFileSync(untrusted, documentation(join(dir, 'other', 'ca.pem')));
  const text = await runCli(['stunnel', 'lint', untrusted]);
  assert.equal(text.code, 1);
  assert.match(
    text.stdout,
    /error STUNNEL_ENDPOINT_UNTRUSTED: \[redislabs\] CAfile = .*other\/ca\.pem does not validate the chain 127\.0\.0\.1:\d+ presents/,
  );
  const offline = await runCli(['stunnel', 'lint', untrusted, '--no-probe', '--json']);
  const offlineCodes = (
    JSON.parse(offline.stdout) as { findings: { code: string }[] }
  ).findings.map((f) => f.code);
  assert.ok(!offlineCodes.includes('STUNNEL_ENDPOINT_UNTRUSTED'), '--no-probe connects to nothing');
});
