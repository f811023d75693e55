/**
 * Issue 17 items 1, 2, 5, 6 and 7 through the built CLI: `certs check` and `certs verify` judge a
 * chain with a CA file as the real client stacks do (test/interop/STACKS.md measures each shape):
 * a node's own self-signed certificate in servercerts.pem is pinned, an intermediate-only CA
 * file is a partial chain only Go and Java accept, SHA-1 below the anchor is refused by all but
 * Java, a CN that is not among the SANs is a CA/B issuance rule (a warning, an error under
 * --webpki), and `check --json` carries each stack's trust verdict next to the name verdicts.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const C = 'cluster.v.local';
const HOST = `redis-12000.${C}`;

interface Finding {
  code: string;
  severity: string;
  message: string;
  stacks?: string[];
}
interface Report {
  ok: boolean;
  findings: Finding[];
  chainValid: boolean | null;
  trust: { stack: string; accepts: boolean; reason: string }[] | null;
  names: { clients: { stack: string; accepts: boolean; reason: string }[] }[];
}
interface CheckJson {
  ok: boolean;
  reports: Report[];
}
interface VerifyJson {
  ok: boolean;
  pinned: boolean;
  partialChain: boolean;
  policy: string;
  findings: Finding[];
}

async function check(args: readonly string[]): Promise<{ code: number | null; report: Report }> {
  const result = await runCli(['check', '--cluster', C, '--json', ...args]);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = (JSON.parse(result.stdout) as CheckJson).reports[0];
  assert.ok(report);
  return { code: result.code, report };
}

async function verify(args: readonly string[]): Promise<{ code: number | null; doc: VerifyJson }> {
  const result = await runCli(['verify', ...args, '--json']);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  return { code: result.code, doc: JSON.parse(result.stdout) as VerifyJson };
}

const codes = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.code}:${f.severity}`).sort();

/** A node's own certificate, as Redis Enterprise makes it: `openssl req -x509` (CA:TRUE, no EKU). */
async function nodeCert(dir: string, name: string): Promise<string> {
  const cert = join(dir, `${name}.pem`);
  const result = await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, `${name}-key.pem`),
    '-subj',
    `/CN=${name}.${C}`,
    '-addext',
    `subjectAltName = DNS:*.${C}, DNS:${name}.${C}`,
    '-days',
    '365',
    '-out',
    cert,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return cert;
}

interface Pki {
  readonly dir: string;
  readonly root: MadeCert;
  readonly int: MadeCert;
  readonly leaf: MadeCert;
  /** `cat leaf int`: what the server sends. */
  readonly chain: string;
  readonly file: (name: string, ...parts: readonly string[]) => string;
}

