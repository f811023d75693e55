/**
 * Client identities on disk: `gen-client` (generate, write) and `renew-client` (read, re-issue,
 * write). The light `@certkit/core/identity` entry exports these: nothing here may load a schema
 * library (pkijs, asn1js, `@peculiar/*`).
 */
import { resolve } from 'node:path';
import { CertkitError, isCertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import {
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  checkWritePlan,
  outputPath,
} from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { PlannedOutput, WriteOptions } from '../io/write-plan.js';
import { resolveNow } from '../clock.js';
import { planClientRenewal } from '../judge/renewal.js';
import {
  checkClientIdentityOptions,
  generateClientIdentity,
  issueCertificate,
} from '../make/certificates.js';
import type { ClientIdentityOptions } from '../make/certificates.js';
import { CLIENT_PROFILE } from '../make/profiles.js';
import { parseCertificates } from '../x509/certificates.js';
import { parsePrivateKey } from '../x509/keys.js';
import type { CertificateInfo } from '../x509/pkix.js';
import { inputsOf, passphraseFrom, readLimit } from './common.js';

/** Default file names, from the Redis Enterprise guide ("Securing Redis client connections"). */
export const CLIENT_KEY_FILE = 'keyclient.pem';
/** Default certificate file name, from the same guide. */
export const CLIENT_CERT_FILE = 'cert.pem';

/** The output names of {@link writeClientIdentity}, given by their names or their 0.1.0 aliases. */
function fileNamesOf(options: WriteClientIdentityOptions): {
  keyFileName: string | undefined;
  certFileName: string | undefined;
} {
  return {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is read here only
    keyFileName: options.keyFileName ?? options.keyFile,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is read here only
    certFileName: options.certFileName ?? options.certFile,
  };
}

/** Options of {@link writeClientIdentity}: generation options plus where to write. */
export interface WriteClientIdentityOptions extends Omit<ClientIdentityOptions, 'existingKey'> {
  /** Folder to write into (created if missing, one level). Default: the current folder. */
  readonly outDir?: string;
  /** Key file: a name or relative path inside `outDir`, or an absolute path used as given. Default {@link CLIENT_KEY_FILE}. */
  readonly keyFileName?: string;
  /** Certificate file: inside `outDir` unless absolute, as `keyFileName`. Default {@link CLIENT_CERT_FILE}. */
  readonly certFileName?: string;
  /** @deprecated The name of 0.1.0: use `keyFileName` (output names end in `FileName`, input paths in `Path`). */
  readonly keyFile?: string;
  /** @deprecated The name of 0.1.0: use `certFileName`. */
  readonly certFile?: string;
  /** Certify this existing key file instead of generating a key; the key file is not rewritten. */
  readonly existingKeyPath?: string;
  /**
   * Passphrase of the key: encrypts the new key file (PKCS#8, scrypt + AES-256-CBC), or
   * decrypts the existing key given by `existingKeyPath`.
   */
  readonly passphrase?: string;
  /** Read {@link WriteClientIdentityOptions.passphrase} from the first line of this file. */
  readonly passphrasePath?: string;
  /** Cap on the existing key file's size in bytes; default 10 MiB (`DEFAULT_MAX_INPUT_BYTES`). */
  readonly maxInputBytes?: number;
  /** Replace existing files. Default: refuse, and write nothing. */
  readonly force?: boolean;
}

/** What {@link writeClientIdentity} made and where. */
export interface WrittenClientIdentity {
  readonly info: CertificateInfo;
  readonly certificatePem: string;
  readonly certificatePath: string;
  /** Where the key is: the new file, or the existing key that was certified. */
  readonly privateKeyPath: string;
  /** False when an existing key was certified. */
  readonly privateKeyWritten: boolean;
  /**
   * Where the key the new one replaced was saved (mode 0600), when a renewal replaced a key file
   * (`force`): the old identity keeps working until the change-over is done.
   */
  readonly replacedKeyBackupPath?: string;
}

/**
 * Generates a client identity and writes it: key (mode 0600) and certificate (0644), atomically,
 * never over existing files unless `force`. Existing files are detected before the key is
 * generated, so a refusal is immediate and nothing is written.
 *
 * @example
 * ```ts
 * const written = await writeClientIdentity({ outDir: 'client', subject: { commonName: 'app' } });
 * console.log(written.certificatePath); // client/cert.pem
 * ```
 */
export async function writeClientIdentity(
  options: WriteClientIdentityOptions,
): Promise<WrittenClientIdentity> {
  const outDir = options.outDir ?? '.';
  const names = fileNamesOf(options);
  const certificatePath = outputPath(outDir, names.certFileName ?? CLIENT_CERT_FILE);
  const privateKeyPath =
    options.existingKeyPath ?? outputPath(outDir, names.keyFileName ?? CLIENT_KEY_FILE);
  const writeKey = options.existingKeyPath === undefined;
  const outputs: PlannedOutput[] = [{ path: certificatePath, mode: PUBLIC_FILE_MODE }];
  if (writeKey) outputs.unshift({ path: privateKeyPath, mode: PRIVATE_KEY_MODE });
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    inputs: inputsOf(options.existingKeyPath, options.passphrasePath),
  };
  checkClientIdentityOptions(options); // bad options fail before any file check or key generation
  await checkWritePlan({ ...write, outputs });
  const {
    existingKeyPath,
    passphrase: givenPassphrase,
    passphrasePath,
    maxInputBytes,
    outDir: _o,
    keyFileName: _k,
    certFileName: _c,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- left out of the generation options
    keyFile: _kd,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- left out of the generation options
    certFile: _cd,
    force: _f,
    ...generation
  } = options;
  const passphrase = await passphraseFrom(givenPassphrase, passphrasePath);
  const identity = await generateClientIdentity({
    ...generation,
    ...(existingKeyPath === undefined && passphrase !== undefined
      ? { keyPassphrase: passphrase }
      : {}),
    ...(existingKeyPath === undefined
      ? {}
      : {
          existingKey: {
            bytes: await readInputFile(existingKeyPath, readLimit(maxInputBytes)),
            source: existingKeyPath,
            ...(passphrase === undefined ? {} : { passphrase }),
          },
        }),
  });
  await writeFilesAtomically(
    outputs.map((o) => ({
      ...o,
      content: o.path === certificatePath ? identity.certificatePem : identity.privateKeyPem,
    })),
    write,
  );
  return {
    info: identity.info,
    certificatePem: identity.certificatePem,
    certificatePath,
    privateKeyPath,
    privateKeyWritten: writeKey,
  };
}

