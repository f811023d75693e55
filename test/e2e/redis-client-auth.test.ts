/**
 * Issue 2, end to end: a real redis-server with `tls-auth-clients yes` that trusts exactly our
 * `cert.pem` (as Redis Enterprise does with the "SSL client authentication" field) accepts a
 * client presenting our cert.pem + keyclient.pem, and refuses another self-signed identity and
 * a client without one. Both redis-cli and a Node TLS socket speaking RESP are tried.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { startRedisTls, tlsPing } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 2: redis-server with tls-auth-clients yes accepts our identity and refuses others', async (t) => {
  const dir = tempDir(t);
  // The identity under test: generated exactly as the README tells users (RSA 4096 default).
  const ours = await runCli(['gen-client', '--out', join(dir, 'client'), '--cn', 'app']);
  assert.equal(ours.code, 0, ours.stderr);
  const other = await runCli([
    'gen-client',
    '--out',
    join(dir, 'other'),
    '--cn',
    'app',
    '--key-type',
    'ec',
  ]);
  assert.equal(other.code, 0, other.stderr);
  const server = await makeCert(dir, {
    name: 'server',
    subject: '/CN=localhost',
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:localhost', 'IP:127.0.0.1'],
  });

  const redis = await startRedisTls(t, {
    dir,
    certFile: server.cert,
    keyFile: server.key,
    caFile: join(dir, 'client', 'cert.pem'),
    authClients: 'yes',
    protocols: 'TLSv1.2 TLSv1.3',
  });

  const cert = readFileSync(join(dir, 'client', 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'client', 'keyclient.pem'), 'utf8');
  const ca = readFileSync(server.cert, 'utf8');
  for (const minVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    assert.equal(
      await tlsPing({ port: redis.port, cert, key, ca, minVersion }),
      '+PONG',
      `our identity over ${minVersion}`,
    );
    const otherReply = await tlsPing({
      port: redis.port,
      cert: readFileSync(join(dir, 'other', 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'other', 'keyclient.pem'), 'utf8'),
      ca,
      minVersion,
    });
    assert.match(otherReply, /^error: /, `another self-signed identity over ${minVersion}`);
    assert.match(
      await tlsPing({ port: redis.port, ca, minVersion }),
      /^error: /,
      `no identity over ${minVersion}`,
    );
  }

  const cli = (
    extra: readonly string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    run(
      'redis-cli',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(redis.port),
        '--tls',
        '--cacert',
        server.cert,
        ...extra,
        'PING',
      ],
      { timeoutMs: 15_000 },
    );
  const accepted = await cli([
    '--cert',
    join(dir, 'client', 'cert.pem'),
    '--key',
    join(dir, 'client', 'keyclient.pem'),
  ]);
  assert.equal(accepted.stdout.trim(), 'PONG', accepted.stderr);
  const refused = await cli([
    '--cert',
    join(dir, 'other', 'cert.pem'),
    '--key',
    join(dir, 'other', 'keyclient.pem'),
  ]);
  assert.notEqual(refused.stdout.trim(), 'PONG');
  const anonymous = await cli([]);
  assert.notEqual(anonymous.stdout.trim(), 'PONG');
  assert.ok(redis.child.exitCode === null, 'the server is still running until the test stops it');
});
