/**
 * An expiry report as Prometheus metrics, in the text exposition format (version 0.0.4) that
 * node_exporter's textfile collector reads: one gauge per certificate whose value is its expiry
 * time (notAfter) in Unix seconds, so that alerts compute the time left themselves
 * (`certkit_certificate_expiry_timestamp_seconds - time() < 30 * 86400`), and one gauge per input
 * that could not be read, so that a monitoring job does not go blind without anyone noticing.
 */
import type { ExpiryReport } from './expiry.js';

/** The gauge of each certificate's expiry time. */
export const EXPIRY_METRIC = 'certkit_certificate_expiry_timestamp_seconds';
/** The gauge of each input that could not be read (value 1). */
export const UNREADABLE_METRIC = 'certkit_expiry_input_unreadable';

/**
 * A label value as the exposition format writes it: backslash, double quote and line feed
 * escaped. Certificate subjects are chosen by whoever made the certificate; nothing else in them
 * is special to the format (it is UTF-8 text).
 */
function labelValue(value: string): string {
  let out = '';
  for (const char of value) {
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else out += char;
  }
  return out;
}

function labels(pairs: readonly (readonly [string, string])[]): string {
  return `{${pairs.map(([name, value]) => `${name}="${labelValue(value)}"`).join(',')}}`;
}

/**
 * Renders a report as Prometheus text metrics: `certkit_certificate_expiry_timestamp_seconds`
 * (each certificate's notAfter, Unix seconds) and `certkit_expiry_input_unreadable` (1 for each
 * input that could not be read). A certificate is labelled with its `file` (or
 * `endpoint`), its `index` there (so that the same certificate twice in one file is two series),
 * `subject`, `serial` and `fingerprint_sha256`.
 *
 * @example
 * ```ts
 * writeFileSync('certkit.prom.tmp', renderExpiryMetrics(report)); // then rename into the textfile folder
 * ```
 */
export function renderExpiryMetrics(report: ExpiryReport): string {
  const lines = [
    `# HELP ${EXPIRY_METRIC} Time the certificate expires (notAfter), in Unix seconds.`,
    `# TYPE ${EXPIRY_METRIC} gauge`,
  ];
  for (const entry of report.certificates) {
    const where = entry.sourceKind === 'endpoint' ? 'endpoint' : 'file';
    lines.push(
      `${EXPIRY_METRIC}${labels([
        [where, entry.source],
        ['index', String(entry.index)],
        ['subject', entry.subject],
        ['serial', entry.serialNumber],
        ['fingerprint_sha256', entry.fingerprintSha256],
      ])} ${String(Math.floor(Date.parse(entry.notAfter) / 1000))}`,
    );
  }
  lines.push(
    `# HELP ${UNREADABLE_METRIC} An input that could not be read (1): its certificates are not reported.`,
    `# TYPE ${UNREADABLE_METRIC} gauge`,
  );
  // One series per input: a file may have several unreadable blocks.
  const seen = new Set<string>();
  for (const problem of report.unreadable) {
    const where = problem.sourceKind === 'endpoint' ? 'endpoint' : 'file';
    const key = `${where}\u0000${problem.source}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`${UNREADABLE_METRIC}${labels([[where, problem.source]])} 1`);
  }
  return `${lines.join('\n')}\n`;
}
