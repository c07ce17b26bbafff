// The state bucket against a real nats-server with JetStream: what one bridge process wrote,
// the next one reads back; removals leave nothing behind; writes survive a NATS outage and
// stay bounded.
import { SCHEMA_VERSION, type CallRecord, type Phase } from '@live-calls/protocol';
import { startNats, type NatsService } from '@live-calls/test-services';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallStateStore, type CallStateStoreOptions } from './call-state-store.js';
import { BridgeMetrics } from './metrics.js';
import { STATE_BUCKET, stateKey } from './state-key.js';
import { metricValue } from './testing/metric-value.js';

const STREAM = `KV_${STATE_BUCKET}`;
const silent = pino({ level: 'silent' });

let nats: NatsService;
const connections: NatsConnection[] = [];
const stores: CallStateStore[] = [];
let sourceNo = 0;

function record(source: string, callId: string, phase: Phase, seq = 1): CallRecord {
  return {
    v: SCHEMA_VERSION,
    id: `${source}:${callId}`,
    source,
    call_id: callId,
    seq,
    phase,
    ts: 1_795_360_430_123 + seq,
    company_id: 'acme',
    direction: 'inbound',
    from: { user: '+15550001', display: 'Alice' },
    to: { user: 'bob' },
    trunk: 'carrier-a',
    created_at: 1_795_360_429_321,
    answered_at: phase === 'answered' || phase === 'ended' ? 1_795_360_430_123 : null,
    ended_at: phase === 'ended' ? 1_795_360_440_000 : null,
    ...(phase === 'ended' ? { end: { reason: 'bye' as const } } : {}),
    sip: { from_tag: 'f1', to_tag: 't1' },
  };
}

async function connection(url = nats.url): Promise<NatsConnection> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  connections.push(nc);
  return nc;
}

async function store(
  source: string,
  opts: Partial<CallStateStoreOptions> = {},
  nc?: NatsConnection,
): Promise<{ store: CallStateStore; metrics: BridgeMetrics }> {
  const metrics = new BridgeMetrics({ defaultMetrics: false });
  const s = new CallStateStore(
    nc ?? (await connection()),
    source,
    { replicas: 1, bufferMax: 1000, timeoutMs: 1000, retryMinMs: 50, retryMaxMs: 200, ...opts },
    metrics,
    silent,
  );
  stores.push(s);
  return { store: s, metrics };
}

/** A source name of its own for each test: they share one bucket. */
function freshSource(prefix = 'pbx'): string {
  return `${prefix}-${++sourceNo}`;
}

async function messagesOf(nc: NatsConnection, key: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(STREAM, { subjects_filter: `$KV.${STATE_BUCKET}.${key}` });
  return info.state.subjects?.[`$KV.${STATE_BUCKET}.${key}`] ?? 0;
}

beforeAll(async () => {
  nats = await startNats({ jetstream: true });
}, 20_000);

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await nats?.close();
});

