/**
 * `certs check`: read the certificate files, fetch and probe the live endpoint, then judge every
 * chain (judge/endpoint.ts) and the live results (judge/live.ts).
 */
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import { connectionFailureOf } from '../io/tls-failure.js';
import { probeTlsVersions } from '../io/tls-versions.js';
import { pingWithIdentity } from '../io/tls-ping.js';
import type { TlsClientIdentity } from '../io/tls-attempt.js';
import type { TlsVersionResult } from '../io/tls-versions.js';
import type { PingResult } from '../io/tls-ping.js';
import { resolveNow } from '../clock.js';
import { checkCluster, checkEndpointCertificate, endpointNames } from '../judge/endpoint.js';
import type { CheckOptions, CheckReport } from '../judge/endpoint.js';
import type { CheckProfile } from '../judge/endpoint-findings.js';
import { endpointsOk } from '../judge/endpoints.js';
import type {
  EndpointFailureInfo,
  EndpointOutcome,
  EndpointRef,
  EndpointTally,
} from '../judge/endpoints.js';
import { checkMinTls } from '../judge/live.js';
import type { TlsVersion } from '../defaults.js';
import { parseCertificates } from '../x509/certificates.js';
import { parsePrivateKey } from '../x509/keys.js';
import type { Certificate } from '../x509/pkix.js';
import { passphraseFrom, readLimit } from './common.js';
import { fetchTarget, planEndpoints, runEndpoints } from './endpoints.js';
import { walkTopology } from './topology.js';
import type { TopologyWalk } from './topology.js';
import type { EndpointPlan, EndpointRunOptions, EndpointTarget } from './endpoints.js';
import { checkClusterName } from './cluster-hint.js';

/**
 * Options of {@link runCheck}: what `certs check` takes, as files and live endpoints (`endpoint`,
 * `endpoints` and `endpointsPath` together, probed `concurrency` at a time).
 */
export interface RunCheckOptions extends EndpointRunOptions {
  readonly cluster: string;
  /** Certificate files, each one chain (leaf first). */
  readonly files?: readonly string[];
  /**
   * Database ports a certificate file is checked for: the names `redis-<port>.C`; default
   * [`EXAMPLE_DATABASE_PORT`]. A live endpoint is checked for its own name instead.
   */
  readonly ports?: readonly number[];
  /**
   * A live endpoint, `HOST:PORT` (checked first, before `endpoints`): its chain is checked for the
   * name its clients connect to (the host, or `sni`), its internal name for its port.
   */
  readonly endpoint?: string;
  /** SNI name for every endpoint, and the name its certificate is checked for; default its host. */
  readonly sni?: string;
  /** CA file(s) to validate chains against. */
  readonly caPath?: string;
  /** Private key file that should match the (first) leaf. */
  readonly keyPath?: string;
  /** A client identity to try on the endpoint with RESP PING. */
  readonly clientCertPath?: string;
  readonly clientKeyPath?: string;
  readonly profile?: CheckProfile;
  readonly internal?: boolean;
  readonly warnDays?: number;
  /** Lowest TLS version the endpoint may accept; default {@link DEFAULT_MIN_TLS}. */
  readonly minTls?: TlsVersion;
  readonly now?: Date | number;
  /** Passphrase of an encrypted `keyPath` or `clientKeyPath` (ignored for a plain key). */
  readonly passphrase?: string;
  /** Read {@link RunCheckOptions.passphrase} from the first line of this file instead. */
  readonly passphrasePath?: string;
  /**
   * Also walk the topology `endpoint` belongs to ({@link walkTopology}): ask it for its cluster
   * or Sentinel nodes and check every node's chain for the address it is announced at. Needs
   * `endpoint`, and no other endpoint.
   */
  readonly topology?: boolean;
}

/** What was learnt from a live endpoint. */
export interface LiveReport {
  /** `HOST:PORT`, with `@ADDRESS` when an address was chosen for the host: the report's `source`. */
  readonly endpoint: string;
  /** The address that answered, when known. */
  readonly address?: string;
  readonly servername?: string;
  /** Negotiated version of the chain fetch. */
  readonly protocol: string | null;
  /** Error after the server's certificate (e.g. it wants a client certificate). */
  readonly error?: string;
  readonly versions: readonly TlsVersionResult[];
  readonly minTls: TlsVersion;
  /** PING with the client identity, when one was given. */
  readonly ping?: PingResult;
}

