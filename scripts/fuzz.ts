/**
 * `pnpm fuzz [count] [--workers N]`: feeds mutated DER certificates (bit flips, truncations,
 * broken length fields, inserted and deleted bytes; test/hardening/mutate.ts) to the certificate
 * parsers, in worker processes, and reports crashes (anything thrown that is not a
 * CertkitError) and hangs (a case over 2 s, or a worker silent for 60 s). Default 1,000,000
 * cases. Every case is reproducible from its number: `pnpm fuzz --case N` replays one.
 *
 * One case in 100 is an adversarial PEM text instead (test/hardening/adversarial.ts shapes, up to
 * 2 MiB, with random bytes changed), one in 100 a certificate, request or CRL with a long object
 * identifier somewhere (around the bounds of der.ts and far over them), and one in 2,000 a path
 * search through a pool of up to 40,000 certificates sharing one name and key (verify, chain and
 * check over it).
 *
 * Exit code: 0 when there were no crashes and no hangs, 1 otherwise.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
// Core from its sources, the public API and the parsers under it alike, so that every error
// thrown is the one CertkitError class isCertkitError knows.
import {
  assembleParsedCertificates,
  checkEndpointCertificate,
  isCertkitError,
  parseCertificates,
  parseRevocationLists,
  validatePath,
} from '../packages/core/src/index.js';
import type { Certificate } from '../packages/core/src/index.js';
import { inspectBytes } from '../packages/core/src/judge/inspect.js';
import { parsePemBlocks } from '../packages/core/src/x509/pem.js';
import { parseCertificate } from '../packages/core/src/x509/pkix.js';
import {
  CA_EXTENSION,
  certificate,
  cnName,
  ecKeys,
  extension,
  longOid,
  oid,
  PEM_SHAPES,
  pem,
  sameNamePool,
  seq,
  tlv,
} from '../test/hardening/adversarial.js';
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

/** What case `n` feeds the parsers. */
type CaseKind = 'mutation' | 'pem' | 'oid' | 'pool';

function caseKind(n: number): CaseKind {
  if (n % 2000 === 1999) return 'pool';
  if (n % 100 === 1) return 'pem';
  if (n % 100 === 2) return 'oid';
  return 'mutation';
}

