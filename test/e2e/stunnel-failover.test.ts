/**
 * `certs stunnel --connect A --connect B`: failover endpoints written as connect lines, run by
 * a real stunnel against real TLS redis-servers on loopback. The first endpoint down, stunnel
 * reaches the second (PONG); an endpoint whose certificate is for another name is refused by
 * stunnel's name check and reported by `certs stunnel lint` on its own connect line.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { plainPing } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const NAME = 'redis-12000.failover.test';

async function setUp(t: TestContext) {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Failover Root', ca: true });
  const chainOf = async (name: string, san: string): Promise<{ chain: string; key: string }> => {
    const leaf = await makeCert(dir, {
      name,
      subject: `/CN=${name}`,
      ca: false,
      eku: 'serverAuth',
      san: [`DNS:${san}`],
      issuer: root,
    });
    const chain = join(dir, `${name}-chain.pem`);
    writeFileSync(chain, readFileSync(leaf.cert, 'utf8') + readFileSync(root.cert, 'utf8'));
    return { chain, key: leaf.key };
  };
  const good = await chainOf('good', NAME);
  const other = await chainOf('other', 'someone-else.failover.test');
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: root,
  });
  const start = (server: { chain: string; key: string }) =>
    startRedisTls(t, { dir, certFile: server.chain, keyFile: server.key, caFile: root.cert });
  return { dir, root, client, good: await start(good), other: await start(other) };
}

/** Writes the configuration with certs, starts a real stunnel on it. */
async function tunnel(
  t: TestContext,
  s: Awaited<ReturnType<typeof setUp>>,
  connects: readonly number[],
  name: string,
): Promise<{ port: number; config: string }> {
  const port = await freePort();
  const config = join(s.dir, `${name}.conf`);
  const written = await runCli([
    'stunnel', '--cert', s.client.cert, '--key', s.client.key, '--cafile', s.root.cert,
    ...connects.flatMap((p) => ['--connect', `127.0.0.1:${String(p)}`]),
    '--check-host', NAME, '--accept', `127.0.0.1:${String(port)}`, '--foreground', '-o', config,
  ]); // prettier-ignore
  assert.equal(written.code, 0, written.stderr);
  const started = startBackground(t, 'stunnel', [config]);
  await waitForPort(port, started.child, started.output);
  return { port, config };
}

test('stunnel --connect twice: failover lines; with the first endpoint down, stunnel reaches the second', async (t) => {
  const s = await setUp(t);
  const down = await freePort();
  const { port, config } = await tunnel(t, s, [down, s.good.port], 'failover');
  const text = readFileSync(config, 'utf8');
  assert.match(
    text,
    new RegExp(
      `^connect = 127\\.0\\.0\\.1:${String(down)}\\nconnect = 127\\.0\\.0\\.1:${String(s.good.port)}\\nfailover = prio\\n`,
      'm',
    ),
  );
  assert.equal(await plainPing(port), '+PONG');

  // lint probes every connect line: the first cannot be reached (said, not an error), the
  // second is checked and passes.
  const lint = await runCli(['stunnel', 'lint', config, '--json']);
  assert.equal(lint.code, 0, lint.stdout);
  const report = JSON.parse(lint.stdout) as { findings: { code: string; message: string }[] };
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['STUNNEL_ENDPOINT_UNREACHABLE'],
  );
  assert.match(report.findings[0]?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${String(down)}`));
});

test('stunnel --connect twice: an endpoint presenting another name is refused by stunnel and reported by lint on its line', async (t) => {
  const s = await setUp(t);
  const { port, config } = await tunnel(t, s, [s.other.port, s.good.port], 'wrong-name');
  // stunnel connects to the first, and its checkHost refuses the certificate there.
  assert.notEqual(await plainPing(port), '+PONG');
  const lint = await runCli(['stunnel', 'lint', config, '--json']);
  assert.equal(lint.code, 1, lint.stdout);
  const report = JSON.parse(lint.stdout) as {
    findings: { code: string; message: string; line: number }[];
  };
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['STUNNEL_ENDPOINT_NAME_MISMATCH'],
  );
  assert.match(
    report.findings[0]?.message ?? '',
    new RegExp(`127\\.0\\.0\\.1:${String(s.other.port)} presents a certificate for someone-else`),
  );
});
