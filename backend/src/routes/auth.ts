// Login, logout and who-am-I (CONTRACT §5). Unknown user and wrong password answer alike
// and cost alike; attempts are limited per client address and per user name.
import type { FastifyPluginCallback } from 'fastify';
import { DECOY_HASH, verifyPassword } from '../auth/password.js';
import { errorBody, HttpError } from '../errors.js';
import { SESSION_COOKIE } from '../plugins/auth.js';

interface LoginBody {
  username: string;
  password: string;
}

const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    },
    additionalProperties: false,
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
      for (const decision of [
        app.loginLimiter.byIp.attempt(`ip:${request.ip}`, now),
        app.loginLimiter.byUser.attempt(`user:${username}`, now),
      ]) {
        if (!decision.allowed) {
          return reply
            .code(429)
            .header('retry-after', String(decision.retryAfterS))
            .send(errorBody('rate_limited', 'too many sign-in attempts; try again later'));
        }
      }
      const user = (await app.localUsers()).get(username);
      const ok = await verifyPassword(password, user?.password_hash ?? DECOY_HASH);
      if (user === undefined || !ok) {
        request.log.info({ username }, 'sign-in refused');
        throw new HttpError(401, 'unauthorized', 'wrong user name or password');
      }
      app.loginLimiter.byUser.reset(`user:${username}`);
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
        .code(204)
        .send();
    },
  );

  app.post('/api/v1/auth/logout', async (request, reply) => {
    return reply
      .clearCookie(SESSION_COOKIE, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        path: '/',
      })
      .code(204)
      .send();
  });

  app.get('/api/v1/auth/me', { onRequest: app.requireSession }, (request, reply) => {
    const { sub, role, company_id, exp } = request.session;
    return reply.send({ sub, role, company_id, exp });
  });
  done();
};

export default auth;
