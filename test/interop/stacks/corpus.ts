/**
 * The stack-matrix corpus: the certificate shapes where real client stacks disagree (or where a
 * model might think they do), each made with the openssl command line in a scratch folder, and
 * the cases that pair a presented chain, a CA file and a reference name.
 *
 * The defaults of a case: the server presents `leaf` + `int`, the CA file is `root`, the
 * reference is `redis-1.v.local` (which `leaf` names in its CN and its only SAN).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl } from '../../helpers/openssl.js';
import { makeCert } from '../../helpers/pki.js';
import type { CertSpec, MadeCert } from '../../helpers/pki.js';
import { mapLimit } from './harness.js';
import type { StackInput } from './harness.js';

// ---------------------------------------------------------------------------------------------
// Raw subjectAltName values, for entries openssl's `DNS:`/`IP:`/`URI:` syntax refuses to write.

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/**
 * A GeneralName entry: [1] rfc822Name, [2] dNSName, [6] uniformResourceIdentifier, [7] iPAddress
 * (implicit tags), or `raw`: a whole entry's DER as given.
 */
type RawName =
  | readonly ['dns' | 'uri' | 'email', string | Buffer]
  | readonly ['ip', Buffer]
  | readonly ['raw', Buffer];

const NAME_TAGS = { email: 0x81, dns: 0x82, uri: 0x86, ip: 0x87 } as const;

/**
 * `subjectAltName = DER:<hex>`: the GeneralNames SEQUENCE exactly as given, unchecked (critical
 * when asked).
 */
