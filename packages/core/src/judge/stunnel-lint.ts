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
import { parseCertificates } from '../x509/certificates.js';
import { CertkitError, isCertkitError } from '../errors.js';
import {
  PUBLIC_FILE_MODE,
  checkWritePlan,
  readInputFile,
  readPassphraseFile,
  writeFilesAtomically,
} from '../io/files.js';
import type { WriteOptions } from '../io/files.js';
import { keysMatch, parsePrivateKey } from '../x509/keys.js';
import { resolveNow } from './clock.js';
import { validatePath } from './path.js';
import {
  describeLabel,
  encodePem,
  looksLikeDer,
  parsePemBlocks,
  PRIVATE_KEY_LABELS,
} from '../x509/pem.js';
import { internals, parseCertificate } from '../x509/pkix.js';
import type { Certificate } from '../x509/pkix.js';
import {
  escapedText,
  parseStunnelConfig,
  shownText,
  STUNNEL_MAX_LINE_BYTES,
  stunnelAddress,
  stunnelDnsName,
  stunnelEndpoint,
  stunnelHost,
  stunnelLineBytes,
  stunnelOptionKey,
  stunnelPath,
  stunnelPort,
  stunnelServiceName,
} from '../x509/stunnel-syntax.js';
import type { ParsedStunnelConfig, StunnelOption, StunnelSection } from '../x509/stunnel-syntax.js';
import { fetchPresentedChain, pingWithIdentity } from '../io/tls.js';
import type { TlsClientIdentity } from '../io/tls.js';

export { parseStunnelConfig } from '../x509/stunnel-syntax.js';

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
  /**
   * Log file (`output = …`): without one, stunnel logs to syslog only, and a tunnel that refuses
   * connections looks silent. Written as given: make it absolute.
   */
  readonly output?: string;
}

/** Throws when a rendered line is longer than stunnel reads whole, naming its option. */
function assertLineLengths(lines: readonly string[]): void {
  for (const line of lines) {
    const bytes = stunnelLineBytes(line);
    if (bytes > STUNNEL_MAX_LINE_BYTES) {
      const option = line.slice(0, Math.max(line.indexOf(' = '), 0)) || 'a line';
      throw new CertkitError(
        'INVALID_OPTION',
        `${option} would be written as a line of ${String(bytes)} bytes; stunnel reads at most ${String(STUNNEL_MAX_LINE_BYTES)} and takes the rest as further lines`,
      );
    }
  }
}

/**
 * Renders a stunnel client configuration: the documentation's `[redislabs]` service with
 * `verifyChain = yes`, `checkHost`, `sni`, `sslVersionMin = TLSv1.2` and `delay = yes`.
 *
 * Every value has a type and a bound, checked before anything is written: paths of at most
 * PATH_MAX bytes without control characters, DNS names of LDH labels (at most 253 octets) or IP
 * addresses, ports from 1 to 65535, a plain service name; so every line is shorter than the
 * 16,383 bytes stunnel reads whole, and the file holds exactly the options given.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` naming the option, for any value out of its type
 *
 * @example
 * ```ts
 * const text = renderStunnelConfig({ cert: '/etc/redis/cert.pem', key: '/etc/redis/keyclient.pem',
 *   cafile: '/etc/redis/servercerts.pem', connect: 'redis-12000.cluster.example.com:12000' });
 * ```
 */
