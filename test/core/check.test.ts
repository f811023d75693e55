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
  /** The endpoint names checked, in order. */
  readonly names?: readonly string[];
  /** The ports a NAME_PORT_SPECIFIC finding names. */
  readonly portSpecific?: readonly number[];
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
    name: 'CN only, no SAN (and that CN names one port)',
    leaf: { ...server, subject: `/CN=redis-12000.${C}` },
    expect: ['CN_ONLY:error', 'NAME_PORT_SPECIFIC:warning'],
    stacks: { CN_ONLY: ['go'] },
    portSpecific: [12000],
    ok: false,
  },
  {
    name: 'CN only under compat is a warning',
    leaf: { ...server, subject: `/CN=redis-12000.${C}` },
    options: { profile: 'compat' },
    expect: ['CN_ONLY:warning', 'NAME_PORT_SPECIFIC:warning'],
    ok: true,
  },
  // Database ports: a file is checked for redis-<port>.C of each port given.
  {
    name: 'exact redis-13005.C, default port 12000: not covered, and port-specific',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-13005.${C}`] },
    expect: ['NAME_MISMATCH:error', 'NAME_PORT_SPECIFIC:warning'],
    portSpecific: [13005],
    ok: false,
  },
  {
    name: 'exact redis-13005.C checked for port 13005: a warning only',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-13005.${C}`] },
    options: { ports: [13005] },
    expect: ['NAME_PORT_SPECIFIC:warning'],
    names: [`redis-13005.${C}`],
    portSpecific: [13005],
    ok: true,
  },
  {
    name: 'two exact names for two ports, checked for both',
    leaf: {
      ...server,
      subject: '/CN=proxy',
      san: [`DNS:redis-13005.${C}`, `DNS:REDIS-12000.${C.toUpperCase()}`],
    },
    options: { ports: [12000, 13005] },
    expect: ['NAME_PORT_SPECIFIC:warning'],
    names: [`redis-12000.${C}`, `redis-13005.${C}`],
    portSpecific: [12000, 13005],
    ok: true,
  },
  {
    name: 'a port the exact names do not cover is an error',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-13005.${C}`] },
    options: { ports: [13005, 13006] },
    expect: ['NAME_MISMATCH:error', 'NAME_PORT_SPECIFIC:warning'],
    ok: false,
  },
  {
    name: '*.C covers every port: no port warning, even next to an exact name',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-13005.${C}`, `DNS:*.${C}`] },
    options: { ports: [6380, 13005, 65535] },
    expect: [],
    names: [`redis-6380.${C}`, `redis-13005.${C}`, `redis-65535.${C}`],
    ok: true,
  },
  {
    name: 'exact internal names are port-specific too',
    leaf: {
      ...server,
      subject: '/CN=proxy',
      san: [`DNS:*.${C}`, `DNS:redis-13005.internal.${C}`],
    },
    options: { ports: [13005], internal: true },
    expect: ['NAME_PORT_SPECIFIC:warning'],
    names: [`redis-13005.${C}`, `redis-13005.internal.${C}`],
    portSpecific: [13005],
    ok: true,
  },
  {
    name: 'a partial wildcard over ports is no port-specific name',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-1300*.${C}`] },
    options: { ports: [13005], profile: 'compat' },
    expect: ['PARTIAL_WILDCARD:warning'],
    ok: true,
  },
  // The name a client connects to: a live endpoint's host or SNI name.
  {
    name: 'host: the name clients dial is checked, not redis-<port>.C',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:redis-13005.${C}`] },
    options: { host: `redis-13005.${C}` },
    expect: ['NAME_PORT_SPECIFIC:warning'],
    names: [`redis-13005.${C}`],
    ok: true,
  },
  {
    name: 'host: an IP address is matched against IP SANs',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`, 'IP:10.0.0.5'] },
    options: { host: '10.0.0.5' },
    expect: [],
    names: ['10.0.0.5'],
    ok: true,
  },
  {
    name: 'host: an IP address no SAN names',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`, 'DNS:10.0.0.5'] },
    options: { host: '10.0.0.5' },
    expect: ['NAME_MISMATCH:error'],
    ok: false,
  },
  {
    name: 'host with internal: the internal name of each port too',
    leaf: { ...server, subject: '/CN=proxy', san: [`DNS:*.${C}`] },
    options: { host: `redis-13005.${C}`, ports: [13005], internal: true },
    expect: ['NAME_MISMATCH:error'],
    names: [`redis-13005.${C}`, `redis-13005.internal.${C}`],
    ok: false,
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
      if (row.names !== undefined)
        assert.deepEqual(
          report.names.map((n) => n.name),
          row.names,
        );
      if (row.portSpecific !== undefined) {
        const finding = report.findings.find((f) => f.code === 'NAME_PORT_SPECIFIC');
        assert.ok(finding);
        assert.deepEqual(finding.ports, row.portSpecific);
        for (const port of row.portSpecific)
          assert.match(finding.message, new RegExp(`redis-${String(port)}\\.`));
        assert.match(finding.message, /another port will not match/);
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

/** A cluster name of `length` octets: labels of 63 and fewer, under `.test`. */
function longCluster(length: number): string {
  const labels: string[] = [];
  let left = length - 'test'.length - 1;
  while (left > 0) {
    const size = Math.min(63, left - (left > 63 ? 1 : 0));
    labels.push('a'.repeat(size));
    left -= size + 1;
  }
  const name = [...labels, 'test'].join('.');
  assert.equal(name.length, length);
  return name;
}

test('checkEndpointCertificate: the longest cluster whose endpoint names fit is accepted', async (t) => {
  const dir = tempDir(t);
  const made = await makeCert(dir, { name: 'leaf', subject: '/CN=x', san: ['DNS:x.example'] });
  const certificates = parseCertificates(readFileSync(made.cert), 'leaf.pem');
  // redis-12000.<241 octets> is 253 octets; redis-12000.internal.<232> too.
  for (const [cluster, internal] of [
    [longCluster(241), false],
    [longCluster(232), true],
  ] as const) {
    const report = checkEndpointCertificate({ cluster, certificates, internal });
    assert.ok(report.names.every((n) => n.name.length <= 253));
    assert.equal(Math.max(...report.names.map((n) => n.name.length)), 253);
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
    {
      name: 'IPv4 cluster',
      options: { cluster: '10.0.0.5', certificates },
      code: 'INVALID_OPTION',
    },
    { name: 'IPv6 cluster', options: { cluster: '[::1]', certificates }, code: 'INVALID_OPTION' },
    {
      // 6 + 5 + 1 + 242 = 254 octets: redis-12000.<C> passes the 253 of a DNS name.
      name: 'cluster too long for redis-12000.C',
      options: { cluster: longCluster(242), certificates },
      code: 'INVALID_OPTION',
    },
    {
      name: 'cluster too long for redis-12000.internal.C',
      options: { cluster: longCluster(233), certificates, internal: true },
      code: 'INVALID_OPTION',
    },
    { name: 'port 0', options: { cluster: C, certificates, ports: [0] }, code: 'INVALID_OPTION' },
    {
      name: 'port 65536',
      options: { cluster: C, certificates, ports: [65536] },
      code: 'INVALID_OPTION',
    },
    {
      name: 'port 1.5',
      options: { cluster: C, certificates, ports: [1.5] },
      code: 'INVALID_OPTION',
    },
    { name: 'no port', options: { cluster: C, certificates, ports: [] }, code: 'INVALID_OPTION' },
    {
      name: 'a host with a space',
      options: { cluster: C, certificates, host: 'redis 1.example' },
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