/** Options of {@link renewClientIdentity}. */
export interface RenewClientIdentityOptions {
  /** The current client certificate (self-signed, as gen-client makes). */
  readonly certPath: string;
  /** Its private key. */
  readonly keyPath: string;
  /**
   * Passphrase of an encrypted key. Without `reuseKey`, the new key is encrypted with it too
   * (PKCS#8, scrypt + AES-256-CBC), as the old one was.
   */
  readonly passphrase?: string;
  /** Read {@link RenewClientIdentityOptions.passphrase} from the first line of this file instead. */
  readonly passphrasePath?: string;
  /** Largest input file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** Certify the same key again (the server's trust list need not change if it pins the key). Default: a new key of the same type and size. */
  readonly reuseKey?: boolean;
  /** Folder to write into (created if missing). Default: the current folder. */
  readonly outDir?: string;
  /** Certificate file, inside `outDir` unless absolute. Default {@link CLIENT_CERT_FILE}. */
  readonly certFileName?: string;
  /** Key file, inside `outDir` unless absolute. Default {@link CLIENT_KEY_FILE}. */
  readonly keyFileName?: string;
  /** Validity in days; default: the current certificate's lifetime. */
  readonly days?: number;
  readonly now?: Date | number;
  /**
   * Replace existing files. With it, the new certificate and key may replace the very files
   * renewed (`certPath`, `keyPath`), all-or-nothing; never one the other (the certificate over
   * the key) nor the passphrase file.
   */
  readonly force?: boolean;
}

/**
 * Re-issues a self-signed client identity with the same subject (byte for byte) and the client
 * profile: a new key of the same type and size by default, or the same key with `reuseKey`.
 * The new certificate must be added to the database's trusted client certificates before the
 * old one expires; both can be trusted at once during the change-over.
 *
 * @throws {@link CertkitError} `KEY_MISMATCH` when the key is not the certificate's,
 * `INVALID_OPTION` for a CA-issued certificate (renew that at its CA with `certs issue`)
 *
 * @example
 * ```ts
 * const renewed = await renewClientIdentity({ certPath: 'cert.pem', keyPath: 'keyclient.pem', outDir: 'renewed' });
 * console.log(renewed.info.notAfter);
 * ```
 */