function rawSan(names: readonly RawName[], critical = false): string {
  const body = Buffer.concat(
    names.map(([type, value]) =>
      type === 'raw'
        ? value
        : tlv(NAME_TAGS[type], typeof value === 'string' ? Buffer.from(value, 'latin1') : value),
    ),
  );
  return `subjectAltName = ${critical ? 'critical, ' : ''}DER:${tlv(0x30, body).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Certificates.

const HOST = 'redis-1.v.local';
/** directoryName [4] (constructed, explicit) around INTEGER 0 instead of a Name SEQUENCE. */
const BAD_DIRECTORY_NAME = Buffer.from([0xa4, 0x03, 0x02, 0x01, 0x00]);
/** dNSName [2] in constructed form around an IA5String of other.v.local (BER, not DER). */
const CONSTRUCTED_DNS = Buffer.concat([
  Buffer.from([0xa2, 0x0f, 0x16, 0x0d]),
  Buffer.from('other.v.local', 'latin1'),
]);
const CLUSTER = 'cluster.v.local';

/** A certificate of the corpus; `issuer` names another one (made earlier in the list). */
interface Spec extends Omit<CertSpec, 'name' | 'issuer' | 'keyFile'> {
  readonly issuer?: string;
  /** Reuse the key of another certificate (a re-signed twin), or the shared leaf key. */
  readonly key?: string;
  /** Made by `openssl req -x509` as a node's own certificate is, with these SANs. */
  readonly reqX509?: readonly string[];
}

/** A serverAuth leaf: issued by `int`, EKU serverAuth, the shared key, unless `spec` says. */
function leaf(spec: Partial<Spec>): Spec {
  return {
    subject: `/CN=${HOST}`,
    issuer: 'int',
    ca: false,
    eku: 'serverAuth',
    san: [`DNS:${HOST}`],
    key: 'shared',
    ...spec,
  };
}

const CERTS: Readonly<Record<string, Spec>> = {
  // Anchors and intermediates.
  root: { subject: '/CN=Stack Root', ca: true },
  int: { subject: '/CN=Stack Intermediate', issuer: 'root', ca: true },
  'other-root': { subject: '/CN=Stack Other Root', ca: true },
  'rsa-root': { subject: '/CN=Stack RSA Root', ca: true, keyType: 'rsa2048' },
  'int-sha1-rsa': {
    subject: '/CN=Stack Intermediate sha1WithRSA',
    issuer: 'rsa-root',
    ca: true,
    digest: 'sha1',
  },
  'int-sha1-ecdsa': {
    subject: '/CN=Stack Intermediate ecdsa-with-SHA1',
    issuer: 'root',
    ca: true,
    digest: 'sha1',
  },
  // The same intermediate (subject and key) signed again with SHA-256: a second route.
  'int-sha1-ecdsa-twin': {
    subject: '/CN=Stack Intermediate ecdsa-with-SHA1',
    issuer: 'root',
    ca: true,
    key: 'int-sha1-ecdsa',
  },
  'int-md5': {
    subject: '/CN=Stack Intermediate md5WithRSA',
    issuer: 'rsa-root',
    ca: true,
    digest: 'md5',
  },
  'root-sha1': { subject: '/CN=Stack Root SHA-1 self-signature', ca: true, digest: 'sha1' },
  'int-under-sha1-root': {
    subject: '/CN=Stack Intermediate under SHA-1 root',
    issuer: 'root-sha1',
    ca: true,
  },
  'root-md5': {
    subject: '/CN=Stack Root MD5 self-signature',
    ca: true,
    keyType: 'rsa2048',
    digest: 'md5',
  },
  'int-under-md5-root': {
    subject: '/CN=Stack Intermediate under MD5 root',
    issuer: 'root-md5',
    ca: true,
  },
  'int-eku-client': {
    subject: '/CN=Stack Intermediate EKU clientAuth',
    issuer: 'root',
    ca: true,
    eku: 'clientAuth',
  },
  'int-eku-any': {
    subject: '/CN=Stack Intermediate EKU anyExtendedKeyUsage',
    issuer: 'root',
    ca: true,
    eku: 'anyExtendedKeyUsage',
  },
  'int-no-key-cert-sign': {
    subject: '/CN=Stack Intermediate without keyCertSign',
    issuer: 'root',
    ca: true,
    keyUsage: 'critical, digitalSignature, cRLSign',
  },
  // CA:FALSE (keyCertSign asserted, so that basicConstraints is the only fault) issuing a leaf.
  'int-not-ca': {
    subject: '/CN=Stack Intermediate CA:FALSE',
    issuer: 'root',
    ca: false,
    keyUsage: 'critical, digitalSignature, keyCertSign',
  },
  'int-pathlen-0': {
    subject: '/CN=Stack Intermediate pathlen 0',
    issuer: 'root',
    ca: true,
    pathLen: 0,
  },
  'int-under-pathlen-0': {
    subject: '/CN=Stack Intermediate under pathlen 0',
    issuer: 'int-pathlen-0',
    ca: true,
  },

  // Leaves for the trust cases: they all name redis-1.v.local.
  leaf: leaf({}),
  leaf2: leaf({ subject: '/CN=redis-2.v.local', san: ['DNS:redis-2.v.local'] }),
  leaf3: leaf({ subject: '/CN=redis-3.v.local', san: ['DNS:redis-3.v.local'] }),
  'leaf-sha1-rsa': leaf({ issuer: 'int-sha1-rsa' }),
  'leaf-sha1-ecdsa': leaf({ issuer: 'int-sha1-ecdsa' }),
  'leaf-sha1-signed': leaf({ digest: 'sha1' }),
  'leaf-md5': leaf({ issuer: 'int-md5' }),
  'leaf-sha1-root': leaf({ issuer: 'int-under-sha1-root' }),
  'leaf-md5-root': leaf({ issuer: 'int-under-md5-root' }),
  'leaf-int-eku-client': leaf({ issuer: 'int-eku-client' }),
  'leaf-int-eku-any': leaf({ issuer: 'int-eku-any' }),
  'leaf-eku-any': leaf({ eku: 'anyExtendedKeyUsage' }),
  'leaf-int-no-key-cert-sign': leaf({ issuer: 'int-no-key-cert-sign' }),
  'leaf-pathlen-exceeded': leaf({ issuer: 'int-under-pathlen-0' }),
  'leaf-int-not-ca': leaf({ issuer: 'int-not-ca' }),
  'leaf-eku-client': leaf({ eku: 'clientAuth' }),
  'leaf-no-eku': without(leaf({}), 'eku'),
  'leaf-ca-true': leaf({ ca: true, keyUsage: 'critical, digitalSignature, keyCertSign' }),
  // Self-signed server certificates pinned through the CA file.
  'self-ca-false': without(leaf({}), 'issuer', 'key'),
  'self-ca-false-no-ku': without(leaf({ keyUsage: null }), 'issuer', 'key'),
  'self-ca-false-sha1': without(leaf({ digest: 'sha1' }), 'issuer', 'key'),
  node1: {
    subject: '/CN=node1.cluster.v.local',
    reqX509: [`DNS:*.${CLUSTER}`, `DNS:node1.${CLUSTER}`],
  },
  node2: {
    subject: '/CN=node2.cluster.v.local',
    reqX509: [`DNS:*.${CLUSTER}`, `DNS:node2.${CLUSTER}`],
  },
  node3: {
    subject: '/CN=node3.cluster.v.local',
    reqX509: [`DNS:*.${CLUSTER}`, `DNS:node3.${CLUSTER}`],
  },

  // Leaves for the name cases, issued by `int`.
  'cn-not-in-san': leaf({ san: ['DNS:*.v.local'] }),
  'cn-only': leaf({ san: [] }),
  'cn-ip': leaf({ subject: '/CN=127.0.0.1', san: [] }),
  'ip-cn-dns-san': leaf({ subject: '/CN=127.0.0.1', san: [`DNS:${HOST}`] }),
  'ip-san-v4': leaf({ subject: '/CN=IP SAN', san: ['IP:127.0.0.1'] }),
  'ip-san-v6': leaf({ subject: '/CN=IP SAN', san: ['IP:::1'] }),
  'ip-in-dns-san': leaf({ subject: '/CN=IP in a DNS SAN', san: ['DNS:127.0.0.1'] }),
  'san-trailing-dot': leaf({ subject: '/CN=Trailing dot', san: [`DNS:${HOST}.`] }),
  'tld-wildcard': leaf({ subject: '/CN=Public suffix wildcard', san: ['DNS:*.com'] }),
  'partial-wildcard': leaf({ subject: '/CN=Partial wildcard', san: [`DNS:redis-*.${CLUSTER}`] }),
  'partial-wildcard-no-hyphen': leaf({
    subject: '/CN=Partial wildcard',
    san: [`DNS:redis*.${CLUSTER}`],
  }),
  'full-wildcard': leaf({ subject: '/CN=Wildcard', san: [`DNS:*.${CLUSTER}`] }),
  // A malformed SAN entry next to one that matches (the CN is no host name).
  'san-non-ascii-dns': leaf({
    subject: '/CN=Malformed SAN',
    san: [],
    extra: [
      rawSan([
        ['dns', HOST],
        ['dns', 'b\u00fccher.v.local'],
      ]),
    ],
  }),
  'san-ip-5-bytes': leaf({
    subject: '/CN=Malformed SAN',
    san: [],
    extra: [
      rawSan([
        ['dns', HOST],
        ['ip', Buffer.from([127, 0, 0, 1, 1])],
      ]),
    ],
  }),
  'san-bad-uri': leaf({
    subject: '/CN=Malformed SAN',
    san: [],
    extra: [
      rawSan([
        ['dns', HOST],
        ['uri', 'http://[bad'],
      ]),
    ],
  }),
  // An unparseable SAN entry that does not match, and a CN that does (Java's fallback).
  'cn-fallback-ip-5-bytes': leaf({
    san: [],
    extra: [
      rawSan([
        ['dns', 'other.v.local'],
        ['ip', Buffer.from([127, 0, 0, 1, 1])],
      ]),
    ],
  }),
  'cn-fallback-uri-absolute': leaf({
    san: [],
    extra: [
      rawSan([
        ['dns', 'other.v.local'],
        ['uri', 'https://redis.v.local./'],
      ]),
    ],
  }),
  // More malformed entries beside one that matches: which parser refuses which entry.
  'san-ip-8-bytes': malformedSan(['ip', Buffer.from([127, 0, 0, 1, 255, 255, 255, 255])]),
  'san-email-non-ascii': malformedSan(['email', 'redis@b\u00fccher.v.local']),
  'san-uri-no-scheme': malformedSan(['uri', `${HOST}/db`]),
  'san-uri-bad-port': malformedSan(['uri', `redis://${HOST}:port/`]),
  'san-uri-bad-escape': malformedSan(['uri', `redis://${HOST}/%zz`]),
  'san-uri-underscore-host': malformedSan(['uri', 'redis://redis_1.v.local/']),
  'san-critical-ip-5-bytes': leaf({
    subject: '/CN=Malformed SAN',
    san: [],
    extra: [
      rawSan(
        [
          ['dns', HOST],
          ['ip', Buffer.from([127, 0, 0, 1, 1])],
        ],
        true,
      ),
    ],
  }),
  'san-non-ascii-dns-only': leaf({
    subject: '/CN=Malformed SAN',
    san: [],
    extra: [rawSan([['dns', 'b\u00fccher.v.local']])],
  }),
  // A directoryName ([4], explicit) that holds an INTEGER where a Name belongs: the
  // GeneralNames value does not decode as a whole, beside a dNSName that matches.
  'san-bad-directory-name': malformedSan(['raw', BAD_DIRECTORY_NAME]),
  // A dNSName in constructed form (BER: [2] around an IA5String), beside one that matches.
  'san-constructed-dns': malformedSan(['raw', CONSTRUCTED_DNS]),
  // The same broken entry beside a dNSName that does not match, and a CN that does.
  'cn-fallback-bad-directory-name': leaf({
    san: [],
    extra: [
      rawSan([
        ['dns', 'other.v.local'],
        ['raw', BAD_DIRECTORY_NAME],
      ]),
    ],
  }),
  // An rfc822Name Java cannot read (nothing after the @), and a CN that matches.
  'cn-fallback-email-at-end': leaf({
    san: [],
    extra: [
      rawSan([
        ['dns', 'other.v.local'],
        ['email', 'redis@'],
      ]),
    ],
  }),
  // Unicode CNs (UTF8String), no SAN.
  'cn-u-label': leaf({ subject: '/CN=b\u00fccher.v.local', san: [], utf8: true }),
  'cn-sharp-s': leaf({ subject: '/CN=stra\u00dfe.v.local', san: [], utf8: true }),
  'cn-soft-hyphen': leaf({ subject: '/CN=redis\u00ad-1.v.local', san: [], utf8: true }),
  'cn-u-label-upper': leaf({ subject: '/CN=B\u00dcCHER.v.local', san: [], utf8: true }),
  'cn-ideographic-full-stop': leaf({
    subject: '/CN=redis-1\u3002v\u3002local',
    san: [],
    utf8: true,
  }),
  'cn-fullwidth': leaf({ subject: '/CN=\uff52edis-1.v.local', san: [], utf8: true }),
  'cn-emoji': leaf({ subject: '/CN=\u{1f61c}.v.local', san: [], utf8: true }),
  'cn-hebrew': leaf({ subject: '/CN=\u05e9\u05dc\u05d5\u05dd.v.local', san: [], utf8: true }),
  'cn-mixed-bidi': leaf({
    subject: '/CN=a\u05e9\u05dc\u05d5\u05dd.v.local',
    san: [],
    utf8: true,
  }),
  'cn-trailing-dot': leaf({ subject: `/CN=${HOST}.`, san: [] }),
  // Two CNs: in one multi-valued RDN (DER sorts a SET OF: a. before b.), and in two RDNs.
  'cn-multi-valued-rdn': leaf({
    subject: '/CN=b.v.local+CN=a.v.local',
    san: [],
    multivalueRdn: true,
  }),
  'cn-two-rdns': leaf({ subject: '/CN=a.v.local/CN=b.v.local', san: [] }),
  // A-labels.
  'san-xn-wildcard': leaf({ subject: '/CN=IDNA', san: ['DNS:xn--*.v.local'] }),
  'san-wildcard': leaf({ subject: '/CN=Wildcard', san: ['DNS:*.v.local'] }),
  'san-a-label': leaf({ subject: '/CN=IDNA', san: ['DNS:xn--bcher-kva.v.local'] }),
};