export function renderStunnelConfig(options: StunnelConfigOptions): string {
  const connect = stunnelEndpoint('connect', options.connect);
  const accept = stunnelAddress('accept', options.accept ?? STUNNEL_DEFAULT_ACCEPT);
  const service = stunnelServiceName(options.service ?? STUNNEL_SERVICE_NAME);
  const checked =
    options.checkHost === undefined ? connect.host : stunnelHost('checkHost', options.checkHost);
  const nameCheck =
    checked.kind === 'dns' ? `checkHost = ${checked.host}` : `checkIP = ${checked.host}`;
  // RFC 6066 section 3: SNI carries host names only.
  const sni =
    options.sni === undefined
      ? checked.kind === 'dns'
        ? checked.host
        : undefined
      : stunnelDnsName('sni', options.sni);
  const lines = [
    '; stunnel client configuration for a TLS-secured Redis database, written by certs.',
    `; Applications connect to ${accept.text} in plain text; stunnel adds TLS and the client certificate.`,
    '; verifyChain checks the server chain against CAfile; checkHost/checkIP checks its name',
    '; (verify = 2 alone checks no name). sslVersionMin: stunnel defaults to TLSv1 (RFC 8996).',
    ...(options.output === undefined
      ? []
      : [
          '; stunnel logs here: why a connection was refused (certs stunnel test FILE shows it too).',
          `output = ${stunnelPath('output', options.output)}`,
        ]),
    ...(options.foreground === true ? ['foreground = yes', 'pid ='] : []),
    '',
    `[${service}]`,
    'client = yes',
    `accept = ${accept.text}`,
    `connect = ${connect.text}`,
    `cert = ${stunnelPath('cert', options.cert)}`,
    `key = ${stunnelPath('key', options.key)}`,
    `CAfile = ${stunnelPath('CAfile', options.cafile)}`,
    'verifyChain = yes',
    nameCheck,
    ...(sni === undefined ? [] : [`sni = ${sni}`]),
    `sslVersionMin = ${STUNNEL_MIN_TLS_VERSION}`,
    '; resolve the endpoint on each connection: database endpoints move between nodes with DNS',
    'delay = yes',
    '',
  ];
  assertLineLengths(lines);
  return lines.join('\n');
}

/** A lint finding. Codes are stable. */
export interface StunnelFinding {
  readonly code:
    | 'STUNNEL_SYNTAX'
    | 'STUNNEL_LONE_CR'
    | 'STUNNEL_LINE_TOO_LONG'
    | 'STUNNEL_INCLUDE'
    | 'STUNNEL_TOO_MANY_SERVICES'
    | 'STUNNEL_TOO_MANY_FINDINGS'
    | 'STUNNEL_NO_SERVICE'
    | 'STUNNEL_NOT_CLIENT'
    | 'STUNNEL_NO_ACCEPT'
    | 'STUNNEL_NO_CONNECT'
    | 'STUNNEL_BAD_ADDRESS'
    | 'STUNNEL_NO_VERIFY'
    | 'STUNNEL_NO_NAME_CHECK'
    | 'STUNNEL_NO_MIN_VERSION'
    | 'STUNNEL_OLD_TLS_VERSION'
    | 'STUNNEL_NO_CAFILE'
    | 'STUNNEL_RELATIVE_PATH'
    | 'STUNNEL_FILE_UNREADABLE'
    | 'STUNNEL_FILE_INVALID'
    | 'STUNNEL_KEY_MISMATCH'
    | 'STUNNEL_KEY_ENCRYPTED'
    | 'STUNNEL_CERT_EXPIRED'
    | 'STUNNEL_ACCEPT_NOT_LOOPBACK'
    | 'STUNNEL_NO_DELAY'
    | 'STUNNEL_ENDPOINT_UNREACHABLE'
    | 'STUNNEL_ENDPOINT_UNTRUSTED'
    | 'STUNNEL_ENDPOINT_NAME_MISMATCH'
    | 'STUNNEL_CLIENT_CERT_ACCEPTED'
    | 'STUNNEL_CLIENT_CERT_REJECTED';
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
  /** Names of the services, at most {@link STUNNEL_MAX_SERVICES} (a finding says when there are more). */
  readonly services: readonly string[];
  readonly findings: readonly StunnelFinding[];
}

/** Options of {@link lintStunnelConfig}. */
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

/** Most services judged in one file: a client configuration has a handful. */
export const STUNNEL_MAX_SERVICES = 100;
/** Most findings listed in one report (one more says how many were left out). */
export const STUNNEL_MAX_FINDINGS = 1_000;

