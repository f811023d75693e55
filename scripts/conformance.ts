/**
 * x509-limbo conformance: runs certkit's path validation (`validatePath`) over the limbo
 * subsets `hostname`, `chain` and `other` and scores each, under the default policy (what
 * clients enforce) and, on a line of its own, under the `webpki` policy (CA/Browser Forum
 * issuance rules as errors). Limbo's trusted certificates are all trust anchors, self-signed or
 * not, as limbo specifies: they map to `partialChain: true`.
 *
 *   pnpm conformance                      # score; last line is one JSON document (default policy)
 *   pnpm conformance -- --write-expected  # also rewrite test/conformance/expected.json
 *   pnpm conformance -- --verbose         # every failed case with its findings
 *
 * The data is read where it lives (`../shared/conformance/x509-limbo/` next to the repository,
 * or the folder in CERTKIT_CONFORMANCE_DIR), never copied into the repository. Cases are skipped
 * only for declared `features` listed in SKIPPED_FEATURES, each with its reason.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  isCertkitError,
  parseCertificates,
  parseRevocationLists,
  validatePath,
} from '@certkit/core';
import type { Certificate, PathPolicy, PathValidation, ValidatePathOptions } from '@certkit/core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The subsets scored, each a file `<name>.json` in the data folder. */
export const SUBSETS = ['hostname', 'chain', 'other'] as const;
export type Subset = (typeof SUBSETS)[number];

/** Where the committed expected results live. */
export const EXPECTED_FILE = join(ROOT, 'test', 'conformance', 'expected.json');

/**
 * Limbo features we choose not to support, with the reason. Cases declaring one are skipped.
 * `pedantic-webpki-eku`: certkit applies RFC 5280 section 4.2.1.12 to EKU (absent = any purpose,
 * anyExtendedKeyUsage accepted) because certificates for Redis TLS are often made without an EKU
 * and every client stack we model (OpenSSL, Node, Go, Java, Python) accepts them; this is also
 * the side of the `rfc5280::eku::ee-without-eku` conflict we pass.
 * `rfc5280-incompatible-with-webpki`: where RFC 5280 and the web PKI conflict we follow the web
 * PKI (the lead's rule), so the RFC-only expectation is not ours.
 */
export const SKIPPED_FEATURES: Readonly<Record<string, string>> = {
  'pedantic-webpki-eku':
    'EKU follows RFC 5280 4.2.1.12 (absent EKU = any purpose, anyExtendedKeyUsage accepted): Redis TLS certificates often lack EKU and every modelled client accepts them',
  'pedantic-rfc5280':
    'trust anchors are inputs (RFC 5280 section 6.1.1 (d)) and are not held to the AKI issuance rule; limbo cve::cve-2024-0567 needs a cross-signed anchor without AKI to validate',
  'rfc5280-incompatible-with-webpki':
    'where RFC 5280 and the CA/B Forum profile conflict, certkit follows the web PKI (the conflicting webpki:: case is run)',
};

/** One limbo test case, as in the JSON files (fields we use). */
export interface LimboCase {
  readonly id: string;
  readonly features?: readonly string[] | null;
  readonly description: string;
  readonly validation_kind: 'SERVER' | 'CLIENT';
  readonly trusted_certs: readonly string[];
  readonly untrusted_intermediates?: readonly string[] | null;
  readonly peer_certificate: string;
  readonly validation_time?: string | null;
  readonly extended_key_usage?: readonly string[] | null;
  readonly expected_result: 'SUCCESS' | 'FAILURE';
  readonly expected_peer_name?: { readonly kind: string; readonly value: string } | null;
  readonly expected_peer_names?:
    readonly { readonly kind: string; readonly value: string }[] | null;
  readonly max_chain_depth?: number | null;
  readonly crls?: readonly string[] | null;
  readonly conflicts_with?: readonly string[] | null;
}

/** The result of one case. */
export interface CaseResult {
  readonly id: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly expected: 'SUCCESS' | 'FAILURE';
  readonly actual?: 'SUCCESS' | 'FAILURE';
  /** Skip reason, or what made the validation fail. */
  readonly reason?: string;
  /** Whole case: parsing the PEMs plus validation. */
  readonly ms: number;
  /** `validatePath` alone. */
  readonly validateMs: number;
}

/** Per-subset score. */
export interface SubsetScore {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** passed / (passed + failed), in percent, two decimals. */
  readonly percent: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  /** `validatePath` alone (parsing excluded). */
  readonly validateP50Ms: number;
  readonly validateMaxMs: number;
}

/** The data folder: CERTKIT_CONFORMANCE_DIR, or ../shared/conformance/x509-limbo next to the repo. */
export function conformanceDir(): string {
  return (
    process.env.CERTKIT_CONFORMANCE_DIR ??
    resolve(ROOT, '..', 'shared', 'conformance', 'x509-limbo')
  );
}

