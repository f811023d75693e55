/**
 * Issue 17 item 5, end to end: a real stunnel client whose CAfile holds the intermediate but not
 * the root refuses a real TLS redis-server presenting leaf + intermediate ("Rejected by CERT"):
 * stunnel (OpenSSL, no partial chains) ends a path only at a self-signed certificate of CAfile.
 * `certs stunnel lint` says so from the files alone, names the missing root and the file to add
 * it to, and its live probe says the same; with the root added, the tunnel works and lint is
 * quiet about it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { startRedisTls, tlsPing } from '../helpers/redis.js';
import { NO_REPLY, plainPing, waitForOutput } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const HOST = 'redis-12000.cluster.v.local';

interface Lint {
  findings: { code: string; severity: string; message: string }[];
}

test('issue 17: stunnel refuses an intermediate-only CAfile, and stunnel lint says so', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Tunnel Root', ca: true });
  const int = await makeCert(dir, {
    name: 'int',
    subject: '/CN=Tunnel Intermediate',
    ca: true,
    issuer: root,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=proxy',
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:${HOST}`],
    issuer: int,
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const cat = (name: string, ...paths: readonly string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, paths.map((p) => readFileSync(p, 'utf8')).join(''));
    return path;
  };
  // redis-server presents leaf + intermediate (its certificate file holds both).
  const redis = await startRedisTls(t, {
    dir,
    certFile: cat('server-chain.pem', leaf.cert, int.cert),
    keyFile: leaf.key,
    caFile: client.cert,
  });
  assert.equal(
    await tlsPing({
      port: redis.port,
      cert: readFileSync(client.cert, 'utf8'),
      key: readFileSync(client.key, 'utf8'),
      servername: HOST,
    }),
    '+PONG',
    'the server works for a client that does not judge it',
  );

  const config = async (name: string, cafile: string) => {
    const accept = await freePort();
    const path = join(dir, name);
    writeFileSync(
      path,
      [
        'foreground = yes',
        'pid =',
        '[redislabs]',
        'client = yes',
        `accept = 127.0.0.1:${String(accept)}`,
        `connect = 127.0.0.1:${String(redis.port)}`,
        'verifyChain = yes',
        `CAfile = ${cafile}`,
        `checkHost = ${HOST}`,
        `sni = ${HOST}`,
        'sslVersionMin = TLSv1.2',
        `cert = ${client.cert}`,
        `key = ${client.key}`,
        '',
      ].join('\n'),
    );
    return { path, accept };
  };

  const intermediateOnly = await config('intermediate-only.conf', int.cert);
  const tunnel = startBackground(t, 'stunnel', [intermediateOnly.path]);
  await waitForPort(intermediateOnly.accept, tunnel.child, tunnel.output);
  assert.match(await plainPing(intermediateOnly.accept), NO_REPLY);
  await waitForOutput(tunnel, /Rejected by CERT at depth=1/);

  await t.test(
    'lint from the files: STUNNEL_CAFILE_NO_ROOT names the root and the file',
    async () => {
      const lint = await runCli(['stunnel', 'lint', intermediateOnly.path, '--no-probe', '--json']);
      assert.equal(lint.code, 1, lint.stdout + lint.stderr);
      const findings = (JSON.parse(lint.stdout) as Lint).findings;
      const noRoot = findings.filter((f) => f.code === 'STUNNEL_CAFILE_NO_ROOT');
      assert.equal(noRoot.length, 1, JSON.stringify(findings));
      assert.equal(noRoot[0]?.severity, 'error');
      assert.ok(
        noRoot[0].message.includes(`add the root CA certificate CN=Tunnel Root to ${int.cert}`),
        noRoot[0].message,
      );
      assert.match(noRoot[0].message, /CN=Tunnel Intermediate/);
      // Nothing else is wrong with this configuration.
      assert.deepEqual(
        findings.filter((f) => f.severity === 'error').map((f) => f.code),
        ['STUNNEL_CAFILE_NO_ROOT'],
      );
    },
  );
  await t.test('lint with its probe: the endpoint is untrusted for want of the root', async () => {
    const lint = await runCli(['stunnel', 'lint', intermediateOnly.path, '--json']);
    assert.equal(lint.code, 1);
    const untrusted = (JSON.parse(lint.stdout) as Lint).findings.find(
      (f) => f.code === 'STUNNEL_ENDPOINT_UNTRUSTED',
    );
    assert.ok(untrusted, lint.stdout);
    assert.match(untrusted.message, /not self-signed.*CN=Tunnel Root/);
  });

  await t.test('with the root in CAfile: PONG through stunnel, and lint is quiet', async () => {
    const rooted = await config('rooted.conf', cat('int-and-root.pem', int.cert, root.cert));
    const good = startBackground(t, 'stunnel', [rooted.path]);
    await waitForPort(rooted.accept, good.child, good.output);
    assert.equal(await plainPing(rooted.accept), '+PONG');
    const lint = await runCli(['stunnel', 'lint', rooted.path, '--json']);
    assert.equal(lint.code, 0, lint.stdout);
    const codes = (JSON.parse(lint.stdout) as Lint).findings.map((f) => f.code);
    assert.ok(!codes.includes('STUNNEL_CAFILE_NO_ROOT'));
    assert.ok(!codes.includes('STUNNEL_ENDPOINT_UNTRUSTED'));
  });
});
