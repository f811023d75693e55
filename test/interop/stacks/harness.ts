/**
 * The differential harness: given certificate sets (the chain a server presents, its key, a CA
 * file, a reference host name or loopback IP), it runs every real TLS client stack on this machine
 * and returns each one's verdict. Names AND trust are judged together, as a client does; the
 * verdict's `stage` says which of the two refused.
 *
 * Servers are Node TLS servers in this process, one per presented chain, on 127.0.0.1 (or ::1 for
 * the reference `::1`), ports chosen by the kernel, at security level 0 so that they present any
 * chain (MD5 and SHA-1 included) and only the client judges. Clients reach a DNS reference name
 * through SNI on 127.0.0.1; an IP reference is the address connected to. Batching keeps the run
 * short: one Python, one Go and one Java process each judge every case, one stunnel process has a
 * service per case, and the OpenSSL command lines run a few at a time.
 */
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createServer } from 'node:tls';

/** One certificate set to judge. */
export interface StackInput {
  /** A unique name (a file-name-safe slug). */
  readonly id: string;
  /** PEM: the leaf first, then the intermediates the server sends. */
  readonly chainPem: string;
  /** PEM private key of the leaf. */
  readonly keyPem: string;
  /** Path of the CA file the clients trust (and nothing else). */
  readonly caFile: string;
  /** The reference identity: a DNS name, or `127.0.0.1` / `::1`. */
  readonly host: string;
}

/** Why a stack refused: the name check, path building and validation, parsing, or the handshake. */
export type Stage = 'name' | 'trust' | 'parse' | 'handshake';

/** One stack's verdict on one input. */
export interface Verdict {
  readonly accepts: boolean;
  /** Set when refused. */
  readonly stage?: Stage;
  /** The stack's own words (an error code, a verify error, an exception), when refused. */
  readonly reason?: string;
}

/** The stacks measured, in report order. */
export const STACK_IDS = [
  'node',
  'openssl-verify',
  'openssl-verify-strict',
  'openssl-verify-partial',
  'openssl-verify-level2',
  's_client',
  'stunnel',
  'redis-cli',
  'python',
  'go',
  'java',
] as const;

export type StackId = (typeof STACK_IDS)[number];

/** What each stack column is, exactly as it was run. */
export const STACK_DESCRIPTIONS: Readonly<Record<StackId, string>> = {
  node: "Node tls.connect with servername (none for an IP) and ca = the CA file; default checkServerIdentity; Node's own OpenSSL defaults",
  'openssl-verify':
    'openssl verify -CAfile CA -untrusted INTERMEDIATES -verify_hostname HOST (or -verify_ip IP)',
  'openssl-verify-strict': 'openssl-verify plus -x509_strict',
  'openssl-verify-partial': 'openssl-verify plus -partial_chain',
  'openssl-verify-level2': 'openssl-verify plus -auth_level 2',
  s_client:
    'openssl s_client -CAfile CA -verify_return_error -servername HOST -verify_hostname HOST (or -noservername -verify_ip IP); the default security level',
  stunnel:
    'stunnel client service: verifyChain = yes, CAfile, checkHost = HOST and sni = HOST (or checkIP = IP); the default security level',
  'redis-cli':
    'redis-cli --tls --cacert CA --sni HOST PING: OpenSSL chain verification, no host-name check',
  python:
    '/usr/bin/python3 ssl.create_default_context(cafile=CA), wrap_socket(server_hostname=HOST): check_hostname on',
  go: 'Go crypto/tls Client with RootCAs = the CA file and ServerName = HOST (a program built once per run, stdlib only)',
  java: 'Java JSSE (java File.java): PKIX trust store of every certificate in the CA file, SSLParameters endpoint identification HTTPS',
};

/** Where a client connects to reach an input's server. */
export interface Endpoint {
  readonly addr: '127.0.0.1' | '::1';
  readonly port: number;
  /** The SNI name to send: the reference host, or none for an IP reference. */
  readonly sni?: string;
}

/** Files and endpoints every stack runner needs. */
export interface StackContext {
  readonly t: TestContext;
  /** Scratch folder, removed by the caller. */
  readonly dir: string;
  readonly inputs: readonly StackInput[];
  /** Per input (same order): its server. */
  readonly endpoints: readonly Endpoint[];
  /** Per input: the leaf alone, and the intermediates (undefined when the server sends none). */
  readonly leafFiles: readonly string[];
  readonly untrustedFiles: readonly (string | undefined)[];
}

