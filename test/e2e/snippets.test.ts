/**
 * Issue 19 item 3, end to end: every snippet `certs snippet` prints is run as printed, by the
 * real client (ioredis and node-redis from npm, Debian's python3-redis, redis-cli, Java 17's
 * JSSE, stunnel), against a real redis-server with `tls-auth-clients yes`, and gets PONG; the
 * same snippet against a server whose certificate names another host fails for every client that
 * checks names, and redis-cli connects anyway (it checks none: item 4); against a server whose
 * certificate another CA signed, every client fails, redis-cli too (the chain is verified). The
 * client's files sit in a folder whose name holds a quote, double quotes, `$HOME`, a backslash,
 * a line break and a non-ASCII letter (stunnel, which cannot name a line break, gets one
 * without): the snippets name them as literals of their language, and the clients open them.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { freePort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { runSnippet } from '../helpers/snippet-run.js';
import type { PrintedSnippet } from '../helpers/snippet-run.js';
import { tempDir } from '../helpers/tmp.js';

const NAME = 'redis-1.snippet.test';

type Client = 'ioredis' | 'node-redis' | 'redis-py' | 'redis-cli' | 'java' | 'stunnel';

const LANGUAGE: Readonly<Record<Client, PrintedSnippet['language']>> = {
  ioredis: 'javascript',
  'node-redis': 'javascript',
  'redis-py': 'python',
  'redis-cli': 'bash',
  java: 'java',
  stunnel: 'stunnel',
};

/** What each client prints for PONG, and how it says no (null: it does not refuse). */
const EXPECT: Readonly<
  Record<Client, { pong: RegExp; name: RegExp | null; trust: RegExp; sni: string }>
> = {
  ioredis: {
    pong: /^PONG$/,
    name: /ERR_TLS_CERT_ALTNAME_INVALID/,
    trust: /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    sni: NAME,
  },
  'node-redis': {
    pong: /^PONG$/,
    name: /ERR_TLS_CERT_ALTNAME_INVALID/,
    trust: /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    sni: NAME,
  },
  // redis-py dials the name it checks: localhost resolves here, without /etc/hosts.
  'redis-py': {
    pong: /^True$/,
    name: /certificate verify failed: (Hostname|IP address) mismatch/,
    trust: /certificate verify failed: unable to get local issuer certificate/,
    sni: 'localhost',
  },
  'redis-cli': {
    pong: /^PONG$/,
    name: null,
    trust: /certificate verify failed|Could not negotiate a TLS connection/,
    sni: NAME,
  },
  java: {
    pong: /^PONG$/,
    name: /SSLHandshakeException: No (subject alternative (DNS )?names? matching|name matching)/,
    trust: /PKIX path building failed/,
    sni: NAME,
  },
  stunnel: {
    pong: /^\+PONG$/,
    name: /Rejected by CERT at depth=0/,
    trust: /Rejected by CERT at depth=0|certificate verify failed/,
    sni: NAME,
  },
};

test('every snippet gets PONG with verification on, and the checks it claims really refuse (issue 19 items 3 and 4)', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Snippet Root', ca: true });
  const other = await makeCert(dir, { name: 'other-root', subject: '/CN=Other Root', ca: true });
  const server = (name: string, san: readonly string[], issuer = root) =>
    makeCert(dir, { name, subject: `/CN=${name}`, ca: false, eku: 'serverAuth', san, issuer });
  const good = await server('good', [`DNS:${NAME}`, 'DNS:localhost', 'IP:127.0.0.1']);
  const elsewhere = await server('elsewhere', ['DNS:other.snippet.test']);
  const foreign = await server('foreign', [`DNS:${NAME}`, 'DNS:localhost', 'IP:127.0.0.1'], other);
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
  const ports = {
    good: (await start(good)).port,
    elsewhere: (await start(elsewhere)).port,
    foreign: (await start(foreign)).port,
  };

  // The client's files, where a careless snippet would break: quotes, $, \, a line break.
  const files = (folder: string) => {
    const path = join(dir, folder);
    mkdirSync(path);
    copyFileSync(root.cert, join(path, 'ca.pem'));
    copyFileSync(client.cert, join(path, 'cert.pem'));
    copyFileSync(client.key, join(path, 'key.pem'));
    return { ca: join(path, 'ca.pem'), cert: join(path, 'cert.pem'), key: join(path, 'key.pem') };
  };
  const hostile = files(`it's "$HOME" \\ back\nline é`);
  const hostileOneLine = files(`it's "$HOME" \\ back é`);

  const print = async (client: Client, port: number, sni: boolean): Promise<PrintedSnippet> => {
    const paths = client === 'stunnel' ? hostileOneLine : hostile;
    const args = [
      'snippet',
      '--client',
      client,
      '--endpoint',
      `127.0.0.1:${String(port)}`,
      '--ca',
      paths.ca,
      '--cert',
      paths.cert,
      '--key',
      paths.key,
      ...(sni ? ['--sni', EXPECT[client].sni] : []),
      ...(client === 'stunnel' ? ['--accept', `127.0.0.1:${String(await freePort())}`] : []),
    ];
    const printed = await runCli(args);
    assert.equal(printed.code, 0, `certs ${args.join(' ')}\n${printed.stderr}`);
    assert.equal(printed.stderr, '');
    // The JSON document carries the same text.
    const json = await runCli([...args, '--json']);
    assert.equal((JSON.parse(json.stdout) as { text: string }).text, printed.stdout);
    return { client, language: LANGUAGE[client], text: printed.stdout };
  };

  for (const client of Object.keys(EXPECT) as Client[]) {
    const expect = EXPECT[client];
    for (const sni of [true, false]) {
      await t.test(
        `${client}, ${sni ? `--sni ${expect.sni}` : 'the address checked'}`,
        async (st) => {
          const work = tempDir(st);
          const ok = await runSnippet(st, await print(client, ports.good, sni), work, 'good');
          assert.match(ok.reply, expect.pong, ok.output);

          const mismatch = await runSnippet(
            st,
            await print(client, ports.elsewhere, sni),
            work,
            'elsewhere',
          );
          if (expect.name === null) {
            // redis-cli checks no name: a certificate for another host is accepted (item 4).
            assert.match(mismatch.reply, expect.pong, mismatch.output);
          } else {
            assert.doesNotMatch(mismatch.reply, expect.pong, mismatch.output);
            assert.match(mismatch.output, expect.name);
            if (client === 'stunnel') assert.match(mismatch.output, /CERT: Subject checks failed/);
          }

          const untrusted = await runSnippet(
            st,
            await print(client, ports.foreign, sni),
            work,
            'foreign',
          );
          assert.doesNotMatch(untrusted.reply, expect.pong, untrusted.output);
          assert.match(untrusted.output, expect.trust);
        },
      );
    }
  }
});
