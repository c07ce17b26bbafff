// Hang-up with an audit trail (docs/interface/http.md): a backend on real Redis and NATS
// (JetStream) with a real bridge process whose PBX is the simulator, a source with no bridge
// at all, and the embedded mode where the demo simulator answers. Needs `pnpm build` (the
// bridge runs from bridge/dist/main.js).
import type { CallRecord, Role } from '@live-calls/protocol';
import {
  closeAll,
  startNats,
  startRedis,
  type ManagedService,
  type NatsService,
  type RedisService,
} from '@live-calls/test-services';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from './audit/audit-entry.js';
import { TokenService } from './auth/tokens.js';
import { HANGUP_LIMIT } from './routes/calls.js';
import { TestCall, subjectOf } from './testing/call-factory.js';
import { SseClient } from './testing/sse-client.js';
import { startSimulatorBridge } from './testing/simulator-bridge.js';
import {
  startBackend,
  startStack,
  TEST_JWT_SECRET,
  type TestBackend,
  type TestStack,
} from './testing/test-stack.js';

const SOURCE = 'sim-hangup';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tokens = new TokenService({
  kind: 'secret',
  secret: new TextEncoder().encode(TEST_JWT_SECRET),
});

/** Session headers of `sub` in `role`: each test acts as its own people (the limit is per sub). */
async function as(sub: string, role: Role, company: string | null = null) {
  const { token } = await tokens.sign({ sub, role, company_id: company }, 3600);
  return { authorization: `Bearer ${token}` };
}

function hangup(backend: TestBackend, id: string, headers: Record<string, string>) {
  return fetch(`${backend.url}/api/v1/calls/${encodeURIComponent(id)}/hangup`, {
    method: 'POST',
    headers,
  });
}

