/**
 * Issue 6, end to end with certs alone (no openssl in the loop): gen-ca -> gen-intermediate ->
 * issue --cluster cluster.local -> a TLS redis-server (tls-auth-clients yes) serving that
 * proxy_cert.pem / proxy_key.pem and trusting a gen-client certificate -> certs chain of CA +
 * intermediate as the client's CAfile -> certs stunnel with checkHost = redis-12000.cluster.local
 * -> a real stunnel -> plain PING through the tunnel gets PONG. The name resolves to nothing:
 * stunnel connects to 127.0.0.1 and sends the name as SNI and checks it with checkHost.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { plainPing } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

async function certs(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

async function tunnel(
  t: TestContext,
  dir: string,
  name: string,
  options: { redisPort: number; checkHost: string; cafile: string },
): Promise<{ port: number; config: string }> {
  const accept = await freePort();
  const config = join(dir, `${name}.conf`);
  await certs([
    'stunnel',
    '--cert',
    join(dir, 'client', 'cert.pem'),
    '--key',
    join(dir, 'client', 'keyclient.pem'),
    '--cafile',
    options.cafile,
    '--connect',
    `127.0.0.1:${String(options.redisPort)}`,
    '--check-host',
    options.checkHost,
    '--accept',
    `127.0.0.1:${String(accept)}`,
    '--foreground',
    '-o',
    config,
  ]);
  const stunnel = startBackground(t, 'stunnel', [config]);
  await waitForPort(accept, stunnel.child, stunnel.output);
  return { port: accept, config };
}

test('issue 6: gen-ca -> gen-intermediate -> issue -> redis-server -> chain -> stunnel: PING gets PONG', async (t) => {
  const dir = tempDir(t);
  const pki = join(dir, 'pki');
  await certs(['gen-ca', '--cn', 'Lifecycle Root CA', '--key-type', 'ec', '--out', pki]);
  await certs([
    'gen-intermediate',
    '--ca',
    join(pki, 'ca.pem'),
    '--ca-key',
    join(pki, 'ca-key.pem'),
    '--cn',
    'Lifecycle Issuing CA',
    '--key-type',
    'ec',
    '--out',
    pki,
  ]);
  // The proxy certificate with the defaults users get: RSA 2048, 365 days, the four names.
  await certs([
    'issue',
    '--ca',
    join(pki, 'intermediate.pem'),
    '--ca-key',
    join(pki, 'intermediate-key.pem'),
    '--cluster',
    'cluster.local',
    '--out',
    join(dir, 'proxy'),
  ]);
  await certs(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', join(dir, 'client')]);
  await certs([
    'chain',
    join(pki, 'ca.pem'),
    join(pki, 'intermediate.pem'),
    '-o',
    join(dir, 'servercerts.pem'),
  ]);
  assert.equal(
    readFileSync(join(dir, 'servercerts.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length,
    2,
  );

  const redis = await startRedisTls(t, {
    dir,
    certFile: join(dir, 'proxy', 'proxy_cert.pem'),
    keyFile: join(dir, 'proxy', 'proxy_key.pem'),
    caFile: join(dir, 'client', 'cert.pem'),
    authClients: 'yes',
  });

  // certs check with the Redis Enterprise profile passes on what certs issue made.
  await certs([
    'check',
    '--profile',
    'redis-enterprise',
    '--cluster',
    'cluster.local',
    '--ca',
    join(pki, 'ca.pem'),
    join(dir, 'proxy', 'proxy_cert.pem'),
  ]);

  const good = await tunnel(t, dir, 'redislabs', {
    redisPort: redis.port,
    checkHost: 'redis-12000.cluster.local',
    cafile: join(dir, 'servercerts.pem'),
  });
  assert.equal(await plainPing(good.port), '+PONG');

  // certs stunnel lint passes on what certs stunnel wrote, probing the live endpoint too.
  const lint = await runCli(['stunnel', 'lint', good.config, '--json']);
  assert.equal(lint.code, 0, lint.stdout);
  const report = JSON.parse(lint.stdout) as {
    ok: boolean;
    findings: { code: string; severity: string }[];
  };
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.findings.filter((f) => f.severity !== 'info'),
    [],
  );
  assert.ok(
    !report.findings.some((f) => f.code === 'STUNNEL_ENDPOINT_UNREACHABLE'),
    'the endpoint was probed',
  );

  // The name check is real: a tunnel expecting another cluster's name gets no PONG, and lint says why.
  const wrong = await tunnel(t, dir, 'wrong-name', {
    redisPort: redis.port,
    checkHost: 'redis-12000.other.local',
    cafile: join(dir, 'servercerts.pem'),
  });
  assert.notEqual(await plainPing(wrong.port), '+PONG');
  const wrongLint = await runCli(['stunnel', 'lint', wrong.config, '--json']);
  assert.equal(wrongLint.code, 1);
  const wrongReport = JSON.parse(wrongLint.stdout) as { findings: { code: string }[] };
  assert.deepEqual(
    wrongReport.findings.map((f) => f.code),
    ['STUNNEL_ENDPOINT_NAME_MISMATCH'],
  );
});
