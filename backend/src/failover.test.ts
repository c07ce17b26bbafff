// A Redis failover that loses acknowledged writes, with master and replica behind one address
// (a virtual IP or a TCP proxy in front of Sentinel-managed Redis): the promoted replica's
// seq_g goes back, and without a new epoch it would hand out ids already delivered for other
// events. Against real redis-server and nats-server processes.
import type { CallRecord, SnapshotPayload } from '@live-calls/protocol';
import {
  startNats,
  startRedis,
  type NatsService,
  type RedisService,
} from '@live-calls/test-services';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall, subjectOf } from './testing/call-factory.js';
import { LiveView } from './testing/live-view.js';
import { SseClient } from './testing/sse-client.js';
import { TcpProxy } from './testing/tcp-proxy.js';
import { ADMIN_AUTH, get, startBackend, type TestBackend } from './testing/test-stack.js';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

async function snapshotOf(url: string): Promise<SnapshotPayload> {
  return (await (await get(`${url}/api/v1/live/calls/snapshot`)).json()) as SnapshotPayload;
}

describe('Redis failover that loses writes', () => {
  it('starts a new epoch: streams resync, no id names two events, every view equals the store', async () => {
    const [master, replica, nats]: [RedisService, RedisService, NatsService] = await Promise.all([
      startRedis(),
      startRedis(),
      startNats({ jetstream: false }),
    ]);
    cleanup.push(
      () => master.close(),
      () => replica.close(),
      () => nats.close(),
    );
    const admin = (port: number) => {
      const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined); // the master is killed under it on purpose
      cleanup.push(() => Promise.resolve(redis.disconnect()));
      return redis;
    };
    const onReplica = admin(replica.port);
    await onReplica.replicaof('127.0.0.1', master.port);
    const proxy = await TcpProxy.start(master.port);
    cleanup.push(() => proxy.close());
    const backend: TestBackend = await startBackend({ REDIS_URL: proxy.url, NATS_URL: nats.url });
    cleanup.push(() => backend.close());
    const publisher: NatsConnection = await connect({ servers: nats.url });
    cleanup.push(() => publisher.close());
    const publish = async (calls: TestCall[]): Promise<CallRecord[]> => {
      const records = calls.map((call) => call.next('setup'));
      for (const record of records) publisher.publish(subjectOf(record), JSON.stringify(record));
      await publisher.flush();
      return records;
    };
    const watcher = new SseClient(backend.url, ADMIN_AUTH);
    cleanup.push(() => Promise.resolve(watcher.close()));
    await watcher.connect();
    await watcher.waitForEvents('snapshot', 1);

    const kept = await publish(Array.from({ length: 50 }, () => new TestCall()));
    await watcher.waitForEvents('call.setup', 50);
    // The replica has everything so far; then it stalls and loses its link.
    const onMaster = admin(master.port);
    const offset = async (redis: Redis) =>
      Number(/master_repl_offset:(\d+)/.exec(await redis.info('replication'))?.[1]);
    await expect
      .poll(
        async () =>
          (await offset(onReplica)) > 0 && (await offset(onReplica)) === (await offset(onMaster)),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await replica.pause();
    await onMaster.call('CLIENT', 'KILL', 'TYPE', 'replica');
    const lost = await publish(Array.from({ length: 50 }, () => new TestCall()));
    await watcher.waitForEvents('call.setup', 100);
    // Lost means acknowledged by the master and never replicated. A write whose answer had
    // not reached the backend when the master died is sent again to the promoted replica
    // (ioredis resends unanswered commands on reconnect) and so comes back: wait for the
    // backend to have the master's answer for all 100 first.
    await expect
      .poll(async () => {
        const metrics = await (await get(`${backend.url}/metrics`)).text();
        return Number(/live_events_applied_total\{outcome="created"\} (\d+)/.exec(metrics)?.[1]);
      })
      .toBe(100);
    const epochBefore = watcher.lastEventId!.split(':')[0];

    // The master dies; the stale replica is promoted behind the same address.
    await master.kill();
    await replica.resume();
    await onReplica.replicaof('NO', 'ONE');
    proxy.switchTo(replica.port);
    const fresh = await publish(Array.from({ length: 50 }, () => new TestCall()));

    const resync = await watcher.waitForEvents(
      (e) => e.event === 'snapshot' && e.data.includes('"epoch_changed"'),
      1,
      0,
      20_000,
    );
    expect(resync[0]!.id!.split(':')[0]).not.toBe(epochBefore);
    const truth = await snapshotOf(backend.url);
    const ids = new Set(truth.calls.map((call) => call.id));
    // The store kept what was replicated and took what came after; the lost calls are gone
    // (a bridge's next sync brings back those still up).
    expect(kept.every((r) => ids.has(r.id))).toBe(true);
    await expect
      .poll(async () => {
        const now = new Set((await snapshotOf(backend.url)).calls.map((c) => c.id));
        return fresh.filter((r) => !now.has(r.id)).length;
      })
      .toBe(0);
    expect(lost.some((r) => ids.has(r.id))).toBe(false);

    // The stream converges on the store, and no id was ever used for two events.
    const settled = await snapshotOf(backend.url);
    await watcher.waitFor(
      () => {
        const view = new LiveView();
        view.applyAll(watcher.events);
        return view.matches(settled.calls);
      },
      10_000,
      'the stream to equal the store',
    );
    const byId = new Map<string, string>();
    for (const event of watcher.events) {
      if (event.id === undefined || event.event === 'snapshot') continue;
      const seen = byId.get(event.id);
      expect(seen === undefined || seen === event.data, `id ${event.id} named two events`).toBe(
        true,
      );
      byId.set(event.id, event.data);
    }
    const late = new SseClient(backend.url, ADMIN_AUTH);
    cleanup.push(() => Promise.resolve(late.close()));
    await late.connect();
    const [first] = await late.waitForEvents('snapshot', 1);
    const lateView = new LiveView();
    lateView.applyAll([first!]);
    expect(lateView.matches(settled.calls)).toBe(true);
  }, 60_000);
});
