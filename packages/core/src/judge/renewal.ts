/**
 * Renewal rules of a self-signed client identity (`renew-client`): what the new certificate keeps
 * of the old one, decided from the parsed certificate and key alone.
 */
import { CLIENT_KEY_BITS, MAX_VALIDITY_DAYS } from '../defaults.js';
import { CertkitError } from '../errors.js';
import { RSA_KEY_SIZES, keysMatch } from '../x509/keys.js';
import type { Curve, KeyType } from '../x509/keys.js';
import { internals } from '../x509/pkix.js';
import { OID } from '../asn1/oids.js';
import type { Certificate } from '../x509/pkix.js';
import type { KeyObject } from 'node:crypto';

/** What {@link planClientRenewal} is given. */
export interface ClientRenewalInput {
  /** The current client certificate. */
  readonly certificate: Certificate;
  /** Its private key. */
  readonly privateKey: KeyObject;
  /** How messages name the certificate; default its source name. */
  readonly certificateSource?: string;
  /** How messages name the key; default `the key`. */
  readonly keySource?: string;
  /** Validity of the new certificate in days; default: the current certificate's lifetime. */
  readonly days?: number;
}

/** What a renewed client identity is: issue it with the client profile and these values. */
export interface ClientRenewalPlan {
  /** The subject's CN (at most 64 characters), checked as a subject is. */
  readonly commonName: string;
  /** The subject exactly as encoded in the current certificate: it is kept byte for byte. */
  readonly subjectNameDer: Uint8Array;
  readonly days: number;
  /** A new key is of the same type and size (RSA sizes certkit does not make become 4096). */
  readonly keyType: KeyType;
  readonly curve: Curve;
  readonly bits: number;
}

/**
 * Decides how to renew a self-signed client identity: the same subject (byte for byte), the
 * current lifetime unless `days` is given (at least one day, at most `MAX_VALIDITY_DAYS`), a key
 * of the same type and size. A CA-issued certificate is renewed at its CA, not here.
 *
 * @throws {@link CertkitError} `KEY_MISMATCH` when the key is not the certificate's;
 * `INVALID_OPTION` for a certificate that is not self-issued
 *
 * @example
 * ```ts
 * const plan = planClientRenewal({ certificate, privateKey: parsePrivateKey(keyBytes, 'keyclient.pem').key });
 * const renewed = await issueCertificate({ profile: CLIENT_PROFILE, subject: { commonName: plan.commonName }, ...plan });
 * ```
 */
export function planClientRenewal(input: ClientRenewalInput): ClientRenewalPlan {
  const current = input.certificate;
  const certificateSource = input.certificateSource ?? current.source.name;
  const publicKey = internals(current).publicKey;
  if (publicKey === null || !keysMatch(input.privateKey, publicKey)) {
    throw new CertkitError(
      'KEY_MISMATCH',
      `${input.keySource ?? 'the key'} is not the key of ${certificateSource} (${current.info.subject})`,
    );
  }
  if (!current.info.selfIssued) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${certificateSource} was issued by ${current.info.issuer}; renew it at that CA`,
      { remedy: { kind: 'issuer' } },
    );
  }
  const commonName =
    current.info.subjectAttributes.find((a) => a.oid === OID.commonName)?.value ?? 'client';
  const lifetime = Math.round(
    (Date.parse(current.info.notAfter) - Date.parse(current.info.notBefore)) / 86_400_000,
  );
  return {
    commonName: commonName.slice(0, 64),
    subjectNameDer: internals(current).subjectDer,
    days: input.days ?? Math.min(Math.max(lifetime, 1), MAX_VALIDITY_DAYS),
    keyType: input.privateKey.asymmetricKeyType === 'ec' ? 'ec' : 'rsa',
    curve: current.info.key.curve === 'P-384' ? 'P-384' : 'P-256',
    bits: RSA_KEY_SIZES.includes(current.info.key.bits) ? current.info.key.bits : CLIENT_KEY_BITS,
  };
}
