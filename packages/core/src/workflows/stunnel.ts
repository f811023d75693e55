/**
 * `certs stunnel` and `certs stunnel lint`: write a stunnel client configuration (rendered by
 * make/stunnel-config.ts) after linting it against the files it names; lint one from a file,
 * reading the files it names and probing its endpoints, then judging everything as data
 * (judge/stunnel-lint.ts).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { CertkitError, isCertkitError } from '../errors.js';
import { readInputFile, STDIN_PATH } from '../io/read.js';
import { checkWritePlan, PUBLIC_FILE_MODE } from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { WriteOptions } from '../io/write-plan.js';
import { fetchPresentedChain } from '../io/presented-chain.js';
import { pingWithIdentity } from '../io/tls-ping.js';
import { judgeStunnelConfig } from '../judge/stunnel-lint.js';
import type { StunnelLintReport } from '../judge/stunnel-lint.js';
import { stunnelClientIdentity, stunnelFilesToRead } from '../judge/stunnel-files.js';
import type { StunnelFileContent } from '../judge/stunnel-files.js';
import { probeAnchors } from '../judge/stunnel-probe.js';
import type { StunnelProbeResult, StunnelProbeTarget } from '../judge/stunnel-probe.js';
import { readStunnelConfig, stunnelServices } from '../judge/stunnel-service.js';
import { renderStunnelConfig } from '../make/stunnel-config.js';
import type { StunnelConfigOptions } from '../make/stunnel-config.js';
import { passphraseFrom, readLimit } from './common.js';

/** Default configuration file name, as in the Redis documentation (`redislabs.conf`). */
export const STUNNEL_CONFIG_FILE = 'redislabs.conf';
/** Time allowed for lint's endpoint probe. Short: lint must not hang on an unreachable endpoint. */
export const STUNNEL_PROBE_TIMEOUT_MS = 5_000;

/** Options of {@link lintStunnelConfigFile}. */
export interface StunnelLintOptions {
  /** Check the files the configuration names (readable, cert matches key). Default true. */
  readonly checkFiles?: boolean;
  /**
   * Connect to the endpoint and validate the chain it presents with CAfile and the name check.
   * No client certificate is presented (see {@link StunnelLintOptions.ping}). Default false.
   */
  readonly probe?: boolean;
  /**
   * Also present the client certificate and key the configuration names to the endpoint and
   * send RESP `PING`, as stunnel would (implies `probe`). Default false: the identity is only
   * presented when asked.
   */
  readonly ping?: boolean;
  readonly probeTimeoutMs?: number;
  /** Resolve relative paths against this folder (stunnel uses its working folder). Default: cwd. */
  readonly baseDir?: string;
  /** The time certificates are judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /** Largest file read (the configuration and the files it names); default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /**
   * Passphrase of an encrypted `key`, to check that it belongs to `cert`. Without it an
   * encrypted key cannot be checked: `KEY_ENCRYPTED` is thrown, as for every command reading a
   * key. (stunnel itself asks for the passphrase on its terminal at start-up.)
   */
  readonly passphrase?: string;
  /** Read {@link StunnelLintOptions.passphrase} from the first line of this file instead. */
  readonly passphrasePath?: string;
}

/**
 * Lints a stunnel client configuration for a Redis database: every service, every finding,
 * reading the files it names and, when asked, probing its endpoints; the judging is
 * `lintStunnelConfigInMemory`'s (judge/stunnel-lint.ts), which takes all of that as data.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` for a PEM block (a private key, a
 * certificate) or DER data where the configuration belongs, naming the block
 *
 * @example
 * ```ts
 * const report = await lintStunnelConfig(text, 'redislabs.conf', { probe: true });
 * for (const f of report.findings) console.log(f.severity, f.code, f.message);
 * ```
 */
