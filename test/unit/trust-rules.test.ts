/**
 * Issue 17, in memory (no external binary): the trust rules of `validatePath` (a path ends at a
 * self-signed anchor unless `partialChain`; a pinned self-signed leaf; the webpki policy),
 * per-stack trust, a chain assembled over a gap, and a trust bundle without its root. The measured
 * evidence for each rule is in test/interop (stack-trust, verify-stacks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleParsedCertificates, checkEndpointCertificate, validatePath } from '@certkit/core';
import { memoryCert } from '../helpers/memory-pki.js';

test('issue 17: trust rules decided in memory', async (t) => {
  const root = await memoryCert({ name: 'root.pem', kind: 'ca', commonName: 'Unit Root' });
  const int = await memoryCert({
    name: 'int.pem',
    kind: 'ca',
    commonName: 'Unit Int',
    issuer: root,
  });
  const leaf = await memoryCert({
    name: 'leaf.pem',
    commonName: 'redis-1.unit.test',
    issuer: int,
    dnsNames: ['*.unit.test'],
  });
  const self = await memoryCert({
    name: 'self.pem',
    commonName: 'node1.unit.test',
    dnsNames: ['*.unit.test', 'node1.unit.test'],
  });
  const codes = (findings: readonly { code: string; severity: string }[]) =>
    findings.map((f) => `${f.code}:${f.severity}`).sort();

  await t.test('an intermediate alone as anchor: PARTIAL_CHAIN, unless partialChain', () => {
    const options = {
      leaf: leaf.certificate,
      anchors: [int.certificate],
      intermediates: [int.certificate],
    };
    const strict = validatePath(options);
    assert.equal(strict.ok, false);
    assert.equal(strict.anchored, false);
    const partial = strict.findings.find((f) => f.code === 'PARTIAL_CHAIN');
    assert.ok(partial);
    assert.match(partial.message, /its issuer "CN=Unit Root" is not among the trust anchors/);
    const accepted = validatePath({ ...options, partialChain: true });
    assert.equal(accepted.ok, true);
    assert.equal(accepted.path.length, 2);
    // The root among the anchors: the path goes on past the intermediate to it.
    const rooted = validatePath({ ...options, anchors: [int.certificate, root.certificate] });
    assert.equal(rooted.ok, true);
    assert.equal(rooted.path.length, 3);
  });

  await t.test('a CA-issued leaf pinned alone: refused without partialChain', () => {
    const options = { leaf: leaf.certificate, anchors: [leaf.certificate] };
    assert.equal(validatePath(options).ok, false);
    const pinned = validatePath({ ...options, partialChain: true });
    assert.equal(pinned.ok, true);
    assert.equal(pinned.pinned, true);
  });

  await t.test('a self-signed leaf in the anchors is pinned, with no LEAF_IS_CA', () => {
    const result = validatePath({
      leaf: self.certificate,
      anchors: [root.certificate, self.certificate],
    });
    assert.equal(result.ok, true);
    assert.equal(result.pinned, true);
    assert.deepEqual(codes(result.findings), []);
  });

  await t.test('CN outside the SANs: a warning, an error under the webpki policy', () => {
    const options = {
      leaf: leaf.certificate,
      anchors: [root.certificate],
      intermediates: [int.certificate],
      host: 'redis-1.unit.test',
    };
    assert.deepEqual(codes(validatePath(options).findings), ['COMMON_NAME_NOT_IN_SAN:warning']);
    const webpki = validatePath({ ...options, policy: 'webpki' });
    assert.equal(webpki.ok, false);
    assert.deepEqual(codes(webpki.findings), ['COMMON_NAME_NOT_IN_SAN:error']);
    assert.throws(
      () => validatePath({ ...options, policy: 'browser' as never }),
      /policy must be one of default, webpki/,
    );
  });

  await t.test(
    'per-stack trust: Go and Java accept the partial chain, OpenSSL stacks refuse it',
    () => {
      // The check report's `trust`: each stack's verdict on the chain with the CA file.
      const verdicts =
        checkEndpointCertificate({
          cluster: 'unit.test',
          certificates: [leaf.certificate, int.certificate],
          ca: [int.certificate],
        }).trust ?? [];
      assert.deepEqual(
        verdicts.map((v) => `${v.stack}:${String(v.accepts)}`),
        ['node:false', 'openssl:false', 'python:false', 'go:true', 'java:true'],
      );
      assert.match(verdicts[0]?.reason ?? '', /^PARTIAL_CHAIN: no self-signed root in the CA file/);
      assert.match(verdicts[3]?.reason ?? '', /chains to CN=Unit Int, which is not self-signed/);
    },
  );

  await t.test(
    'check: PINNED for a self-signed leaf in the CA file, trust verdicts beside names',
    () => {
      const report = checkEndpointCertificate({
        cluster: 'unit.test',
        certificates: [self.certificate],
        ca: [root.certificate, self.certificate],
      });
      assert.equal(report.ok, true);
      assert.deepEqual(codes(report.findings), ['PINNED:info']);
      assert.ok(report.trust?.every((v) => v.accepts));
    },
  );

  await t.test(
    'chain mode: the leaf stays the leaf over a gap; the CAs above it follow',
    async () => {
      const between = await memoryCert({
        name: 'int2.pem',
        kind: 'ca',
        commonName: 'Unit Int2',
        issuer: int,
        days: 365,
      });
      const far = await memoryCert({
        name: 'far.pem',
        commonName: 'redis-2.unit.test',
        issuer: between,
        dnsNames: ['redis-2.unit.test'],
      });
      const { chain } = assembleParsedCertificates(
        [far.certificate, int.certificate, root.certificate],
        { mode: 'chain' },
      );
      assert.equal(chain.ok, false);
      assert.equal(chain.path[0]?.certificate, far.certificate);
      assert.deepEqual(codes(chain.findings), ['MISSING_ISSUER:error']);
      assert.deepEqual(chain.detached, [int.certificate, root.certificate]);
      assert.deepEqual(chain.certificates, [far.certificate, int.certificate, root.certificate]);
      assert.deepEqual(chain.unused, []);
    },
  );

  await t.test('a trust bundle with no self-signed member: ROOT_MISSING, an error', () => {
    const { bundle } = assembleParsedCertificates([leaf.certificate, int.certificate], {
      mode: 'bundle',
    });
    assert.equal(bundle.ok, false);
    const missing = bundle.findings.find((f) => f.code === 'ROOT_MISSING');
    assert.equal(missing?.severity, 'error');
    assert.match(missing.message, /add the root CA certificate CN=Unit Root$/);
    const { bundle: warned } = assembleParsedCertificates([self.certificate, int.certificate], {
      mode: 'bundle',
    });
    assert.equal(warned.ok, true);
    assert.equal(warned.findings.find((f) => f.code === 'ROOT_MISSING')?.severity, 'warning');
  });
});
