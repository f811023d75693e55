/**
 * Issue 3: trust bundles and chains on committed fixtures (fixtures/chain, see its README) and
 * on PKI made by the openssl command line. Expected certificates are named by fixture file and
 * compared by SHA-256 fingerprints computed with node:crypto, not by the code under test.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleParsedCertificates, isCertkitError, parseCertificates } from '@certkit/core';
// A tuning limit of the issuer search, documented on assembleParsedCertificates (chain mode).
import { MAX_ISSUER_CANDIDATES } from '../../packages/core/src/judge/chain-search.js';
import type { Certificate, ChainFindingCode } from '@certkit/core';
import { ROOT } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

/** Chain mode of assembleParsedCertificates: the chain, its links and findings. */
const chainOf = (
  certificates: readonly Certificate[],
  options: { now?: Date; keepRoot?: boolean } = {},
) => assembleParsedCertificates(certificates, { ...options, mode: 'chain' }).chain;
/** Bundle mode of assembleParsedCertificates: the trust bundle and its findings. */
const bundleOf = (certificates: readonly Certificate[], options: { now?: Date } = {}) =>
  assembleParsedCertificates(certificates, { ...options, mode: 'bundle' }).bundle;

const F = join(ROOT, 'fixtures/chain');
/** A time inside every valid fixture's window (2025..2045) and outside the dated ones. */
const NOW = new Date('2030-01-01T00:00:00Z');

function read(...files: string[]): Certificate[] {
  return files.flatMap((f) => parseCertificates(readFileSync(join(F, f)), f));
}

/** SHA-256 of a fixture certificate, by node:crypto. */
function fingerprint(file: string): string {
  return new X509Certificate(readFileSync(join(F, file))).fingerprint256;
}

function codes(findings: readonly { code: string }[]): string[] {
  return findings.map((f) => f.code).sort();
}

interface ChainRow {
  readonly name: string;
  readonly files: readonly string[];
  /** Expected output, leaf first, as fixture files. */
  readonly expected: readonly string[];
  readonly ok: boolean;
  readonly codes: readonly ChainFindingCode[];
  readonly keepRoot?: boolean;
  readonly now?: Date;
}

const ROOTED = ['leaf.pem', 'intermediate.pem', 'root.pem'];

const CHAIN_ROWS: readonly ChainRow[] = [
  { name: 'shuffled chain', files: ['shuffled.pem'], expected: ROOTED, ok: true, codes: [] },
  { name: 'reversed chain', files: ['reversed.pem'], expected: ROOTED, ok: true, codes: [] },
  {
    name: 'duplicates across files',
    files: ['dup-a.pem', 'dup-b.pem'],
    expected: ROOTED,
    ok: true,
    codes: ['DUPLICATE'],
  },
  { name: 'CRLF line ends', files: ['crlf.pem'], expected: ROOTED, ok: true, codes: [] },
  {
    name: 'BOM, comments and openssl -text output between blocks',
    files: ['junk.pem'],
    expected: ROOTED,
    ok: true,
    codes: [],
  },
  {
    name: 'cat of files without final newlines: END and BEGIN glued on one line',
    files: ['cat-no-newline.pem'],
    expected: ROOTED,
    ok: true,
    codes: [],
  },
  {
    name: 'DER input, one file per certificate',
    files: ['root.der', 'leaf.der', 'intermediate.der'],
    expected: ROOTED,
    ok: true,
    codes: [],
  },
  {
    name: 'without the root (keepRoot false), as servers send',
    files: ['shuffled.pem'],
    expected: ['leaf.pem', 'intermediate.pem'],
    ok: true,
    codes: [],
    keepRoot: false,
  },
  {
    // Issue 17: the root the user gave is kept after the gap, not left out.
    name: 'missing intermediate',
    files: ['missing-intermediate.pem'],
    expected: ['leaf.pem', 'root.pem'],
    ok: false,
    codes: ['MISSING_ISSUER'],
  },
  {
    name: 'cycle: CA A and CA B certify each other',
    files: ['cycle.pem'],
    expected: ['cycle-leaf.pem', 'cycle-a-by-b.pem', 'cycle-b-by-a.pem'],
    ok: false,
    codes: ['CYCLE'],
  },
  {
    name: 'expired member',
    files: ['expired-intermediate.pem'],
    expected: ['leaf.pem', 'intermediate-expired.pem', 'root.pem'],
    ok: false,
    codes: ['EXPIRED'],
  },
  {
    name: 'two leaves',
    files: ['two-leaves.pem'],
    expected: ROOTED,
    ok: false,
    codes: ['SEVERAL_LEAVES'],
  },
  {
    name: 'cross-signed intermediate: the path to the root present wins',
    files: ['cross-signed.pem'],
    expected: ROOTED,
    ok: true,
    codes: ['ALTERNATE_ISSUER'],
  },
  {
    name: 'cross-signed intermediate, no root at all: a verified path of full length',
    files: ['cross-signed-no-root.pem'],
    expected: ['leaf.pem', 'intermediate-cross.pem'],
    ok: true,
    codes: ['ALTERNATE_ISSUER', 'ROOT_NOT_IN_INPUT'],
  },
  {
    name: 'unrelated extra certificate',
    files: ['unrelated-extra.pem'],
    expected: ROOTED,
    ok: true,
    codes: ['UNRELATED_CERTIFICATE'],
  },
  {
    name: 'injected clock before the chain is valid',
    files: ['shuffled.pem'],
    expected: ROOTED,
    ok: false,
    codes: ['NOT_YET_VALID', 'NOT_YET_VALID', 'NOT_YET_VALID'],
    now: new Date('2024-12-31T23:59:59Z'),
  },
  {
    name: 'injected clock after the chain expired',
    files: ['shuffled.pem'],
    expected: ROOTED,
    ok: false,
    codes: ['EXPIRED', 'EXPIRED', 'EXPIRED'],
    now: new Date('2045-01-01T00:00:01Z'),
  },
  {
    name: 'injected clock at the last valid second (RFC 5280: notAfter is inclusive)',
    files: ['shuffled.pem'],
    expected: ROOTED,
    ok: true,
    codes: [],
    now: new Date('2045-01-01T00:00:00Z'),
  },
];

