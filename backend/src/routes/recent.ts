// Calls ended in the last 15 min (docs/interface/http.md `GET /api/v1/live/recent`): where an
// operator looks first when customers complain; read from an index the store keeps.
import { END_REASONS, type EndReason } from '@live-calls/protocol';
import type { FastifyPluginCallback } from 'fastify';
import { RECENT_MAX } from '../store/recent-ended.js';
import { liveQuerySchema, scopeFor, type LiveQuery } from './query.js';
import { DEPENDENCY_DOWN, errorResponse, NOT_CACHED, SESSION_ERRORS } from './schemas.js';
import { recordViewOf } from '../store/record-views.js';

const MAX_LIMIT = 1000;

const recentSchema = {
  summary: 'Calls ended in the last 15 minutes within the session’s scope, newest first',
  querystring: {
    ...liveQuerySchema,
    properties: {
      company_id: liveQuerySchema.properties.company_id,
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 },
      reason: { enum: END_REASONS, description: 'Only calls that ended for this reason' },
    },
  },
  response: {
    // Sent as JSON text spliced from the store, so this schema describes, not serializes.
    200: {
      description: `The ended records (without \`sip\` for role \`user\`); of at most the ${RECENT_MAX} newest per scope`,
      type: 'array',
      items: { $ref: 'CallRecord#' },
      headers: NOT_CACHED,
    },
    400: errorResponse('A bad query parameter'),
    ...SESSION_ERRORS,
    503: DEPENDENCY_DOWN,
  },
} as const;

interface RecentQuery extends Pick<LiveQuery, 'company_id'> {
  limit: number;
  reason?: EndReason;
}

const recent: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: RecentQuery }>(
    '/api/v1/live/recent',
    { schema: recentSchema, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      const calls = await app.store.recent({
        company: scope.company_id,
        view: recordViewOf(scope),
        now: Date.now(),
        limit: request.query.limit,
        reason: request.query.reason,
      });
      return reply
        .type('application/json')
        .header('cache-control', 'no-store')
        .send(`[${calls.join(',')}]`);
    },
  );
  done();
};

export default recent;
