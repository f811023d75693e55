/**
 * Issue 17 (items 3, 4, 11), through the built CLI: which names `certs check` judges. A file is
 * checked for `redis-<port>.C` of each `--port`; a live endpoint for the name its clients dial
 * (its host, or `--sni`), never an invented `redis-12000.C`; a certificate that names single
 * ports exactly is warned that a database on another port will not match; every documented
 * `--min-tls` choice works; a cluster that is an IP address or too long is refused (exit 2).
 * Live checks run against a loopback TLS server that picks its certificate by SNI.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer } from 'node:tls';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import type { CertSpec, MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const C = 'redislabs.com';

interface JsonFinding {
  code: string;
  severity: string;
  message: string;
  ports?: number[];
}
interface JsonReport {
  source: string;
  findings: JsonFinding[];
  names: { name: string; rfc9525: boolean; reason?: string }[];
  certificates: { fingerprintSha256: string; subject: string }[];
}
interface JsonResult {
  ok: boolean;
  reports: JsonReport[];
  live?: { minTls: string; versions: { version: string; accepted: boolean }[] };
  error?: { code: string; message: string };
}

interface Pki {
  readonly dir: string;
  readonly root: MadeCert;
  readonly make: (name: string, spec: Omit<CertSpec, 'name' | 'issuer'>) => Promise<MadeCert>;
}

async function makePki(t: TestContext): Promise<Pki> {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Names Root', ca: true });
  return {
    dir,
    root,
    make: (name, spec) =>
      makeCert(dir, { ca: false, eku: 'serverAuth', ...spec, name, issuer: root }),
  };
}

function codes(report: JsonReport | undefined): string[] {
  return (report?.findings ?? []).map((f) => `${f.code}:${f.severity}`).sort();
}

async function checkJson(
  args: readonly string[],
): Promise<{ code: number | null; doc: JsonResult }> {
  const result = await runCli(['check', ...args, '--json']);
  return { code: result.code, doc: JSON.parse(result.stdout) as JsonResult };
}

/**
 * A loopback TLS server that presents `bySni[name]` for an SNI name it knows and `fallback`
 * otherwise (no SNI included), and records the SNI names it was sent. Closed when the test ends.
 */
