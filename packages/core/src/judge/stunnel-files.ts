/**
 * The file rules of one stunnel service, judged from the files' contents given as data: each
 * path the configuration names (as it writes it) maps to the bytes read, or to the error reading
 * gave. Paths should be absolute; the CA file must hold certificates, and the self-signed roots
 * of the chains it anchors (stunnel-cafile.ts); the client certificate must
 * not have expired and must belong to the key. workflows/stunnel.ts reads the files.
 */
import { isAbsolute } from 'node:path';
import { CertkitError, isCertkitError } from '../errors.js';
import { parseCertificates } from '../x509/certificates.js';
import { derPrivateKeyKind } from '../x509/input-hints.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { describeLabel, encodePem, parsePemBlocks, PRIVATE_KEY_LABELS } from '../x509/pem.js';
import { internals, parseCertificate } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import { escapedText, shownText } from '../x509/stunnel-syntax.js';
import type { StunnelOption } from '../x509/stunnel-syntax.js';
import { caFileRootFindings } from './stunnel-cafile.js';
import type { StunnelService } from './stunnel-service.js';

/** What reading one named file gave: its bytes, or the error (which names the file). */
export type StunnelFileContent = Uint8Array | CertkitError;

/** The files a configuration names, keyed by the path exactly as the configuration writes it. */
export type StunnelFiles = ReadonlyMap<string, StunnelFileContent>;

/**
 * The bytes of the file `option` names.
 *
 * @throws {@link CertkitError} the error reading it gave, or `FILE_NOT_FOUND` when no content
 * was given for it
 */
export function fileBytes(files: StunnelFiles, option: StunnelOption): Uint8Array {
  const content = files.get(option.value);
  if (content === undefined) {
    throw new CertkitError(
      'FILE_NOT_FOUND',
      `cannot read ${option.value}: no content was given for it`,
    );
  }
  if (content instanceof Uint8Array) return content;
  throw content;
}

/**
 * The paths the services read, as the configuration writes them: `cert`, `key` (the
 * certificate's file when absent) and `CAfile` of each service, when files are checked or the
 * endpoint is probed (the chain check reads CAfile, a PING the client identity).
 */
export function stunnelFilesToRead(
  services: readonly StunnelService[],
  read: { readonly checkFiles: boolean; readonly probe: boolean; readonly ping: boolean },
): string[] {
  const paths = new Set<string>();
  for (const { get } of services) {
    const cert = get('cert');
    const named = [
      ...(read.checkFiles || read.probe || read.ping ? [get('CAfile')] : []),
      ...(read.checkFiles || read.ping ? [cert, get('key') ?? cert] : []),
    ];
    for (const option of named) if (option !== undefined) paths.add(option.value);
  }
  return [...paths];
}

/**
 * The certificates of a `cert` file, which may also hold the key (stunnel reads the key from it
 * when `key` is absent; OpenSSL's certificate reader skips it too): the key blocks are dropped
 * from the parsed PEM blocks, never searched for in the text.
 *
 * @throws {@link CertkitError} `NOT_A_CERTIFICATE` when the file holds no certificate, or a
 * block of another kind
 */
export function certificatesOf(bytes: Uint8Array, source: string): Certificate[] {
  const blocks = parsePemBlocks(bytes, source).filter((block) =>
    block.label === null
      ? derPrivateKeyKind(block.der) === null
      : !PRIVATE_KEY_LABELS.includes(block.label),
  );
  if (blocks.length === 0) {
    throw new CertkitError(
      'NOT_A_CERTIFICATE',
      `${source} is a private key, not a certificate (it holds no certificate block)`,
    );
  }
  return blocks.map((block) => {
    if (
      block.label !== null &&
      block.label !== 'CERTIFICATE' &&
      block.label !== 'X509 CERTIFICATE'
    ) {
      throw new CertkitError(
        'NOT_A_CERTIFICATE',
        `block ${String(block.index)} in ${source} is ${describeLabel(block.label)}, not a certificate`,
      );
    }
    return parseCertificate(block.der, { name: source, index: block.index });
  });
}

/** The bytes of a named file, or null after recording why it could not be read. */
function bytesOrRecord(
  service: StunnelService,
  files: StunnelFiles,
  option: StunnelOption,
): Uint8Array | null {
  try {
    return fileBytes(files, option);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    service.add(
      'STUNNEL_FILE_UNREADABLE',
      'error',
      `${option.name}: ${escapedText(error.message, Infinity)}`,
      option.line,
    );
    return null;
  }
}

/** Runs `read`; a CertkitError becomes a STUNNEL_FILE_INVALID finding about `what`. */
function readOrRecord<T>(
  service: StunnelService,
  what: string,
  option: StunnelOption,
  read: () => T,
): T | null {
  try {
    return read();
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    service.add(
      'STUNNEL_FILE_INVALID',
      'error',
      `${what}: ${escapedText(error.message, Infinity)}`,
      option.line,
    );
    return null;
  }
}

/**
 * Records the findings about the files the service names.
 *
 * An encrypted key is a warning (stunnel would stop at its passphrase prompt under systemd);
 * without the passphrase it is not checked against the certificate.
 *
 * @throws {@link CertkitError} `KEY_ENCRYPTED` for an encrypted key with the wrong passphrase:
 * the request cannot be carried out, as for every command that reads a key
 */