async function pki(t: TestContext): Promise<Pki> {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Trust Root', ca: true });
  const int = await makeCert(dir, {
    name: 'int',
    subject: '/CN=Trust Intermediate',
    ca: true,
    issuer: root,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: `/CN=${HOST}`,
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${C}`],
    issuer: int,
  });
  const file = (name: string, ...parts: readonly string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, parts.map((p) => readFileSync(p, 'utf8')).join(''));
    return path;
  };
  return { dir, root, int, leaf, chain: file('chain.pem', leaf.cert, int.cert), file };
}

test('issue 17 item 2: a node certificate pinned through servercerts.pem passes check in every profile, and verify agrees', async (t) => {
  const dir = tempDir(t);
  const nodes = [await nodeCert(dir, 'node1'), await nodeCert(dir, 'node2')];
  nodes.push(await nodeCert(dir, 'node3'));
  const bundle = join(dir, 'servercerts.pem');
  writeFileSync(bundle, nodes.map((n) => readFileSync(n, 'utf8')).join(''));
  const certsvr1 = nodes[0] ?? '';
  for (const profile of ['strict', 'compat', 'redis-enterprise']) {
    await t.test(`--profile ${profile}`, async () => {
      const { code, report } = await check(['--ca', bundle, '--profile', profile, certsvr1]);
      assert.ok(
        !report.findings.some((f) => f.code === 'LEAF_IS_CA'),
        codes(report.findings).join(),
      );
      const pinned = report.findings.find((f) => f.code === 'PINNED');
      assert.equal(pinned?.severity, 'info');
      assert.match(pinned.message, /servercerts\.pem.*pinned.*every client stack accepts it/);
      assert.equal(report.chainValid, true);
      assert.deepEqual(
        report.trust?.map((v) => `${v.stack}:${String(v.accepts)}`),
        ['node:true', 'openssl:true', 'python:true', 'go:true', 'java:true'],
      );
      // The Redis Enterprise profile has proxy-certificate rules of its own (EKU, SANs, CN).
      if (profile !== 'redis-enterprise') assert.equal(code, 0, codes(report.findings).join());
    });
  }
  await t.test('without --ca: self-signed, no LEAF_IS_CA error', async () => {
    const { code, report } = await check([certsvr1]);
    assert.equal(code, 0, codes(report.findings).join());
    assert.deepEqual(codes(report.findings), ['SELF_SIGNED:info']);
  });
  await t.test('verify: pinned, no LEAF_IS_CA', async () => {
    const { code, doc } = await verify([certsvr1, '--ca', bundle, '--host', HOST]);
    assert.equal(code, 0);
    assert.equal(doc.pinned, true);
    assert.deepEqual(codes(doc.findings), []);
    const text = await runCli(['verify', certsvr1, '--ca', bundle, '--host', HOST]);
    assert.match(text.stdout, /^pinned: the certificate is itself a trust anchor in the CA file$/m);
  });
  await t.test('not in the bundle: refused by every stack', async () => {
    const other = join(dir, 'two.pem');
    writeFileSync(
      other,
      nodes
        .slice(1)
        .map((n) => readFileSync(n, 'utf8'))
        .join(''),
    );
    const { code, report } = await check(['--ca', other, certsvr1]);
    assert.equal(code, 1);
    assert.ok(report.trust?.every((v) => !v.accepts));
    assert.ok(report.findings.some((f) => f.code === 'CHAIN_INVALID' && f.severity === 'error'));
    assert.equal((await verify([certsvr1, '--ca', other])).code, 1);
  });
});

test('issue 17 items 5 and 6: an intermediate-only CA file is a partial chain: OpenSSL stacks refuse, Go and Java accept', async (t) => {
  const p = await pki(t);
  const partials = {
    'the intermediate alone': p.int.cert,
    'fetched leaves + the intermediate': p.file('fetched.pem', p.leaf.cert, p.int.cert),
  };
  for (const [what, ca] of Object.entries(partials)) {
    await t.test(`check --ca ${what}`, async () => {
      const { code, report } = await check(['--ca', ca, p.chain]);
      assert.equal(code, 1);
      const partial = report.findings.find((f) => f.code === 'PARTIAL_CHAIN');
      assert.ok(partial, codes(report.findings).join());
      assert.equal(partial.severity, 'error');
      assert.deepEqual(partial.stacks, ['node', 'openssl', 'python']);
      // Names the missing root and the file to add it to.
      const file = ca.split('/').pop() ?? '';
      assert.ok(
        partial.message.includes(`add the root CA certificate CN=Trust Root to ${ca}`),
        partial.message,
      );
      assert.ok(partial.message.includes(file));
      assert.equal(report.chainValid, false);
      assert.deepEqual(
        report.trust?.map((v) => `${v.stack}:${String(v.accepts)}`),
        ['node:false', 'openssl:false', 'python:false', 'go:true', 'java:true'],
      );
      assert.match(report.trust[0]?.reason ?? '', /^PARTIAL_CHAIN: no self-signed root/);
      // Trust verdicts sit next to the name verdicts, in the same shape.
      for (const v of [...report.trust, ...(report.names[0]?.clients ?? [])])
        for (const key of ['stack', 'accepts', 'reason']) assert.ok(key in v, key);
    });
    await t.test(
      `check --profile compat --ca ${what}: a warning, Go and Java accept it`,
      async () => {
        const { code, report } = await check(['--ca', ca, '--profile', 'compat', p.chain]);
        assert.equal(code, 0);
        // (the leaf's CN is not among its SANs: a warning of its own, item 1)
        assert.deepEqual(codes(report.findings), [
          'COMMON_NAME_NOT_IN_SAN:warning',
          'PARTIAL_CHAIN:warning',
        ]);
      },
    );
    await t.test(`verify --ca ${what}: PARTIAL_CHAIN, accepted with --partial-chain`, async () => {
      const args = [p.leaf.cert, '--untrusted', p.int.cert, '--ca', ca, '--host', HOST];
      const strict = await verify(args);
      assert.equal(strict.code, 1);
      assert.ok(strict.doc.findings.some((f) => f.code === 'PARTIAL_CHAIN'));
      const partial = await verify([...args, '--partial-chain']);
      assert.equal(partial.code, 0, JSON.stringify(partial.doc.findings));
      assert.equal(partial.doc.partialChain, true);
      const text = await runCli(['verify', ...args]);
      assert.match(text.stdout, /--partial-chain accepts a trust anchor that is not self-signed/);
    });
  }
  await t.test('the root in the CA file: every stack accepts', async () => {
    const { code, report } = await check([
      '--ca',
      p.file('both.pem', p.int.cert, p.root.cert),
      p.chain,
    ]);
    assert.equal(code, 0, codes(report.findings).join());
    assert.ok(report.trust?.every((v) => v.accepts));
  });
});

test('issue 17 item 1: a CN that is not among the SANs is a warning in check and verify, an error under verify --webpki', async (t) => {
  const p = await pki(t);
  // The leaf: CN redis-12000.cluster.v.local, SAN *.cluster.v.local only.
  const { code, report } = await check(['--ca', p.root.cert, p.chain]);
  assert.equal(code, 0);
  assert.deepEqual(codes(report.findings), ['COMMON_NAME_NOT_IN_SAN:warning']);
  const args = [p.leaf.cert, '--untrusted', p.int.cert, '--ca', p.root.cert, '--host', HOST];
  const verdict = await verify(args);
  assert.equal(verdict.code, 0);
  assert.deepEqual(codes(verdict.doc.findings), ['COMMON_NAME_NOT_IN_SAN:warning']);
  const webpki = await verify([...args, '--webpki']);
  assert.equal(webpki.code, 1);
  assert.equal(webpki.doc.policy, 'webpki');
  assert.deepEqual(codes(webpki.doc.findings), ['COMMON_NAME_NOT_IN_SAN:error']);
});

test("issue 17 items 6 and 7: SHA-1 below the anchor is refused by all but Java; the anchor's own SHA-1 signature and a SHA-256 twin in the CA file are fine", async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=SHA Root', ca: true });
  const sha1Root = await makeCert(dir, {
    name: 'root-sha1',
    subject: '/CN=SHA-1 Root',
    ca: true,
    digest: 'sha1',
  });
  const int = await makeCert(dir, {
    name: 'int',
    subject: '/CN=SHA-1 Intermediate',
    ca: true,
    issuer: root,
    digest: 'sha1',
    serial: '0x51',
  });
  const twin = await makeCert(dir, {
    name: 'twin',
    subject: '/CN=SHA-1 Intermediate',
    ca: true,
    issuer: root,
    keyFile: int.key,
    serial: '0x52',
  });
  const underSha1Root = await makeCert(dir, {
    name: 'int2',
    subject: '/CN=Under SHA-1 Root',
    ca: true,
    issuer: sha1Root,
  });
  const server = {
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${C}`],
    subject: '/CN=proxy',
  } as const;
  const leaf = await makeCert(dir, { ...server, name: 'leaf', issuer: int });
  const leaf2 = await makeCert(dir, { ...server, name: 'leaf2', issuer: underSha1Root });
  const cat = (name: string, ...parts: MadeCert[]): string => {
    const path = join(dir, name);
    writeFileSync(path, parts.map((m) => readFileSync(m.cert, 'utf8')).join(''));
    return path;
  };
  const chain = cat('chain.pem', leaf, int);

  await t.test('check: WEAK_SIGNATURE on the intermediate, Java alone accepts', async () => {
    const { code, report } = await check(['--ca', root.cert, chain]);
    assert.equal(code, 1);
    const weak = report.findings.filter((f) => f.code === 'WEAK_SIGNATURE');
    assert.equal(weak.length, 1, codes(report.findings).join());
    assert.equal(weak[0]?.severity, 'error');
    assert.deepEqual(weak[0].stacks, ['node', 'openssl', 'python', 'go']);
    assert.match(
      weak[0].message,
      /CN=SHA-1 Intermediate in the path is signed with sha1WithRSAEncryption|ecdsa-with-SHA1/,
    );
    assert.deepEqual(
      report.trust?.map((v) => `${v.stack}:${String(v.accepts)}`),
      ['node:false', 'openssl:false', 'python:false', 'go:false', 'java:true'],
    );
  });
  await t.test('verify: WEAK_SIGNATURE', async () => {
    const { code, doc } = await verify([leaf.cert, '--untrusted', int.cert, '--ca', root.cert]);
    assert.equal(code, 1);
    assert.deepEqual(codes(doc.findings), ['WEAK_SIGNATURE:error']);
  });
  await t.test(
    'the SHA-256 twin in the CA file: the path takes it, every stack accepts',
    async () => {
      const ca = cat('ca-twin.pem', root, twin);
      const { code, report } = await check(['--ca', ca, chain]);
      assert.equal(code, 0, codes(report.findings).join());
      assert.ok(report.trust?.every((v) => v.accepts));
      assert.equal((await verify([leaf.cert, '--untrusted', int.cert, '--ca', ca])).code, 0);
    },
  );
  await t.test("the anchor's own SHA-1 self-signature is never checked", async () => {
    const chain2 = cat('chain2.pem', leaf2, underSha1Root);
    const { code, report } = await check(['--ca', sha1Root.cert, chain2]);
    assert.equal(code, 0, codes(report.findings).join());
    assert.equal(
      (await verify([leaf2.cert, '--untrusted', underSha1Root.cert, '--ca', sha1Root.cert])).code,
      0,
    );
  });
});

