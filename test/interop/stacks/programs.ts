/**
 * The stacks judged by a program of their own language, each one process for every input:
 * /usr/bin/python3 ssl, Go crypto/tls (built once per run into the scratch folder, offline, the
 * standard library only) and Java 17 JSSE (`java File.java`).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../helpers/cli.js';
import type { StackContext, Verdict } from './harness.js';

const PROGRAMS = fileURLToPath(new URL('./programs/', import.meta.url));

interface Raw {
  readonly accepts?: boolean;
  readonly stage?: Verdict['stage'];
  readonly reason?: string;
  /** The harness failed (no TCP connection): not a verdict. */
  readonly harness?: string;
}

function cases(
  context: StackContext,
): { addr: string; port: number; host: string; cafile: string }[] {
  return context.inputs.map((input, i) => {
    const endpoint = context.endpoints[i];
    if (endpoint === undefined) throw new Error('no endpoint');
    return { addr: endpoint.addr, port: endpoint.port, host: input.host, cafile: input.caFile };
  });
}

function verdicts(stack: string, context: StackContext, raws: readonly Raw[]): Verdict[] {
  if (raws.length !== context.inputs.length)
    throw new Error(
      `${stack}: ${String(raws.length)} verdicts for ${String(context.inputs.length)} inputs`,
    );
  return raws.map((raw, i) => {
    const id = context.inputs[i]?.id ?? '';
    if (raw.harness !== undefined) throw new Error(`${stack} ${id}: ${raw.harness}`);
    if (raw.accepts === true) return { accepts: true };
    if (raw.accepts !== false || raw.stage === undefined || raw.reason === undefined)
      throw new Error(`${stack} ${id}: no verdict in ${JSON.stringify(raw)}`);
    return { accepts: false, stage: raw.stage, reason: raw.reason };
  });
}

/** Python's ssl module as redis-py uses it (`ssl_ca_certs`, `ssl_check_hostname`). */
export async function runPython(context: StackContext): Promise<Verdict[]> {
  const result = await run('/usr/bin/python3', [join(PROGRAMS, 'stack_client.py')], {
    input: JSON.stringify(cases(context)),
    timeoutMs: 300_000,
  });
  if (result.code !== 0) throw new Error(`python: exit ${String(result.code)}\n${result.stderr}`);
  return verdicts('python', context, JSON.parse(result.stdout) as Raw[]);
}

/**
 * Go's crypto/tls as go-redis uses it (`tls.Config{RootCAs, ServerName}`). GOPATH mode and a
 * scratch build cache: the build needs no network and leaves nothing behind.
 */
export async function runGo(context: StackContext): Promise<Verdict[]> {
  const folder = join(context.dir, 'go');
  const source = join(context.dir, 'stack_client.go');
  copyFileSync(join(PROGRAMS, 'stack_client.go'), source);
  const env = {
    GOCACHE: join(folder, 'cache'),
    GOPATH: join(folder, 'path'),
    GO111MODULE: 'off',
    GOFLAGS: '',
    GOPROXY: 'off',
    CGO_ENABLED: '0',
  };
  const binary = join(context.dir, 'stack_client');
  const build = await run('go', ['build', '-o', binary, source], {
    cwd: context.dir,
    env,
    timeoutMs: 300_000,
  });
  if (build.code !== 0) throw new Error(`go build: exit ${String(build.code)}\n${build.stderr}`);
  const result = await run(binary, [], {
    input: JSON.stringify(cases(context)),
    timeoutMs: 300_000,
  });
  if (result.code !== 0) throw new Error(`go: exit ${String(result.code)}\n${result.stderr}`);
  return verdicts('go', context, JSON.parse(result.stdout) as Raw[]);
}

/** Java 17 JSSE as Jedis and Lettuce use it, with HTTPS endpoint identification. */
export async function runJava(context: StackContext): Promise<Verdict[]> {
  const lines = cases(context).map((c) => {
    for (const field of [c.addr, c.host, c.cafile])
      if (/[\t\n\r]/.test(field)) throw new Error(`java: a tab or line break in ${field}`);
    return `${c.addr}\t${String(c.port)}\t${c.host}\t${c.cafile}`;
  });
  const result = await run('java', [join(PROGRAMS, 'StackClient.java')], {
    input: `${lines.join('\n')}\n`,
    timeoutMs: 300_000,
  });
  if (result.code !== 0) throw new Error(`java: exit ${String(result.code)}\n${result.stderr}`);
  const raws = result.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Raw);
  return verdicts('java', context, raws);
}
