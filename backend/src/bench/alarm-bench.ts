// The cost of one alarm round (docs/interface/alarms.md) with many active calls, on both
// engines: read the inputs, judge them, apply the transitions. Run after `pnpm build`:
// `node backend/dist/bench/alarm-bench.js [calls] [long-every] [companies]` (default 10,000
// active calls over 20 trunks and 200 companies; one in 10 answered two hours ago, so the
// 1,000 long calls an evaluation reads at most are all alarms: the worst case).
import { startRedis } from '@live-calls/test-services';
import type { CallRecord } from '@live-calls/protocol';
import pino from 'pino';
import { LONG_CALL_LIMIT } from '../alarms/alarm-inputs.js';
import { DEFAULT_ALARM_RULES, type AlarmRules } from '../alarms/alarm-rules.js';
import { evaluateAlarms } from '../alarms/evaluate.js';
import type { LiveStore } from '../store/live-store.js';
import { MemoryStore } from '../store/memory-store.js';
import { RedisStore } from '../store/redis-store.js';

const CALLS = Number(process.argv[2] ?? 10_000);
/** One call in this many was answered two hours ago (a long_call alarm each). */
const LONG_EVERY = Number(process.argv[3] ?? 10);
const COMPANIES = Number(process.argv[4] ?? 200);
const ROUNDS = 50;
const TRUNKS = 20;
const rules: AlarmRules = {
  ...DEFAULT_ALARM_RULES,
  trunks: new Map(Array.from({ length: TRUNKS }, (_, t) => [`trunk-${t}`, { capacity: 600 }])),
};

function record(i: number, now: number): CallRecord {
  const answered = i % 2 === 0;
  const at = i % LONG_EVERY === 0 ? now - 2 * 3600_000 - i : now - (i % 600) * 1000;
  return {
    v: 1,
    id: `pbx-${i % 4}:bench-${i}`,
    source: `pbx-${i % 4}`,
    call_id: `bench-${i}`,
    seq: 1,
    phase: answered ? 'answered' : 'ringing',
    ts: at,
    company_id: `company-${i % COMPANIES}`,
    direction: 'inbound',
    from: { user: `+1555${i}` },
    to: { user: '+15550199' },
    trunk: `trunk-${i % TRUNKS}`,
    created_at: at,
    answered_at: answered ? at : null,
    ended_at: null,
    sip: { from_tag: 'a', to_tag: 'b' },
  };
}

async function measure(name: string, store: LiveStore): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < CALLS; i += 500) {
    const items = [];
    for (let j = i; j < Math.min(CALLS, i + 500); j++) items.push({ record: record(j, now) });
    await store.applyBatch(items);
  }
  const times: number[] = [];
  let transitions = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const at = Date.now();
    const inputs = await store.alarmInputs({
      now: at,
      trunks: [...rules.trunks.keys()],
      longCallBefore: at - rules.long_call!.warning * 1000,
      longCallLimit: LONG_CALL_LIMIT,
    });
    const made = evaluateAlarms(rules, inputs, { now: at, staleAfterMs: 90_000 });
    const seqs = await store.applyAlarms(made);
    transitions += seqs.filter((s) => s > 0).length;
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const first = times[0]!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
  console.log(
    `${name}: ${CALLS} active calls, ${(await store.alarms(null)).length} alarms active, ${transitions} transitions; ` +
      `first round ${first.toFixed(1)} ms (raises), then median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
  );
}

const memory = new MemoryStore({ historyEvents: 100_000 });
await measure('memory', memory);
await memory.close();
const redis = await startRedis();
const store = new RedisStore({
  target: { kind: 'url', url: redis.url },
  historyEvents: 100_000,
  log: pino({ level: 'silent' }),
});
await store.ready();
await measure('redis', store);
await store.close();
await redis.close();
