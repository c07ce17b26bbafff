// Serves the dashboard build (an SPA) from the backend itself when the build exists, so
// one process is the whole product in embedded mode. Behind Caddy, Caddy serves it instead.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

export default fp<{ config: Config }>(
  async (app, { config }) => {
    if (!existsSync(join(config.staticDir, 'index.html'))) {
      app.log.info(
        { staticDir: config.staticDir },
        'no dashboard build found; serving the API only',
      );
      return;
    }
    await app.register(fastifyStatic, {
      root: config.staticDir,
      wildcard: false,
      index: ['index.html'],
    });
    app.log.info({ staticDir: config.staticDir }, 'serving the dashboard');
  },
  { name: 'dashboard' },
);

/** Paths the SPA owns: anything not under the API or operations endpoints. */
export function isDashboardPath(url: string): boolean {
  return !/^\/(api|healthz|readyz|metrics)(\/|\?|$)/.test(url);
}
