/**
 * Issue 13 item 5: path building stays within its work budget on pools of certificates that all
 * share one name and one key. Four files of 10,000 such certificates took 41 s of CPU in
 * `verify`, 27 s in `check` and 22 s in `chain`: only signature checks were budgeted, every step
 * scanned the whole pool, and every decoy gave a finding. Asserted on counted work (candidates
 * looked at, signature checks) and on the reports, never on time; CPU seconds are in
 * `pnpm bench --only adversarial-pool`.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  assembleParsedCertificates,
  checkEndpointCertificate,
  parseCertificates,
  validatePath,
} from '@certkit/core';
import type { Certificate } from '@certkit/core';
import { MAX_CANDIDATE_VISITS, pathSearchWork } from '../../packages/core/src/judge/path-search.js';
import { pem, sameNamePool } from './adversarial.js';

const AT = new Date('2030-01-01T00:00:00Z');
// The decoys expire ten days after AT: every one of them is an EXPIRES_SOON for `check`.
const NOT_AFTER = new Date('2030-01-11T00:00:00Z');
// A hang guard, not a speed assertion: the unbounded search took minutes here.
const HANG_GUARD = { timeout: 600_000 };

let root: Certificate;
let leaf: Certificate;
let bridge: Certificate;
let decoys: Certificate[];

before(() => {
  const made = sameNamePool(40_000, { notAfter: NOT_AFTER });
  const read = (ders: readonly Uint8Array[], name: string) =>
    parseCertificates(Buffer.from(pem(ders)), name);
  [root] = read([made.root], 'root.pem') as [Certificate];
  [leaf] = read([made.leaf], 'leaf.pem') as [Certificate];
  [bridge] = read([made.bridge], 'bridge.pem') as [Certificate];
  decoys = [];
  for (let f = 0; f < 4; f++)
    decoys.push(...read(made.pool.slice(f * 10_000, (f + 1) * 10_000), `pool${String(f)}.pem`));
});

void test(
  'issue 13: validatePath looks at as many candidates for 40,000 same-name decoys as for 10,000',
  HANG_GUARD,
  () => {
    const work: number[] = [];
    for (const count of [10_000, 40_000]) {
      const result = validatePath({
        leaf,
        anchors: [root],
        intermediates: decoys.slice(0, count),
        now: AT,
      });
      assert.equal(result.ok, false);
      assert.equal(result.anchored, false);
      assert.ok(pathSearchWork.candidateVisits <= MAX_CANDIDATE_VISITS);
      // One key for all: one signature check serves every decoy.
      assert.ok(pathSearchWork.signatureChecks <= 4, String(pathSearchWork.signatureChecks));
      work.push(pathSearchWork.candidateVisits);
    }
    assert.ok((work[0] ?? 0) > 0);
    assert.equal(work[1], work[0], `candidates looked at: ${work.join(' then ')}`);
  },
);

void test(
  'issue 13: the one real issuer behind 40,000 same-name, same-key decoys is found',
  HANG_GUARD,
  () => {
    const result = validatePath({
      leaf,
      anchors: [root],
      intermediates: [...decoys, bridge],
      now: AT,
    });
    assert.equal(result.anchored, true);
    assert.deepEqual(
      result.path.map((c) => c.info.fingerprintSha256),
      [leaf, bridge, root].map((c) => c.info.fingerprintSha256),
    );
  },
);

void test(
  'issue 13: a chain assembled over 40,000 same-name decoys reports them in a bounded number of findings',
  HANG_GUARD,
  () => {
    const { chain } = assembleParsedCertificates([leaf, ...decoys, root], {
      mode: 'chain',
      now: AT,
    });
    assert.equal(chain.path[0]?.certificate, leaf);
    assert.equal(chain.unused.length, decoys.length); // every decoy but one is accounted for…
    assert.ok(chain.findings.length <= 50, `${String(chain.findings.length)} findings`); // …briefly
    const summary = chain.findings.find(
      (f) => f.code === 'ALTERNATE_ISSUER' && f.message.includes('more certificates'),
    );
    assert.ok(summary !== undefined);
    assert.match(summary.message, /^39996 more certificates/);
  },
);

void test('issue 13: check caps a finding repeated for 10,000 chain members', HANG_GUARD, () => {
  const report = checkEndpointCertificate({
    cluster: 'pool.example',
    certificates: [leaf, ...decoys.slice(0, 9_999)],
    ca: [root],
    now: AT,
  });
  const soon = report.findings.filter((f) => f.code === 'EXPIRES_SOON');
  assert.ok(soon.length <= 21, `${String(soon.length)} EXPIRES_SOON findings`);
  const last = soon[soon.length - 1];
  assert.match(last?.message ?? '', /^9979 more EXPIRES_SOON findings/);
  assert.equal(report.certificates.length, 10_000);
});
