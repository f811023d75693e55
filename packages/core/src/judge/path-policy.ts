/**
 * The checks path validation makes on each certificate of a path (RFC 5280 sections 4 and 6.1.4,
 * with the CA/Browser Forum profile where the two differ): structure, extensions, key type and
 * size, the issuer's rights, key identifiers, EKU for the purpose; and on the leaf, its profile
 * and the common name rule (CA/B BR 7.1.4.3).
 */
import {
  accessDescriptionCount,
  authorityKeyIdentifier,
  certificateStructure,
  extendedKeyUsage,
  extensionCritical,
  extensionViews,
  subjectAltNames,
} from '../x509/extensions.js';
import { OID, SIGNATURE_NAMES } from '../asn1/oids.js';
import { formatIp } from '../x509/ip.js';
import type { Certificate } from '../x509/pkix.js';
import type { Add, PathPolicy, PathPurpose, TrustRules } from './path-common.js';

/** Extensions whose semantics we process or that RFC 5280 section 4.2 lets us ignore safely. */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.authorityKeyIdentifier,
  OID.policyConstraints,
  OID.extKeyUsage,
  OID.inhibitAnyPolicy,
  OID.authorityInfoAccess,
  '1.3.6.1.5.5.7.1.11', // subjectInfoAccess
  '2.5.29.46', // freshestCRL
  '1.3.6.1.4.1.11129.2.4.2', // CT signed certificate timestamps
]);

/** Extensions RFC 5280 section 4.2.1 says conforming CAs MUST mark non-critical. */
const MUST_BE_NON_CRITICAL: Readonly<Record<string, string>> = {
  [OID.authorityKeyIdentifier]: 'authorityKeyIdentifier (RFC 5280 section 4.2.1.1)',
  [OID.subjectKeyIdentifier]: 'subjectKeyIdentifier (RFC 5280 section 4.2.1.2)',
  [OID.authorityInfoAccess]: 'authorityInfoAccess (RFC 5280 section 4.2.2.1)',
};

/** Structure and key checks that apply to every certificate of a path, anchors included. */
export function checkStructure(certificate: Certificate, anchor: boolean, add: Add): void {
  const structure = certificateStructure(certificate);
  const extensions = extensionViews(certificate);
  // RFC 5280 section 4.1.2.1 and CA/B BR 7.1.1: extensions need v3.
  if (structure.version !== 2)
    add('VERSION_NOT_V3', `is an X.509 v${String(structure.version + 1)} certificate, not v3`);
  // RFC 5280 section 4.1.2.2: positive, at most 20 octets.
  // Not for trust anchors: they are inputs, not certificates under validation (RFC 5280
  // section 6.1.1 (d)); real roots break it (Starfield Root G2 has serial 0).
  const serial = anchor ? new Uint8Array([1]) : structure.serial;
  if (serial.length > 20) add('SERIAL_INVALID', 'serial number is longer than 20 octets');
  else if (((serial[0] ?? 0) & 0x80) !== 0) add('SERIAL_INVALID', 'serial number is negative');
  else if (serial.every((b) => b === 0)) add('SERIAL_INVALID', 'serial number is zero');
  // RFC 5280 section 4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature.
  if (!structure.signatureAlgorithmsMatch)
    add(
      'SIGNATURE_ALGORITHM_MISMATCH',
      'signatureAlgorithm differs from the signature field of the TBS (RFC 5280 section 4.1.1.2)',
    );
  if (certificate.info.issuerAttributes.length === 0)
    add('EMPTY_NAME', 'has an empty issuer name (RFC 5280 section 4.1.2.4)');
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.oid))
      add('DUPLICATE_EXTENSION', `has extension ${e.oid} twice (RFC 5280 section 4.2)`);
    seen.add(e.oid);
    if (e.malformed) add('EXTENSION_MALFORMED', `extension ${e.oid} cannot be decoded`);
    if (e.critical && !KNOWN_EXTENSIONS.has(e.oid))
      add(
        'UNKNOWN_CRITICAL_EXTENSION',
        `has critical extension ${e.oid}, which certkit does not process (RFC 5280 section 4.2)`,
      );
    const nonCritical = MUST_BE_NON_CRITICAL[e.oid];
    if (e.critical && nonCritical !== undefined)
      add('EXTENSION_CRITICALITY', `marks ${nonCritical} critical; it MUST be non-critical`);
  }
  if (accessDescriptionCount(certificate) === 0)
    add('EXTENSION_MALFORMED', 'authorityInfoAccess has no access descriptions');
  const pc = extensions.find((e) => e.oid === OID.policyConstraints);
  if (pc !== undefined && !pc.critical)
    add(
      'EXTENSION_CRITICALITY',
      'marks policyConstraints non-critical; it MUST be critical (RFC 5280 section 4.2.1.11)',
    );
  checkKey(certificate, structure.namedCurve, add);
}

