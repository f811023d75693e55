/** `certs inspect`: every certificate, request and key of every file, without key material. */
import type { CertificateInfo, InspectedItem, InspectReport } from '@certkit/core';
import { defineCommand } from '../command.js';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom, timeoutFrom, withTimeout } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';
import type { Io, TerminalText } from '../output.js';

function keyText(key: { type: string; bits: number; curve?: string }): string {
  if (key.type === 'ec') return `EC ${key.curve ?? ''}`.trim();
  if (key.bits === 0) return key.type;
  return `${key.type.toUpperCase()} ${String(key.bits)}-bit`;
}

function certificateLines(
  info: CertificateInfo,
  daysLeft: number,
  expired: boolean,
  spki: string,
): TerminalText[] {
  const names = [
    ...info.subjectAltNames.dns.map((n) => `DNS:${n}`),
    ...info.subjectAltNames.ip.map((n) => `IP:${n}`),
    ...info.subjectAltNames.email.map((n) => `email:${n}`),
    ...info.subjectAltNames.uri.map((n) => `URI:${n}`),
  ];
  const bc = info.basicConstraints;
  return [
    line`  subject       ${info.subject}`,
    line`  issuer        ${info.issuer}${info.selfIssued ? ' (self-issued)' : ''}`,
    line`  serial        ${info.serialNumber}`,
    line`  valid         ${info.notBefore} to ${info.notAfter} (${expired ? `expired ${String(-daysLeft)} days ago` : `${String(daysLeft)} days left`})`,
    line`  names         ${names.length > 0 ? names.join(', ') : '(no subjectAltName)'}`,
    line`  key usage     ${info.keyUsage === null ? '(none)' : info.keyUsage.join(', ')}`,
    line`  ext key usage ${info.extendedKeyUsage === null ? '(none)' : info.extendedKeyUsage.join(', ')}`,
    line`  basic         ${bc === null ? '(none)' : bc.ca ? `CA:TRUE${bc.pathLength === undefined ? '' : `, pathlen:${String(bc.pathLength)}`}` : 'CA:FALSE'}`,
    line`  key           ${keyText(info.key)}`,
    line`  signature     ${info.signatureAlgorithm}`,
    line`  sha256        ${info.fingerprintSha256}`,
    line`  spki sha256   ${spki}`,
    line`  ski           ${info.subjectKeyIdentifier ?? '(none)'}`,
    line`  aki           ${info.authorityKeyIdentifier ?? '(none)'}`,
  ];
}

/** `#2 certificate` with the alias and trust of a PKCS#12 entry. */
function heading(
  index: number,
  what: string,
  alias: string | undefined,
  tty: boolean,
): TerminalText {
  return paint(line`#${index} ${what}${alias === undefined ? '' : ` "${alias}"`}`, 'bold', tty);
}

function itemLines(item: InspectedItem, tty: boolean): TerminalText[] {
  switch (item.kind) {
    case 'certificate':
      return [
        heading(
          item.index,
          item.trusted === true ? 'trusted certificate' : 'certificate',
          item.alias,
          tty,
        ),
        ...certificateLines(item.certificate, item.daysLeft, item.expired, item.spkiSha256),
      ];
    case 'certificate-request': {
      const r = item.request;
      return [
        heading(item.index, 'certificate request', undefined, tty),
        line`  subject       ${r.subject}`,
        line`  names         ${[...r.subjectAltNames.dns.map((n) => `DNS:${n}`), ...r.subjectAltNames.ip.map((n) => `IP:${n}`)].join(', ') || '(none requested)'}`,
        line`  key usage     ${r.keyUsage === null ? '(none requested)' : r.keyUsage.join(', ')}`,
        line`  ext key usage ${r.extendedKeyUsage === null ? '(none requested)' : r.extendedKeyUsage.join(', ')}`,
        line`  key           ${keyText(r.key)}`,
        ...(item.spkiSha256 === undefined ? [] : [line`  spki sha256   ${item.spkiSha256}`]),
        line`  signature     ${r.signatureAlgorithm} (${r.signatureValid ? 'verifies' : 'DOES NOT VERIFY'})`,
      ];
    }
    case 'private-key':
      return [
        heading(item.index, 'private key', item.alias, tty),
        line`  key           ${keyText(item.key)}`,
        line`  format        ${item.key.format}${item.key.encrypted ? ' (encrypted)' : ' (not encrypted)'}`,
        line`  spki sha256   ${item.spkiSha256 ?? '(unknown: encrypted; give its passphrase with --passphrase-file)'}`,
      ];
    case 'public-key':
      return [
        heading(item.index, 'public key', undefined, tty),
        line`  key           ${keyText(item.key)}`,
        line`  spki sha256   ${item.spkiSha256}`,
      ];
    case 'other':
      return [heading(item.index, item.description, undefined, tty)];
  }
}

