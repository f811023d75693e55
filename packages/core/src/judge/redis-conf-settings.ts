/**
 * What a redis.conf sets, as redis-server 7.0 takes it: the file refused when it is no
 * configuration at all, each directive's arguments checked as config.c checks them (a line it
 * refuses stops redis-server from starting), and the TLS settings in effect (the last line of
 * each single-valued directive, else redis's default), each with the line that set it.
 */
import { CertkitError } from '../errors.js';
import {
  notAConfiguration as notAConfigurationOf,
  refuseDerInput,
  refusePemBlock,
} from './config-input.js';
import { escapedText, shownValue } from '../x509/stunnel-syntax.js';
import type { Finding } from './finding.js';
import {
  isKnownRedisDirective,
  REDIS_MULTI_ARGUMENT_DIRECTIVES,
  REDIS_OTHER_DIRECTIVES,
  REDIS_STANDARD_DIRECTIVES,
} from './redis-conf-directives.js';
import { parseRedisConf } from './redis-conf-syntax.js';
import type { ParsedRedisConf, RedisDirective } from './redis-conf-syntax.js';

/** The stable codes of redis.conf lint findings. */
export type RedisConfFindingCode =
  | 'REDIS_CONF_SYNTAX'
  | 'REDIS_CONF_INVALID'
  | 'REDIS_CONF_UNKNOWN_DIRECTIVE'
  | 'REDIS_CONF_INCLUDE'
  | 'REDIS_CONF_TOO_MANY_FINDINGS'
  | 'REDIS_CONF_NO_TLS'
  | 'REDIS_CONF_PLAINTEXT_PORT'
  | 'REDIS_CONF_NO_TLS_REPLICATION'
  | 'REDIS_CONF_NO_TLS_CLUSTER'
  | 'REDIS_CONF_AUTH_CLIENTS_OPTIONAL'
  | 'REDIS_CONF_AUTH_CLIENTS_NO'
  | 'REDIS_CONF_NOPASS_BYPASS'
  | 'REDIS_CONF_USERS_NOT_READ'
  | 'REDIS_CONF_OLD_TLS_VERSION'
  | 'REDIS_CONF_RELATIVE_PATH'
  | 'REDIS_CONF_FILE_UNREADABLE'
  | 'REDIS_CONF_FILE_INVALID'
  | 'REDIS_CONF_CERT_NOT_LEAF_FIRST'
  | 'REDIS_CONF_KEY_MISMATCH'
  | 'REDIS_CONF_KEY_ENCRYPTED'
  | 'REDIS_CONF_KEY_PASS_UNUSED'
  | 'REDIS_CONF_CERT_EXPIRED'
  | 'REDIS_CONF_CLIENT_CERT_IGNORED'
  | 'REDIS_CONF_CLIENT_CERT_NO_CLIENT_AUTH'
  | 'REDIS_CONF_CA_DIR_NOT_HASHED'
  | 'REDIS_CONF_CA_DIR_STALE_LINK'
  | 'REDIS_CONF_PROBE_FAILED'
  | 'REDIS_CONF_PROBE_AGREES'
  | 'REDIS_CONF_PROBE_DISAGREES'
  | 'REDIS_CONF_PROBE_IDENTITY_REFUSED';

/** A redis.conf lint finding. Codes are stable. */
export interface RedisConfFinding extends Omit<Finding<RedisConfFindingCode>, 'certificate'> {
  /**
   * The line the finding is about: the directive's, or for something missing, the line of the
   * directive that makes it matter (absent only when the file has no such line).
   */
  readonly line?: number;
}

/** Records one finding. */
export type AddRedisFinding = (
  code: RedisConfFindingCode,
  severity: RedisConfFinding['severity'],
  message: string,
  line?: number,
) => void;

/** How redis asks clients for a certificate (`tls-auth-clients`, default `yes`). */
export type RedisAuthClients = 'yes' | 'optional' | 'no';

/** A value in effect and the line that set it (absent: redis's default). */
export interface RedisSetting<T> {
  readonly value: T;
  readonly line?: number;
}