/**
 * Key types and sizes the web PKI accepts (CA/B BR 6.1.5 and 7.1.3.1): RSA of at least 2048 bits
 * and a multiple of 8; ECDSA on P-256, P-384 or P-521 with a named curve; and, beyond the BR,
 * Ed25519/Ed448 (RFC 8410), which TLS stacks accept. DSA and smaller curves are refused.
 */
function checkKey(certificate: Certificate, namedCurve: boolean, add: Add): void {
  const { key } = certificate.info;
  switch (key.type) {
    case 'rsa':
    case 'rsa-pss':
      if (key.bits < 2048)
        add('KEY_TOO_WEAK', `has an RSA ${String(key.bits)}-bit key; at least 2048 are required`);
      else if (key.bits % 8 !== 0)
        add('KEY_NOT_ALLOWED', `has an RSA ${String(key.bits)}-bit key, not a multiple of 8`);
      return;
    case 'ec': {
      if (!namedCurve) {
        add('KEY_NOT_ALLOWED', 'has an EC key with explicit curve parameters (CA/B BR 7.1.3.1.2)');
        return;
      }
      if (!['P-256', 'P-384', 'P-521'].includes(key.curve ?? ''))
        add('KEY_NOT_ALLOWED', `has an EC key on ${key.curve ?? 'an unknown curve'}`);
      return;
    }
    case 'ed25519':
    case 'ed448':
      return;
    default:
      add('KEY_NOT_ALLOWED', `has a ${key.type === 'unknown' ? 'unsupported' : key.type} key`);
  }
}

function basicConstraints(certificate: Certificate) {
  const critical = extensionCritical(certificate, OID.basicConstraints);
  return critical === undefined ? null : { ...certificate.info.basicConstraints, critical };
}

/** Checks that a certificate may issue certificates (RFC 5280 sections 4.2.1.2, 4.2.1.3, 4.2.1.9). */
export function checkIssuer(certificate: Certificate, add: Add): void {
  const bc = basicConstraints(certificate);
  if (bc === null) {
    add(
      'NOT_A_CA',
      'has no basicConstraints, so it cannot issue certificates (RFC 5280 section 4.2.1.9)',
    );
  } else if (bc.ca !== true) {
    add(
      'NOT_A_CA',
      'has basicConstraints cA=FALSE, so it cannot issue certificates (RFC 5280 section 4.2.1.9)',
    );
  } else if (!bc.critical) {
    add(
      'BASIC_CONSTRAINTS_NOT_CRITICAL',
      'marks basicConstraints non-critical; CA certificates MUST mark it critical (RFC 5280 section 4.2.1.9)',
    );
  }
  const ku = certificate.info.keyUsage;
  if (ku !== null && !ku.includes('keyCertSign'))
    add('KEY_CERT_SIGN_MISSING', 'has keyUsage without keyCertSign (RFC 5280 section 4.2.1.3)');
  if (certificate.info.subjectKeyIdentifier === undefined)
    add(
      'SKI_MISSING',
      'is a CA certificate without subjectKeyIdentifier (RFC 5280 section 4.2.1.2)',
    );
  if (certificate.info.subjectAttributes.length === 0)
    add('EMPTY_NAME', 'is a CA certificate with an empty subject (RFC 5280 section 4.1.2.6)');
}

