// The contract suite (docs/interface/: nats, ordering, http, sse), run against both engines: what a client sees on the
// stream for every kind of input.
import {
  parseEventId,
  type CallRecord,
  type SnapshotPayload,
  type SourceStatus,
} from '@live-calls/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { SseClient } from './testing/sse-client.js';
import {
  ENGINES,
  payload,
  startStack,
  type TestStack,
  ADMIN_AUTH,
  get,
} from './testing/test-stack.js';

describe.each(ENGINES)('contract (%s engine)', (engine) => {
  let stack: TestStack;
  const clients: SseClient[] = [];

  const client = async (options: Parameters<SseClient['connect']>[0] = {}) => {
    const c = new SseClient(stack.backends[0]!.url, ADMIN_AUTH);
    clients.push(c);
    await c.connect(options);
    await c.waitForEvents((e) => e.event === 'snapshot' || e.event === 'connected', 1);
    return c;
  };
  const snapshotOf = (c: SseClient) =>
    payload<SnapshotPayload>(c.events.find((e) => e.event === 'snapshot')!);
  const callEvents = (c: SseClient) => c.events.filter((e) => e.event.startsWith('call.'));

  beforeEach(async () => {
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '60000' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await stack.close();
  });

  it('starts with retry, connected and a snapshot, then streams live events with increasing ids', async () => {
    const a = new TestCall();
    const b = new TestCall({ company: 'globex' });
    stack.publish(a.next('setup'));
    stack.publish(b.next('setup'));
    await stack.flush();

    const c = await client();
    await c.waitForEvents('snapshot', 1);
    expect(c.retry).toBeGreaterThan(0);
    expect(c.events.map((e) => e.event).slice(0, 2)).toEqual(['connected', 'snapshot']);
    const snapshot = snapshotOf(c);
    expect(snapshot.reason).toBe('initial');
    expect(snapshot.calls.map((call) => call.id).sort()).toEqual([a.record.id, b.record.id].sort());
    const snapshotId = parseEventId(c.events[1]!.id)!;
    expect(snapshotId).toEqual({ epoch: snapshot.epoch, seq: snapshot.seq });

    stack.publish(a.next('ringing'));
    stack.publish(a.next('answered'));
    stack.publish(b.next('ended'));
    const live = await c.waitForEvents((e) => e.event.startsWith('call.'), 3);
    expect(live.map((e) => e.event)).toEqual(['call.ringing', 'call.answered', 'call.ended']);
    const seqs = live.map((e) => parseEventId(e.id)!);
    expect(seqs.every((id) => id.epoch === snapshot.epoch)).toBe(true);
    expect(seqs.map((id) => id.seq)).toEqual([
      snapshot.seq + 1,
      snapshot.seq + 2,
      snapshot.seq + 3,
    ]);
    expect(payload<CallRecord>(live[1]!).answered_at).not.toBeNull();
  });

  it('stale and duplicate events change nothing and emit nothing', async () => {
    const a = new TestCall();
    const c = await client();
    const setup = a.next('setup');
    const ringing = a.next('ringing');
    stack.publish(setup);
    stack.publish(ringing);
    stack.publish(ringing);
    stack.publish(setup);
    const marker = new TestCall();
    stack.publish(marker.next('setup'));
    await c.waitForEvents((e) => e.data.includes(marker.record.id), 1);
    expect(callEvents(c).map((e) => `${payload<CallRecord>(e).id}:${e.event}`)).toEqual([
      `${a.record.id}:call.setup`,
      `${a.record.id}:call.ringing`,
      `${marker.record.id}:call.setup`,
    ]);
  });

  it('out-of-order phases converge to the newest, and a tombstone blocks resurrection', async () => {
    const a = new TestCall();
    const events = [a.next('setup'), a.next('ringing'), a.next('answered'), a.next('ended')];
    const c = await client();
    for (const record of [events[3]!, events[1]!, events[2]!, events[0]!]) stack.publish(record);
    stack.publish({ ...events[2]!, seq: 9 });
    const marker = new TestCall();
    stack.publish(marker.next('setup'));
    await c.waitForEvents((e) => e.data.includes(marker.record.id), 1);
    const seen = callEvents(c).filter((e) => e.data.includes(a.record.id));
    expect(seen.map((e) => e.event)).toEqual(['call.ended']);

    const response = await get(`${stack.backends[0]!.url}/api/v1/live/calls/snapshot`);
    const snapshot = (await response.json()) as SnapshotPayload;
    expect(snapshot.calls.map((call) => call.id)).toEqual([marker.record.id]);
  });

  it('reconciles a complete sync: reaps what the PBX no longer has, adds what it missed', async () => {
    const kept = new TestCall({ source: 'pbx-9' });
    const gone = new TestCall({ source: 'pbx-9', at: Date.now() - 5_000 });
    const other = new TestCall({ source: 'pbx-8' });
    stack.publish(kept.next('answered'));
    stack.publish(gone.next('answered', { ts: Date.now() - 5_000 }));
    stack.publish(other.next('setup'));
    await stack.flush();
    const c = await client();
    const missed = new TestCall({ source: 'pbx-9' });
    const part = (n: number, calls: CallRecord[]) => ({
      v: 1,
      source: 'pbx-9',
      ts: Date.now(),
      sync_id: 'sync-1',
      part: n,
      parts: 2,
      calls,
    });
    stack.publishRaw(
      'call.sync',
      JSON.stringify(part(1, [kept.next('answered', { seq: kept.seq })])),
    );
    stack.publishRaw('call.sync', JSON.stringify(part(2, [missed.next('ringing')])));

    await c.waitForEvents('source', 1);
    const changes = callEvents(c).map((e) => ({ event: e.event, record: payload<CallRecord>(e) }));
    expect(changes, c.summary()).toHaveLength(2);
    const reaped = changes.find((x) => x.event === 'call.ended');
    expect(
      reaped?.record.id,
      JSON.stringify(changes.map((x) => [x.event, x.record.id, x.record.seq])),
    ).toBe(gone.record.id);
    expect(reaped?.record.end).toEqual({ reason: 'reaped' });
    expect(changes.find((x) => x.event === 'call.ringing')?.record.id).toBe(missed.record.id);
    const source = payload<SourceStatus>(c.events.find((e) => e.event === 'source')!);
    expect(source).toMatchObject({ source: 'pbx-9', state: 'up', active: 2 });

    const snapshot = (await (
      await get(`${stack.backends[0]!.url}/api/v1/live/calls/snapshot`)
    ).json()) as SnapshotPayload;
    expect(snapshot.calls.map((call) => call.id).sort()).toEqual(
      [kept.record.id, missed.record.id, other.record.id].sort(),
    );
    expect(snapshot.sources.find((s) => s.source === 'pbx-9')).toMatchObject({
      state: 'up',
      active: 2,
    });
  });

  it('does not reap a call that changed after the sync was taken', async () => {
    const racing = new TestCall({ source: 'pbx-7' });
    const syncTs = Date.now() - 1_000;
    stack.publish(racing.next('setup'));
    await stack.flush();
    const c = await client();
    stack.publishRaw(
      'call.sync',
      JSON.stringify({
        v: 1,
        source: 'pbx-7',
        ts: syncTs,
        sync_id: 's',
        part: 1,
        parts: 1,
        calls: [],
      }),
    );
    await c.waitForEvents('source', 1);
    expect(callEvents(c)).toHaveLength(0);
  });

  it('marks a source stale after three intervals without a sync', async () => {
    await stack.close();
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '200' });
    const c = await client();
    stack.publishRaw(
      'call.sync',
      JSON.stringify({
        v: 1,
        source: 'pbx-5',
        ts: Date.now(),
        sync_id: 's',
        part: 1,
        parts: 1,
        calls: [],
      }),
    );
    const sources = await c.waitForEvents('source', 2, 0, 5_000);
    expect(sources.map((e) => payload<SourceStatus>(e).state)).toEqual(['up', 'stale']);
  });

  it('answers a garbage Last-Event-ID with an invalid_id snapshot, and an old epoch with epoch_changed', async () => {
    const garbage = await client({ lastEventId: 'not-an-id' });
    await garbage.waitForEvents('snapshot', 1);
    expect(snapshotOf(garbage).reason).toBe('invalid_id');
    const future = await client({ lastEventId: `${snapshotOf(garbage).epoch}:999999` });
    await future.waitForEvents('snapshot', 1);
    expect(snapshotOf(future).reason).toBe('invalid_id');
    const old = await client({ query: { last_event_id: 'oldepoch:5' } });
    await old.waitForEvents('snapshot', 1);
    expect(snapshotOf(old).reason).toBe('epoch_changed');
  });

  it('resumes from Last-Event-ID with exactly the missed events and no snapshot', async () => {
    const c = await client();
    await c.waitForEvents('snapshot', 1);
    const a = new TestCall();
    stack.publish(a.next('setup'));
    await c.waitForEvents('call.setup', 1);
    c.close();
    const calls = Array.from({ length: 50 }, () => new TestCall());
    for (const call of calls) stack.publish(call.next('setup'));
    for (const call of calls) stack.publish(call.next('answered'));
    await stack.flush();

    const before = c.events.length;
    await c.reconnect();
    await c.waitForEvents((e) => e.event.startsWith('call.'), 100, before);
    const resumed = c.events.slice(before);
    expect(resumed.map((e) => e.event).filter((n) => n === 'snapshot')).toEqual([]);
    expect(resumed[0]?.event).toBe('connected');
    const ids = resumed.filter((e) => e.id !== undefined).map((e) => parseEventId(e.id)!.seq);
    const lastBefore = parseEventId(c.events[before - 1]!.id)!.seq;
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => lastBefore + 1 + i));
  });

  it('gives a snapshot with resume_expired when the log no longer holds the id', async () => {
    await stack.close();
    stack = await startStack(engine, { HISTORY_EVENTS: '100' });
    const c = await client();
    await c.waitForEvents('snapshot', 1);
    const first = new TestCall();
    stack.publish(first.next('setup'));
    await c.waitForEvents('call.setup', 1);
    c.close();
    for (let i = 0; i < 400; i++) stack.publish(new TestCall().next('setup'));
    await stack.flush();
    const before = c.events.length;
    await c.reconnect();
    const [snapshot] = await c.waitForEvents('snapshot', 1, before);
    expect(payload<SnapshotPayload>(snapshot!).reason).toBe('resume_expired');
    expect(payload<SnapshotPayload>(snapshot!).calls).toHaveLength(401);
  });

  it('drops malformed messages, counts them by reason, and keeps the state', async () => {
    const a = new TestCall();
    stack.publish(a.next('setup'));
    await stack.flush();
    const bad = [
      ['call.events.setup', '{not json'],
      ['call.events.setup', JSON.stringify({ ...a.next('ringing'), v: 2 })],
      ['call.events.setup', JSON.stringify(a.next('answered'))],
      ['call.events.ringing', JSON.stringify({ ...a.next('ringing'), seq: -1 })],
      ['call.events.setup', 'x'.repeat(17_000)],
      [
        'call.sync',
        JSON.stringify({
          v: 1,
          source: 'bad source',
          ts: 1,
          sync_id: 's',
          part: 1,
          parts: 1,
          calls: [],
        }),
      ],
    ] as const;
    for (const [subject, data] of bad) stack.publishRaw(subject, data);
    await stack.flush();
    const metrics = await (await get(`${stack.backends[0]!.url}/metrics`)).text();
    for (const reason of [
      'bad_json',
      'bad_version',
      'phase_mismatch',
      'bad_field:seq',
      'too_large',
      'bad_field:source',
    ]) {
      expect(metrics).toContain(`live_events_rejected_total{reason="${reason}"} 1`);
    }
    const snapshot = (await (
      await get(`${stack.backends[0]!.url}/api/v1/live/calls/snapshot`)
    ).json()) as SnapshotPayload;
    expect(snapshot.calls).toHaveLength(1);
    expect(snapshot.calls[0]).toMatchObject({ id: a.record.id, seq: 1, phase: 'setup' });
  });

  it('serves the snapshot over HTTP with its epoch and seq, and 400 for bad query input', async () => {
    const a = new TestCall();
    stack.publish(a.next('setup'));
    await stack.flush();
    const response = await get(`${stack.backends[0]!.url}/api/v1/live/calls/snapshot`);
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as SnapshotPayload & { server_time: number };
    expect(snapshot.seq).toBeGreaterThanOrEqual(1);
    expect(typeof snapshot.epoch).toBe('string');
    expect(snapshot.calls).toHaveLength(1);
    const bad = await get(`${stack.backends[0]!.url}/api/v1/live/calls/snapshot?company_id=`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request' } });
    const unknown = await get(`${stack.backends[0]!.url}/api/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
