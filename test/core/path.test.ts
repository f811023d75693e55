/** validatePath (issue 4): path building through ugly pools and the RFC 5280 checks, on openssl-made PKI. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseCertificates, validatePath } from '@certkit/core';
import type { Certificate, ValidatePathOptions } from '@certkit/core';
import { makeCert } from '../helpers/pki.js';
import type { CertSpec, MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

function load(made: MadeCert): Certificate {
  const cert = parseCertificates(readFileSync(made.cert), made.cert)[0];
  assert.ok(cert !== undefined);
  return cert;
}

test('validatePath: building and checks', async (t) => {
  const dir = tempDir(t);
  const make = async (spec: CertSpec) => {
    const made = await makeCert(dir, spec);
    return { made, cert: load(made) };
  };
  const day = 86_400_000;
  const root = await make({ name: 'root', subject: '/CN=Path Root', ca: true, days: 90 });
  const otherRoot = await make({ name: 'other', subject: '/CN=Other Root', ca: true });
  // Two intermediates with one name and key: an old one that expires in a day, a new one.
  const icaNew = await make({
    name: 'ica-new',
    subject: '/CN=Path ICA',
    ca: true,
    issuer: root.made,
    days: 60,
  });
  const icaOld = await make({
    name: 'ica-old',
    subject: '/CN=Path ICA',
    ca: true,
    issuer: root.made,
    days: 1,
    keyFile: icaNew.made.key,
  });
  const leaf = await make({
    name: 'leaf',
    subject: '/CN=svc.example.com',
    issuer: icaNew.made,
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:svc.example.com'],
    days: 30,
  });
  // A cycle: X and Y sign each other, neither reaches a root.
  const x = await make({ name: 'x', subject: '/CN=Cycle X', ca: true });
  const y = await make({ name: 'y', subject: '/CN=Cycle Y', ca: true, issuer: x.made });
  const x2 = await make({
    name: 'x2',
    subject: '/CN=Cycle X',
    ca: true,
    issuer: y.made,
    keyFile: x.made.key,
  });
  const cycleLeaf = await make({
    name: 'cycle-leaf',
    subject: '/CN=c.example.com',
    issuer: x.made,
    ca: false,
  });
  // Name constraints on an intermediate.
  const constrained = await make({
    name: 'nc',
    subject: '/CN=Constrained ICA',
    ca: true,
    issuer: root.made,
    extra: ['nameConstraints = critical, permitted;DNS:example.com, excluded;DNS:bad.example.com'],
  });
  const inside = await make({
    name: 'in',
    subject: '/CN=a.example.com',
    issuer: constrained.made,
    ca: false,
    san: ['DNS:a.example.com'],
  });
  const outside = await make({
    name: 'out',
    subject: '/CN=a.example.org',
    issuer: constrained.made,
    ca: false,
    san: ['DNS:a.example.org'],
  });
  const excluded = await make({
    name: 'ex',
    subject: '/CN=x.bad.example.com',
    issuer: constrained.made,
    ca: false,
    san: ['DNS:x.bad.example.com'],
  });
  const wildcardOver = await make({
    name: 'wc',
    subject: '/CN=Wildcard',
    issuer: constrained.made,
    ca: false,
    san: ['DNS:*.example.com'],
  });
  // A self-signed client certificate pinned as its own trust anchor (redis tls-ca-cert-file).
  const pinned = await make({ name: 'pinned', subject: '/CN=app', ca: false, eku: 'clientAuth' });
  // Unknown critical extension on an intermediate.
  const odd = await make({
    name: 'odd',
    subject: '/CN=Odd ICA',
    ca: true,
    issuer: root.made,
    extra: ['1.3.6.1.4.1.55738.666.1 = critical, ASN1:NULL'],
  });
  const underOdd = await make({
    name: 'under-odd',
    subject: '/CN=o.example.com',
    issuer: odd.made,
    ca: false,
  });

  const now = new Date();
  const rows: {
    name: string;
    options: ValidatePathOptions;
    ok: boolean;
    codes?: string[];
    path?: Certificate[];
  }[] = [
    {
      name: 'expired alternative tried after the valid one (unordered pool)',
      options: {
        leaf: leaf.cert,
        anchors: [otherRoot.cert, root.cert],
        intermediates: [icaOld.cert, icaNew.cert],
        now: new Date(now.getTime() + 10 * day),
        host: 'svc.example.com',
      },
      ok: true,
      path: [leaf.cert, icaNew.cert, root.cert],
    },
    {
      name: 'only the expired intermediate: its expiry is reported',
      options: {
        leaf: leaf.cert,
        anchors: [root.cert],
        intermediates: [icaOld.cert],
        now: new Date(now.getTime() + 10 * day),
      },
      ok: false,
      codes: ['EXPIRED'],
    },
    {
      name: 'cycle without a root ends',
      options: {
        leaf: cycleLeaf.cert,
        anchors: [root.cert],
        intermediates: [y.cert, x2.cert, x.cert],
      },
      ok: false,
    },
    {
      name: 'the cycle resolves when X is trusted',
      options: {
        leaf: cycleLeaf.cert,
        anchors: [x.cert],
        intermediates: [y.cert, x2.cert],
        purpose: 'any',
      },
      ok: true,
      path: [cycleLeaf.cert, x.cert],
    },
    {
      name: 'name inside permitted subtree',
      options: { leaf: inside.cert, anchors: [root.cert], intermediates: [constrained.cert] },
      ok: true,
    },
    {
      name: 'name outside permitted subtree',
      options: { leaf: outside.cert, anchors: [root.cert], intermediates: [constrained.cert] },
      ok: false,
      codes: ['NAME_CONSTRAINT_VIOLATION'],
    },
    {
      name: 'name in excluded subtree',
      options: { leaf: excluded.cert, anchors: [root.cert], intermediates: [constrained.cert] },
      ok: false,
      codes: ['NAME_CONSTRAINT_VIOLATION'],
    },
    {
      name: 'wildcard that covers an excluded name (CVE-2025-61727)',
      options: { leaf: wildcardOver.cert, anchors: [root.cert], intermediates: [constrained.cert] },
      ok: false,
      codes: ['NAME_CONSTRAINT_VIOLATION'],
    },
    {
      name: 'pinned self-signed client certificate',
      options: { leaf: pinned.cert, anchors: [pinned.cert], purpose: 'client' },
      ok: true,
      path: [pinned.cert],
    },
    {
      name: 'pinned client certificate used as a server',
      options: { leaf: pinned.cert, anchors: [pinned.cert], purpose: 'server' },
      ok: false,
      codes: ['EKU_MISMATCH'],
    },
    {
      name: 'unknown critical extension on the intermediate',
      options: { leaf: underOdd.cert, anchors: [root.cert], intermediates: [odd.cert] },
      ok: false,
      codes: ['UNKNOWN_CRITICAL_EXTENSION'],
    },
    {
      name: 'max depth 0 refuses one intermediate',
      options: { leaf: leaf.cert, anchors: [root.cert], intermediates: [icaNew.cert], maxDepth: 0 },
      ok: false,
      codes: ['MAX_DEPTH_EXCEEDED'],
    },
    {
      name: 'untrusted root',
      options: {
        leaf: leaf.cert,
        anchors: [otherRoot.cert],
        intermediates: [icaNew.cert, root.cert],
      },
      ok: false,
    },
    {
      name: 'validity is inclusive at notAfter, whole seconds',
      options: {
        leaf: leaf.cert,
        anchors: [root.cert],
        intermediates: [icaNew.cert],
        now: new Date(Date.parse(leaf.cert.info.notAfter) + 999),
      },
      ok: true,
    },
    {
      name: 'one second after notAfter',
      options: {
        leaf: leaf.cert,
        anchors: [root.cert],
        intermediates: [icaNew.cert],
        now: new Date(Date.parse(leaf.cert.info.notAfter) + 1000),
      },
      ok: false,
      codes: ['EXPIRED'],
    },
  ];
  for (const row of rows) {
    const result = validatePath(row.options);
    const errors = result.findings.filter((f) => f.severity === 'error');
    assert.equal(
      result.ok,
      row.ok,
      `${row.name}: ${errors.map((f) => `${f.code} ${f.message}`).join('; ')}`,
    );
    if (row.ok) assert.deepEqual(errors, [], row.name);
    else assert.ok(errors.length > 0, `${row.name}: an invalid result has error findings`);
    for (const code of row.codes ?? [])
      assert.ok(
        errors.some((f) => f.code === code),
        `${row.name}: ${code}`,
      );
    if (row.path !== undefined)
      assert.deepEqual(
        result.path.map((c) => c.info.fingerprintSha256),
        row.path.map((c) => c.info.fingerprintSha256),
        row.name,
      );
    assert.equal(result.path[0], row.options.leaf, `${row.name}: the path starts at the leaf`);
  }
});

test('validatePath: bounded work on a pool of CAs sharing one name and key', async (t) => {
  const dir = tempDir(t);
  const root = load(await makeCert(dir, { name: 'root', subject: '/CN=Unrelated Root', ca: true }));
  const first = await makeCert(dir, { name: 'ca0', subject: '/CN=Same', ca: true });
  const pool: Certificate[] = [load(first)];
  let issuer = first;
  for (let i = 1; i < 12; i++) {
    issuer = await makeCert(dir, {
      name: `ca${String(i)}`,
      subject: '/CN=Same',
      ca: true,
      issuer,
      keyFile: first.key,
    });
    pool.push(load(issuer));
  }
  const leaf = load(
    await makeCert(dir, { name: 'leaf', subject: '/CN=l.example.com', issuer, ca: false }),
  );
  const result = validatePath({ leaf, anchors: [root], intermediates: pool });
  assert.equal(result.ok, false);
  assert.ok(result.findings.some((f) => f.severity === 'error'));
});
