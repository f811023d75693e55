/**
 * A topology judged as its clients meet it: every announced node's certificate checked for the
 * address the node is announced at (the reference identity a cluster-aware client uses: an IP
 * address against IP SANs, a host name against DNS SANs), what the announcement itself gets
 * wrong (plain-text ports, port 0), how the nodes' certificates differ from one another, and
 * what each modelled cluster client does (cluster-clients.ts). Pure: the topology and what each
 * node presented are data (workflows/topology.ts fetches them).
 */
import type { Certificate } from '../x509/pkix.js';
import { canonicalIp } from './client-names.js';
import { presentedNames } from './clients.js';
import { clusterClientVerdicts } from './cluster-clients.js';
import type { ClusterClientVerdict, ClusterConnection } from './cluster-clients.js';
import { checkEndpointCertificate } from './endpoint.js';
import type { CheckOptions, CheckReport } from './endpoint.js';
import type { EndpointFailureInfo } from './endpoints.js';
import { ipVersion } from '../x509/ip.js';
import type { Topology, TopologyFinding, TopologyKind, TopologyNode } from './topology.js';

/** What one node presented, or why it presented nothing. */
export type NodeFetch =
  | {
      readonly ok: true;
      /** As sent, leaf first. */
      readonly certificates: readonly Certificate[];
      /** The address that answered. */
      readonly address?: string;
    }
  | { readonly ok: false; readonly failure: EndpointFailureInfo };

/** Options of {@link checkTopology}: the endpoint check's, for every node. */
export interface TopologyCheckOptions extends Omit<
  CheckOptions,
  'certificates' | 'source' | 'host' | 'ports' | 'key'
> {
  readonly topology: Topology;
  /**
   * What each node of `topology.nodes` presented, in the same order; `undefined` for a node that
   * was not dialled (port 0, no endpoint).
   */
  readonly fetched: readonly (NodeFetch | undefined)[];
  /** The seed as the client is given it, and what it presented: a cluster client's first connection. */
  readonly seed?: {
    readonly host: string;
    readonly port: number;
    readonly fetched?: NodeFetch;
  };
  /**
   * The one name a client may pin for every node (`tls.servername`); default the seed's host
   * when it is a host name.
   */
  readonly servername?: string;
}

/** One node with what it presented and how that was judged. */
export type TopologyNodeReport = TopologyNode & {
  /** The address that answered. */
  readonly address?: string;
  /** Why it presented nothing. */
  readonly failure?: EndpointFailureInfo;
  /** Its chain checked for the host it is announced at (`source` is its `endpoint`). */
  readonly report?: CheckReport;
};

/** The outcome of {@link checkTopology}. */
export interface TopologyReport extends Omit<Topology, 'nodes' | 'findings'> {
  /** No error finding, here or in a node's report. */
  readonly ok: boolean;
  readonly nodes: readonly TopologyNodeReport[];
  /** Each modelled cluster client, for a cluster (none for a Sentinel). */
  readonly clients: readonly ClusterClientVerdict[];
  /** The topology's own findings; each node's report holds its certificate's. */
  readonly findings: readonly TopologyFinding[];
}

/** The fix for nodes announced by IP address, in the words of the deployment's configuration. */
function ipFix(kind: TopologyKind): string {
  return kind === 'sentinel'
    ? 'announce host names (replica-announce-ip NAME on each server; sentinel resolve-hostnames yes and sentinel announce-hostnames yes on each Sentinel, monitoring the master by name) with certificates for those names, or add the IP addresses as IP SANs'
    : "announce host names (cluster-announce-hostname NAME and cluster-preferred-endpoint-type hostname on every node) with certificates for those names, or add each node's IP address as an IP SAN";
}

function hasIpSan(leaf: Certificate, ip: string): boolean {
  const wanted = canonicalIp(ip);
  return presentedNames(leaf).ip.some((san) => canonicalIp(san) === wanted);
}

