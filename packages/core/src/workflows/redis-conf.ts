/**
 * `certs redis-conf lint FILE`: read a redis.conf, the files and the CA folder it names, and,
 * with an endpoint, probe the live server's `tls-auth-clients` with two handshakes (without and
 * with a client certificate); then judge everything as data (judge/redis-conf.ts).
 */
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { CertkitError, isCertkitError } from '../errors.js';
import { parseEndpoint } from '../io/endpoints.js';
import type { Endpoint } from '../io/endpoints.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputFile } from '../io/read.js';
import { listFolderFiles } from '../io/folders.js';
import { TLS_TIMEOUT_MS } from '../io/tls-attempt.js';
import { pingWithIdentity } from '../io/tls-ping.js';
import type { TlsClientIdentity } from '../io/tls-attempt.js';
import type { PingResult } from '../io/tls-ping.js';
import { judgeRedisConf } from '../judge/redis-conf.js';
import type { RedisConfLintReport } from '../judge/redis-conf.js';
import { redisConfClientIdentity, redisConfPaths } from '../judge/redis-conf-files.js';
import type {
  RedisCaFolder,
  RedisCaFolderEntry,
  RedisConfFileContent,
} from '../judge/redis-conf-files.js';
import type { RedisAuthProbe, RedisProbeAttempt } from '../judge/redis-conf-probe.js';
import { readRedisConf, redisTlsSettings } from '../judge/redis-conf-settings.js';
import type { RedisTlsSettings } from '../judge/redis-conf-settings.js';
import { parseCertificates } from '../x509/certificates.js';
import { parsePrivateKey } from '../x509/keys.js';
import { passphraseFrom, readLimit } from './common.js';

/** Time allowed for each handshake of the probe: io/tls-attempt.ts's default, as `--timeout` says. */
export const REDIS_CONF_PROBE_TIMEOUT_MS = TLS_TIMEOUT_MS;
/** Most files read from a `tls-ca-cert-dir` (Debian's /etc/ssl/certs holds about 450). */
export const REDIS_CA_DIR_MAX_FILES = 2_000;

/** Options of {@link lintRedisConfFile} and `lintRedisConf`. */
export interface RedisConfLintOptions {
  /** `HOST:PORT` of the server to probe: its `tls-auth-clients` is compared with the file's. */
  readonly endpoint?: string;
  /**
   * A client certificate file (and {@link RedisConfLintOptions.clientKeyPath}) to present in the
   * probe instead of the identity the configuration names (tls-client-cert-file and
   * tls-client-key-file, else tls-cert-file and tls-key-file).
   */
  readonly clientCertPath?: string;
  readonly clientKeyPath?: string;
  /** Passphrase of an encrypted `clientKeyPath` (the configuration's keys use its own *-pass). */
  readonly passphrase?: string;
  /** Read {@link RedisConfLintOptions.passphrase} from the first line of this file. */
  readonly passphrasePath?: string;
  /** Per handshake; default `REDIS_CONF_PROBE_TIMEOUT_MS`. */
  readonly timeoutMs?: number;
  /** Read and judge the files the configuration names. Default true. */
  readonly checkFiles?: boolean;
  /**
   * The folder relative paths resolve against before any `dir` line (redis uses the folder it
   * was started in, which the file does not say). Default: the configuration's folder.
   */
  readonly baseDir?: string;
  /** The time certificates are judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /**
   * Largest file read (the configuration and each file it names), and the most read from its
   * CA folder altogether; default `DEFAULT_MAX_INPUT_BYTES`.
   */
  readonly maxInputBytes?: number;
}

/** A named path resolved as redis-server resolves it: against the last `dir` (chained). */
function resolver(settings: RedisTlsSettings, baseDir: string): (path: string) => string {
  let base = resolve(baseDir);
  for (const dir of settings.dirs) base = resolve(base, dir.value);
  return (path) => (isAbsolute(path) ? path : resolve(base, path));
}

async function readOrError(
  path: string,
  options: RedisConfLintOptions,
): Promise<RedisConfFileContent> {
  try {
    return await readInputFile(path, readLimit(options.maxInputBytes));
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return error;
  }
}

/**
 * The files of a `tls-ca-cert-dir`, each read under the input cap, all of them under the same
 * cap again (a folder of huge files is not read whole); a broken link is an entry whose content
 * is the error, since OpenSSL stops at it too.
 */
