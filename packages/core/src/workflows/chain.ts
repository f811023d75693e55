/** `certs chain`: read certificate files, assemble them (judge/assemble.ts), write the PEM. */
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import { PUBLIC_FILE_MODE, checkWritePlan } from '../io/write-plan.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import { assembleParsedCertificates, checkAssembleMode } from '../judge/assemble.js';
import type { AssembleMode, Assembly } from '../judge/assemble.js';
import { resolveNow } from '../clock.js';
import { parseCertificates } from '../x509/certificates.js';
import type { Certificate } from '../x509/pkix.js';

/** Options of {@link assembleCertificates}. */
export interface AssembleOptions {
  /** Input files, in order: PEM (any number of blocks) or DER. */
  readonly files: readonly string[];
  /** Default `auto`: chain when an input certificate issues another, else bundle. */
  readonly mode?: AssembleMode;
  /** Chain mode: keep the self-signed root in the output (default true). */
  readonly keepRoot?: boolean;
  /** The time validity is judged at (a `Date` or milliseconds); default: now. */
  readonly now?: Date | number;
  /** Put `# subject / issuer / notAfter / sha256` lines above each block. */
  readonly annotate?: boolean;
  /** Write the PEM here (atomically, mode 0644); otherwise only return it. */
  readonly outputFileName?: string;
  /** Replace an existing `outputFileName`. */
  readonly force?: boolean;
  /** Write `outputFileName` even when the result is not ok (a broken chain). */
  readonly writeBroken?: boolean;
  /** Largest input file read, in bytes; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
}

/** The outcome of {@link assembleCertificates}: the assembly, its inputs, and what was written. */
export interface AssembledCertificates extends Assembly {
  readonly inputs: readonly { readonly file: string; readonly certificates: number }[];
  /** `outputFileName` when it was written; `null` otherwise. */
  readonly written: string | null;
}

/**
 * Reads certificate files and assembles them into a trust bundle or a chain: what
 * `certs chain` does. Reads every block of every file (bad input throws, naming the file and the
 * block), chooses the mode, renders clean PEM and, with `outputFileName`, writes it atomically: never
 * over an existing file without `force`, never a broken chain without `writeBroken`.
 *
 * @throws {@link CertkitError} for unreadable or invalid input (`PEM_EMPTY`, `PEM_INVALID`,
 * `DER_INVALID`, `NOT_A_CERTIFICATE`, `CERTIFICATE_INVALID`, `FILE_NOT_FOUND`, …) and refused
 * writes (`FILE_EXISTS`); nothing is written then
 *
 * @example
 * ```ts
 * import { assembleCertificates } from '@certkit/core';
 * const result = await assembleCertificates({
 *   files: ['certsvr1.pem', 'certsvr2.pem', 'certsvr3.pem'],
 *   outputFileName: 'servercerts.pem',
 * });
 * console.log(result.mode, result.reason); // 'bundle', 'no certificate in the input issues another'
 * ```
 */
export async function assembleCertificates(
  options: AssembleOptions,
): Promise<AssembledCertificates> {
  if (options.files.length === 0) {
    throw new CertkitError('INVALID_OPTION', 'name at least one certificate file');
  }
  const mode = checkAssembleMode(options.mode);
  const now = resolveNow(options.now);
  const force = options.force ?? false;
  // Refuse at once, before reading anything, when the output exists.
  const write = { force, inputs: options.files };
  if (options.outputFileName !== undefined) {
    await checkWritePlan({
      ...write,
      outputs: [{ path: options.outputFileName, mode: PUBLIC_FILE_MODE }],
    });
  }

  const inputs: { file: string; certificates: number }[] = [];
  const all: Certificate[] = [];
  for (const file of options.files) {
    const certificates = parseCertificates(
      await readInputFile(
        file,
        options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes },
      ),
      file,
    );
    inputs.push({ file, certificates: certificates.length });
    all.push(...certificates);
  }

  const assembly = assembleParsedCertificates(all, {
    mode,
    now,
    ...(options.keepRoot === undefined ? {} : { keepRoot: options.keepRoot }),
    ...(options.annotate === undefined ? {} : { annotate: options.annotate }),
  });
  let written: string | null = null;
  if (options.outputFileName !== undefined && (assembly.ok || options.writeBroken === true)) {
    await writeFilesAtomically(
      [{ path: options.outputFileName, content: assembly.pem, mode: PUBLIC_FILE_MODE }],
      write,
    );
    written = options.outputFileName;
  }
  return {
    ok: assembly.ok,
    mode: assembly.mode,
    reason: assembly.reason,
    inputs,
    certificates: assembly.certificates,
    findings: assembly.findings,
    bundle: assembly.bundle,
    chain: assembly.chain,
    pem: assembly.pem,
    written,
  };
}