for (const row of CHAIN_ROWS) {
  void test(`issue 3: chain mode, ${row.name}`, () => {
    const chain = chainOf(read(...row.files), {
      now: row.now ?? NOW,
      ...(row.keepRoot === undefined ? {} : { keepRoot: row.keepRoot }),
    });
    assert.deepEqual(
      chain.certificates.map((c) => c.info.fingerprintSha256),
      row.expected.map(fingerprint),
      chain.certificates.map((c) => c.info.subject).join(' > '),
    );
    assert.deepEqual(codes(chain.findings), [...row.codes].sort(), JSON.stringify(chain.findings));
    assert.equal(chain.ok, row.ok);
    // Every member is the input's exact bytes: nothing re-encoded.
    for (const c of chain.certificates) {
      assert.equal(new X509Certificate(c.der).fingerprint256, c.info.fingerprintSha256);
    }
    assert.equal(chain.ok, !chain.findings.some((f) => f.severity === 'error'));
    for (const f of chain.findings) {
      if (f.certificate !== undefined) assert.match(f.message, /certificate \d+ in \S+ \(/);
    }
  });
}

void test('issue 3: per-link verdicts of a good chain, the root as a self-link', () => {
  const chain = chainOf(read('shuffled.pem'), { now: NOW });
  assert.equal(chain.complete, true);
  assert.deepEqual(
    chain.path.map((m) => m.role),
    ['leaf', 'intermediate', 'root'],
  );
  assert.deepEqual(
    chain.links.map((l) => [l.child, l.issuer]),
    [
      [0, 1],
      [1, 2],
      [2, 2],
    ],
  );
  for (const link of chain.links) {
    assert.deepEqual(
      {
        namesChain: link.namesChain,
        keyIdentifiersMatch: link.keyIdentifiersMatch,
        signatureValid: link.signatureValid,
        validAtNow: link.validAtNow,
        pathLengthRespected: link.pathLengthRespected,
        ok: link.ok,
      },
      {
        namesChain: true,
        keyIdentifiersMatch: true,
        signatureValid: true,
        validAtNow: true,
        pathLengthRespected: true,
        ok: true,
      },
    );
  }
});

interface BundleRow {
  readonly name: string;
  readonly files: readonly string[];
  readonly expected: readonly string[];
  readonly codes: readonly ChainFindingCode[];
}

const BUNDLE_ROWS: readonly BundleRow[] = [
  {
    name: 'three self-signed node certificates, order kept',
    files: ['node3.pem', 'node1.pem', 'node2.pem'],
    expected: ['node3.pem', 'node1.pem', 'node2.pem'],
    codes: [],
  },
  {
    name: 'messy servercerts.pem: BOM, CRLF, comments, a duplicate',
    files: ['servercerts-messy.pem'],
    expected: ['node1.pem', 'node2.pem', 'node3.pem'],
    codes: ['DUPLICATE'],
  },
  {
    name: 'expired and not-yet-valid members are kept, with warnings',
    files: ['servercerts-dated.pem'],
    expected: ['node1.pem', 'node-expired.pem', 'node-future.pem'],
    codes: ['EXPIRED', 'NOT_YET_VALID'],
  },
  {
    name: 'a leaf that is neither self-signed nor a CA',
    files: ['node1.pem', 'leaf.pem', 'intermediate.pem'],
    expected: ['node1.pem', 'leaf.pem', 'intermediate.pem'],
    // The intermediate's root is not in the bundle (issue 17): a warning while node1 anchors.
    codes: ['NOT_A_TRUST_ANCHOR', 'ROOT_MISSING'],
  },
];

void test('issue 17: a bundle of fetched leaves and their intermediate has no root: ROOT_MISSING names it, an error', () => {
  const bundle = bundleOf(read('leaf.pem', 'leaf2.pem', 'intermediate.pem'), { now: NOW });
  assert.equal(bundle.ok, false);
  const missing = bundle.findings.filter((f) => f.code === 'ROOT_MISSING');
  assert.equal(missing.length, 1);
  assert.equal(missing[0]?.severity, 'error');
  assert.match(
    missing[0].message,
    /certificate 1 in intermediate\.pem \(O=certkit fixtures, CN=certkit Fixture Intermediate CA\) \(and 2 more of the bundle under it\) is not self-signed and its issuer O=certkit fixtures, CN=certkit Fixture Root CA is not in the bundle.*add the root CA certificate O=certkit fixtures, CN=certkit Fixture Root CA$/,
  );
  // With the root, nothing is missing.
  const rooted = bundleOf(read('leaf.pem', 'intermediate.pem', 'root.pem'), { now: NOW });
  assert.ok(!rooted.findings.some((f) => f.code === 'ROOT_MISSING'));
});

for (const row of BUNDLE_ROWS) {
  void test(`issue 3: bundle mode, ${row.name}`, () => {
    const bundle = bundleOf(read(...row.files), { now: NOW });
    assert.deepEqual(
      bundle.certificates.map((c) => c.info.fingerprintSha256),
      row.expected.map(fingerprint),
    );
    assert.deepEqual(codes(bundle.findings), [...row.codes].sort());
    // Bundle findings are warnings and remarks: the bundle is still written.
    assert.equal(bundle.ok, true);
    assert.ok(bundle.findings.every((f) => f.severity !== 'error'));
  });
}

interface BadRow {
  readonly name: string;
  readonly file: string;
  readonly code: string;
  readonly message: RegExp;
}

const BAD_ROWS: readonly BadRow[] = [
  {
    name: 'empty file',
    file: 'empty.pem',
    code: 'PEM_EMPTY',
    message: /^bad\/empty\.pem is empty$/,
  },
  {
    name: 'truncated base64',
    file: 'truncated-base64.pem',
    code: 'PEM_INVALID',
    message: /^cannot read certificate 2 in bad\/truncated-base64\.pem: base64 is truncated$/,
  },
  {
    name: 'a private key pasted in',
    file: 'key-pasted.pem',
    code: 'NOT_A_CERTIFICATE',
    message: /^block 2 in bad\/key-pasted\.pem is a private key, not a certificate/,
  },
  {
    name: 'wrong END label',
    file: 'wrong-label.pem',
    code: 'PEM_INVALID',
    message:
      /^cannot read certificate 2 in bad\/wrong-label\.pem: BEGIN CERTIFICATE ends with END X509 CRL$/,
  },
  {
    name: 'a character outside base64',
    file: 'bad-character.pem',
    code: 'PEM_INVALID',
    message: /^cannot read certificate 2 in bad\/bad-character\.pem: base64 has characters outside/,
  },
  {
    name: 'garbage text',
    file: 'garbage.pem',
    code: 'PEM_INVALID',
    message: /^bad\/garbage\.pem holds no PEM block/,
  },
  {
    name: 'truncated DER',
    file: 'der-truncated.der',
    code: 'DER_INVALID',
    message: /^cannot read block 1 in bad\/der-truncated\.der: DER data is truncated$/,
  },
  {
    name: 'DER that is not a certificate',
    file: 'der-not-certificate.der',
    code: 'CERTIFICATE_INVALID',
    message: /^cannot read certificate 1 in bad\/der-not-certificate\.der: not a valid X\.509/,
  },
];

for (const row of BAD_ROWS) {
  void test(`issue 3: parseCertificates refuses ${row.name}, naming file and block`, () => {
    const bytes = readFileSync(join(F, 'bad', row.file));
    assert.throws(
      () => parseCertificates(bytes, `bad/${row.file}`),
      (error: unknown) => {
        assert.ok(isCertkitError(error));
        assert.equal(error.code, row.code);
        assert.match(error.message, row.message);
        return true;
      },
    );
  });
}

void test('issue 3: a pasted private key is never echoed in the error', () => {
  const keyText = readFileSync(join(F, 'keys/leaf.key.pem'), 'utf8');
  const lines = keyText.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
  try {
    parseCertificates(readFileSync(join(F, 'bad/key-pasted.pem')), 'key-pasted.pem');
    assert.fail('no error');
  } catch (error) {
    const text = `${String(error)} ${JSON.stringify(error)}`;
    for (const line of lines) assert.ok(!text.includes(line.slice(0, 16)), 'key material echoed');
  }
});

interface LinkRow {
  readonly name: string;
  readonly code: ChainFindingCode;
  /** Builds root -> … -> leaf with openssl; returns the PEM files, leaf first. */
  readonly make: (dir: string) => Promise<string[]>;
  /** The verdict of the link from path[1] … that must fail. */
  readonly verdict: keyof import('@certkit/core').ChainLink;
}

const LINK_ROWS: readonly LinkRow[] = [
  {
    name: 'pathLen 0 with a second intermediate below',
    code: 'PATH_LENGTH_EXCEEDED',
    verdict: 'pathLengthRespected',
    make: async (dir) => {
      const root = await makeCert(dir, { name: 'root', subject: '/CN=PL Root', ca: true });
      const one = await makeCert(dir, {
        name: 'one',
        subject: '/CN=PL One',
        issuer: root,
        ca: true,
        pathLen: 0,
      });
      const two = await makeCert(dir, {
        name: 'two',
        subject: '/CN=PL Two',
        issuer: one,
        ca: true,
      });
      const leaf = await makeCert(dir, {
        name: 'leaf',
        subject: '/CN=pl.test',
        issuer: two,
        ca: false,
      });
      return [leaf.cert, one.cert, root.cert, two.cert];
    },
  },
  {
    name: 'issuer is not a CA',
    code: 'ISSUER_NOT_CA',
    verdict: 'issuerIsCa',
    make: async (dir) => {
      const root = await makeCert(dir, { name: 'root', subject: '/CN=NC Root', ca: true });
      const notCa = await makeCert(dir, {
        name: 'notca',
        subject: '/CN=NC Not A CA',
        issuer: root,
        ca: false,
        keyUsage: 'critical, digitalSignature, keyCertSign',
      });
      const leaf = await makeCert(dir, {
        name: 'leaf',
        subject: '/CN=nc.test',
        issuer: notCa,
        ca: false,
      });
      return [root.cert, leaf.cert, notCa.cert];
    },
  },
  {
    name: 'issuer keyUsage without keyCertSign',
    code: 'ISSUER_CANNOT_SIGN_CERTIFICATES',
    verdict: 'issuerMayCertify',
    make: async (dir) => {
      const root = await makeCert(dir, { name: 'root', subject: '/CN=KU Root', ca: true });
      const ca = await makeCert(dir, {
        name: 'ca',
        subject: '/CN=KU CA',
        issuer: root,
        ca: true,
        keyUsage: 'critical, digitalSignature, cRLSign',
      });
      const leaf = await makeCert(dir, {
        name: 'leaf',
        subject: '/CN=ku.test',
        issuer: ca,
        ca: false,
      });
      return [leaf.cert, ca.cert, root.cert];
    },
  },
];

for (const row of LINK_ROWS) {
  void test(`issue 3: link verdict on openssl-made PKI, ${row.name}`, async (t) => {
    const dir = tempDir(t);
    const files = await row.make(dir);
    const chain = chainOf(
      files.flatMap((f) => parseCertificates(readFileSync(f), f)),
      { now: new Date() },
    );
    assert.equal(chain.ok, false);
    assert.ok(codes(chain.findings).includes(row.code), JSON.stringify(chain.findings));
    const failing = chain.links.filter((l) => l[row.verdict] === false);
    assert.equal(failing.length, 1, JSON.stringify(chain.links));
    assert.equal(failing[0]?.ok, false);
    // Everything else about the chain is sound: only the one verdict fails.
    assert.ok(chain.links.every((l) => l.signatureValid && l.namesChain));
    assert.equal(chain.complete, true);
  });
}

void test('issue 3: an impostor intermediate (same name, other key) gives a link whose signature and key ids fail', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=IM Root', ca: true });
  const real = await makeCert(dir, { name: 'real', subject: '/CN=IM CA', issuer: root, ca: true });
  const impostor = await makeCert(dir, {
    name: 'fake',
    subject: '/CN=IM CA',
    issuer: root,
    ca: true,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=im.test',
    issuer: real,
    ca: false,
  });
  const certs = [leaf.cert, impostor.cert, root.cert].flatMap((f) =>
    parseCertificates(readFileSync(f), f),
  );
  const chain = chainOf(certs, { now: new Date() });
  assert.equal(chain.ok, false);
  const first = chain.links[0];
  assert.equal(first?.namesChain, true);
  assert.equal(first.signatureValid, false);
  assert.equal(first.keyIdentifiersMatch, false);
  assert.deepEqual(codes(chain.findings), ['KEY_IDENTIFIER_MISMATCH', 'SIGNATURE_INVALID']);
  // With the real intermediate present too, the verified one is chosen and the impostor left out.
  const both = chainOf([...certs, ...parseCertificates(readFileSync(real.cert), real.cert)], {
    now: new Date(),
  });
  assert.equal(both.ok, true, JSON.stringify(both.findings));
  assert.deepEqual(codes(both.findings), ['UNRELATED_CERTIFICATE']);
  assert.match(both.findings[0]?.message ?? '', /has the name of .* but another key/);
  assert.equal(
    both.certificates[1]?.info.fingerprintSha256,
    new X509Certificate(readFileSync(real.cert)).fingerprint256,
  );
});

