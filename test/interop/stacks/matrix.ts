/**
 * The measured matrix (case x stack -> verdict): built from a harness run, stored as
 * test/interop/stack-matrix.json with a markdown summary test/interop/STACKS.md, and compared
 * with a later run.
 */
import { run } from '../../helpers/cli.js';
import { STACK_DESCRIPTIONS, STACK_IDS } from './harness.js';
import type { StackId, StackResults, Verdict } from './harness.js';
import type { StackCase } from './corpus.js';

/** One row: the case and every stack's verdict. */
export interface MatrixRow {
  readonly id: string;
  readonly items: readonly number[];
  readonly what: string;
  readonly host: string;
  readonly verdicts: Readonly<Record<StackId, Verdict>>;
}

/** The whole measurement. */
export interface StackMatrix {
  /** What was measured, in a sentence, for a reader of the file. */
  readonly about: string;
  /** Versions of every stack when the matrix was last written (informative, not compared). */
  readonly versions: Readonly<Record<string, string>>;
  readonly stacks: Readonly<Record<StackId, string>>;
  readonly cases: readonly MatrixRow[];
}

const ABOUT =
  'Verdicts of the real TLS client stacks on this machine for each certificate set of test/interop/stacks/corpus.ts (chain presented by a loopback server, CA file, reference host), names and trust judged together; regenerated with STACK_MATRIX_UPDATE=1 node scripts/run-tests.mjs stack-matrix';

async function firstLine(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args);
  const line = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (result.code !== 0 || line === undefined)
    throw new Error(`${command} ${args.join(' ')}: exit ${String(result.code)}`);
  return line;
}

/** The version of every stack, as each one prints it. */
export async function stackVersions(): Promise<Record<string, string>> {
  const stunnel = await run('stunnel', ['-version']);
  const stunnelLine = /stunnel \d[^\n]*/.exec(stunnel.stderr + stunnel.stdout)?.[0];
  const stunnelOpenssl = /Running {1,2}with ([^\n]*)/.exec(stunnel.stderr + stunnel.stdout)?.[1];
  const java = await run('java', ['-version']);
  return {
    node: `${process.version} (OpenSSL ${process.versions.openssl})`,
    openssl: await firstLine('openssl', ['version']),
    stunnel: `${stunnelLine ?? '?'} (running with ${stunnelOpenssl ?? '?'})`,
    'redis-cli': await firstLine('redis-cli', ['--version']),
    python: await firstLine('/usr/bin/python3', [
      '-c',
      'import ssl, sys; print(sys.version.split()[0], ssl.OPENSSL_VERSION)',
    ]),
    go: await firstLine('go', ['version']),
    java: java.stderr.split('\n').slice(0, 2).join('; ').trim(),
  };
}

/** Builds the matrix of a run (cases and results in the same order). */
export function buildMatrix(
  cases: readonly StackCase[],
  hosts: readonly string[],
  results: StackResults,
  versions: Readonly<Record<string, string>>,
): StackMatrix {
  return {
    about: ABOUT,
    versions,
    stacks: STACK_DESCRIPTIONS,
    cases: cases.map((c, i) => {
      const verdicts = Object.fromEntries(
        STACK_IDS.map((stack) => {
          const verdict = results[stack][i];
          if (verdict === undefined) throw new Error(`${stack}: no verdict for ${c.id}`);
          return [stack, verdict];
        }),
      ) as Record<StackId, Verdict>;
      return { id: c.id, items: c.items, what: c.what, host: hosts[i] ?? '', verdicts };
    }),
  };
}

function cell(verdict: Verdict): string {
  return verdict.accepts ? 'ok' : `**${verdict.stage ?? '?'}**`;
}

/**
 * The smaller side of a split verdict (`accepted only by go, java` or `refused only by go
 * (parse)`), or undefined when every stack agrees.
 */
