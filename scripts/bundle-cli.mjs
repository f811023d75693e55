#!/usr/bin/env node
// Bundles the `certs` CLI into packages/cli/dist with esbuild, for start-up speed.
//
// Why: Node spends most of a short command's time finding, reading and compiling modules.
// Unbundled, yargs alone adds ~70 ms to `node -e 0` and `@peculiar/x509` ~127 ms. One ESM file
// for the bin and lazily loaded chunks for the rest keep `certs --help` near Node's own
// start-up, while a command still loads everything it needs when it runs
// (`await import('@certkit/core')` in each command's `run` becomes a chunk of its own).
// Figures: bench/RESULTS.md.
//
// - format esm + splitting: dynamic imports stay lazy as separate chunks (esbuild splits esm
//   output only).
// - @certkit/core is bundled into its chunk: one file compiles faster than the ~200 files of
//   pkijs, asn1js and @peculiar/*, and the bin does not depend on how core's dist is laid out.
// - keepNames: errors are told apart by `name` (output.ts describeError) and some dependencies
//   read constructor names; minification must not rename them.
// - yargs 18 finds its message translations with `import.meta.url`: the plugin below points it
//   at a copy of its locales/ beside the output file that holds it, so that messages stay
//   translated as unbundled. (It also derives a package.json search start from that URL, used
//   only to guess a version; ours is given with .version(VERSION).)
//
// Usage: node scripts/bundle-cli.mjs   (the build script of packages/cli, after tsc checks)
// CERTKIT_NO_MINIFY=1 keeps the output readable, for profiling.
import { build } from 'esbuild';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const dist = join(cli, 'dist');
// Built aside, then moved in: other engineers run the bin while the tree rebuilds.
const STAGING = '.staging-';
const outdir = join(dist, `${STAGING}${String(process.pid)}`);
const LOCALES = 'yargs-locales';
/** yargs' package folder, as the bundler found it. */
let yargsRoot;

/** Replaces `search` in `source`; reports whether it was there. */
function patch(source, search, replacement) {
  return source.includes(search) ? source.replaceAll(search, replacement) : null;
}

/**
 * Two load-time costs in yargs' dependencies, and its locale lookup (see above).
 *
 * string-width, which yargs' help layout calls for every cell, builds `/^\p{RGI_Emoji}$/v` and an
 * `Intl.Segmenter` when its module loads: V8 compiles that regex (a set of strings) eagerly,
 * ~14 ms, and the first segmenter loads ICU's break data, ~17 ms, on every start-up
 * (node --cpu-prof). string-width answers printable ASCII before it reaches either, so both are
 * made on first use instead. yargs asks for string-width 8 and cliui/wrap-ansi for 7 (same API):
 * the root package.json pins theirs to 8 (pnpm overrides), so one copy is installed, and the
 * resolver below keeps the bundle on yargs' copy should they drift apart. Should a future
 * version no longer have these lines, the source is bundled unchanged, with a warning: slower,
 * never broken.
 */
