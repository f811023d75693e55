/** `certs verify` exit codes and --json schema (issue 4), on openssl-made PKI, via the built binary. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

interface VerifyJson {
  ok: boolean;
  anchored: boolean;
  at: string;
  purpose: string;
  path: { subject: string; fingerprintSha256: string }[];
  findings: { code: string; severity: string; message: string; certificate?: number }[];
}

test('certs verify: exit codes, findings and --json', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Verify Root', ca: true });
  const ica = await makeCert(dir, {
    name: 'ica',
    subject: '/CN=Verify ICA',
    ca: true,
    pathLen: 0,
    issuer: root,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/CN=redis.example.com',
    issuer: ica,
    eku: 'serverAuth',
    san: ['DNS:redis.example.com', 'IP:127.0.0.1'],
    days: 30,
  });
  const bundle = join(dir, 'leaf-and-ica.pem');
  writeFileSync(bundle, readFileSync(leaf.cert, 'utf8') + readFileSync(ica.cert, 'utf8'));

  const rows: {
    name: string;
    args: string[];
    code: number;
    findings?: string[];
  }[] = [
    {
      name: 'valid chain through --untrusted',
      args: [leaf.cert, '--ca', root.cert, '--untrusted', ica.cert, '--host', 'redis.example.com'],
      code: 0,
    },
    {
      name: 'intermediate inside the leaf file',
      args: [bundle, '--ca', root.cert, '--ip', '127.0.0.1'],
      code: 0,
    },
    {
      name: 'host given as an IP literal is matched as an IP',
      args: [bundle, '--ca', root.cert, '--host', '127.0.0.1'],
      code: 0,
    },
    {
      name: 'missing intermediate',
      args: [leaf.cert, '--ca', root.cert],
      code: 1,
      findings: ['ISSUER_NOT_FOUND'],
    },
    {
      name: 'name mismatch',
      args: [bundle, '--ca', root.cert, '--host', 'other.example.com'],
      code: 1,
      findings: ['HOSTNAME_MISMATCH'],
    },
    {
      name: 'expired at --at',
      args: [bundle, '--ca', root.cert, '--at', '2100-01-01T00:00:00Z'],
      code: 1,
      findings: ['EXPIRED'],
    },
    {
      name: 'wrong purpose (serverAuth leaf for a client)',
      args: [bundle, '--ca', root.cert, '--purpose', 'client'],
      code: 1,
      findings: ['EKU_MISMATCH'],
    },
    {
      name: 'depth limit',
      args: [bundle, '--ca', root.cert, '--max-depth', '0'],
      code: 1,
      findings: ['MAX_DEPTH_EXCEEDED'],
    },
    { name: 'no such file', args: [join(dir, 'nope.pem'), '--ca', root.cert], code: 2 },
    { name: 'a key as trust anchor', args: [leaf.cert, '--ca', root.key], code: 2 },
    { name: 'no --ca', args: [leaf.cert], code: 2 },
    {
      name: '--host with --ip',
      args: [bundle, '--ca', root.cert, '--host', 'a.example', '--ip', '1.2.3.4'],
      code: 2,
    },
    { name: 'bad --at', args: [bundle, '--ca', root.cert, '--at', 'tomorrow'], code: 2 },
    { name: 'bad --ip', args: [bundle, '--ca', root.cert, '--ip', '300.1.1.1'], code: 2 },
  ];
  for (const row of rows) {
    await t.test(row.name, async () => {
      const human = await runCli(['verify', ...row.args]);
      assert.equal(human.code, row.code, `${row.name}: ${human.stdout}${human.stderr}`);
      const json = await runCli(['verify', ...row.args, '--json']);
      assert.equal(json.code, row.code);
      const doc = JSON.parse(json.stdout) as VerifyJson & {
        error?: { code: string; message: string };
      };
      if (row.code === 2) {
        // One line on stderr without --json, no stack trace, nothing on stdout.
        assert.match(human.stderr, /^certs: .+\n/);
        assert.doesNotMatch(human.stderr, /\n\s+at /);
        assert.equal(human.stdout, '');
        assert.equal(doc.ok, false);
        assert.equal(typeof doc.error?.code, 'string');
        assert.equal(typeof doc.error?.message, 'string');
        return;
      }
      assert.equal(doc.ok, row.code === 0);
      assert.equal(typeof doc.anchored, 'boolean');
      assert.equal(doc.purpose, row.args.includes('client') ? 'client' : 'server');
      assert.ok(!Number.isNaN(Date.parse(doc.at)));
      assert.ok(doc.path.length >= 1);
      assert.equal(doc.path[0]?.subject, 'CN=redis.example.com');
      for (const f of doc.findings) {
        assert.match(f.code, /^[A-Z_]+$/);
        assert.ok(f.severity === 'error' || f.severity === 'warning');
        assert.ok(f.message.length > 0);
      }
      const errors = doc.findings.filter((f) => f.severity === 'error').map((f) => f.code);
      if (row.code === 0) {
        assert.deepEqual(errors, []);
        assert.equal(doc.anchored, true);
        assert.equal(doc.path[doc.path.length - 1]?.subject, 'CN=Verify Root');
        assert.match(human.stdout, /^OK: valid for server use/);
      } else {
        for (const code of row.findings ?? [])
          assert.ok(errors.includes(code), `${code} in ${errors.join(',')}`);
        // Each reason printed, and the path tried.
        assert.match(human.stdout, /^INVALID/);
        assert.match(human.stdout, /path tried/);
        for (const code of row.findings ?? [])
          assert.match(human.stdout, new RegExp(`error ${code}`));
      }
    });
  }
});

test('certs verify --help has examples and EXIT CODES', async () => {
  const help = await runCli(['verify', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.match(help.stdout, /EXIT CODES/);
});
