/**
 * `certs check`: read the certificate files, fetch and probe the live endpoint, then judge every
 * chain (judge/endpoint.ts) and the live results (judge/live.ts).
 */
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/files.js';
import {
  fetchPresentedChain,
  parseEndpoint,
  pingWithIdentity,
  probeTlsVersions,
} from '../io/tls.js';
import type { PingResult, TlsVersionResult } from '../io/tls.js';
import { resolveNow } from '../clock.js';
import { checkCluster, checkEndpointCertificate, endpointNames } from '../judge/endpoint.js';
import type { CheckReport } from '../judge/endpoint.js';
import type { CheckProfile } from '../judge/endpoint-findings.js';
import { checkLiveEndpoint, checkMinTls } from '../judge/live.js';
import type { TlsVersion } from '../defaults.js';
import { parseCertificates } from '../x509/certificates.js';
import { parsePrivateKey } from '../x509/keys.js';
import type { Certificate } from '../x509/pkix.js';
import { passphraseFrom, readLimit } from './common.js';

/** Options of {@link runCheck}: what `certs check` takes, as files and an endpoint. */
export interface RunCheckOptions {
  readonly cluster: string;
  /** Certificate files, each one chain (leaf first). */
  readonly files?: readonly string[];
  /**
   * Database ports a certificate file is checked for: the names `redis-<port>.C`; default
   * [`EXAMPLE_DATABASE_PORT`]. A live endpoint is checked for its own name instead.
   */
  readonly ports?: readonly number[];
  /**
   * A live endpoint, `HOST:PORT`: its chain is checked for the name its clients connect to (the
   * host, or `sni`), its internal name for its port.
   */
  readonly endpoint?: string;
  /** SNI name for the endpoint, and the name its certificate is checked for; default the host. */
  readonly sni?: string;
  /** CA file(s) to validate chains against. */
  readonly caFile?: string;
  /** Private key file that should match the (first) leaf. */
  readonly keyFile?: string;
  /** A client identity to try on the endpoint with RESP PING. */
  readonly clientCertFile?: string;
  readonly clientKeyFile?: string;
  readonly profile?: CheckProfile;
  readonly internal?: boolean;
  readonly warnDays?: number;
  /** Lowest TLS version the endpoint may accept; default {@link DEFAULT_MIN_TLS}. */
  readonly minTls?: TlsVersion;
  readonly now?: Date | number;
  /** Per connection, milliseconds. */
  readonly timeoutMs?: number;
  /** Largest input file read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** Passphrase of an encrypted `keyFile` or `clientKeyFile` (ignored for a plain key). */
  readonly passphrase?: string;
  /** Read {@link RunCheckOptions.passphrase} from the first line of this file instead. */
  readonly passphraseFile?: string;
}

