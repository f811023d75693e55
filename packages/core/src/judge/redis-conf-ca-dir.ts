/**
 * `tls-ca-cert-dir`: a folder OpenSSL searches by name, not by content (X509_LOOKUP_hash_dir,
 * crypto/x509/by_dir.c). To find the issuer of a certificate it opens `<h>.0`, `<h>.1`, … in
 * turn, `<h>` being the subject hash of the issuer it wants (x509/subject-hash.ts), and stops at
 * the first name that does not exist. A certificate under any other name is never found: the
 * folder must be prepared with `openssl rehash` (or `c_rehash`), which links each `.pem`, `.crt`,
 * `.cer` and `.crl` file under its hash, and again after every change.
 */
import { parseCertificates } from '../x509/certificates.js';
import type { Certificate } from '../x509/pkix.js';
import { escapedText, shownText } from '../x509/stunnel-syntax.js';
import { subjectHash } from '../x509/subject-hash.js';
import type { CertkitError } from '../errors.js';
import { addUnreadable } from './redis-conf-files.js';
import type { RedisCaFolder } from './redis-conf-files.js';
import type { AddRedisFinding, RedisSetting } from './redis-conf-settings.js';

/** Most certificates named one by one as not findable; the rest are counted. */
const MAX_LISTED = 20;

/** `<8 hex digits>.<n>`, as openssl rehash names certificate links (CRLs are `<h>.r<n>`). */
function hashedName(name: string): { hash: string; n: number } | null {
  if (name.length > 20) return null;
  const dot = name.indexOf('.');
  const hash = name.slice(0, dot);
  const n = name.slice(dot + 1);
  if (dot !== 8 || !/^[0-9a-f]{8}$/.test(hash) || !/^[0-9]{1,10}$/.test(n)) return null;
  return { hash, n: Number(n) };
}

const REHASHED_EXTENSIONS = ['.pem', '.crt', '.cer', '.crl'];

/** The certificates of a file, or null when it holds none certkit can read. */
function certificatesIn(bytes: Uint8Array, name: string): Certificate[] | null {
  try {
    const certificates = parseCertificates(bytes, name);
    return certificates.length > 0 ? certificates : null;
  } catch {
    return null; // not a certificate file (a README, a key): OpenSSL would not use it either
  }
}

/** Records the findings about a `tls-ca-cert-dir` folder. */
export function caDirFindings(
  setting: RedisSetting<string>,
  folder: RedisCaFolder | CertkitError | undefined,
  add: AddRedisFinding,
): void {
  const dir = shownText(setting.value);
  if (folder === undefined || !('entries' in folder)) {
    addUnreadable(
      'tls-ca-cert-dir',
      setting.value,
      setting.line,
      folder,
      'redis-server refuses to start',
      add,
    );
    return;
  }
  for (const reason of folder.notRead ?? []) {
    add(
      'REDIS_CONF_FILE_UNREADABLE',
      'warning',
      `tls-ca-cert-dir ${dir}: ${escapedText(reason, 200)}`,
      setting.line,
    );
  }
  const present = new Set(folder.entries.map((e) => e.name));
  // Fingerprints OpenSSL finds: certificates under a name of their own hash it reaches.
  const findable = new Set<string>();
  let hashedCount = 0;
  const loose: { name: string; certificate: Certificate }[] = [];
  for (const entry of folder.entries) {
    const hashed = hashedName(entry.name);
    if (!(entry.content instanceof Uint8Array)) {
      if (hashed !== null) {
        add(
          'REDIS_CONF_FILE_UNREADABLE',
          'error',
          `tls-ca-cert-dir ${dir}: ${escapedText(entry.content.message, Infinity)}`,
          setting.line,
        );
      }
      continue;
    }
    const certificates = certificatesIn(entry.content, entry.name);
    if (hashed === null) {
      for (const certificate of certificates ?? []) loose.push({ name: entry.name, certificate });
      continue;
    }
    hashedCount++;
    const name = escapedText(entry.name, 40);
    if (certificates === null) {
      add(
        'REDIS_CONF_CA_DIR_STALE_LINK',
        'error',
        `tls-ca-cert-dir ${dir}: ${name} holds no certificate (a broken or stale link?): run openssl rehash on the folder`,
        setting.line,
      );
      continue;
    }
    const own = certificates.filter((c) => subjectHash(c) === hashed.hash);
    if (own.length === 0) {
      const first = certificates[0];
      add(
        'REDIS_CONF_CA_DIR_STALE_LINK',
        'error',
        `tls-ca-cert-dir ${dir}: ${name} holds ${first === undefined ? 'certificates' : `${escapedText(first.info.subject)}, whose subject hash is ${String(subjectHash(first))}`}, not ${hashed.hash}: OpenSSL looks for it under another name and never finds it here (a link left from an earlier certificate?); run openssl rehash on the folder`,
        setting.line,
      );
      continue;
    }
    const previous = `${hashed.hash}.${String(hashed.n - 1)}`;
    if (hashed.n > 0 && !present.has(previous)) {
      add(
        'REDIS_CONF_CA_DIR_STALE_LINK',
        'error',
        `tls-ca-cert-dir ${dir}: ${name} is never read: OpenSSL stops at the first missing ${hashed.hash}.N and ${previous} is missing; run openssl rehash on the folder`,
        setting.line,
      );
      continue;
    }
    for (const certificate of own) findable.add(certificate.info.fingerprintSha256);
  }
  const lost = loose.filter((l) => !findable.has(l.certificate.info.fingerprintSha256));
  if (hashedCount === 0 && loose.length === 0) {
    add(
      'REDIS_CONF_FILE_INVALID',
      'error',
      `tls-ca-cert-dir ${dir} holds no certificate: redis trusts nothing from it`,
      setting.line,
    );
    return;
  }
  if (hashedCount === 0) {
    add(
      'REDIS_CONF_CA_DIR_NOT_HASHED',
      'error',
      `tls-ca-cert-dir ${dir} holds ${String(loose.length)} certificate${loose.length === 1 ? '' : 's'} but no <hash>.0 names: OpenSSL looks certificates up in a folder by those names only, so redis trusts none of them; run openssl rehash ${dir} (or c_rehash), and again after every change`,
      setting.line,
    );
    return;
  }
  for (const { name, certificate } of lost.slice(0, MAX_LISTED)) {
    const rehashed = REHASHED_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));
    add(
      'REDIS_CONF_CA_DIR_NOT_HASHED',
      'error',
      `tls-ca-cert-dir ${dir}: ${escapedText(certificate.info.subject)} in ${escapedText(name, 60)} has no ${String(subjectHash(certificate))}.N name: OpenSSL never finds it; ${rehashed ? 'run openssl rehash on the folder' : 'openssl rehash links only files ending in .pem, .crt, .cer or .crl: rename it, then run openssl rehash on the folder'}`,
      setting.line,
    );
  }
  if (lost.length > MAX_LISTED) {
    add(
      'REDIS_CONF_CA_DIR_NOT_HASHED',
      'error',
      `tls-ca-cert-dir ${dir}: and ${String(lost.length - MAX_LISTED)} more certificates without a hashed name`,
      setting.line,
    );
  }
}
