/**
 * Issue 15, items 1, 4, 5 and 6: the command line itself, through the built bin. The commands,
 * their options, rules and examples are read from the CLI's own yargs definitions
 * (`commandTable()`), so that an option, rule or example added later is walked here too.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandTable } from '../../packages/cli/src/main.ts';
import type { CommandInfo } from '../../packages/cli/src/main.ts';
import { showGiven } from '../../packages/cli/src/options.ts';
import type { OptionInfo, OptionRule } from '../../packages/cli/src/options.ts';
import { ROOT, runCli } from '../helpers/cli.js';
import type { RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const TABLE: readonly CommandInfo[] = commandTable();

function command(name: string): CommandInfo {
  const found = TABLE.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no command ${name}`);
  return found;
}

/** Runs `jobs` a few at a time (each is a process; the machine has two cores). */
async function pool<T>(jobs: readonly (() => Promise<T>)[], width = 4): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (job !== undefined) results[index] = await job();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** A value yargs accepts for the option: its `i`-th choice, a number, or a file-like name. */
function valueFor(option: OptionInfo, i: number): string {
  if (option.type === 'choices') return option.choices[i % option.choices.length] ?? '';
  if (option.type === 'number') return String(i + 1);
  return `value-${String(i)}.pem`;
}

function flag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

void test('issue 15 (1): every single-value option of every command, given twice, is a usage error naming it', async () => {
  const jobs: (() => Promise<string | null>)[] = [];
  let walked = 0;
  for (const c of TABLE) {
    const base = [c.name, ...c.positionals.filter((p) => p.required).map((p) => `${p.name}.pem`)];
    const required = c.options.filter((o) => o.required);
    const single = c.options.filter((o) => !o.array && o.type !== 'boolean');
    assert.ok(single.length > 0, `${c.name}: no single-value option found`);
    for (const option of single) {
      walked++;
      const others = required
        .filter((r) => r !== option)
        .flatMap((r) => [flag(r.name), valueFor(r, 0)]);
      // The second time under another name when it has one (-o a --output b is twice too).
      const second = option.aliases[0] ?? option.name;
      const args = [
        ...base,
        ...others,
        flag(option.name),
        valueFor(option, 0),
        flag(second),
        valueFor(option, 1),
      ];
      jobs.push(async () => {
        const result = await runCli(args);
        const expected = new RegExp(
          `^certs: --${option.name}( \\([^)]*\\))? is given 2 times; it takes one value, so give it once\\n`,
        );
        return result.code === 2 && expected.test(result.stderr) && result.stdout === ''
          ? null
          : `certs ${args.join(' ')}\nexit ${String(result.code)}\n${result.stderr}`;
      });
    }
  }
  assert.ok(walked > 60, `only ${String(walked)} options walked`);
  const failures = (await pool(jobs)).filter((f) => f !== null);
  assert.deepEqual(failures, []);
});

void test('issue 15 (3): - is refused for every output option of every command: outputs are named files only', async () => {
  const jobs: (() => Promise<string | null>)[] = [];
  for (const c of TABLE) {
    const base = [c.name, ...c.positionals.filter((p) => p.required).map((p) => `${p.name}.pem`)];
    for (const option of c.options.filter((o) => o.output)) {
      const others = c.options
        .filter((r) => r.required && r !== option)
        .flatMap((r) => [flag(r.name), valueFor(r, 0)]);
      for (const given of [[flag(option.name), '-'], [`--${option.name}=-`]]) {
        const args = [...base, ...others, ...given];
        jobs.push(async () => {
          const result = await runCli(args);
          const expected = new RegExp(
            `^certs: --${option.name}( \\([^)]*\\))? is -, which means standard input: certs writes named files only, so give a name\\n`,
          );
          return result.code === 2 && expected.test(result.stderr) && result.stdout === ''
            ? null
            : `certs ${args.join(' ')}\nexit ${String(result.code)}\n${result.stderr}`;
        });
      }
    }
  }
  // -o/--output on four commands, --out DIR on six, --cert-file/--key-file on three.
  assert.ok(jobs.length >= 2 * 12, `only ${String(jobs.length / 2)} output options`);
  assert.deepEqual(
    (await pool(jobs)).filter((f) => f !== null),
    [],
  );
});

