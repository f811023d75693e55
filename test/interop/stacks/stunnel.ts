/**
 * stunnel 5.68 in client mode (what redis-cli users without TLS put in front): one stunnel
 * process with a service per input, `verifyChain = yes`, the input's CAfile and `checkHost` (or
 * `checkIP`). The verdict is whether a PING comes back through the tunnel; the reason is read
 * from stunnel's log lines of that connection.
 */
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { freePort, startBackground, waitForPort } from '../../helpers/process.js';
import { plainPing } from '../../helpers/stunnel.js';
import { mapLimit } from './harness.js';
import type { StackContext, Verdict } from './harness.js';

/** Distinct free ports (freePort releases its port, so the kernel may hand one out twice). */
async function distinctPorts(count: number, taken: Set<number>): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!taken.has(port)) {
      taken.add(port);
      ports.push(port);
    }
  }
  return ports;
}

/** `LOG5[7]: Service [s3] accepted connection from …` and the later lines of connection 7. */
function linesByService(log: string): Map<string, string[]> {
  const byConnection = new Map<string, string[]>();
  const services = new Map<string, string>();
  for (const line of log.split('\n')) {
    const m = /LOG\d\[(\d+)\]: (.*)$/.exec(line);
    if (m === null) continue;
    const [, id = '', text = ''] = m;
    const accepted = /^Service \[(s\d+)\] accepted connection/.exec(text);
    if (accepted !== null) {
      services.set(accepted[1] ?? '', id);
      byConnection.set(id, []);
    }
    byConnection.get(id)?.push(text);
  }
  const result = new Map<string, string[]>();
  for (const [service, id] of services) result.set(service, byConnection.get(id) ?? []);
  return result;
}

/** Judges every input through one stunnel process. */
export async function runStunnel(context: StackContext): Promise<Verdict[]> {
  const taken = new Set(context.endpoints.map((e) => e.port));
  const ports = await distinctPorts(context.inputs.length, taken);
  // debug 5 logs each connection's service, its certificate verdict and its end.
  const lines = ['foreground = yes', 'pid =', 'debug = 5'];
  context.inputs.forEach((input, i) => {
    const endpoint = context.endpoints[i];
    if (endpoint === undefined) throw new Error('no endpoint');
    lines.push(
      `[s${String(i)}]`,
      'client = yes',
      `accept = 127.0.0.1:${String(ports[i])}`,
      `connect = ${endpoint.addr}:${String(endpoint.port)}`,
      'verifyChain = yes',
      `CAfile = ${input.caFile}`,
      isIP(input.host) === 0 ? `checkHost = ${input.host}` : `checkIP = ${input.host}`,
      ...(endpoint.sni === undefined ? [] : [`sni = ${endpoint.sni}`]),
    );
  });
  const config = join(context.dir, 'stunnel.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const stunnel = startBackground(context.t, 'stunnel', [config]);
  const last = ports[ports.length - 1];
  if (last === undefined) return [];
  await waitForPort(last, stunnel.child, stunnel.output);

  const replies = await mapLimit(ports, 4, (port) => plainPing(port));
  // stunnel logs a connection's end after its socket closed: wait for every connection's end.
  const deadline = Date.now() + 10_000;
  let logs = linesByService(stunnel.output());
  const ended = (service: string): boolean =>
    (logs.get(service) ?? []).some((l) => l.startsWith('Connection '));
  while (!context.inputs.every((_, i) => ended(`s${String(i)}`))) {
    if (Date.now() > deadline)
      throw new Error(`stunnel: connections did not end:\n${stunnel.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    logs = linesByService(stunnel.output());
  }

  return context.inputs.map((input, i): Verdict => {
    const log = logs.get(`s${String(i)}`) ?? [];
    if (replies[i] === '+PONG') return { accepts: true };
    // `CERT: Subject checks failed` (checkHost / checkIP) or `CERT: Verification error: …`, then
    // `Rejected by CERT at depth=N: <subject>`.
    const cert = log.find((l) => l.startsWith('CERT: '));
    const depth = /^Rejected by CERT at depth=(\d+)/.exec(
      log.find((l) => l.startsWith('Rejected')) ?? '',
    );
    if (cert !== undefined) {
      return {
        accepts: false,
        stage: cert.includes('Subject checks failed') ? 'name' : 'trust',
        reason: `${cert}${depth === null ? '' : ` (depth ${depth[1] ?? ''})`}`,
      };
    }
    const ssl = log.find((l) => l.startsWith('SSL_connect:'));
    if (ssl !== undefined) {
      // `SSL_connect: <source file:line>: error:<code>:SSL routines::<text>`
      const text = /SSL routines::(.*)$/.exec(ssl);
      return { accepts: false, stage: 'handshake', reason: text?.[1] ?? ssl };
    }
    throw new Error(`stunnel ${input.id}: reply ${String(replies[i])}, log:\n${log.join('\n')}`);
  });
}
