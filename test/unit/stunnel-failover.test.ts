/**
 * stunnel failover endpoints, in memory: several `connect` lines rendered through the bounded
 * renderer with a name check covering every endpoint, and lint judging every connect line's
 * endpoint (not only the last, as options that take one value are read), from probe results
 * given as data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isCertkitError,
  lintStunnelConfigInMemory,
  parseStunnelConfig,
  renderStunnelConfig,
} from '@certkit/core';
import type { StunnelProbeResult } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';

const PATHS = { cert: '/m/cert.pem', key: '/m/keyclient.pem', cafile: '/m/servercerts.pem' };

/** The service's options, name and value, in order. */
function serviceOptions(text: string): [string, string][] {
  const [, service] = parseStunnelConfig(text).sections;
  assert.ok(service !== undefined);
  return service.options.map((o) => [o.name, o.value]);
}

test('failover endpoints are connect lines tried in order, each endpoint name checked', async (t) => {
  const rows: {
    name: string;
    connect: string[];
    checkHost?: string;
    sni?: string;
    expected: [string, string][];
  }[] = [
    {
      name: 'two nodes by address, the database name given: one checkHost, the name as SNI',
      connect: ['10.0.0.5:12000', '10.0.0.6:12000'],
      checkHost: 'redis-12000.c.example.com',
      expected: [
        ['connect', '10.0.0.5:12000'],
        ['connect', '10.0.0.6:12000'],
        ['failover', 'prio'],
        ['checkHost', 'redis-12000.c.example.com'],
        ['sni', 'redis-12000.c.example.com'],
      ],
    },
    {
      name: 'two names: a checkHost line each (stunnel accepts any), the first as SNI',
      connect: ['redis-12000.c.example.com:12000', 'redis-12000.internal.c.example.com:12000'],
      expected: [
        ['connect', 'redis-12000.c.example.com:12000'],
        ['connect', 'redis-12000.internal.c.example.com:12000'],
        ['failover', 'prio'],
        ['checkHost', 'redis-12000.c.example.com'],
        ['checkHost', 'redis-12000.internal.c.example.com'],
        ['sni', 'redis-12000.c.example.com'],
      ],
    },
    {
      name: 'two addresses and no name: a checkIP line each, no SNI',
      connect: ['10.0.0.5:12000', '10.0.0.6:12000', '10.0.0.5:12000'],
      expected: [
        ['connect', '10.0.0.5:12000'],
        ['connect', '10.0.0.6:12000'],
        ['failover', 'prio'],
        ['checkIP', '10.0.0.5'],
        ['checkIP', '10.0.0.6'],
      ],
    },
    {
      name: 'one endpoint: as before, no failover line',
      connect: ['redis-12000.c.example.com:12000'],
      expected: [
        ['connect', 'redis-12000.c.example.com:12000'],
        ['checkHost', 'redis-12000.c.example.com'],
        ['sni', 'redis-12000.c.example.com'],
      ],
    },
  ];
  const kept = new Set(['connect', 'failover', 'checkHost', 'checkIP', 'sni']);
  for (const row of rows) {
    await t.test(row.name, () => {
      const text = renderStunnelConfig({
        ...PATHS,
        connect: row.connect,
        ...(row.checkHost === undefined ? {} : { checkHost: row.checkHost }),
      });
      assert.deepEqual(
        serviceOptions(text).filter(([name]) => kept.has(name)),
        row.expected,
      );
      // What certs writes, lint passes (files not checked here).
      const report = lintStunnelConfigInMemory(text, 'x.conf', { checkFiles: false });
      assert.deepEqual(report.findings, []);
    });
  }
  await t.test('names and addresses mixed, without a name to check: refused', () => {
    assert.throws(
      () => renderStunnelConfig({ ...PATHS, connect: ['10.0.0.5:12000', 'db.example.com:12000'] }),
      (error: unknown) =>
        isCertkitError(error) &&
        error.code === 'INVALID_OPTION' &&
        /mix host names and IP addresses/.test(error.message),
    );
  });
  await t.test('more than 32 endpoints, or none: refused', () => {
    const many = Array.from({ length: 33 }, (_, i) => `10.0.0.${String(i + 1)}:12000`);
    for (const connect of [many, []]) {
      assert.throws(
        () => renderStunnelConfig({ ...PATHS, connect }),
        (error: unknown) => isCertkitError(error) && error.code === 'INVALID_OPTION',
      );
    }
  });
});

test('lint judges every connect line: a failover endpoint with the wrong name is an error on its line', async () => {
  const ca = await memoryCert({ name: 'servercerts.pem', kind: 'ca' });
  const right = await memoryCert({
    name: 'node1',
    issuer: ca,
    commonName: 'redis-12000.c.example.com',
    dnsNames: ['redis-12000.c.example.com'],
  });
  const wrong = await memoryCert({
    name: 'node2',
    issuer: ca,
    commonName: 'other.example.com',
    dnsNames: ['other.example.com'],
  });
  const text = renderStunnelConfig({
    ...PATHS,
    connect: ['10.0.0.5:12000', '10.0.0.6:12000', '10.0.0.7:12000'],
    checkHost: 'redis-12000.c.example.com',
  });
  const connectLines = parseStunnelConfig(text)
    .sections[1]?.options.filter((o) => o.name === 'connect')
    .map((o) => o.line);
  const probes = new Map<string, readonly StunnelProbeResult[]>([
    [
      'redislabs',
      [
        { certificates: [right.certificate] },
        { certificates: [wrong.certificate] },
        { unreachable: 'cannot get a certificate from 10.0.0.7:12000: connection refused' },
      ],
    ],
  ]);
  const report = lintStunnelConfigInMemory(text, 'x.conf', {
    checkFiles: false,
    files: new Map([[PATHS.cafile, new TextEncoder().encode(ca.issued.certificatePem)]]),
    probes,
  });
  assert.deepEqual(
    report.findings.map((f) => [f.code, f.message.includes('10.0.0.6:12000') || f.message.includes('10.0.0.7:12000') ? f.message.split(' ')[1] : '']),
    [
      ['STUNNEL_ENDPOINT_NAME_MISMATCH', '10.0.0.6:12000'],
      ['STUNNEL_ENDPOINT_UNREACHABLE', '10.0.0.7:12000'],
    ],
  ); // prettier-ignore
  assert.equal(report.ok, false);
  assert.equal(report.findings[1]?.line, connectLines?.[2]);
});
