// ASR's counts in the store on both engines, under the store's clock (stats/asr.ts): the
// `stats` ASR, the history minute's ASR and the ASR alarm's inputs (over all calls and per
// trunk) count attempts once concluded, while CPS counts calls when first seen. The restart
// of the wall that raised a false critical: fifty calls ringing and three answered is not an
// ASR of 6 %, and is too few concluded attempts to judge.
import { reapedRecord, type CallRecord } from '@live-calls/protocol';
import { startRedis, type RedisService } from '@live-calls/test-services';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_RULES } from '../alarms/alarm-rules.js';
import { evaluateAlarms } from '../alarms/evaluate.js';
import { TestCall } from '../testing/call-factory.js';
import { ENGINES, type Engine } from '../testing/test-stack.js';
import type { LiveStore } from './live-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

const T0 = 1_800_000_000_000; // a minute boundary

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

describe.each(ENGINES)('ASR counts in the store (%s engine)', (engine) => {
  const clock = { now: T0 };
  let opened: { store: LiveStore; redis?: RedisService } | undefined;

  afterEach(async () => {
    await opened?.store.close();
    await opened?.redis?.close();
    opened = undefined;
  });

  it('counts an attempt once concluded — answered, or ended unanswered — once per call', async () => {
    clock.now = T0;
    opened = await openStore(engine, clock);
    const { store } = opened;
    /** The stored record of each call, as the next change starts from it. */
    const last = new Map<string, CallRecord>();
    const apply = async (...records: CallRecord[]) => {
      for (const record of records) {
        clock.now++;
        await store.applyBatch([{ record }]);
        last.set(record.id, record);
      }
    };
    const call = (id: string, trunk: string) => {
      const c = new TestCall({ company: 'acme', callId: id, at: T0 });
      c.record.trunk = trunk;
      return c;
    };
    const answer = (c: TestCall) => {
      const record = c.next('answered', { ts: clock.now });
      c.record.answered_at = record.answered_at;
      return record;
    };
    const read = async () => {
      const stats = await store.stats(null, clock.now);
      const [minute] = await store.history(null, clock.now, 1);
      const inputs = await store.alarmInputs({
        now: clock.now,
        trunks: [],
        longCallBefore: null,
        longCallLimit: 1000,
      });
      return {
        asr: stats.asr_15m,
        acme: (await store.stats('acme', clock.now)).asr_15m,
        minute: minute!.asr,
        global: inputs.globalRatio,
        a: inputs.trunkRatio.get('a') ?? null,
        b: inputs.trunkRatio.get('b') ?? null,
      };
    };

    // Fifty calls in setup or ringing on trunk a, three answered on trunk b.
    const ringing = Array.from({ length: 50 }, (_, i) => call(`r${i}`, 'a'));
    await apply(...ringing.map((c, i) => c.next(i % 2 === 0 ? 'setup' : 'ringing', { ts: T0 })));
    expect(await read()).toMatchObject({ asr: null, minute: null, global: { done: 0, ans: 0 } });
    const answered = ['x', 'y', 'z'].map((id) => call(id, 'b'));
    for (const c of answered) await apply(c.next('setup', { ts: T0 }), answer(c));
    expect(await read()).toEqual({
      asr: 100,
      acme: 100,
      minute: 100,
      global: { done: 3, ans: 3 },
      a: null,
      b: { done: 3, ans: 3 },
    });
    expect((await store.stats(null, clock.now)).cps_1m).toBe(Math.round((53 / 60) * 100) / 100);
    // The false critical of a restart: 3 concluded attempts are too few to judge.
    const transitions = evaluateAlarms(
      DEFAULT_ALARM_RULES,
      await store.alarmInputs({
        now: clock.now,
        trunks: [],
        longCallBefore: null,
        longCallLimit: 1000,
      }),
      { now: clock.now, staleAfterMs: 90_000 },
    );
    expect(transitions).toEqual([]);

    // Answered calls that repeat their answer and hang up: not concluded again.
    for (const c of answered) await apply(c.next('answered', { ts: clock.now }), c.next('ended'));
    expect(await read()).toMatchObject({ asr: 100, global: { done: 3, ans: 3 } });
    // A ringing call cancelled, one reaped before an answer: two failed attempts on trunk a.
    await apply(ringing[1]!.next('ended', { ts: clock.now, reason: 'cancel' }));
    await apply(reapedRecord(last.get(ringing[2]!.record.id)!, clock.now));
    expect(await read()).toEqual({
      asr: 60,
      acme: 60,
      minute: 60,
      global: { done: 5, ans: 3 },
      a: { done: 2, ans: 0 },
      b: { done: 3, ans: 3 },
    });
    // First seen at its end: failed, or answered before — each one attempt concluded once.
    const failed = call('f', 'a');
    await apply(failed.next('ended', { ts: clock.now, reason: 'failed' }));
    const late = call('l', 'b');
    late.record.answered_at = T0;
    await apply(late.next('ended', { ts: clock.now }));
    // A stale repeat of an end changes nothing.
    await apply({ ...last.get(failed.record.id)!, seq: 1 });
    expect(await read()).toEqual({
      asr: 57.1,
      acme: 57.1,
      minute: 57.1,
      global: { done: 7, ans: 4 },
      a: { done: 3, ans: 0 },
      b: { done: 4, ans: 4 },
    });
    expect((await store.stats(null, clock.now)).cps_1m).toBe(Math.round((55 / 60) * 100) / 100);
  });
});
