/**
 * Issue 8 property tests (fast-check, 10,000 cases each; `pnpm fuzz` runs a million mutated
 * certificates): PEM round trips, parsers that return or throw CertkitError and nothing else on
 * any bytes, mutated DER certificates, and the RFC 9525 host-name matcher against a reference
 * model written from the RFC's words.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
// The parsers under the public ones (PEM framing, one DER certificate) and the RFC 9525 pattern
// matcher under matchReferenceIdentity, from their modules; the errors they throw are that
// module graph's CertkitError.
import { isCertkitError } from '../../packages/core/src/errors.js';
import { matchDnsPattern } from '../../packages/core/src/judge/hostname.js';
import { parseCertificates } from '../../packages/core/src/x509/certificates.js';
import { parsePrivateKey } from '../../packages/core/src/x509/keys.js';
import { encodePem, parsePemBlocks } from '../../packages/core/src/x509/pem.js';
import { parseCertificate } from '../../packages/core/src/x509/pkix.js';
import { printJson } from '../../packages/cli/src/output.ts';
import type { Io } from '../../packages/cli/src/output.ts';
import { applyMutation, baseCertificates, LENGTH_VALUES } from './mutate.js';
import type { Mutation } from './mutate.js';

const RUNS = 10_000;

/** An Io that drops everything; tests replace what they read. */
const silentIo: Io = {
  stdout: () => undefined,
  stderr: () => undefined,
  stderrIsTty: false,
  stdoutIsTty: false,
};
// `pnpm test` is reproducible: a fixed seed, so that CI never fails on a case nobody can replay.
// CERTKIT_PROPERTY_SEED=random (or a number) explores other cases; failures print their seed,
// and `pnpm fuzz` runs a million mutated certificates.
const seedSetting = process.env.CERTKIT_PROPERTY_SEED;
const SEED =
  seedSetting === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : seedSetting === undefined
      ? 20_261_127
      : Number(seedSetting);
fc.configureGlobal({ seed: SEED });
// A hang guard, not a speed assertion: a parser loop would otherwise stall the suite forever.
const HANG_GUARD = { timeout: 300_000 };

/** Runs `f`; passes when it returns, or throws a CertkitError; anything else is a crash. */
function returnsOrThrowsCertkitError(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (error) {
    if (isCertkitError(error)) return true;
    throw error;
  }
}

const LABELS = ['CERTIFICATE', 'PRIVATE KEY', 'X509 CRL', 'CERTIFICATE REQUEST', 'PUBLIC KEY'];
const label = fc.oneof(
  fc.constantFrom(...LABELS),
  fc.stringMatching(/^[A-Z0-9][A-Z0-9 #_-]{0,20}[A-Z0-9]$/),
);
// Text between blocks as `cat` and `openssl x509 -text` leave it: never a line of five dashes.
const junk = fc.stringMatching(/^[ -,.-~\n]{0,80}$/).filter((s) => !s.includes('-----'));

void test(
  'issue 8: PEM encode then parse returns the same blocks, with any text between them',
  HANG_GUARD,
  () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ label, der: fc.uint8Array({ minLength: 1, maxLength: 600 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        junk,
        fc.boolean(),
        (blocks, between, crlf) => {
          let text = blocks.map((b) => `${between}\n${encodePem(b.label, b.der)}`).join('');
          if (crlf) text = text.replace(/\n/g, '\r\n');
          const parsed = parsePemBlocks(new TextEncoder().encode(text), 'round-trip.pem');
          assert.deepEqual(
            parsed.map((p) => ({ label: p.label, der: Buffer.from(p.der).toString('hex') })),
            blocks.map((b) => ({ label: b.label, der: Buffer.from(b.der).toString('hex') })),
          );
          assert.deepEqual(
            parsed.map((p) => p.index),
            blocks.map((_, i) => i + 1),
          );
        },
      ),
      { numRuns: RUNS },
    );
  },
);

void test('issue 8 regression: text whose first bytes read as a DER header ("0E", length 71) is PEM', () => {
  // The counterexample fast-check found (seed -1954094981): "0E   \n" + a 65-byte PEM block is
  // 71 bytes, and 0x30 0x45 is a SEQUENCE of 69 bytes: the DER sniffing took the text for DER.
  const text = `0E   \n${encodePem('X509 CRL', new Uint8Array(10))}`;
  const bytes = new TextEncoder().encode(text);
  assert.equal(bytes.length, 0x45 + 2);
  const parsed = parsePemBlocks(bytes, 'regression.pem');
  assert.deepEqual(
    parsed.map((p) => ({ label: p.label, der: Buffer.from(p.der).toString('hex') })),
    [{ label: 'X509 CRL', der: '00'.repeat(10) }],
  );
});

// Bytes that look like PEM some of the time: arbitrary bytes, or PEM-ish text with broken parts.
const pemish = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '-----BEGIN CERTIFICATE-----',
          '-----END CERTIFICATE-----',
          '-----BEGIN PRIVATE KEY-----',
          '-----END PRIVATE KEY-----',
          '-----BEGIN ENCRYPTED PRIVATE KEY-----',
          'Proc-Type: 4,ENCRYPTED',
          'DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF',
          'MIIBkTCB+wIJAKHHIG==',
          '=',
          '',
          '\r',
        ),
        fc.base64String({ maxLength: 96 }),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 30 },
    )
    .map((lines) => new TextEncoder().encode(lines.join('\n'))),
);

