/**
 * Issue 13, item 10: `certs stunnel lint keyclient.pem` printed 60 of every 64 base64 characters
 * of the private key (each key line was a "syntax error" quoted in the finding), on stdout and in
 * --json. A key, certificate or DER file where the configuration belongs is now refused with one
 * line naming the block (exit 2), and no finding quotes a line of the input.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';

/** Every 16-character piece (at a step of 8) of the base64 lines of the PEM blocks in `pem`. */
function secretPieces(pem: string): string[] {
  const pieces: string[] = [];
  for (const line of pem.split('\n')) {
    if (line.startsWith('-----') || line.includes(':') || line.length < 16) continue;
    for (let i = 0; i + 16 <= line.length; i += 8) pieces.push(line.slice(i, i + 16));
  }
  return pieces;
}

function assertNoPiece(output: string, pieces: readonly string[], what: string): void {
  const leaked = pieces.filter((piece) => output.includes(piece));
  assert.deepEqual(leaked, [], `${what}: key material in the output`);
}

async function must(args: string[], cwd: string): Promise<void> {
  const result = await openssl(args, { cwd });
  assert.equal(result.code, 0, `openssl ${args.join(' ')}: ${result.stderr}`);
}

test('issue 13 item 10: stunnel lint refuses a private key file, naming the block, and never prints its material', async (t) => {
  const dir = tempDir(t);
  await must(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'pkcs8.pem'],
    dir,
  );
  await must(['ec', '-in', 'pkcs8.pem', '-out', 'sec1.pem'], dir);
  await must(['genrsa', '-traditional', '-out', 'pkcs1.pem', '2048'], dir);
  await must(
    ['pkcs8', '-topk8', '-in', 'pkcs8.pem', '-passout', 'pass:secret', '-out', 'encrypted.pem'],
    dir,
  );
  await must(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      'pkcs8.pem',
      '-subj',
      '/CN=app',
      '-days',
      '1',
      '-out',
      'cert.pem',
    ],
    dir,
  );
  await must(['pkey', '-in', 'pkcs8.pem', '-outform', 'DER', '-out', 'key.der'], dir);
  const read = (name: string): string => readFileSync(join(dir, name), 'latin1');
  // A configuration with the key pasted into it, and a key concatenated after a certificate.
  writeFileSync(
    join(dir, 'pasted.conf'),
    `[redislabs]\nclient = yes\naccept = 127.0.0.1:6379\n${read('pkcs1.pem')}connect = h:1\n`,
  );
  writeFileSync(join(dir, 'cert-and-key.pem'), read('cert.pem') + read('sec1.pem'));
  const rows = [
    {
      file: 'pkcs8.pem',
      message:
        /^block 1 in .*pkcs8\.pem \(line 1\) is a private key \(PRIVATE KEY\), not a stunnel configuration; keep private keys out/,
      secret: 'pkcs8.pem',
    },
    {
      file: 'sec1.pem',
      message: /^block 1 in .*sec1\.pem \(line 1\) is a private key \(EC PRIVATE KEY\)/,
      secret: 'sec1.pem',
    },
    {
      file: 'pkcs1.pem',
      message: /^block 1 in .*pkcs1\.pem \(line 1\) is a private key \(RSA PRIVATE KEY\)/,
      secret: 'pkcs1.pem',
    },
    {
      file: 'encrypted.pem',
      message: /is a private key \(ENCRYPTED PRIVATE KEY\)/,
      secret: 'encrypted.pem',
    },
    {
      file: 'pasted.conf',
      message: /^block 1 in .*pasted\.conf \(line 4\) is a private key \(RSA PRIVATE KEY\)/,
      secret: 'pkcs1.pem',
    },
    {
      file: 'cert-and-key.pem',
      message:
        /^block 1 in .*cert-and-key\.pem \(line 1\) is a CERTIFICATE block, not a stunnel configuration$/,
      secret: 'sec1.pem',
    },
    {
      file: 'key.der',
      message: /key\.der is DER data, not a stunnel configuration/,
      secret: 'pkcs8.pem',
    },
  ];
  for (const row of rows) {
    const path = join(dir, row.file);
    const pieces = secretPieces(read(row.secret));
    assert.ok(pieces.length > 10, row.file);
    for (const extra of [[], ['--no-probe']]) {
      const text = await runCli(['stunnel', 'lint', path, ...extra]);
      assert.equal(text.code, 2, `${row.file}: ${text.stdout.slice(0, 300)}`);
      assert.equal(text.stdout, '');
      const lines = text.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${row.file}: one line\n${text.stderr}`);
      assert.match(lines[0] ?? '', /^certs: /);
      assert.match((lines[0] ?? '').slice('certs: '.length), row.message, row.file);
      assertNoPiece(text.stdout + text.stderr, pieces, row.file);
    }
    const json = await runCli(['stunnel', 'lint', path, '--json']);
    assert.equal(json.code, 2, row.file);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'NOT_A_CONFIGURATION', row.file);
    assert.match(doc.error.message, row.message, row.file);
    assertNoPiece(json.stdout + json.stderr, pieces, `${row.file} --json`);
  }
});

test('issue 13 item 10: lines lint cannot read are reported by number, never quoted', async (t) => {
  const dir = tempDir(t);
  await must(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'key.pem'],
    dir,
  );
  // The key's base64 without its BEGIN/END lines (a careless paste): still never echoed.
  const body = readFileSync(join(dir, 'key.pem'), 'latin1')
    .split('\n')
    .filter((l) => !l.startsWith('-----'))
    .join('\n');
  const conf = join(dir, 'garbled.conf');
  writeFileSync(conf, `[redislabs]\nclient = yes\n${body}\nthis line is not an option\n`);
  for (const extra of [[], ['--json']]) {
    const result = await runCli(['stunnel', 'lint', conf, '--no-probe', ...extra]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /STUNNEL_SYNTAX/);
    assertNoPiece(result.stdout + result.stderr, secretPieces(body), `garbled ${extra.join(' ')}`);
    assert.doesNotMatch(result.stdout, /this line is not/);
  }
});