function disagreement(row: MatrixRow): string | undefined {
  const accepting = STACK_IDS.filter((s) => row.verdicts[s].accepts);
  const refusing = STACK_IDS.filter((s) => !row.verdicts[s].accepts);
  if (accepting.length === 0 || refusing.length === 0) return undefined;
  if (accepting.length <= refusing.length) return `accepted only by ${accepting.join(', ')}`;
  const why = refusing.map((s) => `${s} (${row.verdicts[s].stage ?? '?'})`);
  return `refused only by ${why.join(', ')}`;
}

/** The markdown summary: one row a case, a cell a stack, then where the stacks disagree. */
export function renderMarkdown(matrix: StackMatrix): string {
  const lines: string[] = [
    '# What the real TLS client stacks accept',
    '',
    'Generated from `stack-matrix.json` by `test/interop/stack-matrix.test.ts`, which measures',
    'every case on every stack and fails when a live verdict differs from the committed one.',
    'Regenerate both files with `STACK_MATRIX_UPDATE=1 node scripts/run-tests.mjs stack-matrix`.',
    '`ok`: the stack connects (or `openssl verify` says OK). A word in bold: the stack refuses,',
    'and says why: the name check (`name`), path building and validation (`trust`), parsing the',
    "certificate (`parse`) or the handshake (`handshake`). The stack's own words for each refusal",
    'are in the JSON.',
    '',
    '## Versions',
    '',
    ...Object.entries(matrix.versions).map(([stack, version]) => `- ${stack}: ${version}`),
    '',
    '## Stacks',
    '',
    ...STACK_IDS.map((stack) => `- \`${stack}\`: ${matrix.stacks[stack]}`),
    '',
    '## Matrix',
    '',
    `| case | item | reference | ${STACK_IDS.join(' | ')} |`,
    `| --- | --- | --- | ${STACK_IDS.map(() => '---').join(' | ')} |`,
    ...matrix.cases.map(
      (row) =>
        `| \`${row.id}\` | ${row.items.join(', ')} | ${row.host} | ${STACK_IDS.map((s) => cell(row.verdicts[s])).join(' | ')} |`,
    ),
    '',
    '## Where the stacks disagree',
    '',
    ...matrix.cases.flatMap((row) => {
      const text = disagreement(row);
      return text === undefined ? [] : [`- \`${row.id}\`: ${text}.`];
    }),
    '',
    '## Cases',
    '',
    ...matrix.cases.map((row) => `- \`${row.id}\` (item ${row.items.join(', ')}): ${row.what}.`),
    '',
  ];
  return lines.join('\n');
}

function verdictText(verdict: Verdict | undefined): string {
  if (verdict === undefined) return 'nothing';
  return verdict.accepts
    ? 'accepts'
    : `refuses (${verdict.stage ?? '?'}: ${verdict.reason ?? '?'})`;
}

/** Differences between two matrices' verdicts, one line each (empty when they agree). */
export function compareMatrices(expected: StackMatrix, actual: StackMatrix): string[] {
  const problems: string[] = [];
  const byId = new Map(expected.cases.map((row) => [row.id, row]));
  for (const row of actual.cases) {
    const before = byId.get(row.id);
    if (before === undefined) {
      problems.push(`${row.id}: not in the committed matrix`);
      continue;
    }
    byId.delete(row.id);
    if (before.host !== row.host) problems.push(`${row.id}: host ${before.host} -> ${row.host}`);
    // A committed file may predate a stack: read its verdicts as possibly absent.
    const committed: Partial<Record<StackId, Verdict>> = before.verdicts;
    for (const stack of STACK_IDS) {
      const was = verdictText(committed[stack]);
      const now = verdictText(row.verdicts[stack]);
      if (was !== now) problems.push(`${row.id} ${stack}: committed ${was}, measured ${now}`);
    }
  }
  for (const id of byId.keys()) problems.push(`${id}: in the committed matrix, not measured`);
  return problems;
}
