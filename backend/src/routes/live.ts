// The live API: the SSE stream and the snapshot (CONTRACT §5, §6).
import type { FastifyPluginCallback } from 'fastify';
import { unavailable } from '../errors.js';
import { snapshotJson } from '../stream/sse-frames.js';
import { liveQuerySchema, scopeFor, singleHeader, type LiveQuery } from './query.js';

const live: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: LiveQuery }>(
    '/api/v1/live/calls',
    {
      sse: { kind: 'only', heartbeat: false },
      schema: { querystring: liveQuerySchema },
      onRequest: app.requireSession,
    },
    async (request, reply) => {
      if (!app.hub.accepting) throw unavailable('shutting down; reconnect to another instance');
      const session = request.session;
      const scope = scopeFor(session, request.query.company_id);
      // The header wins: it is what a reconnecting EventSource sends.
      const lastEventId =
        singleHeader(request.headers['last-event-id']) ?? request.query.last_event_id;
      reply.sse.keepAlive();
      reply.sse.sendHeaders();
      await app.hub.open(
        reply.raw,
        { role: session.role, scope, expiresAt: session.exp * 1000 },
        lastEventId,
      );
    },
  );

  app.get<{ Querystring: Omit<LiveQuery, 'last_event_id'> }>(
    '/api/v1/live/calls/snapshot',
    { schema: { querystring: liveQuerySchema }, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      const snapshot = await app.store.snapshot(scope.company_id, scope.redacted ? 'user' : 'full');
      return reply
        .type('application/json')
        .header('cache-control', 'no-store')
        .send(snapshotJson(snapshot, scope.sources, Date.now()));
    },
  );
  done();
};

export default live;
