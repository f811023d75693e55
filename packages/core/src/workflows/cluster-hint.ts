/**
 * The refusal of a value given as the cluster name, with the cluster meant; for a certificate
 * file, the cluster that certificate is for. Kept apart from cluster-name.ts, which reads nothing
 * (and which the certificate makers use, so it cannot import them).
 */
import { parseCertificates } from '../x509/certificates.js';
import {
  clusterNameError,
  clusterNameFromCertificates,
  clusterNameProblem,
} from '../x509/cluster-name.js';
import type { ClusterNameProblem } from '../x509/cluster-name.js';
import { readInputFile } from '../io/read.js';

/**
 * Why `value` is not a cluster name, when it is one of the usual mistakes (a file, an endpoint
 * `HOST:PORT`, a URL, a database name `redis-<port>.C`, a wildcard, an IP address), with the
 * cluster name it probably stands for; null for a value that may be a cluster name. For a value
 * that names a certificate file, the suggestion is the cluster that certificate is for (its
 * wildcard `*.C`, a database name, else its first DNS name): a certificate file given as the
 * cluster most often means "the cluster of this certificate". Only a file that can be read as certificates
 * gives a suggestion; any other (missing, unreadable, a key) gives none, silently: this is a
 * hint about a value already refused.
 */
export async function clusterNameHint(
  value: string,
  options: { maxInputBytes?: number } = {},
): Promise<ClusterNameProblem | null> {
  const problem = clusterNameProblem(value);
  if (problem?.kind !== 'file') return problem;
  let suggestion: string | undefined;
  try {
    // A regular file only: a FIFO, a terminal or /dev/zero would wait or run on for a hint.
    const bytes = await readInputFile(value, {
      regularFileOnly: true,
      ...(options.maxInputBytes === undefined ? {} : { maxBytes: options.maxInputBytes }),
    });
    suggestion = clusterNameFromCertificates(parseCertificates(bytes, value));
  } catch {
    // Not readable as certificates: the hint goes without a suggestion.
    suggestion = undefined;
  }
  return suggestion === undefined ? problem : { ...problem, suggestion };
}

/**
 * Refuses a cluster name that is one of the usual mistakes ({@link clusterNameHint}), first
 * thing in a workflow that takes one: before any other input is read or any endpoint probed,
 * with the cluster name probably meant as the error's remedy (`{ kind: 'cluster', suggestion }`).
 *
 * @throws {@link CertkitError} `INVALID_OPTION`
 */
export async function checkClusterName(
  cluster: string | undefined,
  maxInputBytes: number | undefined,
): Promise<void> {
  if (cluster === undefined) return;
  const problem = await clusterNameHint(
    cluster,
    maxInputBytes === undefined ? {} : { maxInputBytes },
  );
  if (problem !== null) throw clusterNameError(cluster, problem);
}
