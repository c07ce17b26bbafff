// Liveness, readiness and metrics for load balancers and monitoring (CONTRACT §5).
import type { FastifyPluginCallback } from 'fastify';

const health: FastifyPluginCallback = (app, _opts, done) => {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks = {
      store: app.store.healthy,
      bus: app.bus.connected,
      ingest: app.ingester.running,
      accepting: app.hub.accepting,
    };
    const down = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    return reply
      .code(down.length === 0 ? 200 : 503)
      .send(
        down.length === 0 ? { status: 'ready', checks } : { status: 'unavailable', down, checks },
      );
  });

  app.get('/metrics', async (_request, reply) => {
    const registry = app.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  done();
};

export default health;
