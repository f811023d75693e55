/**
 * x509-limbo regression guard (issue 4): every case listed as passing in expected.json must still
 * pass, the scores must stay at the targets, and skips must be only for declared
 * features with a reason. The data folder lives outside the repository; where it is absent the
 * data-driven part says so and is skipped, the rest runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  conformanceDir,
  EXPECTED_FILE,
  loadSubset,
  runCase,
  score,
  SKIPPED_FEATURES,
  SUBSETS,
} from '../../scripts/conformance.ts';
import type { ExpectedResults, LimboCase, Subset } from '../../scripts/conformance.ts';

const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedResults;

/**
 * Limbo's webpki::cn::* cases expect a failure for a common name that is not among the SANs, and
 * webpki::san::san-critical-with-nonempty-subject one for a critical subjectAltName next to a
 * subject: CA/Browser Forum issuance rules (BR 7.1.4.3, 7.1.2.7.12) that no client applies when
 * it verifies (issue 17: OpenSSL, Node, Python, Go and Java all accept such certificates,
 * test/interop/STACKS.md). A case is one of those when it expects a failure and certkit's
 * `webpki` policy fails it for one of the issuance rules only, while the default validates it:
 * such cases are judged under the `webpki` policy, and left out of the default score.
 */
const ISSUANCE_RULE = /^(COMMON_NAME_NOT_IN_SAN|SAN_CRITICALITY|LEAF_IS_CA)\b/;

function webpkiOnly(tc: LimboCase): boolean {
  if (tc.expected_result !== 'FAILURE' || !tc.id.startsWith('webpki::')) return false;
  const strict = runCase(tc, 'webpki');
  return (
    strict.outcome === 'passed' &&
    ISSUANCE_RULE.test(strict.reason ?? '') &&
    runCase(tc).actual === 'SUCCESS'
  );
}

/** Issue 4's targets: minimum percentage of non-skipped cases, and the most skips allowed. */
const TARGETS: Readonly<Record<Subset, { percent: number; maxSkipShare: number }>> = {
  hostname: { percent: 100, maxSkipShare: 0.1 },
  chain: { percent: 99, maxSkipShare: 0.1 },
  other: { percent: 94, maxSkipShare: 1 },
};

test('every skipped feature has a reason', () => {
  for (const [feature, reason] of Object.entries(SKIPPED_FEATURES)) {
    assert.ok(reason.length > 20, `${feature} needs a reason`);
  }
});

for (const subset of SUBSETS) {
  test(`limbo ${subset}: expected passes still pass, targets met`, (t) => {
    const cases = loadSubset(subset);
    if (cases === null) {
      t.skip(`${conformanceDir()}/${subset}.json is absent: limbo data not available here`);
      return;
    }
    const results = cases.map((tc) => runCase(tc));
    const byId = new Map(results.map((r) => [r.id, r]));
    const issuance = new Set(cases.filter(webpkiOnly).map((tc) => tc.id));
    const regressions = expected.passing[subset]
      .filter((id) => !issuance.has(id))
      .map((id) => byId.get(id))
      .filter((r) => r === undefined || r.outcome !== 'passed')
      .map((r) => `${r?.id ?? '(case gone)'}: ${r?.reason ?? ''}`);
    assert.deepEqual(regressions, [], 'cases that passed before fail now');
    const s = score(results.filter((r) => !issuance.has(r.id)));
    assert.ok(s.percent >= TARGETS[subset].percent, `${subset}: ${String(s.percent)}% passed`);
    assert.ok(
      s.skipped <= TARGETS[subset].maxSkipShare * results.length,
      `${subset}: ${String(s.skipped)} skipped`,
    );
    for (const r of results.filter((x) => x.outcome === 'skipped'))
      assert.match(r.reason ?? '', /^[a-z0-9-]+: .{20,}/, `${r.id} skipped without a reason`);
    // Issue 4 wants pathological::* cases well under a second each: the figure is reported here
    // (speed belongs to `pnpm bench`/`pnpm conformance`, not to a timed assertion).
    t.diagnostic(
      `${subset}: per case p50 ${s.p50Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms (validatePath alone max ${s.validateMaxMs.toFixed(1)} ms)`,
    );
    const pathological = results.filter((r) => r.id.startsWith('pathological::'));
    if (pathological.length > 0) {
      const worst = pathological.reduce((a, b) => (b.ms > a.ms ? b : a));
      t.diagnostic(
        `${subset}: pathological::* ${String(pathological.length)} cases, max ${worst.ms.toFixed(1)} ms (${worst.id}; validatePath ${worst.validateMs.toFixed(1)} ms)`,
      );
    }
  });
}

test('the expected list names only cases that exist', (t) => {
  for (const subset of SUBSETS) {
    const cases = loadSubset(subset);
    if (cases === null) {
      t.diagnostic(`${subset}: data absent, not checked`);
      continue;
    }
    const ids = new Set(cases.map((c) => c.id));
    const unknown = expected.passing[subset].filter((id) => !ids.has(id));
    assert.deepEqual(unknown, [], `${subset}: unknown ids in expected.json`);
  }
});

test('issue 17: limbo webpki::cn::* pass under the webpki policy, and by default a CN outside the SANs is no error', (t) => {
  const cases = loadSubset('hostname');
  if (cases === null) {
    t.skip(`${conformanceDir()}/hostname.json is absent: limbo data not available here`);
    return;
  }
  const cn = cases.filter((c) => c.id.startsWith('webpki::cn::'));
  assert.equal(cn.length, 9, 'the nine webpki::cn::* cases');
  // Every one of them is an issuance-rule case, left out of the default score for that reason.
  assert.deepEqual(
    cn.filter((tc) => !webpkiOnly(tc)).map((tc) => tc.id),
    [],
  );
  for (const tc of cn) {
    const strict = runCase(tc, 'webpki');
    assert.equal(strict.outcome, 'passed', `${tc.id} under webpki: ${strict.reason ?? ''}`);
    assert.match(strict.reason ?? '', /COMMON_NAME_NOT_IN_SAN/, tc.id);
    // By default the same certificate validates: the rule binds issuers, not clients.
    assert.equal(runCase(tc).actual, 'SUCCESS', tc.id);
  }
});

test('issue 17: a critical subjectAltName next to a subject is an issuance rule too: webpki fails it, the default warns', (t) => {
  const cases = loadSubset('hostname');
  if (cases === null) {
    t.skip(`${conformanceDir()}/hostname.json is absent: limbo data not available here`);
    return;
  }
  const critical = cases.filter((tc) => {
    const strict = runCase(tc, 'webpki');
    // Not the RFC 5280 rule on an empty subject, which stays an error in every policy.
    return (
      /^SAN_CRITICALITY: .*has a subject and a critical subjectAltName/.test(strict.reason ?? '') &&
      tc.expected_result === 'FAILURE'
    );
  });
  assert.ok(critical.length > 0, 'limbo has a critical-SAN case');
  for (const tc of critical) {
    assert.equal(runCase(tc, 'webpki').outcome, 'passed', tc.id);
    // OpenSSL, Node and Python accept it (stack matrix san-critical-ip-5-bytes): no error.
    assert.equal(runCase(tc).actual, 'SUCCESS', tc.id);
    assert.ok(webpkiOnly(tc), tc.id);
  }
});
