/**
 * Certificate revocation lists (RFC 5280 section 5) read for path validation: the list as plain
 * data, and what revocation checking needs of it (issuer name bytes, revoked serials, cRLNumber,
 * thisUpdate, and its signature checked against an issuer).
 */
import * as pkijs from 'pkijs';
import { checkDecodingBounds } from '../asn1/der-bounds.js';
import { CertkitError } from '../errors.js';
import { readNameAttributes } from './names.js';
import { parsePemBlocks } from './pem.js';
import { internals, serialHex } from './pkix.js';
import { verifySignedData } from './sign.js';
import type { Certificate } from './pkix.js';

/** A certificate revocation list made by {@link parseRevocationLists}. */
export interface RevocationList {
  /** Where it came from, for messages. */
  readonly source: string;
  /** Issuer name as text. */
  readonly issuer: string;
  readonly thisUpdate: string;
  readonly nextUpdate?: string;
  /** Revoked serial numbers, lower-case hex as `CertificateInfo.serialNumber`. */
  readonly revokedSerials: readonly string[];
}

interface CrlInternals {
  readonly crl: pkijs.CertificateRevocationList;
  readonly issuerDer: Uint8Array;
  readonly revoked: ReadonlySet<string>;
}
const crlInternals = new WeakMap<RevocationList, CrlInternals>();

/** What revocation checking reads of a {@link RevocationList}. */
export interface RevocationListFacts {
  /** The issuer name, DER, as encoded. */
  readonly issuerDer: Uint8Array;
  /** Revoked serial numbers, lower-case hex. */
  readonly revoked: ReadonlySet<string>;
  readonly thisUpdate: Date;
  /** The cRLNumber extension (RFC 5280 section 5.2.3); undefined when absent. */
  readonly crlNumber?: { readonly critical: boolean };
}

/** The facts of a list made by {@link parseRevocationLists}; undefined for any other object. */
export function revocationListFacts(list: RevocationList): RevocationListFacts | undefined {
  const x = crlInternals.get(list);
  if (x === undefined) return undefined;
  const number = x.crl.crlExtensions?.extensions.find((e) => e.extnID === '2.5.29.20');
  return {
    issuerDer: x.issuerDer,
    revoked: x.revoked,
    thisUpdate: x.crl.thisUpdate.value,
    ...(number === undefined ? {} : { crlNumber: { critical: number.critical } }),
  };
}

/** True when `issuer`'s key verifies the list's signature. */
export function revocationListSignedBy(list: RevocationList, issuer: Certificate): boolean {
  const x = crlInternals.get(list);
  const key = internals(issuer).publicKey;
  return (
    x !== undefined &&
    key !== null &&
    verifySignedData(
      x.crl.signatureAlgorithm.algorithmId,
      x.crl.tbsView,
      key,
      x.crl.signatureValue.valueBlock.valueHexView,
    )
  );
}

/**
 * Reads every CRL of an input (PEM `X509 CRL` blocks, or one DER CRL) for
 * `ValidatePathOptions.crls`.
 *
 * @throws {@link CertkitError} `DER_INVALID` naming the input when a block is not a CRL
 *
 * @example
 * ```ts
 * const crls = parseRevocationLists(readFileSync('ca.crl'), 'ca.crl');
 * validatePath({ leaf, anchors: [root], crls });
 * ```
 */
export function parseRevocationLists(bytes: Uint8Array, source: string): RevocationList[] {
  return parsePemBlocks(bytes, source).map((block) => {
    if (block.label !== null && block.label !== 'X509 CRL') {
      throw new CertkitError(
        'DER_INVALID',
        `block ${String(block.index)} in ${source} is not a CRL`,
      );
    }
    let crl: pkijs.CertificateRevocationList;
    try {
      checkDecodingBounds(block.der);
    } catch (error) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read CRL ${String(block.index)} in ${source}: ${error instanceof Error ? error.message : 'invalid DER'}`,
        { cause: error },
      );
    }
    try {
      crl = pkijs.CertificateRevocationList.fromBER(Uint8Array.from(block.der));
    } catch (error) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read CRL ${String(block.index)} in ${source}: not a valid CRL`,
        { cause: error },
      );
    }
    const revokedSerials = (crl.revokedCertificates ?? []).map((r) =>
      serialHex(r.userCertificate.valueBlock.valueHexView),
    );
    const issuerDer = new Uint8Array(crl.issuer.valueBeforeDecode);
    let issuer: string;
    try {
      issuer = readNameAttributes(issuerDer)
        .map((a) => `${a.oid}=${a.value}`)
        .join(', ');
    } catch (error) {
      throw new CertkitError(
        'DER_INVALID',
        `cannot read CRL ${String(block.index)} in ${source}: its issuer is not a valid name`,
        { cause: error },
      );
    }
    const list: RevocationList = {
      source: `${source}#${String(block.index)}`,
      issuer,
      thisUpdate: crl.thisUpdate.value.toISOString(),
      ...(crl.nextUpdate === undefined ? {} : { nextUpdate: crl.nextUpdate.value.toISOString() }),
      revokedSerials,
    };
    crlInternals.set(list, {
      crl,
      issuerDer,
      revoked: new Set(revokedSerials),
    });
    return list;
  });
}
