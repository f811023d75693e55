/**
 * One naming scheme for options across core: `now` for the clock, `*Path` for files read,
 * `*FileName` for files written. Each renamed option is read under its new name (a spread of an
 * old name is not a type error, so only a run shows it is honoured), and writeClientIdentity,
 * released in 0.1.0, still honours its former `keyFile` and `certFile`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkEndpointCertificate,
  inspectFiles,
  lintRedisConfFile,
  validatePath,
  writeClientIdentity,
} from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';
import { tempDir } from '../helpers/tmp.js';

const ISSUED = new Date('2030-01-01T00:00:00Z');
const day = (n: number): Date => new Date(ISSUED.getTime() + n * 86_400_000);

test('`now` sets the clock of path validation and of every stack verdict', async () => {
  const root = await memoryCert({ name: 'root.pem', kind: 'ca', now: ISSUED, days: 100 });
  const leaf = await memoryCert({ name: 'leaf.pem', issuer: root, now: ISSUED, days: 10 });
  const inside = { leaf: leaf.certificate, anchors: [root.certificate], now: day(5) };
  const after = { ...inside, now: day(20) };
  assert.equal(validatePath(inside).ok, true);
  assert.deepEqual(
    validatePath(after).findings.map((f) => f.code),
    ['EXPIRED'],
  );
  const verdicts = (now: Date): boolean[] =>
    (
      checkEndpointCertificate({
        cluster: 'unit.test',
        certificates: [leaf.certificate],
        ca: [root.certificate],
        now,
      }).trust ?? []
    ).map((v) => v.accepts);
  assert.equal(verdicts(day(5)).length, 5, 'one trust verdict per stack');
  assert.ok(verdicts(day(5)).every(Boolean), 'every stack accepts inside the validity');
  assert.ok(!verdicts(day(20)).some(Boolean), 'no stack accepts after it');
});

test('writeClientIdentity writes keyFileName and certFileName, and the 0.1.0 names still', async (t) => {
  const dir = tempDir(t);
  const written = await writeClientIdentity({
    subject: { commonName: 'app' },
    keyType: 'ec',
    outDir: dir,
    keyFileName: 'app-key.pem',
    certFileName: 'app-cert.pem',
  });
  assert.equal(written.privateKeyPath, join(dir, 'app-key.pem'));
  assert.equal(written.certificatePath, join(dir, 'app-cert.pem'));
  const legacy = await writeClientIdentity({
    subject: { commonName: 'old' },
    keyType: 'ec',
    outDir: dir,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is what is tested
    keyFile: 'old-key.pem',
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is what is tested
    certFile: 'old-cert.pem',
  });
  assert.equal(legacy.privateKeyPath, join(dir, 'old-key.pem'));
  assert.equal(legacy.certificatePath, join(dir, 'old-cert.pem'));
  assert.ok(existsSync(legacy.privateKeyPath) && existsSync(legacy.certificatePath));
});

test('a passphrase is read from `passphrasePath`', async (t) => {
  const dir = tempDir(t);
  const passphraseFile = join(dir, 'pass.txt');
  writeFileSync(passphraseFile, 'correct horse battery staple\n', { mode: 0o600 });
  const written = await writeClientIdentity({
    subject: { commonName: 'app' },
    keyType: 'ec',
    outDir: dir,
    passphrasePath: passphraseFile,
  });
  assert.match(readFileSync(written.privateKeyPath, 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
  const report = await inspectFiles([written.privateKeyPath], { passphrasePath: passphraseFile });
  const item = report.files[0]?.items[0];
  assert.ok(item?.kind === 'private-key', JSON.stringify(report.files[0]));
  assert.equal(item.key.encrypted, true);
  assert.ok(item.spkiSha256 !== undefined, 'the key was decrypted with the passphrase read');
});

test('lintRedisConfFile reads clientCertPath, clientKeyPath and passphrasePath', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, 'port 0\ntls-port 6380\n');
  const cert = join(dir, 'client.pem');
  const key = join(dir, 'client-key.pem');
  // An identity without an endpoint is refused: only a run shows the options were read.
  await assert.rejects(
    lintRedisConfFile(conf, { checkFiles: false, clientCertPath: cert, clientKeyPath: key }),
    { code: 'INVALID_OPTION', message: /presented to a live server/ },
  );
  await assert.rejects(lintRedisConfFile(conf, { checkFiles: false, clientCertPath: cert }), {
    code: 'INVALID_OPTION',
    message: /client certificate and the client key together/,
  });
  // The passphrase file is read before any connection: a missing one is named.
  const missing = join(dir, 'no-such-pass.txt');
  await assert.rejects(
    lintRedisConfFile(conf, {
      checkFiles: false,
      endpoint: '127.0.0.1:1',
      clientCertPath: cert,
      clientKeyPath: key,
      passphrasePath: missing,
    }),
    (error: unknown) => error instanceof Error && error.message.includes(missing),
  );
});