/** One live endpoint of {@link runCheck}: what was learnt from it, or why nothing was. */
export type EndpointCheck = EndpointOutcome<LiveReport>;

/** The outcome of {@link runCheck}. */
export interface RunCheckResult {
  /** No report has an error finding and every endpoint answered. */
  readonly ok: boolean;
  readonly cluster: string;
  readonly profile: CheckProfile;
  /** One per file, then one per endpoint that answered (its `source` is the live `endpoint`). */
  readonly reports: readonly CheckReport[];
  /** The first endpoint's live report, when it answered. */
  readonly live?: LiveReport;
  /** Every live endpoint started, in order, with its live report or why it failed. */
  readonly endpoints?: readonly EndpointCheck[];
  /** Endpoints never started: the run was interrupted first. */
  readonly notStarted?: readonly EndpointRef[];
  /** How the live endpoints went. */
  readonly tally?: EndpointTally;
  /** The topology walk from `endpoint`, when asked for. */
  readonly topology?: TopologyWalk;
}

/**
 * `certs check`: reads the files, fetches the live endpoint (presented chain, TLS versions, PING
 * with a client identity) and checks each chain with {@link checkEndpointCertificate}. The live
 * findings `TLS_VERSION_TOO_LOW` and `CLIENT_CERT_REJECTED` join the endpoint's report.
 *
 * @throws {@link CertkitError} when an input cannot be read or the endpoint cannot be reached
 *
 * @example
 * ```ts
 * const result = await runCheck({ cluster: 'redislabs.com', files: ['proxy_cert.pem'], endpoint: 'redis-12000.redislabs.com:12000' });
 * process.exitCode = result.ok ? 0 : 1;
 * ```
 */
