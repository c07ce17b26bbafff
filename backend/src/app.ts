// The backend as a Fastify plugin tree: clients (store, bus) are named plugins that own
// their connections; routes only use what the instance is decorated with.
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from './config.js';
import { errorBody, HttpError } from './errors.js';
import { clientErrorHandler, codeForStatus, frameworkErrors } from './http-errors.js';
import alarmsEvaluator from './plugins/alarms.js';
import auditLog from './plugins/audit.js';
import bus from './plugins/bus.js';
import dashboard, { isDashboardPath } from './plugins/dashboard.js';
import demoFeed from './plugins/demo-feed.js';
import ingest from './plugins/ingest.js';
import liveHub from './plugins/live-hub.js';
import liveStore from './plugins/live-store.js';
import metrics from './plugins/metrics.js';
import authPlugin from './plugins/auth.js';
import auth from './routes/auth.js';
import httpSecurity from './plugins/http-security.js';
import health from './routes/health.js';
import alarms from './routes/alarms.js';
import audit from './routes/audit.js';
import calls from './routes/calls.js';
import live from './routes/live.js';
import openapi from './routes/openapi.js';
import history from './routes/history.js';
import recent from './routes/recent.js';
import stats from './routes/stats.js';

async function liveCalls(instance: FastifyInstance, config: Config): Promise<void> {
  instance.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.retryAfterS !== undefined) reply.header('retry-after', String(error.retryAfterS));
      return reply.code(error.statusCode).send(errorBody(error.code, error.message));
    }
    if (error.validation !== undefined) {
      return reply.code(400).send(errorBody('bad_request', error.message));
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status < 500)
      return reply.code(status).send(errorBody(codeForStatus(status), error.message));
    // A failure while the store or the bus is away is that dependency's, not ours: 503.
    if (instance.hasDecorator('store') && (!instance.store.healthy || !instance.bus.connected)) {
      request.log.warn({ err: error.message }, 'request failed: a dependency is down');
      return reply.code(503).send(errorBody('unavailable', 'a dependency is down; retry shortly'));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });

  instance.setNotFoundHandler((request, reply) => {
    if (
      request.method === 'GET' &&
      isDashboardPath(request.url) &&
      instance.hasDecorator('sendFile')
    ) {
      return reply.sendFile('index.html');
    }
    return reply
      .code(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  // First: the API description is generated from the routes registered after it.
  await instance.register(openapi);
  await instance.register(httpSecurity, { corsOrigins: config.corsOrigins });
  await instance.register(metrics);
  await instance.register(authPlugin, { auth: config.auth });
  await instance.register(liveStore, { config });
  await instance.register(bus, { config });
  await instance.register(ingest, { config });
  await instance.register(auditLog, { config });
  await instance.register(liveHub, { config });
  await instance.register(alarmsEvaluator, { config });
  if (config.simulator !== null) {
    await instance.register(demoFeed, { config, simulator: config.simulator });
  }
  await instance.register(health, { metricsToken: config.metricsToken });
  await instance.register(auth, { sessionTtlS: config.auth.sessionTtlS });
  await instance.register(live);
  await instance.register(stats);
  await instance.register(history);
  await instance.register(recent);
  await instance.register(alarms);
  await instance.register(calls);
  await instance.register(audit);
  await instance.register(dashboard, { config });
}

/** Server options that belong to the app, so the process entry and tests build it alike. */
export function serverOptions(config: Config): FastifyServerOptions {
  return {
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    requestIdHeader: 'x-request-id',
    clientErrorHandler,
    frameworkErrors,
    trustProxy: config.trustProxy,
    // SSE streams are long-lived: they are closed by the app on shutdown, not waited for.
    forceCloseConnections: true,
  };
}

/** Not encapsulated, so the process entry and tests see the decorated instance. */
export const app = fp(liveCalls, { name: 'live-calls' });
