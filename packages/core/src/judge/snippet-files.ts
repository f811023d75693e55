/**
 * The files a connection snippet names, judged from their contents before the snippet is
 * printed (workflows/snippet.ts reads them): a snippet that names a key as its CA file, or a
 * certificate with another's key, would fail in the user's hands with an error that names
 * neither. Every client of a snippet reads PEM (Node's `ca`, Python's `load_verify_locations`,
 * hiredis, stunnel, and the Java program's PEM reader), so DER is refused with the way to
 * convert it; the Java program reads an unencrypted PKCS#8 key only.
 */
import { CertkitError, isCertkitError } from '../errors.js';
import { parseCertificates } from '../x509/certificates.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { parsePemBlocks } from '../x509/pem.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';

/** One file of a snippet: its path (as the snippet writes it) and the bytes read from it. */
export interface SnippetFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** What `checkSnippetFiles` judges. */
export interface SnippetFiles {
  /** The snippet's client: `java` reads PKCS#8 keys only. */
  readonly client: string;
  readonly ca: SnippetFile;
  readonly cert?: SnippetFile;
  readonly key?: SnippetFile;
}

/** What the files hold, once judged. */
export interface CheckedSnippetFiles {
  /** Certificates in the CA file. */
  readonly caCertificates: number;
  /** Subject of the client certificate (the first of its file), when one is given. */
  readonly clientSubject?: string;
}

function pemCertificates(file: SnippetFile, what: string): Certificate[] {
  const certificates = parseCertificates(file.bytes, file.path);
  if (parsePemBlocks(file.bytes, file.path).some((block) => block.label === null)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${file.path} is DER; the snippet's client reads the ${what} as PEM: convert it (openssl x509 -inform der -in ${file.path} -out ${what === 'CA file' ? 'ca' : 'cert'}.pem)`,
    );
  }
  return certificates;
}

/**
 * Checks that the CA file holds PEM certificates only, that the client certificate is a PEM
 * certificate and the key a PEM private key that belongs to it, unencrypted (a snippet's client
 * reads it with no passphrase), and PKCS#8 for `java`.
 *
 * @throws {@link CertkitError} naming the file: `NOT_A_CERTIFICATE` (a key or CSR where
 * certificates belong), `PEM_EMPTY`/`PEM_INVALID`, `INVALID_OPTION` (DER; a key Java cannot
 * read), `KEY_INVALID`, `KEY_ENCRYPTED`, `KEY_MISMATCH`
 *
 * @example
 * ```ts
 * checkSnippetFiles({ client: 'redis-py', ca: { path: '/etc/redis/ca.pem', bytes } });
 * ```
 */
export function checkSnippetFiles(files: SnippetFiles): CheckedSnippetFiles {
  const cas = pemCertificates(files.ca, 'CA file');
  if (files.cert === undefined || files.key === undefined) return { caCertificates: cas.length };
  const leaf = pemCertificates(files.cert, 'client certificate')[0];
  if (leaf === undefined) throw new CertkitError('INTERNAL', 'no certificate');
  const { path } = files.key;
  let parsed;
  try {
    parsed = parsePrivateKey(files.key.bytes, path);
  } catch (error) {
    if (isCertkitError(error) && error.code === 'KEY_ENCRYPTED') {
      throw new CertkitError(
        'KEY_ENCRYPTED',
        `${path} holds an encrypted private key; the snippet's client reads it with no passphrase: give it the key unencrypted, in a file of mode 0600 readable by its user only`,
        { cause: error },
      );
    }
    throw error;
  }
  if (parsed.info.format === 'der') {
    throw new CertkitError(
      'INVALID_OPTION',
      `${path} is a DER private key; the snippet's client reads PEM: convert it (openssl pkey -inform der -in ${path} -out key.pem)`,
    );
  }
  if (files.client === 'java' && parsed.info.format !== 'pkcs8') {
    throw new CertkitError(
      'INVALID_OPTION',
      `${path} is a ${parsed.info.format === 'pkcs1' ? 'PKCS#1 (BEGIN RSA PRIVATE KEY)' : 'SEC1 (BEGIN EC PRIVATE KEY)'} key; Java reads PKCS#8 (BEGIN PRIVATE KEY): convert it (openssl pkey -in ${path} -out key.pk8.pem), or use a PKCS#12 store (certs export-p12)`,
    );
  }
  const publicKey = internals(leaf).publicKey;
  if (publicKey === null || !keysMatch(parsed.key, publicKey)) {
    throw new CertkitError(
      'KEY_MISMATCH',
      `${path} is not the key of ${files.cert.path} (${leaf.info.subject}): the TLS handshake would fail`,
    );
  }
  return { caCertificates: cas.length, clientSubject: leaf.info.subject };
}
