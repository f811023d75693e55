#!/usr/bin/env node
// What each runtime dependency costs the `certs` CLI: its bytes in the minified bundle (as
// scripts/bundle-cli.mjs builds it, from esbuild's metafile) and the time Node takes to import
// it alone, unbundled, measured inside a fresh process around the import (median of 9).
// The figures DESIGN.md cites for each dependency; re-run after changing one.
//
// Usage: node scripts/dependency-cost.mjs   (after `pnpm install`; builds nothing, writes nothing)
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 9;

const result = await build({
  absWorkingDir: root,
  entryPoints: ['packages/cli/src/bin.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  minify: true,
  write: false,
  metafile: true,
  outdir: 'unused',
  logLevel: 'silent',
});
const bytes = new Map();
for (const output of Object.values(result.metafile.outputs)) {
  for (const [file, input] of Object.entries(output.inputs)) {
    const at = file.lastIndexOf('node_modules/');
    let owner = 'certkit (core and cli)';
    if (at !== -1) {
      const [first = '', second = ''] = file.slice(at + 'node_modules/'.length).split('/');
      owner = first.startsWith('@') ? `${first}/${second}` : first;
    }
    bytes.set(owner, (bytes.get(owner) ?? 0) + input.bytesInOutput);
  }
}

/** Median wall time (ms) of importing `specifier` from `dir` in a fresh Node, over RUNS runs. */
function importMs(specifier, dir) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t)`;
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
    });
    times.push(Number(out.trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? Number.NaN;
}

const core = fileURLToPath(new URL('../packages/core/', import.meta.url));
const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const coreRequire = createRequire(new URL('../packages/core/package.json', import.meta.url));
const direct = [
  { name: 'pkijs', dir: core },
  { name: 'asn1js', dir: core },
  { name: 'yargs', dir: cli },
];
console.log('| package | KiB in the bundle | import alone, median ms |');
console.log('| --- | ---: | ---: |');
for (const [name, size] of [...bytes].sort((a, b) => b[1] - a[1])) {
  const measured = direct.find((d) => d.name === name);
  const ms = measured === undefined ? '' : importMs(name, measured.dir).toFixed(1);
  console.log(`| ${name} | ${(size / 1024).toFixed(1)} | ${ms} |`);
}
console.log(
  `\nversions: pkijs ${String(coreRequire('pkijs/package.json').version)}, asn1js ${String(coreRequire('asn1js/package.json').version)}; load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
