/** Options and output shared by the commands that make CA and server certificates. */
import type { Argv } from 'yargs';
import type { WrittenCertificate } from '@certkit/core';
import type { OptionRule } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';
import type { Io } from '../output.js';

/** The names a proxy certificate or request is for: shared by `issue` and `csr`. */
export const NAME_OPTIONS = {
  cluster: {
    type: 'string',
    describe: 'cluster FQDN (CN and the four Redis Enterprise names)',
    requiresArg: true,
  },
  san: {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'another DNS name (repeatable; a wildcard as *.name.tld)',
    requiresArg: true,
  },
  ip: {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'an IP address name (repeatable)',
    requiresArg: true,
  },
  usage: {
    choices: ['both', 'server', 'client'] as const,
    default: 'both' as const,
    describe: 'EKU: serverAuth + clientAuth, serverAuth, or clientAuth',
  },
} as const;

/** Adds the key and output options of every command that makes a key (`csr` included). */
export function keyOutputOptions<T>(y: Argv<T>, defaults: { bits: number; out: string }) {
  return y
    .option('out', {
      type: 'string',
      default: defaults.out,
      describe: 'folder to write into (created if missing)',
      requiresArg: true,
    })
    .option('key-type', {
      choices: ['rsa', 'ec'] as const,
      describe: 'key algorithm (default rsa)',
    })
    .option('bits', {
      type: 'number',
      describe: `RSA key size: 2048, 3072 or 4096 (default ${String(defaults.bits)})`,
      requiresArg: true,
    })
    .option('curve', {
      choices: ['P-256', 'P-384'] as const,
      describe: 'EC curve (default P-256); implies --key-type ec',
    })
    .option('force', { type: 'boolean', default: false, describe: 'replace existing files' })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'print one JSON document on stdout',
    });
}

/** Adds the key, validity and output options every certificate-making command takes. */
export function keyOptions<T>(y: Argv<T>, defaults: { days: number; bits: number; out: string }) {
  return keyOutputOptions(y, defaults).option('days', {
    type: 'number',
    default: defaults.days,
    describe: 'validity in days (1-36500)',
    requiresArg: true,
  });
}

/**
 * The rules of the key options (options.ts): a curve is for an EC key, so `--curve` alone
 * implies `--key-type ec`; a size is for an RSA key.
 */
export const KEY_RULES: readonly OptionRule[] = [
  {
    when: { option: 'curve' },
    needs: [{ option: 'key-type', value: 'ec' }],
    implies: { option: 'key-type', value: 'ec' },
    why: 'a curve is for an EC key',
  },
  {
    when: { option: 'bits' },
    excludes: { option: 'key-type', value: 'ec' },
    why: 'it is the size of an RSA key',
  },
];

/** `--cn` and `--subject` both say the subject (gen-client, gen-ca, gen-intermediate). */
export const SUBJECT_RULE: OptionRule = {
  when: { option: 'cn' },
  excludes: { option: 'subject' },
  why: 'both give the subject; put the CN into --subject (/O=Acme/CN=NAME)',
};

/** The key options as given, as core's option names (core's defaults for those not given). */
export function keyTypeArgs(args: {
  'key-type': 'rsa' | 'ec' | undefined;
  bits: number | undefined;
  curve: 'P-256' | 'P-384' | undefined;
}) {
  return {
    ...(args['key-type'] === undefined ? {} : { keyType: args['key-type'] }),
    ...(args.bits === undefined ? {} : { bits: args.bits }),
    ...(args.curve === undefined ? {} : { curve: args.curve }),
  };
}

/** The arguments {@link keyOptions} adds, as core's option names. */
export function keyArgs(args: {
  out: string;
  days: number;
  'key-type': 'rsa' | 'ec' | undefined;
  bits: number | undefined;
  curve: 'P-256' | 'P-384' | undefined;
  force: boolean;
}) {
  return {
    outDir: args.out,
    days: args.days,
    ...keyTypeArgs(args),
    force: args.force,
  };
}

/** The issuer key's passphrase file and the input cap, as core's option names. */
export function issuerArgs(
  args: { 'passphrase-file': string | undefined },
  maxInputBytes: number | undefined,
) {
  return {
    ...(args['passphrase-file'] === undefined ? {} : { caPassphrasePath: args['passphrase-file'] }),
    ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
  };
}

/** Prints what was written: text for people, one JSON document with --json. */
export function printWritten(
  io: Io,
  written: WrittenCertificate,
  json: boolean,
  title: string,
): void {
  if (json) {
    printJson(io, {
      ok: true,
      certificate: written.info,
      files: { certificate: written.certificatePath, privateKey: written.privateKeyPath ?? null },
      selfSigned: written.selfSigned,
      chainLength: written.chainLength,
      warnings: written.warnings,
    });
    return;
  }
  printLines(
    io,
    'stderr',
    written.warnings.map((warning) => line`certs: warning: ${warning}`),
  );
  const { info } = written;
  const tty = io.stdoutIsTty;
  const key =
    info.key.type === 'ec' ? `EC ${info.key.curve ?? ''}` : `RSA ${String(info.key.bits)}-bit`;
  const names = [...info.subjectAltNames.dns, ...info.subjectAltNames.ip];
  printLines(io, 'stdout', [
    paint(`${title} (${key} key)`, 'bold', tty),
    line`  subject      ${info.subject}`,
    line`  issuer       ${info.issuer}`,
    ...(names.length > 0 ? [line`  names        ${names.join(', ')}`] : []),
    line`  valid        ${info.notBefore} to ${info.notAfter}`,
    line`  sha256       ${info.fingerprintSha256}`,
    line`  certificate  ${written.certificatePath}${written.chainLength > 1 ? ` (with ${String(written.chainLength - 1)} intermediate${written.chainLength > 2 ? 's' : ''})` : ''}`,
    ...(written.privateKeyPath === undefined
      ? []
      : [line`  private key  ${written.privateKeyPath} (mode 0600; keep it secret)`]),
  ]);
}

/** The validity advice every certificate command's help carries. */
export const VALIDITY_HELP = `Validity: server certificates default to 365 days. The Redis Enterprise documentation recommends at most one year for server certificates, and the CA/Browser Forum Baseline Requirements (section 6.3.2) cap publicly trusted ones at 398 days, which browsers and Apple clients enforce; longer is allowed with a warning. CAs default to 3650 days (root) and 1826 days (intermediate). A certificate may not outlive its issuer (RFC 5280 section 6.1.3 checks every certificate of the path at the same time).`;
