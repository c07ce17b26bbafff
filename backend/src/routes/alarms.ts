// The active alarms (docs/interface/http.md `GET /api/v1/alarms`, docs/interface/alarms.md):
// what the wall shows before its stream's first `alarm` event, scoped like the live routes.
import type { FastifyPluginCallback } from 'fastify';
import { liveQuerySchema, scopeFor, type LiveQuery } from './query.js';
import { DEPENDENCY_DOWN, errorResponse, NOT_CACHED, SESSION_ERRORS } from './schemas.js';

const alarmsSchema = {
  summary: 'Active alarms within the session’s scope, critical first',
  description:
    'Roles admin, operator and noc see every alarm (narrowed with `company_id`: only alarms about that company); role user only alarms whose subject is its own company.',
  querystring: {
    ...liveQuerySchema,
    properties: { company_id: liveQuerySchema.properties.company_id },
  },
  response: {
    200: {
      description: 'The active alarms, each as its last `raised` event said it',
      type: 'array',
      items: { $ref: 'Alarm#' },
      headers: NOT_CACHED,
    },
    400: errorResponse('A bad query parameter'),
    ...SESSION_ERRORS,
    503: DEPENDENCY_DOWN,
  },
} as const;

const alarms: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: Pick<LiveQuery, 'company_id'> }>(
    '/api/v1/alarms',
    { schema: alarmsSchema, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      return reply
        .header('cache-control', 'no-store')
        .send(await app.store.alarms(scope.company_id));
    },
  );
  done();
};

export default alarms;
