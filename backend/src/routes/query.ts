// Query parameters shared by the live routes, validated with one clear 400.
import { MAX_FIELD_CHARS, resolveScope, type Scope, type Session } from '@live-calls/protocol';
import { badRequest, forbidden } from '../errors.js';

export interface LiveQuery {
  company_id?: string;
  last_event_id?: string;
}

export const liveQuerySchema = {
  type: 'object',
  properties: {
    company_id: { type: 'string', minLength: 1, maxLength: MAX_FIELD_CHARS },
    last_event_id: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
} as const;

/** The scope a session asks for, or 403 when it asks for another company. */
export function scopeFor(session: Session, companyId: string | undefined): Scope {
  const result = resolveScope(session, companyId);
  if (!result.ok) throw forbidden('this session may not see that company');
  return result.scope;
}

export function singleHeader(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) throw badRequest('Last-Event-ID given more than once');
  return value;
}