/** Authority key identifier rules (RFC 5280 section 4.2.1.1; CA/B BR 7.1.2.1.3 for roots). */
export function checkAuthorityKeyId(
  certificate: Certificate,
  selfSigned: boolean,
  anchor: boolean,
  add: Add,
): void {
  const aki = authorityKeyIdentifier(certificate);
  if (aki === undefined) {
    // Trust anchors are inputs (RFC 5280 section 6.1.1 (d)): a cross-signed root without AKI
    // still anchors (limbo cve::cve-2024-0567).
    if (!selfSigned && !anchor)
      add(
        'AKI_MISSING',
        'has no authorityKeyIdentifier; only self-signed certificates may omit it (RFC 5280 section 4.2.1.1)',
      );
    return;
  }
  if (aki.malformed) return; // reported as EXTENSION_MALFORMED
  if (aki.keyIdentifier === undefined) {
    add('AKI_INVALID', 'authorityKeyIdentifier has no keyIdentifier (RFC 5280 section 4.2.1.1)');
    return;
  }
  if (selfSigned) {
    if (aki.hasAuthorityCertIssuer || aki.hasAuthorityCertSerialNumber)
      add(
        'AKI_INVALID',
        'is a root whose authorityKeyIdentifier has authorityCertIssuer or serial (CA/B BR 7.1.2.1.3)',
      );
    const ski = certificate.info.subjectKeyIdentifier;
    if (ski !== undefined && aki.keyIdentifier !== ski)
      add(
        'AKI_INVALID',
        'is a root whose authorityKeyIdentifier differs from its subjectKeyIdentifier (CA/B BR 7.1.2.1.3)',
      );
  }
}

/** Signature algorithms with a broken hash, by OID: MD2, MD4, MD5 (RFC 6151) and SHA-1. */
const WEAK_HASH_OF: Readonly<Record<string, 'MD2' | 'MD4' | 'MD5' | 'SHA-1'>> = {
  '1.2.840.113549.1.1.2': 'MD2', // md2WithRSAEncryption
  '1.2.840.113549.1.1.3': 'MD4', // md4WithRSAEncryption
  '1.2.840.113549.1.1.4': 'MD5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'SHA-1', // sha1WithRSAEncryption
  '1.3.14.3.2.29': 'SHA-1', // sha1WithRSASignature (OIW)
  '1.2.840.10045.4.1': 'SHA-1', // ecdsa-with-SHA1
  '1.2.840.10040.4.3': 'SHA-1', // dsa-with-sha1
};

/** The same, keyed by the name {@link CertificateInfo.signatureAlgorithm} shows for known OIDs. */
const WEAK_HASH_BY_NAME: ReadonlyMap<string, 'MD2' | 'MD4' | 'MD5' | 'SHA-1'> = new Map(
  Object.entries(WEAK_HASH_OF).flatMap(([oid, hash]) => {
    const name = SIGNATURE_NAMES[oid];
    return name === undefined
      ? [[oid, hash] as const]
      : [[oid, hash] as const, [name, hash] as const];
  }),
);

/** The broken hash a certificate's signature is made with (MD2, MD4, MD5, SHA-1), or null. */
export function weakSignatureHash(
  certificate: Certificate,
): 'MD2' | 'MD4' | 'MD5' | 'SHA-1' | null {
  return WEAK_HASH_BY_NAME.get(certificate.info.signatureAlgorithm) ?? null;
}

/**
 * A signature made with MD5 or SHA-1 can be forged (RFC 6151; the SHA-1 chosen-prefix collision
 * of 2020): measured, OpenSSL at Debian's default security level 2 (so stunnel, redis-cli, Node,
 * Python), Go and Java refuse MD5, and all but Java 17 (for a private trust anchor) refuse SHA-1.
 * Only signatures a client checks count: the caller leaves out the trust anchor's own.
 */
export function checkSignatureHash(
  certificate: Certificate,
  rules: Pick<TrustRules, 'sha1'>,
  add: Add,
): void {
  const hash = weakSignatureHash(certificate);
  if (hash === null || (hash === 'SHA-1' && rules.sha1)) return;
  add(
    'WEAK_SIGNATURE',
    hash === 'SHA-1'
      ? `is signed with ${certificate.info.signatureAlgorithm}: SHA-1 signatures can be forged, and OpenSSL at security level 2 (stunnel, redis-cli, Node, Python) and Go refuse them`
      : `is signed with ${certificate.info.signatureAlgorithm}: ${hash} signatures can be forged (RFC 6151), and every client refuses them`,
  );
}

