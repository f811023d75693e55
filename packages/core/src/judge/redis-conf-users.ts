/**
 * Who can log in without a password, from a redis.conf's `user` lines, `requirepass` and
 * `aclfile`, as redis-server 7.0 sets its users up (acl.c): a `user` line starts from a user that
 * is off with no password (for `default`, `reset` first), then applies its rules in order —
 * `on`/`off`, `nopass` (any password, or none, is accepted), `resetpass`, `reset`, `>password`
 * and `#sha256` (add a password, clear nopass), `<password` and `!sha256` (remove one). Without a
 * `user default` line the default user is on and takes `requirepass` as its password, or none at
 * all (every new connection is logged in as it) when `requirepass` is unset or empty; a
 * `user default` line wins over `requirepass` whatever their order (ACLLoadUsersAtStartup runs
 * after requirepass is applied). Measured with redis-cli on redis-server 7.0.15.
 *
 * Those users matter when `tls-auth-clients` is `optional` or `no`: then the certificate no
 * longer stands between a client and them.
 */
import { escapedText } from '../x509/stunnel-syntax.js';
import type { ParsedRedisConf } from './redis-conf-syntax.js';
import type { AddRedisFinding, RedisTlsSettings } from './redis-conf-settings.js';

/** A user as redis-server would set it up. */
export interface RedisUser {
  readonly name: string;
  /** The `user` line, or the `requirepass` line for a default user without one. */
  readonly line?: number;
  /** Enabled (`on`). */
  readonly on: boolean;
  /** Logs in with any password (or, for `default`, with none). */
  readonly nopass: boolean;
}

/** Applies a user line's rules (ACL keywords are matched without regard to case). */
function applyRules(rules: readonly string[]): { on: boolean; nopass: boolean } {
  let on = false;
  let nopass = false;
  let passwords = 0;
  for (const rule of rules) {
    const word = rule.toLowerCase();
    if (word === 'on') on = true;
    else if (word === 'off') on = false;
    else if (word === 'nopass') {
      nopass = true;
      passwords = 0;
    } else if (word === 'resetpass') {
      nopass = false;
      passwords = 0;
    } else if (word === 'reset') {
      on = false;
      nopass = false;
      passwords = 0;
    } else if (rule.startsWith('>') || rule.startsWith('#')) {
      passwords++;
      nopass = false;
    } else if (rule.startsWith('<') || rule.startsWith('!')) {
      passwords = Math.max(0, passwords - 1);
    }
  }
  return { on, nopass };
}

/**
 * The users the file sets up, the default user always among them; `null` when they live in an
 * `aclfile` the lint does not read. Records the setups redis-server refuses to start with (a
 * user declared twice, `user` lines next to `aclfile`).
 */
export function redisUsers(
  parsed: ParsedRedisConf,
  settings: RedisTlsSettings,
  add: AddRedisFinding,
): RedisUser[] | null {
  const lines = parsed.directives.filter((d) => d.name === 'user' && d.argc >= 1);
  const aclfile = settings.aclfile;
  if (aclfile.value !== null) {
    const first = lines[0];
    if (first !== undefined) {
      add(
        'REDIS_CONF_INVALID',
        'error',
        `user lines next to aclfile: redis-server refuses to start ("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid")`,
        first.line,
      );
    }
    return null;
  }
  const users = new Map<string, RedisUser>();
  for (const d of lines) {
    const name = d.args[0] ?? '';
    if (users.has(name)) {
      add(
        'REDIS_CONF_INVALID',
        'error',
        `user "${escapedText(name, 40)}" is declared again: redis-server refuses to start ("Duplicate user found. A user can only be defined once in config files")`,
        d.line,
      );
      continue;
    }
    users.set(name, { name, line: d.line, ...applyRules(d.args.slice(1)) });
  }
  if (!users.has('default')) {
    const pass = settings.requirepass;
    users.set('default', {
      name: 'default',
      ...(pass.line === undefined ? {} : { line: pass.line }),
      on: true,
      nopass: pass.value === null || pass.value === '',
    });
  }
  return [...users.values()];
}

/** Most users named one by one in findings; the rest are counted. */
const MAX_USERS_LISTED = 20;

/**
 * The `tls-auth-clients` rules: `no` and `optional` are reported, and next to either, every
 * enabled user without a password is a way in with no credential at all.
 */
export function authClientFindings(
  settings: RedisTlsSettings,
  users: readonly RedisUser[] | null,
  add: AddRedisFinding,
): void {
  const mode = settings.authClients;
  if (settings.tlsPort.value === 0 || mode.value === 'yes') return;
  const port = String(settings.tlsPort.value);
  if (mode.value === 'no') {
    add(
      'REDIS_CONF_AUTH_CLIENTS_NO',
      'warning',
      `tls-auth-clients no: redis does not ask clients on tls-port ${port} for a certificate, so TLS only encrypts; anyone who reaches the port is let in as far as TLS goes, and only a password stands in the way`,
      mode.line,
    );
  } else {
    add(
      'REDIS_CONF_AUTH_CLIENTS_OPTIONAL',
      'warning',
      `tls-auth-clients optional: a client that presents no certificate is let in on tls-port ${port} (one that presents a certificate must present a valid one); only a password stands in the way of the rest`,
      mode.line,
    );
  }
  if (users === null) {
    add(
      'REDIS_CONF_USERS_NOT_READ',
      'info',
      `the users are in aclfile ${settings.aclfile.value === null ? '' : `"${escapedText(settings.aclfile.value, 80)}"`}, which lint does not read: check it for users with nopass, which tls-auth-clients ${mode.value} lets in without any credential`,
      settings.aclfile.line,
    );
    return;
  }
  const open = users.filter((u) => u.on && u.nopass);
  for (const user of open.slice(0, MAX_USERS_LISTED)) {
    const who =
      user.name === 'default'
        ? user.line === undefined
          ? 'the default user needs no password (no requirepass, no "user default" line): every connection is logged in as default'
          : 'the default user needs no password: every connection is logged in as default'
        : `user "${escapedText(user.name, 40)}" has nopass: AUTH ${escapedText(user.name, 40)} with any password logs in`;
    add(
      'REDIS_CONF_NOPASS_BYPASS',
      'error',
      `tls-auth-clients ${mode.value} lets clients without a certificate in, and ${who}; anyone who reaches tls-port ${port} gets in with no credential at all (set tls-auth-clients yes, or give every enabled user a password)`,
      user.line ?? mode.line,
    );
  }
  if (open.length > MAX_USERS_LISTED) {
    add(
      'REDIS_CONF_NOPASS_BYPASS',
      'error',
      `and ${String(open.length - MAX_USERS_LISTED)} more enabled users with nopass`,
      mode.line,
    );
  }
}
