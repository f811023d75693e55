/**
 * Rewrites one extension of a DER certificate (value, criticality) and re-encodes every
 * enclosing length, for tests that feed a decoder a malformed extension inside an otherwise
 * well-formed certificate. The signature is left as it was: the decoders do not check it.
 */
import * as der from '../../packages/core/src/asn1/der.js';
import * as writer from '../../packages/core/src/asn1/der-writer.js';
import { OID } from '../../packages/core/src/asn1/oids.js';

/** What to put in place of the extension `oid`. */
export interface ExtensionEdit {
  readonly oid: string;
  /** The new extnValue contents (the bytes inside the OCTET STRING). */
  readonly value: Uint8Array;
  readonly critical: boolean;
}

function extensionDer(edit: ExtensionEdit): Uint8Array {
  return writer.sequence(
    writer.oid(edit.oid),
    ...(edit.critical ? [writer.TRUE] : []),
    writer.octetString(edit.value),
  );
}

/**
 * `certificate` with the extension `edit.oid` replaced (appended when absent). The certificate
 * must be v3 with an extensions field.
 */
export function withExtension(certificate: Uint8Array, edit: ExtensionEdit): Uint8Array {
  const [tbs, algorithm, signature] = der.sequenceOf(der.readOnly(certificate), 'a certificate');
  if (tbs === undefined || algorithm === undefined || signature === undefined)
    throw new Error('not a certificate');
  const parts = der.sequenceOf(tbs, 'a TBSCertificate');
  const at = parts.findIndex((p) => der.isContext(p, 3));
  const outer = parts[at];
  if (outer === undefined) throw new Error('no extensions field');
  const [list] = der.childrenOf(outer);
  const extensions = der.sequenceOf(list, 'Extensions').map((e) => e.bytes);
  const index = extensions.findIndex((e) => {
    const [id] = der.sequenceOf(der.readOnly(e), 'an Extension');
    return id !== undefined && der.decodeOid(id.content) === edit.oid;
  });
  const replaced = extensionDer(edit);
  if (index === -1) extensions.push(replaced);
  else extensions[index] = replaced;
  const newParts = parts.map((p) => p.bytes);
  newParts[at] = writer.explicit(3, writer.sequence(...extensions));
  return writer.sequence(writer.sequence(...newParts), algorithm.bytes, signature.bytes);
}

/** `certificate` with its subjectAltName value replaced. */
export function withSubjectAltName(
  certificate: Uint8Array,
  value: Uint8Array,
  critical = false,
): Uint8Array {
  return withExtension(certificate, { oid: OID.subjectAltName, value, critical });
}
