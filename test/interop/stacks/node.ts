/**
 * Node's tls client (ioredis, node-redis): a real handshake with `ca` = the CA file contents and
 * the default `checkServerIdentity`, in this process.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { mapLimit } from './harness.js';
import type { Endpoint, StackContext, Verdict } from './harness.js';

/** Node's error codes for a refused name; other OpenSSL verify codes are trust refusals. */
const NAME_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID']);

/** The harness itself failed (nothing listened, a timeout): no verdict. */
const HARNESS_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

function handshake(endpoint: Endpoint, ca: string, host: string): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.addr,
      port: endpoint.port,
      ca,
      // Without servername Node checks the name against `host`: the reference IP.
      ...(endpoint.sni === undefined ? {} : { servername: endpoint.sni }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`node: no handshake with ${host} within 10 s`));
    }, 10_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.destroy();
      // rejectUnauthorized is on: an unauthorized peer never reaches secureConnect.
      resolve({ accepts: true });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const code = error.code ?? error.message;
      if (HARNESS_CODES.has(code)) {
        reject(new Error(`node: ${host}: ${code}`));
        return;
      }
      const stage = NAME_CODES.has(code)
        ? 'name'
        : code.startsWith('ERR_SSL')
          ? 'handshake'
          : 'trust';
      // Node's code alone can be vague (`UNSPECIFIED` for CA_MD_TOO_WEAK): keep the message too.
      resolve({ accepts: false, stage, reason: `${code}: ${error.message}` });
    });
  });
}

/** Judges every input through Node's tls client, four handshakes at a time. */
export function runNode(context: StackContext): Promise<Verdict[]> {
  return mapLimit(context.inputs, 4, (input, i) => {
    const endpoint = context.endpoints[i];
    if (endpoint === undefined) throw new Error('no endpoint');
    return handshake(endpoint, readFileSync(input.caFile, 'utf8'), input.host);
  });
}
