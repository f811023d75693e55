/**
 * The public API of `@certkit/core`, pinned. Every name the package root exports is under the
 * semver promise (CHANGELOG.md, "Version policy"), so the list of runtime names is committed
 * (public-api.txt) and compared: a helper re-exported by accident, or a limit made public to
 * share it with a test, fails here instead of joining the promise. And every export is
 * documented where users read it: each function (and the error class) has TSDoc with an
 * `@example`, each constant and type a TSDoc comment, read from the sources with the TypeScript
 * compiler, as TypeDoc reads them for `pnpm docs:api`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import * as core from '@certkit/core';
import { ROOT } from '../helpers/cli.js';

const LIST = join(ROOT, 'test', 'unit', 'public-api.txt');
const INDEX = join(ROOT, 'packages', 'core', 'src', 'index.ts');

/** The committed names: one a line, `#` comments. */
function committedNames(): string[] {
  return readFileSync(LIST, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

test('the package root exports exactly the committed runtime names', () => {
  const listed = committedNames();
  assert.deepEqual(listed, [...listed].sort(), 'public-api.txt is sorted');
  const exported = Object.keys(core).sort();
  const added = exported.filter((name) => !listed.includes(name));
  const removed = listed.filter((name) => !exported.includes(name));
  assert.deepEqual(
    { added, removed },
    { added: [], removed: [] },
    'the public API changed: if on purpose, update test/unit/public-api.txt and CHANGELOG.md',
  );
});

interface ExportDoc {
  readonly name: string;
  readonly callable: boolean;
  readonly documented: boolean;
  readonly example: boolean;
}

/** Every export of the sources' index.ts, followed to its declaration, with its TSDoc. */
function exportDocs(): ExportDoc[] {
  const program = ts.createProgram([INDEX], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(INDEX);
  assert.ok(source !== undefined, INDEX);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol !== undefined, 'index.ts is a module');
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol =
      (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    return {
      name: exported.name,
      callable: (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)) !== 0,
      documented: text !== '',
      example: symbol.getJsDocTags(checker).some((tag) => tag.name === 'example'),
    };
  });
}

test('every export has TSDoc, and every function an @example', async (t) => {
  const docs = exportDocs();
  await t.test('the sources export what the built package exports', () => {
    const values = new Set(Object.keys(core));
    const callables = docs.filter((d) => d.callable).map((d) => d.name);
    assert.deepEqual(
      callables.filter((name) => !values.has(name)),
      [],
      'a function of index.ts missing from the build: run pnpm build',
    );
    assert.ok(callables.length > 0);
  });
  await t.test('functions and the error class have an @example', () => {
    assert.deepEqual(
      docs.filter((d) => d.callable && !(d.documented && d.example)).map((d) => d.name),
      [],
    );
  });
  await t.test('constants and types have a TSDoc comment', () => {
    assert.deepEqual(
      docs.filter((d) => !d.callable && !d.documented).map((d) => d.name),
      [],
    );
  });
});
