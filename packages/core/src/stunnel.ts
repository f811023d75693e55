/**
 * stunnel client configurations for TLS-secured Redis: render one with safe defaults, and lint
 * an existing one.
 *
 * The Redis Enterprise documentation's stunnel example uses `verify = 2`, which in stunnel 5 is
 * `verifyChain`: the chain is checked, the name is not (measured with stunnel 5.68; DESIGN.md).
 * Any certificate the CA ever issued, for any host, is then accepted. `checkHost` adds the name
 * check (OpenSSL's X509_check_host). stunnel's default minimum protocol is TLSv1; RFC 8996
 * deprecates TLS 1.0 and 1.1, so a configuration should say `sslVersionMin = TLSv1.2`.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseCertificates } from './certificates.js';
import { CertkitError, isCertkitError } from './errors.js';
import {
  PUBLIC_FILE_MODE,
  checkWritePlan,
  readInputFile,
  readPassphraseFile,
  writeFilesAtomically,
} from './files.js';
import type { WriteOptions } from './files.js';
import { keysMatch, parsePrivateKey } from './keys.js';
import { validatePath } from './path.js';
import { internals } from './pkix.js';
import type { Certificate } from './pkix.js';
import { fetchPresentedChain, parseEndpoint } from './tls.js';

/** Default configuration file name, as in the Redis documentation (`redislabs.conf`). */
export const STUNNEL_CONFIG_FILE = 'redislabs.conf';
/** Default service name, as in the Redis documentation (`[redislabs]`). */
export const STUNNEL_SERVICE_NAME = 'redislabs';
/** Default local address: where applications connect in plain text (loopback only). */
export const STUNNEL_DEFAULT_ACCEPT = '127.0.0.1:6379';
/** Minimum TLS version written and required by lint (RFC 8996 deprecates TLS 1.0 and 1.1). */
export const STUNNEL_MIN_TLS_VERSION = 'TLSv1.2';
/** Time allowed for lint's endpoint probe. Short: lint must not hang on an unreachable endpoint. */
export const STUNNEL_PROBE_TIMEOUT_MS = 5_000;

/** Options of {@link renderStunnelConfig}. Paths are written as given: make them absolute. */
export interface StunnelConfigOptions {
  /** Client certificate (cert.pem). */
  readonly cert: string;
  /** Client private key (keyclient.pem). */
  readonly key: string;
  /** Trusted server certificates (servercerts.pem, or a `certs chain` bundle). */
  readonly cafile: string;
  /** The database endpoint, `HOST:PORT`. */
  readonly connect: string;
  /** Local plain-text address, default {@link STUNNEL_DEFAULT_ACCEPT}. */
  readonly accept?: string;
  /** Service section name, default {@link STUNNEL_SERVICE_NAME}. */
  readonly service?: string;
  /** Name the server certificate must match; default: the host of `connect` (checkIP for addresses). */
  readonly checkHost?: string;
  /** SNI name to send; default: the checked host name. */
  readonly sni?: string;
  /** Run in the foreground without a pid file (systemd, containers, tests). */
  readonly foreground?: boolean;
}

function checkValue(what: string, value: string): string {
  // One line per option: a newline or a section bracket in a value would inject options.
  if (value.length === 0 || /[\r\n\0]/.test(value) || value !== value.trim()) {
    throw new CertkitError('INVALID_OPTION', `${what} "${value}" is empty or spans lines`);
  }
  return value;
}

/**
 * Renders a stunnel client configuration: the documentation's `[redislabs]` service with
 * `verifyChain = yes`, `checkHost`, `sni`, `sslVersionMin = TLSv1.2` and `delay = yes`.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a malformed endpoint, address or value
 *
 * @example
 * ```ts
 * const text = renderStunnelConfig({ cert: '/etc/redis/cert.pem', key: '/etc/redis/keyclient.pem',
 *   cafile: '/etc/redis/servercerts.pem', connect: 'redis-12000.cluster.example.com:12000' });
 * ```
 */
