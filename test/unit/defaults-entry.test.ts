/**
 * `@certkit/core/defaults`: the documented defaults as a dependency-free entry, so a CLI or a
 * tool built on core states 1826 days or 4096 bits by importing them, not by copying them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as defaults from '@certkit/core/defaults';
import * as core from '@certkit/core';
import { ROOT } from '../helpers/cli.js';

void test('the defaults entry is in the package exports and loads nothing else at run time', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/core/package.json'), 'utf8')) as {
    exports: Record<string, { default: string }>;
  };
  const entry = pkg.exports['./defaults'];
  assert.ok(entry !== undefined, 'package.json exports ./defaults');
  const built = readFileSync(join(ROOT, 'packages/core', entry.default), 'utf8');
  assert.doesNotMatch(built, /^\s*import\s|\brequire\(|\bimport\(/m, 'no run-time import');
});

void test("the defaults entry holds the guide's client defaults, the same values core uses", () => {
  assert.equal(defaults.CLIENT_CERT_VALIDITY_DAYS, 1826);
  assert.equal(defaults.CLIENT_KEY_BITS, 4096);
  const exported = core as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(defaults)) {
    if (name in exported) assert.deepEqual(exported[name], value, name);
  }
});