export async function runCheck(options: RunCheckOptions): Promise<RunCheckResult> {
  await checkClusterName(options.cluster, options.maxInputBytes);
  const files = options.files ?? [];
  const live =
    options.endpoint !== undefined ||
    (options.endpoints?.length ?? 0) > 0 ||
    options.endpointsPath !== undefined;
  if (files.length === 0 && !live) {
    throw new CertkitError('INVALID_OPTION', 'give certificate files, an endpoint, or both', {
      remedy: { kind: 'option', option: 'endpoint' },
    });
  }
  if ((options.clientCertPath === undefined) !== (options.clientKeyPath === undefined)) {
    throw new CertkitError(
      'INVALID_OPTION',
      'give the client certificate and the client key together',
    );
  }
  if (options.clientCertPath !== undefined && !live) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a client identity is tried on a live endpoint; give an endpoint',
      { remedy: { kind: 'option', option: 'endpoint' } },
    );
  }
  if (
    options.topology === true &&
    (options.endpoint === undefined ||
      (options.endpoints?.length ?? 0) > 0 ||
      options.endpointsPath !== undefined)
  ) {
    throw new CertkitError(
      'INVALID_OPTION',
      'the topology walk starts from one endpoint: give exactly one endpoint HOST:PORT (any node of the cluster, or a Sentinel)',
      { remedy: { kind: 'option', option: 'endpoint' } },
    );
  }
  if (options.ports !== undefined && files.length === 0) {
    throw new CertkitError(
      'INVALID_OPTION',
      'database ports name what a certificate file is checked for; without files they check nothing (a live endpoint is checked for its own name)',
    );
  }
  const minTls = checkMinTls(options.minTls);
  const profile = options.profile ?? 'strict';
  const internal = options.internal === true || profile === 'redis-enterprise';
  // Cluster, ports, host: every name is built (and refused) before any file or network work.
  endpointNames({
    cluster: options.cluster,
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    internal,
  });
  // The clock is checked before any file is read.
  const now = options.now === undefined ? undefined : resolveNow(options.now);
  const read = (path: string): Promise<Uint8Array> =>
    readInputFile(path, readLimit(options.maxInputBytes));
  const passphrase = await passphraseFrom(options.passphrase, options.passphrasePath);
  const withPassphrase = passphrase === undefined ? {} : { passphrase };
  // Read every input before any network work: bad input fails fast and alone (exit 2).
  const plan = live
    ? await planEndpoints({
        ...options,
        endpoints: [
          ...(options.endpoint === undefined ? [] : [options.endpoint]),
          ...(options.endpoints ?? []),
        ],
      })
    : undefined;
  // Each endpoint is checked for the name its clients dial: refused here, before any connection.
  for (const endpoint of plan?.endpoints ?? []) {
    endpointNames({ cluster: options.cluster, internal, ...liveNamesOf(endpoint, options.sni) });
  }
  const chains: { source: string; certificates: Certificate[] }[] = [];
  for (const file of files) {
    chains.push({ source: file, certificates: parseCertificates(await read(file), file) });
  }
  const ca =
    options.caPath === undefined
      ? undefined
      : parseCertificates(await read(options.caPath), options.caPath);
  const key =
    options.keyPath === undefined
      ? undefined
      : { bytes: await read(options.keyPath), source: options.keyPath, ...withPassphrase };
  // An encrypted key that cannot be opened is input the check cannot run on (exit 2), not a
  // finding: parse it here, before any network work, so the error names the file.
  if (key !== undefined) parsePrivateKey(key.bytes, key.source, withPassphrase);
  let identity: TlsClientIdentity | undefined;
  if (options.clientCertPath !== undefined && options.clientKeyPath !== undefined) {
    const certs = parseCertificates(await read(options.clientCertPath), options.clientCertPath);
    const clientKey = await read(options.clientKeyPath);
    // Fails here, named, rather than in OpenSSL.
    const parsed = parsePrivateKey(clientKey, options.clientKeyPath, withPassphrase);
    identity = {
      certificatePem: certs.map((c) => c.pem).join(''),
      // TLS gets an encrypted key decrypted, in memory only: never written anywhere.
      privateKeyPem: parsed.info.encrypted
        ? parsed.key.export({ type: 'pkcs8', format: 'pem' }).toString()
        : Buffer.from(clientKey).toString('utf8'),
    };
  }
  const base = {
    cluster: options.cluster,
    profile,
    ...(ca === undefined ? {} : { ca }),
    ...(now === undefined ? {} : { now }),
    ...(options.internal === undefined ? {} : { internal: options.internal }),
    ...(options.warnDays === undefined ? {} : { warnDays: options.warnDays }),
  };
  const reports: CheckReport[] = chains.map((c, i) =>
    checkEndpointCertificate({
      ...base,
      ...(options.ports === undefined ? {} : { ports: options.ports }),
      certificates: c.certificates,
      source: c.source,
      ...(i === 0 && key !== undefined ? { key } : {}),
    }),
  );
  if (plan === undefined) {
    return {
      ok: reports.every((r) => r.ok),
      cluster: checkCluster(options.cluster),
      profile,
      reports,
    };
  }
  // Without files, the key belongs to the endpoints' certificate (one cluster, one proxy key).
  const context: LiveContext = {
    plan,
    base: { ...base, ...(chains.length === 0 && key !== undefined ? { key } : {}) },
    minTls,
    ...(options.sni === undefined ? {} : { sni: options.sni }),
    ...(identity === undefined ? {} : { identity }),
    ...(options.clientCertPath === undefined
      ? {}
      : { clientCertificateSource: options.clientCertPath }),
  };
  const run = await runEndpoints<LiveCheck>(plan, options, (target, signal) =>
    checkTarget(target, context, signal),
  );
  const endpoints: EndpointCheck[] = run.outcomes.map((outcome) => {
    if (!outcome.ok) return outcome;
    reports.push(outcome.value.report);
    return { ...outcome, value: outcome.value.live };
  });
  const first = endpoints[0];
  const topology =
    options.topology === true && options.endpoint !== undefined && !run.tally.interrupted
      ? await walkTopology({
          seed: options.endpoint,
          cluster: options.cluster,
          ...(ca === undefined ? {} : { ca }),
          ...(identity === undefined ? {} : { clientIdentity: identity }),
          ...(options.sni === undefined ? {} : { sni: options.sni }),
          ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
          concurrency: plan.concurrency,
          timeoutMs: plan.timeoutMs,
          profile,
          ...(options.internal === undefined ? {} : { internal: options.internal }),
          ...(options.warnDays === undefined ? {} : { warnDays: options.warnDays }),
          ...(now === undefined ? {} : { now }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        })
      : undefined;
  return {
    ok:
      reports.every((r) => r.ok) &&
      endpointsOk(run.tally) &&
      (topology === undefined || topology.ok),
    cluster: checkCluster(options.cluster),
    profile,
    reports,
    ...(first?.ok === true ? { live: first.value } : {}),
    endpoints,
    notStarted: run.notStarted,
    tally: run.tally,
    ...(topology === undefined ? {} : { topology }),
  };
}

