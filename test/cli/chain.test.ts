/**
 * Issue 3: `certs chain` as users run it (the built binary): exit codes 0/1/2, clean PEM on
 * stdout or atomically to -o, nothing written on bad input or a broken chain, --json, help.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const F = join(ROOT, 'fixtures/chain');
const f = (name: string): string => join(F, name);

/** The certificates of a PEM text, as node:crypto fingerprints, in order. */
function fingerprints(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
  return blocks.map((b) => new X509Certificate(b).fingerprint256);
}
const fp = (name: string): string => new X509Certificate(readFileSync(f(name))).fingerprint256;

interface BadRow {
  readonly name: string;
  /** Inputs; the bad one is not always first, so good files before it must not be written. */
  readonly files: readonly string[];
  /** The message must name the file and, where there is one, the block. */
  readonly message: RegExp;
  readonly code: string;
}

const BAD_ROWS: readonly BadRow[] = [
  {
    name: 'empty file',
    files: ['bad/empty.pem'],
    message: /bad\/empty\.pem is empty/,
    code: 'PEM_EMPTY',
  },
  {
    name: 'truncated base64 after a good file',
    files: ['root.pem', 'bad/truncated-base64.pem'],
    message: /cannot read certificate 2 in \S*bad\/truncated-base64\.pem: base64 is truncated/,
    code: 'PEM_INVALID',
  },
  {
    name: 'a private key pasted in',
    files: ['bad/key-pasted.pem'],
    message: /block 2 in \S*bad\/key-pasted\.pem is a private key, not a certificate/,
    code: 'NOT_A_CERTIFICATE',
  },
  {
    name: 'wrong END label',
    files: ['bad/wrong-label.pem'],
    message:
      /cannot read certificate 2 in \S*bad\/wrong-label\.pem: BEGIN CERTIFICATE ends with END X509 CRL/,
    code: 'PEM_INVALID',
  },
  {
    name: 'a character outside base64',
    files: ['bad/bad-character.pem'],
    message:
      /cannot read certificate 2 in \S*bad\/bad-character\.pem: base64 has characters outside/,
    code: 'PEM_INVALID',
  },
  {
    name: 'garbage text',
    files: ['bad/garbage.pem'],
    message: /\S*bad\/garbage\.pem holds no PEM block/,
    code: 'PEM_INVALID',
  },
  {
    name: 'DER garbage (truncated)',
    files: ['bad/der-truncated.der'],
    message: /cannot read block 1 in \S*bad\/der-truncated\.der: DER data is truncated/,
    code: 'DER_INVALID',
  },
  {
    name: 'DER that is not a certificate',
    files: ['bad/der-not-certificate.der'],
    message:
      /cannot read certificate 1 in \S*bad\/der-not-certificate\.der: not a valid X\.509 certificate/,
    code: 'CERTIFICATE_INVALID',
  },
  {
    name: 'a file that does not exist',
    files: ['node1.pem', 'no-such-file.pem'],
    message: /no-such-file\.pem: no such file/,
    code: 'FILE_NOT_FOUND',
  },
];

for (const row of BAD_ROWS) {
  void test(`issue 3: certs chain, ${row.name}: exit 2, one line naming file and block, nothing written`, async (t) => {
    const dir = tempDir(t);
    const out = join(dir, 'out.pem');
    const result = await runCli(['chain', ...row.files.map(f), '-o', out]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^certs: /);
    assert.match(result.stderr, row.message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.ok(!result.stderr.includes('    at '), 'no stack trace');
    assert.deepEqual(readdirSync(dir), []);

    const json = await runCli(['chain', '--json', ...row.files.map(f)]);
    assert.equal(json.code, 2);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, row.code);
    assert.match(doc.error.message, row.message);
  });
}

void test('issue 3: a pasted private key never reaches stdout or stderr', async () => {
  const key = readFileSync(f('keys/leaf.key.pem'), 'utf8');
  const secret = key.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
  for (const args of [
    ['chain', f('bad/key-pasted.pem')],
    ['chain', '--json', f('bad/key-pasted.pem')],
  ]) {
    const result = await runCli(args);
    assert.equal(result.code, 2);
    for (const line of secret) {
      assert.ok(!result.stdout.includes(line) && !result.stderr.includes(line), 'key echoed');
    }
  }
});

interface ModeRow {
  readonly name: string;
  readonly args: readonly string[];
  readonly code: number;
  /** Expected stdout certificates as fixture files; null: stdout must be empty. */
  readonly expected: readonly string[] | null;
  readonly stderr: RegExp;
}

