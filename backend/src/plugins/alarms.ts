// Owns the alarm evaluator: its timer starts when the app is ready and stops (waiting for a
// round in progress) before the store closes; a source the ingester marks stale triggers a
// round at once.
import { STALE_AFTER_INTERVALS } from '@live-calls/protocol';
import fp from 'fastify-plugin';
import { AlarmEvaluator } from '../alarms/alarm-evaluator.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    alarms: AlarmEvaluator;
  }
}

export default fp<{ config: Config }>(
  (app, { config }, done) => {
    const evaluator = new AlarmEvaluator({
      store: app.store,
      rules: config.alarms,
      intervalMs: config.alarmsIntervalMs,
      staleAfterMs: STALE_AFTER_INTERVALS * config.syncIntervalMs,
      log: app.log.child({ component: 'alarms' }),
      metrics: app.metrics,
    });
    app.decorate('alarms', evaluator);
    app.metrics.sources.activeAlarms = () => app.store.alarms(null);
    // A source marked stale here is judged at once (when this instance holds the lease).
    app.ingester.onSourcesStale(() => void evaluator.evaluate());
    app.addHook('onReady', () => evaluator.start());
    app.addHook('preClose', () => evaluator.stop());
    done();
  },
  { name: 'alarms', dependencies: ['live-store', 'ingest', 'metrics'] },
);
