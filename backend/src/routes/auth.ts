// Login, logout and who-am-I (docs/interface/http.md, docs/interface/access.md). Unknown
// user and wrong password answer alike and cost alike; failed attempts are limited per client
// address and per address and name, and slow down a name guessed from everywhere
// (auth/login-guard.ts), so no stranger can lock its owner out.
import { setTimeout } from 'node:timers/promises';
import type { FastifyPluginCallback } from 'fastify';
import { DECOY_HASH, verifyPassword } from '../auth/password.js';
import type { LocalUser } from '../auth/users-file.js';
import { HttpError, tooManyRequests } from '../errors.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import {
  emptyResponse,
  errorResponse,
  NO_SESSION,
  NOT_CACHED,
  ref,
  SESSION_ERRORS,
} from './schemas.js';

interface LoginBody {
  username: string;
  password: string;
}

const loginSchema = {
  ...NO_SESSION,
  summary: `Sign in against USERS_FILE; sets the HttpOnly ${SESSION_COOKIE} cookie`,
  body: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    },
    additionalProperties: false,
  },
  response: {
    204: {
      ...emptyResponse('Signed in'),
      headers: {
        'set-cookie': {
          type: 'string',
          description: `${SESSION_COOKIE}=<JWT>; Max-Age=<SESSION_TTL_S>; Path=/; HttpOnly; SameSite=Strict; Secure over HTTPS`,
        },
      },
    },
    400: errorResponse('A missing or bad user name or password'),
    401: errorResponse('Wrong user name or password (the same answer for both)'),
    404: errorResponse('Sessions come from an outside identity provider'),
    429: {
      ...errorResponse(
        'Too many failed attempts from this address, or from this address for this user',
      ),
      headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait' } },
    },
  },
} as const;

const logoutSchema = {
  ...NO_SESSION,
  summary: `Clears the ${SESSION_COOKIE} cookie`,
  response: { 204: emptyResponse('Signed out') },
} as const;

const meSchema = {
  summary: 'The current session',
  response: {
    200: { description: 'The session', ...ref('Session'), headers: NOT_CACHED },
    401: SESSION_ERRORS[401],
  },
} as const;

const auth: FastifyPluginCallback<{ sessionTtlS: number }> = (app, { sessionTtlS }, done) => {
  app.post<{ Body: LoginBody }>(
    '/api/v1/auth/login',
    { schema: loginSchema },
    async (request, reply) => {
      if (!app.tokens.canSign) {
        throw new HttpError(404, 'not_found', 'sign in with your identity provider');
      }
      const now = Date.now();
      const { username, password } = request.body;
      const verdict = app.loginGuard.begin(request.ip, username, now);
      if (!verdict.allowed) {
        throw tooManyRequests(
          'rate_limited',
          'too many failed sign-ins; try again later',
          verdict.retryAfterS,
        );
      }
      let user: LocalUser | undefined;
      try {
        if (verdict.delayMs > 0) await setTimeout(verdict.delayMs);
        user = (await app.localUsers()).get(username);
        const ok = await verifyPassword(password, user?.password_hash ?? DECOY_HASH);
        if (user === undefined || !ok) {
          app.loginGuard.failed(request.ip, username, Date.now());
          request.log.info({ username }, 'sign-in refused');
          throw new HttpError(401, 'unauthorized', 'wrong user name or password');
        }
        app.loginGuard.succeeded(request.ip, username);
      } finally {
        app.loginGuard.end(request.ip, username);
      }
      const { token } = await app.tokens.sign(
        { sub: user.username, role: user.role, company_id: user.company_id },
        sessionTtlS,
      );
      request.log.info({ username, role: user.role }, 'signed in');
      return reply
        .setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: request.protocol === 'https',
          path: '/',
          maxAge: sessionTtlS,
        })
        .header('cache-control', 'no-store')
        .code(204)
        .send();
    },
  );

  app.post('/api/v1/auth/logout', { schema: logoutSchema }, async (request, reply) => {
    return reply
      .clearCookie(SESSION_COOKIE, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        path: '/',
      })
      .header('cache-control', 'no-store')
      .code(204)
      .send();
  });

  app.get(
    '/api/v1/auth/me',
    { schema: meSchema, onRequest: app.requireSession },
    (request, reply) => {
      const { sub, role, company_id, exp } = request.session;
      return reply.header('cache-control', 'no-store').send({ sub, role, company_id, exp });
    },
  );
  done();
};

export default auth;