export function renderStunnelConfig(options: StunnelConfigOptions): string {
  const endpoint = parseEndpoint(checkValue('connect', options.connect));
  const accept = checkValue('accept', options.accept ?? STUNNEL_DEFAULT_ACCEPT);
  parseEndpoint(accept.includes(':') ? accept : `127.0.0.1:${accept}`);
  const service = checkValue('service name', options.service ?? STUNNEL_SERVICE_NAME);
  if (/[[\]]/.test(service)) {
    throw new CertkitError('INVALID_OPTION', `service name "${service}" may not hold brackets`);
  }
  const host = options.checkHost ?? endpoint.host;
  checkValue('checkHost', host);
  const nameCheck = isIP(host) === 0 ? `checkHost = ${host}` : `checkIP = ${host}`;
  const sni = options.sni ?? (isIP(host) === 0 ? host : undefined);
  const connect = endpoint.host.includes(':')
    ? `[${endpoint.host}]:${String(endpoint.port)}`
    : `${endpoint.host}:${String(endpoint.port)}`;
  const lines = [
    '; stunnel client configuration for a TLS-secured Redis database, written by certs.',
    `; Applications connect to ${accept} in plain text; stunnel adds TLS and the client certificate.`,
    '; verifyChain checks the server chain against CAfile; checkHost/checkIP checks its name',
    '; (verify = 2 alone checks no name). sslVersionMin: stunnel defaults to TLSv1 (RFC 8996).',
    ...(options.foreground === true ? ['foreground = yes', 'pid ='] : []),
    '',
    `[${service}]`,
    'client = yes',
    `accept = ${accept}`,
    `connect = ${connect}`,
    `cert = ${checkValue('cert', options.cert)}`,
    `key = ${checkValue('key', options.key)}`,
    `CAfile = ${checkValue('cafile', options.cafile)}`,
    'verifyChain = yes',
    nameCheck,
    ...(sni === undefined ? [] : [`sni = ${checkValue('sni', sni)}`]),
    `sslVersionMin = ${STUNNEL_MIN_TLS_VERSION}`,
    '; resolve the endpoint on each connection: database endpoints move between nodes with DNS',
    'delay = yes',
    '',
  ];
  return lines.join('\n');
}

/** One `key = value` line of a stunnel configuration. */
export interface StunnelOption {
  /** The option name as written. */
  readonly name: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

/** The global section (`name: null`) or a `[service]`. */
export interface StunnelSection {
  readonly name: string | null;
  readonly line: number;
  readonly options: readonly StunnelOption[];
}

/** A lint finding. Codes are stable. */
export interface StunnelFinding {
  readonly code:
    | 'STUNNEL_SYNTAX'
    | 'STUNNEL_NO_SERVICE'
    | 'STUNNEL_NOT_CLIENT'
    | 'STUNNEL_NO_ACCEPT'
    | 'STUNNEL_NO_CONNECT'
    | 'STUNNEL_NO_VERIFY'
    | 'STUNNEL_NO_NAME_CHECK'
    | 'STUNNEL_NO_MIN_VERSION'
    | 'STUNNEL_OLD_TLS_VERSION'
    | 'STUNNEL_NO_CAFILE'
    | 'STUNNEL_RELATIVE_PATH'
    | 'STUNNEL_FILE_UNREADABLE'
    | 'STUNNEL_FILE_INVALID'
    | 'STUNNEL_KEY_MISMATCH'
    | 'STUNNEL_CERT_EXPIRED'
    | 'STUNNEL_ACCEPT_NOT_LOOPBACK'
    | 'STUNNEL_NO_DELAY'
    | 'STUNNEL_ENDPOINT_UNREACHABLE'
    | 'STUNNEL_ENDPOINT_UNTRUSTED'
    | 'STUNNEL_ENDPOINT_NAME_MISMATCH';
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  /** Service the finding is about; absent for the whole file. */
  readonly service?: string;
  readonly line?: number;
}

/** What {@link lintStunnelConfig} found. */
export interface StunnelLintReport {
  /** No error findings. */
  readonly ok: boolean;
  readonly source: string;
  readonly services: readonly string[];
  readonly findings: readonly StunnelFinding[];
}

/**
 * Parses a stunnel configuration into its sections (`;` and `#` start comments). Lines that are
 * neither options, sections nor comments come back as `problems`.
 *
 * @example
 * ```ts
 * const { sections } = parseStunnelConfig('[redislabs]\nclient = yes\n');
 * ```
 */
export function parseStunnelConfig(text: string): {
  sections: StunnelSection[];
  problems: { line: number; text: string }[];
} {
  const sections: { name: string | null; line: number; options: StunnelOption[] }[] = [
    { name: null, line: 0, options: [] },
  ];
  const problems: { line: number; text: string }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith(';') || line.startsWith('#')) return;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section !== null) {
      sections.push({ name: (section[1] ?? '').trim(), line: i + 1, options: [] });
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      problems.push({ line: i + 1, text: line.length > 60 ? `${line.slice(0, 60)}…` : line });
      return;
    }
    sections.at(-1)?.options.push({
      name: line.slice(0, eq).trim(),
      value: line.slice(eq + 1).trim(),
      line: i + 1,
    });
  });
  return { sections, problems };
}

