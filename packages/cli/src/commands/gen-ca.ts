/** `certs gen-ca`: a private root CA for Redis server and client certificates. */
import { CA_CERT_VALIDITY_DAYS, CA_KEY_BITS } from '@certkit/core/defaults';
import { defineCommand } from '../command.js';
import { afterGenCa, printNextSteps } from '../next-steps.js';
import { EXIT_OK } from '../exit-codes.js';
import { requiredSubject } from '../options.js';
import { withProgress } from '../output.js';
import {
  KEY_RULES,
  SUBJECT_RULE,
  keyOptions,
  printWritten,
  VALIDITY_HELP,
  keyArgs,
} from './issue-common.js';

export const genCa = defineCommand({
  command: 'gen-ca',
  describe: 'make a private root CA: ca.pem + ca-key.pem (0600)',
  builder: (y) =>
    keyOptions(
      y.usage(
        `certs gen-ca --cn NAME [options]\n\nMakes a self-signed root CA (CA:TRUE, keyCertSign + cRLSign, no EKU) to sign intermediates, proxy certificates and client certificates. Keep ca-key.pem offline; sign day to day with an intermediate (certs gen-intermediate).\n\n${VALIDITY_HELP}`,
      ),
      { days: CA_CERT_VALIDITY_DAYS, bits: CA_KEY_BITS, out: '.' },
    )
      .option('cn', { type: 'string', describe: 'common name of the CA', requiresArg: true })
      .option('subject', {
        type: 'string',
        describe: 'whole subject, e.g. "/C=US/O=Acme/CN=Acme Root CA"',
        requiresArg: true,
      }),
  examples: [
    ['certs gen-ca --cn "Acme Redis Root CA" --out pki', 'RSA 4096, ten years, in ./pki'],
    ['certs gen-ca --cn "Test Root" --key-type ec --days 365', 'a short-lived EC test root'],
    ['certs gen-ca --subject "/O=Acme/CN=Acme Root" --json', 'machine-readable result'],
  ],
  rules: [SUBJECT_RULE, ...KEY_RULES],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const subject = requiredSubject(
      args,
      'the CA name with --cn NAME or --subject "/O=Acme/CN=Root"',
    );
    const written = await withProgress(io, 'generating CA key', () =>
      core.writeCa({
        subject,
        ...keyArgs(args),
      }),
    );
    printWritten(io, written, args.json, 'Root CA ready');
    if (!args.json) {
      printNextSteps(
        io,
        afterGenCa(written.certificatePath, written.privateKeyPath ?? '', args.out),
      );
    }
    return EXIT_OK;
  },
});
