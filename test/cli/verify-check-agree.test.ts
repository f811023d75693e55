/**
 * Issue 17: `certs verify` and `certs check` agree wherever their options mean the same thing,
 * on the whole fixture corpus (every certificate file of fixtures/chain, against every CA file
 * there: the root, the intermediate alone, the nodes' servercerts.pem, the old root) and on
 * every leaf of the stack-matrix corpus (test/interop/stacks/corpus.ts). Both take a file's first
 * certificate as the leaf and the rest as what the server sends.
 *
 * - Trust: `verify FILE --ca CA` (purpose server, no name) is OK exactly when `check --ca CA
 *   FILE` has no error outside its name rows (names are checked for the cluster, not by verify).
 * - Names: `verify --host redis-12000.C` finds HOSTNAME_MISMATCH exactly when check's RFC 9525
 *   column refuses that name for cluster C, and both warn COMMON_NAME_NOT_IN_SAN or neither.
 * - Warnings that mean the same (LEAF_IS_CA, COMMON_NAME_NOT_IN_SAN) have the same severity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { STACK_CASES, makeCorpusCerts } from '../interop/stacks/corpus.js';
import { mapLimit } from '../interop/stacks/harness.js';

const F = join(ROOT, 'fixtures/chain');
const FIXTURE_CLUSTER = 'cluster.fixture.test';
const CA_FILES = ['root.pem', 'intermediate.pem', 'servercerts.pem', 'old-root.pem'];
/** Check findings about names for the cluster's endpoints: verify judges no cluster. */
const NAME_CODES = new Set(['NAME_MISMATCH', 'PARTIAL_WILDCARD', 'CN_ONLY']);
/** Findings both commands report under the same code, with the same severity. */
const SHARED = ['LEAF_IS_CA', 'COMMON_NAME_NOT_IN_SAN'];

interface Finding {
  code: string;
  severity: string;
  message: string;
}
interface VerifyJson {
  ok: boolean;
  findings: Finding[];
}
interface CheckReport {
  source: string;
  findings: Finding[];
  names: { name: string; rfc9525: boolean }[];
}

async function verify(args: readonly string[]): Promise<VerifyJson> {
  const result = await runCli(['verify', ...args, '--json']);
  assert.ok(result.code === 0 || result.code === 1, `verify ${args.join(' ')}: ${result.stderr}`);
  const doc = JSON.parse(result.stdout) as VerifyJson;
  assert.equal(result.code, doc.ok ? 0 : 1);
  return doc;
}

async function check(cluster: string, ca: string, files: readonly string[]) {
  const result = await runCli(['check', '--cluster', cluster, '--ca', ca, '--json', ...files]);
  assert.ok(result.code === 0 || result.code === 1, result.stdout + result.stderr);
  const reports = (JSON.parse(result.stdout) as { reports: CheckReport[] }).reports;
  assert.equal(reports.length, files.length);
  return reports;
}

const shared = (findings: readonly Finding[]): string[] =>
  findings
    .filter((f) => SHARED.includes(f.code))
    .map((f) => `${f.code}:${f.severity}`)
    .sort();

test('issue 17: certs verify and certs check agree on trust over the whole fixture corpus', async (t) => {
  const files = readdirSync(F)
    .filter((name) => name.endsWith('.pem') || name.endsWith('.der'))
    .sort();
  assert.ok(files.length >= 30, `fixture corpus: ${String(files.length)} files`);
  for (const caName of CA_FILES) {
    const ca = join(F, caName);
    const reports = await check(
      FIXTURE_CLUSTER,
      ca,
      files.map((name) => join(F, name)),
    );
    const verdicts = await mapLimit(files, 2, (name) => verify([join(F, name), '--ca', ca]));
    for (const [i, name] of files.entries()) {
      await t.test(`${name} --ca ${caName}`, () => {
        const report = reports[i];
        const verdict = verdicts[i];
        assert.ok(report && verdict);
        const checkErrors = report.findings.filter(
          (f) => f.severity === 'error' && !NAME_CODES.has(f.code),
        );
        assert.equal(
          verdict.ok,
          checkErrors.length === 0,
          `verify: ${verdict.findings.map((f) => `${f.severity} ${f.code}`).join(', ') || 'ok'}; check: ${checkErrors.map((f) => `${f.code} ${f.message}`).join('; ') || 'no error'}`,
        );
        assert.deepEqual(shared(report.findings), shared(verdict.findings));
      });
    }
  }
});

test('issue 17: certs verify --host and certs check agree on names over every leaf of the stack corpus', async (t) => {
  const dir = tempDir(t, 'certkit-agree-');
  const made = await makeCorpusCerts(dir);
  const pem = (name: string): string => {
    const cert = made.get(name);
    assert.ok(cert, name);
    return cert.pem;
  };
  // One run per leaf shape: its chain, CA file and the cluster its reference host sits in.
  const seen = new Set<string>();
  const cases = STACK_CASES.filter((c) => {
    const host = c.host ?? 'redis-1.v.local';
    const key = `${(c.chain ?? ['leaf'])[0] ?? ''} ${host}`;
    // An IP reference, or a name whose parent is one label (a cluster is two labels or more).
    if (/^[\d.:]+$/.test(host) || host.replace(/\.$/, '').split('.').length < 3 || seen.has(key))
      return false;
    seen.add(key);
    return true;
  }).map((c) => {
    const host = c.host ?? 'redis-1.v.local';
    const cluster = host.replace(/\.$/, '').split('.').slice(1).join('.');
    const file = join(dir, `agree-${c.id}.pem`);
    writeFileSync(file, (c.chain ?? ['leaf', 'int']).map(pem).join(''));
    const ca = join(dir, `agree-${c.id}-ca.pem`);
    writeFileSync(ca, (c.ca ?? ['root']).map(pem).join(''));
    return { id: c.id, cluster, file, ca };
  });
  const results = await mapLimit(cases, 2, async (c) => ({
    report: (await check(c.cluster, c.ca, [c.file]))[0],
    verdict: await verify([c.file, '--ca', c.ca, '--host', `redis-12000.${c.cluster}`]),
  }));
  for (const [i, c] of cases.entries()) {
    await t.test(`${c.id} for cluster ${c.cluster}`, () => {
      const { report, verdict } = results[i] ?? {};
      assert.ok(report && verdict);
      const row = report.names[0];
      assert.equal(row?.name, `redis-12000.${c.cluster}`);
      const mismatch = verdict.findings.some((f) => f.code === 'HOSTNAME_MISMATCH');
      assert.equal(
        mismatch,
        !row.rfc9525,
        `verify: ${verdict.findings.map((f) => `${f.code} ${f.message}`).join('; ')}`,
      );
      assert.deepEqual(shared(report.findings), shared(verdict.findings));
    });
  }
});