const MODE_ROWS: readonly ModeRow[] = [
  {
    name: 'auto picks chain mode for a shuffled chain and says why',
    args: [f('shuffled.pem')],
    code: 0,
    expected: ['leaf.pem', 'intermediate.pem', 'root.pem'],
    stderr:
      /^chain mode \(auto\): certificate 2 in \S+shuffled\.pem \(O=certkit fixtures, CN=redis\.fixture\.test\) is issued by certificate 1/,
  },
  {
    name: 'auto picks bundle mode for self-signed node certificates and says why',
    args: [f('node2.pem'), f('node1.pem'), f('node3.pem')],
    code: 0,
    expected: ['node2.pem', 'node1.pem', 'node3.pem'],
    stderr: /^bundle mode \(auto\): no certificate in the input issues another/,
  },
  {
    name: '--no-root drops the root',
    args: ['--no-root', f('reversed.pem')],
    code: 0,
    expected: ['leaf.pem', 'intermediate.pem'],
    stderr: /left out \(--no-root\)/,
  },
  {
    name: '--mode bundle keeps a chain as a set, in input order, with warnings',
    args: ['--mode', 'bundle', f('shuffled.pem')],
    code: 0,
    expected: ['intermediate.pem', 'leaf.pem', 'root.pem'],
    stderr:
      /^bundle mode: --mode bundle[\s\S]*warning: certificate 2 in \S+ \(O=certkit fixtures, CN=redis\.fixture\.test\) is neither self-signed nor a CA/,
  },
  {
    name: 'a missing intermediate is a broken chain: exit 1, nothing on stdout',
    args: [f('missing-intermediate.pem')],
    code: 1,
    expected: null,
    stderr:
      /error: the issuer of certificate 1 in \S+missing-intermediate\.pem[\s\S]*nothing written/,
  },
  {
    name: '--allow-broken prints the broken chain and still exits 1',
    args: ['--allow-broken', f('cycle.pem')],
    code: 1,
    expected: ['cycle-leaf.pem', 'cycle-a-by-b.pem', 'cycle-b-by-a.pem'],
    stderr: /\[CYCLE\]/,
  },
  {
    name: 'two leaves: exit 1',
    args: ['--mode', 'chain', f('two-leaves.pem')],
    code: 1,
    expected: null,
    stderr: /\[SEVERAL_LEAVES\]/,
  },
  {
    name: 'duplicates across files, DER and CRLF mixed: one clean chain',
    args: [f('dup-b.pem'), f('leaf.der'), f('crlf.pem'), f('dup-a.pem')],
    code: 0,
    expected: ['leaf.pem', 'intermediate.pem', 'root.pem'],
    stderr: /\[DUPLICATE\]/,
  },
];

for (const row of MODE_ROWS) {
  void test(`issue 3: certs chain, ${row.name}`, async () => {
    const result = await runCli(['chain', ...row.args]);
    assert.equal(result.code, row.code, result.stderr);
    assert.match(result.stderr, row.stderr);
    if (row.expected === null) assert.equal(result.stdout, '');
    else assert.deepEqual(fingerprints(result.stdout), row.expected.map(fp));
  });
}

void test('issue 3: output is clean PEM: LF only, 64-column base64, nothing but blocks', async () => {
  const result = await runCli(['chain', f('crlf.pem'), f('junk.pem'), f('servercerts-messy.pem')]);
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout;
  assert.ok(!text.includes('\r') && !text.includes('\ufeff'));
  assert.match(
    text,
    /^(-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n)+$/,
  );
  // Byte-identical to the generator's canonical files.
  assert.equal(
    text,
    ['leaf.pem', 'intermediate.pem', 'root.pem'].map((n) => readFileSync(f(n), 'utf8')).join(''),
  );
});

void test('issue 3: --annotate puts subject, issuer, notAfter and sha256 above each block', async () => {
  const result = await runCli(['chain', '--annotate', f('node1.pem'), f('node2.pem')]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    '# subject: O=certkit fixtures, CN=node1.cluster.fixture.test',
    '# issuer: O=certkit fixtures, CN=node1.cluster.fixture.test',
    '# notAfter: 2045-01-01T00:00:00.000Z',
    `# sha256: ${fp('node1.pem')}`,
  ]);
  assert.equal(lines[4], '-----BEGIN CERTIFICATE-----');
  assert.equal(lines.filter((l) => l.startsWith('# sha256: ')).length, 2);
});

void test('issue 3: -o writes atomically (0644), refuses to overwrite without --force, replaces with it', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'servercerts.pem');
  writeFileSync(out, 'precious\n');
  const refused = await runCli(['chain', f('servercerts.pem'), '-o', out]);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /^certs: .*servercerts\.pem already exists \(nothing was written\); use --force to replace$/m,
  );
  assert.equal(readFileSync(out, 'utf8'), 'precious\n');

  const forced = await runCli(['chain', f('servercerts.pem'), '-o', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, '');
  assert.match(forced.stderr, /wrote 3 certificates to \S+servercerts\.pem/);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(f('servercerts.pem'), 'utf8'));
  assert.deepEqual(readdirSync(dir), ['servercerts.pem']);
});

void test('issue 3: a broken chain with -o writes nothing; --allow-broken writes it and exits 1', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'chain.pem');
  const broken = await runCli(['chain', f('missing-intermediate.pem'), '-o', out]);
  assert.equal(broken.code, 1);
  assert.deepEqual(readdirSync(dir), []);
  const allowed = await runCli([
    'chain',
    f('missing-intermediate.pem'),
    '-o',
    out,
    '--allow-broken',
  ]);
  assert.equal(allowed.code, 1);
  // Every certificate given is written (issue 17): the root after the gap.
  assert.deepEqual(fingerprints(readFileSync(out, 'utf8')), [fp('leaf.pem'), fp('root.pem')]);
});

