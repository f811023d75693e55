/**
 * Cluster names, and the values people give in their place: a Redis Enterprise cluster `C`
 * names its databases `redis-<port>.C` (and `redis-<port>.internal.C`), so a database's
 * endpoint, a wildcard from its certificate or the certificate file itself are the usual
 * mistakes. Each is recognised here, said in words, and turned into the cluster name it
 * probably stands for.
 */
import { CertkitError } from '../errors.js';
import { looksLikeEndpoint } from './input-hints.js';
import { parseIpAddress } from './ip.js';
import type { Certificate } from './pkix.js';

/** What a cluster name is, in words: said wherever a value given as one is refused. */
export const CLUSTER_NAME_HELP =
  "a cluster name C is the DNS name the cluster's databases are named under, redis-<port>.C (redislabs.com for redis-12000.redislabs.com)";

/** The shapes of value given where a cluster name belongs. */
export type ClusterNameMistake =
  'file' | 'endpoint' | 'url' | 'database-name' | 'wildcard' | 'ip-address';

/** Why a value is not a cluster name, and the cluster name it probably stands for. */
export interface ClusterNameProblem {
  readonly kind: ClusterNameMistake;
  /** What the value is instead, e.g. `is a database endpoint name (redis-<port>.C)`. */
  readonly reason: string;
  /** The cluster name the value probably stands for, when one can be told. */
  readonly suggestion?: string;
}

/** File name endings of the inputs certkit reads and writes; none is a top-level domain. */
const FILE_ENDINGS = [
  '.pem',
  '.crt',
  '.cer',
  '.der',
  '.key',
  '.csr',
  '.crl',
  '.p12',
  '.pfx',
  '.p7b',
  '.conf',
  '.cnf',
  '.txt',
  '.json',
];

/** A DNS name's syntax (RFC 1035 section 2.3.1 labels), case kept; one label or more. */
function isDnsSyntax(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name
    .split('.')
    .every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** `name` without a leading `internal.` label: internal endpoints are redis-<port>.internal.C. */
function withoutInternal(labels: readonly string[]): string {
  const rest =
    labels[0]?.toLowerCase() === 'internal' && labels.length > 1 ? labels.slice(1) : labels;
  return rest.join('.');
}

/** The suggestion for the rest of a name once its first label is dropped, when it is a name. */
function suggestionFrom(labels: readonly string[]): { suggestion?: string } {
  const rest = withoutInternal(labels);
  return isDnsSyntax(rest) ? { suggestion: rest } : {};
}

/**
 * Recognises what a value given as a cluster name is instead: a file name, an endpoint
 * `HOST:PORT`, a URL, a database endpoint name `redis-<port>.C`, a wildcard `*.C` or an IP
 * address; null when it is none of these (it may still fail the DNS syntax, which the callers
 * check). Values are compared as given: nothing is read.
 *
 * @example
 * ```ts
 * clusterNameProblem('redis-12001.redislabs.com');
 * // { kind: 'database-name', reason: 'is a database endpoint name (redis-<port>.C)', suggestion: 'redislabs.com' }
 * clusterNameProblem('redislabs.com'); // null
 * ```
 */
export function clusterNameProblem(value: string): ClusterNameProblem | null {
  const text = value.trim().replace(/\.$/, '');
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]{0,15}:\/\//.exec(text);
  if (scheme !== null) {
    const authority = text.slice(scheme[0].length).split('/')[0] ?? '';
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const inner = clusterNameProblem(host);
    const suggestion = inner === null ? (isDnsSyntax(host) ? host : undefined) : inner.suggestion;
    return { kind: 'url', reason: 'is a URL', ...(suggestion === undefined ? {} : { suggestion }) };
  }
  const lower = text.toLowerCase();
  if (text.includes('/') || text.includes('\\') || FILE_ENDINGS.some((e) => lower.endsWith(e))) {
    return { kind: 'file', reason: 'looks like a file name' };
  }
  if (looksLikeEndpoint(text)) {
    const host = text.slice(0, text.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const inner = clusterNameProblem(host);
    const suggestion = inner === null ? (isDnsSyntax(host) ? host : undefined) : inner.suggestion;
    return {
      kind: 'endpoint',
      reason: 'is an endpoint HOST:PORT',
      ...(suggestion === undefined ? {} : { suggestion }),
    };
  }
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (parseIpAddress(bare) !== null) return { kind: 'ip-address', reason: 'is an IP address' };
  const labels = text.split('.');
  const first = labels[0] ?? '';
  if (labels.length > 1 && /^redis-\d{1,5}$/i.test(first)) {
    return {
      kind: 'database-name',
      reason: 'is a database endpoint name (redis-<port>.C)',
      ...suggestionFrom(labels.slice(1)),
    };
  }
  if (first.includes('*')) {
    return {
      kind: 'wildcard',
      reason: 'is a wildcard pattern',
      ...(labels.length > 1 ? suggestionFrom(labels.slice(1)) : {}),
    };
  }
  return null;
}

/**
 * The refusal of a value given as a cluster name: what the value is and what a cluster name is,
 * e.g. `"redis-12001.redislabs.com" is a database endpoint name (redis-<port>.C), not a cluster
 * name; a cluster name C is …`, with the value probably meant as the remedy
 * (`{ kind: 'cluster', suggestion: 'redislabs.com' }`), which callers word.
 */
export function clusterNameError(value: string, problem: ClusterNameProblem): CertkitError {
  return new CertkitError(
    'INVALID_OPTION',
    `"${value}" ${problem.reason}, not a cluster name; ${CLUSTER_NAME_HELP}`,
    {
      remedy: {
        kind: 'cluster',
        ...(problem.suggestion === undefined ? {} : { suggestion: problem.suggestion }),
      },
    },
  );
}

/**
 * Throws when `value` is one of the usual mistakes for a cluster name
 * ({@link clusterNameProblem}), with the cluster name probably meant.
 *
 * @throws {@link CertkitError} `INVALID_OPTION`
 */
export function assertClusterName(value: string): void {
  const problem = clusterNameProblem(value);
  if (problem !== null) throw clusterNameError(value, problem);
}

/**
 * The cluster name a certificate is for, read from its names: a wildcard `*.C` (or
 * `*.internal.C`), a database name `redis-<port>.C`, else its first DNS name or a DNS-like CN.
 * For the hint when a certificate file is given as the cluster name.
 *
 * @example
 * ```ts
 * clusterNameFromCertificates(parseCertificates(bytes, 'proxy_cert.pem')); // 'redislabs.com'
 * ```
 */
export function clusterNameFromCertificates(
  certificates: readonly Certificate[],
): string | undefined {
  const leaf = certificates[0];
  if (leaf === undefined) return undefined;
  const names = leaf.info.subjectAltNames.dns;
  for (const name of names) {
    const problem = clusterNameProblem(name);
    if (problem?.suggestion !== undefined) return problem.suggestion.toLowerCase();
  }
  const plain = names.find((n) => isDnsSyntax(n) && n.includes('.'));
  if (plain !== undefined) return plain.toLowerCase();
  const cn = leaf.info.subjectAttributes.find((a) => a.type === 'CN')?.value;
  return cn !== undefined && isDnsSyntax(cn) && cn.includes('.') ? cn.toLowerCase() : undefined;
}
