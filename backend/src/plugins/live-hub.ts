// Owns the fan-out hub: tails the store from onReady, tells streams to go on shutdown.
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { LiveHub } from '../stream/live-hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    hub: LiveHub;
  }
}

export default fp<{ config: Config }>(
  (app, { config }, done) => {
    const hub = new LiveHub({
      store: app.store,
      metrics: app.metrics,
      log: app.log.child({ component: 'fanout' }),
      heartbeatMs: config.heartbeatMs,
      statsIntervalMs: config.statsIntervalMs,
      retryMs: config.retryMs,
      limits: {
        maxQueuedBytes: config.clientMaxQueuedBytes,
        maxWriteWaitMs: config.clientMaxWriteWaitMs,
      },
      streamLimits: { perUser: config.maxStreamsPerUser, perIp: config.maxStreamsPerIp },
    });
    app.decorate('hub', hub);
    app.addHook('onReady', () => hub.start());
    // Streams never end on their own: close them before the server waits for connections.
    app.addHook('preClose', (done) => {
      hub.shutdown();
      done();
    });
    done();
  },
  { name: 'live-hub', dependencies: ['live-store', 'metrics'] },
);
