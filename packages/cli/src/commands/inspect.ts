/** `certs inspect`: every certificate, request and key of every file, without key material. */
import type { CertificateInfo, InspectedItem, InspectReport } from '@certkit/core';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
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
    line`  ski           ${info.subjectKeyIdentifier ?? '(none)'}`,
    line`  aki           ${info.authorityKeyIdentifier ?? '(none)'}`,
  ];
}

function itemLines(item: InspectedItem, tty: boolean): TerminalText[] {
  switch (item.kind) {
    case 'certificate':
      return [
        paint(`#${String(item.index)} certificate`, 'bold', tty),
        ...certificateLines(item.certificate, item.daysLeft, item.expired),
      ];
    case 'certificate-request': {
      const r = item.request;
      return [
        paint(`#${String(item.index)} certificate request`, 'bold', tty),
        line`  subject       ${r.subject}`,
        line`  names         ${[...r.subjectAltNames.dns.map((n) => `DNS:${n}`), ...r.subjectAltNames.ip.map((n) => `IP:${n}`)].join(', ') || '(none requested)'}`,
        line`  key usage     ${r.keyUsage === null ? '(none requested)' : r.keyUsage.join(', ')}`,
        line`  ext key usage ${r.extendedKeyUsage === null ? '(none requested)' : r.extendedKeyUsage.join(', ')}`,
        line`  key           ${keyText(r.key)}`,
        line`  signature     ${r.signatureAlgorithm} (${r.signatureValid ? 'verifies' : 'DOES NOT VERIFY'})`,
      ];
    }
    case 'private-key':
      return [
        paint(`#${String(item.index)} private key`, 'bold', tty),
        line`  key           ${keyText(item.key)}`,
        line`  format        ${item.key.format}${item.key.encrypted ? ' (encrypted)' : ' (not encrypted)'}`,
      ];
    case 'public-key':
      return [
        paint(`#${String(item.index)} public key`, 'bold', tty),
        line`  key           ${keyText(item.key)}`,
      ];
    case 'other':
      return [paint(`#${String(item.index)} ${item.description}`, 'bold', tty)];
  }
}

function printHuman(io: Io, report: InspectReport): void {
  const out: TerminalText[] = [];
  for (const [i, file] of report.files.entries()) {
    if (i > 0) out.push(line``);
    out.push(
      paint(
        `${file.path}: ${String(file.items.length)} block${file.items.length === 1 ? '' : 's'}`,
        'bold',
        io.stdoutIsTty,
      ),
    );
    for (const item of file.items) out.push(...itemLines(item, io.stdoutIsTty));
  }
  printLines(io, 'stdout', out);
}

export const inspect = defineCommand({
  command: 'inspect <files..>',
  describe: 'describe every certificate, request and key in files (never key material)',
  builder: (y) =>
    y
      .usage(
        'certs inspect FILE… [--json]\n\nDescribes every block of every file: certificates (subject, issuer, serial, validity with days left, SANs, KU/EKU, basic constraints, key, signature algorithm, SHA-256 fingerprint, SKI/AKI), certificate requests (with the self-signature checked) and keys (type, size, format, encrypted or not). Unlike `openssl x509 -text`, which shows only the first certificate.',
      )
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'PEM or DER files; - reads standard input',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout',
      }),
  examples: [
    ['certs inspect proxy_cert.pem', 'the leaf and every intermediate'],
    ['certs inspect servercerts.pem keyclient.pem cert.pem', 'several files at once'],
    ['certs inspect proxy.csr --json', 'a request, machine-readable'],
    ['certs fetch 10.0.0.5:12000 | certs inspect -', 'what an endpoint presents'],
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxBytes = maxInputFrom(args);
    const report = await core.inspectFiles(args.files, maxBytes === undefined ? {} : { maxBytes });
    if (args.json) printJson(io, { ok: true, ...report });
    else printHuman(io, report);
    return EXIT_OK;
  },
});
