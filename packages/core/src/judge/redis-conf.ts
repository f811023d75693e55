/**
 * redis.conf (and valkey.conf) TLS lint, in memory: the configuration's text, the contents of
 * the files it names and what probing the server found, all given as data. The configuration
 * is read as redis-server 7 reads it (redis-conf-syntax.ts, redis-conf-settings.ts); the rules:
 * the TLS directives against each other (here), the users `tls-auth-clients` no longer guards
 * (redis-conf-users.ts), the files the directives name (redis-conf-files.ts,
 * redis-conf-ca-dir.ts), and the live server against the file (redis-conf-probe.ts).
 * workflows/redis-conf.ts reads the files and probes the server, then calls
 * `judgeRedisConf`. No finding quotes a line of the input, and none shows a secret
 * (passwords, key passphrases).
 */
import { resolveNow } from '../clock.js';
import { escapedText, shownValue } from '../x509/stunnel-syntax.js';
import { capFindings } from './finding.js';
import { caDirFindings } from './redis-conf-ca-dir.js';
import { fileFindings, pathFindings } from './redis-conf-files.js';
import type { RedisConfInputs } from './redis-conf-files.js';
import { probeFindings } from './redis-conf-probe.js';
import type { RedisAuthClientsVerdict, RedisAuthProbe } from './redis-conf-probe.js';
import { readRedisConf, redisTlsSettings, shownSettings } from './redis-conf-settings.js';
import type { AddRedisFinding, RedisConfFinding, RedisTlsSettings } from './redis-conf-settings.js';
import type { ParsedRedisConf } from './redis-conf-syntax.js';
import { authClientFindings, redisUsers } from './redis-conf-users.js';

/** Most findings listed in one report (one more says how many were left out). */
export const REDIS_CONF_MAX_FINDINGS = 1_000;

/** One TLS setting in effect, as a report shows it (secrets as `(set)`). */
export interface RedisConfSettingRow {
  readonly directive: string;
  readonly value: string;
  /** The line that set it; absent for redis's default. */
  readonly line?: number;
}

/** What a redis.conf lint found. */
export interface RedisConfLintReport {
  /** No error findings. */
  readonly ok: boolean;
  readonly source: string;
  /** The TLS settings in effect. */
  readonly settings: readonly RedisConfSettingRow[];
  /** In line order; findings about the whole file last. */
  readonly findings: readonly RedisConfFinding[];
  /** What the live server showed, when it was probed. */
  readonly probe?: RedisAuthProbe & {
    readonly verdict: RedisAuthClientsVerdict;
    readonly evidence: string;
  };
}

