// Scoped aggregates over HTTP (CONTRACT §5 `GET /api/v1/live/stats`): the same object the
// stream pushes as its `stats` event, read from the store so every instance agrees.
import type { FastifyPluginCallback } from 'fastify';
import { liveQuerySchema, scopeFor, type LiveQuery } from './query.js';

const stats: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: Pick<LiveQuery, 'company_id'> }>(
    '/api/v1/live/stats',
    { schema: { querystring: liveQuerySchema }, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      const payload = await app.store.stats(scope.company_id, Date.now());
      return reply.header('cache-control', 'no-store').send(payload);
    },
  );
  done();
};

export default stats;