void test('issue 17: cat leaf int1 root without int2 is int2 missing: the leaf stays the leaf, MISSING_ISSUER, nothing written without --allow-broken', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Gap Root', ca: true });
  const int1 = await makeCert(dir, {
    name: 'int1',
    subject: '/CN=Gap Int1',
    ca: true,
    issuer: root,
  });
  const int2 = await makeCert(dir, {
    name: 'int2',
    subject: '/CN=Gap Int2',
    ca: true,
    issuer: int1,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=redis-1.gap.test',
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:redis-1.gap.test'],
    issuer: int2,
  });
  const pemOf = (m: { cert: string }): string => readFileSync(m.cert, 'utf8');
  const broken = join(dir, 'broken.pem');
  writeFileSync(broken, [leaf, int1, root].map(pemOf).join(''));
  const out = join(dir, 'out.pem');
  for (const mode of [['--mode', 'chain'], []]) {
    const result = await runCli(['chain', ...mode, broken, '-o', out]);
    assert.equal(result.code, 1, result.stderr);
    assert.throws(() => readFileSync(out), /ENOENT/, 'nothing written');
    assert.match(
      result.stderr,
      /error: the issuer of certificate 1 in \S+broken\.pem \(CN=redis-1\.gap\.test\), CN=Gap Int2, is not in the input: add the file that holds its certificate; CN=Gap Int1 -> CN=Gap Root are in the input but do not issue it, so the chain has a gap there \[MISSING_ISSUER\]/,
    );
    assert.doesNotMatch(result.stderr, /UNRELATED_CERTIFICATE|left out/);
    assert.match(result.stderr, /^ {2}1\. leaf +CN=redis-1\.gap\.test/m);
  }
  const json = await runCli(['chain', '--json', broken]);
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.stdout) as { findings: { code: string; severity: string }[] };
  assert.deepEqual(
    doc.findings.map((f) => `${f.code}:${f.severity}`),
    ['MISSING_ISSUER:error'],
  );
  const allowed = await runCli(['chain', broken, '-o', out, '--allow-broken']);
  assert.equal(allowed.code, 1);
  assert.deepEqual(
    fingerprints(readFileSync(out, 'utf8')),
    [leaf, int1, root].map((m) => new X509Certificate(pemOf(m)).fingerprint256),
    'every certificate given, leaf first, the gap where int2 belongs',
  );
  // With int2, the chain is whole.
  writeFileSync(broken, [leaf, int1, root, int2].map(pemOf).join(''));
  const whole = await runCli(['chain', broken]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(
    fingerprints(whole.stdout),
    [leaf, int2, int1, root].map((m) => new X509Certificate(pemOf(m)).fingerprint256),
  );
});

void test('issue 3: --json prints one document with mode, links, findings and the PEM', async () => {
  const result = await runCli(['chain', '--json', f('cross-signed.pem')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const doc = JSON.parse(result.stdout) as {
    ok: boolean;
    mode: string;
    complete: boolean;
    certificates: { fingerprintSha256: string }[];
    links: { signatureValid: boolean }[];
    findings: { code: string; severity: string }[];
    pem: string;
  };
  assert.equal(doc.ok, true);
  assert.equal(doc.mode, 'chain');
  assert.equal(doc.complete, true);
  const expected = ['leaf.pem', 'intermediate.pem', 'root.pem'].map(fp);
  assert.deepEqual(
    doc.certificates.map((c) => c.fingerprintSha256),
    expected,
  );
  assert.deepEqual(fingerprints(doc.pem), expected);
  assert.equal(doc.links.length, 3);
  assert.ok(doc.links.every((l) => l.signatureValid));
  assert.deepEqual(
    doc.findings.map((x) => [x.code, x.severity]),
    [['ALTERNATE_ISSUER', 'warning']],
  );
});

void test('issue 3: help has examples and the EXIT CODES section; usage errors exit 2', async () => {
  const help = await runCli(['chain', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.match(
    help.stdout,
    /certs chain certsvr1\.pem certsvr2\.pem certsvr3\.pem[\s\S]*-o servercerts\.pem/,
  );
  assert.match(help.stdout, /EXIT CODES\n {2}0 +success/);
  const noFiles = await runCli(['chain']);
  assert.equal(noFiles.code, 2);
  const badMode = await runCli(['chain', '--mode', 'tree', f('root.pem')]);
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /^certs: invalid value for --mode/);
});

void test('issue 3: a PKCS#7 chain (.p7b, made by openssl) exits 2 and says how to extract it', async (t) => {
  const dir = tempDir(t);
  const p7b = join(dir, 'chain.p7b');
  const made = await openssl(['crl2pkcs7', '-nocrl', '-certfile', f('shuffled.pem'), '-out', p7b]);
  assert.equal(made.code, 0, made.stderr);
  const result = await runCli(['chain', p7b]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^certs: block 1 in \S+chain\.p7b is a PKCS#7 bundle \(list its certificates with openssl pkcs7 -print_certs\), not a certificate\n$/,
  );
});