/** Certificates rendered as an assembly renders them (a bundle keeps them, in order). */
function render(
  certificates: readonly Certificate[],
  options: { annotate?: boolean } = {},
): string {
  return assembleParsedCertificates(certificates, { mode: 'bundle', ...options }).pem;
}

void test('issue 3: assemblies write clean PEM and annotations that cannot forge PEM lines', async (t) => {
  const certs = read('crlf.pem');
  const text = render(certs);
  assert.ok(!text.includes('\r'));
  const base64Lines = text.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
  assert.ok(base64Lines.every((l) => l.length <= 64));
  assert.equal((text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 3);

  const dir = tempDir(t);
  // A subject with a newline and an END line inside it, made by openssl.
  const evil = await makeCert(dir, {
    name: 'evil',
    subject: '/CN=evil\n-----END CERTIFICATE-----',
  });
  const annotated = render(parseCertificates(readFileSync(evil.cert), 'evil.pem'), {
    annotate: true,
  });
  const lines = annotated.split('\n');
  assert.match(lines[0] ?? '', /^# subject: CN=evil\\x0a-----END CERTIFICATE-----$/);
  assert.equal(lines.filter((l) => l.startsWith('-----END')).length, 1);
});

void test('issue 3: among more same-name CAs than MAX_ISSUER_CANDIDATES, the real issuer is still found by its key identifier', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=NS Root', ca: true });
  const real = await makeCert(dir, { name: 'real', subject: '/CN=NS CA', issuer: root, ca: true });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=ns.test',
    issuer: real,
    ca: false,
  });
  const namesakes: string[] = [];
  for (let i = 0; i <= MAX_ISSUER_CANDIDATES; i++) {
    const fake = await makeCert(dir, { name: `fake${String(i)}`, subject: '/CN=NS CA', ca: true });
    namesakes.push(fake.cert);
  }
  // The real intermediate comes last, behind every namesake.
  const files = [leaf.cert, ...namesakes, root.cert, real.cert];
  const chain = chainOf(
    files.flatMap((file) => parseCertificates(readFileSync(file), file)),
    { now: new Date() },
  );
  assert.equal(chain.complete, true);
  assert.equal(
    chain.certificates[1]?.info.fingerprintSha256,
    new X509Certificate(readFileSync(real.cert)).fingerprint256,
  );
  assert.deepEqual(
    codes(chain.findings),
    Array<string>(namesakes.length).fill('UNRELATED_CERTIFICATE'),
  );
});