export function fileFindings(
  service: StunnelService,
  files: StunnelFiles,
  now: Date,
  passphrase: string | undefined,
): void {
  const { get, add } = service;
  for (const name of ['cert', 'key', 'CAfile']) {
    const option = get(name);
    if (option !== undefined && !isAbsolute(option.value)) {
      add(
        'STUNNEL_RELATIVE_PATH',
        'warning',
        `${option.name} = ${shownText(option.value)} is relative: stunnel resolves it against its working folder (and chroot); use an absolute path`,
        option.line,
      );
    }
  }
  const cert = get('cert');
  const cafile = get('CAfile');
  if (cafile !== undefined) {
    const bytes = bytesOrRecord(service, files, cafile);
    const anchors =
      bytes === null
        ? null
        : readOrRecord(service, 'CAfile', cafile, () => parseCertificates(bytes, cafile.value));
    // stunnel ends a path only at a self-signed certificate of CAfile (stunnel-cafile.ts).
    for (const f of caFileRootFindings(anchors ?? [], shownText(cafile.value)))
      add('STUNNEL_CAFILE_NO_ROOT', f.severity, f.message, cafile.line);
  }
  if (cert === undefined) return;
  const certBytes = bytesOrRecord(service, files, cert);
  if (certBytes === null) return;
  const leaf = readOrRecord(service, 'cert', cert, () =>
    certificatesOf(certBytes, cert.value),
  )?.[0];
  if (leaf === undefined) return;
  if (Date.parse(leaf.info.notAfter) < now.getTime()) {
    add(
      'STUNNEL_CERT_EXPIRED',
      'error',
      `cert = ${shownText(cert.value)} expired on ${leaf.info.notAfter}: the database will refuse it`,
      cert.line,
    );
  }
  const keyOption = get('key') ?? cert;
  const keyBytes = keyOption === cert ? certBytes : bytesOrRecord(service, files, keyOption);
  if (keyBytes === null) return;
  if (holdsEncryptedKey(keyBytes)) {
    // stunnel asks for the passphrase on its terminal at start-up (and again on every reload):
    // a daemon started by systemd has none, and stops there.
    add(
      'STUNNEL_KEY_ENCRYPTED',
      'warning',
      `key = ${shownText(keyOption.value)} is encrypted: stunnel asks for its passphrase on a terminal when it starts, and under systemd (no terminal) it stops there; give stunnel the key unencrypted, mode 0600, readable by its user only`,
      keyOption.line,
    );
    if (passphrase === undefined) {
      add(
        'STUNNEL_KEY_ENCRYPTED',
        'info',
        `key = ${shownText(keyOption.value)} was not checked against cert = ${shownText(cert.value)}: give its passphrase to check it`,
        keyOption.line,
      );
      return;
    }
  }
  try {
    const { key } = parsePrivateKey(
      keyBytes,
      keyOption.value,
      passphrase === undefined ? {} : { passphrase },
    );
    const publicKey = internals(leaf).publicKey;
    if (publicKey === null || !keysMatch(key, publicKey)) {
      add(
        'STUNNEL_KEY_MISMATCH',
        'error',
        `key = ${shownText(keyOption.value)} is not the key of cert = ${shownText(cert.value)}: the TLS handshake will fail`,
        keyOption.line,
      );
    }
  } catch (error) {
    // An encrypted key without (or with the wrong) passphrase: the request cannot be carried
    // out, as for every command that reads a key (exit 2), rather than a finding.
    if (!isCertkitError(error) || error.code === 'KEY_ENCRYPTED') throw error;
    add(
      'STUNNEL_FILE_INVALID',
      'error',
      `key: ${escapedText(error.message, Infinity)}`,
      keyOption.line,
    );
  }
}

/** True when the key file holds an encrypted key (PKCS#8, or a legacy PEM with DEK-Info). */
export function holdsEncryptedKey(bytes: Uint8Array): boolean {
  try {
    return parsePemBlocks(bytes, 'key').some(
      (block) => block.label === 'ENCRYPTED PRIVATE KEY' || 'DEK-Info' in block.headers,
    );
  } catch {
    return false; // unreadable framing: the key check reports it
  }
}

/**
 * The client identity the service names, for a PING: its certificates as PEM, its key decrypted
 * in memory and exported as PKCS#8 PEM; undefined when it names no `cert`.
 *
 * @throws {@link CertkitError} when a file was not read or does not hold what it should
 */
export function stunnelClientIdentity(
  service: StunnelService,
  files: StunnelFiles,
  passphrase: string | undefined,
): { certificatePem: string; privateKeyPem: string } | undefined {
  const cert = service.get('cert');
  if (cert === undefined) return undefined;
  const key = service.get('key') ?? cert;
  const certBytes = fileBytes(files, cert);
  const keyBytes = key === cert ? certBytes : fileBytes(files, key);
  const certificatePem = certificatesOf(certBytes, cert.value)
    .map((certificate) => encodePem('CERTIFICATE', certificate.der))
    .join('');
  const privateKeyPem = parsePrivateKey(
    keyBytes,
    key.value,
    passphrase === undefined ? {} : { passphrase },
  )
    .key.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { certificatePem, privateKeyPem };
}
