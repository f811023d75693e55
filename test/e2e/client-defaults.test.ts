/**
 * Issue 19 item 4, measured: what the library table (judge/client-libraries.ts) claims about the
 * clients installed here, against a real TLS redis-server whose certificate names another host,
 * each client with its default options: redis-py (Debian's python3-redis) connects, and refuses
 * once `ssl_check_hostname=True`; redis-cli connects whatever `--sni` says; stunnel configured as
 * the Redis documentation does (`verify = 2`, no checkHost) connects; a JSSE socket without
 * endpoint identification (what Jedis before 7.5.0 builds with `ssl(true)`) connects, and
 * refuses with it; ioredis and node-redis refuse. Each client's row is looked up by the version
 * installed, so the expectation follows the table, and `certs check` on the same endpoint must
 * say for each library what was measured: "connects, name not checked" or "refuses the name".
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  clientLibraryDefaults,
  versionRange,
} from '../../packages/core/src/judge/client-libraries.js';
import type { ClientLibrary } from '@certkit/core';
import { ROOT, run, runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { startRedisTls } from '../helpers/redis.js';
import { plainPing, startStunnelClient } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const NAME = 'redis-1.snippet.test';
const JSSE = fileURLToPath(new URL('programs/JsseNameCheck.java', import.meta.url));

const packageVersion = (name: string): string =>
  (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

test('what each installed client does with a certificate for another host, as the table says (issue 19 item 4)', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Defaults Root', ca: true });
  const server = (name: string, san: readonly string[]) =>
    makeCert(dir, {
      name,
      subject: `/CN=${name}`,
      ca: false,
      eku: 'serverAuth',
      san,
      issuer: root,
    });
  const good = await server('good', [`DNS:${NAME}`, 'DNS:localhost', 'IP:127.0.0.1']);
  const elsewhere = await server('elsewhere', ['DNS:other.snippet.test']);
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
    issuer: root,
  });
  const start = (cert: { cert: string; key: string }) =>
    startRedisTls(t, {
      dir,
      certFile: cert.cert,
      keyFile: cert.key,
      caFile: root.cert,
      authClients: 'yes',
    });
  const goodPort = (await start(good)).port;
  const port = (await start(elsewhere)).port;

  const python = async (extra: string, at = port): Promise<string> => {
    const script = join(dir, 'defaults.py');
    writeFileSync(
      script,
      [
        'import sys, redis',
        'try:',
        `    print(redis.Redis(host="localhost", port=int(sys.argv[1]), ssl=True, ssl_ca_certs=sys.argv[2], ssl_certfile=sys.argv[3], ssl_keyfile=sys.argv[4]${extra}).ping())`,
        'except Exception as error:',
        '    print("refused:", error)',
      ].join('\n'),
    );
    const result = await run('/usr/bin/python3', [
      script,
      String(at),
      root.cert,
      client.cert,
      client.key,
    ]);
    return result.stdout.trim();
  };
  const node = async (library: 'ioredis' | 'redis', at = port): Promise<string> => {
    const tls = `servername: ${JSON.stringify(NAME)}, ca: readFileSync(${JSON.stringify(root.cert)}), cert: readFileSync(${JSON.stringify(client.cert)}), key: readFileSync(${JSON.stringify(client.key)})`;
    const code =
      library === 'ioredis'
        ? `import { readFileSync } from 'node:fs'; import Redis from 'ioredis';
const r = new Redis({ host: '127.0.0.1', port: ${String(at)}, lazyConnect: true, tls: { ${tls} } });
let why = ''; r.on('error', (e) => { why = e.message; });
try { await r.connect(); console.log(await r.ping()); } catch (e) { console.log('refused: ' + (why || e.message)); } finally { r.disconnect(); }`
        : `import { readFileSync } from 'node:fs'; import { createClient } from 'redis';
const c = createClient({ socket: { host: '127.0.0.1', port: ${String(at)}, tls: true, ${tls}, reconnectStrategy: false } });
c.on('error', () => {});
try { await c.connect(); console.log(await c.ping()); await c.close(); } catch (e) { console.log('refused: ' + e.message); }`;
    const result = await run(process.execPath, ['--input-type=module'], { input: code });
    return result.stdout.trim();
  };
  const version = async (
    command: string,
    args: readonly string[],
    pattern: RegExp,
  ): Promise<string> => {
    const result = await run(command, args);
    const found = pattern.exec(result.stdout + result.stderr)?.[1];
    assert.ok(found, `${command} ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    return found;
  };
  const pyVersion = await version(
    '/usr/bin/python3',
    ['-c', 'import redis; print(redis.__version__)'],
    /^(\d[\w.]*)/,
  );

  // One row per client: its library and installed version, and what it did on that endpoint.
  const measured: { library: ClientLibrary; version: string; reply: string; enabled?: string }[] = [
    {
      library: 'redis-py',
      version: pyVersion,
      reply: await python(''),
      enabled: await python(', ssl_check_hostname=True'),
    },
    { library: 'ioredis', version: packageVersion('ioredis'), reply: await node('ioredis') },
    { library: 'node-redis', version: packageVersion('redis'), reply: await node('redis') },
    {
      library: 'redis-cli',
      version: await version('redis-cli', ['--version'], /redis-cli (\d[\d.]*)/),
      reply: (
        await run('redis-cli', [
          '--tls',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '--sni',
          NAME,
          '--cacert',
          root.cert,
          '--cert',
          client.cert,
          '--key',
          client.key,
          'PING',
        ])
      ).stdout.trim(),
    },
  ];
  // stunnel as the Redis documentation configures it: verify = 2, no checkHost.
  const stunnel = await startStunnelClient(t, {
    dir,
    caFile: root.cert,
    certFile: client.cert,
    keyFile: client.key,
    connectPort: port,
  });
  measured.push({
    library: 'stunnel',
    version: await version('stunnel', ['-version'], /stunnel (\d[\d.]*)/),
    reply: await plainPing(stunnel.port),
  });
  // Jedis before 7.5.0 is JSSE without endpoint identification; no Jedis is installed here, so
  // the row is looked up for the last version before the change.
  const jsse = async (mode: string): Promise<string> =>
    (
      await run('java', [JSSE, root.cert, client.cert, client.key, String(port), NAME, mode], {
        timeoutMs: 120_000,
      })
    ).stdout.trim();
  measured.push({
    library: 'Jedis',
    version: '7.4.1',
    reply: await jsse('no-identify'),
    enabled: await jsse('identify'),
  });

  // The clients do connect to a server whose certificate matches: a refusal below is the name.
  assert.equal(await python(', ssl_check_hostname=True', goodPort), 'True');
  assert.equal(await node('ioredis', goodPort), 'PONG');
  assert.equal(await node('redis', goodPort), 'PONG');

  const check = await runCli([
    'check',
    '--cluster',
    'snippet.test',
    '--endpoint',
    `127.0.0.1:${String(port)}`,
    '--sni',
    NAME,
    '--ca',
    root.cert,
    '--json',
  ]);
  const report = (
    JSON.parse(check.stdout) as {
      reports: {
        names: {
          name: string;
          libraries: { library: string; versions: string; name: string; whenEnabled?: string }[];
        }[];
      }[];
    }
  ).reports[0]?.names.find((n) => n.name === NAME);
  assert.ok(report, check.stdout);

  for (const m of measured) {
    await t.test(`${m.library} ${m.version}`, () => {
      const rows = clientLibraryDefaults(m.library, m.version);
      assert.equal(rows.length, 1, `one row for ${m.library} ${m.version}`);
      const row = rows[0];
      assert.ok(row);
      const connected = /^\+?(PONG|True)$/.test(m.reply);
      assert.equal(
        connected,
        row.nameCheck !== 'on',
        `${m.library} ${m.version} said ${m.reply}; the table says ${row.nameCheck}`,
      );
      if (!connected)
        assert.match(m.reply, /refused: .*(altnames|Hostname|No subject alternative|name)/i);
      if (m.enabled !== undefined) {
        assert.equal(row.nameCheck, 'off');
        assert.match(
          m.enabled,
          /^refused: /,
          `${m.library} with the check turned on (${row.enable})`,
        );
      }
      // And certs check says it for that name, for that row.
      const verdict = report.libraries.find(
        (v) => v.library === m.library && v.versions === versionRange(row),
      );
      assert.ok(verdict, `${m.library} in ${JSON.stringify(report.libraries)}`);
      assert.equal(verdict.name, connected ? 'not-checked' : 'refused');
      if (m.enabled !== undefined) assert.equal(verdict.whenEnabled, 'refused');
    });
  }
});
