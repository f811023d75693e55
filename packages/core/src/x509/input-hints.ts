/**
 * What an input probably is when it is not what was asked for: a DER private key where a
 * certificate belongs, a DER certificate where a key belongs, an endpoint `HOST:PORT` where a
 * file belongs. Pure functions over what
 * the caller already holds; the readers put the answer into their one-line errors.
 */
import { childrenOf, isContext, isUniversal, readOnly, TAG } from '../asn1/der.js';

/**
 * The kind of private key a DER input is, in words (`a private key (PKCS#8, DER)`), or null
 * when it is not one. Looks at the outer structure only, as `openssl` guesses a key format:
 * PKCS#8 `PrivateKeyInfo` (RFC 5208 section 5: version, algorithm, OCTET STRING),
 * `EncryptedPrivateKeyInfo` (section 6: algorithm, OCTET STRING), PKCS#1 `RSAPrivateKey`
 * (RFC 8017 appendix A.1.2: nine INTEGERs) and SEC 1 `ECPrivateKey` (RFC 5915 section 3:
 * version, OCTET STRING, …). A certificate, CSR or CRL is a SEQUENCE of the signed part (a
 * SEQUENCE), the signature algorithm (a SEQUENCE) and a BIT STRING: none of them matches.
 *
 * @example
 * ```ts
 * derPrivateKeyKind(readFileSync('key.der')); // 'a private key (PKCS#8, DER)'
 * ```
 */
export function derPrivateKeyKind(der: Uint8Array): string | null {
  let items;
  try {
    const top = readOnly(der);
    if (!isUniversal(top, TAG.sequence)) return null;
    items = childrenOf(top);
  } catch {
    // Not one well-formed DER element: not a key either, and the caller reports what it is not.
    return null;
  }
  const [first, second, third] = items;
  if (isUniversal(first, TAG.integer)) {
    if (isUniversal(second, TAG.sequence) && isUniversal(third, TAG.octetString)) {
      return 'a private key (PKCS#8, DER)';
    }
    if (isUniversal(second, TAG.octetString)) return 'an EC private key (SEC 1, DER)';
    if (items.length === 9 && items.every((item) => isUniversal(item, TAG.integer))) {
      return 'an RSA private key (PKCS#1, DER)';
    }
    return null;
  }
  if (
    items.length === 2 &&
    isUniversal(first, TAG.sequence) &&
    isUniversal(second, TAG.octetString)
  ) {
    return 'an encrypted private key (PKCS#8, DER)';
  }
  return null;
}

/**
 * What a DER input signed by a CA is, in words (`a certificate`), or null when it is none:
 * the other half of {@link derPrivateKeyKind}, for a certificate given where a key belongs.
 * Each is a SEQUENCE of the signed part, the signature algorithm and a BIT STRING, and the
 * signed part tells them apart: a certificate's opens with `[0]` version (RFC 5280 section
 * 4.1; a v1 certificate with its serial and five SEQUENCEs), a CRL's has its thisUpdate time
 * third or fourth (section 5.1), a request's ends with `[0]` attributes (RFC 2986 section 4.1).
 *
 * @example
 * ```ts
 * derSignedObjectKind(readFileSync('cert.der')); // 'a certificate'
 * ```
 */
export function derSignedObjectKind(der: Uint8Array): string | null {
  let body;
  try {
    const top = readOnly(der);
    if (!isUniversal(top, TAG.sequence)) return null;
    const items = childrenOf(top);
    const [signed, algorithm, signature] = items;
    if (
      items.length !== 3 ||
      signed === undefined ||
      !isUniversal(signed, TAG.sequence) ||
      !isUniversal(algorithm, TAG.sequence) ||
      !isUniversal(signature, TAG.bitString)
    ) {
      return null;
    }
    body = childrenOf(signed);
  } catch {
    // Not well-formed DER: not a signed object either, and the caller says what it is not.
    return null;
  }
  const isTime = (i: number): boolean =>
    isUniversal(body[i], TAG.utcTime) || isUniversal(body[i], TAG.generalizedTime);
  if (isContext(body[0], 0)) return 'a certificate';
  if (isTime(2) || isTime(3)) return 'a CRL';
  if (body.length === 4 && isUniversal(body[0], TAG.integer) && isContext(body[3], 0)) {
    return 'a certificate request';
  }
  if (body.length === 6 && isUniversal(body[0], TAG.integer)) return 'a certificate';
  return null;
}

/** `HOST:PORT` or `[IPv6]:PORT`, as `certs fetch` and `--endpoint` take it. */
const ENDPOINT = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252}):\d{1,5}$/;

/**
 * True when a name given as a file looks like an endpoint `HOST:PORT` (`redis-12000.example.com:12000`,
 * `10.0.0.5:12000`, `[::1]:6379`): a user who meant "the certificate this endpoint presents".
 *
 * @example
 * ```ts
 * looksLikeEndpoint('redis-12000.redislabs.com:12000'); // true
 * looksLikeEndpoint('proxy_cert.pem'); // false
 * ```
 */
export function looksLikeEndpoint(name: string): boolean {
  if (name.length > 300 || !ENDPOINT.test(name)) return false;
  const port = Number(name.slice(name.lastIndexOf(':') + 1));
  return port >= 1 && port <= 65535;
}
