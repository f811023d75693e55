/**
 * Test PKI made with the `openssl` command line (independent of the code under test): roots,
 * intermediates and leaves with chosen extensions. Fast EC P-256 keys by default.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl } from './openssl.js';

export interface MadeCert {
  /** Path of the PEM certificate. */
  readonly cert: string;
  /** Path of the PEM private key. */
  readonly key: string;
}

export interface CertSpec {
  /** File stem in `dir`: `<name>.pem`, `<name>-key.pem`. */
  readonly name: string;
  /** OpenSSL subject, e.g. `/CN=Test Root`. */
  readonly subject: string;
  /** Signed by this certificate; self-signed when absent. */
  readonly issuer?: MadeCert;
  /** basicConstraints CA:TRUE (critical) when true; CA:FALSE when false; absent when undefined. */
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** keyUsage, e.g. `critical, keyCertSign, cRLSign`. Default: CA usages for CAs, digitalSignature otherwise. */
  readonly keyUsage?: string | null;
  /** extendedKeyUsage, e.g. `serverAuth` or `clientAuth,serverAuth`; none when absent. */
  readonly eku?: string;
  /** subjectAltName entries, e.g. [`DNS:*.example.com`, `IP:127.0.0.1`]. */
  readonly san?: readonly string[];
  /** Extra extension lines for the extfile (e.g. `nameConstraints = critical, permitted;DNS:example.com`). */
  readonly extra?: readonly string[];
  readonly days?: number;
  /** Key: `ec` (P-256, default), `rsa2048`, `rsa1024`, `rsa4096`. */
  readonly keyType?: 'ec' | 'rsa2048' | 'rsa1024' | 'rsa4096';
  /** Signature digest: sha256 (default), sha1 or md5 (md5 needs an RSA issuer key). */
  readonly digest?: 'sha256' | 'sha1' | 'md5';
  /** Read `subject` as UTF-8 (`req -utf8`), for non-ASCII names. */
  readonly utf8?: boolean;
  /** `+` joins attributes into one multi-valued RDN (`req -multivalue-rdn`). */
  readonly multivalueRdn?: boolean;
  /** Serial number (decimal or 0x hex); default a serial file next to the issuer, which
   * certificates of one issuer made in parallel must not share. */
  readonly serial?: string;
  /** Use this existing key instead of making one. */
  readonly keyFile?: string;
}

async function must(args: readonly string[], cwd: string): Promise<void> {
  const result = await openssl(args, { cwd });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
}

/** Makes a certificate with `openssl`; returns the paths of its PEM certificate and key. */
export async function makeCert(dir: string, spec: CertSpec): Promise<MadeCert> {
  const key = spec.keyFile ?? join(dir, `${spec.name}-key.pem`);
  const cert = join(dir, `${spec.name}.pem`);
  if (spec.keyFile === undefined) {
    const type = spec.keyType ?? 'ec';
    const args =
      type === 'ec'
        ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]
        : [
            'genpkey',
            '-algorithm',
            'RSA',
            '-pkeyopt',
            `rsa_keygen_bits:${type.slice(3)}`,
            '-out',
            key,
          ];
    await must(args, dir);
  }
  const lines: string[] = ['subjectKeyIdentifier = hash'];
  if (spec.issuer !== undefined) lines.push('authorityKeyIdentifier = keyid');
  if (spec.ca === true)
    lines.push(
      `basicConstraints = critical, CA:TRUE${spec.pathLen === undefined ? '' : `, pathlen:${String(spec.pathLen)}`}`,
    );
  if (spec.ca === false) lines.push('basicConstraints = critical, CA:FALSE');
  const keyUsage =
    spec.keyUsage === undefined
      ? spec.ca === true
        ? 'critical, keyCertSign, cRLSign'
        : 'critical, digitalSignature'
      : spec.keyUsage;
  if (keyUsage !== null) lines.push(`keyUsage = ${keyUsage}`);
  if (spec.eku !== undefined) lines.push(`extendedKeyUsage = ${spec.eku}`);
  if (spec.san !== undefined && spec.san.length > 0)
    lines.push(`subjectAltName = ${spec.san.join(', ')}`);
  lines.push(...(spec.extra ?? []));
  const extfile = join(dir, `${spec.name}.ext`);
  writeFileSync(extfile, `[v3]\n${lines.join('\n')}\n`);
  const csr = join(dir, `${spec.name}.csr`);
  await must(
    [
      'req',
      '-new',
      ...(spec.utf8 === true ? ['-utf8'] : []),
      ...(spec.multivalueRdn === true ? ['-multivalue-rdn'] : []),
      '-key',
      key,
      '-subj',
      spec.subject,
      '-out',
      csr,
    ],
    dir,
  );
  const signer =
    spec.issuer === undefined
      ? ['-signkey', key]
      : ['-CA', spec.issuer.cert, '-CAkey', spec.issuer.key];
  const serial =
    spec.serial !== undefined
      ? ['-set_serial', spec.serial]
      : spec.issuer === undefined
        ? []
        : ['-CAcreateserial'];
  await must(
    [
      'x509',
      '-req',
      '-in',
      csr,
      ...signer,
      ...serial,
      '-days',
      String(spec.days ?? 365),
      `-${spec.digest ?? 'sha256'}`,
      '-extfile',
      extfile,
      '-extensions',
      'v3',
      '-out',
      cert,
    ],
    dir,
  );
  return { cert, key };
}
