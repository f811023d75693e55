/**
 * The differential corpus of the client-stack models (issue 5): certificates with chosen SAN/CN
 * patterns, made with the openssl CLI under one test root, and the host names tried on each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The per-stack model functions, below clientVerdicts (checkEndpointCertificate's names[].clients): they take a certificate's names.
import { clientVerdict, presentedNames } from '../../packages/core/src/judge/clients.js';
import { parseCertificates } from '../../packages/core/src/x509/certificates.js';
import type { ClientStack } from '@certkit/core';
import { makeCert } from '../helpers/pki.js';
import type { MadeCert } from '../helpers/pki.js';
import type { StackInput, Verdict } from './stacks/harness.js';

export interface CorpusCert {
  /** A name for the row. */
  readonly name: string;
  /** OpenSSL subject. */
  readonly subject: string;
  /** subjectAltName entries; none when empty. */
  readonly san: readonly string[];
}

export const CORPUS_CERTS: readonly CorpusCert[] = [
  { name: 'full-wildcard', subject: '/CN=redislabs.com', san: ['DNS:*.redislabs.com'] },
  { name: 'hyphen-partial', subject: '/CN=redislabs.com', san: ['DNS:redis-*.redislabs.com'] },
  { name: 'cn-only', subject: '/CN=redis-12000.redislabs.com', san: [] },
  { name: 'prefix-partial', subject: '/CN=redislabs.com', san: ['DNS:redis*.redislabs.com'] },
  { name: 'suffix-partial', subject: '/CN=redislabs.com', san: ['DNS:*-12000.redislabs.com'] },
  { name: 'middle-wildcard', subject: '/CN=redislabs.com', san: ['DNS:r*0.redislabs.com'] },
  { name: 'internal-wildcard', subject: '/CN=x', san: ['DNS:*.internal.redislabs.com'] },
  {
    name: 'apex-and-wildcard',
    subject: '/CN=x',
    san: ['DNS:redislabs.com', 'DNS:*.redislabs.com'],
  },
  { name: 'tld-wildcard', subject: '/CN=x', san: ['DNS:*.com'] },
  { name: 'second-label-wildcard', subject: '/CN=x', san: ['DNS:a.*.redislabs.com'] },
  { name: 'double-star', subject: '/CN=x', san: ['DNS:**.redislabs.com'] },
  { name: 'bare-star', subject: '/CN=x', san: ['DNS:*'] },
  { name: 'cn-wildcard', subject: '/CN=*.redislabs.com', san: [] },
  { name: 'cn-partial', subject: '/CN=redis-*.redislabs.com', san: [] },
  { name: 'upper-case-san', subject: '/CN=x', san: ['DNS:REDIS-12000.RedisLabs.COM'] },
  { name: 'ip-san-cn-fallback', subject: '/CN=redis-12000.redislabs.com', san: ['IP:127.0.0.1'] },
  {
    name: 'san-hides-cn',
    subject: '/CN=redis-12000.redislabs.com',
    san: ['DNS:other.example.com'],
  },
  { name: 'idna-partial', subject: '/CN=x', san: ['DNS:xn--*.redislabs.com'] },
  { name: 'trailing-dot-pattern', subject: '/CN=x', san: ['DNS:*.redislabs.com.'] },
  { name: 'exact-name', subject: '/CN=x', san: ['DNS:redis-12000.redislabs.com'] },
  { name: 'underscore-wildcard', subject: '/CN=x', san: ['DNS:*_db.redislabs.com'] },
  { name: 'two-cns', subject: '/CN=redis-12000.redislabs.com/CN=other.example.com', san: [] },
];

export const CORPUS_HOSTS: readonly string[] = [
  'redis-12000.redislabs.com',
  'redis.redislabs.com',
  'redislabs.com',
  'REDIS-12000.REDISLABS.COM',
  'redis-12000.internal.redislabs.com',
  'a.b.redislabs.com',
  'x-12000.redislabs.com',
  'redis-12000.other.com',
  'xn--redis.redislabs.com',
  'redis1.redislabs.com',
  'r0.redislabs.com',
  'a.com',
  'other.example.com',
  'x_db.redislabs.com',
  'redis-12000.redislabs.com.',
];

export interface MadeCorpus {
  readonly root: MadeCert;
  readonly certs: readonly (CorpusCert &
    MadeCert & { readonly pem: string; readonly keyPem: string })[];
}

/** Makes the root and one leaf per corpus row (one shared leaf key: fast, and irrelevant here). */
export async function makeCorpus(dir: string): Promise<MadeCorpus> {
  const root = await makeCert(dir, { name: 'root', subject: '/CN=Corpus Root', ca: true });
  const first = await makeCert(dir, {
    name: 'leaf-key-holder',
    subject: '/CN=key',
    issuer: root,
    ca: false,
  });
  const certs = [];
  for (const row of CORPUS_CERTS) {
    const made = await makeCert(dir, {
      name: row.name,
      subject: row.subject,
      issuer: root,
      ca: false,
      eku: 'serverAuth',
      san: row.san,
      keyFile: first.key,
    });
    certs.push({
      ...row,
      ...made,
      pem: readFileSync(made.cert, 'utf8'),
      keyPem: readFileSync(join(made.key), 'utf8'),
    });
  }
  return { root, certs };
}

/**
 * Harness inputs for every corpus certificate and host (the corpus root is the CA file, so that
 * every refusal of a real stack is a name refusal), with each input's presented names.
 */
export function corpusInputs(
  corpus: MadeCorpus,
  hosts: readonly string[],
): (StackInput & { readonly names: ReturnType<typeof presentedNames> })[] {
  return corpus.certs.flatMap((cert) => {
    const parsed = parseCertificates(Buffer.from(cert.pem), cert.name)[0];
    assert.ok(parsed, cert.name);
    const names = presentedNames(parsed);
    return hosts.map((host) => ({
      id: `${cert.name}@${host}`,
      chainPem: cert.pem,
      keyPem: cert.keyPem,
      caFile: corpus.root.cert,
      host,
      names,
    }));
  });
}

/**
 * Where the model of `stack` disagrees with the real stack's verdicts (same order as `inputs`);
 * a refusal other than the name check is a disagreement too (the chain is always trusted).
 */
export function modelDisagreements(
  stack: ClientStack,
  inputs: readonly (StackInput & { readonly names: ReturnType<typeof presentedNames> })[],
  verdicts: readonly Verdict[],
): string[] {
  assert.equal(verdicts.length, inputs.length);
  return inputs.flatMap((input, i) => {
    const real = verdicts[i];
    assert.ok(real);
    if (!real.accepts && real.stage !== 'name')
      return [`${stack} ${input.id}: refused by ${real.stage ?? '?'}: ${real.reason ?? '?'}`];
    const model = clientVerdict(stack, input.names, input.host).accepts;
    return model === real.accepts
      ? []
      : [`${stack} ${input.id}: real ${String(real.accepts)}, model ${String(model)}`];
  });
}
