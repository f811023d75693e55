/** `certs csr`: a key (or one you have) and a PKCS#10 request for an organisation's own CA. */
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { line, paint, printJson, printLines, withProgress } from '../output.js';
import { maxInputFrom, withPassphraseFile } from '../options.js';
import { printNextSteps, shellWord } from '../next-steps.js';
import { KEY_RULES, keyOutputOptions, keyTypeArgs, NAME_OPTIONS } from './issue-common.js';

export const csr = defineCommand({
  command: 'csr',
  describe: 'make a key and a certificate request (PKCS#10) for your own CA',
  builder: (y) =>
    withPassphraseFile(
      keyOutputOptions(
        y
          .usage(
            'certs csr --cluster C [options]\ncerts csr --subject "/C=US/O=Acme/CN=C" --cluster C [--key FILE] [options]\ncerts csr --usage client --subject "/O=Acme/CN=app" [options]\n\nMakes proxy_key.pem (0600) and proxy.csr: a PKCS#10 request with the names and usages of the Redis Enterprise proxy profile (CN = C; SANs C, *.C, internal.C, *.internal.C; EKU serverAuth + clientAuth), for a CA you do not run yourself. --subject sets the whole subject your CA expects; --key makes the request for a key you have (no key is written); --usage client makes keyclient.pem + client.csr. Check it with `openssl req -verify -in proxy.csr` or `certs inspect proxy.csr`; sign it yourself with `certs issue --csr proxy.csr --ca … --ca-key …`. Many CAs ignore requested extensions: check what comes back.',
          )
          .options(NAME_OPTIONS)
          .option('subject', {
            type: 'string',
            describe: 'whole subject, e.g. "/C=US/O=Acme/CN=cluster.example.com"',
            requiresArg: true,
          })
          .option('key', {
            type: 'string',
            describe: 'make the request for this existing private key (not written again)',
            requiresArg: true,
          }),
        { bits: 2048, out: '.' },
      ),
      'of an encrypted --key',
    ),
  examples: [
    ['certs csr --cluster cluster.example.com --out csr', 'RSA 2048 key + request in ./csr'],
    [
      'certs csr --subject "/C=US/O=Acme/CN=cluster.example.com" --cluster cluster.example.com',
      'the subject your CA asks for',
    ],
    [
      'certs csr --cluster cluster.example.com --key proxy_key.pem --passphrase-file key.pass --force',
      'a new request for the key you have',
    ],
    [
      'certs csr --usage client --subject "/O=Acme/CN=app"',
      'a client request: keyclient.pem + client.csr',
    ],
    ['certs csr --cluster c.example.com --key-type ec --json', 'EC P-256, machine-readable'],
  ],
  // The --key rules come before the key rules: --curve alone would otherwise imply --key-type ec
  // first, and the refusal would name an option the user did not give.
  rules: [
    {
      when: { option: 'passphrase-file' },
      needs: [{ option: 'key' }],
      why: 'it decrypts the key given with --key',
    },
    ...(['key-type', 'bits', 'curve'] as const).map((option) => ({
      when: { option: 'key' },
      excludes: { option },
      why: 'the request is for the key given, whatever its type',
    })),
    ...KEY_RULES,
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const written = await withProgress(
      io,
      args.key === undefined ? 'generating key' : 'signing',
      () =>
        core.writeCertificateRequest({
          ...(args.cluster === undefined ? {} : { cluster: args.cluster }),
          ...(args.subject === undefined ? {} : { subject: args.subject }),
          ...(args.key === undefined ? {} : { existingKeyPath: args.key }),
          ...(args['passphrase-file'] === undefined
            ? {}
            : { passphrasePath: args['passphrase-file'] }),
          ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
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
        files: {
          request: written.csrPath,
          privateKey: written.privateKeyPath,
          privateKeyWritten: written.privateKeyWritten,
        },
        warnings: written.warnings,
      });
      return EXIT_OK;
    }
    printLines(
      io,
      'stderr',
      written.warnings.map((warning) => line`certs: warning: ${warning}`),
    );
    const { info } = written;
    const key =
      info.key.type === 'ec' ? `EC ${info.key.curve ?? ''}` : `RSA ${String(info.key.bits)}-bit`;
    const names = [...info.subjectAltNames.dns, ...info.subjectAltNames.ip];
    const request = shellWord(written.csrPath);
    printLines(io, 'stdout', [
      paint(`Certificate request ready (${key} key)`, 'bold', io.stdoutIsTty),
      line`  subject      ${info.subject}`,
      line`  names        ${names.length > 0 ? names.join(', ') : '(none)'}`,
      line`  request      ${written.csrPath}`,
      line`  private key  ${written.privateKeyPath}${written.privateKeyWritten ? ' (mode 0600; keep it secret)' : ' (existing key, unchanged)'}`,
    ]);
    printNextSteps(io, [
      line`  Send ${request} to your CA; install what comes back with ${written.privateKeyPath}.`,
      line`  With a CA of your own (certs gen-ca), sign it yourself:`,
      line`  certs issue --csr ${request} --ca intermediate.pem --ca-key intermediate-key.pem --usage ${args.usage}${args.usage === 'client' ? ' --cert-file cert.pem' : ''}`,
    ]);
    return EXIT_OK;
  },
});