async function readCaFolder(
  path: string,
  options: RedisConfLintOptions,
): Promise<RedisCaFolder | CertkitError> {
  const listing = await listFolderFiles(path, { maxFiles: REDIS_CA_DIR_MAX_FILES });
  const unreadable = listing.unreadable[0];
  if (unreadable !== undefined) return unreadable.error;
  const budget = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const entries: RedisCaFolderEntry[] = [];
  const notRead: string[] = [];
  let total = 0;
  for (const file of listing.files) {
    const content = await readOrError(file, options);
    if (content instanceof Uint8Array) {
      total += content.length;
      if (total > budget) {
        notRead.push(`over ${String(budget)} bytes read from the folder: the rest not read`);
        break;
      }
    }
    entries.push({ name: basename(file), content });
  }
  for (const skipped of listing.skipped) {
    if (skipped.reason === 'a broken link') {
      entries.push({
        name: basename(skipped.path),
        content: new CertkitError('FILE_NOT_FOUND', `cannot read ${skipped.path}: a broken link`),
      });
    } else notRead.push(`${basename(skipped.path)}: ${skipped.reason}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entries, ...(notRead.length === 0 ? {} : { notRead }) };
}

/** One handshake and PING; an endpoint that cannot be reached is an error to report. */
async function attempt(
  endpoint: Endpoint,
  timeoutMs: number,
  identity: TlsClientIdentity | undefined,
): Promise<RedisProbeAttempt> {
  const result: PingResult = await pingWithIdentity(endpoint.host, endpoint.port, {
    timeoutMs,
    ...(identity === undefined ? {} : { clientIdentity: identity }),
  });
  return {
    accepted: result.accepted,
    ...(result.certificateRequested === undefined
      ? {}
      : { certificateRequested: result.certificateRequested }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

/** The two handshakes of the probe. */
async function probe(
  endpoint: Endpoint,
  label: string,
  identity: (TlsClientIdentity & { readonly source: string }) | { readonly reason: string },
  timeoutMs: number,
): Promise<RedisAuthProbe> {
  try {
    const withoutIdentity = await attempt(endpoint, timeoutMs, undefined);
    if ('reason' in identity)
      return { endpoint: label, withoutIdentity, noIdentity: identity.reason };
    const withIdentity = await attempt(endpoint, timeoutMs, identity);
    return {
      endpoint: label,
      withoutIdentity,
      withIdentity: { ...withIdentity, identity: identity.source },
    };
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return { endpoint: label, unreachable: error.message };
  }
}

/** The identity given on the command line, read and checked before any connection. */
async function givenIdentity(
  options: RedisConfLintOptions,
): Promise<(TlsClientIdentity & { readonly source: string }) | undefined> {
  const { clientCertPath, clientKeyPath } = options;
  if ((clientCertPath === undefined) !== (clientKeyPath === undefined)) {
    throw new CertkitError(
      'INVALID_OPTION',
      'give the client certificate and the client key together',
    );
  }
  if (clientCertPath === undefined || clientKeyPath === undefined) return undefined;
  if (options.endpoint === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a client identity is presented to a live server; give an endpoint HOST:PORT',
      { remedy: { kind: 'option', option: 'endpoint' } },
    );
  }
  const passphrase = await passphraseFrom(options.passphrase, options.passphrasePath);
  const limit = readLimit(options.maxInputBytes);
  const certificates = parseCertificates(
    await readInputFile(clientCertPath, limit),
    clientCertPath,
  );
  const key = parsePrivateKey(
    await readInputFile(clientKeyPath, limit),
    clientKeyPath,
    passphrase === undefined ? {} : { passphrase },
  ).key;
  return {
    certificatePem: certificates.map((c) => c.pem).join(''),
    // Decrypted in memory only, for the handshake: never written anywhere.
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    source: clientCertPath,
  };
}

/**
 * Lints a redis.conf given as text or bytes: reads the files and CA folder it names (relative
 * paths against `baseDir` and its `dir` lines, as redis-server does), probes `endpoint` when
 * given, and judges it all (`lintRedisConfInMemory`, which takes all of that as data).
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` when the input is no redis configuration;
 * `INVALID_OPTION` for a bad endpoint or option; a read error of a client identity given
 */
export async function lintRedisConf(
  input: string | Uint8Array,
  source: string,
  options: RedisConfLintOptions = {},
): Promise<RedisConfLintReport> {
  const parsed = readRedisConf(input, source);
  const endpoint = options.endpoint === undefined ? undefined : parseEndpoint(options.endpoint);
  // Bad input fails before any file of the configuration is read or any connection made.
  const given = await givenIdentity(options);
  const settings = redisTlsSettings(parsed, () => undefined);
  const where = resolver(settings, options.baseDir ?? '.');
  const checkFiles = options.checkFiles !== false;
  const files = new Map<string, RedisConfFileContent>();
  const folders = new Map<string, RedisCaFolder | CertkitError>();
  const paths = redisConfPaths(settings);
  if (checkFiles || endpoint !== undefined) {
    for (const path of paths.files) files.set(path, await readOrError(where(path), options));
  }
  if (checkFiles) {
    for (const path of paths.folders) folders.set(path, await readCaFolder(where(path), options));
  }
  const judge = {
    checkFiles,
    files,
    folders,
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  if (endpoint === undefined) return judgeRedisConf(parsed, source, judge);
  const identity = given ?? redisConfClientIdentity(settings, files);
  const label = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${String(endpoint.port)}`;
  const found = await probe(
    endpoint,
    label,
    identity,
    options.timeoutMs ?? REDIS_CONF_PROBE_TIMEOUT_MS,
  );
  return judgeRedisConf(parsed, source, { ...judge, probe: found });
}

/**
 * Reads and lints a redis.conf file; relative paths resolve against its folder unless
 * `baseDir` says otherwise (and against its `dir` lines, as redis-server does).
 *
 * @throws {@link CertkitError} a read error of the file, `NOT_A_CONFIGURATION`, or what
 * `lintRedisConf` throws
 *
 * @example
 * ```ts
 * const report = await lintRedisConfFile('/etc/redis/redis.conf', { endpoint: '127.0.0.1:6380' });
 * for (const f of report.findings) console.log(`${f.line ?? '-'} ${f.severity} ${f.code}`);
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export async function lintRedisConfFile(
  path: string,
  options: RedisConfLintOptions = {},
): Promise<RedisConfLintReport> {
  const bytes = await readInputFile(path, readLimit(options.maxInputBytes));
  return lintRedisConf(bytes, path, { baseDir: dirname(resolve(path)), ...options });
}
