/**
 * Issue 14 item 7, end to end: every command that writes something ends with the next step, and
 * the step works when pasted. gen-ca's suggested gen-intermediate and issue commands are run as
 * printed (placeholders filled in), issue names the rladmin line with its files, and a
 * redis-server (tls-auth-clients yes) serves what came out. renew-client --force renewing in
 * place keeps the replaced key as a 0600 backup and prints the change-over; following it against
 * redis-server, the old and new identities both get PONG while both are trusted, and only the new
 * one once the old certificate is removed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

/** Splits a printed command line as a POSIX shell does for plain words and quotes. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (const char of text) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The printed `certs …` command that starts with `prefix`, as arguments for runCli. */
function suggested(output: string, prefix: string, fill: Record<string, string> = {}): string[] {
  const found = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`certs ${prefix}`));
  assert.ok(found !== undefined, `no "certs ${prefix}" step in:\n${output}`);
  let line = found;
  for (const [placeholder, value] of Object.entries(fill)) line = line.replace(placeholder, value);
  assert.doesNotMatch(line, /<[^>]+>/, 'every placeholder filled');
  return shellWords(line).slice(1);
}

async function ping(port: number, ca: string, cert: string, key: string): Promise<string> {
  const result = await run('redis-cli', [
    '--tls',
    '--cacert',
    ca,
    '--cert',
    cert,
    '--key',
    key,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    'PING',
  ]);
  return `${result.stdout}${result.stderr}`.trim();
}

test('issue 14 item 7: the next steps printed by gen-ca, gen-intermediate, issue and renew-client work as printed', async (t) => {
  const dir = tempDir(t);
  // Relative paths, as an operator types them, from the folder the steps are run in.
  const inDir = (
    args: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> => runCli(args, { cwd: dir });

  const ca = await inDir(['gen-ca', '--cn', 'Steps Root', '--key-type', 'ec', '--out', 'pki']);
  assert.equal(ca.code, 0, ca.stderr);
  const intermediate = await inDir(
    suggested(ca.stdout, 'gen-intermediate', {}).concat(['--key-type', 'ec']),
  );
  assert.equal(intermediate.code, 0, intermediate.stderr);
  const issueArgs = suggested(intermediate.stdout, 'issue', { '<cluster FQDN>': 'cluster.test' });
  assert.deepEqual(issueArgs.slice(0, 4), ['issue', '--ca', 'pki/intermediate.pem', '--ca-key']);
  // gen-ca's own issue step names the same intermediate files.
  assert.deepEqual(suggested(ca.stdout, 'issue', { '<cluster FQDN>': 'cluster.test' }), issueArgs);
  const issued = await inDir([...issueArgs, '--key-type', 'ec']);
  assert.equal(issued.code, 0, issued.stderr);
  assert.match(
    issued.stdout,
    /^ {5}rladmin cluster certificate set proxy certificate_file proxy\/proxy_cert\.pem key_file proxy\/proxy_key\.pem$/m,
  );

  // gen-client, then a redis-server serving the issued certificate and trusting the client.
  const made = await inDir([
    'gen-client',
    '--subject',
    '/O=Acme/CN=app',
    '--key-type',
    'ec',
    '--out',
    'client',
  ]);
  assert.equal(made.code, 0, made.stderr);
  const cert = join(dir, 'client', 'cert.pem');
  const key = join(dir, 'client', 'keyclient.pem');
  // The database's client authentication field, as a bundle file redis-server reads.
  const oldCert = join(dir, 'old-cert.pem');
  copyFileSync(cert, oldCert);
  const oldKey = readFileSync(key);
  const trusted = join(dir, 'trusted-clients.pem');
  writeFileSync(trusted, readFileSync(oldCert));
  const serverCa = join(dir, 'pki', 'ca.pem');
  const before = await startRedisTls(t, {
    dir,
    certFile: join(dir, 'proxy', 'proxy_cert.pem'),
    keyFile: join(dir, 'proxy', 'proxy_key.pem'),
    caFile: trusted,
    authClients: 'yes',
  });
  assert.equal(await ping(before.port, serverCa, cert, key), 'PONG');

  // Renew in place: the replaced key is kept (0600), and the change-over is printed.
  const renewed = await inDir([
    'renew-client',
    '--cert',
    'client/cert.pem',
    '--key',
    'client/keyclient.pem',
    '--out',
    'client',
    '--force',
  ]);
  assert.equal(renewed.code, 0, renewed.stderr);
  const backup = /old key +(\S+\.bak) \(the key it replaced/.exec(renewed.stdout)?.[1];
  assert.ok(backup !== undefined, renewed.stdout);
  assert.match(backup, /^client\/keyclient\.pem\.\d{8}T\d{6}Z\.bak$/);
  assert.deepEqual(readFileSync(join(dir, backup)), oldKey, 'the backup is the replaced key');
  assert.equal(statSync(join(dir, backup)).mode & 0o777, 0o600);
  assert.notDeepEqual(readFileSync(key), oldKey, 'a new key in place');
  assert.match(
    renewed.stdout,
    /1\. Add client\/cert\.pem to the database's "SSL client authentication" field next to the old/,
  );
  assert.match(renewed.stdout, /3\. Remove the old certificate from that field\./);

  // Step 1: both trusted; the old identity (backup key) and the new one both connect.
  writeFileSync(trusted, Buffer.concat([readFileSync(oldCert), readFileSync(cert)]));
  const during = await startRedisTls(t, {
    dir,
    certFile: join(dir, 'proxy', 'proxy_cert.pem'),
    keyFile: join(dir, 'proxy', 'proxy_key.pem'),
    caFile: trusted,
    authClients: 'yes',
  });
  assert.equal(
    await ping(during.port, serverCa, oldCert, join(dir, backup)),
    'PONG',
    'old identity',
  );
  assert.equal(await ping(during.port, serverCa, cert, key), 'PONG', 'renewed identity');
  // Step 3: the old certificate removed; only the renewed identity connects.
  writeFileSync(trusted, readFileSync(cert));
  const after = await startRedisTls(t, {
    dir,
    certFile: join(dir, 'proxy', 'proxy_cert.pem'),
    keyFile: join(dir, 'proxy', 'proxy_key.pem'),
    caFile: trusted,
    authClients: 'yes',
  });
  assert.notEqual(await ping(after.port, serverCa, oldCert, join(dir, backup)), 'PONG');
  assert.equal(await ping(after.port, serverCa, cert, key), 'PONG');
});
