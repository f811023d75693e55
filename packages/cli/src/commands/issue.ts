/** `certs issue`: a CA-signed server (Redis Enterprise proxy) or client certificate. */
import { SERVER_CERT_VALIDITY_DAYS, SERVER_KEY_BITS } from '@certkit/core/defaults';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { checkClusterOption, maxInputFrom, withPassphraseFile } from '../options.js';
import { withProgress } from '../output.js';
import {
  KEY_RULES,
  keyOptions,
  NAME_OPTIONS,
  printWritten,
  VALIDITY_HELP,
  keyArgs,
  issuerArgs,
} from './issue-common.js';

export const issue = defineCommand({
  command: 'issue',
  describe: 'issue a proxy/server certificate from a CA: proxy_cert.pem + proxy_key.pem',
  builder: (y) =>
    withPassphraseFile(
      keyOptions(
        y.usage(
          `certs issue --ca FILE --ca-key FILE --cluster C [options]\n\nIssues a certificate with the Redis Enterprise proxy profile: CN = C; SANs C, *.C, internal.C, *.internal.C (database endpoints are redis-<port>.C and redis-<port>.internal.C); EKU serverAuth + clientAuth; keyUsage digitalSignature + keyEncipherment. proxy_cert.pem holds the certificate followed by the intermediates of --ca (never the root): the order the server must send. Install it on the cluster with rladmin (see the last example).\n\n${VALIDITY_HELP}`,
        ),
        { days: SERVER_CERT_VALIDITY_DAYS, bits: SERVER_KEY_BITS, out: '.' },
      ),
      'of an encrypted --ca-key',
    )
      .option('ca', {
        type: 'string',
        demandOption: true,
        describe:
          'the issuing CA certificate (an intermediate, optionally followed by its issuers)',
        requiresArg: true,
      })
      .option('ca-key', {
        type: 'string',
        demandOption: true,
        describe: 'the issuing CA private key',
        requiresArg: true,
      })
      .options(NAME_OPTIONS)
      .option('cert-file', {
        type: 'string',
        default: 'proxy_cert.pem',
        describe: 'certificate file, in --out unless an absolute path',
        requiresArg: true,
      })
      .option('key-file', {
        type: 'string',
        default: 'proxy_key.pem',
        describe: 'key file, in --out unless an absolute path',
        requiresArg: true,
      }),
  examples: [
    [
      'certs issue --ca pki/intermediate.pem --ca-key pki/intermediate-key.pem --cluster cluster.local --out proxy',
      'the proxy certificate of cluster.local, one year',
    ],
    [
      'certs issue --ca ca.pem --ca-key ca-key.pem --cluster c.example.com --san redis.example.com --ip 10.0.0.5',
      'extra names',
    ],
    [
      'certs issue --ca ca.pem --ca-key ca-key.pem --san app.example.com --usage client --cert-file cert.pem --key-file keyclient.pem',
      'a CA-signed client certificate',
    ],
    [
      'certs issue --ca intermediate.pem --ca-key intermediate-key.pem --passphrase-file ca.pass --cluster c.example.com',
      'the CA key is encrypted',
    ],
    [
      'rladmin cluster certificate set proxy certificate_file proxy/proxy_cert.pem key_file proxy/proxy_key.pem',
      'then, on the cluster: install the certificate (Redis Enterprise)',
    ],
  ],
  rules: KEY_RULES,
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    await checkClusterOption(core, args.cluster, maxInputBytes);
    const written = await withProgress(io, 'generating key', () =>
      core.writeServerCertificate({
        caCertPath: args.ca,
        caKeyPath: args['ca-key'],
        ...(args.cluster === undefined ? {} : { cluster: args.cluster }),
        dnsNames: args.san,
        ipAddresses: args.ip,
        usage: args.usage,
        certFile: args['cert-file'],
        keyFile: args['key-file'],
        ...keyArgs(args),
        ...issuerArgs(args, maxInputBytes),
      }),
    );
    printWritten(io, written, args.json, 'Certificate issued');
    return EXIT_OK;
  },
});
