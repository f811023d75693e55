/**
 * The files a redis.conf names, judged from their contents given as data: each path as the
 * configuration writes it maps to the bytes read, or to the error reading gave
 * (workflows/redis-conf.ts reads them). What redis-server 7.0 does with them (tls.c): it loads
 * `tls-cert-file` as a chain whose first certificate is its own and checks `tls-key-file`
 * against that one (a key that belongs to a later certificate, or to none, and it refuses to
 * start); an encrypted key opens only with `tls-key-file-pass` (it asks no terminal); the pair
 * `tls-client-cert-file` + `tls-client-key-file` is what it presents when it connects to a
 * master or a cluster peer, only when both are set, and `tls-cert-file` otherwise. A master
 * verifies that certificate as a TLS client's (OpenSSL's purpose check): an extendedKeyUsage
 * without clientAuth is refused.
 */
import { isAbsolute } from 'node:path';
import { CertkitError, isCertkitError } from '../errors.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { encodePem } from '../x509/pem.js';
import { internals } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import { parseCertificates } from '../x509/certificates.js';
import { escapedText, shownText } from '../x509/stunnel-syntax.js';
import { describeCertificate } from './finding.js';
import type { AddRedisFinding, RedisSetting, RedisTlsSettings } from './redis-conf-settings.js';
import { certificatesOf, holdsEncryptedKey } from './stunnel-files.js';

/** What reading one named file gave: its bytes, or the error (which names the file). */
export type RedisConfFileContent = Uint8Array | CertkitError;

/** One entry of a `tls-ca-cert-dir` folder: its name in the folder, and what reading it gave. */
export interface RedisCaFolderEntry {
  readonly name: string;
  readonly content: RedisConfFileContent;
}

/** What reading a `tls-ca-cert-dir` folder gave. */
export interface RedisCaFolder {
  /** Regular files and links to them, in name order. */
  readonly entries: readonly RedisCaFolderEntry[];
  /** What was left unread and why (over a bound, not a file): said in a finding. */
  readonly notRead?: readonly string[];
}

/** The files and folders a configuration names, keyed by the path exactly as it writes it. */
export interface RedisConfInputs {
  readonly files?: ReadonlyMap<string, RedisConfFileContent>;
  readonly folders?: ReadonlyMap<string, RedisCaFolder | CertkitError>;
}

/** The paths the lint reads: files (certificates, keys, CA file) and folders (CA folder). */
export function redisConfPaths(settings: RedisTlsSettings): { files: string[]; folders: string[] } {
  const files = [
    settings.certFile,
    settings.keyFile,
    settings.clientCertFile,
    settings.clientKeyFile,
    settings.caCertFile,
  ]
    .map((s) => s.value)
    .filter((v): v is string => v !== null);
  const dir = settings.caCertDir.value;
  return { files: [...new Set(files)], folders: dir === null ? [] : [dir] };
}

/** A named file as the rules see it. */
interface Named {
  readonly directive: string;
  readonly path: string;
  readonly line?: number;
}

function named(directive: string, setting: RedisSetting<string | null>): Named | undefined {
  return setting.value === null
    ? undefined
    : {
        directive,
        path: setting.value,
        ...(setting.line === undefined ? {} : { line: setting.line }),
      };
}

function show(file: Named): string {
  return `${file.directive} ${shownText(file.path)}`;
}

/**
 * Records that a file or folder redis.conf names could not be read: `cause` says why (`undefined`:
 * the caller gave no content for it), `effect` what redis-server does then.
 */
export function addUnreadable(
  directive: string,
  path: string,
  line: number | undefined,
  cause: CertkitError | undefined,
  effect: string,
  add: AddRedisFinding,
): void {
  const why =
    cause === undefined ? `cannot read ${path}: no content was given for it` : cause.message;
  add(
    'REDIS_CONF_FILE_UNREADABLE',
    'error',
    `${directive}: ${escapedText(why, Infinity)}: ${effect}`,
    line,
  );
}

