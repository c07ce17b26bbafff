// Alarms on the stream (docs/interface/alarms.md), against both engines: a threshold crossed
// raises one `alarm` event in the one sequence, a clear one more; they replay on resume, sit
// in every snapshot, and a `user` sees only the alarms about its own company. Rounds are run
// by hand here (the timer is set far off), so each test knows how many ran.
import {
  parseEventId,
  type AlarmPayload,
  type CallRecord,
  type SnapshotPayload,
} from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { ALARMS_FILE, alarmEvents, TINY, tinyCall } from './testing/alarm-fixtures.js';
import { SseClient } from './testing/sse-client.js';
import {
  ADMIN_AUTH,
  authHeaders,
  ENGINES,
  get,
  payload,
  startStack,
  type TestStack,
} from './testing/test-stack.js';

describe.each(ENGINES)('alarms (%s engine)', (engine) => {
  let stack: TestStack;
  const clients: SseClient[] = [];

  const start = async (env: Record<string, string> = {}) => {
    stack = await startStack(engine, {
      ALARMS_FILE,
      ALARMS_INTERVAL_MS: '300000',
      SYNC_INTERVAL_MS: '60000',
      ...env,
    });
    return stack.backends[0]!;
  };
  const open = async (headers = ADMIN_AUTH, lastEventId?: string) => {
    const c = new SseClient(stack.backends[0]!.url, headers);
    clients.push(c);
    await c.connect(lastEventId === undefined ? {} : { lastEventId });
    await c.waitForEvents(
      (e) => e.event === 'snapshot' || e.event.startsWith('call.') || e.event === 'alarm',
      1,
    );
    return c;
  };
  /** One evaluation round on the first instance; resolves to the transitions it made. */
  const evaluate = async () => {
    await stack.flush();
    return stack.backends[0]!.app.alarms.evaluate();
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await stack.close();
  });

  it('raises a trunk at its capacity once, in the one sequence, and clears it once', async () => {
    await start();
    const c = await open();
    const calls = [tinyCall(null), tinyCall(null)];
    stack.publish(calls[0]!.next('setup'));
    expect(await evaluate()).toBe(0);
    stack.publish(calls[1]!.next('setup'));
    await c.waitForEvents('call.setup', 2);
    expect(await evaluate()).toBe(1);
    const [raised] = await c.waitForEvents('alarm', 1);
    expect(payload<AlarmPayload>(raised!)).toMatchObject({
      id: TINY,
      rule: 'trunk_utilisation',
      state: 'raised',
      severity: 'critical',
      subject: { kind: 'trunk', id: 'tiny' },
      value: 1,
      threshold: 0.95,
    });
    const ids = c.events.filter((e) => e.id !== undefined).map((e) => parseEventId(e.id)!.seq);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(parseEventId(raised!.id)!.seq).toBe(
      parseEventId(c.events.filter((e) => e.event === 'call.setup')[1]!.id)!.seq + 1,
    );

    // Nothing changed: further rounds emit nothing.
    expect(await evaluate()).toBe(0);
    expect(await evaluate()).toBe(0);
    stack.publish(calls[0]!.next('ended'));
    await c.waitForEvents('call.ended', 1);
    expect(await evaluate()).toBe(1);
    const [, cleared] = await c.waitForEvents('alarm', 2);
    expect(payload<AlarmPayload>(cleared!)).toMatchObject({
      id: TINY,
      state: 'cleared',
      severity: 'critical',
      value: 0.5,
      since: payload<AlarmPayload>(raised!).since,
    });
    expect(await evaluate()).toBe(0);
    const marker = new TestCall();
    stack.publish(marker.next('setup'));
    await c.waitForEvents((e) => e.data.includes(marker.record.id), 1);
    expect(alarmEvents(c, TINY)).toHaveLength(2);
  });

  it('puts active alarms in every snapshot and GET /api/v1/alarms, and replays a missed raise on resume', async () => {
    const backend = await start();
    const early = await open();
    await early.waitForEvents('snapshot', 1);
    expect(
      payload<SnapshotPayload>(early.events.find((e) => e.event === 'snapshot')!).alarms,
    ).toEqual([]);
    const a = tinyCall(null);
    stack.publish(a.next('setup'));
    await early.waitForEvents('call.setup', 1);
    const resumeFrom = early.lastEventId!;
    early.close();

    stack.publish(tinyCall(null).next('setup'));
    await evaluate();
    const resumed = await open(ADMIN_AUTH, resumeFrom);
    const [replayed] = await resumed.waitForEvents('alarm', 1);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    expect(payload<AlarmPayload>(replayed!).id).toBe(TINY);

    const fresh = await open();
    const [snapshot] = await fresh.waitForEvents('snapshot', 1);
    const alarms = payload<SnapshotPayload>(snapshot!).alarms;
    expect(alarms.map((x) => x.id)).toContain(TINY);
    expect(alarms.find((x) => x.id === TINY)).toEqual(payload<AlarmPayload>(replayed!));
    // Critical first.
    expect(alarms.map((x) => x.severity)).toEqual(
      [...alarms.map((x) => x.severity)].sort((x, y) => (x === y ? 0 : x === 'critical' ? -1 : 1)),
    );
    const http = (await (
      await get(`${backend.url}/api/v1/live/calls/snapshot`)
    ).json()) as SnapshotPayload;
    expect(http.alarms).toEqual(alarms);
    const response = await get(`${backend.url}/api/v1/alarms`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(alarms);
    const metrics = await (await get(`${backend.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^live_alarms_active\{rule="trunk_utilisation",severity="critical"\} 1$/m,
    );
    expect(metrics).toMatch(/^live_alarms_active\{rule="source_stale",severity="critical"\} 0$/m);
  });

  it('shows a user only the alarms about its own company, on the stream, in snapshots and GET /api/v1/alarms', async () => {
    const backend = await start();
    const admin = await open();
    const acme = await open(await authHeaders('user', 'acme'));
    const globex = await open(await authHeaders('user', 'globex'));
    const narrowed = new SseClient(backend.url, ADMIN_AUTH);
    clients.push(narrowed);
    await narrowed.connect({ query: { company_id: 'acme' } });
    // Acme's calls fill trunk tiny (a trunk alarm) and make acme's attempts alarm (a company one).
    stack.publish(tinyCall('acme').next('setup'));
    stack.publish(tinyCall('acme').next('setup'));
    expect(await evaluate()).toBe(2);
    await admin.waitForEvents('alarm', 2);
    const [mine] = await acme.waitForEvents('alarm', 1);
    expect(payload<AlarmPayload>(mine!)).toMatchObject({
      id: 'company_cps_1m:company:acme',
      subject: { kind: 'company', id: 'acme' },
      severity: 'warning',
    });
    await narrowed.waitForEvents('alarm', 1);
    // A later event of globex's own reaches it after the alarms would have.
    const marker = new TestCall({ company: 'globex' });
    stack.publish(marker.next('setup'));
    await globex.waitForEvents('call.setup', 1);
    expect(alarmEvents(globex)).toEqual([]);
    expect(alarmEvents(acme).map((e) => payload<AlarmPayload>(e).id)).toEqual([
      'company_cps_1m:company:acme',
    ]);
    expect(alarmEvents(narrowed).map((e) => payload<AlarmPayload>(e).id)).toEqual([
      'company_cps_1m:company:acme',
    ]);
    expect(
      alarmEvents(admin)
        .map((e) => payload<AlarmPayload>(e).id)
        .sort(),
    ).toEqual(['company_cps_1m:company:acme', TINY]);
    // The same event, with the same id, on every stream that may see it.
    expect(alarmEvents(acme)[0]!.id).toBe(alarmEvents(admin, 'company_cps_1m:company:acme')[0]!.id);

    const alarmsAs = async (headers: Record<string, string>, query = '') =>
      fetch(`${backend.url}/api/v1/alarms${query}`, { headers });
    const acmeAlarms = (await (
      await alarmsAs(await authHeaders('user', 'acme'))
    ).json()) as AlarmPayload[];
    expect(acmeAlarms.map((x) => x.id)).toEqual(['company_cps_1m:company:acme']);
    expect(await (await alarmsAs(await authHeaders('user', 'globex'))).json()).toEqual([]);
    expect((await alarmsAs(await authHeaders('user', 'globex'), '?company_id=acme')).status).toBe(
      403,
    );
    const narrowedAlarms = (await (
      await alarmsAs(ADMIN_AUTH, '?company_id=acme')
    ).json()) as AlarmPayload[];
    expect(narrowedAlarms.map((x) => x.id)).toEqual(['company_cps_1m:company:acme']);
    const all = (await (await alarmsAs(ADMIN_AUTH)).json()) as AlarmPayload[];
    expect(all.map((x) => x.id)).toContain(TINY);
    const userSnapshot = (await (
      await get(`${backend.url}/api/v1/live/calls/snapshot`, await authHeaders('user', 'globex'))
    ).json()) as SnapshotPayload;
    expect(userSnapshot.alarms).toEqual([]);
    const late = await open(await authHeaders('user', 'acme'));
    const [snapshot] = await late.waitForEvents('snapshot', 1);
    expect(payload<SnapshotPayload>(snapshot!).alarms.map((x) => x.id)).toEqual([
      'company_cps_1m:company:acme',
    ]);
  });

  it('raises long_call for a call answered beyond the limit, escalates it as a new raise, and clears it when the call ends', async () => {
    await start();
    const c = await open();
    const call = new TestCall({ company: null });
    call.record.trunk = null;
    // Answered 300 ms short of the critical limit (3600 s): warning now, critical soon.
    const longAgo = Date.now() - 3600_000 + 300;
    stack.publish(call.next('setup', { ts: longAgo }));
    stack.publish({ ...call.next('answered', { ts: longAgo }) });
    const short = new TestCall({ company: null });
    stack.publish(short.next('answered'));
    await c.waitForEvents('call.answered', 2);
    expect(await evaluate()).toBe(1);
    const [raised] = await c.waitForEvents('alarm', 1);
    expect(payload<AlarmPayload>(raised!)).toMatchObject({
      id: `long_call:call:${call.record.id}`,
      severity: 'warning',
      subject: { kind: 'call', id: call.record.id },
      threshold: 60,
    });
    expect(payload<AlarmPayload>(raised!).value).toBeGreaterThanOrEqual(3599);
    await expect.poll(evaluate, { timeout: 5_000, interval: 100 }).toBe(1);
    const [, escalated] = await c.waitForEvents('alarm', 2);
    expect(payload<AlarmPayload>(escalated!)).toMatchObject({
      id: payload<AlarmPayload>(raised!).id,
      state: 'raised',
      severity: 'critical',
      threshold: 3600,
      since: payload<AlarmPayload>(raised!).since,
    });
    stack.publish(call.next('ended'));
    await c.waitForEvents('call.ended', 1);
    expect(await evaluate()).toBe(1);
    const [, , cleared] = await c.waitForEvents('alarm', 3);
    expect(payload<AlarmPayload>(cleared!)).toMatchObject({
      id: payload<AlarmPayload>(raised!).id,
      state: 'cleared',
      severity: 'critical',
    });
    const ended = payload<CallRecord>(c.events.find((e) => e.event === 'call.ended')!);
    expect(ended.id).toBe(call.record.id);
  });

  it('raises source_stale as soon as a source that was up is marked stale, and clears it after its next sync', async () => {
    await start({ SYNC_INTERVAL_MS: '200' });
    const c = await open();
    const sync = (n: number) =>
      stack.publishRaw(
        'call.sync',
        JSON.stringify({
          v: 1,
          source: 'pbx-s',
          ts: Date.now(),
          sync_id: `s${n}`,
          part: 1,
          parts: 1,
          calls: [],
        }),
      );
    sync(1);
    await c.waitForEvents((e) => e.event === 'source' && e.data.includes('"stale"'), 1, 0, 10_000);
    // No round by hand: marking the source stale runs one.
    const [raised] = await c.waitForEvents('alarm', 1);
    expect(payload<AlarmPayload>(raised!)).toMatchObject({
      id: 'source_stale:source:pbx-s',
      severity: 'critical',
      subject: { kind: 'source', id: 'pbx-s' },
      threshold: 1,
    });
    sync(2);
    await c.waitForEvents((e) => e.event === 'source' && e.data.includes('"up"'), 2);
    // The source may go stale again before the round; then the alarm stays (no event).
    const made = await evaluate();
    const source = c.events.filter((e) => e.event === 'source').at(-1)!;
    if (made === 1) {
      const [, cleared] = await c.waitForEvents('alarm', 2);
      expect(payload<AlarmPayload>(cleared!)).toMatchObject({
        id: 'source_stale:source:pbx-s',
        state: 'cleared',
      });
    } else expect(source.data).toContain('"stale"');
  });
});
