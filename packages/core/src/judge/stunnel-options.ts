/**
 * The option rules of one stunnel service: what the configuration says, judged without reading
 * anything it names. A client service must be a client, listen on loopback, verify the server's
 * chain and name against a CA file, and refuse TLS versions RFC 8996 deprecates.
 *
 * The Redis Enterprise documentation's stunnel example uses `verify = 2`, which in stunnel 5 is
 * `verifyChain`: the chain is checked, the name is not (measured with stunnel 5.68; DESIGN.md).
 * Any certificate the CA ever issued, for any host, is then accepted. `checkHost` adds the name
 * check (OpenSSL's X509_check_host). stunnel's default minimum protocol is TLSv1.
 */
import { STUNNEL_MIN_TLS_VERSION } from '../defaults.js';
import { ipVersion } from '../x509/ip.js';
import { shownText, stunnelOptionKey } from '../x509/stunnel-syntax.js';
import type { StunnelOption } from '../x509/stunnel-syntax.js';
import { splitAddress } from './stunnel-service.js';
import type { StunnelService } from './stunnel-service.js';

const YES = new Set(['yes', 'true', '1', 'on']);
const OLD_TLS_VERSIONS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.1']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** An IPv6 address without the brackets a user may have put around it. */
function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isYes(option: StunnelOption | undefined): boolean {
  return option !== undefined && YES.has(stunnelOptionKey(option.value));
}

/** `name = value` as messages show an option. */
function shown(option: StunnelOption): string {
  return `${option.name} = ${shownText(option.value)}`;
}

/** True when the service verifies the server's chain (verifyChain, verifyPeer, verify >= 2). */
export function verifiesChain(service: StunnelService): boolean {
  const verify = service.get('verify');
  return (
    isYes(service.get('verifyChain')) ||
    isYes(service.get('verifyPeer')) ||
    (verify === undefined ? 0 : Number(verify.value)) >= 2
  );
}

/** Records the findings of the service's own options. */
export function optionFindings(service: StunnelService): void {
  const { get, add } = service;
  if (!isYes(get('client'))) {
    add(
      'STUNNEL_NOT_CLIENT',
      'error',
      'client = yes is missing: stunnel would act as a TLS server, not connect to Redis',
    );
  }
  for (const option of [get('accept'), ...service.getAll('connect')]) {
    if (option !== undefined && splitAddress(option.value).host.startsWith('[')) {
      add(
        'STUNNEL_BAD_ADDRESS',
        'error',
        `${shown(option)}: stunnel 5 splits HOST:PORT at the last colon and resolves a bracketed IPv6 address as a name, which fails; write it without brackets (::1:6379)`,
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
      `${shown(accept)} listens beyond loopback: anyone who reaches it uses your client certificate in plain text; use 127.0.0.1:PORT`,
      accept.line,
    );
  }
  const connect = get('connect');
  if (connect === undefined)
    add('STUNNEL_NO_CONNECT', 'error', 'connect is missing: no Redis endpoint');
  verificationFindings(service);
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
        `${shown(option)} allows a TLS version RFC 8996 deprecates; use ${STUNNEL_MIN_TLS_VERSION} or later`,
        option.line,
      );
    }
  }
  if (connect !== undefined && get('delay') === undefined) {
    // One finding for the first endpoint given by name (every connect line is resolved alike).
    const named = service.getAll('connect').find((option) => {
      const host = splitAddress(option.value).host;
      return host.length > 0 && !host.startsWith('[') && ipVersion(host) === 0;
    });
    if (named !== undefined) {
      const host = splitAddress(named.value).host;
      add(
        'STUNNEL_NO_DELAY',
        'info',
        `delay = yes is missing: stunnel resolves ${shownText(host)} once at start-up; database endpoints move between nodes with DNS`,
        named.line,
      );
    }
  }
}

/** The chain, the name and the CA file the chain is verified against. */
function verificationFindings(service: StunnelService): void {
  const { get, add } = service;
  const verify = get('verify');
  const verifies = verifiesChain(service);
  if (!verifies) {
    add(
      'STUNNEL_NO_VERIFY',
      'error',
      'the server certificate is not verified (no verifyChain = yes, verify = 2 or higher): anyone on the path can impersonate Redis',
    );
  } else if (
    get('checkHost') === undefined &&
    get('checkIP') === undefined &&
    (verify === undefined ? 0 : Number(verify.value)) < 3 &&
    get('verifyPeer') === undefined
  ) {
    add(
      'STUNNEL_NO_NAME_CHECK',
      'error',
      `${verify !== undefined ? shown(verify) : 'verifyChain = yes'} without checkHost: stunnel checks the chain but no name, so any certificate from that CA, for any host, is accepted; add checkHost = <endpoint host name>`,
      (verify ?? get('verifyChain'))?.line,
    );
  }
  if (verifies && get('CAfile') === undefined && get('CApath') === undefined) {
    add(
      'STUNNEL_NO_CAFILE',
      'error',
      "no CAfile (or CApath): the chain is verified against nothing; name the servers' CA (servercerts.pem)",
    );
  }
}
