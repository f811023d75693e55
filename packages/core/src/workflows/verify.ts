/** `certs verify`: read the leaf, anchors, intermediates and CRLs, then validate the path. */
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import { resolvePathOptions, validatePath } from '../judge/path.js';
import type { PathFinding, PathPolicy, PathPurpose } from '../judge/path-common.js';
import { parseCertificates } from '../x509/certificates.js';
import { parseRevocationLists } from '../x509/crl.js';
import type { Certificate, CertificateInfo } from '../x509/pkix.js';
import { readLimit } from './common.js';

/** Options of {@link verifyCertificateFiles}: file paths instead of parsed certificates. */
export interface VerifyFilesOptions {
  /** The certificate to verify; further certificates in the file join the untrusted pool. */
  readonly leaf: string;
  /** Trust anchor files (PEM bundles or DER). At least one. */
  readonly ca: readonly string[];
  /** Untrusted intermediate files. */
  readonly untrusted?: readonly string[];
  /** CRL files. */
  readonly crl?: readonly string[];
  readonly host?: string;
  readonly ip?: string;
  readonly purpose?: PathPurpose;
  /** Validation time (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  readonly maxDepth?: number;
  /** Accept a trust anchor that is not self-signed as the end of the path (see `validatePath`). */
  readonly partialChain?: boolean;
  /** `default`, or `webpki` to make the CA/Browser Forum issuance rules errors. */
  readonly policy?: PathPolicy;
  /** Largest file read, in bytes (default `DEFAULT_MAX_INPUT_BYTES`). */
  readonly maxInputBytes?: number;
}

/** The outcome of {@link verifyCertificateFiles}: the validation plus the certificates' contents. */
export interface VerifyFilesResult {
  readonly ok: boolean;
  /** True when the reported path ends at a trust anchor. */
  readonly anchored: boolean;
  /** The leaf is itself the trust anchor (a self-signed certificate in the CA file). */
  readonly pinned: boolean;
  /** The valid path or the best one tried, leaf first, as plain data. */
  readonly path: readonly CertificateInfo[];
  readonly findings: readonly PathFinding[];
  /** The validation time used, ISO 8601. */
  readonly at: string;
  readonly purpose: PathPurpose;
  readonly partialChain: boolean;
  readonly policy: PathPolicy;
}

/**
 * Reads the leaf, anchors, intermediates and CRLs from files and runs {@link validatePath}:
 * what `certs verify` calls.
 *
 * @throws {@link CertkitError} when a file cannot be read or parsed, or an option is invalid
 *
 * @example
 * ```ts
 * const result = await verifyCertificateFiles({ leaf: 'server.pem', ca: ['ca.pem'], host: 'redis.example.com' });
 * console.log(result.ok, result.findings);
 * ```
 */
export async function verifyCertificateFiles(
  options: VerifyFilesOptions,
): Promise<VerifyFilesResult> {
  if (options.ca.length === 0)
    throw new CertkitError('INVALID_OPTION', 'give at least one trust anchor file', {
      remedy: { kind: 'option', option: 'ca' },
    });
  // Bad options fail before any file is read; validatePath applies the same rules again.
  const { at, policy } = resolvePathOptions(options);
  const partialChain = options.partialChain ?? false;
  const limit = readLimit(options.maxInputBytes);
  const read = async (path: string): Promise<Certificate[]> => {
    const certs = parseCertificates(await readInputFile(path, limit), path);
    if (certs.length === 0) throw new CertkitError('PEM_EMPTY', `${path} holds no certificate`);
    return certs;
  };
  const [leaf, ...rest] = await read(options.leaf);
  if (leaf === undefined)
    throw new CertkitError('PEM_EMPTY', `${options.leaf} holds no certificate`);
  const anchors = (await Promise.all(options.ca.map(read))).flat();
  const intermediates = [
    ...rest,
    ...(await Promise.all((options.untrusted ?? []).map(read))).flat(),
  ];
  const crls = (
    await Promise.all(
      (options.crl ?? []).map(async (path) =>
        parseRevocationLists(await readInputFile(path, limit), path),
      ),
    )
  ).flat();
  const purpose = options.purpose ?? 'server';
  const result = validatePath({
    leaf,
    anchors,
    intermediates,
    now: at,
    purpose,
    crls,
    partialChain,
    policy,
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.ip === undefined ? {} : { ip: options.ip }),
  });
  return {
    ok: result.ok,
    anchored: result.anchored,
    pinned: result.pinned,
    path: result.path.map((c) => c.info),
    findings: result.findings,
    at: at.toISOString(),
    purpose,
    partialChain,
    policy,
  };
}
