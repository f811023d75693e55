/** `certs gen-client`: a self-signed client identity for Redis TLS client authentication. */
import {
  CLIENT_CERT_VALIDITY_DAYS,
  CLIENT_KEY_BITS,
  MAX_VALIDITY_DAYS,
} from '@certkit/core/defaults';
import type { SubjectFields, WrittenClientIdentity } from '@certkit/core/identity';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import {
  identityOutputOptions,
  maxInputFrom,
  subjectOption,
  withNewPassphraseFile,
  withPassphraseFile,
} from '../options.js';
import { line, paint, printJson, printLines, UsageError, withProgress } from '../output.js';
import type { Io } from '../output.js';
import { KEY_RULES, keyTypeArgs, SUBJECT_RULE } from './issue-common.js';

const PROMPTS: readonly [keyof SubjectFields, string][] = [
  ['country', 'Country Name (2 letter code)'],
  ['state', 'State or Province Name'],
  ['locality', 'Locality Name (eg, city)'],
  ['organization', 'Organization Name (eg, company)'],
  ['organizationalUnit', 'Organizational Unit Name (eg, section)'],
  ['commonName', 'Common Name (eg, your app or user name)'],
  ['emailAddress', 'Email Address'],
];

/** Asks for the subject as `openssl req` does, on an interactive terminal only. */
async function promptSubject(io: Io): Promise<SubjectFields> {
  io.stderr('Enter the subject of the certificate; leave a field empty to omit it.\n');
  // Loaded here only: every other run of every command skips it (start-up, bench case 1b).
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, terminal: false });
  // The line iterator queues lines typed (or pasted) before the next prompt is shown.
  const lines = rl[Symbol.asyncIterator]();
  try {
    const fields: Record<string, string> = {};
    for (const [key, label] of PROMPTS) {
      for (;;) {
        io.stderr(`${label}${key === 'commonName' ? ' (required)' : ''}: `);
        const next = await lines.next();
        if (next.done === true) throw new UsageError('input ended before a common name was given');
        const answer = next.value.trim();
        if (answer.length > 0) fields[key] = answer;
        if (key !== 'commonName' || answer.length > 0) break;
      }
    }
    return fields as unknown as SubjectFields;
  } finally {
    rl.close();
  }
}

/** The `--json` document of a written client identity (gen-client and renew-client). */
export function printIdentityJson(io: Io, written: WrittenClientIdentity): void {
  printJson(io, {
    ok: true,
    certificate: written.info,
    files: {
      certificate: written.certificatePath,
      privateKey: written.privateKeyPath,
      privateKeyWritten: written.privateKeyWritten,
      replacedKeyBackup: written.replacedKeyBackupPath ?? null,
    },
    certificatePem: written.certificatePem,
  });
}

function printHuman(io: Io, written: WrittenClientIdentity): void {
  const { info } = written;
  const tty = io.stdoutIsTty;
  const key =
    info.key.type === 'ec' ? `EC ${info.key.curve ?? ''}` : `RSA ${String(info.key.bits)}-bit`;
  const days = Math.round((Date.parse(info.notAfter) - Date.parse(info.notBefore)) / 86_400_000);
  printLines(io, 'stdout', [
    paint(`Client identity ready (${key} key, valid ${String(days)} days)`, 'bold', tty),
    line`  subject      ${info.subject}`,
    line`  valid        ${info.notBefore} to ${info.notAfter}`,
    line`  sha256       ${info.fingerprintSha256}`,
    line`  certificate  ${written.certificatePath}`,
    line`  private key  ${written.privateKeyPath}${written.privateKeyWritten ? ' (mode 0600; keep it secret)' : ' (existing key, unchanged)'}`,
    line``,
    line`Next steps:`,
    line`  1. Paste ${written.certificatePath} into the database's "SSL client authentication" field`,
    line`     (Redis Enterprise: database > Security > TLS > client authentication).`,
    line`  2. Give ${written.certificatePath} and ${written.privateKeyPath} to your Redis client, e.g.`,
    line`     redis-cli --tls --cert ${written.certificatePath} --key ${written.privateKeyPath} --cacert servercerts.pem -h <endpoint> -p <port>`,
    line`     or to stunnel: cert = ${written.certificatePath}, key = ${written.privateKeyPath}.`,
  ]);
}