/** Options of {@link lintStunnelConfig}. */
export interface StunnelLintOptions {
  /** Check the files the configuration names (readable, cert matches key). Default true. */
  readonly checkFiles?: boolean;
  /** Connect to the endpoint and validate its chain with CAfile and the name check. Default false. */
  readonly probe?: boolean;
  readonly probeTimeoutMs?: number;
  /** Resolve relative paths against this folder (stunnel uses its working folder). Default: cwd. */
  readonly baseDir?: string;
  readonly now?: Date;
  /** Largest file read (the configuration and the files it names); default files.ts `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /**
   * Passphrase of an encrypted `key`, to check that it belongs to `cert`. Without it an
   * encrypted key cannot be checked: `KEY_ENCRYPTED` is thrown, as for every command reading a
   * key. (stunnel itself asks for the passphrase on its terminal at start-up.)
   */
  readonly passphrase?: string;
  /** Read {@link StunnelLintOptions.passphrase} from the first line of this file instead. */
  readonly passphraseFile?: string;
}

const YES = new Set(['yes', 'true', '1', 'on']);

/**
 * Lints a stunnel client configuration for a Redis database: every service, every finding.
 *
 * @example
 * ```ts
 * const report = await lintStunnelConfig(text, 'redislabs.conf', { probe: true });
 * for (const f of report.findings) console.log(f.severity, f.code, f.message);
 * ```
 */
export async function lintStunnelConfig(
  text: string,
  source: string,
  givenOptions: StunnelLintOptions = {},
): Promise<StunnelLintReport> {
  const options = await withPassphraseRead(givenOptions);
  const findings: StunnelFinding[] = [];
  const { sections, problems } = parseStunnelConfig(text);
  for (const problem of problems) {
    findings.push({
      code: 'STUNNEL_SYNTAX',
      severity: 'error',
      message: `line ${String(problem.line)} is neither "option = value", "[service]" nor a comment: ${problem.text}`,
      line: problem.line,
    });
  }
  const global = sections[0];
  const services = sections.slice(1);
  if (services.length === 0) {
    findings.push({
      code: 'STUNNEL_NO_SERVICE',
      severity: 'error',
      message: 'no [service] section: stunnel has nothing to forward',
    });
  }
  for (const service of services) {
    findings.push(...(await lintService(service, global?.options ?? [], options)));
  }
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    source,
    services: services.map((s) => s.name ?? ''),
    findings,
  };
}

/** Reads `passphraseFile` once, up front, into `passphrase` (never both given). */
async function withPassphraseRead(options: StunnelLintOptions): Promise<StunnelLintOptions> {
  const { passphraseFile, ...rest } = options;
  if (passphraseFile === undefined) return options;
  if (options.passphrase !== undefined) {
    throw new CertkitError('INVALID_OPTION', 'give the passphrase or a passphrase file, not both');
  }
  return { ...rest, passphrase: await readPassphraseFile(passphraseFile) };
}

