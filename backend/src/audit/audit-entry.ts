// One operator action as the audit trail keeps it (docs/interface/http.md `GET /api/v1/audit`):
// who asked for what on which call, and how it ended, for refused attempts too.
import { ROLES, type Role } from '@live-calls/protocol';

export const AUDIT_ACTIONS = ['hangup'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * How an attempt ended (also the label set of `live_hangup_requests_total`): `ok` the bridge
 * asked the PBX and it agreed; the rest name the refusal the HTTP answer carries.
 */
export const AUDIT_RESULTS = [
  'ok',
  'forbidden',
  'rate_limited',
  'not_found',
  'conflict',
  'pbx_error',
  'unavailable',
] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

export interface AuditEntry {
  /** When the attempt was answered, ms since epoch. */
  at: number;
  sub: string;
  role: Role;
  action: AuditAction;
  /** The call's record id as asked for (`<source>:<call_id>`). */
  id: string;
  request_id: string;
  result: AuditResult;
}

/** JetStream stream of the audit trail, and the subject prefix it takes (`audit.<action>`). */
export const AUDIT_STREAM = 'AUDIT';
export const AUDIT_SUBJECT_PREFIX = 'audit.';

export function auditSubject(action: AuditAction): string {
  return AUDIT_SUBJECT_PREFIX + action;
}

/** Reads an entry back from the stream; anything else (a stranger's message) is skipped. */
export function parseAuditEntry(value: unknown): AuditEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (
    typeof e.at !== 'number' ||
    typeof e.sub !== 'string' ||
    typeof e.role !== 'string' ||
    !(ROLES as readonly string[]).includes(e.role) ||
    !AUDIT_ACTIONS.includes(e.action as AuditAction) ||
    typeof e.id !== 'string' ||
    typeof e.request_id !== 'string' ||
    !AUDIT_RESULTS.includes(e.result as AuditResult)
  ) {
    return undefined;
  }
  return {
    at: e.at,
    sub: e.sub,
    role: e.role as Role,
    action: e.action as AuditAction,
    id: e.id,
    request_id: e.request_id,
    result: e.result as AuditResult,
  };
}