/** The settings a TLS lint needs, as redis-server 7.0 would run with them. */
export interface RedisTlsSettings {
  /** `port`, default 6379: plain-text clients; 0 turns it off. */
  readonly port: RedisSetting<number>;
  /** `tls-port`, default 0 (no TLS). */
  readonly tlsPort: RedisSetting<number>;
  readonly authClients: RedisSetting<RedisAuthClients>;
  readonly tlsReplication: RedisSetting<boolean>;
  readonly tlsCluster: RedisSetting<boolean>;
  readonly clusterEnabled: RedisSetting<boolean>;
  /** `replicaof` / `slaveof` (`no one` is null). */
  readonly replicaOf: RedisSetting<{ readonly host: string; readonly port: number } | null>;
  /** `tls-protocols` as written (null: redis's default, TLSv1.2 and TLSv1.3). */
  readonly protocols: RedisSetting<string | null>;
  readonly certFile: RedisSetting<string | null>;
  readonly keyFile: RedisSetting<string | null>;
  /** Secret: never shown. */
  readonly keyFilePass: RedisSetting<string | null>;
  readonly clientCertFile: RedisSetting<string | null>;
  readonly clientKeyFile: RedisSetting<string | null>;
  /** Secret: never shown. */
  readonly clientKeyFilePass: RedisSetting<string | null>;
  readonly caCertFile: RedisSetting<string | null>;
  readonly caCertDir: RedisSetting<string | null>;
  /** Secret: never shown. Null (or empty) leaves the default user without a password. */
  readonly requirepass: RedisSetting<string | null>;
  readonly aclfile: RedisSetting<string | null>;
  /** Every `dir` line in order: redis changes to each as it reads it, relative to the last. */
  readonly dirs: readonly RedisSetting<string>[];
}

/** Directives whose values are secrets: no message shows them. */
const SECRET_DIRECTIVES = new Set([
  'requirepass',
  'masterauth',
  'tls-key-file-pass',
  'tls-client-key-file-pass',
  'user',
]);

function notAConfiguration(what: string): CertkitError {
  return notAConfigurationOf(what, 'redis');
}

/**
 * The configuration parsed as redis-server 7 reads it, refused when it is something else: DER
 * data, a PEM block (a key, a certificate), or text no line of which is a directive redis-server
 * knows (an empty file, prose, JSON, a stunnel configuration).
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` saying what the input is instead
 */
export function readRedisConf(input: string | Uint8Array, source: string): ParsedRedisConf {
  refuseDerInput(input, source, 'redis');
  const parsed = parseRedisConf(input);
  refusePemBlock(parsed.pemBlock, source, 'redis');
  if (parsed.directives.length === 0) {
    throw notAConfiguration(
      parsed.problems.length === 0
        ? `${source} holds no directive (it is empty, or only comments and blank lines)`
        : `${source} holds no line redis-server reads as a directive`,
    );
  }
  // Prose, binary data or another program's configuration may hold a word redis knows; a
  // redis.conf is made of directives redis knows, bar a few a newer redis or valkey added.
  const modules = withModules(parsed);
  const known = parsed.directives.filter((d) => isKnownRedisDirective(d.name, modules)).length;
  if (known * 2 < parsed.directives.length) {
    throw notAConfiguration(
      `${source} is no redis configuration: ${known === 0 ? 'none' : `only ${String(known)}`} of its ${String(parsed.directives.length)} directives ${known === 1 ? 'is' : 'are'} one redis-server 7 knows`,
    );
  }
  return parsed;
}

/** True when the file loads a module: its `module.option` directives are configurations then. */
function withModules(parsed: ParsedRedisConf): boolean {
  return parsed.directives.some((d) => d.name === 'loadmodule');
}

/** What a directive's name looks like in a message: escaped, short, never key material. */
export function shownDirective(name: string): string {
  // A pasted key or certificate line is long base64: say so rather than show it.
  if (name.length >= 20 && /^[A-Za-z0-9+/=]+$/.test(name)) return '(a long base64 word, not shown)';
  return `"${escapedText(name, 40)}"`;
}

/** C `isspace`. */
function isCSpace(char: string): boolean {
  return char === ' ' || (char >= '\t' && char <= '\r');
}

/** redis's `string2ll` (util.c): decimal, optional `-`, no leading zero, no `+`, no spaces. */
function string2ll(text: string): number | null {
  if (text === '0') return 0;
  let i = text.startsWith('-') ? 1 : 0;
  const first = text.charAt(i);
  if (!(first >= '1' && first <= '9') || text.length - i > 19) return null;
  for (; i < text.length; i++) {
    const c = text.charAt(i);
    if (c < '0' || c > '9') return null;
  }
  return Number(text);
}

/** `strtol(text, &end, 10)` with `*end == '\0'` required (replicaof's port). */
function strtolWhole(text: string): number | null {
  let i = 0;
  while (i < text.length && isCSpace(text.charAt(i))) i++;
  if (i === text.length) return text.length === 0 ? 0 : null;
  if (text.charAt(i) === '+' || text.charAt(i) === '-') i++;
  const digits = text.slice(i);
  if (digits.length === 0 || digits.length > 19) return null;
  for (const c of digits) if (c < '0' || c > '9') return null;
  return Number(text.slice(0, i).trim() + digits);
}

