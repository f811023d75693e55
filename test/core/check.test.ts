/**
 * Issue 5: `checkEndpointCertificate` lists every problem of an endpoint certificate for a
 * cluster, one finding per fault, on test PKI made by the openssl CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkEndpointCertificate, parseCertificates } from '@certkit/core';
import type { CheckOptions, CheckReport } from '@certkit/core';
import { makeCert } from '../helpers/pki.js';
import type { CertSpec, MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const C = 'redislabs.com';
const DAY = 86_400_000;

interface Row {
  readonly name: string;
  /** The leaf; issued by the root unless `issuer` says otherwise. */
  readonly leaf: Omit<CertSpec, 'name' | 'issuer'>;
  readonly issuer?: 'root' | 'intermediate' | 'other-root';
  /** Chain order after the leaf. */
  readonly chain?: readonly ('intermediate' | 'root')[];
  readonly options?: Partial<Omit<CheckOptions, 'certificates' | 'key' | 'now'>>;
  /** Evaluation time relative to the leaf's validity. */
  readonly at?: 'after-expiry' | 'before-start' | 'ten-days-left';
  readonly withCa?: boolean;
  readonly key?: 'own' | 'other';
  /** Expected finding codes with severities, sorted. */
  readonly expect: readonly string[];
  readonly stacks?: Readonly<Record<string, readonly string[]>>;
  readonly ok: boolean;
}

const server = { ca: false, eku: 'serverAuth' } as const;
const enterprise = {
  subject: `/CN=${C}`,
  ca: false,
  keyType: 'rsa2048',
  keyUsage: 'critical, digitalSignature, keyEncipherment',
  eku: 'serverAuth, clientAuth',
  san: [`DNS:${C}`, `DNS:*.${C}`, `DNS:internal.${C}`, `DNS:*.internal.${C}`],
} as const;