/** The bytes of a named file, or null after recording why they could not be read. */
function bytesOf(file: Named, inputs: RedisConfInputs, add: AddRedisFinding): Uint8Array | null {
  const content = inputs.files?.get(file.path);
  if (content instanceof Uint8Array) return content;
  addUnreadable(
    file.directive,
    file.path,
    file.line,
    content,
    'redis-server cannot load it and refuses to start',
    add,
  );
  return null;
}

/** Runs `read`; a CertkitError becomes a REDIS_CONF_FILE_INVALID finding. */
function readOrRecord<T>(file: Named, add: AddRedisFinding, read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'REDIS_CONF_FILE_INVALID',
      'error',
      `${file.directive}: ${escapedText(error.message, Infinity)}`,
      file.line,
    );
    return null;
  }
}

/**
 * A certificate file and its key, as redis-server loads them: the certificates (the first is
 * the one it presents), and whether the key opens and belongs to the first. Returns the first
 * certificate, when it could be read.
 */
function pairFindings(
  cert: Named,
  key: Named | undefined,
  pass: RedisSetting<string | null>,
  passDirective: string,
  inputs: RedisConfInputs,
  now: Date,
  add: AddRedisFinding,
): Certificate | undefined {
  const certBytes = bytesOf(cert, inputs, add);
  const certificates =
    certBytes === null ? null : readOrRecord(cert, add, () => certificatesOf(certBytes, cert.path));
  const leaf = certificates?.[0];
  if (leaf !== undefined && Date.parse(leaf.info.notAfter) < now.getTime()) {
    add(
      'REDIS_CONF_CERT_EXPIRED',
      'error',
      `${show(cert)}: its first certificate (${escapedText(leaf.info.subject)}) expired on ${leaf.info.notAfter}; redis-server still presents it, and its peers refuse it`,
      cert.line,
    );
  }
  if (key === undefined) return leaf;
  const keyBytes = bytesOf(key, inputs, add);
  if (keyBytes === null) return leaf;
  const encrypted = holdsEncryptedKey(keyBytes);
  if (encrypted && pass.value === null) {
    add(
      'REDIS_CONF_KEY_ENCRYPTED',
      'error',
      `${show(key)} is encrypted and ${passDirective} is not set: redis-server asks no terminal for a passphrase, so it cannot load the key and refuses to start; set ${passDirective}, or store the key unencrypted (mode 0600, readable by redis only)`,
      key.line,
    );
    return leaf;
  }
  if (!encrypted && pass.value !== null) {
    add(
      'REDIS_CONF_KEY_PASS_UNUSED',
      'info',
      `${passDirective} is set but ${show(key)} is not encrypted: the passphrase is not used`,
      pass.line ?? key.line,
    );
  }
  let privateKey;
  try {
    privateKey = parsePrivateKey(
      keyBytes,
      key.path,
      encrypted && pass.value !== null ? { passphrase: pass.value } : {},
    ).key;
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      error.code === 'KEY_ENCRYPTED' ? 'REDIS_CONF_KEY_ENCRYPTED' : 'REDIS_CONF_FILE_INVALID',
      'error',
      error.code === 'KEY_ENCRYPTED'
        ? `${passDirective} does not decrypt ${show(key)}: redis-server cannot load the key and refuses to start`
        : `${key.directive}: ${escapedText(error.message, Infinity)}`,
      key.line,
    );
    return leaf;
  }
  if (certificates === null || leaf === undefined) return leaf;
  const matches = (c: Certificate): boolean => {
    const publicKey = internals(c).publicKey;
    return publicKey !== null && keysMatch(privateKey, publicKey);
  };
  if (matches(leaf)) return leaf;
  const owner = certificates.slice(1).find(matches);
  if (owner !== undefined) {
    add(
      'REDIS_CONF_CERT_NOT_LEAF_FIRST',
      'error',
      `${show(cert)} does not start with its own certificate: ${show(key)} belongs to ${escapedText(describeCertificate(owner))}, but redis-server presents the file's first certificate (${escapedText(leaf.info.subject)}) and checks the key against it, so it refuses to start ("key values mismatch"); put the certificate first, then its issuers`,
      cert.line,
    );
    return owner;
  }
  add(
    'REDIS_CONF_KEY_MISMATCH',
    'error',
    `${show(key)} is not the key of ${show(cert)} (${escapedText(leaf.info.subject)}): redis-server refuses to start ("key values mismatch")`,
    key.line,
  );
  return leaf;
}

