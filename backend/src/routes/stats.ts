// Scoped aggregates over HTTP (docs/interface/http.md `GET /api/v1/live/stats`): the same
// object the stream pushes as its `stats` event, read from the store so every instance agrees.
import type { FastifyPluginCallback } from 'fastify';
import { liveQuerySchema, scopeFor, type LiveQuery } from './query.js';
import { DEPENDENCY_DOWN, errorResponse, NOT_CACHED, ref, SESSION_ERRORS } from './schemas.js';

const statsSchema = {
  summary: 'Aggregates over the session’s scope (the same object as the `stats` event)',
  querystring: liveQuerySchema,
  response: {
    200: { description: 'The scope’s stats', ...ref('Stats'), headers: NOT_CACHED },
    400: errorResponse('A bad query parameter'),
    ...SESSION_ERRORS,
    503: DEPENDENCY_DOWN,
  },
} as const;

const stats: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: Pick<LiveQuery, 'company_id'> }>(
    '/api/v1/live/stats',
    { schema: statsSchema, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      const payload = await app.store.stats(scope.company_id, Date.now());
      return reply.header('cache-control', 'no-store').send(payload);
    },
  );
  done();
};

export default stats;
