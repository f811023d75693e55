/**
 * The measuring part of `pnpm bench`: run programs and functions side by side, alternating
 * (A B A B …, so that drift in machine load hits every variant alike), and summarise with
 * medians and spread. Wall-clock time only; peak memory is measured in separate runs, so that
 * the measuring wrapper never adds to the timed runs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** One way of doing a case's work. */
export interface Variant {
  /** Short label in tables, e.g. `certs` or `openssl`. */
  readonly name: string;
  /** The command as a user would type it, for RESULTS.md. */
  readonly command: string;
  /** Does the work once; resolves when done. Rejects when the work fails. */
  readonly run: () => Promise<void>;
  /** Called before each run (not timed): e.g. remove the previous run's output. */
  readonly before?: () => void;
}

/** Summary of one variant's timings, in milliseconds. */
export interface Stats {
  readonly runs: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  /** Standard deviation as a fraction of the mean (spread of random-time work like keygen). */
  readonly cv: number;
}

/** The value at quantile `q` (0..1) of sorted values, linearly interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? Number.NaN;
  return low + (high - low) * (position - below);
}

/** Median, 10th/90th percentiles, extremes and coefficient of variation of `samples`. */
export function summarise(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  const variance = sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, sorted.length - 1);
  return {
    runs: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    cv: mean > 0 ? Math.sqrt(variance) / mean : 0,
  };
}

/**
 * Runs every variant `runs` times, round-robin (A B C A B C …), after `warmup` untimed rounds
 * (page cache, lazy OS work). Returns each variant's samples in milliseconds.
 */
export async function alternate(
  variants: readonly Variant[],
  runs: number,
  warmup = 1,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    // Alternate the order too (A B, then B A) so that neither variant always runs first.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      variant.before?.();
      const started = process.hrtime.bigint();
      await variant.run();
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (round >= warmup) samples.get(variant.name)?.push(elapsed);
    }
  }
  return samples;
}

/** Result of one program run. */
export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program with stdout discarded (unless `captureStdout`), as a user's shell redirecting to
 * /dev/null would; rejects on a non-zero exit unless `allowFailure`.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: {
    cwd?: string;
    captureStdout?: boolean;
    allowFailure?: boolean;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', options.captureStdout === true ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && options.allowFailure !== true) {
        reject(
          new Error(`${command} ${args.join(' ')} exited with ${String(code)}: ${stderr.trim()}`),
        );
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

const GNU_TIME = '/usr/bin/time';

/** True when GNU time is installed (Debian package `time`), for peak-memory figures. */
export function canMeasureMemory(): boolean {
  return existsSync(GNU_TIME);
}

/**
 * Peak resident memory (MiB) of a program, with GNU time's `%M` (the largest maxrss among the
 * process and the children it waited for: for `sh -c 'a | b'`, the larger of a and b). An exit
 * code outside `exitCodes` (default: 0 only) is a failed measurement.
 */
export async function peakMemoryMiB(
  command: string,
  args: readonly string[],
  options: { cwd?: string; exitCodes?: readonly number[] } = {},
): Promise<number> {
  const { exitCodes = [0], ...rest } = options;
  const result = await runProcess(GNU_TIME, ['-f', 'maxrss=%M', command, ...args], {
    ...rest,
    allowFailure: true,
  });
  if (!exitCodes.includes(result.code ?? -1))
    throw new Error(
      `${command} exited with ${String(result.code)}: ${result.stderr.slice(0, 400)}`,
    );
  const match = /maxrss=(\d+)\s*$/.exec(result.stderr);
  if (match?.[1] === undefined) throw new Error(`no maxrss from ${GNU_TIME}: ${result.stderr}`);
  return Number(match[1]) / 1024;
}

/** Formats milliseconds for tables: 1 decimal below 100 ms, whole numbers above. */
export function ms(value: number): string {
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** A small seeded PRNG (mulberry32), so that bootstrap intervals are reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 95% bootstrap interval of median(a) / median(b): how sure a ratio is. Random-time work such as
 * RSA key generation (CV ~50%) needs many runs before a ratio's interval is narrow.
 */
export function ratioInterval(
  a: readonly number[],
  b: readonly number[],
  resamples = 2000,
): { low: number; high: number } {
  const next = random(7);
  const median = (values: readonly number[]): number => {
    const picked = values.map(() => values[Math.floor(next() * values.length)] ?? 0);
    return quantile(
      picked.sort((x, y) => x - y),
      0.5,
    );
  };
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) ratios.push(median(a) / median(b));
  ratios.sort((x, y) => x - y);
  return { low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}

/** CPU seconds (user + system) and peak memory of one program run, with GNU time. */
export async function cpuAndMemory(
  command: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<{ cpuSeconds: number; mib: number; code: number | null }> {
  const result = await runProcess(GNU_TIME, ['-f', 'cpu=%U %S maxrss=%M', command, ...args], {
    ...options,
    allowFailure: true,
  });
  const match = /cpu=([\d.]+) ([\d.]+) maxrss=(\d+)\s*$/.exec(result.stderr);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined)
    throw new Error(`no figures from ${GNU_TIME}: ${result.stderr.slice(-500)}`);
  // GNU time reports the program's exit status as its own ("Command exited with non-zero status").
  const exited = /exited with non-zero status (\d+)/.exec(result.stderr);
  return {
    cpuSeconds: Number(match[1]) + Number(match[2]),
    mib: Number(match[3]) / 1024,
    code: exited?.[1] === undefined ? 0 : Number(exited[1]),
  };
}

/** CPU time of `f` in this process, in milliseconds. */
export function cpuMs(f: () => void): number {
  const before = process.cpuUsage();
  f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}