/** True when OpenSSL's purpose check lets the certificate act as a TLS client. */
function allowsClientAuth(certificate: Certificate): boolean {
  const eku = certificate.info.extendedKeyUsage;
  return eku === null || eku.includes('clientAuth');
}

/** The paths the configuration names as the rules see them. */
function namedFiles(settings: RedisTlsSettings): {
  cert?: Named;
  key?: Named;
  clientCert?: Named;
  clientKey?: Named;
  caFile?: Named;
  caDir?: Named;
} {
  const files = {
    cert: named('tls-cert-file', settings.certFile),
    key: named('tls-key-file', settings.keyFile),
    clientCert: named('tls-client-cert-file', settings.clientCertFile),
    clientKey: named('tls-client-key-file', settings.clientKeyFile),
    caFile: named('tls-ca-cert-file', settings.caCertFile),
    caDir: named('tls-ca-cert-dir', settings.caCertDir),
  };
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
}

/**
 * What the configuration says about its files without reading them: relative paths, and a
 * client certificate or key given without the other.
 */
export function pathFindings(settings: RedisTlsSettings, add: AddRedisFinding): void {
  const { clientCert, clientKey, ...rest } = namedFiles(settings);
  for (const file of [rest.cert, rest.key, clientCert, clientKey, rest.caFile, rest.caDir]) {
    if (file !== undefined && !isAbsolute(file.path)) {
      add(
        'REDIS_CONF_RELATIVE_PATH',
        'warning',
        `${show(file)} is relative: redis-server resolves it against its working folder, which is the last "dir" directive (else the folder it was started in); use an absolute path`,
        file.line,
      );
    }
  }
  const given = clientCert ?? clientKey;
  if ((clientCert === undefined) !== (clientKey === undefined) && given !== undefined) {
    add(
      'REDIS_CONF_CLIENT_CERT_IGNORED',
      'warning',
      `${given.directive} without ${given === clientCert ? 'tls-client-key-file' : 'tls-client-cert-file'}: redis-server uses the client pair only when both are set, and presents tls-cert-file to its masters and cluster peers instead`,
      given.line,
    );
  }
}

/**
 * Records the findings about the contents of the files the configuration names: readable
 * files, certificates that come first and match their keys, keys that open, CA files that hold
 * certificates, and the client certificate redis presents to its masters and cluster peers.
 */
export function fileFindings(
  settings: RedisTlsSettings,
  inputs: RedisConfInputs,
  now: Date,
  add: AddRedisFinding,
): void {
  const { cert, key, clientCert, clientKey, caFile } = namedFiles(settings);
  const serverLeaf =
    cert === undefined
      ? undefined
      : pairFindings(cert, key, settings.keyFilePass, 'tls-key-file-pass', inputs, now, add);
  const clientLeaf =
    clientCert === undefined || clientKey === undefined
      ? undefined
      : pairFindings(
          clientCert,
          clientKey,
          settings.clientKeyFilePass,
          'tls-client-key-file-pass',
          inputs,
          now,
          add,
        );
  if (caFile !== undefined) {
    const bytes = bytesOf(caFile, inputs, add);
    if (bytes !== null) readOrRecord(caFile, add, () => parseCertificates(bytes, caFile.path));
  }
  clientAuthFindings(
    settings,
    { cert, clientCert: clientKey === undefined ? undefined : clientCert, serverLeaf, clientLeaf },
    add,
  );
}