export async function lintStunnelConfig(
  input: string | Uint8Array,
  source: string,
  options: StunnelLintOptions = {},
): Promise<StunnelLintReport> {
  const parsed = readStunnelConfig(input, source);
  const passphrase = await passphraseFrom(options.passphrase, options.passphrasePath);
  const checkFiles = options.checkFiles !== false;
  const ping = options.ping === true;
  const probe = options.probe === true || ping;
  // Every file a rule may read, read once before judging: a read error is data the rules
  // report (STUNNEL_FILE_UNREADABLE), or throw where a file must be read.
  const files = new Map<string, StunnelFileContent>();
  for (const path of stunnelFilesToRead(stunnelServices(parsed), { checkFiles, probe, ping })) {
    try {
      files.set(path, await readInputFile(pathOf(path, options), readLimit(options.maxInputBytes)));
    } catch (error) {
      if (!isCertkitError(error)) throw error;
      files.set(path, error);
    }
  }
  const judge = {
    checkFiles,
    files,
    probe,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(passphrase === undefined ? {} : { passphrase }),
  };
  const judged = judgeStunnelConfig(parsed, source, judge);
  if (!probe || judged.probeTargets.length === 0) return judged.report;
  // Every connect line of every service (failover targets each pass the same checks).
  const results = new Map<string, StunnelProbeResult>();
  const key = (target: StunnelProbeTarget): string =>
    `${String(target.service.index)}:${String(target.index)}`;
  for (const target of judged.probeTargets) {
    results.set(
      key(target),
      await probeEndpoint(target, files, ping, {
        timeoutMs: options.probeTimeoutMs ?? STUNNEL_PROBE_TIMEOUT_MS,
        ...(passphrase === undefined ? {} : { passphrase }),
      }),
    );
  }
  return judgeStunnelConfig(parsed, source, {
    ...judge,
    probeOf: (target) => results.get(key(target)),
  }).report;
}

/** A named path, resolved as stunnel would: against its working folder (`baseDir`). */
function pathOf(path: string, options: StunnelLintOptions): string {
  return isAbsolute(path) ? path : resolve(options.baseDir ?? '.', path);
}

/**
 * Connects to one service's endpoint: its presented chain (no client identity: the server's
 * chain comes before it asks for one), then, for `ping`, a PING with the identity the service
 * names. An endpoint that cannot be reached is a result, not an error.
 */
async function probeEndpoint(
  target: StunnelProbeTarget,
  files: ReadonlyMap<string, StunnelFileContent>,
  ping: boolean,
  options: { readonly timeoutMs: number; readonly passphrase?: string },
): Promise<StunnelProbeResult> {
  const tls = {
    timeoutMs: options.timeoutMs,
    ...(target.servername === undefined ? {} : { servername: target.servername }),
  };
  let certificates;
  try {
    certificates = (await fetchPresentedChain(target.host, target.port, tls)).certificates;
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return { unreachable: error.message };
  }
  if (!ping || certificates.length === 0) return { certificates };
  // The chain check reads CAfile before the identity is presented: its error comes first.
  probeAnchors(target.service, files);
  const identity = stunnelClientIdentity(target.service, files, options.passphrase);
  try {
    return {
      certificates,
      ping: await pingWithIdentity(target.host, target.port, {
        ...tls,
        ...(identity === undefined ? {} : { clientIdentity: identity }),
      }),
    };
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    return { certificates, ping: { unreachable: error.message } };
  }
}

/**
 * Reads and lints a stunnel configuration file, as bytes (stunnel reads bytes: its line limit
 * counts them); relative paths resolve against its folder.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` for a key, certificate or DER file, or a read error
 *
 * @example
 * ```ts
 * const report = await lintStunnelConfigFile('/etc/stunnel/redislabs.conf', { probe: true });
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export async function lintStunnelConfigFile(
  path: string,
  options: StunnelLintOptions = {},
): Promise<StunnelLintReport> {
  const bytes = await readInputFile(path, readLimit(options.maxInputBytes));
  return lintStunnelConfig(bytes, path, { baseDir: dirname(resolve(path)), ...options });
}

/** The log file next to a configuration: `redislabs.conf` logs to `redislabs.log`. */
function stunnelLogPath(configPath: string): string {
  return configPath.endsWith('.conf') ? `${configPath.slice(0, -5)}.log` : `${configPath}.log`;
}

