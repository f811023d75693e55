/**
 * Issue 14 item 4, end to end: `certs stunnel test CONF` against a real stunnel and a real
 * redis-server (tls-auth-clients yes, a CA + intermediate proxy certificate). A configuration
 * `certs stunnel` wrote gets PONG; a CAfile holding only the intermediate is refused and the
 * stunnel lines that say so are printed (`Rejected by CERT at depth=1`); a client certificate
 * the server does not trust is refused with the server's alert; stunnel configuration errors and
 * an encrypted key (stunnel stops at its passphrase prompt; lint warns about it) are explained.
 * The user's configuration, pid file and log are never touched, stunnel is gone afterwards (its
 * pid no longer exists), and it cannot run without stunnel, on a key file or on a busy port.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

interface TestResult {
  ok: boolean;
  pong: boolean;
  reply?: string;
  started: boolean;
  log: string[];
  pid: number;
  service: string;
  error?: { code: string; message: string };
}

async function certs(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** `certs stunnel test --json`: the result, and proof that stunnel's pid is gone. */
async function stunnelTest(config: string, expected: number): Promise<TestResult> {
  const before = readFileSync(config);
  const result = await runCli(['stunnel', 'test', config, '--json']);
  assert.equal(result.code, expected, `${result.stdout}${result.stderr}`);
  const doc = JSON.parse(result.stdout) as TestResult;
  assert.throws(() => process.kill(doc.pid, 0), { code: 'ESRCH' }, 'stunnel was stopped');
  assert.deepEqual(readFileSync(config), before, 'the configuration is untouched');
  return doc;
}

