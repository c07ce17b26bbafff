// Sessions (docs/interface/access.md): a JWT from the HttpOnly `lc_session` cookie or an
// `Authorization: Bearer` header — never from the URL. Routes that need a session add
// `onRequest: app.requireSession`; it sets `request.session` or answers 401.
import fastifyCookie from '@fastify/cookie';
import type { Session } from '@live-calls/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { demoUsers } from '../auth/demo-users.js';
import { LoginGuard } from '../auth/login-guard.js';
import { InvalidToken, TokenService } from '../auth/tokens.js';
import { loadUsers, type LocalUser } from '../auth/users-file.js';
import type { AuthConfig } from '../config.js';
import { HttpError } from '../errors.js';

export const SESSION_COOKIE = 'lc_session';

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService;
    /** Local users by name (USERS_FILE or the demo users); empty when login is external. */
    localUsers: () => Promise<Map<string, LocalUser>>;
    /** Sign-in failure counts: who is refused, whose answers are slowed. */
    loginGuard: LoginGuard;
    requireSession: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    session: Session;
  }
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header);
  if (match === null) throw unauthorized('malformed Authorization header');
  return match[1];
}

export default fp<{ auth: AuthConfig }>(
  async (app, { auth }) => {
    await app.register(fastifyCookie);
    const tokens = new TokenService(auth.keys);
    app.decorate('tokens', tokens);

    // The users file is re-read when it changes on disk, so `users add` needs no restart.
    let users: { at: number; map: Map<string, LocalUser> } | undefined;
    const demo = auth.demo ? await demoUsers() : undefined;
    if (demo !== undefined) {
      app.log.warn(
        { users: [...demo.keys()] },
        'embedded demo mode: demo users enabled (password = user name)',
      );
    }
    app.decorate('localUsers', async () => {
      if (demo !== undefined) return demo;
      if (auth.usersFile === null) return new Map<string, LocalUser>();
      const now = Date.now();
      if (users === undefined || now - users.at > 2_000)
        users = { at: now, map: await loadUsers(auth.usersFile) };
      return users.map;
    });
    app.decorate('loginGuard', new LoginGuard());
    const sweep = setInterval(() => app.loginGuard.sweep(Date.now()), 60_000);
    sweep.unref();
    app.addHook('onClose', () => clearInterval(sweep));

    app.decorateRequest('session', null as unknown as Session);
    app.decorate('requireSession', async (request: FastifyRequest) => {
      const token = bearer(request) ?? request.cookies[SESSION_COOKIE];
      if (token === undefined || token === '') throw unauthorized('sign in first');
      try {
        request.session = await tokens.verify(token);
      } catch (err) {
        if (err instanceof InvalidToken) throw unauthorized('session invalid or expired');
        throw err;
      }
    });
  },
  { name: 'auth' },
);
