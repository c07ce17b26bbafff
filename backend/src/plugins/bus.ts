// Owns the bus connection: NATS in distributed mode, in-process in embedded mode.
import fp from 'fastify-plugin';
import type { Bus } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory-bus.js';
import { NatsBus } from '../bus/nats-bus.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    bus: Bus;
  }
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    let bus: Bus;
    if (config.mode.kind === 'distributed') {
      app.log.info('waiting for NATS');
      bus = await NatsBus.connect(config.mode.nats, app.log);
    } else {
      bus = new MemoryBus();
    }
    app.decorate('bus', bus);
    app.addHook('onClose', () => bus.close());
  },
  { name: 'bus' },
);