/** The values redis-server 7.0 takes for each directive the lint reads, and their defaults. */
interface Reader {
  readonly value: (
    directive: RedisDirective,
  ) => { ok: true; value: unknown } | { ok: false; why: string };
}

const yesNo: Reader = {
  value: (d) => {
    const v = (d.args[0] ?? '').toLowerCase();
    return v === 'yes' || v === 'no'
      ? { ok: true, value: v === 'yes' }
      : { ok: false, why: 'must be yes or no' };
  },
};

const portNumber: Reader = {
  value: (d) => {
    const n = string2ll(d.args[0] ?? '');
    return n !== null && n >= 0 && n <= 65535
      ? { ok: true, value: n }
      : { ok: false, why: 'is not a whole number from 0 to 65535' };
  },
};

// Every string configuration the lint reads is EMPTY_STRING_IS_NULL in config.c: "" unsets it.
const text: Reader = {
  value: (d) => ({ ok: true, value: (d.args[0] ?? '') === '' ? null : d.args[0] }),
};

const authClients: Reader = {
  value: (d) => {
    const v = (d.args[0] ?? '').toLowerCase();
    return v === 'yes' || v === 'no' || v === 'optional'
      ? { ok: true, value: v }
      : { ok: false, why: 'must be no, yes or optional' };
  },
};

const replicaOf: Reader = {
  value: (d) => {
    if (d.argc !== 2) return { ok: false, why: 'takes a host and a port (or "no one")' };
    const [host = '', port = ''] = d.args;
    if (host.toLowerCase() === 'no' && port.toLowerCase() === 'one')
      return { ok: true, value: null };
    const n = strtolWhole(port);
    return n !== null && n >= 0 && n <= 65535
      ? { ok: true, value: { host, port: n } }
      : { ok: false, why: 'has an invalid port ("Invalid master port")' };
  },
};

const READERS: Readonly<Record<string, Reader>> = {
  port: portNumber,
  'tls-port': portNumber,
  'tls-auth-clients': authClients,
  'tls-replication': yesNo,
  'tls-cluster': yesNo,
  'cluster-enabled': yesNo,
  replicaof: replicaOf,
  slaveof: replicaOf,
  'tls-protocols': text,
  'tls-cert-file': text,
  'tls-key-file': text,
  'tls-key-file-pass': text,
  'tls-client-cert-file': text,
  'tls-client-key-file': text,
  'tls-client-key-file-pass': text,
  'tls-ca-cert-file': text,
  'tls-ca-cert-dir': text,
  requirepass: text,
  aclfile: text,
  dir: text,
};

/**
 * Checks every directive as config.c does (argument counts, the values of the directives the
 * lint reads), reports `include` lines and directives redis-server 7 does not know, and returns
 * the TLS settings in effect.
 */
export function redisTlsSettings(parsed: ParsedRedisConf, add: AddRedisFinding): RedisTlsSettings {
  const last = new Map<string, { value: unknown; line: number }>();
  const dirs: RedisSetting<string>[] = [];
  const modules = withModules(parsed);
  for (const d of parsed.directives) {
    const shown = shownDirective(d.name);
    if (!isKnownRedisDirective(d.name, modules)) {
      add(
        'REDIS_CONF_UNKNOWN_DIRECTIVE',
        'warning',
        `${shown} is no directive redis-server 7.0 knows: it refuses to start on it ("Bad directive or wrong number of arguments"); a later redis or valkey may know it, else it is a typo`,
        d.line,
      );
      continue;
    }
    const single =
      REDIS_STANDARD_DIRECTIVES.has(d.name) && !REDIS_MULTI_ARGUMENT_DIRECTIVES.has(d.name);
    if (single && d.argc !== 1) {
      const comment = d.args.slice(1).some((a) => a.startsWith('#'));
      add(
        'REDIS_CONF_SYNTAX',
        'error',
        `${d.name} takes one value, this line gives ${String(d.argc)}: redis-server refuses to start ("wrong number of arguments")${comment ? '; a "#" after a value is no comment in redis.conf, only a line that starts with "#" is' : ''}`,
        d.line,
      );
      continue;
    }
    if (REDIS_OTHER_DIRECTIVES.has(d.name)) {
      otherDirective(d, add);
      continue;
    }
    const reader = READERS[d.name];
    if (reader === undefined) continue;
    const read = reader.value(d);
    if (!read.ok) {
      const value =
        SECRET_DIRECTIVES.has(d.name) || d.argc !== 1 ? '' : ` ${shownValue(d.args[0] ?? '')}`;
      add(
        'REDIS_CONF_SYNTAX',
        'error',
        `${d.name}${value} ${read.why}: redis-server refuses to start`,
        d.line,
      );
      continue;
    }
    const key = d.name === 'slaveof' ? 'replicaof' : d.name;
    last.set(key, { value: read.value, line: d.line });
    if (key === 'dir' && typeof read.value === 'string')
      dirs.push({ value: read.value, line: d.line });
  }
  const get = <T>(name: string, fallback: T): RedisSetting<T> => {
    const found = last.get(name);
    return found === undefined
      ? { value: fallback }
      : { value: found.value as T, line: found.line };
  };
  return {
    port: get('port', 6379),
    tlsPort: get('tls-port', 0),
    authClients: get<RedisAuthClients>('tls-auth-clients', 'yes'),
    tlsReplication: get('tls-replication', false),
    tlsCluster: get('tls-cluster', false),
    clusterEnabled: get('cluster-enabled', false),
    replicaOf: get<{ host: string; port: number } | null>('replicaof', null),
    protocols: get<string | null>('tls-protocols', null),
    certFile: get<string | null>('tls-cert-file', null),
    keyFile: get<string | null>('tls-key-file', null),
    keyFilePass: get<string | null>('tls-key-file-pass', null),
    clientCertFile: get<string | null>('tls-client-cert-file', null),
    clientKeyFile: get<string | null>('tls-client-key-file', null),
    clientKeyFilePass: get<string | null>('tls-client-key-file-pass', null),
    caCertFile: get<string | null>('tls-ca-cert-file', null),
    caCertDir: get<string | null>('tls-ca-cert-dir', null),
    requirepass: get<string | null>('requirepass', null),
    aclfile: get<string | null>('aclfile', null),
    dirs,
  };
}

