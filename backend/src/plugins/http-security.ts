// Security headers on every response; CORS only for an explicit allow-list of origins
// (same-origin by default: no CORS headers at all, so browsers refuse cross-origin reads);
// and no state-changing request from another site: a browser says where a request comes
// from (`Sec-Fetch-Site`, `Origin`), and a POST from a page of another site gets 403 even
// though the session cookie (SameSite=Strict) would not be sent with it anyway.
import helmet from '@fastify/helmet';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a state-changing request is refused as cross-site, or null when it may go on. */
export function crossSiteRefusal(
  request: Pick<FastifyRequest, 'method' | 'headers' | 'protocol' | 'host'>,
  allowed: ReadonlySet<string>,
): string | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && allowed.has(origin)) return null;
  const site = request.headers['sec-fetch-site'];
  // A browser's own word: trusted as it is (it does not depend on TRUST_PROXY being right).
  if (site === 'same-origin' || site === 'none') return null;
  if (site === 'cross-site' || site === 'same-site') return `a ${site} request`;
  if (origin === undefined) return null; // not a browser, or one that says nothing
  return origin === `${request.protocol}://${request.host}` ? null : `origin ${origin}`;
}

export default fp<{ corsOrigins: readonly string[] }>(
  async (app, { corsOrigins }) => {
    await app.register(helmet, {
      // The dashboard's policy is in its build (SvelteKit's hashed CSP, a meta tag); what a
      // meta tag cannot say — no framing, anywhere — is this header, on every answer.
      contentSecurityPolicy: false,
      frameguard: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
    });
    const allowed = new Set(corsOrigins);
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('content-security-policy', "frame-ancestors 'none'");
      const refusal = crossSiteRefusal(request, allowed);
      done(refusal === null ? undefined : forbidden(`cross-site request refused (${refusal})`));
    });
    if (corsOrigins.length === 0) return;
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