async function lintService(
  section: StunnelSection,
  globalOptions: readonly StunnelOption[],
  options: StunnelLintOptions,
): Promise<StunnelFinding[]> {
  const service = section.name ?? '';
  const findings: StunnelFinding[] = [];
  const add = (
    code: StunnelFinding['code'],
    severity: StunnelFinding['severity'],
    message: string,
    line = section.line,
  ): void => {
    findings.push({ code, severity, message: `[${service}] ${message}`, service, line });
  };
  // Service-level options in the global section are defaults for every service (stunnel(8)).
  const get = (name: string): StunnelOption | undefined => {
    const wanted = name.toLowerCase();
    const own = section.options.filter((o) => o.name.toLowerCase() === wanted).at(-1);
    return own ?? globalOptions.filter((o) => o.name.toLowerCase() === wanted).at(-1);
  };
  const client = get('client');
  if (client === undefined || !YES.has(client.value.toLowerCase())) {
    add(
      'STUNNEL_NOT_CLIENT',
      'error',
      'client = yes is missing: stunnel would act as a TLS server, not connect to Redis',
    );
  }
  const accept = get('accept');
  if (accept === undefined)
    add('STUNNEL_NO_ACCEPT', 'error', 'accept is missing: no local port for applications');
  else {
    const host = accept.value.includes(':')
      ? accept.value.slice(0, accept.value.lastIndexOf(':')).replace(/^\[|\]$/g, '')
      : '';
    if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
      add(
        'STUNNEL_ACCEPT_NOT_LOOPBACK',
        'warning',
        `accept = ${accept.value} listens beyond loopback: anyone who reaches it uses your client certificate in plain text; use 127.0.0.1:PORT`,
        accept.line,
      );
    }
  }
  const connect = get('connect');
  if (connect === undefined)
    add('STUNNEL_NO_CONNECT', 'error', 'connect is missing: no Redis endpoint');

  const verifyChain = get('verifyChain');
  const verifyPeer = get('verifyPeer');
  const verify = get('verify');
  const verifyLevel = verify === undefined ? 0 : Number(verify.value);
  const verifies =
    (verifyChain !== undefined && YES.has(verifyChain.value.toLowerCase())) ||
    (verifyPeer !== undefined && YES.has(verifyPeer.value.toLowerCase())) ||
    verifyLevel >= 2;
  const checkHost = get('checkHost');
  const checkIp = get('checkIP');
  if (!verifies) {
    add(
      'STUNNEL_NO_VERIFY',
      'error',
      'the server certificate is not verified (no verifyChain = yes, verify = 2 or higher): anyone on the path can impersonate Redis',
    );
  } else if (
    checkHost === undefined &&
    checkIp === undefined &&
    verifyLevel < 3 &&
    verifyPeer === undefined
  ) {
    add(
      'STUNNEL_NO_NAME_CHECK',
      'error',
      `${verify !== undefined ? `verify = ${verify.value}` : 'verifyChain = yes'} without checkHost: stunnel checks the chain but no name, so any certificate from that CA, for any host, is accepted; add checkHost = <endpoint host name>`,
      (verify ?? verifyChain)?.line,
    );
  }
  const cafile = get('CAfile');
  const capath = get('CApath');
  if (verifies && cafile === undefined && capath === undefined) {
    add(
      'STUNNEL_NO_CAFILE',
      'error',
      "no CAfile (or CApath): the chain is verified against nothing; name the servers' CA (servercerts.pem)",
    );
  }
  const minVersion = get('sslVersionMin');
  const exact = get('sslVersion');
  const old = /^(SSLv2|SSLv3|TLSv1|TLSv1\.1)$/i;
  if (minVersion === undefined && exact === undefined) {
    add(
      'STUNNEL_NO_MIN_VERSION',
      'error',
      `sslVersionMin is missing: stunnel's default minimum is TLSv1, which RFC 8996 deprecates; add sslVersionMin = ${STUNNEL_MIN_TLS_VERSION}`,
    );
  }
  for (const option of [minVersion, exact]) {
    if (option !== undefined && old.test(option.value)) {
      add(
        'STUNNEL_OLD_TLS_VERSION',
        'error',
        `${option.name} = ${option.value} allows a TLS version RFC 8996 deprecates; use ${STUNNEL_MIN_TLS_VERSION} or later`,
        option.line,
      );
    }
  }
  if (connect !== undefined && get('delay') === undefined) {
    const host = connect.value
      .slice(0, Math.max(connect.value.lastIndexOf(':'), 0))
      .replace(/^\[|\]$/g, '');
    if (host.length > 0 && isIP(host) === 0) {
      add(
        'STUNNEL_NO_DELAY',
        'info',
        `delay = yes is missing: stunnel resolves ${host} once at start-up; database endpoints move between nodes with DNS`,
        connect.line,
      );
    }
  }
  if (options.checkFiles !== false) {
    findings.push(...(await lintFiles(get, add, options)));
  }
  if (
    options.probe === true &&
    connect !== undefined &&
    cafile !== undefined &&
    findings.every((f) => f.code !== 'STUNNEL_FILE_UNREADABLE')
  ) {
    await probe(connect, cafile, checkHost ?? checkIp, get('sni'), get, add, options);
  }
  return findings;
}

