// Who calls whom: the simulated tenants and carriers, and per call a direction with
// parties, tenant and trunk that agree with it (inbound: outside number → tenant DID over
// a trunk; outbound: extension → outside number over a trunk; internal: extension →
// extension, no trunk).
import type { Direction, Party } from '@live-calls/protocol';
import type { Prng } from './prng.js';

export interface Tenant {
  /** company_id, or null for the unassigned share. */
  id: string | null;
  /** SIP domain of the tenant's PBX users. */
  domain: string;
  /** E.164 prefix of the tenant's DID block (4 digits follow). */
  didPrefix: string;
  /** Private /16 its phones register from, e.g. '10.3'. */
  lan: string;
}

export interface Trunk {
  name: string;
  /** Carrier-side SIP host. */
  host: string;
  /** Public /24 its gateways send from, e.g. '198.51.100'. */
  net: string;
}

export interface Directory {
  tenants: readonly Tenant[];
  /** Cumulative weights for picking a tenant: a few big tenants, a long tail. */
  tenantWeights: readonly number[];
  unassigned: Tenant;
  trunks: readonly Trunk[];
  trunkWeights: readonly number[];
}

export interface CallParties {
  companyId: string | null;
  direction: Direction;
  from: Party;
  to: Party;
  trunk: string | null;
  /** Host part of the Call-ID: whoever sent the INVITE. */
  callerHost: string;
  /** Caller's Contact, a routing internal. */
  callerContact: string;
  /** Callee's Contact once it answers. */
  calleeContact: string;
}

/** Share of calls with company_id null (when there are tenants at all). */
const UNASSIGNED_SHARE = 0.05;
/** Direction mix of all calls. */
const DIRECTION_SHARES = { inbound: 0.45, outbound: 0.4, internal: 0.15 } as const;

const TENANT_NAMES = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'stark',
  'wayne',
  'wonka',
  'tyrell',
  'cyberdyne',
  'soylent',
  'vandelay',
];
const TRUNK_NAMES = ['northwind-gw1', 'contoso-sbc', 'fabrikam-gw', 'tailspin-tr'];
// Documentation ranges (RFC 5737) for carrier gateways.
const PUBLIC_NETS = ['192.0.2', '198.51.100', '203.0.113'];
const COUNTRY_CODES = ['+44', '+49', '+33', '+1', '+46', '+31', '+34', '+39'];
const NATIONAL_DIGITS: Record<string, number> = { '+1': 10, '+44': 10, '+49': 10, '+46': 9 };
const FIRST_NAMES = ['Alice', 'Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan'];
const LAST_NAMES = ['Smith', 'Jones', 'Berg', 'Martin', 'Rossi', 'Novak', 'Kim', 'Silva'];

function cumulative(count: number, weight: (i: number) => number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < count; i++) out.push((sum += weight(i)));
  return out;
}

function tenant(index: number): Tenant {
  const base = TENANT_NAMES[index];
  const id = base ?? `tenant-${index + 1}`;
  return {
    id,
    domain: `${id}.pbx.example`,
    // 020 7946 xxxx is Ofcom's drama range; later tenants step through neighbours.
    didPrefix: `+4420${String(7946 + index).padStart(4, '0')}`,
    lan: `10.${(index % 250) + 1}`,
  };
}

export function buildDirectory(companies: number, trunks: number): Directory {
  const tenants = Array.from({ length: companies }, (_, i) => tenant(i));
  const trunkList = Array.from({ length: trunks }, (_, i) => {
    const name = TRUNK_NAMES[i] ?? `trunk-${i + 1}`;
    return {
      name,
      host: `${name}.carrier.example`,
      net: PUBLIC_NETS[i % PUBLIC_NETS.length] ?? '192.0.2',
    };
  });
  return {
    tenants,
    // Zipf-like: tenant i gets weight 1/(i+1), so the dashboard's per-company view varies.
    tenantWeights: cumulative(companies, (i) => 1 / (i + 1)),
    unassigned: { id: null, domain: 'unassigned.pbx.example', didPrefix: '+44207900', lan: '10.0' },
    trunks: trunkList,
    trunkWeights: cumulative(trunks, (i) => 1 / (i + 1)),
  };
}

function externalNumber(rng: Prng): string {
  const cc = rng.pick(COUNTRY_CODES);
  const first = String(rng.int(2, 9));
  return `${cc}${first}${rng.digits((NATIONAL_DIGITS[cc] ?? 9) - 1)}`;
}

function extension(rng: Prng): string {
  return String(rng.int(1000, 1999));
}

function displayName(rng: Prng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

function lanHost(rng: Prng, t: Tenant): string {
  return `${t.lan}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
}

function pickDirection(rng: Prng): Direction {
  const x = rng.float();
  if (x < DIRECTION_SHARES.inbound) return 'inbound';
  if (x < DIRECTION_SHARES.inbound + DIRECTION_SHARES.outbound) return 'outbound';
  return 'internal';
}

function pickTenant(rng: Prng, dir: Directory): Tenant {
  if (dir.tenants.length === 0 || rng.chance(UNASSIGNED_SHARE)) return dir.unassigned;
  return dir.tenants[rng.weighted(dir.tenantWeights)] ?? dir.unassigned;
}

function extParty(rng: Prng, t: Tenant, user: string): Party {
  const party: Party = { user, uri: `sip:${user}@${t.domain}` };
  if (rng.chance(0.6)) party.display = displayName(rng);
  return party;
}

export function pickParties(rng: Prng, dir: Directory): CallParties {
  const t = pickTenant(rng, dir);
  const direction = pickDirection(rng);
  const phone = lanHost(rng, t);
  const phoneContact = (user: string) => `sip:${user}@${phone}:5060;transport=udp`;

  if (direction === 'internal') {
    const caller = extension(rng);
    let callee = extension(rng);
    if (callee === caller) callee = String(((Number(caller) - 999) % 1000) + 1000);
    return {
      companyId: t.id,
      direction,
      from: extParty(rng, t, caller),
      to: extParty(rng, t, callee),
      trunk: null,
      callerHost: phone,
      callerContact: phoneContact(caller),
      calleeContact: `sip:${callee}@${lanHost(rng, t)}:5060;transport=udp`,
    };
  }

  const trunk = dir.trunks[rng.weighted(dir.trunkWeights)] ?? dir.trunks[0];
  if (trunk === undefined) throw new RangeError('at least one trunk is required');
  const gateway = `${trunk.net}.${rng.int(10, 250)}`;
  const outside = externalNumber(rng);
  const outsideParty: Party = { user: outside, uri: `sip:${outside}@${trunk.host}` };

  if (direction === 'inbound') {
    if (rng.chance(0.3)) outsideParty.display = displayName(rng);
    const did = `${t.didPrefix}${rng.digits(4)}`;
    return {
      companyId: t.id,
      direction,
      from: outsideParty,
      to: { user: did, uri: `sip:${did}@${t.domain}` },
      trunk: trunk.name,
      callerHost: gateway,
      callerContact: `sip:${outside}@${gateway}:5060`,
      calleeContact: `sip:${extension(rng)}@${phone}:5060;transport=udp`,
    };
  }

  const caller = extension(rng);
  return {
    companyId: t.id,
    direction,
    from: extParty(rng, t, caller),
    to: outsideParty,
    trunk: trunk.name,
    callerHost: phone,
    callerContact: phoneContact(caller),
    calleeContact: `sip:${outside}@${gateway}:5060`,
  };
}
