// Bad input on the evapi socket, from a stand-in Kamailio (a TCP server writing raw bytes
// and an HTTP server answering dlg.list): skipped and counted, never fatal; lost framing
// means reconnect and resync.
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { CallRecord } from '@live-calls/protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KamailioSource } from './kamailio-source.js';
import { BridgeMetrics } from './metrics.js';
import { encodeNetstring } from './netstring.js';
import { SeqClock } from './seq-clock.js';

const setup = (callId: string) =>
  JSON.stringify({
    event: 'setup',
    call_id: callId,
    ts: 1795361031.5,
    from_user: '100',
    to_user: '200',
  });

let evapi: Server;
let rpc: HttpServer;
let sockets: Socket[];
let rpcCalls: number;
let source: KamailioSource | undefined;
let records: CallRecord[];
let syncs: CallRecord[][];
let metrics: BridgeMetrics;

beforeEach(async () => {
  sockets = [];
  rpcCalls = 0;
  records = [];
  syncs = [];
  metrics = new BridgeMetrics({ defaultMetrics: false });
  evapi = createServer((socket) => sockets.push(socket));
  evapi.listen(0, '127.0.0.1');
  rpc = createHttpServer((_req, res) => {
    rpcCalls++;
    res.end(JSON.stringify({ jsonrpc: '2.0', result: [], id: 1 }));
  });
  rpc.listen(0, '127.0.0.1');
  await Promise.all([once(evapi, 'listening'), once(rpc, 'listening')]);
  source = new KamailioSource(
    {
      source: 'pbx-x',
      evapi: { host: '127.0.0.1', port: (evapi.address() as AddressInfo).port },
      rpcUrl: `http://127.0.0.1:${(rpc.address() as AddressInfo).port}/RPC`,
      rpcTimeoutMs: 2000,
      syncIntervalMs: 60_000,
      maxFrameBytes: 1024,
      reconnectMaxMs: 200,
      seq: new SeqClock(),
    },
    { record: (r) => records.push(r), sync: (active) => syncs.push([...active]) },
    metrics,
    pino({ level: 'silent' }),
  );
  source.start();
  await vi.waitFor(
    () => {
      expect(sockets).toHaveLength(1); // connected
      expect(syncs).toHaveLength(1); // and synced
    },
    { timeout: 5000 },
  );
});

afterEach(async () => {
  await source?.close();
  for (const s of sockets) s.destroy();
  await new Promise((r) => evapi.close(r));
  rpc.closeAllConnections();
  await new Promise((r) => rpc.close(r));
});

async function counter(name: string): Promise<string> {
  const text = await metrics.registry.metrics();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('\n');
}

describe('KamailioSource with bad evapi input', () => {
  it('skips and counts bad JSON, unknown events and fields, oversized frames; keeps the stream', async () => {
    const socket = sockets[0] as Socket;
    socket.write(encodeNetstring('{not json'));
    socket.write(encodeNetstring(JSON.stringify({ event: 'transfer', call_id: 'x', ts: 1 })));
    socket.write(encodeNetstring(JSON.stringify({ event: 'setup', call_id: 'x', ts: 1, zz: 1 })));
    socket.write(encodeNetstring(JSON.stringify({ event: 'setup', call_id: '', ts: 1 })));
    socket.write(encodeNetstring(`{"pad":"${'x'.repeat(5000)}"}`));
    socket.write(encodeNetstring(setup('good@x')));
    // The good event after the bad ones.
    await expect.poll(() => records.length, { timeout: 3000 }).toBe(1);
    expect(records[0]).toMatchObject({ call_id: 'good@x', phase: 'setup', source: 'pbx-x' });
    const rejected = await counter('bridge_evapi_rejected_total');
    expect(rejected).toContain('reason="bad_json"} 1');
    expect(rejected).toContain('reason="unknown_event"} 1');
    expect(rejected).toContain('reason="unknown_field"} 1');
    expect(rejected).toContain('reason="bad_field"} 1');
    expect(rejected).toContain('reason="oversized"} 1');
    expect(sockets).toHaveLength(1);
    expect(source?.health().connected).toBe(true);
  });

  it('reconnects and resyncs when framing is lost', async () => {
    const socket = sockets[0] as Socket;
    socket.write(encodeNetstring(setup('before@x')));
    socket.write('12x:garbage,');
    await expect.poll(() => sockets.length, { timeout: 5000 }).toBe(2); // reconnected
    await expect.poll(() => syncs.length, { timeout: 5000 }).toBe(2); // and resynced
    expect(rpcCalls).toBe(2);
    expect(await counter('bridge_evapi_framing_lost_total')).toContain('reason="bad_length"} 1');
    // The PBX's list is empty: the call the bridge knew is reaped by the resync.
    const reaped = records.find((r) => r.call_id === 'before@x' && r.phase === 'ended');
    expect(reaped?.end?.reason).toBe('reaped');
    (sockets[1] as Socket).write(encodeNetstring(setup('after@x')));
    await expect // events flow again
      .poll(() => records.map((r) => r.call_id), { timeout: 3000 })
      .toContain('after@x');
  });

  it('reconnects with backoff while the PBX is away', async () => {
    (sockets[0] as Socket).destroy();
    await expect.poll(() => source?.health().connected, { timeout: 3000 }).toBe(false);
    await expect.poll(() => sockets.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => source?.health().connected, { timeout: 3000 }).toBe(true);
    await expect.poll(() => syncs.length, { timeout: 3000 }).toBeGreaterThanOrEqual(2);
  });
});
