// The audit trail of operator actions (docs/interface/http.md `GET /api/v1/audit`), role
// `admin` only: with NATS read back from JetStream stream AUDIT (every instance sees the same
// trail), in embedded mode from memory.
import type { FastifyPluginCallback } from 'fastify';
import { AUDIT_ACTIONS, AUDIT_RESULTS } from '../audit/audit-entry.js';
import { forbidden, unavailable } from '../errors.js';
import { errorResponse, NOT_CACHED } from './schemas.js';

const MAX_LIMIT = 1000;

const auditSchema = {
  summary: 'Operator actions, allowed and refused, newest first (role admin)',
  querystring: {
    type: 'object',
    properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 } },
  },
  response: {
    200: {
      description: 'The newest entries, newest first',
      type: 'array',
      headers: NOT_CACHED,
      items: {
        type: 'object',
        required: ['at', 'sub', 'role', 'action', 'id', 'request_id', 'result'],
        properties: {
          at: { type: 'integer', description: 'When it was answered, ms since epoch' },
          sub: { type: 'string', description: 'Who asked' },
          role: { type: 'string' },
          action: { enum: AUDIT_ACTIONS },
          id: { type: 'string', description: 'The call’s record id as asked for' },
          request_id: { type: 'string' },
          result: { enum: AUDIT_RESULTS },
        },
      },
    },
    400: errorResponse('A bad query parameter'),
    401: errorResponse('No session, or a bad or expired one'),
    403: errorResponse('Any role but `admin`'),
    503: errorResponse('The audit trail cannot be read now'),
  },
} as const;

const audit: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: { limit: number } }>(
    '/api/v1/audit',
    { schema: auditSchema, onRequest: app.requireSession },
    async (request, reply) => {
      if (request.session.role !== 'admin') throw forbidden('the audit trail is for role admin');
      let entries;
      try {
        entries = await app.audit.newest(request.query.limit);
      } catch (err) {
        request.log.warn({ err: String(err) }, 'audit trail not readable');
        throw unavailable('the audit trail cannot be read now; retry shortly');
      }
      return reply.header('cache-control', 'no-store').send(entries);
    },
  );
  done();
};

export default audit;