const EKU_FOR: Readonly<Record<PathPurpose, string | null>> = {
  server: OID.serverAuth,
  client: OID.clientAuth,
  any: null,
};

/**
 * EKU for the purpose (RFC 5280 section 4.2.1.12): absent means unrestricted; present must list
 * the purpose (or anyExtendedKeyUsage, where `anyEku` says it stands for every purpose); an
 * empty list is invalid. On intermediates the same rule applies, as OpenSSL, Go and the browsers
 * apply it (EKU chaining); RFC 5280 is silent there. OpenSSL's purpose check
 * (`check_purpose_ssl_server`) wants serverAuth itself: measured, stunnel, redis-cli, Node and
 * Python refuse a leaf or an intermediate whose only EKU is anyExtendedKeyUsage.
 */
export function checkEku(
  certificate: Certificate,
  purpose: PathPurpose,
  leaf: boolean,
  add: Add,
  anyEku = true,
): void {
  const eku = extendedKeyUsage(certificate);
  if (eku === null) return;
  // An empty list, or a value that does not decode, allows no purpose: OpenSSL marks the
  // certificate invalid (or, for an empty list, finds no purpose), Go and Java refuse to parse it.
  if (eku.malformed) {
    add(
      'EKU_EMPTY',
      'has an extendedKeyUsage extension with no purpose that can be read (RFC 5280 section 4.2.1.12)',
    );
    return;
  }
  const { oids } = eku;
  const wanted = EKU_FOR[purpose];
  if (wanted === null || oids.includes(wanted)) return;
  const any = oids.includes(OID.anyExtendedKeyUsage);
  if (any && anyEku) return;
  const names = certificate.info.extendedKeyUsage?.join(', ') ?? '';
  const usage = purpose === 'server' ? 'serverAuth' : 'clientAuth';
  add(
    'EKU_MISMATCH',
    any
      ? `${leaf ? 'has' : 'restricts issued certificates to'} extendedKeyUsage ${names}, without ${usage}: OpenSSL (stunnel, redis-cli, Node, Python) wants ${usage} itself; Go and Java take anyExtendedKeyUsage for it`
      : `${leaf ? 'has' : 'restricts issued certificates to'} extendedKeyUsage ${names}, without ${usage} (RFC 5280 section 4.2.1.12)`,
  );
}

/**
 * CA/B BR 7.1.4.3: a subject commonName, when present, is a character-for-character copy of a
 * subjectAltName entry. Applied where the CN claims to be a name a client could match:
 * - a CN that looks like an IP address must be the canonical text (RFC 3986 section 3.2.2
 *   dotted decimal, RFC 5952 section 4 for IPv6) of an iPAddress SAN, so `0xC0A80101`,
 *   `192.168.001.001` and `2001:DB8::1` are refused;
 * - a CN that looks like a domain name (a dot, no spaces) must be byte-equal to a dNSName SAN
 *   or a parent domain of one (`example.com` over `*.example.com` or `foo.example.com`; limbo's
 *   valid cases carry such CNs, and a parent domain cannot widen what the SAN matches).
 * Descriptive CNs (`Redis Server`, `localhost`) are left alone, and no CN is ever matched
 * against the reference identity (RFC 9525 section 6.2).
 *
 * The rule binds publicly-trusted CAs when they issue, not clients when they verify: OpenSSL,
 * Node, Python, Go and Java all accept such a certificate (measured). So it is a warning, and an
 * error only under the `webpki` policy.
 */
