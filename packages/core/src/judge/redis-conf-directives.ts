/**
 * The directives redis-server 7.0 knows, for telling a redis.conf from another file and a typo
 * from a directive. The standard ones are what `CONFIG GET *` lists on redis-server 7.0.15, plus
 * the three it hides from patterns (`key-load-delay`, `rdb-key-save-delay`,
 * `loading-process-events-interval-bytes`); test/e2e/redis-conf-lint.test.ts compares the table
 * with a running redis-server. The rest are read by config.c itself (`include`, `user`, …).
 */

/** Every standard configuration of redis-server 7.0.15 (aliases included). */
// prettier-ignore
export const REDIS_STANDARD_DIRECTIVES: ReadonlySet<string> = new Set([
  'acl-pubsub-default', 'aclfile', 'acllog-max-len', 'active-defrag-cycle-max',
  'active-defrag-cycle-min', 'active-defrag-ignore-bytes', 'active-defrag-max-scan-fields',
  'active-defrag-threshold-lower', 'active-defrag-threshold-upper', 'active-expire-effort',
  'activedefrag', 'activerehashing', 'always-show-logo', 'aof-disable-auto-gc',
  'aof-load-truncated', 'aof-rewrite-incremental-fsync', 'aof-timestamp-enabled',
  'aof-use-rdb-preamble', 'aof_rewrite_cpulist', 'appenddirname', 'appendfilename', 'appendfsync',
  'appendonly', 'auto-aof-rewrite-min-size', 'auto-aof-rewrite-percentage', 'bgsave_cpulist',
  'bind', 'bind-source-addr', 'bio_cpulist', 'busy-reply-threshold', 'client-output-buffer-limit',
  'client-query-buffer-limit', 'cluster-allow-pubsubshard-when-down',
  'cluster-allow-reads-when-down', 'cluster-allow-replica-migration', 'cluster-announce-bus-port',
  'cluster-announce-hostname', 'cluster-announce-ip', 'cluster-announce-port',
  'cluster-announce-tls-port', 'cluster-config-file', 'cluster-enabled',
  'cluster-link-sendbuf-limit', 'cluster-migration-barrier', 'cluster-node-timeout',
  'cluster-port', 'cluster-preferred-endpoint-type', 'cluster-replica-no-failover',
  'cluster-replica-validity-factor', 'cluster-require-full-coverage', 'cluster-slave-no-failover',
  'cluster-slave-validity-factor', 'crash-log-enabled', 'crash-memcheck-enabled', 'daemonize',
  'databases', 'dbfilename', 'dir', 'disable-thp', 'dynamic-hz', 'enable-debug-command',
  'enable-module-command', 'enable-protected-configs', 'hash-max-listpack-entries',
  'hash-max-listpack-value', 'hash-max-ziplist-entries', 'hash-max-ziplist-value',
  'hll-sparse-max-bytes', 'hz', 'ignore-warnings', 'io-threads', 'io-threads-do-reads',
  'jemalloc-bg-thread', 'key-load-delay', 'latency-monitor-threshold', 'latency-tracking',
  'latency-tracking-info-percentiles', 'lazyfree-lazy-eviction', 'lazyfree-lazy-expire',
  'lazyfree-lazy-server-del', 'lazyfree-lazy-user-del', 'lazyfree-lazy-user-flush',
  'lfu-decay-time', 'lfu-log-factor', 'list-compress-depth', 'list-max-listpack-size',
  'list-max-ziplist-size', 'loading-process-events-interval-bytes', 'logfile', 'loglevel',
  'lua-time-limit', 'masterauth', 'masteruser', 'maxclients', 'maxmemory', 'maxmemory-clients',
  'maxmemory-eviction-tenacity', 'maxmemory-policy', 'maxmemory-samples', 'min-replicas-max-lag',
  'min-replicas-to-write', 'min-slaves-max-lag', 'min-slaves-to-write',
  'no-appendfsync-on-rewrite', 'notify-keyspace-events', 'oom-score-adj', 'oom-score-adj-values',
  'pidfile', 'port', 'proc-title-template', 'propagation-error-behavior', 'protected-mode',
  'proto-max-bulk-len', 'rdb-del-sync-files', 'rdb-key-save-delay', 'rdb-save-incremental-fsync',
  'rdbchecksum', 'rdbcompression', 'repl-backlog-size', 'repl-backlog-ttl',
  'repl-disable-tcp-nodelay', 'repl-diskless-load', 'repl-diskless-sync',
  'repl-diskless-sync-delay', 'repl-diskless-sync-max-replicas', 'repl-ping-replica-period',
  'repl-ping-slave-period', 'repl-timeout', 'replica-announce-ip', 'replica-announce-port',
  'replica-announced', 'replica-ignore-disk-write-errors', 'replica-ignore-maxmemory',
  'replica-lazy-flush', 'replica-priority', 'replica-read-only', 'replica-serve-stale-data',
  'replicaof', 'requirepass', 'sanitize-dump-payload', 'save', 'server_cpulist',
  'set-max-intset-entries', 'set-proc-title', 'shutdown-on-sigint', 'shutdown-on-sigterm',
  'shutdown-timeout', 'slave-announce-ip', 'slave-announce-port', 'slave-ignore-maxmemory',
  'slave-lazy-flush', 'slave-priority', 'slave-read-only', 'slave-serve-stale-data', 'slaveof',
  'slowlog-log-slower-than', 'slowlog-max-len', 'socket-mark-id', 'stop-writes-on-bgsave-error',
  'stream-node-max-bytes', 'stream-node-max-entries', 'supervised', 'syslog-enabled',
  'syslog-facility', 'syslog-ident', 'tcp-backlog', 'tcp-keepalive', 'timeout',
  'tls-auth-clients', 'tls-ca-cert-dir', 'tls-ca-cert-file', 'tls-cert-file', 'tls-ciphers',
  'tls-ciphersuites', 'tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass',
  'tls-cluster', 'tls-dh-params-file', 'tls-key-file', 'tls-key-file-pass', 'tls-port',
  'tls-prefer-server-ciphers', 'tls-protocols', 'tls-replication', 'tls-session-cache-size',
  'tls-session-cache-timeout', 'tls-session-caching', 'tracking-table-max-keys', 'unixsocket',
  'unixsocketperm', 'zset-max-listpack-entries', 'zset-max-listpack-value',
  'zset-max-ziplist-entries', 'zset-max-ziplist-value',
]);

