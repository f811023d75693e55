/**
 * Core's messages name no command-line flag: a library user has no `--force`. What would get a
 * refused request through is data on the error (`remedy`), and the CLI words it with its flags.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import {
  assembleCertificates,
  CertkitError,
  isCertkitError,
  writeClientIdentity,
} from '@certkit/core';
import type { CertkitRemedy } from '@certkit/core';
import { describeError } from '../../packages/cli/src/output.ts';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const CORE = join(ROOT, 'packages', 'core', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The text of every string and template literal of a source file (comments are not literals). */
function literals(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      found.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Files whose strings are other programs' command lines, not messages: the connection snippets
 * certkit prints for redis-cli, node and certs, and redis-cli's own options in the library table.
 */
const OTHER_PROGRAMS: ReadonlySet<string> = new Set([
  join('make', 'snippet-code.ts'),
  join('make', 'snippets.ts'),
  join('judge', 'client-libraries.ts'),
]);

test('no string of core names a command-line flag (--force, --days, --endpoint…)', () => {
  const flag = /(^|[\s(])--[a-z]/;
  const offending = sources(CORE)
    .filter((path) => !OTHER_PROGRAMS.has(relative(CORE, path)))
    .flatMap((path) =>
      literals(path)
        .filter((text) => flag.test(text))
        .map((text) => `${relative(ROOT, path)}: ${text}`),
    );
  assert.deepEqual(offending, []);
});

/** The CertkitError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<CertkitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isCertkitError(error), String(error));
    return error;
  }
  assert.fail('expected a CertkitError');
}

test('a refusal says what would get it through as data, not as a flag', async (t) => {
  await t.test('an existing file: force', async (t2) => {
    const dir = tempDir(t2);
    writeFileSync(join(dir, 'cert.pem'), 'precious\n');
    const error = await refusal(
      writeClientIdentity({ subject: { commonName: 'app' }, keyType: 'ec', outDir: dir }),
    );
    assert.equal(error.code, 'FILE_EXISTS');
    assert.match(error.message, /cert\.pem already exists \(nothing was written\)$/);
    assert.deepEqual(error.remedy, { kind: 'force' });
  });
  await t.test('a missing input named HOST:PORT: fetch that endpoint', async () => {
    const error = await refusal(assembleCertificates({ files: ['redis-1.example.com:12000'] }));
    assert.equal(error.code, 'FILE_NOT_FOUND');
    assert.equal(
      error.message,
      'cannot read redis-1.example.com:12000: no such file; redis-1.example.com:12000 looks like an endpoint HOST:PORT, not a file',
    );
    assert.deepEqual(error.remedy, { kind: 'fetch', endpoint: 'redis-1.example.com:12000' });
  });
  await t.test('a missing input named like a file: no remedy', async () => {
    const error = await refusal(assembleCertificates({ files: ['missing.pem'] }));
    assert.equal(error.remedy, undefined);
  });
});

test('the CLI words each remedy with its own flags', async (t) => {
  const rows: {
    name: string;
    code: ConstructorParameters<typeof CertkitError>[0];
    message: string;
    remedy?: CertkitRemedy;
    expected: string;
  }[] = [
    {
      name: 'force, for a file that exists',
      code: 'FILE_EXISTS',
      message: 'a.pem already exists (nothing was written)',
      remedy: { kind: 'force' },
      expected: 'a.pem already exists (nothing was written); use --force to replace',
    },
    {
      name: 'force, for a symbolic link',
      code: 'UNSAFE_WRITE',
      message: 'k.pem is a symbolic link; refusing to write a private key through it',
      remedy: { kind: 'force' },
      expected:
        'k.pem is a symbolic link; refusing to write a private key through it; use --force to replace the link itself',
    },
    {
      name: 'days',
      code: 'INVALID_OPTION',
      message: 'the certificate would outlive its issuer ca.pem',
      remedy: { kind: 'days', max: 30 },
      expected: 'the certificate would outlive its issuer ca.pem; use --days 30 or less',
    },
    {
      name: 'fetch',
      code: 'FILE_NOT_FOUND',
      message: 'cannot read h:1: no such file; h:1 looks like an endpoint HOST:PORT, not a file',
      remedy: { kind: 'fetch', endpoint: 'h:1' },
      expected:
        'cannot read h:1: no such file; h:1 looks like an endpoint HOST:PORT, not a file: save the certificates it presents first, with certs fetch h:1 -o FILE',
    },
    {
      name: 'an option',
      code: 'INVALID_OPTION',
      message: 'give at least one trust anchor file',
      remedy: { kind: 'option', option: 'ca' },
      expected: 'give at least one trust anchor file (--ca)',
    },
    {
      name: 'no remedy',
      code: 'PEM_EMPTY',
      message: 'x.pem is empty',
      expected: 'x.pem is empty',
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const error = new CertkitError(
        row.code,
        row.message,
        row.remedy === undefined ? {} : { remedy: row.remedy },
      );
      assert.deepEqual(describeError(error), { code: row.code, message: row.expected });
    });
  }
});
