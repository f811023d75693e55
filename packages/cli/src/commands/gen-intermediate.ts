/** `certs gen-intermediate`: an intermediate CA (pathLen 0) signed by a root. */
import { CA_KEY_BITS, INTERMEDIATE_CERT_VALIDITY_DAYS } from '@certkit/core/defaults';
import { defineCommand } from '../command.js';
import { afterGenIntermediate, printNextSteps } from '../next-steps.js';
import { EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, requiredSubject, withPassphraseFile } from '../options.js';
import { withProgress } from '../output.js';
import {
  KEY_RULES,
  SUBJECT_RULE,
  keyOptions,
  printWritten,
  VALIDITY_HELP,
  keyArgs,
  issuerArgs,
} from './issue-common.js';

export const genIntermediate = defineCommand({
  command: 'gen-intermediate',
  describe: 'make an intermediate CA (pathLen 0): intermediate.pem + intermediate-key.pem',
  builder: (y) =>
    withPassphraseFile(
      keyOptions(
        y.usage(
          `certs gen-intermediate --ca FILE --ca-key FILE --cn NAME [options]\n\nMakes an intermediate CA (CA:TRUE, pathlen:0: it signs end-entity certificates only) signed by --ca. Servers send it after their own certificate; clients trust the root.\n\n${VALIDITY_HELP}`,
        ),
        { days: INTERMEDIATE_CERT_VALIDITY_DAYS, bits: CA_KEY_BITS, out: '.' },
      ),
      'of an encrypted --ca-key',
    )
      .option('ca', {
        type: 'string',
        demandOption: true,
        describe: 'the signing CA certificate',
        requiresArg: true,
      })
      .option('ca-key', {
        type: 'string',
        demandOption: true,
        describe: 'the signing CA private key',
        requiresArg: true,
      })
      .option('cn', { type: 'string', describe: 'common name', requiresArg: true })
      .option('subject', {
        type: 'string',
        describe: 'whole subject, e.g. "/O=Acme/CN=Acme Issuing CA"',
        requiresArg: true,
      }),
  examples: [
    [
      'certs gen-intermediate --ca pki/ca.pem --ca-key pki/ca-key.pem --cn "Acme Issuing CA" --out pki',
      'pathLen 0, five years',
    ],
    [
      'certs gen-intermediate --ca ca.pem --ca-key ca-key.pem --cn Issuing --key-type ec --json',
      'an EC intermediate, machine-readable result',
    ],
    [
      'certs gen-intermediate --ca ca.pem --ca-key ca-key.pem --passphrase-file ca.pass --cn Issuing',
      'the root key is encrypted',
    ],
  ],
  rules: [SUBJECT_RULE, ...KEY_RULES],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const subject = requiredSubject(args, 'the intermediate name with --cn NAME or --subject');
    const written = await withProgress(io, 'generating intermediate key', () =>
      core.writeIntermediate({
        subject,
        caCertPath: args.ca,
        caKeyPath: args['ca-key'],
        ...keyArgs(args),
        ...issuerArgs(args, maxInputBytes),
      }),
    );
    printWritten(io, written, args.json, 'Intermediate CA ready');
    if (!args.json) {
      printNextSteps(
        io,
        afterGenIntermediate(written.certificatePath, written.privateKeyPath ?? args['ca-key']),
      );
    }
    return EXIT_OK;
  },
});
