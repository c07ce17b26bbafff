// The per-request session seam. Until access control lands (sessions and JWTs, the
// "access" issue), every request carries one fixed all-scope session; routes only ever
// read `request.session`, so replacing this plugin changes nothing else.
import type { Session } from '@live-calls/protocol';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session;
  }
}

const OPEN_SESSION: Session = Object.freeze({
  sub: 'anonymous',
  role: 'admin',
  company_id: null,
  exp: Number.POSITIVE_INFINITY,
});

export default fp(
  (app, _opts, done) => {
    app.decorateRequest('session', {
      getter: () => OPEN_SESSION,
    });
    done();
  },
  { name: 'session' },
);