describe('CallStateStore', () => {
  it('creates the bucket with history 1 and reads back the latest record of each call', async () => {
    const source = freshSource();
    const first = await store(source);
    expect(await first.store.load(5000)).toEqual([]);
    const jsm = await jetstreamManager(await connection());
    const info = await jsm.streams.info(STREAM);
    expect(info.config.max_msgs_per_subject).toBe(1);
    expect(info.config.num_replicas).toBe(1);

    first.store.save(record(source, 'a@x', 'setup', 1));
    first.store.save(record(source, 'a@x', 'ringing', 2));
    first.store.save(record(source, 'a@x', 'answered', 3));
    first.store.save(record(source, 'b@x', 'setup', 4));
    expect(await first.store.flush(5000)).toBe(true);

    // The next process of the same source.
    const second = await store(source);
    const restored = await second.store.load(5000);
    expect(restored?.sort((x, y) => x.seq - y.seq)).toEqual([
      record(source, 'a@x', 'answered', 3),
      record(source, 'b@x', 'setup', 4),
    ]);
    expect(await metricValue(second.metrics.stateRestored, { kind: 'active' })).toBe(2);
    expect(await metricValue(second.metrics.stateLoads, { result: 'ok' })).toBe(1);
  });

  it('keeps sources apart, also when one name is another plus a dot', async () => {
    const base = freshSource('pbx');
    const dotted = `${base}.1`;
    const a = await store(base);
    const b = await store(dotted);
    a.store.save(record(base, 'same@x', 'setup'));
    b.store.save(record(dotted, 'same@x', 'answered'));
    expect(await a.store.flush(5000)).toBe(true);
    expect(await b.store.flush(5000)).toBe(true);
    expect((await (await store(base)).store.load(5000))?.map((r) => r.source)).toEqual([base]);
    expect((await (await store(dotted)).store.load(5000))?.map((r) => r.source)).toEqual([dotted]);
  });

  it('a removed call leaves nothing in the bucket, not even a delete marker', async () => {
    const source = freshSource();
    const nc = await connection();
    const { store: s, metrics } = await store(source, {}, nc);
    const call = record(source, 'gone@x', 'answered');
    s.save(call);
    expect(await s.flush(5000)).toBe(true);
    expect(await messagesOf(nc, stateKey(source, call.call_id))).toBe(1);
    s.save({ ...call, phase: 'ended', seq: 2, ended_at: call.ts, end: { reason: 'bye' } });
    s.remove(call);
    expect(await s.flush(5000)).toBe(true);
    expect(await messagesOf(nc, stateKey(source, call.call_id))).toBe(0);
    expect(await (await store(source)).store.load(5000)).toEqual([]);
    expect(await metricValue(metrics.stateWrites, { op: 'delete', result: 'ok' })).toBe(1);
  });

  it('writes nothing for a call removed before any of its writes went out', async () => {
    const source = freshSource();
    const { store: s, metrics } = await store(source, { concurrency: 1 });
    s.save(record(source, 'first@x', 'setup'));
    // `first@x` is in flight; these wait behind it, and the short call is removed meanwhile.
    s.save(record(source, 'short@x', 'setup'));
    s.save(record(source, 'short@x', 'ended', 2));
    s.remove(record(source, 'short@x', 'ended', 2));
    expect(await s.flush(5000)).toBe(true);
    expect(await metricValue(metrics.stateWrites, { op: 'put', result: 'ok' })).toBe(1);
    expect(await metricValue(metrics.stateWrites, { op: 'delete' })).toBe(0);
    expect(await metricValue(metrics.stateSkipped)).toBe(2);
  });

  it('skips and purges entries that are not this source’s valid records', async () => {
    const source = freshSource();
    const nc = await connection();
    const kv = await new Kvm(nc).open(STATE_BUCKET);
    const badKey = stateKey(source, 'bad@x');
    const mismatched = stateKey(source, 'other@x');
    await kv.put(badKey, '{"not":"a record"}');
    await kv.put(mismatched, JSON.stringify(record(source, 'wrong-key@x', 'setup')));
    await kv.put(stateKey(source, 'good@x'), JSON.stringify(record(source, 'good@x', 'setup')));
    const { store: s, metrics } = await store(source, {}, nc);
    expect((await s.load(5000))?.map((r) => r.call_id)).toEqual(['good@x']);
    expect(await metricValue(metrics.stateRestored, { kind: 'invalid' })).toBe(2);
    expect(await s.flush(5000)).toBe(true);
    expect(await messagesOf(nc, badKey)).toBe(0);
    expect(await messagesOf(nc, mismatched)).toBe(0);
  });

  it('holds writes while NATS is down, bounded, and writes them once it is back', async () => {
    const own = await startNats({ jetstream: true });
    try {
      const source = freshSource();
      const nc = await connection(own.url);
      const { store: s, metrics } = await store(source, { bufferMax: 2 }, nc);
      expect(await s.load(5000)).toEqual([]);
      await own.stop();
      s.save(record(source, 'a@x', 'setup', 1));
      s.save(record(source, 'b@x', 'setup', 2));
      s.save(record(source, 'c@x', 'setup', 3)); // over the bound: dropped
      s.save(record(source, 'a@x', 'answered', 4)); // replaces the waiting write of a@x
      expect(s.pending).toBeLessThanOrEqual(2);
      expect(await metricValue(metrics.stateDropped, { op: 'put' })).toBe(1);
      await expect
        .poll(() => metricValue(metrics.stateWrites, { op: 'put', result: 'error' }), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      await own.start();
      expect(await s.flush(15_000)).toBe(true);
      const restored = await (await store(source, {}, nc)).store.load(5000);
      expect(restored?.map((r) => [r.call_id, r.phase]).sort()).toEqual([
        ['a@x', 'answered'],
        ['b@x', 'setup'],
      ]);
    } finally {
      await own.close();
    }
  }, 40_000);

  it('gives up loading after its timeout when JetStream is not there', async () => {
    const plain = await startNats({ jetstream: false });
    try {
      const { store: s, metrics } = await store(freshSource(), {}, await connection(plain.url));
      const started = Date.now();
      expect(await s.load(1500)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(6000);
      expect(await metricValue(metrics.stateLoads, { result: 'failed' })).toBe(1);
    } finally {
      await plain.close();
    }
  }, 20_000);

  it('leaves an existing bucket as it is', async () => {
    const own = await startNats({ jetstream: true });
    try {
      const nc = await connection(own.url);
      await new Kvm(nc).create(STATE_BUCKET, { history: 5 });
      const { store: s } = await store(freshSource(), { replicas: 1 }, nc);
      expect(await s.load(5000)).toEqual([]);
      const info = await (await jetstreamManager(nc)).streams.info(STREAM);
      expect(info.config.max_msgs_per_subject).toBe(5);
    } finally {
      await own.close();
    }
  }, 20_000);
});
