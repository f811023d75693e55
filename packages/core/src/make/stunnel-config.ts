/**
 * A stunnel client configuration for a TLS-secured Redis database, rendered with safe defaults.
 *
 * The Redis Enterprise documentation's stunnel example uses `verify = 2`, which in stunnel 5 is
 * `verifyChain`: the chain is checked, the name is not (measured with stunnel 5.68; DESIGN.md).
 * Any certificate the CA ever issued, for any host, is then accepted. `checkHost` adds the name
 * check (OpenSSL's X509_check_host). stunnel's default minimum protocol is TLSv1; RFC 8996
 * deprecates TLS 1.0 and 1.1, so the configuration says `sslVersionMin = TLSv1.2`. Text only:
 * workflows/stunnel.ts checks the files it names and writes it.
 */
import { STUNNEL_MIN_TLS_VERSION } from '../defaults.js';
import { CertkitError } from '../errors.js';
import {
  STUNNEL_MAX_LINE_BYTES,
  stunnelAddress,
  stunnelDnsName,
  stunnelEndpoint,
  stunnelHost,
  stunnelLineBytes,
  stunnelPath,
  stunnelServiceName,
} from '../x509/stunnel-syntax.js';

/** Default service name, as in the Redis documentation (`[redislabs]`). */
export const STUNNEL_SERVICE_NAME = 'redislabs';
/** Default local address: where applications connect in plain text (loopback only). */
export const STUNNEL_DEFAULT_ACCEPT = '127.0.0.1:6379';
/** Most `connect` lines written in one service: failover targets are the nodes of a cluster. */
export const STUNNEL_MAX_CONNECTS = 32;

/**
 * The `connect` endpoints and the name checks that cover every one of them: the given
 * `checkHost` (one name all endpoints' certificates carry), else each endpoint's own host, as
 * `checkHost` (names) or `checkIP` (addresses) lines. stunnel accepts a certificate matching any
 * of the lines of a kind (stunnel(8), checkHost/checkIP), and takes names and addresses as
 * different checks, so a mix of the two is refused: a check name must then be given.
 */
function endpointsAndChecks(options: StunnelConfigOptions): {
  connects: readonly string[];
  checks: readonly { kind: 'dns' | 'ip'; host: string }[];
} {
  const given = typeof options.connect === 'string' ? [options.connect] : options.connect;
  if (given.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'connect: give at least one endpoint HOST:PORT');
  }
  if (given.length > STUNNEL_MAX_CONNECTS) {
    throw new CertkitError(
      'INVALID_OPTION',
      `connect: ${String(given.length)} endpoints; a service takes at most ${String(STUNNEL_MAX_CONNECTS)}`,
    );
  }
  const endpoints = given.map((value) => stunnelEndpoint('connect', value));
  const connects = [...new Set(endpoints.map((e) => e.text))];
  if (options.checkHost !== undefined) {
    return { connects, checks: [stunnelHost('checkHost', options.checkHost)] };
  }
  const checks: { kind: 'dns' | 'ip'; host: string }[] = [];
  for (const { host } of endpoints) {
    if (!checks.some((c) => c.host === host.host)) checks.push(host);
  }
  if (new Set(checks.map((c) => c.kind)).size > 1) {
    throw new CertkitError(
      'INVALID_OPTION',
      'connect: the endpoints mix host names and IP addresses, which stunnel checks apart (checkHost, checkIP); give the name every endpoint presents as checkHost',
    );
  }
  return { connects, checks };
}

/** Options of {@link renderStunnelConfig}. Paths are written as given: make them absolute. */
export interface StunnelConfigOptions {
  /** Client certificate (cert.pem). */
  readonly cert: string;
  /** Client private key (keyclient.pem). */
  readonly key: string;
  /** Trusted server certificates (servercerts.pem, or a `certs chain` bundle). */
  readonly cafile: string;
  /**
   * The database endpoint, `HOST:PORT`; or several, written as failover `connect` lines tried in
   * order (at most 32).
   */
  readonly connect: string | readonly string[];
  /** Local plain-text address, default {@link STUNNEL_DEFAULT_ACCEPT}. */
  readonly accept?: string;
  /** Service section name, default {@link STUNNEL_SERVICE_NAME}. */
  readonly service?: string;
  /**
   * Name the server certificate must match; default: the host of each `connect` endpoint
   * (checkIP for addresses), one line each.
   */
  readonly checkHost?: string;
  /** SNI name to send; default: the (first) checked host name. */
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
  const { connects, checks } = endpointsAndChecks(options);
  const accept = stunnelAddress('accept', options.accept ?? STUNNEL_DEFAULT_ACCEPT);
  const service = stunnelServiceName(options.service ?? STUNNEL_SERVICE_NAME);
  const nameChecks = checks.map((checked) =>
    checked.kind === 'dns' ? `checkHost = ${checked.host}` : `checkIP = ${checked.host}`,
  );
  const firstName = checks.find((c) => c.kind === 'dns')?.host;
  // RFC 6066 section 3: SNI carries host names only.
  const sni = options.sni === undefined ? firstName : stunnelDnsName('sni', options.sni);
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
    ...connects.map((text) => `connect = ${text}`),
    // Several endpoints: tried in order, the next when one does not answer (delay = yes below
    // implies it too; said here so that no one reads them as round-robin).
    ...(connects.length > 1 ? ['failover = prio'] : []),
    `cert = ${stunnelPath('cert', options.cert)}`,
    `key = ${stunnelPath('key', options.key)}`,
    `CAfile = ${stunnelPath('CAfile', options.cafile)}`,
    'verifyChain = yes',
    ...nameChecks,
    ...(sni === undefined ? [] : [`sni = ${sni}`]),
    `sslVersionMin = ${STUNNEL_MIN_TLS_VERSION}`,
    '; resolve the endpoint on each connection: database endpoints move between nodes with DNS',
    'delay = yes',
    '',
  ];
  assertLineLengths(lines);
  return lines.join('\n');
}
