/**
 * The one DER writer (asn1/der-writer.ts): lengths at every boundary of the short and long forms
 * (X.690 section 8.1.3), read back by the DER reader, and the encodings PKCS#12 and PKCS#8 need
 * (sorted SET OF, BMPString, small INTEGERs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TAG,
  childrenOf,
  decodeOid,
  decodeSmallInteger,
  readOnly,
} from '../../packages/core/src/asn1/der.js';
import * as writer from '../../packages/core/src/asn1/der-writer.js';

test('der-writer: lengths round-trip through the reader at each form boundary', async (t) => {
  const rows: { length: number; header: number[] }[] = [
    { length: 0, header: [0x04, 0x00] },
    { length: 127, header: [0x04, 0x7f] },
    { length: 128, header: [0x04, 0x81, 0x80] },
    { length: 255, header: [0x04, 0x81, 0xff] },
    { length: 256, header: [0x04, 0x82, 0x01, 0x00] },
    { length: 65535, header: [0x04, 0x82, 0xff, 0xff] },
    { length: 65536, header: [0x04, 0x83, 0x01, 0x00, 0x00] },
  ];
  for (const row of rows) {
    await t.test(`length ${String(row.length)}`, () => {
      const content = new Uint8Array(row.length).map((_, i) => i & 0xff);
      const encoded = writer.octetString(content);
      assert.deepEqual([...encoded.subarray(0, row.header.length)], row.header);
      assert.equal(encoded.length, row.header.length + row.length);
      const element = readOnly(encoded);
      assert.equal(element.number, TAG.octetString);
      assert.equal(element.length, row.length);
      assert.deepEqual(Buffer.from(element.content), Buffer.from(content));
    });
  }
});

test('der-writer: a negative or fractional length is refused', () => {
  assert.throws(() => writer.lengthOctets(-1), /cannot encode the length -1/);
  assert.throws(() => writer.lengthOctets(1.5), /cannot encode the length 1.5/);
});

test('der-writer: SET OF is sorted by encoding, whatever the argument order', () => {
  const a = writer.octetString(Uint8Array.from([1]));
  const b = writer.oid('1.2.840.113549.1.9.20');
  const set = readOnly(writer.set(a, b));
  assert.deepEqual(
    childrenOf(set).map((c) => c.number),
    [TAG.octetString, TAG.oid],
  );
  assert.deepEqual(Buffer.from(writer.set(b, a)), Buffer.from(writer.set(a, b)));
});

test('der-writer: small INTEGERs, OIDs and BMPString read back', () => {
  for (const value of [0, 1, 127, 128, 255, 256, 2048, 16384, 10_000_000]) {
    assert.equal(decodeSmallInteger(readOnly(writer.smallInteger(value))), value);
  }
  assert.deepEqual([...writer.smallInteger(128)], [0x02, 0x02, 0x00, 0x80]);
  assert.equal(
    decodeOid(readOnly(writer.oid('1.3.6.1.4.1.11591.4.11')).content),
    '1.3.6.1.4.1.11591.4.11',
  );
  const bmp = readOnly(writer.bmpString('Zé'));
  assert.equal(bmp.number, TAG.bmpString);
  assert.deepEqual([...bmp.content], [0x00, 0x5a, 0x00, 0xe9]);
});