/** Options of {@link writeStunnelConfig}. */
export interface WriteStunnelConfigOptions extends StunnelConfigOptions {
  /**
   * The configuration file to write (not stunnel's `output`, its log file); default
   * {@link STUNNEL_CONFIG_FILE} in the current folder.
   */
  readonly outputFileName?: string;
  readonly force?: boolean;
  /** Largest file read (cert, key, CA file); default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** Passphrase of an encrypted key, to check it belongs to the certificate. */
  readonly passphrase?: string;
  /** Read {@link WriteStunnelConfigOptions.passphrase} from the first line of this file instead. */
  readonly passphrasePath?: string;
}

/** What {@link writeStunnelConfig} wrote. */
export interface WrittenStunnelConfig {
  readonly path: string;
  /** The log file the configuration names (`output`): next to it unless given. */
  readonly logPath: string;
  readonly config: string;
  /** Lint of the written configuration (files checked, endpoint not probed). */
  readonly lint: StunnelLintReport;
}

/**
 * Writes a stunnel client configuration with absolute paths, after checking that the files it
 * names are readable, valid, and that the certificate matches the key. It logs to a file next to
 * it (`redislabs.conf` to `redislabs.log`) unless `output` names another.
 *
 * @throws {@link CertkitError} naming the file and the problem; nothing is written then
 *
 * @example
 * ```ts
 * await writeStunnelConfig({ cert: 'cert.pem', key: 'keyclient.pem', cafile: 'servercerts.pem',
 *   connect: 'redis-12000.cluster.example.com:12000', outputFileName: 'redislabs.conf' });
 * ```
 */
export async function writeStunnelConfig(
  options: WriteStunnelConfigOptions,
): Promise<WrittenStunnelConfig> {
  const path = options.outputFileName ?? STUNNEL_CONFIG_FILE;
  const force = options.force ?? false;
  for (const [name, value] of [
    ['cert', options.cert],
    ['key', options.key],
    ['cafile', options.cafile],
  ] as const) {
    if (value === STDIN_PATH) {
      throw new CertkitError(
        'INVALID_OPTION',
        `${name} cannot be - (standard input): stunnel reads the file itself each time it starts, so give its path`,
      );
    }
  }
  const absolute = {
    ...options,
    cert: resolve(options.cert),
    key: resolve(options.key),
    cafile: resolve(options.cafile),
    output: resolve(options.output ?? stunnelLogPath(path)),
  };
  const config = renderStunnelConfig(absolute);
  const write: WriteOptions = {
    force,
    createFolder: true,
    inputs: [
      absolute.cert,
      absolute.key,
      absolute.cafile,
      ...(options.passphrasePath === undefined ? [] : [options.passphrasePath]),
    ],
  };
  await checkWritePlan({ ...write, outputs: [{ path, mode: PUBLIC_FILE_MODE }] });
  const lint = await lintStunnelConfig(config, path, {
    baseDir: dirname(resolve(path)),
    ...(options.maxInputBytes === undefined ? {} : { maxInputBytes: options.maxInputBytes }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.passphrasePath === undefined ? {} : { passphrasePath: options.passphrasePath }),
  });
  // A configuration is written only once its files are checked: an encrypted key that could not
  // be opened was not (lint says so as an info, and leaves the decision to its caller).
  if (lint.findings.some((f) => f.code === 'STUNNEL_KEY_ENCRYPTED' && f.severity === 'info')) {
    throw new CertkitError(
      'KEY_ENCRYPTED',
      `${absolute.key} holds an encrypted private key; give its passphrase`,
    );
  }
  const blocking = lint.findings.find((f) => f.severity === 'error');
  if (blocking !== undefined) {
    throw new CertkitError(
      blocking.code === 'STUNNEL_KEY_MISMATCH' ? 'KEY_MISMATCH' : 'INVALID_OPTION',
      blocking.service === undefined
        ? blocking.message
        : blocking.message.slice(blocking.message.indexOf('] ') + 2),
    );
  }
  await writeFilesAtomically([{ path, content: config, mode: PUBLIC_FILE_MODE }], write);
  return { path, logPath: absolute.output, config, lint };
}
