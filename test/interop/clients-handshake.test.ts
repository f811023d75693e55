/**
 * Issue 5: the Python and Java client-stack models agree with the real stacks, through real TLS
 * handshakes on loopback: one Node TLS server per corpus certificate, and one Python process
 * (`ssl.create_default_context`, as redis-py) and one Java process (JSSE with endpoint
 * identification `HTTPS`, as Jedis and Lettuce) trying every host name on every server.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { clientVerdict, parseCertificates, presentedNames } from '@certkit/core';
import type { ClientStack } from '@certkit/core';
import { run } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CORPUS_HOSTS, makeCorpus } from './clients-corpus.js';

const PYTHON = `
import json, socket, ssl, sys
ca = sys.argv[1]
out = []
for case in json.load(sys.stdin):
    ctx = ssl.create_default_context(cafile=ca)
    try:
        with socket.create_connection(("127.0.0.1", case["port"]), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=case["host"]):
                out.append("accept")
    except ssl.SSLCertVerificationError as e:
        # 62 = X509_V_ERR_HOSTNAME_MISMATCH: only a name refusal counts as a verdict
        out.append("reject" if e.verify_code == 62 else "error: %s" % e.verify_message)
    except Exception as e:
        out.append("error: %r" % e)
print(json.dumps(out))
`;

const JAVA = `
import java.io.*;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;

public class ClientsCheck {
  public static void main(String[] args) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = new FileInputStream(args[0])) {
      store.setCertificateEntry("root", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    SSLSocketFactory factory = context.getSocketFactory();
    BufferedReader reader = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) continue;
      int space = line.indexOf(' ');
      int port = Integer.parseInt(line.substring(0, space));
      String host = line.substring(space + 1);
      try (Socket raw = new Socket("127.0.0.1", port);
           SSLSocket socket = (SSLSocket) factory.createSocket(raw, host, port, true)) {
        SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
        socket.startHandshake();
        System.out.println("accept");
      } catch (SSLHandshakeException e) {
        Throwable cause = e.getCause();
        // HostnameChecker throws CertificateException; path-building failures are
        // CertPathBuilder/ValidatorException and count as errors of the test itself.
        boolean nameRefusal = cause != null && cause.getClass() == CertificateException.class;
        System.out.println(nameRefusal ? "reject" : "error: " + e);
      }
    }
  }
}
`;

async function startServers(
  t: TestContext,
  certs: readonly { pem: string; keyPem: string }[],
): Promise<number[]> {
  const ports: number[] = [];
  for (const cert of certs) {
    const server = createServer({ key: cert.keyPem, cert: cert.pem }, (socket) => {
      socket.end();
    });
    // A client that refuses our certificate resets the connection: not an error of the server.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    );
    ports.push((server.address() as AddressInfo).port);
  }
  return ports;
}

function compare(stack: ClientStack, real: readonly string[], cases: readonly Case[]): string[] {
  assert.equal(real.length, cases.length);
  const problems: string[] = [];
  real.forEach((outcome, i) => {
    const c = cases[i];
    if (c === undefined) throw new Error('more outcomes than cases');
    if (outcome !== 'accept' && outcome !== 'reject') {
      problems.push(`${stack} ${c.cert} ${c.host}: ${outcome}`);
      return;
    }
    const model = clientVerdict(stack, c.names, c.host).accepts;
    if (model !== (outcome === 'accept'))
      problems.push(`${stack} ${c.cert} ${c.host}: real ${outcome}, model ${String(model)}`);
  });
  return problems;
}

interface Case {
  readonly cert: string;
  readonly host: string;
  readonly port: number;
  readonly names: ReturnType<typeof presentedNames>;
}

test('client models agree with real Python ssl and Java JSSE handshakes on the whole corpus', async (t) => {
  const dir = tempDir(t);
  const corpus = await makeCorpus(dir);
  const ports = await startServers(t, corpus.certs);
  const cases: Case[] = [];
  corpus.certs.forEach((cert, i) => {
    const parsed = parseCertificates(Buffer.from(cert.pem), cert.name)[0];
    const port = ports[i];
    assert.ok(parsed !== undefined && port !== undefined);
    for (const host of CORPUS_HOSTS)
      cases.push({ cert: cert.name, host, port, names: presentedNames(parsed) });
  });

  await t.test('python', async () => {
    const py = await run('python3', ['-c', PYTHON, corpus.root.cert], {
      input: JSON.stringify(cases.map((c) => ({ port: c.port, host: c.host }))),
      timeoutMs: 120_000,
    });
    assert.equal(py.code, 0, py.stderr);
    const real = JSON.parse(py.stdout) as string[];
    t.diagnostic(
      `python: ${String(real.length)} handshakes, ${String(real.filter((r) => r === 'accept').length)} accepted`,
    );
    assert.ok(real.filter((r) => r === 'accept').length > 10);
    assert.ok(real.filter((r) => r === 'reject').length > 10);
    assert.deepEqual(compare('python', real, cases), []);
  });

  await t.test('java', async () => {
    const source = join(dir, 'ClientsCheck.java');
    writeFileSync(source, JAVA);
    const java = await run('java', [source, corpus.root.cert], {
      input: cases.map((c) => `${String(c.port)} ${c.host}`).join('\n'),
      timeoutMs: 180_000,
    });
    assert.equal(java.code, 0, java.stderr);
    const real = java.stdout.trim().split('\n');
    t.diagnostic(
      `java: ${String(real.length)} handshakes, ${String(real.filter((r) => r === 'accept').length)} accepted`,
    );
    assert.ok(real.filter((r) => r === 'accept').length > 10);
    assert.ok(real.filter((r) => r === 'reject').length > 10);
    assert.deepEqual(compare('java', real, cases), []);
  });
});
