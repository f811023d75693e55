/** Issue 6: `certs stunnel` writes a checked configuration; `certs stunnel lint` exits 0/1/2. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { freePort, startBackground, waitForPort } from '../helpers/process.js';
import { tempDir } from '../helpers/tmp.js';

test('issue 6: stunnel writes absolute paths and safe defaults that stunnel itself accepts', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-client', '--cn', 'app', '--key-type', 'ec', '--out', dir])).code,
    0,
  );
  assert.equal((await runCli(['gen-ca', '--cn', 'R', '--key-type', 'ec', '--out', dir])).code, 0);
  // Relative paths on the command line become absolute in the file.
  const result = await runCli(
    [
      'stunnel',
      '--cert',
      'cert.pem',
      '--key',
      'keyclient.pem',
      '--cafile',
      'ca.pem',
      '--connect',
      'redis-12000.cluster.local:12000',
      '-o',
      'redislabs.conf',
    ],
    { cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const text = readFileSync(join(dir, 'redislabs.conf'), 'utf8');
  assert.ok(text.includes(`cert = ${join(dir, 'cert.pem')}\n`));
  assert.ok(text.includes(`CAfile = ${join(dir, 'ca.pem')}\n`));
  assert.equal(statSync(join(dir, 'redislabs.conf')).mode & 0o777, 0o644);
  // stunnel itself accepts it: configuration errors make it exit before it listens.
  const port = await freePort();
  const foreground = await runCli(
    [
      'stunnel',
      '--cert',
      'cert.pem',
      '--key',
      'keyclient.pem',
      '--cafile',
      'ca.pem',
      '--connect',
      'redis-12000.cluster.local:12000',
      '--accept',
      `127.0.0.1:${String(port)}`,
      '--foreground',
      '-o',
      'fg.conf',
    ],
    { cwd: dir },
  );
  assert.equal(foreground.code, 0, foreground.stderr);
  const stunnel = startBackground(t, 'stunnel', [join(dir, 'fg.conf')]);
  await waitForPort(port, stunnel.child, stunnel.output);
  assert.doesNotMatch(stunnel.output(), /Configuration failed/);
  const lint = await runCli(['stunnel', 'lint', join(dir, 'redislabs.conf'), '--no-probe']);
  assert.equal(lint.code, 0, lint.stdout);
  assert.match(lint.stdout, /ok \(1 service, 0 warnings\)/);
});

test('issue 6: stunnel refuses bad input with exit 2 and writes nothing', async (t) => {
  const dir = tempDir(t);
  assert.equal(
    (await runCli(['gen-client', '--cn', 'a', '--key-type', 'ec', '--out', join(dir, 'a')])).code,
    0,
  );
  assert.equal(
    (await runCli(['gen-client', '--cn', 'b', '--key-type', 'ec', '--out', join(dir, 'b')])).code,
    0,
  );
  const a = (f: string): string => join(dir, 'a', f);
  const rows = [
    {
      name: 'key of another certificate',
      args: [
        '--cert',
        a('cert.pem'),
        '--key',
        join(dir, 'b', 'keyclient.pem'),
        '--cafile',
        a('cert.pem'),
        '--connect',
        'h.example:1',
      ],
      code: 'KEY_MISMATCH',
      message: /is not the key of cert/,
    },
    {
      name: 'missing cafile',
      args: [
        '--cert',
        a('cert.pem'),
        '--key',
        a('keyclient.pem'),
        '--cafile',
        join(dir, 'none.pem'),
        '--connect',
        'h.example:1',
      ],
      code: 'INVALID_OPTION',
      message: /none\.pem: no such file/,
    },
    {
      name: 'endpoint without port',
      args: [
        '--cert',
        a('cert.pem'),
        '--key',
        a('keyclient.pem'),
        '--cafile',
        a('cert.pem'),
        '--connect',
        'h.example',
      ],
      code: 'INVALID_OPTION',
      message: /HOST:PORT/,
    },
    {
      name: 'missing options',
      args: ['--cert', a('cert.pem')],
      code: 'USAGE',
      message: /missing --key, --cafile, --connect/,
    },
  ];
  for (const row of rows) {
    const result = await runCli(['stunnel', ...row.args, '-o', join(dir, 'out.conf'), '--json']);
    assert.equal(result.code, 2, row.name);
    const doc = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    assert.equal(doc.error.code, row.code, `${row.name}: ${doc.error.message}`);
    assert.match(doc.error.message, row.message, row.name);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['a', 'b']);
  writeFileSync(join(dir, 'out.conf'), 'precious');
  const exists = await runCli([
    'stunnel',
    '--cert',
    a('cert.pem'),
    '--key',
    a('keyclient.pem'),
    '--cafile',
    a('cert.pem'),
    '--connect',
    'h.example:1',
    '-o',
    join(dir, 'out.conf'),
  ]);
  assert.equal(exists.code, 2);
  assert.equal(readFileSync(join(dir, 'out.conf'), 'utf8'), 'precious');
});

test("issue 6: stunnel lint on the documentation's configuration reports the name check and minimum version, exit 1", async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'redislabs.conf');
  writeFileSync(
    conf,
    '[redislabs]\nclient = yes\nverify = 2\ncafile = /etc/stunnel/servercerts.pem\ncert = /etc/stunnel/cert.pem\nkey = /etc/stunnel/keyclient.pem\naccept = 127.0.0.1:6379\nconnect = redis-12000.cluster.local:12000\n',
  );
  const result = await runCli(['stunnel', 'lint', conf, '--no-probe']);
  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /:3: error STUNNEL_NO_NAME_CHECK: \[redislabs\] verify = 2 without checkHost: stunnel checks the chain but no name/,
  );
  assert.match(result.stdout, /error STUNNEL_NO_MIN_VERSION: .*default minimum is TLSv1/);
  assert.match(result.stdout, /error STUNNEL_FILE_UNREADABLE: .*servercerts\.pem: no such file/);
  const missing = await runCli(['stunnel', 'lint', join(dir, 'none.conf')]);
  assert.equal(missing.code, 2);
  const noFile = await runCli(['stunnel', 'lint']);
  assert.equal(noFile.code, 2);
  const help = await runCli(['stunnel', '--help']);
  assert.match(help.stdout, /Examples:[\s\S]*EXIT CODES/);
});
