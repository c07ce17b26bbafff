// Alarms with two instances on one Redis and one NATS (docs/adr/0014-alarms-once-across-instances.md):
// both evaluate on their timers, yet each transition is one event with one id on every
// stream, replayed on resume on the other instance; the compare-and-set alone (without the
// lease) lets one of two concurrent writers make a change.
import { parseEventId, type AlarmPayload, type SnapshotPayload } from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ALARMS_FILE, alarmEvents, TINY, tinyCall } from './testing/alarm-fixtures.js';
import type { AlarmTransition } from './alarms/evaluate.js';
import { TestCall } from './testing/call-factory.js';
import { SseClient } from './testing/sse-client.js';
import {
  ADMIN_AUTH,
  authHeaders,
  get,
  payload,
  startStack,
  type TestStack,
} from './testing/test-stack.js';

describe('alarms on several instances', () => {
  let stack: TestStack;
  const clients: SseClient[] = [];
  const open = async (url: string, headers = ADMIN_AUTH, lastEventId?: string) => {
    const c = new SseClient(url, headers);
    clients.push(c);
    await c.connect(lastEventId === undefined ? {} : { lastEventId });
    return c;
  };
  /** Evaluation rounds run so far, over both instances (only the lease holder's count). */
  const rounds = async () => {
    let total = 0;
    for (const b of stack.backends) {
      const metric = await b.app.metrics.alarmEvaluation.get();
      total +=
        metric.values.find((v) => v.metricName === 'live_alarm_evaluation_seconds_count')?.value ??
        0;
    }
    return total;
  };
  const moreRounds = async (n: number) => {
    const target = (await rounds()) + n;
    await expect.poll(rounds, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(target);
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await stack.close();
  });

  it('raises and clears once on the timer of two instances: one id on every stream, replayed on the other instance', async () => {
    stack = await startStack('redis', { ALARMS_FILE, ALARMS_INTERVAL_MS: '100' });
    await stack.addBackend();
    const [one, two] = stack.backends;
    const a = await open(one!.url);
    const b = await open(two!.url);
    const other = await open(two!.url, await authHeaders('user', 'globex'));
    const missing = await open(one!.url);
    for (const c of [a, b, other, missing]) await c.waitForEvents('snapshot', 1);
    const resumeFrom = missing.lastEventId!;
    missing.close();

    const calls = [tinyCall(null), tinyCall(null)];
    for (const call of calls) stack.publish(call.next('setup'));
    const [raisedA] = await a.waitForEvents('alarm', 1);
    const [raisedB] = await b.waitForEvents('alarm', 1);
    expect(payload<AlarmPayload>(raisedA!)).toMatchObject({
      id: TINY,
      state: 'raised',
      severity: 'critical',
    });
    expect(raisedB!.id).toBe(raisedA!.id);
    expect(raisedB!.data).toBe(raisedA!.data);
    await moreRounds(5);
    const fresh = await open(two!.url);
    const [snapshot] = await fresh.waitForEvents('snapshot', 1);
    expect(payload<SnapshotPayload>(snapshot!).alarms).toEqual([payload<AlarmPayload>(raisedA!)]);

    stack.publish(calls[1]!.next('ended'));
    const [, clearedA] = await a.waitForEvents('alarm', 2);
    const [, clearedB] = await b.waitForEvents('alarm', 2);
    expect(payload<AlarmPayload>(clearedA!)).toMatchObject({ id: TINY, state: 'cleared' });
    expect(clearedB!.id).toBe(clearedA!.id);
    await moreRounds(5);
    const marker = new TestCall({ company: 'globex' });
    marker.record.trunk = null;
    stack.publish(marker.next('setup'));
    for (const c of [a, b, other])
      await c.waitForEvents((e) => e.data.includes(marker.record.id), 1);

    for (const c of [a, b]) {
      expect(alarmEvents(c, TINY).map((e) => [e.id, payload<AlarmPayload>(e).state])).toEqual([
        [raisedA!.id, 'raised'],
        [clearedA!.id, 'cleared'],
      ]);
    }
    // The globex user sees no trunk alarm; at most its own company's (the marker's attempt).
    for (const e of alarmEvents(other))
      expect(payload<AlarmPayload>(e).subject).toEqual({ kind: 'company', id: 'globex' });
    expect(parseEventId(clearedA!.id)!.seq).toBeGreaterThan(parseEventId(raisedA!.id)!.seq);

    // A client that left before the raise resumes on the other instance: both, in order.
    const resumed = await open(two!.url, ADMIN_AUTH, resumeFrom);
    await resumed.waitForEvents((e) => e.data.includes(marker.record.id), 1);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    expect(alarmEvents(resumed, TINY).map((e) => e.id)).toEqual([raisedA!.id, clearedA!.id]);
    const active = (await (await get(`${one!.url}/api/v1/alarms`)).json()) as AlarmPayload[];
    expect(active.map((x) => x.id)).not.toContain(TINY);
  }, 60_000);

  it('lets one of two instances writing the same change at once make it, and forgets alarms with the epoch', async () => {
    stack = await startStack('redis', { ALARMS_FILE, ALARMS_INTERVAL_MS: '300000' });
    await stack.addBackend();
    const [one, two] = stack.backends;
    const c = await open(one!.url);
    await c.waitForEvents('snapshot', 1);
    const raise = (i: number): AlarmTransition => {
      const alarm: AlarmPayload = {
        id: `long_call:call:pbx-1:x${i}`,
        rule: 'long_call',
        state: 'raised',
        severity: 'warning',
        subject: { kind: 'call', id: `pbx-1:x${i}` },
        value: 61,
        threshold: 60,
        since: Date.now(),
        message: `Call pbx-1:x${i} has been answered for 1 min 1 s (warning at 1 min 0 s)`,
      };
      return { id: alarm.id, expected: null, next: alarm, event: alarm };
    };
    const transitions = Array.from({ length: 20 }, (_, i) => raise(i));
    const [byOne, byTwo] = await Promise.all([
      one!.app.store.applyAlarms(transitions),
      two!.app.store.applyAlarms(transitions),
    ]);
    transitions.forEach((_, i) => {
      expect([byOne[i]! > 0, byTwo[i]! > 0].filter(Boolean)).toHaveLength(1);
    });
    const events = await c.waitForEvents('alarm', 20);
    const marker = new TestCall();
    stack.publish(marker.next('setup'));
    await c.waitForEvents((e) => e.data.includes(marker.record.id), 1);
    expect(alarmEvents(c)).toHaveLength(20);
    expect(new Set(events.map((e) => payload<AlarmPayload>(e).id)).size).toBe(20);
    expect((await one!.app.store.alarms(null)).length).toBe(20);

    // The lease: one instance at a time.
    expect(await one!.app.store.alarmLease('one', 60_000)).toBe(true);
    expect(await two!.app.store.alarmLease('two', 60_000)).toBe(false);
    expect(await one!.app.store.alarmLease('one', 60_000)).toBe(true);

    await stack.redis!.flush();
    const snapshots = await c.waitForEvents('snapshot', 2, 0, 10_000);
    expect(payload<SnapshotPayload>(snapshots[1]!)).toMatchObject({
      reason: 'epoch_changed',
      alarms: [],
    });
    expect(await two!.app.store.alarms(null)).toEqual([]);
  });
});