export async function renewClientIdentity(
  options: RenewClientIdentityOptions,
): Promise<WrittenClientIdentity> {
  const outDir = options.outDir ?? '.';
  const reuseKey = options.reuseKey ?? false;
  const certificatePath = outputPath(outDir, options.certFileName ?? CLIENT_CERT_FILE);
  const privateKeyPath = reuseKey
    ? options.keyPath
    : outputPath(outDir, options.keyFileName ?? CLIENT_KEY_FILE);
  const outputs: PlannedOutput[] = [{ path: certificatePath, mode: PUBLIC_FILE_MODE }];
  if (!reuseKey) outputs.unshift({ path: privateKeyPath, mode: PRIVATE_KEY_MODE });
  const write: WriteOptions = {
    force: options.force ?? false,
    createFolder: true,
    // Renewing in place is what --force is for here: each input may be replaced by its own new
    // version (it is read whole first), never by the other file.
    inputs: [
      { path: options.certPath, replacedBy: certificatePath },
      reuseKey ? options.keyPath : { path: options.keyPath, replacedBy: privateKeyPath },
      ...inputsOf(options.passphrasePath),
    ],
  };
  await checkWritePlan({ ...write, outputs });
  const passphrase = await passphraseFrom(options.passphrase, options.passphrasePath);
  const limit = readLimit(options.maxInputBytes);
  const [current] = parseCertificates(
    await readInputFile(options.certPath, limit),
    options.certPath,
  );
  if (current === undefined) throw new CertkitError('INTERNAL', 'no certificate');
  const keyBytes = await readInputFile(options.keyPath, limit);
  const { key, info: keyInfo } = parsePrivateKey(keyBytes, options.keyPath, {
    ...(passphrase === undefined ? {} : { passphrase }),
  });
  const plan = planClientRenewal({
    certificate: current,
    privateKey: key,
    certificateSource: options.certPath,
    keySource: options.keyPath,
    ...(options.days === undefined ? {} : { days: options.days }),
  });
  const issued = await issueCertificate({
    profile: CLIENT_PROFILE,
    subject: { commonName: plan.commonName },
    subjectNameDer: plan.subjectNameDer,
    days: plan.days,
    keyType: plan.keyType,
    curve: plan.curve,
    bits: plan.bits,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(reuseKey
      ? {
          existingKey: {
            bytes: keyBytes,
            source: options.keyPath,
            ...(passphrase === undefined ? {} : { passphrase }),
          },
        }
      : {}),
    // A new key for an encrypted one is encrypted with the same passphrase: renewing must not
    // leave the key in the clear on disk where it was protected before.
    ...(!reuseKey && keyInfo.encrypted && passphrase !== undefined
      ? { keyPassphrase: passphrase }
      : {}),
  });
  // A key about to be replaced is kept next to it: until the database trusts the new
  // certificate, the old key is the only one that connects.
  const replaced = reuseKey ? null : await existingBytes(privateKeyPath, options.keyPath, keyBytes);
  const backup =
    replaced === null
      ? undefined
      : { path: backupPath(privateKeyPath, options.now), content: replaced };
  await writeFilesAtomically(
    [
      ...outputs.map((o) => ({
        ...o,
        content: o.path === certificatePath ? issued.certificatePem : issued.privateKeyPem,
      })),
      ...(backup === undefined ? [] : [{ ...backup, mode: PRIVATE_KEY_MODE }]),
    ],
    write,
  );
  return {
    info: issued.info,
    certificatePem: issued.certificatePem,
    certificatePath,
    privateKeyPath,
    privateKeyWritten: !reuseKey,
    ...(backup === undefined ? {} : { replacedKeyBackupPath: backup.path }),
  };
}

/** The bytes of the file at `path` when there is one (the key being renewed when it is that file). */
async function existingBytes(
  path: string,
  renewedPath: string,
  renewedBytes: Uint8Array,
): Promise<Uint8Array | null> {
  if (resolve(path) === resolve(renewedPath)) return renewedBytes;
  try {
    // A key file is a few KiB; whatever else sits there is kept whole up to the input cap.
    return await readInputFile(path);
  } catch (error) {
    if (isCertkitError(error) && error.code === 'FILE_NOT_FOUND') return null;
    throw error;
  }
}

/** `keyclient.pem.20250102T030405Z.bak`: the replaced key, named by when it was replaced. */
function backupPath(path: string, now: Date | number | undefined): string {
  const stamp = resolveNow(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${path}.${stamp}.bak`;
}
