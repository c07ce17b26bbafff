// The store's per-minute history and recent-ended index on both engines, with the store's
// injectable clock: values per minute and scope, window bounds, ageing out, order, limit,
// reason filter and the user view.
import type { CallRecord } from '@live-calls/protocol';
import { startRedis, type RedisService } from '@live-calls/test-services';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistorySample } from '../stats/history.js';
import { TestCall } from '../testing/call-factory.js';
import { ENGINES, type Engine } from '../testing/test-stack.js';
import type { LiveStore } from './live-store.js';
import { MemoryStore } from './memory-store.js';
import { RECENT_MAX, RECENT_MS } from './recent-ended.js';
import { KEYS } from './redis-keys.js';
import { RedisStore } from './redis-store.js';

const MINUTE = 60_000;
const T0 = 1_800_000_000_000; // a minute boundary

/** A store on `engine` whose clock is `clock.now`. */
async function openStore(
  engine: Engine,
  clock: { now: number },
): Promise<{ store: LiveStore; redis?: RedisService }> {
  const now = () => clock.now;
  if (engine === 'memory') return { store: new MemoryStore({ historyEvents: 1000, now }) };
  const redis = await startRedis();
  const store = new RedisStore({
    target: { kind: 'url', url: redis.url },
    historyEvents: 1000,
    log: pino({ level: 'silent' }),
    now,
  });
  await store.ready();
  return { store, redis };
}

/** A minute's sample from its attempts first seen, answers and concluded attempts. */
const sample = (t: number, active: number, att = 0, ans = 0, done = 0): HistorySample => ({
  t,
  active,
  answered: ans,
  cps: Math.round((att / 60) * 100) / 100,
  asr: done === 0 ? null : Math.round((ans / done) * 1000) / 10,
});