/**
 * The names a live endpoint is checked for: the host its clients dial (or the SNI name sent), and
 * its port for the internal name `redis-<port>.internal.C`.
 */
function liveNamesOf(
  endpoint: { readonly host: string; readonly port: number },
  sni: string | undefined,
): { host: string; ports: number[] } {
  return { host: sni ?? endpoint.host, ports: [endpoint.port] };
}

/** What every endpoint of one check shares. */
interface LiveContext {
  readonly plan: EndpointPlan;
  readonly base: Omit<CheckOptions, 'certificates' | 'source'>;
  readonly minTls: TlsVersion;
  readonly sni?: string;
  readonly identity?: TlsClientIdentity;
  readonly clientCertificateSource?: string;
}

/** One endpoint's report and live results. */
interface LiveCheck {
  readonly report: CheckReport;
  readonly live: LiveReport;
}

/** Why a probe after the chain fetch failed (the endpoint went away meanwhile, or Ctrl-C). */
function probeFailure(error: CertkitError): EndpointFailureInfo {
  return error.cause instanceof Error
    ? connectionFailureOf(error.cause)
    : { code: 'CONNECTION_FAILED', reason: error.message };
}

/**
 * Fetches one endpoint's chain, probes its TLS versions and, with a client identity, sends PING,
 * all at the address that answered the fetch (a name resolving to several nodes is judged on
 * one node); then judges it all (judge/live.ts).
 */
async function checkTarget(
  target: EndpointTarget,
  context: LiveContext,
  signal: AbortSignal,
): Promise<EndpointOutcome<LiveCheck>> {
  const probe = {
    timeoutMs: context.plan.timeoutMs,
    signal,
    ...(context.sni === undefined ? {} : { servername: context.sni }),
  };
  const fetched = await fetchTarget(target, probe);
  const { addresses: _addresses, unresolved: _unresolved, ...ref } = target;
  const where = fetched.address === undefined ? ref : { ...ref, address: fetched.address };
  if (!fetched.ok) return { ...where, ok: false, failure: fetched.failure };
  const presented = fetched.chain;
  const at = { ...probe, ...(fetched.address === undefined ? {} : { address: fetched.address }) };
  let versions: TlsVersionResult[];
  let ping: PingResult | undefined;
  try {
    versions = await probeTlsVersions(target.host, target.port, at);
    ping =
      context.identity === undefined
        ? undefined
        : await pingWithIdentity(target.host, target.port, {
            ...at,
            clientIdentity: context.identity,
          });
  } catch (error) {
    if (!(error instanceof CertkitError)) throw error;
    return { ...where, ok: false, failure: probeFailure(error) };
  }
  const report = checkEndpointCertificate({
    ...context.base,
    ...liveNamesOf(target, context.sni),
    certificates: presented.certificates,
    source: fetched.source,
    live: {
      versions,
      minTls: context.minTls,
      ...(ping === undefined ? {} : { ping }),
      ...(context.clientCertificateSource === undefined
        ? {}
        : { clientCertificateSource: context.clientCertificateSource }),
    },
  });
  const live: LiveReport = {
    endpoint: fetched.source,
    ...(fetched.address === undefined ? {} : { address: fetched.address }),
    ...(presented.servername === undefined ? {} : { servername: presented.servername }),
    protocol: presented.protocol,
    ...(presented.error === undefined ? {} : { error: presented.error }),
    versions,
    minTls: context.minTls,
    ...(ping === undefined ? {} : { ping }),
  };
  return { ...where, ok: true, value: { report, live } };
}