async function startSniServer(
  t: TestContext,
  fallback: MadeCert,
  bySni: Readonly<Record<string, MadeCert>>,
): Promise<{ port: number; seen: (string | undefined)[] }> {
  const seen: (string | undefined)[] = [];
  const context = (made: MadeCert) =>
    createSecureContext({ cert: readFileSync(made.cert), key: readFileSync(made.key) });
  const server = createServer(
    {
      cert: readFileSync(fallback.cert),
      key: readFileSync(fallback.key),
      SNICallback: (name, done) => {
        seen.push(name);
        const made = bySni[name];
        done(null, made === undefined ? undefined : context(made));
      },
    },
    (socket) => {
      socket.on('error', () => undefined);
      socket.end();
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  return { port: (server.address() as AddressInfo).port, seen };
}

test('check --endpoint judges the endpoint own name: its host, or --sni (issue 17 item 3)', async (t) => {
  const pki = await makePki(t);
  const exact = await pki.make('exact-13005', {
    subject: '/CN=proxy',
    san: [`DNS:redis-13005.${C}`],
  });
  const byIp = await pki.make('by-ip', { subject: '/CN=proxy', san: ['IP:127.0.0.1'] });
  const server = await startSniServer(t, byIp, { [`redis-13005.${C}`]: exact });
  const endpoint = `127.0.0.1:${String(server.port)}`;
  const fingerprint = (made: MadeCert) =>
    new X509Certificate(readFileSync(made.cert)).fingerprint256;

  await t.test(
    '--sni redis-13005.C: that name is checked, a warning that it is port-specific',
    async () => {
      const { code, doc } = await checkJson([
        '--cluster',
        C,
        '--endpoint',
        endpoint,
        '--sni',
        `redis-13005.${C}`,
        '--ca',
        pki.root.cert,
      ]);
      const report = doc.reports[0];
      assert.ok(report);
      assert.equal(code, 0, JSON.stringify(report.findings));
      assert.deepEqual(
        report.names.map((n) => n.name),
        [`redis-13005.${C}`],
      );
      assert.equal(report.certificates[0]?.fingerprintSha256, fingerprint(exact));
      assert.deepEqual(codes(report), ['NAME_PORT_SPECIFIC:warning']);
      const warning = report.findings[0];
      assert.ok(warning);
      assert.deepEqual(warning.ports, [13005]);
      assert.match(warning.message, /only database port 13005 \(redis-13005\.redislabs\.com\)/);
      assert.ok(server.seen.includes(`redis-13005.${C}`), 'the SNI name was sent');
    },
  );

  await t.test(
    'no --sni: the endpoint host, an IP address, is checked against IP SANs',
    async () => {
      const { code, doc } = await checkJson(['--cluster', C, '--endpoint', endpoint]);
      const report = doc.reports[0];
      assert.ok(report);
      assert.equal(code, 0, JSON.stringify(report.findings));
      assert.deepEqual(
        report.names.map((n) => [n.name, n.rfc9525]),
        [['127.0.0.1', true]],
      );
      assert.equal(report.certificates[0]?.fingerprintSha256, fingerprint(byIp));
      assert.deepEqual(codes(report), []);
    },
  );

  await t.test('the name the endpoint is dialled by decides, in the human report too', async () => {
    // A name the certificate does not cover: the report names it, and no invented one.
    const result = await runCli([
      'check',
      '--cluster',
      C,
      '--endpoint',
      endpoint,
      '--sni',
      `redis-14000.${C}`,
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /fail {2}names: NAME_MISMATCH redis-14000\.redislabs\.com is not covered/,
    );
    assert.doesNotMatch(result.stdout, /redis-12000/);
  });
});

test('check --port names the database ports a file is checked for (issue 17 item 3)', async (t) => {
  const pki = await makePki(t);
  const exact = await pki.make('exact', { subject: '/CN=proxy', san: [`DNS:redis-13005.${C}`] });
  const wildcard = await pki.make('wildcard', { subject: '/CN=proxy', san: [`DNS:*.${C}`] });

  await t.test('default port 12000: not covered; the warning says which port is', async () => {
    const { code, doc } = await checkJson(['--cluster', C, exact.cert]);
    assert.equal(code, 1);
    assert.deepEqual(codes(doc.reports[0]), ['NAME_MISMATCH:error', 'NAME_PORT_SPECIFIC:warning']);
    assert.deepEqual(
      doc.reports[0]?.names.map((n) => n.name),
      [`redis-12000.${C}`],
    );
  });

  await t.test('--port 13005: covered, warned (exit 0; 1 with --strict)', async () => {
    const result = await runCli(['check', '--cluster', C, '--port', '13005', exact.cert]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /warn {2}names: NAME_PORT_SPECIFIC the certificate names only database port 13005 \(redis-13005\.redislabs\.com\): a database on another port will not match; a certificate for \*\.redislabs\.com covers every port/,
    );
    const strict = await runCli([
      'check',
      '--cluster',
      C,
      '--port',
      '13005',
      '--strict',
      exact.cert,
    ]);
    assert.equal(strict.code, 1);
  });

  await t.test('--port repeated: every port is checked; a wildcard covers them all', async () => {
    const { code, doc } = await checkJson([
      '--cluster',
      C,
      '--port',
      '12000',
      '--port',
      '13005',
      '--port',
      '6380',
      wildcard.cert,
    ]);
    assert.equal(code, 0);
    assert.deepEqual(
      doc.reports[0]?.names.map((n) => n.name),
      [`redis-12000.${C}`, `redis-13005.${C}`, `redis-6380.${C}`],
    );
    assert.deepEqual(codes(doc.reports[0]), []);
  });

  const refused: readonly { name: string; args: readonly string[]; stderr: RegExp }[] = [
    {
      name: 'port 0',
      args: ['--port', '0', wildcard.cert],
      stderr: /^certs: a database port is a whole number from 1 to 65535, got 0\n/,
    },
    {
      name: 'port 65536',
      args: ['--port', '65536', wildcard.cert],
      stderr: /^certs: a database port is a whole number from 1 to 65535, got 65536\n/,
    },
    {
      name: 'a port that is no number',
      args: ['--port', 'abc', wildcard.cert],
      stderr: /^certs: a database port is a whole number from 1 to 65535/,
    },
    {
      name: 'ports without a file (the endpoint is checked for its own name)',
      args: ['--port', '13005', '--endpoint', '127.0.0.1:1'],
      stderr: /^certs: database ports name what a certificate file is checked for/,
    },
  ];
  for (const c of refused) {
    await t.test(`refused: ${c.name}`, async () => {
      const result = await runCli(['check', '--cluster', C, ...c.args]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, c.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

test('check --min-tls: every documented choice works (issue 17 item 4)', async (t) => {
  const pki = await makePki(t);
  const leaf = await pki.make('leaf', { subject: '/CN=proxy', san: [`DNS:*.${C}`] });
  // Node's defaults: TLS 1.2 and 1.3 only.
  const server = await startSniServer(t, leaf, {});
  const endpoint = `127.0.0.1:${String(server.port)}`;
  const choices = [
    { choice: '1.0', version: 'TLSv1', tooLow: [] },
    { choice: '1.1', version: 'TLSv1.1', tooLow: [] },
    { choice: '1.2', version: 'TLSv1.2', tooLow: [] },
    { choice: '1.3', version: 'TLSv1.3', tooLow: ['TLSv1.2'] },
  ] as const;
  for (const c of choices) {
    await t.test(`--min-tls ${c.choice}`, async () => {
      const args = ['--cluster', C, '--endpoint', endpoint, '--sni', `redis-12000.${C}`];
      const { code, doc } = await checkJson([...args, '--min-tls', c.choice]);
      assert.equal(doc.live?.minTls, c.version);
      const tooLow = (doc.reports[0]?.findings ?? []).filter(
        (f) => f.code === 'TLS_VERSION_TOO_LOW',
      );
      assert.deepEqual(
        tooLow.map((f) => /accepts (\S+),/.exec(f.message)?.[1]),
        c.tooLow,
      );
      assert.equal(code, c.tooLow.length === 0 ? 0 : 1);
    });
  }
  for (const bad of ['1.4', '1', 'TLSv1.2']) {
    await t.test(`--min-tls ${bad} is refused`, async () => {
      const result = await runCli(['check', '--cluster', C, '--min-tls', bad, leaf.cert]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^certs: invalid value for --min-tls/);
    });
  }
});

test('check refuses a cluster that is an IP address or too long for its endpoint names (issue 17 item 11)', async (t) => {
  const pki = await makePki(t);
  const leaf = await pki.make('leaf', { subject: '/CN=proxy', san: [`DNS:*.${C}`] });
  // 242 octets: redis-12000.<cluster> would be 254.
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(45)}.test`;
  assert.equal(long.length, 242);
  const cases = [
    // An IP address is recognised as what it is (a usage error, as any value that is not a
    // cluster name, issue 15); a name too long is refused by the check itself.
    {
      name: 'IPv4',
      cluster: '10.0.0.5',
      message: /is an IP address, not a cluster name/,
      error: 'USAGE',
    },
    {
      name: 'IPv6',
      cluster: '[2001:db8::1]',
      message: /is an IP address, not a cluster name/,
      error: 'USAGE',
    },
    {
      name: 'too long',
      cluster: long,
      message: /redis-12000\.a+\S* would be 254 octets, over the 253/,
      error: 'INVALID_OPTION',
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const text = await runCli(['check', '--cluster', c.cluster, leaf.cert]);
      assert.equal(text.code, 2, text.stdout + text.stderr);
      assert.equal(text.stdout, '');
      assert.match(text.stderr, c.message);
      const { code, doc } = await checkJson(['--cluster', c.cluster, leaf.cert]);
      assert.equal(code, 2);
      assert.equal(doc.ok, false);
      assert.equal(doc.error?.code, c.error);
    });
  }
});

test('check: the RFC 9525 column on a trailing-dot SAN and a public-suffix wildcard (issue 17 item 11)', async (t) => {
  const pki = await makePki(t);
  const dotted = await pki.make('dotted', { subject: '/CN=proxy', san: [`DNS:redis-12000.${C}.`] });
  const suffix = await pki.make('suffix', { subject: '/CN=proxy', san: ['DNS:*.co.uk'] });
  const withDot = await checkJson(['--cluster', C, '--profile', 'compat', dotted.cert]);
  const dotName = withDot.doc.reports[0]?.names[0];
  assert.ok(dotName);
  assert.equal(dotName.rfc9525, false);
  assert.match(dotName.reason ?? '', /ends with a dot.*RFC 5280 section 4\.2\.1\.6/);
  const overSuffix = await checkJson(['--cluster', 'co.uk', '--profile', 'compat', suffix.cert]);
  const suffixName = overSuffix.doc.reports[0]?.names[0];
  assert.ok(suffixName);
  assert.equal(suffixName.rfc9525, false);
  assert.match(
    suffixName.reason ?? '',
    /a CA\/Browser Forum rule \(Baseline Requirements section 3\.2\.2\.6\) refuses it, not RFC 9525/,
  );
});
