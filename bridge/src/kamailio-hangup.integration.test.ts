// An operator's hang-up through a real Kamailio (Debian 5.6, the shipped kamailio.cfg): a
// request on call.control.<source> → dlg.end_dlg → both SIP user agents get a BYE, and the
// bridge announces the end (`terminated`, `by`) itself, with its CDR, exactly once.
import {
  CONTROL_TIMEOUT_MS,
  callControlSubject,
  parseControlReply,
  type ControlReply,
} from '@live-calls/protocol';
import { startNats, type NatsService } from '@live-calls/test-services';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type Bridge } from './bridge.js';
import { parseConfig } from './config.js';
import { BusRecorder } from './testing/bus-recorder.js';
import { KamailioProcess } from './testing/kamailio.js';
import { metricValue } from './testing/metric-value.js';
import { OutgoingCall, SipPhone } from './testing/sip-ua.js';

const SOURCE = 'pbx-hangup';

let nats: NatsService;
let kamailio: KamailioProcess;
let caller: SipPhone;
let callee: SipPhone;
let bus: BusRecorder;
let bridge: Bridge;

function call(toUser: string, ackDelayMs = 0): OutgoingCall {
  const c = new OutgoingCall(caller, {
    proxyPort: kamailio.sipPort,
    calleePort: callee.port,
    fromUser: '+15550002',
    toUser,
    headers: { 'X-Company': 'acme', 'X-Trunk': 'carrier-a' },
    ackDelayMs,
  });
  c.invite();
  return c;
}

async function answered(toUser: string): Promise<OutgoingCall> {
  const c = call(toUser);
  await c.response((s) => s === 200);
  await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('answered');
  return c;
}

function phases(callId: string): string[] {
  return bus.of(callId).map((r) => r.phase);
}

async function hangup(callId: string, fields: Record<string, unknown> = {}): Promise<ControlReply> {
  const request = {
    v: 1,
    action: 'hangup',
    id: `${SOURCE}:${callId}`,
    call_id: callId,
    request_id: `req-${callId}`,
    by: 'op-alice',
    ...fields,
  };
  const msg = await bus.nc.request(callControlSubject(SOURCE), JSON.stringify(request), {
    timeout: CONTROL_TIMEOUT_MS,
  });
  const reply = parseControlReply(msg.string());
  if (!reply.ok) throw new Error(reply.message);
  return reply.value;
}

function isBye(callId: string) {
  return (m: { method?: string; raw: string }) => m.method === 'BYE' && m.raw.includes(callId);
}

