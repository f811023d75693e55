/**
 * The `redis-enterprise` profile: the proxy certificate requirements of the Redis Enterprise
 * documentation ("Certificates"): EKU serverAuth + clientAuth, keyUsage, the cluster's four
 * names, CN = the cluster, and the chain ordered leaf -> intermediate -> root.
 */
import { ref } from './endpoint-findings.js';
import type { CheckFinding } from './endpoint-findings.js';
import { namesEqual } from '../x509/pkix.js';
import { signatureVerifies } from '../x509/sign.js';
import type { Certificate } from '../x509/pkix.js';

const RE_SUFFIXES = ['', '*.', 'internal.', '*.internal.'] as const;

/** Redis Enterprise's proxy certificate requirements (documentation, "Certificates"). */
export function enterpriseFindings(chain: readonly Certificate[], cluster: string): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const leaf = chain[0];
  if (leaf === undefined) return findings;
  const at = ref(leaf);
  const eku = leaf.info.extendedKeyUsage ?? [];
  const missingEku = ['serverAuth', 'clientAuth'].filter((p) => !eku.includes(p));
  if (missingEku.length > 0 && leaf.info.extendedKeyUsage !== null) {
    // (serverAuth alone missing is reported by the general EKU check)
    if (!(missingEku.length === 1 && missingEku[0] === 'serverAuth')) {
      findings.push({
        code: 'MISSING_EKU',
        severity: 'error',
        message: `Redis Enterprise needs extendedKeyUsage serverAuth and clientAuth (the proxy is also a client of other nodes); missing ${missingEku.join(', ')}`,
        certificate: at,
      });
    }
  } else if (leaf.info.extendedKeyUsage === null) {
    findings.push({
      code: 'MISSING_EKU',
      severity: 'error',
      message:
        'Redis Enterprise needs extendedKeyUsage serverAuth and clientAuth; the certificate has no extendedKeyUsage',
      certificate: at,
    });
  }
  const ku = leaf.info.keyUsage ?? [];
  // keyEncipherment only for RSA: EC keys cannot encipher (RFC 5480 section 3).
  const neededKu =
    leaf.info.key.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const missingKu = neededKu.filter((u) => !ku.includes(u as never));
  if (missingKu.length > 0) {
    findings.push({
      code: 'MISSING_KEY_USAGE',
      severity: 'error',
      message: `Redis Enterprise needs keyUsage ${neededKu.join(' + ')}; missing ${missingKu.join(', ')}`,
      certificate: at,
    });
  }
  const dns = new Set(leaf.info.subjectAltNames.dns.map((d) => d.toLowerCase()));
  const missingSan = RE_SUFFIXES.map((p) => `${p}${cluster}`).filter((n) => !dns.has(n));
  if (missingSan.length > 0) {
    findings.push({
      code: 'MISSING_SAN',
      severity: 'error',
      message: `Redis Enterprise's proxy certificate lists ${RE_SUFFIXES.map((p) => `${p}${cluster}`).join(', ')}; missing ${missingSan.join(', ')}`,
      certificate: at,
    });
  }
  const cns = leaf.info.subjectAttributes
    .filter((a) => a.type === 'CN')
    .map((a) => a.value.toLowerCase());
  if (cns.length !== 1 || cns[0] !== cluster) {
    findings.push({
      code: 'WRONG_CN',
      severity: 'error',
      message: `Redis Enterprise expects the subject CN to be the cluster name ${cluster}; found ${cns.join(', ') || 'none'}`,
      certificate: at,
    });
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i];
    const parent = chain[i + 1];
    if (child === undefined || parent === undefined) continue;
    if (!namesEqual(child, 'issuer', parent, 'subject') || !signatureVerifies(child, parent)) {
      findings.push({
        code: 'CHAIN_ORDER',
        severity: 'error',
        message: `the chain must be ordered leaf -> intermediate -> root; certificate ${String(i + 2)} (${parent.info.subject}) did not issue certificate ${String(i + 1)} (${child.info.subject})`,
        certificate: ref(parent),
      });
      break;
    }
  }
  return findings;
}
