// Publishing while NATS is away, against a real nats-server that is stopped and started: the
// bridge holds call events up to NATS_BUFFER_BYTES, drops and counts the rest, and sends
// what it held, in order, once it is back. A JetStream stream on call.events.> records what
// reached the server, whatever the timing of the reconnects. A stand-in Kamailio (a TCP
// evapi socket, a dlg.list that fails) feeds the events.
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { CallRecord } from '@live-calls/protocol';
import { startNats, type NatsService } from '@live-calls/test-services';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBridge, type Bridge } from './bridge.js';
import { parseConfig } from './config.js';
import { BridgeMetrics } from './metrics.js';
import { NatsPublisher } from './nats-publisher.js';
import { encodeNetstring } from './netstring.js';
import { metricValue } from './testing/metric-value.js';

const SOURCE = 'pbx-buffer';
const EVENTS = 'TEST_EVENTS';
const BUFFER_BYTES = 4000;

let nats: NatsService;
let evapi: Server;
let rpc: HttpServer;
let pbx: Socket | undefined;
let bridge: Bridge;

function setupFrame(n: number): Uint8Array {
  return encodeNetstring(
    JSON.stringify({
      event: 'setup',
      call_id: `held-${n}@x`,
      ts: 1795361031.5 + n / 1000,
      from_user: '+15550001',
      to_user: `+4930${n}`,
      company: 'acme',
    }),
  );
}

async function streamed(): Promise<CallRecord[]> {
  const jsm = await jetstreamManager(bridge.nats);
  const info = await jsm.streams.info(EVENTS);
  const out: CallRecord[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(EVENTS, { seq });
    if (msg) out.push(msg.json<CallRecord>());
  }
  return out;
}

beforeAll(async () => {
  nats = await startNats({ jetstream: true });
  const setup = await connect({ servers: nats.url });
  await (await jetstreamManager(setup)).streams.add({ name: EVENTS, subjects: ['call.events.>'] });
  await setup.close();
  evapi = createServer((socket) => {
    pbx = socket;
  });
  evapi.listen(0, '127.0.0.1');
  rpc = createHttpServer((_req, res) => res.writeHead(503).end());
  rpc.listen(0, '127.0.0.1');
  await Promise.all([once(evapi, 'listening'), once(rpc, 'listening')]);
  bridge = await startBridge(
    parseConfig({
      NATS_URL: nats.url,
      SOURCE_ID: SOURCE,
      KAMAILIO_EVAPI: `127.0.0.1:${(evapi.address() as AddressInfo).port}`,
      KAMAILIO_RPC_URL: `http://127.0.0.1:${(rpc.address() as AddressInfo).port}/RPC`,
      SYNC_INTERVAL_MS: '600000',
      HEALTH_PORT: '0',
      NATS_BUFFER_BYTES: String(BUFFER_BYTES),
      STATE_LOAD_TIMEOUT_MS: '2000',
    }),
    pino({ level: 'silent' }),
    { defaultMetrics: false },
  );
  await vi.waitFor(() => expect(pbx !== undefined && bridge.report().pbx.connected).toBe(true));
}, 30_000);

afterAll(async () => {
  await bridge?.close();
  pbx?.destroy();
  evapi?.close();
  rpc?.close();
  await nats?.close();
}, 30_000);

describe('while NATS is away', () => {
  it('holds call events up to the byte bound, drops and counts the rest, sends the held ones in order when back', async () => {
    const metrics = bridge.metrics;
    pbx?.write(setupFrame(0));
    await expect.poll(() => metricValue(metrics.published, { phase: 'setup' })).toBe(1);

    await nats.stop();
    await expect.poll(() => bridge.report().nats.connected).toBe(false);
    const calls = 30;
    for (let n = 1; n <= calls; n++) pbx?.write(setupFrame(n));
    await expect
      .poll(
        async () =>
          (await metricValue(metrics.publishBuffered)) +
          (await metricValue(metrics.publishDropped, { kind: 'event', reason: 'buffer_full' })),
      )
      .toBe(calls);
    const held = await metricValue(metrics.publishHeld);
    const dropped = await metricValue(metrics.publishDropped, {
      kind: 'event',
      reason: 'buffer_full',
    });
    expect(held).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(held).toBeLessThan(BUFFER_BYTES / 200); // records are a few hundred bytes

    await nats.start();
    await expect.poll(() => bridge.report().nats.connected, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => metricValue(metrics.publishHeld)).toBe(0);
    await expect.poll(async () => (await streamed()).length, { timeout: 10_000 }).toBe(1 + held);
    // The first `held` events of the outage, in order, after the one sent before it.
    expect((await streamed()).map((r) => r.call_id)).toEqual(
      Array.from({ length: 1 + held }, (_, n) => `held-${n}@x`),
    );
    expect(await metricValue(metrics.published, { phase: 'setup' })).toBe(1 + held);
  }, 30_000);
});

describe('NatsPublisher', () => {
  it('never throws on a closed connection: the record is counted as dropped', async () => {
    const nc = await connect({ servers: nats.url });
    const metrics = new BridgeMetrics({ defaultMetrics: false });
    const publisher = new NatsPublisher(nc, SOURCE, 1000, metrics);
    await nc.close();
    const record = (await streamed())[0] as CallRecord;
    expect(publisher.publishRecord(record)).toBe(false);
    expect(publisher.publishSync([record], Date.now()).parts).toBe(0);
    expect(await metricValue(metrics.publishDropped, { kind: 'event', reason: 'closed' })).toBe(1);
    expect(await metricValue(metrics.publishDropped, { kind: 'sync', reason: 'closed' })).toBe(1);
  });
});
