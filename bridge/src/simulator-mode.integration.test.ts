// PBX=simulator: the simulator's records take the bridge's normal path onto NATS.
import { startNats, type NatsService } from '@live-calls/test-services';
import { pino } from 'pino';
import { CONTROL_TIMEOUT_MS, callControlSubject, type CallRecord } from '@live-calls/protocol';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startBridge, type Bridge } from './bridge.js';
import { parseConfig } from './config.js';
import { BusRecorder } from './testing/bus-recorder.js';

let nats: NatsService;
let bus: BusRecorder;
let bridge: Bridge;

beforeAll(async () => {
  nats = await startNats();
  bus = await BusRecorder.open(nats.url);
  const config = parseConfig({
    NATS_URL: nats.url,
    SOURCE_ID: 'sim-it',
    PBX: 'simulator',
    SIM_CPS: '200',
    SYNC_INTERVAL_MS: '300',
    HEALTH_PORT: '0',
  });
  bridge = await startBridge(config, pino({ level: 'silent' }), { defaultMetrics: false });
}, 20_000);

afterAll(async () => {
  await bridge?.close();
  await bus?.close();
  await nats?.close();
});

it('publishes simulated events, periodic syncs and CDRs', async () => {
  await expect.poll(() => bus.events.length, { timeout: 10_000 }).toBeGreaterThan(50);
  await expect.poll(() => bus.completeSyncs().length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
  await expect
    .poll(() => bus.events.map((e) => e.record.phase), { timeout: 10_000 })
    .toContain('ended');
  expect(bus.invalid).toEqual([]);
  for (const e of bus.events) {
    expect(e.subject).toBe(`call.events.${e.record.phase}`);
    expect(e.record.source).toBe('sim-it');
  }
  await expect.poll(async () => (await bus.cdrs()).length, { timeout: 10_000 }).toBeGreaterThan(0);
  const ready = await fetch(`http://127.0.0.1:${bridge.healthPort}/readyz`);
  expect(ready.status).toBe(200);
}, 30_000);

it('lists in each sync every call that had begun by its ts and not yet ended', async () => {
  await expect
    .poll(() => bus.completeSyncs().length, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(4);
  const began = new Map<string, number>();
  const ended = new Map<string, number>();
  for (const { record } of bus.events) {
    if (record.phase === 'setup') began.set(record.id, record.ts);
    if (record.phase === 'ended') ended.set(record.id, record.ts);
  }
  for (const sync of bus.completeSyncs()) {
    const listed = new Set(sync.calls.map((c) => c.id));
    // A call the backend would reap: begun at or before the sync's ts, still up, not listed.
    const unlisted = [...began]
      .filter(([id, at]) => at <= sync.ts && (ended.get(id) ?? Infinity) > sync.ts)
      .filter(([id]) => !listed.has(id));
    expect(unlisted, `sync ${sync.syncId} at ${sync.ts}`).toEqual([]);
  }
});

it('hangs up a simulated call on request: call.ended terminated with by, its CDR, then not_found', async () => {
  const ended = () =>
    new Set(bus.events.filter((e) => e.record.phase === 'ended').map((e) => e.record.id));
  const target = await vi.waitFor(
    () => {
      const done = ended();
      const up = bus.events
        .map((e) => e.record)
        .find((r) => r.phase === 'answered' && !done.has(r.id));
      expect(up).toBeDefined();
      return up as CallRecord;
    },
    { timeout: 20_000, interval: 50 },
  );
  const ask = async () => {
    const request = {
      v: 1,
      action: 'hangup',
      id: target.id,
      call_id: target.call_id,
      request_id: 'r-1',
      by: 'op-bob',
    };
    const msg = await bus.nc.request(callControlSubject('sim-it'), JSON.stringify(request), {
      timeout: CONTROL_TIMEOUT_MS,
    });
    return msg.json<unknown>();
  };
  // An answered call lasts minutes: it is still up a moment later.
  expect(await ask()).toEqual({ ok: true });
  const end = await vi.waitFor(() => {
    const record = bus.events.find(
      (e) => e.record.id === target.id && e.record.phase === 'ended',
    )?.record;
    expect(record).toBeDefined();
    return record?.end;
  });
  expect(end).toEqual({ reason: 'terminated', by: 'op-bob' });
  await expect
    .poll(async () => (await bus.cdrs()).find((c) => c.msgId === target.id)?.record.end, {
      timeout: 10_000,
    })
    .toEqual({ reason: 'terminated', by: 'op-bob' });
  expect(await ask()).toMatchObject({ ok: false, error: { code: 'not_found' } });
}, 30_000);

it('a restarted simulator bridge reaps the calls its predecessor left up, one CDR each', async () => {
  await expect
    .poll(() => bus.events.filter((e) => e.record.phase === 'answered').length, { timeout: 10_000 })
    .toBeGreaterThan(0);
  await bridge.close();
  // What the first run left up: published, not ended.
  const ended = new Set(
    bus.events.filter((e) => e.record.phase === 'ended').map((e) => e.record.id),
  );
  const leftUp = new Set(bus.events.map((e) => e.record.id).filter((id) => !ended.has(id)));
  expect(leftUp.size).toBeGreaterThan(0);
  expect(bridge.report().state.pending).toBe(0);

  bridge = await startBridge(
    parseConfig({
      NATS_URL: nats.url,
      SOURCE_ID: 'sim-it',
      PBX: 'simulator',
      SIM_CPS: '1',
      SYNC_INTERVAL_MS: '60000',
      HEALTH_PORT: '0',
    }),
    pino({ level: 'silent' }),
    { defaultMetrics: false },
  );
  expect(bridge.report().state.restored).toBe(leftUp.size);
  const reapedIds = () =>
    bus.events
      .filter((e) => e.record.phase === 'ended' && e.record.end?.reason === 'reaped')
      .map((e) => e.record.id);
  await expect.poll(() => reapedIds().sort(), { timeout: 5000 }).toEqual([...leftUp].sort());
  await expect
    .poll(
      async () => {
        const cdrIds = (await bus.cdrs()).map((c) => c.msgId);
        return [...leftUp].filter((id) => cdrIds.filter((c) => c === id).length === 1).length;
      },
      { timeout: 10_000 },
    )
    .toBe(leftUp.size);
}, 30_000);

it('reports the simulator as a connected PBX in its metrics, as /healthz does', async () => {
  const text = await bridge.metrics.registry.metrics();
  expect(text).toMatch(/^bridge_pbx_connected 1$/m);
});
