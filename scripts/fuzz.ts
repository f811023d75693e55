/**
 * `pnpm fuzz [count] [--workers N]`: feeds mutated DER certificates (bit flips, truncations,
 * broken length fields, inserted and deleted bytes; test/hardening/mutate.ts) to the certificate
 * parsers, in worker processes, and reports crashes (anything thrown that is not a
 * CertkitError) and hangs (a case over 2 s, or a worker silent for 60 s). Default 1,000,000
 * cases. Every case is reproducible from its number: `pnpm fuzz --case N` replays one.
 *
 * Exit code: 0 when there were no crashes and no hangs, 1 otherwise.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { isCertkitError, parseCertificate, parseCertificates } from '@certkit/core';
import { applyMutation, baseCertificates, randomMutation } from '../test/hardening/mutate.js';

/** A case slower than this is reported as a hang: a parser loop, not a slow machine. */
const HANG_MS = 2000;
/** A worker that reports nothing for this long is killed and reported. */
const SILENT_MS = 60_000;

const bases = baseCertificates();

/** mulberry32: a tiny seeded PRNG, so that case N is the same input on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0x7fffffff;
  };
}

/** The input of case `n`. */
export function caseInput(n: number): { base: string; bytes: Uint8Array } {
  const next = prng(n * 2654435761);
  const base = bases[next() % bases.length] ?? bases[0];
  if (base === undefined) throw new Error('no base certificates');
  let bytes = base.der;
  const count = 1 + (next() % 4);
  for (let i = 0; i < count; i++) bytes = applyMutation(bytes, randomMutation(next));
  return { base: base.name, bytes };
}

/** Runs case `n`; returns a crash description, or null. */
function runCase(n: number): string | null {
  const { bytes } = caseInput(n);
  for (const parse of [
    () => JSON.stringify(parseCertificates(bytes, 'fuzz').map((c) => c.info)),
    () => JSON.stringify(parseCertificate(bytes, { name: 'fuzz', index: 1 }).info),
  ]) {
    try {
      parse();
    } catch (error) {
      if (!isCertkitError(error)) {
        return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  }
  return null;
}

interface Report {
  done: number;
  crashes: { n: number; error: string }[];
  slow: { n: number; ms: number }[];
  maxMs: number;
}

function worker(from: number, to: number): void {
  const report: Report = { done: 0, crashes: [], slow: [], maxMs: 0 };
  for (let n = from; n < to; n++) {
    const started = performance.now();
    const crash = runCase(n);
    const ms = performance.now() - started;
    if (crash !== null) report.crashes.push({ n, error: crash });
    if (ms > HANG_MS) report.slow.push({ n, ms });
    report.maxMs = Math.max(report.maxMs, ms);
    report.done++;
    if (report.done % 5000 === 0) process.send?.({ progress: report.done, at: n });
  }
  process.send?.({ final: report });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') {
    worker(Number(args[1]), Number(args[2]));
    return 0;
  }
  const caseIndex = args.indexOf('--case');
  if (caseIndex >= 0) {
    const n = Number(args[caseIndex + 1]);
    const { base, bytes } = caseInput(n);
    console.log(`case ${String(n)}: ${String(bytes.length)} bytes from ${base}`);
    console.log(Buffer.from(bytes).toString('base64'));
    console.log(runCase(n) ?? 'no crash');
    return 0;
  }
  const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const workersIndex = args.indexOf('--workers');
  const workers = workersIndex >= 0 ? Number(args[workersIndex + 1]) : availableParallelism();
  const started = Date.now();
  const per = Math.ceil(count / workers);
  const reports = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = w * per;
      const to = Math.min(count, from + per);
      return new Promise<Report>((resolve) => {
        const child = fork(
          new URL(import.meta.url).pathname,
          ['--worker', String(from), String(to)],
          {
            execArgv: ['--import', 'tsx'],
          },
        );
        let last = from;
        let final: Report | undefined;
        let timer = setTimeout(onSilent, SILENT_MS);
        function onSilent(): void {
          child.kill('SIGKILL');
        }
        child.on('message', (message: { progress?: number; at?: number; final?: Report }) => {
          clearTimeout(timer);
          timer = setTimeout(onSilent, SILENT_MS);
          if (message.at !== undefined) last = message.at;
          if (message.final !== undefined) final = message.final;
        });
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          resolve(
            final ?? {
              done: last - from,
              crashes: [
                {
                  n: last,
                  error: `worker died (${String(code ?? signal)}) near case ${String(last)}`,
                },
              ],
              slow: [],
              maxMs: 0,
            },
          );
        });
      });
    }),
  );
  const done = reports.reduce((s, r) => s + r.done, 0);
  const crashes = reports.flatMap((r) => r.crashes);
  const slow = reports.flatMap((r) => r.slow);
  const maxMs = Math.max(...reports.map((r) => r.maxMs));
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `fuzz: ${done.toLocaleString('en')} mutated certificates, ${String(crashes.length)} crashes, ${String(slow.length)} hangs (> ${String(HANG_MS)} ms), slowest case ${maxMs.toFixed(1)} ms, ${seconds.toFixed(0)} s on ${String(workers)} workers`,
  );
  for (const c of crashes.slice(0, 20)) console.log(`  crash: case ${String(c.n)}: ${c.error}`);
  for (const s of slow.slice(0, 20))
    console.log(`  hang: case ${String(s.n)}: ${s.ms.toFixed(0)} ms`);
  return crashes.length === 0 && slow.length === 0 && done === count ? 0 : 1;
}

process.exitCode = await main();
