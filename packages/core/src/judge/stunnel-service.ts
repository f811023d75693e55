/**
 * A stunnel configuration as lint reads it: refused when it is a key, a certificate or DER data,
 * parsed as stunnel 5 parses it (x509/stunnel-syntax.ts), and cut into services, each with the
 * options it takes effect with and the findings about it. The rules that judge a service are
 * stunnel-options.ts, stunnel-files.ts and stunnel-probe.ts; stunnel-lint.ts puts them together.
 */
import type { Finding } from './finding.js';
import { refuseDerInput, refusePemBlock } from './config-input.js';
import { escapedText, parseStunnelConfig, stunnelOptionKey } from '../x509/stunnel-syntax.js';
import type { ParsedStunnelConfig, StunnelOption } from '../x509/stunnel-syntax.js';

/** The stable codes of stunnel lint findings. */
export type StunnelFindingCode =
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
  | 'STUNNEL_CAFILE_NO_ROOT'
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

/** A lint finding. Codes are stable. */
export interface StunnelFinding extends Omit<Finding<StunnelFindingCode>, 'certificate'> {
  /** Service the finding is about; absent for the whole file. */
  readonly service?: string;
  readonly line?: number;
}

/** Most services judged in one file: a client configuration has a handful. */
export const STUNNEL_MAX_SERVICES = 100;

/**
 * The configuration text parsed as stunnel 5 reads it, refused when it is a private key, a
 * certificate or DER data instead. The label of a PEM block is named only when it looks like
 * one; it is never key material.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` naming the block
 */
export function readStunnelConfig(input: string | Uint8Array, source: string): ParsedStunnelConfig {
  refuseDerInput(input, source, 'stunnel');
  const parsed = parseStunnelConfig(input);
  refusePemBlock(parsed.pemBlock, source, 'stunnel');
  return parsed;
}

/** Records one finding about a service. */
export type AddFinding = (
  code: StunnelFindingCode,
  severity: StunnelFinding['severity'],
  message: string,
  line?: number,
) => void;

/** One service, as the rules see it. */
export interface StunnelService {
  /** Position among the services of the file, from 0. */
  readonly index: number;
  readonly name: string;
  /** Line of its `[name]`. */
  readonly line: number;
  /** The option that takes effect: the service's last, else the global section's last. */
  readonly get: (name: string) => StunnelOption | undefined;
  /**
   * Every line of an option stunnel takes many times (`connect`, `checkHost`, `checkIP`): the
   * service's, else the global section's, in file order.
   */
  readonly getAll: (name: string) => readonly StunnelOption[];
  /** Records a finding; messages start with `[name]`. */
  readonly add: AddFinding;
  readonly findings: StunnelFinding[];
}

/** The last option of each name (stunnel keeps the last value), keyed as stunnel matches names. */
function lastOfEach(options: readonly StunnelOption[]): Map<string, StunnelOption> {
  const last = new Map<string, StunnelOption>();
  for (const option of options) last.set(stunnelOptionKey(option.name), option);
  return last;
}

/** Every option of one name, keyed as stunnel matches names, in file order. */
function allOf(options: readonly StunnelOption[], name: string): StunnelOption[] {
  const key = stunnelOptionKey(name);
  return options.filter((option) => stunnelOptionKey(option.name) === key);
}

/**
 * The services of a parsed configuration, at most {@link STUNNEL_MAX_SERVICES}. Service-level
 * options in the global section are defaults for every service (stunnel(8)).
 */
export function stunnelServices(parsed: ParsedStunnelConfig): StunnelService[] {
  const globalSection = parsed.sections[0]?.options ?? [];
  const globalOptions = lastOfEach(globalSection);
  return parsed.sections.slice(1, STUNNEL_MAX_SERVICES + 1).map((section, index) => {
    const name = section.name ?? '';
    const own = lastOfEach(section.options);
    const findings: StunnelFinding[] = [];
    return {
      index,
      name,
      line: section.line,
      get: (option) => {
        const key = stunnelOptionKey(option);
        return own.get(key) ?? globalOptions.get(key);
      },
      getAll: (option) => {
        const mine = allOf(section.options, option);
        return mine.length > 0 ? mine : allOf(globalSection, option);
      },
      add: (code, severity, message, line = section.line) => {
        findings.push({
          code,
          severity,
          message: `[${escapedText(name)}] ${message}`,
          service: name,
          line,
        });
      },
      findings,
    };
  });
}

/** `HOST:PORT` or `PORT` split as stunnel splits it: at the last colon. */
export function splitAddress(value: string): { host: string; port: string } {
  const colon = value.lastIndexOf(':');
  return colon < 0
    ? { host: '', port: value }
    : { host: value.slice(0, colon), port: value.slice(colon + 1) };
}
