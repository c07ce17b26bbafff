// The bridge against a real Kamailio (Debian 5.6, the shipped infra/kamailio/kamailio.cfg)
// and a real nats-server, with calls driven by a small SIP UA over UDP.
import type { CallRecord } from '@live-calls/protocol';
import { startNats, type NatsService } from '@live-calls/test-services';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type Bridge } from './bridge.js';
import { parseConfig } from './config.js';
import { BusRecorder } from './testing/bus-recorder.js';
import { KamailioProcess } from './testing/kamailio.js';
import { OutgoingCall, SipPhone } from './testing/sip-ua.js';

const DLG_TIMEOUT_S = 2;
const SOURCE = 'pbx-it';

let nats: NatsService;
let kamailio: KamailioProcess;
let caller: SipPhone;
let callee: SipPhone;
let bus: BusRecorder;
let bridge: Bridge | undefined;

async function runBridge(): Promise<Bridge> {
  const config = parseConfig({
    NATS_URL: nats.url,
    SOURCE_ID: SOURCE,
    PBX: 'kamailio',
    KAMAILIO_EVAPI: kamailio.evapi,
    KAMAILIO_RPC_URL: kamailio.rpcUrl,
    SYNC_INTERVAL_MS: '60000',
    HEALTH_PORT: '0',
    RECONNECT_MAX_MS: '300',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  bridge = await startBridge(config, pino({ level: 'silent' }), { defaultMetrics: false });
  return bridge;
}

function call(toUser: string, headers: Record<string, string> = {}): OutgoingCall {
  const c = new OutgoingCall(caller, {
    proxyPort: kamailio.sipPort,
    calleePort: callee.port,
    fromUser: '+15550001',
    fromDisplay: 'Alice "A"',
    toUser,
    headers,
  });
  c.invite();
  return c;
}

async function placeAnswered(toUser: string, headers: Record<string, string> = {}) {
  const c = call(toUser, headers);
  await c.response((s) => s === 200);
  return c;
}

async function connectedAndSynced(b: Bridge, syncsBefore: number): Promise<void> {
  await expect.poll(() => b.report().pbx.connected, { timeout: 10_000 }).toBe(true);
  await expect
    .poll(() => bus.completeSyncs().length, { timeout: 10_000 })
    .toBeGreaterThan(syncsBefore);
}

/** The phases the bus has seen for one call, in order. */
function phases(callId: string): string[] {
  return bus.of(callId).map((r) => r.phase);
}

/** Waits until the bus has the call's ended record; returns all its records. */
function untilEnded(callId: string, timeout = 5000): Promise<CallRecord[]> {
  return vi.waitFor(
    () => {
      const records = bus.of(callId);
      expect(records.map((r) => r.phase)).toContain('ended');
      return records;
    },
    { timeout },
  );
}

async function health(b: Bridge, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${b.healthPort}${path}`);
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  nats = await startNats();
  kamailio = await KamailioProcess.start({ dlgTimeout: DLG_TIMEOUT_S });
  caller = await SipPhone.open();
  callee = await SipPhone.open();
  callee.behaviour = (user) => {
    if (user.startsWith('busy')) return { kind: 'busy' };
    if (user.startsWith('ring')) return { kind: 'ring' };
    return { kind: 'answer', ringMs: 30 };
  };
  bus = await BusRecorder.open(nats.url);
}, 30_000);

afterEach(() => {
  expect(bus.invalid).toEqual([]);
});

afterAll(async () => {
  await bridge?.close();
  await bus?.close();
  caller?.close();
  callee?.close();
  await kamailio?.close();
  await nats?.close();
}, 30_000);

describe('live events from a real Kamailio', () => {
  it('connects, syncs, and reports healthy', async () => {
    const b = await runBridge();
    await connectedAndSynced(b, 0);
    const ready = await health(b, '/readyz');
    expect(ready.status).toBe(200);
    const metrics = await health(b, '/metrics');
    expect(metrics.body).toContain('bridge_syncs_total{result="ok"}');
  });

  it('answered call: setup, ringing, answered, ended by BYE with tenant and trunk', async () => {
    const c = await placeAnswered('bob', { 'X-Company': 'acme', 'X-Trunk': 'carrier-a' });
    await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('answered');
    await c.bye();
    const records = await untilEnded(c.callId);
    expect(records.map((r) => r.phase)).toEqual(['setup', 'ringing', 'answered', 'ended']);
    for (let i = 1; i < records.length; i++) {
      expect(records[i]?.seq).toBeGreaterThan(records[i - 1]?.seq ?? Infinity);
    }
    const ended = records[3];
    expect(ended).toMatchObject({
      id: `${SOURCE}:${c.callId}`,
      source: SOURCE,
      company_id: 'acme',
      trunk: 'carrier-a',
      from: { user: '+15550001', display: 'Alice "A"' },
      to: { user: 'bob' },
      end: { reason: 'bye' },
    });
    expect(ended?.answered_at).toBeGreaterThanOrEqual(ended?.created_at ?? Infinity);
    expect(ended?.ended_at).toBeGreaterThanOrEqual(ended?.answered_at ?? Infinity);
    expect(ended?.sip).toMatchObject({ hangup_by: 'caller' });
  });

  it('busy call: ended failed with 486', async () => {
    const c = call('busy-1', { 'X-Company': 'globex' });
    await c.response((s) => s === 486);
    const records = await untilEnded(c.callId);
    expect(records.map((r) => r.phase)).toEqual(['setup', 'ended']);
    expect(records[1]).toMatchObject({
      company_id: 'globex',
      trunk: null,
      end: { reason: 'failed', sip_code: 486, sip_reason: 'Busy Here' },
      answered_at: null,
    });
  });

  it('cancelled call: ringing, then ended cancel with 487', async () => {
    const c = call('ring-1', { 'X-Trunk': 'carrier-b' });
    await c.response((s) => s === 180);
    await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('ringing');
    await c.cancel();
    await c.response((s) => s === 487);
    const records = await untilEnded(c.callId);
    expect(records.map((r) => r.phase)).toEqual(['setup', 'ringing', 'ended']);
    expect(records[2]).toMatchObject({
      trunk: 'carrier-b',
      company_id: null,
      end: { reason: 'cancel', sip_code: 487 },
    });
  });

  it('call whose BYE never comes: ended by the dialog timeout', async () => {
    const c = await placeAnswered('forever', { 'X-Company': 'acme' });
    const records = await untilEnded(c.callId, (DLG_TIMEOUT_S + 5) * 1000);
    const ended = records.find((r) => r.phase === 'ended');
    expect(ended).toMatchObject({ company_id: 'acme', end: { reason: 'timeout' } });
    // Kamailio hung up both phones.
    await caller.waitFor((m) => m.method === 'BYE' && m.raw.includes(c.callId));
  }, 15_000);

  it('writes exactly one CDR per ended call', async () => {
    const b = bridge as Bridge;
    await expect.poll(() => b.cdr.pending, { timeout: 5000 }).toBe(0); // all acknowledged
    const cdrs = await bus.cdrs();
    const ended = bus.events.filter((e) => e.record.phase === 'ended').map((e) => e.record.id);
    expect(ended.length).toBe(4);
    expect(cdrs.map((c) => c.msgId).sort()).toEqual([...ended].sort());
    for (const cdr of cdrs) expect(cdr.record.phase).toBe('ended');
  });
});

describe('reconciliation', () => {
  it('after a bridge restart, the sync shows the calls placed while it was down', async () => {
    const up = await placeAnswered('up-before', { 'X-Company': 'acme' });
    await expect.poll(() => phases(up.callId), { timeout: 5000 }).toContain('answered');
    await bridge?.close();
    bridge = undefined;
    const seqBefore = Math.max(...bus.events.map((e) => e.record.seq));

    // While the bridge is down: one call ends, one starts and stays, one comes and goes.
    await up.bye();
    const missed = await placeAnswered('missed', { 'X-Company': 'initech', 'X-Trunk': 't9' });
    const brief = await placeAnswered('brief');
    await brief.bye();

    const syncsBefore = bus.completeSyncs().length;
    const b = await runBridge();
    await connectedAndSynced(b, syncsBefore);
    const sync = bus.completeSyncs().at(-1);
    const ids = sync?.calls.map((r) => r.call_id) ?? [];
    expect(ids).toContain(missed.callId);
    expect(ids).not.toContain(up.callId);
    expect(ids).not.toContain(brief.callId);
    expect(sync?.calls.find((r) => r.call_id === missed.callId)).toMatchObject({
      phase: 'answered',
      company_id: 'initech',
      trunk: 't9',
      from: { user: '+15550001' },
      to: { user: 'missed' },
    });
    // The missed call was also published as an event; the new bridge's seqs are above
    // everything the old one issued.
    expect(bus.of(missed.callId)[0]?.seq).toBeGreaterThan(seqBefore);
    await missed.bye();
    const ended = (await untilEnded(missed.callId)).find((r) => r.phase === 'ended');
    expect(ended?.end?.reason).toBe('bye');
  }, 20_000);

  it('Kamailio killed and restarted under the bridge: reconnect, resync, lost calls reaped', async () => {
    const b = bridge as Bridge;
    const lost = await placeAnswered('lost-in-crash');
    await expect.poll(() => phases(lost.callId), { timeout: 5000 }).toContain('answered');
    await kamailio.kill();
    await expect.poll(() => b.report().pbx.connected, { timeout: 5000 }).toBe(false);
    expect((await health(b, '/readyz')).status).toBe(503);

    const syncsBefore = bus.completeSyncs().length;
    await kamailio.start();
    await connectedAndSynced(b, syncsBefore);
    const sync = bus.completeSyncs().at(-1);
    expect(sync?.calls.map((r) => r.call_id)).not.toContain(lost.callId);
    const reaped = (await untilEnded(lost.callId)).find((r) => r.phase === 'ended');
    expect(reaped?.end?.reason).toBe('reaped');

    // And live events flow again.
    const after = await placeAnswered('after-restart');
    await expect.poll(() => phases(after.callId), { timeout: 5000 }).toContain('answered');
    await after.bye();
    await expect.poll(() => phases(after.callId), { timeout: 5000 }).toContain('ended');
  }, 30_000);
});

describe('CDRs across a NATS restart', () => {
  it('a call that ends while NATS is down gets exactly one CDR', async () => {
    const b = bridge as Bridge;
    const c = await placeAnswered('during-outage', { 'X-Company': 'acme' });
    await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('answered');
    await nats.stop();
    await expect.poll(() => b.report().nats.connected, { timeout: 5000 }).toBe(false);
    await c.bye();
    await expect.poll(() => b.cdr.pending, { timeout: 5000 }).toBeGreaterThan(0); // buffered
    await nats.start();
    await expect.poll(() => b.cdr.pending, { timeout: 15_000 }).toBe(0); // acknowledged
    const cdrs = await vi.waitFor(
      async () => {
        const all = await bus.cdrs();
        expect(all.map((x) => x.record.call_id)).toContain(c.callId);
        return all;
      },
      { timeout: 5000 },
    );
    const ids = cdrs.map((x) => x.msgId);
    expect(ids.filter((id) => id === `${SOURCE}:${c.callId}`)).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    const ended = bus.events.filter((e) => e.record.phase === 'ended').map((e) => e.record.id);
    // Every ended call the bus saw has its one CDR (the outage call's core event may be lost).
    for (const id of ended) expect(ids).toContain(id);
  }, 40_000);
});
