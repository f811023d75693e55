/** `certs export-p12`: a PKCS#12 key store for Java clients (Jedis, Lettuce). */
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
import { line, paint, printJson, printLines, UsageError } from '../output.js';
import { printNextSteps, shellWord } from '../next-steps.js';

export const exportP12 = defineCommand({
  command: 'export-p12',
  describe: 'write a PKCS#12 key store (client.p12) for Java clients',
  builder: (y) =>
    y
      .usage(
        'certs export-p12 --cert cert.pem --key keyclient.pem [--chain FILE] -o client.p12 --password-file FILE\ncerts export-p12 --truststore FILE… -o truststore.p12 --password-file FILE\n\nWrites the key, its certificate and the chain as PKCS#12 (mode 0600) for Java clients such as\nJedis and Lettuce: the key store (javax.net.ssl.keyStore). --chain is the path from the\ncertificate to its root, nothing else: certificates that do not issue it are kept with a warning.\n--truststore writes every certificate of the files as a trusted certificate entry instead (what\nkeytool -importcert writes; aliases from the subjects): the trust store (javax.net.ssl.trustStore)\nthat makes Java trust the servers, e.g. from servercerts.pem or the CA’s ca.pem.\nProtection: AES-256-CBC with PBKDF2-HMAC-SHA256 and an HMAC-SHA256 MAC, as\nOpenSSL 3 and Java 17 write; --legacy uses 3DES and HMAC-SHA1 for old readers (Java 8 before\n8u301). The password is read from the first line of --password-file, never from the command\nline (other users can read command lines with ps).',
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
      .option('key-passphrase-file', {
        type: 'string',
        describe: 'passphrase file of an encrypted key',
        requiresArg: true,
      })
      .option('chain', {
        type: 'string',
        describe: 'issuing certificates to include',
        requiresArg: true,
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        demandOption: true,
        describe: 'key store file to write',
        requiresArg: true,
      })
      .option('password-file', {
        type: 'string',
        demandOption: true,
        describe: 'file whose first line is the store password',
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
      })
      .example(
        'certs export-p12 --cert cert.pem --key keyclient.pem -o client.p12 --password-file p12.pass',
        'key store for a Java client',
      )
      .example(
        'certs export-p12 --truststore servercerts.pem -o truststore.p12 --password-file trust.pass',
        'trust store of the servers, for a Java client',
      )
      .example(
        'certs export-p12 --cert proxy_cert.pem --key proxy_key.pem --chain ca.pem -o proxy.p12 --password-file pass --legacy',
        'with the root, readable by old Java',
      ),
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    if (args.truststore !== undefined) {
      const given = (['cert', 'key', 'chain', 'name', 'key-passphrase-file'] as const).filter(
        (name) => args[name] !== undefined,
      );
      if (given.length > 0) {
        throw new UsageError(
          `--truststore writes certificates only: leave out ${given.map((g) => `--${g}`).join(', ')}`,
        );
      }
      const written = await core.writeTrustStore({
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
        certPaths: args.truststore,
        out: args.out,
        passwordFile: args['password-file'],
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
      out: args.out,
      passwordFile: args['password-file'],
      legacy: args.legacy,
      force: args.force,
      ...(args.chain === undefined ? {} : { chainPath: args.chain }),
      ...(args.name === undefined ? {} : { friendlyName: args.name }),
      ...(args['key-passphrase-file'] === undefined
        ? {}
        : { keyPassphraseFile: args['key-passphrase-file'] }),
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
            line`certs: hint: --truststore is what makes certificates trusted: certs export-p12 --truststore FILE… -o truststore.p12 --password-file …`,
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
      line`  and trust the servers with a trust store: certs export-p12 --truststore servercerts.pem -o truststore.p12 --password-file …`,
    ]);
    return EXIT_OK;
  },
});
