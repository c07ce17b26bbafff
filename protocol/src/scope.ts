// Who sees what (docs/interface/access.md). Decided once per connection; applied per record with one
// string comparison, so fan-out never serializes per client.
import type { CallRecord } from './record.js';

export const ROLES = ['admin', 'operator', 'noc', 'user'] as const;
export type Role = (typeof ROLES)[number];

export interface Session {
  sub: string;
  role: Role;
  /** Required for role `user`; a tenant for the others is informational only. */
  company_id: string | null;
  /** Seconds since epoch (JWT `exp`). */
  exp: number;
}

/** The resolved view of one connection: which company (if any) and which record variant. */
export interface Scope {
  /** `null`: every call, including unassigned ones. */
  company_id: string | null;
  /** Role `user` gets the redacted variant: no `sip`. */
  redacted: boolean;
  /** Role `user` never sees sources. */
  sources: boolean;
}

export type ScopeResult = { ok: true; scope: Scope } | { ok: false; reason: 'forbidden' };

export function isPrivileged(role: Role): boolean {
  return role !== 'user';
}

/** Roles that may act on calls (hang up); `noc` watches only, `user` sees only. */
export function mayAct(role: Role): boolean {
  return role === 'admin' || role === 'operator';
}

/**
 * Resolves a session and an optional `company_id` narrowing into a scope. A `user` may
 * only ask for its own company; anything else is forbidden.
 */
export function resolveScope(
  session: Pick<Session, 'role' | 'company_id'>,
  requested?: string | null,
): ScopeResult {
  if (isPrivileged(session.role)) {
    return { ok: true, scope: { company_id: requested ?? null, redacted: false, sources: true } };
  }
  if (session.company_id === null) return { ok: false, reason: 'forbidden' };
  if (requested != null && requested !== session.company_id)
    return { ok: false, reason: 'forbidden' };
  return { ok: true, scope: { company_id: session.company_id, redacted: true, sources: false } };
}

export const ALL_SCOPE: Scope = Object.freeze({ company_id: null, redacted: false, sources: true });

/** May a connection with this scope see this record at all? */
export function canSee(scope: Scope, record: Pick<CallRecord, 'company_id'>): boolean {
  return scope.company_id === null || record.company_id === scope.company_id;
}

/** The record as this scope may see it: without `sip` when redacted. Never mutates. */
export function viewOf(scope: Scope, record: CallRecord): CallRecord {
  if (!scope.redacted || record.sip === undefined) return record;
  const { sip: _sip, ...rest } = record;
  return rest;
}
