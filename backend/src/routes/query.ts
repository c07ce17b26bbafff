// Query parameters shared by the live routes, validated with one clear 400.
import { MAX_FIELD_CHARS, resolveScope, type Scope, type Session } from '@live-calls/protocol';
import { forbidden } from '../errors.js';

export interface LiveQuery {
  company_id?: string;
  last_event_id?: string;
}

// One schema for the three live routes, so each accepts and checks the same parameters.
// Unknown parameters are dropped (Fastify's Ajv removes what `additionalProperties` refuses).
export const liveQuerySchema = {
  type: 'object',
  properties: {
    company_id: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_FIELD_CHARS,
      description:
        'Narrow to one company (admin, operator, noc); role user may name only its own (else 403).',
    },
    last_event_id: {
      type: 'string',
      maxLength: 200,
      description:
        'Where to resume the stream, `<epoch>:<seq>`; the Last-Event-ID header wins. Only the stream reads it.',
    },
  },
  additionalProperties: false,
} as const;

/** The scope a session asks for, or 403 when it asks for another company. */
export function scopeFor(session: Session, companyId: string | undefined): Scope {
  const result = resolveScope(session, companyId);
  if (!result.ok) throw forbidden('this session may not see that company');
  return result.scope;
}
