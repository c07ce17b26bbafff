// Owns the Prometheus registry of this app instance.
import fp from 'fastify-plugin';
import { createMetrics, type Metrics } from '../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export default fp(
  (app, _opts, done) => {
    app.decorate('metrics', createMetrics());
    done();
  },
  { name: 'metrics' },
);