/** A leaf whose SAN holds redis-1.v.local and one more entry, raw; its CN is no host name. */
function malformedSan(entry: RawName): Spec {
  return leaf({ subject: '/CN=Malformed SAN', san: [], extra: [rawSan([['dns', HOST], entry])] });
}

/** A made corpus certificate. */
export interface CorpusCert extends MadeCert {
  readonly pem: string;
}

async function makeNodeCert(dir: string, name: string, spec: Spec, san: readonly string[]) {
  // What a Redis Enterprise node generates for itself: `openssl req -x509` with the
  // configuration's v3_ca section, so basicConstraints CA:TRUE, and no EKU.
  const key = join(dir, `${name}-key.pem`);
  const cert = join(dir, `${name}.pem`);
  const result = await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-subj',
      spec.subject,
      '-addext',
      `subjectAltName = ${san.join(', ')}`,
      '-days',
      '365',
      '-out',
      cert,
    ],
    { cwd: dir },
  );
  if (result.code !== 0) throw new Error(`openssl req -x509 ${name}:\n${result.stderr}`);
  return { cert, key };
}

/** `spec` less some of its fields (a self-signed leaf has no issuer, its own key). */
function without(spec: Spec, ...fields: readonly (keyof Spec)[]): Spec {
  const dropped = new Set<string>(fields);
  return Object.fromEntries(
    Object.entries(spec).filter(([field]) => !dropped.has(field)),
  ) as unknown as Spec;
}