export function checkCommonName(leaf: Certificate, add: Add, policy: PathPolicy = 'default'): void {
  const severity = policy === 'webpki' ? 'error' : 'warning';
  const sans = subjectAltNames(leaf);
  if (!sans.present || sans.malformed) return;
  for (const attr of leaf.info.subjectAttributes) {
    if (attr.oid !== OID.commonName) continue;
    const cn = attr.value;
    const ipLike =
      /^[0-9a-fA-FxX.:]+$/.test(cn) &&
      /[0-9]/.test(cn) &&
      (cn.includes(':') || /^[0-9.]+$/.test(cn) || /^0x/i.test(cn));
    if (ipLike) {
      const texts = sans.ip.filter((o) => o.length === 4 || o.length === 16).map(formatIp);
      if (!texts.includes(cn))
        add(
          'COMMON_NAME_NOT_IN_SAN',
          `common name "${cn}" is not the canonical text of an IP address in subjectAltName (CA/B BR 7.1.4.3, an issuance rule clients do not apply)`,
          severity,
        );
      continue;
    }
    if (!cn.includes('.') || /\s/.test(cn) || sans.dns.length === 0) continue;
    const covered = sans.dns.some((d) => d === cn || d.endsWith(`.${cn}`));
    if (!covered)
      add(
        'COMMON_NAME_NOT_IN_SAN',
        `common name "${cn}" is not a copy of a dNSName in subjectAltName (CA/B BR 7.1.4.3, an issuance rule clients do not apply)`,
        severity,
      );
  }
}

/**
 * Rules on the end-entity certificate. `pinned`: the leaf is a self-signed certificate that is
 * itself a trust anchor (a node's own `openssl req -x509` certificate in the clients' bundle):
 * every client measured accepts it as it is, CA:TRUE included, and no CA issued it, so the
 * issuance rule on CA:TRUE leaves does not apply.
 */
export function checkLeafProfile(
  leaf: Certificate,
  add: Add,
  options: { readonly pinned?: boolean; readonly policy?: PathPolicy } = {},
): void {
  const bc = leaf.info.basicConstraints;
  const ku = leaf.info.keyUsage;
  if (bc?.ca === true && ku !== null && !ku.includes('keyCertSign'))
    // cA=TRUE without keyCertSign says both "may sign certificates" and "may not" (RFC 5280
    // sections 4.2.1.3 and 4.2.1.9); limbo webpki::ee-basicconstraints-ca.
    add(
      'CA_EXTENSIONS_INCONSISTENT',
      'asserts cA=TRUE but its keyUsage lacks keyCertSign (RFC 5280 sections 4.2.1.3, 4.2.1.9)',
    );
  else if (bc?.ca === true) {
    if (options.pinned !== true)
      // A warning, not an error: RFC 5280 section 4.2.1.9 lets the last certificate be a CA
      // (limbo pathlen::validation-ignores-pathlen-in-leaf), and every client measured accepts a
      // CA:TRUE server certificate; CA/B BR 7.1.2.7.8 forbids it for subscribers, an issuance
      // rule that the `webpki` policy makes an error.
      add(
        'LEAF_IS_CA',
        'is a CA certificate (cA=TRUE) used as an end entity (CA/B BR 7.1.2.7.8 forbids it; clients accept it)',
        options.policy === 'webpki' ? 'error' : 'warning',
      );
  } else if (ku?.includes('keyCertSign') === true)
    add('LEAF_KEY_CERT_SIGN', 'asserts keyCertSign without cA=TRUE (RFC 5280 section 4.2.1.9)');
  if (extensionCritical(leaf, OID.nameConstraints) !== undefined)
    add(
      'NAME_CONSTRAINTS_IN_LEAF',
      'has nameConstraints, which only CA certificates may carry (RFC 5280 section 4.2.1.10)',
    );
  const sans = subjectAltNames(leaf);
  const emptySubject = leaf.info.subjectAttributes.length === 0;
  if (sans.present && emptySubject && !sans.critical)
    add(
      'SAN_CRITICALITY',
      'has an empty subject and a non-critical subjectAltName (RFC 5280 section 4.2.1.6)',
    );
  if (sans.present && !emptySubject && sans.critical)
    // RFC 5280 section 4.2.1.6 says SHOULD NOT; CA/B BR 7.1.2.7.12 forbids it when issuing. Every
    // client stack measured accepts it (stack matrix, san-critical-ip-5-bytes): a warning, an
    // error under the `webpki` policy.
    add(
      'SAN_CRITICALITY',
      'has a subject and a critical subjectAltName (CA/B BR 7.1.2.7.12 forbids it; clients accept it)',
      options.policy === 'webpki' ? 'error' : 'warning',
    );
  if (emptySubject && !sans.present)
    add('EMPTY_NAME', 'has an empty subject and no subjectAltName (RFC 5280 section 4.1.2.6)');
}
