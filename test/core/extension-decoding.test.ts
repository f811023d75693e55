/**
 * Issue 4 (x509-limbo `pathological::nc-dos-*` in well under a second): nameConstraints are
 * decoded by certkit's own fast path when their shape allows, instead of pkijs' schema matching
 * (subjectAltName has its own decoder, general-names.ts, checked in san-decoder.test.ts). The fast path must give exactly what pkijs gives,
 * or step aside: each row compares `decodedExtensions(cert)[i].parsed` with pkijs decoding
 * the same extension bytes on its own (class, `toJSON()`, and the re-encoded DER).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
// pkijs is a dependency of core only; the same module instance core's dist uses (one realpath).
import * as pkijs from '../../packages/core/node_modules/pkijs/build/index.js';
import { parseCertificates } from '@certkit/core';
import type { Certificate } from '@certkit/core';
import { decodedExtensions } from '../../packages/core/src/x509/structures.js';
import { forEachLimboPem } from '../helpers/limbo.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const NAME_LISTS = new Set(['2.5.29.30']);

/** Compares every name-list extension of `cert` with pkijs' own decoding; returns how many. */
function compareWithPkijs(cert: Certificate, label: string): number {
  let compared = 0;
  for (const e of decodedExtensions(cert)) {
    if (!NAME_LISTS.has(e.oid)) continue;
    const reference = new pkijs.Extension({
      extnID: e.oid,
      critical: e.critical,
      extnValue: e.value.slice().buffer,
    }).parsedValue as unknown;
    const ours = e.parsed;
    const what = `${label}: extension ${e.oid}`;
    assert.equal(
      (ours as object | null)?.constructor,
      (reference as object | null)?.constructor,
      `${what}: class`,
    );
    const json = (v: unknown): unknown =>
      v !== null && typeof v === 'object' && 'toJSON' in v
        ? (v as { toJSON(): unknown }).toJSON()
        : v;
    assert.deepEqual(json(ours), json(reference), `${what}: toJSON`);
    const failed = (v: unknown): boolean =>
      v !== null && typeof v === 'object' && 'parsingError' in v;
    assert.equal(failed(ours), failed(reference), `${what}: parsingError`);
    if (reference instanceof pkijs.AltName || reference instanceof pkijs.NameConstraints) {
      const der = (v: unknown): string =>
        Buffer.from((v as pkijs.AltName).toSchema().toBER(false)).toString('hex');
      assert.equal(der(ours), der(reference), `${what}: re-encoded DER`);
    }
    compared++;
  }
  return compared;
}

/** Rows made with openssl: every name form the fast path takes, and forms it must leave to pkijs. */
const ROWS: readonly { name: string; san?: string[]; extra?: string[] }[] = [
  {
    name: 'permitted and excluded DNS, IP, email constraints',
    extra: [
      'nameConstraints = critical, permitted;DNS:example.com, permitted;IP:10.0.0.0/255.0.0.0, permitted;email:.example.com, excluded;DNS:bad.example.com, excluded;IP:2001:db8::/ffff:ffff:0:0:0:0:0:0',
    ],
  },
  { name: 'excluded only', extra: ['nameConstraints = critical, excluded;DNS:example.org'] },
  {
    name: 'directoryName constraint (pkijs decodes)',
    extra: ['nameConstraints = critical, permitted;dirName:dir_sect', '[dir_sect]', 'O = Org'],
  },
];

for (const row of ROWS) {
  test(`fast name-list decoding equals pkijs: ${row.name}`, async (t) => {
    const dir = tempDir(t);
    const made = await makeCert(dir, {
      name: 'c',
      subject: '/CN=decode test',
      ca: true,
      ...(row.san === undefined ? {} : { san: row.san }),
      ...(row.extra === undefined ? {} : { extra: row.extra }),
    });
    const [cert] = parseCertificates(readFileSync(made.cert), made.cert);
    assert.ok(cert !== undefined);
    assert.ok(compareWithPkijs(cert, row.name) >= 1, 'the row has a name-list extension');
  });
}

test('fast name-list decoding equals pkijs on every x509-limbo certificate', (t) => {
  let compared = 0;
  forEachLimboPem(t, (pem, label) => {
    let certs: Certificate[];
    try {
      certs = parseCertificates(Buffer.from(pem), label);
    } catch (error) {
      // Certificates certkit refuses to parse have no extensions to compare; recorded.
      t.diagnostic(`${label} not parsed: ${String(error)}`);
      return;
    }
    for (const cert of certs) compared += compareWithPkijs(cert, label);
  });
  t.diagnostic(`${String(compared)} name-list extensions compared`);
});