beforeAll(async () => {
  nats = await startNats();
  kamailio = await KamailioProcess.start();
  caller = await SipPhone.open();
  callee = await SipPhone.open();
  // Kamailio 5.6's dlg.end_dlg sends the caller's BYE, then the callee's; if the caller's 200
  // is handled in between (another worker), the dialog is deleted and the callee's BYE never
  // goes out ("terminating non-confirmed dialogs not supported"). A phone on loopback answers
  // in microseconds and a loaded machine stalls the RPC worker: answer as a network would.
  caller.byeReplyDelayMs = 100;
  callee.behaviour = (user) =>
    user.startsWith('ring') ? { kind: 'ring' } : { kind: 'answer', ringMs: 20 };
  bus = await BusRecorder.open(nats.url);
  const config = parseConfig({
    NATS_URL: nats.url,
    SOURCE_ID: SOURCE,
    PBX: 'kamailio',
    KAMAILIO_EVAPI: kamailio.evapi,
    KAMAILIO_RPC_URL: kamailio.rpcUrl,
    SYNC_INTERVAL_MS: '60000',
    HEALTH_PORT: '0',
    RECONNECT_MAX_MS: '300',
  });
  bridge = await startBridge(config, pino({ level: 'silent' }), { defaultMetrics: false });
  await vi.waitFor(() => expect(bridge.report().pbx.connected).toBe(true), { timeout: 10_000 });
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

// A machine busy with other suites slows SIP over loopback: generous per-test bounds.
describe('hang-up through Kamailio', { timeout: 20_000 }, () => {
  it('ends an answered call: both parties get a BYE, call.ended says terminated and by, one CDR', async () => {
    const c = await answered('talking');
    expect(await hangup(c.callId)).toEqual({ ok: true });
    await Promise.all([caller.waitFor(isBye(c.callId)), callee.waitFor(isBye(c.callId))]);

    const ended = await vi.waitFor(() => {
      const found = bus.of(c.callId).find((r) => r.phase === 'ended');
      expect(found).toBeDefined();
      return found;
    });
    expect(ended).toMatchObject({
      id: `${SOURCE}:${c.callId}`,
      company_id: 'acme',
      trunk: 'carrier-a',
      end: { reason: 'terminated', by: 'op-alice' },
    });
    expect(ended?.ended_at).toBeGreaterThanOrEqual(ended?.answered_at ?? Infinity);

    // The CDR says so too.
    await expect.poll(() => bridge.cdr.pending, { timeout: 5000 }).toBe(0);
    const cdrs = await bus.cdrs();
    const cdr = cdrs.filter((x) => x.msgId === `${SOURCE}:${c.callId}`);
    expect(cdr).toHaveLength(1);
    expect(cdr[0]?.record.end).toEqual({ reason: 'terminated', by: 'op-alice' });

    // Whatever Kamailio says afterwards (the BYE's transaction, the next dlg.list) adds
    // nothing: after a sync that no longer lists the call, there is still exactly one end.
    const syncs = bus.completeSyncs().length;
    bridge.source.requestSync('test');
    await expect.poll(() => bus.completeSyncs().length, { timeout: 5000 }).toBeGreaterThan(syncs);
    expect(
      bus
        .completeSyncs()
        .at(-1)
        ?.calls.map((r) => r.call_id),
    ).not.toContain(c.callId);
    expect(phases(c.callId)).toEqual(['setup', 'ringing', 'answered', 'ended']);

    // Asked again: the call is gone.
    expect(await hangup(c.callId)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await metricValue(bridge.metrics.controlRequests, { result: 'ok' })).toBe(1);
  });

  it('hangs up calls one after the other, each within moments (timings printed)', async () => {
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await answered(`row-${i}`);
      const started = performance.now();
      const reply = hangup(c.callId);
      await Promise.all([caller.waitFor(isBye(c.callId)), callee.waitFor(isBye(c.callId))]);
      timings.push(performance.now() - started);
      expect(await reply).toEqual({ ok: true });
      await expect.poll(() => bus.of(c.callId).at(-1)?.end?.reason).toBe('terminated');
    }
    console.info(
      `hang-up request → BYE at both user agents: ${timings.map((ms) => ms.toFixed(1)).join(', ')} ms`,
    );
  });

  it('ends a call answered but not yet ACKed (dialog state 3) on both sides', async () => {
    const c = call('slow-ack', 300);
    await c.response((s) => s === 200);
    await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('answered');
    expect(await hangup(c.callId)).toEqual({ ok: true });
    await Promise.all([caller.waitFor(isBye(c.callId)), callee.waitFor(isBye(c.callId))]);
    expect(bus.of(c.callId).at(-1)?.end).toEqual({ reason: 'terminated', by: 'op-alice' });
  });

  it('answers not_found for an unknown call and bad_request for a request of another source', async () => {
    expect(await hangup('nobody@nowhere')).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await hangup('x@y', { id: 'other:x@y' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await hangup('x@y', { by: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('refuses a ringing call (dlg.end_dlg ends only answered ones); it rings on', async () => {
    const c = call('ring-hangup');
    await c.response((s) => s === 180);
    await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('ringing');
    expect(await hangup(c.callId)).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect(phases(c.callId)).toEqual(['setup', 'ringing']);
    await c.cancel();
    await c.response((s) => s === 487);
    await expect.poll(() => phases(c.callId), { timeout: 5000 }).toContain('ended');
    expect(bus.of(c.callId).at(-1)?.end?.reason).toBe('cancel');
  });

  it('answers pbx_error when Kamailio does not answer, and the call stays up', async () => {
    const c = await answered('pbx-down');
    await kamailio.kill();
    expect(await hangup(c.callId)).toMatchObject({ ok: false, error: { code: 'pbx_error' } });
    expect(phases(c.callId)).not.toContain('ended');
  });
});