/** Runs `f`; a CertkitError is a refusal, anything else thrown is a crash. */
function attempt(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (error) {
    if (isCertkitError(error)) return null;
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

/** Adversarial PEM text: a shape of up to 2 MiB with a few bytes changed. */
function pemCase(n: number): string | null {
  const next = prng(n * 2654435761 + 1);
  const shape = PEM_SHAPES[next() % PEM_SHAPES.length] ?? PEM_SHAPES[0];
  if (shape === undefined) return 'no PEM shapes';
  const bytes = Buffer.from(shape.make(1 + (next() % (2 * 1024 * 1024))));
  const noise = [0x2d, 0x20, 0x09, 0x0a, 0x0d, 0x41, 0x3d, 0x00];
  for (let i = next() % 4; i > 0; i--)
    bytes[next() % bytes.length] = noise[next() % noise.length] ?? 0;
  return (
    attempt(() => parsePemBlocks(bytes, 'fuzz.pem', shape.readAll)) ??
    attempt(() => parseCertificates(bytes, 'fuzz.pem'))
  );
}

let oidKeys: ReturnType<typeof ecKeys> | undefined;

/** A certificate, request or CRL with an OID of a random length in a random place. */
function oidCase(n: number): string | null {
  const next = prng(n * 2654435761 + 2);
  oidKeys ??= ecKeys();
  const lengths = [127, 128, 129, 16_383, 16_385, 1 + (next() % 300), 1 + (next() % (1024 * 1024))];
  const length = lengths[next() % lengths.length] ?? 1;
  const id = longOid(length);
  const place = next() % 5;
  const cert = (extensions: Uint8Array[]) =>
    certificate({
      subject: cnName('fuzz'),
      issuer: cnName('fuzz'),
      publicKey: (oidKeys as ReturnType<typeof ecKeys>).publicKey,
      signingKey: (oidKeys as ReturnType<typeof ecKeys>).privateKey,
      serial: n,
      extensions: [CA_EXTENSION, ...extensions],
    });
  const signatureless = (inner: Uint8Array) =>
    seq(inner, seq(oid('1.2.840.10045.4.3.2')), tlv(0x03, Buffer.from([0, 0x30, 0])));
  if (place === 3) {
    const request = signatureless(
      seq(
        tlv(0x02, Buffer.from([0])),
        cnName('fuzz'),
        oidKeys.publicKey.export({ format: 'der', type: 'spki' }),
        tlv(0xa0, seq(id, tlv(0x31))),
      ),
    );
    return attempt(() => inspectBytes(request, 'fuzz.csr'));
  }
  if (place === 4) {
    const crl = signatureless(
      seq(
        tlv(0x02, Buffer.from([1])),
        seq(oid('1.2.840.10045.4.3.2')),
        cnName('fuzz'),
        tlv(0x17, Buffer.from('250101000000Z')),
        tlv(0xa0, seq(extension(id, false, seq()))),
      ),
    );
    return attempt(() => parseRevocationLists(crl, 'fuzz.crl'));
  }
  const der =
    place === 0
      ? cert([extension(id, false, seq())])
      : place === 1
        ? cert([extension(oid('2.5.29.37'), false, seq(id))])
        : cert([extension(oid('2.5.29.14'), false, tlv(0x04, id))]);
  return attempt(() => {
    const [read] = parseCertificates(der, 'fuzz.der');
    if (read !== undefined) validatePath({ leaf: read, anchors: [read], purpose: 'any' });
  });
}

let pool:
  { root: Certificate; leaf: Certificate; bridge: Certificate; decoys: Certificate[] } | undefined;

/** A path search through up to 40,000 certificates sharing one name and key. */
function poolCase(n: number): string | null {
  const next = prng(n * 2654435761 + 3);
  if (pool === undefined) {
    const made = sameNamePool(40_000);
    const read = (ders: readonly Uint8Array[]) =>
      parseCertificates(Buffer.from(pem(ders)), 'pool.pem');
    pool = {
      root: read([made.root])[0] as Certificate,
      leaf: read([made.leaf])[0] as Certificate,
      bridge: read([made.bridge])[0] as Certificate,
      // Four files' worth, as `--untrusted` takes them: one input holds at most 10,000 blocks.
      decoys: [0, 1, 2, 3].flatMap((f) => read(made.pool.slice(f * 10_000, (f + 1) * 10_000))),
    };
  }
  const { root, leaf, bridge } = pool;
  const decoys = pool.decoys.slice(0, 1 + (next() % pool.decoys.length));
  const withBridge = next() % 2 === 0 ? [...decoys, bridge] : decoys;
  return (
    attempt(() => validatePath({ leaf, anchors: [root], intermediates: withBridge })) ??
    attempt(() => assembleParsedCertificates([leaf, ...withBridge, root], { mode: 'chain' })) ??
    attempt(() =>
      checkEndpointCertificate({
        cluster: 'pool.example',
        certificates: [leaf, ...withBridge.slice(0, 9_999)],
        ca: [root],
      }),
    )
  );
}

/** Runs case `n`; returns a crash description, or null. */
function runCase(n: number): string | null {
  const kind = caseKind(n);
  if (kind === 'pem') return pemCase(n);
  if (kind === 'oid') return oidCase(n);
  if (kind === 'pool') return poolCase(n);
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
    // The shared pool is made once per worker, untimed: the case is the search, not the set-up.
    if (caseKind(n) === 'pool' && pool === undefined) poolCase(n);
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

/** How many cases of each kind the first `count` are. */
function kinds(count: number): string {
  const counts: Record<CaseKind, number> = { mutation: 0, pem: 0, oid: 0, pool: 0 };
  for (let n = 0; n < count; n++) counts[caseKind(n)]++;
  return `${String(counts.mutation)} mutated certificates, ${String(counts.pem)} adversarial PEM texts, ${String(counts.oid)} long OIDs, ${String(counts.pool)} same-name pool searches`;
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
    console.log(`case ${String(n)}: ${caseKind(n)}; ${String(bytes.length)} bytes from ${base}`);
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
    `fuzz: ${done.toLocaleString('en')} cases (${kinds(count)}), ${String(crashes.length)} crashes, ${String(slow.length)} hangs (> ${String(HANG_MS)} ms), slowest case ${maxMs.toFixed(1)} ms, ${seconds.toFixed(0)} s on ${String(workers)} workers`,
  );
  for (const c of crashes.slice(0, 20)) console.log(`  crash: case ${String(c.n)}: ${c.error}`);
  for (const s of slow.slice(0, 20))
    console.log(`  hang: case ${String(s.n)}: ${s.ms.toFixed(0)} ms`);
  return crashes.length === 0 && slow.length === 0 && done === count ? 0 : 1;
}

process.exitCode = await main();
