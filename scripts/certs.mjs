#!/usr/bin/env node
// `pnpm certs …` from a checkout. pnpm runs a script in the package's root folder, so relative
// paths (`--out client`, `chain a.pem`) meant the repository root, wherever the command was
// typed. pnpm (like npm) puts that folder in INIT_CWD: run the built CLI there, as an installed
// `certs` would run.
import process from 'node:process';

const from = process.env.INIT_CWD;
if (from !== undefined && from !== '') {
  try {
    process.chdir(from);
  } catch (error) {
    process.stderr.write(`certs: cannot work in ${from} (INIT_CWD): ${error.code ?? error}\n`);
    process.exit(2);
  }
}
await import('../packages/cli/dist/bin.js');