type Add = (
  code: StunnelFinding['code'],
  severity: StunnelFinding['severity'],
  message: string,
  line?: number,
) => void;

function limitOf(options: StunnelLintOptions): { maxBytes?: number } {
  return options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes };
}

function pathOf(option: StunnelOption, options: StunnelLintOptions): string {
  return isAbsolute(option.value) ? option.value : resolve(options.baseDir ?? '.', option.value);
}

async function readOrRecord(
  option: StunnelOption,
  options: StunnelLintOptions,
  add: Add,
): Promise<Uint8Array | null> {
  try {
    return await readInputFile(pathOf(option, options), limitOf(options));
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'STUNNEL_FILE_UNREADABLE',
      'error',
      `${option.name} = ${option.value}: ${error.message}`,
      option.line,
    );
    return null;
  }
}

async function lintFiles(
  get: (name: string) => StunnelOption | undefined,
  add: Add,
  options: StunnelLintOptions,
): Promise<StunnelFinding[]> {
  const now = options.now ?? new Date();
  for (const name of ['cert', 'key', 'CAfile']) {
    const option = get(name);
    if (option !== undefined && !isAbsolute(option.value)) {
      add(
        'STUNNEL_RELATIVE_PATH',
        'warning',
        `${option.name} = ${option.value} is relative: stunnel resolves it against its working folder (and chroot); use an absolute path`,
        option.line,
      );
    }
  }
  const cert = get('cert');
  const cafile = get('CAfile');
  if (cafile !== undefined) {
    const bytes = await readOrRecord(cafile, options, add);
    if (bytes !== null) {
      try {
        parseCertificates(bytes, cafile.value);
      } catch (error) {
        if (!isCertkitError(error)) throw error;
        add('STUNNEL_FILE_INVALID', 'error', `CAfile: ${error.message}`, cafile.line);
      }
    }
  }
  if (cert === undefined) return [];
  const certBytes = await readOrRecord(cert, options, add);
  if (certBytes === null) return [];
  let leaf: Certificate | undefined;
  try {
    // A cert file may also hold the key (stunnel reads the key from it when `key` is absent).
    const text = Buffer.from(certBytes).toString('latin1');
    const certOnly = text.replace(
      /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g,
      '',
    );
    [leaf] = parseCertificates(Buffer.from(certOnly, 'latin1'), cert.value);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add('STUNNEL_FILE_INVALID', 'error', `cert: ${error.message}`, cert.line);
    return [];
  }
  if (leaf === undefined) return [];
  if (Date.parse(leaf.info.notAfter) < now.getTime()) {
    add(
      'STUNNEL_CERT_EXPIRED',
      'error',
      `cert = ${cert.value} expired on ${leaf.info.notAfter}: the database will refuse it`,
      cert.line,
    );
  }
  const keyOption = get('key') ?? cert;
  const keyBytes = keyOption === cert ? certBytes : await readOrRecord(keyOption, options, add);
  if (keyBytes === null) return [];
  try {
    const { key } = parsePrivateKey(
      keyBytes,
      keyOption.value,
      options.passphrase === undefined ? {} : { passphrase: options.passphrase },
    );
    const publicKey = internals(leaf).publicKey;
    if (publicKey === null || !keysMatch(key, publicKey)) {
      add(
        'STUNNEL_KEY_MISMATCH',
        'error',
        `key = ${keyOption.value} is not the key of cert = ${cert.value}: the TLS handshake will fail`,
        keyOption.line,
      );
    }
  } catch (error) {
    // An encrypted key without (or with the wrong) passphrase: the request cannot be carried
    // out, as for every command that reads a key (exit 2), rather than a finding.
    if (!isCertkitError(error) || error.code === 'KEY_ENCRYPTED') throw error;
    add('STUNNEL_FILE_INVALID', 'error', `key: ${error.message}`, keyOption.line);
  }
  return [];
}