/**
 * Directives config.c reads itself (`loadServerConfigFromString`): `include FILE`,
 * `rename-command A B`, `user NAME RULES…`, `loadmodule PATH ARGS…`, `sentinel …`, and the
 * deprecated ones it accepts and ignores.
 */
export const REDIS_OTHER_DIRECTIVES: ReadonlySet<string> = new Set([
  'include',
  'rename-command',
  'user',
  'loadmodule',
  'sentinel',
  'list-max-ziplist-entries',
  'list-max-ziplist-value',
  'lua-replicate-commands',
]);

/**
 * The standard configurations that take more than one argument (MULTI_ARG_CONFIG, and the
 * enums that take several): every other one takes exactly one, and redis-server refuses a line
 * that gives it another number ("wrong number of arguments"), e.g. `port 0 # plain text off`.
 * Measured: each directive of the table given three arguments on redis-server 7.0.15
 * (test/e2e/redis-conf-lint.test.ts).
 */
export const REDIS_MULTI_ARGUMENT_DIRECTIVES: ReadonlySet<string> = new Set([
  'bind',
  'client-output-buffer-limit',
  'latency-tracking-info-percentiles',
  'oom-score-adj-values',
  'replicaof',
  'save',
  'shutdown-on-sigint',
  'shutdown-on-sigterm',
  'slaveof',
]);

/** A module's configuration as config.c queues it (`module.option`), bounded and plain. */
const MODULE_CONFIG = /^[a-z0-9_-]{1,64}\.[a-z0-9_.-]{1,128}$/;

/**
 * True for a directive redis-server 7.0 reads. A module's configuration (`name.option`) counts
 * only next to a `loadmodule` line: without the module, redis-server refuses to start on it
 * ("Module Configuration detected without loadmodule directive").
 */
export function isKnownRedisDirective(name: string, withModules = false): boolean {
  return (
    REDIS_STANDARD_DIRECTIVES.has(name) ||
    REDIS_OTHER_DIRECTIVES.has(name) ||
    (withModules && name.length <= 193 && MODULE_CONFIG.test(name))
  );
}
