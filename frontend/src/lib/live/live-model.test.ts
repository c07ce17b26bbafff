import { describe, expect, it } from 'vitest';
import type { AlarmPayload, ConnectedPayload } from '@live-calls/protocol';
import { FADE_MS, LiveModel } from './live-model.js';
import { call, snapshot, T0 } from './test-calls.js';

function connected(overrides: Partial<ConnectedPayload> = {}): ConnectedPayload {
  return {
    stream_id: 's1',
    epoch: 'e1',
    seq: 10,
    role: 'noc',
    company_id: null,
    heartbeat_ms: 15_000,
    server_time: T0,
    ...overrides,
  };
}

function listedIds(model: LiveModel): string[] {
  return [...model.listed.values()].filter((l) => l.endedAt === null).map((l) => l.record.id);
}

const trunkAlarm: AlarmPayload = {
  id: 'trunk_utilisation:trunk:carrier-a',
  rule: 'trunk_utilisation',
  state: 'raised',
  severity: 'critical',
  subject: { kind: 'trunk', id: 'carrier-a' },
  value: 0.97,
  threshold: 0.95,
  since: T0,
  message: 'carrier-a at 97 % of 120',
};

describe('LiveModel', () => {
  it('takes alarms from the snapshot and from alarm events, in id order like calls', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'snapshot', data: snapshot([], { alarms: [trunkAlarm] }), id: 'e1:10' });
    expect(model.flush(T0).alarms).toBe(true);
    expect(model.alarms.list().map((s) => s.alarm.id)).toEqual([trunkAlarm.id]);

    const cleared = { ...trunkAlarm, state: 'cleared' as const };
    model.enqueue({ name: 'alarm', data: cleared, id: 'e1:11' });
    // A retransmission of the raise (an id already applied) must not bring it back.
    model.enqueue({ name: 'alarm', data: trunkAlarm, id: 'e1:10' });
    const result = model.flush(T0 + 5);
    expect(result.alarms).toBe(true);
    expect(model.alarms.activeCount).toBe(0);
    expect(model.alarms.list()[0]?.clearedAt).toBe(T0 + 5);
    expect(model.lastEventId).toBe('e1:11');
    expect(model.counters.duplicate).toBe(1);
  });

  it('replaces the table on a snapshot', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'connected', data: connected(), id: null });
    model.enqueue({ name: 'snapshot', data: snapshot([call(1), call(2)]), id: 'e1:10' });
    const result = model.flush(T0);
    expect(result.calls).toBe(true);
    expect(listedIds(model)).toEqual(['pbx1:call-1', 'pbx1:call-2']);
    expect(model.lastEventId).toBe('e1:10');

    model.enqueue({
      name: 'snapshot',
      data: snapshot([call(3)], { seq: 50, reason: 'epoch_changed', epoch: 'e2' }),
      id: 'e2:50',
    });
    model.flush(T0 + 1000);
    expect(listedIds(model)).toEqual(['pbx1:call-3']);
    expect(model.table.activeCount).toBe(1);
    // Calls the new snapshot no longer holds fade out rather than vanish.
    expect(model.listed.get('pbx1:call-1')?.endedAt).toBe(T0 + 1000);
    expect(model.lastEventId).toBe('e2:50');
  });

  it('applies live events in order within one batch', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'snapshot', data: snapshot([]), id: 'e1:10' });
    model.enqueue({ name: 'call.setup', data: call(1, { phase: 'setup', seq: 1 }), id: 'e1:11' });
    model.enqueue({
      name: 'call.ringing',
      data: call(1, { phase: 'ringing', seq: 2 }),
      id: 'e1:12',
    });
    model.enqueue({
      name: 'call.answered',
      data: call(1, { phase: 'answered', seq: 3 }),
      id: 'e1:13',
    });
    const result = model.flush(T0);
    expect(result.events).toBe(4);
    expect(model.listed.get('pbx1:call-1')?.record.phase).toBe('answered');
    expect(model.lastEventId).toBe('e1:13');
    expect(model.counters.applied).toBe(3);
  });

  it('counts replayed events after a resume and ends the replay at the connect point', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'connected', data: connected(), id: null });
    model.enqueue({ name: 'snapshot', data: snapshot([call(1)]), id: 'e1:10' });
    model.flush(T0);
    model.connection.onError(T0 + 100);
    expect(model.connection.view(T0 + 100).state).toBe('reconnecting');

    // Reconnected with Last-Event-ID e1:10; the server is at 13, so 11..13 are replayed.
    model.enqueue({ name: 'connected', data: connected({ seq: 13 }), id: null });
    model.enqueue({
      name: 'call.answered',
      data: call(1, { phase: 'answered', seq: 2 }),
      id: 'e1:11',
    });
    model.enqueue({ name: 'call.setup', data: call(2, { phase: 'setup' }), id: 'e1:12' });
    model.flush(T0 + 2000);
    let sync = model.connection.view(T0 + 2000).lastSync;
    expect(sync).toMatchObject({ kind: 'resumed', missed: 2, replaying: true });

    model.enqueue({ name: 'call.ended', data: call(2, { phase: 'ended', seq: 2 }), id: 'e1:13' });
    model.enqueue({ name: 'call.setup', data: call(3, { phase: 'setup' }), id: 'e1:14' });
    model.flush(T0 + 2100);
    sync = model.connection.view(T0 + 2100).lastSync;
    expect(sync).toMatchObject({ kind: 'resumed', missed: 3, replaying: false });
    expect(model.connection.view(T0 + 2100).state).toBe('live');
    expect(listedIds(model)).toEqual(['pbx1:call-1', 'pbx1:call-3']);
  });

  it('reports a resync when a reconnect gets a snapshot', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'connected', data: connected(), id: null });
    model.enqueue({ name: 'snapshot', data: snapshot([]), id: 'e1:10' });
    model.enqueue({ name: 'connected', data: connected({ epoch: 'e2', seq: 3 }), id: null });
    model.enqueue({
      name: 'snapshot',
      data: snapshot([], { epoch: 'e2', seq: 3, reason: 'epoch_changed' }),
      id: 'e2:3',
    });
    model.flush(T0);
    expect(model.connection.view(T0).lastSync).toMatchObject({
      kind: 'snapshot',
      reason: 'epoch_changed',
    });
  });

  it('ignores an event id it has already applied', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'snapshot', data: snapshot([]), id: 'e1:10' });
    model.enqueue({ name: 'call.setup', data: call(1, { phase: 'setup' }), id: 'e1:11' });
    model.enqueue({ name: 'call.setup', data: call(1, { phase: 'setup' }), id: 'e1:11' });
    // Reflected by the snapshot already.
    model.enqueue({ name: 'call.setup', data: call(9, { phase: 'setup' }), id: 'e1:9' });
    model.flush(T0);
    expect(model.counters.duplicate).toBe(2);
    expect(listedIds(model)).toEqual(['pbx1:call-1']);
  });

  it('shows a call once even when the same record arrives under a new id', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'snapshot', data: snapshot([call(1, { seq: 2 })]), id: 'e1:10' });
    model.enqueue({ name: 'call.ringing', data: call(1, { seq: 2 }), id: 'e1:11' });
    model.flush(T0);
    expect(model.counters.duplicate).toBe(1);
    expect(model.listed.size).toBe(1);
  });

  it('drops stale events: a lower seq never rolls a call back', () => {
    const model = new LiveModel();
    model.enqueue({
      name: 'snapshot',
      data: snapshot([call(1, { phase: 'answered', seq: 3 })]),
      id: 'e1:10',
    });
    model.enqueue({
      name: 'call.ringing',
      data: call(1, { phase: 'ringing', seq: 2 }),
      id: 'e1:11',
    });
    model.flush(T0);
    expect(model.counters.stale).toBe(1);
    expect(model.listed.get('pbx1:call-1')?.record.phase).toBe('answered');
  });

  it('drops only the rows whose fade is over, also after a resync', () => {
    const model = new LiveModel();
    model.enqueue({
      name: 'snapshot',
      data: snapshot([call(1), call(2), call(3)]),
      id: 'e1:10',
    });
    model.enqueue({ name: 'call.ended', data: call(1, { phase: 'ended', seq: 9 }), id: 'e1:11' });
    model.flush(T0);
    // A resync without call 2: it ended while the tab was away and fades from now on.
    model.enqueue({
      name: 'snapshot',
      data: { ...snapshot([call(3)]), reason: 'resume_expired', seq: 20 },
      id: 'e1:20',
    });
    model.flush(T0 + 1000);
    expect(model.expire(T0 + FADE_MS)).toBe(true);
    expect([...model.listed.keys()].sort()).toEqual(['pbx1:call-2', 'pbx1:call-3']);
    // Call 2 comes back in the next snapshot before its fade is over: it stays listed.
    model.enqueue({
      name: 'snapshot',
      data: { ...snapshot([call(2), call(3)]), reason: 'resume_expired', seq: 30 },
      id: 'e1:30',
    });
    model.flush(T0 + 1500);
    expect(model.expire(T0 + 1000 + FADE_MS)).toBe(false);
    expect([...model.listed.keys()].sort()).toEqual(['pbx1:call-2', 'pbx1:call-3']);
    expect(model.listed.get('pbx1:call-2')?.endedAt).toBeNull();
  });

  it('fades an ended call out and never brings it back', () => {
    const model = new LiveModel();
    model.enqueue({
      name: 'snapshot',
      data: snapshot([call(1, { phase: 'answered', seq: 3 })]),
      id: 'e1:10',
    });
    model.enqueue({ name: 'call.ended', data: call(1, { phase: 'ended', seq: 4 }), id: 'e1:11' });
    model.flush(T0);
    expect(model.listed.get('pbx1:call-1')?.endedAt).toBe(T0);
    expect(model.table.activeCount).toBe(0);

    expect(model.expire(T0 + FADE_MS - 1)).toBe(false);
    expect(model.expire(T0 + FADE_MS)).toBe(true);
    expect(model.listed.size).toBe(0);

    // A late event with a higher seq hits the tombstone.
    model.enqueue({
      name: 'call.answered',
      data: call(1, { phase: 'answered', seq: 9 }),
      id: 'e1:12',
    });
    model.flush(T0 + FADE_MS);
    expect(model.listed.size).toBe(0);
    expect(model.counters.stale).toBe(1);
  });

  it('does not list a call it first sees as ended', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'snapshot', data: snapshot([]), id: 'e1:10' });
    model.enqueue({ name: 'call.ended', data: call(5, { phase: 'ended' }), id: 'e1:11' });
    model.flush(T0);
    expect(model.listed.size).toBe(0);
  });

  it('takes the clock offset from server_time so durations never go negative', () => {
    const model = new LiveModel();
    // The server runs 90 s ahead of this browser.
    model.enqueue({ name: 'connected', data: connected({ server_time: T0 + 90_000 }), id: null });
    model.flush(T0);
    expect(model.clock.offset).toBe(90_000);
    expect(model.clock.now(T0 + 1000)).toBe(T0 + 91_000);
  });

  it('keeps sources and stats', () => {
    const model = new LiveModel();
    model.enqueue({
      name: 'snapshot',
      data: snapshot([], {
        sources: [{ source: 'pbx1', state: 'up', last_sync_at: T0, active: 0 }],
      }),
      id: 'e1:10',
    });
    model.enqueue({
      name: 'source',
      data: { source: 'pbx1', state: 'stale', last_sync_at: T0, active: 0 },
      id: 'e1:11',
    });
    model.flush(T0);
    expect(model.sources.get('pbx1')?.state).toBe('stale');
  });

  it('flags session expiry', () => {
    const model = new LiveModel();
    model.enqueue({ name: 'session.expired', data: { server_time: T0 }, id: null });
    expect(model.flush(T0).sessionExpired).toBe(true);
  });
});