function namesOf(leaf: Certificate): string[] {
  const { dns, ip } = presentedNames(leaf);
  return [
    ...dns.map((d) => `DNS:${d.toLowerCase()}`),
    ...ip.map((i) => `IP:${canonicalIp(i)}`),
  ].sort();
}

/** Groups keys by value, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

interface Presented {
  readonly node: TopologyNode;
  readonly leaf: Certificate;
}

/**
 * The nodes' certificates against one another: a node whose issuer is not the others' (a client
 * given one CA file refuses it), and a node whose names differ from those most nodes present
 * (left over from an older issue, or missing the IP SANs the others carry). Nodes that each
 * carry their own names (no name set shared by most) are not compared by names.
 */
function differenceFindings(presented: readonly Presented[]): TopologyFinding[] {
  const findings: TopologyFinding[] = [];
  if (presented.length < 2) return findings;
  const issuers = groupBy(
    presented,
    (p) => `${p.leaf.info.issuer}\u0000${p.leaf.info.authorityKeyIdentifier ?? ''}`,
  );
  if (issuers.size > 1) {
    const groups = [...issuers.values()].sort((a, b) => b.length - a.length);
    const described = groups.map((g) => {
      const first = g[0] as Presented;
      const keyId = first.leaf.info.authorityKeyIdentifier;
      const sameName =
        groups.filter((o) => (o[0] as Presented).leaf.info.issuer === first.leaf.info.issuer)
          .length > 1;
      return `${first.leaf.info.issuer}${sameName && keyId !== undefined ? ` (key ${keyId.slice(0, 16)}…)` : ''}: ${g.map((p) => p.node.endpoint).join(', ')}`;
    });
    findings.push({
      code: 'TOPOLOGY_ISSUER_DIFFERS',
      severity: 'warning',
      message: `the nodes' certificates come from ${String(groups.length)} issuers (${described.join('; ')}): a client whose CA file holds one of them refuses the nodes of the others; issue every node's certificate from one CA, or give clients every issuer's CA`,
      nodes: groups.slice(1).flatMap((g) => g.map((p) => p.node.endpoint)),
    });
  }
  const sets = groupBy(presented, (p) => namesOf(p.leaf).join(','));
  if (sets.size > 1 && presented.length >= 3) {
    const [common, members] = [...sets.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [
      '',
      [],
    ];
    if (members.length * 2 > presented.length) {
      const usual = new Set(common.split(',').filter((n) => n !== ''));
      for (const p of presented) {
        const own = namesOf(p.leaf);
        if (own.join(',') === common) continue;
        const missing = [...usual].filter((n) => !own.includes(n));
        const extra = own.filter((n) => !usual.has(n));
        findings.push({
          code: 'TOPOLOGY_NAMES_DIFFER',
          severity: 'warning',
          message: `${p.node.endpoint} presents other names than ${String(members.length)} of the ${String(presented.length)} nodes${missing.length > 0 ? `: it lacks ${missing.join(', ')}` : ''}${extra.length > 0 ? `${missing.length > 0 ? ' and' : ':'} has ${extra.join(', ')}` : ''} (an older or hand-made certificate?); reissue it like the others`,
          node: p.node.endpoint,
        });
      }
    }
  }
  return findings;
}

/**
 * A finding for a node that gave no certificate; none when the announcement already said its
 * port is the plain-text one (whatever that port did: a plain-text Redis answers a ClientHello
 * with an error, or waits silently for the end of the line).
 */
function failureFinding(
  node: TopologyNode,
  failure: EndpointFailureInfo,
  kind: TopologyKind,
  plaintextKnown: boolean,
): TopologyFinding | undefined {
  if (plaintextKnown) return undefined;
  if (failure.code === 'NOT_TLS') {
    return {
      code: 'TOPOLOGY_PLAINTEXT_PORT',
      severity: 'error',
      message:
        kind === 'sentinel'
          ? `${node.endpoint} is announced on a port that does not speak TLS: a replica announces its plain-text port unless tls-replication is on; set tls-replication yes on every server (or replica-announce-port to its TLS port)`
          : `${node.endpoint} is announced on a port that does not speak TLS: with tls-cluster off the nodes announce their plain-text ports; set tls-cluster yes and tls-replication yes on every node`,
      node: node.endpoint,
    };
  }
  const resolve = failure.code === 'HOST_NOT_FOUND' && node.announcedAs === 'hostname';
  // A plain-text Redis reads the ClientHello as an unfinished inline command and says nothing.
  const silent =
    failure.code === 'TIMEOUT' && kind === 'cluster'
      ? ' (a plain-text port waits like this: if it is one, tls-cluster is off and the nodes announce their plain-text ports; set tls-cluster yes and tls-replication yes)'
      : '';
  return {
    code: 'TOPOLOGY_NODE_UNREACHABLE',
    severity: node.down ? 'warning' : 'error',
    message: `${node.endpoint} (${node.role}${node.down ? `, which the ${kind === 'sentinel' ? 'Sentinel' : 'cluster'} itself sees as ${node.health ?? 'down'}` : ''}) gave no certificate: ${failure.reason}${resolve ? ' (the announced host name does not resolve here; clients that resolve it through the same DNS fail too; pin the name to an address, HOST:PORT:ADDR, to judge its certificate)' : ''}${silent}`,
    node: node.endpoint,
  };
}

/**
 * Judges a topology and what every node presented: each node's chain with
 * {@link checkEndpointCertificate} for the host the node is announced at, then the topology's
 * own findings: `TOPOLOGY_IP_WITHOUT_IP_SAN` (a node announced by IP address whose certificate
 * lacks it: every client that checks the announced address refuses it), ports that are plain
 * text or 0, nodes that gave no certificate, certificates that differ from the rest, and what each
 * modelled cluster client (cluster-clients.ts) does where its checks differ from the announced
 * address's.
 *
 * @example
 * ```ts
 * const report = checkTopology({ cluster: 'example.com', topology, fetched, ca });
 * for (const f of report.findings) console.log(f.severity, f.code, f.message);
 * ```
 */
export function checkTopology(options: TopologyCheckOptions): TopologyReport {
  const { topology, fetched, seed, servername, ...base } = options;
  const findings: TopologyFinding[] = [...topology.findings];
  const plaintextKnown = new Set(
    topology.findings.filter((f) => f.code === 'TOPOLOGY_PLAINTEXT_PORT').map((f) => f.node),
  );
  const presented: Presented[] = [];
  const connections: ClusterConnection[] = [];
  const seedLeaf = seed?.fetched?.ok === true ? seed.fetched.certificates[0] : undefined;
  if (seed !== undefined && seedLeaf !== undefined && seed.fetched?.ok === true) {
    connections.push({
      node: `${seed.host.includes(':') ? `[${seed.host}]` : seed.host}:${String(seed.port)}`,
      host: seed.host,
      ...(seed.fetched.address === undefined ? {} : { address: seed.fetched.address }),
      leaf: seedLeaf,
      seed: true,
    });
  }
  const nodes: TopologyNodeReport[] = topology.nodes.map((node, i) => {
    const outcome = fetched[i];
    if (outcome === undefined) return node;
    if (!outcome.ok) {
      const finding = failureFinding(
        node,
        outcome.failure,
        topology.kind,
        plaintextKnown.has(node.endpoint),
      );
      if (finding !== undefined) findings.push(finding);
      return { ...node, failure: outcome.failure };
    }
    const leaf = outcome.certificates[0];
    if (leaf === undefined)
      return {
        ...node,
        failure: { code: 'NO_CERTIFICATE', reason: 'the server sent no certificate' },
      };
    const report = checkEndpointCertificate({
      ...base,
      host: node.host,
      ports: [node.port],
      certificates: outcome.certificates,
      source: node.endpoint,
    });
    if (ipVersion(node.host) !== 0 && !hasIpSan(leaf, node.host)) {
      const names = namesOf(leaf);
      findings.push({
        code: 'TOPOLOGY_IP_WITHOUT_IP_SAN',
        severity: 'error',
        message: `${node.endpoint} is announced by IP address ${node.host}, and its certificate has no IP SAN ${node.host} (names: ${names.join(', ') || 'none'}): clients that check each node's announced address (redis-py RedisCluster, ioredis Cluster, and any client of the stacks in the node's report) refuse it; ${ipFix(topology.kind)}`,
        node: node.endpoint,
        certificate: `${node.endpoint}#1`,
      });
    }
    presented.push({ node, leaf });
    if (node.announcedAs !== 'unknown') {
      connections.push({
        node: node.endpoint,
        host: node.host,
        ...(outcome.address === undefined ? {} : { address: outcome.address }),
        leaf,
        seed: false,
      });
    }
    return {
      ...node,
      ...(outcome.address === undefined ? {} : { address: outcome.address }),
      report,
    };
  });
  findings.push(...differenceFindings(presented));
  const pin =
    servername ?? (seed !== undefined && ipVersion(seed.host) === 0 ? seed.host : undefined);
  const clients = topology.kind === 'cluster' ? clusterClientVerdicts(connections, pin) : [];
  findings.push(...clientFindings(clients));
  const ok =
    !findings.some((f) => f.severity === 'error') &&
    nodes.every((n) => n.report === undefined || n.report.ok);
  return {
    ok,
    seed: topology.seed,
    kind: topology.kind,
    ...(topology.mode === undefined ? {} : { mode: topology.mode }),
    protocol: topology.protocol,
    ...(topology.source === undefined ? {} : { source: topology.source }),
    nodes,
    clients,
    findings,
  };
}

/**
 * What the cluster clients do that the announced-address checks do not already say. A
 * connection checked against the host it dials (the seed as given, a node as announced) is judged
 * for every stack by that node's report (or the seed's own check); one checked against another
 * name is not: the seed checked as its address (ioredis' default `dnsLookup`), `localhost`
 * checked as its address (redis-py), one pinned servername.
 */
function clientFindings(clients: readonly ClusterClientVerdict[]): TopologyFinding[] {
  const findings: TopologyFinding[] = [];
  const refusedAsDialled = new Set(
    clients.flatMap((c) =>
      c.connections.filter((v) => !v.accepts && v.name === v.host).map((v) => v.node),
    ),
  );
  for (const client of clients) {
    const pinned = client.configuration.startsWith('redisOptions.tls.servername');
    const unexplained = client.connections.filter((c) => !c.accepts && c.name !== c.host);
    if (unexplained.length === 0) {
      if (pinned && client.accepts && refusedAsDialled.size > 0) {
        findings.push({
          code: 'TOPOLOGY_CLIENT_REFUSES',
          severity: 'info',
          message: `${client.client} with ${client.configuration} accepts every node: it checks every connection against that one name. That works for ioredis only: clients that check each node's announced address still refuse ${[...refusedAsDialled].join(', ')}`,
        });
      }
      continue;
    }
    const fix = pinned
      ? 'it checks every node against that one name: drop servername (each node is then checked for its announced address) or give every node a certificate for that name'
      : client.configuration === 'default options'
        ? "it resolves the seed's host name and checks the seed's certificate against the address; give dnsLookup: (address, callback) => callback(null, address) (or redisOptions.tls.servername), or add the address as an IP SAN"
        : 'it checks localhost as its address; add the address as an IP SAN, or dial the nodes by another name';
    findings.push({
      code: 'TOPOLOGY_CLIENT_REFUSES',
      severity: 'warning',
      message: `${client.client} (${client.configuration}) refuses ${unexplained.map((c) => `${c.node} checked as ${c.name} (${c.reason})`).join(', ')}: ${fix}`,
      nodes: unexplained.map((c) => c.node),
    });
  }
  return findings;
}
