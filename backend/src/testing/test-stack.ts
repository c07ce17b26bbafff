// Starts backends for tests, in process, against either engine: memory (embedded mode,
// simulator off) or Redis + NATS servers of their own started by the test-services harness.
import type { CallRecord } from '@live-calls/protocol';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  startNats,
  startRedis,
  type NatsService,
  type RedisService,
} from '@live-calls/test-services';
import Fastify, { type FastifyInstance } from 'fastify';
import { app, serverOptions } from '../app.js';
import { parseConfig } from '../config.js';
import { TokenService } from '../auth/tokens.js';
import type { Role } from '@live-calls/protocol';
import { subjectOf } from './call-factory.js';

/** The JWT secret every test backend uses, so tests can mint sessions for any role. */
export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long';
const tokens = new TokenService({
  kind: 'secret',
  secret: new TextEncoder().encode(TEST_JWT_SECRET),
});

/** A bearer token for a session of `role` (and company), valid for `ttlS`. */
export async function tokenFor(
  role: Role,
  companyId: string | null = null,
  ttlS = 3600,
): Promise<string> {
  return (await tokens.sign({ sub: `test-${role}`, role, company_id: companyId }, ttlS)).token;
}

export async function authHeaders(
  role: Role = 'admin',
  companyId: string | null = null,
  ttlS = 3600,
): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(role, companyId, ttlS)}` };
}

/** Headers of an admin session, for tests that are about something else. */
export const ADMIN_AUTH = await authHeaders('admin');

/** fetch with an admin session. */
export function get(url: string, headers: Record<string, string> = ADMIN_AUTH): Promise<Response> {
  return fetch(url, { headers });
}

export type Engine = 'memory' | 'redis';
export const ENGINES: readonly Engine[] = ['memory', 'redis'];

export interface TestBackend {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface TestStack {
  engine: Engine;
  backends: TestBackend[];
  redis: RedisService | undefined;
  nats: NatsService | undefined;
  /** Publishes as a bridge would. */
  publish(record: CallRecord): void;
  publishRaw(subject: string, data: string | Uint8Array): void;
  /** Resolves once everything published has reached the server(s). */
  flush(): Promise<void>;
  /** Starts one more backend instance on the same store and bus (Redis engine only). */
  addBackend(env?: Record<string, string>): Promise<TestBackend>;
  close(): Promise<void>;
}

export async function startBackend(env: Record<string, string>): Promise<TestBackend> {
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    STATIC_DIR: '/nonexistent',
    EMBEDDED_SIMULATOR: 'off',
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
  });
  const instance = Fastify(serverOptions(config));
  await instance.register(app, config);
  const url = await instance.listen({ port: 0, host: '127.0.0.1' });
  return { url, app: instance, close: () => instance.close() };
}

export async function startStack(
  engine: Engine,
  env: Record<string, string> = {},
): Promise<TestStack> {
  const backends: TestBackend[] = [];
  let redis: RedisService | undefined;
  let nats: NatsService | undefined;
  let publisher: NatsConnection | undefined;
  const encoder = new TextEncoder();
  try {
    if (engine === 'redis') {
      [redis, nats] = await Promise.all([startRedis(), startNats({ jetstream: false })]);
      publisher = await connect({
        servers: nats.url,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
      });
    }
    const serviceEnv: Record<string, string> =
      redis && nats ? { REDIS_URL: redis.url, NATS_URL: nats.url } : {};
    const add = async (extra: Record<string, string> = {}) => {
      const backend = await startBackend({ ...serviceEnv, ...env, ...extra });
      backends.push(backend);
      return backend;
    };
    await add();
    const first = backends[0]!;
    let published = 0;
    const publishRaw = (subject: string, data: string | Uint8Array) => {
      const bytes = typeof data === 'string' ? encoder.encode(data) : data;
      published++;
      if (publisher) publisher.publish(subject, bytes);
      else first.app.bus.publish(subject, bytes);
    };
    const received = async () => {
      let total = 0;
      for (const b of backends) {
        for (const value of (await b.app.metrics.eventsReceived.get()).values) total += value.value;
      }
      return total;
    };
    return {
      engine,
      backends,
      redis,
      nats,
      publish: (record) => publishRaw(subjectOf(record), JSON.stringify(record)),
      publishRaw,
      flush: async () => {
        await publisher?.flush();
        // Until the backends have taken every message (core NATS delivers asynchronously;
        // messages sent while a server was away never arrive, hence the bound) and written it.
        const deadline = Date.now() + 5_000;
        while ((await received()) < published && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await Promise.all(backends.map((b) => b.app.ingester.drained()));
      },
      addBackend: (extra) => {
        if (engine !== 'redis') throw new Error('several instances need the Redis engine');
        return add(extra);
      },
      close: async () => {
        await Promise.allSettled(backends.map((b) => b.close()));
        await publisher?.close().catch(() => undefined);
        await Promise.allSettled([redis?.close(), nats?.close()]);
      },
    };
  } catch (err) {
    await Promise.allSettled(backends.map((b) => b.close()));
    await publisher?.close().catch(() => undefined);
    await Promise.allSettled([redis?.close(), nats?.close()]);
    throw err;
  }
}

/** Parses a JSON SSE payload. */
export function payload<T = Record<string, unknown>>(event: { data: string }): T {
  return JSON.parse(event.data) as T;
}
