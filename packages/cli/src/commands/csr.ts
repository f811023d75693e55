/** `certs csr`: a key and a PKCS#10 request for an organisation's own CA. */
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { line, paint, printJson, printLines, withProgress } from '../output.js';
import { checkClusterOption, maxInputFrom } from '../options.js';
import { KEY_RULES, keyOutputOptions, keyTypeArgs, NAME_OPTIONS } from './issue-common.js';

export const csr = defineCommand({
  command: 'csr',
  describe: 'make a key and a certificate request (PKCS#10) for your own CA',
  builder: (y) =>
    keyOutputOptions(
      y
        .usage(
          'certs csr --cluster C [options]\n\nMakes proxy_key.pem (0600) and proxy.csr: a PKCS#10 request with the names and usages of the Redis Enterprise proxy profile (CN = C; SANs C, *.C, internal.C, *.internal.C; EKU serverAuth + clientAuth), for a CA you do not run yourself. Check it with `openssl req -verify -in proxy.csr` or `certs inspect proxy.csr`. Many CAs ignore requested extensions: check what comes back.',
        )
        .options(NAME_OPTIONS),
      { bits: 2048, out: '.' },
    ),
  examples: [
    ['certs csr --cluster cluster.example.com --out csr', 'RSA 2048 key + request in ./csr'],
    ['certs csr --cluster c.example.com --key-type ec --json', 'EC P-256, machine-readable'],
  ],
  rules: KEY_RULES,
  run: async (args, io) => {
    const core = await import('@certkit/core');
    await checkClusterOption(core, args.cluster, maxInputFrom(args));
    const written = await withProgress(io, 'generating key', () =>
      core.writeCertificateRequest({
        ...(args.cluster === undefined ? {} : { cluster: args.cluster }),
        dnsNames: args.san,
        ipAddresses: args.ip,
        usage: args.usage,
        outDir: args.out,
        ...keyTypeArgs(args),
        force: args.force,
      }),
    );
    if (args.json) {
      printJson(io, {
        ok: true,
        request: written.info,
        files: { request: written.csrPath, privateKey: written.privateKeyPath },
      });
      return EXIT_OK;
    }
    const { info } = written;
    const key =
      info.key.type === 'ec' ? `EC ${info.key.curve ?? ''}` : `RSA ${String(info.key.bits)}-bit`;
    printLines(io, 'stdout', [
      paint(`Certificate request ready (${key} key)`, 'bold', io.stdoutIsTty),
      line`  subject      ${info.subject}`,
      line`  names        ${[...info.subjectAltNames.dns, ...info.subjectAltNames.ip].join(', ')}`,
      line`  request      ${written.csrPath}`,
      line`  private key  ${written.privateKeyPath} (mode 0600; keep it secret)`,
      line``,
      line`Send ${written.csrPath} to your CA; install what comes back with ${written.privateKeyPath}.`,
    ]);
    return EXIT_OK;
  },
});
