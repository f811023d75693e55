/**
 * Issue 5: `certs check` and `certs fetch` as users run them (the built binary): one run over
 * several files gives each fault its own finding, exit codes 0/1/2, the --json schema, and
 * fetch saving a live chain without replacing files unless --force.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { CertSpec, MadeCert } from '../helpers/pki.js';
import { freePort } from '../helpers/process.js';
import { tempDir } from '../helpers/tmp.js';

const C = 'redislabs.com';

/** One file per fault, as the "must show" lists them. */
const FILES: readonly {
  file: string;
  spec: Omit<CertSpec, 'name' | 'issuer'>;
  codes: readonly string[];
}[] = [
  {
    file: 'wildcard',
    spec: { subject: '/CN=proxy', ca: false, eku: 'serverAuth', san: [`DNS:*.${C}`] },
    codes: [],
  },
  {
    file: 'partial',
    spec: { subject: '/CN=proxy', ca: false, eku: 'serverAuth', san: [`DNS:redis-*.${C}`] },
    codes: ['PARTIAL_WILDCARD'],
  },
  {
    file: 'cn-only',
    spec: { subject: `/CN=redis-12000.${C}`, ca: false, eku: 'serverAuth' },
    // That CN names the database on port 12000 alone.
    codes: ['CN_ONLY', 'NAME_PORT_SPECIFIC'],
  },
  // -days -1: notAfter a day before notBefore, so expired now (openssl 3.0 x509 has no -not_after).
  {
    file: 'expired',
    spec: { subject: '/CN=proxy', ca: false, eku: 'serverAuth', san: [`DNS:*.${C}`], days: -1 },
    codes: ['EXPIRED'],
  },
  {
    file: 'other-cluster',
    spec: { subject: '/CN=proxy', ca: false, eku: 'serverAuth', san: ['DNS:*.example.org'] },
    codes: ['NAME_MISMATCH'],
  },
  {
    file: 'sha1',
    spec: {
      subject: '/CN=proxy',
      ca: false,
      eku: 'serverAuth',
      san: [`DNS:*.${C}`],
      digest: 'sha1',
    },
    codes: ['WEAK_SIGNATURE'],
  },
  {
    file: 'rsa1024',
    spec: {
      subject: '/CN=proxy',
      ca: false,
      eku: 'serverAuth',
      san: [`DNS:*.${C}`],
      keyType: 'rsa1024',
    },
    codes: ['WEAK_KEY'],
  },
];

interface Made {
  readonly dir: string;
  readonly root: MadeCert;
  readonly paths: Readonly<Record<string, string>>;
}

async function makeFiles(t: TestContext): Promise<Made> {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=CLI Root', ca: true });
  const paths: Record<string, string> = {};
  for (const row of FILES) {
    const made = await makeCert(dir, { ...row.spec, name: row.file, issuer: root });
    paths[row.file] = made.cert;
  }
  return { dir, root, paths };
}

interface JsonFinding {
  code: string;
  severity: string;
  message: string;
  stacks?: string[];
}
interface JsonReport {
  ok: boolean;
  source: string;
  cluster: string;
  profile: string;
  findings: JsonFinding[];
  names: {
    name: string;
    rfc9525: boolean;
    disagree: boolean;
    clients: { stack: string; accepts: boolean; reason: string }[];
  }[];
  clients: { name: string; verdicts: unknown[] }[];
  certificates: { ref: string; subject: string; fingerprintSha256: string }[];
  chainValid: boolean | null;
  trust: { stack: string; accepts: boolean; reason: string }[] | null;
}
interface JsonResult {
  ok: boolean;
  cluster: string;
  profile: string;
  strict: boolean;
  summary: { errors: number; warnings: number };
  reports: JsonReport[];
}

test('certs check: one run over several files, each fault its own finding (issue 5)', async (t) => {
  const made = await makeFiles(t);
  const files = FILES.map((f) => made.paths[f.file] ?? '');
  const result = await runCli([
    'check',
    '--cluster',
    C,
    '--ca',
    made.root.cert,
    '--json',
    ...files,
  ]);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '');
  const doc = JSON.parse(result.stdout) as JsonResult;
  assert.equal(doc.ok, false);
  assert.equal(doc.reports.length, FILES.length);
  for (const [i, row] of FILES.entries()) {
    await t.test(row.file, () => {
      const report = doc.reports[i];
      assert.ok(report);
      assert.equal(report.source, files[i]);
      assert.deepEqual(
        [...new Set(report.findings.map((f) => f.code))].sort(),
        [...row.codes].sort(),
        JSON.stringify(report.findings),
      );
      assert.equal(report.ok, row.codes.length === 0);
    });
  }
  const partial = doc.reports[1]?.findings.find((f) => f.code === 'PARTIAL_WILDCARD');
  assert.ok(partial);
  assert.equal(partial.severity, 'error');
  assert.ok(partial.stacks?.includes('python') && partial.stacks.includes('go'));
  assert.match(partial.message, /Python ssl.*Go crypto\/x509.*use \*\.redislabs\.com/);
  assert.equal(doc.summary.errors, FILES.filter((f) => f.codes.length > 0).length);
});

