/**
 * Issue 14 item 3, end to end: requests an organisation's CA accepts, and signing them with
 * certs. `certs csr --subject … --key EXISTING --passphrase-file` makes a request for an
 * encrypted key openssl made; `openssl req -verify` accepts it; `certs issue --csr` signs it (and
 * a `--usage client` request, named client.csr) from a certs-made intermediate; `openssl verify`
 * accepts both certificates for their purposes; a redis-server with tls-auth-clients yes serves
 * the signed server certificate with the existing key, and redis-cli presenting the signed client
 * certificate gets PONG. A request that does not verify, a weak key, a CA that would be outlived
 * and a signer that is no CA are refused with nothing written.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { startRedisTls } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER = 'cluster.test';

async function certs(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `certs ${args.join(' ')}\n${result.stdout}${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

function spki(pem: string, passphrase?: string): string {
  const key =
    passphrase === undefined
      ? createPublicKey(pem)
      : createPublicKey(createPrivateKey({ key: pem, passphrase }));
  return key.export({ format: 'der', type: 'spki' }).toString('hex');
}

test('issue 14 item 3: certs csr with --subject and an existing encrypted key, signed by certs issue --csr, accepted by openssl and redis', async (t) => {
  const dir = tempDir(t);
  const pki = join(dir, 'pki');
  await certs(['gen-ca', '--cn', 'Acme Root CA', '--key-type', 'ec', '--out', pki]);
  await certs([
    'gen-intermediate',
    '--ca',
    join(pki, 'ca.pem'),
    '--ca-key',
    join(pki, 'ca-key.pem'),
    '--cn',
    'Acme Issuing CA',
    '--key-type',
    'ec',
    '--out',
    pki,
  ]);
  const issuer = [
    '--ca',
    join(pki, 'intermediate.pem'),
    '--ca-key',
    join(pki, 'intermediate-key.pem'),
  ];

  // The server's existing key, made and encrypted by openssl; its passphrase in a file.
  const pass = join(dir, 'key.pass');
  writeFileSync(pass, 'correct horse\n');
  const existing = join(dir, 'server-key.pem');
  const made = await openssl([
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-aes256',
    '-pass',
    `file:${pass}`,
    '-out',
    existing,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const before = readFileSync(existing, 'utf8');

  const req = join(dir, 'req');
  const requested = await certs([
    'csr',
    '--subject',
    `/C=US/O=Acme/OU=Platform/CN=${CLUSTER}`,
    '--cluster',
    CLUSTER,
    '--key',
    existing,
    '--passphrase-file',
    pass,
    '--out',
    req,
  ]);
  assert.match(requested, /certs issue --csr \S*proxy\.csr/, 'csr says how to sign it');
  assert.deepEqual(readdirSync(req), ['proxy.csr'], 'no key written for an existing key');
  assert.equal(readFileSync(existing, 'utf8'), before, 'the existing key is untouched');
  const csrFile = join(req, 'proxy.csr');
  const verified = await openssl(['req', '-verify', '-noout', '-in', csrFile]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(`${verified.stdout}${verified.stderr}`, /verify OK/);
  const subject = await openssl([
    'req',
    '-noout',
    '-subject',
    '-nameopt',
    'compat',
    '-in',
    csrFile,
  ]);
  assert.equal(subject.stdout.trim(), `subject=/C=US/O=Acme/OU=Platform/CN=${CLUSTER}`);
  const requestKey = await openssl(['req', '-noout', '-pubkey', '-in', csrFile]);
  assert.equal(
    spki(requestKey.stdout),
    spki(before, 'correct horse'),
    'the request is for that key',
  );

  // Signed with the request's names and subject; openssl verify accepts it as a server.
  const signed = join(dir, 'signed');
  const issued = await certs(['issue', '--csr', csrFile, ...issuer, '--out', signed]);
  assert.match(issued, /rladmin cluster certificate set proxy/);
  assert.deepEqual(readdirSync(signed), ['proxy_cert.pem'], 'only the certificate is written');
  const serverCert = join(signed, 'proxy_cert.pem');
  const server = new X509Certificate(readFileSync(serverCert));
  assert.equal(server.subject, `C=US\nO=Acme\nOU=Platform\nCN=${CLUSTER}`);
  assert.equal(
    server.subjectAltName,
    `DNS:${CLUSTER}, DNS:*.${CLUSTER}, DNS:internal.${CLUSTER}, DNS:*.internal.${CLUSTER}`,
  );
  assert.equal(
    spki(server.publicKey.export({ format: 'pem', type: 'spki' }).toString()),
    spki(before, 'correct horse'),
  );
  const serverOk = await openssl([
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    join(pki, 'ca.pem'),
    '-untrusted',
    join(pki, 'intermediate.pem'),
    serverCert,
  ]);
  assert.equal(serverOk.code, 0, `${serverOk.stdout}${serverOk.stderr}`);

  // --san overrides the requested names.
  const renamed = join(dir, 'renamed');
  await certs(['issue', '--csr', csrFile, ...issuer, '--san', 'other.test', '--out', renamed]);
  assert.equal(
    new X509Certificate(readFileSync(join(renamed, 'proxy_cert.pem'))).subjectAltName,
    'DNS:other.test',
  );

  // A client request is named client.csr (and its key keyclient.pem), signed with --usage client.
  const creq = join(dir, 'client');
  await certs([
    'csr',
    '--usage',
    'client',
    '--subject',
    '/O=Acme/CN=app',
    '--key-type',
    'ec',
    '--out',
    creq,
  ]);
  assert.deepEqual(readdirSync(creq).sort(), ['client.csr', 'keyclient.pem']);
  await certs([
    'issue',
    '--csr',
    join(creq, 'client.csr'),
    ...issuer,
    '--usage',
    'client',
    '--cert-file',
    'cert.pem',
    '--out',
    creq,
  ]);
  const clientOk = await openssl([
    'verify',
    '-purpose',
    'sslclient',
    '-CAfile',
    join(pki, 'ca.pem'),
    '-untrusted',
    join(pki, 'intermediate.pem'),
    join(creq, 'cert.pem'),
  ]);
  assert.equal(clientOk.code, 0, `${clientOk.stdout}${clientOk.stderr}`);
  const notServer = await openssl([
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    join(pki, 'ca.pem'),
    '-untrusted',
    join(pki, 'intermediate.pem'),
    join(creq, 'cert.pem'),
  ]);
  assert.notEqual(notServer.code, 0, 'the profile comes from --usage: clientAuth only');

  // A real server with the signed certificate and the existing key; a real client with the other.
  const redis = await startRedisTls(t, {
    dir,
    certFile: serverCert,
    keyFile: existing,
    caFile: join(pki, 'ca.pem'),
    authClients: 'yes',
    extra: ['tls-key-file-pass "correct horse"'],
  });
  const ping = await run('redis-cli', [
    '--tls',
    '--cacert',
    join(pki, 'ca.pem'),
    '--cert',
    join(creq, 'cert.pem'),
    '--key',
    join(creq, 'keyclient.pem'),
    '-h',
    '127.0.0.1',
    '-p',
    String(redis.port),
    'PING',
  ]);
  assert.equal(ping.stdout.trim(), 'PONG', ping.stderr);
});

test('issue 14 item 3: issue --csr refuses a request that does not verify, a weak key, an outlived CA and a signer that is no CA; nothing written', async (t) => {
  const dir = tempDir(t);
  const pki = join(dir, 'pki');
  await certs(['gen-ca', '--cn', 'Short Root', '--key-type', 'ec', '--days', '30', '--out', pki]);
  const issuer = ['--ca', join(pki, 'ca.pem'), '--ca-key', join(pki, 'ca-key.pem')];
  await certs(['csr', '--cluster', CLUSTER, '--key-type', 'ec', '--out', dir]);
  const good = join(dir, 'proxy.csr');

  // Flip one byte of the signature (the DER's last byte): the request no longer verifies.
  const pem = readFileSync(good, 'utf8');
  const body = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0x01;
  const tampered = join(dir, 'tampered.csr');
  writeFileSync(
    tampered,
    `-----BEGIN CERTIFICATE REQUEST-----\n${body.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`,
  );
  const weak = join(dir, 'weak.csr');
  const weakMade = await openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:1024',
    '-nodes',
    '-keyout',
    join(dir, 'weak-key.pem'),
    '-subj',
    `/CN=${CLUSTER}`,
    '-out',
    weak,
  ]);
  assert.equal(weakMade.code, 0, weakMade.stderr);
  // A leaf (CA:FALSE) made by certs, used as if it were a CA.
  await certs([
    'issue',
    '--self-signed',
    '--cluster',
    CLUSTER,
    '--key-type',
    'ec',
    '--out',
    join(dir, 'leaf'),
  ]);

  const rows = [
    {
      name: 'tampered request',
      args: ['--csr', tampered, ...issuer],
      message: /signature of \S*tampered\.csr does not verify/,
    },
    {
      name: 'RSA 1024',
      args: ['--csr', weak, ...issuer],
      message: /RSA key of 1024 bits, too weak/,
    },
    {
      name: 'outlives the CA',
      args: ['--csr', good, ...issuer, '--days', '365'],
      message: /would outlive its issuer .*use --days (29|30) or less/,
    },
    {
      name: 'signer is no CA',
      args: [
        '--csr',
        good,
        '--ca',
        join(dir, 'leaf', 'proxy_cert.pem'),
        '--ca-key',
        join(dir, 'leaf', 'proxy_key.pem'),
      ],
      message: /is not a CA certificate/,
    },
    {
      name: 'a key given as the request',
      args: ['--csr', join(dir, 'proxy_key.pem'), ...issuer],
      message: /holds a private key, not a certificate request/,
    },
    {
      name: 'self-signed request',
      args: ['--csr', good, '--self-signed'],
      message: /--csr is signed by a CA/,
    },
  ];
  for (const row of rows) {
    const out = join(dir, `out-${row.name.replace(/\W+/g, '-')}`);
    const result = await runCli(['issue', ...row.args, '--out', out]);
    assert.equal(result.code, 2, `${row.name}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, row.message, row.name);
    assert.equal(
      result.stderr.trim().split('\n').length <= 2,
      true,
      `${row.name}: one line (and a hint)`,
    );
    assert.equal(existsSync(out), false, `${row.name}: nothing written`);
  }
});