/** The rule a row exercises: command, option, and the other option it needs or excludes. */
function ruleKey(commandName: string, rule: OptionRule): string {
  const other =
    rule.excludes === undefined
      ? `needs ${(rule.needs ?? []).map(showGiven).join(' or ')}`
      : `excludes ${showGiven(rule.excludes)}`;
  return `${commandName}: ${showGiven(rule.when)} ${other}`;
}

interface RuleRow {
  /** The rule, as {@link ruleKey} names it. */
  readonly rule: string;
  readonly args: (dir: string) => string[];
  /** Exit 2 with this first line, or exit 0 with this note (an implied option). */
  readonly stderr: RegExp;
  readonly implied?: { readonly stdout: RegExp };
}

const UNDER = (name: string, dir: string): string => join(dir, name);
/** A `certs snippet` call with its required options. */
const SNIPPET = [
  'snippet',
  '--client',
  'ioredis',
  '--endpoint',
  'd.example.com:1',
  '--ca',
  'ca.pem',
];
/** A `certs stunnel` call that writes a configuration (no lint). */
const STUNNEL_WRITE = [
  'stunnel',
  '--cert',
  'c.pem',
  '--key',
  'k.pem',
  '--cafile',
  'ca.pem',
  '--connect',
  'd.example.com:1',
];

const WRITE_ONLY: readonly [string, string[]][] = [
  ['cert', ['--cert', 'cert.pem']],
  ['key', ['--key', 'key.pem']],
  ['cafile', ['--cafile', 'ca.pem']],
  ['connect', ['--connect', 'db.example.com:12000']],
  ['accept', ['--accept', '127.0.0.1:6380']],
  ['check-host', ['--check-host', 'db.example.com']],
  ['sni', ['--sni', 'db.example.com']],
  ['service', ['--service', 'db']],
  ['foreground', ['--foreground']],
  ['output', ['-o', 'db.conf']],
  ['log', ['--log', 'db.log']],
  ['force', ['--force']],
];

const KEY_COMMANDS: readonly [string, (dir: string) => string[]][] = [
  ['gen-ca', (d) => ['gen-ca', '--cn', 'Root', '--out', UNDER('out', d)]],
  [
    'gen-intermediate',
    (d) => [
      'gen-intermediate',
      '--ca',
      UNDER('ca/ca.pem', d),
      '--ca-key',
      UNDER('ca/ca-key.pem', d),
      '--cn',
      'Issuing',
      '--out',
      UNDER('out', d),
    ],
  ],
  [
    'issue',
    (d) => [
      'issue',
      '--ca',
      UNDER('ca/ca.pem', d),
      '--ca-key',
      UNDER('ca/ca-key.pem', d),
      '--cluster',
      'c.example.com',
      '--out',
      UNDER('out', d),
    ],
  ],
  ['csr', (d) => ['csr', '--cluster', 'c.example.com', '--out', UNDER('out', d)]],
  ['gen-client', (d) => ['gen-client', '--cn', 'app', '--out', UNDER('out', d)]],
];

