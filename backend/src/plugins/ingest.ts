// Owns the ingester: subscribes when the app is ready, drains before the store closes.
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { Ingester } from '../ingest/ingester.js';

declare module 'fastify' {
  interface FastifyInstance {
    ingester: Ingester;
  }
}

export default fp<{ config: Config }>(
  (app, { config }, done) => {
    const ingester = new Ingester({
      store: app.store,
      bus: app.bus,
      log: app.log.child({ component: 'ingest' }),
      metrics: app.metrics,
      syncIntervalMs: config.syncIntervalMs,
    });
    app.decorate('ingester', ingester);
    app.addHook('onReady', async () => ingester.start());
    app.addHook('preClose', () => ingester.stop());
    done();
  },
  { name: 'ingest', dependencies: ['live-store', 'bus', 'metrics'] },
);
