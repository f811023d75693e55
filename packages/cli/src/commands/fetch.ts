/** `certs fetch`: save the certificate chain an endpoint presents, exactly as it sends it. */
import { defineCommand } from '../command.js';
import { afterFetch, printNextSteps } from '../next-steps.js';
import { EXIT_OK } from '../exit-codes.js';
import { timeoutFrom, withTimeout } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';

/**
 * The `fetch` command: parses arguments, calls core `savePresentedChain`, prints or saves PEM.
 *
 * @example
 * ```sh
 * certs fetch redis-12000.redislabs.com:12000 -o proxy_cert.pem
 * ```
 */
export const fetch = defineCommand({
  command: 'fetch <endpoint>',
  describe:
    'save the certificate chain a TLS endpoint presents (replaces copying proxy_cert.pem by hand)',
  builder: (y) =>
    withTimeout(y)
      .usage(
        'certs fetch HOST:PORT [-o FILE] [options]\n\nConnects to HOST:PORT and saves the certificates the server presents, in the order it sends them, whether or not they verify, and even when the server then refuses us for lacking a client certificate. Without -o the chain is printed as PEM on stdout, for a pipe into another command that reads - (standard input): certs fetch HOST:PORT | certs chain - ca.pem',
      )
      .positional('endpoint', {
        type: 'string',
        demandOption: true,
        describe: 'HOST:PORT or [IPv6]:PORT',
      })
      .option('sni', {
        type: 'string',
        requiresArg: true,
        describe: 'SNI name to send (default: the host)',
      })
      .option('output', {
        alias: ['o', 'out'],
        type: 'string',
        requiresArg: true,
        describe: 'write the chain (PEM, 0644) to this file',
      })
      .option('force', { type: 'boolean', describe: 'replace an existing -o file' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    ['certs fetch redis-12000.redislabs.com:12000 -o proxy_cert.pem', "save the endpoint's chain"],
    ['certs fetch 10.0.0.5:12000 --sni redis-12000.redislabs.com', 'print it, sending an SNI name'],
    [
      'certs fetch redis-12000.redislabs.com:12000 | certs chain - ca.pem -o bundle.pem',
      'join it with ca.pem in one trust bundle',
    ],
    ['certs fetch 127.0.0.1:12000 --json', 'machine-readable: certificates, protocol, PEM'],
  ],
  rules: [
    {
      when: { option: 'force', value: true },
      needs: [{ option: 'output' }],
      why: 'it replaces an existing -o file, and without -o the chain goes to stdout',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const timeoutMs = timeoutFrom(args);
    const saved = await core.savePresentedChain(args.endpoint, {
      force: args.force ?? false,
      ...(args.sni === undefined ? {} : { servername: args.sni }),
      ...(args.output === undefined ? {} : { output: args.output }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    const { chain } = saved;
    if (args.json) {
      printJson(io, {
        ok: true,
        endpoint: `${chain.host}:${String(chain.port)}`,
        servername: chain.servername ?? null,
        protocol: chain.protocol,
        handshakeCompleted: chain.handshakeCompleted,
        error: chain.error ?? null,
        path: saved.path ?? null,
        certificates: chain.certificates.map((c) => c.info),
        pem: saved.pem,
      });
      return EXIT_OK;
    }
    const count = chain.certificates.length;
    const lines = [
      line`${paint(`${String(count)} certificate${count === 1 ? '' : 's'}`, 'bold', io.stdoutIsTty)} from ${chain.host}:${chain.port} (${chain.protocol ?? 'unknown protocol'}${chain.error === undefined ? '' : `; then ${chain.error}`})`,
      ...chain.certificates.map(
        (c, i) =>
          line`  ${i + 1}. ${c.info.subject}  (issuer ${c.info.issuer}; until ${c.info.notAfter})`,
      ),
    ];
    if (saved.path === undefined) {
      printLines(io, 'stderr', lines);
      // The PEM is data: base64 lines certkit wrote itself.
      io.stdout(saved.pem);
    } else {
      printLines(io, 'stdout', [...lines, line`saved to ${saved.path}`]);
      printNextSteps(io, afterFetch(saved.path));
    }
    return EXIT_OK;
  },
});
