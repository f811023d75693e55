/** `certs csr`: a key and a PKCS#10 request for an organisation's own CA. */
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { line, paint, printJson, printLines, withProgress } from '../output.js';
import { keyOutputOptions, NAME_OPTIONS } from './issue-common.js';

export const csr = defineCommand({
  command: 'csr',
  describe: 'make a key and a certificate request (PKCS#10) for your own CA',
  builder: (y) =>
    keyOutputOptions(
      y
        .usage(
          'certs csr --cluster C [options]\n\nMakes proxy_key.pem (0600) and proxy.csr: a PKCS#10 request with the names and usages of the\nRedis Enterprise proxy profile (CN = C; SANs C, *.C, internal.C, *.internal.C; EKU serverAuth +\nclientAuth), for a CA you do not run yourself. Check it with `openssl req -verify -in proxy.csr`\nor `certs inspect proxy.csr`. Many CAs ignore requested extensions: check what comes back.',
        )
        .options(NAME_OPTIONS),
      { bits: 2048, out: '.' },
    )
      .example(
        'certs csr --cluster cluster.example.com --out csr',
        'RSA 2048 key + request in ./csr',
      )
      .example(
        'certs csr --cluster c.example.com --key-type ec --json',
        'EC P-256, machine-readable',
      ),
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const written = await withProgress(io, 'generating key', () =>
      core.writeCertificateRequest({
        ...(args.cluster === undefined ? {} : { cluster: args.cluster }),
        dnsNames: args.san,
        ipAddresses: args.ip,
        usage: args.usage,
        outDir: args.out,
        keyType: args['key-type'],
        bits: args.bits,
        curve: args.curve,
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
    printLines(io, 'stdout', [
      paint('Certificate request ready', 'bold', io.stdoutIsTty),
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