async function probe(
  connect: StunnelOption,
  cafile: StunnelOption,
  name: StunnelOption | undefined,
  sni: StunnelOption | undefined,
  get: (name: string) => StunnelOption | undefined,
  add: Add,
  options: StunnelLintOptions,
): Promise<void> {
  let endpoint;
  try {
    endpoint = parseEndpoint(connect.value);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add('STUNNEL_SYNTAX', 'error', `connect = ${connect.value}: ${error.message}`, connect.line);
    return;
  }
  const cert = get('cert');
  const key = get('key') ?? cert;
  let identity;
  if (cert !== undefined && key !== undefined) {
    const certificatePem = Buffer.from(
      await readInputFile(pathOf(cert, options), limitOf(options)),
    ).toString();
    const keyBytes = await readInputFile(pathOf(key, options), limitOf(options));
    // TLS gets an encrypted key decrypted, in memory only (lintFiles has opened it already).
    const privateKeyPem =
      options.passphrase === undefined
        ? Buffer.from(keyBytes).toString()
        : parsePrivateKey(keyBytes, key.value, { passphrase: options.passphrase })
            .key.export({ type: 'pkcs8', format: 'pem' })
            .toString();
    identity = { certificatePem, privateKeyPem };
  }
  const servername =
    sni?.value ?? (name !== undefined && isIP(name.value) === 0 ? name.value : undefined);
  let presented;
  try {
    presented = await fetchPresentedChain(endpoint.host, endpoint.port, {
      timeoutMs: options.probeTimeoutMs ?? STUNNEL_PROBE_TIMEOUT_MS,
      ...(servername === undefined ? {} : { servername }),
      ...(identity === undefined ? {} : { clientIdentity: identity }),
    });
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'STUNNEL_ENDPOINT_UNREACHABLE',
      'info',
      `${connect.value} was not checked: ${error.message}`,
      connect.line,
    );
    return;
  }
  const [leaf, ...rest] = presented.certificates;
  if (leaf === undefined) return;
  const anchors = parseCertificates(
    await readInputFile(pathOf(cafile, options), limitOf(options)),
    cafile.value,
  );
  const validation = validatePath({
    leaf,
    anchors,
    intermediates: rest,
    purpose: 'server',
    ...(options.now === undefined ? {} : { at: options.now }),
  });
  if (!validation.ok) {
    const reasons = validation.findings.filter((f) => f.severity === 'error').map((f) => f.message);
    add(
      'STUNNEL_ENDPOINT_UNTRUSTED',
      'error',
      `CAfile = ${cafile.value} does not validate the chain ${connect.value} presents: ${reasons.join('; ')}`,
      cafile.line,
    );
  }
  if (name !== undefined) {
    // stunnel's checkHost/checkIP are OpenSSL's X509_check_host/_ip: Node exposes the same calls.
    const native = new X509Certificate(leaf.der);
    const matched =
      name.name.toLowerCase() === 'checkip'
        ? native.checkIP(name.value)
        : native.checkHost(name.value);
    if (matched === undefined) {
      add(
        'STUNNEL_ENDPOINT_NAME_MISMATCH',
        'error',
        `${connect.value} presents a certificate for ${[...leaf.info.subjectAltNames.dns, ...leaf.info.subjectAltNames.ip].join(', ') || leaf.info.subject}, which ${name.name} = ${name.value} does not match`,
        name.line,
      );
    }
  }
}

