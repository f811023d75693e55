/**
 * The reference reading of a certificate for test/core/certificate-reading.test.ts: what
 * `parseCertificate` gave when it read everything through pkijs' schemas (before issue 7 moved
 * it to certkit's own DER reader). Kept as an independent oracle: pkijs' own decoding of every
 * field, no certkit decoder in between.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
// pkijs and asn1js are dependencies of core only; the same module instances core uses.
import * as asn1js from '../../packages/core/node_modules/asn1js/build/index.js';
import * as pkijs from '../../packages/core/node_modules/pkijs/build/index.js';
import {
  EKU_NAMES,
  EXTENSION_NAMES,
  KEY_USAGE_NAMES,
  NAME_SHORT,
  SIGNATURE_NAMES,
} from '../../packages/core/src/asn1/oids.js';
import { formatIp } from '../../packages/core/src/x509/ip.js';
import { formatName } from '../../packages/core/src/x509/names.js';
import { describePublicKey } from '../../packages/core/src/x509/public-key.js';
import type { CertificateInfo } from '../../packages/core/src/x509/pkix.js';
import type { KeyUsageName } from '../../packages/core/src/asn1/oids.js';
import type { NameAttribute } from '../../packages/core/src/x509/names.js';

/** What pkijs reads of a certificate: the info and the raw parts core keeps. */
export interface ReferenceReading {
  readonly info: CertificateInfo;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly spkiDer: Uint8Array;
  readonly tbsDer: Uint8Array;
  readonly extensions: readonly { oid: string; critical: boolean; value: Uint8Array }[];
  /** The CertificateInfo fields whose extension pkijs cannot decode (absent, or flagged with a
   * parsingError): path validation reports those as EXTENSION_MALFORMED. */
  readonly malformed: ReadonlySet<keyof CertificateInfo>;
}

