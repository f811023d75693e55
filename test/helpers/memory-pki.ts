/**
 * Certificates made in memory with core's own issueCertificate (EC P-256 keys: fast), for tests
 * that need no external binary.
 */
import assert from 'node:assert/strict';
import { CA_PROFILE, issueCertificate, parseCertificates } from '@certkit/core';
import type { Certificate, IssueCertificateOptions, IssuedCertificate } from '@certkit/core';

/** A certificate made in memory, with its PEM and key. */
export interface MemoryCert {
  readonly certificate: Certificate;
  readonly issued: IssuedCertificate;
  readonly name: string;
}

/** Options of {@link memoryCert}: issueCertificate's, with defaults for a quick test PKI. */
export interface MemoryCertOptions extends Partial<
  Omit<IssueCertificateOptions, 'issuer' | 'subject'>
> {
  /** File-like name used as the certificate's source. */
  readonly name: string;
  readonly commonName?: string;
  /** Signs the certificate; self-signed without. */
  readonly issuer?: MemoryCert;
  /** `ca` (CA_PROFILE), `server`, `client` (the end-entity profiles). Default `server`. */
  readonly kind?: 'ca' | 'server' | 'client';
}

/** Makes one certificate. */
export async function memoryCert(options: MemoryCertOptions): Promise<MemoryCert> {
  const { name, commonName, issuer, kind, ...rest } = options;
  const issued = await issueCertificate({
    profile: kind === 'ca' ? CA_PROFILE : (kind ?? 'server'),
    subject: { commonName: commonName ?? name },
    keyType: 'ec',
    ...rest,
    ...(issuer === undefined
      ? {}
      : {
          issuer: {
            certificate: Buffer.from(issuer.issued.certificatePem),
            certificateSource: issuer.name,
            key: Buffer.from(issuer.issued.privateKeyPem),
            keySource: `${issuer.name} key`,
          },
        }),
  });
  const [certificate] = parseCertificates(Buffer.from(issued.certificatePem), name);
  assert.ok(certificate !== undefined);
  return { certificate, issued, name };
}
