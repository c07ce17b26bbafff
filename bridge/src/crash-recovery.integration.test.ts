// A bridge process killed with SIGKILL beside a real Kamailio, and started again: the calls it
// had published come back from the state bucket, so the call whose BYE fell into the
// downtime gets exactly one CDR (reaped), and the call that stayed up keeps its record
// exactly and is not announced again.
//
// Runs bridge/dist/main.js as its own process: needs `pnpm build` first (CI builds before it
// tests).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CallRecord } from '@live-calls/protocol';
import {
  startNats,
  startNodeService,
  type ManagedService,
  type NatsService,
} from '@live-calls/test-services';
import { Kvm, type KV } from '@nats-io/kv';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { STATE_BUCKET, stateKey } from './state-key.js';
import { BusRecorder } from './testing/bus-recorder.js';
import { KamailioProcess } from './testing/kamailio.js';
import { OutgoingCall, SipPhone } from './testing/sip-ua.js';

const BRIDGE = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SOURCE = 'pbx-crash';

let nats: NatsService;
let kamailio: KamailioProcess;
let caller: SipPhone;
let callee: SipPhone;
let bus: BusRecorder;
let bridge: ManagedService;
let kv: KV;

async function placeAnswered(toUser: string): Promise<OutgoingCall> {
  const c = new OutgoingCall(caller, {
    proxyPort: kamailio.sipPort,
    calleePort: callee.port,
    fromUser: '+15550001',
    fromDisplay: 'Alice',
    toUser,
    headers: { 'X-Company': 'acme', 'X-Trunk': 'carrier-a' },
  });
  c.invite();
  await c.response((s) => s === 200);
  return c;
}

/** The record the state bucket holds for a call, if any. */
async function stored(callId: string): Promise<CallRecord | undefined> {
  const entry = await kv.get(stateKey(SOURCE, callId));
  return entry === null || entry.operation !== 'PUT' ? undefined : entry.json<CallRecord>();
}

beforeAll(async () => {
  if (!existsSync(BRIDGE)) throw new Error(`${BRIDGE} is missing: run pnpm build first`);
  nats = await startNats({ jetstream: true });
  kamailio = await KamailioProcess.start();
  caller = await SipPhone.open();
  callee = await SipPhone.open();
  callee.behaviour = () => ({ kind: 'answer', ringMs: 30 });
  bus = await BusRecorder.open(nats.url);
  bridge = await startNodeService({
    name: 'bridge',
    entry: BRIDGE,
    readyPath: '/readyz',
    env: (port) => ({
      PATH: process.env.PATH ?? '',
      NATS_URL: nats.url,
      SOURCE_ID: SOURCE,
      PBX: 'kamailio',
      KAMAILIO_EVAPI: kamailio.evapi,
      KAMAILIO_RPC_URL: kamailio.rpcUrl,
      // Only the (re)connect syncs: the restart's first sync must be the one that repairs.
      SYNC_INTERVAL_MS: '600000',
      RECONNECT_MAX_MS: '300',
      HEALTH_PORT: String(port),
      LOG_LEVEL: 'warn',
    }),
  });
  kv = await new Kvm(bus.nc).open(STATE_BUCKET);
}, 40_000);

afterAll(async () => {
  await bridge?.close();
  await bus?.close();
  caller?.close();
  callee?.close();
  await kamailio?.close();
  await nats?.close();
}, 30_000);

it('after kill -9 and a restart: a BYE missed in the downtime gets one reaped CDR, a call still up keeps its record', async () => {
  const ends = await placeAnswered('ends-in-downtime');
  const stays = await placeAnswered('stays-up');
  for (const c of [ends, stays]) {
    await expect
      .poll(() => bus.of(c.callId).map((r) => r.phase), { timeout: 5000 })
      .toEqual(['setup', 'ringing', 'answered']);
    // The write to the bucket trails the publish by milliseconds; the test is about what
    // a restart does with it, so it waits for it.
    await expect
      .poll(async () => (await stored(c.callId))?.phase, { timeout: 5000 })
      .toBe('answered');
  }
  const before = bus.of(stays.callId).at(-1) as CallRecord;
  expect(Object.keys(before.sip ?? {})).toEqual(
    expect.arrayContaining(['from_tag', 'to_tag', 'src', 'ruri']),
  );
  expect(await stored(stays.callId)).toEqual(before);

  await bridge.kill();
  await ends.bye(); // Kamailio's evapi event about it goes nowhere: no bridge is connected.
  const syncsBefore = bus.completeSyncs().length;
  const eventsBefore = bus.events.length;
  await bridge.start();
  await expect
    .poll(() => bus.completeSyncs().length, { timeout: 10_000 })
    .toBeGreaterThan(syncsBefore);

  // The call that ended while no bridge ran: ended by the new process as reaped, one CDR.
  const reaped = await vi.waitFor(
    () => {
      const record = bus.of(ends.callId).find((r) => r.phase === 'ended');
      expect(record).toBeDefined();
      return record as CallRecord;
    },
    { timeout: 5000 },
  );
  expect(reaped.end).toEqual({ reason: 'reaped' });
  const endsBefore = bus.of(ends.callId).find((r) => r.phase === 'answered') as CallRecord;
  expect(reaped.created_at).toBe(endsBefore.created_at);
  expect(reaped.answered_at).toBe(endsBefore.answered_at);
  expect(reaped.sip).toEqual(endsBefore.sip);
  const cdrsOf = async (callId: string) =>
    (await bus.cdrs()).filter((c) => c.record.call_id === callId);
  await expect.poll(async () => (await cdrsOf(ends.callId)).length, { timeout: 10_000 }).toBe(1);
  const [cdr] = await cdrsOf(ends.callId);
  expect(cdr?.msgId).toBe(`${SOURCE}:${ends.callId}`);
  expect(cdr?.record).toEqual(reaped);
  // Its CDR stored, the bucket forgets it.
  await expect.poll(() => stored(ends.callId), { timeout: 5000 }).toBeUndefined();

  // The call still up: listed in the new process's sync exactly as published before the
  // crash (created_at, answered_at, sip, seq), and no phase of it announced again.
  const sync = bus.completeSyncs().at(-1);
  expect(sync?.calls.find((r) => r.call_id === stays.callId)).toEqual(before);
  const since = bus.events.slice(eventsBefore).map((e) => e.record);
  expect(since.filter((r) => r.call_id === stays.callId)).toEqual([]);
  expect(await stored(stays.callId)).toEqual(before);

  // And it goes on normally: its BYE ends it with the kept timestamps and one CDR.
  await stays.bye();
  await expect
    .poll(() => bus.of(stays.callId).map((r) => r.phase), { timeout: 5000 })
    .toEqual(['setup', 'ringing', 'answered', 'ended']);
  const ended = bus.of(stays.callId).at(-1) as CallRecord;
  expect(ended).toMatchObject({
    end: { reason: 'bye' },
    created_at: before.created_at,
    answered_at: before.answered_at,
  });
  expect(ended.seq).toBeGreaterThan(before.seq);
  await expect.poll(async () => (await cdrsOf(stays.callId)).length, { timeout: 10_000 }).toBe(1);
  await expect.poll(() => stored(stays.callId), { timeout: 5000 }).toBeUndefined();
  const ids = (await bus.cdrs()).map((c) => c.msgId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(bus.invalid).toEqual([]);
}, 60_000);