test('issue 14 item 4: certs stunnel test gets PONG, or prints the stunnel lines that explain the refusal, and stops stunnel', async (t) => {
  const dir = tempDir(t);
  const pki = join(dir, 'pki');
  await certs(['gen-ca', '--cn', 'Tunnel Root', '--key-type', 'ec', '--out', pki]);
  await certs([
    'gen-intermediate',
    '--ca',
    join(pki, 'ca.pem'),
    '--ca-key',
    join(pki, 'ca-key.pem'),
    '--cn',
    'Tunnel Issuing',
    '--key-type',
    'ec',
    '--out',
    pki,
  ]);
  await certs([
    'issue',
    '--ca',
    join(pki, 'intermediate.pem'),
    '--ca-key',
    join(pki, 'intermediate-key.pem'),
    '--cluster',
    'cluster.test',
    '--key-type',
    'ec',
    '--out',
    join(dir, 'proxy'),
  ]);
  await certs(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', join(dir, 'client')]);
  await certs([
    'gen-client',
    '--cn',
    'stranger',
    '--key-type',
    'ec',
    '--out',
    join(dir, 'stranger'),
  ]);
  const redis = await startRedisTls(t, {
    dir,
    certFile: join(dir, 'proxy', 'proxy_cert.pem'),
    keyFile: join(dir, 'proxy', 'proxy_key.pem'),
    caFile: join(dir, 'client', 'cert.pem'),
    authClients: 'yes',
  });
  const checkHost = `redis-${String(redis.port)}.cluster.test`;
  const write = async (
    name: string,
    files: { cert: string; key: string; cafile: string },
  ): Promise<string> => {
    const config = join(dir, `${name}.conf`);
    const out = await certs([
      'stunnel',
      '--cert',
      files.cert,
      '--key',
      files.key,
      '--cafile',
      files.cafile,
      '--connect',
      `127.0.0.1:${String(redis.port)}`,
      '--check-host',
      checkHost,
      '--accept',
      `127.0.0.1:${String(await freePort())}`,
      '-o',
      config,
    ]);
    assert.match(out, /certs stunnel test \S*\.conf/, 'the next step is the test');
    return config;
  };
  const client = {
    cert: join(dir, 'client', 'cert.pem'),
    key: join(dir, 'client', 'keyclient.pem'),
  };

  // What certs stunnel writes logs next to itself, and says so.
  const good = await write('good', { ...client, cafile: join(pki, 'ca.pem') });
  const text = readFileSync(good, 'utf8');
  assert.match(text, /^; stunnel logs here: .*certs stunnel test/m);
  assert.equal(/^output = (.*)$/m.exec(text)?.[1], join(dir, 'good.log'));

  const ok = await stunnelTest(good, 0);
  assert.equal(ok.pong, true);
  assert.equal(ok.reply, '+PONG');
  assert.equal(
    existsSync(join(dir, 'good.log')),
    false,
    "the configuration's own log is untouched",
  );
  const human = await runCli(['stunnel', 'test', good]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^PONG {2}through \[redislabs\] accept = 127\.0\.0\.1:\d+$/m);

  // The CAfile holds the intermediate only: OpenSSL needs the root (DESIGN.md), stunnel refuses.
  // certs stunnel refuses to write that (STUNNEL_CAFILE_NO_ROOT), so it is edited by hand, as
  // operators do.
  const refusedWrite = await runCli([
    'stunnel',
    '--cert',
    client.cert,
    '--key',
    client.key,
    '--cafile',
    join(pki, 'intermediate.pem'),
    '--connect',
    `127.0.0.1:${String(redis.port)}`,
    '--check-host',
    checkHost,
    '-o',
    join(dir, 'never.conf'),
  ]);
  assert.equal(refusedWrite.code, 2, refusedWrite.stdout + refusedWrite.stderr);
  assert.equal(existsSync(join(dir, 'never.conf')), false);
  const partial = join(dir, 'intermediate-only.conf');
  const goodText = readFileSync(good, 'utf8');
  assert.match(goodText, /^CAfile = .*ca\.pem$/m);
  writeFileSync(
    partial,
    goodText
      .replace(/^CAfile = .*$/m, `CAfile = ${join(pki, 'intermediate.pem')}`)
      .replace(/^output = .*$/m, `output = ${join(dir, 'intermediate-only.log')}`),
  );
  const refused = await stunnelTest(partial, 1);
  assert.equal(refused.started, true);
  assert.equal(refused.ok, false);
  assert.ok(
    refused.log.some((l) => /^LOG4: Rejected by CERT at depth=1: CN=Tunnel Issuing$/.test(l)),
    refused.log.join('\n'),
  );
  const humanRefused = await runCli(['stunnel', 'test', partial]);
  assert.equal(humanRefused.code, 1);
  assert.match(humanRefused.stdout, /^no reply through \[redislabs\]/m);
  assert.match(
    humanRefused.stdout,
    /^stunnel says:\n(?: {2}.*\n)*? {2}LOG4: Rejected by CERT at depth=1/m,
  );

  // A client certificate the server does not trust: the server's alert, as stunnel logs it.
  const stranger = await write('stranger', {
    cert: join(dir, 'stranger', 'cert.pem'),
    key: join(dir, 'stranger', 'keyclient.pem'),
    cafile: join(pki, 'ca.pem'),
  });
  const alert = await stunnelTest(stranger, 1);
  assert.ok(
    alert.log.some((l) => /alert unknown ca/.test(l)),
    alert.log.join('\n'),
  );

  // A hand-written configuration with its own pid file, log and daemon mode: the test runs it in
  // the foreground and touches none of them; configuration errors point at the user's lines.
  const handwritten = join(dir, 'handwritten.conf');
  const userPid = join(dir, 'user.pid');
  const userLog = join(dir, 'user.log');
  const body = readFileSync(good, 'utf8')
    .replace(/^output = .*$/m, '')
    .replace(
      '[redislabs]',
      `foreground = no\npid = ${userPid}\noutput = ${userLog}\n\n[redislabs]`,
    );
  writeFileSync(handwritten, body);
  await stunnelTest(handwritten, 0);
  assert.equal(existsSync(userPid), false, 'no pid file of the user written');
  assert.equal(existsSync(userLog), false, 'no log of the user written');
  const broken = join(dir, 'broken.conf');
  writeFileSync(broken, `${body}bogusOption = 1\n`);
  const badLine = body.split('\n').length;
  const rejected = await stunnelTest(broken, 1);
  assert.equal(rejected.started, false);
  assert.ok(
    rejected.log.some((l) => l.includes(`broken.conf:${String(badLine)}: "bogusOption = 1"`)),
    rejected.log.join('\n'),
  );

  // An encrypted key: lint warns; stunnel, with no terminal, stops at the passphrase prompt.
  const encryptedKey = join(dir, 'client', 'keyclient-encrypted.pem');
  const encrypted = await openssl([
    'pkcs8',
    '-topk8',
    '-in',
    client.key,
    '-passout',
    'pass:secret',
    '-out',
    encryptedKey,
  ]);
  assert.equal(encrypted.code, 0, encrypted.stderr);
  const withPassphrase = join(dir, 'encrypted.conf');
  writeFileSync(withPassphrase, readFileSync(good, 'utf8').replace(client.key, encryptedKey));
  const lint = await runCli(['stunnel', 'lint', withPassphrase, '--no-probe', '--json']);
  assert.equal(lint.code, 0, lint.stdout);
  const findings = (JSON.parse(lint.stdout) as { findings: { code: string; severity: string }[] })
    .findings;
  assert.ok(
    findings.some((f) => f.code === 'STUNNEL_KEY_ENCRYPTED' && f.severity === 'warning'),
    lint.stdout,
  );
  const prompt = await stunnelTest(withPassphrase, 1);
  assert.equal(prompt.started, false);
  assert.ok(
    prompt.log.some((l) => /pass ?phrase/i.test(l)),
    prompt.log.join('\n'),
  );

  // lint --ping presents the identity the file names and sends PING, as stunnel would.
  const ping = await runCli(['stunnel', 'lint', good, '--ping', '--json']);
  assert.equal(ping.code, 0, ping.stdout);
  assert.match(ping.stdout, /STUNNEL_CLIENT_CERT_ACCEPTED/);
  const strangerPing = await runCli(['stunnel', 'lint', stranger, '--ping', '--json']);
  assert.equal(strangerPing.code, 1);
  assert.match(strangerPing.stdout, /STUNNEL_CLIENT_CERT_REJECTED/);

  // Cannot run: exit 2, one line, nothing started.
  // A PATH without stunnel (certs itself runs from node's absolute path).
  const noStunnel = await runCli(['stunnel', 'test', good], { env: { PATH: join(dir, 'pki') } });
  assert.equal(noStunnel.code, 2);
  assert.match(noStunnel.stderr, /stunnel is not installed/);
  const keyFile = await runCli(['stunnel', 'test', client.key]);
  assert.equal(keyFile.code, 2);
  assert.match(keyFile.stderr, /is a private key .*not a stunnel configuration/);
  const acceptPort = Number(/^accept = 127\.0\.0\.1:(\d+)$/m.exec(text)?.[1]);
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(acceptPort, '127.0.0.1', resolve));
  t.after(() => squatter.close());
  const busy = await runCli(['stunnel', 'test', good]);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, /is in use already/);
  // No stray files next to the configurations: no pid files, no logs.
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.pid') || f.endsWith('.log')),
    [],
  );
});
