/**
 * Issue 5: the client-stack models reproduce the table measured in the issue (the differential
 * tests in test/interop/clients-*.test.ts prove the models against the real stacks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_STACKS } from '@certkit/core';
// The per-stack model function, below clientVerdicts (checkEndpointCertificate's names[].clients): it takes a certificate's names.
import { clientVerdict } from '../../packages/core/src/judge/clients.js';
import type { PresentedNames } from '../../packages/core/src/judge/clients.js';

const HOST = 'redis-12000.redislabs.com';
const san = (...dns: string[]): PresentedNames => ({ dns, ip: [], commonNames: [] });

const TABLE: readonly { name: string; names: PresentedNames; host?: string; accept: string }[] = [
  { name: 'SAN *.C', names: san('*.redislabs.com'), accept: 'node openssl python go java' },
  { name: 'SAN redis-*.C', names: san('redis-*.redislabs.com'), accept: 'node java' },
  {
    name: 'CN redis-12000.C, no SAN',
    names: { dns: [], ip: [], commonNames: [HOST] },
    accept: 'node openssl python java',
  },
  {
    name: 'SAN redis*.C (no hyphen)',
    names: san('redis*.redislabs.com'),
    accept: 'node openssl java',
  },
  {
    name: 'a DNS SAN hides the CN from every stack',
    names: { dns: ['other.example.com'], ip: [], commonNames: [HOST] },
    accept: '',
  },
  {
    name: 'wildcard over a TLD: Go, and Java (no public-suffix check for a private CA)',
    names: san('*.com'),
    host: 'a.com',
    accept: 'go java',
  },
  {
    name: 'wildcard in the second label: only Java',
    names: san('a.*.redislabs.com'),
    host: 'a.b.redislabs.com',
    accept: 'java',
  },
  {
    name: 'a wildcard never spans two labels',
    names: san('*.redislabs.com'),
    host: 'a.b.redislabs.com',
    accept: '',
  },
  {
    name: 'case-insensitive everywhere',
    names: san('REDIS-12000.RedisLabs.COM'),
    accept: 'node openssl python go java',
  },
  {
    name: 'trailing dot on the host: OpenSSL and Python compare literally',
    names: san('*.redislabs.com'),
    host: `${HOST}.`,
    accept: 'node go java',
  },
  {
    // OpenSSL clients check an IP with X509_check_ip (-verify_ip, stunnel checkIP).
    name: 'IP SAN for an IP host',
    names: { dns: [], ip: ['127.0.0.1'], commonNames: [] },
    host: '127.0.0.1',
    accept: 'node openssl python go java',
  },
  {
    name: 'an IP written as a DNS SAN is no IP SAN',
    names: { dns: ['127.0.0.1'], ip: [], commonNames: [] },
    host: '127.0.0.1',
    accept: '',
  },
];

test('client-stack models reproduce the measured table (issue 5)', async (t) => {
  for (const row of TABLE) {
    await t.test(row.name, () => {
      const accepted = CLIENT_STACKS.map((s) => s.stack).filter(
        (stack) => clientVerdict(stack, row.names, row.host ?? HOST).accepts,
      );
      assert.equal(accepted.join(' '), row.accept);
    });
  }
});
