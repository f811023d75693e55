/**
 * Issue 3 interop: every chain `certs chain` outputs from shuffled input is accepted by
 * `openssl verify -CAfile root -untrusted intermediates leaf`, and OpenSSL's own reading of the
 * output (`openssl crl2pkcs7 -nocrl -certfile out.pem | openssl pkcs7 -print_certs -noout`)
 * lists the expected certificates in order. Chains come from the committed fixtures and from
 * PKI made by the openssl command line, independent of the code under test.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.js';
import { openssl } from '../helpers/openssl.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const F = join(ROOT, 'fixtures/chain');

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Splits PEM text into its certificate blocks. */
function blocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----\n[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
}

/** `subject=` lines as OpenSSL prints them, for a PEM file. */
async function opensslSubject(file: string): Promise<string> {
  const result = await openssl(['x509', '-in', file, '-noout', '-subject']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

/** The subjects OpenSSL reads from a multi-certificate PEM file, in file order. */
async function opensslListsSubjects(file: string): Promise<string[]> {
  const p7 = await openssl(['crl2pkcs7', '-nocrl', '-certfile', file]);
  assert.equal(p7.code, 0, p7.stderr);
  const listed = await openssl(['pkcs7', '-print_certs', '-noout'], { input: p7.stdout });
  assert.equal(listed.code, 0, listed.stderr);
  return listed.stdout.split('\n').filter((l) => l.startsWith('subject='));
}

interface Source {
  readonly name: string;
  /** Certificate files of the chain, leaf first, root last. */
  readonly chain: (dir: string) => Promise<string[]>;
  /** Extra inputs that must be left out (cross-signed twins). */
  readonly extras?: readonly string[];
  /** How many input orders to try: all when the chain is short, a fixed sample otherwise. */
  readonly sample?: number;
}

const SOURCES: readonly Source[] = [
  {
    name: 'fixtures: leaf, intermediate, root (RSA 2048)',
    chain: () =>
      Promise.resolve(['leaf.pem', 'intermediate.pem', 'root.pem'].map((n) => join(F, n))),
  },
  {
    name: 'fixtures with the cross-signed intermediate among the inputs',
    chain: () =>
      Promise.resolve(['leaf.pem', 'intermediate.pem', 'root.pem'].map((n) => join(F, n))),
    extras: [join(F, 'intermediate-cross.pem')],
    sample: 8,
  },
  {
    name: 'openssl-made: root and leaf (EC P-256)',
    chain: async (dir) => {
      const root = await makeCert(dir, { name: 'r2', subject: '/O=Interop/CN=Two Root', ca: true });
      const leaf = await makeCert(dir, {
        name: 'l2',
        subject: '/O=Interop/CN=two.test',
        issuer: root,
        ca: false,
        eku: 'serverAuth',
      });
      return [leaf.cert, root.cert];
    },
  },
  {
    name: 'openssl-made: four levels (EC P-256)',
    chain: async (dir) => {
      const root = await makeCert(dir, {
        name: 'r4',
        subject: '/O=Interop/CN=Four Root',
        ca: true,
      });
      const a = await makeCert(dir, {
        name: 'a4',
        subject: '/O=Interop/CN=Four A',
        issuer: root,
        ca: true,
      });
      const b = await makeCert(dir, {
        name: 'b4',
        subject: '/O=Interop/CN=Four B',
        issuer: a,
        ca: true,
      });
      const leaf = await makeCert(dir, {
        name: 'l4',
        subject: '/O=Interop/CN=four.test',
        issuer: b,
        ca: false,
        eku: 'serverAuth',
      });
      return [leaf.cert, b.cert, a.cert, root.cert];
    },
    sample: 8,
  },
];

for (const source of SOURCES) {
  void test(`issue 3: openssl verify accepts every chain certs chain orders from shuffled input (${source.name})`, async (t) => {
    const dir = tempDir(t);
    const chain = await source.chain(dir);
    const inputs = [...chain, ...(source.extras ?? [])];
    const expectedSubjects = await Promise.all(chain.map(opensslSubject));
    let orders = permutations(inputs);
    if (source.sample !== undefined && orders.length > source.sample) {
      // A fixed spread over all orders (deterministic): every 1/sample-th permutation.
      const step = orders.length / source.sample;
      orders = Array.from(
        { length: source.sample },
        (_, i) => orders[Math.floor(i * step)] as string[],
      );
    }
    for (const [n, order] of orders.entries()) {
      // Half the orders as one concatenated file (cat), half as separate files.
      const args =
        n % 2 === 0
          ? (() => {
              const joined = join(dir, `input-${String(n)}.pem`);
              writeFileSync(joined, order.map((file) => readFileSync(file, 'utf8')).join(''));
              return [joined];
            })()
          : order;
      const out = join(dir, `out-${String(n)}.pem`);
      const result = await runCli(['chain', '--mode', 'chain', ...args, '-o', out]);
      assert.equal(result.code, 0, `order ${String(n)}: ${result.stderr}`);

      assert.deepEqual(await opensslListsSubjects(out), expectedSubjects, `order ${String(n)}`);

      const written = blocks(readFileSync(out, 'utf8'));
      assert.equal(written.length, chain.length);
      const leafFile = join(dir, `leaf-${String(n)}.pem`);
      const rootFile = join(dir, `root-${String(n)}.pem`);
      const untrustedFile = join(dir, `untrusted-${String(n)}.pem`);
      writeFileSync(leafFile, written[0] ?? '');
      writeFileSync(rootFile, written[written.length - 1] ?? '');
      const middle = written.slice(1, -1);
      writeFileSync(untrustedFile, middle.join(''));
      const verify = await openssl([
        'verify',
        '-CAfile',
        rootFile,
        ...(middle.length > 0 ? ['-untrusted', untrustedFile] : []),
        leafFile,
      ]);
      assert.equal(verify.code, 0, `order ${String(n)}: ${verify.stdout}${verify.stderr}`);
      assert.equal(verify.stdout.trim(), `${leafFile}: OK`);
    }
  });
}

void test('issue 3: the --no-root chain a server sends verifies against the root kept apart', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'fullchain.pem');
  const result = await runCli(['chain', '--no-root', join(F, 'reversed.pem'), '-o', out]);
  assert.equal(result.code, 0, result.stderr);
  const [leaf, ...intermediates] = blocks(readFileSync(out, 'utf8'));
  assert.equal(intermediates.length, 1);
  writeFileSync(join(dir, 'leaf.pem'), leaf ?? '');
  writeFileSync(join(dir, 'untrusted.pem'), intermediates.join(''));
  const verify = await openssl([
    'verify',
    '-CAfile',
    join(F, 'root.pem'),
    '-untrusted',
    join(dir, 'untrusted.pem'),
    join(dir, 'leaf.pem'),
  ]);
  assert.equal(verify.code, 0, verify.stderr);
  // And without the intermediate OpenSSL refuses: the verification above is not vacuous.
  const refused = await openssl(['verify', '-CAfile', join(F, 'root.pem'), join(dir, 'leaf.pem')]);
  assert.notEqual(refused.code, 0);
});
