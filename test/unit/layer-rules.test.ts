/**
 * The lint rules that keep core's layers apart (eslint.config.js, docs/architecture.md) bite:
 * each forbidden arrow is reported, each allowed one is not. The repository's own configuration
 * lints small sources placed in each folder; the type-aware rules are switched off, since these
 * are import and syntax rules and the sources are not files of the project.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = join(import.meta.dirname, '..', '..');
const LAYER_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: tseslint.configs.disableTypeChecked,
});

/** The layer-rule messages of `code` as if it were a module in `folder`. */
async function layerMessages(folder: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {
    filePath: join(ROOT, folder, 'layer-probe.ts'),
  });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId))
    .map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

const FORBIDDEN = [
  {
    name: 'judge/ imports io/',
    folder: 'packages/core/src/judge',
    code: "import { readInputFile } from '../io/read.js';\nexport const read = readInputFile;\n",
  },
  {
    name: 'judge/ imports make/',
    folder: 'packages/core/src/judge',
    code: "import { renderStunnelConfig } from '../make/stunnel-config.js';\nexport const r = renderStunnelConfig;\n",
  },
  {
    name: 'judge/ imports workflows/',
    folder: 'packages/core/src/judge',
    code: "export { runCheck } from '../workflows/check.js';\n",
  },
  {
    name: 'judge/ declares an async function',
    folder: 'packages/core/src/judge',
    code: 'export async function judge(): Promise<number> {\n  return 1;\n}\n',
  },
  {
    name: 'judge/ awaits inside an async arrow',
    folder: 'packages/core/src/judge',
    code: 'export const judge = async (p: PromiseLike<number>) => (await p) + 1;\n',
  },
  {
    name: 'judge/ uses pkijs',
    folder: 'packages/core/src/judge',
    code: "import * as pkijs from 'pkijs';\nexport const p = pkijs;\n",
  },
  {
    name: 'make/ reads a file',
    folder: 'packages/core/src/make',
    code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  },
  {
    name: 'make/ imports judge/',
    folder: 'packages/core/src/make',
    code: "import { validatePath } from '../judge/path.js';\nexport const v = validatePath;\n",
  },
  {
    name: 'io/ imports judge/',
    folder: 'packages/core/src/io',
    code: "import type { PingResult } from '../judge/live.js';\nexport type P = PingResult;\n",
  },
  {
    name: 'x509/ imports make/',
    folder: 'packages/core/src/x509',
    code: "export { issueCertificate } from '../make/certificates.js';\n",
  },
  {
    name: 'asn1/ imports x509/',
    folder: 'packages/core/src/asn1',
    code: "export { parsePemBlocks } from '../x509/pem.js';\n",
  },
  {
    name: 'workflows/ opens a socket itself',
    folder: 'packages/core/src/workflows',
    code: "import { connect } from 'node:tls';\nexport const c = connect;\n",
  },
  {
    name: 'the CLI imports a core module by path',
    folder: 'packages/cli/src/commands',
    code: "import { readInputFile } from '@certkit/core/dist/io/read.js';\nexport const r = readInputFile;\n",
  },
  {
    name: 'the CLI imports node:crypto',
    folder: 'packages/cli/src/commands',
    code: "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
  },
];

const ALLOWED = [
  {
    name: 'judge/ reads x509/, errors and the clock, synchronously',
    folder: 'packages/core/src/judge',
    code: "import { resolveNow } from '../clock.js';\nimport { CertkitError } from '../errors.js';\nimport { parseCertificates } from '../x509/certificates.js';\nexport const all = [resolveNow, CertkitError, parseCertificates];\n",
  },
  {
    name: 'io/ connects and parses with x509/',
    folder: 'packages/core/src/io',
    code: "import { connect } from 'node:tls';\nimport { parseCertificate } from '../x509/pkix.js';\nexport const all = [connect, parseCertificate];\n",
  },
  {
    name: 'workflows/ reads through io/ and judges',
    folder: 'packages/core/src/workflows',
    code: "import { readInputFile } from '../io/read.js';\nimport { checkExpiry } from '../judge/expiry.js';\nexport const all = [readInputFile, checkExpiry];\n",
  },
  {
    name: 'x509/ uses pkijs',
    folder: 'packages/core/src/x509',
    code: "import * as pkijs from 'pkijs';\nexport const p = pkijs;\n",
  },
];

test('each forbidden arrow between layers is a lint error', async (t) => {
  for (const row of FORBIDDEN) {
    await t.test(row.name, async () => {
      const messages = await layerMessages(row.folder, row.code);
      assert.ok(messages.length > 0, `no layer rule reported:\n${row.code}`);
    });
  }
});

test('the allowed arrows pass', async (t) => {
  for (const row of ALLOWED) {
    await t.test(row.name, async () => {
      assert.deepEqual(await layerMessages(row.folder, row.code), []);
    });
  }
});