const SUMMARISED: Readonly<Record<string, { field: keyof CertificateInfo; type?: unknown }>> = {
  '2.5.29.19': { field: 'basicConstraints' },
  '2.5.29.15': { field: 'keyUsage', type: asn1js.BitString },
  '2.5.29.37': { field: 'extendedKeyUsage' },
  '2.5.29.14': { field: 'subjectKeyIdentifier', type: asn1js.OctetString },
  '2.5.29.35': { field: 'authorityKeyIdentifier' },
  '2.5.29.17': { field: 'subjectAltNames' },
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function attributes(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((tv) => {
    const block = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock;
    return {
      type: NAME_SHORT[tv.type] ?? tv.type,
      oid: tv.type,
      value: typeof block?.value === 'string' ? block.value : '',
    };
  });
}

/** Reads `der` with pkijs alone; throws where pkijs cannot. */
export function referenceReading(der: Uint8Array): ReferenceReading {
  const ber = asn1js.fromBER(der, { parseEmbedded: false });
  if (ber.offset === -1) throw new Error(ber.result.error);
  if (ber.offset !== der.byteLength) throw new Error('trailing bytes after the certificate');
  const cert = new pkijs.Certificate({ schema: ber.result });
  const spkiDer = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  // The key's bytes as they stand in the certificate (pkijs' toSchema re-encodes them).
  const tbsBlock =
    ber.result instanceof asn1js.Sequence ? ber.result.valueBlock.value[0] : undefined;
  const tbsParts = tbsBlock instanceof asn1js.Sequence ? tbsBlock.valueBlock.value : [];
  const hasVersion = tbsParts[0]?.idBlock.tagClass === 3;
  const spkiBlock = tbsParts[hasVersion ? 6 : 5];
  const spkiRaw = spkiBlock === undefined ? spkiDer : spkiBlock.valueBeforeDecodeView;
  let publicKey: KeyObject | null;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch {
    publicKey = null;
  }
  const extensions = cert.extensions ?? [];
  const parsed = (oid: string): unknown =>
    extensions.find((e) => e.extnID === oid)?.parsedValue as unknown;
  const bc = parsed('2.5.29.19');
  let basicConstraints: CertificateInfo['basicConstraints'] = null;
  if (bc instanceof pkijs.BasicConstraints) {
    const path = bc.pathLenConstraint;
    const pathLength =
      typeof path === 'number'
        ? path
        : path instanceof asn1js.Integer
          ? path.valueBlock.valueDec
          : undefined;
    basicConstraints = pathLength === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength };
  }
  const ku = parsed('2.5.29.15');
  let keyUsage: KeyUsageName[] | null = null;
  if (ku instanceof asn1js.BitString) {
    const bits = ku.valueBlock.valueHexView;
    keyUsage = KEY_USAGE_NAMES.filter((_, i) => (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1);
  }
  const eku = parsed('2.5.29.37');
  const ski = parsed('2.5.29.14');
  const aki = parsed('2.5.29.35');
  const san = parsed('2.5.29.17');
  const subjectAltNames = {
    dns: [] as string[],
    ip: [] as string[],
    email: [] as string[],
    uri: [] as string[],
  };
  if (san instanceof pkijs.AltName) {
    for (const name of san.altNames) {
      if (name.type === 2 && typeof name.value === 'string') subjectAltNames.dns.push(name.value);
      else if (name.type === 1 && typeof name.value === 'string')
        subjectAltNames.email.push(name.value);
      else if (name.type === 6 && typeof name.value === 'string')
        subjectAltNames.uri.push(name.value);
      else if (name.type === 7)
        subjectAltNames.ip.push(
          formatIp((name.value as asn1js.OctetString).valueBlock.valueHexView),
        );
    }
  }
  const subjectDer = new Uint8Array(cert.subject.valueBeforeDecode);
  const issuerDer = new Uint8Array(cert.issuer.valueBeforeDecode);
  const subjectAttributes = attributes(cert.subject);
  const issuerAttributes = attributes(cert.issuer);
  const signatureOid = cert.signatureAlgorithm.algorithmId;
  const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase();
  const info: CertificateInfo = {
    subject: formatName(subjectAttributes),
    subjectAttributes,
    issuer: formatName(issuerAttributes),
    issuerAttributes,
    serialNumber: hex(cert.serialNumber.valueBlock.valueHexView).replace(/^(00)+(?=.)/, ''),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    selfIssued: Buffer.from(subjectDer).equals(Buffer.from(issuerDer)),
    key: describePublicKey(publicKey),
    signatureAlgorithm: SIGNATURE_NAMES[signatureOid] ?? signatureOid,
    fingerprintSha256: fingerprint.replace(/(..)(?!$)/g, '$1:'),
    subjectAltNames,
    basicConstraints,
    keyUsage,
    extendedKeyUsage:
      eku instanceof pkijs.ExtKeyUsage ? eku.keyPurposes.map((oid) => EKU_NAMES[oid] ?? oid) : null,
    ...(ski instanceof asn1js.OctetString
      ? { subjectKeyIdentifier: hex(ski.valueBlock.valueHexView) }
      : {}),
    ...(aki instanceof pkijs.AuthorityKeyIdentifier && aki.keyIdentifier
      ? { authorityKeyIdentifier: hex(aki.keyIdentifier.valueBlock.valueHexView) }
      : {}),
    extensions: extensions.map((e) => ({
      oid: e.extnID,
      name: EXTENSION_NAMES[e.extnID] ?? e.extnID,
      critical: e.critical,
    })),
  };
  const malformed = new Set<keyof CertificateInfo>();
  for (const e of extensions) {
    const summary = SUMMARISED[e.extnID];
    if (summary === undefined) continue;
    const value = e.parsedValue as unknown;
    const type = summary.type as (new () => object) | undefined;
    if (
      value === undefined ||
      value === null ||
      (typeof value === 'object' && 'parsingError' in value) ||
      (type !== undefined && !(value instanceof type))
    ) {
      malformed.add(summary.field);
    }
  }
  return {
    info,
    malformed,
    subjectDer,
    issuerDer,
    spkiDer: spkiRaw,
    tbsDer: cert.tbsView,
    extensions: extensions.map((e) => ({
      oid: e.extnID,
      critical: e.critical,
      value: e.extnValue.valueBlock.valueHexView,
    })),
  };
}