/** Makes every corpus certificate in `dir` (independent ones two at a time). */
export async function makeCorpusCerts(dir: string): Promise<ReadonlyMap<string, CorpusCert>> {
  const made = new Map<string, CorpusCert>();
  const shared = await makeCert(dir, { name: 'shared-leaf', subject: '/CN=key holder', ca: false });
  const make = async (name: string, spec: Spec): Promise<void> => {
    let paths: MadeCert;
    if (spec.reqX509 !== undefined) paths = await makeNodeCert(dir, name, spec, spec.reqX509);
    else {
      const { issuer, key, reqX509: _, ...rest } = spec;
      const issuerCert = issuer === undefined ? undefined : made.get(issuer);
      if (issuer !== undefined && issuerCert === undefined)
        throw new Error(`${name}: issuer ${issuer} is not made yet`);
      const keyFile =
        key === undefined ? undefined : key === 'shared' ? shared.key : made.get(key)?.key;
      if (key !== undefined && keyFile === undefined) throw new Error(`${name}: no key ${key}`);
      paths = await makeCert(dir, {
        ...rest,
        name,
        serial: String(1000 + entries.findIndex(([n]) => n === name)),
        ...(issuerCert === undefined ? {} : { issuer: issuerCert }),
        ...(keyFile === undefined ? {} : { keyFile }),
      });
    }
    made.set(name, { ...paths, pem: readFileSync(paths.cert, 'utf8') });
  };
  // Issuers first, one by one (each later one may depend on them); then the leaves, in parallel.
  const entries = Object.entries(CERTS);
  const issuers = new Set(entries.map(([, s]) => s.issuer));
  const isLeaf = ([name, s]: [string, Spec]): boolean => s.ca !== true && !issuers.has(name);
  for (const [name, spec] of entries.filter((e) => !isLeaf(e))) await make(name, spec);
  await mapLimit(entries.filter(isLeaf), 2, ([name, spec]) => make(name, spec));
  return made;
}

// ---------------------------------------------------------------------------------------------
// Cases.

