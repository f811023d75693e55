/**
 * Whether a Redis client library checks the server's name at all, by version. The stack models
 * (clients.ts) say what a stack decides when it is asked to check a name; whether it is asked
 * is the library's choice, and several libraries do not ask unless told to. A report that shows
 * only the stacks reads as safe for a client that never looks; these rows let it say "connects,
 * name not checked" apart from "name verified".
 *
 * Each row cites where its default is documented, and the rows for the versions installed here
 * are measured against a real TLS redis-server (test/e2e/client-defaults.test.ts): redis-py 4.3.4
 * (Debian's python3-redis) connects to a server whose certificate names another host, and
 * refuses with `ssl_check_hostname=True`; its RedisCluster drops that keyword; redis-cli 7.0
 * connects to it whatever `--sni` says; ioredis 6.0.0 and node-redis 6.3.1 refuse it; a JSSE
 * socket without endpoint identification (what Jedis before 7.5.0 builds) connects to it.
 */
import { CertkitError } from '../errors.js';
import type { ClientStack, ClientVerdict } from './client-names.js';

/** A Redis client library (or tool) whose name-check default is modelled. */
export type ClientLibrary =
  | 'ioredis'
  | 'node-redis'
  | 'redis-py'
  | 'redis-py RedisCluster'
  | 'redis-cli'
  | 'stunnel'
  | 'go-redis'
  | 'Jedis'
  | 'Lettuce';

/**
 * Whether a library checks the name with its default options: `on`; `off` (it can, when told
 * to: {@link ClientLibraryDefaults.enable}); `never` (it has no name check at all).
 */
export type NameCheckDefault = 'on' | 'off' | 'never';

/** One library (in a range of versions) and its name-check default. */
export interface ClientLibraryDefaults {
  readonly library: ClientLibrary;
  /** The stack that judges the name and the chain for this library (clients.ts). */
  readonly stack: ClientStack;
  /** First version of the range (inclusive); absent: from the first release. */
  readonly since?: string;
  /** First version after the range; absent: up to the latest release. */
  readonly before?: string;
  readonly nameCheck: NameCheckDefault;
  /** How to turn the check on (`off`), what to use instead (`never`), or what it checks (`on`). */
  readonly enable: string;
  /** Where the default is documented, or how it was measured. */
  readonly source: string;
}

/**
 * Every modelled library, in report order. A library whose default changed has one row a range
 * of versions, the ranges adjacent and not overlapping (a unit test checks it).
 */
export const CLIENT_LIBRARIES: readonly ClientLibraryDefaults[] = [
  {
    library: 'ioredis',
    stack: 'node',
    nameCheck: 'on',
    enable: 'Node checks tls.servername, else the host dialled',
    source: 'Node tls.connect checkServerIdentity; measured with ioredis 6.0.0',
  },
  {
    library: 'node-redis',
    stack: 'node',
    nameCheck: 'on',
    enable: 'Node checks socket.servername, else the host dialled',
    source: 'Node tls.connect checkServerIdentity; measured with node-redis 6.3.1',
  },
  {
    library: 'redis-py',
    stack: 'python',
    before: '6.0.0',
    nameCheck: 'off',
    enable: 'ssl_check_hostname=True',
    source:
      'ssl_check_hostname defaults to False from its introduction in 3.4 to 5.x (redis-py #1196); measured with 4.3.4',
  },
  {
    library: 'redis-py',
    stack: 'python',
    since: '6.0.0',
    nameCheck: 'on',
    enable: 'ssl_check_hostname is True unless set to False',
    source: 'redis-py 6.0.0 release notes: ssl_check_hostname defaults to True (#3626)',
  },
  {
    library: 'redis-py RedisCluster',
    stack: 'python',
    before: '6.0.0',
    nameCheck: 'off',
    enable:
      'connection_class, an SSLConnection subclass that sets ssl_check_hostname=True, since RedisCluster drops the keyword before 6.1',
    source:
      'RedisCluster passes only REDIS_ALLOWED_KEYS to its nodes, without ssl_check_hostname (redis-py #3122, fixed in 6.1.0 by #3637); measured with 4.3.4',
  },
  {
    library: 'redis-py RedisCluster',
    stack: 'python',
    since: '6.0.0',
    nameCheck: 'on',
    enable: 'ssl_check_hostname is True (and honoured from 6.1.0)',
    source: 'redis-py 6.0.0 (#3626) and 6.1.0 (#3637) release notes',
  },
  {
    library: 'redis-cli',
    stack: 'openssl',
    nameCheck: 'never',
    enable:
      'hiredis verifies the chain (--cacert) but no name, and --sni only sends one; put stunnel with checkHost in front',
    source: 'hiredis ssl.c sets no host to verify; measured with redis-cli 7.0.15 (STACKS.md)',
  },
  {
    library: 'stunnel',
    stack: 'openssl',
    nameCheck: 'off',
    enable: 'checkHost = NAME or checkIP = ADDRESS; verify = 2 and verifyChain alone check no name',
    source: 'stunnel(8) checkHost; measured with stunnel 5.68 (DESIGN.md)',
  },
  {
    library: 'go-redis',
    stack: 'go',
    nameCheck: 'on',
    enable: 'crypto/tls checks tls.Config.ServerName, else the host dialled',
    source: 'Go crypto/tls verifies ServerName unless InsecureSkipVerify (package documentation)',
  },
  {
    library: 'Jedis',
    stack: 'java',
    before: '7.5.0',
    nameCheck: 'off',
    enable:
      'sslParameters with setEndpointIdentificationAlgorithm("HTTPS"), or SslOptions with SslVerifyMode.FULL',
    source:
      'Jedis verifies no host name without a HostnameVerifier or endpoint identification (jedis #1842, #3270)',
  },
  {
    library: 'Jedis',
    stack: 'java',
    since: '7.5.0',
    nameCheck: 'on',
    enable: 'ssl(true) and SslOptions (SslVerifyMode.FULL) check it',
    source: 'Jedis 7.5.0 release notes: ssl(true) enables hostname verification (#4497)',
  },
  {
    library: 'Lettuce',
    stack: 'java',
    nameCheck: 'on',
    enable: 'verifyPeer is SslVerifyMode.FULL (CA checks the chain only, NONE nothing)',
    source:
      'Lettuce sets HTTPS endpoint identification when verifyPeer is on, the default (SslConnectionBuilder)',
  },
];