const YES = new Set(['yes', 'true', '1', 'on']);
const OLD_TLS_VERSIONS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const PEM_LABEL = /^[A-Z0-9 #_-]{1,40}$/;

/** The input is a PEM or DER object, not a configuration: refuse it, saying what it is. */
function notAConfiguration(what: string, isKey: boolean): CertkitError {
  return new CertkitError(
    'NOT_A_CONFIGURATION',
    `${what}, not a stunnel configuration${isKey ? '; keep private keys out of configuration files' : ''}`,
  );
}

/**
 * Parses a stunnel configuration ({@link parseStunnelConfig}), refusing what is no configuration
 * at all: a PEM block (a private key, a certificate) or DER data, named without quoting it.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION`
 */
export function parseStunnelConfiguration(
  input: string | Uint8Array,
  source: string,
): ParsedStunnelConfig {
  if (typeof input !== 'string' && looksLikeDer(input)) {
    throw notAConfiguration(`${source} is DER data`, false);
  }
  const parsed = parseStunnelConfig(input);
  const { pemBlock } = parsed;
  if (pemBlock !== null) {
    // The label is named only when it looks like one; it is never key material.
    const label = PEM_LABEL.test(pemBlock.label) ? pemBlock.label : null;
    const isKey = label !== null && label.includes('PRIVATE KEY');
    throw notAConfiguration(
      `block 1 in ${source} (line ${String(pemBlock.line)}) is ${label === null ? 'a PEM block' : isKey ? `a private key (${label})` : describeLabel(label)}`,
      isKey,
    );
  }
  return parsed;
}

/**
 * Lints a stunnel client configuration for a Redis database: every service, every finding.
 * The text is read exactly as stunnel 5.x reads it ({@link parseStunnelConfig}); what stunnel
 * would read differently from how the file looks (a lone CR, a line it cuts, a NUL byte) is an
 * error. No finding quotes a line of the input, only the values of the options it judges.
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
  givenOptions: StunnelLintOptions = {},
): Promise<StunnelLintReport> {
  const { sections, problems } = parseStunnelConfiguration(input, source);
  const options = await withPassphraseRead(givenOptions);
  const findings: StunnelFinding[] = problems.map((problem) => ({
    code: problem.code,
    severity: 'error',
    message: problem.message,
    line: problem.line,
  }));
  for (const section of sections) {
    for (const option of section.options) {
      if (stunnelOptionKey(option.name) !== 'include') continue;
      findings.push({
        code: 'STUNNEL_INCLUDE',
        severity: 'error',
        message: `include = ${shownText(option.value)}: stunnel reads every file of that folder here, and they may add services or change any option; lint does not follow includes, so it cannot vouch for this configuration (inline the files, or lint the result)`,
        line: option.line,
      });
    }
  }
  const globalOptions = lastOfEach(sections[0]?.options ?? []);
  const services = sections.slice(1);
  if (services.length === 0) {
    findings.push({
      code: 'STUNNEL_NO_SERVICE',
      severity: 'error',
      message: 'no [service] section: stunnel has nothing to forward',
    });
  }
  for (const service of services.slice(0, STUNNEL_MAX_SERVICES)) {
    findings.push(...(await lintService(service, globalOptions, options)));
  }
  if (services.length > STUNNEL_MAX_SERVICES) {
    findings.push({
      code: 'STUNNEL_TOO_MANY_SERVICES',
      severity: 'error',
      message: `${String(services.length)} services: lint judged the first ${String(STUNNEL_MAX_SERVICES)} only`,
    });
  }
  // Bounded output whatever the file: every include line is a finding, for one.
  const listed =
    findings.length <= STUNNEL_MAX_FINDINGS
      ? findings
      : [
          ...findings.slice(0, STUNNEL_MAX_FINDINGS),
          {
            code: 'STUNNEL_TOO_MANY_FINDINGS' as const,
            severity: 'error' as const,
            message: `and ${String(findings.length - STUNNEL_MAX_FINDINGS)} more findings (the first ${String(STUNNEL_MAX_FINDINGS)} are listed)`,
          },
        ];
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    source,
    services: services.slice(0, STUNNEL_MAX_SERVICES).map((s) => s.name ?? ''),
    findings: listed,
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

/** `HOST:PORT` or `PORT` split as stunnel splits it: at the last colon. */
function splitAddress(value: string): { host: string; port: string } {
  const colon = value.lastIndexOf(':');
  return colon < 0
    ? { host: '', port: value }
    : { host: value.slice(0, colon), port: value.slice(colon + 1) };
}

/** An IPv6 address without the brackets a user may have put around it. */
function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The last option of each name (stunnel keeps the last value), keyed as stunnel matches names. */
function lastOfEach(options: readonly StunnelOption[]): Map<string, StunnelOption> {
  const last = new Map<string, StunnelOption>();
  for (const option of options) last.set(stunnelOptionKey(option.name), option);
  return last;
}

async function lintService(
  section: StunnelSection,
  globalOptions: ReadonlyMap<string, StunnelOption>,
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
    findings.push({
      code,
      severity,
      message: `[${escapedText(service)}] ${message}`,
      service,
      line,
    });
  };
  // Service-level options in the global section are defaults for every service (stunnel(8)).
  const own = lastOfEach(section.options);
  const get = (name: string): StunnelOption | undefined => {
    const key = stunnelOptionKey(name);
    return own.get(key) ?? globalOptions.get(key);
  };
  const is = (option: StunnelOption): string => `${option.name} = ${shownText(option.value)}`;
  const client = get('client');
  if (client === undefined || !YES.has(stunnelOptionKey(client.value))) {
    add(
      'STUNNEL_NOT_CLIENT',
      'error',
      'client = yes is missing: stunnel would act as a TLS server, not connect to Redis',
    );
  }
  for (const name of ['accept', 'connect']) {
    const option = get(name);
    if (option !== undefined && splitAddress(option.value).host.startsWith('[')) {
      add(
        'STUNNEL_BAD_ADDRESS',
        'error',
        `${is(option)}: stunnel 5 splits HOST:PORT at the last colon and resolves a bracketed IPv6 address as a name, which fails; write it without brackets (::1:6379)`,
        option.line,
      );
    }
  }
  const accept = get('accept');
  if (accept === undefined)
    add('STUNNEL_NO_ACCEPT', 'error', 'accept is missing: no local port for applications');
  else if (!LOOPBACK_HOSTS.has(unbracketed(splitAddress(accept.value).host))) {
    add(
      'STUNNEL_ACCEPT_NOT_LOOPBACK',
      'warning',
      `${is(accept)} listens beyond loopback: anyone who reaches it uses your client certificate in plain text; use 127.0.0.1:PORT`,
      accept.line,
    );
  }
  const connect = get('connect');
  if (connect === undefined)
    add('STUNNEL_NO_CONNECT', 'error', 'connect is missing: no Redis endpoint');

  const verifyChain = get('verifyChain');
  const verifyPeer = get('verifyPeer');
  const verify = get('verify');
  const verifyLevel = verify === undefined ? 0 : Number(verify.value);
  const verifies =
    (verifyChain !== undefined && YES.has(stunnelOptionKey(verifyChain.value))) ||
    (verifyPeer !== undefined && YES.has(stunnelOptionKey(verifyPeer.value))) ||
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
      `${verify !== undefined ? is(verify) : 'verifyChain = yes'} without checkHost: stunnel checks the chain but no name, so any certificate from that CA, for any host, is accepted; add checkHost = <endpoint host name>`,
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
  if (minVersion === undefined && exact === undefined) {
    add(
      'STUNNEL_NO_MIN_VERSION',
      'error',
      `sslVersionMin is missing: stunnel's default minimum is TLSv1, which RFC 8996 deprecates; add sslVersionMin = ${STUNNEL_MIN_TLS_VERSION}`,
    );
  }
  for (const option of [minVersion, exact]) {
    if (option !== undefined && OLD_TLS_VERSIONS.has(stunnelOptionKey(option.value))) {
      add(
        'STUNNEL_OLD_TLS_VERSION',
        'error',
        `${is(option)} allows a TLS version RFC 8996 deprecates; use ${STUNNEL_MIN_TLS_VERSION} or later`,
        option.line,
      );
    }
  }
  if (connect !== undefined && get('delay') === undefined) {
    const host = splitAddress(connect.value).host;
    if (host.length > 0 && !host.startsWith('[') && isIP(host) === 0) {
      add(
        'STUNNEL_NO_DELAY',
        'info',
        `delay = yes is missing: stunnel resolves ${shownText(host)} once at start-up; database endpoints move between nodes with DNS`,
        connect.line,
      );
    }
  }
  if (options.checkFiles !== false) {
    await lintFiles(get, add, options);
  }
  const connects = options.probe === true || options.ping === true;
  if (
    connects &&
    connect !== undefined &&
    cafile !== undefined &&
    findings.every((f) => f.code !== 'STUNNEL_FILE_UNREADABLE' && f.code !== 'STUNNEL_FILE_INVALID')
  ) {
    await probe(connect, cafile, checkHost ?? checkIp, get, add, options);
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
      `${option.name}: ${escapedText(error.message, Infinity)}`,
      option.line,
    );
    return null;
  }
}