/** What was learnt from the live endpoint. */
export interface LiveReport {
  readonly endpoint: string;
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

/** The outcome of {@link runCheck}. */
export interface RunCheckResult {
  /** No report has an error finding. */
  readonly ok: boolean;
  readonly cluster: string;
  readonly profile: CheckProfile;
  /** One per file, then one for the endpoint. */
  readonly reports: readonly CheckReport[];
  readonly live?: LiveReport;
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
  const files = options.files ?? [];
  if (files.length === 0 && options.endpoint === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'give certificate files, an endpoint (--endpoint HOST:PORT), or both',
    );
  }
  if ((options.clientCertFile === undefined) !== (options.clientKeyFile === undefined)) {
    throw new CertkitError(
      'INVALID_OPTION',
      'give the client certificate and the client key together',
    );
  }
  if (options.clientCertFile !== undefined && options.endpoint === undefined) {
    throw new CertkitError(
      'INVALID_OPTION',
      'a client identity is tried on a live endpoint; give --endpoint HOST:PORT',
    );
  }
  if (options.ports !== undefined && files.length === 0) {
    throw new CertkitError(
      'INVALID_OPTION',
      'database ports name what a certificate file is checked for; without files they check nothing (a live endpoint is checked for its own name)',
    );
  }
  const minTls = checkMinTls(options.minTls);
  const endpoint = options.endpoint === undefined ? undefined : parseEndpoint(options.endpoint);
  const profile = options.profile ?? 'strict';
  const internal = options.internal === true || profile === 'redis-enterprise';
  // Cluster, ports, host: every name is built (and refused) before any file or network work.
  endpointNames({
    cluster: options.cluster,
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    internal,
  });
  const liveNames =
    endpoint === undefined
      ? undefined
      : { host: options.sni ?? endpoint.host, ports: [endpoint.port] };
  if (liveNames !== undefined) endpointNames({ cluster: options.cluster, internal, ...liveNames });
  // The clock is checked before any file is read.
  const now = options.now === undefined ? undefined : resolveNow(options.now);
  const read = (path: string): Promise<Uint8Array> =>
    readInputFile(path, readLimit(options.maxInputBytes));
  const passphrase = await passphraseFrom(options.passphrase, options.passphraseFile);
  const withPassphrase = passphrase === undefined ? {} : { passphrase };
  // Read every input before any network work: bad input fails fast and alone (exit 2).
  const chains: { source: string; certificates: Certificate[] }[] = [];
  for (const file of files) {
    chains.push({ source: file, certificates: parseCertificates(await read(file), file) });
  }
  const ca =
    options.caFile === undefined
      ? undefined
      : parseCertificates(await read(options.caFile), options.caFile);
  const key =
    options.keyFile === undefined
      ? undefined
      : { bytes: await read(options.keyFile), source: options.keyFile, ...withPassphrase };
  // An encrypted key that cannot be opened is input the check cannot run on (exit 2), not a
  // finding: parse it here, before any network work, so the error names the file.
  if (key !== undefined) parsePrivateKey(key.bytes, key.source, withPassphrase);
  let identity: { certificatePem: string; privateKeyPem: string } | undefined;
  if (options.clientCertFile !== undefined && options.clientKeyFile !== undefined) {
    const certs = parseCertificates(await read(options.clientCertFile), options.clientCertFile);
    const clientKey = await read(options.clientKeyFile);
    // Fails here, named, rather than in OpenSSL.
    const parsed = parsePrivateKey(clientKey, options.clientKeyFile, withPassphrase);
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
  let live: LiveReport | undefined;
  if (endpoint !== undefined && liveNames !== undefined) {
    const probe = {
      ...(options.sni === undefined ? {} : { servername: options.sni }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    };
    const presented = await fetchPresentedChain(endpoint.host, endpoint.port, probe);
    const versions = await probeTlsVersions(endpoint.host, endpoint.port, probe);
    const ping =
      identity === undefined
        ? undefined
        : await pingWithIdentity(endpoint.host, endpoint.port, {
            ...probe,
            clientIdentity: identity,
          });
    const source = `${endpoint.host}:${String(endpoint.port)}`;
    reports.push(
      checkLiveEndpoint({
        ...base,
        ...liveNames,
        certificates: presented.certificates,
        source,
        ...(chains.length === 0 && key !== undefined ? { key } : {}),
        versions,
        minTls,
        ...(ping === undefined ? {} : { ping }),
        ...(options.clientCertFile === undefined
          ? {}
          : { clientCertificateSource: options.clientCertFile }),
      }),
    );
    live = {
      endpoint: source,
      ...(presented.servername === undefined ? {} : { servername: presented.servername }),
      protocol: presented.protocol,
      ...(presented.error === undefined ? {} : { error: presented.error }),
      versions,
      minTls,
      ...(ping === undefined ? {} : { ping }),
    };
  }
  return {
    ok: reports.every((r) => r.ok),
    cluster: checkCluster(options.cluster),
    profile,
    reports,
    ...(live === undefined ? {} : { live }),
  };
}
