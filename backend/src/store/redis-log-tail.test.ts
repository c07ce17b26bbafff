// The log tail against a real Redis, its own connection behind a proxy the test can cut: what
// other writers apply while this instance's tail is cut off must still reach its streams.
import { startRedis, type RedisService } from '@live-calls/test-services';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall } from '../testing/call-factory.js';
import { TcpProxy } from '../testing/tcp-proxy.js';
import type { LogBatch } from './live-store.js';
import { defineStoreCommands } from './redis-commands.js';
import { RedisLogTail } from './redis-log-tail.js';
import { RedisStore } from './redis-store.js';

const log = pino({ level: 'silent' });
let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

/**
 * A store writing directly, and a tail reading over a proxy the test can cut. No retry of a
 * command across a reconnect: the blocked read fails at the cut, as it does when a connection
 * stays away longer than the product's one retry.
 */
async function tailBehindProxy(historyEvents: number) {
  const redis: RedisService = await startRedis();
  cleanup.push(() => redis.close());
  const store = new RedisStore({ target: { kind: 'url', url: redis.url }, historyEvents, log });
  cleanup.push(() => store.close());
  const proxy = await TcpProxy.start(redis.port);
  cleanup.push(() => proxy.close());
  const connection = new Redis(proxy.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  connection.on('error', () => undefined);
  defineStoreCommands(connection);
  const batches: LogBatch[] = [];
  const tail = new RedisLogTail(connection, log, (batch) => batches.push(batch));
  cleanup.push(() => tail.close());
  tail.start();
  // The tail starts at the head; it has read it once it announces its position.
  await expect.poll(() => batches.length, { timeout: 5_000 }).toBeGreaterThan(0);
  const apply = (n: number) =>
    store.applyBatch(Array.from({ length: n }, () => ({ record: new TestCall().next('setup') })));
  return { proxy, batches, apply };
}

describe('RedisLogTail', () => {
  it('goes on from the last event it delivered after its connection was cut', async () => {
    const { proxy, batches, apply } = await tailBehindProxy(10_000);
    const seqs = () => batches.flatMap((b) => b.events.map((e) => e.seq));

    await apply(10);
    await expect.poll(seqs, { timeout: 5_000 }).toHaveLength(10);
    proxy.cutOff();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await apply(20); // another instance goes on writing meanwhile
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.restore();
    await apply(5);
    await expect.poll(seqs, { timeout: 10_000 }).toHaveLength(35);
    expect(seqs()).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    expect(batches.some((b) => b.gap === true)).toBe(false);
  });

  it('marks a batch after a hole the log trimmed before the tail could read it', async () => {
    const { proxy, batches, apply } = await tailBehindProxy(100);

    await apply(5);
    await expect.poll(() => batches.flatMap((b) => b.events).length, { timeout: 5_000 }).toBe(5);
    proxy.cutOff();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 10; i++) await apply(100); // far past what the log keeps
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.restore();
    await apply(1);
    await expect.poll(() => batches.some((b) => b.gap === true), { timeout: 10_000 }).toBe(true);
  });
});
