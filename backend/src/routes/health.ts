// Liveness, readiness and metrics for load balancers and monitoring (docs/interface/http.md).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { HttpError } from '../errors.js';
import { errorResponse, NO_SESSION } from './schemas.js';

const READY_CHECKS = ['store', 'bus', 'ingest', 'accepting'] as const;
type ReadyCheck = (typeof READY_CHECKS)[number];

function readiness(app: FastifyInstance): Record<ReadyCheck, boolean> {
  return {
    store: app.store.healthy,
    bus: app.bus.connected,
    ingest: app.ingester.running,
    accepting: app.hub.accepting,
  };
}

const checksSchema = {
  type: 'object',
  required: READY_CHECKS,
  properties: Object.fromEntries(READY_CHECKS.map((check) => [check, { type: 'boolean' }])),
} as const;

const healthzSchema = {
  ...NO_SESSION,
  summary: 'The process is alive',
  response: {
    200: {
      description: 'Alive',
      type: 'object',
      required: ['status'],
      properties: { status: { enum: ['ok'] } },
    },
  },
} as const;

const readyzSchema = {
  ...NO_SESSION,
  summary:
    'Ready only while the store and the bus are connected, ingest runs and streams are taken',
  response: {
    200: {
      description: 'Ready',
      type: 'object',
      required: ['status', 'checks'],
      properties: { status: { enum: ['ready'] }, checks: checksSchema },
    },
    503: {
      description: 'Not ready; `down` names what is not',
      type: 'object',
      required: ['status', 'down', 'checks'],
      properties: {
        status: { enum: ['unavailable'] },
        down: { type: 'array', items: { enum: READY_CHECKS } },
        checks: checksSchema,
      },
    },
  },
} as const;

const metricsSchema = {
  security: [{ metricsToken: [] }, {}],
  summary: 'Prometheus metrics',
  description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
  response: {
    200: {
      description: 'The Prometheus text exposition format',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
    401: errorResponse('METRICS_TOKEN is set and the request does not carry it'),
  },
} as const;

/** True when the request carries `Authorization: Bearer <token>`, compared in constant time. */
function carriesToken(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

const health: FastifyPluginCallback<{ metricsToken: string | null }> = (
  app,
  { metricsToken },
  done,
) => {
  app.get('/healthz', { schema: healthzSchema }, (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', { schema: readyzSchema }, async (_request, reply) => {
    const checks = readiness(app);
    const down = READY_CHECKS.filter((check) => !checks[check]);
    return reply
      .code(down.length === 0 ? 200 : 503)
      .send(
        down.length === 0 ? { status: 'ready', checks } : { status: 'unavailable', down, checks },
      );
  });

  app.get('/metrics', { schema: metricsSchema }, async (request, reply) => {
    if (metricsToken !== null && !carriesToken(request.headers.authorization, metricsToken))
      throw new HttpError(401, 'unauthorized', 'metrics need the METRICS_TOKEN bearer token');
    const registry = app.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  done();
};

export default health;