test('certs check: --json schema (issue 5)', async (t) => {
  const made = await makeFiles(t);
  const result = await runCli(['check', '--cluster', C, '--json', made.paths.partial ?? '']);
  const doc = JSON.parse(result.stdout) as JsonResult;
  assert.deepEqual(Object.keys(doc).sort(), [
    'cluster',
    'ok',
    'profile',
    'reports',
    'strict',
    'summary',
  ]);
  assert.deepEqual(
    { cluster: doc.cluster, profile: doc.profile, strict: doc.strict },
    { cluster: C, profile: 'strict', strict: false },
  );
  const report = doc.reports[0];
  assert.ok(report);
  assert.deepEqual(Object.keys(report).sort(), [
    'certificates',
    'chainValid',
    'clients',
    'cluster',
    'findings',
    'names',
    'ok',
    'profile',
    'source',
    'trust',
  ]);
  assert.equal(report.chainValid, null, 'no --ca: chain not judged');
  assert.equal(report.trust, null, 'no --ca: no trust verdicts');
  assert.deepEqual(
    report.names.map((n) => n.name),
    [`redis-12000.${C}`],
  );
  const row = report.names[0];
  assert.ok(row);
  assert.equal(row.rfc9525, false);
  assert.equal(row.disagree, true);
  assert.deepEqual(
    row.clients.map((v) => `${v.stack}:${String(v.accepts)}`),
    ['node:true', 'openssl:false', 'python:false', 'go:false', 'java:true'],
  );
  for (const f of report.findings) {
    assert.deepEqual(
      Object.keys(f)
        .filter((k) => ['code', 'severity', 'message'].includes(k))
        .sort(),
      ['code', 'message', 'severity'],
    );
    assert.ok(['error', 'warning', 'info'].includes(f.severity));
  }
});

test('certs check: human report and exit codes 0/1/2 (issue 5)', async (t) => {
  const made = await makeFiles(t);
  const partial = made.paths.partial ?? '';
  const cases: readonly {
    name: string;
    args: readonly string[];
    code: number;
    stdout?: RegExp;
    stderr?: RegExp;
    json?: boolean;
  }[] = [
    {
      name: 'passes',
      args: ['--cluster', C, made.paths.wildcard ?? ''],
      code: 0,
      stdout: /pass {2}names\n[\s\S]*OK: 0 errors, 0 warnings/,
    },
    {
      name: 'partial wildcard fails under strict, with the client table',
      args: ['--cluster', C, partial],
      code: 1,
      stdout:
        /fail {2}names: PARTIAL_WILDCARD[\s\S]*clients {2}name[\s\S]*accept {2}reject {2}reject {2}reject {2}accept/,
    },
    {
      name: 'compat: a warning, exit 0',
      args: ['--cluster', C, '--profile', 'compat', partial],
      code: 0,
      stdout: /warn {2}names: PARTIAL_WILDCARD[\s\S]*OK: 0 errors, 1 warning/,
    },
    {
      name: 'compat + --strict: warnings fail',
      args: ['--cluster', C, '--profile', 'compat', '--strict', partial],
      code: 1,
      stdout: /FAIL: 0 errors, 1 warning/,
    },
    {
      name: 'missing file',
      args: ['--cluster', C, join(made.dir, 'nope.pem')],
      code: 2,
      stderr: /^certs: cannot read .*nope\.pem: no such file\n$/,
    },
    {
      name: 'a key where a certificate should be',
      args: ['--cluster', C, join(made.dir, 'wildcard-key.pem')],
      code: 2,
      stderr: /^certs: block 1 in .*wildcard-key\.pem is .*not a certificate/,
    },
    {
      name: 'nothing to check',
      args: ['--cluster', C],
      code: 2,
      stderr: /^certs: give certificate files, an endpoint/,
    },
    {
      name: 'bad cluster (issue 15: said what it is, and the cluster name meant)',
      args: ['--cluster', '*.redislabs.com', partial],
      code: 2,
      stderr:
        /^certs: invalid value for --cluster: "\*\.redislabs\.com" is a wildcard pattern, not a cluster name; .*did you mean --cluster redislabs\.com\?/,
    },
    {
      name: 'bad endpoint',
      args: ['--cluster', C, '--endpoint', 'nohost'],
      code: 2,
      stderr: /^certs: endpoint must look like HOST:PORT/,
    },
    {
      name: 'client cert without key',
      args: ['--cluster', C, '--endpoint', '127.0.0.1:1', '--client-cert', partial],
      code: 2,
      stderr:
        /^certs: --client-cert \S+ needs --client-key: a client identity is a certificate and its key/,
    },
    {
      name: 'bad --min-tls',
      args: ['--cluster', C, '--min-tls', '1.4', partial],
      code: 2,
      stderr: /^certs: invalid value for --/,
    },
    {
      name: 'json error document',
      args: ['--cluster', C, '--json', join(made.dir, 'nope.pem')],
      code: 2,
      json: true,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const result = await runCli(['check', ...c.args]);
      assert.equal(result.code, c.code, result.stdout + result.stderr);
      if (c.stdout !== undefined) assert.match(result.stdout, c.stdout);
      if (c.stderr !== undefined) {
        assert.match(result.stderr, c.stderr);
        assert.equal(result.stdout, '');
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      }
      if (c.json === true) {
        const doc = JSON.parse(result.stdout) as {
          ok: boolean;
          error: { code: string; message: string };
        };
        assert.equal(doc.ok, false);
        assert.equal(doc.error.code, 'FILE_NOT_FOUND');
      }
    });
  }
});