void test(
  'issue 8: the PEM, certificate and key parsers on arbitrary bytes return or throw CertkitError only',
  HANG_GUARD,
  () => {
    fc.assert(
      fc.property(pemish, (bytes) => {
        returnsOrThrowsCertkitError(() => parsePemBlocks(bytes, 'any.pem'));
        returnsOrThrowsCertkitError(() => parseCertificates(bytes, 'any.pem'));
        returnsOrThrowsCertkitError(() => parseCertificate(bytes, { name: 'any.der', index: 1 }));
        returnsOrThrowsCertkitError(() => parsePrivateKey(bytes, 'any.pem'));
        return true;
      }),
      { numRuns: RUNS },
    );
  },
);

const bases = baseCertificates();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    bytes: fc.constantFrom(...LENGTH_VALUES),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

void test(
  'issue 8: mutated DER certificates (bit flips, truncation, length fields) never crash the parsers',
  HANG_GUARD,
  () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (base, mutations) => {
          const bytes = mutations.reduce(applyMutation, base.der);
          returnsOrThrowsCertkitError(() =>
            JSON.stringify(parseCertificates(bytes, 'mutated.der').map((c) => c.info)),
          );
          returnsOrThrowsCertkitError(() =>
            JSON.stringify(parseCertificate(bytes, { name: 'mutated.der', index: 1 }).info),
          );
          returnsOrThrowsCertkitError(() =>
            parseCertificates(new TextEncoder().encode(encodePem('CERTIFICATE', bytes)), 'm.pem'),
          );
          return true;
        },
      ),
      { numRuns: RUNS },
    );
  },
);

void test('issue 8: the unmutated bases parse (the mutation property starts from real certificates)', () => {
  for (const base of bases) {
    const [cert] = parseCertificates(base.der, base.name);
    assert.ok(cert !== undefined, base.name);
  }
});

/**
 * RFC 9525 section 6.3, as written: compare case-insensitively (ASCII), ignore one trailing
 * dot; a `*` that is the whole left-most label matches exactly one left-most label of the
 * reference; otherwise the names must be equal.
 */
function referenceMatch(pattern: string, host: string): boolean {
  const norm = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
  const p = norm(pattern).split('.');
  const h = norm(host).split('.');
  if (p.length !== h.length) return false;
  return p.every((label, i) => (i === 0 && label === '*') || label === h[i]);
}

const LABEL_POOL = [
  'redis-12000',
  'Redis-12000',
  'internal',
  'cluster',
  'CLUSTER',
  'a',
  'b1',
  'xn--bcher-kva',
  'db',
];
const dnsLabel = fc.constantFrom(...LABEL_POOL);
// Names end in two fixed labels, so that a wildcard never covers a public suffix (RFC 9525 6.3
// leaves that to policy; the matcher refuses it and the model would not know the list).
const name = fc
  .array(dnsLabel, { minLength: 0, maxLength: 3 })
  .map((labels) => [...labels, 'example', 'com'].join('.'));

void test(
  'issue 8: matchDnsPattern agrees with a reference model of RFC 9525 section 6.3',
  HANG_GUARD,
  () => {
    fc.assert(
      fc.property(
        name,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        dnsLabel,
        fc.option(name, { nil: undefined }),
        (base, wildcard, trailingDot, upper, stand, other) => {
          const pattern = wildcard ? `*.${base}` : base;
          // Hosts that should match and hosts that should not, in equal measure.
          let host = other ?? (wildcard ? `${stand}.${base}` : base);
          if (upper) host = host.toUpperCase();
          if (trailingDot) host = `${host}.`;
          assert.equal(
            matchDnsPattern(pattern, host),
            referenceMatch(pattern, host),
            `${pattern} vs ${host}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  },
);

void test(
  'issue 7: printJson writes exactly JSON.stringify(value, null, 2), in pieces',
  HANG_GUARD,
  () => {
    // Dates (toJSON), undefined and functions left out of objects and null in arrays, -0, NaN,
    // nested empties, odd keys: everything JSON.stringify decides, printJson must decide alike.
    const value = fc.anything({
      withDate: true,
      withNullPrototype: true,
      withObjectString: true,
      withBoxedValues: true,
      withSparseArray: true,
      maxDepth: 4,
    });
    fc.assert(
      fc.property(fc.oneof(value, fc.constant(undefined), fc.func(fc.integer())), (v) => {
        let written = '';
        printJson({ ...silentIo, stdout: (text) => (written += text) }, v);
        // JSON.stringify gives undefined for undefined and functions; a template prints that.
        const expected = JSON.stringify(v, null, 2) as string | undefined;
        assert.equal(written, `${expected ?? 'undefined'}\n`);
      }),
      { numRuns: RUNS },
    );
  },
);

void test('issue 7: printJson hands a large document to the stream in bounded pieces', () => {
  const pieces: number[] = [];
  const big = Array.from({ length: 20_000 }, (_, i) => ({
    index: i,
    subject: `CN=node${String(i)}`,
  }));
  printJson({ ...silentIo, stdout: (text) => pieces.push(text.length) }, { items: big });
  const total = pieces.reduce((a, b) => a + b, 0);
  assert.ok(total > 1_000_000, `a document of ${String(total)} characters`);
  assert.ok(pieces.length >= total / (70 * 1024), `${String(pieces.length)} pieces`);
  assert.ok(Math.max(...pieces) < 70 * 1024, `largest piece ${String(Math.max(...pieces))}`);
});