export const genClient = defineCommand({
  command: 'gen-client',
  describe: 'make a self-signed client identity: keyclient.pem (0600) + cert.pem',
  builder: (y) =>
    identityOutputOptions(
      withNewPassphraseFile(
        withPassphraseFile(y, 'of the existing --key (without --key: see --new-passphrase-file)'),
        'that encrypts the new key (PKCS#8, scrypt + AES-256)',
      )
        .usage(
          'certs gen-client [options]\n\nMakes a private key and a self-signed client certificate (CA:FALSE, EKU clientAuth), what `openssl genrsa 4096` + `openssl req -new -x509 -days 1826` do by hand. Paste cert.pem into the database\'s "SSL client authentication" field; give cert.pem + keyclient.pem to the client or stunnel. Without --cn or --subject, asks for the subject on a terminal.',
        )
        .option('out', {
          type: 'string',
          default: '.',
          describe: 'folder to write into (created if missing)',
          requiresArg: true,
        })
        .option('cn', { type: 'string', describe: 'common name of the subject', requiresArg: true })
        .option('subject', {
          type: 'string',
          describe: 'whole subject, e.g. "/C=US/O=Acme/CN=app"',
          requiresArg: true,
        })
        .option('days', {
          type: 'number',
          default: CLIENT_CERT_VALIDITY_DAYS,
          describe: `validity in days (1-${String(MAX_VALIDITY_DAYS)})`,
          requiresArg: true,
        })
        .option('bits', {
          type: 'number',
          describe: `RSA key size: 2048, 3072 or 4096 (default ${String(CLIENT_KEY_BITS)})`,
          requiresArg: true,
        })
        .option('key-type', {
          choices: ['rsa', 'ec'] as const,
          describe: 'key algorithm (default rsa)',
        })
        .option('curve', {
          choices: ['P-256', 'P-384'] as const,
          describe: 'EC curve (default P-256); implies --key-type ec',
        })
        .option('key-format', {
          choices: ['pkcs8', 'pkcs1'] as const,
          describe:
            'key encoding: pkcs8 (BEGIN PRIVATE KEY, the default) or pkcs1 (BEGIN RSA PRIVATE KEY)',
        })
        .option('key-file', {
          type: 'string',
          describe: 'key file, in --out unless an absolute path (default keyclient.pem)',
          requiresArg: true,
        })
        .option('key', {
          type: 'string',
          describe: 'certify this existing key instead of making one (renewal)',
          requiresArg: true,
        }),
    ),
  examples: [
    ['certs gen-client --out client --cn app', 'RSA 4096, 1826 days, in ./client'],
    ['certs gen-client --subject "/C=US/O=Acme/CN=app" --days 365', 'full subject, one year'],
    ['certs gen-client --curve P-384 --cn app', 'an EC key instead of RSA (--curve implies it)'],
    [
      'certs gen-client --key keyclient.pem --cert-file cert-2031.pem --cn app',
      'renew with the same key',
    ],
    [
      'certs gen-client --cn app --new-passphrase-file key.pass',
      'encrypt keyclient.pem (PKCS#8, scrypt + AES-256)',
    ],
    ['certs gen-client --cn app --json', 'machine-readable result'],
  ],
  rules: [
    SUBJECT_RULE,
    ...['key-type', 'bits', 'curve', 'key-format', 'key-file', 'new-passphrase-file'].map(
      (option) => ({
        when: { option },
        excludes: { option: 'key' },
        why: 'it is about a new key, and --key certifies an existing one, which is not written',
      }),
    ),
    {
      when: { option: 'passphrase-file' },
      needs: [{ option: 'key' }],
      implies: { option: 'new-passphrase-file', moves: true },
      why: 'without --key there is no key to read, so it encrypts the new key',
    },
    ...KEY_RULES,
    {
      when: { option: 'key-format', value: 'pkcs1' },
      excludes: { option: 'key-type', value: 'ec' },
      why: 'pkcs1 is for RSA keys only (PKCS#1 holds RSA keys)',
    },
    {
      when: { option: 'new-passphrase-file' },
      excludes: { option: 'key-format', value: 'pkcs1' },
      why: 'an encrypted key is written as PKCS#8',
    },
  ],
  run: async (args, io) => {
    // The identity entry loads no schema library: ~60 ms less start-up (bench case 1b).
    const core = await import('@certkit/core/identity');
    const maxInputBytes = maxInputFrom(args);
    const subject =
      subjectOption(args) ??
      (process.stdin.isTTY && !args.json ? await promptSubject(io) : undefined);
    if (subject === undefined) {
      throw new UsageError('give the subject with --cn NAME or --subject "/O=Acme/CN=app"');
    }
    const label =
      args.key === undefined
        ? `generating ${args['key-type'] === 'ec' ? `EC ${args.curve ?? 'P-256'}` : `RSA ${String(args.bits ?? 4096)}-bit`} key`
        : 'signing';
    // One passphrase file reaches core: the existing key's, or the new key's.
    const passphraseFile =
      args.key === undefined ? args['new-passphrase-file'] : args['passphrase-file'];
    const written = await withProgress(io, label, () =>
      core.writeClientIdentity({
        subject,
        outDir: args.out,
        ...(args['key-file'] === undefined ? {} : { keyFileName: args['key-file'] }),
        certFileName: args['cert-file'],
        days: args.days,
        ...keyTypeArgs(args),
        ...(args['key-format'] === undefined ? {} : { keyFormat: args['key-format'] }),
        force: args.force,
        ...(args.key === undefined ? {} : { existingKeyPath: args.key }),
        ...(passphraseFile === undefined ? {} : { passphrasePath: passphraseFile }),
        ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      }),
    );
    if (args.json) {
      printIdentityJson(io, written);
    } else {
      printHuman(io, written);
    }
    return EXIT_OK;
  },
});
