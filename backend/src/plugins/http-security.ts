// Security headers on every response, and CORS only for an explicit allow-list of origins
// (same-origin by default: no CORS headers at all, so browsers refuse cross-origin reads).
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export default fp<{ corsOrigins: readonly string[] }>(
  async (app, { corsOrigins }) => {
    await app.register(helmet, {
      // The dashboard is a static SPA whose boot script is inline; its CSP belongs in the
      // build (SvelteKit's hashed CSP), not in a server header that would block it.
      contentSecurityPolicy: false,
      crossOriginEmbedderPolicy: false,
    });
    if (corsOrigins.length === 0) return;
    const allowed = new Set(corsOrigins);
    app.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return;
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
      if (request.method === 'OPTIONS') {
        reply.header('access-control-allow-methods', 'GET, POST');
        reply.header('access-control-allow-headers', 'authorization, content-type, last-event-id');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      }
    });
  },
  { name: 'http-security' },
);
