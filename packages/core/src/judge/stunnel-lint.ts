/**
 * stunnel client configurations for TLS-secured Redis, linted in memory: the configuration's
 * text, the contents of the files it names and what probing its endpoints found, all given as
 * data. The configuration is read exactly as stunnel 5.x reads it (x509/stunnel-syntax.ts); what
 * stunnel would read differently from how the file looks (a lone CR, a line it cuts, a NUL byte)
 * is an error. No finding quotes a line of the input, only the values of the options it judges.
 *
 * The rules: stunnel-options.ts (what the options say), stunnel-files.ts (what the files they
 * name hold), stunnel-probe.ts (what the endpoint presents). workflows/stunnel.ts reads the
 * files and probes the endpoints, then calls {@link judgeStunnelConfig}.
 */
import { resolveNow } from '../clock.js';
import type { ParsedStunnelConfig } from '../x509/stunnel-syntax.js';
import { shownText, stunnelOptionKey } from '../x509/stunnel-syntax.js';
import { capFindings } from './finding.js';
import { fileFindings } from './stunnel-files.js';
import type { StunnelFiles } from './stunnel-files.js';
import { optionFindings } from './stunnel-options.js';
import { probeFindings, probeTargets } from './stunnel-probe.js';
import type { StunnelProbeResult, StunnelProbeTarget } from './stunnel-probe.js';
import { readStunnelConfig, STUNNEL_MAX_SERVICES, stunnelServices } from './stunnel-service.js';
import type { StunnelFinding } from './stunnel-service.js';

/** Most findings listed in one report (one more says how many were left out). */
export const STUNNEL_MAX_FINDINGS = 1_000;

/** What a stunnel lint found. */
export interface StunnelLintReport {
  /** No error findings. */
  readonly ok: boolean;
  readonly source: string;
  /** Names of the services, at most 100 (a finding says when there are more). */
  readonly services: readonly string[];
  readonly findings: readonly StunnelFinding[];
}

/** Options of {@link lintStunnelConfigInMemory}. */
export interface StunnelInMemoryLintOptions {
  /**
   * Judge the files the configuration names (cert matches key, not expired, CAfile holds
   * certificates) from {@link StunnelInMemoryLintOptions.files}. Default true.
   */
  readonly checkFiles?: boolean;
  /**
   * The contents of the files the configuration names, keyed by the path exactly as the
   * configuration writes it: the bytes, or the error reading the file gave. A file named but
   * absent here is reported unreadable.
   */
  readonly files?: StunnelFiles;
  /**
   * What probing each service's endpoint found, keyed by service name: one result, or one per
   * `connect` line in order (failover targets). A service with a result (and readable files) has
   * its endpoint judged: the chain validated with its CAfile, the name matched with
   * checkHost/checkIP, the PING judged when one was tried.
   */
  readonly probes?: ReadonlyMap<string, StunnelProbeResult | readonly StunnelProbeResult[]>;
  /** The time certificates are judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /**
   * Passphrase of an encrypted `key`, to check that it belongs to `cert`. Without it an
   * encrypted key cannot be checked: `KEY_ENCRYPTED` is thrown, as for every command reading a
   * key. (stunnel itself asks for the passphrase on its terminal at start-up.)
   */
  readonly passphrase?: string;
}

/** What {@link judgeStunnelConfig} needs beyond the in-memory options. */
export interface StunnelJudgeOptions extends Omit<StunnelInMemoryLintOptions, 'probes'> {
  /** Judge the endpoints: their address, and the results {@link StunnelJudgeOptions.probeOf} gives. */
  readonly probe: boolean;
  /**
   * The probe result of one endpoint of a service, if it has one (workflows/stunnel.ts looks it
   * up by the service's and the connect line's positions, {@link lintStunnelConfigInMemory} by
   * the service's name and the line's position).
   */
  readonly probeOf?: (target: StunnelProbeTarget) => StunnelProbeResult | undefined;
}

/** A judged configuration: the report, and the endpoints a probe should reach. */
export interface StunnelJudgement {
  readonly report: StunnelLintReport;
  /** The endpoints judged when probed (every connect line of each service), with where they are. */
  readonly probeTargets: readonly StunnelProbeTarget[];
}