/** Reads one subset's cases, or `null` when its file is absent. */
export function loadSubset(subset: Subset, dir = conformanceDir()): LimboCase[] | null {
  const file = join(dir, `${subset}.json`);
  if (!existsSync(file)) return null;
  const data = JSON.parse(readFileSync(file, 'utf8')) as { testcases: LimboCase[] };
  return data.testcases;
}

function pems(list: readonly string[] | null | undefined, what: string): Certificate[] {
  return (list ?? []).flatMap((pem, i) =>
    parseCertificates(Buffer.from(pem), `${what} ${String(i + 1)}`),
  );
}

/** Runs limbo's harness logic for one case against `validatePath`. */
function validateCase(
  tc: LimboCase,
  policy: PathPolicy,
): { ok: boolean; reason: string; validateMs: number } {
  let options: ValidatePathOptions;
  try {
    const leaf = parseCertificates(Buffer.from(tc.peer_certificate), 'peer certificate')[0];
    if (leaf === undefined) return { ok: false, reason: 'no peer certificate', validateMs: 0 };
    const eku = tc.extended_key_usage ?? [];
    const purpose = eku.includes('serverAuth')
      ? 'server'
      : eku.includes('clientAuth') || tc.validation_kind === 'CLIENT'
        ? 'client'
        : 'server';
    const name = tc.expected_peer_name;
    options = {
      leaf,
      anchors: pems(tc.trusted_certs, 'trusted certificate'),
      intermediates: pems(tc.untrusted_intermediates, 'intermediate'),
      purpose,
      // Limbo: every trusted certificate is a trust anchor, self-signed or not.
      partialChain: true,
      policy,
      crls: (tc.crls ?? []).flatMap((pem, i) =>
        parseRevocationLists(Buffer.from(pem), `crl ${String(i + 1)}`),
      ),
      ...(tc.validation_time ? { now: new Date(tc.validation_time) } : {}),
      ...(name?.kind === 'DNS' ? { host: name.value } : {}),
      ...(name?.kind === 'IP' ? { ip: name.value } : {}),
      ...(typeof tc.max_chain_depth === 'number' ? { maxDepth: tc.max_chain_depth } : {}),
    };
  } catch (error) {
    // A certificate or CRL we cannot decode is refused, as every validator refuses it.
    if (isCertkitError(error))
      return { ok: false, reason: `parse: ${error.message}`, validateMs: 0 };
    throw error;
  }
  const started = performance.now();
  const result: PathValidation = validatePath(options);
  const validateMs = performance.now() - started;
  if (!result.ok) {
    return {
      ok: false,
      validateMs,
      reason: result.findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${f.code}: ${f.message}`)
        .join(' | '),
    };
  }
  // Client validation: the peer names limbo expects must be among the leaf's SANs.
  const emails = options.leaf.info.subjectAltNames.email;
  for (const expected of tc.expected_peer_names ?? []) {
    if (expected.kind === 'RFC822' && !emails.includes(expected.value))
      return { ok: false, reason: `peer name ${expected.value} not in the leaf`, validateMs };
  }
  return { ok: true, reason: '', validateMs };
}

/** Runs one case, timing it; `policy` default `default`. */
export function runCase(tc: LimboCase, policy: PathPolicy = 'default'): CaseResult {
  const skipped = (tc.features ?? []).find((f) => f in SKIPPED_FEATURES);
  if (skipped !== undefined) {
    return {
      id: tc.id,
      outcome: 'skipped',
      expected: tc.expected_result,
      reason: `${skipped}: ${SKIPPED_FEATURES[skipped] ?? ''}`,
      ms: 0,
      validateMs: 0,
    };
  }
  const started = performance.now();
  const { ok, reason, validateMs } = validateCase(tc, policy);
  const ms = performance.now() - started;
  const actual = ok ? 'SUCCESS' : 'FAILURE';
  return {
    id: tc.id,
    outcome: actual === tc.expected_result ? 'passed' : 'failed',
    expected: tc.expected_result,
    actual,
    ...(reason.length > 0 ? { reason } : {}),
    ms,
    validateMs,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Scores a list of results. */
export function score(results: readonly CaseResult[]): SubsetScore {
  const passed = results.filter((r) => r.outcome === 'passed').length;
  const failed = results.filter((r) => r.outcome === 'failed').length;
  const ran = results.filter((r) => r.outcome !== 'skipped');
  const times = ran.map((r) => r.ms).sort((a, b) => a - b);
  const validate = ran.map((r) => r.validateMs).sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    passed,
    failed,
    skipped: results.length - passed - failed,
    percent: passed + failed === 0 ? 0 : round((100 * passed) / (passed + failed)),
    p50Ms: round(percentile(times, 0.5)),
    maxMs: round(times[times.length - 1] ?? 0),
    validateP50Ms: round(percentile(validate, 0.5)),
    validateMaxMs: round(validate[validate.length - 1] ?? 0),
  };
}

/** The committed expectations: ids that pass today, per subset. */
export interface ExpectedResults {
  readonly note: string;
  readonly passing: Readonly<Record<Subset, readonly string[]>>;
}

function main(argv: readonly string[]): number {
  const dir = conformanceDir();
  const verbose = argv.includes('--verbose');
  const summary: Partial<Record<Subset, SubsetScore>> = {};
  const passing: Partial<Record<Subset, string[]>> = {};
  for (const subset of SUBSETS) {
    const cases = loadSubset(subset, dir);
    if (cases === null) {
      console.error(`${subset}: ${join(dir, `${subset}.json`)} is absent; not scored`);
      continue;
    }
    // One warm-up run so that the first case does not carry module start-up in its time.
    if (cases[0] !== undefined) runCase(cases[0]);
    const results = cases.map((tc) => runCase(tc));
    const s = score(results);
    summary[subset] = s;
    passing[subset] = results.filter((r) => r.outcome === 'passed').map((r) => r.id);
    console.log(
      `${subset.padEnd(9)} passed ${String(s.passed).padStart(3)}  failed ${String(s.failed).padStart(3)}  skipped ${String(s.skipped).padStart(3)}  ${s.percent.toFixed(2)}% of non-skipped  (per case p50 ${s.p50Ms.toFixed(2)} ms, max ${s.maxMs.toFixed(2)} ms; validatePath alone p50 ${s.validateP50Ms.toFixed(2)} ms, max ${s.validateMaxMs.toFixed(2)} ms)`,
    );
    for (const r of results) {
      if (r.outcome === 'failed')
        console.log(
          `  FAILED  ${r.id}: expected ${r.expected}, got ${r.actual ?? ''}${verbose && r.reason !== undefined ? ` (${r.reason})` : ''}`,
        );
      if (r.outcome === 'skipped') console.log(`  skipped ${r.id}: ${r.reason ?? ''}`);
    }
    const patho = results.filter((r) => r.id.startsWith('pathological::'));
    if (patho.length > 0) {
      const worst = patho.reduce((a, b) => (b.ms > a.ms ? b : a));
      const worstValidate = patho.reduce((a, b) => (b.validateMs > a.validateMs ? b : a));
      console.log(
        `  pathological::* ${String(patho.length)} cases: whole case max ${worst.ms.toFixed(2)} ms (${worst.id}); validatePath max ${worstValidate.validateMs.toFixed(2)} ms (${worstValidate.id})`,
      );
      for (const r of patho)
        console.log(
          `    ${r.id.padEnd(64)} case ${r.ms.toFixed(1).padStart(7)} ms  validate ${r.validateMs.toFixed(1).padStart(6)} ms`,
        );
    }
  }
  // The same cases under the webpki policy, on one line: the CA/B issuance rules (BR 7.1.4.3 on
  // the common name, BR 7.1.2.7.8 on CA:TRUE leaves, BR 7.1.2.7.12 on a critical SAN next to a
  // subject) as errors, which limbo's webpki::cn::* and webpki::san::san-critical-* expect.
  const webpki = SUBSETS.flatMap((subset) => {
    const cases = loadSubset(subset, dir);
    if (cases === null) return [];
    const results = cases.map((tc) => runCase(tc, 'webpki'));
    const s = score(results);
    const changed = results.filter(
      (r) => r.outcome === 'failed' && passing[subset]?.includes(r.id) === true,
    );
    const fixed = results.filter(
      (r) => r.outcome === 'passed' && passing[subset]?.includes(r.id) !== true,
    );
    return [
      `${subset} passed ${String(s.passed)} failed ${String(s.failed)} skipped ${String(s.skipped)} (${s.percent.toFixed(2)}%${fixed.length > 0 ? `; passes ${fixed.map((r) => r.id).join(', ')}` : ''}${changed.length > 0 ? `; fails ${changed.map((r) => r.id).join(', ')}` : ''})`,
    ];
  });
  if (webpki.length > 0) console.log(`policy webpki: ${webpki.join('; ')}`);
  if (argv.includes('--write-expected')) {
    const expected: ExpectedResults = {
      note: 'x509-limbo cases that pass; test/conformance/limbo.test.ts fails when one of them fails. Regenerate with `pnpm conformance -- --write-expected` after an intended change.',
      passing: {
        hostname: passing.hostname ?? [],
        chain: passing.chain ?? [],
        other: passing.other ?? [],
      },
    };
    writeFileSync(EXPECTED_FILE, `${JSON.stringify(expected, null, 2)}\n`);
    console.error(`wrote ${EXPECTED_FILE}`);
  }
  console.log(JSON.stringify(summary));
  return Object.keys(summary).length === 0 ? 2 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