/** `include`, `user`, `rename-command`, `loadmodule`: the argument counts config.c accepts. */
function otherDirective(d: RedisDirective, add: AddRedisFinding): void {
  const wrong =
    (d.name === 'include' && d.argc !== 1) ||
    (d.name === 'rename-command' && d.argc !== 2) ||
    ((d.name === 'user' || d.name === 'loadmodule') && d.argc < 1);
  if (wrong) {
    add(
      'REDIS_CONF_SYNTAX',
      'error',
      `${d.name} with ${String(d.argc)} arguments: redis-server refuses to start ("Bad directive or wrong number of arguments")`,
      d.line,
    );
    return;
  }
  if (d.name === 'include') {
    add(
      'REDIS_CONF_INCLUDE',
      'warning',
      `include ${shownValue(d.args[0] ?? '')}: redis-server reads that file at this point, and it may set any directive (later lines here override it); lint does not follow includes, so a finding about a directive that file sets (or a missing one) may not hold: lint the included file too, or inline it`,
      d.line,
    );
  }
}

/** The settings shown in a report: each TLS directive in effect, secrets as `(set)`. */
export function shownSettings(
  settings: RedisTlsSettings,
): { readonly directive: string; readonly value: string; readonly line?: number }[] {
  const rows: { directive: string; value: string; line?: number }[] = [];
  const row = (directive: string, setting: RedisSetting<unknown>, value: string): void => {
    rows.push({ directive, value, ...(setting.line === undefined ? {} : { line: setting.line }) });
  };
  const yes = (v: boolean): string => (v ? 'yes' : 'no');
  row('port', settings.port, String(settings.port.value));
  row('tls-port', settings.tlsPort, String(settings.tlsPort.value));
  row('tls-auth-clients', settings.authClients, settings.authClients.value);
  row('tls-replication', settings.tlsReplication, yes(settings.tlsReplication.value));
  row('tls-cluster', settings.tlsCluster, yes(settings.tlsCluster.value));
  row('cluster-enabled', settings.clusterEnabled, yes(settings.clusterEnabled.value));
  const replica = settings.replicaOf.value;
  row(
    'replicaof',
    settings.replicaOf,
    replica === null ? 'no one' : `${replica.host} ${String(replica.port)}`,
  );
  row('tls-protocols', settings.protocols, settings.protocols.value ?? 'TLSv1.2 TLSv1.3');
  for (const [directive, setting] of [
    ['tls-cert-file', settings.certFile],
    ['tls-key-file', settings.keyFile],
    ['tls-client-cert-file', settings.clientCertFile],
    ['tls-client-key-file', settings.clientKeyFile],
    ['tls-ca-cert-file', settings.caCertFile],
    ['tls-ca-cert-dir', settings.caCertDir],
  ] as const) {
    if (setting.value !== null) row(directive, setting, setting.value);
  }
  for (const [directive, setting] of [
    ['tls-key-file-pass', settings.keyFilePass],
    ['tls-client-key-file-pass', settings.clientKeyFilePass],
    ['requirepass', settings.requirepass],
  ] as const) {
    if (setting.value !== null) row(directive, setting, '(set)');
  }
  return rows;
}
