/** Every certificate PEM of the x509-limbo suite, for tests that read them all. */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { conformanceDir, loadSubset, SUBSETS } from '../../scripts/conformance.ts';

/**
 * Calls `visit` with each certificate PEM of every x509-limbo case (peer, trusted, untrusted)
 * and a label `<case id> #<position>`; says in a diagnostic which subsets are absent.
 */
export function forEachLimboPem(t: TestContext, visit: (pem: string, label: string) => void): void {
  for (const subset of SUBSETS) {
    const cases = loadSubset(subset);
    if (cases === null) {
      t.diagnostic(`${join(conformanceDir(), subset)}.json absent: subset not read`);
      continue;
    }
    for (const tc of cases) {
      const pems = [
        tc.peer_certificate,
        ...tc.trusted_certs,
        ...(tc.untrusted_intermediates ?? []),
      ];
      pems.forEach((pem, i) => {
        visit(pem, `${tc.id} #${String(i)}`);
      });
    }
  }
}
