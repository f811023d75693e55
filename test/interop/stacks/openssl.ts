/**
 * The OpenSSL command lines: `openssl verify` with its flags, `openssl s_client` in a real
 * handshake, and redis-cli (OpenSSL underneath, no host-name check).
 */
import { isIP } from 'node:net';
import { run } from '../../helpers/cli.js';
import { mapLimit } from './harness.js';
import type { Stage, StackContext, StackRunner, Verdict } from './harness.js';

/** X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_EMAIL_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH. */
const NAME_ERRORS = new Set([62, 63, 64]);

function stageOf(code: number): Stage {
  return NAME_ERRORS.has(code) ? 'name' : 'trust';
}

function nameFlags(host: string): string[] {
  return isIP(host) === 0 ? ['-verify_hostname', host] : ['-verify_ip', host];
}

/** Short OpenSSL command lines run this many at a time (2 cores, mostly process start-up). */
const PARALLEL = 4;

/** `openssl verify` with extra flags (none for the default column). */
export function opensslVerify(flags: readonly string[]): StackRunner {
  return (context: StackContext) =>
    mapLimit(context.inputs, PARALLEL, async (input, i) => {
      const leaf = context.leafFiles[i];
      const untrusted = context.untrustedFiles[i];
      if (leaf === undefined) throw new Error('no leaf file');
      const result = await run('openssl', [
        'verify',
        ...flags,
        '-CAfile',
        input.caFile,
        ...(untrusted === undefined ? [] : ['-untrusted', untrusted]),
        ...nameFlags(input.host),
        leaf,
      ]);
      if (result.code === 0 && result.stdout.trim().endsWith(': OK')) return { accepts: true };
      // The verify callback prints the first error and stops: `error N at D depth lookup: text`.
      const error = /error (\d+) at (\d+) depth lookup: ([^\n]*)/.exec(result.stderr);
      if (result.code !== 2 || error === null)
        throw new Error(
          `openssl verify ${input.id}: exit ${String(result.code)}\n${result.stderr}`,
        );
      const code = Number(error[1]);
      return {
        accepts: false,
        stage: stageOf(code),
        reason: `${String(code)} ${error[3] ?? ''} (depth ${error[2] ?? ''})`,
      };
    });
}

/** `openssl s_client` against the input's server, at the default security level. */
export const opensslSClient: StackRunner = (context) =>
  mapLimit(context.inputs, PARALLEL, async (input, i): Promise<Verdict> => {
    const endpoint = context.endpoints[i];
    if (endpoint === undefined) throw new Error('no endpoint');
    const address =
      endpoint.addr === '::1'
        ? `[::1]:${String(endpoint.port)}`
        : `127.0.0.1:${String(endpoint.port)}`;
    const result = await run('openssl', [
      's_client',
      '-connect',
      address,
      ...(endpoint.sni === undefined ? ['-noservername'] : ['-servername', endpoint.sni]),
      '-CAfile',
      input.caFile,
      '-verify_return_error',
      ...nameFlags(input.host),
    ]);
    const error = /verify error:num=(\d+):([^\n]*)/.exec(result.stderr + result.stdout);
    if (result.code === 0 && /Verify return code: 0 \(ok\)/.test(result.stdout) && error === null)
      return { accepts: true };
    if (error !== null) {
      const code = Number(error[1]);
      return { accepts: false, stage: stageOf(code), reason: `${String(code)} ${error[2] ?? ''}` };
    }
    // Refused by the TLS layer itself (no verify error): the first OpenSSL error line.
    const ssl = /error:[0-9A-F]+:SSL routines:[^:]*:([^\n]*)/.exec(result.stderr);
    if (result.code !== 0 && ssl !== null)
      return { accepts: false, stage: 'handshake', reason: ssl[1] ?? '' };
    throw new Error(`s_client ${input.id}: exit ${String(result.code)}\n${result.stderr}`);
  });

/** redis-cli PING over TLS (redis-cli checks no host name: the verdict is trust alone). */
export const redisCli: StackRunner = (context) =>
  mapLimit(context.inputs, PARALLEL, async (input, i): Promise<Verdict> => {
    const endpoint = context.endpoints[i];
    if (endpoint === undefined) throw new Error('no endpoint');
    const result = await run('redis-cli', [
      '-h',
      endpoint.addr,
      '-p',
      String(endpoint.port),
      '--tls',
      '--cacert',
      input.caFile,
      ...(endpoint.sni === undefined ? [] : ['--sni', endpoint.sni]),
      'PING',
    ]);
    const out = (result.stdout + result.stderr).trim();
    if (out === 'PONG') return { accepts: true };
    // `Could not connect to Redis at ADDR:PORT: SSL_connect failed: certificate verify failed`
    const failed = /Could not connect to Redis at [^ ]+: ([^\n]*)/.exec(out);
    if (failed === null) throw new Error(`redis-cli ${input.id}: ${out}`);
    const reason = failed[1] ?? '';
    return {
      accepts: false,
      stage: reason.includes('certificate verify failed') ? 'trust' : 'handshake',
      reason,
    };
  });
