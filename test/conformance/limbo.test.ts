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
import type { ExpectedResults, Subset } from '../../scripts/conformance.ts';

const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedResults;

/**
 * Limbo's webpki::cn::* cases expect a failure for a common name that is not among the SANs, a
 * CA/Browser Forum issuance rule (BR 7.1.4.3) that no client applies when it verifies (issue 17:
 * OpenSSL, Node, Python, Go and Java all accept such certificates). They are judged under the
 * `webpki` policy, and left out of the default score.
 */
const WEBPKI_ONLY = /^webpki::cn::/;

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
    const regressions = expected.passing[subset]
      .map((id) => byId.get(id))
      .filter((r) => r === undefined || r.outcome !== 'passed')
      .map((r) => `${r?.id ?? '(case gone)'}: ${r?.reason ?? ''}`);
    assert.deepEqual(regressions, [], 'cases that passed before fail now');
    const s = score(results.filter((r) => !WEBPKI_ONLY.test(r.id)));
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
  const cn = cases.filter((c) => WEBPKI_ONLY.test(c.id));
  assert.equal(cn.length, 9, 'the nine webpki::cn::* cases');
  for (const tc of cn) {
    const strict = runCase(tc, 'webpki');
    assert.equal(strict.outcome, 'passed', `${tc.id} under webpki: ${strict.reason ?? ''}`);
    assert.match(strict.reason ?? '', /COMMON_NAME_NOT_IN_SAN/, tc.id);
    // By default the same certificate validates: the rule binds issuers, not clients.
    assert.equal(runCase(tc).actual, 'SUCCESS', tc.id);
  }
});