test('certs check and certs fetch: help has examples and EXIT CODES (issue 5)', async () => {
  for (const command of ['check', 'fetch']) {
    const result = await runCli([command, '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Examples:/);
    assert.match(result.stdout, /EXIT CODES/);
  }
});

async function startNodeServer(t: TestContext, key: string, cert: string): Promise<number> {
  const server = createServer({ key, cert }, (socket) => {
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  return (server.address() as AddressInfo).port;
}

test('certs fetch saves the presented chain; never over a file without --force (issue 5)', async (t) => {
  const made = await makeFiles(t);
  const sent =
    readFileSync(made.paths.partial ?? '', 'utf8') + readFileSync(made.root.cert, 'utf8');
  const port = await startNodeServer(
    t,
    readFileSync(join(made.dir, 'partial-key.pem'), 'utf8'),
    sent,
  );
  const endpoint = `127.0.0.1:${String(port)}`;
  const out = join(made.dir, 'proxy_cert.pem');

  const first = await runCli(['fetch', endpoint, '-o', out]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^ok {2}127\.0\.0\.1:\d+ {2}TLSv1\.3 {2}2 certificates {2}sha256:/m);
  assert.equal(readFileSync(out, 'utf8').replace(/\r/g, ''), sent.replace(/\r/g, ''));

  writeFileSync(out, 'keep me\n');
  const refused = await runCli(['fetch', endpoint, '-o', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^certs: .*proxy_cert\.pem/);
  assert.equal(readFileSync(out, 'utf8'), 'keep me\n');

  const forced = await runCli(['fetch', endpoint, '-o', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readFileSync(out, 'utf8').replace(/\r/g, ''), sent.replace(/\r/g, ''));

  const toStdout = await runCli(['fetch', endpoint]);
  assert.equal(toStdout.code, 0);
  assert.equal(toStdout.stdout.replace(/\r/g, ''), sent.replace(/\r/g, ''));

  const json = await runCli(['fetch', endpoint, '--json']);
  const doc = JSON.parse(json.stdout) as {
    ok: boolean;
    endpoints: { certificates: { subject: string }[]; protocol: string }[];
    pem: string;
  };
  assert.equal(doc.ok, true);
  assert.deepEqual(
    doc.endpoints[0]?.certificates.map((c) => c.subject),
    ['CN=proxy', 'CN=CLI Root'],
  );
  assert.equal(doc.endpoints[0].protocol, 'TLSv1.3');
  assert.equal(doc.pem.replace(/\r/g, ''), sent.replace(/\r/g, ''));

  const closed = await freePort();
  const unreachable = await runCli([
    'fetch',
    `127.0.0.1:${String(closed)}`,
    '-o',
    join(made.dir, 'never.pem'),
  ]);
  // An endpoint that cannot be reached is a row of the report (exit 1), and nothing is written.
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stdout, /^FAILED {2}127\.0\.0\.1:\d+ {2}connection refused$/m);
  assert.equal(existsSync(join(made.dir, 'never.pem')), false);
});

test('certs check --endpoint: the live chain is checked like a file (issue 5)', async (t) => {
  const made = await makeFiles(t);
  const port = await startNodeServer(
    t,
    readFileSync(join(made.dir, 'partial-key.pem'), 'utf8'),
    readFileSync(made.paths.partial ?? '', 'utf8'),
  );
  const result = await runCli([
    'check',
    '--cluster',
    C,
    '--endpoint',
    `127.0.0.1:${String(port)}`,
    // The name clients dial (through SNI); without it the endpoint is checked for 127.0.0.1.
    '--sni',
    `redis-12000.${C}`,
    '--ca',
    made.root.cert,
    '--json',
  ]);
  assert.equal(result.code, 1, result.stderr);
  const doc = JSON.parse(result.stdout) as JsonResult & {
    live: { versions: { version: string; accepted: boolean }[] };
  };
  const report = doc.reports[0];
  assert.ok(report);
  assert.equal(report.source, `127.0.0.1:${String(port)}`);
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['PARTIAL_WILDCARD'],
  );
  assert.equal(report.chainValid, true);
  // Node's own defaults: TLS 1.2 and 1.3.
  assert.deepEqual(
    doc.live.versions.filter((v) => v.accepted).map((v) => v.version),
    ['TLSv1.2', 'TLSv1.3'],
  );
});
