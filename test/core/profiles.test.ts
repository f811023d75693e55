/** Issue 6: one issueCertificate serves every profile; the extensions are what each profile says. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import {
  CA_PROFILE,
  CLIENT_PROFILE,
  createCertificateRequest,
  INTERMEDIATE_PROFILE,
  issueCertificate,
  parseSubject,
  SERVER_PROFILE,
} from '@certkit/core';
import type { IssuedCertificate, IssuerInput } from '@certkit/core';

const NOW = new Date('2026-01-15T12:00:00Z');

function issuerOf(issued: IssuedCertificate, name: string): IssuerInput {
  return {
    certificate: Buffer.from(issued.chainPem),
    certificateSource: `${name}.pem`,
    key: Buffer.from(issued.privateKeyPem),
    keySource: `${name}-key.pem`,
  };
}

async function pki() {
  const root = await issueCertificate({
    profile: CA_PROFILE,
    subject: { commonName: 'Test Root', organization: 'Acme' },
    keyType: 'ec',
    now: NOW,
  });
  const intermediate = await issueCertificate({
    profile: INTERMEDIATE_PROFILE,
    subject: { commonName: 'Test Issuing' },
    keyType: 'ec',
    issuer: issuerOf(root, 'ca'),
    now: NOW,
  });
  return { root, intermediate };
}

test('issue 6: every profile, from one function, carries the extensions of its profile', async () => {
  const { root, intermediate } = await pki();
  const server = await issueCertificate({
    profile: SERVER_PROFILE,
    subject: { commonName: 'cluster.local' },
    cluster: 'cluster.local',
    keyType: 'rsa',
    bits: 2048,
    issuer: issuerOf(intermediate, 'intermediate'),
    now: NOW,
  });
  const rows = [
    {
      name: 'root CA',
      issued: root,
      basic: { ca: true },
      ku: ['keyCertSign', 'cRLSign'],
      eku: null,
      days: 3650,
      issuer: 'O=Acme, CN=Test Root',
    },
    {
      name: 'intermediate (pathLen 0)',
      issued: intermediate,
      basic: { ca: true, pathLength: 0 },
      ku: ['keyCertSign', 'cRLSign'],
      eku: null,
      days: 1826,
      issuer: 'O=Acme, CN=Test Root',
    },
    {
      name: 'Redis Enterprise proxy (RSA)',
      issued: server,
      basic: { ca: false },
      ku: ['digitalSignature', 'keyEncipherment'],
      eku: ['serverAuth', 'clientAuth'],
      days: 365,
      issuer: 'CN=Test Issuing',
    },
  ];
  for (const row of rows) {
    const { info } = row.issued;
    assert.deepEqual(info.basicConstraints, row.basic, row.name);
    assert.deepEqual(info.keyUsage, row.ku, row.name);
    assert.deepEqual(info.extendedKeyUsage, row.eku, row.name);
    assert.equal(
      (Date.parse(info.notAfter) - Date.parse(info.notBefore)) / 86_400_000,
      row.days,
      row.name,
    );
    assert.equal(info.issuer, row.issuer, row.name);
    assert.equal(info.notBefore, NOW.toISOString(), row.name);
  }
  assert.deepEqual(server.info.subjectAltNames.dns, [
    'cluster.local',
    '*.cluster.local',
    'internal.cluster.local',
    '*.internal.cluster.local',
  ]);
  assert.equal(server.info.subject, 'CN=cluster.local');
  // Node (OpenSSL) agrees on the signatures and the AKI/SKI links.
  const leaf = new X509Certificate(server.certificatePem);
  const inter = new X509Certificate(intermediate.certificatePem);
  const ca = new X509Certificate(root.certificatePem);
  assert.ok(leaf.verify(inter.publicKey), 'leaf signed by the intermediate');
  assert.ok(inter.verify(ca.publicKey), 'intermediate signed by the root');
  assert.ok(leaf.checkIssued(inter) && inter.checkIssued(ca));
  assert.equal(server.info.authorityKeyIdentifier, intermediate.info.subjectKeyIdentifier);
  // The server's file holds the leaf then the issuing intermediate, never the root.
  const blocks = server.chainPem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
  assert.equal(blocks.length, 2);
  assert.ok(server.chainPem.startsWith(server.certificatePem));
  assert.ok(server.chainPem.endsWith(intermediate.certificatePem));
  assert.equal(intermediate.chainPem, intermediate.certificatePem, 'the root is left out');
});

test('issue 6: EC end entities get no keyEncipherment (RFC 5480 section 3)', async () => {
  const { intermediate } = await pki();
  const rows = [
    { name: 'server profile', profile: SERVER_PROFILE },
    { name: 'client profile', profile: CLIENT_PROFILE },
  ];
  for (const row of rows) {
    const issued = await issueCertificate({
      profile: row.profile,
      subject: { commonName: 'x.example' },
      keyType: 'ec',
      issuer: issuerOf(intermediate, 'intermediate'),
      now: NOW,
    });
    assert.deepEqual(issued.info.keyUsage, ['digitalSignature'], row.name);
  }
});

test('issue 6: --usage picks the EKU (issueCertificate takes the usage as its profile)', async () => {
  const rows = [
    { name: 'both', usage: 'both' as const, eku: ['serverAuth', 'clientAuth'] },
    { name: 'server', usage: 'server' as const, eku: ['serverAuth'] },
    { name: 'client', usage: 'client' as const, eku: ['clientAuth'] },
  ];
  for (const row of rows) {
    const issued = await issueCertificate({
      profile: row.usage,
      subject: { commonName: 'x.example' },
      keyType: 'ec',
      now: NOW,
    });
    assert.deepEqual(issued.info.extendedKeyUsage, row.eku, row.name);
    assert.deepEqual(issued.info.basicConstraints, { ca: false }, row.name);
  }
  await assert.rejects(
    issueCertificate({ profile: 'proxy' as never, subject: { commonName: 'x' }, keyType: 'ec' }),
    { code: 'INVALID_OPTION', message: 'usage must be server, client or both, got "proxy"' },
  );
});

test('issue 6: issuers that may not sign, and bad names, are refused with a code', async () => {
  const { root, intermediate } = await pki();
  const client = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: 'app' },
    keyType: 'ec',
    now: NOW,
  });
  const rows: {
    name: string;
    options: Parameters<typeof issueCertificate>[0];
    code: string;
    message: RegExp;
    /** What would get it through, as data: core's messages name no command-line flag. */
    remedy?: object;
  }[] = [
    {
      name: 'a client certificate as issuer',
      options: {
        profile: SERVER_PROFILE,
        subject: { commonName: 'c' },
        keyType: 'ec',
        issuer: issuerOf(client, 'cert'),
      },
      code: 'INVALID_OPTION',
      message: /cert\.pem \(CN=app\) is not a CA certificate/,
    },
    {
      name: 'an intermediate with pathLen 0 signing a CA',
      options: {
        profile: INTERMEDIATE_PROFILE,
        subject: { commonName: 'sub' },
        keyType: 'ec',
        issuer: issuerOf(intermediate, 'intermediate'),
      },
      code: 'INVALID_OPTION',
      message: /pathLen 0/,
    },
    {
      name: 'the wrong key for the issuer',
      options: {
        profile: SERVER_PROFILE,
        subject: { commonName: 'c' },
        keyType: 'ec',
        issuer: { ...issuerOf(root, 'ca'), key: Buffer.from(intermediate.privateKeyPem) },
      },
      code: 'KEY_MISMATCH',
      message: /ca-key\.pem is not the key of the first certificate in ca\.pem/,
    },
    {
      name: 'a leaf outliving its issuer',
      options: {
        profile: SERVER_PROFILE,
        subject: { commonName: 'c' },
        keyType: 'ec',
        days: 2000,
        now: NOW,
        issuer: issuerOf(intermediate, 'intermediate'),
      },
      code: 'INVALID_OPTION',
      message: /would outlive its issuer .*, 1826 days from the certificate's start\)$/,
      remedy: { kind: 'days', max: 1826 },
    },
    {
      name: 'a partial wildcard',
      options: {
        profile: SERVER_PROFILE,
        subject: { commonName: 'c' },
        keyType: 'ec',
        dnsNames: ['redis-*.cluster.local'],
      },
      code: 'INVALID_OPTION',
      message: /is not a DNS name/,
    },
    {
      name: 'a bad IP address',
      options: {
        profile: SERVER_PROFILE,
        subject: { commonName: 'c' },
        keyType: 'ec',
        ipAddresses: ['10.0.0.256'],
      },
      code: 'INVALID_OPTION',
      message: /not an IPv4 or IPv6 address/,
    },
  ];
  for (const row of rows) {
    await assert.rejects(
      issueCertificate(row.options),
      {
        code: row.code,
        message: row.message,
        ...(row.remedy === undefined ? {} : { remedy: row.remedy }),
      },
      row.name,
    );
  }
});

