/** `certs renew-client`: re-issue a client identity with the same subject. */
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { identityOutputOptions, maxInputFrom, withPassphraseFile } from '../options.js';
import { line, paint, printLines, withProgress } from '../output.js';
import { printIdentityJson } from './gen-client.js';
import { printNextSteps, shellWord } from '../next-steps.js';

export const renewClient = defineCommand({
  command: 'renew-client',
  describe: 're-issue a client identity with the same subject (new key by default)',
  builder: (y) =>
    identityOutputOptions(
      withPassphraseFile(y, 'of an encrypted --key')
        .usage(
          "certs renew-client --cert FILE --key FILE [--reuse-key] [--out DIR]\n\nRe-issues a self-signed client identity (as gen-client makes) with the same subject and the client profile: a new key of the same type and size, or the same key with --reuse-key. The validity defaults to the current certificate's. Add the new cert.pem to the database's client certificates before the old one expires; both can be trusted during the change-over.",
        )
        .option('cert', {
          type: 'string',
          demandOption: true,
          describe: 'the current client certificate',
          requiresArg: true,
        })
        .option('key', {
          type: 'string',
          demandOption: true,
          describe: 'its private key',
          requiresArg: true,
        })
        .option('reuse-key', {
          type: 'boolean',
          default: false,
          describe: 'certify the same key again',
        })
        .option('out', {
          type: 'string',
          default: '.',
          describe: 'folder to write into (created if missing)',
          requiresArg: true,
        })
        .option('days', {
          type: 'number',
          describe: 'validity in days (default: the current lifetime)',
          requiresArg: true,
        })
        .option('key-file', {
          type: 'string',
          describe: 'new key file, in --out unless an absolute path (default keyclient.pem)',
          requiresArg: true,
        }),
    ),
  examples: [
    [
      'certs renew-client --cert cert.pem --key keyclient.pem --out renewed',
      'new key and certificate in ./renewed',
    ],
    [
      'certs renew-client --cert cert.pem --key keyclient.pem --reuse-key --cert-file cert-2031.pem',
      'same key, new certificate',
    ],
    [
      'certs renew-client --cert cert.pem --key keyclient.pem --force',
      'replace in place (atomic; the old key is kept as keyclient.pem.<time>.bak)',
    ],
    [
      'certs renew-client --cert cert.pem --key keyclient.pem --passphrase-file key.pass --reuse-key',
      'the key is encrypted',
    ],
  ],
  rules: [
    {
      when: { option: 'key-file' },
      excludes: { option: 'reuse-key', value: true },
      why: 'with --reuse-key no key is written',
    },
  ],
  run: async (args, io) => {
    // The identity entry loads no schema library: ~60 ms less start-up (bench case 1b).
    const core = await import('@certkit/core/identity');
    const maxInputBytes = maxInputFrom(args);
    const written = await withProgress(io, args['reuse-key'] ? 'signing' : 'generating key', () =>
      core.renewClientIdentity({
        certPath: args.cert,
        keyPath: args.key,
        reuseKey: args['reuse-key'],
        outDir: args.out,
        certFileName: args['cert-file'],
        ...(args['key-file'] === undefined ? {} : { keyFileName: args['key-file'] }),
        force: args.force,
        ...(args['passphrase-file'] === undefined
          ? {}
          : { passphrasePath: args['passphrase-file'] }),
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        ...(args.days === undefined ? {} : { days: args.days }),
      }),
    );
    if (args.json) {
      printIdentityJson(io, written);
      return EXIT_OK;
    }
    printLines(io, 'stdout', [
      paint('Client identity renewed', 'bold', io.stdoutIsTty),
      line`  subject      ${written.info.subject}`,
      line`  valid        ${written.info.notBefore} to ${written.info.notAfter}`,
      line`  sha256       ${written.info.fingerprintSha256}`,
      line`  certificate  ${written.certificatePath}`,
      line`  private key  ${written.privateKeyPath}${written.privateKeyWritten ? ' (new, mode 0600)' : ' (same key, unchanged)'}`,
      ...(written.replacedKeyBackupPath === undefined
        ? []
        : [line`  old key      ${written.replacedKeyBackupPath} (the key it replaced, mode 0600)`]),
    ]);
    const cert = shellWord(written.certificatePath);
    const key = shellWord(written.privateKeyPath);
    printNextSteps(io, [
      line`  The change-over, with no client locked out:`,
      line`  1. Add ${cert} to the database's "SSL client authentication" field next to the old`,
      line`     certificate (Redis Enterprise: database > Security > TLS): both are trusted now.`,
      line`     (A plain redis-server: tls-ca-cert-file a bundle of both, certs chain old.pem ${cert} -o clients.pem.)`,
      line`  2. Give the clients ${cert} and ${key}, and restart them; check one: redis-cli --tls --cert ${cert} --key ${key} --cacert servercerts.pem -h <endpoint> -p <port> PING`,
      line`  3. Remove the old certificate from that field.`,
      ...(written.replacedKeyBackupPath === undefined
        ? []
        : [
            line`  4. Delete ${shellWord(written.replacedKeyBackupPath)} once no client uses the old key.`,
          ]),
    ]);
    return EXIT_OK;
  },
});
