#!/usr/bin/env node
// Runs the test suite with node:test through tsx (Node 20 has no glob for --test).
// Usage: node scripts/run-tests.mjs [--tier NAME] [substring…]
//   --tier: only one tier's folders (see TIERS); substrings: only test files whose path contains one.
// The tiers: unit needs nothing but Node (judgments and makers on data in memory); interop checks
// core against openssl, node:crypto and the real client stacks; e2e runs the built CLI and the
// real redis-server and stunnel; conformance reads the shared public suites.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const TIERS = {
  unit: ['test/unit/'],
  interop: ['test/core/', 'test/interop/', 'test/hardening/'],
  e2e: ['test/cli/', 'test/e2e/', 'test/package/'],
  conformance: ['test/conformance/'],
};
const args = process.argv.slice(2);
const tierAt = args.indexOf('--tier');
const tier = tierAt === -1 ? null : args[tierAt + 1];
if (tierAt !== -1 && !(tier in TIERS)) {
  console.error(`--tier must be one of ${Object.keys(TIERS).join(', ')}`);
  process.exit(2);
}
const filters = tierAt === -1 ? args : args.filter((_, i) => i !== tierAt && i !== tierAt + 1);

function find(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...find(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const all = find(join(root, 'test'));
const untiered = all.filter(
  (f) =>
    !Object.values(TIERS)
      .flat()
      .some((d) => f.startsWith(d)),
);
if (untiered.length > 0) {
  console.error(`test files in no tier (add their folder to TIERS): ${untiered.join(', ')}`);
  process.exit(2);
}
const files = all
  .filter((f) => tier === null || TIERS[tier].some((folder) => f.startsWith(folder)))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
