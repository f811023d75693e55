/**
 * Names of an endpoint certificate for a cluster, judged twice: by RFC 9525 (hostname.ts) and by
 * the models of the real client stacks (clients.ts), because the stacks disagree (partial
 * wildcards, names only in the CN) and users otherwise find out in production.
 */
import { CLIENT_STACKS, clientVerdict, clientVerdicts, presentedNames } from './clients.js';
import type { ClientStack, ClientVerdict } from './clients.js';
import { ref } from './endpoint-findings.js';
import type { CheckFinding, CheckProfile } from './endpoint-findings.js';
import { matchReferenceIdentity } from './hostname.js';
import type { Certificate } from '../x509/pkix.js';

/** How one endpoint name fares. */
export interface NameCheck {
  /** The endpoint name, e.g. `redis-12000.redislabs.com`. */
  readonly name: string;
  /** RFC 9525 verdict (no CN, wildcard only as a whole left-most label). */
  readonly rfc9525: boolean;
  /** Why RFC 9525 refuses it. */
  readonly reason?: string;
  /** Every modelled stack's verdict, in CLIENT_STACKS order. */
  readonly clients: readonly ClientVerdict[];
  /** True when the stacks do not all agree. */
  readonly disagree: boolean;
}

const STACK_NAMES: Readonly<Record<ClientStack, string>> = Object.fromEntries(
  CLIENT_STACKS.map((s) => [s.stack, `${s.name} (${s.clients.join(', ')})`]),
) as Record<ClientStack, string>;

function stackList(stacks: readonly ClientStack[]): string {
  return stacks.map((s) => STACK_NAMES[s]).join(', ');
}

function isPartialWildcard(pattern: string): boolean {
  const first = pattern.split('.')[0] ?? '';
  return first.includes('*') && first !== '*';
}

/** Findings about names: coverage by RFC 9525 and by each client stack. */
export function nameFindings(
  leaf: Certificate,
  cluster: string,
  endpoints: readonly string[],
  profile: CheckProfile,
): { findings: CheckFinding[]; names: NameCheck[] } {
  const findings: CheckFinding[] = [];
  const lenient = profile === 'compat' ? 'warning' : 'error';
  const at = ref(leaf);
  const names: NameCheck[] = endpoints.map((name) => {
    const rfc = matchReferenceIdentity(leaf, { dns: name });
    const clients = clientVerdicts(leaf, name);
    const accepted = clients.filter((v) => v.accepts).length;
    return {
      name,
      rfc9525: rfc.ok,
      ...(rfc.ok || rfc.reason === undefined ? {} : { reason: rfc.reason }),
      clients,
      disagree: accepted > 0 && accepted < clients.length,
    };
  });
  const presented = presentedNames(leaf);
  if (presented.dns.length === 0 && presented.commonNames.length > 0) {
    // Some stacks still read the CN when there is no DNS SAN; Go and RFC 9525 never do.
    const refusing = new Set<ClientStack>();
    for (const n of names) for (const v of n.clients) if (!v.accepts) refusing.add(v.stack);
    findings.push({
      code: 'CN_ONLY',
      severity: lenient,
      message: `names only in the subject CN (${presented.commonNames.join(', ')}), no DNS subjectAltName: RFC 9525 section 6.2 and ${stackList([...refusing]) || 'strict clients'} ignore the CN; put the names in subjectAltName`,
      certificate: at,
      stacks: [...refusing],
    });
  }
  for (const pattern of presented.dns.filter(isPartialWildcard)) {
    const refusing = new Set<ClientStack>();
    let someAccept = false;
    for (const n of names) {
      for (const { stack } of CLIENT_STACKS) {
        const verdict = clientVersusPattern(stack, pattern, n.name);
        if (verdict) someAccept = true;
        else refusing.add(stack);
      }
    }
    if (!someAccept) continue; // covers no endpoint at all: NAME_MISMATCH says so
    // When other names already cover every endpoint for every stack, the pattern is dead weight.
    const harmless = names.every((n) => n.clients.every((v) => v.accepts));
    findings.push({
      code: 'PARTIAL_WILDCARD',
      severity: harmless ? 'warning' : lenient,
      message: `subjectAltName ${pattern} is a partial wildcard: ${stackList([...refusing])} refuse it (RFC 9525 section 6.3 allows "*" only as the whole left-most label); ${harmless ? 'other names cover the endpoints, so drop it' : `use *.${cluster}`}`,
      certificate: at,
      stacks: [...refusing],
    });
  }
  for (const n of names) {
    const refusing = n.clients.filter((v) => !v.accepts).map((v) => v.stack);
    if (refusing.length === n.clients.length) {
      findings.push({
        code: 'NAME_MISMATCH',
        severity: 'error',
        message: `${n.name} is not covered: no client accepts it (names: ${[...presented.dns.map((d) => `DNS:${d}`), ...presented.commonNames.map((c) => `CN=${c}`)].join(', ') || 'none'})`,
        certificate: at,
        stacks: refusing,
      });
    } else if (
      refusing.length > 0 &&
      !findings.some((f) => f.code === 'PARTIAL_WILDCARD' || f.code === 'CN_ONLY')
    ) {
      // A disagreement that neither a partial wildcard nor a CN explains: still a broken client.
      findings.push({
        code: 'NAME_MISMATCH',
        severity: lenient,
        message: `${n.name} is refused by ${stackList(refusing)}`,
        certificate: at,
        stacks: refusing,
      });
    }
  }
  return { findings, names };
}

/** One stack's verdict on one SAN pattern alone, to say which stacks refuse that pattern. */
function clientVersusPattern(stack: ClientStack, pattern: string, host: string): boolean {
  return clientVerdict(stack, { dns: [pattern], ip: [], commonNames: [] }, host).accepts;
}
