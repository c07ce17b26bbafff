// Several instances on one Redis and one NATS, and what survives their faults
// (docs/interface/ordering.md, several instances): each event applied once, the same ids everywhere, resume on any
// instance, and convergence after Redis or NATS restarts and a Redis flush.
import { parseEventId, PHASES, type CallRecord, type SnapshotPayload } from '@live-calls/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { SseClient, type SseEvent } from './testing/sse-client.js';
import { payload, startStack, type TestStack, ADMIN_AUTH, get } from './testing/test-stack.js';
import { converged, LiveView } from './testing/live-view.js';

describe('several instances on Redis and NATS', () => {
  let stack: TestStack;
  const clients: SseClient[] = [];
  const open = async (url: string, lastEventId?: string) => {
    const c = new SseClient(url, ADMIN_AUTH);
    clients.push(c);
    await c.connect(lastEventId === undefined ? {} : { lastEventId });
    return c;
  };

  beforeEach(async () => {
    stack = await startStack('redis');
    await stack.addBackend();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await stack.close();
  });

  it('applies each event once and streams the same ids from every instance', async () => {
    const [one, two] = stack.backends;
    const a = await open(one!.url);
    const b = await open(two!.url);
    await a.waitForEvents('snapshot', 1);
    await b.waitForEvents('snapshot', 1);
    const calls = Array.from({ length: 100 }, () => new TestCall());
    for (const call of calls) stack.publish(call.next('setup'));
    const isCall = (e: SseEvent) => e.event.startsWith('call.');
    await a.waitForEvents(isCall, 100);
    await b.waitForEvents(isCall, 100);
    const ids = (c: SseClient) => c.events.filter(isCall).map((e) => e.id);
    expect(ids(a)).toEqual(ids(b));
    expect(new Set(ids(a)).size).toBe(100);
    const metrics = await Promise.all(
      stack.backends.map(async (x) => (await get(`${x.url}/metrics`)).text()),
    );
    const created = metrics.map((m) =>
      Number(/live_events_applied_total\{outcome="created"\} (\d+)/.exec(m)?.[1] ?? 0),
    );
    expect(created[0]! + created[1]!).toBe(100);
  });

  it('resumes on another instance with exactly the 1,000 missed events, in order', async () => {
    const [one, two] = stack.backends;
    const c = await open(one!.url);
    await c.waitForEvents('snapshot', 1);
    const first = new TestCall();
    stack.publish(first.next('setup'));
    await c.waitForEvents('call.setup', 1);
    const resumeFrom = c.lastEventId!;
    const from = parseEventId(resumeFrom)!;
    c.close();

    // Phase by phase: two instances in a queue group may apply one call's events in either
    // order, and a later phase that overtakes an earlier one makes it stale (not emitted).
    const calls = Array.from({ length: 250 }, () => new TestCall());
    for (const phase of ['setup', 'ringing', 'answered', 'ended'] as const) {
      for (const call of calls) stack.publish(call.next(phase));
      await stack.flush();
      const applied = calls.length * (PHASES.indexOf(phase) + 1);
      await expect
        .poll(() => position(two!.url), { timeout: 10_000, interval: 200 })
        .toBeGreaterThanOrEqual(from.seq + applied);
    }

    const resumed = await open(two!.url, resumeFrom);
    const events = await resumed.waitForEvents((e) => e.event.startsWith('call.'), 1000);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    expect(events.map((e) => parseEventId(e.id)!)).toEqual(
      Array.from({ length: 1000 }, (_, i) => ({ epoch: from.epoch, seq: from.seq + 1 + i })),
    );
    const view = new LiveView();
    view.applyAll([...c.events, ...resumed.events]);
    expect(view.activeIds()).toEqual([first.record.id]);
  });

  it('gives epoch_changed to connected and resuming clients after Redis is flushed', async () => {
    const c = await open(stack.backends[0]!.url);
    await c.waitForEvents('snapshot', 1);
    const a = new TestCall();
    stack.publish(a.next('setup'));
    await c.waitForEvents('call.setup', 1);
    const oldId = c.lastEventId!;

    await stack.redis!.flush();
    const snapshots = await c.waitForEvents('snapshot', 2, 0, 10_000);
    const second = payload<SnapshotPayload>(snapshots[1]!);
    expect(second.reason).toBe('epoch_changed');
    expect(second.epoch).not.toBe(parseEventId(oldId)!.epoch);
    expect(second.calls).toEqual([]);

    const late = await open(stack.backends[1]!.url, oldId);
    const [snapshot] = await late.waitForEvents('snapshot', 1);
    expect(payload<SnapshotPayload>(snapshot!)).toMatchObject({
      reason: 'epoch_changed',
      epoch: second.epoch,
    });

    // The next sync repairs the flushed state.
    stack.publishRaw(
      'call.sync',
      JSON.stringify({
        v: 1,
        source: 'pbx-1',
        ts: Date.now(),
        sync_id: 'r',
        part: 1,
        parts: 1,
        calls: [a.next('answered')],
      }),
    );
    const [added] = await c.waitForEvents('call.answered', 1);
    expect(payload<CallRecord>(added!).id).toBe(a.record.id);
  });

  it('converges after Redis and then NATS restart under connected clients', async () => {
    const viewers = await Promise.all(stack.backends.map((b) => open(b.url)));
    for (const v of viewers) await v.waitForEvents('snapshot', 1);
    const before = Array.from({ length: 20 }, () => new TestCall());
    for (const call of before) stack.publish(call.next('setup'));
    for (const v of viewers) await v.waitForEvents('call.setup', 20);

    await stack.redis!.restart();
    // Redis came back empty: a new epoch; clients get a fresh snapshot without asking.
    for (const v of viewers) await v.waitForEvents((e) => e.event === 'snapshot', 2, 0, 15_000);
    const after = Array.from({ length: 20 }, () => new TestCall());
    for (const call of after) stack.publish(call.next('setup'));

    await stack.nats!.restart();
    const late = Array.from({ length: 20 }, () => new TestCall());
    // Core NATS is at most once: publish until the backends are resubscribed and take them.
    await vi.waitFor(
      async () => {
        for (const call of late) stack.publish(call.next('ringing'));
        await stack.flush().catch(() => undefined);
        const snap = (await (
          await get(`${stack.backends[0]!.url}/api/v1/live/calls/snapshot`)
        ).json()) as SnapshotPayload;
        const ids = new Set(snap.calls.map((x) => x.id));
        expect(late.filter((call) => !ids.has(call.record.id))).toEqual([]);
      },
      { timeout: 15_000, interval: 200 },
    );

    const truth = (await (
      await get(`${stack.backends[1]!.url}/api/v1/live/calls/snapshot`)
    ).json()) as SnapshotPayload;
    for (const v of viewers) {
      expect((await converged(v, truth.calls, 10_000)).duplicates).toBe(0);
    }
  }, 60_000);
});