/**
 * The certificates of a `cert` file, which may also hold the key (stunnel reads the key from it
 * when `key` is absent): the key blocks are dropped from the parsed PEM blocks, never searched
 * for in the text.
 */
function certificatesOf(bytes: Uint8Array, source: string): Certificate[] {
  const blocks = parsePemBlocks(bytes, source).filter(
    (block) => block.label === null || !PRIVATE_KEY_LABELS.includes(block.label),
  );
  if (blocks.length === 0) {
    throw new CertkitError('NOT_A_CERTIFICATE', `${source} holds a private key and no certificate`);
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

async function lintFiles(
  get: (name: string) => StunnelOption | undefined,
  add: Add,
  options: StunnelLintOptions,
): Promise<void> {
  const now = resolveNow(options.now);
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
    const bytes = await readOrRecord(cafile, options, add);
    if (bytes !== null) {
      try {
        parseCertificates(bytes, cafile.value);
      } catch (error) {
        if (!isCertkitError(error)) throw error;
        add(
          'STUNNEL_FILE_INVALID',
          'error',
          `CAfile: ${escapedText(error.message, Infinity)}`,
          cafile.line,
        );
      }
    }
  }
  if (cert === undefined) return;
  const certBytes = await readOrRecord(cert, options, add);
  if (certBytes === null) return;
  let leaf: Certificate | undefined;
  try {
    [leaf] = certificatesOf(certBytes, cert.value);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'STUNNEL_FILE_INVALID',
      'error',
      `cert: ${escapedText(error.message, Infinity)}`,
      cert.line,
    );
    return;
  }
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
  const keyBytes = keyOption === cert ? certBytes : await readOrRecord(keyOption, options, add);
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
    if (options.passphrase === undefined) {
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
      options.passphrase === undefined ? {} : { passphrase: options.passphrase },
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
function holdsEncryptedKey(bytes: Uint8Array): boolean {
  try {
    return parsePemBlocks(bytes, 'key').some(
      (block) => block.label === 'ENCRYPTED PRIVATE KEY' || 'DEK-Info' in block.headers,
    );
  } catch {
    return false; // unreadable framing: the key check below reports it
  }
}

/** The client identity the configuration names, for `ping`: certificates only, key decrypted in memory. */
async function identityOf(
  get: (name: string) => StunnelOption | undefined,
  options: StunnelLintOptions,
): Promise<TlsClientIdentity | undefined> {
  const cert = get('cert');
  if (cert === undefined) return undefined;
  const key = get('key') ?? cert;
  const certBytes = await readInputFile(pathOf(cert, options), limitOf(options));
  const keyBytes =
    key === cert ? certBytes : await readInputFile(pathOf(key, options), limitOf(options));
  const certificatePem = certificatesOf(certBytes, cert.value)
    .map((certificate) => encodePem('CERTIFICATE', certificate.der))
    .join('');
  const privateKeyPem = parsePrivateKey(
    keyBytes,
    key.value,
    options.passphrase === undefined ? {} : { passphrase: options.passphrase },
  )
    .key.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { certificatePem, privateKeyPem };
}

async function probe(
  connect: StunnelOption,
  cafile: StunnelOption,
  name: StunnelOption | undefined,
  get: (name: string) => StunnelOption | undefined,
  add: Add,
  options: StunnelLintOptions,
): Promise<void> {
  // Where stunnel connects: HOST:PORT split at the last colon; a bare PORT is localhost.
  const address = splitAddress(connect.value);
  const host = address.host.length === 0 ? 'localhost' : address.host;
  let port: number;
  try {
    port = stunnelPort('connect port', address.port);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'STUNNEL_BAD_ADDRESS',
      'error',
      `connect: ${escapedText(error.message, Infinity)}`,
      connect.line,
    );
    return;
  }
  const endpoint = shownText(connect.value);
  const sni = get('sni');
  const servername =
    sni?.value ?? (name !== undefined && isIP(name.value) === 0 ? name.value : undefined);
  const tlsOptions = {
    timeoutMs: options.probeTimeoutMs ?? STUNNEL_PROBE_TIMEOUT_MS,
    ...(servername === undefined ? {} : { servername }),
  };
  let presented;
  try {
    // No client identity: the server's chain comes before it asks for one.
    presented = await fetchPresentedChain(host, port, tlsOptions);
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'STUNNEL_ENDPOINT_UNREACHABLE',
      'info',
      `${endpoint} was not checked: ${escapedText(error.message, Infinity)}`,
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
      `CAfile = ${shownText(cafile.value)} does not validate the chain ${endpoint} presents: ${reasons.join('; ')}`,
      cafile.line,
    );
  }
  if (name !== undefined) {
    // stunnel's checkHost/checkIP are OpenSSL's X509_check_host/_ip: Node exposes the same calls.
    const native = new X509Certificate(leaf.der);
    const matched =
      stunnelOptionKey(name.name) === 'checkip'
        ? native.checkIP(name.value)
        : native.checkHost(name.value);
    if (matched === undefined) {
      add(
        'STUNNEL_ENDPOINT_NAME_MISMATCH',
        'error',
        `${endpoint} presents a certificate for ${shownText([...leaf.info.subjectAltNames.dns, ...leaf.info.subjectAltNames.ip].join(', ') || leaf.info.subject)}, which ${name.name} = ${shownText(name.value)} does not match`,
        name.line,
      );
    }
  }
  if (options.ping !== true) return;
  const identity = await identityOf(get, options);
  let ping;
  try {
    ping = await pingWithIdentity(host, port, {
      ...tlsOptions,
      ...(identity === undefined ? {} : { clientIdentity: identity }),
    });
  } catch (error) {
    if (!isCertkitError(error)) throw error;
    add(
      'STUNNEL_ENDPOINT_UNREACHABLE',
      'info',
      `${endpoint} was not pinged: ${escapedText(error.message, Infinity)}`,
      connect.line,
    );
    return;
  }
  const who = identity === undefined ? 'no client certificate' : 'the client certificate';
  if (ping.accepted) {
    add(
      'STUNNEL_CLIENT_CERT_ACCEPTED',
      'info',
      `${endpoint} accepted ${who} and answered PING with ${shownText(ping.reply ?? '')}`,
      (get('cert') ?? connect).line,
    );
  } else {
    add(
      'STUNNEL_CLIENT_CERT_REJECTED',
      'error',
      `${endpoint} refused ${who}: ${shownText(ping.error ?? 'no reply to PING')}`,
      (get('cert') ?? connect).line,
    );
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
  const bytes = await readInputFile(path, limitOf(options));
  return lintStunnelConfig(bytes, path, { baseDir: dirname(resolve(path)), ...options });
}

/** The log file next to a configuration: `redislabs.conf` logs to `redislabs.log`. */
function stunnelLogPath(configPath: string): string {
  return configPath.endsWith('.conf') ? `${configPath.slice(0, -5)}.log` : `${configPath}.log`;
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
      blocking.service === undefined
        ? blocking.message
        : blocking.message.slice(blocking.message.indexOf('] ') + 2),
    );
  }
  await writeFilesAtomically([{ path, content: config, mode: PUBLIC_FILE_MODE }], write);
  return { path, logPath: absolute.output, config, lint };
}