/**
 * A dotted version, as numbers: `6.1.0` → [6, 1, 0]. A pre-release or build suffix (`6.0.0b2`,
 * `7.5.0-rc1`) is ignored: a release candidate is judged as its release.
 */
function versionParts(version: string, what: string): number[] {
  const match =
    version.length <= 64
      ? /^v?(\d{1,9}(?:\.\d{1,9}){0,3})(?:[-+][0-9A-Za-z.+-]*|[A-Za-z][0-9A-Za-z.+-]*)?$/.exec(
          version,
        )
      : null;
  if (match?.[1] === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${what} must be a version such as 4.3.4, got ${JSON.stringify(version.slice(0, 64))}`,
    );
  }
  return match[1].split('.').map(Number);
}

/** Compares two dotted versions: negative, zero or positive, as `Array.prototype.sort` wants. */
export function compareVersions(a: string, b: string): number {
  const x = versionParts(a, 'a version');
  const y = versionParts(b, 'a version');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The versions a row covers, as people write them: `< 6.0.0`, `>= 7.5.0`, `all`. */
export function versionRange(row: ClientLibraryDefaults): string {
  if (row.since !== undefined && row.before !== undefined)
    return `>= ${row.since}, < ${row.before}`;
  if (row.since !== undefined) return `>= ${row.since}`;
  if (row.before !== undefined) return `< ${row.before}`;
  return 'all';
}

/**
 * The rows of one library: every range, or the one that holds `version`.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for a version that is not dotted numbers
 *
 * @example
 * ```ts
 * clientLibraryDefaults('redis-py', '4.3.4')[0]?.nameCheck; // 'off'
 * clientLibraryDefaults('redis-py').map(versionRange); // ['< 6.0.0', '>= 6.0.0']
 * ```
 */
export function clientLibraryDefaults(
  library: ClientLibrary,
  version?: string,
): ClientLibraryDefaults[] {
  const rows = CLIENT_LIBRARIES.filter((row) => row.library === library);
  if (version === undefined) return rows;
  versionParts(version, `the ${library} version`);
  return rows.filter(
    (row) =>
      (row.since === undefined || compareVersions(version, row.since) >= 0) &&
      (row.before === undefined || compareVersions(version, row.before) < 0),
  );
}

/** What a library does about the name, with its default options. */
export type LibraryNameOutcome = 'verified' | 'refused' | 'not-checked';

/** One library's verdict on one endpoint name. */
export interface LibraryVerdict {
  readonly library: ClientLibrary;
  /** The versions it holds for, as `versionRange` writes them. */
  readonly versions: string;
  readonly stack: ClientStack;
  readonly nameCheck: NameCheckDefault;
  /**
   * With default options: `verified` (it checks, and its stack accepts the name), `refused` (it
   * checks, and its stack refuses), `not-checked` (it connects whatever the name, as long as the
   * chain is trusted).
   */
  readonly name: LibraryNameOutcome;
  /** For `off`: what its stack decides once the check is turned on. */
  readonly whenEnabled?: 'verified' | 'refused';
  /** For `off` and `never`: how to turn the check on, or what to use instead. */
  readonly enable?: string;
}

/** Words for an outcome, as reports print them. */
export const LIBRARY_OUTCOME_TEXT: Readonly<Record<LibraryNameOutcome, string>> = {
  verified: 'name verified',
  refused: 'refuses the name',
  'not-checked': 'connects, name not checked',
};

/**
 * Every library's verdict on one name, from the stacks' verdicts on it ({@link CLIENT_LIBRARIES}
 * order): a library that checks by default takes its stack's verdict, one that does not
 * connects whatever the name.
 *
 * @example
 * ```ts
 * const byLibrary = libraryVerdicts(clientVerdicts(leaf, 'redis-12000.redislabs.com'));
 * byLibrary.filter((v) => v.name === 'not-checked').map((v) => v.library);
 * // ['redis-py', 'redis-py RedisCluster', 'redis-cli', 'stunnel', 'Jedis']
 * ```
 */
export function libraryVerdicts(stacks: readonly ClientVerdict[]): LibraryVerdict[] {
  const verdicts: LibraryVerdict[] = [];
  for (const row of CLIENT_LIBRARIES) {
    const stack = stacks.find((v) => v.stack === row.stack);
    if (stack === undefined) continue; // a library is judged only with its stack's verdict
    const checked = stack.accepts ? 'verified' : 'refused';
    const base = {
      library: row.library,
      versions: versionRange(row),
      stack: row.stack,
      nameCheck: row.nameCheck,
    };
    verdicts.push(
      row.nameCheck === 'on'
        ? { ...base, name: checked }
        : {
            ...base,
            name: 'not-checked',
            ...(row.nameCheck === 'off' ? { whenEnabled: checked } : {}),
            enable: row.enable,
          },
    );
  }
  return verdicts;
}

/** A library row as reports name it: `redis-py < 6.0.0`, `ioredis`. */
export function libraryLabel(verdict: { library: string; versions: string }): string {
  return verdict.versions === 'all' ? verdict.library : `${verdict.library} ${verdict.versions}`;
}
