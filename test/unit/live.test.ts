/**
 * A live endpoint judged from data: the presented chain and the probe results given as plain
 * values, no socket (checkEndpointCertificate with `live`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEndpointCertificate, isCertkitError } from '@certkit/core';
import type { Certificate, TlsVersionResult } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';

const MODERN: TlsVersionResult[] = [
  { version: 'TLSv1', accepted: false, detail: 'server sent alert: protocol version' },
  { version: 'TLSv1.1', accepted: false, detail: 'server sent alert: protocol version' },
  { version: 'TLSv1.2', accepted: true },
  { version: 'TLSv1.3', accepted: true },
];
const OLD: TlsVersionResult[] = MODERN.map((v) => ({ version: v.version, accepted: true }));

/** A sound chain for `*.example.com` under its root: only the live data can find anything. */
async function soundChain(): Promise<{ leaf: Certificate; root: Certificate }> {
  const root = await memoryCert({ name: 'root.pem', kind: 'ca', commonName: 'Live Root' });
  const leaf = await memoryCert({
    name: 'db.example.com:12000',
    issuer: root,
    commonName: 'example.com',
    dnsNames: ['*.example.com'],
  });
  return { leaf: leaf.certificate, root: root.certificate };
}

test('live findings from probe results given as data', async (t) => {
  const { leaf } = await soundChain();
  const rows = [
    { name: 'TLS 1.2 and 1.3 only: no finding', versions: MODERN, expect: [] },
    {
      name: 'TLS 1.0 and 1.1 accepted: one finding each',
      versions: OLD,
      expect: ['TLS_VERSION_TOO_LOW TLSv1', 'TLS_VERSION_TOO_LOW TLSv1.1'],
    },
    {
      name: 'minimum TLS 1.3: TLS 1.2 is too low too',
      versions: MODERN,
      minTls: 'TLSv1.3' as const,
      expect: ['TLS_VERSION_TOO_LOW TLSv1.2'],
    },
    {
      name: 'a refused client identity',
      versions: MODERN,
      ping: {
        accepted: false,
        protocol: 'TLSv1.3',
        error: 'server sent alert: certificate required',
      },
      expect: ['CLIENT_CERT_REJECTED'],
    },
    {
      name: 'an accepted client identity',
      versions: MODERN,
      ping: { accepted: true, protocol: 'TLSv1.3', reply: '+PONG' },
      expect: [],
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const findings = checkEndpointCertificate({
        cluster: 'example.com',
        source: 'db.example.com:12000',
        certificates: [leaf],
        live: {
          versions: row.versions,
          ...(row.minTls === undefined ? {} : { minTls: row.minTls }),
          ...(row.ping === undefined ? {} : { ping: row.ping }),
          clientCertificateSource: 'cert.pem',
        },
      }).findings;
      assert.deepEqual(
        findings.map((f) =>
          f.code === 'TLS_VERSION_TOO_LOW'
            ? `${f.code} ${/accepts (\S+),/.exec(f.message)?.[1] ?? ''}`
            : f.code,
        ),
        row.expect,
      );
      for (const f of findings) assert.equal(f.severity, 'error');
    });
  }
  await t.test('an unknown minimum version is refused', () => {
    assert.throws(
      () =>
        checkEndpointCertificate({
          cluster: 'example.com',
          certificates: [leaf],
          live: { versions: MODERN, minTls: 'TLSv9' as never },
        }),
      (error: unknown) => isCertkitError(error) && error.code === 'INVALID_OPTION',
    );
  });
});

test('checkEndpointCertificate with live: the presented chain and the live findings in one report', async () => {
  const { leaf, root } = await soundChain();
  const report = checkEndpointCertificate({
    cluster: 'example.com',
    source: 'db.example.com:12000',
    certificates: [leaf],
    ca: [root],
    live: { versions: OLD },
  });
  assert.equal(report.source, 'db.example.com:12000');
  assert.equal(report.chainValid, true);
  assert.deepEqual(
    report.findings.map((f) => f.code),
    ['TLS_VERSION_TOO_LOW', 'TLS_VERSION_TOO_LOW'],
  );
  assert.equal(report.ok, false);
  const clean = checkEndpointCertificate({
    cluster: 'example.com',
    source: 'db.example.com:12000',
    certificates: [leaf],
    live: { versions: MODERN },
  });
  assert.deepEqual(clean.findings, []);
  assert.equal(clean.ok, true);
  const unprobed = checkEndpointCertificate({ cluster: 'example.com', certificates: [leaf] });
  assert.deepEqual(unprobed.findings, []);
});