/** A runner judges every input of the context on one stack (same order). */
export type StackRunner = (context: StackContext) => Promise<Verdict[]>;

/** The PEM certificate blocks of a text, in order. */
export function pemBlocks(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)].map(
    (m) => `${m[0]}\n`,
  );
}

/** True for the reference identities the harness can reach (it connects to an IP reference). */
function endpointAddress(host: string): '127.0.0.1' | '::1' {
  if (isIP(host) === 0 || host === '127.0.0.1') return '127.0.0.1';
  if (host === '::1') return '::1';
  throw new Error(`the harness connects to an IP reference: ${host} is not 127.0.0.1 or ::1`);
}

/**
 * Starts one TLS server per presented chain and address family. Each answers every chunk with
 * `+PONG` (enough for redis-cli and a PING through stunnel) and is closed when the test ends.
 */
async function startServers(t: TestContext, inputs: readonly StackInput[]): Promise<Endpoint[]> {
  const ports = new Map<string, number>();
  const endpoints: Endpoint[] = [];
  for (const input of inputs) {
    const addr = endpointAddress(input.host);
    const key = `${addr}\n${input.keyPem}\n${input.chainPem}`;
    let port = ports.get(key);
    if (port === undefined) {
      const server = createServer(
        // Security level 0: the server presents MD5 and SHA-1 chains too; only the client judges.
        { cert: input.chainPem, key: input.keyPem, ciphers: 'DEFAULT@SECLEVEL=0' },
        (socket) => {
          socket.on('data', () => socket.write('+PONG\r\n'));
          socket.on('error', () => undefined);
        },
      );
      // A client that refuses the certificate aborts the handshake: not an error of the server.
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, addr, resolve);
      });
      t.after(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
          }),
      );
      port = (server.address() as AddressInfo).port;
      ports.set(key, port);
    }
    endpoints.push(isIP(input.host) === 0 ? { addr, port, sni: input.host } : { addr, port });
  }
  return endpoints;
}

/** Runs the inputs through a few runners at once, no more than `limit` promises pending. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Prepares servers and files for the inputs; the runners then share this context. */
export async function prepareStacks(
  t: TestContext,
  dir: string,
  inputs: readonly StackInput[],
): Promise<StackContext> {
  const ids = new Set(inputs.map((i) => i.id));
  if (ids.size !== inputs.length) throw new Error('input ids must be unique');
  const endpoints = await startServers(t, inputs);
  const leafFiles: string[] = [];
  const untrustedFiles: (string | undefined)[] = [];
  for (const input of inputs) {
    const [leaf, ...intermediates] = pemBlocks(input.chainPem);
    if (leaf === undefined) throw new Error(`${input.id}: the chain has no certificate`);
    const folder = join(dir, 'inputs', input.id);
    mkdirSync(folder, { recursive: true });
    const leafFile = join(folder, 'leaf.pem');
    writeFileSync(leafFile, leaf);
    leafFiles.push(leafFile);
    if (intermediates.length === 0) untrustedFiles.push(undefined);
    else {
      const untrusted = join(folder, 'untrusted.pem');
      writeFileSync(untrusted, intermediates.join(''));
      untrustedFiles.push(untrusted);
    }
  }
  return { t, dir, inputs, endpoints, leafFiles, untrustedFiles };
}

/** Every stack's verdicts, per stack, in input order. */
export type StackResults = Readonly<Record<StackId, readonly Verdict[]>>;

/**
 * Runs every runner on the prepared context. The JVM, the Go program, Python and stunnel run
 * beside each other (each is one process working through its list); the OpenSSL command lines
 * and Node's handshakes are many short jobs.
 */
export async function runStacks(
  context: StackContext,
  runners: Readonly<Record<StackId, StackRunner>>,
): Promise<StackResults> {
  // allSettled: no runner's process outlives this call, even when another runner failed.
  const settled = await Promise.allSettled(
    STACK_IDS.map(async (id) => {
      const verdicts = await runners[id](context);
      if (verdicts.length !== context.inputs.length)
        throw new Error(
          `${id}: ${String(verdicts.length)} verdicts for ${String(context.inputs.length)} inputs`,
        );
      return [id, verdicts] as const;
    }),
  );
  const entries = settled.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
  return Object.fromEntries(entries) as Record<StackId, Verdict[]>;
}