/** The certificate redis presents as a client must be usable as one. */
function clientAuthFindings(
  settings: RedisTlsSettings,
  found: {
    cert: Named | undefined;
    clientCert: Named | undefined;
    serverLeaf: Certificate | undefined;
    clientLeaf: Certificate | undefined;
  },
  add: AddRedisFinding,
): void {
  const { cert, clientCert, serverLeaf, clientLeaf } = found;
  // Both client files set: redis presents that pair (read or not), never tls-cert-file.
  if (clientCert !== undefined) {
    if (clientLeaf !== undefined && !allowsClientAuth(clientLeaf)) {
      add(
        'REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH',
        'error',
        `${show(clientCert)} (${escapedText(clientLeaf.info.subject)}) is what redis presents when it connects to a master or a cluster peer, but its extendedKeyUsage (${clientLeaf.info.extendedKeyUsage?.join(', ') ?? ''}) lacks clientAuth: a peer with tls-auth-clients yes or optional refuses it (the handshake ends in "alert unsupported certificate")`,
        clientCert.line,
      );
    }
    return;
  }
  const outgoing = settings.tlsReplication.value
    ? settings.tlsReplication
    : settings.tlsCluster.value
      ? settings.tlsCluster
      : undefined;
  if (outgoing === undefined || cert === undefined || serverLeaf === undefined) return;
  if (allowsClientAuth(serverLeaf)) return;
  const which = settings.tlsReplication.value ? 'tls-replication' : 'tls-cluster';
  add(
    'REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH',
    'error',
    `${show(cert)} (${escapedText(serverLeaf.info.subject)}) is also what redis presents as a client (${which} yes, no tls-client-cert-file/tls-client-key-file pair), but its extendedKeyUsage (${serverLeaf.info.extendedKeyUsage?.join(', ') ?? ''}) lacks clientAuth: a master or cluster peer with tls-auth-clients yes or optional refuses it (the handshake ends in "alert unsupported certificate"); add clientAuth, or set a client pair`,
    cert.line,
  );
}

/**
 * The identity redis presents as a client (the client pair when both are set, else
 * tls-cert-file and tls-key-file), for a probe: its certificates as PEM and its key opened with
 * the configuration's passphrase, exported as PKCS#8 PEM in memory; or why there is none.
 */
export function redisConfClientIdentity(
  settings: RedisTlsSettings,
  files: ReadonlyMap<string, RedisConfFileContent>,
):
  | { readonly certificatePem: string; readonly privateKeyPem: string; readonly source: string }
  | { readonly reason: string } {
  const client = settings.clientCertFile.value !== null && settings.clientKeyFile.value !== null;
  const cert = client ? settings.clientCertFile.value : settings.certFile.value;
  const key = client ? settings.clientKeyFile.value : settings.keyFile.value;
  const pass = client ? settings.clientKeyFilePass.value : settings.keyFilePass.value;
  const certDirective = client ? 'tls-client-cert-file' : 'tls-cert-file';
  if (cert === null || key === null) return { reason: 'the file names no certificate and key' };
  const certBytes = files.get(cert);
  const keyBytes = files.get(key);
  if (!(certBytes instanceof Uint8Array) || !(keyBytes instanceof Uint8Array)) {
    return { reason: `${certDirective} or its key could not be read` };
  }
  try {
    const certificates = certificatesOf(certBytes, cert);
    const privateKey = parsePrivateKey(
      keyBytes,
      key,
      pass === null ? {} : { passphrase: pass },
    ).key;
    const first = certificates[0];
    const publicKey = first === undefined ? null : internals(first).publicKey;
    if (publicKey === null || !keysMatch(privateKey, publicKey)) {
      return { reason: `the key of ${certDirective} does not match its first certificate` };
    }
    return {
      certificatePem: certificates.map((c) => encodePem('CERTIFICATE', c.der)).join(''),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      source: `${certDirective} ${cert}`,
    };
  } catch (error) {
    if (!(error instanceof CertkitError)) throw error;
    return {
      reason: `${certDirective} or its key cannot be used: ${escapedText(error.message, Infinity)}`,
    };
  }
}