describe.each(ENGINES)('history and recent in the store (%s engine)', (engine) => {
  const clock = { now: T0 };
  let opened: { store: LiveStore; redis?: RedisService } | undefined;

  afterEach(async () => {
    await opened?.store.close();
    await opened?.redis?.close();
    opened = undefined;
  });

  /** Applies each record at its own moment of the clock. */
  async function applyAt(at: number, ...records: CallRecord[]): Promise<void> {
    clock.now = at;
    for (const record of records) {
      await opened!.store.applyBatch([{ record }]);
      clock.now++;
    }
  }

  it('keeps per-minute samples per scope: peak, answered, cps, asr; held counts fill quiet minutes', async () => {
    clock.now = T0;
    opened = await openStore(engine, clock);
    const { store } = opened;
    const acme = [1, 2, 3].map((i) => new TestCall({ company: 'acme', callId: `a${i}`, at: T0 }));
    const globex = new TestCall({ company: 'globex', callId: 'g1', at: T0 });
    // Minute 0: three acme calls, one answered.
    await applyAt(T0 + 1_000, ...acme.map((c) => c.next('setup', { ts: T0 })));
    await applyAt(T0 + 5_000, acme[0]!.next('answered', { ts: T0 + 5_000 }));
    // Minute 1: two end unanswered (3 → 1), a globex call begins (→ 2); a duplicate changes
    // nothing. ASR: minute 0 concluded one attempt (answered), minute 1 two (failed).
    const end = acme[1]!.next('ended', { ts: T0 + MINUTE, reason: 'failed' });
    await applyAt(T0 + MINUTE + 1_000, end, end);
    await applyAt(T0 + MINUTE + 2_000, acme[2]!.next('ended', { ts: T0 + MINUTE }));
    await applyAt(T0 + MINUTE + 3_000, globex.next('setup', { ts: T0 + MINUTE }));
    // Minute 2 and 3: quiet. Read in the middle of minute 3.
    const now = T0 + 3 * MINUTE + 30_000;
    const t = (m: number) => T0 + m * MINUTE;

    expect(await store.history(null, now, 5)).toEqual([
      sample(t(-1), 0),
      sample(t(0), 3, 3, 1, 1),
      sample(t(1), 3, 1, 0, 2),
      sample(t(2), 2),
      sample(t(3), 2),
    ]);
    expect(await store.history('acme', now, 5)).toEqual([
      sample(t(-1), 0),
      sample(t(0), 3, 3, 1, 1),
      sample(t(1), 3, 0, 0, 2),
      sample(t(2), 1),
      sample(t(3), 1),
    ]);
    expect(await store.history('globex', now, 5)).toEqual([
      sample(t(-1), 0),
      sample(t(0), 0),
      sample(t(1), 1, 1, 0),
      sample(t(2), 1),
      sample(t(3), 1),
    ]);
    expect(await store.history('nobody', now, 2)).toEqual([sample(t(2), 0), sample(t(3), 0)]);

    // Window bounds: one minute is the current one; 24 h is 1440 minutes ending with it.
    expect(await store.history(null, now, 1)).toEqual([sample(t(3), 2)]);
    const day = await store.history(null, now, 1440);
    expect(day).toHaveLength(1440);
    expect(day[0]!.t).toBe(t(3 - 1439));
    expect(day.at(-1)!.t).toBe(t(3));
    expect(day.slice(-5)).toEqual(await store.history(null, now, 5));

    // A day later the minutes have left every window; the held count remains.
    const later = await store.history(null, T0 + 25 * 60 * MINUTE, 1440);
    expect(later.every((s) => s.active === 2 && s.answered === 0 && s.asr === null)).toBe(true);
  });

  it('lists ended calls newest first by scope, limit and reason, without sip for a user, for 15 min', async () => {
    clock.now = T0;
    opened = await openStore(engine, clock);
    const { store } = opened;
    const calls = ['acme', 'globex', 'acme', null, 'acme'].map(
      (company, i) => new TestCall({ company, callId: `r${i}`, at: T0 }),
    );
    await applyAt(T0, ...calls.map((c) => c.next('setup', { ts: T0 })));
    const reasons = ['failed', 'bye', 'cancel', 'failed', 'failed'] as const;
    const ended = calls.map((c, i) => c.next('ended', { ts: T0 + i, reason: reasons[i] }));
    // Ended one minute apart; r4 never ends but a stale end changes nothing.
    for (const [i, record] of ended.slice(0, 4).entries()) await applyAt(T0 + i * MINUTE, record);
    await applyAt(T0 + 4 * MINUTE, { ...ended[0]!, seq: 1 });

    const ids = async (query: Partial<Parameters<LiveStore['recent']>[0]>) =>
      (
        await store.recent({
          company: null,
          view: 'full',
          now: T0 + 5 * MINUTE,
          limit: 100,
          ...query,
        })
      ).map((json) => (JSON.parse(json) as CallRecord).id);
    const id = (i: number) => calls[i]!.record.id;

    expect(await ids({})).toEqual([id(3), id(2), id(1), id(0)]);
    expect(await ids({ limit: 2 })).toEqual([id(3), id(2)]);
    expect(await ids({ reason: 'failed' })).toEqual([id(3), id(0)]);
    expect(await ids({ reason: 'failed', limit: 1 })).toEqual([id(3)]);
    expect(await ids({ reason: 'timeout' })).toEqual([]);
    expect(await ids({ company: 'acme' })).toEqual([id(2), id(0)]);
    expect(await ids({ company: 'acme', reason: 'cancel' })).toEqual([id(2)]);
    expect(await ids({ company: 'nobody' })).toEqual([]);

    const full = await store.recent({
      company: 'globex',
      view: 'full',
      now: T0 + 5 * MINUTE,
      limit: 10,
    });
    expect(full.map((json) => JSON.parse(json) as CallRecord)).toEqual([ended[1]]);
    const user = await store.recent({
      company: 'globex',
      view: 'user',
      now: T0 + 5 * MINUTE,
      limit: 10,
    });
    const { sip: _sip, ...withoutSip } = ended[1]!;
    expect(user.map((json) => JSON.parse(json) as CallRecord)).toEqual([withoutSip]);

    // 15 min after each end it is gone: just before r1's turn r1 is still there, then not.
    expect(await ids({ now: T0 + MINUTE + RECENT_MS })).toEqual([id(3), id(2), id(1)]);
    expect(await ids({ now: T0 + MINUTE + RECENT_MS + 1 })).toEqual([id(3), id(2)]);
    // A later end trims what has aged out from the store itself.
    await applyAt(T0 + 30 * MINUTE, calls[4]!.next('ended', { ts: T0 + 30 * MINUTE }));
    expect(await ids({ now: T0 + 30 * MINUTE })).toEqual([id(4)]);
    expect(await ids({ now: T0 + 30 * MINUTE, company: 'acme' })).toEqual([id(4)]);
    if (opened.redis !== undefined) {
      const redis = new Redis(opened.redis.url);
      try {
        expect(await redis.zcard(KEYS.recentEnded)).toBe(1);
        expect(await redis.zcard(`${KEYS.recentEndedCompanyPrefix}acme`)).toBe(1);
        // globex's list had no later end: it expires (PEXPIRE 15 min) rather than trims.
        expect(await redis.pttl(`${KEYS.recentEndedCompanyPrefix}globex`)).toBeLessThanOrEqual(
          RECENT_MS,
        );
      } finally {
        redis.disconnect();
      }
    }
  });

  it('keeps the newest RECENT_MAX ended calls per scope, and finds a reason past the first page', async () => {
    clock.now = T0;
    opened = await openStore(engine, clock);
    const { store } = opened;
    // Calls seen only at their end: the oldest three (failed) fall off when the list is full.
    const end = (i: number, reason: 'failed' | 'bye') =>
      new TestCall({ company: 'acme', callId: `m${i}`, at: T0 }).next('ended', { reason });
    await store.applyBatch([0, 1, 2].map((i) => ({ record: end(i, 'failed') })));
    for (const i of [3, 4]) {
      clock.now++;
      await store.applyBatch([{ record: end(i, 'failed') }]);
    }
    for (let i = 5; i < RECENT_MAX + 3; i += 1000) {
      clock.now++;
      const batch = Array.from({ length: Math.min(1000, RECENT_MAX + 3 - i) }, (_, k) => i + k);
      await store.applyBatch(batch.map((n) => ({ record: end(n, 'bye') })));
    }
    for (const company of [null, 'acme']) {
      const query = { company, view: 'full', now: clock.now, limit: 1000 } as const;
      const failed = await store.recent({ ...query, reason: 'failed' });
      expect(failed.map((json) => (JSON.parse(json) as CallRecord).call_id)).toEqual(['m4', 'm3']);
      expect(await store.recent(query)).toHaveLength(1000);
    }
  });
});
