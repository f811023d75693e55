/**
 * Issue 5: the Node and OpenSSL client-stack models agree with the real stacks on every pair of
 * the corpus: Node's `tls.checkServerIdentity`, Node's `X509Certificate.checkHost` (OpenSSL's
 * X509_check_host, flags 0) and `openssl x509 -checkhost` (what stunnel's checkHost calls).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
// The per-stack model functions, below clientVerdicts (checkEndpointCertificate's names[].clients): they take a certificate's names.
import { clientVerdict, presentedNames } from '../../packages/core/src/judge/clients.js';
import { parseCertificates } from '../../packages/core/src/x509/certificates.js';
import { openssl } from '../helpers/openssl.js';
import { tempDir } from '../helpers/tmp.js';
import { CORPUS_HOSTS, makeCorpus } from './clients-corpus.js';

test('client models agree with the real Node and OpenSSL stacks on the whole corpus', async (t) => {
  const dir = tempDir(t);
  const corpus = await makeCorpus(dir);
  const disagreements: string[] = [];
  let pairs = 0;
  const verdicts: Record<'node' | 'openssl', [number, number]> = { node: [0, 0], openssl: [0, 0] };
  for (const cert of corpus.certs) {
    const parsed = parseCertificates(Buffer.from(cert.pem), cert.name)[0];
    assert.ok(parsed);
    const names = presentedNames(parsed);
    const native = new X509Certificate(cert.pem);
    const legacy: PeerCertificate = native.toLegacyObject();
    for (const host of CORPUS_HOSTS) {
      pairs++;
      const realNode = checkServerIdentity(host, legacy) === undefined;
      const modelNode = clientVerdict('node', names, host).accepts;
      verdicts.node[realNode ? 0 : 1]++;
      if (realNode !== modelNode)
        disagreements.push(`node ${cert.name} ${host}: real ${String(realNode)}`);

      const realCheckHost = native.checkHost(host) !== undefined;
      const cli = await openssl(['x509', '-in', cert.cert, '-noout', '-checkhost', host]);
      assert.equal(cli.code, 0, cli.stderr);
      const realCli = !cli.stdout.includes('does NOT match');
      assert.match(cli.stdout, /does (NOT )?match certificate/);
      assert.equal(realCheckHost, realCli, `checkHost and openssl disagree: ${cert.name} ${host}`);
      const modelOpenssl = clientVerdict('openssl', names, host).accepts;
      verdicts.openssl[realCli ? 0 : 1]++;
      if (realCli !== modelOpenssl)
        disagreements.push(`openssl ${cert.name} ${host}: real ${String(realCli)}`);
    }
  }
  t.diagnostic(
    `${String(pairs)} pairs; node accepts/rejects ${verdicts.node.join('/')}, openssl ${verdicts.openssl.join('/')}`,
  );
  // Both verdicts occur for both stacks: a corpus that only accepts (or rejects) proves nothing.
  for (const [accepted = 0, rejected = 0] of Object.values(verdicts))
    assert.ok(accepted > 10 && rejected > 10);
  assert.deepEqual(disagreements, []);
});