const RULE_ROWS: readonly RuleRow[] = [
  // Key options: --curve implies an EC key, --bits is for RSA, on every command making a key.
  ...KEY_COMMANDS.flatMap(([name, base]): RuleRow[] => [
    {
      rule: `${name}: --curve needs --key-type ec`,
      args: (d) => [...base(d), '--curve', 'P-384'],
      stderr: /^certs: --curve P-384 implies --key-type ec: a curve is for an EC key\n/,
      implied: { stdout: /EC P-384/ },
    },
    {
      rule: `${name}: --bits excludes --key-type ec`,
      args: (d) => [...base(d), '--bits', '2048', '--curve', 'P-256'],
      stderr: /^certs: --bits 2048 cannot go with --key-type ec: it is the size of an RSA key\n/,
    },
  ]),
  {
    rule: 'gen-client: --curve needs --key-type ec',
    args: (d) => ['gen-client', '--cn', 'a', '--out', d, '--curve', 'P-384', '--key-type', 'rsa'],
    stderr: /^certs: --curve P-384 needs --key-type ec: a curve is for an EC key\n/,
  },
  ...['key-type ec', 'bits 2048', 'curve P-384', 'key-format pkcs1', 'key-file k.pem'].map(
    (given): RuleRow => ({
      rule: `gen-client: --${given.split(' ')[0] ?? ''} excludes --key`,
      args: (d) => [
        'gen-client',
        '--cn',
        'a',
        '--out',
        d,
        '--key',
        'old.pem',
        ...`--${given}`.split(' '),
      ],
      stderr: new RegExp(`^certs: --${given} cannot go with --key: it is about a new key`),
    }),
  ),
  {
    rule: 'gen-client: --new-passphrase-file excludes --key',
    args: (d) => [
      'gen-client',
      '--cn',
      'a',
      '--out',
      d,
      '--key',
      'old.pem',
      '--new-passphrase-file',
      'p',
    ],
    stderr: /^certs: --new-passphrase-file p cannot go with --key: it is about a new key/,
  },
  {
    rule: 'gen-client: --passphrase-file needs --key',
    args: (d) => [
      'gen-client',
      '--cn',
      'a',
      '--key-type',
      'ec',
      '--out',
      UNDER('out', d),
      '--passphrase-file',
      UNDER('key.pass', d),
    ],
    stderr:
      /^certs: --passphrase-file \S+key\.pass is read as --new-passphrase-file \S+key\.pass: without --key there is no key to read, so it encrypts the new key\n/,
    implied: { stdout: /Client identity ready \(EC P-256/ },
  },
  {
    rule: 'gen-client: --key-format pkcs1 excludes --key-type ec',
    args: (d) => [
      'gen-client',
      '--cn',
      'a',
      '--out',
      d,
      '--key-format',
      'pkcs1',
      '--key-type',
      'ec',
    ],
    stderr: /^certs: --key-format pkcs1 cannot go with --key-type ec: pkcs1 is for RSA keys only/,
  },
  {
    rule: 'gen-client: --new-passphrase-file excludes --key-format pkcs1',
    args: (d) => [
      'gen-client',
      '--cn',
      'a',
      '--out',
      d,
      '--new-passphrase-file',
      'p',
      '--key-format',
      'pkcs1',
    ],
    stderr:
      /^certs: --new-passphrase-file p cannot go with --key-format pkcs1: an encrypted key is written as PKCS#8/,
  },
  {
    rule: 'chain: --force needs --output',
    args: () => ['chain', 'a.pem', '--force'],
    stderr: /^certs: --force needs --output: it replaces an existing -o file/,
  },
  {
    rule: 'chain: --no-root excludes --mode bundle',
    args: () => ['chain', 'a.pem', '--mode', 'bundle', '--no-root'],
    stderr: /^certs: --no-root cannot go with --mode bundle: it drops the root of a chain/,
  },
  {
    // Without --mode, auto chose a bundle for self-signed inputs and dropped no root.
    rule: 'chain: --no-root needs --mode chain',
    args: (d) => ['chain', '--no-root', UNDER('ca/ca.pem', d)],
    stderr: /^certs: --no-root implies --mode chain: only a chain has a root to drop\nchain mode: /,
    implied: { stdout: /^-----BEGIN CERTIFICATE-----\n/ },
  },
  {
    rule: 'chain: --no-root needs --mode chain',
    args: () => ['chain', 'a.pem', '--mode', 'auto', '--no-root'],
    stderr: /^certs: --no-root needs --mode chain: only a chain has a root to drop\n/,
  },
  ...(
    [
      ['gen-client', ['gen-client']],
      ['gen-ca', ['gen-ca']],
      ['gen-intermediate', ['gen-intermediate', '--ca', 'ca.pem', '--ca-key', 'ca-key.pem']],
    ] as const
  ).map(([name, base]): RuleRow => ({
    rule: `${name}: --cn excludes --subject`,
    args: (d) => [...base, '--cn', 'app', '--subject', '/O=Acme/CN=app', '--out', d],
    stderr:
      /^certs: --cn app cannot go with --subject: both give the subject; put the CN into --subject/,
  })),
  {
    rule: 'verify: --host excludes --ip',
    args: () => [
      'verify',
      'a.pem',
      '--ca',
      'ca.pem',
      '--host',
      'db.example.com',
      '--ip',
      '10.0.0.5',
    ],
    stderr:
      /^certs: --host db\.example\.com cannot go with --ip: the leaf is checked for one name or one address\n/,
  },
  ...(
    [
      ['sni', ['--sni', 'db.example.com'], 'needs --endpoint or --endpoints'],
      ['timeout', ['--timeout', '5'], 'needs --endpoint or --endpoints'],
      ['min-tls', ['--min-tls', '1.3'], 'needs --endpoint or --endpoints'],
      ['resolve', ['--resolve', 'h:1:127.0.0.1'], 'needs --endpoint or --endpoints'],
      ['concurrency', ['--concurrency', '4'], 'needs --endpoint or --endpoints'],
      [
        'client-cert',
        ['--endpoint', '127.0.0.1:1', '--client-cert', 'c.pem'],
        'needs --client-key',
      ],
      ['client-key', ['--endpoint', '127.0.0.1:1', '--client-key', 'k.pem'], 'needs --client-cert'],
      [
        'client-cert',
        ['--client-cert', 'c.pem', '--client-key', 'k.pem'],
        'needs --endpoint or --endpoints',
      ],
      ['passphrase-file', ['--passphrase-file', 'p'], 'needs --key or --client-key'],
    ] as const
  ).map(([option, given, needs]): RuleRow => ({
    rule: `check: --${option} ${needs}`,
    args: () => ['check', '--cluster', 'c.example.com', 'proxy_cert.pem', ...given],
    stderr: new RegExp(`^certs: --${option} \\S+ ${needs}: `),
  })),
  {
    rule: 'check: --topology needs --endpoint',
    args: () => ['check', '--cluster', 'c.example.com', 'proxy_cert.pem', '--topology'],
    stderr: /^certs: --topology needs --endpoint: the walk asks a live endpoint for its nodes/,
  },
  {
    rule: 'check: --topology excludes --endpoints',
    args: () => [
      'check',
      '--cluster',
      'c.example.com',
      '--endpoint',
      '127.0.0.1:1',
      '--topology',
      '--endpoints',
      'fleet.txt',
    ],
    stderr:
      /^certs: --topology cannot go with --endpoints( \S+)?: the walk starts from one endpoint/,
  },
  {
    rule: 'check: --all-addresses needs --endpoint or --endpoints',
    args: () => ['check', '--cluster', 'c.example.com', 'proxy_cert.pem', '--all-addresses'],
    stderr: /^certs: --all-addresses needs --endpoint or --endpoints: /,
  },
  ...(
    [
      [
        'client-cert',
        ['--endpoint', '127.0.0.1:1', '--client-cert', 'c.pem'],
        'needs --client-key',
      ],
      ['client-key', ['--endpoint', '127.0.0.1:1', '--client-key', 'k.pem'], 'needs --client-cert'],
      ['client-cert', ['--client-cert', 'c.pem', '--client-key', 'k.pem'], 'needs --endpoint'],
      ['passphrase-file', ['--passphrase-file', 'p'], 'needs --client-key'],
      ['timeout', ['--timeout', '5'], 'needs --endpoint'],
    ] as const
  ).map(([option, given, needs]): RuleRow => ({
    rule: `redis-conf: --${option} ${needs}`,
    args: () => ['redis-conf', 'lint', 'redis.conf', ...given],
    stderr: new RegExp(`^certs: --${option} \\S+ ${needs}: `),
  })),
  {
    rule: 'fetch: --force needs --output',
    args: () => ['fetch', '127.0.0.1:1', '--force'],
    stderr: /^certs: --force needs --output: it replaces an existing -o file/,
  },
  {
    rule: 'renew-client: --key-file excludes --reuse-key',
    args: () => [
      'renew-client',
      '--cert',
      'c.pem',
      '--key',
      'k.pem',
      '--reuse-key',
      '--key-file',
      'n.pem',
    ],
    stderr:
      /^certs: --key-file n\.pem cannot go with --reuse-key: with --reuse-key no key is written/,
  },
  ...WRITE_ONLY.map(([option, given]): RuleRow => ({
    rule: `stunnel: --${option} excludes stunnel lint`,
    args: () => ['stunnel', 'lint', 'redislabs.conf', ...given],
    stderr: new RegExp(
      `^certs: --${option}( \\S+)? cannot go with stunnel lint: it is for writing a configuration`,
    ),
  })),
  {
    rule: 'stunnel: --probe needs stunnel lint',
    args: () => [...STUNNEL_WRITE, '--no-probe'],
    stderr: /^certs: --no-probe needs stunnel lint: it is for stunnel lint FILE/,
  },
  {
    rule: 'stunnel: --ping needs stunnel lint',
    args: () => [...STUNNEL_WRITE, '--ping'],
    stderr: /^certs: --ping needs stunnel lint: it is for stunnel lint FILE/,
  },
  {
    rule: 'stunnel: --ping excludes --no-probe',
    args: () => ['stunnel', 'lint', 'redislabs.conf', '--ping', '--no-probe'],
    stderr: /^certs: --ping cannot go with --no-probe: --ping connects to the endpoint/,
  },
  // Issue 14: stunnel test runs FILE as it is; issue --self-signed and --csr; csr --key;
  // export-p12 --truststore.
  ...WRITE_ONLY.map(([option, given]): RuleRow => ({
    rule: `stunnel: --${option} excludes stunnel test`,
    args: () => ['stunnel', 'test', 'redislabs.conf', ...given],
    stderr: new RegExp(
      `^certs: --${option}( \\S+)? cannot go with stunnel test: it is for writing a configuration`,
    ),
  })),
  {
    rule: 'stunnel: --passphrase-file excludes stunnel test',
    args: () => ['stunnel', 'test', 'redislabs.conf', '--passphrase-file', 'key.pass'],
    stderr:
      /^certs: --passphrase-file key\.pass cannot go with stunnel test: stunnel takes no passphrase/,
  },
  {
    rule: 'stunnel: --timeout needs stunnel test',
    args: () => ['stunnel', 'lint', 'redislabs.conf', '--timeout', '5'],
    stderr: /^certs: --timeout 5 needs stunnel test: it is for stunnel test FILE/,
  },
  ...(
    [
      ['ca', ['--ca', 'ca/ca.pem']],
      ['ca-key', ['--ca-key', 'ca/ca-key.pem']],
      ['csr', ['--csr', 'r.csr']],
      ['passphrase-file', ['--passphrase-file', 'key.pass']],
    ] as const
  ).map(([option, given]): RuleRow => ({
    rule: `issue: --self-signed excludes --${option}`,
    args: () => ['issue', '--self-signed', '--cluster', 'c.example.com', ...given],
    stderr: new RegExp(`^certs: --self-signed cannot go with --${option}: a self-signed`),
  })),
  ...(
    [
      ['key-type', ['--key-type', 'ec']],
      ['bits', ['--bits', '2048']],
      ['curve', ['--curve', 'P-256']],
    ] as const
  ).flatMap(([option, given]): RuleRow[] => [
    {
      rule: `issue: --csr excludes --${option}`,
      args: () => [
        'issue',
        '--csr',
        'r.csr',
        '--ca',
        'ca/ca.pem',
        '--ca-key',
        'ca/ca-key.pem',
        ...given,
      ],
      stderr: new RegExp(`^certs: --csr r\\.csr cannot go with --${option}( \\S+)?: the key is`),
    },
    {
      rule: `csr: --key excludes --${option}`,
      args: () => ['csr', '--cluster', 'c.example.com', '--key', 'k.pem', ...given],
      stderr: new RegExp(`^certs: --key k\\.pem cannot go with --${option}( \\S+)?: the request`),
    },
  ]),
  {
    rule: 'csr: --passphrase-file needs --key',
    args: () => ['csr', '--cluster', 'c.example.com', '--passphrase-file', 'key.pass'],
    stderr: /^certs: --passphrase-file key\.pass needs --key: it decrypts the key given with --key/,
  },
  ...(
    [
      ['cert', ['--cert', 'c.pem']],
      ['key', ['--key', 'k.pem']],
      ['chain', ['--chain', 'ca/ca.pem']],
      ['name', ['--name', 'app']],
      ['passphrase-file', ['--passphrase-file', 'key.pass']],
    ] as const
  ).map(([option, given]): RuleRow => ({
    rule: `export-p12: --truststore excludes --${option}`,
    args: () => [
      'export-p12',
      '--truststore',
      'ca/ca.pem',
      '-o',
      't.p12',
      '--new-passphrase-file',
      'key.pass',
      ...given,
    ],
    stderr: new RegExp(
      `^certs: --truststore \\S+ cannot go with --${option}( \\S+)?: a trust store`,
    ),
  })),
  // Issue 19: snippet's client identity, and what only stunnel takes.
  {
    rule: 'snippet: --cert needs --key',
    args: () => [...SNIPPET, '--cert', 'c.pem'],
    stderr: /^certs: --cert c\.pem needs --key: a client identity is a certificate and its key/,
  },
  {
    rule: 'snippet: --key needs --cert',
    args: () => [...SNIPPET, '--key', 'k.pem'],
    stderr: /^certs: --key k\.pem needs --cert: a client identity is a certificate and its key/,
  },
  {
    rule: 'snippet: --client stunnel needs --cert',
    args: () => [
      'snippet',
      '--client',
      'stunnel',
      '--endpoint',
      'd.example.com:1',
      '--ca',
      'ca.pem',
    ],
    stderr: /^certs: --client stunnel needs --cert: stunnel presents a client identity/,
  },
  {
    rule: 'snippet: --accept needs --client stunnel',
    args: () => [...SNIPPET, '--accept', '127.0.0.1:6380'],
    stderr:
      /^certs: --accept 127\.0\.0\.1:6380 needs --client stunnel: it is the local address of stunnel/,
  },
  {
    rule: 'snippet: --cluster excludes --client stunnel',
    args: () => [
      'snippet',
      '--client',
      'stunnel',
      '--cluster',
      '--endpoint',
      'd.example.com:1',
      '--ca',
      'ca.pem',
      '--cert',
      'c.pem',
      '--key',
      'k.pem',
    ],
    stderr: /^certs: --cluster cannot go with --client stunnel: stunnel tunnels one endpoint/,
  },
];

void test('issue 15 (4): every option that only makes sense with another implies it (and says so) or is a usage error', async (t) => {
  // Every rule of every command has a row: a rule added later fails here until it is tested.
  const rules = TABLE.flatMap((c) => c.rules.map((r) => ruleKey(c.name, r)));
  assert.ok(rules.length >= 45, `only ${String(rules.length)} rules`);
  const tested = new Set(RULE_ROWS.map((r) => r.rule));
  assert.deepEqual(
    rules.filter((r) => !tested.has(r)),
    [],
    'rules without a row in RULE_ROWS',
  );
  for (const row of RULE_ROWS) assert.ok(rules.includes(row.rule), `no such rule: ${row.rule}`);

  const dir = tempDir(t);
  const ca = await runCli([
    'gen-ca',
    '--cn',
    'Test Root',
    '--key-type',
    'ec',
    '--out',
    join(dir, 'ca'),
  ]);
  assert.equal(ca.code, 0, ca.stderr);
  writeFileSync(join(dir, 'key.pass'), 'secret\n', { mode: 0o600 });
  const results = await pool(
    RULE_ROWS.map((row, i) => async (): Promise<string | null> => {
      const work = join(dir, `row-${String(i)}`);
      mkdirSync(work);
      symlinkSync(join(dir, 'ca'), join(work, 'ca'));
      symlinkSync(join(dir, 'key.pass'), join(work, 'key.pass'));
      const args = row.args(work);
      const result: RunResult = await runCli(args, { cwd: work });
      const shown = `${row.rule}\ncerts ${args.join(' ')}\nexit ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
      if (!row.stderr.test(result.stderr)) return `stderr\n${shown}`;
      if (row.implied === undefined) {
        if (result.code !== 2 || result.stdout !== '') return `exit\n${shown}`;
        if (result.stderr.split('\n').filter((l) => l !== '').length !== 2)
          return `lines\n${shown}`;
        return null;
      }
      if (result.code !== 0 || !row.implied.stdout.test(result.stdout)) return `implied\n${shown}`;
      return null;
    }),
  );
  assert.deepEqual(
    results.filter((r) => r !== null),
    [],
  );
  // What --passphrase-file was taken as: the new key is encrypted with it.
  const moved = RULE_ROWS.findIndex((r) => r.rule === 'gen-client: --passphrase-file needs --key');
  const key = readFileSync(join(dir, `row-${String(moved)}`, 'out', 'keyclient.pem'), 'utf8');
  assert.match(key, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
});

void test('issue 15 (4): with --json an implied option is applied without a note, stdout one document', async (t) => {
  const dir = tempDir(t);
  const result = await runCli([
    'gen-client',
    '--cn',
    'app',
    '--curve',
    'P-384',
    '--out',
    dir,
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const doc = JSON.parse(result.stdout) as {
    certificate: { key: { type: string; curve: string } };
  };
  assert.deepEqual([doc.certificate.key.type, doc.certificate.key.curve], ['ec', 'P-384']);
});

void test('issue 15 (5): one naming scheme: --out DIR for several files, -o/--output FILE (alias --out) for one, --passphrase-file / --new-passphrase-file', () => {
  const severalFiles = ['gen-client', 'gen-ca', 'gen-intermediate', 'issue', 'csr', 'renew-client'];
  const oneFile = ['chain', 'fetch', 'stunnel', 'export-p12'];
  for (const c of TABLE) {
    const names = c.options.map((o) => o.name);
    const aliases = c.options.flatMap((o) => o.aliases);
    if (severalFiles.includes(c.name)) {
      assert.ok(names.includes('out'), `${c.name} writes several files: --out DIR`);
      assert.ok(!names.includes('output') && !aliases.includes('o'), `${c.name}: no -o/--output`);
    } else if (oneFile.includes(c.name)) {
      const output = c.options.find((o) => o.name === 'output');
      assert.deepEqual(
        [...(output?.aliases ?? [])].sort(),
        ['o', 'out'],
        `${c.name}: -o/--output, --out`,
      );
    } else {
      assert.ok(!names.includes('out') && !names.includes('output'), `${c.name} writes no file`);
    }
    for (const option of c.options) {
      if (/pass(word|phrase)/.test(option.name)) {
        assert.ok(
          ['passphrase-file', 'new-passphrase-file'].includes(option.name),
          `${c.name} --${option.name}: passphrases are --passphrase-file (read) or --new-passphrase-file (written)`,
        );
      }
    }
  }
  assert.deepEqual(
    [
      ...new Set(
        TABLE.flatMap((c) => c.options.flatMap((o) => o.aliases)).filter((a) => /pass/.test(a)),
      ),
    ].sort(),
    ['key-passphrase-file', 'password-file'],
    'the former names stay as aliases',
  );
});

void test('issue 15 (5): the former option names still work as aliases (export-p12 --password-file --key-passphrase-file --out)', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'key.pass'), 'secret\n', { mode: 0o600 });
  writeFileSync(join(dir, 'p12.pass'), 'store\n', { mode: 0o600 });
  const made = await runCli([
    'gen-client',
    '--cn',
    'app',
    '--key-type',
    'ec',
    '--out',
    dir,
    '--new-passphrase-file',
    join(dir, 'key.pass'),
  ]);
  assert.equal(made.code, 0, made.stderr);
  const p12 = await runCli([
    'export-p12',
    '--cert',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'keyclient.pem'),
    '--key-passphrase-file',
    join(dir, 'key.pass'),
    '--out',
    join(dir, 'client.p12'),
    '--password-file',
    join(dir, 'p12.pass'),
    '--json',
  ]);
  assert.equal(p12.code, 0, p12.stderr);
  assert.equal((JSON.parse(p12.stdout) as { path: string }).path, join(dir, 'client.p12'));
});

/** The `certs …` command lines of the README's shell blocks, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .flatMap((l) => l.split(/\s*(?:&&|\|\|?)\s*/))
    .map((l) => l.replace(/^pnpm (--silent )?/, ''))
    .filter((l) => l.startsWith('certs '));
}

void test('issue 15 (5): every certs command line in the README uses the options as named (no former names)', () => {
  const lines = readmeCommands();
  assert.ok(lines.length > 20, `only ${String(lines.length)} README command lines`);
  for (const l of lines) {
    const [, name = '', ...rest] = l.split(/\s+/);
    if (name === 'completion' || name === 'help') continue;
    const c = command(name);
    const primary = new Set(c.options.map((o) => o.name));
    for (const word of rest) {
      if (!word.startsWith('--')) continue;
      const option = word.slice(2).split('=')[0] ?? '';
      const known =
        primary.has(option) || (option.startsWith('no-') && primary.has(option.slice(3)));
      assert.ok(known, `README: ${l}\n  --${option} is not an option name of certs ${name}`);
    }
  }
});

void test('issue 15 (6): examples are never wrapped: each command on one line, its description on the next, at 80 columns', async () => {
  const env = { COLUMNS: '80' };
  const failures = await pool(
    [...TABLE.map((c) => c.name), ''].map((name) => async (): Promise<string[]> => {
      const help = await runCli(name === '' ? ['--help'] : [name, '--help'], { env });
      const problems: string[] = [];
      if (help.code !== 0) problems.push(`${name}: exit ${String(help.code)}`);
      const examples = name === '' ? [] : command(name).examples;
      if (name !== '') assert.ok(examples.length >= 2, `${name}: examples`);
      for (const [line, what] of examples) {
        if (!help.stdout.includes(`\n  ${line}\n      ${what}\n`))
          problems.push(`${name}: ${line}`);
      }
      const exampleLines = new Set(
        help.stdout.split('\n').filter((l) => /^ {2}(certs|rladmin) /.test(l)),
      );
      for (const l of help.stdout.split('\n')) {
        if (l.length > 80 && !exampleLines.has(l)) problems.push(`${name}: over 80 columns: ${l}`);
      }
      if (name === '') {
        // `certs help` and `certs help --help` are `certs --help`.
        for (const args of [['help'], ['help', '--help']]) {
          const viaHelp = await runCli(args, { env });
          if (viaHelp.stdout !== help.stdout || viaHelp.code !== 0)
            problems.push(`certs ${args.join(' ')} differs from certs --help`);
        }
      } else {
        const viaHelp = await runCli(['help', name], { env });
        if (viaHelp.stdout !== help.stdout || viaHelp.code !== 0)
          problems.push(`certs help ${name} differs`);
      }
      return problems;
    }),
  );
  assert.deepEqual(failures.flat(), []);
  const top = await runCli(['--help'], { env });
  assert.match(
    top.stdout,
    /\n {2}certs fetch redis-12000\.redislabs\.com:12000 \| certs chain - ca\.pem -o bundle\.pem\n {6}\S/,
  );
});

void test('issue 15 (6): certs completion --help shows help; certs completion still prints the script', async () => {
  const help = await runCli(['completion', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^certs completion\n/);
  assert.match(help.stdout, /\n {2}certs completion >> ~\/\.bashrc\n/);
  assert.match(help.stdout, /EXIT CODES/);
  assert.doesNotMatch(help.stdout, /begin-certs-completions/);
  const script = await runCli(['completion']);
  assert.equal(script.code, 0, script.stderr);
  assert.match(script.stdout, /###-begin-certs-completions-###/);
});

void test('issue 15 (6): mistyped commands and options are reported as typed, with what was meant', async () => {
  const rows: { args: string[]; stderr: string }[] = [
    {
      args: ['genclient'],
      stderr:
        "certs: unknown command genclient: did you mean gen-client?\nrun 'certs gen-client --help' for usage\n",
    },
    {
      args: ['help', 'genclient'],
      stderr:
        "certs: unknown command genclient: did you mean gen-client?\nrun 'certs gen-client --help' for usage\n",
    },
    {
      args: ['gen-client', '-cn', 'app'],
      stderr:
        "certs: unknown option -cn: long options take two dashes, --cn\nrun 'certs gen-client --help' for usage\n",
    },
    {
      args: ['gen-client', '--fooBar', 'x'],
      stderr: "certs: unknown option --fooBar\nrun 'certs gen-client --help' for usage\n",
    },
    {
      args: ['gen-client', '--foo-bar', 'x'],
      stderr: "certs: unknown option --foo-bar\nrun 'certs gen-client --help' for usage\n",
    },
    {
      args: ['gen-client', '--keyType', 'ec'],
      stderr:
        "certs: unknown option --keyType: did you mean --key-type?\nrun 'certs gen-client --help' for usage\n",
    },
    {
      args: ['chain', 'a.pem', '--ouput', 'b.pem'],
      stderr:
        "certs: unknown option --ouput: did you mean --output?\nrun 'certs chain --help' for usage\n",
    },
  ];
  for (const row of rows) {
    const result = await runCli(row.args);
    assert.equal(result.code, 2, row.args.join(' '));
    assert.equal(result.stderr, row.stderr, row.args.join(' '));
    assert.equal(result.stdout, '');
  }
});
