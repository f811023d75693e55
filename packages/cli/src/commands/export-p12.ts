/** `certs export-p12`: a PKCS#12 key store or trust store for Java clients (Jedis, Lettuce). */
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
import { line, paint, printJson, printLines, UsageError } from '../output.js';
import { printNextSteps, shellWord } from '../next-steps.js';

export const exportP12 = defineCommand({
  command: 'export-p12',
  describe:
    'write a PKCS#12 key store (client.p12) or trust store (truststore.p12) for Java clients',
  builder: (y) =>
    y
      .usage(
        'certs export-p12 --cert FILE --key FILE -o FILE --new-passphrase-file FILE\ncerts export-p12 --truststore FILE… -o FILE --new-passphrase-file FILE\n\nWrites the key, its certificate and the chain as PKCS#12 (mode 0600) for Java clients such as Jedis and Lettuce: the key store (javax.net.ssl.keyStore). --chain is the path from the certificate to its root, nothing else: certificates that do not issue it are kept with a warning. --truststore writes every certificate of the files as a trusted certificate entry instead (what keytool -importcert writes; aliases from the subjects), mode 0644: the trust store (javax.net.ssl.trustStore) that makes Java trust the servers, e.g. from servercerts.pem or the CA’s ca.pem. Protection: AES-256-CBC with PBKDF2-HMAC-SHA256 and an HMAC-SHA256 MAC, as OpenSSL 3 and Java 17 write; --legacy uses 3DES and HMAC-SHA1 for old readers (Java 8 before 8u301). The store password is read from the first line of --new-passphrase-file (alias --password-file), never from the command line (other users can read command lines with ps).',
      )
      .option('cert', {
        type: 'string',
        describe: 'certificate (more certificates in it join the chain)',
        requiresArg: true,
      })
      .option('key', {
        type: 'string',
        describe: 'its private key',
        requiresArg: true,
      })
      .option('truststore', {
        type: 'string',
        array: true,
        describe: 'write a trust store of every certificate of these files (no key)',
        requiresArg: true,
      })
      .option('passphrase-file', {
        alias: 'key-passphrase-file',
        type: 'string',
        describe: 'file whose first line is the passphrase of an encrypted --key',
        requiresArg: true,
      })
      .option('chain', {
        type: 'string',
        describe: 'issuing certificates to include',
        requiresArg: true,
      })
      .option('output', {
        alias: ['o', 'out'],
        type: 'string',
        demandOption: true,
        describe: 'key store (or trust store) file to write',
        requiresArg: true,
      })
      .option('new-passphrase-file', {
        alias: 'password-file',
        type: 'string',
        demandOption: true,
        describe: 'file whose first line is the password of the new key store',
        requiresArg: true,
      })
      .option('name', {
        type: 'string',
        describe: 'alias in the store (default: the certificate CN)',
        requiresArg: true,
      })
      .option('legacy', {
        type: 'boolean',
        default: false,
        describe: '3DES + SHA-1 for old readers',
      })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing file' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    [
      'certs export-p12 --cert cert.pem --key keyclient.pem -o client.p12 --new-passphrase-file p12.pass',
      'key store for a Java client',
    ],
    [
      'certs export-p12 --truststore servercerts.pem -o truststore.p12 --new-passphrase-file trust.pass',
      'trust store of the servers, for a Java client',
    ],
    [
      'certs export-p12 --cert proxy_cert.pem --key proxy_key.pem --chain ca.pem -o proxy.p12 --new-passphrase-file pass --legacy',
      'with the root, readable by old Java',
    ],
    [
      'certs export-p12 --cert cert.pem --key keyclient.pem --passphrase-file key.pass -o client.p12 --new-passphrase-file p12.pass',
      'the key is encrypted',
    ],
  ],
  rules: (['cert', 'key', 'chain', 'name', 'passphrase-file'] as const).map((option) => ({
    when: { option: 'truststore' },
    excludes: { option },
    why: 'a trust store holds certificates only, each trusted',
  })),
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    if (args.truststore !== undefined) {
      const written = await core.writePkcs12({
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        trustedCertPaths: args.truststore,
        outputFileName: args.output,
        passwordPath: args['new-passphrase-file'],
        legacy: args.legacy,
        force: args.force,
      });
      if (args.json) {
        printJson(io, { ok: true, ...written });
        return EXIT_OK;
      }
      printLines(io, 'stdout', [
        paint('PKCS#12 trust store written', 'bold', io.stdoutIsTty),
        line`  file         ${written.path} (mode 0644; no key in it)`,
        ...written.entries.map((e) => line`  trusted      ${e.alias}: ${e.certificate.subject}`),
        line`  protection   ${written.protection}`,
      ]);
      const file = shellWord(written.path);
      printNextSteps(io, [
        line`  Check it: keytool -list -keystore ${file} -storetype PKCS12`,
        line`  Java: -Djavax.net.ssl.trustStore=${file} -Djavax.net.ssl.trustStoreType=PKCS12`,
        line`        -Djavax.net.ssl.trustStorePassword=… (Jedis/Lettuce: SslOptions.truststore)`,
      ]);
      return EXIT_OK;
    }
    if (args.cert === undefined || args.key === undefined) {
      throw new UsageError(
        'give --cert and --key for a key store, or --truststore FILE… for a trust store',
      );
    }
    const written = await core.writePkcs12({
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      certPath: args.cert,
      keyPath: args.key,
      outputFileName: args.output,
      passwordPath: args['new-passphrase-file'],
      legacy: args.legacy,
      force: args.force,
      ...(args.chain === undefined ? {} : { chainPath: args.chain }),
      ...(args.name === undefined ? {} : { friendlyName: args.name }),
      ...(args['passphrase-file'] === undefined
        ? {}
        : { keyPassphrasePath: args['passphrase-file'] }),
    });
    if (args.json) {
      printJson(io, { ok: true, ...written });
      return EXIT_OK;
    }
    printLines(io, 'stderr', [
      ...written.warnings.map((warning) => line`certs: warning: ${warning}`),
      ...(written.warnings.length === 0
        ? []
        : [
            line`certs: hint: --truststore is what makes certificates trusted: certs export-p12 --truststore FILE… -o truststore.p12 --new-passphrase-file …`,
          ]),
    ]);
    const file = shellWord(written.path);
    printLines(io, 'stdout', [
      paint('PKCS#12 key store written', 'bold', io.stdoutIsTty),
      line`  file         ${written.path} (mode 0600)`,
      line`  alias        ${written.friendlyName}`,
      line`  certificates ${written.certificates.map((c) => c.subject).join(' | ')}`,
      line`  protection   ${written.protection}`,
    ]);
    printNextSteps(io, [
      line`  Check it: keytool -list -keystore ${file} -storetype PKCS12`,
      line`  Java: -Djavax.net.ssl.keyStore=${file} -Djavax.net.ssl.keyStoreType=PKCS12 -Djavax.net.ssl.keyStorePassword=…`,
      line`  and trust the servers with a trust store: certs export-p12 --truststore servercerts.pem -o truststore.p12 --new-passphrase-file …`,
    ]);
    return EXIT_OK;
  },
});