const ROWS: readonly Row[] = [
  {
    name: 'SAN *.C passes, with CA and key',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    withCa: true,
    key: 'own',
    expect: [],
    ok: true,
  },
  {
    name: 'redis-*.C is a partial wildcard, an error under strict',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-*.${C}`] },
    expect: ['PARTIAL_WILDCARD:error'],
    stacks: { PARTIAL_WILDCARD: ['openssl', 'python', 'go'] },
    ok: false,
  },
  {
    name: 'redis-*.C is a warning under compat',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-*.${C}`] },
    options: { profile: 'compat' },
    expect: ['PARTIAL_WILDCARD:warning'],
    ok: true,
  },
  {
    name: 'redis-*.C next to *.C: harmless, a warning',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-*.${C}`, `DNS:*.${C}`] },
    expect: ['PARTIAL_WILDCARD:warning'],
    ok: true,
  },
  {
    name: 'redis*.C (no hyphen) is refused by Python and Go only',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis*.${C}`] },
    expect: ['PARTIAL_WILDCARD:error'],
    stacks: { PARTIAL_WILDCARD: ['python', 'go'] },
    ok: false,
  },
  {
    name: 'CN only, no SAN',
    leaf: { ...server, subject: `/CN=redis-12000.${C}` },
    expect: ['CN_ONLY:error'],
    stacks: { CN_ONLY: ['go'] },
    ok: false,
  },
  {
    name: 'CN only under compat is a warning',
    leaf: { ...server, subject: `/CN=redis-12000.${C}` },
    options: { profile: 'compat' },
    expect: ['CN_ONLY:warning'],
    ok: true,
  },
  {
    name: 'expired',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    at: 'after-expiry',
    expect: ['EXPIRED:error'],
    ok: false,
  },
  {
    name: 'not yet valid',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    at: 'before-start',
    expect: ['NOT_YET_VALID:error'],
    ok: false,
  },
  {
    name: 'expires within warnDays',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    at: 'ten-days-left',
    expect: ['EXPIRES_SOON:warning'],
    ok: true,
  },
  {
    name: 'ten days left is fine with warnDays 5',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    at: 'ten-days-left',
    options: { warnDays: 5 },
    expect: [],
    ok: true,
  },
  {
    name: 'another cluster',
    leaf: { ...server, subject: '/CN=proxy', san: ['DNS:*.example.org'] },
    expect: ['NAME_MISMATCH:error'],
    ok: false,
  },
  {
    name: 'SHA-1 signature',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`], digest: 'sha1' },
    expect: ['WEAK_SIGNATURE:error'],
    ok: false,
  },
  {
    name: '1024-bit RSA key',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`], keyType: 'rsa1024' },
    expect: ['WEAK_KEY:error'],
    ok: false,
  },
  {
    name: 'EKU clientAuth only',
    leaf: { ca: false, eku: 'clientAuth', subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    expect: ['MISSING_EKU:error'],
    ok: false,
  },
  {
    // Issue 17: every client stack accepts a CA:TRUE server certificate (STACKS.md leaf-ca-true).
    name: 'leaf is a CA: a warning, clients accept it',
    leaf: { ca: true, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    withCa: true,
    expect: ['LEAF_IS_CA:warning'],
    ok: true,
  },
  {
    name: 'issued by another root: chain invalid',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    issuer: 'other-root',
    withCa: true,
    expect: ['CHAIN_INVALID:error'],
    ok: false,
  },
  {
    name: 'key of another certificate',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    key: 'other',
    expect: ['KEY_MISMATCH:error'],
    ok: false,
  },
  {
    name: '--internal needs *.internal.C',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    options: { internal: true },
    expect: ['NAME_MISMATCH:error'],
    ok: false,
  },
  {
    name: 'redis-enterprise: the documented proxy certificate passes',
    leaf: enterprise,
    issuer: 'intermediate',
    chain: ['intermediate', 'root'],
    withCa: true,
    key: 'own',
    options: { profile: 'redis-enterprise' },
    expect: [],
    ok: true,
  },
  {
    name: 'redis-enterprise: *.C alone lacks SANs, clientAuth, keyEncipherment-free EC is fine, CN',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    options: { profile: 'redis-enterprise' },
    expect: ['MISSING_EKU:error', 'MISSING_SAN:error', 'NAME_MISMATCH:error', 'WRONG_CN:error'],
    ok: false,
  },
  {
    name: 'redis-enterprise: chain out of order',
    leaf: enterprise,
    issuer: 'intermediate',
    chain: ['root', 'intermediate'],
    withCa: true,
    options: { profile: 'redis-enterprise' },
    expect: ['CHAIN_ORDER:error'],
    ok: false,
  },
];

test('checkEndpointCertificate: one finding per fault (issue 5)', async (t) => {
  const dir = tempDir(t);
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Check Root', ca: true });
  const otherRoot = await makeCert(dir, {
    name: 'other-root',
    subject: '/CN=Other Root',
    ca: true,
  });
  const intermediate = await makeCert(dir, {
    name: 'intermediate',
    subject: '/CN=Check Intermediate',
    ca: true,
    issuer: root,
  });
  const issuers: Record<string, MadeCert> = {
    root,
    intermediate,
    'other-root': otherRoot,
  };
  const read = (path: string, label: string) => parseCertificates(readFileSync(path), label);
  const anchors = read(root.cert, 'root.pem');

  for (const [i, row] of ROWS.entries()) {
    await t.test(row.name, async () => {
      const issuer = issuers[row.issuer ?? 'root'];
      assert.ok(issuer);
      const made = await makeCert(dir, { ...row.leaf, name: `leaf-${String(i)}`, issuer });
      const chain = [
        ...read(made.cert, `leaf-${String(i)}.pem`),
        ...(row.chain ?? []).flatMap((c) => read(issuers[c]?.cert ?? '', `${c}.pem`)),
      ];
      const leaf = chain[0];
      assert.ok(leaf);
      const notBefore = Date.parse(leaf.info.notBefore);
      const notAfter = Date.parse(leaf.info.notAfter);
      const now =
        row.at === 'after-expiry'
          ? new Date(notAfter + DAY)
          : row.at === 'before-start'
            ? new Date(notBefore - DAY)
            : row.at === 'ten-days-left'
              ? new Date(notAfter - 10 * DAY)
              : new Date(notBefore + DAY);
      const keyPath = row.key === 'own' ? made.key : row.key === 'other' ? root.key : undefined;
      const report: CheckReport = checkEndpointCertificate({
        cluster: C,
        certificates: chain,
        now,
        ...(row.withCa === true ? { ca: anchors } : {}),
        ...(keyPath === undefined
          ? {}
          : { key: { bytes: readFileSync(keyPath), source: keyPath } }),
        ...row.options,
      });
      const got = report.findings.map((f) => `${f.code}:${f.severity}`).sort();
      assert.deepEqual(got, [...row.expect].sort(), JSON.stringify(report.findings, null, 2));
      assert.equal(report.ok, row.ok);
      for (const [code, stacks] of Object.entries(row.stacks ?? {})) {
        const finding = report.findings.find((f) => f.code === code);
        assert.deepEqual([...(finding?.stacks ?? [])].sort(), [...stacks].sort());
      }
      if (row.expect.includes('PARTIAL_WILDCARD:error')) {
        const message = report.findings.find((f) => f.code === 'PARTIAL_WILDCARD')?.message ?? '';
        assert.match(message, /Python ssl/);
        assert.match(message, /Go crypto\/x509/);
        assert.match(message, /use \*\.redislabs\.com/);
      }
    });
  }
});

test('checkEndpointCertificate refuses what it cannot check', async (t) => {
  const dir = tempDir(t);
  const made = await makeCert(dir, { name: 'leaf', subject: '/CN=x', san: [`DNS:*.${C}`] });
  const certificates = parseCertificates(readFileSync(made.cert), 'leaf.pem');
  const cases: readonly { name: string; options: CheckOptions; code: string }[] = [
    {
      name: 'wildcard cluster',
      options: { cluster: '*.redislabs.com', certificates },
      code: 'INVALID_OPTION',
    },
    {
      name: 'cluster with a port',
      options: { cluster: 'redislabs.com:443', certificates },
      code: 'INVALID_OPTION',
    },
    {
      name: 'single-label cluster',
      options: { cluster: 'localhost', certificates },
      code: 'INVALID_OPTION',
    },
    { name: 'no certificate', options: { cluster: C, certificates: [] }, code: 'INVALID_OPTION' },
    {
      name: 'negative warn days',
      options: { cluster: C, certificates, warnDays: -1 },
      code: 'INVALID_OPTION',
    },
    {
      name: 'a certificate where the key should be',
      options: {
        cluster: C,
        certificates,
        key: { bytes: readFileSync(made.cert), source: 'leaf.pem' },
      },
      code: 'KEY_INVALID',
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(() => checkEndpointCertificate(c.options), {
        name: 'CertkitError',
        code: c.code,
      });
    });
  }
});
