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
    const results = cases.map(runCase);
    const byId = new Map(results.map((r) => [r.id, r]));
    const regressions = expected.passing[subset]
      .map((id) => byId.get(id))
      .filter((r) => r === undefined || r.outcome !== 'passed')
      .map((r) => `${r?.id ?? '(case gone)'}: ${r?.reason ?? ''}`);
    assert.deepEqual(regressions, [], 'cases that passed before fail now');
    const s = score(results);
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