/** One row of the matrix. */
export interface StackCase {
  /** A stable slug; the matrix is keyed by it. */
  readonly id: string;
  /** The items of issue 17 the row measures (0: a control row). */
  readonly items: readonly number[];
  /** One line: the shape, and what it is for. */
  readonly what: string;
  /** The certificates the server presents, leaf first. Default `leaf`, `int`. */
  readonly chain?: readonly string[];
  /** The CA file, in order. Default `root`. */
  readonly ca?: readonly string[];
  /** The reference identity. Default `redis-1.v.local`. */
  readonly host?: string;
}

const NODES = ['node1', 'node2', 'node3'];

const named = (cert: string, host: string = HOST): Pick<StackCase, 'chain' | 'host'> => ({
  chain: [cert, 'int'],
  host,
});

/** Every row of the matrix, in report order. */
export const STACK_CASES: readonly StackCase[] = [
  // Controls: a chain every stack accepts, and three every stack refuses.
  { id: 'chain-ok', items: [0], what: 'leaf + intermediate presented, root in the CA file' },
  {
    id: 'untrusted-root',
    items: [0],
    what: 'the CA file holds an unrelated root',
    ca: ['other-root'],
  },
  {
    id: 'missing-intermediate',
    items: [0],
    what: 'the server presents the leaf alone',
    chain: ['leaf'],
  },
  {
    id: 'intermediate-in-ca-file',
    items: [0],
    what: 'the server presents the leaf alone; the CA file has root + intermediate',
    chain: ['leaf'],
    ca: ['root', 'int'],
  },
  {
    id: 'name-mismatch',
    items: [0],
    what: 'SAN redis-1.v.local, reference redis-2.v.local',
    host: 'redis-2.v.local',
  },

  // Item 1.
  {
    id: 'cn-not-in-san',
    items: [1],
    what: 'CN redis-1.v.local, SAN *.v.local only',
    ...named('cn-not-in-san'),
  },
  // Item 2.
  {
    id: 'pinned-node-ca-true',
    items: [2],
    what: 'openssl req -x509 node certificate (CA:TRUE, no EKU) trusted through a bundle of three',
    chain: ['node1'],
    ca: NODES,
    host: `redis-12000.${CLUSTER}`,
  },
  {
    id: 'pinned-node-not-in-bundle',
    items: [2],
    what: 'the same node certificate, absent from the bundle of the other two',
    chain: ['node1'],
    ca: ['node2', 'node3'],
    host: `redis-12000.${CLUSTER}`,
  },
  {
    id: 'pinned-self-signed-ca-false',
    items: [2],
    what: 'self-signed CA:FALSE server certificate (keyUsage digitalSignature) in the bundle',
    chain: ['self-ca-false'],
    ca: ['node1', 'node2', 'self-ca-false'],
  },
  {
    id: 'pinned-self-signed-ca-false-no-ku',
    items: [2],
    what: 'self-signed CA:FALSE server certificate without keyUsage in the bundle',
    chain: ['self-ca-false-no-ku'],
    ca: ['node1', 'node2', 'self-ca-false-no-ku'],
  },
  {
    id: 'pinned-self-signed-sha1',
    items: [2, 7],
    what: 'self-signed CA:FALSE server certificate signed with ecdsa-with-SHA1, in the bundle',
    chain: ['self-ca-false-sha1'],
    ca: ['node1', 'self-ca-false-sha1'],
  },
  // Item 5.
  {
    id: 'partial-intermediate-only',
    items: [5],
    what: 'the CA file holds the intermediate, no root',
    ca: ['int'],
  },
  {
    id: 'partial-leaves-and-intermediate',
    items: [5],
    what: 'the CA file holds fetched leaves + the intermediate, no root',
    ca: ['leaf', 'leaf2', 'leaf3', 'int'],
  },
  {
    id: 'partial-leaf-pinned',
    items: [5],
    what: 'the CA file holds the CA-issued leaf itself',
    ca: ['leaf'],
  },
  // Items 6 and 7: signatures.
  {
    id: 'sha1-rsa-intermediate',
    items: [6, 7],
    what: 'intermediate signed sha1WithRSA by an RSA root: the only route',
    chain: ['leaf-sha1-rsa', 'int-sha1-rsa'],
    ca: ['rsa-root'],
  },
  {
    id: 'sha1-ecdsa-intermediate',
    items: [6, 7],
    what: 'intermediate signed ecdsa-with-SHA1: the only route',
    chain: ['leaf-sha1-ecdsa', 'int-sha1-ecdsa'],
  },
  {
    id: 'sha1-ecdsa-intermediate-sha256-twin',
    items: [7],
    what: 'the ecdsa-with-SHA1 intermediate presented, its SHA-256 twin (same name and key) in the CA file',
    chain: ['leaf-sha1-ecdsa', 'int-sha1-ecdsa'],
    ca: ['root', 'int-sha1-ecdsa-twin'],
  },
  {
    id: 'sha1-leaf',
    items: [6, 7],
    what: 'leaf signed ecdsa-with-SHA1 by the intermediate',
    chain: ['leaf-sha1-signed', 'int'],
  },
  {
    id: 'sha1-root-self-signature',
    items: [7],
    what: 'the trust anchor signs itself with ecdsa-with-SHA1; the rest is SHA-256',
    chain: ['leaf-sha1-root', 'int-under-sha1-root'],
    ca: ['root-sha1'],
  },
  {
    id: 'md5-intermediate',
    items: [6],
    what: 'intermediate signed md5WithRSA',
    chain: ['leaf-md5', 'int-md5'],
    ca: ['rsa-root'],
  },
  {
    id: 'md5-root-self-signature',
    items: [6],
    what: 'the trust anchor signs itself with md5WithRSA; the rest is SHA-256',
    chain: ['leaf-md5-root', 'int-under-md5-root'],
    ca: ['root-md5'],
  },
  // Item 6: EKU and basic constraints.
  {
    id: 'leaf-eku-client-only',
    items: [6],
    what: 'leaf EKU clientAuth only',
    ...named('leaf-eku-client'),
  },
  { id: 'leaf-no-eku', items: [6], what: 'leaf without EKU', ...named('leaf-no-eku') },
  {
    id: 'intermediate-eku-client-only',
    items: [6],
    what: 'intermediate EKU clientAuth only, leaf EKU serverAuth',
    chain: ['leaf-int-eku-client', 'int-eku-client'],
  },
  {
    id: 'intermediate-eku-any',
    items: [6],
    what: 'intermediate EKU anyExtendedKeyUsage only, leaf EKU serverAuth',
    chain: ['leaf-int-eku-any', 'int-eku-any'],
  },
  {
    id: 'leaf-eku-any',
    items: [6],
    what: 'leaf EKU anyExtendedKeyUsage only',
    ...named('leaf-eku-any'),
  },
  {
    id: 'intermediate-not-ca',
    items: [6],
    what: 'intermediate basicConstraints CA:FALSE (keyUsage keyCertSign) issuing the leaf',
    chain: ['leaf-int-not-ca', 'int-not-ca'],
  },
  {
    id: 'intermediate-no-key-cert-sign',
    items: [6],
    what: 'intermediate CA:TRUE whose keyUsage lacks keyCertSign',
    chain: ['leaf-int-no-key-cert-sign', 'int-no-key-cert-sign'],
  },
  {
    id: 'pathlen-exceeded',
    items: [6],
    what: 'root -> intermediate (pathlen 0) -> intermediate -> leaf',
    chain: ['leaf-pathlen-exceeded', 'int-under-pathlen-0', 'int-pathlen-0'],
  },
  {
    id: 'leaf-ca-true',
    items: [6],
    what: 'CA:TRUE leaf (keyUsage digitalSignature, keyCertSign) issued by the intermediate',
    ...named('leaf-ca-true'),
  },
  // Item 9: a malformed SAN entry beside one that matches.
  {
    id: 'san-non-ascii-dns',
    items: [9],
    what: 'SAN DNS redis-1.v.local + a dNSName with a 0xFC byte',
    ...named('san-non-ascii-dns'),
  },
  {
    id: 'san-ip-5-bytes',
    items: [9],
    what: 'SAN DNS redis-1.v.local + a 5-byte iPAddress',
    ...named('san-ip-5-bytes'),
  },
  {
    id: 'san-bad-uri',
    items: [9],
    what: 'SAN DNS redis-1.v.local + URI http://[bad',
    ...named('san-bad-uri'),
  },
  {
    id: 'san-ip-8-bytes',
    items: [9],
    what: 'SAN DNS redis-1.v.local + an 8-byte iPAddress (address and mask, as in name constraints)',
    ...named('san-ip-8-bytes'),
  },
  {
    id: 'san-email-non-ascii',
    items: [9],
    what: 'SAN DNS redis-1.v.local + an rfc822Name with a 0xFC byte',
    ...named('san-email-non-ascii'),
  },
  {
    id: 'san-uri-no-scheme',
    items: [9, 10],
    what: 'SAN DNS redis-1.v.local + URI redis-1.v.local/db (a relative reference, no scheme)',
    ...named('san-uri-no-scheme'),
  },
  {
    id: 'san-uri-bad-port',
    items: [9, 10],
    what: 'SAN DNS redis-1.v.local + URI redis://redis-1.v.local:port/ (a port that is no number)',
    ...named('san-uri-bad-port'),
  },
  {
    id: 'san-uri-bad-escape',
    items: [9, 10],
    what: 'SAN DNS redis-1.v.local + URI redis://redis-1.v.local/%zz (a broken percent escape)',
    ...named('san-uri-bad-escape'),
  },
  {
    id: 'san-uri-underscore-host',
    items: [9, 10],
    what: 'SAN DNS redis-1.v.local + URI redis://redis_1.v.local/ (a host that is no host name)',
    ...named('san-uri-underscore-host'),
  },
  {
    id: 'san-critical-ip-5-bytes',
    items: [9, 10],
    what: 'critical SAN: DNS redis-1.v.local + a 5-byte iPAddress',
    ...named('san-critical-ip-5-bytes'),
  },
  {
    id: 'san-non-ascii-dns-only',
    items: [9, 10],
    what: 'SAN only a dNSName b<0xFC>cher.v.local; reference xn--bcher-kva.v.local',
    ...named('san-non-ascii-dns-only', 'xn--bcher-kva.v.local'),
  },
  // Item 10.
  {
    id: 'cn-fallback-email-at-end',
    items: [10],
    what: 'CN redis-1.v.local; SAN DNS other.v.local + rfc822Name redis@ (no domain)',
    ...named('cn-fallback-email-at-end'),
  },
  {
    id: 'san-bad-directory-name',
    items: [9, 10],
    what: 'SAN DNS redis-1.v.local + a directoryName holding an INTEGER (the SAN does not decode)',
    ...named('san-bad-directory-name'),
  },
  {
    id: 'san-constructed-dns',
    items: [9, 10],
    what: 'SAN DNS redis-1.v.local + a dNSName other.v.local in constructed (BER) form',
    ...named('san-constructed-dns'),
  },
  {
    id: 'cn-fallback-bad-directory-name',
    items: [10],
    what: 'CN redis-1.v.local; SAN DNS other.v.local + a directoryName holding an INTEGER',
    ...named('cn-fallback-bad-directory-name'),
  },
  {
    id: 'cn-fallback-ip-5-bytes',
    items: [10],
    what: 'CN redis-1.v.local; SAN DNS other.v.local + a 5-byte iPAddress',
    ...named('cn-fallback-ip-5-bytes'),
  },
  {
    id: 'cn-fallback-uri-absolute',
    items: [10],
    what: 'CN redis-1.v.local; SAN DNS other.v.local + URI https://redis.v.local./ (absolute host)',
    ...named('cn-fallback-uri-absolute'),
  },
  {
    id: 'cn-u-label',
    items: [10],
    what: 'CN bücher.v.local (UTF8String), no SAN; reference xn--bcher-kva.v.local',
    ...named('cn-u-label', 'xn--bcher-kva.v.local'),
  },
  {
    id: 'cn-sharp-s',
    items: [10],
    what: 'CN straße.v.local, no SAN; reference strasse.v.local',
    ...named('cn-sharp-s', 'strasse.v.local'),
  },
  {
    id: 'cn-sharp-s-idna2008',
    items: [10],
    what: 'CN straße.v.local, no SAN; reference xn--strae-oqa.v.local (IDNA 2008)',
    ...named('cn-sharp-s', 'xn--strae-oqa.v.local'),
  },
  {
    id: 'cn-soft-hyphen',
    items: [10],
    what: 'CN redis<U+00AD>-1.v.local, no SAN; reference redis-1.v.local',
    ...named('cn-soft-hyphen'),
  },
  {
    id: 'cn-u-label-upper',
    items: [10],
    what: 'CN BÜCHER.v.local, no SAN; reference xn--bcher-kva.v.local',
    ...named('cn-u-label-upper', 'xn--bcher-kva.v.local'),
  },
  {
    id: 'cn-ideographic-full-stop',
    items: [10],
    what: 'CN redis-1<U+3002>v<U+3002>local (ideographic full stops), no SAN; reference redis-1.v.local',
    ...named('cn-ideographic-full-stop'),
  },
  {
    id: 'cn-fullwidth',
    items: [10],
    what: 'CN <U+FF52>edis-1.v.local (a fullwidth r: not in NFKC), no SAN; reference redis-1.v.local',
    ...named('cn-fullwidth'),
  },
  {
    id: 'cn-emoji',
    items: [10],
    what: 'CN <U+1F61C>.v.local (not assigned in Unicode 3.2), no SAN; reference xn--628h.v.local',
    ...named('cn-emoji', 'xn--628h.v.local'),
  },
  {
    id: 'cn-hebrew',
    items: [10],
    what: 'CN <Hebrew shalom>.v.local (right-to-left only), no SAN; reference xn--9dbne9b.v.local',
    ...named('cn-hebrew', 'xn--9dbne9b.v.local'),
  },
  {
    id: 'cn-mixed-bidi',
    items: [10],
    what: 'CN a<Hebrew shalom>.v.local (left-to-right and right-to-left in one label), no SAN; reference xn--a-bicuf1d.v.local',
    ...named('cn-mixed-bidi', 'xn--a-bicuf1d.v.local'),
  },
  {
    id: 'cn-multi-valued-rdn-first',
    items: [10],
    what: 'one RDN CN=a.v.local+CN=b.v.local (as encoded), no SAN; reference a.v.local',
    ...named('cn-multi-valued-rdn', 'a.v.local'),
  },
  {
    id: 'cn-multi-valued-rdn-second',
    items: [10],
    what: 'one RDN CN=a.v.local+CN=b.v.local (as encoded), no SAN; reference b.v.local',
    ...named('cn-multi-valued-rdn', 'b.v.local'),
  },
  {
    id: 'cn-two-rdns-first',
    items: [10],
    what: 'two RDNs CN=a.v.local, CN=b.v.local, no SAN; reference a.v.local',
    ...named('cn-two-rdns', 'a.v.local'),
  },
  {
    id: 'cn-two-rdns-last',
    items: [10],
    what: 'two RDNs CN=a.v.local, CN=b.v.local, no SAN; reference b.v.local',
    ...named('cn-two-rdns', 'b.v.local'),
  },
  {
    id: 'xn-host-xn-wildcard',
    items: [10],
    what: 'SAN xn--*.v.local; reference xn--bcher-kva.v.local',
    ...named('san-xn-wildcard', 'xn--bcher-kva.v.local'),
  },
  {
    id: 'xn-host-wildcard',
    items: [10],
    what: 'SAN *.v.local; reference xn--bcher-kva.v.local',
    ...named('san-wildcard', 'xn--bcher-kva.v.local'),
  },
  {
    id: 'xn-host-exact',
    items: [10],
    what: 'SAN xn--bcher-kva.v.local; reference the same',
    ...named('san-a-label', 'xn--bcher-kva.v.local'),
  },
  // Item 11.
  {
    id: 'san-trailing-dot',
    items: [11],
    what: 'SAN redis-1.v.local. (CN no host name)',
    ...named('san-trailing-dot'),
  },
  {
    id: 'san-and-reference-trailing-dot',
    items: [11],
    what: 'SAN redis-1.v.local.; reference redis-1.v.local.',
    ...named('san-trailing-dot', `${HOST}.`),
  },
  {
    id: 'cn-trailing-dot',
    items: [11],
    what: 'CN redis-1.v.local., no SAN; reference redis-1.v.local',
    ...named('cn-trailing-dot'),
  },
  {
    id: 'reference-trailing-dot',
    items: [11],
    what: 'SAN redis-1.v.local; reference redis-1.v.local.',
    ...named('leaf', `${HOST}.`),
  },
  {
    id: 'tld-wildcard',
    items: [11],
    what: 'SAN *.com; reference redis.com',
    ...named('tld-wildcard', 'redis.com'),
  },
  {
    id: 'partial-wildcard',
    items: [11],
    what: 'SAN redis-*.cluster.v.local; reference redis-12000.cluster.v.local',
    ...named('partial-wildcard', `redis-12000.${CLUSTER}`),
  },
  {
    id: 'partial-wildcard-no-hyphen',
    items: [11],
    what: 'SAN redis*.cluster.v.local; reference redis12000.cluster.v.local',
    ...named('partial-wildcard-no-hyphen', `redis12000.${CLUSTER}`),
  },
  {
    id: 'full-wildcard',
    items: [11],
    what: 'SAN *.cluster.v.local; reference redis-12000.cluster.v.local',
    ...named('full-wildcard', `redis-12000.${CLUSTER}`),
  },
  // CN-only and IP references.
  { id: 'cn-only', items: [1], what: 'CN redis-1.v.local, no SAN', ...named('cn-only') },
  {
    id: 'ip-san-v4',
    items: [11],
    what: 'SAN IP 127.0.0.1; reference 127.0.0.1',
    ...named('ip-san-v4', '127.0.0.1'),
  },
  { id: 'ip-san-v6', items: [11], what: 'SAN IP ::1; reference ::1', ...named('ip-san-v6', '::1') },
  {
    id: 'ip-in-cn',
    items: [11],
    what: 'CN 127.0.0.1, no SAN; reference 127.0.0.1',
    ...named('cn-ip', '127.0.0.1'),
  },
  {
    id: 'ip-in-cn-dns-san',
    items: [11],
    what: 'CN 127.0.0.1, SAN DNS redis-1.v.local; reference 127.0.0.1',
    ...named('ip-cn-dns-san', '127.0.0.1'),
  },
  {
    id: 'ip-in-dns-san',
    items: [11],
    what: 'SAN DNS 127.0.0.1 (an IP written as a DNS name); reference 127.0.0.1',
    ...named('ip-in-dns-san', '127.0.0.1'),
  },
];

/** The harness inputs of the cases: CA files written to `dir`. */
export function caseInputs(
  dir: string,
  certs: ReadonlyMap<string, CorpusCert>,
  cases: readonly StackCase[] = STACK_CASES,
): StackInput[] {
  const pem = (name: string): string => {
    const cert = certs.get(name);
    if (cert === undefined) throw new Error(`no corpus certificate ${name}`);
    return cert.pem;
  };
  return cases.map((c) => {
    const chain = c.chain ?? ['leaf', 'int'];
    const leafName = chain[0] ?? '';
    const leafCert = certs.get(leafName);
    if (leafCert === undefined) throw new Error(`${c.id}: no leaf ${leafName}`);
    const caFile = join(dir, `ca-${c.id}.pem`);
    writeFileSync(caFile, (c.ca ?? ['root']).map(pem).join(''));
    return {
      id: c.id,
      chainPem: chain.map(pem).join(''),
      keyPem: readFileSync(leafCert.key, 'utf8'),
      caFile,
      host: c.host ?? HOST,
    };
  });
}
