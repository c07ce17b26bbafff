// The per-minute history of a scope (docs/interface/http.md `GET /api/v1/live/history`): read
// from counters the store keeps per minute, so every instance serves the same series and a
// new screen starts with a full chart.
import type { FastifyPluginCallback } from 'fastify';
import { badRequest } from '../errors.js';
import { HISTORY_MINUTES, windowMinutes } from '../stats/history.js';
import { liveQuerySchema, scopeFor, type LiveQuery } from './query.js';
import { DEPENDENCY_DOWN, errorResponse, NOT_CACHED, ref, SESSION_ERRORS } from './schemas.js';

const DEFAULT_WINDOW = '1h';

const historySchema = {
  summary: 'Per-minute samples over the session’s scope, oldest first, the current minute last',
  querystring: {
    ...liveQuerySchema,
    properties: {
      company_id: liveQuerySchema.properties.company_id,
      window: {
        type: 'string',
        default: DEFAULT_WINDOW,
        pattern: '^[1-9][0-9]{0,4}[mh]$',
        description: `How far back: minutes or hours, \`15m\` to \`${HISTORY_MINUTES / 60}h\``,
      },
    },
  },
  response: {
    200: {
      description: 'One sample per minute of the window',
      type: 'array',
      items: ref('HistorySample'),
      headers: NOT_CACHED,
    },
    400: errorResponse('A bad query parameter (a window over 24 h among them)'),
    ...SESSION_ERRORS,
    503: DEPENDENCY_DOWN,
  },
} as const;

interface HistoryQuery extends Pick<LiveQuery, 'company_id'> {
  window: string;
}

const history: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: HistoryQuery }>(
    '/api/v1/live/history',
    { schema: historySchema, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      const minutes = windowMinutes(request.query.window);
      if (minutes === null) throw badRequest('window must be 1m to 24h, like 15m, 1h or 24h');
      const samples = await app.store.history(scope.company_id, Date.now(), minutes);
      return reply.header('cache-control', 'no-store').send(samples);
    },
  );
  done();
};

export default history;