/**
 * Reads and lints a stunnel configuration file; relative paths resolve against its folder.
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
  const text = Buffer.from(
    await readInputFile(
      path,
      options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes },
    ),
  ).toString('utf8');
  return lintStunnelConfig(text, path, { baseDir: dirname(resolve(path)), ...options });
}

/** Options of {@link writeStunnelConfig}. */
export interface WriteStunnelConfigOptions extends StunnelConfigOptions {
  /** Output file, default {@link STUNNEL_CONFIG_FILE} in the current folder. */
  readonly out?: string;
  readonly force?: boolean;
  /** Largest file read (cert, key, CA file); default files.ts `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** Passphrase of an encrypted key, to check it belongs to the certificate. */
  readonly passphrase?: string;
  /** Read {@link WriteStunnelConfigOptions.passphrase} from the first line of this file instead. */
  readonly passphraseFile?: string;
}

/** What {@link writeStunnelConfig} wrote. */
export interface WrittenStunnelConfig {
  readonly path: string;
  readonly config: string;
  /** Lint of the written configuration (files checked, endpoint not probed). */
  readonly lint: StunnelLintReport;
}

/**
 * Writes a stunnel client configuration with absolute paths, after checking that the files it
 * names are readable, valid, and that the certificate matches the key.
 *
 * @throws {@link CertkitError} naming the file and the problem; nothing is written then
 *
 * @example
 * ```ts
 * await writeStunnelConfig({ cert: 'cert.pem', key: 'keyclient.pem', cafile: 'servercerts.pem',
 *   connect: 'redis-12000.cluster.example.com:12000', out: 'redislabs.conf' });
 * ```
 */
export async function writeStunnelConfig(
  options: WriteStunnelConfigOptions,
): Promise<WrittenStunnelConfig> {
  const path = options.out ?? STUNNEL_CONFIG_FILE;
  const force = options.force ?? false;
  const absolute = {
    ...options,
    cert: resolve(options.cert),
    key: resolve(options.key),
    cafile: resolve(options.cafile),
  };
  const config = renderStunnelConfig(absolute);
  const write: WriteOptions = {
    force,
    createFolder: true,
    inputs: [
      absolute.cert,
      absolute.key,
      absolute.cafile,
      ...(options.passphraseFile === undefined ? [] : [options.passphraseFile]),
    ],
  };
  await checkWritePlan({ ...write, outputs: [{ path, mode: PUBLIC_FILE_MODE }] });
  const lint = await lintStunnelConfig(config, path, {
    baseDir: dirname(resolve(path)),
    ...(options.maxInputBytes === undefined ? {} : { maxInputBytes: options.maxInputBytes }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.passphraseFile === undefined ? {} : { passphraseFile: options.passphraseFile }),
  });
  const blocking = lint.findings.find((f) => f.severity === 'error');
  if (blocking !== undefined) {
    throw new CertkitError(
      blocking.code === 'STUNNEL_KEY_MISMATCH' ? 'KEY_MISMATCH' : 'INVALID_OPTION',
      blocking.message.replace(/^\[[^\]]*\] /, ''),
    );
  }
  await writeFilesAtomically([{ path, content: config, mode: PUBLIC_FILE_MODE }], write);
  return { path, config, lint };
}