describe('readiness', () => {
  let stack: TestStack;
  afterEach(() => stack.close());

  it('readyz turns 503 naming the store or the bus while Redis or NATS is down, and 200 when back', async () => {
    stack = await startStack('redis');
    const url = stack.backends[0]!.url;
    const ready = async () => {
      const response = await fetch(`${url}/readyz`);
      return { status: response.status, body: (await response.json()) as { down?: string[] } };
    };
    expect((await ready()).status).toBe(200);
    const until = (check: (r: Awaited<ReturnType<typeof ready>>) => boolean) =>
      expect.poll(async () => check(await ready()), { timeout: 15_000, interval: 200 }).toBe(true);

    await stack.redis!.stop();
    await until((r) => r.status === 503 && (r.body.down ?? []).includes('store'));
    const snapshot = await get(`${url}/api/v1/live/calls/snapshot`);
    expect(snapshot.status).toBe(503);
    expect(await snapshot.json()).toEqual({
      error: { code: 'unavailable', message: 'a dependency is down; retry shortly' },
    });
    await stack.redis!.start();
    await until((r) => r.status === 200);

    await stack.nats!.stop();
    await until((r) => r.status === 503 && (r.body.down ?? []).includes('bus'));
    await stack.nats!.start();
    await until((r) => r.status === 200);

    const metrics = await (await get(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^live_replay_log_events \d+/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(metrics).toMatch(/^live_stream_starts_total|^# HELP live_stream_starts_total/m);
  });
});

async function position(url: string): Promise<number> {
  return ((await (await get(`${url}/api/v1/live/calls/snapshot`)).json()) as SnapshotPayload).seq;
}