test('issue 17 item 6: an intermediate whose EKU is clientAuth only: MISSING_EKU on it, Java alone accepts', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=EKU Root', ca: true });
  const int = await makeCert(dir, {
    name: 'int',
    subject: '/CN=EKU clientAuth Intermediate',
    ca: true,
    issuer: root,
    eku: 'clientAuth',
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=proxy',
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:*.${C}`],
    issuer: int,
  });
  const chain = join(dir, 'chain.pem');
  writeFileSync(chain, readFileSync(leaf.cert, 'utf8') + readFileSync(int.cert, 'utf8'));
  const { code, report } = await check(['--ca', root.cert, chain]);
  assert.equal(code, 1);
  const eku = report.findings.find((f) => f.code === 'MISSING_EKU');
  assert.ok(eku, codes(report.findings).join());
  assert.equal(eku.severity, 'error');
  assert.deepEqual(eku.stacks, ['node', 'openssl', 'python', 'go']);
  assert.match(
    eku.message,
    /CN=EKU clientAuth Intermediate restricts .* clientAuth, without serverAuth/,
  );
  const compat = await check(['--ca', root.cert, '--profile', 'compat', chain]);
  assert.equal(compat.code, 0);
  assert.equal((await verify([leaf.cert, '--untrusted', int.cert, '--ca', root.cert])).code, 1);
});
