/** `certs issue`: a server (Redis Enterprise proxy) or client certificate: CA-signed, self-signed, or for a CSR. */
import { SERVER_CERT_VALIDITY_DAYS, SERVER_KEY_BITS } from '@certkit/core/defaults';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, withPassphraseFile } from '../options.js';
import { UsageError, withProgress } from '../output.js';
import { afterIssue, printNextSteps } from '../next-steps.js';
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
  describe:
    'issue a proxy/server certificate (from a CA, self-signed, or for a CSR): proxy_cert.pem + proxy_key.pem',
  builder: (y) =>
    withPassphraseFile(
      keyOptions(
        y.usage(
          `certs issue --ca FILE --ca-key FILE --cluster C [options]\ncerts issue --self-signed --cluster C [options]\ncerts issue --csr FILE --ca FILE --ca-key FILE [options]\n\nIssues a certificate with the Redis Enterprise proxy profile: CN = C; SANs C, *.C, internal.C, *.internal.C (database endpoints are redis-<port>.C and redis-<port>.internal.C); EKU serverAuth + clientAuth; keyUsage digitalSignature + keyEncipherment; CA:FALSE. proxy_cert.pem holds the certificate followed by the intermediates of --ca (never the root): the order the server must send. --self-signed makes a node's own certificate without a CA: clients trust it as it is (a bundle of every node's certificate: certs fetch each node, then certs chain). --csr signs a request (its signature must verify): its subject and key, its names unless --cluster, --san or --ip are given, the usages of --usage; only the certificate is written. Install it on the cluster with rladmin (see the last example).\n\n${VALIDITY_HELP}`,
        ),
        { days: SERVER_CERT_VALIDITY_DAYS, bits: SERVER_KEY_BITS, out: '.' },
      ),
      'of an encrypted --ca-key',
    )
      .option('ca', {
        type: 'string',
        describe:
          'the issuing CA certificate (an intermediate, optionally followed by its issuers)',
        requiresArg: true,
      })
      .option('ca-key', {
        type: 'string',
        describe: 'the issuing CA private key',
        requiresArg: true,
      })
      .option('self-signed', {
        type: 'boolean',
        default: false,
        describe: "a node's own self-signed certificate (CA:FALSE), no CA",
      })
      .option('csr', {
        type: 'string',
        describe: 'sign this certificate request (PEM or DER) instead of making a key',
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
      'certs issue --self-signed --cluster cluster.local --out node1',
      "a node's own self-signed proxy certificate",
    ],
    [
      'certs issue --csr proxy.csr --ca pki/intermediate.pem --ca-key pki/intermediate-key.pem --out signed',
      'sign a request with its own names',
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
  // The --csr rules come before the key rules: --curve alone would otherwise imply --key-type ec
  // first, and the refusal would name an option the user did not give.
  rules: [
    ...(['ca', 'ca-key', 'csr', 'passphrase-file'] as const).map((option) => ({
      when: { option: 'self-signed', value: true },
      excludes: { option },
      why: 'a self-signed certificate has no issuer, and --csr is signed by a CA',
    })),
    ...(['key-type', 'bits', 'curve'] as const).map((option) => ({
      when: { option: 'csr' },
      excludes: { option },
      why: 'the key is the one the request was made for',
    })),
    ...KEY_RULES,
  ],
  run: async (args, io) => {
    const selfSigned = args['self-signed'];
    if (!selfSigned && (args.ca === undefined || args['ca-key'] === undefined)) {
      throw new UsageError(
        'name the issuing CA with --ca FILE --ca-key FILE, or make a self-signed certificate with --self-signed',
      );
    }
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const written = await withProgress(
      io,
      args.csr === undefined ? 'generating key' : 'signing',
      () =>
        core.writeServerCertificate({
          ...(selfSigned
            ? { selfSigned: true }
            : { caCertPath: args.ca ?? '', caKeyPath: args['ca-key'] ?? '' }),
          ...(args.csr === undefined ? {} : { csrPath: args.csr }),
          ...(args.cluster === undefined ? {} : { cluster: args.cluster }),
          dnsNames: args.san,
          ipAddresses: args.ip,
          usage: args.usage,
          certFileName: args['cert-file'],
          keyFileName: args['key-file'],
          ...keyArgs(args),
          ...issuerArgs(args, maxInputBytes),
        }),
    );
    printWritten(
      io,
      written,
      args.json,
      args.csr !== undefined
        ? 'Request signed'
        : selfSigned
          ? 'Self-signed certificate ready'
          : 'Certificate issued',
    );
    if (!args.json) {
      printNextSteps(
        io,
        afterIssue({
          certificatePath: written.certificatePath,
          ...(written.privateKeyPath === undefined
            ? {}
            : { privateKeyPath: written.privateKeyPath }),
          selfSigned: written.selfSigned,
          usage: args.usage,
        }),
      );
    }
    return EXIT_OK;
  },
});