const yargsPlugin = {
  name: 'certkit-yargs',
  setup(b) {
    let yargsDir;
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'dedupe') return undefined;
      yargsDir ??= dirname(
        (await b.resolve('yargs', { kind: 'import-statement', resolveDir: cli })).path,
      );
      return b.resolve('string-width', {
        kind: args.kind,
        resolveDir: yargsDir,
        pluginData: 'dedupe',
      });
    });
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const lazy = patch(
        source,
        'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
        'let rgiEmojiRegex;\nconst rgiEmoji = () => (rgiEmojiRegex ??= /^\\p{RGI_Emoji}$/v);',
      );
      const used = lazy === null ? null : patch(lazy, 'rgiEmojiRegex.test(', 'rgiEmoji().test(');
      const segmenter =
        used === null
          ? null
          : patch(
              used,
              'const segmenter = new Intl.Segmenter();',
              'let segmenter;\nconst segmenterOf = () => (segmenter ??= new Intl.Segmenter());',
            );
      const done =
        segmenter === null
          ? null
          : patch(segmenter, 'segmenter.segment(', 'segmenterOf().segment(');
      if (done === null) {
        return { contents: source, warnings: [{ text: 'string-width: left eager' }] };
      }
      return { contents: done };
    });
    // yargs renders the running command's whole help before every command handler runs
    // (command.js, `cacheHelpMessage()`: ~6 ms of `certs gen-client --key`, node --cpu-prof),
    // for a handler that later asks for its help. certs never does (showHelpOnFail(false); a
    // usage error is one line, and `--help` renders it when asked), so the call is removed.
    b.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const patched = patch(
        source,
        'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();',
        '/* certkit: help rendered on demand only */',
      );
      if (patched === null) {
        return { contents: source, warnings: [{ text: 'yargs command.js: help cache left on' }] };
      }
      return { contents: patched };
    });
    b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      yargsRoot = join(dirname(args.path), '..', '..');
      const source = readFileSync(args.path, 'utf8');
      const patched = patch(
        source,
        "resolve(__dirname, '../../../locales')",
        `fileURLToPath(new URL('./${LOCALES}/', import.meta.url))`,
      );
      if (patched === null) throw new Error('yargs locale lookup changed: update bundle-cli.mjs');
      // yargs checks its own invariants with node:assert's strictEqual/notStrictEqual; loading
      // node:assert costs ~1.5 ms of every start-up. The same checks, without the module.
      const noAssert = patch(
        patched,
        "import { notStrictEqual, strictEqual } from 'assert'",
        [
          'const strictEqual = (actual, expected, message) => {',
          "  if (!Object.is(actual, expected)) throw new Error(message ?? 'yargs: expected values to be strictly equal');",
          '};',
          'const notStrictEqual = (actual, expected, message) => {',
          "  if (Object.is(actual, expected)) throw new Error(message ?? 'yargs: expected values to differ');",
          '};',
        ].join('\n'),
      );
      if (noAssert === null) {
        return { contents: patched, warnings: [{ text: 'yargs shim: node:assert left in' }] };
      }
      return { contents: noAssert };
    });
  },
};

let result;
try {
  result = await build({
    absWorkingDir: cli,
    entryPoints: { bin: 'src/bin.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // Prefer packages' ESM builds (`module`) to their CommonJS `main`, esbuild's node default:
    // pkijs and asn1js then need no CommonJS wrappers and tree-shake (bench case 1b). Node itself
    // would load `main`; same code.
    mainFields: ['module', 'main'],
    target: 'node20.19',
    minify: process.env.CERTKIT_NO_MINIFY !== '1',
    keepNames: true,
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'linked',
    // CommonJS dependencies bundled into ESM may call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __certkitRequire } from 'node:module'; const require = __certkitRequire(import.meta.url);",
    },
    plugins: [yargsPlugin],
    metafile: true,
    logLevel: 'warning',
  });
} catch (error) {
  rmSync(outdir, { recursive: true, force: true });
  throw error;
}

// yargs' translations, beside whichever output file holds yargs' shim.
const yargsShim = Object.entries(result.metafile.outputs).find(([, output]) =>
  Object.keys(output.inputs).some((input) =>
    /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/.test(input),
  ),
);
if (yargsShim === undefined) throw new Error('bundle-cli: yargs is not in the bundle');
if (yargsRoot === undefined) throw new Error('bundle-cli: yargs was not loaded');
cpSync(join(yargsRoot, 'locales'), join(cli, dirname(yargsShim[0]), LOCALES), { recursive: true });

chmodSync(join(outdir, 'bin.js'), 0o755);

/** Every file under `dir`, relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

// Chunks first, bin.js last (each rename is atomic). Files the new build no longer has (chunk
// names carry content hashes) are removed once they are STALE_AFTER_MS old, not at once: a
// `certs` process started before this build may still import its chunks lazily (a command's
// `await import('@certkit/core')`), and tests run while others rebuild.
const fresh = filesUnder(outdir).sort((a, b) => Number(a === 'bin.js') - Number(b === 'bin.js'));
mkdirSync(dist, { recursive: true });
const stale = new Set(filesUnder(dist).filter((file) => !file.startsWith(STAGING)));
for (const file of fresh) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  renameSync(join(outdir, file), join(dist, file));
  stale.delete(file);
}
const STALE_AFTER_MS = 10 * 60_000;
for (const file of stale) {
  const path = join(dist, file);
  if (Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
}
rmSync(outdir, { recursive: true, force: true });
// Folders left empty (tsc's former dist/commands/).
for (const entry of readdirSync(dist, { withFileTypes: true })) {
  const folder = join(dist, entry.name);
  if (entry.isDirectory() && filesUnder(folder).length === 0) rmSync(folder, { recursive: true });
}
const outputs = Object.entries(result.metafile.outputs).filter(([name]) => name.endsWith('.js'));
const total = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(
  `bundle-cli: ${String(outputs.length)} files, ${(total / 1024).toFixed(0)} KiB in packages/cli/dist`,
);