test('issue 6: the cluster names normalise and refuse what is not a DNS name', async () => {
  const rows = [
    {
      name: 'upper case and trailing dot',
      input: 'Cluster.Example.COM.',
      first: 'cluster.example.com',
    },
    { name: 'single label', input: 'cluster', first: 'cluster' },
  ];
  const issue = (cluster: string) =>
    issueCertificate({
      profile: SERVER_PROFILE,
      subject: { commonName: 'x' },
      cluster,
      keyType: 'ec',
      now: NOW,
    });
  for (const row of rows) {
    const { info } = await issue(row.input);
    assert.deepEqual(
      info.subjectAltNames.dns,
      [row.first, `*.${row.first}`, `internal.${row.first}`, `*.internal.${row.first}`],
      row.name,
    );
  }
  for (const bad of ['', 'a..b', '-a.b', '*.a.b', 'a_b.c', 'a b.c']) {
    await assert.rejects(issue(bad), { code: 'INVALID_OPTION' }, bad);
  }
});

test('the makers take a subject as OpenSSL one-line text and parse it before any key is made', async () => {
  const issued = await issueCertificate({
    profile: CA_PROFILE,
    subject: '/C=US/O=Acme\\/Labs/CN=Text Root',
    keyType: 'ec',
    now: NOW,
  });
  assert.deepEqual(
    issued.info.subjectAttributes.map((a) => `${a.type}=${a.value}`),
    ['C=US', 'O=Acme/Labs', 'CN=Text Root'],
  );
  const request = await createCertificateRequest({
    subject: '/O=Acme/CN=app.example',
    keyType: 'ec',
  });
  assert.match(request.info.subject, /CN=app\.example/);
  let generated = false;
  await assert.rejects(
    issueCertificate({
      profile: CA_PROFILE,
      subject: 'CN=no leading slash',
      keyType: 'ec',
      onProgress: () => {
        generated = true;
      },
    }),
    { code: 'INVALID_OPTION', message: /subject must look like \/C=US\/O=Acme\/CN=app/ },
  );
  assert.equal(generated, false, 'refused before any key generation');
  // The 0.1.0 name still parses the same text.
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is what is tested
  assert.deepEqual(parseSubject('/O=Acme/CN=app'), { organization: 'Acme', commonName: 'app' });
});
