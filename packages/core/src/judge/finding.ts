/**
 * Findings: what every judge returns. One shape for every area (chain, path, endpoint check,
 * stunnel lint): a stable code of the area's union, a severity, a one-line message, and the
 * certificate it is about.
 */
import type { Certificate, CertificateSource } from '../x509/pkix.js';

/** `error` breaks a result (`ok: false`); `warning` and `info` do not. */
export type Severity = 'error' | 'warning' | 'info';

/** Names a certificate in reports without carrying the whole certificate. */
export interface CertificateRef {
  readonly source: CertificateSource;
  readonly subject: string;
  readonly fingerprintSha256: string;
}

/**
 * One problem or remark. `Code` is the area's union of stable codes (e.g. `ChainFindingCode`);
 * `certificate` names the certificate the finding is about, as a {@link CertificateRef}. Two
 * areas still name it their own way, kept for the JSON they print: path validation by the index
 * in the path (`Finding<PathFindingCode, number>`), the endpoint check as `file.pem#1`
 * (`Finding<CheckFindingCode, string>`).
 *
 * @example
 * ```ts
 * const errors = chain.findings.filter((f: Finding<ChainFindingCode>) => f.severity === 'error');
 * ```
 */
export interface Finding<Code extends string = string, Ref = CertificateRef> {
  readonly code: Code;
  readonly severity: Severity;
  /** One lower-case line; names the certificate by file, block and subject where it helps. */
  readonly message: string;
  /** The certificate the finding is about. */
  readonly certificate?: Ref;
}

/** The {@link CertificateRef} of a certificate. */
export function certificateRef(certificate: Certificate): CertificateRef {
  return {
    source: certificate.source,
    subject: certificate.info.subject,
    fingerprintSha256: certificate.info.fingerprintSha256,
  };
}

/** `certificate 2 in node1.pem (CN=node1)`: how users find a block. */
export function describeCertificate(certificate: Certificate): string {
  const { source, info } = certificate;
  return `certificate ${String(source.index)} in ${source.name} (${info.subject})`;
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/**
 * The first `max` findings of each code, then one per code that counts the rest and carries the
 * most severe level it stands for. A file of 10,000 copies must not print 10,000 lines.
 *
 * @param summarize - builds the counting finding of the area's type
 */
export function capRepeatedFindings<F extends Finding<string, unknown>>(
  findings: readonly F[],
  max: number,
  summarize: (code: F['code'], severity: Severity, message: string) => F,
): F[] {
  const seen = new Map<F['code'], number>();
  const over = new Map<F['code'], { count: number; severity: Severity }>();
  const out: F[] = [];
  for (const f of findings) {
    const n = (seen.get(f.code) ?? 0) + 1;
    seen.set(f.code, n);
    if (n <= max) out.push(f);
    else {
      const o = over.get(f.code);
      const severity =
        o === undefined || RANK[f.severity] > RANK[o.severity] ? f.severity : o.severity;
      over.set(f.code, { count: (o?.count ?? 0) + 1, severity });
    }
  }
  for (const [code, { count, severity }] of over)
    out.push(
      summarize(
        code,
        severity,
        `${String(count)} more ${code} findings like the above, not listed`,
      ),
    );
  return out;
}

/**
 * The first `max` findings, then one error `code` that counts the rest: a report's output stays
 * bounded whatever the input (every include line of a file can be a finding).
 *
 * @param code - the area's "too many findings" code
 */
export function capFindings<F extends Finding<string, unknown>>(
  findings: readonly F[],
  max: number,
  code: F['code'],
): readonly (F | Finding<F['code'], never>)[] {
  if (findings.length <= max) return findings;
  return [
    ...findings.slice(0, max),
    {
      code,
      severity: 'error',
      message: `and ${String(findings.length - max)} more findings (the first ${String(max)} are listed)`,
    },
  ];
}