async function auditOf(backend: TestBackend, limit = 1000): Promise<AuditEntry[]> {
  const response = await fetch(`${backend.url}/api/v1/audit?limit=${limit}`, {
    headers: await as('auditor', 'admin'),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as AuditEntry[];
}

/** An answered call (they last minutes) the backend has, not one in `taken`. */
async function answeredCall(backend: TestBackend, taken: Set<string>): Promise<CallRecord> {
  const headers = await as('picker', 'admin');
  return vi.waitFor(
    async () => {
      const response = await fetch(`${backend.url}/api/v1/live/calls/snapshot`, { headers });
      const { calls } = (await response.json()) as { calls: CallRecord[] };
      const call = calls.find((c) => c.phase === 'answered' && !taken.has(c.id));
      expect(call).toBeDefined();
      taken.add(call!.id);
      return call!;
    },
    { timeout: 30_000, interval: 200 },
  );
}

/** The stream's call.ended of `id`, once it came. */
async function endedOn(stream: SseClient, id: string): Promise<CallRecord> {
  const find = () =>
    stream.events
      .filter((e) => e.event === 'call.ended')
      .map((e) => JSON.parse(e.data) as CallRecord)
      .find((r) => r.id === id);
  await stream.waitFor(() => find() !== undefined, 10_000, `call.ended of ${id}`);
  return find()!;
}

describe('hang-up through a bridge (Redis, NATS with JetStream, a simulator bridge)', () => {
  let redis: RedisService;
  let nats: NatsService;
  let bridge: ManagedService;
  let backend: TestBackend;
  let second: TestBackend | undefined;
  let publisher: NatsConnection;
  let stream: SseClient;
  const taken = new Set<string>();
  const latenciesMs: number[] = [];

  beforeAll(async () => {
    [redis, nats] = await Promise.all([startRedis(), startNats({ jetstream: true })]);
    const env = { REDIS_URL: redis.url, NATS_URL: nats.url, SYNC_INTERVAL_MS: '2000' };
    backend = await startBackend(env);
    second = await startBackend(env);
    bridge = await startSimulatorBridge(SOURCE, nats.url, { SYNC_INTERVAL_MS: '2000' });
    publisher = await connect({ servers: nats.url });
    stream = new SseClient(backend.url, await as('watcher', 'noc'));
    await stream.connect();
  }, 60_000);

  afterAll(async () => {
    stream?.close();
    if (latenciesMs.length > 0) {
      console.info(
        `hang-up POST → call.ended (terminated) on an SSE stream: ${latenciesMs.map((ms) => ms.toFixed(1)).join(', ')} ms`,
      );
    }
    await publisher?.close();
    await Promise.allSettled([backend?.close(), second?.close()]);
    await closeAll([bridge, nats, redis]);
  }, 30_000);

  it('admin and operator hang up: 202 with a request id, then call.ended terminated by them on the stream', async () => {
    for (const [sub, role] of [
      ['op-olga', 'operator'],
      ['ad-adam', 'admin'],
      ['op-olga', 'operator'],
      ['op-olga', 'operator'],
      ['ad-adam', 'admin'],
    ] as const) {
      const call = await answeredCall(backend, taken);
      const started = performance.now();
      const response = await hangup(backend, call.id, await as(sub, role));
      expect(response.status).toBe(202);
      const { request_id: requestId } = (await response.json()) as { request_id: string };
      expect(requestId).toMatch(UUID);
      const ended = await endedOn(stream, call.id);
      latenciesMs.push(performance.now() - started);
      expect(ended).toMatchObject({
        id: call.id,
        phase: 'ended',
        answered_at: call.answered_at,
        end: { reason: 'terminated', by: sub },
      });
      expect(ended.seq).toBeGreaterThan(call.seq);
    }
  }, 120_000);

  it('404 for a call that already ended or never was', async () => {
    const headers = await as('op-nina', 'operator');
    const [ended] = taken;
    const gone = await hangup(backend, ended!, headers);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({
      error: { code: 'not_found', message: expect.any(String) as string },
    });
    expect((await hangup(backend, `${SOURCE}:no-such-call@x`, headers)).status).toBe(404);
    expect((await hangup(backend, 'x', headers)).status).toBe(400);
  });

  it('noc and user get 403, whether or not the call exists (a user learns nothing)', async () => {
    const call = await answeredCall(backend, taken);
    for (const headers of [
      await as('noc-nils', 'noc'),
      await as('user-ursula', 'user', call.company_id ?? 'acme'),
      await as('user-other', 'user', 'other-company'),
    ]) {
      for (const id of [call.id, `${SOURCE}:no-such-call@x`]) {
        const response = await hangup(backend, id, headers);
        expect(response.status).toBe(403);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
          'forbidden',
        );
      }
    }
    // Still up.
    const check = await fetch(`${backend.url}/api/v1/live/calls/snapshot`, {
      headers: await as('picker', 'admin'),
    });
    const { calls } = (await check.json()) as { calls: CallRecord[] };
    expect(calls.map((c) => c.id)).toContain(call.id);
  });

  it('a cross-site POST and one without a session are refused before anything else', async () => {
    const call = await answeredCall(backend, taken);
    const crossSite = await hangup(backend, call.id, {
      ...(await as('op-eve', 'operator')),
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect((await hangup(backend, call.id, {})).status).toBe(401);
  });

  it('503 when no bridge serves the call’s source', async () => {
    const orphan = new TestCall({ source: 'no-bridge', company: 'acme' });
    const setup = orphan.next('setup');
    publisher.publish(subjectOf(setup), JSON.stringify(setup));
    await vi.waitFor(async () =>
      expect(await backend.app.store.activeCall(setup.id)).toBeDefined(),
    );
    const response = await hangup(backend, setup.id, await as('op-olga', 'operator'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });

  it(`429 with Retry-After after ${HANGUP_LIMIT.max} attempts in ${HANGUP_LIMIT.windowMs / 1000} s by one user`, async () => {
    const headers = await as('op-rita', 'operator');
    for (let i = 0; i < HANGUP_LIMIT.max; i++) {
      expect((await hangup(backend, `${SOURCE}:nothing-${i}@x`, headers)).status).toBe(404);
    }
    const refused = await hangup(backend, `${SOURCE}:nothing-more@x`, headers);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({
      error: { code: 'rate_limited', message: expect.any(String) as string },
    });
    // Someone else is not held up by it.
    expect(
      (await hangup(backend, `${SOURCE}:nothing@x`, await as('op-otto', 'operator'))).status,
    ).toBe(404);
  });

  it('audits every attempt, allowed or refused, newest first; admin only; every instance reads the same', async () => {
    const entries = await auditOf(backend);
    const results = (sub: string) => entries.filter((e) => e.sub === sub).map((e) => e.result);
    // Newest first: the order the attempts were made in, reversed.
    expect(results('op-olga')).toEqual(['unavailable', 'ok', 'ok', 'ok']);
    expect(results('ad-adam')).toEqual(['ok', 'ok']);
    expect(results('op-nina')).toEqual(['not_found', 'not_found']);
    expect(results('noc-nils')).toEqual(['forbidden', 'forbidden']);
    expect(results('user-ursula')).toEqual(['forbidden', 'forbidden']);
    expect(results('op-rita')).toEqual([
      'rate_limited',
      ...Array<string>(HANGUP_LIMIT.max).fill('not_found'),
    ]);
    // Refused before any session or by the cross-site check: nobody to name, not audited.
    expect(results('op-eve')).toEqual([]);
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i - 1]!.at).toBeGreaterThanOrEqual(entries[i]!.at);
    }
    const ok = entries.find((e) => e.sub === 'ad-adam');
    expect(ok).toMatchObject({ role: 'admin', action: 'hangup', result: 'ok' });
    expect(ok?.request_id).toMatch(UUID);
    expect(taken.has(ok!.id)).toBe(true);
    expect(entries.find((e) => e.sub === 'noc-nils')).toMatchObject({ role: 'noc' });

    expect(await auditOf(second!)).toEqual(entries);
    const two = await fetch(`${backend.url}/api/v1/audit?limit=2`, {
      headers: await as('auditor', 'admin'),
    });
    expect(await two.json()).toEqual(entries.slice(0, 2));
    for (const role of ['operator', 'noc', 'user'] as const) {
      const response = await fetch(`${backend.url}/api/v1/audit`, {
        headers: await as(`reader-${role}`, role, role === 'user' ? 'acme' : null),
      });
      expect(response.status, role).toBe(403);
    }
    expect(
      (
        await fetch(`${backend.url}/api/v1/audit?limit=1001`, {
          headers: await as('auditor', 'admin'),
        })
      ).status,
    ).toBe(400);
  });

  it('counts hang-up requests by result', async () => {
    const text = await (await fetch(`${backend.url}/metrics`)).text();
    expect(text).toMatch(/^live_hangup_requests_total\{result="ok"\} 5$/m);
    expect(text).toMatch(/^live_hangup_requests_total\{result="forbidden"\} 6$/m);
    expect(text).toMatch(/^live_hangup_requests_total\{result="rate_limited"\} 1$/m);
  });
});

describe('hang-up in embedded mode (the demo simulator answers on the in-process bus)', () => {
  let backend: TestBackend;
  let stream: SseClient;

  beforeAll(async () => {
    backend = await startBackend({ EMBEDDED_SIMULATOR: 'on', SIM_CPS: '50' });
    stream = new SseClient(backend.url, await as('watcher', 'admin'));
    await stream.connect();
  });

  afterAll(async () => {
    stream?.close();
    await backend?.close();
  });

  it('ends the call on the stream and keeps the audit trail in memory', async () => {
    const call = await answeredCall(backend, new Set());
    const response = await hangup(backend, call.id, await as('op-emma', 'operator'));
    expect(response.status).toBe(202);
    const { request_id: requestId } = (await response.json()) as { request_id: string };
    expect((await endedOn(stream, call.id)).end).toEqual({ reason: 'terminated', by: 'op-emma' });
    expect((await hangup(backend, call.id, await as('op-emma', 'operator'))).status).toBe(404);
    const entries = await auditOf(backend);
    expect(entries.map((e) => [e.sub, e.id, e.result])).toEqual([
      ['op-emma', call.id, 'not_found'],
      ['op-emma', call.id, 'ok'],
    ]);
    expect(entries[1]?.request_id).toBe(requestId);
  }, 60_000);

  it('503 for a call of a source nobody serves on the in-process bus', async () => {
    const record = new TestCall({ source: 'elsewhere' }).next('setup');
    backend.app.bus.publish(subjectOf(record), JSON.stringify(record));
    await vi.waitFor(async () =>
      expect(await backend.app.store.activeCall(record.id)).toBeDefined(),
    );
    const response = await hangup(backend, record.id, await as('op-emma', 'operator'));
    expect(response.status).toBe(503);
    expect((await auditOf(backend))[0]).toMatchObject({ id: record.id, result: 'unavailable' });
  });
});

describe('hang-up when NATS has no JetStream (no audit trail can be written)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('redis'); // its NATS runs without JetStream
  }, 30_000);

  afterAll(() => stack?.close());

  it('refuses with 503 rather than act unaudited, and the trail answers 503', async () => {
    const backend = stack.backends[0]!;
    const call = new TestCall({ source: SOURCE });
    const setup = call.next('setup');
    stack.publish(setup);
    await stack.flush();
    expect(await backend.app.store.activeCall(setup.id)).toBeDefined();
    const response = await hangup(backend, setup.id, await as('op-olga', 'operator'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    const trail = await fetch(`${backend.url}/api/v1/audit`, {
      headers: await as('auditor', 'admin'),
    });
    expect(trail.status).toBe(503);
  }, 30_000);
});
