/**
 * stunnel lint in memory: the configuration text, the bytes of the files it names and what
 * probing its endpoint found, all given as data (lintStunnelConfigInMemory); no file is read and
 * no socket opened. The file workflow (lintStunnelConfigFile) reads the same bytes from disk and
 * must reach the same findings.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CertkitError,
  isCertkitError,
  lintStunnelConfigFile,
  lintStunnelConfigInMemory,
  renderStunnelConfig,
} from '@certkit/core';
import type { PingResult, StunnelProbeResult } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';
import type { MemoryCert } from '../helpers/memory-pki.js';
import { tempDir } from '../helpers/tmp.js';

const PATHS = { cert: '/m/cert.pem', key: '/m/keyclient.pem', cafile: '/m/servercerts.pem' };

interface Pki {
  readonly serverCa: MemoryCert;
  readonly server: MemoryCert;
  readonly otherCa: MemoryCert;
  readonly stranger: MemoryCert;
  readonly client: MemoryCert;
  readonly otherClient: MemoryCert;
  readonly expiredClient: MemoryCert;
}

async function pki(): Promise<Pki> {
  const serverCa = await memoryCert({ name: 'servercerts.pem', kind: 'ca' });
  const otherCa = await memoryCert({ name: 'other-ca.pem', kind: 'ca' });
  const clientCa = await memoryCert({ name: 'client-ca.pem', kind: 'ca' });
  return {
    serverCa,
    otherCa,
    server: await memoryCert({
      name: 'db',
      issuer: serverCa,
      commonName: 'db.example.com',
      dnsNames: ['db.example.com'],
    }),
    stranger: await memoryCert({
      name: 'stranger',
      issuer: otherCa,
      commonName: 'db.example.com',
      dnsNames: ['db.example.com'],
    }),
    client: await memoryCert({ name: 'cert.pem', kind: 'client', issuer: clientCa }),
    otherClient: await memoryCert({ name: 'other.pem', kind: 'client', issuer: clientCa }),
    expiredClient: await memoryCert({
      name: 'old.pem',
      kind: 'client',
      issuer: clientCa,
      days: 30,
      now: new Date('2020-01-01T00:00:00Z'),
    }),
  };
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function filesOf(
  client: MemoryCert,
  keyOf: MemoryCert,
  ca: MemoryCert,
): Map<string, Uint8Array | CertkitError> {
  return new Map<string, Uint8Array | CertkitError>([
    [PATHS.cert, bytes(client.issued.certificatePem)],
    [PATHS.key, bytes(keyOf.issued.privateKeyPem)],
    [PATHS.cafile, bytes(ca.issued.certificatePem)],
  ]);
}

// What io/tls-ping.ts pingWithIdentity returns fits the lint's probe results as it is.
const ACCEPTED: PingResult = { accepted: true, reply: '+PONG', protocol: 'TLSv1.3' };
const REFUSED: PingResult = {
  accepted: false,
  protocol: 'TLSv1.3',
  error: 'server sent alert: unknown ca',
};

const CONFIG = renderStunnelConfig({ ...PATHS, connect: 'db.example.com:12000' });

test('stunnel lint judges the files it names from bytes in memory', async (t) => {
  const p = await pki();
  const rows: {
    name: string;
    files: Map<string, Uint8Array | CertkitError>;
    codes: string[];
  }[] = [
    {
      name: 'the rendered configuration and matching files',
      files: filesOf(p.client, p.client, p.serverCa),
      codes: [],
    },
    {
      name: 'a key that is not the certificate’s',
      files: filesOf(p.client, p.otherClient, p.serverCa),
      codes: ['STUNNEL_KEY_MISMATCH'],
    },
    {
      name: 'an expired client certificate',
      files: filesOf(p.expiredClient, p.expiredClient, p.serverCa),
      codes: ['STUNNEL_CERT_EXPIRED'],
    },
    {
      name: 'a CA file that holds a key',
      files: new Map([
        ...filesOf(p.client, p.client, p.serverCa),
        [PATHS.cafile, bytes(p.serverCa.issued.privateKeyPem)],
      ]),
      codes: ['STUNNEL_FILE_INVALID'],
    },
    {
      name: 'a file whose reading failed: the error is the finding',
      files: new Map([
        ...filesOf(p.client, p.client, p.serverCa),
        [
          PATHS.key,
          new CertkitError('FILE_NOT_FOUND', 'cannot read /m/keyclient.pem: no such file'),
        ],
      ]),
      codes: ['STUNNEL_FILE_UNREADABLE'],
    },
    {
      name: 'a file not given at all',
      files: new Map([[PATHS.cert, bytes(p.client.issued.certificatePem)]]),
      codes: ['STUNNEL_FILE_UNREADABLE', 'STUNNEL_FILE_UNREADABLE'],
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const report = lintStunnelConfigInMemory(CONFIG, 'redislabs.conf', { files: row.files });
      assert.deepEqual(
        report.findings.map((f) => f.code),
        row.codes,
      );
      assert.equal(report.ok, row.codes.length === 0);
      assert.deepEqual(report.services, ['redislabs']);
    });
  }
  await t.test('the read error is quoted in the finding', () => {
    const files = new Map([
      ...filesOf(p.client, p.client, p.serverCa),
      [PATHS.key, new CertkitError('FILE_NOT_FOUND', 'cannot read /m/keyclient.pem: no such file')],
    ]);
    const [finding] = lintStunnelConfigInMemory(CONFIG, 'x.conf', { files }).findings;
    assert.equal(finding?.message, '[redislabs] key: cannot read /m/keyclient.pem: no such file');
  });
  await t.test('checkFiles: false judges the options alone', () => {
    const report = lintStunnelConfigInMemory(CONFIG, 'x.conf', { checkFiles: false });
    assert.deepEqual(report.findings, []);
  });
  await t.test('a clock that is not a date is refused', () => {
    assert.throws(
      () =>
        lintStunnelConfigInMemory(CONFIG, 'x.conf', {
          files: filesOf(p.client, p.client, p.serverCa),
          now: Number.NaN,
        }),
      (error: unknown) => isCertkitError(error) && error.code === 'INVALID_OPTION',
    );
  });
});

test('stunnel lint judges an endpoint from probe results given as data', async (t) => {
  const p = await pki();
  const files = filesOf(p.client, p.client, p.serverCa);
  const rows: { name: string; probe: StunnelProbeResult; codes: string[] }[] = [
    {
      name: 'a chain the CA file validates, for the checked name',
      probe: { certificates: [p.server.certificate] },
      codes: [],
    },
    {
      name: 'an endpoint that could not be reached',
      probe: { unreachable: 'cannot connect to db.example.com:12000: ECONNREFUSED' },
      codes: ['STUNNEL_ENDPOINT_UNREACHABLE'],
    },
    {
      name: 'a chain from another CA',
      probe: { certificates: [p.stranger.certificate] },
      codes: ['STUNNEL_ENDPOINT_UNTRUSTED'],
    },
    {
      name: 'the server answered PING with the client certificate',
      probe: {
        certificates: [p.server.certificate],
        ping: ACCEPTED,
      },
      codes: ['STUNNEL_CLIENT_CERT_ACCEPTED'],
    },
    {
      name: 'the server refused the client certificate',
      probe: {
        certificates: [p.server.certificate],
        ping: REFUSED,
      },
      codes: ['STUNNEL_CLIENT_CERT_REJECTED'],
    },
    {
      name: 'the PING could not be sent',
      probe: { certificates: [p.server.certificate], ping: { unreachable: 'timed out' } },
      codes: ['STUNNEL_ENDPOINT_UNREACHABLE'],
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const report = lintStunnelConfigInMemory(CONFIG, 'x.conf', {
        files,
        probes: new Map([['redislabs', row.probe]]),
      });
      assert.deepEqual(
        report.findings.map((f) => f.code),
        row.codes,
      );
    });
  }
  await t.test('a name the certificate does not carry', () => {
    const other = renderStunnelConfig({
      ...PATHS,
      connect: 'db.example.com:12000',
      checkHost: 'cache.example.com',
    });
    const report = lintStunnelConfigInMemory(other, 'x.conf', {
      files,
      probes: new Map([['redislabs', { certificates: [p.server.certificate] }]]),
    });
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['STUNNEL_ENDPOINT_NAME_MISMATCH'],
    );
  });
  await t.test('an endpoint is not judged when the files are not readable', () => {
    const report = lintStunnelConfigInMemory(CONFIG, 'x.conf', {
      files: new Map([...files, [PATHS.cafile, new CertkitError('FILE_NOT_FOUND', 'gone')]]),
      probes: new Map([['redislabs', { certificates: [p.stranger.certificate] }]]),
    });
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['STUNNEL_FILE_UNREADABLE'],
    );
  });
});

test('the file workflow reaches the findings the in-memory lint reaches', async (t) => {
  const p = await pki();
  const dir = tempDir(t);
  const onDisk = {
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'keyclient.pem'),
    cafile: join(dir, 'servercerts.pem'),
  };
  writeFileSync(onDisk.cert, p.expiredClient.issued.certificatePem);
  writeFileSync(onDisk.key, p.otherClient.issued.privateKeyPem);
  writeFileSync(onDisk.cafile, p.serverCa.issued.certificatePem);
  const config = renderStunnelConfig({ ...onDisk, connect: 'db.example.com:12000' });
  const files = new Map<string, Uint8Array | CertkitError>([
    [onDisk.cert, bytes(p.expiredClient.issued.certificatePem)],
    [onDisk.key, bytes(p.otherClient.issued.privateKeyPem)],
    [onDisk.cafile, bytes(p.serverCa.issued.certificatePem)],
  ]);
  const configPath = join(dir, 'x.conf');
  writeFileSync(configPath, config);
  const fromDisk = await lintStunnelConfigFile(configPath);
  const inMemory = lintStunnelConfigInMemory(config, configPath, { files });
  assert.deepEqual(
    inMemory.findings.map((f) => f.code),
    ['STUNNEL_CERT_EXPIRED', 'STUNNEL_KEY_MISMATCH'],
  );
  assert.deepEqual(fromDisk, inMemory);
});
