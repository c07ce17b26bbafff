// Owns the live store: Redis in distributed mode, memory in embedded mode.
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { LiveStore } from '../store/live-store.js';
import { MemoryStore } from '../store/memory-store.js';
import { RedisStore } from '../store/redis-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: LiveStore;
  }
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    let store: LiveStore;
    if (config.mode.kind === 'distributed') {
      const redis = new RedisStore({
        target: config.mode.redis,
        historyEvents: config.historyEvents,
        log: app.log,
      });
      app.log.info('waiting for Redis');
      await redis.ready();
      app.log.info('connected to Redis');
      store = redis;
    } else {
      store = new MemoryStore({ historyEvents: config.historyEvents });
    }
    app.decorate('store', store);
    app.metrics.sources.replayLogLength = () => store.logLength();
    app.addHook('onClose', () => store.close());
  },
  { name: 'live-store', dependencies: ['metrics'] },
);
