/**
 * Inputs of `pnpm bench`, made with the openssl command line (independent of the code measured):
 * an existing RSA-4096 key (renewal case), a 3-level RSA-2048 chain (verify case) and a
 * 5,000-certificate PEM file (bundle cases). The 5,000-certificate file takes ~20 s to make, so
 * it is kept in the system's temporary folder and reused while openssl's version is the same.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCert } from '../test/helpers/pki.js';
import { runProcess } from './lib.js';

/** Paths of the bench inputs. */
export interface BenchFixtures {
  /** An RSA-4096 private key, PKCS#8 PEM. */
  readonly existingKey: string;
  readonly chain: { readonly root: string; readonly intermediate: string; readonly leaf: string };
  /** 5,000 certificates in one PEM file. */
  readonly bundle: string;
  readonly bundleCount: number;
}

/** Number of certificates in the bundle cases. */
export const BUNDLE_CERTIFICATES = 5000;

async function openssl(args: readonly string[], cwd: string): Promise<string> {
  return (await runProcess('openssl', args, { cwd, captureStdout: true })).stdout;
}

/**
 * Makes the bench inputs in `dir` (the large bundle in a cache folder). `bundleCount` below
 * {@link BUNDLE_CERTIFICATES} takes the first certificates of the large bundle (quick mode).
 */
export async function makeFixtures(
  dir: string,
  bundleCount = BUNDLE_CERTIFICATES,
): Promise<BenchFixtures> {
  const existingKey = join(dir, 'existing-key.pem');
  await openssl(
    ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096', '-out', existingKey],
    dir,
  );
  const root = await makeCert(dir, {
    name: 'root',
    subject: '/O=Bench/CN=Bench Root',
    ca: true,
    keyType: 'rsa2048',
    days: 3650,
  });
  const intermediate = await makeCert(dir, {
    name: 'intermediate',
    subject: '/O=Bench/CN=Bench Intermediate',
    ca: true,
    pathLen: 0,
    issuer: root,
    keyType: 'rsa2048',
    days: 1825,
  });
  const leaf = await makeCert(dir, {
    name: 'leaf',
    subject: '/O=Bench/CN=redis-12000.cluster.local',
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:redis-12000.cluster.local', 'DNS:*.cluster.local'],
    issuer: intermediate,
    keyType: 'rsa2048',
    days: 365,
  });
  let bundle = await largeBundle();
  if (bundleCount < BUNDLE_CERTIFICATES) {
    const end = '-----END CERTIFICATE-----\n';
    const blocks = readFileSync(bundle, 'utf8').split(end).slice(0, bundleCount);
    bundle = join(dir, `bundle-${String(bundleCount)}.pem`);
    writeFileSync(bundle, blocks.map((b) => b + end).join(''));
  }
  return {
    existingKey,
    chain: { root: root.cert, intermediate: intermediate.cert, leaf: leaf.cert },
    bundle,
    bundleCount,
  };
}

/**
 * 5,000 distinct certificates (distinct serials) for 10 subjects, half with RSA-2048 keys and half
 * with P-256 keys, issued by one P-256 CA in a single `openssl ca` run (one process, not 5,000).
 */
async function largeBundle(): Promise<string> {
  const version = (await openssl(['version'], tmpdir())).trim().replace(/[^A-Za-z0-9.]+/g, '-');
  const cache = join(tmpdir(), `certkit-bench-${version}`);
  const file = join(cache, `bundle-${String(BUNDLE_CERTIFICATES)}.pem`);
  if (existsSync(file)) return file;
  const work = join(cache, `work-${String(process.pid)}`);
  mkdirSync(join(work, 'new'), { recursive: true });
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca-key.pem'],
    work,
  );
  await openssl(
    ['req', '-x509', '-new', '-key', 'ca-key.pem', '-subj', '/O=Bench/CN=Bench Bundle CA'],
    work,
  ).then((pem) => {
    writeFileSync(join(work, 'ca.pem'), pem);
  });
  const requests: string[] = [];
  for (let i = 0; i < 10; i++) {
    const key = `k${String(i)}.pem`;
    await openssl(
      i % 2 === 0
        ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]
        : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key],
      work,
    );
    const csr = `r${String(i)}.csr`;
    await openssl(
      [
        'req',
        '-new',
        '-key',
        key,
        '-subj',
        `/O=Bench/CN=node${String(i)}.cluster.local`,
        '-out',
        csr,
      ],
      work,
    );
    requests.push(csr);
  }
  writeFileSync(join(work, 'index.txt'), '');
  writeFileSync(join(work, 'serial'), '1000\n');
  writeFileSync(
    join(work, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = bench',
      '[bench]',
      'dir = .',
      'database = index.txt',
      'serial = serial',
      'new_certs_dir = new',
      'certificate = ca.pem',
      'private_key = ca-key.pem',
      'default_md = sha256',
      'default_days = 825',
      'policy = any',
      'unique_subject = no',
      'x509_extensions = leaf',
      '[any]',
      'commonName = supplied',
      'organizationName = optional',
      '[leaf]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      'subjectAltName = DNS:redis-12000.cluster.local, DNS:*.cluster.local',
      '',
    ].join('\n'),
  );
  const infiles = Array.from({ length: BUNDLE_CERTIFICATES }, (_, i) => requests[i % 10] ?? '');
  await runProcess(
    'openssl',
    ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-out', 'last.pem', '-infiles', ...infiles],
    { cwd: work },
  );
  // openssl ca writes every certificate to new/<serial>.pem; serial order is issue order.
  const pems = readdirSync(join(work, 'new'))
    .sort()
    .map((name) => readFileSync(join(work, 'new', name), 'utf8'));
  if (pems.length !== BUNDLE_CERTIFICATES) {
    throw new Error(
      `openssl ca made ${String(pems.length)} certificates, not ${String(BUNDLE_CERTIFICATES)}`,
    );
  }
  writeFileSync(join(work, 'bundle.pem'), pems.join(''));
  renameSync(join(work, 'bundle.pem'), file);
  rmSync(work, { recursive: true, force: true });
  return file;
}
