/**
 * The bundle-or-chain choice of `certs chain`, decided in memory by assembleParsedCertificates:
 * each row gives certificates and the mode `auto` must pick, with its reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleParsedCertificates } from '@certkit/core';
import type { Certificate } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';

test('assembleParsedCertificates: auto picks bundle or chain from the input', async (t) => {
  const root = await memoryCert({ name: 'root.pem', kind: 'ca', commonName: 'Unit Root' });
  const other = await memoryCert({ name: 'other.pem', kind: 'ca', commonName: 'Other Root' });
  const node = await memoryCert({ name: 'node.pem', kind: 'server', commonName: 'node1' });
  const leaf = await memoryCert({ name: 'leaf.pem', issuer: root, dnsNames: ['svc.example.com'] });
  const rows: {
    name: string;
    input: readonly Certificate[];
    mode: 'bundle' | 'chain';
    reason: RegExp;
    ok: boolean;
    count: number;
  }[] = [
    {
      name: 'two roots: a trust bundle',
      input: [root.certificate, other.certificate],
      mode: 'bundle',
      reason: /^no certificate in the input issues another$/,
      ok: true,
      count: 2,
    },
    {
      name: 'self-signed end entity alone: a bundle of one (it anchors itself)',
      input: [node.certificate],
      mode: 'bundle',
      reason: /issues another/,
      ok: true,
      count: 1,
    },
    {
      name: 'leaf and its root, in any order: a chain',
      input: [root.certificate, leaf.certificate],
      mode: 'chain',
      reason:
        /^certificate 1 in leaf\.pem \(CN=leaf\.pem\) is issued by certificate 1 in root\.pem/,
      ok: true,
      count: 2,
    },
    {
      name: 'a leaf without its issuer: a chain that says the issuer is missing',
      input: [leaf.certificate],
      mode: 'chain',
      reason: /is neither self-signed nor a CA, so it needs a chain$/,
      ok: false,
      count: 1,
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const assembly = assembleParsedCertificates(row.input);
      assert.equal(assembly.mode, row.mode);
      assert.match(assembly.reason, row.reason);
      assert.equal(assembly.ok, row.ok);
      assert.equal(assembly.certificates.length, row.count);
      assert.equal((assembly.chain === null) === (row.mode === 'bundle'), true);
      assert.equal(
        assembly.pem,
        assembly.certificates.map((c) => c.pem).join(''),
        'the output is the certificates, clean PEM',
      );
    });
  }
  await t.test('a leaf without its issuer reports MISSING_ISSUER', () => {
    const assembly = assembleParsedCertificates([leaf.certificate]);
    assert.deepEqual(
      assembly.findings.map((f) => f.code),
      ['MISSING_ISSUER'],
    );
  });
  await t.test('an explicit mode is kept; a bad one is refused', () => {
    assert.equal(assembleParsedCertificates([root.certificate], { mode: 'chain' }).mode, 'chain');
    assert.throws(
      () => assembleParsedCertificates([root.certificate], { mode: 'tree' as never }),
      /mode must be auto, bundle or chain/,
    );
  });
});