/** One result for every connect line of a service, or one per line. */
function resultAt(
  found: StunnelProbeResult | readonly StunnelProbeResult[] | undefined,
  index: number,
): StunnelProbeResult | undefined {
  return isResultList(found) ? found[index] : found;
}

function isResultList(
  found: StunnelProbeResult | readonly StunnelProbeResult[] | undefined,
): found is readonly StunnelProbeResult[] {
  return Array.isArray(found);
}

/**
 * Lints a stunnel client configuration from data: every service, every finding. Nothing is read
 * and nothing is connected to: give the files the configuration names in `files`, and what
 * probing an endpoint found in `probes`.
 *
 * @throws {@link CertkitError} `NOT_A_CONFIGURATION` for a PEM block (a private key, a
 * certificate) or DER data where the configuration belongs, naming the block; `KEY_ENCRYPTED`
 * for an encrypted key without its passphrase; `INVALID_OPTION` for a clock that is not a date
 *
 * @example
 * ```ts
 * const report = lintStunnelConfigInMemory(text, 'redislabs.conf', {
 *   files: new Map([['/etc/redis/cert.pem', certBytes], ['/etc/redis/keyclient.pem', keyBytes],
 *     ['/etc/redis/servercerts.pem', caBytes]]),
 *   probes: new Map([['redislabs', { certificates: presentedChain }]]),
 * });
 * for (const f of report.findings) console.log(f.severity, f.code, f.message);
 * ```
 */
export function lintStunnelConfigInMemory(
  input: string | Uint8Array,
  source: string,
  options: StunnelInMemoryLintOptions = {},
): StunnelLintReport {
  const { probes, ...rest } = options;
  return judgeStunnelConfig(readStunnelConfig(input, source), source, {
    ...rest,
    probe: probes !== undefined,
    ...(probes === undefined
      ? {}
      : {
          probeOf: (target) => resultAt(probes.get(target.service.name), target.index),
        }),
  }).report;
}

/**
 * Judges a parsed configuration (readStunnelConfig): the composition of the rules, service by
 * service, with the report bounded whatever the file.
 */
export function judgeStunnelConfig(
  parsed: ParsedStunnelConfig,
  source: string,
  options: StunnelJudgeOptions,
): StunnelJudgement {
  const now = resolveNow(options.now);
  const files: StunnelFiles = options.files ?? new Map();
  const findings: StunnelFinding[] = parsed.problems.map((problem) => ({
    code: problem.code,
    severity: 'error',
    message: problem.message,
    line: problem.line,
  }));
  for (const section of parsed.sections) {
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
  const serviceCount = parsed.sections.length - 1;
  if (serviceCount === 0) {
    findings.push({
      code: 'STUNNEL_NO_SERVICE',
      severity: 'error',
      message: 'no [service] section: stunnel has nothing to forward',
    });
  }
  const services = stunnelServices(parsed);
  const targets: StunnelProbeTarget[] = [];
  for (const service of services) {
    optionFindings(service);
    if (options.checkFiles !== false) fileFindings(service, files, now, options.passphrase);
    // An endpoint is judged against readable files only: the chain check needs CAfile.
    if (
      options.probe &&
      service.get('connect') !== undefined &&
      service.get('CAfile') !== undefined &&
      service.findings.every(
        (f) => f.code !== 'STUNNEL_FILE_UNREADABLE' && f.code !== 'STUNNEL_FILE_INVALID',
      )
    ) {
      for (const target of probeTargets(service)) {
        targets.push(target);
        const result = options.probeOf?.(target);
        if (result !== undefined) probeFindings(target, result, files, now);
      }
    }
    findings.push(...service.findings);
  }
  if (serviceCount > STUNNEL_MAX_SERVICES) {
    findings.push({
      code: 'STUNNEL_TOO_MANY_SERVICES',
      severity: 'error',
      message: `${String(serviceCount)} services: lint judged the first ${String(STUNNEL_MAX_SERVICES)} only`,
    });
  }
  // Bounded output whatever the file: every include line is a finding, for one.
  const listed = capFindings(findings, STUNNEL_MAX_FINDINGS, 'STUNNEL_TOO_MANY_FINDINGS');
  return {
    report: {
      ok: !findings.some((f) => f.severity === 'error'),
      source,
      services: services.map((s) => s.name),
      findings: listed,
    },
    probeTargets: targets,
  };
}