/** Options of {@link lintRedisConfInMemory} and `judgeRedisConf`. */
export interface RedisConfJudgeOptions extends RedisConfInputs {
  /** Judge the files the configuration names, from `files` and `folders`. Default true. */
  readonly checkFiles?: boolean;
  /** What probing the server found; compared with the file's `tls-auth-clients`. */
  readonly probe?: RedisAuthProbe;
  /** The time certificates are judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
}

const TLS_PROTOCOLS = new Set(['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3']);

/** The TLS directives against each other. */
function tlsFindings(settings: RedisTlsSettings, add: AddRedisFinding): void {
  const { port, tlsPort, replicaOf, clusterEnabled, tlsReplication, tlsCluster } = settings;
  const configured = tlsPort.value !== 0 || tlsReplication.value || tlsCluster.value;
  if (tlsPort.value === 0) {
    add(
      'REDIS_CONF_NO_TLS',
      'error',
      `tls-port is ${tlsPort.line === undefined ? 'not set' : '0'}: redis serves no TLS${port.value === 0 ? '' : `; clients connect in plain text on port ${String(port.value)}`}`,
      tlsPort.line ?? port.line,
    );
  } else {
    if (port.value !== 0) {
      add(
        'REDIS_CONF_PLAINTEXT_PORT',
        'error',
        `port ${String(port.value)}${port.line === undefined ? ' (the default: port is not set)' : ''} is open next to tls-port ${String(tlsPort.value)}: redis still serves plain text there, so any client may skip TLS; set port 0`,
        port.line ?? tlsPort.line,
      );
    }
    const replica = replicaOf.value;
    if (replica !== null && !tlsReplication.value) {
      add(
        'REDIS_CONF_NO_TLS_REPLICATION',
        'error',
        `replicaof ${escapedText(replica.host, 80)} ${String(replica.port)} without tls-replication yes: this replica connects to its master in plain text (and fails if the master serves TLS only)`,
        replicaOf.line,
      );
    }
    if (clusterEnabled.value && !tlsCluster.value) {
      add(
        'REDIS_CONF_NO_TLS_CLUSTER',
        'error',
        'cluster-enabled yes without tls-cluster yes: the cluster bus (port + 10000) runs in plain text, node-to-node messages and failover included',
        clusterEnabled.line,
      );
    }
    if (clusterEnabled.value && !tlsReplication.value) {
      add(
        'REDIS_CONF_NO_TLS_REPLICATION',
        'error',
        'cluster-enabled yes without tls-replication yes: the replicas of the cluster connect to their masters in plain text (and fail if the masters serve TLS only)',
        clusterEnabled.line,
      );
    }
  }
  if (clusterEnabled.value && replica(settings)) {
    add(
      'REDIS_CONF_INVALID',
      'error',
      'replicaof in a cluster (cluster-enabled yes): redis-server refuses to start ("replicaof directive not allowed in cluster mode")',
      replicaOf.line,
    );
  }
  if (configured) {
    const why = tlsPort.value !== 0 ? tlsPort : tlsReplication.value ? tlsReplication : tlsCluster;
    for (const [directive, setting] of [
      ['tls-cert-file', settings.certFile],
      ['tls-key-file', settings.keyFile],
    ] as const) {
      if (setting.value === null) {
        add(
          'REDIS_CONF_INVALID',
          'error',
          `${directive} is not set: redis-server refuses to start with TLS on ("No ${directive} configured!")`,
          why.line,
        );
      }
    }
    const needsCa = settings.authClients.value !== 'no' || tlsReplication.value || tlsCluster.value;
    if (needsCa && settings.caCertFile.value === null && settings.caCertDir.value === null) {
      add(
        'REDIS_CONF_INVALID',
        'error',
        'neither tls-ca-cert-file nor tls-ca-cert-dir is set: redis-server refuses to start ("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")',
        settings.authClients.line ?? why.line,
      );
    }
  }
  protocolFindings(settings, add);
}

function replica(settings: RedisTlsSettings): boolean {
  return settings.replicaOf.value !== null;
}

/** `tls-protocols` as tls.c parses it: words split at single spaces, matched without case. */
function protocolFindings(settings: RedisTlsSettings, add: AddRedisFinding): void {
  const { protocols } = settings;
  if (protocols.value === null) return;
  const words = protocols.value.split(' ');
  const bad = words.find((w) => !TLS_PROTOCOLS.has(w.toLowerCase()));
  if (bad !== undefined) {
    add(
      'REDIS_CONF_INVALID',
      'error',
      `tls-protocols ${shownValue(protocols.value)}: ${bad === '' ? 'two spaces in a row (or one at an end) make an empty word, which' : shownValue(bad)} is no protocol redis-server takes, so it refuses to start ("Invalid tls-protocols specified"); use words of TLSv1.2 and TLSv1.3, one space apart`,
      protocols.line,
    );
    return;
  }
  const old = words.filter((w) => w.toLowerCase() === 'tlsv1' || w.toLowerCase() === 'tlsv1.1');
  if (old.length > 0) {
    add(
      'REDIS_CONF_OLD_TLS_VERSION',
      'error',
      `tls-protocols allows ${old.map((w) => escapedText(w, 10)).join(' and ')}, which RFC 8996 deprecates; use "TLSv1.2 TLSv1.3" (the default)`,
      protocols.line,
    );
  }
}

/**
 * Judges a parsed configuration ({@link readRedisConf}): the composition of the rules, with
 * the report bounded whatever the file.
 */
export function judgeRedisConf(
  parsed: ParsedRedisConf,
  source: string,
  options: RedisConfJudgeOptions = {},
): RedisConfLintReport {
  const now = resolveNow(options.now);
  const findings: RedisConfFinding[] = parsed.problems.map((problem) => ({
    code: 'REDIS_CONF_SYNTAX',
    severity: 'error',
    message: problem.message,
    line: problem.line,
  }));
  const add: AddRedisFinding = (code, severity, message, line) => {
    findings.push({ code, severity, message, ...(line === undefined ? {} : { line }) });
  };
  const settings = redisTlsSettings(parsed, add);
  tlsFindings(settings, add);
  authClientFindings(settings, redisUsers(parsed, settings, add), add);
  pathFindings(settings, add);
  if (options.checkFiles !== false) {
    fileFindings(settings, options, now, add);
    const { caCertDir } = settings;
    if (caCertDir.value !== null) {
      caDirFindings(
        {
          value: caCertDir.value,
          ...(caCertDir.line === undefined ? {} : { line: caCertDir.line }),
        },
        options.folders?.get(caCertDir.value),
        add,
      );
    }
  }
  let probe: RedisConfLintReport['probe'];
  if (options.probe !== undefined) {
    const line = settings.authClients.line ?? settings.tlsPort.line;
    probe = { ...options.probe, ...probeFindings(options.probe, settings.authClients, line, add) };
  }
  // In line order, as a reader goes through the file; whole-file findings last.
  const ordered = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.line ?? Infinity) - (b.f.line ?? Infinity) || a.i - b.i)
    .map(({ f }) => f);
  const listed = capFindings(ordered, REDIS_CONF_MAX_FINDINGS, 'REDIS_CONF_TOO_MANY_FINDINGS');
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    source,
    settings: shownSettings(settings),
    findings: listed,
    ...(probe === undefined ? {} : { probe }),
  };
}

/**
 * Lints a redis.conf from data: every finding, nothing read and nothing connected to. Give the
 * files it names in `files` (keyed by the path as the configuration writes it), its
 * `tls-ca-cert-dir` in `folders`, and what probing the server found in `probe`.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` for DER data, a PEM block, or text with no
 * directive redis-server knows; `INVALID_OPTION` for a clock that is not a date
 *
 * @example
 * ```ts
 * const report = lintRedisConfInMemory('port 0\ntls-port 6380\ntls-auth-clients optional\n',
 *   'redis.conf', { checkFiles: false });
 * for (const f of report.findings) console.log(f.line, f.severity, f.code, f.message);
 * ```
 */
export function lintRedisConfInMemory(
  input: string | Uint8Array,
  source: string,
  options: RedisConfJudgeOptions = {},
): RedisConfLintReport {
  return judgeRedisConf(readRedisConf(input, source), source, options);
}