function where(path: string, index: number): string {
  return `${path} #${String(index)}`;
}

function printHuman(io: Io, report: InspectReport): void {
  const out: TerminalText[] = [];
  const tty = io.stdoutIsTty;
  for (const file of report.files) {
    if (file.error !== undefined) continue;
    if (out.length > 0) out.push(line``);
    const blocks = `${String(file.items.length)} ${file.sourceKind === 'endpoint' ? 'certificate' : 'block'}${file.items.length === 1 ? '' : 's'}`;
    const detail =
      file.sourceKind === 'endpoint'
        ? ' presented'
        : file.format === 'pkcs12'
          ? ` (PKCS#12; ${(file.protection ?? []).join(', ')})`
          : '';
    out.push(paint(line`${file.path}: ${blocks}${detail}`, 'bold', tty));
    for (const item of file.items) out.push(...itemLines(item, tty));
  }
  if (report.matches.length > 0) {
    out.push(line``, paint('keys and certificates', 'bold', tty));
    for (const match of report.matches) {
      const certificates = match.certificates.map((c) => where(c.path, c.index));
      out.push(
        certificates.length === 0
          ? line`  key ${where(match.key.path, match.key.index)} matches no certificate given`
          : line`  key ${where(match.key.path, match.key.index)} matches certificate ${certificates.join(', ')}`,
      );
    }
  }
  printLines(io, 'stdout', out);
}

export const inspect = defineCommand({
  command: 'inspect <inputs..>',
  describe:
    'describe every certificate, request and key in files, .p12 stores or endpoints (never key material)',
  builder: (y) =>
    withTimeout(y)
      .option('passphrase-file', {
        alias: 'password-file',
        type: 'string',
        requiresArg: true,
        describe: 'file whose first line is the password of PKCS#12 files and encrypted keys',
      })
      .usage(
        'certs inspect FILE|HOST:PORT… [--passphrase-file FILE] [--json]\n\nDescribes every block of every file: certificates (subject, issuer, serial, validity with days left, SANs, KU/EKU, basic constraints, key, signature algorithm, SHA-256 fingerprint, SPKI SHA-256, SKI/AKI), certificate requests (with the self-signature checked), keys (type, size, format, encrypted or not, SPKI SHA-256) and PKCS#12 files (.p12/.pfx: every entry with its alias; the password from --passphrase-file). Given keys and certificates, says which key goes with which certificate. HOST:PORT (when no such file exists) shows the certificates the endpoint presents. An input that cannot be read is reported, the others are still shown, and the exit code is 2. Unlike `openssl x509 -text`, which shows only the first certificate.',
      )
      .positional('inputs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'PEM, DER or PKCS#12 files, or HOST:PORT endpoints; - reads standard input',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    ['certs inspect proxy_cert.pem', 'the leaf and every intermediate'],
    [
      'certs inspect cert.pem keyclient.pem',
      'which key goes with which certificate (SPKI SHA-256)',
    ],
    ['certs inspect client.p12 --passphrase-file p12.pass', 'a Java key store'],
    ['certs inspect redis-12000.cluster.example.com:12000', 'what an endpoint presents'],
    ['certs fetch 10.0.0.5:12000 | certs inspect -', 'the same, through a pipe'],
    ['certs inspect proxy.csr --json', 'a request, machine-readable'],
  ],
  run: async (args, io) => {
    const passphraseFile = args['passphrase-file'];
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const timeoutMs = timeoutFrom(args);
    const report = await core.inspectFiles(args.inputs, {
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(passphraseFile === undefined ? {} : { passphrasePath: passphraseFile }),
    });
    const failed = report.files.filter((f) => f.error !== undefined);
    const [first] = failed;
    if (args.json) {
      printJson(io, {
        ...report,
        ...(first?.error === undefined ? {} : { error: first.error }),
      });
    } else {
      printHuman(io, report);
      printLines(
        io,
        'stderr',
        failed.map(
          (f) =>
            line`certs: ${f.error?.message ?? ''}${f.error?.code === 'KEY_ENCRYPTED' ? ' (--passphrase-file)' : ''}`,
        ),
      );
    }
    return failed.length > 0 ? EXIT_CANNOT_RUN : EXIT_OK;
  },
});
